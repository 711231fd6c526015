"""Hardware phrases, model names, contexts and quants: what people type, as tables."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine import memory
from engine.errors import RigfitError
from engine.parse import parse_context, parse_hardware, parse_model, parse_quant
from engine.units import GIB

# phrase -> (GPU names, unified pool name or None, RAM GiB, RAM bandwidth GB/s or None)
SINGLE_READINGS = [
    ("24GB VRAM + 128GB RAM", ("NVIDIA GeForce RTX 3090",), None, 128, 89.6),
    ("24GB VRAM 64GB RAM", ("NVIDIA GeForce RTX 3090",), None, 64, 89.6),
    ("24GB GPU + 256GB DDR5", ("NVIDIA GeForce RTX 3090",), None, 256, 89.6),  # "GPU" after a size is VRAM
    ("a 24 GB GPU and 256 GB of RAM", ("NVIDIA GeForce RTX 3090",), None, 256, 89.6),
    ("2x 24gb cards, 64gb ram", ("NVIDIA GeForce RTX 3090",) * 2, None, 64, 89.6),
    ("2x RTX 3090", ("NVIDIA GeForce RTX 3090",) * 2, None, 0, None),
    ("2x3090", ("NVIDIA GeForce RTX 3090",) * 2, None, 0, None),
    ("RTX 3090 x2", ("NVIDIA GeForce RTX 3090",) * 2, None, 0, None),
    ("dual-3090", ("NVIDIA GeForce RTX 3090",) * 2, None, 0, None),  # issue 15's `/fit llama-3.3-70b dual-3090`
    ("quad-3090 + 128GB DDR4", ("NVIDIA GeForce RTX 3090",) * 4, None, 128, 51.2),
    ("two 3090s and 64gb ddr4", ("NVIDIA GeForce RTX 3090",) * 2, None, 64, 51.2),
    ("RTX 4090 + 64GB DDR5", ("NVIDIA GeForce RTX 4090",), None, 64, 89.6),
    ("rtx 3090 ti", ("NVIDIA GeForce RTX 3090 Ti",), None, 0, None),
    (
        "2x3090 + 4090 + 256GB DDR5-6000 8-channel",
        ("NVIDIA GeForce RTX 3090",) * 2 + ("NVIDIA GeForce RTX 4090",),
        None,
        256,
        384.0,
    ),
    ("M3 Ultra 256GB", (), "Apple M3 Ultra 256GB", 0, None),
    ("Mac Studio M3 Ultra 512GB", (), "Apple M3 Ultra 512GB", 0, None),
    ("EPYC 9654 768GB", (), None, 768, 460.8),
    ("64GB DDR4 no gpu", (), None, 64, 51.2),
    ("128GB DDR4-3600 quad channel", (), None, 128, 115.2),
    ("1TB DDR5 12ch", (), None, 1024, 537.6),
]


@pytest.mark.parametrize(
    ("phrase", "gpus", "unified", "ram_gib", "ram_bw"), SINGLE_READINGS, ids=[c[0] for c in SINGLE_READINGS]
)
def test_hardware_phrases(
    cat: Catalog, phrase: str, gpus: tuple[str, ...], unified: str | None, ram_gib: int, ram_bw: float | None
) -> None:
    readings = parse_hardware(phrase, cat)
    assert len(readings) == 1
    rig = readings[0].rig
    assert tuple(g.name for g in rig.gpus) == gpus
    assert (rig.unified.name if rig.unified else None) == unified
    assert (rig.ram.memory_bytes if rig.ram else 0) == ram_gib * GIB
    assert (rig.ram.bandwidth_gb_s if rig.ram else None) == pytest.approx(ram_bw)


def test_bare_size_is_read_four_ways_and_says_so(cat: Catalog) -> None:
    # issue 14's phrase table: a bare size past any consumer card's is most likely a PC's system RAM
    readings = parse_hardware("256GB", cat)
    labels = [r.label for r in readings]
    assert labels[0] == "256 GB system RAM, no GPU"
    assert "unified" in labels[1] and "Apple M3 Ultra" in labels[1]
    assert labels[2] == "24 GB GPU + 256 GB system RAM"
    assert "pooled VRAM" in labels[3] and "8x" in labels[3]
    assert all(r.assumptions for r in readings)


def test_small_bare_size_reads_as_one_gpu_first(cat: Catalog) -> None:
    readings = parse_hardware("24GB", cat)
    assert readings[0].rig.gpus and readings[0].rig.gpus[0].name == "NVIDIA GeForce RTX 3090"


def test_unified_without_size_shows_each_size(cat: Catalog) -> None:
    labels = [r.label for r in parse_hardware("m3 ultra", cat)]
    assert labels == ["Apple M3 Ultra 512GB", "Apple M3 Ultra 256GB", "Apple M3 Ultra 96GB"]


def test_apple_default_wired_limit_is_three_quarters_on_large_macs(cat: Catalog) -> None:
    pool = parse_hardware("M3 Ultra 256GB", cat)[0].rig.unified
    assert pool is not None
    assert pool.gpu_limit_bytes == 192 * GIB
    assert pool.raised_limit_bytes == 248 * GIB


BAD_HARDWARE = [
    ("", "Tell me the hardware"),
    ("RTX 9999", "I don't know the device"),
    # announced by name only: refused with what is missing, never read as the Strix Halo it follows
    ("medusa halo", "no announced memory size or bandwidth"),
    ("2x medusa halo 192gb", "no announced memory size or bandwidth"),
    ("M3 Ultra 200GB", "is sold with 96GB, 256GB, 512GB"),
    ("RTX 3090 + no gpu", "also says no GPU"),
    ("x" * 400, "keep it under"),
    ("EPYC 9654", "How much memory"),
    ("265BG", "I don't know the device"),
    ("0GB VRAM", "more than 0"),
    ("0G", "more than 0"),
    ("-24GB", "can't be negative"),
    ("99999TB", "at most 64 TB"),
]


@pytest.mark.parametrize(("phrase", "message"), BAD_HARDWARE, ids=[c[0][:20] or "empty" for c in BAD_HARDWARE])
def test_bad_hardware_gets_a_specific_message(cat: Catalog, phrase: str, message: str) -> None:
    with pytest.raises(RigfitError) as err:
        parse_hardware(phrase, cat)
    assert message in str(err.value)
    assert err.value.field == "hardware"


def test_near_miss_suggests(cat: Catalog) -> None:
    with pytest.raises(RigfitError) as err:
        parse_hardware("rtx 3009", cat)
    assert "NVIDIA GeForce RTX 3090" in err.value.suggestions


MODEL_NAMES = [
    ("glm-5.2", "glm-5.2"),
    ("GLM-5.2", "glm-5.2"),
    ("glm5.2", "glm-5.2"),
    ("glm 5.2", "glm-5.2"),
    ("zai glm 5.2", "glm-5.2"),
    ("llama-3.1-8b", "llama-3.1-8b"),
]


@pytest.mark.parametrize(("text", "model_id"), MODEL_NAMES)
def test_model_names(cat: Catalog, text: str, model_id: str) -> None:
    assert parse_model(text, cat).id == model_id


@pytest.mark.parametrize(
    ("text", "total", "active"),
    [("70B", 70, None), ("30B-A3B", 30, 3), ("235b a22b", 235, 22), ("1.5B", 1.5, None)],
)
def test_adhoc_sizes(cat: Catalog, text: str, total: float, active: float | None) -> None:
    m = parse_model(text, cat)
    assert (m.total_params_b, m.active_params_b, m.adhoc) == (total, active, True)
    assert m.architecture_from in {c.name for c in cat.models.values()}


# A bare size borrows a plain full-attention architecture of that size where the catalog has one, not a hybrid or
# sliding-window design whose cache is a fraction of a plain model's. KV at 32k, f16, in GB (range): Qwen3-30B-A3B
# (48 layers x 4 KV heads x 128) is 3.2 GB, the figure people quote for it (issue 15: "3.2 GB at 32k").
ADHOC_SHAPES = [
    ("30B-A3B", 3.0, 3.4, "Qwen3-30B-A3B family, not the Nemotron 3 Nano hybrid (0.3 GB)"),
    ("30b a3b", 3.0, 3.4, "same, spelled as in chat"),
    ("32B", 8.0, 9.0, "a Qwen2.5/Qwen3-32B shape (64 layers x 8 x 128), not Gemma's sliding windows"),
    ("70B", 10.0, 11.0, "Llama 3.x 70B: 80 layers x 8 x 128"),
    ("0.3B", 3.5, 4.0, "Qwen3-0.6B (28 layers x 8 x 128), not Falcon-H1 0.5B, a parallel hybrid nearer in size"),
    ("350M", 3.5, 4.0, "the same, written in millions"),
]


@pytest.mark.parametrize(("text", "low_gb", "high_gb", "why"), ADHOC_SHAPES)
def test_adhoc_borrows_plain_attention(
    real_catalog: Catalog, text: str, low_gb: float, high_gb: float, why: str
) -> None:
    m = parse_model(text, real_catalog)
    a = m.attention
    hybrid = (a.linear_attention_layers, a.non_attention_layers, a.sliding_window_layers, a.parallel_state_layers)
    assert hybrid == (0, 0, 0, 0), why
    assert low_gb <= memory.kv_cache_bytes(m, 32768) / 1e9 <= high_gb, (m.architecture_from, why)


# ... and among models of that shape, the family most of them belong to, whose context it then says it reads
ADHOC_BORROWS = [
    ("32B", ("Qwen", "QwQ"), 131072, "a Qwen 32B (Qwen2.5, QwQ, Qwen3), not Seed-OSS-36B's 512K of the same layout"),
    ("70B", ("Llama 3",), 131072, "Llama 3.x 70B"),
]


@pytest.mark.parametrize(("text", "family", "context", "why"), ADHOC_BORROWS)
def test_adhoc_borrows_the_common_family(
    real_catalog: Catalog, text: str, family: tuple[str, ...], context: int, why: str
) -> None:
    m = parse_model(text, real_catalog)
    assert m.architecture_from is not None and m.architecture_from.startswith(family), (m.architecture_from, why)
    assert m.context_limit_tokens == context, why  # natively, or with the YaRN the borrowed design's card documents


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gml-5.2x", "I don't know the model"),
        ("", "Tell me a model"),
        ("30B-A40B", "between 0 and the total"),
    ],
)
def test_bad_models(cat: Catalog, text: str, message: str) -> None:
    with pytest.raises(RigfitError) as err:
        parse_model(text, cat)
    assert message in str(err.value)


def test_model_near_miss_suggests(cat: Catalog) -> None:
    with pytest.raises(RigfitError) as err:
        parse_model("glm-5.3", cat)
    assert "GLM-5.2" in err.value.suggestions


@pytest.mark.parametrize(
    ("value", "tokens"),
    [("32k", 32768), ("1M", 1048576), ("8192", 8192), (4096, 4096), (None, None), ("128K tokens", 131072)],
)
def test_context(cat: Catalog, value: str | int | None, tokens: int | None) -> None:
    assert parse_context(value, cat.models["glm-5.2"]) == tokens


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "at least 1"), ("1000000000000", "reads at most"), ("lots", "can't read"), ("-5", "can't read")],
)
def test_bad_context(cat: Catalog, value: str, message: str) -> None:
    with pytest.raises(RigfitError) as err:
        parse_context(value, cat.models["glm-5.2"])
    assert message in str(err.value)


def test_quant_names(cat: Catalog) -> None:
    m = cat.models["glm-5.2"]
    assert parse_quant("ud-iq2_xxs", m) == "UD-IQ2_XXS"
    assert parse_quant("q4_k_m", m) == "Q4_K_M"
    with pytest.raises(RigfitError) as err:
        parse_quant("Q9_Z", m)
    assert "not a quant I know" in str(err.value)


# A quant written into the model text, as people type it in chats and as GGUF repos and files name it: /fit then
# sizes that quant (None: the text names none, so the pick is made)
QUANT_IN_MODEL_TEXT = [
    ("llama 3.1 8b q4_k_m", "q4_k_m"),
    ("qwen3 30b a3b at q6", "Q6_K"),  # a bare bit count in chat: the usual file of that count
    ("70b q4", "Q4_K_M"),
    ("mistral small q8", "Q8_0"),
    ("glm 4.5 air UD-Q4_K_XL", "UD-Q4_K_XL"),
    ("ggml-org/Qwen3-Coder-30B-A3B-Instruct-Q8_0-GGUF", "Q8_0"),
    ("gpt-oss-120b mxfp4", "mxfp4"),
    ("deepseek r1 iq1_s", "iq1_s"),
    ("qwen3-30b-a3b", None),
    ("qwq 32b", None),  # a q in a model's own name is no quant
    ("unsloth/Qwen3-30B-A3B-GGUF", None),
    ("llama3.1:8b", None),
]


@pytest.mark.parametrize(("text", "quant"), QUANT_IN_MODEL_TEXT)
def test_a_quant_in_the_model_text(cat: Catalog, text: str, quant: str | None) -> None:
    from engine.parse import quant_in_model_text

    assert quant_in_model_text(text) == quant
    if quant is not None:  # and it is one parse_quant takes
        assert parse_quant(quant, cat.models["llama-3.1-8b"])


def test_did_you_mean_names_each_quant_once(cat: Catalog) -> None:
    with pytest.raises(RigfitError) as err:
        parse_quant("Q9_K", cat.models["llama-3.1-8b"])
    assert len(err.value.suggestions) == len(set(err.value.suggestions)) > 0


@pytest.mark.parametrize(("value", "kv"), [(None, "f16"), ("q8", "q8_0"), ("Q4_0", "q4_0"), ("fp16", "f16")])
def test_kv_types(value: str | None, kv: str) -> None:
    from engine.parse import parse_kv_type

    assert parse_kv_type(value) == kv


@pytest.mark.parametrize(("value", "tokens"), [(None, 4096), ("50k", 51200), (8192, 8192)])
def test_prompt_tokens(value: str | int | None, tokens: int) -> None:
    from engine.parse import parse_prompt_tokens

    assert parse_prompt_tokens(value, 4096) == tokens


@pytest.mark.parametrize("value", ["q3", "0", "lots", "99999999999"])
def test_bad_kv_and_prompt(value: str) -> None:
    from engine.parse import parse_kv_type, parse_prompt_tokens

    with pytest.raises(RigfitError):
        parse_kv_type(value) if value.startswith("q") else parse_prompt_tokens(value, 4096)


ERROR_CODES = [
    (lambda cat: parse_context("2M", cat.models["llama-3.1-8b"]), "CONTEXT_OVER_MAX", 131_072),
    (lambda cat: parse_context("lots", cat.models["llama-3.1-8b"]), "CONTEXT_UNREADABLE", None),
    (lambda cat: parse_context(0, cat.models["llama-3.1-8b"]), "CONTEXT_BELOW_ONE", None),
    (lambda cat: parse_hardware("", cat), "HARDWARE_MISSING", None),
    (lambda cat: parse_hardware("x" * 400, cat), "INPUT_TOO_LONG", 300),
    (lambda cat: parse_hardware("-24GB", cat), "NEGATIVE_SIZE", None),
    (lambda cat: parse_hardware("RTX 9999", cat), "DEVICE_UNKNOWN", None),
    (lambda cat: parse_hardware("M3 Ultra 100GB", cat), "SIZE_NOT_SOLD", None),
    (lambda cat: parse_model("", cat), "MODEL_MISSING", None),
    (lambda cat: parse_model("no-such-model-xyz", cat), "MODEL_UNKNOWN", None),
    (lambda cat: parse_quant("Q9_Z", cat.models["llama-3.1-8b"]), "QUANT_UNKNOWN", None),
]


@pytest.mark.parametrize(("call", "code", "limit"), ERROR_CODES, ids=[c[1] for c in ERROR_CODES])
def test_errors_carry_a_code_to_branch_on(cat: Catalog, call, code: str, limit: int | None) -> None:  # type: ignore[no-untyped-def]
    from engine.errors import ErrorCode, RigfitError

    with pytest.raises(RigfitError) as caught:
        call(cat)
    assert (caught.value.code, caught.value.limit) == (ErrorCode[code], limit)


@pytest.mark.parametrize(
    ("phrase", "not_read_as", "gpus", "nodes"),
    [  # benchmark-thread spellings (issue 17's measured rows)
        ("AMD Radeon 780M 32GB", "GeForce", 0, 1),  # the Ryzen 7040 iGPU, not NVIDIA's GTX 780M
        ("8x RTX PRO 6000 Blackwell Server Edition", "nodes", 8, 1),  # a card's name, not 8 servers
        ("two 8x mi300x servers", "RTX", 8, 2),
        ("radeon 7900 xtx", "NVIDIA", 1, 1),
    ],
)
def test_makers_and_edition_words(real_catalog: Catalog, phrase: str, not_read_as: str, gpus: int, nodes: int) -> None:
    reading = parse_hardware(phrase, real_catalog)[0]
    assert not_read_as not in reading.label
    assert (len(reading.rig.gpus), reading.rig.nodes) == (gpus, nodes)


@pytest.mark.parametrize(
    ("phrase", "gpus", "cpu_left_out"),
    [  # a CPU the catalog lacks beside the GPUs, as benchmark threads list their rigs
        ("RTX 4070 Laptop GPU + i9-13900H", 1, "i9-13900h"),
        ("3090 + ryzen 9 7945hx", 1, "ryzen 9 7945hx"),
        ("rtx 3060 laptop + i7-12650h", 1, "i7-12650h"),
    ],
)
def test_an_unknown_cpu_beside_gpus_is_left_out_and_said(
    real_catalog: Catalog, phrase: str, gpus: int, cpu_left_out: str
) -> None:
    reading = parse_hardware(phrase, real_catalog)[0]
    assert len(reading.rig.gpus) == gpus
    assert [a.device for a in reading.assumptions if a.kind == "cpu-not-known"] == [cpu_left_out]


def test_an_unknown_cpu_alone_is_still_not_understood(real_catalog: Catalog) -> None:
    with pytest.raises(RigfitError, match="I don't know the device"):
        parse_hardware("i9-13900h", real_catalog)
