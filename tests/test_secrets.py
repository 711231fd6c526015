"""Hash keys (bot/secrets.py) and log redaction (bot/logsafe.py): secrets stay secret."""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.logsafe import REDACTED, RedactSecrets, install_log_redaction, redact
from bot.secrets import LEGACY_DEFAULT_KEY, HashKeys, read_or_create_key_file, resolve_hash_keys
from bot.settings import Settings, SettingsError


def user_hash(user_id: int, key: str) -> str:
    """The hash rows were always logged under (HMAC-SHA256 of the id, 32 hex digits): keys must keep matching it."""
    return hmac.new(key.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:32]


KEY = "k" * 20


def settings(tmp_path: Path, **values: str) -> Settings:
    return Settings(_env_file=None, database_path=str(tmp_path / "data" / "rigfit.sqlite3"), **values)  # type: ignore[arg-type]


# --- HashKeys --------------------------------------------------------------------------------------------------------


def test_hash_matches_the_rows_already_logged() -> None:
    keys = HashKeys(SecretStr(KEY))
    assert keys.hash(1234) == user_hash(1234, KEY)
    assert keys.hash("1234") == keys.hash(1234)
    assert len(keys.hash(1234)) == 32


def test_all_hashes_cover_previous_keys_current_first() -> None:
    keys = HashKeys(SecretStr("new-key-0123456789"), (SecretStr("old-key-1"), SecretStr("new-key-0123456789")))
    assert keys.all_hashes(42) == (user_hash(42, "new-key-0123456789"), user_hash(42, "old-key-1"))


def test_keys_never_print() -> None:
    keys = HashKeys(SecretStr(KEY), (SecretStr("old-secret"),))
    assert KEY not in repr(keys)
    assert "old-secret" not in str(keys)


# --- resolve_hash_keys -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hash_key", "expected"),
    [
        ("", "HASH_KEY is not set"),
        ("   ", "HASH_KEY is not set"),
        (LEGACY_DEFAULT_KEY, "HASH_KEY is the old public default key"),
        ("short-key", "HASH_KEY is 9 characters"),
    ],
)
def test_the_bot_refuses_a_weak_key(tmp_path: Path, hash_key: str, expected: str) -> None:
    with pytest.raises(SettingsError) as caught:
        resolve_hash_keys(settings(tmp_path, hash_key=hash_key), for_bot=True)
    assert str(caught.value).startswith(expected)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "data" / "hash_key").exists()


def test_the_bot_uses_hash_key_and_old_keys_stay_forgettable(tmp_path: Path) -> None:
    keys = resolve_hash_keys(settings(tmp_path, hash_key=KEY, hash_keys_old="e2e, older-key ,"), for_bot=True)
    assert keys.hash(7) == user_hash(7, KEY)
    assert keys.all_hashes(7) == tuple(user_hash(7, k) for k in (KEY, "e2e", "older-key", LEGACY_DEFAULT_KEY))


def test_the_cli_creates_a_private_key_file_once(tmp_path: Path) -> None:
    first = resolve_hash_keys(settings(tmp_path), for_bot=False)
    path = tmp_path / "data" / "hash_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == first.current.get_secret_value()
    assert len(first.current.get_secret_value()) >= 32
    again = resolve_hash_keys(settings(tmp_path), for_bot=False)
    assert again.hash(99) == first.hash(99)
    assert [p.name for p in path.parent.iterdir()] == ["hash_key"]  # no temporary file left behind


def test_the_key_file_keeps_previous_keys_after_a_rotation(tmp_path: Path) -> None:
    path = tmp_path / "data" / "hash_key"
    path.parent.mkdir()
    path.write_text("rotated-key-0123456789\nfirst-key-0123456789\n")
    keys = resolve_hash_keys(settings(tmp_path), for_bot=False)
    assert keys.hash(5) == user_hash(5, "rotated-key-0123456789")
    assert user_hash(5, "first-key-0123456789") in keys.all_hashes(5)


def test_hash_key_wins_over_the_key_file_for_the_cli(tmp_path: Path) -> None:
    assert resolve_hash_keys(settings(tmp_path, hash_key=KEY), for_bot=False).hash(1) == user_hash(1, KEY)
    assert not (tmp_path / "data" / "hash_key").exists()


def test_an_empty_key_file_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "data" / "hash_key"
    path.parent.mkdir()
    path.write_text("\n")
    with pytest.raises(SettingsError, match="holds no key"):
        resolve_hash_keys(settings(tmp_path), for_bot=False)


def test_racing_creators_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "race" / "hash_key"
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: read_or_create_key_file(path), range(16)))
    assert len({tuple(r) for r in results}) == 1


def test_an_in_memory_database_gets_a_throwaway_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    keys = resolve_hash_keys(Settings(_env_file=None, database_path=":memory:"), for_bot=False)
    assert len(keys.current.get_secret_value()) >= 32
    assert list(tmp_path.iterdir()) == []


