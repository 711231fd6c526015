"""How many memory channels a stated amount of RAM fills on a server platform (engine/rig.populated_channels)."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.parse import parse_hardware
from engine.rig import populated_channels


@pytest.mark.parametrize(
    ("gib", "platform_channels", "generation", "channels"),
    [
        # 96 GB of DDR4 on an 8-channel EPYC: no 12 GB DDR4 DIMM exists, so six 16 GB DIMMs
        (96, 8, "DDR4", 6),
        # 48 GB of DDR4 on a 4-channel Xeon E5: three 16 GB DIMMs
        (48, 4, "DDR4", 3),
        # sizes that fill every channel with one DIMM size, or two per channel
        (256, 8, "DDR4", 8),
        (512, 8, "DDR4", 8),
        (1024, 8, "DDR4", 8),
        (192, 12, "DDR5", 12),
        (384, 12, "DDR5", 12),
        (768, 12, "DDR5", 12),
        (1536, 12, "DDR5", 12),
        # DDR5's 48 GB parts: 96 GB on a desktop is two of them
        (96, 2, "DDR5", 2),
        # a size no equal DIMMs make (what an OS reports: 252 GB): every channel, as the platform has
        (252, 4, "DDR4", 4),
        # unknown generation: the platform's channels
        (96, 8, "LPDDR5X", 8),
    ],
)
def test_ram_fills_the_channels_its_dimms_can(
    gib: float, platform_channels: int, generation: str, channels: int
) -> None:
    assert populated_channels(gib, platform_channels, generation) == channels


@pytest.mark.parametrize(
    ("phrase", "bandwidth_gb_s"),
    [
        # 6 x 16 GB DDR4-2933 on an EPYC 7302P: 6 x 2933 x 8 = 140.8 GB/s, not the 8-channel 187.7
        ("epyc 7302p + 4x 3090 + 96gb ddr4-2933", 140.8),
        # a channel count stated wins over the DIMM arithmetic
        ("epyc 7302p + 96gb ddr4-2933 8 channel", 187.7),
        # 512 GB on the same platform fills all eight
        ("epyc 7302p + 512gb ddr4-2933", 187.7),
    ],
)
def test_a_rig_s_ram_bandwidth_follows_its_dimms(real_catalog: Catalog, phrase: str, bandwidth_gb_s: float) -> None:
    ram = parse_hardware(phrase, real_catalog)[0].rig.ram
    assert ram is not None and ram.bandwidth_gb_s == pytest.approx(bandwidth_gb_s, rel=0.01)


@pytest.mark.parametrize(
    ("phrase", "description"),
    [
        # MRDIMMs on Xeon 6 6900P run at 8800 MT/s where RDIMMs run at 6400: 12 x 8800 x 8 = 844.8 GB/s
        ("xeon 6980p 1.5tb mrdimm", "DDR5-8800 12-channel"),
        ("xeon 6980p 768gb mr-dimm", "DDR5-8800 12-channel"),
        ("xeon 6980p + 1536gb mrdimm-8800", "DDR5-8800 12-channel"),
        # a stated MRDIMM speed wins
        ("2x xeon 6980p 3tb mrdimm 8000", "DDR5-8000 24-channel"),
        # plain DDR5 on the same CPU: the platform's RDIMM speed
        ("xeon 6980p 1.5tb", "DDR5-6400 12-channel"),
    ],
)
def test_mrdimms_run_at_their_own_speed(real_catalog: Catalog, phrase: str, description: str) -> None:
    ram = parse_hardware(phrase, real_catalog)[0].rig.ram
    assert ram is not None and ram.description.startswith(description)


@pytest.mark.parametrize(
    ("phrase", "ram_gib"),
    [
        # DIMMs as people list them, count x size, right after the CPU
        ("epyc 9654 12x64gb", 768),
        ("epyc 7763 16x64gb ddr4", 1024),
        ("dual xeon gold 6248 12x32gb", 384),
        ("xeon w9-3495x 8x64gb ddr5", 512),
        ("threadripper pro 3975wx, 8x32gb @ 3200", 256),
        ("i9-13900k 2x48gb", 96),
        # a breakdown in brackets after the total says the same amount again
        ("4x3090 + 256gb (8x32) ddr4", 256),
        ("4x3090 + 256gb (8x32gb) ddr4", 256),
    ],
)
def test_dimms_written_as_count_by_size(real_catalog: Catalog, phrase: str, ram_gib: int) -> None:
    ram = parse_hardware(phrase, real_catalog)[0].rig.ram
    assert ram is not None and ram.memory_bytes == ram_gib * 2**30


def test_a_card_written_as_count_by_size_is_not_ram(real_catalog: Catalog) -> None:
    rig = parse_hardware("rtx 3090 2x24gb", real_catalog)[0].rig
    assert rig.ram is None and rig.gpus[0].name == "NVIDIA GeForce RTX 3090"


@pytest.mark.parametrize(
    ("phrase", "channels", "memory_type"),
    [
        # a motherboard that takes one socket's CPUs names the memory platform when no CPU is written
        ("4x3090 on x399 w/ 256gb", 4, "DDR4"),  # Threadripper 1000/2000: quad-channel DDR4
        ("2x 3090 + x99 + 128gb ddr4", 4, "DDR4"),  # Xeon E5 v3/v4 boards: quad-channel
        ("3x 3090 on h12ssl with 512gb", 8, "DDR4"),  # Supermicro H12SSL: EPYC 7002/7003, eight channels
        ("trx50 + 2x 5090 + 384gb", 4, "DDR5"),  # Threadripper 7000 on TRX50: quad-channel DDR5
        # written straight after the cards, with no `+` or `on`
        ("6x 3090 romed8-2t 256gb", 8, "DDR4"),
        ("4x 4090 wrx80 256gb", 8, "DDR4"),
        ("2x 3090 x99 128gb ddr4", 4, "DDR4"),
    ],
)
def test_a_board_names_its_memory_platform(real_catalog: Catalog, phrase: str, channels: int, memory_type: str) -> None:
    ram = parse_hardware(phrase, real_catalog)[0].rig.ram
    assert ram is not None and ram.channels == channels and ram.memory_type == memory_type
