"""`make bench`: a fleet on PostgreSQL. Two real `rigfit run --shard-ids N --shard-count 2` processes, each against
its own Discord double, share one PostgreSQL (DATABASE_URL's server when set, else a throwaway cluster); 1,000 /fit
interactions for guilds of both shards, at most 50 unanswered at once across the two. Reported, not asserted: the
acknowledgement p50/p99 (dispatch to callback, as the double times it) and rows lost (sent minus rows stored)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import statistics
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

FLEET_TOTAL, FLEET_IN_FLIGHT, SHARD_COUNT = 1000, 50, 2
ROOT = Path(__file__).resolve().parents[1]
HARDWARE = ("256GB", "RTX 3090", "24GB VRAM + 256GB RAM", "M3 Ultra 256GB", "2x RTX 3090 + 128GB DDR4")


def guild_of_shard(shard: int) -> str:
    """A guild id Discord routes to `shard` ((guild_id >> 22) % shard_count)."""
    guild = 400000000000000001
    while (guild >> 22) % SHARD_COUNT != shard:
        guild += 1 << 22
    return str(guild)


def bench_fleet() -> dict[str, float]:
    try:
        from bench.discord_double.spec import SPEC_PATH, spec_available
    except ImportError:
        print("fleet figures not measured: the Discord double is not in bench/discord_double")
        return {}
    if not spec_available():
        print(f"fleet figures not measured: Discord's OpenAPI description is not at {SPEC_PATH}")
        return {}
    from bot.storage.pg_cluster import ClusterError

    try:
        with postgres_database() as url, tempfile.TemporaryDirectory(prefix="rigfit-bench-fleet-") as tmp:
            return asyncio.run(_load(url, Path(tmp)))
    except ClusterError as exc:
        print(f"fleet figures not measured: {exc}")
        return {}


@contextlib.contextmanager
def postgres_database() -> Any:
    """A fresh database: on DATABASE_URL's server when set, else on a throwaway cluster."""
    import psycopg

    from bot.storage.pg_cluster import create, destroy

    outer = os.environ.get("DATABASE_URL")
    cluster = None if outer else create()
    server = outer or cluster.url  # type: ignore[union-attr]
    name = f"rigfit_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        if cluster is not None:
            destroy(cluster)


@contextlib.asynccontextmanager
async def fleet_process(tmp: Path, url: str, shard: int) -> AsyncIterator[Any]:
    from bench.discord_double.double import DiscordDouble
    from bench.discord_double.harness import Running
    from bench.discord_double.spec import request_errors

    double = DiscordDouble(request_errors)
    api = await double.start()
    tmp.mkdir(parents=True, exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "DATABASE"))},
        "DISCORD_TOKEN": "bench.fake.token",
        "DISCORD_API_BASE": api,
        "DATABASE_URL": url,
        "DATABASE_PATH": str(tmp / "rigfit.sqlite3"),
        "HEARTBEAT_PATH": str(tmp / "heartbeat"),
        "HASH_KEY": "bench-hash-key-0123456789",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "GUILD_QUERIES_PER_MINUTE": str(FLEET_TOTAL * 1000),
    }
    argv = ["-m", "bot.terminal.cli", "run", "--shard-ids", str(shard), "--shard-count", str(SHARD_COUNT)]
    with (tmp / "bot.log").open("w") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, *argv, cwd=str(tmp), env=env, stdout=log, stderr=log
        )
        try:
            await asyncio.wait_for(double.ready.wait(), 60)
            yield Running(double, process, tmp / "rigfit.sqlite3", tmp / "bot.log")
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(process.wait(), 30)
            if process.returncode is None:
                process.kill()
                await process.wait()
            await double.stop()


async def _load(url: str, tmp: Path) -> dict[str, float]:
    import psycopg

    from bench.discord_double import double as d

    async with fleet_process(tmp / "a", url, 0) as a, fleet_process(tmp / "b", url, 1) as b:
        fleet, guilds = [a, b], [guild_of_shard(0), guild_of_shard(1)]
        gate = asyncio.Semaphore(FLEET_IN_FLIGHT)

        async def one(i: int) -> Any:
            async with gate:
                payload = d.slash("fit", {"model": "glm-5.2", "hardware": HARDWARE[i % len(HARDWARE)]})
                guild = guilds[i % 2]
                payload["guild_id"] = payload["channel"]["guild_id"] = guild
                payload["authorizing_integration_owners"] = {"0": guild}
                return await fleet[i % 2].ask(payload, timeout_s=60)

        records = await asyncio.gather(*(one(i) for i in range(FLEET_TOTAL)))
        exits = [await p.stop() for p in fleet]
        missed = sum(len(p.double.missed_deadlines()) for p in fleet)
        invalid = sum(len(p.double.invalid) for p in fleet)
    with psycopg.connect(url) as conn:
        stored = int(conn.execute("SELECT count(*) FROM queries").fetchone()[0])  # type: ignore[index]
    acks = sorted(r.ack_ms or 1e9 for r in records)
    return {
        "fleet_pg_interactions": FLEET_TOTAL,
        "fleet_pg_processes": len(exits),
        "fleet_pg_in_flight": FLEET_IN_FLIGHT,
        "fleet_pg_ack_p50_ms": round(statistics.median(acks), 1),
        "fleet_pg_ack_p99_ms": round(acks[int(0.99 * (len(acks) - 1))], 1),
        "fleet_pg_unanswered": sum(1 for r in records if not r.messages),
        "fleet_pg_missed_deadlines": missed,
        "fleet_pg_invalid_payloads": invalid,
        "fleet_pg_lost_rows": FLEET_TOTAL - stored,
        "fleet_pg_bad_exits": sum(1 for e in exits if e != 0),
    }


def bench_pg_faults() -> list[Any]:
    """The PostgreSQL fault scenarios (bot/storage/pg_faults.py) on a throwaway cluster this bench may restart."""
    import logging

    import psycopg

    from bot.storage.pg_cluster import ClusterError, create, destroy
    from bot.storage.pg_faults import fault_table

    try:
        cluster = create()
    except ClusterError as exc:
        print(f"PostgreSQL fault figures not measured: {exc}")
        return []
    storage_log = logging.getLogger("bot.storage")
    level = storage_log.level
    storage_log.setLevel(logging.CRITICAL)

    def new_database() -> str:
        name = f"rigfit_fault_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(cluster.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
        return cluster.database_url(name)

    try:
        with tempfile.TemporaryDirectory(prefix="rigfit-bench-pg-faults-") as tmp:
            return fault_table(cluster, new_database, Path(tmp))
    finally:
        storage_log.setLevel(level)
        destroy(cluster)


if __name__ == "__main__":
    print(bench_fleet())
    for row in bench_pg_faults():
        print(row)
