"""The Discord front end: discord.py app commands over bot.commands. Thin: parse, call, render, log.

Every command answers within Discord's 3 s: the work runs in a thread, and if it is not done after
DEFER_AFTER_S the interaction is deferred and the answer follows as an edit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import autocomplete
from bot.cards import Card, escape_markdown, to_embed
from bot.commands import (
    Answer,
    about_answer,
    compare_answer,
    cost_answer,
    fit_answer,
    hardware_answer,
    help_answer,
    log_row,
    model_answer,
    quants_answer,
    recommend_answer,
    stats_answer,
    user_hash,
    whatfits_answer,
)
from bot.settings import Settings
from bot.storage import QueryLog
from bot.views import FitView, PagedView
from catalog.loader import Catalog

log = logging.getLogger(__name__)
NO_PINGS = discord.AllowedMentions.none()
DEFER_AFTER_S = 1.5
COOLDOWN_RATE, COOLDOWN_PER_S = 6, 30.0  # per user: six questions in thirty seconds

Text = app_commands.Range[str, 1, 200]


def _per_user(interaction: discord.Interaction) -> int:
    return interaction.user.id


cooldown = app_commands.checks.cooldown(COOLDOWN_RATE, COOLDOWN_PER_S, key=_per_user)


class RigfitCog(commands.Cog):
    def __init__(self, bot: RigfitBot) -> None:
        self.bot = bot

    # ----------------------------------------------------------------------------------- sizing

    @app_commands.command(name="fit", description="Will a model run on your hardware, how fast, and with which quant?")
    @app_commands.describe(
        model="Model name or Hugging Face repo, e.g. glm-5.2, qwen3-30b-a3b, 70B",
        hardware="Your hardware, e.g. 256GB, 2x RTX 3090 + 128GB DDR4, M3 Ultra 256GB",
        context="Context length in tokens, e.g. 32k (default 32k)",
        quant="A quant to size, e.g. Q4_K_M or UD-IQ2_XXS (default: all published)",
        kv_cache="KV cache type (llama.cpp -ctk/-ctv); default f16",
        prompt="Prompt length for time to first token, e.g. 50k (default 4096)",
    )
    @app_commands.choices(
        kv_cache=[app_commands.Choice(name=n, value=n) for n in ("f16", "q8_0", "q4_0")],
    )
    @app_commands.autocomplete(model=autocomplete.models, hardware=autocomplete.hardware, quant=autocomplete.quants)
    @cooldown
    async def fit(
        self,
        interaction: discord.Interaction,
        model: Text,
        hardware: Text,
        context: app_commands.Range[str, 1, 20] | None = None,
        quant: app_commands.Range[str, 1, 40] | None = None,
        kv_cache: str | None = None,
        prompt: app_commands.Range[str, 1, 20] | None = None,
    ) -> None:
        raw = {"model": model, "hardware": hardware, "context": context, "quant": quant}
        raw |= {"kv_cache": kv_cache, "prompt": prompt}
        catalog = self.bot.catalog

        def view(answer: Answer) -> discord.ui.View | None:
            return FitView(self.bot, interaction.user.id, model, hardware, context) if answer.ok else None

        def build() -> Answer:
            return fit_answer(catalog, model, hardware, context, quant, kv_cache=kv_cache, prompt=prompt)

        await self.bot.answer(interaction, "fit", raw, build, view)

    @app_commands.command(name="quants", description="A model's quants: size, bits per weight and memory needed")
    @app_commands.describe(
        model="Model name, e.g. glm-5.2", hardware="Hardware to check them against (default 24GB VRAM + 128GB RAM)"
    )
    @app_commands.autocomplete(model=autocomplete.models, hardware=autocomplete.hardware)
    @cooldown
    async def quants(self, interaction: discord.Interaction, model: Text, hardware: Text | None = None) -> None:
        hw = hardware or "24GB VRAM + 128GB RAM"
        raw = {"model": model, "hardware": hardware}
        await self.bot.answer(
            interaction, "quants", raw, lambda: quants_answer(self.bot.catalog, model, hw), paged_view(interaction)
        )

    @app_commands.command(name="cost", description="Local cost per million tokens against the API and renting a GPU")
    @app_commands.describe(
        model="Model name, e.g. glm-5.2",
        hardware="Your hardware, e.g. 24GB VRAM + 256GB RAM",
        tokens_per_day="Tokens processed a day (default 2,000,000)",
        input_share="Percent of tokens that are input (default 75)",
        kwh_price="Electricity in USD per kWh (default 0.15)",
        years="Years to spread the hardware price over (default 3)",
        hardware_price="What the hardware costs in USD, if the catalog has no price",
    )
    @app_commands.autocomplete(model=autocomplete.models, hardware=autocomplete.hardware)
    @cooldown
    async def cost(
        self,
        interaction: discord.Interaction,
        model: Text,
        hardware: Text,
        tokens_per_day: app_commands.Range[int, 1000, 10_000_000_000] = 2_000_000,
        input_share: app_commands.Range[int, 0, 100] = 75,
        kwh_price: app_commands.Range[float, 0.0, 5.0] = 0.15,
        years: app_commands.Range[float, 0.5, 10.0] = 3.0,
        hardware_price: app_commands.Range[int, 1, 10_000_000] | None = None,
    ) -> None:
        raw = {"model": model, "hardware": hardware, "tokens_per_day": tokens_per_day, "input_share": input_share}
        raw |= {"kwh_price": kwh_price, "years": years, "hardware_price": hardware_price}

        def build() -> Answer:
            return cost_answer(
                self.bot.catalog,
                model,
                hardware,
                tokens_per_day=tokens_per_day,
                input_share=input_share / 100,
                kwh_usd=kwh_price,
                years=years,
                hardware_usd=hardware_price,
            )

        await self.bot.answer(interaction, "cost", raw, build)

    @app_commands.command(name="recommend", description="The cheapest hardware that runs a model at your target speed")
    @app_commands.describe(
        model="Model name, e.g. glm-5.2",
        budget="Most you would spend, USD",
        min_tps="Decode speed wanted, tokens/s (default 5)",
        context="Context length, e.g. 32k",
    )
    @app_commands.autocomplete(model=autocomplete.models)
    @cooldown
    async def recommend(
        self,
        interaction: discord.Interaction,
        model: Text,
        budget: app_commands.Range[int, 100, 10_000_000] | None = None,
        min_tps: app_commands.Range[float, 0.5, 1000.0] = 5.0,
        context: app_commands.Range[str, 1, 20] | None = None,
    ) -> None:
        raw = {"model": model, "budget": budget, "min_tps": min_tps, "context": context}
        await self.bot.answer(
            interaction,
            "recommend",
            raw,
            lambda: recommend_answer(self.bot.catalog, model, budget_usd=budget, min_tps=min_tps, context=context),
        )

    @app_commands.command(name="whatfits", description="The best models that run usefully on your hardware")
    @app_commands.describe(
        hardware="Your hardware, e.g. RTX 4090 + 64GB DDR5", min_tps="Decode speed wanted, tokens/s (default 5)"
    )
    @app_commands.autocomplete(hardware=autocomplete.hardware)
    @cooldown
    async def whatfits(
        self, interaction: discord.Interaction, hardware: Text, min_tps: app_commands.Range[float, 0.5, 1000.0] = 5.0
    ) -> None:
        raw = {"hardware": hardware, "min_tps": min_tps}
        await self.bot.answer(
            interaction, "whatfits", raw, lambda: whatfits_answer(self.bot.catalog, hardware, min_tps=min_tps)
        )

    @app_commands.command(name="compare", description="Two models on one machine, or one model on two machines")
    @app_commands.describe(
        first="First model (or first hardware)",
        second="Second model (or second hardware)",
        against="The hardware both models run on (or the model both machines run)",
    )
    @app_commands.autocomplete(
        first=autocomplete.model_or_hardware,
        second=autocomplete.model_or_hardware,
        against=autocomplete.model_or_hardware,
    )
    @cooldown
    async def compare(self, interaction: discord.Interaction, first: Text, second: Text, against: Text) -> None:
        raw = {"first": first, "second": second, "against": against}
        await self.bot.answer(
            interaction, "compare", raw, lambda: compare_answer(self.bot.catalog, first, second, against)
        )

    # ----------------------------------------------------------------------------------- reference

    @app_commands.command(name="model", description="A model's spec card: parameters, architecture, quants, sources")
    @app_commands.describe(name="Model name, e.g. glm-5.2")
    @app_commands.autocomplete(name=autocomplete.models)
    @cooldown
    async def model(self, interaction: discord.Interaction, name: Text) -> None:
        await self.bot.answer(interaction, "model", {"name": name}, lambda: model_answer(self.bot.catalog, name))

    @app_commands.command(name="hardware", description="A device's spec card: memory, bandwidth, compute, prices")
    @app_commands.describe(name="Device name, e.g. RTX 3090 or M3 Ultra")
    @app_commands.autocomplete(name=autocomplete.hardware)
    @cooldown
    async def hardware(self, interaction: discord.Interaction, name: Text) -> None:
        await self.bot.answer(interaction, "hardware", {"name": name}, lambda: hardware_answer(self.bot.catalog, name))

    @app_commands.command(name="help", description="What rigfit can answer and how to ask")
    async def help(self, interaction: discord.Interaction) -> None:
        described = [(c.name, getattr(c, "description", "")) for c in self.bot.tree.get_commands()]
        await self.bot.answer(interaction, "help", {}, lambda: help_answer(described), ephemeral=True)

    @app_commands.command(
        name="about", description="Version, catalog date and size, and how accurate the estimates measured"
    )
    async def about(self, interaction: discord.Interaction) -> None:
        await self.bot.answer(interaction, "about", {}, lambda: about_answer(self.bot.catalog))

    @app_commands.command(
        name="stats", description="Queries in this server: counts, top models and hardware, answer times"
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.checks.has_permissions(manage_guild=True)
    async def stats(self, interaction: discord.Interaction) -> None:
        guild = str(interaction.guild_id) if interaction.guild_id else None
        path = self.bot.query_log.path
        self.bot.query_log.flush()
        await self.bot.answer(interaction, "stats", {}, lambda: stats_answer(path, guild), ephemeral=True)

    @app_commands.command(name="forget-me", description="Delete every query of yours from rigfit's log")
    async def forget_me(self, interaction: discord.Interaction) -> None:
        key = self.bot.settings.hash_key.get_secret_value()
        hashed = user_hash(interaction.user.id, key) or ""
        deleted = await asyncio.to_thread(self.bot.query_log.forget, hashed)
        await _respond(interaction, content=f"Done: {deleted} logged queries of yours were deleted.", ephemeral=True)
        # Logged like every command, but without the asker's hash: forgetting must not leave a trace.
        forgotten = Answer(
            card=Card(title="forget-me"), log_fields={"user_hash": None, "verdict": f"deleted {deleted}"}
        )
        self.bot.log_query(interaction, "forget-me", {}, forgotten, time.perf_counter())


def paged_view(interaction: discord.Interaction) -> Callable[[Answer], discord.ui.View | None]:
    """Previous/next buttons when an answer has more than one page."""
    return lambda answer: PagedView(interaction.user.id, list(answer.pages)) if len(answer.pages) > 1 else None


async def send_answer(
    interaction: discord.Interaction, answer: Answer, view: discord.ui.View | None = None, *, ephemeral: bool = False
) -> None:
    """Errors go only to the asker; cards to the channel. Nothing we send can ping anyone."""
    if answer.error is not None:
        await _respond(interaction, content=escape_markdown(answer.error)[:1900], ephemeral=True)
    elif view is not None:
        await _respond(interaction, embed=to_embed(answer.card), view=view, ephemeral=ephemeral)
    else:
        await _respond(interaction, embed=to_embed(answer.card), ephemeral=ephemeral)


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
        await self.add_cog(RigfitCog(self))

    async def answer(
        self,
        interaction: discord.Interaction,
        command: str,
        raw: dict[str, Any],
        build: Callable[[], Answer],
        view: Callable[[Answer], discord.ui.View | None] | None = None,
        *,
        ephemeral: bool = False,
    ) -> None:
        """Run `build` off the event loop, defer if it is slow, send, and log: the one path every command takes."""
        started = time.perf_counter()
        task = asyncio.ensure_future(asyncio.to_thread(build))
        done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER_S)
        if not done:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        answer = await task
        made = view(answer) if view else None
        if made is not None and hasattr(made, "origin"):
            made.origin = interaction  # so the buttons can be shown disabled when they time out
        try:
            await send_answer(interaction, answer, made, ephemeral=ephemeral)
        finally:
            self.log_query(interaction, command, raw, answer, started)

    def log_query(
        self, interaction: discord.Interaction, command: str, raw: dict[str, Any], answer: Answer, started: float
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
        if isinstance(error, app_commands.CommandOnCooldown):
            message = f"Slow down a little: try again in {error.retry_after:.0f} s."
        elif isinstance(error, app_commands.MissingPermissions | app_commands.NoPrivateMessage):
            message = "Only server managers can use that here."
        elif isinstance(error, app_commands.TransformerError | app_commands.CheckFailure):
            message = f"I couldn't use that: {escape_markdown(str(error))[:300]}"
        else:
            log.error("app command failed", exc_info=error)
            message = "Something went wrong on my side while answering that; it has been logged."
        try:
            await _respond(interaction, content=message, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not send the error message")
        raw = {k: v for k, v in vars(interaction.namespace).items()} if interaction.namespace else {}
        answer = Answer(card=None, error=message, log_fields={"error": f"{type(error).__name__}: {message}"})  # type: ignore[arg-type]
        command = interaction.command.name if interaction.command else "unknown"
        self.log_query(interaction, command, raw, answer, time.perf_counter())


HEARTBEAT_S = 30.0


async def _heartbeat(bot: RigfitBot, path: Path) -> None:
    """Touch a file while the gateway is connected, so a supervisor can tell a live bot from a hung one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    await bot.wait_until_ready()
    while not bot.is_closed():
        path.write_text(f"{time.time():.0f}\n", encoding="utf-8")
        await asyncio.sleep(HEARTBEAT_S)


