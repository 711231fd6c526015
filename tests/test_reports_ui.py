"""/report on Discord with mocked interactions: the form and the attachment, a member's own list and deletes, a
manager's hide, hostile pastes answered privately without pinging anyone, and the next /fit showing the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
from discord import app_commands
from test_discord import card_text, interaction, invoke, rows, sent, submit_rig

from bot.discord.app import NO_PINGS, RigfitBot
from bot.discord.reports import ReportModal
from bot.settings import Settings
from bot.storage import QueryLog
from catalog.loader import Catalog
from tests.llama_bench_pastes import CUDA_3090, LLAMA8_Q8, fake, table

PASTE = table(*LLAMA8_Q8, devices=CUDA_3090)


@pytest.fixture
async def bot(cat: Catalog, tmp_path: Path) -> Any:
    b = RigfitBot(cat, QueryLog(tmp_path / "q.sqlite3"), Settings(discord_token=None, hash_key="k"))
    await b.setup_hook()
    yield b
    b.query_log.close()


def group_command(bot: RigfitBot, sub: str) -> Any:
    group = bot.tree.get_command("report")
    assert isinstance(group, app_commands.Group)
    return group.get_command(sub)


async def report_form(bot: RigfitBot, user: int, paste: str, hardware: str = "", model: str = "") -> MagicMock:
    i = interaction(user)
    modal = ReportModal(bot, None, None)
    modal.paste._value, modal.hardware._value, modal.model._value = paste, hardware, model
    await modal.on_submit(i)
    return i


async def report(bot: RigfitBot, sub: str, user: int, *, manager: bool = False, **options: Any) -> MagicMock:
    i = interaction(user, manager=manager)
    i.permissions = discord.Permissions(manage_guild=manager)
    await group_command(bot, sub).callback(i, **options)
    return i


def attachment(data: bytes, size: int | None = None) -> MagicMock:
    a = MagicMock(spec=discord.Attachment)
    a.size = len(data) if size is None else size
    a.read = AsyncMock(return_value=data)
    return a


async def test_report_add_without_a_file_opens_the_form(bot: RigfitBot) -> None:
    i = await report(bot, "add", 1234, hardware="RTX 3090")
    i.response.send_modal.assert_awaited_once()
    modal = i.response.send_modal.await_args.args[0]
    assert isinstance(modal, ReportModal) and modal.hardware.default == "RTX 3090"


async def test_a_pasted_report_is_stored_listed_and_deleted_by_its_owner_only(bot: RigfitBot) -> None:
    done = sent(await report_form(bot, 1234, PASTE, "RTX 3090", "llama-3.1-8b"))
    assert done["ephemeral"] is True and done["content"].startswith("Stored as report #1: 2 rows")
    listed = sent(await report(bot, "list", 1234))["content"]
    assert "#1" in listed and "llama-3.1-8b" in listed and "87 tok/s" in listed
    assert "No reports yet" in sent(await report(bot, "list", 999))["content"]
    others = sent(await report(bot, "delete", 999, report_id=1))["content"]
    assert "You have no report #1" in others  # another member's id: said as if it did not exist
    assert "Deleted report #1" in sent(await report(bot, "delete", 1234, report_id=1))["content"]
    assert "No reports yet" in sent(await report(bot, "list", 1234))["content"]
    logged = [r for r in rows(bot) if r["command"].startswith("report")]
    assert [r["command"] for r in logged] == ["report add", "report list", "report list", "report delete"] * 1 + [
        "report delete",
        "report list",
    ]
    assert all(PASTE not in str(r) for r in logged)  # the paste lives in the report, not in the query log


async def test_an_attached_file_is_read_and_a_huge_one_is_refused_unread(bot: RigfitBot) -> None:
    i = interaction(1234)
    await group_command(bot, "add").callback(
        i, file=attachment(PASTE.encode()), hardware="RTX 3090", model="llama 3.1 8b"
    )
    assert "Stored as report" in sent(i)["content"]
    huge = attachment(b"", size=1_000_000)
    j = interaction(1234)
    await group_command(bot, "add").callback(j, file=huge, hardware="RTX 3090", model=None)
    assert "977 KB; keep it under 128 KB" in sent(j)["content"]
    huge.read.assert_not_awaited()


async def test_the_saved_rig_stands_in_for_the_hardware(bot: RigfitBot) -> None:
    await submit_rig(bot, 1234, "RTX 3090")
    done = sent(await report_form(bot, 1234, PASTE, "", "llama-3.1-8b"))["content"]
    assert "Stored as report" in done and "RTX 3090" in done


@pytest.mark.parametrize(
    ("paste", "hardware", "model", "said"),
    [
        ("@everyone my 3090 does **90 tok/s** <@123>", "RTX 3090", "", "no llama-bench rows"),
        (fake(LLAMA8_Q8, "87.41", "870.41"), "RTX 3090", "llama-3.1-8b", "faster than 936 GB/s"),
        (fake(LLAMA8_Q8, "llama 8B Q8_0", "@here **llama** 8B Q8_0"), "RTX 3090", "", "is not one I know"),
        (PASTE, "RTX 4090", "llama-3.1-8b", "llama.cpp ran on NVIDIA GeForce RTX 3090"),
    ],
)
async def test_refused_reports_are_private_escaped_and_ping_nobody(
    bot: RigfitBot, paste: str, hardware: str, model: str, said: str
) -> None:
    reply = sent(await report_form(bot, 1234, paste, hardware, model))
    assert reply["ephemeral"] is True and reply["allowed_mentions"] == NO_PINGS
    assert reply["content"].startswith("Not stored:") and said in reply["content"].replace("\\", "")
    assert "**" not in reply["content"].replace("\\*", "")
    assert "No reports yet" in sent(await report(bot, "list", 1234))["content"]  # nothing refused is stored


async def test_only_a_manager_hides_and_only_in_their_server(bot: RigfitBot) -> None:
    await report_form(bot, 1234, PASTE, "RTX 3090", "llama-3.1-8b")
    refused = sent(await report(bot, "hide", 555, manager=False, report_id=1))["content"]
    assert "Only server managers" in refused
    assert "no report #99" in sent(await report(bot, "hide", 555, manager=True, report_id=99))["content"]
    i = interaction(777)
    await invoke(bot, "fit", i, "llama-3.1-8b", "RTX 3090")
    assert "1 member measured 87 tok/s" in card_text(sent(i))
    assert "hidden in this server" in sent(await report(bot, "hide", 555, manager=True, report_id=1))["content"]
    j = interaction(778)
    await invoke(bot, "fit", j, "llama-3.1-8b", "RTX 3090")
    assert "member measured" not in card_text(sent(j))
    assert bot.member_reports.points("llama", 2)  # still shown in another server


async def test_forget_me_deletes_the_members_reports(bot: RigfitBot) -> None:
    await report_form(bot, 1234, PASTE, "RTX 3090", "llama-3.1-8b")
    await invoke(bot, "forget-me", interaction(1234))
    assert "No reports yet" in sent(await report(bot, "list", 1234))["content"]
    assert bot.member_reports.points("llama") == ()
