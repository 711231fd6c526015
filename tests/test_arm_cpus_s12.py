"""Arm CPUs (and other CPU-only platforms) named the way people write them read as their catalog platform: the CPU,
its memory type, the channels the RAM fills and the bandwidth derived from the platform's facts
(catalog/data/hardware/cpus.yaml: MT/s x 8 bytes x channels, or MT/s x bus width / 8 for a soldered LPDDR bus)."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.errors import RigfitError
from engine.parse import parse_hardware
from engine.rig import cpu_ram
from engine.units import GIB

# phrase -> (catalog CPU id, channels over all sockets, memory type, GB/s derived by hand from the platform's facts)
CASES = [
    ("ampere altra 128gb", "ampere-altra", 8, "DDR4", 3200 * 8 * 8 / 1000),
    ("ampere altra q80-30 256gb ddr4", "ampere-altra-q80-30", 8, "DDR4", 204.8),
    ("dual altra q80-30 512gb ddr4-3200", "ampere-altra-q80-30", 16, "DDR4", 409.6),
    ("Ampere Altra Max M128-30 512GB", "ampere-altra-max", 8, "DDR4", 204.8),
    ("2x ampere altra max 1tb", "ampere-altra-max", 16, "DDR4", 409.6),
    # AmpereOne's DDR5 speed is not sourced: the phrase's own speed is used
    ("ampereone 256gb ddr5-4800", "ampereone", 8, "DDR5", 4800 * 8 * 8 / 1000),
    ("graviton2 m6g 256gb", "aws-graviton2", 8, "DDR4", 204.8),
    ("graviton3 c7g 128gb", "aws-graviton3", 8, "DDR5", 307.2),
    ("graviton3 c7g.16xlarge 128gb", "aws-graviton3", 8, "DDR5", 307.2),
    ("hpc7g 128gb", "aws-graviton3", 8, "DDR5", 307.2),  # Graviton3E: Graviton3's memory platform
    ("graviton4 768gb", "aws-graviton4", 12, "DDR5", 5600 * 8 * 12 / 1000),
    ("dual graviton4 1.5tb", "aws-graviton4", 24, "DDR5", 1075.2),
    ("r8g 384gb", "aws-graviton4", 12, "DDR5", 537.6),
    ("dual epyc 9654 768gb", "epyc-9654", 24, "DDR5", 921.6),
    ("xeon 6980p 1.5tb ddr5-6400", "xeon-6980p", 12, "DDR5", 614.4),
    # Arrow Lake-H laptops: dual-channel DDR5-6400 SO-DIMMs, or LPDDR5X-8400 (128 bits either way)
    ("core ultra 9 285h 32gb ddr5", "core-ultra-200h-arrow-lake-h", 2, "DDR5", 102.4),
    ("laptop with ultra 9 285h and 32gb lpddr5x", "core-ultra-200h-arrow-lake-h", 2, "LPDDR5X", 134.4),
]


@pytest.mark.parametrize(("phrase", "cpu_id", "channels", "memory_type", "gb_s"), CASES, ids=[c[0] for c in CASES])
def test_cpu_phrases_read_as_their_platform(
    real_catalog: Catalog, phrase: str, cpu_id: str, channels: int, memory_type: str, gb_s: float
) -> None:
    rig = parse_hardware(phrase, real_catalog)[0].rig
    assert rig.ram is not None and not rig.gpus
    assert real_catalog.cpus[cpu_id].name in rig.ram.description
    assert (rig.ram.channels, rig.ram.memory_type) == (channels, memory_type)
    assert rig.ram.bandwidth_gb_s == pytest.approx(gb_s, rel=1e-3)


# catalog CPU id -> (GiB, GB/s, what is assumed): a soldered LPDDR5X bus, bandwidth = MT/s x bus bits / 8
BUS_CASES = [
    ("snapdragon-x-elite-plus", 32, 8448 * 128 / 8 / 1000, ()),
    # the Grace superchip's data rate is not published: the engine's LPDDR5X default (8000) is assumed, which with the
    # derived 1024-bit bus gives NVIDIA's 1024 GB/s for 240 and 480 GB
    ("nvidia-grace-cpu-superchip", 480, 1024.0, ("speed",)),
]


@pytest.mark.parametrize(("cpu_id", "gib", "gb_s", "assumed"), BUS_CASES, ids=[c[0] for c in BUS_CASES])
def test_lpddr_bus_platforms(
    real_catalog: Catalog, cpu_id: str, gib: int, gb_s: float, assumed: tuple[str, ...]
) -> None:
    ram, said = cpu_ram(real_catalog.cpus[cpu_id], gib, None, None, None, 1)
    assert ram.bandwidth_gb_s == pytest.approx(gb_s, rel=1e-3)
    assert said == assumed


ARM_IDS = [
    "ampere-altra",
    "ampere-altra-max",
    "ampereone",
    "aws-graviton2",
    "aws-graviton3",
    "aws-graviton4",
    "nvidia-grace-cpu-superchip",
    "snapdragon-x-elite-plus",
]


@pytest.mark.parametrize("cpu_id", ARM_IDS)
def test_arm_parts_claim_no_x86_instructions(real_catalog: Catalog, cpu_id: str) -> None:
    cpu = real_catalog.cpus[cpu_id]
    assert (cpu.avx2, cpu.vnni, cpu.avx512, cpu.amx) == (None, None, None, None)
    assert cpu.notes is not None and "prefill" in cpu.notes


# Snapdragon X laptops are catalog CPUs; a phone's Snapdragon is still refused (tests/test_parse_hardware_table.py)
SNAPDRAGON_X = [
    ("snapdragon x elite 32gb", 32),
    ("snapdragon x plus 16gb", 16),
    ("my laptop has a Snapdragon X Elite and 64GB", 64),
]


@pytest.mark.parametrize(("phrase", "gib"), SNAPDRAGON_X)
def test_a_snapdragon_x_laptop_reads_as_its_soldered_bus(real_catalog: Catalog, phrase: str, gib: int) -> None:
    rig = parse_hardware(phrase, real_catalog)[0].rig
    assert rig.ram is not None and not rig.gpus
    assert real_catalog.cpus["snapdragon-x-elite-plus"].name in rig.ram.description
    assert rig.ram.memory_bytes == gib * GIB
    assert rig.ram.bandwidth_gb_s == pytest.approx(8448 * 128 / 8 / 1000, rel=1e-3)


# phrase -> (catalog CPU id, GiB): phrases read wrong before round 2 session 13 (a CPU's own name taken as the words of
# a GPU's, a part number's `32X` as a count, an EC2 size, a laptop's size before the chip in brackets)
READ_NOW = [
    ("grace superchip 480gb", "nvidia-grace-cpu-superchip", 480),  # not the GH200 (`grace hopper superchip`)
    ("nvidia grace cpu superchip 240GB", "nvidia-grace-cpu-superchip", 240),
    ("surface laptop 7 32gb (snapdragon x elite)", "snapdragon-x-elite-plus", 32),
    ("AmpereOne A192-32X 512GB DDR5-5200", "ampereone", 512),  # not 32 DIMMs of 512 GB
    ("c7g.16xlarge 128gb", "aws-graviton3", 128),
    ("r8g.metal-24xl 768gb", "aws-graviton4", 768),
    ("m6g.large 8gb", "aws-graviton2", 8),
]


@pytest.mark.parametrize(("phrase", "cpu_id", "gib"), READ_NOW, ids=[c[0] for c in READ_NOW])
def test_read_as_the_cpu(real_catalog: Catalog, phrase: str, cpu_id: str, gib: int) -> None:
    rig = parse_hardware(phrase, real_catalog)[0].rig
    assert not rig.gpus and rig.ram is not None
    assert rig.ram.memory_bytes == gib * GIB
    assert real_catalog.cpus[cpu_id].name in rig.ram.description


# an instance size after a family that is no CPU the catalog has is not read as another device by its family word
NOT_A_CPU_FAMILY = ["m5.large 8gb"]  # `m5` is no Apple M5 here


@pytest.mark.parametrize("phrase", NOT_A_CPU_FAMILY)
def test_an_unknown_instance_family_is_refused(real_catalog: Catalog, phrase: str) -> None:
    with pytest.raises(RigfitError) as err:
        parse_hardware(phrase, real_catalog)
    assert "m5.large" in str(err.value)
