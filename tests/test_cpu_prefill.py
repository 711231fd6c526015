"""CPU-only prefill from the CPU model's cores, clock and int8 instructions (issue 17): the per-model catalog facts,
the phrases that name a model, the derived rate, the answer and its caveat, and how measured rows name their CPU;
Intel Arc prefill from its shaders."""

from __future__ import annotations

import pytest

from bot import wording
from calibrate.cpu import row_cpu, row_sockets
from calibrate.fit import engine_range
from calibrate.runs import READ_SHARE_MAX, Run
from catalog.catalog import Catalog
from catalog.types import Gpu
from engine import calibration, speed
from engine.kernels import CpuSpec, MatrixPath, MatrixSpec, cpu_rate, matrix_rate
from engine.parse import parse_hardware, parse_model
from tests.fixtures import placed

# (the rig as people write it in chats and benchmark threads, the CPU model it names, its cores (a hybrid part's
# performance cores), base clock MHz, VNNI, sockets); None: the phrase names a platform, not a model with its facts
PHRASES = [
    ("EPYC 9654 768GB", "AMD EPYC 9654 (Genoa)", 96, 2400, True, 1),
    ("dual EPYC 9654 1536GB", "AMD EPYC 9654 (Genoa)", 96, 2400, True, 2),
    ("2x epyc 9554 768gb ddr5", "AMD EPYC 9554", 64, 3100, True, 2),
    ("epyc 9554 with 384gb", "AMD EPYC 9554", 64, 3100, True, 1),
    ("EPYC 9135 768GB", "AMD EPYC 9135", 16, 3650, True, 1),
    ("epyc 7763 512gb", "AMD EPYC 7763", 64, 2450, False, 1),
    ("Xeon 8480+ 512GB", "Intel Xeon Platinum 8480+ (Sapphire Rapids)", 56, 2000, True, 1),
    ("xeon platinum 8592+ 1TB", "Intel Xeon Platinum 8592+", 64, 1900, True, 1),
    ("xeon gold 6430 512gb", "Intel Xeon Gold 6430", 32, 2100, True, 1),
    ("dual xeon gold 6148 384gb", "Intel Xeon Gold 6148", 20, 2400, False, 2),
    ("xeon 6980p 768gb", "Intel Xeon 6 6980P", 128, 2000, True, 1),
    ("e5-2680 v4 128gb", "Intel Xeon E5-2680 v4", 14, 2400, False, 1),
    ("i9-13900k 128gb ddr5", "Intel Core i9-13900K", 8, 3000, True, 1),
    ("ryzen 9 7950x 96gb", "AMD Ryzen 9 7950X", 16, 4500, True, 1),
    ("TR 7995WX 256GB", None, 0, 0, False, 1),
    ("9950X 192GB", "AMD Ryzen 9 9950X", 16, 4300, True, 1),
    ("threadripper pro 7985wx 512gb ddr5", "AMD Ryzen Threadripper PRO 7985WX", 64, 3200, True, 1),
    ("5995wx 256gb", "AMD Ryzen Threadripper PRO 5995WX", 64, 2700, False, 1),
    ("w7-3465x 256gb", "Intel Xeon w7-3465X", 28, 2500, True, 1),
    ("threadripper 7980x 256gb", None, 0, 0, False, 1),
    ("dual e5-2690 v2 256gb", None, 0, 0, False, 2),  # Ivy Bridge-EP has AVX, no AVX2: no int8 rate to derive
]


@pytest.mark.parametrize(("phrase", "name", "cores", "mhz", "vnni", "sockets"), PHRASES)
def test_a_cpu_model_is_read_with_its_cores_clock_and_instructions(
    real_catalog: Catalog, phrase: str, name: str | None, cores: int, mhz: int, vnni: bool, sockets: int
) -> None:
    ram = parse_hardware(phrase, real_catalog)[0].rig.ram
    assert ram is not None
    if name is None:
        assert ram.cpu is None
        return
    assert ram.cpu == CpuSpec(name=name, cores=cores, base_clock_mhz=mhz, vnni=vnni, sockets=sockets)


