"""`rigfit preview LINE --out DIR`: exactly what the bot would send for a command line, written to files.

DIR/message.json is the interaction callback body (as discord.py builds it, components v2 and all), and every
attachment it references (chart.png) is written beside it, so a reply can be checked without Discord.
"""

from __future__ import annotations

import json
from pathlib import Path

import discord
from discord.webhook.async_ import interaction_message_response_params

from bot.chart_jobs import draw
from bot.commands import run_request
from bot.discord.app import NO_PINGS, RigfitBot, reply_kwargs
from bot.requests import Frontend
from bot.settings import Settings
from bot.storage import QueryLog
from bot.terminal.console import parse_line
from catalog.catalog import Catalog

CHANNEL_MESSAGE_WITH_SOURCE = 4  # the interaction callback type of a reply
PREVIEW_USER_ID = 0


def preview(catalog: Catalog, settings: Settings, line: str, out_dir: Path) -> list[Path]:
    """Write the reply to `line` (console syntax: `/fit glm-5.2 256GB`) into `out_dir`; returns the files written.
    A line that is not understood is written as the one-line private reply it gets."""
    parsed = parse_line(line)
    answer = run_request(catalog, parsed.command, parsed.args, Frontend.DISCORD)
    png = draw(answer.chart) if answer.ok and answer.chart is not None else None
    query_log = QueryLog(":memory:")
    try:
        bot = RigfitBot(catalog, query_log, settings)
        view = bot.reply_view(parsed.command, dict(parsed.args), answer, PREVIEW_USER_ID)
        kwargs = reply_kwargs(answer, view, png=png)
    finally:
        query_log.close()
    flags = discord.MessageFlags(ephemeral=kwargs.pop("ephemeral"))
    params = interaction_message_response_params(
        type=CHANNEL_MESSAGE_WITH_SOURCE, flags=flags, allowed_mentions=NO_PINGS, **kwargs
    )
    body = params.payload
    if body is None:  # with files, the body travels as the multipart form's payload_json
        body = json.loads(next(str(p["value"]) for p in params.multipart or [] if p["name"] == "payload_json"))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "message.json"]
    written[0].write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for file in params.files or []:
        path = out_dir / Path(file.filename or "attachment").name
        file.fp.seek(0)
        path.write_bytes(file.fp.read())
        written.append(path)
    return written
