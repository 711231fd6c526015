"""Rules added in the eighth round of hardware phrases and model names as people write them (round 2, session 15):
what is written around a rig that is not part of it, counts and sizes said in other ways, model names inside paths
and container names, and junk that must get a one-line refusal. Each case is read with the real catalog; the phrases
the rules came from are rows of tests/data/hardware_phrases.yaml and tests/data/model_names.yaml."""

from __future__ import annotations

import pytest

from bot.commands import INTERNAL_ERROR, fit_answer
from catalog.catalog import Catalog
from engine.errors import RigfitError
from engine.parse import parse_hardware, parse_model

# phrase -> the first reading's label
HARDWARE = [
    # a US date and clock before a log line; an OS edition beside the parts; a CPU socket in a spec row
    ("3/30/2024 10:32:05 PM: NVIDIA GeForce RTX 4060 Laptop GPU", "NVIDIA GeForce RTX 4060 Mobile"),
    ("RTX 3060 12GB / RAM 32GB / Windows 11 Pro", "NVIDIA GeForce RTX 3060 12GB + 32 GB DDR5-5600 2-channel"),
    (
        "2x Xeon E5-2699 v4, LGA 2011-3, 256GB DDR4",
        "256 GB DDR4-2400 8-channel (Intel Xeon E5-2699 v4 (Broadwell-EP), 2 sockets)",
    ),
    # a price as a word, memory a model needs, a purchase not made
    ("Tesla P40, 24 ГБ GDDR5, 5000 рублей", "NVIDIA Tesla P40 24GB"),
    ("Llama2 7B-chat consumes ~14.3 GB VRAM (running on a RTX 4080 with 16GB VRAM)", "NVIDIA GeForce RTX 4080"),
    ("I have a 3090. I can order up to 192GB of RAM", "NVIDIA GeForce RTX 3090"),
    # a spec sheet's board, disk and PSU lines; a board by its code before the word
    (
        "MB: Asus wrx80\nMem: 128gb, ddr4\nDisk: solidigm 2TB\nGPU: 2x R9700",
        "2x AMD Radeon AI PRO R9700 + 128 GB DDR4-3200 2-channel",
    ),
    ("4x RTX 3090 connected to a Fujitsu D3348 Board", "4x NVIDIA GeForce RTX 3090"),
    ("- GPU: RTX 4090\n- Power supply: ROG Thor 1600W Titanium", "NVIDIA GeForce RTX 4090"),
    # counts: `a couple of`, `N cards` after the card, Russian `двумя`, channels per socket, a header over a list
    ("a couple of RTX 3090s", "2x NVIDIA GeForce RTX 3090"),
    ("Can I train a model on 7900XT 4 cards?", "4x AMD Radeon RX 7900 XT"),
    ("станция с двумя RTX PRO 6000", "2x NVIDIA RTX PRO 6000 Blackwell Workstation Edition"),
    (
        "I have 3 AMD Radeon s:\n- RX 7900XTX\n- RX 7900XT\n- RX 6950XT",
        "AMD Radeon RX 7900 XTX + AMD Radeon RX 7900 XT + AMD Radeon RX 6950 XT",
    ),
    (
        "nvidia 2060 super\nnvidia 3080\nnvidia 3080 Ti",
        "NVIDIA GeForce RTX 2060 SUPER + NVIDIA GeForce RTX 3080 10GB + NVIDIA GeForce RTX 3080 Ti",
    ),
    # a tensor-parallel degree, a gfx target restated after a card, targets listed, a single-dash flag with its value
    ("[bench] TP=3 2x3080+5090", "2x NVIDIA GeForce RTX 3080 10GB + NVIDIA GeForce RTX 5090"),
    (
        "two 7900xtx and one v620 in my PC, for both archs gfx1100 AND gfx1030",
        "2x AMD Radeon RX 7900 XTX + AMD Radeon PRO V620",
    ),
    ("我2张3090 24G都可以，主要设置-max-num-seqs 1。", "2x NVIDIA GeForce RTX 3090"),
    # labels glued to values on a spec card; an instance's GPU memory field; graphics memory said of a card
    ("ArchitectureM3 Ultra\nProcess nodeTSMC 3nm\nMemory512 GB", "Apple M3 Ultra 512GB"),
    ("Instance type: g5.xlarge\nGPU Memory: 24 GiB\nRAM: 16 GiB", "NVIDIA A10G + 16 GB DDR5-5600 2-channel"),
    # a new CPU platform: the Ryzen 8000G desktop APUs (catalog/data/hardware/cpus.yaml)
    (
        "is currently a 32GB 8700g minipc",
        "32 GB DDR5-5600 2-channel (AMD Ryzen 8000G Series desktop APU (Hawk Point / Phoenix 2, Zen 4, AM5))",
    ),
]


