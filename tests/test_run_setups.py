"""A measured run's setup as benchmark posts write it: which split several cards ran, and whether part of the model
sat in system RAM (the -ngl count against the model's layers, expert and tensor offload flags)."""

from __future__ import annotations

import pytest

from calibrate.multi_gpu import split_mode
from engine.parse.runs import layers_on_cpu, weights_in_ram


@pytest.mark.parametrize(
    ("setup", "layers", "in_ram"),
    [
        ("-ngl 33", 32, False),  # Llama 2 7B: 'offloaded 33/33 layers to GPU'
        ("./llama-cli -m llama-2-7b.Q4_K_M.gguf -ngl 32", 32, True),  # the output layer stays on the CPU
        ("-ngl 99 -fa 1", 80, False),
        ("ngl 999; fa 1; all layers on the GPUs", 94, False),  # llama-bench's column as pasted
        ("NGL=99 FA=1", 48, False),
        ("-ngl 125 --threads 32", 24, False),
        ("all 63 layers on GPU (ngl 63) across 16 GPUs", 61, False),
        ("-ngl 60 of 64 layers (4 layers on CPU), 6 threads", 64, True),
        ("-ngl 64 of 64 layers (0 layers on CPU), 6 threads", 64, True),  # llama.cpp keeps one of the 65 back
        ("--n-gpu-layers 8, --threads 12, --cache-type-k q4_0", 61, True),
        ("-ngl=20 -c 8192", 40, True),
        ("-ngl 0, -t 4, -ctk q8_0 -ctv q8_0", 27, True),  # every layer on the CPU
        ("-ngl 99 --n-cpu-moe 36, single request", 48, True),
        ("-ngl 999 --n-cpu-moe 0 -ub 512 -sm none (whole model on one GPU)", 40, False),  # no expert left in RAM
        ("-ngl 99 -ncmoe 64 (all 36 MoE layers on CPU)", 36, True),
        ('-ngl 99 -ot "exps=CPU" -nopo 1 -mmp 0 -t 64', 78, True),
        ("--cpu-moe on main branch (expert weights and biases in RAM)", 24, True),
        ("-ngl 99 -ngld 99 -md Qwen3-0.6B-Q8_0.gguf", 64, False),  # the draft's layer count is not the model's
        ("flash attention on, 8k context", 32, False),  # no count stated: llama-bench and Ollama put every layer on
    ],
)
def test_weights_in_ram_read_from_the_setup(setup: str, layers: int, in_ram: bool) -> None:
    assert weights_in_ram(setup, layers) is in_ram


def test_layers_left_on_the_cpu_count_the_output_layer() -> None:
    assert [layers_on_cpu(f"-ngl {n}", 32) for n in (0, 8, 32, 33, 99)] == [33, 25, 1, 0, 0]


@pytest.mark.parametrize(
    ("setup", "mode"),
    [
        ("-sm row, full offload across 4 GPUs", "row"),
        ("--split-mode row --tensor-split 1,1", "row"),
        ("split mode: row, -ngl 99", "row"),
        ("-sm row (row split), model fully resident on 8 GPUs", "row"),
        ("-ngl 100 (all layers on the two GPUs); -sm layer (llama-bench default split)", "layer"),
        ("ngl 99; fa 1; all layers on the GPUs; split mode layer (llama-bench default, no -sm given)", "layer"),
        ("--split-mode layer --tensor-split 35,37,28; 262K context", "layer"),
        ("--parallel 1; split mode not stated in the PR description; no MTP", "layer"),  # llama.cpp's default
        ("defaults: 8 threads, batch 1024, ubatch 512, F16 KV, no flash-attn", "layer"),
        ("-sm tensor (llama.cpp tensor split, ring all-reduce)", "tensor"),
        ("vllm serve --tensor-parallel-size 4", "tensor"),
        ("tp=2, max-model-len 32768", "tensor"),
        ("full GPU offload; split mode graph (POC), f16 KV", "other"),  # ik_llama.cpp's own split
        ("1 of the 2 cards (-sm none -mg 0)", "other"),
    ],
)
def test_split_mode_read_from_the_setup(setup: str, mode: str) -> None:
    assert split_mode(setup) == mode


def test_only_llama_cpp_defaults_to_layer_split() -> None:
    # vLLM names its parallelism (-tp, --tensor-parallel-size); a run that names none says nothing of its split
    assert split_mode("one request at a time (concurrency 1)", llama_cpp=False) == ""
    assert split_mode("--tensor-parallel-size 2", llama_cpp=False) == "tensor"
