"""A bare VRAM size ("8gb", "24GB VRAM") is read as the most common card of that size, named in the assumptions."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from catalog.types import Gpu
from engine.parse import parse_hardware
from engine.parse.hardware import TYPICAL_GPU_BY_GIB


@pytest.mark.parametrize(("gib", "hardware_id"), sorted(TYPICAL_GPU_BY_GIB.items()))
def test_each_typical_card_is_a_catalog_gpu_of_that_size(real_catalog: Catalog, gib: int, hardware_id: str) -> None:
    entry = real_catalog.hardware.get(hardware_id)
    assert isinstance(entry, Gpu), f"{gib} GB reads as {hardware_id}, which the catalog does not hold as a GPU"
    assert round(entry.memory_gib) == gib


# (what people type, the card it is read as): the consumer card most sold at that size, never the first catalog name
# of that size (an 8 GB phrase had read as an AMD FirePro S7100X server card)
BARE = [
    ("8gb", "GeForce RTX 4060"),
    ("8GB VRAM", "GeForce RTX 4060"),
    ("10gb vram", "GeForce RTX 3080"),
    ("11gb", "GeForce GTX 1080 Ti"),
    ("6gb vram", "GeForce RTX 2060"),
    ("24GB", "GeForce RTX 3090"),
]


@pytest.mark.parametrize(("phrase", "name"), BARE)
def test_a_bare_size_reads_as_the_common_card(real_catalog: Catalog, phrase: str, name: str) -> None:
    first = parse_hardware(phrase, real_catalog)[0]
    assert first.rig.gpus and name in first.rig.gpus[0].name
