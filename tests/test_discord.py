"""The Discord front end: callbacks with mocked interactions, and the payloads checked against Discord's spec."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
from discord import app_commands
from discord_spec import COMMAND_NAME, COMMAND_TEXT_MAX, command_text_chars, validate

from bot.discord import autocomplete
from bot.discord.app import NO_PINGS, RigfitBot
from bot.discord.views import FitView
from bot.requests import REQUESTS
from bot.settings import Settings
from bot.storage import QueryLog
from catalog.loader import Catalog


def user_hash(user_id: int, key: str) -> str:
    """The hash rows were always logged under (HMAC-SHA256 of the id, 32 hex digits): keys must keep matching it."""
    return hmac.new(key.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:32]


@pytest.fixture
async def bot(cat: Catalog, tmp_path: Path) -> Any:
    b = RigfitBot(cat, QueryLog(tmp_path / "q.sqlite3"), Settings(discord_token=None, hash_key="k"))  # type: ignore[arg-type]
    await b.setup_hook()
    yield b
    b.query_log.close()


def interaction(user_id: int = 1234, *, manager: bool = True) -> MagicMock:
    i = MagicMock(spec=discord.Interaction)
    i.response = MagicMock()
    i.response.is_done.return_value = False
    i.response.send_message = AsyncMock()
    i.response.defer = AsyncMock()
    i.response.send_modal = AsyncMock()
    i.followup = MagicMock()
    i.followup.send = AsyncMock()
    i.user = MagicMock(id=user_id)
    i.user.guild_permissions = discord.Permissions(manage_guild=manager)
    i.guild_id, i.channel_id = 1, 2
    i.created_at = discord.utils.utcnow()
    i.namespace = app_commands.Namespace(i, {}, [])
    return i


def command(bot: RigfitBot, name: str) -> Any:
    found = bot.tree.get_command(name)
    assert found is not None, name
    return found


async def invoke(bot: RigfitBot, name: str, i: MagicMock, *args: Any) -> None:
    """Call a command's callback as discord.py does: options by name, in the table's order."""
    names = [o.name for o in REQUESTS[name].options]
    await command(bot, name).callback(i, **dict(zip(names, args, strict=False)))


def sent(i: MagicMock) -> dict[str, Any]:
    if i.response.send_message.await_count:
        return dict(i.response.send_message.await_args.kwargs)
    return dict(i.followup.send.await_args.kwargs)


FIT_BUTTONS = ["All quants", "Cost vs API", "Longer context", "All commands", "Hardware that runs it"]


def card_text(kwargs: dict[str, Any]) -> str:
    """What a reply shows as text: the components v2 text displays, or the embed of the fallback."""
    view = kwargs.get("view")
    if isinstance(view, discord.ui.LayoutView):
        return "\n".join(i.content for i in view.walk_children() if isinstance(i, discord.ui.TextDisplay))
    return str(kwargs["embed"].to_dict())


def buttons(view: Any) -> dict[str, Any]:
    return {b.label: b for b in view.walk_children() if isinstance(b, discord.ui.Button)}


def validate_v2(kwargs: dict[str, Any]) -> None:
    """The reply as discord.py sends it: components v2 (flag 1 << 15) and, with a chart, its attachment."""
    view = kwargs["view"]
    assert isinstance(view, discord.ui.LayoutView) and view.has_components_v2()
    files = kwargs.get("files", [])
    data = {
        "flags": 1 << 15,
        "components": view.to_components(),
        "allowed_mentions": NO_PINGS.to_dict(),
        "attachments": [f.to_dict(n) for n, f in enumerate(files)],
    }
    validate("CreateMessageInteractionCallbackRequest", {"type": 4, "data": data})
    shown = [i.media.url for i in view.walk_children() if isinstance(i, discord.ui.MediaGallery) for i in i.items]
    assert shown == [f"attachment://{f.filename}" for f in files]


def rows(bot: RigfitBot) -> list[dict[str, Any]]:
    bot.query_log.flush()
    return bot.query_log.rows()


# (command, positional arguments, text expected in the embed)
COMMANDS = [
    ("fit", ("glm-5.2", "256GB", None, None), "GLM-5.2 on your hardware"),
    ("fit", ("llama-3.1-8b", "RTX 3090", "64k", "Q8_0", "q8_0", "50k"), "-ctk q8_0 -ctv q8_0"),
    ("quants", ("glm-5.2", "M3 Ultra 256GB"), "UD-IQ2_XXS"),
    ("cost", ("glm-5.2", "24GB VRAM + 256GB RAM", "32k", 2_000_000, 75, 0.15, 3.0, 12_000), "Break-even"),
    ("recommend", ("llama-3.1-8b", None, 20.0, None), "RTX 3090"),
    ("whatfits", ("RTX 3090", 5.0), "Llama-3.1-8B"),
    ("compare", ("llama-3.1-8b", "gemma-3-27b", "RTX 3090"), "Gemma-3-27B"),
    ("model", ("glm 5.2",), "MLA"),
    ("hardware", ("rtx 3090",), "936 GB/s"),
    ("about", (), "Catalog as of"),
]


@pytest.mark.parametrize(("name", "args", "expected"), COMMANDS, ids=[c[0] for c in COMMANDS])
async def test_every_command_answers_with_a_valid_card(
    bot: RigfitBot, name: str, args: tuple[Any, ...], expected: str
) -> None:
    i = interaction()
    await invoke(bot, name, i, *args)
    kwargs = sent(i)
    assert kwargs["allowed_mentions"] is NO_PINGS
    validate_v2(kwargs)
    assert expected in card_text(kwargs)
    row = rows(bot)[-1]
    assert (row["command"], row["error"]) == (name, None)
    assert row["user_hash"] == user_hash(1234, "k")


async def test_fit_card_has_followup_buttons(bot: RigfitBot) -> None:
    i = interaction()
    await invoke(bot, "fit", i, "glm-5.2", "256GB", None, None)
    view = sent(i)["view"]
    assert isinstance(view, FitView)
    assert list(buttons(view)) == [
        "All quants",
        "Cost vs API",
        "Longer context",
        "All commands",
        "Hardware that runs it",
    ]
    assert [f.filename for f in sent(i)["files"]] == ["chart.png"]  # the picture rides along


async def test_buttons_answer_only_the_asker(bot: RigfitBot) -> None:
    view = FitView(bot, 1234, "glm-5.2", "256GB", None)
    stranger = interaction(user_id=999)
    assert await view.interaction_check(stranger) is False
    assert sent(stranger)["ephemeral"] is True
    assert await view.interaction_check(interaction()) is True


@pytest.mark.parametrize("button", FIT_BUTTONS)
async def test_each_button_answers_ephemerally(bot: RigfitBot, button: str) -> None:
    view = FitView(bot, 1234, "llama-3.1-8b", "RTX 3090", "8k")
    i = interaction()
    await buttons(view)[button].callback(i)
    kwargs = sent(i)
    assert kwargs["ephemeral"] is True
    assert "view" in kwargs, kwargs.get("content")


async def test_longer_context_past_the_models_maximum_shows_the_default(bot: RigfitBot, cat: Catalog) -> None:
    most = cat.models["llama-3.1-8b"].context_max_tokens
    view = FitView(bot, 1234, "llama-3.1-8b", "RTX 3090", str(most))  # four times this is past the maximum
    i = interaction()
    await buttons(view)["Longer context"].callback(i)
    assert "view" in sent(i), sent(i).get("content")


async def test_buttons_disable_on_timeout(bot: RigfitBot) -> None:
    view = FitView(bot, 1234, "glm-5.2", "256GB", None)
    view.message = MagicMock()
    view.message.edit = AsyncMock()
    await view.on_timeout()
    assert buttons(view) and all(b.disabled for b in buttons(view).values())
    view.message.edit.assert_awaited_once()


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
    await invoke(bot, "fit", i, model, hardware, context, quant)
    kwargs = sent(i)
    assert kwargs["ephemeral"] is True
    assert message in kwargs["content"]
    assert "@everyone" not in kwargs["content"]
    assert rows(bot)[-1]["error"]


async def test_slow_answer_is_deferred(bot: RigfitBot, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from bot.cards import Card
    from bot.commands import Answer
    from bot.discord import app as discord_app

    monkeypatch.setattr(discord_app, "DEFER_AFTER_S", 0.01)
    release = threading.Event()

    def slow() -> Answer:
        release.wait(5)
        return Answer(card=Card(title="late"))

    i = interaction()

    async def defer(**kwargs: Any) -> None:
        i.response.is_done.return_value = True
        release.set()

    i.response.defer = AsyncMock(side_effect=defer)
    await bot.answer(i, "fit", {}, slow)
    i.response.defer.assert_awaited_once()
    assert "late" in card_text(i.followup.send.await_args.kwargs)


async def test_help_lists_every_command(bot: RigfitBot) -> None:
    i = interaction()
    await invoke(bot, "help", i)
    description = card_text(sent(i))
    for command in bot.tree.get_commands():
        shown = command.name if isinstance(command, app_commands.ContextMenu) else f"/{command.name}"
        assert shown in description


async def test_forget_me_removes_exactly_the_askers_rows(bot: RigfitBot) -> None:
    for user in (1234, 1234, 555):
        await invoke(bot, "model", interaction(user), "glm-5.2")
    i = interaction(1234)
    await invoke(bot, "forget-me", i)
    assert "2 logged queries" in sent(i)["content"]
    assert [r["user_hash"] for r in rows(bot)] == [user_hash(555, "k"), None]
    assert rows(bot)[-1]["command"] == "forget-me"


async def test_stats_for_managers(bot: RigfitBot) -> None:
    await invoke(bot, "model", interaction(), "glm-5.2")
    assert bot.query_log.flush()  # /stats reads what the writer has stored; it never waits for it
    i = interaction()
    await invoke(bot, "stats", i)
    kwargs = sent(i)
    assert kwargs["ephemeral"] is True and "glm-5.2" in card_text(kwargs)


async def test_stats_requires_manage_guild(bot: RigfitBot) -> None:
    permission_checks = command(bot, "stats").checks
    assert permission_checks
    i = interaction(manager=False)
    i.permissions = discord.Permissions.none()
    with pytest.raises(app_commands.MissingPermissions):
        for check in permission_checks:
            check(i)


async def test_cooldown_per_user(bot: RigfitBot) -> None:
    check = command(bot, "fit").checks[0]
    burst = [await check(interaction(1234)) for _ in range(6)]
    assert all(burst)
    with pytest.raises(app_commands.CommandOnCooldown) as err:
        await check(interaction(1234))
    assert 0 < err.value.retry_after <= 30
    assert await check(interaction(42))  # other users are still served


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 30), 12.3), "try again in 12 s"),
        (app_commands.MissingPermissions(["manage_guild"]), "Only server managers"),
        (app_commands.CommandInvokeError(MagicMock(), RuntimeError("boom")), "went wrong on my side"),
    ],
)
async def test_central_error_handler(bot: RigfitBot, error: app_commands.AppCommandError, message: str) -> None:
    i = interaction()
    i.command = MagicMock()
    i.command.name = "fit"
    await bot.tree.on_error(i, error)
    kwargs = sent(i)
    assert kwargs["ephemeral"] is True and message in kwargs["content"]
    assert "boom" not in kwargs["content"]
    assert rows(bot)[-1]["error"]


def test_autocomplete_choices(cat: Catalog) -> None:
    assert autocomplete.model_choices(cat, "glm")[0] == ("GLM-5.2", "glm-5.2")
    assert len(autocomplete.model_choices(cat, "")) <= 25
    assert autocomplete.model_choices(cat, "")[0][1] == "glm-5.2"  # popular first
    hw = autocomplete.hardware_choices(cat, "2x 3090 + 4090")
    assert hw[0] == ("2x 3090 + 4090", "2x 3090 + 4090")
    assert ("2x 3090 + NVIDIA GeForce RTX 4090", "2x 3090 + NVIDIA GeForce RTX 4090") in hw
    mixed = autocomplete.model_or_hardware_choices(cat, "3090")
    assert ("NVIDIA GeForce RTX 3090", "NVIDIA GeForce RTX 3090") in mixed and len(mixed) <= 25
    assert autocomplete.model_or_hardware_choices(cat, "glm")[0] == ("GLM-5.2", "glm-5.2")
    quants = autocomplete.quant_choices(cat, "glm-5.2", "iq2")
    assert quants[0] == ("UD-IQ2_XXS", "UD-IQ2_XXS")
    for choices in (hw, quants, autocomplete.hardware_choices(cat, "x" * 300)):
        assert len(choices) <= 25 and all(len(n) <= 100 and len(v) <= 100 for n, v in choices)


async def test_command_tree_payload_matches_discord_spec(bot: RigfitBot) -> None:
    payload = [c.to_dict(bot.tree) for c in bot.tree.get_commands()]
    names = {c["name"] for c in payload}
    assert names >= {
        "fit",
        "quants",
        "cost",
        "recommend",
        "whatfits",
        "compare",
        "model",
        "hardware",
        "help",
        "about",
        "stats",
        "forget-me",
        "rig",
        "Can I run this?",
    }
    for command in payload:
        validate("ApplicationCommandUpdateRequest", command)
        assert command_text_chars(command) <= COMMAND_TEXT_MAX
        if command.get("type", 1) == 3:  # a message menu: any 1-32 characters, no description
            assert 1 <= len(command["name"]) <= 32
            continue
        assert COMMAND_NAME.match(command["name"]) and command["name"] == command["name"].lower()
        assert command["description"]
        for option in command.get("options", []):
            assert option["description"], f"/{command['name']} {option['name']} has no description"


async def test_embed_fallback_body_matches_discord_spec(bot: RigfitBot) -> None:
    """Where components v2 are refused (HTTP 400), the card goes as an embed, without the buttons."""
    i = interaction()
    refused = discord.HTTPException(AsyncMock(status=400, reason="Bad Request"), "Invalid Form Body")
    i.response.send_message = AsyncMock(side_effect=[refused, None])
    await invoke(bot, "fit", i, "glm-5.2", "24GB VRAM + 256GB RAM")
    kwargs = i.response.send_message.await_args.kwargs
    body = {"type": 4, "data": {"embeds": [kwargs["embed"].to_dict()], "allowed_mentions": NO_PINGS.to_dict()}}
    validate("CreateMessageInteractionCallbackRequest", body)
    assert rows(bot)[-1]["error"] is None


async def test_every_command_is_in_the_readme(bot: RigfitBot) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    names = [c.name if isinstance(c, app_commands.ContextMenu) else f"/{c.name}" for c in bot.tree.get_commands()]
    assert names
    for name in names:
        assert f"`{name}" in readme, f"{name} is not documented in README.md"


async def test_heartbeat_file_is_written_once_ready(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.discord import app as discord_app

    monkeypatch.setattr(discord_app, "HEARTBEAT_S", 0)
    fake = MagicMock()
    fake.wait_until_ready = AsyncMock()
    fake.is_closed.side_effect = [False, False, True]
    path = tmp_path / "run" / "heartbeat"
    await discord_app._heartbeat(fake, path)
    fake.wait_until_ready.assert_awaited_once()
    assert path.read_text().strip().isdigit()


async def test_quants_paginate_with_buttons(bot: RigfitBot) -> None:
    from bot.discord.views import PagedView

    i = interaction()
    await invoke(bot, "quants", i, "llama-3.1-8b", "RTX 3090")
    kwargs = sent(i)
    # two published quants and the estimated standard types: more than one page, with buttons
    assert buttons(kwargs["view"])
    pages = [to_embed_card(n) for n in range(3)]
    view = PagedView(1234, pages, bot.limits)
    assert view.previous.disabled and not view.next.disabled
    turn = interaction()
    turn.response.edit_message = AsyncMock()
    await view.next.callback(turn)
    assert view.page == 1 and not view.previous.disabled
    assert "page 1" in card_text(turn.response.edit_message.await_args.kwargs)
    assert await view.interaction_check(interaction(user_id=5)) is False


def to_embed_card(n: int):  # type: ignore[no-untyped-def]
    from bot.cards import Card

    return Card(title=f"page {n}")


async def test_fit_buttons_disable_on_the_original_reply(bot: RigfitBot) -> None:
    i = interaction()
    i.edit_original_response = AsyncMock()
    await invoke(bot, "fit", i, "glm-5.2", "256GB", None, None)
    view = sent(i)["view"]
    assert view.origin is i
    await view.on_timeout()
    i.edit_original_response.assert_awaited_once()
    assert all(b.disabled for b in buttons(view).values())


async def test_every_command_but_stats_is_user_installable_everywhere(bot: RigfitBot) -> None:
    payload = {c.name: c.to_dict(bot.tree) for c in bot.tree.get_commands()}
    for name, command in payload.items():
        if name == "stats":
            assert (command["integration_types"], command["contexts"]) == ([0], [0])
        else:
            assert sorted(command["integration_types"]) == [0, 1], name  # guild install, user install
            assert sorted(command["contexts"]) == [0, 1, 2], name  # guild, bot DM, private channel


@pytest.mark.parametrize(
    ("guild_id", "guild_install", "external_apps", "private"),
    [
        (1, True, False, False),  # the server added rigfit: public
        (None, False, False, False),  # a DM or group DM with a member's install: public there
        (1, False, True, False),  # a member's install, the server lets external apps post
        (1, False, False, True),  # a member's install, the server does not: only the asker sees it
    ],
)
async def test_answers_the_server_does_not_allow_go_only_to_the_asker(
    bot: RigfitBot, guild_id: int | None, guild_install: bool, external_apps: bool, private: bool
) -> None:
    i = interaction()
    i.guild_id = guild_id
    i.is_guild_integration = MagicMock(return_value=guild_install)
    i.permissions = discord.Permissions(use_external_apps=external_apps)
    await invoke(bot, "model", i, "glm-5.2")
    assert sent(i)["ephemeral"] is private


# ------------------------------------------------------------------------------------ saved rigs


async def submit_rig(bot: RigfitBot, user: int, phrase: str, ram: str = "", channels: str = "") -> MagicMock:
    from bot.discord.rigs import RigModal

    i = interaction(user)
    modal = RigModal(bot)
    modal.phrase._value, modal.ram_speed._value, modal.channels._value = phrase, ram, channels  # type: ignore[attr-defined]
    await modal.on_submit(i)
    return i


async def rig_command(bot: RigfitBot, sub: str, user: int) -> MagicMock:
    group = bot.tree.get_command("rig")
    assert isinstance(group, app_commands.Group)
    i = interaction(user)
    await group.get_command(sub).callback(i)  # type: ignore[union-attr]
    return i


async def test_rig_set_opens_a_form(bot: RigfitBot) -> None:
    i = await rig_command(bot, "set", 1234)
    i.response.send_modal.assert_awaited_once()


@pytest.mark.parametrize(
    ("phrase", "ram", "channels", "saved", "label"),
    [
        ("2x RTX 3090 + 128GB", "DDR4-3200", "8", "2x RTX 3090 + 128GB DDR4-3200 8-channel", "DDR4-3200 8-channel"),
        ("M3 Ultra 256GB", "", "", "M3 Ultra 256GB", "M3 Ultra"),
        ("RTX 3090", "", "", "RTX 3090", "RTX 3090"),
    ],
)
async def test_rig_set_show_clear(bot: RigfitBot, phrase: str, ram: str, channels: str, saved: str, label: str) -> None:
    done = await submit_rig(bot, 1234, phrase, ram, channels)
    assert "Saved" in sent(done)["content"] and sent(done)["ephemeral"] is True
    shown = sent(await rig_command(bot, "show", 1234))["content"]
    assert saved in shown and label in shown
    assert "No rig saved" in sent(await rig_command(bot, "show", 999))["content"]  # another member's
    assert "Cleared" in sent(await rig_command(bot, "clear", 1234))["content"]
    assert "No rig saved" in sent(await rig_command(bot, "show", 1234))["content"]


async def test_a_rig_that_does_not_read_is_not_saved(bot: RigfitBot) -> None:
    done = await submit_rig(bot, 1234, "a toaster with dreams")
    assert sent(done)["content"].startswith("Not saved")
    assert "No rig saved" in sent(await rig_command(bot, "show", 1234))["content"]


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("fit", ("llama-3.1-8b",), "Llama-3.1-8B on your hardware"),
        ("whatfits", (), "Llama-3.1-8B"),
        ("cost", ("llama-3.1-8b",), "local"),
        ("compare", ("llama-3.1-8b", "gemma-3-27b"), "Gemma-3-27B"),
    ],
)
async def test_hardware_left_out_uses_the_saved_rig_and_says_so(
    bot: RigfitBot, name: str, args: tuple[str, ...], expected: str
) -> None:
    await submit_rig(bot, 1234, "RTX 3090")
    i = interaction(1234)
    await invoke(bot, name, i, *args)
    text = card_text(sent(i))
    assert "your saved rig `RTX 3090`" in text and expected.lower() in text.lower()


async def test_hardware_left_out_without_a_saved_rig_asks_for_one(bot: RigfitBot) -> None:
    i = interaction(4321)
    await invoke(bot, "fit", i, "llama-3.1-8b")
    assert sent(i)["ephemeral"] is True and "/rig set" in sent(i)["content"]


async def test_forget_me_deletes_the_saved_rig(bot: RigfitBot) -> None:
    await submit_rig(bot, 1234, "RTX 3090")
    await invoke(bot, "forget-me", interaction(1234))
    assert "No rig saved" in sent(await rig_command(bot, "show", 1234))["content"]


# ------------------------------------------------------------------------------------ Can I run this?


async def can_i_run(bot: RigfitBot, text: str, user: int = 1234) -> MagicMock:
    menu = next(c for c in bot.tree.get_commands() if isinstance(c, app_commands.ContextMenu))
    message = MagicMock(spec=discord.Message)
    message.content, message.id = text, 99
    i = interaction(user)
    await menu.callback(i, message)  # type: ignore[call-arg]
    return i


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("just got an RTX 3090, can I run llama-3.1-8b?", ["Llama-3.1-8B", "RTX 3090"]),
        ("would glm-5.2 fit on my M3 Ultra 256GB", ["GLM-5.2", "M3 Ultra"]),
        ("https://huggingface.co/unsloth/GLM-5.2-GGUF on 24gb vram + 256gb ram?", ["GLM-5.2", "256 GB"]),
    ],
)
async def test_can_i_run_this_answers_for_the_rig_in_the_message(
    bot: RigfitBot, text: str, expected: list[str]
) -> None:
    i = await can_i_run(bot, text)
    card = card_text(sent(i))
    assert "Read from the message" in card
    for word in expected:
        assert word in card
    assert rows(bot)[-1]["command"] == "can-i-run"


async def test_can_i_run_this_uses_the_saved_rig_when_the_message_names_none(bot: RigfitBot) -> None:
    await submit_rig(bot, 1234, "RTX 3090")
    i = await can_i_run(bot, "is llama-3.1-8b any good?")
    assert "your saved rig" in card_text(sent(i))


async def test_can_i_run_this_asks_for_a_rig_then_answers(bot: RigfitBot) -> None:
    from bot.discord.rigs import RigModal

    i = await can_i_run(bot, "is llama-3.1-8b any good?", user=777)
    modal = i.response.send_modal.await_args.args[0]
    assert isinstance(modal, RigModal)
    submitted = interaction(777)
    modal.phrase._value, modal.ram_speed._value, modal.channels._value = "RTX 3090", "", ""  # type: ignore[attr-defined]
    await modal.on_submit(submitted)
    assert "the rig you just saved" in card_text(sent(submitted))


async def test_can_i_run_this_without_a_model_says_so_privately(bot: RigfitBot) -> None:
    i = await can_i_run(bot, "good morning everyone")
    assert sent(i)["ephemeral"] is True and "found no model" in sent(i)["content"]


async def test_all_commands_lists_every_engine_that_starts_the_pick_and_those_that_cannot(bot: RigfitBot) -> None:
    view = FitView(bot, 1234, "llama-3.1-8b", "RTX 3090", None)
    i = interaction()
    await buttons(view)["All commands"].callback(i)
    text = card_text(sent(i))
    assert sent(i)["ephemeral"] is True and "every command" in text
    assert "llama-server" in text and "```" in text
