"""llama.cpp's own description of a file as a model name: what llama-bench's `model` column and llama-server's log
print (`{architecture} {size label} {file type}`), pasted alone, as a whole llama-bench row, or as GGUF metadata
lines. Each label below is copied from a published llama-bench table (the code-index file id of the thread or issue
that printed it is given), with the catalog model and quant a reader of that thread would take it for; labels of
architectures the catalog lacks must be sized as what they say, never read as another family."""

from __future__ import annotations

import pytest

from bot import wording
from bot.commands import run_fit
from catalog.catalog import Catalog
from engine.errors import RigfitError
from engine.parse import parse_model, quant_in_model_text
from engine.parse.labels import read_label

# (label as printed, the params column beside it or None, catalog model, quant the card picks)
RESOLVED = [
    ("qwen3moe 30B.A3B Q4_K - Medium", None, "qwen3-30b-a3b", "Q4_K_M"),  # the brief's paste; llama_bench_pastes.py
    ("qwen3moe 30B.A3B Q5_K - Small", None, "qwen3-30b-a3b", "Q5_K_S"),
    ("gpt-oss 120B MXFP4 MoE", 116.83, "gpt-oss-120b", "MXFP4"),  # 56029580622 (SYCL)
    ("gpt-oss 20B MXFP4 MoE", 20.91, "gpt-oss-20b", "MXFP4"),  # 55913994130 (Vulkan)
    ("glm4moe 106B.A12B Q4_K - Medium", 110.47, "glm-4.5-air", "Q4_K_M"),  # 70587040181 (ROCm)
    ("glm4moe 106B.A12B Q3_K - Medium", None, "glm-4.5-air", "Q3_K_M"),  # 59459646521 (Metal)
    ("glm4moe 106B.A12B Q4_K - Small", None, "glm-4.5-air", "Q4_K_S"),  # 36467439810 (CUDA)
    ("glm4moe 355B.A32B Q4_K - Medium", None, "glm-4.5", "Q4_K_M"),  # GLM-4.5, 4.6 and 4.7 alike: the first
    ("deepseek2 671B Q2_K - Medium", 671.03, "deepseek-v3", "Q2_K"),  # 25374823322 (Vulkan + RPC)
    ("deepseek2 671B Q4_K - Medium", None, "deepseek-v3", "Q4_K_M"),  # 66635696775 (ROCm)
    ("deepseek2 671B IQ1_S - 1.5625 bpw", None, "deepseek-v3", "IQ1_S"),  # 19161898403 (CUDA)
    ("deepseek2 671B IQ2_K_R4 - 2.375 bpw", 672.05, "deepseek-v3", None),  # 17465000340: ik_llama.cpp's own type
    ("deepseek2 671B Q4_K - Medium", 1026.41, "kimi-k2", "Q4_K_M"),  # 63385767135: Kimi K2.5 prints V3's label
    ("deepseek2 16B Q4_K - Medium", 15.71, "deepseek-coder-v2-lite", "Q4_K_M"),  # 70165303816: V2-Lite's shape
    ("deepseek2 30B.A3B Q4_K - Medium", 29.94, "glm-4.7-flash", "Q4_K_M"),  # 62853272795: GLM-4.7-Flash-Q4_K.gguf
    ("llama4 17Bx16E (Scout) Q4_K - Medium", 107.77, "llama-4-scout", "Q4_K_M"),  # 70352291051 (Vulkan)
    ("llama4 17Bx16E (Scout) IQ1_S - 1.5625 bpw", None, "llama-4-scout", "IQ1_S"),  # 52200925792 (ROCm)
    # 55499901331: 34.66 B, Qwen3.5-35B-A3B's count (59374145640) and Qwen3.6's, the catalog writing the first as 35
    ("qwen35moe 35B.A3B Q4_K - Medium", 34.66, "qwen3.5-35b-a3b", "Q4_K_M"),
    ("qwen35moe 35B.A3B Q8_0", None, "qwen3.5-35b-a3b", "Q8_0"),  # a label alone: the 35B
    ("qwen3next 80B.A3B Q4_K - Medium", 79.67, "qwen3-next-80b-a3b", "Q4_K_M"),  # 52516449810 (ROCm)
    ("qwen3next 80B.A3B IQ2_M - 2.7 bpw", None, "qwen3-next-80b-a3b", "IQ2_M"),  # 59804447013 (CPU)
    ("qwen3next 80B.A3B IQ3_S - 3.4375 bpw", None, "qwen3-next-80b-a3b", "IQ3_S"),  # 53693779035
    ("nemotron_h_moe 120B.A12B Q5_K - Medium", 120.67, "nemotron-3-super-120b-a12b", "Q5_K_M"),  # 70097735899
    ("nemotron_h_moe 31B.A3.5B Q4_K - Medium", None, "nemotron-3-nano-30b-a3b", "Q4_K_M"),
    ("mistral3 14B Q4_K - Medium", 13.51, "ministral-3-14b", "Q4_K_M"),  # 59648905871 (CUDA)
    ("mistral3 14B BF16", None, "ministral-3-14b", "BF16"),
    ("gemma4 26B.A4B Q4_0", 25.23, "gemma-4-26b-a4b", "Q4_0"),  # 59648905871 (CUDA)
    ("gemma3 27B Q4_K - Medium", 27.01, "gemma-3-27b", "Q4_K_M"),
    ("phi3 14B Q4_K - Medium", 14.66, "phi-4", "Q4_K_M"),  # 55913994130: Phi-4 prints `phi3 14B`
    ("llama 13B Q4_K - Medium", 12.25, "mistral-nemo-12b", "Q4_K_M"),  # 43514174881: Nemo's 40 layers print 13B
    ("llama 13B Q4_K - Medium", 23.57, "mistral-small-3.2-24b", "Q4_K_M"),  # 55913994130: so do Small 3's
    ("llama ?B Q4_K - Medium", 125.03, "devstral-2", "Q4_K_M"),  # 49139139534: a type llama.cpp has no name for
    ("llama 8B Q8_0", 8.03, "llama-3-8b", "Q8_0"),  # Llama 3, 3.1 and the R1 distill alike: the first
    ("llama 7B Q4_0", 6.74, "llama-2-7b", "Q4_0"),  # llama-bench's own example model
    ("llama 7B mostly Q4_0", None, "llama-2-7b", "Q4_0"),  # older builds' file type
    ("llama 8x7B Q4_0", None, "mixtral-8x7b", "Q4_0"),  # Mixtral converted before it had an architecture of its own
    ("qwen2 7B Q4_K - Medium", None, "qwen2.5-7b", "Q4_K_M"),  # tests/test_parse_bench.py's json row
    ("qwen2 32B Q4_K - Medium", None, "qwen2.5-32b", "Q4_K_M"),
    ("qwen3 14B Q4_K - Medium", 14.77, "qwen3-14b", "Q4_K_M"),  # 55913994130
    ("qwen3moe 235B.A22B Q3_K - Medium", None, "qwen3-235b-a22b", "Q3_K_M"),
    ("qwen3vlmoe 30B.A3B Q4_1", 30.53, "qwen3-30b-a3b", "Q4_1"),  # 45229571484: Qwen3-VL's language model
    ("hunyuan-moe A13B Q6_K", 80.39, "hunyuan-a13b", "Q6_K"),  # 36004122646 (CUDA)
    ("gemma3n E4B Q4_K - Medium", None, "gemma-3n-e4b", "Q4_K_M"),
    ("lfm2 1.2B Q4_0", None, "lfm2.5-1.2b", "Q4_0"),
]


