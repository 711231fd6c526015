"""/recommend's upgrades of a stated rig: swapping the cards buys memory or bandwidth without giving up prompt speed
(engine/recommend.py _better_card)."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.parse import parse_hardware
from engine.recommend import UpgradeKind, upgrade_path
from engine.rig import gpu_device


def _swaps(real_catalog: Catalog, model: str, hardware: str, min_tps: float) -> list[str]:
    rig = parse_hardware(hardware, real_catalog)[0].rig
    path = upgrade_path(real_catalog.models[model], rig, real_catalog, min_decode_tps=min_tps)
    return [u.device_id or "" for u in path.upgrades if u.kind == UpgradeKind.SWAP_CARDS]


@pytest.mark.parametrize(
    ("model", "hardware", "min_tps"),
    [
        ("llama-3.3-70b", "rtx 4090 + 64gb ddr5", 10),  # the fourth review: an MI50 32GB swap had been offered
        ("llama-3.3-70b", "rtx 3090 + 64gb ddr4", 10),
        ("qwen3-32b", "rtx 4090 + 32gb ddr5", 30),
    ],
)
def test_a_swap_never_gives_up_prompt_speed(real_catalog: Catalog, model: str, hardware: str, min_tps: float) -> None:
    rig = parse_hardware(hardware, real_catalog)[0].rig
    have = rig.gpus[0].matrix
    assert have is not None
    for device_id in _swaps(real_catalog, model, hardware, min_tps):
        swapped = gpu_device(real_catalog.hardware[device_id]).matrix  # type: ignore[arg-type]
        assert swapped is None or swapped.tops >= have.tops, device_id
