"""The Discord front end: discord.py app commands over bot.commands. Thin: parse, call, render, log.

Every command answers within Discord's 3 s: the work runs in a thread, and if it is not done after
DEFER_AFTER_S the interaction is deferred and the answer follows as an edit.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import importlib
import inspect
import io
import logging
import math
import multiprocessing
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cards import Card, escape_markdown, to_embed
from bot.chart_jobs import ChartJob
from bot.chart_jobs import draw as draw_chart
from bot.commands import Answer, log_row, run_request, stats_answer
from bot.discord import autocomplete
from bot.discord.layout import CHART_FILENAME
from bot.discord.limits import RateLimits
from bot.discord.menus import can_i_run_menu
from bot.discord.reports import report_group
from bot.discord.rigs import rig_group
from bot.discord.views import CardView, FitView, paged_view
from bot.requests import REQUESTS, Complete, Frontend, Kind, Option, Request, requests_for
from bot.secrets import HashKeys
from bot.settings import Settings
from bot.storage import QueryLog, StorageError
from bot.storage.reports import ReportStore
from bot.storage.rigs import RigStore, SavedRig
from catalog.loader import Catalog

log = logging.getLogger(__name__)
NO_PINGS = discord.AllowedMentions.none()
DEFER_AFTER_S = 0.5  # an answer not ready by then is deferred (one waiting behind others is deferred at once)
# The event loop gets the interpreter back from an answer being worked out within this long (CPython's default is
# 5 ms), so acks and defers are not held up by arithmetic.
SWITCH_INTERVAL_S = 0.001
CHART_WAIT_S = 1.0  # the longest an answer waits for its picture (Settings.chart_wait_s)
CHART_WARM_MAX_S = 60.0  # the longest start-up waits for the drawing process to load matplotlib
CHARTS_PENDING_MAX = 8  # drawings queued at most; past that, cards go without a picture until the queue drains
HTTP_BAD_REQUEST = 400
RETENTION_EVERY_S = 6 * 3600.0  # the query log is pruned to RETENTION_DAYS this often while the bot runs

DESCRIPTION_MAX = 100  # Discord's limit for command and option descriptions
COMPLETERS: dict[Complete, Callable[..., Any]] = {
    Complete.MODEL: autocomplete.models,
    Complete.HARDWARE: autocomplete.hardware,
    Complete.QUANT: autocomplete.quants,
    Complete.MODEL_OR_HARDWARE: autocomplete.model_or_hardware,
}


def rate_limited(bot: RigfitBot) -> Callable[[Any], Any]:
    """The check every command carries: the bot's shared user and server buckets (buttons use the same)."""
    return app_commands.check(bot.rate_check)


def anywhere(callback: Any) -> Any:
    """Installable by a server or by a member, usable in servers, DMs with the bot and private channels."""
    callback = app_commands.allowed_installs(guilds=True, users=True)(callback)
    return app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)(callback)


def only_to_asker(interaction: discord.Interaction) -> bool:
    """A member's own install used in a server that did not add rigfit, by someone the server does not let post
    external apps' answers: Discord shows the answer to the asker only, and so do we (cards, buttons, errors)."""
    if interaction.guild_id is None or interaction.is_guild_integration():
        return False
    return not interaction.permissions.use_external_apps


def discord_required(option: Option) -> bool:
    """Hardware may be left out on Discord: the member's saved rig stands in."""
    return option.required and not option.saved_rig


def option_description(option: Option) -> str:
    """The option's help as the table words it, shortened to Discord's 100 characters when it must be."""
    texts: tuple[str, ...] = (option.help(), option.description)
    if option.saved_rig:
        texts = tuple(f"{t}; default your saved rig" for t in texts) + texts
    for text in texts:
        if len(text) <= DESCRIPTION_MAX:
            return text
    return option.description[: DESCRIPTION_MAX - 1] + "…"


def _annotation(option: Option) -> Any:
    """The Discord type of an option: text and token counts as bounded strings, numbers as bounded numbers."""
    low, high = option.min_value, option.max_value
    match option.kind:
        case Kind.INT:
            return app_commands.Range[int, None if low is None else int(low), None if high is None else int(high)]
        case Kind.FLOAT:
            return app_commands.Range[float, None if low is None else float(low), None if high is None else float(high)]
        case Kind.CHOICE:
            return str
    return app_commands.Range[str, 1, option.max_chars]