# --- log redaction ---------------------------------------------------------------------------------------------------

INTERACTION_TOKEN = (
    "aW50ZXJhY3Rpb246MTI2NzQ5ODc2NTQzMjEwOTg3NjpEWmV3SVpLa3pUc0x4V0ZKcVNqT0dQbHBtZXpzTXh5eWNGNnFrd2ZuS0Vq"
    "N3RRR3NiU0pVV1ZyeXRlRFZ2eHlXRnp6dVVhd1pWbWFjV2JkZ2ZwTVRqcUhOa2dMQzZ0dDJpVE1mRE1oR1dNQnRlSWc"
)
BOT_TOKEN = "MTI2NzQ5ODc2NTQzMjEwOTg3Ng.GhK2xQ.Wq3pS0vT9yZx1_aBcDeFgHiJkLmNoPqRsTuVwX"
API = "https://discord.com/api/v10"

# Lines as discord.py 2.x logs them (http.py, webhook/async_.py, gateway.py), and their secrets.
LEAKY_LINES = [
    (
        "%s %s with %s has returned %s",
        ("POST", f"{API}/interactions/1267498765432109876/{INTERACTION_TOKEN}/callback", '{"type":5}', 204),
        INTERACTION_TOKEN,
    ),
    (
        "%s %s has received %s",
        ("PATCH", f"{API}/webhooks/1180000000000000000/{INTERACTION_TOKEN}/messages/@original", {"id": "1"}),
        INTERACTION_TOKEN,
    ),
    (
        "Webhook ID %s with %s %s has returned status code %s",
        ("1180000000000000000", "POST", f"{API}/webhooks/1180000000000000000/{INTERACTION_TOKEN}?wait=1", 200),
        INTERACTION_TOKEN,
    ),
    (
        "Webhook ID %s with %s %s has returned status code %s",  # an ordinary (non-interaction) webhook token
        ("1180000000000000000", "POST", f"{API}/webhooks/1180000000000000000/Xy_9-aBcDeFgHiJkLmNoPqRsTuVwXyZ012", 204),
        "Xy_9-aBcDeFgHiJkLmNoPqRsTuVwXyZ012",
    ),
    (
        "For Shard ID %s: WebSocket Event: %s",
        (None, {"t": "INTERACTION_CREATE", "op": 0, "d": {"id": "1", "type": 2, "token": "opaque-token-value"}}),
        "opaque-token-value",
    ),
    ("%s", ('{"op": 2, "d": {"token": "' + BOT_TOKEN + '", "intents": 513}}',), BOT_TOKEN),
    ("request headers: %s", ({"Authorization": "Bot some-bot-token", "User-Agent": "DiscordBot"},), "some-bot-token"),
    ("Authorization: Bot %s", ("plain-header-token",), "plain-header-token"),
    ("login with %s failed", (BOT_TOKEN,), BOT_TOKEN),
    ("stray %s in a message", (INTERACTION_TOKEN,), INTERACTION_TOKEN),
]

HARMLESS_LINES = [
    "Shard ID None has connected to Gateway (Session ID: 4f1c2d3e4b5a69788796a5b4c3d2e1f0).",
    f"PUT {API}/applications/1180000000000000000/commands with [] has returned 200",
    "A route (POST /interactions/{interaction_id}/{interaction_token}/callback) has changed hashes: abc -> def.",
    "fit llama-3.1-8b q4_k_m on rtx 4090: 128.5 tok/s, catalog v2024.06.01",
]


@pytest.mark.parametrize(("fmt", "args", "secret"), LEAKY_LINES)
def test_secrets_are_redacted_from_log_lines(fmt: str, args: tuple[object, ...], secret: str) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("test.logsafe")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(fmt, *args)
    finally:
        logger.removeHandler(handler)
    assert secret not in stream.getvalue()
    assert REDACTED in stream.getvalue()


@pytest.mark.parametrize("line", HARMLESS_LINES)
def test_harmless_lines_are_left_alone(line: str) -> None:
    assert redact(line) == line


def test_tracebacks_are_redacted_too() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("test.logsafe.exc")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        raise RuntimeError(f"cannot POST {API}/interactions/1/{INTERACTION_TOKEN}/callback")
    except RuntimeError:
        logger.exception("request failed")
    finally:
        logger.removeHandler(handler)
    assert "RuntimeError" in stream.getvalue()
    assert INTERACTION_TOKEN not in stream.getvalue()


def test_install_adds_one_filter_to_each_handler() -> None:
    logger = logging.getLogger("test.logsafe.install")
    handlers = [logging.StreamHandler(io.StringIO()), logging.StreamHandler(io.StringIO())]
    for handler in handlers:
        logger.addHandler(handler)
    try:
        install_log_redaction(logger)
        install_log_redaction(logger)
        assert [sum(isinstance(f, RedactSecrets) for f in h.filters) for h in handlers] == [1, 1]
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
