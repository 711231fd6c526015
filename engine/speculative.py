"""Speculative decoding: a model's own multi-token-prediction (MTP) layers or a small draft model propose tokens
that the model checks in one batched step, so one stream decodes faster where drafts are accepted.

The speed-up is not modelled from first principles: it is the range measured in public A/B runs of the same model
(catalog `speculative` entries), preferring runs on the rig's backend (Apple's Metal runs gained nothing where CUDA
and ROCm runs gained 1.3-2.5x). Each engine's flags are built here from engine/flags.py's tables, so a printed
flag is one the engine accepts. Numbers and enums only; bot/wording.py says them.
"""

from __future__ import annotations

import json
import statistics
from enum import StrEnum

from catalog.types import Model, Speculative, SpeculativeRun, SpeculativeSupport
from engine import memory
from engine.rig import Frozen
from engine.serve import Arg, Engine
from engine.speed import Range

# llama.cpp: tokens the MTP head drafts a step. 2 is the sweet spot the Qwen3.8-27B community sweep found on 24 GB
# cards (bigger cards peak at 3-4): https://github.com/sudoingX/qwen38-mtp README.md @01b319c, rule 1.
LLAMA_MTP_DRAFT_TOKENS = 2
# vLLM: "A small value like 1 is a good default to start with" (docs.vllm.ai v0.19.1 features/speculative_decoding/mtp).
VLLM_MTP_TOKENS = 1
# vLLM draft_model: the example of vllm-project/vllm#24322 drafts 3 tokens.
VLLM_DRAFT_TOKENS = 3
# SGLang's minimum DeepSeek MTP configuration, "which can achieve speedup for larger batch sizes"
# (docs.sglang.ai basic_usage/deepseek.html): one step, top-1, two draft tokens.
SGLANG_MTP_ARGS = (
    Arg(flag="--speculative-algorithm", value="EAGLE"),
    Arg(flag="--speculative-num-steps", value="1"),
    Arg(flag="--speculative-eagle-topk", value="1"),
    Arg(flag="--speculative-num-draft-tokens", value="2"),
)
_ENGINES = {"llama.cpp": Engine.LLAMA_CPP, "vllm": Engine.VLLM, "sglang": Engine.SGLANG}


class Support(StrEnum):
    SUPPORTED = "supported"
    UNSUPPORTED = "unsupported"  # the engine's code or docs say it does not run this speculation
    UNKNOWN = "unknown"  # no source read either way


class Basis(StrEnum):
    """Which measured runs the speed-up range rests on."""

    SAME_BACKEND = "same-backend"  # runs on the rig's backend (CUDA, ROCm, Vulkan, Metal)
    OTHER_BACKENDS = "other-backends"  # none on the rig's backend: runs on others
    NOT_MEASURED = "not-measured"  # no public A/B run for this engine


class TaskSpeedup(Frozen):
    """The same for the runs that timed one kind of prompt: code drafts are accepted more often than prose."""

    task: str  # "code" or "chat"
    runs: int
    factor: Range
    acceptance_low: float | None = None
    acceptance_high: float | None = None


class Speedup(Frozen):
    """Single-stream decode with speculation over without: low/high the extremes of the runs, typical the median."""

    factor: Range
    runs: int
    basis: Basis
    acceptance_low: float | None = None
    acceptance_high: float | None = None
    tasks: tuple[str, ...] = ()  # what the timed prompts were (code, chat, mixed)
    many_users_factor: float | None = None  # the lowest speed-up measured with several streams at once
    many_users: int | None = None  # at how many streams
    by_task: tuple[TaskSpeedup, ...] = ()  # code and chat apart, where runs timed one kind of prompt


class EngineSpeculation(Frozen):
    engine: Engine
    support: Support
    args: tuple[Arg, ...] = ()  # flags to add to that engine's command (empty unless supported)
    speedup: Speedup | None = None
    decode_tps: Range | None = None  # llama.cpp: the option's single-stream decode times the speed-up


class Speculation(Frozen):
    entry: str  # the catalog entry's id
    method: str  # "mtp" or "draft"
    mtp_layers: int | None = None
    draft_model: str | None = None
    engines: tuple[EngineSpeculation, ...] = ()
    # llama.cpp's draft model: its GGUF and its own f16 cache at the pick's context (`draft_bytes`), and whether they
    # fit beside the pick without changing its placement (fit.py); False: the card offers no `-hfd` for this pick
    draft_bytes: int | None = None
    draft_room: bool = True

    def engine(self, engine: Engine) -> EngineSpeculation | None:
        return next((e for e in self.engines if e.engine == engine), None)


def _support(entry: Speculative, engine: str) -> Support:
    found: SpeculativeSupport | None = next((s for s in entry.support if s.engine == engine), None)
    if found is None:
        return Support.UNKNOWN
    return Support.SUPPORTED if found.supported else Support.UNSUPPORTED


def _args(entry: Speculative, engine: Engine) -> tuple[Arg, ...]:
    """The flags that turn the speculation on, for one engine (the checkpoint is the engine's own plan's)."""
    mtp = entry.method == "mtp"
    if engine is Engine.LLAMA_CPP:
        if mtp:
            return (
                Arg(flag="--spec-type", value="draft-mtp"),
                Arg(flag="--spec-draft-n-max", value=str(LLAMA_MTP_DRAFT_TOKENS)),
            )
        return (Arg(flag="-hfd", value=entry.draft_gguf),) if entry.draft_gguf else ()
    if engine is Engine.VLLM:
        if mtp:
            config: dict[str, object] = {"method": "mtp", "num_speculative_tokens": VLLM_MTP_TOKENS}
        elif entry.draft_repo:
            config = {"method": "draft_model", "model": entry.draft_repo, "num_speculative_tokens": VLLM_DRAFT_TOKENS}
        else:
            return ()
        return (Arg(flag="--speculative-config", value=json.dumps(config, separators=(",", ":"))),)
    if engine is Engine.SGLANG:
        if mtp:
            return SGLANG_MTP_ARGS
        if entry.draft_repo:
            return (
                Arg(flag="--speculative-algorithm", value="STANDALONE"),
                Arg(flag="--speculative-draft-model-path", value=entry.draft_repo),
            )
    return ()


