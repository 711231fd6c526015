# ruff: noqa: E501  (llama.cpp output is kept exactly as printed: its lines are long)
"""llama.cpp output as members paste it: llama-bench's markdown table (columns as llama.cpp's llama-bench README
prints them), -o jsonl records and llama-server's timing lines, with figures plausible for the hardware named in
the tests that use them; `fake` swaps a figure or a name for the cases that lie."""

from __future__ import annotations

HEADER = """| model                          |       size |     params | backend    | ngl |            test |                  t/s |
| ------------------------------ | ---------: | ---------: | ---------- | --: | --------------: | -------------------: |"""


def table(*rows: str, devices: str = "") -> str:
    return "\n".join([devices, HEADER, *rows]).strip() + "\n\nbuild: 6a2c5e4b (6010)"


CUDA_3090 = (
    "ggml_cuda_init: found 1 CUDA devices:\n  Device 0: NVIDIA GeForce RTX 3090, compute capability 8.6, VMM: yes"
)
LLAMA8_Q8 = (
    "| llama 8B Q8_0                  |   7.95 GiB |     8.03 B | CUDA       |  99 |           pp512 |      4985.12 ± 20.11 |",
    "| llama 8B Q8_0                  |   7.95 GiB |     8.03 B | CUDA       |  99 |           tg128 |         87.41 ± 0.12 |",
)
QWEN3_MOE = (
    "| qwen3moe 30B.A3B Q4_K - Medium |  17.28 GiB |    30.53 B | CUDA       |  99 |           pp512 |      5214.33 ± 40.21 |",
    "| qwen3moe 30B.A3B Q4_K - Medium |  17.28 GiB |    30.53 B | CUDA       |  99 |   tg128 @ d4096 |        148.02 ± 1.10 |",
)
METAL_7B = (
    "| llama 7B Q4_0                  |   3.56 GiB |     6.74 B | Metal,BLAS |  99 |           pp512 |      1238.48 ± 0.61 |",
    "| llama 7B Q4_0                  |   3.56 GiB |     6.74 B | Metal,BLAS |  99 |           tg128 |         93.86 ± 0.05 |",
)
GPT_OSS_JSONL = (
    '{"model_filename": "/models/gpt-oss-120b-mxfp4-00001-of-00003.gguf", "model_type": "gpt-oss 120B MXFP4 MoE", "model_size": 63387346944, '
    '"model_n_params": 116829156672, "backends": "CUDA", "n_gpu_layers": 99, "n_prompt": 512, "n_gen": 0, "n_depth": 0, "avg_ts": 221.4}\n'
    '{"model_filename": "/models/gpt-oss-120b-mxfp4-00001-of-00003.gguf", "model_type": "gpt-oss 120B MXFP4 MoE", "model_size": 63387346944, '
    '"model_n_params": 116829156672, "backends": "CUDA", "n_gpu_layers": 99, "n_prompt": 0, "n_gen": 128, "n_depth": 0, "avg_ts": 31.7}\n'
)
SERVER_LOG = """llama_model_loader: loaded meta data with 35 key-value pairs and 579 tensors from /models/Qwen3-30B-A3B-Instruct-2507-UD-Q4_K_XL.gguf (version GGUF V3 (latest))
prompt eval time =     812.40 ms /  2048 tokens (    0.40 ms per token,  2520.93 tokens per second)
       eval time =    1502.11 ms /   200 tokens (    7.51 ms per token,   133.15 tokens per second)
      total time =    2314.51 ms /  2248 tokens"""


def fake(rows: tuple[str, ...], old: str, new: str) -> str:
    return table(*(r.replace(old, new) for r in rows))
