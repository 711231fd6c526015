"""What a cluster's network costs a generated token (issue 14): a model split by layers across machines (llama.cpp
RPC, exo, pipeline parallel) hands each token's hidden state (hidden_size x 2 bytes of f16) over the link between
them, once per hop, and waits the link's latency where a measurement is published. The clusters are the ones people
build and ask about; the figures are the models' hidden sizes and the links' line rates written out, not read from
the engine."""

from __future__ import annotations

import math

import pytest

from bot.wording import caveat
from catalog.catalog import Catalog
from engine import speed
from engine.fit import FitOptions, QuantOption, fit, kv_profile
from engine.parse import parse_hardware
from engine.speed import CaveatKind

CONTEXT = 8192
TB5_LATENCY_S = (50e-6, 300e-6)  # RDMA (exo) and TCP (llama.cpp RPC) over Thunderbolt 5, per Jeff Geerling's cluster

# (hardware as written, model, quant, link assumed, bytes of one hidden state, link GB/s, latency per hop or None)
CLUSTERS = [
    # 2x M3 Ultra 512GB: R1 at Q8_0 (714 GB) is past one Mac even with its GPU limit raised; hidden size 7168
    ("2x M3 Ultra 512GB", "deepseek-r1", "Q8_0", "thunderbolt5", 7168 * 2, 80 / 8, TB5_LATENCY_S),
    # 2x DGX Spark: Qwen3-235B-A22B at Q8_0 (250 GB) over the Sparks' ConnectX-7 200 Gb/s; hidden size 4096
    ("2x dgx spark", "qwen3-235b-a22b", "Q8_0", "connectx7", 4096 * 2, 200 / 8, None),
    # 2 nodes of 8x H100: Llama 3.1 405B in BF16 (810 GB) is past one node's 640 GB; hidden size 16384, NDR 400 Gb/s
    ("2 nodes of 8x h100", "llama-3.1-405b", "BF16", "infiniband", 16384 * 2, 400 / 8, None),
]


def _cluster_option(catalog: Catalog, phrase: str, model_id: str, quant: str) -> QuantOption:
    model = catalog.models[model_id]
    report = fit(model, parse_hardware(phrase, catalog)[:1], FitOptions(quant=quant, context=CONTEXT))
    option = report.readings[0].option(quant)
    assert option is not None
    return option


def _one_machine(catalog: Catalog, model_id: str, option: QuantOption) -> speed.Range:
    """The same pools as if every device sat in one machine: the cluster's decode without its network."""
    model = catalog.models[model_id]
    same_pools = option.placement.model_copy(update={"nodes": 1, "node_link": None})
    profile = kv_profile(model, FitOptions(context=CONTEXT))
    decode = speed.estimate(model, same_pools, CONTEXT, profile, 512).decode_tps
    assert decode is not None
    return decode


@pytest.mark.parametrize(("phrase", "model_id", "quant", "link", "hop_bytes", "link_gb_s", "latency_s"), CLUSTERS)
def test_a_cluster_decodes_slower_by_its_hops(
    real_catalog: Catalog,
    phrase: str,
    model_id: str,
    quant: str,
    link: str,
    hop_bytes: int,
    link_gb_s: float,
    latency_s: tuple[float, float] | None,
) -> None:
    option = _cluster_option(real_catalog, phrase, model_id, quant)
    assert (option.placement.nodes, option.placement.node_link) == (2, link)
    cluster, alone = option.decode_tps, _one_machine(real_catalog, model_id, option)
    assert cluster is not None
    transfer = hop_bytes / (link_gb_s * 1e9)  # one hop between two machines
    fast, slow = latency_s or (0.0, 0.0)
    # seconds per token: the slow end pays TCP's latency, the fast end RDMA's, the typical their geometric mean
    assert 1 / cluster.low - 1 / alone.low == pytest.approx(transfer + slow, rel=1e-6)
    assert 1 / cluster.high - 1 / alone.high == pytest.approx(transfer + fast, rel=1e-6)
    assert 1 / cluster.centre - 1 / alone.centre == pytest.approx(transfer + math.sqrt(fast * slow), rel=1e-6)
    assert cluster.centre < alone.centre


@pytest.mark.parametrize(("phrase", "model_id", "quant", "link", "hop_bytes", "link_gb_s", "latency_s"), CLUSTERS)
def test_a_link_without_a_published_latency_says_so(
    real_catalog: Catalog,
    phrase: str,
    model_id: str,
    quant: str,
    link: str,
    hop_bytes: int,
    link_gb_s: float,
    latency_s: tuple[float, float] | None,
) -> None:
    option = _cluster_option(real_catalog, phrase, model_id, quant)
    unmodelled = [c for c in option.caveats if c.kind is CaveatKind.LINK_LATENCY_UNMODELLED]
    if latency_s is not None:
        assert unmodelled == []
        return
    assert [c.link for c in unmodelled] == [link]
    words = caveat(unmodelled[0])
    assert "latency" in words and ("ConnectX-7" in words or "InfiniBand" in words)


def test_a_model_that_fits_one_machine_of_the_cluster_pays_no_network(real_catalog: Catalog) -> None:
    option = _cluster_option(real_catalog, "2x M3 Ultra 512GB", "llama-3.3-70b", "Q4_K_M")
    assert option.placement.nodes == 1
    assert option.decode_tps == _one_machine(real_catalog, "llama-3.3-70b", option)
    assert not any(c.kind is CaveatKind.LINK_LATENCY_UNMODELLED for c in option.caveats)


def test_no_tensor_parallel_figure_across_machines(real_catalog: Catalog) -> None:
    """Two Sparks are two cards by count, but their all-reduces would go over the network, not PCIe or NVLink."""
    option = _cluster_option(real_catalog, "2x dgx spark", "qwen3-235b-a22b", "Q8_0")
    assert option.placement.nodes == 2
    assert option.tensor_parallel is None


def test_a_cluster_serves_several_users_with_one_hop_per_step(real_catalog: Catalog) -> None:
    """Batched decode sends every user's hidden state over the link but waits each hop's latency once per step."""
    model = real_catalog.models["deepseek-r1"]
    option = _cluster_option(real_catalog, "2x M3 Ultra 512GB", "deepseek-r1", "Q8_0")
    profile = kv_profile(model, FitOptions(context=CONTEXT))
    same_pools = option.placement.model_copy(update={"nodes": 1, "node_link": None})
    users = 4
    cluster = speed.concurrency(model, option.placement, CONTEXT, profile, users)
    alone = speed.concurrency(model, same_pools, CONTEXT, profile, users)
    assert cluster is not None and alone is not None
    step = users * 7168 * 2 / 10e9 + TB5_LATENCY_S[1]  # the slow end: TCP's latency once
    assert users / cluster.aggregate_tps.low - users / alone.aggregate_tps.low == pytest.approx(step, rel=1e-6)
