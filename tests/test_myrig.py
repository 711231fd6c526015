"""`rigfit myrig` and `here` (issue 14): this machine, detected by probes (faked here, one fake per kind of machine
people run models on), printed as the phrase to paste into Discord, and that phrase read back by the parser as the
same machine. The probes' values are what the real tools print on such machines: NVML's card names and memory
totals, sysctl's brand string and hw.memsize, /proc/cpuinfo's model names, psutil's memory total (a little under
what is installed)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.requests import REQUESTS
from bot.terminal import cli
from bot.terminal.myrig import (
    NOTHING_DETECTED,
    AppleChip,
    Cpu,
    Gpu,
    Probes,
    _cpu,
    cpu_name,
    myrig,
    sold_gib,
    substitute_here,
)
from catalog.catalog import Catalog
from engine.parse import parse_hardware
from engine.units import GIB

MIB = 1 << 20


def probes(
    gpus: tuple[Gpu, ...] = (), apple: AppleChip | None = None, cpu: Cpu | None = None, memory: int | None = None
) -> Probes:
    return Probes(nvidia=lambda: gpus, apple=lambda: apple, cpu=lambda: cpu, memory_bytes=lambda: memory)


@dataclass(frozen=True)
class Box:
    """A machine as its probes see it, the phrase a person would write for it, and how it must read back."""

    probes: Probes
    phrase: str
    gpus: tuple[tuple[str, float], ...] = ()  # (a word of the device's name, GiB) per GPU
    unified_gib: float | None = None
    ram_gib: float | None = None
    ram_words: str = ""  # in the RAM's description: the platform the CPU model gave


RTX_3090 = Gpu(name="NVIDIA GeForce RTX 3090", memory_bytes=24576 * MIB)  # nvidia-smi: 24576MiB
RTX_4070_LAPTOP = Gpu(name="NVIDIA GeForce RTX 4070 Laptop GPU", memory_bytes=8188 * MIB)  # 8188MiB

BOXES = {
    # a home server with two used 3090s on a Ryzen 9 5950X; 128 GB installed, 125.7 GiB reported
    "nvidia-two-cards": Box(
        probes(
            gpus=(RTX_3090, RTX_3090),
            cpu=Cpu("AMD Ryzen 9 5950X 16-Core Processor"),
            memory=int(125.7 * GIB),
        ),
        "2x RTX 3090 24GB + Ryzen 9 5950X 128GB",
        gpus=(("3090", 24), ("3090", 24)),
        ram_gib=128,
        ram_words="DDR4-3200 2-channel",
    ),
    # a 16-inch MacBook Pro: sysctl prints `Apple M3 Max` and 68719476736
    "mac-m3-max-64": Box(
        probes(apple=AppleChip("Apple M3 Max", 68719476736), memory=68719476736),
        "M3 Max 64GB",
        unified_gib=64,
    ),
    # a CPU-only inference box: two EPYC 9654 sockets, 24 x 64 GB DIMMs, 1510 GiB reported
    "epyc-cpu-only": Box(
        probes(cpu=Cpu("AMD EPYC 9654 96-Core Processor", sockets=2), memory=int(1510 * GIB)),
        "EPYC 9654 dual socket 1536GB",
        ram_gib=1536,
        ram_words="24-channel",
    ),
    # a gaming laptop: the i7-13700H is not in the catalog, so the phrase keeps the RAM without it
    "laptop-4070": Box(
        probes(
            gpus=(RTX_4070_LAPTOP,),
            cpu=Cpu("13th Gen Intel(R) Core(TM) i7-13700H"),
            memory=int(31.6 * GIB),
        ),
        "RTX 4070 Laptop GPU 8GB + 32GB RAM",
        gpus=(("Mobile", 8),),
        ram_gib=32,
    ),
}


@pytest.mark.parametrize("name", BOXES)
def test_the_phrase_is_the_one_a_person_would_paste(real_catalog: Catalog, name: str) -> None:
    box = BOXES[name]
    phrase, text = myrig(real_catalog, box.probes)
    assert phrase == box.phrase
    assert text.splitlines()[0] == box.phrase  # the first line is the phrase alone, to copy


@pytest.mark.parametrize("name", BOXES)
def test_the_phrase_reads_back_as_the_same_machine(real_catalog: Catalog, name: str) -> None:
    box = BOXES[name]
    rig = parse_hardware(box.phrase, real_catalog)[0].rig
    assert rig.nodes == 1
    got = [(g.name, round(g.memory_bytes / GIB)) for g in rig.gpus]
    assert len(got) == len(box.gpus)
    assert all(word in name and gib == want for (name, gib), (word, want) in zip(got, box.gpus, strict=True))
    assert (rig.unified.memory_bytes / GIB if rig.unified else None) == box.unified_gib
    assert (rig.ram.memory_bytes / GIB if rig.ram else None) == box.ram_gib
    assert box.ram_words in (rig.ram.description if rig.ram else "")


def test_the_laptop_card_is_the_laptop_one(real_catalog: Catalog) -> None:
    """The 4070 Laptop GPU has 8 GB on a 128-bit bus (256 GB/s), not the desktop card's 12 GB at 504 GB/s."""
    rig = parse_hardware(BOXES["laptop-4070"].phrase, real_catalog)[0].rig
    assert [g.bandwidth_gb_s for g in rig.gpus] == [256]


