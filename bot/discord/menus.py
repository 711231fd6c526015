"""The message context menu "Can I run this?": reads the model and the rig out of someone's message and answers
with the /fit card, for the rig in the message, else the invoker's saved rig, else the rig asked for in a form."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.cards import escape_markdown
from bot.commands import Answer, run_request
from bot.discord.rigs import RigModal
from bot.discord.views import CardView, FitView
from bot.requests import REQUESTS, Frontend
from bot.storage import StorageError
from engine.parse.message import MessageAsk, read_message

if TYPE_CHECKING:
    from bot.discord.app import RigfitBot

COMMAND = "can-i-run"
NO_MODEL = (
    "I found no model in that message (a catalog name, a Hugging Face link or a size like `70B`). "
    "Try `/fit model:… hardware:…`."
)


def can_i_run_menu(bot: RigfitBot) -> app_commands.ContextMenu:
    async def can_i_run(interaction: discord.Interaction, message: discord.Message) -> None:
        ask = await asyncio.to_thread(read_message, message.content or "", bot.catalog)
        raw: dict[str, Any] = {"message_id": str(message.id), "model": ask.model, "hardware": ask.hardware}
        if ask.model is None:
            await bot.answer(interaction, COMMAND, raw, lambda: _refusal(NO_MODEL), ephemeral=True)
            return
        model = ask.model
        if ask.hardware is not None:
            await answer_fit(bot, interaction, model, ask.hardware, _read_from(ask))
            return
        try:
            saved = await asyncio.to_thread(bot.rigs.get, bot.keys.all_hashes(interaction.user.id))
        except StorageError:
            saved = None
        if saved is not None:
            note = f"Model `{escape_markdown(model)}` read from the message; hardware: your saved rig."
            await answer_fit(bot, interaction, model, saved.phrase, note)
            return

        async def then(submitted: discord.Interaction, phrase: str) -> None:
            note = f"Model `{escape_markdown(model)}` read from the message; hardware: the rig you just saved."
            await answer_fit(bot, submitted, model, phrase, note)

        await interaction.response.send_modal(RigModal(bot, then=then))

    menu = app_commands.ContextMenu(name=REQUESTS[COMMAND].menu or COMMAND, callback=can_i_run)
    menu.allowed_installs = app_commands.AppInstallationType(guild=True, user=True)
    menu.allowed_contexts = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)
    menu.add_check(bot.rate_check)
    return menu


def _read_from(ask: MessageAsk) -> str:
    return (
        f"Read from the message: model `{escape_markdown(ask.model or '')}`, "
        f"hardware `{escape_markdown(ask.hardware or '')}`."
    )


def _refusal(message: str) -> Answer:
    from bot.cards import error_card

    return Answer(card=error_card(message), error=message, log_fields={"error": f"message: {message}"})


async def answer_fit(bot: RigfitBot, interaction: discord.Interaction, model: str, hardware: str, note: str) -> None:
    """The /fit card for what was read, with a line saying where the model and the rig came from."""
    from bot.discord.app import only_to_asker

    raw = {"model": model, "hardware": hardware}

    def build() -> Answer:
        answer = run_request(bot.catalog, "fit", raw, Frontend.DISCORD)
        if not answer.ok:
            return answer
        return replace(answer, card=replace(answer.card, description=f"{note}\n{answer.card.description}".strip()))

    def view(answer: Answer) -> CardView | None:
        return FitView(bot, interaction.user.id, model, hardware, None) if answer.ok else None

    await bot.answer(interaction, COMMAND, raw, build, view, ephemeral=only_to_asker(interaction))
