"""The stable JSON objects of every CLI command's `--json` (each key documented in README.md, "JSON output").

Built from the engine's typed reports and the catalog's types, never from the cards. Units are in the key names:
sizes in decimal GB (`_gb`, 1e9 bytes), speeds in tokens per second (`_tps`), money in US dollars (`usd_`).
The few strings meant for people (`why`, `context_note`, `assumptions`, `notes`, `price_note`) are the same
sentences the cards show.
"""

from __future__ import annotations

from bot import wording
from bot.cards import serve_command
from catalog.catalog import Catalog
from catalog.types import Hardware, Model, PlatformPrice, QualityScore
from engine.calibration import HeldOutScore, MeasuredAccuracy
from engine.concurrency import ConcurrentUsers
from engine.cost import ApiCost, CostReport, LocalCost, RentalCost
from engine.evidence import OptionEvidence, ReadingEvidence, ReportEvidence
from engine.fit import FitReport, Pick, QuantOption, ReadingReport
from engine.prices import PricePart, PricePartKind
from engine.recommend import Candidate, ModelFit, UpgradePath
from engine.rig import Rig
from engine.serve import Engine, ServePlan
from engine.speculative import Speculation, Speedup
from engine.speed import Range, TensorParallel
from engine.units import GB, GIB

Json = dict[str, object]


def _gb(n_bytes: float) -> float:
    return round(n_bytes / GB, 2)


def _range(r: Range | None) -> dict[str, float] | None:
    if r is None:
        return None
    out = {"low": round(r.low, 2), "high": round(r.high, 2)}
    return out | ({"typical": round(r.typical, 2)} if r.typical is not None else {})


def _round(x: float | None, digits: int = 2) -> float | None:
    return None if x is None else round(x, digits)


# ------------------------------------------------------------------------------------------------- fit


def fit_json(report: FitReport, evidence: ReportEvidence | None = None) -> Json:
    """`rigfit fit --json`; with `evidence`, every option carries the measured runs cited for it."""
    m = report.model
    return {
        "model": {
            "id": m.id,
            "name": m.name,
            "total_params_b": m.total_params_b,
            "active_params_b": m.active_params_b,
            "context_max_tokens": m.context_max_tokens,
            "asked_as": m.asked_as,
            "from_label": m.from_label,
            "label_alike": list(m.label_alike),
        },
        "context": report.context,
        "context_note": wording.context_note(report),
        "context_caveats": [c.value for c in report.context_caveats],
        "kv_type": report.kv_type,
        "readings": [
            _reading_json(r, report, evidence.readings[i] if evidence is not None else None)
            for i, r in enumerate(report.readings)
        ],
    }


def _reading_json(r: ReadingReport, report: FitReport, evidence: ReadingEvidence | None = None) -> Json:
    return {
        "label": r.label,
        "devices": list(r.devices),
        "nodes": r.rig.nodes,
        "pools": _pools_json(r.rig),
        "assumptions": [wording.assumption(a) for a in r.assumptions],
        "best": r.best,
        "options": [
            _option_json(o, wording.why(o, report.context, r.rig, report.model))
            | {"measured": _measured_json(evidence.option(o.quant) if evidence is not None else None)}
            for o in r.options
        ],
        "shorter_context": [{"quant": q, "max_context": n} for q, n in r.shorter_context],
        "fits_with_less_context": [{"quant": q, "max_context": n} for q, n in r.fits_with_less_context],
        "pick": _pick_json(r.pick, r, report),
        "with_ram": None
        if r.with_ram is None
        else {"quant": r.with_ram.quant, "placement": r.with_ram.kind, "ram_bytes": r.with_ram.ram_bytes},
        # a quant asked for that runs nowhere, or only offloaded: the quant that runs at the same settings instead
        "unasked": None
        if r.unasked is None
        else {"quant": r.unasked.quant, "placement": r.unasked.option.placement.kind, "context": r.unasked.context},
        # a Mac on which nothing fits llama.cpp's budget: the MLX build that runs with the GPU limit raised
        "mlx_tight": None if r.mlx_tight is None else _pick_json(r.mlx_tight, r, report),
        # nothing runs at the asked context: the quant llama.cpp's smallest KV cache type holds there
        "smaller_kv": None if r.smaller_kv is None else {"kv_type": r.smaller_kv[0], "quant": r.smaller_kv[1]},
    }


