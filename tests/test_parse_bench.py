# ruff: noqa: E501  (llama.cpp output is kept exactly as printed: its lines are long)
"""llama.cpp output as members paste it -> rows: llama-bench's markdown (several column layouts over the years),
-o json, -o jsonl, -o csv, and llama-server's timings. Tables shaped as posted in llama.cpp's llama-bench README
and pull requests (#4812, #4766) and benchmark threads."""

from __future__ import annotations

import pytest

from engine.parse.bench import parse_bench, quant_from_filename, quant_from_model_type

OLD_MARKDOWN = """ggml_init_cublas: found 1 CUDA devices:
  Device 0: NVIDIA GeForce RTX 3090 Ti, compute capability 8.6, VMM: yes
| model                          |       size |     params | backend    | ngl |          nkvo | test       |              t/s |
| ------------------------------ | ---------: | ---------: | ---------- | --: | ------------: | ---------- | ---------------: |
| llama 7B Q4_0                  |   3.56 GiB |     6.74 B | CUDA       |  99 |             0 | pp 512     | 4035.47 ± 157.68 |
| llama 7B Q4_0                  |   3.56 GiB |     6.74 B | CUDA       |  99 |             0 | tg 128     |    127.43 ± 0.18 |

build: 32d9f7d9 (1786)"""

DEPTH_MARKDOWN = """```
| model                          |       size |     params | backend    | ngl | fa | mmap |            test |                  t/s |
| ------------------------------ | ---------: | ---------: | ---------- | --: | -: | ---: | --------------: | -------------------: |
| qwen2 7B Q4_K - Medium         |   4.36 GiB |     7.62 B | CUDA       |  99 |  1 |    0 |           pp512 |      7340.20 ± 23.45 |
| qwen2 7B Q4_K - Medium         |   4.36 GiB |     7.62 B | CUDA       |  99 |  1 |    0 |    tg128 @ d512 |        116.71 ± 0.60 |
| llama 1B Q4_K - Medium         | 636.18 MiB |     1.10 B | Vulkan     |  99 |  1 |    0 |    pp4096+tg128 |      9752.17 ± 68.03 |
```"""

CSV = """build_commit,build_number,cpu_info,gpu_info,backends,model_filename,model_type,model_size,model_n_params,n_batch,n_ubatch,n_threads,cpu_mask,cpu_strict,poll,type_k,type_v,n_gpu_layers,split_mode,main_gpu,no_kv_offload,flash_attn,tensor_split,use_mmap,embeddings,n_prompt,n_gen,n_depth,test_time,avg_ns,stddev_ns,avg_ts,stddev_ts
"8cf427ff","5163","AMD Ryzen 7 7800X3D 8-Core Processor","NVIDIA GeForce RTX 4080","CUDA","models/Qwen2.5-7B-Instruct-Q4_K_M.gguf","qwen2 7B Q4_K - Medium","4677120000","7615616512","2048","512","8","0x0","0","50","f16","f16","99","layer","0","0","0","0.00","1","0","512","0","0","2025-04-24T11:57:09Z","70285660","982040","7285.676949","100.064434"
"8cf427ff","5163","AMD Ryzen 7 7800X3D 8-Core Processor","NVIDIA GeForce RTX 4080","CUDA","models/Qwen2.5-7B-Instruct-Q4_K_M.gguf","qwen2 7B Q4_K - Medium","4677120000","7615616512","2048","512","8","0x0","0","50","f16","f16","99","layer","0","0","0","0.00","1","0","0","128","0","2025-04-24T11:57:10Z","1067431600","3834831","119.915244","0.430617"
"""

_RECORD = (
    '"model_filename": "models/Qwen2.5-7B-Instruct-Q4_K_M.gguf", "model_type": "qwen2 7B Q4_K - Medium", '
    '"model_size": 4677120000, "model_n_params": 7615616512, "backends": "CUDA", "gpu_info": "NVIDIA GeForce '
    'RTX 4080", "n_gpu_layers": 99'
)
JSON = (
    f'[\n  {{{_RECORD}, "n_prompt": 512, "n_gen": 0, "n_depth": 0, "avg_ts": 7100.002165, '
    '"samples_ts": [6863.1, 7147.55]},\n'
    f'  {{{_RECORD}, "n_prompt": 0, "n_gen": 128, "n_depth": 0, "avg_ts": 118.881588}}\n]'
)
JSONL = (
    f'{{{_RECORD}, "n_prompt": 512, "n_gen": 0, "n_depth": 0, "avg_ts": 7263.609157}}\n'
    f'{{{_RECORD}, "n_prompt": 0, "n_gen": 128, "n_depth": 4096, "avg_ts": 119.844681}}\n'
)
SERVER_LOG = """llama_model_loader: loaded meta data with 22 key-value pairs and 291 tensors from models/Meta-Llama-3-8B.Q4_0.gguf (version GGUF V3 (latest))
print_info: file size   = 4.33 GiB (4.64 BPW)
prompt eval time =     357.25 ms /   512 tokens (    0.70 ms per token,  1433.16 tokens per second)
       eval time =    2543.22 ms /   128 tokens (   19.87 ms per token,    50.33 tokens per second)
      total time =    2900.47 ms /   640 tokens"""
