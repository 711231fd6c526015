"""Follow-up buttons under a /fit card: all quants, cost against the API, a longer context, hardware that runs it.

Only the asker may press them; on timeout they are disabled.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.cards import Card, to_embed
from bot.commands import Answer, fit_answer, quants_answer, recommend_answer
from bot.commands import cost_answer as cost_answer_
from bot.limits import RateLimits
from engine.errors import ErrorCode
from engine.fit import DEFAULT_CONTEXT
from engine.parse import context_tokens

if TYPE_CHECKING:
    from bot.discord_app import RigfitBot

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
    view: discord.ui.View, message: discord.Message | None, origin: discord.Interaction | None
) -> None:
    """Show the view's disabled buttons on the reply that carries them (Discord keeps showing stale ones)."""
    with contextlib.suppress(discord.HTTPException):
        if message is not None:
            await message.edit(view=view)
        elif origin is not None:
            await origin.edit_original_response(view=view)


class FitView(discord.ui.View):
    def __init__(self, bot: RigfitBot, owner_id: int, model: str, hardware: str, context: str | None) -> None:
        super().__init__(timeout=TIMEOUT_S)
        self.bot, self.owner_id = bot, owner_id
        self.model, self.hardware, self.context = model, hardware, context
        self.message: discord.Message | None = None
        self.origin: discord.Interaction | None = None  # the interaction whose reply carries these buttons

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "These buttons answer the person who asked; run `/fit` yourself to get your own.", ephemeral=True
            )
            return False
        return await within_limits(self.bot.limits, interaction)

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        await disable_on_reply(self, self.message, self.origin)

    async def _follow(self, interaction: discord.Interaction, command: str, build: Any, view: Any = None) -> None:
        raw = {"model": self.model, "hardware": self.hardware, "context": self.context, "button": command}
        await self.bot.answer(interaction, command, raw, build, view, ephemeral=True)

    @discord.ui.button(label="All quants", style=discord.ButtonStyle.secondary)
    async def all_quants(self, interaction: discord.Interaction, button: discord.ui.Button[FitView]) -> None:
        def paged(answer: Answer) -> discord.ui.View | None:
            return (
                PagedView(interaction.user.id, list(answer.pages), self.bot.limits) if len(answer.pages) > 1 else None
            )

        build = lambda: quants_answer(self.bot.catalog, self.model, self.hardware)  # noqa: E731
        await self._follow(interaction, "quants", build, paged)

    @discord.ui.button(label="Cost vs API", style=discord.ButtonStyle.secondary)
    async def cost(self, interaction: discord.Interaction, button: discord.ui.Button[FitView]) -> None:
        await self._follow(interaction, "cost", lambda: cost_answer_(self.bot.catalog, self.model, self.hardware))

    @discord.ui.button(label="Longer context", style=discord.ButtonStyle.secondary)
    async def longer(self, interaction: discord.Interaction, button: discord.ui.Button[FitView]) -> None:
        context = _longer(self.context)

        def build() -> Answer:
            answer = fit_answer(self.bot.catalog, self.model, self.hardware, context)
            if answer.error_code is ErrorCode.CONTEXT_OVER_MAX:  # past the model's maximum: the default context
                return fit_answer(self.bot.catalog, self.model, self.hardware, None)
            return answer

        await self._follow(interaction, "fit", build)

    @discord.ui.button(label="Hardware that runs it", style=discord.ButtonStyle.primary)
    async def hardware_for_it(self, interaction: discord.Interaction, button: discord.ui.Button[FitView]) -> None:
        await self._follow(interaction, "recommend", lambda: recommend_answer(self.bot.catalog, self.model))


def paged_view(owner_id: int, limits: RateLimits) -> Callable[[Answer], discord.ui.View | None]:
    """Previous/next buttons when an answer has more than one page."""
    return lambda answer: PagedView(owner_id, list(answer.pages), limits) if len(answer.pages) > 1 else None


class PagedView(discord.ui.View):
    """Previous / next over a list that does not fit one card (a model's quants); the asker's only."""

    def __init__(self, owner_id: int, pages: list[Card], limits: RateLimits) -> None:
        super().__init__(timeout=TIMEOUT_S)
        self.owner_id, self.pages, self.page = owner_id, pages, 0
        self.limits = limits
        self.message: discord.Message | None = None
        self.origin: discord.Interaction | None = None
        self._sync()

    def _sync(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message("Only the person who asked can turn these pages.", ephemeral=True)
            return False
        return await within_limits(self.limits, interaction)

    async def on_timeout(self) -> None:
        self.previous.disabled = self.next.disabled = True
        await disable_on_reply(self, self.message, self.origin)

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        self.page = max(0, min(page, len(self.pages) - 1))
        self._sync()
        await interaction.response.edit_message(embed=to_embed(self.pages[self.page]), view=self)

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[PagedView]) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[PagedView]) -> None:
        await self._show(interaction, self.page + 1)