async def serve(bot: RigfitBot, token: str) -> None:
    """Start the bot; SIGTERM and SIGINT close it cleanly (the caller then flushes the query log)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        beat = asyncio.ensure_future(_heartbeat(bot, Path(bot.settings.heartbeat_path)))
        try:
            await bot.start(token)
        finally:
            beat.cancel()


def point_at_api_double(api_base: str) -> None:
    """Test-only: send REST and gateway traffic to a local double of Discord (tests/e2e)."""
    import yarl

    base = yarl.URL(api_base.rstrip("/"))
    discord.http.Route.BASE = str(base)
    ws_scheme = "wss" if base.scheme == "https" else "ws"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = base.with_scheme(ws_scheme).with_path("/gateway")


def run_bot(catalog: Catalog, query_log: QueryLog, settings: Settings, **kwargs: Any) -> None:
    assert settings.discord_token is not None
    if settings.discord_api_base:
        point_at_api_double(settings.discord_api_base)
    bot = RigfitBot(catalog, query_log, settings, **kwargs)
    try:
        asyncio.run(serve(bot, settings.discord_token.get_secret_value()))
    finally:
        query_log.close()


def command_payload(catalog: Catalog, settings: Settings) -> list[dict[str, Any]]:
    """Exactly what `tree.sync()` sends (PUT /applications/{id}/commands), built without connecting."""

    async def build() -> list[dict[str, Any]]:
        bot = RigfitBot(catalog, QueryLog(":memory:"), settings)
        await bot.setup_hook()
        payload = [c.to_dict(bot.tree) for c in bot.tree.get_commands()]
        bot.query_log.close()
        return payload

    return asyncio.run(build())


async def sync_commands(catalog: Catalog, settings: Settings, guild_id: int | None) -> int:
    assert settings.discord_token is not None
    bot = RigfitBot(catalog, QueryLog(":memory:"), settings)
    async with bot:
        await bot.login(settings.discord_token.get_secret_value())
        await bot.setup_hook()
        guild = discord.Object(id=guild_id) if guild_id else None
        if guild is not None:
            bot.tree.copy_global_to(guild=guild)
        synced = await bot.tree.sync(guild=guild)
    bot.query_log.close()
    return len(synced)
