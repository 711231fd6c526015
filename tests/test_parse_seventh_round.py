"""Rules added in the seventh round of hardware phrases and model names as people write them (round 2, session 14):
what tools, titles and tables print around a rig, counts said in other ways, and shortened model names. Each case
is read with the real catalog; the phrases the rules came from are rows of tests/data/hardware_phrases.yaml and
tests/data/model_names.yaml."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.errors import RigfitError
from engine.parse import parse_hardware, parse_model

# phrase -> the first reading's label
HARDWARE = [
    # a shell prompt before a tool's output; a journal line's date, host and process id
    (
        "root@node1:~# nvidia-smi -L\nGPU 0: Quadro RTX 4000 (UUID: GPU-c7b57be0)\n"
        "GPU 1: Quadro RTX 4000 (UUID: GPU-d6de6afc)",
        "2x NVIDIA Quadro RTX 4000",
    ),
    (
        "Nov 14 14:44:39 box ollama[2898]:   Device 0: AMD Radeon AI PRO R9700, gfx1201 (0x1201), VMM: no, "
        "Wave Size: 32",
        "AMD Radeon AI PRO R9700",
    ),
    # a decoration run glued to a Chinese count; an issue's number; an ISO date
    ("---------8卡4090 48G---------", "8x NVIDIA GeForce RTX 4090"),
    ("Folgt auf #1265: Tesla V100 32 GB", "NVIDIA Tesla V100 SXM2 32GB"),
    ("2026-05-10 · Apple M4 Max · 128GB", "Apple M4 Max (40-core GPU) 128GB"),
    # a Mac's year after its name, its storage after its memory, its P and E cores, a time after a table's bar
    ("| Mac Studio 2022 | M2 Ultra 20-core | 64 | 1TB |", "Apple M2 Ultra 64GB"),
    ('2023 Macbook Pro 16", M3 Max, 48 GB, 1 TB', "Apple M3 Max (40-core GPU) 48GB"),
    ('MacBook Pro 14" M3 (4P,4E) 16GB', "Apple M3 16GB"),
    ("Mac Mini 2024 M4 10-core 16GB/256GB | 141s", "Apple M4 16GB"),
    # counts: after a model number (not PCIe lanes), restated in a heading's brackets, of other things, said again
    ("Mi300x x8 unable to launch", "8x AMD Instinct MI300X"),
    ("H200 (8x H200 on vllm)", "8x NVIDIA H200 141GB"),
    ("2x RTX 5060 Ti 16GB: two rows", "2x NVIDIA GeForce RTX 5060 Ti 16GB"),
    ("Rig 6xRTX3070Ti, all 6 video cards fail", "6x NVIDIA GeForce RTX 3070 Ti"),
    ("Select g5.12xlarge (which contains 4 GPUS, A10Gs)", "4x NVIDIA A10G"),
    ("Would 2H100 be enough?", "2x NVIDIA H100 SXM5 80GB"),
    ("四卡H800", "4x NVIDIA H800 SXM5"),
    ("A6000 4卡 48GB", "4x NVIDIA RTX A6000"),
    ('"Name": "A10G", "Count": 8,', "8x NVIDIA A10G"),
    ("2x RTX 5090, PCIe-only (x8 lanes, no NVLink)", "2x NVIDIA GeForce RTX 5090"),
    (
        "RTX 5090, RAM: 128gb DDR5 at 5600MT/s (6000 capable) but 8x because shared lane",
        "NVIDIA GeForce RTX 5090 + 128 GB DDR5-5600 2-channel",
    ),
    # tokens generated are no card (`200 tokens` was an MI200), in Russian too; a model named beside the cards
    ("generate 200 tokens with A800 80GB PCIe", "NVIDIA A800 PCIe 80 GB"),
    ("Тестировалось на 2x RTX 3090, Контекст 8192, промпт из 512 токенов", "2x NVIDIA GeForce RTX 3090"),
    ("I have 2 NVIDIA L40s but want to run Deepseek R1", "2x NVIDIA L40S"),
    # a bandwidth a tool failed to read; an integrated GPU; a card under two backends in --list-devices
    ("GPU: RTX 5070 Ti (16303 MB VRAM, 0 GB/s)\nRAM: 31 GB", "NVIDIA GeForce RTX 5070 Ti + 31 GB DDR5-5600 2-channel"),
    ("p106 100 with intel hd 4600", "NVIDIA P106-100"),
    (
        "Available devices:\n  CUDA0: NVIDIA GeForce RTX 5060 (7708 MiB, 7573 MiB free)\n"
        "  Vulkan0: Intel(R) Graphics (ARL) (11577 MiB, 8251 MiB free)\n"
        "  Vulkan1: NVIDIA GeForce RTX 5060 (8151 MiB, 7573 MiB free)",
        "NVIDIA GeForce RTX 5060",
    ),
    # nvidia-smi's CSV with the name first; an issue template's headings; ROCm's MI50/MI60 in a device list cut short
    (
        "NVIDIA L40S, 595.71.05, 46068 MiB, 00000000:01:00.0\nNVIDIA L40S, 595.71.05, 46068 MiB, 00000000:91:00.0",
        "2x NVIDIA L40S",
    ),
    ("### CPU\n\nAMD Ryzen 9 9900X\n\n### GPU\n\nAMD Radeon AI PRO R9700", "AMD Radeon AI PRO R9700"),
    (
        "found 4 ROCm devices:\n  Device 0: AMD Instinct MI50/MI60, gfx906:sramecc-:xnack- (0x906), VMM: no, "
        "VRAM: 32752 MiB",
        "4x AMD Radeon Instinct MI50 32GB",
    ),
    # core counts are no count of machines; a tool's name before a Mac; a laptop's name in China
    (
        "2 x EPYC 9355 (128 logical / 64 physical cores), 1511 GB RAM",
        "1511 GB DDR5-6000 24-channel (AMD EPYC 9355 (Turin), 2 sockets)",
    ),
    ("ds4: Metal device Apple M5 Max, 128.00 GiB RAM", "Apple M5 Max (40-core GPU) 128GB"),
    ("Model name: Legion Y9000P IRX9\nGPU model: NVIDIA GeForce RTX 4060 Laptop GPU", "NVIDIA GeForce RTX 4060 Mobile"),
]


@pytest.mark.parametrize(("phrase", "label"), HARDWARE, ids=[c[0][:40] for c in HARDWARE])
def test_hardware_as_tools_and_posts_write_it(real_catalog: Catalog, phrase: str, label: str) -> None:
    assert parse_hardware(phrase, real_catalog)[0].label == label


# rules that must leave what they do not describe: a rate is not a price, uname's build number is no issue number,
# a backend's list without CUDA keeps its Vulkan lines, an HGX board's count stays a count of servers, a chipset
# is not a count
KEPT = [
    ("Pricing starts at $0.60/hour for a 1x A10 instance", 1),
    ("Available devices:\n  Vulkan0: NVIDIA GeForce RTX 4090 (24138 MiB, 23370 MiB free)", 1),
    # a board's chipset after the card is no count of it (`x99`, `x79`: Xeon E5 boards)
    ("3090 x99 64gb", 1),
    ("2x 3090 x99 128gb ddr4", 2),
    ("rtx 3060 x79 32gb ram", 1),
]


@pytest.mark.parametrize(("phrase", "gpus"), KEPT, ids=[c[0][:40] for c in KEPT])
def test_what_the_rules_leave(real_catalog: Catalog, phrase: str, gpus: int) -> None:
    assert len(parse_hardware(phrase, real_catalog)[0].rig.gpus) == gpus


def test_a_board_count_is_not_a_card_count(real_catalog: Catalog) -> None:
    rig = parse_hardware("hgx h200 x2", real_catalog)[0].rig
    assert (rig.nodes, len(rig.gpus)) == (2, 8)


# name -> catalog id
MODELS = [
    ("dsv32 awq", "deepseek-v3.2"),
    ("dsv3", "deepseek-v3"),
    ("ds r1", "deepseek-r1"),
    ("Minimax 2.7", "minimax-m2.7"),
    ("kimi 2.5", "kimi-k2.5"),
    ("Qwen3 30b coder", "qwen3-coder-30b-a3b"),
    ("https://huggingface.co/cortexso/gemma3/tree/27b", "gemma-3-27b"),
    ("vertex_ai/minimaxai/minimax-m2-maas", "minimax-m2"),
]


@pytest.mark.parametrize(("name", "model_id"), MODELS)
def test_shortened_model_names(real_catalog: Catalog, name: str, model_id: str) -> None:
    assert parse_model(name, real_catalog).id == model_id


def test_a_version_without_its_brand_is_not_guessed(real_catalog: Catalog) -> None:
    # the series letter goes in only after the brand: a bare `2.7` names nothing
    with pytest.raises(RigfitError):
        parse_model("2.7", real_catalog)
