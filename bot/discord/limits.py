"""Rate limits shared by every slash command and every button: one bucket per user, one per server.

A token is taken from both buckets only when both have one, so a refused press costs nothing. Buckets that have
refilled are forgotten, so the maps stay as small as the set of people active in the last window.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from discord import app_commands

USER_RATE, USER_PER_S = 6, 30.0  # six questions in thirty seconds per person
GUILD_PER_S = 60.0  # the server bucket's window; its size is the guild_queries_per_minute setting
FORGET_ABOVE = 10_000  # buckets kept before the refilled ones are swept


@dataclass(frozen=True)
class Refusal:
    scope: str  # "user" or "server"
    cooldown: app_commands.Cooldown
    retry_after_s: float


class Buckets:
    def __init__(self, rate: int, per_s: float, clock: Callable[[], float]) -> None:
        self.rate, self.per_s, self.clock = rate, per_s, clock
        self._by_key: dict[int, app_commands.Cooldown] = {}

    def get(self, key: int) -> app_commands.Cooldown:
        bucket = self._by_key.get(key)
        if bucket is None:
            if len(self._by_key) >= FORGET_ABOVE:
                self._sweep()
            bucket = self._by_key[key] = app_commands.Cooldown(self.rate, self.per_s)
        return bucket

    def _sweep(self) -> None:
        now = self.clock()
        full = [k for k, b in self._by_key.items() if b.get_tokens(now) >= self.rate]
        for key in full:
            del self._by_key[key]

    def __len__(self) -> int:
        return len(self._by_key)


class RateLimits:
    def __init__(self, guild_rate: int, clock: Callable[[], float] = time.time) -> None:
        # app_commands.Cooldown reads time.time() when not given a time: the same clock here.
        self.clock = clock
        self.users = Buckets(USER_RATE, USER_PER_S, clock)
        self.guilds = Buckets(guild_rate, GUILD_PER_S, clock)

    def take(self, user_id: int, guild_id: int | None) -> Refusal | None:
        """Take one token for this user (and server); the refusal says which bucket is empty and for how long."""
        now = self.clock()
        scoped = [("user", self.users.get(user_id))]
        if guild_id is not None:
            scoped.append(("server", self.guilds.get(guild_id)))
        for scope, bucket in scoped:
            if bucket.get_tokens(now) == 0:
                return Refusal(scope, bucket, bucket.get_retry_after(now))
        for _, bucket in scoped:
            bucket.update_rate_limit(now)
        return None