def _runs_for(runs: list[SpeculativeRun], backend: str | None) -> tuple[list[SpeculativeRun], Basis]:
    same = [r for r in runs if backend is not None and r.backend == backend]
    if same:
        return same, Basis.SAME_BACKEND
    return runs, Basis.OTHER_BACKENDS


def _spread(runs: list[SpeculativeRun]) -> tuple[Range, float | None, float | None]:
    """Speed-up low/median/high and the acceptance extremes over some runs."""
    factors = sorted(r.speedup for r in runs)
    lows = [r.acceptance_low for r in runs if r.acceptance_low is not None]
    highs = [r.acceptance_high for r in runs if r.acceptance_high is not None]
    factor = Range(low=factors[0], high=factors[-1], typical=statistics.median(factors))
    return factor, (min(lows) if lows else None), (max(highs) if highs else None)


def _by_task(runs: list[SpeculativeRun]) -> tuple[TaskSpeedup, ...]:
    out: list[TaskSpeedup] = []
    for task in ("code", "chat"):
        of_task = [r for r in runs if r.task == task]
        if of_task:
            factor, low, high = _spread(of_task)
            out.append(
                TaskSpeedup(task=task, runs=len(of_task), factor=factor, acceptance_low=low, acceptance_high=high)
            )
    return tuple(out)


def speedup(entry: Speculative, engine: str, backend: str | None) -> Speedup | None:
    """The measured single-stream speed-up for one engine, from runs on `backend` where there are any. The overall
    range rests on runs over mixed prompts where there are any (a task's prompts alone would skew it); code and
    chat runs are kept apart in `by_task`."""
    of_engine = [r for r in entry.runs if r.engine == engine]
    single = [r for r in of_engine if r.users == 1]
    if not single:
        return None
    chosen, basis = _runs_for(single, backend)
    mixed = [r for r in chosen if r.task == "mixed"] or chosen
    factor, low, high = _spread(mixed)
    many = [r for r in of_engine if r.users > 1]
    worst = min(many, key=lambda r: r.speedup) if many else None
    return Speedup(
        factor=factor,
        runs=len(mixed),
        basis=basis,
        acceptance_low=low,
        acceptance_high=high,
        tasks=tuple(sorted({r.task for r in mixed})),
        many_users_factor=worst.speedup if worst else None,
        many_users=worst.users if worst else None,
        by_task=_by_task(chosen),
    )


def _for_engine(entry: Speculative, name: str, backend: str | None, decode: Range | None) -> EngineSpeculation:
    engine = _ENGINES[name]
    support = _support(entry, name)
    args = _args(entry, engine) if support is Support.SUPPORTED else ()
    found = speedup(entry, name, backend) if support is not Support.UNSUPPORTED else None
    tps = None
    if engine is Engine.LLAMA_CPP and found is not None and decode is not None:
        tps = Range(
            low=decode.low * found.factor.low,
            high=decode.high * found.factor.high,
            typical=decode.centre * (found.factor.typical or 1.0),
        )
    return EngineSpeculation(engine=engine, support=support, args=args, speedup=found, decode_tps=tps)


def draft_bytes(entry: Speculative, context: int) -> int | None:
    """What llama-server's `-hfd` adds to the rig: the draft model's GGUF (the quant `draft_gguf` names, as the
    catalog lists it) and the draft's own KV cache at the target's context. llama-server gives the draft the target's
    context a sequence unless `-cd` says otherwise, and its cache the `-ctkd`/`-ctvd` type (f16 unless given), not the
    target's `-ctk` (tools/server/server.cpp load_model: `params_dft.n_ctx = speculative.n_ctx == 0 ?
    llama_n_ctx_seq(ctx) : ...`, `cache_type_k = speculative.cache_type_k`; code-index file 132105791). Qwen3-0.6B's
    cache at 32k is 3.7 GB, six times its Q8_0 file. None: no draft model, or its file's size is not in the catalog."""
    drafter = entry.drafter
    if drafter is None or not entry.draft_gguf or ":" not in entry.draft_gguf:
        return None
    quant = entry.draft_gguf.rpartition(":")[2]
    published = next((q for q in drafter.quants if q.name == quant), None)
    if published is None:
        return None
    return published.file_bytes + memory.kv_profile(drafter, "f16", 1).bytes_at(context)


def speculation(model: Model, backend: str | None, decode_tps: Range | None) -> Speculation | None:
    """The model's speculative decoding, if the catalog knows one: per engine whether it runs, the flags, and the
    speed-up measured in public runs (on `backend` where measured there). `decode_tps` is the option's llama.cpp
    single-stream decode, scaled by llama.cpp's speed-up."""
    if not model.speculative:
        return None
    entry = model.speculative[0]
    engines = tuple(_for_engine(entry, name, backend, decode_tps) for name in _ENGINES)
    return Speculation(
        entry=entry.id,
        method=entry.method,
        mtp_layers=entry.mtp_layers,
        draft_model=entry.draft_model,
        engines=engines,
    )