def test_nothing_detected_is_one_clear_line(real_catalog: Catalog) -> None:
    phrase, text = myrig(real_catalog, probes())
    assert phrase is None
    assert text == NOTHING_DETECTED and "\n" not in text
    assert "write it out" in text and "RTX 4090 + 64GB RAM" in text


def test_an_intel_mac_is_read_like_a_pc(real_catalog: Catalog) -> None:
    box = probes(
        apple=AppleChip("Intel(R) Core(TM) i9-9980HK CPU @ 2.40GHz", 32 * GIB),
        cpu=None,
        memory=32 * GIB,
    )
    assert myrig(real_catalog, box)[0] == "32GB RAM"


@pytest.mark.parametrize(
    ("model", "written"),
    [
        ("AMD EPYC 9654 96-Core Processor", "EPYC 9654"),
        ("AMD Ryzen 9 7950X 16-Core Processor", "Ryzen 9 7950X"),
        ("AMD Ryzen AI Max+ 395 w/ Radeon 8060S", "Ryzen AI Max+ 395 w/ Radeon 8060S"),
        ("Intel(R) Xeon(R) Gold 6138 CPU @ 2.00GHz", "Xeon Gold 6138"),
        ("Intel(R) Core(TM) i9-14900K", "Core i9-14900K"),
        ("13th Gen Intel(R) Core(TM) i7-13700H", "Core i7-13700H"),
        ("Intel(R) N100", "N100"),
    ],
)
def test_cpu_names_as_people_write_them(model: str, written: str) -> None:
    assert cpu_name(model) == written


@pytest.mark.parametrize(
    ("reported_gib", "sold"),
    [(125.7, 128), (62.6, 64), (31.3, 32), (15.5, 16), (1510, 1536), (64.0, 64), (23.5, 24), (94.2, 96)],
)
def test_memory_reads_as_the_size_sold(reported_gib: float, sold: int) -> None:
    assert sold_gib(int(reported_gib * GIB)) == sold


def test_proc_cpuinfo_gives_the_model_and_sockets(tmp_path: Path) -> None:
    cores = [
        f"processor\t: {i}\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9654 96-Core Processor\n"
        f"physical id\t: {i % 2}\n"
        for i in range(4)
    ]
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("\n".join(cores), encoding="utf-8")
    assert _cpu(cpuinfo) == Cpu("AMD EPYC 9654 96-Core Processor", sockets=2)
    assert _cpu(tmp_path / "missing") is None


@pytest.mark.parametrize(
    ("command", "raw", "replaced"),
    [
        ("fit", {"model": "qwen3-8b", "hardware": "here"}, "hardware"),
        ("fit", {"model": "qwen3-8b", "hardware": " Here "}, "hardware"),
        ("whatfits", {"hardware": "here"}, "hardware"),
        ("compare", {"first": "qwen3-8b", "second": "llama-3.1-8b", "against": "here"}, "against"),
    ],
)
def test_here_becomes_this_machine(command: str, raw: dict[str, object], replaced: str) -> None:
    out, error = substitute_here(raw, REQUESTS[command], lambda: "2x RTX 3090 24GB + 128GB RAM")
    assert error is None
    assert out[replaced] == "2x RTX 3090 24GB + 128GB RAM"
    assert {k: v for k, v in out.items() if k != replaced} == {k: v for k, v in raw.items() if k != replaced}


def test_here_is_left_alone_where_no_rig_is_asked() -> None:
    """The `hardware` card takes one device's name, and `here` as a model name is just a name."""
    assert substitute_here({"name": "here"}, REQUESTS["hardware"], lambda: "24GB RAM") == ({"name": "here"}, None)
    assert substitute_here({"model": "here", "hardware": "RTX 3090"}, REQUESTS["fit"], lambda: "x")[0]["model"] == (
        "here"
    )


def test_here_on_a_machine_where_nothing_is_detected() -> None:
    _, error = substitute_here({"model": "qwen3-8b", "hardware": "here"}, REQUESTS["fit"], lambda: None)
    assert error == NOTHING_DETECTED


@pytest.fixture
def cli_env(real_catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "cli.sqlite3"))
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setattr(cli, "load", lambda: real_catalog)


def test_rigfit_myrig_prints_the_phrase(
    cli_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "THIS_MACHINE", BOXES["mac-m3-max-64"].probes)
    assert cli.main(["myrig"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "M3 Max 64GB"
    assert "Apple M3 Max (40-core GPU) 64GB" in out


def test_rigfit_myrig_with_nothing_detected(
    cli_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "THIS_MACHINE", probes())
    assert cli.main(["myrig"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.strip() == f"rigfit: {NOTHING_DETECTED}"


def test_rigfit_fit_here_uses_this_machine(
    cli_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "THIS_MACHINE", BOXES["nvidia-two-cards"].probes)
    assert cli.main(["fit", "llama-3.3-70b", "here"]) == 0
    out = capsys.readouterr().out
    assert "2x NVIDIA GeForce RTX 3090 + 128 GB DDR4-3200" in out


def test_rigfit_fit_here_with_nothing_detected_exits_2(
    cli_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "THIS_MACHINE", probes())
    assert cli.main(["fit", "llama-3.3-70b", "here"]) == 2
    assert NOTHING_DETECTED in capsys.readouterr().err
