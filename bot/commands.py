"""The commands every front end shares: parse the options, call the engine, build a card, describe the log row.

Front ends (Discord, console, CLI) only move text in and cards out; what a command means lives here.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import wording
from bot.cards import (
    Card,
    about_card,
    commands_card,
    compare_card,
    cost_card,
    error_card,
    fit_card,
    hardware_card,
    help_card,
    model_card,
    quants_card,
    quants_page_count,
    recommend_card,
    stats_card,
    whatfits_card,
)
from bot.chart_jobs import ChartJob
from bot.evidence import MemberSource, evidence_for
from bot.report_json import (
    about_json,
    compare_json,
    cost_json,
    fit_json,
    hardware_json,
    model_json,
    quants_json,
    recommend_json,
    whatfits_json,
)
from bot.requests import DEFAULT_MIN_TPS, DEFAULT_QUANTS_HARDWARE, REQUESTS, Frontend, requests_for
from catalog.loader import Catalog
from catalog.types import Model
from engine.cost import CostReport, Usage, asked_rental, cost_report
from engine.errors import ErrorCode, RigfitError
from engine.fit import DEFAULT_CONTEXT, DEFAULT_PROMPT_TOKENS, FitOptions, FitReport, fit
from engine.parse import (
    parse_context,
    parse_hardware,
    parse_kv_type,
    parse_model,
    parse_prompt_tokens,
    parse_quant,
    quant_in_model_text,
)
from engine.recommend import best_builds, recommend, upgrade_path, what_fits
from engine.rig import Reading

log = logging.getLogger(__name__)
INTERNAL_ERROR = "Something went wrong on my side while answering that; it has been logged. Please try again."


@dataclass(frozen=True)
class Answer:
    card: Card
    error: str | None = None  # set: shown only to the asker
    report: FitReport | None = None
    data: dict[str, Any] | None = None  # the stable JSON object of the answer (`rigfit ... --json`)
    error_code: ErrorCode | None = None  # what kind of error (RigfitError.code), for control flow
    chart: ChartJob | None = None  # the card's picture, for front ends that show one (bot/chart_jobs.py)
    log_fields: dict[str, Any] = field(default_factory=dict)
    pages: tuple[Card, ...] = ()  # more cards of the same answer, for a paged view

    @property
    def ok(self) -> bool:
        return self.error is None


def run_fit(
    catalog: Catalog,
    model: str,
    hardware: str,
    context: str | int | None = None,
    quant: str | None = None,
    kv_cache: str | None = None,
    prompt: str | int | None = None,
    *,
    allow_files: bool = False,
) -> FitReport:
    m = _local_gguf(model) if allow_files and model.lower().endswith(".gguf") else parse_model(model, catalog)
    readings = parse_hardware(hardware, catalog)
    options = FitOptions(
        context=parse_context(context, m),
        quant=parse_quant(quant if quant else quant_in_model_text(model), m),
        kv_type=parse_kv_type(kv_cache),
        prompt_tokens=parse_prompt_tokens(prompt, DEFAULT_PROMPT_TOKENS),
    )
    return fit(m, readings, options)


def _local_gguf(path: str) -> Model:
    """A GGUF file on this machine, sized exactly from its header (shell and console only, never Discord)."""
    from catalog.gguf_import import read_gguf

    if not Path(path).is_file():
        raise RigfitError(f"No GGUF file at `{path}`.", field="model")
    try:
        return read_gguf(path, dt.datetime.now(dt.UTC).date()).model
    except (ValueError, OSError) as exc:
        raise RigfitError(f"`{path}` is not a GGUF file I can read ({exc}).", field="model") from exc


def fit_answer(
    catalog: Catalog,
    model: str,
    hardware: str,
    context: str | int | None = None,
    quant: str | None = None,
    kv_cache: str | None = None,
    prompt: str | int | None = None,
    *,
    allow_files: bool = False,
    members: MemberSource | None = None,
) -> Answer:
    def build() -> Answer:
        report = run_fit(catalog, model, hardware, context, quant, kv_cache, prompt, allow_files=allow_files)
        return _fit_card_answer(catalog, report, members)

    return safely(build)


def _fit_card_answer(catalog: Catalog, report: FitReport, members: MemberSource | None = None) -> Answer:
    """The /fit card and JSON, with the measured runs nearest each option (published, and `members`' reports)."""
    evidence = evidence_for(report, catalog, members)
    first = report.readings[0]
    best = first.best_option
    fields = {
        "model_id": report.model.id,
        "hardware": first.label,
        "verdict": best.verdict if best else "does-not-fit",
        "best_quant": first.best,
    }
    return Answer(
        card=fit_card(report, catalog, _first_reading_cost(catalog, report), evidence),
        report=report,
        data=fit_json(report, evidence),
        log_fields=fields,
        chart=ChartJob("fit", (report,)),
    )


def _first_reading_cost(catalog: Catalog, report: FitReport) -> CostReport | None:
    """Cost at the default usage for the first reading's recommended quant (the card's cost section). On data-center
    cards (engine/cost.py asked_rental: an H100, a B200, an RTX PRO 6000), renting those cards too, as /cost prices
    them: 'rented an h100' had read only the $25,000 purchase."""
    first = report.readings[0]
    option = first.best_option
    prices = catalog.api_prices_for(report.model.id)
    if option is None or not prices:
        return None
    reading = Reading(label=first.label, rig=first.rig)
    rentals = catalog.rental_prices if asked_rental(first.rig) is not None else ()
    return cost_report(
        report.model, reading, option, prices, rentals, catalog.hardware, Usage(), FitOptions(), report.context
    )


def safely(build: Callable[[], Answer]) -> Answer:
    """Any user error becomes a one-line answer; anything else is logged with its traceback, never shown."""
    try:
        return build()
    except RigfitError as exc:
        return Answer(
            card=error_card(str(exc)),
            error=str(exc),
            error_code=exc.code,
            log_fields={"error": f"{exc.field}: {exc}"},
        )
    except Exception as exc:
        log.exception("command failed")
        return Answer(card=error_card(INTERNAL_ERROR), error=INTERNAL_ERROR, log_fields={"error": f"internal: {exc!r}"})


def log_row(
    *,
    frontend: str,
    command: str,
    raw_args: dict[str, Any],
    answer: Answer,
    started: float,
    now: dt.datetime | None = None,
    user: str | None = None,
    guild_id: int | None = None,
    channel_id: int | None = None,
) -> dict[str, Any]:
    when = now or dt.datetime.now(dt.UTC)
    row: dict[str, Any] = {
        "ts": when.isoformat(timespec="milliseconds"),
        "frontend": frontend,
        "command": command,
        "raw_args": json.dumps(raw_args, ensure_ascii=False, default=str),
        "model_id": None,
        "hardware": None,
        "verdict": None,
        "best_quant": None,
        "latency_ms": round((time.perf_counter() - started) * 1000, 3),
        "error": None,
        "user_hash": user,
        "guild_id": str(guild_id) if guild_id is not None else None,
        "channel_id": str(channel_id) if channel_id is not None else None,
    }
    row.update(answer.log_fields)
    return row


# ------------------------------------------------------------------------------------ more commands


def cost_answer(
    catalog: Catalog,
    model: str,
    hardware: str,
    context: str | int | None = None,
    tokens_per_day: float = Usage().tokens_per_day,
    input_share: float = Usage().input_share * 100,
    kwh_price: float = Usage().kwh_usd,
    years: float = Usage().years,
    hardware_price: float | None = None,
) -> Answer:
    """`input_share` is a percent, as on every front end; the engine takes a fraction."""

    def build() -> Answer:
        m = parse_model(model, catalog)
        readings = parse_hardware(hardware, catalog)
        usage = _usage(tokens_per_day, input_share / 100, kwh_price, years)
        report = fit(m, readings[:1], FitOptions(context=parse_context(context, m)))
        r = report.readings[0]
        option = r.best_option
        cost = cost_report(
            m,
            readings[0],
            option,
            catalog.api_prices_for(m.id),
            catalog.rental_prices,
            catalog.hardware,
            usage,
            FitOptions(),
            report.context,
            hardware_price,
            platforms=catalog.platform_prices,
            pick=r.pick,
        )
        hint = wording.ram_hint(r.with_ram, r.label, len(r.rig.gpus)) if r.with_ram is not None else None
        card = cost_card(cost, m.name, r.label, str(catalog.as_of), ram_hint=hint)
        return Answer(
            card=card,
            data=cost_json(cost, m.name, r.label),
            log_fields={"model_id": m.id, "hardware": r.label, "verdict": option.verdict if option else "does-not-fit"},
        )

    return safely(build)


def _usage(tokens_per_day: float, input_share: float, kwh_usd: float, years: float) -> Usage:
    try:
        return Usage(tokens_per_day=tokens_per_day, input_share=input_share, kwh_usd=kwh_usd, years=years)
    except ValueError as exc:
        raise RigfitError(
            f"Usage out of range: {tokens_per_day:g} tokens a day, {input_share:.0%} input, ${kwh_usd:g}/kWh, "
            f"{years:g} years.",
            field="usage",
        ) from exc


def recommend_answer(
    catalog: Catalog,
    model: str,
    budget: float | None = None,
    min_tps: float = DEFAULT_MIN_TPS,
    context: str | int | None = None,
    hardware: str | None = None,
) -> Answer:
    """The cheapest machines; with a budget, the best builds within it too; with hardware, that rig's upgrades."""

    def build() -> Answer:
        m = parse_model(model, catalog)
        ctx = parse_context(context, m) or min(DEFAULT_CONTEXT, m.context_max_tokens)
        asked = context is not None  # as /fit: a context not asked for may be traded (not under 8k) to keep 4 bits
        found = recommend(m, catalog, budget_usd=budget, min_decode_tps=min_tps, context=ctx, context_asked=asked)
        best = (
            best_builds(m, catalog, budget_usd=budget, min_decode_tps=min_tps, context=ctx, context_asked=asked)
            if budget
            else []
        )
        path = None
        if hardware:
            reading = parse_hardware(hardware, catalog)[0]
            path = upgrade_path(
                m,
                reading.rig,
                catalog,
                min_decode_tps=min_tps,
                context=ctx,
                context_asked=asked,
                label=reading.label,
                budget_usd=budget,
            )
        return Answer(
            card=recommend_card(m.name, found, min_tps, budget, best, path),
            data=recommend_json(m, found, min_tps, budget, ctx, best, path),
            log_fields={"model_id": m.id} | ({"hardware": path.rig_label} if path else {}),
        )

    return safely(build)


def whatfits_answer(catalog: Catalog, hardware: str, min_tps: float = DEFAULT_MIN_TPS) -> Answer:
    def build() -> Answer:
        reading = parse_hardware(hardware, catalog)[0]
        found = what_fits(reading, catalog, min_decode_tps=min_tps)
        return Answer(
            card=whatfits_card(reading.label, found),
            data=whatfits_json(reading.label, found, min_tps),
            log_fields={"hardware": reading.label},
        )

    return safely(build)


def compare_answer(catalog: Catalog, first: str, second: str, against: str) -> Answer:
    """Two models on one machine (`first`, `second` models; `against` hardware), or one model on two machines:
    whichever reading works."""

    def build() -> Answer:
        try:
            a_model, b_model = parse_model(first, catalog), parse_model(second, catalog)
            hw = parse_hardware(against, catalog)[:1]
            a, b = fit(a_model, hw), fit(b_model, hw)
        except RigfitError:
            m = parse_model(against, catalog)
            a, b = fit(m, parse_hardware(first, catalog)[:1]), fit(m, parse_hardware(second, catalog)[:1])
        return Answer(
            card=compare_card(a, b, catalog),
            data=compare_json(a, b),
            log_fields={"model_id": a.model.id},
            chart=ChartJob("compare", (a, b)),
        )

    return safely(build)


def quants_answer(catalog: Catalog, model: str, hardware: str = DEFAULT_QUANTS_HARDWARE) -> Answer:
    """Every quant of the model against the hardware; `pages` holds all pages when they don't fit one card."""

    def build() -> Answer:
        m = parse_model(model, catalog)
        report = fit(m, parse_hardware(hardware, catalog)[:1])
        count = quants_page_count(report)
        pages = tuple(quants_card(report, page) for page in range(count))
        return Answer(
            card=pages[0], report=report, data=quants_json(report), log_fields={"model_id": m.id}, pages=pages
        )

    return safely(build)


def commands_answer(catalog: Catalog, model: str, hardware: str, context: str | int | None = None) -> Answer:
    """Every serve plan of /fit's recommended option (the /fit card shows the best one or two): a button's answer."""

    def build() -> Answer:
        report = run_fit(catalog, model, hardware, context)
        return Answer(card=commands_card(report), report=report, log_fields={"model_id": report.model.id})

    return safely(build)


def model_answer(catalog: Catalog, name: str) -> Answer:
    def build() -> Answer:
        m = parse_model(name, catalog)
        return Answer(card=model_card(m), data=model_json(m), log_fields={"model_id": m.id})

    return safely(build)


def hardware_answer(catalog: Catalog, name: str) -> Answer:
    def build() -> Answer:
        res = catalog.find_hardware(name)
        if res.id is None and (read := _one_device_read(catalog, name)) is not None:
            entry = catalog.hardware[read]  # `M3 Ultra 256GB`, `2x 3090`: the device the rig phrase names
            return Answer(card=hardware_card(entry), data=hardware_json(entry), log_fields={"hardware": read})
        if res.id is None:
            pool = res.candidates or res.suggestions
            raise RigfitError(
                f"I don't know the device `{name[:60]}`.",
                field="hardware",
                suggestions=tuple(catalog.hardware[i].name for i in pool[:5]),
            )
        entry = catalog.hardware[res.id]
        return Answer(card=hardware_card(entry), data=hardware_json(entry), log_fields={"hardware": res.id})

    return safely(build)


def _one_device_read(catalog: Catalog, phrase: str) -> str | None:
    """The catalog id of the one kind of device a rig phrase names (`M3 Ultra 256GB`, `dual 3090`), else None."""
    try:
        rig = parse_hardware(phrase, catalog)[0].rig
    except RigfitError:
        return None
    ids = {g.hardware_id for g in rig.gpus} | ({rig.unified.hardware_id} if rig.unified else set())
    found = ids - {None}
    return next(iter(found)) if len(ids) == 1 and found and next(iter(found)) in catalog.hardware else None


def help_answer(frontend: Frontend) -> Answer:
    requests = requests_for(frontend)
    if frontend is Frontend.DISCORD:
        return Answer(card=help_card([(r.menu or f"/{r.name}", r.description) for r in requests]))
    return Answer(card=help_card([(f"/{r.usage}", r.description) for r in requests]))


def about_answer(catalog: Catalog) -> Answer:
    from importlib.metadata import PackageNotFoundError, version

    from engine.calibration import MEASURED_ACCURACY

    try:
        v = version("rigfit")
    except PackageNotFoundError:
        v = "dev"
    return Answer(card=about_card(catalog, v, MEASURED_ACCURACY), data=about_json(catalog, v, MEASURED_ACCURACY))


def stats_answer(path: str, guild_id: str | None) -> Answer:
    from bot.storage import stats

    return safely(lambda: Answer(card=stats_card(stats(path, guild_id))))


# ------------------------------------------------------------------------------------ one entry point

HANDLERS: dict[str, Callable[..., Answer]] = {
    "fit": fit_answer,
    "quants": quants_answer,
    "cost": cost_answer,
    "recommend": recommend_answer,
    "whatfits": whatfits_answer,
    "compare": compare_answer,
    "model": model_answer,
    "hardware": hardware_answer,
    "about": about_answer,
}


def run_request(
    catalog: Catalog,
    name: str,
    raw: Mapping[str, object],
    frontend: Frontend,
    *,
    allow_files: bool = False,
    members: MemberSource | None = None,
) -> Answer:
    """A command as a front end received it: options checked against the one table, then the engine."""

    def build() -> Answer:
        request = REQUESTS.get(name)
        if request is None or frontend not in request.frontends:
            raise RigfitError(f"I don't know the command `/{name[:30]}`. Try `/help`.", field="command")
        if name == "help":
            return help_answer(frontend)
        values = request.values(raw)
        if name == "fit":
            values["allow_files"] = allow_files
            values["members"] = members  # member reports shown next to the estimate (bot/evidence.py)
        return HANDLERS[name](catalog, **values)

    return safely(build)
