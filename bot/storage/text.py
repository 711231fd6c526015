"""Text that is safe to store and safe to print.

`storable_text` makes any text fit for SQLite: text that UTF-8 cannot encode (a lone surrogate such as
'\\ud800', or a byte smuggled in by surrogateescape such as 'glm\\udcff') is kept with the bad code points
written out as backslash escapes, so the row is stored instead of killing the writer. `printable` escapes
control characters (all of C0, DEL and C1) and lone surrogates so that text read back from the log cannot
drive a terminal.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 (U+0000-U+001F), DEL (U+007F), C1 (U+0080-U+009F) and lone surrogates (U+D800-U+DFFF).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def storable_text(text: str) -> str:
    """The text itself when UTF-8 can encode it, else the text with each bad code point as `\\udXXX`. Text that
    is JSON (raw_args) is escaped inside its strings, so the escape survives decoding it: the value read back
    is `glm\\udcff` with a real backslash, never the lone surrogate again."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return _escaped(text)
    return json.dumps(_escaped_json(value), ensure_ascii=False)


def _escaped(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _escaped_json(value: Any) -> Any:
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, list):
        return [_escaped_json(v) for v in value]
    if isinstance(value, dict):
        return {storable_text(k): _escaped_json(v) for k, v in value.items()}
    return value


def storable_row(row: dict[str, Any]) -> dict[str, Any]:
    """A copy of the row with every str key and value storable (other values are left to SQLite to judge)."""
    return {
        storable_text(k) if isinstance(k, str) else k: storable_text(v) if isinstance(v, str) else v
        for k, v in row.items()
    }


def printable(text: str) -> str:
    """The text with control characters and lone surrogates escaped (`\\x1b`, `\\x9b`, `\\ud800`) for a terminal."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"
