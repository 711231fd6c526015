"""Keep Discord secrets out of logs: interaction and webhook tokens, the bot token, Authorization headers.

discord.py logs at DEBUG every request URL (`/interactions/<id>/<token>/callback`, `/webhooks/<app>/<token>/...`),
request and response bodies, and every gateway event (INTERACTION_CREATE carries `'token': '...'`). RedactSecrets
rewrites each record's message (arguments merged in), traceback and stack text before any handler formats it.
Install it with `install_log_redaction()` right after `logging.basicConfig(...)`.
"""

from __future__ import annotations

import logging
import re

REDACTED = "<redacted>"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # URL paths: /interactions/<id>/<token>/callback and /webhooks/<application id>/<token>/messages/...
    (re.compile(r"(/(?:interactions|webhooks)/\d+/)[A-Za-z0-9_.\-]+"), rf"\1{REDACTED}"),
    # JSON and Python-repr payloads: "token": "...", 'token': '...', "access_token": "..."
    (re.compile(r"""(["'][\w-]*token["']\s*:\s*["'])[^"']*"""), rf"\1{REDACTED}"),
    # Authorization headers, in HTTP or dict form: Authorization: Bot ..., 'Authorization': 'Bearer ...'
    (re.compile(r"""(?i)(authorization["']?\s*[:=]\s*["']?(?:bot|bearer)\s+)[^\s"',}]+"""), rf"\1{REDACTED}"),
    # A bot token anywhere: base64 user id . timestamp . HMAC
    (re.compile(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{20,}"), REDACTED),
    # An interaction token anywhere: base64 of "interaction:..."
    (re.compile(r"aW50ZXJhY3Rpb246[A-Za-z0-9_\-]+"), REDACTED),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """A handler filter: the record leaves with its message already formatted and redacted, and no arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep both parts, redacted, rather than crash the caller
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Add RedactSecrets to every handler of `logger` (default: the root logger); safe to call twice."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())