# (cores, base clock MHz, VNNI, sockets, weights, the path, TOPS): cores x GHz x 128 int8 ops a clock with VNNI, 64
# without; 16-bit weights on the FP32 lanes (32 FLOPs a clock)
RATES = [
    (96, 2400, True, 1, "quantized", MatrixPath.CPU_VNNI, 96 * 2.4 * 128 / 1000),
    (96, 2400, True, 2, "quantized", MatrixPath.CPU_VNNI, 2 * 96 * 2.4 * 128 / 1000),
    (14, 2400, False, 1, "quantized", MatrixPath.CPU_AVX2, 14 * 2.4 * 64 / 1000),
    (16, 4500, True, 1, "bf16", MatrixPath.CPU_FP32, 16 * 4.5 * 32 / 1000),
]


@pytest.mark.parametrize(("cores", "mhz", "vnni", "sockets", "weights", "path", "tops"), RATES)
def test_cpu_rate_is_cores_times_clock_times_the_instructions_rate(
    cores: int, mhz: int, vnni: bool, sockets: int, weights: str, path: MatrixPath, tops: float
) -> None:
    spec = CpuSpec(name="cpu", cores=cores, base_clock_mhz=mhz, vnni=vnni, sockets=sockets)
    rate = cpu_rate(spec, weights)  # type: ignore[arg-type]
    assert rate.path is path and rate.basis == "derived"
    assert rate.tops == pytest.approx(tops)
    assert rate.attention_tops == pytest.approx(cores * sockets * mhz / 1000 * 32 / 1000)


def _prefill(catalog: Catalog, model_id: str, quant: str, hardware: str) -> tuple[speed.Range | None, list[str]]:
    model, _, placement = placed(catalog, model_id, quant, hardware)
    assert placement.kind == "cpu"
    prefill, caveats = speed.prefill_range(model, placement, 512)
    return prefill, [wording.caveat(c) for c in caveats]


# (model, quant, a CPU-only rig as written, whether prefill is answered)
CPU_RIGS = [
    ("qwen3-30b-a3b", "Q4_K_M", "epyc 9654 384gb", True),
    ("llama-3.1-8b", "Q4_K_M", "xeon 8480+ 256gb", True),
    ("qwen3-30b-a3b", "Q4_K_M", "ryzen 9 7950x 64gb", True),
    ("qwen3-30b-a3b", "Q4_K_M", "e5-2680 v4 128gb", True),
    ("qwen3-30b-a3b", "Q4_K_M", "9950X 192GB", True),
    ("qwen3-30b-a3b", "Q4_K_M", "TR 7995WX 256GB", False),  # the 7995WX's base clock is not sourced
    ("qwen3-30b-a3b", "Q4_K_M", "128GB DDR5", False),  # no CPU named
]


@pytest.mark.parametrize(("model_id", "quant", "hardware", "answered"), CPU_RIGS)
def test_cpu_only_prefill_is_derived_from_the_cpu_model_and_says_so(
    real_catalog: Catalog, model_id: str, quant: str, hardware: str, answered: bool
) -> None:
    prefill, words = _prefill(real_catalog, model_id, quant, hardware)
    if not answered:
        assert prefill is None
        assert words == ["CPU-only prefill: no figure without the CPU's model (its cores and clock)"]
        return
    assert prefill is not None and 0 < prefill.low <= prefill.centre <= prefill.high
    assert len(words) == 1 and words[0].startswith("prefill derived from the ")


def test_more_cores_prefill_faster_and_vnni_beats_avx2_per_core_clock(real_catalog: Catalog) -> None:
    """A 96-core EPYC 9654 outruns a 16-core EPYC 9135 on the same platform; an E5 v4 without VNNI is the slowest."""
    typical = {}
    for hardware in ("epyc 9654 384gb", "epyc 9135 384gb", "e5-2680 v4 128gb"):
        prefill, _ = _prefill(real_catalog, "qwen3-30b-a3b", "Q4_K_M", hardware)
        assert prefill is not None
        typical[hardware] = prefill.centre
    assert typical["epyc 9654 384gb"] > typical["epyc 9135 384gb"] > typical["e5-2680 v4 128gb"]


