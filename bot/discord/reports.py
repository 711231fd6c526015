"""`/report add | list | delete | hide`: members report the speeds they measured (llama-bench or llama-server
output, pasted in a form or attached), see and delete their own, and server managers hide one in their server.

Glue only: bot/member_reports.py reads and checks a paste, bot/storage/reports.py keeps what it accepts,
bot/wording.py says the outcome. Every answer goes only to the asker and can ping no one.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot import wording
from bot.cards import Card, escape_markdown
from bot.commands import Answer
from bot.member_reports import read_report
from bot.requests import REQUESTS
from bot.storage import StorageError
from engine.reports import PASTE_MAX_BYTES, Refused, check_size

if TYPE_CHECKING:
    from bot.discord.app import RigfitBot

PASTE_FORM_MAX_CHARS = 4000  # Discord's limit for a text input; longer output goes in an attachment
REPLY_MAX_CHARS = 1900
BUSY = "The database is busy; try again."


class ReportModal(discord.ui.Modal, title="Report a measured run"):
    """The paste, and the rig and model when the member wants to state them here."""

    paste: discord.ui.TextInput[ReportModal] = discord.ui.TextInput(
        label="llama-bench or llama-server output",
        style=discord.TextStyle.paragraph,
        placeholder="| model | size | params | backend | ngl | test | t/s |  (or -o json, -o csv, server timings)",
        max_length=PASTE_FORM_MAX_CHARS,
    )
    hardware: discord.ui.TextInput[ReportModal] = discord.ui.TextInput(
        label="Hardware it ran on (empty: your saved rig)",
        placeholder="RTX 3090 + 64GB DDR5-6000",
        required=False,
        max_length=200,
    )
    model: discord.ui.TextInput[ReportModal] = discord.ui.TextInput(
        label="Model (empty: read from the output)",
        placeholder="qwen3-30b-a3b",
        required=False,
        max_length=100,
    )

    def __init__(self, bot: RigfitBot, hardware: str | None, model: str | None) -> None:
        super().__init__(timeout=900)
        self.bot = bot
        self.hardware.default = hardware or None
        self.model.default = model or None

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await add_report(self.bot, interaction, self.paste.value, self.hardware.value, self.model.value)


async def add_report(
    bot: RigfitBot, interaction: discord.Interaction, text: str, hardware: str | None, model: str | None
) -> None:
    """Read, check and store a paste; the member reads what was kept, or why nothing was."""
    started = time.perf_counter()
    args = {"hardware": hardware or None, "model": model or None}
    try:
        stated = (hardware or "").strip() or await _saved_rig(bot, interaction)
        user, guild = bot.keys.hash(interaction.user.id), interaction.guild_id

        def store() -> str:
            report = read_report(text, bot.catalog, hardware=stated, model=model)
            return wording.report_accepted(bot.member_reports.add(user, guild, report), report)

        reply = await asyncio.to_thread(store)
    except Refused as exc:
        reason = wording.report_refusal(exc.refusal)
        await private(bot, interaction, "report add", f"Not stored: {reason}", started, args, error=exc.refusal.kind)
        return
    except StorageError:
        await private(bot, interaction, "report add", f"Not stored: {BUSY}", started, args, error="storage")
        return
    await private(bot, interaction, "report add", reply, started, args)


async def _saved_rig(bot: RigfitBot, interaction: discord.Interaction) -> str:
    saved = await asyncio.to_thread(bot.rigs.get, bot.keys.all_hashes(interaction.user.id))
    return saved.phrase if saved is not None else ""


async def private(
    bot: RigfitBot,
    interaction: discord.Interaction,
    command: str,
    text: str,
    started: float,
    args: dict[str, Any] | None = None,
    *,
    error: str | None = None,
) -> None:
    """One ephemeral message, markdown from pastes escaped, logged like every answer."""
    from bot.discord.app import respond

    shown = text if len(text) <= REPLY_MAX_CHARS else text[: REPLY_MAX_CHARS - 1] + "…"
    await respond(interaction, content=shown, ephemeral=True)
    fields: dict[str, Any] = {"error": f"report: {error}"} if error else {"verdict": command}
    answer = Answer(card=Card(title=command, description=shown), error=shown if error else None, log_fields=fields)
    bot.log_query(interaction, command, args or {}, answer, started)


def report_group(bot: RigfitBot) -> app_commands.Group:
    group = app_commands.Group(
        name="report",
        description=REQUESTS["report"].description,
        allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True),
    )

    @group.command(name="add", description="Report llama-bench or llama-server output you ran (a form, or attach it)")
    @app_commands.describe(
        file="The output as a file (llama-bench markdown, -o json/jsonl/csv, or server timings)",
        hardware="The rig it ran on; default your saved rig, else the devices llama.cpp printed",
        model="The model, when the output names no GGUF file",
    )
    async def add(
        interaction: discord.Interaction,
        file: discord.Attachment | None = None,
        hardware: app_commands.Range[str, 1, 200] | None = None,
        model: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        if file is None:
            await interaction.response.send_modal(ReportModal(bot, hardware, model))
            return
        too_big = check_size(file.size)
        if too_big is not None:
            reason = wording.report_refusal(too_big)
            await private(bot, interaction, "report add", f"Not stored: {reason}", time.perf_counter(), error="size")
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        await add_report(bot, interaction, data[: PASTE_MAX_BYTES + 1].decode("utf-8", "replace"), hardware, model)

    @group.command(name="list", description="Your reports, newest first")
    async def list_reports(interaction: discord.Interaction) -> None:
        started = time.perf_counter()
        try:
            reports = await asyncio.to_thread(bot.member_reports.of_member, bot.keys.all_hashes(interaction.user.id))
        except StorageError:
            await private(bot, interaction, "report list", BUSY, started, error="storage")
            return
        lines = [
            escape_markdown(wording.report_line(r.id, r.reported_at, r.hardware, r.models, r.decode_tps, r.prefill_tps))
            for r in reports
        ]
        text = "\n".join(lines) if lines else "No reports yet: `/report add` with llama-bench output."
        await private(bot, interaction, "report list", text, started)

    @group.command(name="delete", description="Delete one of your reports")
    @app_commands.describe(report_id="The report's number (/report list)")
    @app_commands.rename(report_id="id")
    async def delete(interaction: discord.Interaction, report_id: app_commands.Range[int, 1, None]) -> None:
        started, args = time.perf_counter(), {"id": report_id}
        hashes = bot.keys.all_hashes(interaction.user.id)
        try:
            done = await asyncio.to_thread(bot.member_reports.delete, hashes, report_id)
        except StorageError:
            await private(bot, interaction, "report delete", BUSY, started, args, error="storage")
            return
        if done:
            await private(bot, interaction, "report delete", f"Deleted report #{report_id}.", started, args)
            return
        text = f"You have no report #{report_id} (`/report list` shows yours)."  # another's is said the same way
        await private(bot, interaction, "report delete", text, started, args, error="not-own")

    @group.command(name="hide", description="Server managers: hide a member's report in this server")
    @app_commands.describe(report_id="The report's number, as answers show it")
    @app_commands.rename(report_id="id")
    async def hide(interaction: discord.Interaction, report_id: app_commands.Range[int, 1, None]) -> None:
        started, args = time.perf_counter(), {"id": report_id}
        if interaction.guild_id is None or not interaction.permissions.manage_guild:
            text = "Only server managers can hide a report, in their server."
            await private(bot, interaction, "report hide", text, started, args, error="not-manager")
            return
        try:
            done = await asyncio.to_thread(bot.member_reports.hide, interaction.guild_id, report_id)
        except StorageError:
            await private(bot, interaction, "report hide", BUSY, started, args, error="storage")
            return
        if done:
            text = f"Report #{report_id} is hidden in this server."
            await private(bot, interaction, "report hide", text, started, args)
            return
        await private(bot, interaction, "report hide", f"There is no report #{report_id}.", started, args, error="none")

    for command in group.commands:
        if isinstance(command, app_commands.Command):
            command.add_check(bot.rate_check)
    return group
