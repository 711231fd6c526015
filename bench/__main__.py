"""`make bench`: latency and accuracy figures, printed as one table and written to bench/results.json."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import gc
import json
import logging
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.command_audit import figures as command_audit_figures
from bench.concurrency import concurrency_figures
from bench.fleet import bench_fleet, bench_pg_faults
from bench.hardware_phrases import phrase_figures
from bench.member_reports import bench_member_reports
from bench.model_names import model_name_figures
from bench.published_picks import figures as published_pick_figures
from bot.commands import fit_answer
from bot.storage import FaultRow
from calibrate.ik import figures as ik_figures
from calibrate.servers import figures as server_figures
from catalog.loader import Catalog, load
from engine import formats, memory, mixes, quants

RESULTS = Path(__file__).parent / "results.json"
FIT_QUERIES = [
    ("glm-5.2", "256GB"),
    ("glm-5.2", "24GB VRAM + 256GB RAM"),
    ("gpt-oss-20b", "RTX 3090"),
    ("qwen3-30b-a3b", "2x RTX 3090 + 128GB DDR4"),
    ("llama-3.3-70b", "M3 Ultra 256GB"),
]


def wide_console() -> Console:
    """Wide enough for a table with a detail column (rich falls back to 80 columns when not on a terminal)."""
    return Console(width=max(Console().width, 150))


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(round(pct / 100 * (len(ordered) - 1)), len(ordered) - 1)
    return ordered[index]


def time_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def bench_fit(catalog: Catalog) -> dict[str, float]:
    queries = [(m, h) for m, h in FIT_QUERIES if catalog.find_model(m).id] or [(next(iter(catalog.models)), "256GB")]
    samples: list[float] = []
    for model, hardware in queries:
        fit_answer(catalog, model, hardware)  # warm
        samples += time_ms(lambda m=model, h=hardware: fit_answer(catalog, m, h), 200)
    return {"fit_p50_ms": round(percentile(samples, 50), 3), "fit_p99_ms": round(percentile(samples, 99), 3)}


# engine/quants.py derives its effective bits per file type from these models' files: scoring the formula on
# them would grade it on its own fitting data.
REFERENCE_MODELS = frozenset({"llama-2-7b", "llama-3.1-8b"})


def weights_error(catalog: Catalog) -> dict[str, float]:
    """Estimated size (engine.memory.weights_estimate: the parameter split at the quantizer's types, or params x
    the type's bits) against every published GGUF file size of the models the bits table was not derived from,
    each file estimated with that file left out of the model's own-files scale. `weights_split_*`: the files whose
    model and type the parameter split covers."""
    errors: list[float] = []
    split_errors: list[float] = []
    for m in catalog.models.values():
        if m.id in REFERENCE_MODELS:
            continue
        for q in m.quants:
            if q.format != "gguf" or quants.lookup(q.name) is None:
                continue
            without = m.model_copy(update={"quants": tuple(o for o in m.quants if o is not q)})
            est = memory.weights_estimate(without, q.name)
            if est is None:
                continue
            errors.append(abs(est.n_bytes - q.file_bytes) / q.file_bytes)
            if mixes.bits_per_weight(m, q.name) is not None:
                split_errors.append(errors[-1])
    if not errors:
        return {}
    return {
        "weights_median_rel_err": round(statistics.median(errors), 4),
        "weights_compared": len(errors),
        "weights_split_median_rel_err": round(statistics.median(split_errors), 4) if split_errors else -1.0,
        "weights_split_compared": len(split_errors),
    }


_PLAIN_MLX = re.compile(r"^(\d)bit$", re.IGNORECASE)  # mlx_lm.convert's own names: 4bit, 6Bit, 8bit (no recipes)


def nongguf_weights_error(catalog: Catalog) -> dict[str, float]:
    """engine/formats.py's sizes (AWQ, GPTQ, FP8, NVFP4 and plain MLX n-bit, from the parameter split; nothing fitted)
    against every published repo of those formats the catalog lists for a model with a split."""
    errors: dict[str, list[float]] = {"mlx": [], "server": []}
    for m in catalog.models.values():
        if mixes.split(m) is None:
            continue
        for q in m.quants:
            plain = _PLAIN_MLX.match(q.name) if q.format == "mlx" else None
            name = f"MLX-{plain.group(1)}BIT" if plain else q.format.upper()
            fmt = formats.lookup(name) if plain or q.format in ("awq", "gptq", "fp8", "nvfp4") else None
            if fmt is None:
                continue
            size, _ = formats.weights_bytes(m, fmt)
            errors["mlx" if plain else "server"].append(abs(size - q.file_bytes) / q.file_bytes)
    every = errors["mlx"] + errors["server"]
    if len(every) < 5:
        return {}
    return {
        "nongguf_weights_median_rel_err": round(statistics.median(every), 4),
        "nongguf_weights_compared": len(every),
        "nongguf_mlx_median_rel_err": round(statistics.median(errors["mlx"]), 4) if errors["mlx"] else -1.0,
        "nongguf_server_median_rel_err": round(statistics.median(errors["server"]), 4) if errors["server"] else -1.0,
        "nongguf_server_compared": len(errors["server"]),
    }


def bench_autocomplete(catalog: Catalog) -> dict[str, float]:
    from bot.discord.autocomplete import hardware_choices, model_choices, quant_choices

    typed = ["", "g", "glm", "glm-5", "qwen3 30", "llama 3.3", "deepseek", "gpt oss", "kimi", "mistral"]
    hw = ["", "3", "3090", "rtx 40", "m3 ul", "2x 3090 + 40", "strix", "epyc"]
    samples: list[float] = []
    for text in typed:
        samples += time_ms(lambda t=text: model_choices(catalog, t), 50)
        samples += time_ms(lambda t=text: quant_choices(catalog, "glm-5.2", t[:3]), 20)
    for text in hw:
        samples += time_ms(lambda t=text: hardware_choices(catalog, t), 50)
    return {
        "autocomplete_p50_ms": round(percentile(samples, 50), 3),
        "autocomplete_p99_ms": round(percentile(samples, 99), 3),
    }


def bench_recommend(catalog: Catalog) -> dict[str, float]:
    from engine.parse import parse_hardware
    from engine.recommend import best_builds, recommend, upgrade_path

    samples: list[float] = []  # every catalog model, as the issue asks (recommend over the whole catalog)
    best: list[float] = []  # with a budget: the best builds within it (every machine under the budget answered)
    upgrades: list[float] = []  # with a rig: the cheapest upgrade of each kind
    rig = parse_hardware("RTX 3090 + 64GB DDR4", catalog)[0].rig
    for model in catalog.models.values():
        samples += time_ms(lambda m=model: recommend(m, catalog, min_decode_tps=5), 3)
        best += time_ms(lambda m=model: best_builds(m, catalog, budget_usd=5000, min_decode_tps=5), 1)
        upgrades += time_ms(lambda m=model: upgrade_path(m, rig, catalog, min_decode_tps=10), 1)
    return {
        "recommend_p50_ms": round(percentile(samples, 50), 3),
        "recommend_p99_ms": round(percentile(samples, 99), 3),
        "recommend_best_5k_p99_ms": round(percentile(best, 99), 3),
        "recommend_upgrades_3090_p99_ms": round(percentile(upgrades, 99), 3),
    }


def bench_calibration(catalog: Catalog) -> dict[str, float]:
    from calibrate.report import class_section, report
    from calibrate.runs import CSV_NAME, calibration_dir

    if not (calibration_dir() / CSV_NAME).exists():
        return {}
    text, figures, _ = report(catalog)
    print("speed model across sources (each publication's runs predicted by a fit on the others),", class_section(text))
    return figures


E2E_TOTAL, E2E_IN_FLIGHT = 1000, 50


def bench_e2e() -> dict[str, float]:
    """1,000 /fit interactions at 50 in flight through the Discord double (bench/discord_double) to the real
    `rigfit run` process on the packaged catalog; every request body checked against Discord's OpenAPI description.
    The per-server limit is lifted (GUILD_QUERIES_PER_MINUTE) since every interaction comes from one server."""
    from bench.discord_double.harness import run_load, running_bot
    from bench.discord_double.spec import SPEC_PATH, spec_available

    if not spec_available():
        print(f"e2e figures not measured: Discord's OpenAPI description is not at {SPEC_PATH}")
        return {}

    async def load(tmp: Path) -> dict[str, float]:
        async with running_bot(tmp, GUILD_QUERIES_PER_MINUTE=str(E2E_TOTAL * 1000)) as bot:
            return await run_load(bot, E2E_TOTAL, E2E_IN_FLIGHT)

    with tempfile.TemporaryDirectory(prefix="rigfit-bench-e2e-") as tmp:
        figures = asyncio.run(load(Path(tmp)))
    return {
        "e2e_interactions": E2E_TOTAL,
        "e2e_in_flight": E2E_IN_FLIGHT,
        **{k: v for k, v in figures.items() if k.startswith("e2e_")},
        "e2e_unanswered": E2E_TOTAL - figures["answered"],
        "e2e_invalid_payloads": figures["invalid"],
        "e2e_missed_deadlines": figures["missed"],
    }


def bench_faults() -> list[FaultRow]:
    """The query log under each fault (bot/storage/faults.py), on a real QueryLog in a folder of its own: rows
    sent, stored, duplicated, dropped and reported, lost silently (the goal: 0 lost silently, 0 duplicated)."""
    from bot.storage import fault_table

    storage_log = logging.getLogger("bot.storage")
    level = storage_log.level
    storage_log.setLevel(logging.CRITICAL)  # each scenario's outage warnings are expected: the table counts rows
    try:
        with tempfile.TemporaryDirectory(prefix="rigfit-bench-faults-") as tmp:
            rows = fault_table(Path(tmp))
    finally:
        storage_log.setLevel(level)
    table = Table(title="query log under faults")
    for column in ("fault", "sent", "stored", "duplicated", "dropped, reported", "lost silently", "detail"):
        table.add_column(column, justify="left" if column in ("fault", "detail") else "right")
    for r in rows:
        figures = (r.sent, r.stored, r.duplicated, r.dropped_reported, r.lost_silently)
        table.add_row(r.name, *(str(n) for n in figures), r.detail)
    wide_console().print(table)
    return rows


STATS_ROWS = 2_000_000  # the size issue 13 names: /stats answered from aggregates, not a scan


def bench_stats() -> dict[str, float]:
    """/stats at 2M logged queries: one server, all servers and `rigfit db stats` from the aggregates, against the
    full scan they replace (bot/storage/stats.py fills the database through the same triggers as the writer)."""
    from bot.storage import bench_stats as run

    with tempfile.TemporaryDirectory(prefix="rigfit-bench-stats-") as tmp:
        figures = run(Path(tmp), rows=STATS_ROWS)
    keep = ("rows", "fill_rows_per_s", "stats_one_guild_ms", "stats_all_guilds_ms", "db_stats_lines_ms")
    return {f"stats_{k}" if not k.startswith("stats_") else k: figures[k] for k in (*keep, "full_scan_one_guild_ms")}


@dataclasses.dataclass(frozen=True)
class Crafted:
    case: str
    bytes: int
    ms: float
    error: str  # the one-line error after the file's name, or NOT_REFUSED


NOT_REFUSED = "read without an error"


def bench_gguf_crafted() -> list[Crafted]:
    """Each crafted GGUF header (catalog/gguf_crafted.py) read once by the bounded reader, cold: the time to fail
    and the first words of its one-line error."""
    from catalog.gguf_crafted import crafted_cases
    from catalog.gguf_header import GgufError
    from catalog.gguf_import import read_gguf

    out: list[Crafted] = []
    with tempfile.TemporaryDirectory(prefix="rigfit-bench-gguf-") as tmp:
        for i, (name, data) in enumerate(crafted_cases()):
            path = Path(tmp) / f"crafted-{i}.gguf"
            path.write_bytes(data)
            start = time.perf_counter()
            try:
                read_gguf(path, dt.date(2026, 1, 1))
                error = NOT_REFUSED
            except GgufError as exc:
                error = str(exc).split(": ", 1)[-1]
            ms = (time.perf_counter() - start) * 1000
            out.append(Crafted(case=name, bytes=len(data), ms=round(ms, 3), error=error))
    table = Table(title="crafted GGUF headers: time to fail")
    for column in ("case", "bytes", "ms", "error"):
        table.add_column(column, justify="right" if column in ("bytes", "ms") else "left")
    for c in out:
        table.add_row(c.case, str(c.bytes), f"{c.ms:.2f}", c.error[:80])
    wide_console().print(table)
    return out


def main() -> None:
    catalog = load()
    gc.freeze()  # as `rigfit run` does after loading the catalog (bot/terminal/cli.py load_catalog)
    results: dict[str, float] = {}
    results |= bench_fit(catalog)
    results |= bench_autocomplete(catalog)
    results |= phrase_figures(catalog)  # the hardware phrase table: share read right, time per phrase (issue 14)
    results |= model_name_figures(catalog)  # the model-name table and standard quants per model (issue 15)
    results |= published_pick_figures(catalog)  # picks with no published file, so no llama.cpp command
    results |= command_audit_figures(catalog)  # printed commands an engine would reject, by engine
    results |= bench_recommend(catalog)
    results |= weights_error(catalog)
    results |= nongguf_weights_error(catalog)  # AWQ/GPTQ/FP8/NVFP4/MLX sizes against published repos (issue 15)
    results |= bench_calibration(catalog)
    results |= concurrency_figures(catalog)  # several users at once on published multi-user runs (issue 17)
    results |= server_figures(catalog)  # vLLM/SGLang single-request and batched runs across sources (issue 16)
    results |= ik_figures()  # ik_llama.cpp / llama.cpp by phase, held out by source (issue 16)
    results |= bench_e2e()
    results |= bench_fleet()  # two processes on one PostgreSQL (issue 21)
    results |= bench_stats()
    results |= bench_member_reports(catalog)  # reading, storing and showing members' reports (issue 19)
    faults = bench_faults() + bench_pg_faults()
    results["faults_lost_silently"] = sum(f.lost_silently for f in faults)
    results["faults_duplicated"] = sum(f.duplicated for f in faults)
    crafted = bench_gguf_crafted()
    results["gguf_crafted_cases"] = len(crafted)
    results["gguf_crafted_max_ms"] = max(c.ms for c in crafted)
    results["gguf_crafted_not_refused"] = sum(1 for c in crafted if c.error == NOT_REFUSED)
    results |= {f"catalog_{k}": v for k, v in catalog.counts().items()}
    table = Table(title="rigfit bench")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in results.items():
        table.add_row(name, f"{value:g}")
    Console().print(table)
    details = {
        "faults": [dataclasses.asdict(f) for f in faults],
        "gguf_crafted": [dataclasses.asdict(c) for c in crafted],
    }
    RESULTS.write_text(json.dumps({**results, **details}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
