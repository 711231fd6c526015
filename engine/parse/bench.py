"""llama.cpp's measured speeds as people paste them -> typed rows.

Reads llama-bench's four text outputs (the default markdown table, `-o json`, `-o jsonl`, `-o csv`; columns as in
llama.cpp's tools/llama-bench/README.md) and llama-server's timings (the `prompt eval time = ... tokens per second`
log lines, and the `timings` object of its HTTP answers), plus the device lines llama.cpp prints before a run
(`Device 0: NVIDIA GeForce RTX 3090, compute capability 8.6`, `ggml_vulkan: 0 = AMD Radeon ...`, Metal's
`GPU name: Apple M2 Ultra`). Nothing here judges the figures: engine/reports.py does.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any

from engine.reports import BenchFormat, BenchPaste, BenchRow, Phase

GIB, MIB = 1 << 30, 1 << 20

# llama.cpp's file-type names (llama_model_ftype_name in src/llama-model-loader.cpp) -> the names quants are
# published under. The K-quant mixes are written "Q4_K - Medium"; the i-quants carry their bits ("IQ2_XXS - 2.0625
# bpw"); IQ3_M is written "IQ3_S mix - 3.66 bpw" and Q2_K "Q2_K - Medium".
_MIX_SUFFIX = {"small": "_S", "medium": "_M", "large": "_L"}
_FTYPE_SPECIAL = {"Q2_K - Medium": "Q2_K", "IQ3_S mix": "IQ3_M", "all F32": "F32", "MXFP4 MoE": "MXFP4"}


# ------------------------------------------------------------------------------------------------ names

_FILE_QUANT = re.compile(
    r"(?i)(?:^|[-_.])((?:UD-)?(?:I?Q\d(?:_[0-9A-Z]+)*(?:_XL|_L|_M|_S|_XS|_XXS)?|BF16|F16|F32|MXFP4(?:_MOE)?))"
    r"(?:-\d{5}-of-\d{5})?(?:\.gguf)?$"
)


def quant_from_filename(path: str) -> str:
    """`models/Qwen3-30B-A3B-UD-Q4_K_XL.gguf` -> `UD-Q4_K_XL` (shard suffixes dropped); empty when it names none."""
    name = re.split(r"[\\/]", path.strip())[-1]
    m = _FILE_QUANT.search(name)
    return m.group(1).upper().replace("UD_", "UD-").removesuffix("_MOE") if m else ""


def quant_from_model_type(model_type: str) -> str:
    """`qwen2 7B Q4_K - Medium` -> `Q4_K_M`; `llama 7B mostly Q4_0` -> `Q4_0`; `IQ2_XXS - 2.0625 bpw` -> `IQ2_XXS`."""
    text = re.sub(r"\bmostly\s+", "", model_type)
    for written, name in _FTYPE_SPECIAL.items():
        if written in text:
            return name
    m = re.search(r"\b((?:I?Q|TQ)\d\w*|BF16|F16|F32)(?:\s+-\s+(Small|Medium|Large)\b)?", text)
    if not m:
        return ""
    return m.group(1) + (_MIX_SUFFIX[m.group(2).lower()] if m.group(2) else "")


def model_name_from_filename(path: str) -> str:
    """`/models/Qwen3-30B-A3B-Instruct-2507-Q4_K_M-00001-of-00002.gguf` -> `Qwen3-30B-A3B-Instruct-2507`."""
    name = re.split(r"[\\/]", path.strip())[-1]
    name = re.sub(r"(?i)(-\d{5}-of-\d{5})?\.gguf$", "", name)
    m = _FILE_QUANT.search(name)
    return name[: m.start()].strip("-_. ") if m else name


# ----------------------------------------------------------------------------------------------- tests

_TEST = re.compile(r"^(pp|tg)\s*(\d+)(?:\s*@\s*d\s*(\d+))?$", re.I)


def _phase_of_test(test: str) -> tuple[Phase, int, int] | None:
    """`pp512` -> (prefill, 512, 0); `tg128 @ d4096` -> (decode, 128, 4096); `pp512+tg128` -> None."""
    m = _TEST.match(test.strip())
    if not m:
        return None
    phase: Phase = "prefill" if m.group(1).lower() == "pp" else "decode"
    return phase, int(m.group(2)), int(m.group(3) or 0)


def _number(text: object) -> float | None:
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        value = float(text)
    else:
        m = re.match(r"\s*([-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?)", str(text), re.I)
        if not m:
            return None
        value = float(m.group(1))
    return value if math.isfinite(value) else None


def _size_bytes(cell: str) -> int | None:
    """`3.56 GiB`, `636.18 MiB` -> bytes."""
    m = re.match(r"\s*(\d+(?:\.\d+)?)\s*(GiB|MiB|GB|MB)\b", cell)
    if not m:
        return None
    scale = {"GiB": GIB, "MiB": MIB, "GB": 10**9, "MB": 10**6}[m.group(2)]
    return int(float(m.group(1)) * scale) or None


def _params(cell: str) -> int | None:
    """`6.74 B`, `30.53 B`, `494.03 M` -> parameters."""
    m = re.match(r"\s*(\d+(?:\.\d+)?)\s*([BMK])\b", cell)
    if not m:
        return None
    return int(float(m.group(1)) * {"B": 1e9, "M": 1e6, "K": 1e3}[m.group(2)]) or None


def _int(value: object) -> int | None:
    n = _number(value)
    return int(n) if n is not None else None


# ---------------------------------------------------------------------------------------------- devices

_DEVICE_LINES = (
    re.compile(r"^\s*Device \d+: (?P<name>[^,\n]+?)(?:,|$)", re.M),  # CUDA, ROCm, SYCL
    re.compile(r"ggml_vulkan: \d+ = (?P<name>[^(|\n]+?)\s*(?:\(|\|)", re.M),
    re.compile(r"GPU name:\s+(?P<name>[^\n]+?)\s*$", re.M),  # Metal
    re.compile(r"found device: (?P<name>[^\n]+?)\s*$", re.M),  # older Metal
)


def device_lines(text: str) -> tuple[str, ...]:
    """The accelerators llama.cpp printed, in order, each once."""
    found: list[str] = []
    for pattern in _DEVICE_LINES:
        found += [m.group("name").strip() for m in pattern.finditer(text)]
    return tuple(dict.fromkeys(n for n in found if n))


# --------------------------------------------------------------------------------------------- markdown

_COLUMN_ALIASES = {"t/s": "ts", "model": "model", "size": "size", "params": "params", "backend": "backend"}


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _markdown_rows(text: str) -> Iterator[dict[str, str]]:
    """Every body row of every llama-bench table, as {column: cell}."""
    header: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line.startswith("|"):
            header = None
            continue
        cells = _cells(line)
        if header is None:
            lowered = [c.lower() for c in cells]
            if "t/s" in lowered and "test" in lowered:
                header = [_COLUMN_ALIASES.get(c, c) for c in lowered]
            continue
        if all(re.fullmatch(r":?-+:?", c) for c in cells if c):
            continue
        if len(cells) == len(header):
            yield dict(zip(header, cells, strict=True))


def _markdown_row(cells: dict[str, str]) -> BenchRow | None:
    test = _phase_of_test(cells.get("test", ""))
    speed = _number(cells.get("ts", ""))
    if test is None or speed is None or speed <= 0:
        return None
    phase, n_tokens, depth = test
    if n_tokens <= 0:
        return None
    return BenchRow(
        model_type=cells.get("model", "")[:120],
        size_bytes=_size_bytes(cells.get("size", "")),
        params=_params(cells.get("params", "")),
        backend=cells.get("backend", "")[:40],
        n_gpu_layers=_int(cells.get("ngl")) if cells.get("ngl") else None,
        test=cells.get("test", "")[:40],
        phase=phase,
        n_tokens=n_tokens,
        depth_tokens=depth,
        tokens_per_s=speed,
        quant=quant_from_model_type(cells.get("model", "")),
    )


# ------------------------------------------------------------------------------- json, jsonl and csv


def _record_row(record: dict[str, Any]) -> BenchRow | None:
    """One llama-bench record (json, jsonl, csv): n_prompt / n_gen / n_depth and avg_ts."""
    n_prompt, n_gen = _int(record.get("n_prompt")) or 0, _int(record.get("n_gen")) or 0
    speed = _number(record.get("avg_ts"))
    if (n_prompt > 0) == (n_gen > 0) or speed is None or speed <= 0:
        return None
    phase: Phase = "prefill" if n_prompt > 0 else "decode"
    n_tokens = n_prompt or n_gen
    depth = max(_int(record.get("n_depth")) or 0, 0)
    size, params = _int(record.get("model_size")), _int(record.get("model_n_params"))
    model_file, model_type = str(record.get("model_filename") or ""), str(record.get("model_type") or "")
    return BenchRow(
        model_type=model_type[:120],
        model_file=model_file[:300],
        size_bytes=size if size and size > 0 else None,
        params=params if params and params > 0 else None,
        backend=str(record.get("backends") or "")[:40],
        n_gpu_layers=_int(record.get("n_gpu_layers")),
        test=f"{'pp' if phase == 'prefill' else 'tg'}{n_tokens}" + (f" @ d{depth}" if depth else ""),
        phase=phase,
        n_tokens=n_tokens,
        depth_tokens=depth,
        tokens_per_s=speed,
        quant=quant_from_filename(model_file) or quant_from_model_type(model_type),
    )


def _json_values(text: str) -> list[Any] | None:
    """The JSON of a paste: one document (an array or an object), else one object per line; None when neither."""
    try:
        doc = json.loads(text)
        return doc if isinstance(doc, list) else [doc]
    except ValueError:
        pass
    values = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            values.append(json.loads(line))
        except ValueError:
            continue
    return values or None


def _csv_records(text: str) -> list[dict[str, str]]:
    start = text.find("build_commit,")
    if start < 0:
        return []
    return list(csv.DictReader(io.StringIO(text[start:])))


# ------------------------------------------------------------------------------------------ llama-server

_SERVER_TIMING = re.compile(
    r"(?P<kind>prompt eval|eval) time\s*=\s*[\d.]+\s*ms\s*/\s*(?P<n>\d+)\s*(?:tokens|runs)\s*\(\s*[\d.]+\s*ms per "
    r"token,\s*(?P<ts>[\d.]+)\s*tokens per second\)"
)
_LOADED_FILE = re.compile(r"from (?P<path>\S+\.gguf)\b")
_MODEL_SIZE = re.compile(r"(?:model|file) size\s*=\s*(?P<size>[\d.]+\s*(?:GiB|MiB))")
_FILE_TYPE = re.compile(r"(?:model ftype|file type)\s*=\s*(?P<ftype>[^\n(]+)")


def _server_log_rows(text: str) -> list[BenchRow]:
    """`prompt eval time = ... / N tokens (..., X tokens per second)` then `eval time = ...`: a prefill of N tokens
    and a decode that follows it (its cache holds the prompt)."""
    path = m.group("path") if (m := _LOADED_FILE.search(text)) else ""
    size = _size_bytes(m.group("size")) if (m := _MODEL_SIZE.search(text)) else None
    ftype = m.group("ftype").strip() if (m := _FILE_TYPE.search(text)) else ""
    rows: list[BenchRow] = []
    prompt = 0
    for m in _SERVER_TIMING.finditer(text):
        n, speed = int(m.group("n")), float(m.group("ts"))
        if n <= 0 or speed <= 0 or not math.isfinite(speed):
            continue
        prefill = m.group("kind") == "prompt eval"
        rows.append(
            BenchRow(
                model_type=ftype[:120],
                model_file=path[:300],
                size_bytes=size,
                test="prompt eval" if prefill else "eval",
                phase="prefill" if prefill else "decode",
                n_tokens=n,
                depth_tokens=0 if prefill else prompt,
                tokens_per_s=speed,
                quant=quant_from_filename(path) or quant_from_model_type(ftype),
            )
        )
        prompt = n if prefill else 0
    return rows


def _server_json_rows(values: Iterable[Any]) -> list[BenchRow]:
    """The `timings` object of llama-server's answers: prompt_n / prompt_per_second, predicted_n /
    predicted_per_second (cache_n: prompt tokens taken from the cache)."""
    rows: list[BenchRow] = []
    for value in values:
        timings = value.get("timings") if isinstance(value, dict) else None
        if not isinstance(timings, dict):
            continue
        model = str(value.get("model") or "")[:300]
        cached = max(_int(timings.get("cache_n")) or 0, 0)
        prompt_n, prompt_ts = _int(timings.get("prompt_n")) or 0, _number(timings.get("prompt_per_second"))
        gen_n, gen_ts = _int(timings.get("predicted_n")) or 0, _number(timings.get("predicted_per_second"))
        if prompt_n > 0 and prompt_ts and prompt_ts > 0:
            rows.append(
                BenchRow(
                    model_file=model,
                    test="prompt",
                    phase="prefill",
                    n_tokens=prompt_n,
                    depth_tokens=cached,
                    tokens_per_s=prompt_ts,
                    quant=quant_from_filename(model),
                )
            )
        if gen_n > 0 and gen_ts and gen_ts > 0:
            rows.append(
                BenchRow(
                    model_file=model,
                    test="predicted",
                    phase="decode",
                    n_tokens=gen_n,
                    depth_tokens=cached + prompt_n,
                    tokens_per_s=gen_ts,
                    quant=quant_from_filename(model),
                )
            )
    return rows


# ----------------------------------------------------------------------------------------------- entry


def parse_bench(text: str) -> BenchPaste:
    """Whatever llama.cpp output the text holds, as rows; BenchPaste(format=None) when it holds none. Callers bound
    the text's size first (engine/reports.py PASTE_MAX_BYTES)."""
    text = text.replace("\r\n", "\n").replace("```", "\n")
    devices = device_lines(text)
    records = _csv_records(text)
    if records:
        return _paste("csv", [_record_row(r) for r in records], devices)
    values = _json_values(text.strip())
    if values is not None:
        objects = [v for v in values if isinstance(v, dict)]
        if any("avg_ts" in v for v in objects):
            fmt: BenchFormat = "json" if text.strip().startswith("[") else "jsonl"
            return _paste(fmt, [_record_row(v) for v in objects if "avg_ts" in v], devices)
        server = _server_json_rows(objects)
        if server:
            return _paste("server-json", list(server), devices)
    table = [_markdown_row(cells) for cells in _markdown_rows(text)]
    if table:
        return _paste("markdown", table, devices)
    log = _server_log_rows(text)
    if log:
        return _paste("server-log", list(log), devices)
    return BenchPaste(format=None, devices=devices)


def _paste(fmt: BenchFormat, rows: list[BenchRow | None], devices: tuple[str, ...]) -> BenchPaste:
    kept = tuple(r for r in rows if r is not None)
    return BenchPaste(format=fmt, rows=kept, devices=devices, skipped=len(rows) - len(kept))