SERVER_JSON = (
    '{"content": "...", "model": "gpt-oss-20b-mxfp4.gguf", "timings": {"cache_n": 0, "prompt_n": 1024, '
    '"prompt_ms": 310.2, "prompt_per_second": 3301.1, "predicted_n": 256, "predicted_ms": 1490.0, '
    '"predicted_per_second": 171.8}}'
)

# (paste, format, rows as (phase, n_tokens, depth, tokens/s, quant), devices)
CASES = [
    (
        OLD_MARKDOWN,
        "markdown",
        [("prefill", 512, 0, 4035.47, "Q4_0"), ("decode", 128, 0, 127.43, "Q4_0")],
        ("NVIDIA GeForce RTX 3090 Ti",),
    ),
    (
        DEPTH_MARKDOWN,
        "markdown",
        [("prefill", 512, 0, 7340.20, "Q4_K_M"), ("decode", 128, 512, 116.71, "Q4_K_M")],
        (),
    ),
    (CSV, "csv", [("prefill", 512, 0, 7285.676949, "Q4_K_M"), ("decode", 128, 0, 119.915244, "Q4_K_M")], ()),
    (JSON, "json", [("prefill", 512, 0, 7100.002165, "Q4_K_M"), ("decode", 128, 0, 118.881588, "Q4_K_M")], ()),
    (JSONL, "jsonl", [("prefill", 512, 0, 7263.609157, "Q4_K_M"), ("decode", 128, 4096, 119.844681, "Q4_K_M")], ()),
    (SERVER_LOG, "server-log", [("prefill", 512, 0, 1433.16, "Q4_0"), ("decode", 128, 512, 50.33, "Q4_0")], ()),
    (SERVER_JSON, "server-json", [("prefill", 1024, 0, 3301.1, "MXFP4"), ("decode", 256, 1024, 171.8, "MXFP4")], ()),
]


@pytest.mark.parametrize(("paste", "fmt", "rows", "devices"), CASES, ids=[c[1] + str(i) for i, c in enumerate(CASES)])
def test_pastes_read_as_rows(paste: str, fmt: str, rows: list[tuple[object, ...]], devices: tuple[str, ...]) -> None:
    parsed = parse_bench(paste)
    assert parsed.format == fmt
    assert [(r.phase, r.n_tokens, r.depth_tokens, r.tokens_per_s, r.quant) for r in parsed.rows] == rows
    assert parsed.devices == devices


def test_a_combined_pp_tg_test_is_skipped_not_misread() -> None:
    assert parse_bench(DEPTH_MARKDOWN).skipped == 1


@pytest.mark.parametrize(
    "paste",
    [
        "",
        "my 3090 does about 40 tok/s on qwen, trust me",
        "| a | b |\n|---|---|\n| 1 | 2 |",  # a markdown table that is not llama-bench's
        "@everyone **bold** <@123> | t/s | test |",  # mentions and markdown, no rows
        '{"avg_ts": "NaN", "n_prompt": 512, "n_gen": 0}',  # a speed that is not a number
        '[{"avg_ts": -5, "n_prompt": 0, "n_gen": 128}]',  # a negative speed
    ],
)
def test_text_without_timed_rows_reads_as_no_rows(paste: str) -> None:
    assert parse_bench(paste).rows == ()


@pytest.mark.parametrize(
    ("model_type", "quant"),
    [
        ("qwen2 7B Q4_K - Medium", "Q4_K_M"),
        ("llama 7B mostly Q4_0", "Q4_0"),
        ("deepseek2 671B IQ2_XXS - 2.0625 bpw", "IQ2_XXS"),
        ("gpt-oss 120B MXFP4 MoE", "MXFP4"),
        ("llama 8B IQ3_S mix - 3.66 bpw", "IQ3_M"),
        ("llama 8B Q2_K - Medium", "Q2_K"),
        ("qwen3moe 30B.A3B Q5_K - Small", "Q5_K_S"),
    ],
)
def test_llama_cpp_file_type_names(model_type: str, quant: str) -> None:
    assert quant_from_model_type(model_type) == quant


@pytest.mark.parametrize(
    ("path", "quant"),
    [
        ("models/Qwen3-30B-A3B-UD-Q4_K_XL.gguf", "UD-Q4_K_XL"),
        ("/m/GLM-4.5-Air-Q4_K_M-00001-of-00002.gguf", "Q4_K_M"),
        ("gpt-oss-120b-mxfp4-00001-of-00003.gguf", "MXFP4"),
        ("Meta-Llama-3-8B.Q4_0.gguf", "Q4_0"),
        ("model.gguf", ""),
    ],
)
def test_quant_from_file_names(path: str, quant: str) -> None:
    assert quant_from_filename(path) == quant
