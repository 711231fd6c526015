"""The real `rigfit run` process against a local double of Discord's API: commands, buttons, autocomplete,
load, faults and hostile input, with every request checked against Discord's OpenAPI description."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import yaml

from bench.discord_double import double as d
from bench.discord_double.harness import Running, run_load, running_bot, spec_available
from tests.fixtures import BIG_MOE, DENSE_8B, HARDWARE, HYBRID, SLIDING, catalog

pytestmark = [
    pytest.mark.skipif(
        not spec_available(), reason="shared/discord/openapi.json is absent: nothing to validate against"
    ),
    pytest.mark.asyncio(loop_scope="module"),
]


def write_catalog(folder: Path) -> Path:
    """The fixture catalog as YAML, so the bot process reads the same facts the unit tests use."""
    c = catalog()
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "models": [m.model_dump(mode="json") for m in (BIG_MOE, DENSE_8B, SLIDING, HYBRID)],
        "hardware": [h.model_dump(mode="json") for h in HARDWARE],
        "api_prices": [p.model_dump(mode="json") for p in c.api_prices],
        "rental_prices": [p.model_dump(mode="json") for p in c.rental_prices],
        "platform_prices": [p.model_dump(mode="json", exclude={"usd"}) for p in c.platform_prices],
    }
    (folder / "all.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return folder


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Running]:
    tmp = tmp_path_factory.mktemp("e2e")
    # charts get 30 s, not 1 s: the tests check the picture, and a loaded CI machine may draw it slowly
    async with running_bot(tmp, CATALOG_DIR=str(write_catalog(tmp / "catalog")), CHART_WAIT_S="30") as running:
        yield running


FIT_BUTTONS = ["All quants", "Cost vs API", "Longer context", "All commands", "Hardware that runs it"]


def embed_text(record: d.Record) -> str:
    """What the asker sees as text: embeds, content, and the text displays of components v2 cards."""
    texts = [str(e) for m in record.messages for e in m.get("embeds", [])]
    texts += [m.get("content", "") for m in record.messages]
    texts += [c.get("content", "") for m in record.messages for c in d.components_of(m) if c.get("type") == 10]
    return "\n".join(texts)


COMMANDS: list[tuple[str, dict[str, Any], str]] = [
    ("fit", {"model": "glm-5.2", "hardware": "256GB"}, "GLM-5.2 on your hardware"),
    (
        "fit",
        {"model": "glm-5.2", "hardware": "24GB VRAM + 256GB RAM", "context": "64k", "quant": "UD-IQ2_XXS"},
        "n-cpu-moe",
    ),
    ("quants", {"model": "glm-5.2", "hardware": "M3 Ultra 256GB"}, "UD-IQ2_XXS"),
    ("cost", {"model": "glm-5.2", "hardware": "24GB VRAM + 256GB RAM", "hardware_price": 12000}, "Break-even"),
    ("recommend", {"model": "llama-3.1-8b", "min_tps": 20.0}, "RTX 3090"),
    ("whatfits", {"hardware": "RTX 3090"}, "Llama-3.1-8B"),
    ("compare", {"first": "llama-3.1-8b", "second": "gemma-3-27b", "against": "RTX 3090"}, "Gemma-3-27B"),
    ("model", {"name": "glm 5.2"}, "MLA"),
    ("hardware", {"name": "rtx 3090"}, "936 GB/s"),
    ("help", {}, "/fit"),
    ("about", {}, "Catalog as of"),
    ("stats", {}, "Queries"),
    ("forget-me", {}, "logged queries of yours were deleted"),
]


@pytest.mark.parametrize(("name", "options", "expected"), COMMANDS, ids=[f"{c[0]}-{i}" for i, c in enumerate(COMMANDS)])
async def test_every_command_through_the_gateway(
    bot: Running, name: str, options: dict[str, Any], expected: str
) -> None:
    record = await bot.ask(d.slash(name, options, manage_guild=True))
    assert record.ack_ms is not None and record.ack_ms < d.ACK_DEADLINE_S * 1000
    assert expected in embed_text(record)
    assert not bot.double.invalid, bot.double.invalid


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"model": "glm-5.3x", "hardware": "256GB"}, "I don't know the model"),
        ({"model": "glm-5.2", "hardware": "265BG"}, "I don't know the device"),
        ({"model": "glm-5.2", "hardware": "256GB", "context": "0"}, "at least 1 token"),
        ({"model": "glm-5.2", "hardware": "256GB", "quant": "Q9_Z"}, "not a quant I know"),
    ],
)
async def test_bad_input_is_ephemeral(bot: Running, options: dict[str, Any], message: str) -> None:
    record = await bot.ask(d.slash("fit", options))
    assert record.ephemeral
    assert message in record.messages[-1]["content"]


async def test_stats_is_refused_to_non_managers(bot: Running) -> None:
    record = await bot.ask(d.slash("stats", {}, manage_guild=False))
    assert record.ephemeral and "Only server managers" in record.messages[-1]["content"]


async def test_autocomplete(bot: Running) -> None:
    record = await bot.ask(d.autocomplete("fit", {"model": "glm", "hardware": ""}, "model"))
    choices = record.messages[-1]["choices"]
    assert 0 < len(choices) <= 25 and choices[0]["value"] == "glm-5.2"
    assert record.ack_ms is not None and record.ack_ms < 3000


async def test_buttons_answer_the_asker_only(bot: Running) -> None:
    record = await bot.ask(d.slash("fit", {"model": "llama-3.1-8b", "hardware": "RTX 3090"}, user_id=d.USER["id"]))
    message = record.messages[-1]
    buttons = [c for c in d.components_of(message) if c.get("type") == 2]
    assert [b["label"] for b in buttons] == [
        "All quants",
        "Cost vs API",
        "Longer context",
        "All commands",
        "Hardware that runs it",
    ]
    for b in buttons:
        pressed = await bot.ask(d.button(b["custom_id"], message["id"]))
        assert pressed.ephemeral and pressed.messages, b["label"]
    stranger = await bot.ask(d.button(buttons[0]["custom_id"], message["id"], user_id="300000000000000999"))
    assert stranger.ephemeral and "answer the person who asked" in stranger.messages[-1]["content"]


HOSTILE = [
    "@everyone",
    "<@&123456789012345678> <@123456789012345678> @here",
    "'; DROP TABLE queries; --",
    "**bold** __u__ ||spoiler|| `code` > quote",
    "\u202e\u0000\u0007 control \x1b[31m",
    "𝔤𝔩𝔪 5.2 🦙" * 10,
    "x" * 200,
]


async def test_hostile_input_never_pings_and_is_logged_verbatim(tmp_path: Path) -> None:
    async with running_bot(tmp_path, CATALOG_DIR=str(write_catalog(tmp_path / "catalog"))) as fresh:
        for text in HOSTILE:
            record = await fresh.ask(d.slash("fit", {"model": text, "hardware": text}))
            assert record.messages, text
            for message in record.messages:
                assert message["allowed_mentions"] == {"parse": []}
                assert "@everyone" not in message.get("content", "") and "<@&" not in message.get("content", "")
        assert not fresh.double.invalid, fresh.double.invalid
        assert await fresh.stop() == 0
    conn = sqlite3.connect(fresh.db_path)
    stored = [json.loads(r[0])["model"] for r in conn.execute("SELECT raw_args FROM queries ORDER BY id")]
    conn.close()
    assert stored == HOSTILE


async def test_gateway_drop_resumes_and_answers(bot: Running) -> None:
    identifies = bot.double.identifies
    await bot.double.drop_connection()
    await asyncio.wait_for(bot.double.ready.wait(), 60)
    record = await bot.ask(d.slash("fit", {"model": "glm-5.2", "hardware": "256GB"}))
    assert "GLM-5.2" in embed_text(record)
    assert bot.double.resumes >= 1 or bot.double.identifies > identifies


async def test_cooldown_holds_for_one_user_while_others_are_served(bot: Running) -> None:
    burst = [await bot.ask(d.slash("model", {"name": "glm-5.2"}, user_id="300000000000000777")) for _ in range(8)]
    refused = [r for r in burst if r.ephemeral and "Slow down" in r.messages[-1].get("content", "")]
    assert len(refused) >= 2
    other = await bot.ask(d.slash("model", {"name": "glm-5.2"}, user_id="300000000000000778"))
    assert not other.ephemeral


async def test_load_1000_at_50_in_flight(tmp_path: Path) -> None:
    catalog_dir = str(write_catalog(tmp_path / "catalog"))
    async with running_bot(tmp_path, CATALOG_DIR=catalog_dir, GUILD_QUERIES_PER_MINUTE="1000000") as fresh:
        figures = await run_load(fresh, 1000, 50)
    assert figures["answered"] == 1000
    assert figures["missed"] == 0 and figures["invalid"] == 0
    assert figures["e2e_lost_rows"] == 0


async def test_locked_database_delays_rows_but_not_answers(tmp_path: Path) -> None:
    async with running_bot(tmp_path, CATALOG_DIR=str(write_catalog(tmp_path / "catalog"))) as fresh:
        warm = await fresh.ask(d.slash("about", {}))
        assert warm.messages
        lock = sqlite3.connect(fresh.db_path, timeout=1)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            records = [await fresh.ask(d.slash("model", {"name": "glm-5.2"})) for _ in range(5)]
            assert all(r.messages and not r.ephemeral for r in records)
            assert fresh.rows_if_readable() in (None, 0, 1)
        finally:
            lock.rollback()
            lock.close()
        assert await fresh.stop() == 0
    assert fresh.rows() == 6


async def test_undecodable_text_is_answered_and_no_row_is_lost(tmp_path: Path) -> None:
    """A lone surrogate (valid JSON, not encodable as UTF-8) once killed the writer thread: every later row was lost."""
    async with running_bot(tmp_path, CATALOG_DIR=str(write_catalog(tmp_path / "catalog"))) as fresh:
        bad = await fresh.ask(d.slash("fit", {"model": "glm\ud800", "hardware": "256GB\udcff"}))
        assert bad.ephemeral and bad.messages
        after = [await fresh.ask(d.slash("model", {"name": "glm-5.2"})) for _ in range(3)]
        assert all(r.messages and not r.ephemeral for r in after)
        assert await fresh.stop() == 0
    conn = sqlite3.connect(fresh.db_path)
    stored = [json.loads(r[0]) for r in conn.execute("SELECT raw_args FROM queries ORDER BY id")]
    conn.close()
    assert len(stored) == 4
    assert "\\ud800" in stored[0]["model"]  # kept, with the bad code point escaped


async def test_forget_me_while_the_database_is_locked_completes_later(tmp_path: Path) -> None:
    async with running_bot(tmp_path, CATALOG_DIR=str(write_catalog(tmp_path / "catalog"))) as fresh:
        user = "300000000000000999"
        asked = [await fresh.ask(d.slash("model", {"name": "glm-5.2"}, user_id=user)) for _ in range(3)]
        assert all(r.messages for r in asked)
        lock = sqlite3.connect(fresh.db_path, timeout=1)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            forgot = await fresh.ask(d.slash("forget-me", {}, user_id=user), timeout_s=30)
            assert forgot.ephemeral and "as soon as the database is back" in forgot.messages[-1].get("content", "")
        finally:
            lock.rollback()
            lock.close()
        assert await fresh.stop() == 0
    conn = sqlite3.connect(fresh.db_path)
    commands = [r[0] for r in conn.execute("SELECT command FROM queries ORDER BY id")]
    conn.close()
    assert commands == ["forget-me"]  # the three /model rows went; the forget row carries no user


async def test_sigterm_under_load_flushes_the_log(tmp_path: Path) -> None:
    async with running_bot(tmp_path, CATALOG_DIR=str(write_catalog(tmp_path / "catalog"))) as fresh:
        records = await asyncio.gather(*(fresh.ask(d.slash("about", {})) for _ in range(100)))
        assert all(r.messages for r in records)
        assert await fresh.stop() == 0
    assert fresh.rows() == 100


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("fit", {"model": "glm-5.2", "hardware": "24GB VRAM + 256GB RAM"}),
        ("compare", {"first": "llama-3.1-8b", "second": "glm-5.2", "against": "RTX 3090"}),
    ],
)
async def test_cards_are_components_v2_with_a_chart(bot: Running, name: str, options: dict[str, Any]) -> None:
    """The double checked the body against Discord's OpenAPI description and the multipart upload against its
    attachments; here the picture itself: a PNG of the stated size, small enough for a phone."""
    from io import BytesIO

    from PIL import Image

    record = await bot.ask(d.slash(name, options))
    assert not bot.double.invalid, bot.double.invalid
    message = record.messages[-1]
    assert message["flags"] & d.COMPONENTS_V2_FLAG and not message["embeds"]
    gallery = [c for c in d.components_of(message) if c.get("type") == 12]
    assert [i["media"]["url"] for g in gallery for i in g["items"]] == ["attachment://chart.png"]
    (upload,) = record.uploads
    image = Image.open(BytesIO(upload.content))
    assert image.format == "PNG" and image.size == (960, 440) and len(upload.content) < 200_000