def _row(label: str, params: float | None) -> str:
    """The label as a llama-bench markdown row, with its params column when the thread printed one."""
    cell = f"{params:.2f} B" if params is not None else "?"
    return f"| {label} | 17.28 GiB | {cell} | CUDA | 99 | pp512 | 5214.33 ± 40.21 |"


@pytest.mark.parametrize(("label", "params", "model_id", "quant"), RESOLVED, ids=[f"{r[0]}|{r[1]}" for r in RESOLVED])
def test_a_label_reads_as_its_catalog_model_and_file_type(
    real_catalog: Catalog, label: str, params: float | None, model_id: str, quant: str | None
) -> None:
    model = parse_model(_row(label, params) if params is not None else label, real_catalog)
    assert model.id == model_id
    assert quant_in_model_text(label) == quant


# Architectures or sizes the catalog lacks: sized as the label says (total, active), never another family's model.
ADHOC = [
    ("step35 196B.A11B Q4_K - Medium", 196, 11),  # Step-3.5-Flash
    ("deepseek2 236B Q4_K - Medium", 236, None),  # DeepSeek-V2: not V3
    ("glm4 32B Q4_K - Medium", 32, None),  # GLM-4-32B-0414: not a Qwen 32B
    ("grok 314B Q4_K - Medium", 314, None),
]


