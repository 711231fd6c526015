"""The Discord front end: callbacks with mocked interactions, and the payloads checked against Discord's spec."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
from discord_spec import COMMAND_NAME, COMMAND_TEXT_MAX, command_text_chars, validate

from bot.cards import to_embed
from bot.discord_app import NO_PINGS, FitCog, RigfitBot
from bot.settings import Settings
from catalog.loader import Catalog


class FakeLog:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def log(self, row: dict[str, Any]) -> None:
        self.rows.append(row)


@pytest.fixture
async def bot(cat: Catalog) -> RigfitBot:
    b = RigfitBot(cat, FakeLog(), Settings(discord_token=None, hash_key="k"))  # type: ignore[arg-type]
    await b.setup_hook()
    return b


def interaction() -> MagicMock:
    i = MagicMock(spec=discord.Interaction)
    i.response = MagicMock()
    i.response.is_done.return_value = False
    i.response.send_message = AsyncMock()
    i.followup = MagicMock()
    i.followup.send = AsyncMock()
    i.user = MagicMock(id=1234)
    i.guild_id, i.channel_id = 1, 2
    return i


async def call_fit(bot: RigfitBot, i: MagicMock, *args: Any) -> None:
    cog = bot.get_cog("FitCog")
    assert isinstance(cog, FitCog)
    await FitCog.fit.callback(cog, i, *args)  # type: ignore[arg-type]


async def test_fit_replies_with_a_card_and_logs(bot: RigfitBot) -> None:
    i = interaction()
    await call_fit(bot, i, "glm-5.2", "256GB", None, None)
    kwargs = i.response.send_message.await_args.kwargs
    assert kwargs["ephemeral"] is False
    assert kwargs["allowed_mentions"] is NO_PINGS
    embed = kwargs["embed"]
    assert embed.title == "GLM-5.2 on your hardware"
    validate("RichEmbed", embed.to_dict())
    row = bot.query_log.rows[0]  # type: ignore[attr-defined]
    assert (row["command"], row["model_id"], row["error"]) == ("fit", "glm-5.2", None)
    assert row["user_hash"] and "1234" not in row["user_hash"]


@pytest.mark.parametrize(
    ("model", "hardware", "context", "quant", "message"),
    [
        ("glm-5.3x", "256GB", None, None, "I don't know the model"),
        ("glm-5.2", "265BG", None, None, "I don't know the device"),
        ("glm-5.2", "256GB", "0", None, "at least 1 token"),
        ("glm-5.2", "256GB", "1000000000000", None, "reads at most"),
        ("glm-5.2", "256GB", None, "Q9_Z", "not a quant I know"),
        ("@everyone", "256GB", None, None, "@\u200beveryone"),
    ],
)
async def test_bad_input_is_ephemeral_and_logged(
    bot: RigfitBot, model: str, hardware: str, context: str | None, quant: str | None, message: str
) -> None:
    i = interaction()
    await call_fit(bot, i, model, hardware, context, quant)
    kwargs = i.response.send_message.await_args.kwargs
    assert kwargs["ephemeral"] is True
    assert message in kwargs["content"]
    assert "@everyone" not in kwargs["content"]
    assert bot.query_log.rows[0]["error"]  # type: ignore[attr-defined]


async def test_followup_when_already_responded(bot: RigfitBot) -> None:
    i = interaction()
    i.response.is_done.return_value = True
    await call_fit(bot, i, "glm-5.2", "256GB", None, None)
    assert i.followup.send.await_count == 1


async def test_command_tree_payload_matches_discord_spec(bot: RigfitBot) -> None:
    payload = [c.to_dict(bot.tree) for c in bot.tree.get_commands()]
    assert {c["name"] for c in payload} >= {"fit"}
    for command in payload:
        validate("ApplicationCommandUpdateRequest", command)
        assert COMMAND_NAME.match(command["name"]) and command["name"] == command["name"].lower()
        assert command_text_chars(command) <= COMMAND_TEXT_MAX
        assert command["description"]
        for option in command.get("options", []):
            assert option["description"], f"/{command['name']} {option['name']} has no description"


async def test_reply_body_matches_discord_spec(bot: RigfitBot) -> None:
    from bot.commands import fit_answer

    answer = fit_answer(bot.catalog, "glm-5.2", "24GB VRAM + 256GB RAM")
    body = {
        "type": 4,
        "data": {"embeds": [to_embed(answer.card).to_dict()], "allowed_mentions": NO_PINGS.to_dict()},
    }
    validate("CreateMessageInteractionCallbackRequest", body)


async def test_every_command_is_in_the_readme(bot: RigfitBot) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    names = [c.name for c in bot.tree.get_commands()]
    assert names
    for name in names:
        assert f"`/{name}" in readme, f"/{name} is not documented in README.md"
