"""The front ends under faults: rate limits, a failed send, a stuck database, bad settings, undecodable text."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock

import discord
import pytest
from test_discord import interaction, invoke, rows, sent

from bot.discord.app import RigfitBot
from bot.discord.limits import GUILD_PER_S, USER_PER_S, USER_RATE, RateLimits
from bot.settings import Settings
from bot.storage import QueryLog
from bot.terminal import cli
from catalog.loader import Catalog


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("asks", "guild_rate", "refused_at", "scope"),
    [
        ([(1, 9)] * (USER_RATE + 1), 100, USER_RATE, "user"),  # one person, one server
        ([(u, 9) for u in range(5)], 3, 3, "server"),  # many people, one small server bucket
        ([(1, None)] * (USER_RATE + 1), 1, USER_RATE, "user"),  # a DM has no server bucket
    ],
)
def test_rate_limits(asks: list[tuple[int, int | None]], guild_rate: int, refused_at: int, scope: str) -> None:
    limits = RateLimits(guild_rate, Clock())
    results = [limits.take(user, guild) for user, guild in asks]
    assert all(r is None for r in results[:refused_at])
    refusal = results[refused_at]
    assert refusal is not None and refusal.scope == scope and refusal.retry_after_s > 0


def test_a_refusal_costs_no_token_and_buckets_refill() -> None:
    clock = Clock()
    limits = RateLimits(1, clock)
    assert limits.take(1, 9) is None
    assert limits.take(2, 9) is not None  # server empty: user 2's bucket untouched
    clock.now += max(USER_PER_S, GUILD_PER_S) + 1
    assert limits.take(2, 9) is None
    assert len(limits.users) == 2


@pytest.fixture
async def bot(cat: Catalog, tmp_path: Path) -> Any:
    b = RigfitBot(cat, QueryLog(tmp_path / "q.sqlite3"), Settings(discord_token=None, hash_key="k"))  # type: ignore[arg-type]
    await b.setup_hook()
    yield b
    b.query_log.close()


async def test_buttons_share_the_askers_bucket(bot: RigfitBot) -> None:
    from bot.discord.views import FitView

    for _ in range(USER_RATE):
        assert bot.limits.take(1234, 1) is None
    view = FitView(bot, 1234, "glm-5.2", "256GB", None)
    press = interaction(1234)
    assert await view.interaction_check(press) is False
    assert "Slow down" in press.response.send_message.await_args.args[0]


async def test_a_failed_send_is_logged_once(bot: RigfitBot) -> None:
    i = interaction()
    failure = discord.HTTPException(AsyncMock(status=400, reason="Bad Request"), "Invalid Form Body")
    i.response.send_message = AsyncMock(side_effect=failure)
    await invoke(bot, "model", i, "glm-5.2")
    logged = rows(bot)
    assert len(logged) == 1 and "send failed" in logged[0]["error"]


async def test_forget_me_defers_and_says_pending_while_the_database_is_locked(bot: RigfitBot) -> None:
    for _ in range(2):
        await invoke(bot, "model", interaction(1234), "glm-5.2")
    assert bot.query_log.flush()
    lock = sqlite3.connect(bot.query_log.path, timeout=1)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        i = interaction(1234)
        await invoke(bot, "forget-me", i)
        i.response.defer.assert_awaited_once()
        assert "as soon as the database is back" in sent(i)["content"]
    finally:
        lock.rollback()
        lock.close()
    assert bot.query_log.flush()
    assert [r["command"] for r in rows(bot)] == ["forget-me"]


# ------------------------------------------------------------------------------------ the CLI


@pytest.fixture
def cli_env(cat: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(db))
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setattr(cli, "load", lambda: cat)
    return db


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"RETENTION_DAYS": "-5"}, "RETENTION_DAYS"),
        ({"GUILD_QUERIES_PER_MINUTE": "0"}, "GUILD_QUERIES_PER_MINUTE"),
        ({"DISCORD_API_BASE": "https://example.com/api"}, "DISCORD_API_BASE"),
    ],
)
def test_bad_settings_are_one_line_each_and_exit_78(
    cli_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    message: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["about"]) == cli.EXIT_CONFIG
    err = capsys.readouterr().err.strip()
    assert message in err and "Traceback" not in err


def test_the_bot_refuses_the_shipped_default_key(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "a.b.c")
    monkeypatch.setenv("HASH_KEY", "rigfit-dev-key-change-me")
    assert cli.main(["run"]) == cli.EXIT_CONFIG
    assert "HASH_KEY" in capsys.readouterr().err


def test_a_corrupt_database_is_one_line_not_a_traceback(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli_env.write_bytes(b"this is not a database" * 100)
    assert cli.main(["model", "glm-5.2"]) == cli.EXIT_STORAGE
    err = capsys.readouterr().err
    assert str(cli_env) in err and err.count("\n") == 1 and "Traceback" not in err


def test_undecodable_argument_is_answered_and_later_rows_are_kept(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["fit", "glm\udcff", "256GB"]) == cli.EXIT_USAGE  # `rigfit fit $'glm\xff' 256GB`
    assert cli.main(["model", "glm-5.2"]) == 0
    log = QueryLog(cli_env)
    stored = log.rows()
    log.close()
    assert [r["command"] for r in stored] == ["fit", "model"]
    assert "\\udcff" in stored[0]["raw_args"]


def test_db_stats_escapes_what_users_typed(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["model", "\x1b]0;owned\x07glm"]) == cli.EXIT_USAGE
    capsys.readouterr()
    assert cli.main(["db", "stats"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "1 queries logged" in out