def _signature(request: Request) -> inspect.Signature:
    params = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction)]
    for option in request.options:
        annotation = _annotation(option)
        required = discord_required(option)
        params.append(
            inspect.Parameter(
                option.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=annotation if required else annotation | None,
                default=inspect.Parameter.empty if required else None,
            )
        )
    return inspect.Signature(params)


def table_command(bot: RigfitBot, request: Request) -> app_commands.Command[Any, ..., None]:
    """An app command built from the request table: its options, types, bounds, choices and autocomplete."""

    async def callback(interaction: discord.Interaction, **raw: Any) -> None:
        await bot.run_table_command(interaction, request, raw)

    callback.__signature__ = _signature(request)  # type: ignore[attr-defined]
    callback.__discord_app_commands_param_description__ = {  # type: ignore[attr-defined]
        o.name: option_description(o) for o in request.options
    }
    callback.__discord_app_commands_param_choices__ = {  # type: ignore[attr-defined]
        o.name: [app_commands.Choice(name=c, value=c) for c in o.choices] for o in request.options if o.choices
    }
    callback.__discord_app_commands_param_autocomplete__ = {  # type: ignore[attr-defined]
        o.name: COMPLETERS[o.complete] for o in request.options if o.complete is not None
    }
    return app_commands.Command(
        name=request.name,
        description=request.description,
        callback=anywhere(rate_limited(bot)(callback)),
        extras={"request": request},
    )


def stats_command(bot: RigfitBot) -> app_commands.Command[Any, ..., None]:
    async def stats(interaction: discord.Interaction) -> None:
        guild = str(interaction.guild_id) if interaction.guild_id else None
        path = bot.query_log.path
        await bot.answer(interaction, "stats", {}, lambda: stats_answer(path, guild), ephemeral=True)

    stats = app_commands.default_permissions(manage_guild=True)(stats)
    stats = app_commands.allowed_installs(guilds=True, users=False)(stats)  # a server's own figures: server installs
    stats = app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)(stats)
    stats = app_commands.checks.has_permissions(manage_guild=True)(stats)
    stats = rate_limited(bot)(stats)
    return app_commands.Command(name="stats", description=REQUESTS["stats"].description, callback=stats)


def forget_me_command(bot: RigfitBot) -> app_commands.Command[Any, ..., None]:
    async def forget_me(interaction: discord.Interaction) -> None:
        started = time.perf_counter()
        await interaction.response.defer(ephemeral=True, thinking=True)  # the writer may be busy: never time out
        result = await asyncio.to_thread(bot.query_log.forget, bot.keys.all_hashes(interaction.user.id))
        if result.pending:
            content = "Noted: your logged queries will be deleted as soon as the database is back."
        else:
            content = f"Done: {result.deleted} logged queries of yours were deleted."
        await respond(interaction, content=content, ephemeral=True)
        # Logged like every command, but without the asker's hash: forgetting must not leave a trace.
        verdict = "pending" if result.pending else f"deleted {result.deleted}"
        forgotten = Answer(card=Card(title="forget-me"), log_fields={"user_hash": None, "verdict": verdict})
        bot.log_query(interaction, "forget-me", {}, forgotten, started)

    return app_commands.Command(
        name="forget-me", description=REQUESTS["forget-me"].description, callback=anywhere(forget_me)
    )


def no_rig_answer() -> Answer:
    message = "Which hardware? Add `hardware:` (e.g. `2x RTX 3090 + 128GB DDR4`) or save yours with `/rig set`."
    return Answer(
        card=Card(title="Not understood", description=message),
        error=message,
        log_fields={"error": f"hardware: {message}"},
    )


def with_saved_rig_note(answer: Answer, saved: SavedRig | None) -> Answer:
    if saved is None or not answer.ok:
        return answer
    note = f"Hardware: your saved rig `{escape_markdown(saved.phrase)}` (`/rig show`, `/rig set`)."
    return replace(answer, card=replace(answer.card, description=f"{note}\n{answer.card.description}".strip()))


AppCommand = app_commands.Command[Any, ..., None] | app_commands.Group | app_commands.ContextMenu