# (the hardware cell of a measured row as published, the catalog CPU id, sockets computing)
ROWS = [
    ("AMD EPYC 9554 64-core (single socket)", "epyc-9554", 1),
    ("AMD EPYC 9175F 16-core (Zen 5, 512 MB L3; 1 socket)", "epyc-9175f", 1),
    ("Intel Xeon E5-1660 v4 (8 cores / 16 threads)", "xeon-e5-1660-v4", 1),
    ("Intel Xeon 8480 (engineering sample, Sapphire Rapids, AMX; single socket)", "xeon-platinum-8480plus", 1),
    ("AMD EPYC 9965 192-core (dual-socket rig, run on 1 socket via numactl)", "epyc-9965", 1),
    ("2x AMD EPYC 9654 (dual socket)", "epyc-9654", 2),
    ("AMD Ryzen 9 7950X", "ryzen-9-7950x", 1),
    ("AMD EPYC 9V45 (Turin) 32-core", None, 1),
]


@pytest.mark.parametrize(("hardware", "cpu_id", "sockets"), ROWS)
def test_a_measured_row_names_its_cpu_model_and_sockets(
    real_catalog: Catalog, hardware: str, cpu_id: str | None, sockets: int
) -> None:
    cpu = row_cpu(hardware, real_catalog)
    assert (cpu.id if cpu else None) == cpu_id
    assert row_sockets(hardware) == sockets


# (an Intel Arc card, the backend a run used, shading units x boost clock x 8 int8 ops (dp4a) in TOPS): llama.cpp's
# SYCL and Vulkan kernels do not run on the XMX engines whose figure the catalog carries (B580: 117 TFLOPS FP16)
ARC = [
    ("arc-b580", "sycl", 2560 * 2.670 * 8 / 1000),
    ("arc-b580", "vulkan", 2560 * 2.670 * 8 / 1000),
    ("arc-pro-b60", "sycl", 2560 * 2.400 * 8 / 1000),
    ("arc-a770", "vulkan", 4096 * 2.400 * 8 / 1000),  # no FP16 figure in the catalog: answered from its shaders
]


@pytest.mark.parametrize(("hardware_id", "backend", "tops"), ARC)
def test_intel_arc_prefill_is_derived_from_its_shaders(
    real_catalog: Catalog, hardware_id: str, backend: str, tops: float
) -> None:
    entry = real_catalog.hardware[hardware_id]
    assert isinstance(entry, Gpu)
    rate = matrix_rate(MatrixSpec.of(entry, backend))
    assert rate is not None and rate.path is MatrixPath.INTEL_DP4A and rate.basis == "derived"
    assert rate.tops == pytest.approx(tops, rel=1e-3)


# (model, dense GB, routed-expert GB, tokens in the micro-batch, RAM GB/s, seconds per prompt token reading weights):
# llama-bench's `-p 512` against the `-p 20` short prompts of CPU threads (bench/measured_runs.csv x520: Qwen3-30B-A3B
# on a quad-channel DDR4-2400 Xeon), an 8B on dual-channel DDR5-6000, a 20-token prompt touching most of 128 experts
READS = [
    ("llama-3.1-8b", 4.9, 0.0, 512, 96.0, 4.9 / 96 / 512),
    ("llama-3.1-8b", 4.9, 0.0, 20, 96.0, 4.9 / 96 / 20),
    ("qwen3-30b-a3b", 1.5, 16.0, 20, 76.8, (1.5 + 16.0 * (1 - (1 - 8 / 128) ** 20)) / 76.8 / 20),
    ("qwen3-30b-a3b", 1.5, 16.0, 512, 76.8, (1.5 + 16.0 * (1 - (1 - 8 / 128) ** 512)) / 76.8 / 512),
    ("qwen3-30b-a3b", 1.5, 16.0, 20, None, 0.0),  # no bandwidth known: no read term
]


