"""Cards as components v2 views, with their buttons: /fit's follow-ups (all quants, cost against the API, a longer
context, every command that starts the pick, hardware that runs it) and previous/next over pages. Only the asker
may press them; on timeout they are disabled."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import discord

from bot.cards import Card
from bot.commands import Answer, commands_answer, fit_answer, quants_answer, recommend_answer
from bot.commands import cost_answer as cost_answer_
from bot.discord.layout import card_container
from bot.discord.limits import RateLimits
from engine.errors import ErrorCode
from engine.fit import DEFAULT_CONTEXT
from engine.parse import context_tokens

if TYPE_CHECKING:
    from bot.discord.app import RigfitBot

TIMEOUT_S = 300.0
LONGER_FACTOR = 4  # "Longer context" asks for four times the context of the card


def _longer(context: str | None) -> str:
    tokens = context_tokens(context) if context else None
    return str((tokens or DEFAULT_CONTEXT) * LONGER_FACTOR)


async def within_limits(limits: RateLimits, interaction: discord.Interaction) -> bool:
    """Buttons take from the same user and server buckets as the slash commands."""
    refusal = limits.take(interaction.user.id, interaction.guild_id)
    if refusal is None:
        return True
    await interaction.response.send_message(
        f"Slow down a little: try again in {refusal.retry_after_s:.0f} s.", ephemeral=True
    )
    return False


async def disable_on_reply(
    view: discord.ui.LayoutView, message: discord.Message | None, origin: discord.Interaction | None
) -> None:
    """Show the view's disabled buttons on the reply that carries them (Discord keeps showing stale ones)."""
    with contextlib.suppress(discord.HTTPException):
        if message is not None:
            await message.edit(view=view)
        elif origin is not None:
            await origin.edit_original_response(view=view)


class CardView(discord.ui.LayoutView):
    """A card as components v2 (bot/discord/layout.py), with rows of buttons under it; on timeout the buttons are shown
    disabled on the reply."""

    def __init__(self, rows: list[discord.ui.ActionRow[Any]] | None = None) -> None:
        super().__init__(timeout=TIMEOUT_S)
        self.rows = rows or []
        self.message: discord.Message | None = None
        self.origin: discord.Interaction | None = None  # the interaction whose reply carries this view
        for row in self.rows:
            self.add_item(row)

    def show(self, card: Card, image: str | None = None) -> CardView:
        """Put `card` (and its chart, an attachment's filename) above the rows of buttons."""
        self.clear_items()
        self.add_item(card_container(card, image))
        for row in self.rows:
            self.add_item(row)
        return self

    def buttons(self) -> list[discord.ui.Button[Any]]:
        return [item for item in self.walk_children() if isinstance(item, discord.ui.Button)]

    async def on_timeout(self) -> None:
        for button in self.buttons():
            button.disabled = True
        await disable_on_reply(self, self.message, self.origin)


def _button(
    label: str, callback: Callable[[discord.Interaction], Coroutine[Any, Any, None]], *, primary: bool = False
) -> Any:
    style = discord.ButtonStyle.primary if primary else discord.ButtonStyle.secondary
    button: discord.ui.Button[Any] = discord.ui.Button(label=label, style=style)
    button.callback = callback  # type: ignore[method-assign,assignment]
    return button


class FitView(CardView):
    """Follow-ups under a /fit card: all quants, cost against the API, a longer context, hardware that runs it."""

    def __init__(self, bot: RigfitBot, owner_id: int, model: str, hardware: str, context: str | None) -> None:
        self.bot, self.owner_id = bot, owner_id
        self.model, self.hardware, self.context = model, hardware, context
        row: discord.ui.ActionRow[Any] = discord.ui.ActionRow(
            _button("All quants", self.all_quants),
            _button("Cost vs API", self.cost),
            _button("Longer context", self.longer),
            _button("All commands", self.all_commands),
            _button("Hardware that runs it", self.hardware_for_it, primary=True),
        )
        super().__init__([row])

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "These buttons answer the person who asked; run `/fit` yourself to get your own.", ephemeral=True
            )
            return False
        return await within_limits(self.bot.limits, interaction)

    async def _follow(self, interaction: discord.Interaction, command: str, build: Any, view: Any = None) -> None:
        raw = {"model": self.model, "hardware": self.hardware, "context": self.context, "button": command}
        await self.bot.answer(interaction, command, raw, build, view, ephemeral=True)

    async def all_quants(self, interaction: discord.Interaction) -> None:
        paged = paged_view(interaction.user.id, self.bot.limits)
        build = lambda: quants_answer(self.bot.catalog, self.model, self.hardware)  # noqa: E731
        await self._follow(interaction, "quants", build, paged)

    async def cost(self, interaction: discord.Interaction) -> None:
        build = lambda: cost_answer_(self.bot.catalog, self.model, self.hardware, self.context)  # noqa: E731
        await self._follow(interaction, "cost", build)

    async def longer(self, interaction: discord.Interaction) -> None:
        context = _longer(self.context)

        def build() -> Answer:
            members = self.bot.member_reports.source(interaction.guild_id)  # as the /fit card it follows
            answer = fit_answer(self.bot.catalog, self.model, self.hardware, context, members=members)
            if answer.error_code is ErrorCode.CONTEXT_OVER_MAX:  # past the model's maximum: the default context
                return fit_answer(self.bot.catalog, self.model, self.hardware, None, members=members)
            return answer

        await self._follow(interaction, "fit", build)

    async def all_commands(self, interaction: discord.Interaction) -> None:
        build = lambda: commands_answer(self.bot.catalog, self.model, self.hardware, self.context)  # noqa: E731
        await self._follow(interaction, "commands", build)

    async def hardware_for_it(self, interaction: discord.Interaction) -> None:
        await self._follow(interaction, "recommend", lambda: recommend_answer(self.bot.catalog, self.model))


def paged_view(owner_id: int, limits: RateLimits) -> Callable[[Answer], CardView | None]:
    """Previous/next buttons when an answer has more than one page."""
    return lambda answer: PagedView(owner_id, list(answer.pages), limits) if len(answer.pages) > 1 else None


class PagedView(CardView):
    """Previous / next over a list that does not fit one card (a model's quants); the asker's only."""

    def __init__(self, owner_id: int, pages: list[Card], limits: RateLimits) -> None:
        self.owner_id, self.pages, self.page = owner_id, pages, 0
        self.limits = limits
        self.previous = _button("◀ Previous", self.show_previous)
        self.next = _button("Next ▶", self.show_next)
        super().__init__([discord.ui.ActionRow(self.previous, self.next)])
        self._sync()
        self.show(pages[0])

    def _sync(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message("Only the person who asked can turn these pages.", ephemeral=True)
            return False
        return await within_limits(self.limits, interaction)

    async def _turn(self, interaction: discord.Interaction, page: int) -> None:
        self.page = max(0, min(page, len(self.pages) - 1))
        self._sync()
        await interaction.response.edit_message(view=self.show(self.pages[self.page]))

    async def show_previous(self, interaction: discord.Interaction) -> None:
        await self._turn(interaction, self.page - 1)

    async def show_next(self, interaction: discord.Interaction) -> None:
        await self._turn(interaction, self.page + 1)