def build_commands(bot: RigfitBot) -> list[AppCommand]:
    special: dict[str, Callable[[RigfitBot], AppCommand]] = {
        "stats": stats_command,
        "forget-me": forget_me_command,
        "rig": rig_group,
        "report": report_group,
        "can-i-run": can_i_run_menu,
    }
    return [
        special[r.name](bot) if r.name in special else table_command(bot, r) for r in requests_for(Frontend.DISCORD)
    ]


def _load_charts() -> None:
    importlib.import_module("bot.charts")


class ChartDrawer:
    """Draws cards' charts, in one worker process when `processes` (the running bot: drawing ~0.1 s of CPU per
    chart never competes with the event loop for the interpreter), else in a thread (tests). An answer waits at most
    CHART_WAIT_S for its chart and at most CHARTS_PENDING_MAX drawings queue: past either, the card goes without
    its picture, never late."""

    def __init__(self, *, processes: bool, wait_s: float = CHART_WAIT_S) -> None:
        self.processes, self.wait_s = processes, wait_s
        self.pending = 0
        self._pool: concurrent.futures.Executor | None = None

    def _executor(self) -> concurrent.futures.Executor | None:
        if self.processes and self._pool is None:
            context = multiprocessing.get_context("spawn")  # no fork of a process that runs threads
            self._pool = concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context)
        return self._pool

    async def draw(self, job: ChartJob) -> bytes | None:
        if self.pending >= CHARTS_PENDING_MAX:
            return None
        self.pending += 1
        future = asyncio.get_running_loop().run_in_executor(self._executor(), draw_chart, job)
        future.add_done_callback(self._finished)
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.wait_s)
        except TimeoutError:
            log.info("chart not ready in %.1f s; answering without it", self.wait_s)
        except Exception:
            log.exception("chart failed; answering without it")
        return None

    async def warm(self) -> None:
        """Start the drawing process and load matplotlib in it before the first card, so the first /fit after a
        start gets its picture within CHART_WAIT_S too."""
        pool = self._executor()
        if pool is None:
            await asyncio.to_thread(importlib.import_module, "bot.charts")
            return
        try:
            await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(pool, _load_charts), CHART_WARM_MAX_S)
        except Exception:  # a slow or broken drawing process: cards go without pictures, as when it is busy
            log.warning("chart process not ready at start; cards go without pictures until it is")

    def _finished(self, future: asyncio.Future[bytes | None]) -> None:
        self.pending -= 1
        if not future.cancelled():
            future.exception()  # retrieved: a failure was logged by the waiter, or nobody waited any more

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def reply_kwargs(
    answer: Answer, view: CardView | None = None, *, ephemeral: bool = False, png: bytes | None = None
) -> dict[str, Any]:
    """What a reply sends: an error as one line to the asker; a card as components v2 with its chart attached."""
    if answer.error is not None:
        return {"content": escape_markdown(answer.error)[:1900], "ephemeral": True}
    layout = (view or CardView()).show(answer.card, CHART_FILENAME if png else None)
    kwargs: dict[str, Any] = {"view": layout, "ephemeral": ephemeral}
    if png:
        kwargs["files"] = [Attachment(io.BytesIO(png), filename=CHART_FILENAME, description="chart")]
    return kwargs


class Attachment(discord.File):
    """A file whose attachment id is sent as a string: Discord's API description types it as a snowflake string,
    where discord.py sends the index as a number."""

    def to_dict(self, index: int) -> dict[str, Any]:
        return {**super().to_dict(index), "id": str(index)}


async def send_answer(
    interaction: discord.Interaction,
    answer: Answer,
    view: CardView | None = None,
    *,
    ephemeral: bool = False,
    png: bytes | None = None,
) -> None:
    """Errors go only to the asker; cards to the channel as components v2, or as an embed where components v2 are
    refused. Nothing we send can ping anyone."""
    try:
        await respond(interaction, **reply_kwargs(answer, view, ephemeral=ephemeral, png=png))
    except discord.HTTPException as exc:
        if exc.status != HTTP_BAD_REQUEST or answer.error is not None:
            raise
        log.warning("components v2 refused (%s); sending the card as an embed", exc.text[:200])
        await respond(interaction, embed=to_embed(answer.card), ephemeral=ephemeral)