@pytest.mark.parametrize(("model_id", "dense_gb", "expert_gb", "batch", "gb_s", "seconds"), READS)
def test_a_cpu_micro_batch_reads_the_dense_weights_and_the_experts_its_tokens_touch(
    real_catalog: Catalog,
    model_id: str,
    dense_gb: float,
    expert_gb: float,
    batch: int,
    gb_s: float | None,
    seconds: float,
) -> None:
    model = parse_model(model_id, real_catalog)
    got = speed.cpu_batch_read_seconds(model, dense_gb * 1e9, expert_gb * 1e9, batch, gb_s)
    assert got == pytest.approx(seconds, rel=1e-9)


# (model, quant, a CPU-only rig as written, a short prompt, a long one): people ask how fast a one-line question
# is read as well as a pasted file; a short prompt is one small micro-batch that still streams the weights from RAM
SHORT_PROMPTS = [
    ("qwen3-30b-a3b", "Q4_K_M", "e5-2680 v4 128gb", 20, 512),
    ("llama-3.1-8b", "Q4_K_M", "epyc 9654 384gb", 16, 512),
    ("qwen3-30b-a3b", "Q4_K_M", "ryzen 9 7950x 64gb", 32, 1024),
]


@pytest.mark.parametrize(("model_id", "quant", "hardware", "short", "long"), SHORT_PROMPTS)
def test_a_short_prompt_on_a_cpu_is_bound_by_reading_the_weights(
    real_catalog: Catalog, model_id: str, quant: str, hardware: str, short: int, long: int
) -> None:
    model, _, placement = placed(real_catalog, model_id, quant, hardware)
    ram = placement.pools[0]
    assert ram.bandwidth_gb_s is not None
    short_range, _ = speed.prefill_range(model, placement, short)
    long_range, _ = speed.prefill_range(model, placement, long)
    assert short_range is not None and long_range is not None
    assert short_range.centre < long_range.centre
    # no faster than reading the weights its batch needs once at the full bandwidth
    read_s = speed.cpu_batch_read_seconds(model, ram.dense_bytes, ram.expert_bytes, short, ram.bandwidth_gb_s)
    assert short_range.high <= 1 / read_s


# (tokens/s a CPU prefill run measured, its arithmetic's tokens/s at efficiency 1, seconds per token its micro-batch
# spends reading weights, the arithmetic's efficiency the fit sees): the 20-token Qwen3-30B-A3B prompt on a Xeon
# E5-1660 v4 is a third read; a 512-token run barely reads; a run measured faster than its read allows keeps a figure
EFFICIENCIES = [
    (28.0, 250.0, 0.0088, 1 / (250.0 * (1 / 28.0 - 0.0088))),
    (29.5, 200.0, 0.0, 29.5 / 200.0),
    (100.0, 400.0, 0.02, 1 / (400.0 * (1 / 100.0) * (1 - READ_SHARE_MAX))),
]


@pytest.mark.parametrize(("measured", "ideal", "read_s", "efficiency"), EFFICIENCIES)
def test_a_cpu_prefill_run_is_fitted_on_the_time_its_arithmetic_took(
    real_catalog: Catalog, measured: float, ideal: float, read_s: float, efficiency: float
) -> None:
    model = parse_model("qwen3-30b-a3b", real_catalog)
    run = Run("r", "xeon", "ram", "cpu", model, "prefill", measured, ideal, "s", "cpu-avx2", read_s)
    assert run.efficiency == pytest.approx(efficiency, rel=1e-9)
    if read_s < READ_SHARE_MAX / measured:  # a run within the read's bound comes back at its measured speed
        table: calibration.Table = {
            ("prefill", "ram", "cpu", "cpu-avx2", "moe"): (efficiency / 2, efficiency, efficiency * 2, 9)
        }
        low, typical, high = engine_range(run, table)
        assert typical == pytest.approx(measured, rel=1e-9) and low < measured < high
