"""`/rig set | show | clear`: a member's saved hardware phrase, and the modal that asks for it.

The phrase is checked by the hardware parser before it is saved, so a saved rig always reads; it is stored under
the member's keyed hash (bot.storage.rigs) and deleted by /forget-me.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.cards import Card, escape_markdown
from bot.commands import Answer
from bot.requests import HARDWARE_MAX_CHARS, REQUESTS
from bot.storage import StorageError
from bot.storage.rigs import RIG_PHRASE_MAX_CHARS
from engine.errors import RigfitError
from engine.parse import parse_hardware

if TYPE_CHECKING:
    from bot.discord.app import RigfitBot

PHRASE_EXAMPLE = "2x RTX 3090 + 128GB DDR4"


def rig_phrase(phrase: str, ram_speed: str = "", channels: str = "") -> str:
    """The three modal fields as one hardware phrase: `2x 3090 + 128GB` with `DDR4-3200` and `8` channels."""
    parts = [phrase.strip()]
    if ram_speed.strip():
        parts.append(ram_speed.strip())
    if channels.strip():
        count = channels.strip().lower().removesuffix("channels").removesuffix("channel").strip(" -")
        parts.append(f"{count}-channel" if count.isdigit() else channels.strip())
    return " ".join(parts)


def checked_label(bot: RigfitBot, phrase: str) -> str:
    """How the parser reads the phrase (its first reading); RigfitError when it does not read."""
    return parse_hardware(phrase, bot.catalog)[0].label


class RigModal(discord.ui.Modal, title="Your rig"):
    """Asks for the hardware; `then` runs with the saved phrase (to answer the question that needed it)."""

    phrase: discord.ui.TextInput[RigModal] = discord.ui.TextInput(
        label="Hardware", placeholder=PHRASE_EXAMPLE, max_length=HARDWARE_MAX_CHARS
    )
    ram_speed: discord.ui.TextInput[RigModal] = discord.ui.TextInput(
        label="System RAM speed (optional)", placeholder="DDR5-6000", required=False, max_length=20
    )
    channels: discord.ui.TextInput[RigModal] = discord.ui.TextInput(
        label="Memory channels (optional)",
        placeholder="2 on desktops, 8 or 12 on servers",
        required=False,
        max_length=12,
    )

    def __init__(
        self, bot: RigfitBot, then: Callable[[discord.Interaction, str], Awaitable[None]] | None = None
    ) -> None:
        super().__init__(timeout=600)
        self.bot, self.then = bot, then

    async def on_submit(self, interaction: discord.Interaction) -> None:
        phrase = rig_phrase(self.phrase.value, self.ram_speed.value, self.channels.value)
        await save_rig(self.bot, interaction, phrase, then=self.then)


async def save_rig(
    bot: RigfitBot,
    interaction: discord.Interaction,
    phrase: str,
    *,
    then: Callable[[discord.Interaction, str], Awaitable[None]] | None = None,
) -> None:
    started = time.perf_counter()
    try:
        if len(phrase) > RIG_PHRASE_MAX_CHARS:
            raise RigfitError(f"Keep the rig under {RIG_PHRASE_MAX_CHARS} characters.", field="hardware")
        label = checked_label(bot, phrase)
        await asyncio.to_thread(bot.rigs.set, bot.keys.hash(interaction.user.id), phrase)
    except RigfitError as exc:
        await _private(bot, interaction, "rig set", f"Not saved: {exc}", started, error=True)
        return
    except StorageError:
        await _private(bot, interaction, "rig set", "Not saved: the database is busy; try again.", started, error=True)
        return
    if then is not None:
        await then(interaction, phrase)
        return
    shown = escape_markdown(phrase)
    await _private(bot, interaction, "rig set", f"Saved `{shown}`, read as {escape_markdown(label)}.", started)


async def _private(
    bot: RigfitBot, interaction: discord.Interaction, command: str, text: str, started: float, *, error: bool = False
) -> None:
    """One ephemeral line, logged like every answer."""
    from bot.discord.app import respond

    await respond(interaction, content=text, ephemeral=True)
    fields: dict[str, Any] = {"error": f"hardware: {text}"} if error else {"verdict": command}
    answer = Answer(card=Card(title=command, description=text), error=text if error else None, log_fields=fields)
    bot.log_query(interaction, command, {}, answer, started)


def rig_group(bot: RigfitBot) -> app_commands.Group:
    group = app_commands.Group(
        name="rig",
        description=REQUESTS["rig"].description,
        allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True),
    )

    @group.command(name="set", description="Save your rig (a form: hardware, RAM speed, memory channels)")
    async def set_rig(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(RigModal(bot))

    @group.command(name="show", description="The rig rigfit uses when you leave hardware out")
    async def show_rig(interaction: discord.Interaction) -> None:
        started = time.perf_counter()
        try:
            saved = await asyncio.to_thread(bot.rigs.get, bot.keys.all_hashes(interaction.user.id))
        except StorageError:
            await _private(bot, interaction, "rig show", "The database is busy; try again.", started, error=True)
            return
        if saved is None:
            text = f"No rig saved. `/rig set` saves one, e.g. `{PHRASE_EXAMPLE}`."
        else:
            label = escape_markdown(checked_label_or(bot, saved.phrase))
            text = f"Your rig: `{escape_markdown(saved.phrase)}`, read as {label}."
        await _private(bot, interaction, "rig show", text, started)

    @group.command(name="clear", description="Forget your saved rig")
    async def clear_rig(interaction: discord.Interaction) -> None:
        started = time.perf_counter()
        try:
            cleared = await asyncio.to_thread(bot.rigs.clear, bot.keys.all_hashes(interaction.user.id))
        except StorageError:
            await _private(bot, interaction, "rig clear", "The database is busy; try again.", started, error=True)
            return
        await _private(bot, interaction, "rig clear", "Cleared." if cleared else "No rig was saved.", started)

    for command in group.commands:
        if isinstance(command, app_commands.Command):
            command.add_check(bot.rate_check)
    return group


def checked_label_or(bot: RigfitBot, phrase: str) -> str:
    try:
        return checked_label(bot, phrase)
    except RigfitError:
        return "something the parser no longer reads: `/rig set` it again"
