"""A local double of Discord's API for the end-to-end tests and the bench: REST routes the bot uses and a gateway
websocket.

It validates every request body against Discord's OpenAPI description (shared/discord/openapi.json) and the
documented limits the spec leaves out, answers an invalid one with HTTP 400 in Discord's error shape, and
records when each interaction was acknowledged, so a missed 3 s deadline is visible.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

API = "/api/v10"
APP_ID = "100000000000000001"
BOT_USER = {
    "id": "100000000000000001",
    "username": "rigfit",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
    "flags": 0,
}
ACK_DEADLINE_S = 3.0
EMBEDS_TOTAL_MAX = 6000  # Discord documentation: all embeds of one message together
# Discord documentation (components reference): a components v2 message carries at most 40 components and 4000
# characters of text display content, and no content or embeds; uploads are capped at 10 MiB a file.
COMPONENTS_V2_FLAG = 1 << 15
COMPONENTS_MAX = 40
TEXT_DISPLAYS_MAX_CHARS = 4000
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
_ids = itertools.count(200_000_000_000_000_000)


def _json(data: Any, status: int = 200) -> web.Response:
    """Discord answers `Content-Type: application/json` exactly (discord.py compares the header to that)."""
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


def snowflake() -> str:
    return str(next(_ids))


@dataclass(frozen=True)
class Upload:
    part: str  # the multipart field name: files[n]
    filename: str
    content: bytes


@dataclass
class Record:
    """What happened to one dispatched interaction."""

    payload: dict[str, Any]
    dispatched_at: float
    acked_at: float | None = None
    ack_type: int | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)  # what the user would see, in order
    uploads: list[Upload] = field(default_factory=list)  # files sent with them (charts)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    ephemeral: bool = False

    @property
    def ack_ms(self) -> float | None:
        return None if self.acked_at is None else (self.acked_at - self.dispatched_at) * 1000


class _Compressor:
    """zlib-stream transport compression, as discord.py asks for (`compress=zlib-stream`)."""

    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        self._z = zlib.compressobj() if kind == "zlib-stream" else None
        self._zstd: Any = None
        if kind == "zstd-stream":
            import zstandard  # only when the bot asks for it (zstandard installed)

            self._zstd = zstandard.ZstdCompressor().compressobj()

    def pack(self, text: str) -> bytes | str:
        data = text.encode()
        if self._z is not None:
            return self._z.compress(data) + self._z.flush(zlib.Z_SYNC_FLUSH)
        if self._zstd is not None:
            import zstandard

            return self._zstd.compress(data) + self._zstd.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
        return text


def _masked(value: Any) -> Any:
    """The body with per-message random ids (component custom_ids) replaced by same-length placeholders: the
    schema's verdict depends only on types and lengths there, so equal masked bodies validate equally."""
    if isinstance(value, dict):
        return {k: ("x" * len(v) if k == "custom_id" and isinstance(v, str) else _masked(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


class CachedValidator:
    """Full JSON-schema validation of every distinct request body, each distinct body validated once."""

    def __init__(self, validate: Any) -> None:
        self._validate = validate
        self._seen: dict[str, list[str]] = {}

    def __call__(self, method: str, template: str, body: Any) -> list[str]:
        key = method + template + json.dumps(_masked(body), sort_keys=True)
        if key not in self._seen:
            self._seen[key] = self._validate(method, template, body)
        return self._seen[key]


class DiscordDouble:
    def __init__(self, validator: Any) -> None:
        self.validate = CachedValidator(validator)  # (method, path template, body) -> list of error strings
        self.records: dict[str, Record] = {}
        self.invalid: list[tuple[str, str, list[str]]] = []
        self.synced: list[Any] = []
        self.sockets: list[web.WebSocketResponse] = []
        self.identifies = 0
        self.resumes = 0
        self.ready = asyncio.Event()
        self.seq = 0
        self.session_id = "session-" + snowflake()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._compressors: dict[int, _Compressor] = {}

    # ------------------------------------------------------------------------------------ lifecycle

    async def start(self) -> str:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.add_routes(
            [
                web.get(f"{API}/gateway/bot", self.gateway_bot),
                web.get(f"{API}/gateway", self.gateway_bot),
                web.get(f"{API}/users/@me", self.me),
                web.get(f"{API}/oauth2/applications/@me", self.application),
                web.get(f"{API}/applications/@me", self.application),
                web.put(f"{API}/applications/{{app}}/commands", self.sync),
                web.put(f"{API}/applications/{{app}}/guilds/{{guild}}/commands", self.sync),
                web.post(f"{API}/interactions/{{iid}}/{{token}}/callback", self.callback),
                web.patch(f"{API}/webhooks/{{app}}/{{token}}/messages/@original", self.edit_original),
                web.patch(f"{API}/webhooks/{{app}}/{{token}}/messages/{{mid}}", self.edit_original),
                web.post(f"{API}/webhooks/{{app}}/{{token}}", self.followup),
                web.get("/gateway", self.gateway),
            ]
        )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{self.port}{API}"

    async def stop(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # ----------------------------------------------------------------------------------------- REST

    async def gateway_bot(self, request: web.Request) -> web.Response:
        return _json(
            {
                "url": f"ws://127.0.0.1:{self.port}/gateway",
                "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1},
            }
        )

    async def me(self, request: web.Request) -> web.Response:
        return _json(BOT_USER)

    async def application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": APP_ID,
                "name": "rigfit",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": BOT_USER,
                "flags": 0,
                "verify_key": "x",
                "team": None,
                "summary": "",
            }
        )

    def _error(self, method: str, path: str, errors: list[str]) -> web.Response:
        self.invalid.append((method, path, errors))
        return _json(
            {
                "code": 50035,
                "message": "Invalid Form Body",
                "errors": {"_errors": [{"code": "BASE_TYPE_INVALID", "message": e} for e in errors]},
            },
            status=400,
        )

    async def _body(self, request: web.Request) -> Any:
        return (await self._form(request))[0]

    async def _form(self, request: web.Request) -> tuple[Any, list[Upload]]:
        """The JSON body (or a multipart form's payload_json) and the files uploaded with it."""
        if not request.content_type.startswith("multipart/"):
            text = await request.text()
            return (json.loads(text) if text else None), []
        body: Any = {}
        uploads: list[Upload] = []
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":  # type: ignore[union-attr]
                body = json.loads(await part.text())  # type: ignore[union-attr]
            else:
                content = await part.read()  # type: ignore[union-attr]
                uploads.append(Upload(part.name or "", part.filename or "", bytes(content)))  # type: ignore[union-attr]
        return body, uploads

    async def sync(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        template = (
            "/applications/{application_id}/guilds/{guild_id}/commands"
            if "guild" in request.match_info
            else "/applications/{application_id}/commands"
        )
        errors = self.validate("put", template, body) + _command_rules(body)
        if errors:
            return self._error("PUT", template, errors)
        self.synced = body
        return _json(
            [
                {
                    **c,
                    "id": snowflake(),
                    "application_id": APP_ID,
                    "version": snowflake(),
                    "default_member_permissions": c.get("default_member_permissions"),
                }
                for c in body
            ]
        )

    async def callback(self, request: web.Request) -> web.Response:
        arrived = time.perf_counter()  # the ack's time is when it reached Discord, not when this double checked it
        iid = request.match_info["iid"]
        body, uploads = await self._form(request)
        # checked off the loop (a components v2 body takes ~20 ms against the whole spec), so one check does not
        # hold up the next request's arrival
        template = "/interactions/{interaction_id}/{interaction_token}/callback"
        errors = await asyncio.to_thread(self.validate, "post", template, body)
        if (body or {}).get("type") in (4, 7):
            errors += _message_rules((body or {}).get("data") or {}) + _upload_rules((body or {}).get("data"), uploads)
        record = self.records.get(iid)
        if record is None:
            return _json({"code": 10062, "message": "Unknown interaction"}, status=404)
        if errors:
            return self._error("POST", "callback", errors)
        if record.acked_at is not None:
            return _json({"code": 40060, "message": "Interaction has already been acknowledged."}, status=400)
        record.acked_at = arrived
        record.ack_type = body["type"]
        data = body.get("data") or {}
        record.ephemeral = bool((data.get("flags") or 0) & 64)
        message = self._message(record, data)
        if body["type"] in (4, 7):
            record.messages.append(message)
            record.uploads += uploads
            record.done.set()
        elif body["type"] == 8:  # autocomplete result
            record.messages.append({"choices": data.get("choices", [])})
            record.done.set()
        loading = body["type"] == 5
        return _json(
            {
                "interaction": {
                    "id": iid,
                    "type": record.payload["type"],
                    "response_message_id": message["id"],
                    "response_message_loading": loading,
                    "response_message_ephemeral": record.ephemeral,
                },
                "resource": {"type": body["type"], "message": message} if body["type"] != 8 else None,
            }
        )

    async def edit_original(self, request: web.Request) -> web.Response:
        return await self._webhook_message(
            request, "patch", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
        )

    async def followup(self, request: web.Request) -> web.Response:
        return await self._webhook_message(request, "post", "/webhooks/{webhook_id}/{webhook_token}")

    async def _webhook_message(self, request: web.Request, method: str, template: str) -> web.Response:
        token = request.match_info["token"]
        body, uploads = await self._form(request)
        body = body or {}
        errors = await asyncio.to_thread(self.validate, method, template, body)
        errors += _message_rules(body) + _upload_rules(body, uploads)
        if errors:
            return self._error(method.upper(), template, errors)
        record = next((r for r in self.records.values() if r.payload["token"] == token), None)
        if record is None:
            return _json({"code": 10015, "message": "Unknown Webhook"}, status=404)
        message = self._message(record, body)
        record.messages.append(message)
        record.uploads += uploads
        record.done.set()
        return _json(message)

    def _message(self, record: Record, data: dict[str, Any]) -> dict[str, Any]:
        return message_payload(record.payload.get("channel_id", "2"), data)

    # -------------------------------------------------------------------------------------- gateway

    async def gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        compressor = _Compressor(request.query.get("compress"))
        self._compressors[id(ws)] = compressor
        self.sockets.append(ws)
        await self._send(ws, {"op": 10, "d": {"heartbeat_interval": 41250}})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                await self._on_gateway(ws, json.loads(msg.data))
        finally:
            self.sockets.remove(ws)
        return ws

    async def _send(self, ws: web.WebSocketResponse, payload: dict[str, Any]) -> None:
        packed = self._compressors[id(ws)].pack(json.dumps(payload))
        if isinstance(packed, bytes):
            await ws.send_bytes(packed)
        else:
            await ws.send_str(packed)

    async def _on_gateway(self, ws: web.WebSocketResponse, msg: dict[str, Any]) -> None:
        op = msg.get("op")
        if op == 1:
            await self._send(ws, {"op": 11})
        elif op == 2:
            self.identifies += 1
            shard = msg["d"].get("shard", [0, 1])
            await self._dispatch(
                ws,
                "READY",
                {
                    "v": 10,
                    "user": BOT_USER,
                    "guilds": [],
                    "session_id": self.session_id,
                    "resume_gateway_url": f"ws://127.0.0.1:{self.port}/gateway",
                    "shard": shard,
                    "application": {"id": APP_ID, "flags": 0},
                    "private_channels": [],
                    "relationships": [],
                    "user_settings": {},
                },
            )
            self.ready.set()
        elif op == 6:
            self.resumes += 1
            await self._dispatch(ws, "RESUMED", {})
            self.ready.set()

    async def _dispatch(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        await self._send(ws, {"op": 0, "t": event, "s": self.seq, "d": data})

    async def drop_connection(self) -> None:
        """Close the gateway as Discord does on a reconnect request (4000-class codes allow RESUME)."""
        self.ready.clear()
        for ws in list(self.sockets):
            await ws.close(code=4000, message=b"unknown error")

    async def interact(self, payload: dict[str, Any]) -> Record:
        await asyncio.wait_for(self.ready.wait(), 30)
        record = Record(payload=payload, dispatched_at=time.perf_counter())
        self.records[payload["id"]] = record
        await self._dispatch(self.sockets[-1], "INTERACTION_CREATE", payload)
        return record

    def missed_deadlines(self) -> list[Record]:
        return [
            r
            for r in self.records.values()
            if r.payload["type"] != 3 and (r.ack_ms is None or r.ack_ms > ACK_DEADLINE_S * 1000)
        ]


def _command_rules(body: Any) -> list[str]:
    errors = []
    for command in body or []:
        if not re.fullmatch(r"[-_\w]{1,32}", command.get("name", "")) or command["name"] != command["name"].lower():
            errors.append(f"command name {command.get('name')!r} breaks the naming rule")
    return errors


def components_of_list(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every component of a message, nested ones included (containers, sections, rows, galleries' items)."""
    out: list[dict[str, Any]] = []
    for item in items:
        out.append(item)
        out += components_of_list(item.get("components") or [])
        if isinstance(item.get("accessory"), dict):
            out += components_of_list([item["accessory"]])
    return out


def _v2_rules(data: dict[str, Any]) -> list[str]:
    if not (data.get("flags") or 0) & COMPONENTS_V2_FLAG:
        return []
    errors = [f"components v2 message with {key}" for key in ("content", "embeds") if data.get(key)]
    everything = components_of_list(data.get("components") or [])
    if len(everything) > COMPONENTS_MAX:
        errors.append(f"{len(everything)} components > {COMPONENTS_MAX}")
    text = sum(len(c.get("content") or "") for c in everything if c.get("type") == 10)
    if text > TEXT_DISPLAYS_MAX_CHARS:
        errors.append(f"text displays {text} characters > {TEXT_DISPLAYS_MAX_CHARS}")
    return errors


def _upload_rules(data: dict[str, Any] | None, uploads: list[Upload]) -> list[str]:
    """Each uploaded file is a `files[n]` part named in `attachments`, and every attachment:// a message shows was
    uploaded."""
    data = data or {}
    named = {str(a.get("id")): a.get("filename") for a in data.get("attachments") or []}
    errors = []
    for upload in uploads:
        index = upload.part.removeprefix("files[").removesuffix("]")
        if named.get(index) != upload.filename:
            errors.append(f"upload {upload.part} ({upload.filename}) is not in attachments {named}")
        if len(upload.content) > UPLOAD_MAX_BYTES:
            errors.append(f"upload {upload.filename} is {len(upload.content)} bytes > {UPLOAD_MAX_BYTES}")
    shown = re.findall(r"attachment://([^\"'\s]+)", json.dumps(data.get("components") or []))
    errors += [f"attachment://{name} was not uploaded" for name in shown if name not in {u.filename for u in uploads}]
    return errors


def _message_rules(data: dict[str, Any]) -> list[str]:
    embeds = data.get("embeds") or []
    total = sum(
        len(e.get("title") or "")
        + len(e.get("description") or "")
        + len((e.get("footer") or {}).get("text") or "")
        + sum(len(f.get("name", "")) + len(f.get("value", "")) for f in e.get("fields") or [])
        for e in embeds
    )
    errors = [f"embeds total {total} characters > {EMBEDS_TOTAL_MAX}"] if total > EMBEDS_TOTAL_MAX else []
    if len(data.get("content") or "") > 2000:
        errors.append("content over 2000 characters")
    mentions = data.get("allowed_mentions")
    if mentions is None or mentions.get("parse"):
        errors.append(f"allowed_mentions lets pings through: {mentions!r}")
    return errors + _v2_rules(data)


# ------------------------------------------------------------------------------------- interactions

USER = {"id": "300000000000000001", "username": "asker", "discriminator": "0", "global_name": "Asker", "avatar": None}


def slash(
    name: str, options: dict[str, Any], *, user_id: str | None = None, manage_guild: bool = False
) -> dict[str, Any]:
    """A slash command; each call comes from a new user unless `user_id` is given (so cooldowns don't mix in)."""
    iid = snowflake()
    typed = [
        {
            "name": k,
            "type": 4 if isinstance(v, int) and not isinstance(v, bool) else 10 if isinstance(v, float) else 3,
            "value": v,
        }
        for k, v in options.items()
        if v is not None
    ]
    user = user_id or str(int(snowflake()) + 10**17)
    return _interaction(iid, 2, {"id": snowflake(), "name": name, "type": 1, "options": typed}, user, manage_guild)


def autocomplete(name: str, options: dict[str, Any], focused: str) -> dict[str, Any]:
    typed = [
        {"name": k, "type": 3, "value": v, **({"focused": True} if k == focused else {})} for k, v in options.items()
    ]
    return _interaction(
        snowflake(), 4, {"id": snowflake(), "name": name, "type": 1, "options": typed}, USER["id"], False
    )


def button(custom_id: str, message_id: str, *, user_id: str = USER["id"]) -> dict[str, Any]:
    payload = _interaction(snowflake(), 3, {"custom_id": custom_id, "component_type": 2}, user_id, False)
    payload["message"] = message_payload("2", {}) | {"id": message_id}
    return payload


def message_payload(channel_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """A message object as Discord returns it, carrying what the bot sent."""
    return {
        "id": snowflake(),
        "channel_id": channel_id,
        "author": BOT_USER,
        "content": data.get("content") or "",
        "timestamp": "2026-11-22T00:00:00.000000+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": data.get("embeds") or [],
        "components": data.get("components") or [],
        "pinned": False,
        "type": 20,
        "flags": data.get("flags") or 0,
        "application_id": APP_ID,
        "webhook_id": APP_ID,
        "allowed_mentions": data.get("allowed_mentions"),
    }


def _interaction(iid: str, kind: int, data: dict[str, Any], user_id: str, manage_guild: bool) -> dict[str, Any]:
    permissions = str(1 << 5) if manage_guild else "0"
    return {
        "id": iid,
        "application_id": APP_ID,
        "type": kind,
        "token": f"token-{iid}",
        "version": 1,
        "guild_id": "400000000000000001",
        "channel_id": "500000000000000001",
        "channel": {
            "id": "500000000000000001",
            "type": 0,
            "name": "llm",
            "guild_id": "400000000000000001",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
        },
        "member": {
            "user": {**USER, "id": user_id},
            "roles": [],
            "permissions": permissions,
            "joined_at": "2026-01-01T00:00:00.000000+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "pending": False,
        },
        "app_permissions": "0",
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": "400000000000000001"},
        "context": 0,
        "attachment_size_limit": 10485760,
        "data": data,
    }


def components_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    return components_of_list(message.get("components") or [])