def _pools_json(rig: Rig) -> list[Json]:
    """The rig's memory pools over all its machines: one entry per kind of device, `count` of them in the whole
    rig; memory and bandwidth per device (system RAM: per machine, its whole memory system)."""
    pools: dict[tuple[str, str, int, float | None], int] = {}
    for node in rig.node_rigs:
        for g in node.gpus:
            key = ("gpu", g.name, g.memory_bytes, g.bandwidth_gb_s)
            pools[key] = pools.get(key, 0) + 1
        if node.unified is not None:
            u = node.unified
            key = ("unified", u.name, u.memory_bytes, u.bandwidth_gb_s)
            pools[key] = pools.get(key, 0) + 1
        if node.ram is not None:
            key = ("system", node.ram.description, node.ram.memory_bytes, node.ram.bandwidth_gb_s)
            pools[key] = pools.get(key, 0) + 1
    return [
        {"kind": kind, "device": device, "count": n, "memory_gb": _gb(size), "bandwidth_gb_s": bw}
        for (kind, device, size, bw), n in pools.items()
    ]


def _pick_json(pick: Pick | None, r: ReadingReport, report: FitReport) -> Json | None:
    if pick is None:
        return None
    return {
        "quant": pick.quant,
        "tier": pick.tier.value,
        "trade": pick.trade.value,
        "context": pick.context,
        "kv_type": pick.kv_type,
        "q8_context": pick.q8_context,
        "instead": pick.instead,
        "slower": pick.slower,
        "slow_higher": pick.slow_higher,
        "trade_note": wording.pick_trade(pick, report),
        "option": _option_json(pick.option, wording.why(pick.option, pick.context, r.rig, report.model)),
    }


def _measured_json(evidence: OptionEvidence | None) -> list[Json]:
    """The runs cited for an option, nearest first: published ones with their source, member reports with the date
    they were reported."""
    out: list[Json] = []
    for c in evidence.cited if evidence is not None else ():
        p = c.point
        row: Json = {
            "kind": p.kind,
            "phase": p.phase,
            "tokens_per_s": round(p.tokens_per_s, 2),
            "context": p.depth_tokens,
            "hardware": p.hardware,
            "quant": p.quant,
        }
        out.append(row | ({"source": p.source} if p.kind == "published" else {"reported_at": p.reported_at}))
    return out


def _option_json(o: QuantOption, why: str) -> Json:
    return {
        "quant": o.quant,
        "format": o.format,
        "tier": o.tier.value,
        "bits_per_weight": o.bits_per_weight,
        "weights_gb": _gb(o.weights_bytes),
        "weights_basis": o.weights_basis,
        "kv_cache_gb": _gb(o.kv_cache_bytes),
        "overhead_gb": _gb(o.overhead_bytes),
        "total_gb": _gb(o.total_bytes),
        "verdict": o.verdict,
        "placement": o.placement.kind,
        "shortfall_gb": _gb(o.placement.shortfall_bytes),
        "n_gpu_layers": o.placement.n_gpu_layers,
        "n_cpu_moe": o.placement.n_cpu_moe,
        "decode_tps": _range(o.decode_tps),
        "decode_tps_start": _range(o.decode_start_tps),
        "prefill_tps": _range(o.prefill_tps),
        "max_context": o.max_context,
        "ttft_s": _range(o.ttft_s),
        "tensor_parallel": _tensor_parallel_json(o.tensor_parallel),
        "llama_cpp": _llama_cpp(o),
        "serve": [_serve_json(p) for p in o.serve.plans],
        "not_served": [
            {"engine": r.engine.value, "reason": r.reason.value, "why": wording.refused(r)} for r in o.serve.refused
        ],
        "why": why,
        "concurrency": _concurrency_json(o.concurrency),
        "speculation": _speculation_json(o.speculation),
    }


def _llama_cpp(o: QuantOption) -> str | None:
    plan = o.serve.plan(Engine.LLAMA_CPP)
    return serve_command(plan) if plan else None


def _fork_range(p: ServePlan, phase: str) -> dict[str, float] | None:
    """ik_llama.cpp's figure: llama.cpp's times the measured ratio (engine/serve.py ForkSpeed)."""
    f = p.fork_speed
    r = None if f is None else f.decode_tps if phase == "decode" else f.prefill_tps
    return _range(r) if r is not None else None


