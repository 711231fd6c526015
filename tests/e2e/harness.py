"""Start the Discord double and the real `rigfit run` process against it; shared by the e2e tests and bench."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.discord_spec import SPEC_PATH, request_errors
from tests.e2e.double import DiscordDouble, Record

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
            sys.executable, "-m", "bot.cli", "run", cwd=str(tmp), env=env, stdout=log, stderr=log
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


def spec_available() -> bool:
    return SPEC_PATH.exists()
