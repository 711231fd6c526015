"""`python -m bot.healthcheck [--max-age SECONDS]`: exit 0 if the heartbeat is fresh, else 1; one line either way.

The bot writes the time (Unix seconds) to HEARTBEAT_PATH every 30 s while it is connected to Discord, so a
heartbeat older than --max-age (default 90 s: three missed beats) means a hung or disconnected bot. Used by the
Docker HEALTHCHECK and compose; works for any supervisor.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bot.settings import SettingsError, load_settings

MAX_AGE_S = 90.0


def heartbeat_age(path: Path, now: float) -> float | None:
    """Seconds since the last beat written to `path` (its content, else its mtime); None if there is no file."""
    try:
        text = path.read_text(encoding="utf-8").strip()
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    try:
        beat = float(text)
    except ValueError:
        beat = mtime
    return now - beat


def check(path: Path, max_age_s: float, now: float) -> tuple[bool, str]:
    age = heartbeat_age(path, now)
    if age is None:
        return False, f"unhealthy: no heartbeat at {path} (the bot has not connected to Discord yet)"
    if age > max_age_s:
        return False, f"unhealthy: heartbeat {path} is {age:.0f} s old (limit {max_age_s:.0f} s)"
    return True, f"healthy: heartbeat {path} is {max(age, 0):.0f} s old"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.healthcheck", description=__doc__)
    parser.add_argument("--max-age", type=float, default=MAX_AGE_S, help="seconds (default %(default)s)")
    parser.add_argument("--path", help="heartbeat file (default: HEARTBEAT_PATH)")
    args = parser.parse_args(argv)
    if args.path:
        path = Path(args.path)
    else:
        try:
            path = Path(load_settings().heartbeat_path)
        except SettingsError as exc:
            print(f"unhealthy: {exc}".replace("\n", "; "))
            return 1
    ok, line = check(path, args.max_age, time.time())
    print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