def _serve_json(p: ServePlan) -> Json:
    return {
        "engine": p.engine.value,
        "command": serve_command(p),
        "checkpoint": p.checkpoint,
        "checkpoint_format": p.checkpoint_format,
        "weights_gb": _gb(p.weights_bytes),
        "weights_basis": p.weights_basis,
        "max_context": p.context_tokens,
        "tensor_parallel": p.tensor_parallel,
        "pipeline_parallel": p.pipeline_parallel,
        "nodes": p.nodes,
        "gpu_gb_each": _gb(p.gpu_bytes_each) if p.gpu_bytes_each is not None else None,
        "node_gb": [_gb(b) for b in p.node_bytes],
        "converted_to": p.converted_to,
        "decode_tps": _range(p.speed.one_user_tps) if p.speed else _fork_range(p, "decode"),
        "prefill_tps": _fork_range(p, "prefill"),
        "batched": {"users": p.speed.users, "aggregate_tps": _range(p.speed.batched_tps)} if p.speed else None,
        "why": wording.serve_why(p),
    }


def _tensor_parallel_json(tp: TensorParallel | None) -> Json | None:
    if tp is None:
        return None
    return {
        "gpus": tp.gpus,
        "link": tp.link,
        "decode_tps": _range(tp.decode_tps),
        "allreduce_ms_per_token": _range(tp.allreduce_ms_per_token),
    }


def _concurrency_json(rows: tuple[ConcurrentUsers, ...]) -> list[Json]:
    return [
        {
            "users": c.users,
            "aggregate_tps": _range(c.aggregate_tps),
            "per_user_tps": _range(c.per_user_tps),
            "max_users_at_context": c.max_users_at_context,
            "fits_kv": c.fits_kv,
            "compute_bound": c.compute_bound,
            "llama_cpp_ctx": c.llama_cpp_ctx_tokens,
        }
        for c in rows
    ]


def _speedup_json(s: Speedup | None) -> Json | None:
    if s is None:
        return None
    return {
        "factor": _range(s.factor),
        "runs": s.runs,
        "basis": s.basis.value,
        "acceptance_low": s.acceptance_low,
        "acceptance_high": s.acceptance_high,
        "tasks": list(s.tasks),
        "many_users_factor": s.many_users_factor,
        "many_users": s.many_users,
        "by_task": [
            {
                "task": t.task,
                "runs": t.runs,
                "factor": _range(t.factor),
                "acceptance_low": t.acceptance_low,
                "acceptance_high": t.acceptance_high,
            }
            for t in s.by_task
        ],
    }


def _speculation_json(spec: Speculation | None) -> Json | None:
    if spec is None:
        return None
    return {
        "entry": spec.entry,
        "method": spec.method,
        "mtp_layers": spec.mtp_layers,
        "draft_model": spec.draft_model,
        "draft_bytes": spec.draft_bytes,  # llama.cpp's -hfd: the draft's file and its f16 cache at the pick's context
        "draft_room": spec.draft_room,  # whether they fit beside the pick (False: no -hfd is offered)
        "engines": [
            {
                "engine": e.engine.value,
                "support": e.support.value,
                "flags": wording.spec_args(e.args) if e.args else None,
                "speedup": _speedup_json(e.speedup),
                "decode_tps": _range(e.decode_tps),
            }
            for e in spec.engines
        ],
    }


def quants_json(report: FitReport) -> Json:
    """`rigfit quants --json`: every quant of the model on the first reading of the hardware, best first."""
    m, r = report.model, report.readings[0]
    return {
        "model": {"id": m.id, "name": m.name},
        "hardware": r.label,
        "context": report.context,
        "kv_type": report.kv_type,
        "best": r.best,
        "quants": [_quant_row(o) for o in r.options],
        "quality": [{"benchmark": q.benchmark, "score": q.score, "quant": q.quant} for q in m.quality],
    }


def _quant_row(o: QuantOption) -> Json:
    return {
        "quant": o.quant,
        "format": o.format,
        "tier": o.tier.value,
        "bits_per_weight": o.bits_per_weight,
        "weights_gb": _gb(o.weights_bytes),
        "weights_basis": o.weights_basis,
        "bits_basis": o.bits_basis,
        "engines": [p.engine.value for p in o.serve.plans],
        "total_gb": _gb(o.total_bytes),
        "verdict": o.verdict,
        "placement": o.placement.kind,
        "decode_tps": _range(o.decode_tps),
    }


def compare_json(a: FitReport, b: FitReport) -> Json:
    """`rigfit compare --json`: the two `fit` objects, in the order asked."""
    return {"compared": [fit_json(a), fit_json(b)]}


# ------------------------------------------------------------------------------------------------ cost


