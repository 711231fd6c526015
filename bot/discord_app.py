"""The Discord front end: discord.py app commands over bot.commands. Thin: parse, call, render, log."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cards import escape_markdown, to_embed
from bot.commands import Answer, fit_answer, log_row, user_hash
from bot.settings import Settings
from bot.storage import QueryLog
from catalog.loader import Catalog

log = logging.getLogger(__name__)
NO_PINGS = discord.AllowedMentions.none()


class FitCog(commands.Cog):
    def __init__(self, bot: RigfitBot) -> None:
        self.bot = bot

    @app_commands.command(name="fit", description="Will a model run on your hardware, how fast, and with which quant?")
    @app_commands.describe(
        model="Model name or Hugging Face repo, e.g. glm-5.2, qwen3-30b-a3b, 70B",
        hardware="Your hardware, e.g. 256GB, 2x RTX 3090 + 128GB DDR4, M3 Ultra 256GB",
        context="Context length in tokens, e.g. 32k (default 32k)",
        quant="A quant to size, e.g. Q4_K_M or UD-IQ2_XXS (default: all published)",
    )
    async def fit(
        self,
        interaction: discord.Interaction,
        model: app_commands.Range[str, 1, 200],
        hardware: app_commands.Range[str, 1, 200],
        context: app_commands.Range[str, 1, 20] | None = None,
        quant: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        started = time.perf_counter()
        raw = {"model": model, "hardware": hardware, "context": context, "quant": quant}
        answer = await asyncio.to_thread(fit_answer, self.bot.catalog, model, hardware, context, quant)
        await send_answer(interaction, answer)
        self.bot.log_query(interaction, "fit", raw, answer, started)


async def send_answer(interaction: discord.Interaction, answer: Answer) -> None:
    """Errors go only to the asker; cards to the channel. Nothing we send can ping anyone."""
    if answer.error is not None:
        await _respond(interaction, content=escape_markdown(answer.error)[:1900], ephemeral=True)
    else:
        await _respond(interaction, embed=to_embed(answer.card), ephemeral=False)


async def _respond(interaction: discord.Interaction, *, ephemeral: bool, **kwargs: Any) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, allowed_mentions=NO_PINGS, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, allowed_mentions=NO_PINGS, **kwargs)


class RigfitTree(app_commands.CommandTree["RigfitBot"]):
    """One central error handler for every app command."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await self.client.on_app_command_error(interaction, error)


class RigfitBot(commands.AutoShardedBot):
    def __init__(self, catalog: Catalog, query_log: QueryLog, settings: Settings, **kwargs: Any) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=NO_PINGS,
            tree_cls=RigfitTree,
            **kwargs,
        )
        self.catalog = catalog
        self.query_log = query_log
        self.settings = settings

    async def setup_hook(self) -> None:
        await self.add_cog(FitCog(self))

    def log_query(
        self,
        interaction: discord.Interaction,
        command: str,
        raw: dict[str, Any],
        answer: Answer,
        started: float,
    ) -> None:
        key = self.settings.hash_key.get_secret_value()
        row = log_row(
            frontend="discord",
            command=command,
            raw_args=raw,
            answer=answer,
            started=started,
            user=user_hash(interaction.user.id if interaction.user else None, key),
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
        )
        self.query_log.log(row)

    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        log.error("app command failed", exc_info=error)
        message = "Something went wrong on my side while answering that; it has been logged."
        if isinstance(error, app_commands.CommandOnCooldown):
            message = f"Slow down a little: try again in {error.retry_after:.0f} s."
        elif isinstance(error, app_commands.TransformerError | app_commands.CheckFailure):
            message = f"I couldn't use that: {error}"
        try:
            await _respond(interaction, content=message, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not send the error message")
        self.query_log.log(
            log_row(
                frontend="discord",
                command=interaction.command.name if interaction.command else "unknown",
                raw_args=dict(interaction.namespace.__dict__) if interaction.namespace else {},
                answer=Answer(card=None, error=message, log_fields={"error": repr(error)}),  # type: ignore[arg-type]
                started=time.perf_counter(),
                guild_id=interaction.guild_id,
                channel_id=interaction.channel_id,
            )
        )


def run_bot(catalog: Catalog, query_log: QueryLog, settings: Settings) -> None:
    assert settings.discord_token is not None
    bot = RigfitBot(catalog, query_log, settings)
    try:
        bot.run(settings.discord_token.get_secret_value(), log_handler=None)
    finally:
        query_log.close()