@pytest.mark.parametrize(("label", "total", "active"), ADHOC, ids=[a[0] for a in ADHOC])
def test_a_label_the_catalog_lacks_is_sized_as_it_says(
    real_catalog: Catalog, label: str, total: float, active: float | None
) -> None:
    model = parse_model(label, real_catalog)
    assert (model.adhoc, model.total_params_b, model.active_params_b) == (True, total, active)
    basis = wording.adhoc_basis(model)
    assert label.rsplit(" Q", 1)[0] in basis and "names no catalog model" in basis


def test_a_label_with_no_size_and_no_count_asks_for_one(real_catalog: Catalog) -> None:
    with pytest.raises(RigfitError) as err:
        parse_model("llama ?B Q4_K - Medium", real_catalog)
    assert "params column" in str(err.value) and err.value.suggestions


@pytest.mark.parametrize(
    "text",
    [
        "qwen3 30b",  # chat: the Qwen3-30B-A3B people mean, not a dense Qwen3 near 30B
        "llama 8b",
        "qwen3 30b a3b q4_k_m",
        "qwen9moe 31B.A3B",  # no architecture llama.cpp names
        "Qwen3 30B A3B",  # a name, capitalised as people write it
    ],
)
def test_names_people_type_are_not_labels(text: str) -> None:
    assert read_label(text) is None


def test_the_card_says_what_the_label_was_read_as(real_catalog: Catalog) -> None:
    report = run_fit(real_catalog, "qwen3moe 30B.A3B Q4_K - Medium", "rtx 4090")
    model = report.model
    assert model.id == "qwen3-30b-a3b" and model.from_label
    assert wording.model_title(model) == "qwen3moe 30B.A3B (as Qwen3-30B-A3B)"
    basis = wording.base_model_basis(model)
    assert "llama.cpp's label `qwen3moe 30B.A3B` read as Qwen3-30B-A3B" in basis
    assert "Qwen3-30B-A3B-Instruct-2507" in basis and "Qwen3-Coder-30B-A3B-Instruct" in basis
    assert "fine-tune" not in basis
    assert report.readings[0].best == "Q4_K_M"  # the file type is the pick, as a quant written in a name is


def test_a_label_of_one_model_by_its_own_name_says_nothing_more(real_catalog: Catalog) -> None:
    model = parse_model("gpt-oss 120B MXFP4 MoE", real_catalog)
    assert model.id == "gpt-oss-120b" and wording.model_title(model) == model.name


# GGUF metadata lines as llama.cpp's loader and llama-server print them (`llama_model_loader: - kv   2: ...`,
# `print_info: ...`; the spacing of llama.cpp's logs in the stored issue threads, e.g. code-index 5129374980).
METADATA = [
    (
        "llama_model_loader: - kv   2:                               general.name str              = Qwen3-0.6B",
        "qwen3-0.6b",
    ),
    ("llama_model_loader: - kv   2: general.name str = Qwen3 30B A3B Instruct 2507", "qwen3-30b-a3b-instruct-2507"),
    ("0.00.021.722 I print_info: general.name     = Qwen3-30B-A3B-Instruct-2507", "qwen3-30b-a3b-instruct-2507"),
    ("general.basename str = Qwen3\ngeneral.size_label str = 30B-A3B", "qwen3-30b-a3b"),
    (
        "print_info: arch             = qwen3moe\nprint_info: model type       = 30B.A3B\n"
        "print_info: file type        = Q4_K - Medium",
        "qwen3-30b-a3b",
    ),
    ("print_info: model type       = 30B.A3B", "adhoc-30b-a3b"),
    (
        "llama_model_loader: - kv   2:                               general.name str              = "
        "Meta Llama 3.1 8B Instruct",  # 42624729362
        "llama-3.1-8b",
    ),
    (
        "llama_model_loader: - kv   2:                               general.name str              = Gpt Oss 20b",
        "gpt-oss-20b",
    ),
    # blocks of the loader's lines, longer than a name may be (39709508413, 17521272204, 28957180799)
    (
        "llama_model_loader: - kv   0:                       general.architecture str              = qwen3moe\n"
        "llama_model_loader: - kv   1:                               general.type str              = model\n"
        "llama_model_loader: - kv   2:                               general.version str              = 2507\n"
        "llama_model_loader: - kv   3:                           general.finetune str              = Thinking\n"
        "llama_model_loader: - kv   4:                           general.basename str              = Qwen3\n"
        "llama_model_loader: - kv   5:                         general.size_label str              = 30B-A3B\n",
        "qwen3-30b-a3b-thinking-2507",
    ),
    (
        "llama_model_loader: - kv   2:                               general.name str              = Qwen3-30B-A3B\n"
        "llama_model_loader: - kv   3:                           general.basename str              = Qwen3-30B-A3B\n"
        "llama_model_loader: - kv   4:                       general.quantized_by str              = Unsloth\n"
        "llama_model_loader: - kv   5:                         general.size_label str              = 30B-A3B\n",
        "qwen3-30b-a3b",
    ),
    (
        "llama_model_loader: - kv   3:                           general.finetune str              = Instruct\n"
        "llama_model_loader: - kv   4:                           general.basename str              = "
        "Qwen3-Coder-30B-A3B-Instruct\n"
        "llama_model_loader: - kv   6:                         general.size_label str              = 30B-A3B\n",
        "qwen3-coder-30b-a3b",
    ),
]