def cost_json(cost: CostReport, model_name: str, hardware_label: str) -> Json:
    """`rigfit cost --json`."""
    u = cost.usage
    return {
        "model": {"id": cost.model_id, "name": model_name},
        "hardware": hardware_label,
        "usage": {
            "tokens_per_day": u.tokens_per_day,
            "input_share": u.input_share,
            "usd_per_kwh": u.kwh_usd,
            "years": u.years,
        },
        "local": _local_json(cost.local),
        "api": [_api_json(a) for a in cost.api],
        "rental": _rental_json(cost.rental),
        "breakeven_tokens": _round(cost.breakeven_tokens, 0),
        "breakeven_months": _round(cost.breakeven_months, 1),
        "break_even": {
            "tokens": _round(cost.breakeven_tokens, 0),
            "months": _round(cost.breakeven_months, 1),
            "within_life": cost.within_life,
        },
        "power_w": cost.local.watts if cost.local else None,
        "capacity_tokens_per_day": {
            "single_stream": _round(cost.local.max_tokens_per_day, 0) if cost.local else None,
            "batched": _round(cost.local.batched_tokens_per_day, 0) if cost.local else None,
        },
        "notes": [wording.cost_caveat(c) for c in cost.caveats],
    }


def _local_json(local: LocalCost | None) -> Json | None:
    if local is None:
        return None
    return {
        "usd_hardware": _round(local.hardware_usd),
        "hardware_note": wording.price_basis(local.hardware_basis),
        "watts": local.watts,
        "hours_per_day": _round(local.hours_per_day, 3),
        "usd_power_per_day": _round(local.power_usd_per_day, 4),
        "usd_per_m_tokens": _round(local.usd_per_m_tokens, 4),
        "usd_running_per_m_tokens": _round(local.running_usd_per_m_tokens, 4),
        "max_tokens_per_day": _round(local.max_tokens_per_day, 0),
        "platform_watts": local.platform_watts,
        "duty_cycle": _round(local.duty_cycle, 3),
    }


def _api_json(a: ApiCost) -> Json:
    return {
        "provider": a.provider,
        "usd_per_m_input": a.usd_per_m_input,
        "usd_per_m_output": a.usd_per_m_output,
        "usd_per_m_blended": round(a.usd_per_m_blended, 4),
        "source": a.source,
        "as_of": a.as_of,
    }


def _rental_json(r: RentalCost | None) -> Json | None:
    if r is None:
        return None
    return {
        "hardware_id": r.hardware_id,
        "gpu_count": r.gpu_count,
        "provider": r.provider,
        "usd_per_hour": r.usd_per_hour,
        "quant": r.quant,
        "decode_tps_typical": round(r.decode_tps_mid, 2),
        "usd_per_m_tokens": round(r.usd_per_m_tokens, 4),
        "interruptible": r.interruptible,
        "asked": r.asked,
    }


# ------------------------------------------------------------------------------------- recommend, whatfits


def recommend_json(
    model: Model,
    found: list[Candidate],
    min_tps: float,
    budget_usd: float | None,
    context: int,
    best: list[Candidate] | None = None,
    path: UpgradePath | None = None,
) -> Json:
    """`rigfit recommend --json`: the cheapest machines that run the model at `min_tps`, cheapest first; with a
    budget the best builds within it; with hardware the upgrades of that rig."""
    return {
        "model": {"id": model.id, "name": model.name},
        "min_decode_tps": min_tps,
        "usd_budget": budget_usd,
        "context": context,
        "candidates": [_candidate_json(c) for c in found],
        "best_within_budget": [_candidate_json(c) for c in best or []],
        "upgrades": _upgrades_json(path) if path is not None else None,
    }


def _upgrades_json(path: UpgradePath) -> Json:
    return {
        "hardware": path.rig_label,
        "runs": path.runs,
        "current": _candidate_json(path.current) if path.current is not None else None,
        "faster_than_tps": round(path.faster_than_tps, 1) if path.faster_than_tps is not None else None,
        "options": [
            {
                "kind": u.kind.value,
                "device": u.device,
                "count": u.count,
                "added_gb": round(u.added_gib * GIB / GB, 1) if u.added_gib is not None else None,
                "words": wording.upgrade_words(u),
                **_candidate_json(u.candidate),
            }
            for u in path.upgrades
        ],
    }


def _candidate_json(c: Candidate) -> Json:
    return {
        "label": c.label,
        "devices": c.label,
        "price_usd": round(c.price_usd, 2),
        "price_parts": [_price_part_json(p) for p in c.price_basis.parts],
        "price_note": wording.candidate_price(c.price_basis),
        "quant": c.quant,
        "bits_per_weight": c.bits_per_weight,
        "verdict": c.verdict,
        "placement": c.placement,
        "decode_tps": _range(Range(low=c.decode_low, high=c.decode_high, typical=c.decode_typical)),
        "max_context": c.max_context,
        "kv_cache_type": c.kv_type,
        "pick_context": c.context,
        "pick_trade": c.trade.value,
        "tier": c.tier.value,
    }


