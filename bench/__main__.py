"""`make bench`: latency and accuracy figures, printed as one table and written to bench/results.json."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.commands import fit_answer
from catalog.loader import Catalog, load
from engine import memory, quants

RESULTS = Path(__file__).parent / "results.json"
FIT_QUERIES = [
    ("glm-5.2", "256GB"),
    ("glm-5.2", "24GB VRAM + 256GB RAM"),
    ("gpt-oss-20b", "RTX 3090"),
    ("qwen3-30b-a3b", "2x RTX 3090 + 128GB DDR4"),
    ("llama-3.3-70b", "M3 Ultra 256GB"),
]


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


def weights_error(catalog: Catalog) -> dict[str, float]:
    """Formula estimate (params x effective bits of the file type) against every published GGUF file size."""
    errors = []
    for m in catalog.models.values():
        for q in m.quants:
            if q.format != "gguf" or quants.lookup(q.name) is None:
                continue
            est = memory.weights_estimate(m, q.name)
            if est is not None:
                errors.append(abs(est.n_bytes - q.file_bytes) / q.file_bytes)
    if not errors:
        return {}
    return {"weights_median_rel_err": round(statistics.median(errors), 4), "weights_compared": len(errors)}


def main() -> None:
    catalog = load()
    results: dict[str, float] = {}
    results |= bench_fit(catalog)
    results |= weights_error(catalog)
    results |= {f"catalog_{k}": v for k, v in catalog.counts().items()}
    table = Table(title="rigfit bench")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in results.items():
        table.add_row(name, f"{value:g}")
    Console().print(table)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
