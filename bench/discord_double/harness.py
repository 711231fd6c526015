"""Start the Discord double and the real `rigfit run` process against it, and drive load through it: shared by the
e2e tests (tests/e2e) and `make bench`."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import statistics
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.discord_double import double as d
from bench.discord_double.double import DiscordDouble, Record
from bench.discord_double.spec import request_errors
from bench.discord_double.spec import spec_available as spec_available

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Running:
    double: DiscordDouble
    process: asyncio.subprocess.Process
    db_path: Path
    log_path: Path

    def rows(self) -> int:
        if not self.db_path.exists():
            return 0
        conn = sqlite3.connect(self.db_path, timeout=10)
        try:
            return int(conn.execute("SELECT count(*) FROM queries").fetchone()[0])
        except sqlite3.OperationalError:
            return 0
        finally:
            conn.close()

    def rows_if_readable(self) -> int | None:
        """The row count, or None while another connection holds the database locked."""
        try:
            conn = sqlite3.connect(self.db_path, timeout=0)
            try:
                return int(conn.execute("SELECT count(*) FROM queries").fetchone()[0])
            finally:
                conn.close()
        except sqlite3.OperationalError:
            return None

    async def stop(self, timeout_s: float = 30.0) -> int:
        """SIGTERM the bot and wait for it: afterwards every row it logged is on disk (no polling, no sleeps)."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout_s)

    async def ask(self, payload: dict[str, Any], timeout_s: float = 20.0) -> Record:
        record = await self.double.interact(payload)
        await asyncio.wait_for(record.done.wait(), timeout_s)
        return record


@contextlib.asynccontextmanager
async def running_bot(tmp: Path, **env_extra: str) -> AsyncIterator[Running]:
    """The bot process with its database and log in `tmp`, connected to a fresh double; `env_extra` adds settings
    (CATALOG_DIR for another catalog than the packaged one, GUILD_QUERIES_PER_MINUTE ...)."""
    double = DiscordDouble(request_errors)
    api = await double.start()
    db = tmp / "rigfit.sqlite3"
    log_path = tmp / "bot.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DISCORD")},
        "DISCORD_TOKEN": "e2e.fake.token",
        "DISCORD_API_BASE": api,
        "DATABASE_PATH": str(db),
        "HEARTBEAT_PATH": str(tmp / "heartbeat"),
        "HASH_KEY": "e2e-hash-key-0123456789",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **env_extra,
    }
    with log_path.open("w") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.terminal.cli", "run", cwd=str(tmp), env=env, stdout=log, stderr=log
        )
        try:
            await asyncio.wait_for(double.ready.wait(), 60)
            yield Running(double, process, db, log_path)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 20)
                except TimeoutError:
                    process.kill()
                    await process.wait()
            await double.stop()


LOAD_HARDWARE = ("256GB", "RTX 3090", "24GB VRAM + 256GB RAM", "M3 Ultra 256GB", "2x RTX 3090 + 128GB DDR4")


async def run_load(bot: Running, total: int, in_flight: int) -> dict[str, float]:
    """`total` /fit interactions for glm-5.2 on a round of common rigs, at most `in_flight` unanswered at once, each
    from a new user of one server (so run the bot with GUILD_QUERIES_PER_MINUTE above `total`); the bot is stopped at
    the end so the log can be counted. Acknowledgements are timed by the double, from dispatch to the callback."""
    before = bot.rows()
    gate = asyncio.Semaphore(in_flight)
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def one(i: int) -> Record:
        async with gate:
            payload = d.slash("fit", {"model": "glm-5.2", "hardware": LOAD_HARDWARE[i % len(LOAD_HARDWARE)]})
            return await bot.ask(payload, timeout_s=60)

    records = await asyncio.gather(*(one(i) for i in range(total)))
    elapsed = loop.time() - started
    await bot.stop()
    acks = sorted(r.ack_ms or 1e9 for r in records)
    return {
        "answered": sum(1 for r in records if r.messages),
        "invalid": len(bot.double.invalid),
        "missed": len(bot.double.missed_deadlines()),
        "e2e_ack_p50_ms": round(statistics.median(acks), 1),
        "e2e_ack_p99_ms": round(acks[int(0.99 * (len(acks) - 1))], 1),
        "e2e_answers_per_s": round(total / elapsed, 1),
        "e2e_lost_rows": before + total - bot.rows(),
    }
