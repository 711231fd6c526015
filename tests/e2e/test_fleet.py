"""A fleet: two real `rigfit run --shard-ids N --shard-count 2` processes, each against its own Discord double (two
gateway connections, as on two hosts), sharing one PostgreSQL. Interactions go to each process for guilds of its
shards; then every row is checked, a rig saved through one process is used through the other, and /forget-me
through one removes the member's rows written by both (and the rig)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from aiohttp import web
from pydantic import SecretStr

from bench.discord_double import double as d
from bench.discord_double.harness import ROOT, Running, spec_available
from bot.secrets import HashKeys
from bot.storage import stats
from tests.discord_spec import request_errors
from tests.e2e.test_e2e import write_catalog

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not spec_available(), reason="shared/discord/openapi.json is absent: nothing to check against"),
]

SHARD_COUNT = 2
HASH_KEY = "fleet-hash-key-0123456789"
MEMBER = "300000000000000042"  # asks through both processes
OTHERS = [f"3000000000000001{i:02d}" for i in range(6)]


def guild_of_shard(shard: int) -> str:
    """A guild id that Discord routes to `shard` ((guild_id >> 22) % shard_count)."""
    guild = 400000000000000001
    while (guild >> 22) % SHARD_COUNT != shard:
        guild += 1 << 22
    return str(guild)


class FleetDouble(d.DiscordDouble):
    """The double, also noting which shard each connection identified as and answering modals (callback type 9)."""

    def __init__(self) -> None:
        super().__init__(request_errors)
        self.shards: list[list[int]] = []

    async def _on_gateway(self, ws: web.WebSocketResponse, msg: dict[str, Any]) -> None:
        if msg.get("op") == 2:
            self.shards.append(msg["d"].get("shard"))
        await super()._on_gateway(ws, msg)

    async def callback(self, request: web.Request) -> web.Response:
        response = await super().callback(request)
        body = await self._body(request)  # aiohttp keeps the body: read again
        record = self.records.get(request.match_info["iid"])
        if record is not None and (body or {}).get("type") == 9:
            record.messages.append({"modal": body["data"]})
            record.done.set()
        return response


@contextlib.asynccontextmanager
async def fleet_process(tmp: Path, url: str, shard: int) -> AsyncIterator[Running]:
    double = FleetDouble()
    api = await double.start()
    tmp.mkdir(parents=True, exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "DATABASE"))},
        "DISCORD_TOKEN": "e2e.fake.token",
        "DISCORD_API_BASE": api,
        "DATABASE_URL": url,
        "DATABASE_PATH": str(tmp / "rigfit.sqlite3"),  # its folder keeps the journal while PostgreSQL is away
        "HEARTBEAT_PATH": str(tmp / "heartbeat"),
        "HASH_KEY": HASH_KEY,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "CATALOG_DIR": str(write_catalog(tmp / "catalog")),
        "GUILD_QUERIES_PER_MINUTE": "100000",
    }
    argv = ["-m", "bot.terminal.cli", "run", "--shard-ids", str(shard), "--shard-count", str(SHARD_COUNT)]
    log_path = tmp / "bot.log"
    with log_path.open("w") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, *argv, cwd=str(tmp), env=env, stdout=log, stderr=log
        )
        try:
            await asyncio.wait_for(double.ready.wait(), 60)
            yield Running(double, process, tmp / "rigfit.sqlite3", log_path)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 20)
                except TimeoutError:
                    process.kill()
                    await process.wait()
            await double.stop()


def in_guild(payload: dict[str, Any], guild: str) -> dict[str, Any]:
    payload["guild_id"] = guild
    payload["channel"]["guild_id"] = guild
    payload["authorizing_integration_owners"] = {"0": guild}
    return payload


def rig_set(user: str, guild: str) -> dict[str, Any]:
    payload = d.slash("rig", {}, user_id=user)
    payload["data"]["options"] = [{"name": "set", "type": 1, "options": []}]
    return in_guild(payload, guild)


def modal_submit(modal: dict[str, Any], values: list[str], user: str, guild: str) -> dict[str, Any]:
    """What Discord sends when the member fills the form: each text input's custom_id with a value, in order."""
    remaining = list(values)

    def filled(component: dict[str, Any]) -> dict[str, Any]:
        if component["type"] == 4:
            return {"type": 4, "custom_id": component["custom_id"], "value": remaining.pop(0) if remaining else ""}
        out = {k: v for k, v in component.items() if k in ("type", "id")}
        if "components" in component:
            out["components"] = [filled(c) for c in component["components"]]
        if "component" in component:
            out["component"] = filled(component["component"])
        return out

    data = {"custom_id": modal["custom_id"], "components": [filled(c) for c in modal["components"]]}
    return in_guild(d._interaction(d.snowflake(), 5, data, user, False), guild)


