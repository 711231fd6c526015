"""/report through the real `rigfit run` process and the Discord double: a member opens the form, pastes
llama-bench output, and the next /fit in the server shows it; a manager hides it there; another member cannot
delete it; /forget-me removes it. Every request the bot sends is checked against Discord's OpenAPI description."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from pydantic import SecretStr

from bench.discord_double import double as d
from bench.discord_double import harness
from bot.secrets import HashKeys
from tests.e2e.test_e2e import embed_text, write_catalog
from tests.e2e.test_fleet import FleetDouble, modal_submit
from tests.llama_bench_pastes import CUDA_3090, LLAMA8_Q8, table

pytestmark = [
    pytest.mark.skipif(not harness.spec_available(), reason="shared/discord/openapi.json is absent"),
    pytest.mark.asyncio(loop_scope="module"),
]

GUILD = "400000000000000001"  # the double's guild
MEMBER, OTHER, MANAGER = "300000000000000501", "300000000000000502", "300000000000000503"
PASTE = table(*LLAMA8_Q8, devices=CUDA_3090)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[harness.Running]:
    """The bot against a double that also answers forms (interaction callback type 9)."""
    tmp = tmp_path_factory.mktemp("reports-e2e")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(harness, "DiscordDouble", lambda validate: FleetDouble())
        async with harness.running_bot(tmp, CATALOG_DIR=str(write_catalog(tmp / "catalog"))) as running:
            yield running


def report(sub: str, user: str, options: dict[str, Any] | None = None, *, manager: bool = False) -> dict[str, Any]:
    payload = d.slash("report", {}, user_id=user, manage_guild=manager)
    typed = [{"name": k, "type": 4 if isinstance(v, int) else 3, "value": v} for k, v in (options or {}).items()]
    payload["data"]["options"] = [{"name": sub, "type": 1, "options": typed}]
    return payload


def stored(bot: harness.Running) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(bot.db_path, timeout=10)
    try:
        return conn.execute("SELECT id, user_hash, guild_id, raw_text FROM member_reports ORDER BY id").fetchall()
    finally:
        conn.close()


async def fit_text(bot: harness.Running, user: str) -> str:
    record = await bot.ask(d.slash("fit", {"model": "llama-3.1-8b", "hardware": "RTX 3090"}, user_id=user))
    assert record.messages and not bot.double.invalid, bot.double.invalid
    return embed_text(record)


async def test_a_report_through_the_form_shows_on_the_next_fit(bot: harness.Running) -> None:
    form = await bot.ask(report("add", MEMBER, {"hardware": "RTX 3090"}))
    modal = form.messages[-1]["modal"]
    done = await bot.ask(modal_submit(modal, [PASTE, "RTX 3090", "llama-3.1-8b"], MEMBER, GUILD))
    assert done.ephemeral and "Stored as report #1" in embed_text(done)
    [(report_id, user_hash, guild, raw)] = stored(bot)
    assert (report_id, guild, raw) == (1, GUILD, PASTE)
    assert user_hash == HashKeys(SecretStr("e2e-hash-key-0123456789")).hash(MEMBER)  # never the Discord id

    shown = await fit_text(bot, OTHER)
    assert "1 member measured 87 tok/s on NVIDIA GeForce RTX 3090, Q8_0 (reports #1)" in shown.replace("\\", ""), shown

    listed = await bot.ask(report("list", MEMBER))
    assert listed.ephemeral and "#1" in embed_text(listed) and "llama-3.1-8b" in embed_text(listed)
    theirs = await bot.ask(report("delete", OTHER, {"id": 1}))
    assert "You have no report #1" in embed_text(theirs) and len(stored(bot)) == 1

    refused = await bot.ask(report("hide", OTHER, {"id": 1}))
    assert "Only server managers" in embed_text(refused)
    hidden = await bot.ask(report("hide", MANAGER, {"id": 1}, manager=True))
    assert "hidden in this server" in embed_text(hidden)
    assert "member measured" not in await fit_text(bot, OTHER)
    assert not bot.double.invalid, bot.double.invalid


async def test_a_fake_figure_is_refused_and_not_stored(bot: harness.Running) -> None:
    before = len(stored(bot))
    form = await bot.ask(report("add", OTHER))
    lie = PASTE.replace("87.41", "870.41")
    done = await bot.ask(modal_submit(form.messages[-1]["modal"], [lie, "RTX 3090", "llama-3.1-8b"], OTHER, GUILD))
    assert done.ephemeral and "Not stored" in embed_text(done) and "936 GB/s" in embed_text(done)
    assert len(stored(bot)) == before


async def test_forget_me_removes_the_members_reports(bot: harness.Running) -> None:
    form = await bot.ask(report("add", OTHER))
    other_paste = PASTE.replace("87.41", "86.02")
    await bot.ask(modal_submit(form.messages[-1]["modal"], [other_paste, "RTX 3090", "llama-3.1-8b"], OTHER, GUILD))
    await bot.ask(d.slash("forget-me", {}, user_id=MEMBER))
    assert [row[3] for row in stored(bot)] == [other_paste]
