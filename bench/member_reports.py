# ruff: noqa: E501  (llama.cpp output is kept as printed: its lines are long)
"""`make bench` figures for members' reports (issue 19): reading and checking a paste, storing it, and /fit with
member reports stored next to the published runs (the cost an answer pays for showing them)."""

from __future__ import annotations

import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.commands import fit_answer
from bot.member_reports import read_report
from bot.storage.reports import ReportStore
from catalog.catalog import Catalog
from engine.reports import PASTE_MAX_BYTES, Refused

# llama-bench's markdown and -o jsonl, and llama-server's timing lines, as members paste them (tests have their own)
MARKDOWN = """  Device 0: NVIDIA GeForce RTX 3090, compute capability 8.6, VMM: yes
| model                          |       size |     params | backend    | ngl |            test |                  t/s |
| ------------------------------ | ---------: | ---------: | ---------- | --: | --------------: | -------------------: |
| llama 8B Q8_0                  |   7.95 GiB |     8.03 B | CUDA       |  99 |           pp512 |      4985.12 ± 20.11 |
| llama 8B Q8_0                  |   7.95 GiB |     8.03 B | CUDA       |  99 |           tg128 |         87.41 ± 0.12 |"""
_RECORD = (
    '{"model_filename": "/models/gpt-oss-120b-mxfp4-00001-of-00003.gguf", "model_type": "gpt-oss 120B MXFP4 MoE", '
    '"model_size": 63387346944, "model_n_params": 116829156672, "backends": "CUDA", "n_gpu_layers": 99, '
)
JSONL = (
    _RECORD
    + '"n_prompt": 512, "n_gen": 0, "n_depth": 0, "avg_ts": 221.4}\n'
    + _RECORD
    + '"n_prompt": 0, "n_gen": 128, "n_depth": 0, "avg_ts": 31.7}\n'
)
SERVER_LOG = (
    "loaded meta data with 35 key-value pairs and 579 tensors from /models/Qwen3-30B-A3B-Instruct-2507-UD-Q4_K_XL.gguf\n"
    "prompt eval time =     812.40 ms /  2048 tokens (    0.40 ms per token,  2520.93 tokens per second)\n"
    "       eval time =    1502.11 ms /   200 tokens (    7.51 ms per token,   133.15 tokens per second)\n"
)
STORED_REPORTS = 1_000  # members' reports of one family in the store while /fit answers


def _ms(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 3)


def _refused(text: str, catalog: Catalog) -> None:
    with contextlib.suppress(Refused):
        read_report(text, catalog, hardware="RTX 3090", model="llama-3.1-8b")


def bench_member_reports(catalog: Catalog) -> dict[str, float]:
    markdown = MARKDOWN
    biggest = (markdown + "\n") * (
        PASTE_MAX_BYTES // len((markdown + "\n").encode())
    )  # many tables: refused, too many rows
    offload, model = "RTX 3090 + 128GB DDR5-6000", "llama-3.1-8b"
    figures = {
        "report_read_markdown_ms": _ms(lambda: read_report(markdown, catalog, hardware="RTX 3090", model=model), 50),
        "report_read_jsonl_ms": _ms(lambda: read_report(JSONL, catalog, hardware=offload), 50),
        "report_read_server_log_ms": _ms(lambda: read_report(SERVER_LOG, catalog, hardware="RTX 4090"), 50),
        "report_read_128kb_paste_ms": _ms(lambda: _refused(biggest, catalog), 10),
        "report_read_1mb_paste_ms": _ms(lambda: _refused("x" * 1_000_000, catalog), 10),
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="rigfit-bench-reports-") as folder:
        store = ReportStore(Path(folder) / "reports.sqlite3")
        n = 0

        def add_one() -> None:
            nonlocal n
            n += 1
            paste = markdown.replace("87.41", f"{60 + n % 40}.{n:04d}")
            store.add(f"u-{n % 97}", 1, read_report(paste, catalog, hardware="RTX 3090", model="llama-3.1-8b"))

        figures["report_store_ms"] = _ms(add_one, STORED_REPORTS)
        members = store.source(1)
        fit_answer(catalog, "llama-3.1-8b", "RTX 3090", members=members)  # warm
        figures["fit_without_members_ms"] = _ms(lambda: fit_answer(catalog, "llama-3.1-8b", "RTX 3090"), 50)
        figures[f"fit_with_{STORED_REPORTS}_member_reports_ms"] = _ms(
            lambda: fit_answer(catalog, "llama-3.1-8b", "RTX 3090", members=members), 50
        )
    return figures