ASKED = [  # what members ask, through either process
    ("fit", {"model": "glm-5.2", "hardware": "256GB"}),
    ("fit", {"model": "llama-3.1-8b", "hardware": "RTX 3090"}),
    ("model", {"name": "glm 5.2"}),
    ("hardware", {"name": "rtx 3090"}),
    ("whatfits", {"hardware": "24GB VRAM + 256GB RAM"}),
    ("help", {}),
]


def message_text(record: d.Record) -> str:
    """Everything the member sees (content, embeds, components), as text."""
    return json.dumps(record.messages, ensure_ascii=False, default=str)


async def test_two_processes_one_postgresql(pg_url: str, tmp_path: Path) -> None:
    keys = HashKeys(SecretStr(HASH_KEY))
    guilds = [guild_of_shard(0), guild_of_shard(1)]
    expected: Counter[tuple[str, str | None, str | None]] = Counter()
    async with (
        fleet_process(tmp_path / "a", pg_url, 0) as a,
        fleet_process(tmp_path / "b", pg_url, 1) as b,
    ):
        fleet = [a, b]
        assert [p.double.shards for p in fleet] == [[[0, SHARD_COUNT]], [[1, SHARD_COUNT]]]

        async def ask(n: int, command: str, options: dict[str, Any], user: str) -> d.Record:
            record = await fleet[n].ask(in_guild(d.slash(command, options, user_id=user), guilds[n]))
            expected[(command, guilds[n], keys.hash(user))] += 1
            return record

        # Load on both at once: every member asks through both processes (the member two questions each, staying
        # inside the per-person rate limit of USER_RATE a process for what follows).
        asked = [(u, c, o) for u in OTHERS for c, o in ASKED] + [(MEMBER, c, o) for c, o in ASKED[:2]]
        records = await asyncio.gather(*(ask(n, c, o, u) for n in (0, 1) for u, c, o in asked))
        assert all(r.messages for r in records)
        assert not a.double.invalid and not b.double.invalid, (a.double.invalid, b.double.invalid)

        # A rig saved through process A...
        form = await a.ask(rig_set(MEMBER, guilds[0]))
        modal = form.messages[-1]["modal"]
        saved = await a.ask(modal_submit(modal, ["RTX 3090"], MEMBER, guilds[0]))
        assert "Saved `RTX 3090`" in message_text(saved)
        expected[("rig set", guilds[0], keys.hash(MEMBER))] += 1
        # ...answers a /fit without hardware through process B.
        used = await ask(1, "fit", {"model": "llama-3.1-8b"}, MEMBER)
        assert "your saved rig `RTX 3090`" in message_text(used)

        # /forget-me through B removes the member's rows written by A and by B, and the rig.
        forgot = await b.ask(in_guild(d.slash("forget-me", {}, user_id=MEMBER), guilds[1]))
        assert "logged queries of yours were deleted" in message_text(forgot)
        expected[("forget-me", guilds[1], None)] += 1
        assert [await p.stop() for p in fleet] == [0, 0]

    for key in [k for k in expected if k[2] == keys.hash(MEMBER)]:
        del expected[key]
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT command, guild_id, user_hash FROM queries").fetchall()
        rigs = conn.execute("SELECT count(*) FROM saved_rigs").fetchone()
    assert Counter(tuple(r) for r in rows) == expected  # every row once, none of the member's left
    assert rigs == (0,)
    for guild in guilds:
        assert stats(pg_url, guild)["queries"] == sum(n for (_, g, _), n in expected.items() if g == guild)