@pytest.mark.parametrize(("phrase", "label"), HARDWARE, ids=[c[0][:40] for c in HARDWARE])
def test_hardware_as_people_write_it(real_catalog: Catalog, phrase: str, label: str) -> None:
    assert parse_hardware(phrase, real_catalog)[0].label == label


# name -> catalog id (None: sized by the name alone) and parameters in billions
MODELS = [
    ("/home/qwen/Qwen2-7B-Instruct", None, 7.0),  # a local path: its last part
    ("/data/ps/pretrained_model/Qwen/Qwen2.5-VL-72B-Instruct/", None, 72.0),
    ("/home/lzh/llm_model/Qwen/Qwen2___5-VL-72B-Instruct", None, 72.0),  # ModelScope's `___` for `.`
    ("deepseekv4flash级别的模型", "deepseek-v4-flash", None),  # CJK words glued after the name
    ("llama-cpp-qwen36-27b-vision", "qwen3.6-27b", None),  # a version with its dot left out
    ("qwen25-7b", "qwen2.5-7b", None),
    ("DeepSeek V4 Flash 0731 IQ2XXS/Q2_K GGUF", "deepseek-v4-flash", None),  # quant alternatives, not a repo id
    ("llama7b", None, 7.0),  # a family glued to a size
]


@pytest.mark.parametrize(("name", "model_id", "params"), MODELS, ids=[c[0] for c in MODELS])
def test_model_names_around_the_name(
    real_catalog: Catalog, name: str, model_id: str | None, params: float | None
) -> None:
    model = parse_model(name, real_catalog)
    if model_id is not None:
        assert model.id == model_id
    if params is not None:
        assert model.total_params_b == pytest.approx(params, rel=0.1)


# Junk and hostile inputs: each must be refused by both parsers with one line that names what was not understood,
# and /fit must answer with that line, never an internal error. From pages: comments left on issues (`Tyu`, `+1`,
# `same issue here`, `Not stale`, an emoji, an image being uploaded, an issue template's empty heading); the rest are
# inputs a hostile user would try.
JUNK = [
    "Tyu",
    "+1",
    "same issue here",
    "Not stale",
    "😶‍🌫️",
    "![Uploading 屏幕截图 2023-11-12 114900.png…]()",
    "### OS\n\nWindows",
    "1",
    "0x 4090",
    "RTX 9999",
    "1e309GB RAM",
    "N/A",
    "<script>alert(1)</script>",
    "{{7*7}} GB VRAM",
    "../../etc/passwd",
    "%s%s%s%n",
    "\u202e0903 XTR",
    "'; DROP TABLE queries; --",
    "@everyone",
    "\x00\x1b[2J",
]


@pytest.mark.parametrize("text", JUNK, ids=[repr(j)[:30] for j in JUNK])
def test_junk_gets_one_line(real_catalog: Catalog, text: str) -> None:
    for parse in (parse_hardware, parse_model):
        with pytest.raises(RigfitError) as err:
            parse(text, real_catalog)
        said = str(err.value)
        assert said and "\n" not in said and "\u202e" not in said
    answer = fit_answer(real_catalog, text, text)
    assert answer.error and answer.error != INTERNAL_ERROR and "\n" not in answer.error
