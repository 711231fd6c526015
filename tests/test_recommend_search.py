"""How much work the /recommend search does for big models that few machines can run.

MiniMax-M1, ERNIE 4.5 300B, Nemotron Ultra 253B, Jamba Large, Step3, DeepSeek V3.2 and dots.llm1 have no GGUF an
engine loads on a GPU rig (no published one, no 16-bit GGUF for llama-quantize): only MLX files on Apple silicon and
server checkpoints (FP8), which vLLM and SGLang hold on the GPUs alone. A GPU + system RAM build cannot run them at
any RAM size, yet the search sized every one, at every RAM size of its ladder, looking for a tenth answer: about 8 s
a model (make bench at 059187e: /recommend p99 8,309 ms). Work is counted as rigs sized (`fit.pick_on_rig` calls),
not wall-clock."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from catalog.loader import Catalog, load
from engine import recommend as rec
from engine.fit import SERVER_ONLY, FitOptions, RigPick, fit
from engine.parse import parse_hardware
from engine.rig import Rig

TARGET_TPS = 5.0
BUDGET_USD = 5000.0


@pytest.fixture(scope="module")
def real() -> Catalog:
    return load()


@pytest.fixture
def sized_rigs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Rig]]:
    """Every rig the search sizes files on, in order."""
    rigs: list[Rig] = []
    original: Callable[..., RigPick] = rec.pick_on_rig

    def counting(model: object, rig: Rig, *args: object, **kwargs: object) -> RigPick:
        rigs.append(rig)
        return original(model, rig, *args, **kwargs)

    monkeypatch.setattr(rec, "pick_on_rig", counting)
    yield rigs


def _fixed_holding(catalog: Catalog, model_id: str, budget_usd: float | None = None) -> int:
    """The bound: priced machines without system RAM (1-8 of a GPU, each unified size) that hold the model's smallest
    file worth running, within the budget. Where only MLX files and server checkpoints load, only these can answer,
    and each is sized at most once."""
    model = catalog.models[model_id]
    smallest = rec._smallest_file_bytes(model)
    return sum(
        1
        for usd, item in rec._fixed(rec._Prices(catalog))
        if rec._fixed_memory_bytes(item) >= smallest and (budget_usd is None or usd <= budget_usd)
    )


# (model, whether $5,000 buys a machine that runs it at TARGET_TPS)
FEW_MACHINES = [
    ("deepseek-v3.2", False),
    ("ernie-4.5-300b-a47b", False),
    ("minimax-m1", False),
    ("llama-3.1-nemotron-ultra-253b", False),
    ("jamba-large-1.7", False),
    ("step3", False),
    ("dots.llm1", True),
]
MODELS = [m for m, _ in FEW_MACHINES]


@pytest.mark.parametrize("model_id", MODELS)
def test_no_engine_loads_these_models_from_system_ram(real: Catalog, model_id: str) -> None:
    """The premise of the bounds below, from /fit itself: on a GPU with 512 GB of RAM, every file some engine
    loads is a server checkpoint (held on the GPUs alone)."""
    reading = parse_hardware("RTX 5090 + 512GB DDR5", real)[0]
    options = fit(real.models[model_id], [reading], FitOptions(context=32_768)).readings[0].options
    loadable = {o.quant: o.format for o in options if o.loadable}
    assert all(fmt in SERVER_ONLY for fmt in loadable.values()), loadable


@pytest.mark.parametrize("model_id", MODELS)
def test_recommend_sizes_no_ram_build_and_each_machine_once(
    real: Catalog, sized_rigs: list[Rig], model_id: str
) -> None:
    found = rec.recommend(real.models[model_id], real, min_decode_tps=TARGET_TPS)
    assert found, f"{model_id}: no build at all, where an Apple machine with enough memory runs its MLX file"
    assert all(c.decode_typical >= TARGET_TPS and "DDR" not in c.label for c in found), [c.label for c in found]
    with_ram = [r.describe() for r in sized_rigs if r.ram is not None]
    assert not with_ram, f"{model_id}: sized {len(with_ram)} GPU + RAM builds, e.g. {with_ram[:3]}"
    bound = _fixed_holding(real, model_id)
    assert len(sized_rigs) <= bound, f"{model_id}: sized {len(sized_rigs)} rigs, more than the {bound} that can answer"


@pytest.mark.parametrize(("model_id", "affordable"), FEW_MACHINES)
def test_best_builds_answers_within_the_bound(
    real: Catalog, sized_rigs: list[Rig], model_id: str, affordable: bool
) -> None:
    found = rec.best_builds(real.models[model_id], real, budget_usd=BUDGET_USD, min_decode_tps=TARGET_TPS)
    assert bool(found) == affordable, [c.label for c in found]
    assert all(c.price_usd <= BUDGET_USD and c.decode_typical >= TARGET_TPS for c in found)
    bound = _fixed_holding(real, model_id, BUDGET_USD)
    assert not [r for r in sized_rigs if r.ram is not None]
    assert len(sized_rigs) <= bound, f"{model_id}: sized {len(sized_rigs)} rigs under ${BUDGET_USD:,.0f}, bound {bound}"


@pytest.mark.parametrize("model_id", MODELS)
def test_no_upgrade_of_a_3090_with_ram_runs_them(real: Catalog, model_id: str) -> None:
    """A 3090 with 64 GB of DDR4 runs none of them, and no upgrade of one kind that keeps the 3090 and its RAM
    reaches 10 tok/s within the cards the catalog prices beside it: the answer is 'none', not a search that
    times out."""
    rig = parse_hardware("RTX 3090 + 64GB DDR4", real)[0].rig
    path = rec.upgrade_path(real.models[model_id], rig, real, min_decode_tps=10)
    assert (path.runs, path.current, path.upgrades) == (False, None, ())


# Big MoE models whose cheapest builds are GPUs + system RAM answering at 2 bits: the search tries more RAM of the
# same GPUs and platform where a larger file of a better group could lift the answer. It had tried every larger RAM
# size up to 1.5 TB, though more RAM of the same speed places a file it already placed the same way, at the same
# speed (Kimi K2.5: 721 rigs sized, 692 of them 2-bit answers on larger RAM).
TWO_BIT_BUILDS = ["kimi-k2.5", "glm-5.3", "qwen3.8-2.4t-a95b", "deepseek-v3"]
# A build is sized where its smallest file fits, then at most once more for each better group of quants (3 bits,
# 4 bits and up: recommend._group) whose files it could not place.
MOST_SIZES_PER_BUILD = 3


@pytest.mark.parametrize("model_id", TWO_BIT_BUILDS)
def test_more_ram_is_tried_only_where_it_can_lift_the_answer(
    real: Catalog, sized_rigs: list[Rig], model_id: str
) -> None:
    found = rec.recommend(real.models[model_id], real, min_decode_tps=TARGET_TPS)
    assert found and all(c.decode_typical >= TARGET_TPS for c in found)
    per_build = Counter((tuple(g.hardware_id for g in r.gpus), r.ram.description) for r in sized_rigs if r.ram)
    most = max(per_build.values())
    assert most <= MOST_SIZES_PER_BUILD, f"{model_id}: {per_build.most_common(3)}"
