"""A card as Discord components v2: one Container with the headline first, the chart, then the details.

Order: the title and summary; the card's main fields (for /fit: the verdict, quant, speeds, context and cost);
the chart; a separator; the details folded below (fields marked `detail`, and every ⚠️ caveat line moved out of the
main fields); the footer in small text. Discord's limits for a components v2 message: 40 components in all and
4000 characters of text; details are shortened first, then main fields from the last.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.cards import Card

COMPONENTS_MAX = 40
TEXT_MAX = 4000
CAVEAT_MARK = "⚠️"
CHART_FILENAME = "chart.png"


@dataclass(frozen=True)
class Blocks:
    """The texts of a card's container, in order; `chart` marks where the picture goes (after `head`)."""

    head: tuple[str, ...]
    details: tuple[str, ...]
    footer: str

    @property
    def chars(self) -> int:
        return sum(len(t) for t in (*self.head, *self.details, self.footer))


def blocks(card: Card) -> Blocks:
    head = [f"## {card.title}" + (f"\n{card.description}" if card.description else "")]
    details: list[str] = []
    caveats: list[str] = []
    for field in card.fields:
        lines = field.value.splitlines()
        kept = [line for line in lines if not line.lstrip().startswith(CAVEAT_MARK)]
        caveats += [line.strip() for line in lines if line.lstrip().startswith(CAVEAT_MARK)]
        text = f"**{field.name}**\n" + "\n".join(kept)
        (details if field.detail else head).append(text)
    if caveats:
        details.insert(0, "**Caveats**\n" + "\n".join(dict.fromkeys(caveats)))
    footer = f"-# {card.footer}" if card.footer else ""
    return _within_text_limit(Blocks(head=tuple(head), details=tuple(details), footer=footer))


def _within_text_limit(b: Blocks) -> Blocks:
    details, head = list(b.details), list(b.head)
    while Blocks(tuple(head), tuple(details), b.footer).chars > TEXT_MAX and details:
        details.pop()
    while Blocks(tuple(head), tuple(details), b.footer).chars > TEXT_MAX and len(head) > 1:
        head.pop()
    trimmed = Blocks(tuple(head), tuple(details), b.footer)
    if trimmed.chars > TEXT_MAX:
        room = TEXT_MAX - len(b.footer) - 1
        trimmed = Blocks((head[0][:room] + "…",), (), b.footer)
    return trimmed


def card_container(card: Card, image: str | None = None) -> discord.ui.Container[discord.ui.LayoutView]:
    b = blocks(card)
    container: discord.ui.Container[discord.ui.LayoutView] = discord.ui.Container(accent_colour=card.colour)
    for text in b.head:
        container.add_item(discord.ui.TextDisplay(text))
    if image is not None:
        container.add_item(discord.ui.MediaGallery(discord.MediaGalleryItem(f"attachment://{image}")))
    if b.details:
        container.add_item(discord.ui.Separator())
        container.add_item(discord.ui.TextDisplay("\n\n".join(b.details)))
    if b.footer:
        container.add_item(discord.ui.TextDisplay(b.footer))
    return container
