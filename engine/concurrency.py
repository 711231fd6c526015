"""Several users at once on one server: aggregate and per-user decode for 1-32 streams at the asked context.

One decode step serves every stream: it reads the weights once (for MoE, the experts any stream's token routes to)
and each stream's own KV cache (engine/speed.py `concurrency`). That memory-bound figure is capped by compute: a
step's matrix work for N tokens cannot run faster than the same tokens would as a prompt (the option's prefill rate
at that depth), which is what bends measured curves over at 16-32 streams. The KV room at the asked context caps
how many streams fit at all: llama.cpp's `-np N` splits `-c` into N slots, so N users at the context need
`-c N x context`; vLLM's continuous batching admits streams while its KV blocks last.

Scored against published multi-user runs in bench (bench/concurrency_runs.csv), not fitted on them.
"""

from __future__ import annotations

from catalog.types import Model
from engine import memory, speed
from engine.placement import Placement
from engine.rig import Frozen
from engine.speed import Range

USER_COUNTS = (1, 2, 4, 8, 16, 32)  # the rows of the table: one chat, a household, a team, a small service
CARD_USERS = 4  # the figure the cost view and the card's one-line summary use


class ConcurrentUsers(Frozen):
    """`users` streams decoding at once, each at the asked context (reading its cache at half of it, on average)."""

    users: int
    aggregate_tps: Range
    per_user_tps: Range
    max_users_at_context: int  # sequences of the asked context the free memory can cache (the same in every row)
    fits_kv: bool  # the KV room holds `users` sequences at the context
    compute_bound: bool  # the step's matrix work, not memory reads, sets the typical figure
    llama_cpp_ctx_tokens: int  # llama.cpp: `-np users -c this` gives each slot the asked context


def _capped(memory_bound: Range, ceiling: Range | None) -> tuple[Range, bool]:
    """The memory-bound aggregate, limited at each level by the compute ceiling (the prefill rate)."""
    if ceiling is None:
        return memory_bound, False
    typical = memory_bound.centre
    capped = Range(
        low=min(memory_bound.low, ceiling.low),
        high=min(memory_bound.high, ceiling.high),
        typical=min(typical, ceiling.centre),
    )
    return capped, ceiling.centre < typical


def _row(
    model: Model,
    placement: Placement,
    context: int,
    kv: memory.KvProfile,
    users: int,
    ceiling: Range | None,
) -> ConcurrentUsers | None:
    c = speed.concurrency(model, placement, context, kv, users)
    if c is None:
        return None
    aggregate, compute_bound = _capped(c.aggregate_tps, ceiling)
    return ConcurrentUsers(
        users=users,
        aggregate_tps=aggregate,
        per_user_tps=aggregate.scaled(1 / users),
        max_users_at_context=c.max_users_at_context,
        fits_kv=users <= c.max_users_at_context,
        compute_bound=compute_bound,
        llama_cpp_ctx_tokens=users * context,
    )


def table(
    model: Model,
    placement: Placement,
    context: int,
    kv: memory.KvProfile,
    user_counts: tuple[int, ...] = USER_COUNTS,
) -> tuple[ConcurrentUsers, ...]:
    """One row per user count on an accelerator placement (none for offload, CPU or disk placements)."""
    ceiling, _ = speed.prefill_range(model, placement, context, placement.ubatch_tokens)
    rows = (_row(model, placement, context, kv, n, ceiling) for n in user_counts)
    return tuple(r for r in rows if r is not None)


def at(rows: tuple[ConcurrentUsers, ...], users: int) -> ConcurrentUsers | None:
    return next((r for r in rows if r.users == users), None)


def kv_cap(rows: tuple[ConcurrentUsers, ...]) -> int | None:
    """How many users of the asked context the KV room holds, where that is fewer than the table's largest row."""
    if not rows:
        return None
    cap = rows[0].max_users_at_context
    return cap if cap < rows[-1].users else None
