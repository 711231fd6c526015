"""The key that hashes Discord user ids in the query log, and the keys it replaced.

The Discord bot needs HASH_KEY set to a secret of 16+ characters: an empty key or the old public default would
let anyone hash public Discord ids and match rows. The CLI and console, when HASH_KEY is unset, keep a random key
in `hash_key` next to the database (created once, atomically, mode 0600). Keys used before a rotation stay
matchable by /forget-me: HASH_KEYS_OLD (comma-separated) and any lines after the first in the key file.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from bot.settings import Settings, SettingsError

MIN_KEY_CHARS = 16
KEY_FILE_NAME = "hash_key"
# The default key of earlier versions: public, so never used to hash, but rows hashed with it can still be forgotten.
LEGACY_DEFAULT_KEY = "rigfit-dev-key-change-me"
_HINT = "e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


@dataclass(frozen=True)
class HashKeys:
    current: SecretStr
    previous: tuple[SecretStr, ...] = ()

    def hash(self, user_id: int | str) -> str:
        """The user's hash under the current key (the same algorithm as rows already logged)."""
        return _hash(self.current, user_id)

    def all_hashes(self, user_id: int | str) -> tuple[str, ...]:
        """The user's hash under the current key, then under each previous key: what /forget-me deletes."""
        hashes = [_hash(key, user_id) for key in (self.current, *self.previous)]
        return tuple(dict.fromkeys(hashes))


def _hash(key: SecretStr, user_id: int | str) -> str:
    return hmac.new(key.get_secret_value().encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:32]


def resolve_hash_keys(settings: Settings, *, for_bot: bool) -> HashKeys:
    """The keys to hash with. The bot: HASH_KEY or a SettingsError. The CLI: HASH_KEY, else the key file."""
    current = settings.hash_key.get_secret_value().strip()
    file_previous: list[str] = []
    if current:
        _check_strength(current, "HASH_KEY")
    elif for_bot:
        raise SettingsError(
            f"HASH_KEY is not set: the bot needs a random secret of {MIN_KEY_CHARS}+ characters ({_HINT})"
        )
    elif settings.database_path == ":memory:":
        current = _new_key()  # nothing is kept, so nothing needs to match later
    else:
        path = Path(settings.database_path).parent / KEY_FILE_NAME
        current, *file_previous = read_or_create_key_file(path)
        _check_strength(current, str(path))
    old = [k.strip() for k in settings.hash_keys_old.get_secret_value().split(",")]
    previous = [k for k in dict.fromkeys([*file_previous, *old, LEGACY_DEFAULT_KEY]) if k and k != current]
    return HashKeys(SecretStr(current), tuple(SecretStr(k) for k in previous))


def _check_strength(key: str, source: str) -> None:
    if key == LEGACY_DEFAULT_KEY:
        raise SettingsError(f"{source} is the old public default key: set a random secret ({_HINT})")
    if len(key) < MIN_KEY_CHARS:
        raise SettingsError(f"{source} is {len(key)} characters: use a random secret of {MIN_KEY_CHARS}+ ({_HINT})")


def _new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def read_or_create_key_file(path: Path) -> list[str]:
    """The keys in `path`, one a line, current first; a new random key if the file does not exist yet.

    Creation is atomic: the key is written to a private temporary file and hard-linked into place, so a concurrent
    reader never sees a half-written file, and of two processes racing, both end up with the winner's key.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
        tmp = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(_new_key() + "\n")
                f.flush()
                os.fsync(f.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    keys = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not keys:
        raise SettingsError(f"{path} holds no key: delete it to create a new one, or put the key on its first line")
    return keys