@pytest.mark.parametrize(("text", "model_id"), METADATA, ids=[m[1] + str(i) for i, m in enumerate(METADATA)])
def test_gguf_metadata_lines_read_as_the_model(real_catalog: Catalog, text: str, model_id: str) -> None:
    assert parse_model(text, real_catalog).id == model_id


def test_a_metadata_name_the_catalog_lacks_is_named_in_the_error(real_catalog: Catalog) -> None:
    with pytest.raises(RigfitError) as err:
        parse_model("llama_model_loader: - kv   2:       general.name str              = Models", real_catalog)
    assert "`Models`" in str(err.value) and "llama_model_loader" not in str(err.value)


def test_a_file_type_line_alone_names_no_model(real_catalog: Catalog) -> None:
    with pytest.raises(RigfitError) as err:
        parse_model("print_info: file type        = Q4_K - Medium", real_catalog)
    assert "file's type" in str(err.value)
    assert quant_in_model_text("print_info: file type        = Q4_K - Medium") == "Q4_K_M"


# A chat message with a pasted llama-bench table or a label in a sentence: the model is the label (with the row's
# params), the rig the words around the table.
MESSAGES = [
    (
        "what would this do on my 2x 3090?\n"
        "| model                          |       size |     params | backend    | ngl |            test |"
        "                  t/s |\n"
        "| ------------------------------ | ---------: | ---------: | ---------- | --: | --------------: |"
        " -------------------: |\n"
        "| qwen3moe 30B.A3B Q4_K - Medium |  17.28 GiB |    30.53 B | CUDA       |  99 |           pp512 |"
        "      5214.33 ± 40.21 |\n",
        "qwen3moe 30B.A3B Q4_K - Medium | 30.53 B",
        "2x 3090",
        "qwen3-30b-a3b",
    ),
    (
        "my gpt-oss 120B MXFP4 MoE gets 30 t/s, would a strix halo 128gb be faster?",
        "gpt-oss 120B MXFP4 MoE",
        "strix halo 128gb",
        "gpt-oss-120b",
    ),
    ("anyone tried deepseek2 671B Q2_K - Medium on 8x 3090?", "deepseek2 671B Q2_K - Medium", "8x 3090", "deepseek-v3"),
]


@pytest.mark.parametrize(("text", "model", "hardware", "model_id"), MESSAGES, ids=[m[3] for m in MESSAGES])
def test_a_label_in_a_message_is_its_model(
    real_catalog: Catalog, text: str, model: str, hardware: str, model_id: str
) -> None:
    from engine.parse.message import read_message

    ask = read_message(text, real_catalog)
    assert (ask.model, ask.hardware) == (model, hardware)
    assert ask.model is not None and parse_model(ask.model, real_catalog).id == model_id


def test_a_member_report_given_a_label_of_several_models_is_refused(real_catalog: Catalog) -> None:
    """A run is cited for one model: a label several fit (Llama 3, 3.1 and the R1 distill) asks for the name; one that
    fits a single model is that model."""
    from bot.member_reports import read_report
    from engine.reports import RefusalKind, Refused
    from tests.llama_bench_pastes import LLAMA8_Q8, table

    with pytest.raises(Refused) as refused:
        read_report(table(*LLAMA8_Q8), real_catalog, hardware="RTX 3090", model="llama 8B Q8_0")
    assert refused.value.refusal.kind is RefusalKind.MODEL_UNRESOLVED and "Llama 3.1 8B" in wording.report_refusal(
        refused.value.refusal
    )
    report = read_report(table(*LLAMA8_Q8), real_catalog, hardware="RTX 3090", model="gemma3 27B Q4_K - Medium")
    assert report.models == ("gemma-3-27b",)
