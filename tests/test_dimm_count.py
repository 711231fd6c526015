"""RAM said as DIMMs fills no more channels than there are DIMMs (engine/rig.py dimm_bound): each DIMM sits in one
channel, so `2 x 16 GB` on a 4-channel Xeon E5 runs on two of them, at half the platform's bandwidth. Phrases as
people write a build's memory in forum posts, issue templates and spec sheets; the channels each reads from the
platform's facts (catalog/data/hardware/cpus.yaml) and the DIMMs said. Also the session 9 review's phones (refused
with what can be sized) and the Raspberry Pi 4 (read like the Pi 5, from its own board's facts)."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.errors import ErrorCode, RigfitError
from engine.parse import parse_hardware
from engine.rig import dimm_bound
from engine.units import GIB

# phrase -> (RAM GiB, channels filled, MT/s)
DIMM_CASES = [
    # the session 9 row: two DIMMs on a 4-channel Broadwell-EP, with its total said again
    ("Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\n- 2 x 16 GB - DDR4 - 2400 MT/s - Total 32GB", 32, 2, 2400),
    ("xeon e5-2680 v4 2x16GB DDR4", 32, 2, 2400),
    ("xeon e5-2680 v4 with 2 sticks of 16gb", 32, 2, 2400),
    ("xeon e5-2680 v4, 4 x 8GB ddr4", 32, 4, 2400),  # four DIMMs: every channel
    # a DIMM count at or over the channels is no bound: the platform's channels stay
    ("ryzen 9 7950x 4x32gb ddr5", 128, 2, 5200),
    ("epyc 9654 12x64gb", 768, 12, 4800),
    # 8 of the Genoa's 12 channels; 4 RDIMMs fill 4 (256 GB had read as 8 x 32 GB)
    ("8x 64GB RDIMM on an EPYC 9654", 512, 8, 4800),
    ("4x 64GB RDIMM on an EPYC 9654", 256, 4, 4800),
    ("epyc 9654 with 4x64gb ddr5", 256, 4, 4800),
    # one stick is one channel, with or without a CPU named
    ("ryzen 9 7950x one 32gb stick ddr5", 32, 1, 5200),
    ("rtx 3090 + one 32gb stick of ddr4", 32, 1, 3200),
    ("a single 64gb ddr5 dimm", 64, 1, 5600),
    ("1x32gb ddr5", 32, 1, 5600),
    # channels said outright win over the DIMMs
    ("xeon e5-2680 v4 2x16gb ddr4 quad channel", 32, 4, 2400),
]


@pytest.mark.parametrize(("phrase", "gib", "channels", "mt_s"), DIMM_CASES, ids=[c[0][:50] for c in DIMM_CASES])
def test_dimms_bound_the_channels(real_catalog: Catalog, phrase: str, gib: int, channels: int, mt_s: int) -> None:
    ram = parse_hardware(phrase, real_catalog)[0].rig.ram
    assert ram is not None
    assert (ram.memory_bytes / GIB, ram.channels) == (gib, channels)
    assert ram.bandwidth_gb_s == pytest.approx(mt_s * 8 * channels / 1000)


@pytest.mark.parametrize(
    ("channels", "dimms", "filled"), [(4, 2, 2), (4, 4, 4), (12, 8, 8), (2, 4, 2), (8, None, 8), (2, 1, 1)]
)
def test_dimm_bound(channels: int, dimms: int | None, filled: int) -> None:
    assert dimm_bound(channels, dimms) == filled


# a phone is refused with a way out: RAM on a laptop or desktop, or a board the catalog has
PHONES = ["phone with 12gb ram", "phone 8gb ram", "my phone has 12gb", "smartphone 8gb", "android phone with 16gb"]


@pytest.mark.parametrize("phrase", PHONES)
def test_a_phone_is_refused_with_what_can_be_sized(real_catalog: Catalog, phrase: str) -> None:
    with pytest.raises(RigfitError) as err:
        parse_hardware(phrase, real_catalog)
    assert err.value.code is ErrorCode.DEVICE_UNKNOWN
    assert "laptop or desktop" in str(err.value) and "raspberry pi 5" in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("phrase", ["headphones", "microphone"])
def test_words_holding_phone_are_not_phones(real_catalog: Catalog, phrase: str) -> None:
    with pytest.raises(RigfitError) as err:
        parse_hardware(phrase, real_catalog)
    assert "phone is not" not in str(err.value)


# phrase -> (GiB of the first reading, GB/s): LPDDR4-3200 on the BCM2711's 32-bit bus, 12.8 GB/s
PI4_CASES = [
    ("raspberry pi 4 4gb", 4, 12.8),
    ("rpi4 8gb", 8, 12.8),
    ("pi 4 8gb", 8, 12.8),
    ("raspberry pi 4 model b 8gb", 8, 12.8),
    ("raspberry pi 4", 8, 12.8),  # no size: the sizes it was sold with, largest first
    ("raspberry pi 5 8gb", 8, 17.068),  # its neighbour keeps its own LPDDR4X-4267
]


@pytest.mark.parametrize(("phrase", "gib", "gb_s"), PI4_CASES, ids=[c[0] for c in PI4_CASES])
def test_raspberry_pi_4(real_catalog: Catalog, phrase: str, gib: int, gb_s: float) -> None:
    ram = parse_hardware(phrase, real_catalog)[0].rig.ram
    assert ram is not None
    assert ram.memory_bytes == gib * GIB
    assert ram.bandwidth_gb_s == pytest.approx(gb_s)