async def respond(interaction: discord.Interaction, *, ephemeral: bool, **kwargs: Any) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, allowed_mentions=NO_PINGS, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, allowed_mentions=NO_PINGS, **kwargs)


class RigfitTree(app_commands.CommandTree["RigfitBot"]):
    """One central error handler for every app command."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await self.client.on_app_command_error(interaction, error)


class RigfitBot(commands.AutoShardedBot):
    def __init__(
        self,
        catalog: Catalog,
        query_log: QueryLog,
        settings: Settings,
        keys: HashKeys | None = None,
        *,
        chart_processes: bool = False,
        **kwargs: Any,
    ) -> None:
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
        self.member_reports = ReportStore(query_log.path)  # /report, and member runs on /fit
        self.settings = settings
        self.keys = keys or HashKeys(current=settings.hash_key)  # tests; `rigfit run` passes checked keys
        self.limits = RateLimits(settings.guild_queries_per_minute)
        self.charts = ChartDrawer(processes=chart_processes, wait_s=settings.chart_wait_s)
        # Answers are CPU work under one interpreter lock: one thread at a time keeps the event loop (acks, defers,
        # the gateway) from waiting behind several of them.
        self.workers = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="answer")
        self.answers_in_flight = 0
        self.rigs = RigStore(query_log.path)

    async def setup_hook(self) -> None:
        for command in build_commands(self):
            self.tree.add_command(command)
        await self.charts.warm()  # matplotlib loads before the first /fit

    async def run_table_command(self, interaction: discord.Interaction, request: Request, raw: dict[str, Any]) -> None:
        """A command from the request table: the engine off the event loop, the card, its buttons, the log row."""

        saved = await self.fill_saved_rig(interaction, request, raw)
        if any(o.saved_rig and not raw.get(o.name) for o in request.options):
            await self.answer(interaction, request.name, raw, no_rig_answer, ephemeral=True)
            return

        # /fit shows members' reports next to the estimate, less those hidden in this server
        members = self.member_reports.source(interaction.guild_id) if request.name == "fit" else None

        def build() -> Answer:
            answer = run_request(self.catalog, request.name, raw, Frontend.DISCORD, members=members)
            return with_saved_rig_note(answer, saved)

        def view(answer: Answer) -> CardView | None:
            return self.reply_view(request.name, raw, answer, interaction.user.id)

        private = request.private or only_to_asker(interaction)
        await self.answer(interaction, request.name, raw, build, view, ephemeral=private)

    async def answer(
        self,
        interaction: discord.Interaction,
        command: str,
        raw: dict[str, Any],
        build: Callable[[], Answer],
        view: Callable[[Answer], CardView | None] | None = None,
        *,
        ephemeral: bool = False,
    ) -> None:
        """Run `build` off the event loop, defer if it is slow, send, and log: the one path every command takes."""
        started = time.perf_counter()
        queued = self.answers_in_flight > 0  # it waits behind others: acknowledge now, answer when it is done
        self.answers_in_flight += 1
        try:
            task = asyncio.get_running_loop().run_in_executor(self.workers, build)
            done, _ = await asyncio.wait({task}, timeout=0 if queued else DEFER_AFTER_S)
            if not done:
                await interaction.response.defer(ephemeral=ephemeral, thinking=True)
            answer = await task
        finally:
            self.answers_in_flight -= 1
        png = await self.charts.draw(answer.chart) if answer.ok and answer.chart is not None else None
        made = view(answer) if view else None
        if made is not None:
            made.origin = interaction  # so the buttons can be shown disabled when they time out
        try:
            await send_answer(interaction, answer, made, ephemeral=ephemeral, png=png)
        except discord.HTTPException as exc:  # logged here, once: the tree's error handler never sees it
            log.warning("could not send the answer to /%s: HTTP %s", command, exc.status)
            answer = replace(answer, log_fields={**answer.log_fields, "error": f"send failed: HTTP {exc.status}"})
        self.log_query(interaction, command, raw, answer, started)

    def reply_view(self, command: str, raw: dict[str, Any], answer: Answer, owner_id: int) -> CardView | None:
        """The buttons under a card: /fit's follow-ups, or pages when the answer has several."""
        if not answer.ok:
            return None
        if command == "fit":
            return FitView(self, owner_id, raw["model"], raw["hardware"], raw.get("context"))
        return paged_view(owner_id, self.limits)(answer)

    async def rate_check(self, interaction: discord.Interaction) -> bool:
        refusal = self.limits.take(interaction.user.id, interaction.guild_id)
        if refusal is not None:
            raise app_commands.CommandOnCooldown(refusal.cooldown, refusal.retry_after_s)
        return True

    async def fill_saved_rig(
        self, interaction: discord.Interaction, request: Request, raw: dict[str, Any]
    ) -> SavedRig | None:
        """Options left out that a saved rig stands in for get the member's saved phrase (said on the card)."""
        missing = [o.name for o in request.options if o.saved_rig and not raw.get(o.name)]
        if not missing:
            return None
        try:
            saved = await asyncio.to_thread(self.rigs.get, self.keys.all_hashes(interaction.user.id))
        except StorageError:
            log.warning("saved rigs unreadable; answering without one")
            return None
        if saved is not None:
            raw.update(dict.fromkeys(missing, saved.phrase))
        return saved

    def log_query(
        self, interaction: discord.Interaction, command: str, raw: dict[str, Any], answer: Answer, started: float
    ) -> None:
        row = log_row(
            frontend="discord",
            command=command,
            raw_args=raw,
            answer=answer,
            started=started,
            user=self.keys.hash(interaction.user.id) if interaction.user else None,
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
            await respond(interaction, content=message, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not send the error message")
        raw = {k: v for k, v in vars(interaction.namespace).items()} if interaction.namespace else {}
        answer = Answer(card=None, error=message, log_fields={"error": f"{type(error).__name__}: {message}"})  # type: ignore[arg-type]
        command = interaction.command.name if interaction.command else "unknown"
        self.log_query(interaction, command, raw, answer, time.perf_counter())


HEARTBEAT_S = 30.0


def connected(bot: RigfitBot) -> bool:
    return bot.is_ready() and not bot.is_closed() and math.isfinite(bot.latency)


async def _heartbeat(bot: RigfitBot, path: Path) -> None:
    """Write the time to a file while the gateway is connected (not while it reconnects), so a supervisor can tell
    a live bot from a hung one (`python -m bot.healthcheck`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    await bot.wait_until_ready()
    while not bot.is_closed():
        if connected(bot):
            partial = path.with_name(path.name + ".tmp")
            partial.write_text(f"{time.time():.0f}\n", encoding="utf-8")
            partial.replace(path)  # atomic: a reader never sees half a timestamp
        await asyncio.sleep(HEARTBEAT_S)


async def _retention(bot: RigfitBot) -> None:
    """Prune the query log to RETENTION_DAYS at start and then every RETENTION_EVERY_S, off the event loop."""
    while not bot.is_closed():
        try:
            pruned = await asyncio.to_thread(bot.query_log.prune, bot.settings.retention_days)
            log.info("query log: %d rows older than %d days pruned", pruned, bot.settings.retention_days)
        except Exception:
            log.exception("query log retention failed; trying again later")
        await asyncio.sleep(RETENTION_EVERY_S)


async def serve(bot: RigfitBot, token: str) -> None:
    """Start the bot; SIGTERM and SIGINT close it cleanly (the caller then flushes the query log)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        chores = [
            asyncio.ensure_future(_heartbeat(bot, Path(bot.settings.heartbeat_path))),
            asyncio.ensure_future(_retention(bot)),
        ]
        try:
            await bot.start(token)
        finally:
            for chore in chores:
                chore.cancel()


def point_at_api_double(api_base: str) -> None:
    """Test-only: send REST and gateway traffic to a local double of Discord (tests/e2e)."""
    import yarl

    base = yarl.URL(api_base.rstrip("/"))
    discord.http.Route.BASE = str(base)
    ws_scheme = "wss" if base.scheme == "https" else "ws"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = base.with_scheme(ws_scheme).with_path("/gateway")


def run_bot(catalog: Catalog, query_log: QueryLog, settings: Settings, keys: HashKeys, **kwargs: Any) -> None:
    assert settings.discord_token is not None
    if settings.discord_api_base:
        point_at_api_double(settings.discord_api_base)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    bot = RigfitBot(catalog, query_log, settings, keys, chart_processes=True, **kwargs)
    try:
        asyncio.run(serve(bot, settings.discord_token.get_secret_value()))
    finally:
        bot.charts.close()
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