def whatfits_json(label: str, found: list[ModelFit], min_tps: float) -> Json:
    """`rigfit whatfits --json`: the largest catalog models that run on the hardware at `min_tps`."""
    return {"hardware": label, "min_decode_tps": min_tps, "models": [_model_fit_json(f, min_tps) for f in found]}


def _platform_condition(platform: PlatformPrice) -> str:
    """A platform's parts all new, all used, or some of each ("mixed")."""
    conditions = {x.condition for x in platform.parts}
    return conditions.pop() if len(conditions) == 1 else "mixed"


def _price_part_json(p: PricePart) -> Json:
    """One priced part of a machine: what, how much, new or used, and the offer's date and source."""
    if p.platform is not None:
        return {
            "kind": p.kind.value,
            "name": p.platform.name,
            "usd": p.platform.usd,
            "condition": _platform_condition(p.platform),
            "parts": [
                {
                    "part": x.part,
                    "name": x.name,
                    "usd": x.usd,
                    "condition": x.condition,
                    "as_of": str(x.as_of),
                    "source": x.source,
                }
                for x in p.platform.parts
            ],
        }
    o = p.offer
    return {
        "kind": p.kind.value,
        "name": p.device or p.memory_type,
        "usd": round(p.usd_per_gib * (p.ram_gib or 0), 2)
        if p.kind is PricePartKind.RAM and p.usd_per_gib
        else (o.usd if o else None),
        "condition": o.condition if o else None,
        "as_of": str(o.as_of) if o else None,
        "source": o.source if o else None,
    }


def _model_fit_json(f: ModelFit, min_tps: float) -> Json:
    return {
        "id": f.model_id,
        "model_id": f.model_id,
        "name": f.name,
        "total_params_b": f.total_params_b,
        "active_params_b": f.active_params_b,
        "quant": f.quant,
        "bits_per_weight": f.bits_per_weight,
        "verdict": f.verdict,
        "decode_tps": _range(Range(low=f.decode_low, high=f.decode_high, typical=f.decode_typical)),
        "max_context": f.max_context,
        "kv_cache_type": f.kv_type,
        "tier": f.tier.value,
        "use": f.use.value,
        "reason": wording.whatfits_reason(f, min_tps),
        "quality": {
            "score": round(f.quality.score, 2),
            "effective_params_b": round(f.quality.effective_params_b, 1),
            "release_date": str(f.quality.release_date) if f.quality.release_date else None,
            "release_date_estimated": f.quality.release_date_estimated,
            "basis": f.quality.basis.value,
            "published": _published_json(f.quality.published),
            "estimate": round(f.quality.estimate, 2) if f.quality.estimate is not None else None,
        },
        "score": round(f.score, 2),
    }


def _published_json(q: QualityScore | None) -> Json | None:
    if q is None:
        return None
    return {"benchmark": q.benchmark, "score": q.score, "as_of": str(q.as_of), "source": q.source}


# --------------------------------------------------------------------------------- model, hardware, about


def model_json(model: Model) -> Json:
    """`rigfit model --json`: the catalog entry, file sizes in decimal GB."""
    quants = [
        {"name": q.name, "format": q.format, "file_gb": _gb(q.file_bytes), "publisher": q.publisher, "repo": q.repo}
        for q in model.quants
    ]
    return model.model_dump(mode="json", exclude={"quants"}) | {"quants": quants}


def hardware_json(h: Hardware) -> Json:
    """`rigfit hardware --json`: the catalog entry as it is (memory in GiB as sold: `_gib`)."""
    return h.model_dump(mode="json")


def about_json(catalog: Catalog, version: str, accuracy: MeasuredAccuracy) -> Json:
    """`rigfit about --json`: version, catalog freshness and counts, and the speed model's held-out accuracy."""
    return {
        "version": version,
        "catalog_as_of": catalog.as_of.isoformat(),
        "counts": catalog.counts(),
        "accuracy": {
            "decode": _score_json(accuracy.decode),
            "prefill": _score_json(accuracy.prefill),
            "decode_and_prefill": _score_json(accuracy.decode_and_prefill),
        },
    }


def _score_json(s: HeldOutScore) -> Json:
    return {
        "median_abs_log_err": s.median_abs_log_err,
        "median_error_factor": round(s.median_error_factor, 3),
        "coverage": s.coverage,
        "median_width": s.median_width,
        "rows": s.rows,
    }
