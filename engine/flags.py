"""The command lines that produce a placement: llama.cpp first, then the runtime that applies."""

from __future__ import annotations

from catalog.types import Model
from engine.placement import Placement


def llama_cpp(model: Model, quant: str, placement: Placement, context: int, kv_type: str) -> str | None:
    if placement.verdict == "does-not-fit" and placement.kind != "disk":
        return None
    parts = [f"llama-server -m {model.id}-{quant}.gguf", f"-c {context}"]
    if placement.n_gpu_layers is not None:
        parts.append(f"-ngl {placement.n_gpu_layers}")
    if placement.n_cpu_moe:
        parts.append(f"--n-cpu-moe {placement.n_cpu_moe}")
    if placement.tensor_split:
        parts.append("-ts " + ",".join(str(n) for n in placement.tensor_split))
    parts.append("-fa on")
    if kv_type != "f16":
        parts.append(f"-ctk {kv_type} -ctv {kv_type}")
    if placement.kind == "cpu":
        parts.append("--no-mmap")
    return " ".join(parts)


def other_runtime(model: Model, placement: Placement, context: int) -> str | None:
    """The MLX / Ollama / vLLM equivalent where that runtime applies to the placement."""
    if placement.kind == "unified" and any(p.backend == "metal" for p in placement.pools):
        return f"mlx_lm.server --model <mlx repo of {model.name}> (MLX uses the same unified memory)"
    if placement.kind in ("gpu", "multi-gpu") and all(p.backend == "cuda" for p in placement.pools):
        n = len(placement.pools)
        tp = f" --tensor-parallel-size {n}" if n > 1 else ""
        return f"vllm serve {model.hf_repo or model.id} --max-model-len {context}{tp}"
    if placement.verdict != "does-not-fit":
        return f"ollama: OLLAMA_CONTEXT_LENGTH={context} ollama run <gguf of {model.name}>"
    return None
