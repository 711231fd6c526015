"""Cards: built once as a neutral structure, rendered as a discord.Embed or as terminal text.

Discord's embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits):
title 256, description 4096, 25 fields, field name 256, field value 1024, footer 2048, all text together 6000.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot import wording
from bot.wording import VERDICT_WORDS
from catalog.catalog import Catalog
from catalog.types import Gpu, Hardware, Model, QuantTypeQuality, SystemMemory, Unified
from engine.calibration import MeasuredAccuracy
from engine.cost import CostReport, processed_tokens_per_day
from engine.evidence import OptionEvidence, ReportEvidence
from engine.fit import FitReport, QuantOption, ReadingReport
from engine.quants import Tier
from engine.recommend import Candidate, ModelFit, UpgradePath
from engine.serve import Engine, ServePlan, Step
from engine.speed import Range
from engine.units import fmt_gb, fmt_rate, fmt_tokens, fmt_usd

if TYPE_CHECKING:
    import discord

TITLE_MAX, DESCRIPTION_MAX, FIELDS_MAX = 256, 4096, 25
FIELD_NAME_MAX, FIELD_VALUE_MAX, FOOTER_MAX, TOTAL_MAX = 256, 1024, 2048, 6000

GREEN, AMBER, RED, BLUE = 0x2ECC71, 0xF1C40F, 0xE74C3C, 0x3498DB
VERDICT_COLOUR = {"fits": GREEN, "fits-offload": AMBER, "does-not-fit": RED}
VERDICT_MARK = {"fits": "✅", "fits-offload": "🟡", "does-not-fit": "❌"}


@dataclass(frozen=True)
class CardField:
    name: str
    value: str
    inline: bool = False
    detail: bool = False  # folded below the headline where the layout allows (components v2)


@dataclass(frozen=True)
class Card:
    title: str
    description: str = ""
    colour: int = BLUE
    fields: tuple[CardField, ...] = field(default_factory=tuple)
    footer: str = ""


def escape_markdown(text: str) -> str:
    """User text echoed back: no markdown, no mentions (a zero-width space breaks @everyone and <@id>)."""
    out = text.replace("\\", "\\\\")
    for ch in "*_`~|>#[]()":
        out = out.replace(ch, "\\" + ch)
    return out.replace("@", "@\u200b")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def total_chars(card: Card) -> int:
    return (
        len(card.title)
        + len(card.description)
        + len(card.footer)
        + sum(len(f.name) + len(f.value) for f in card.fields)
    )


def within_limits(card: Card) -> Card:
    """Clip every part to Discord's limits, then drop trailing fields until the whole fits in 6000 characters."""
    fields = tuple(
        CardField(_clip(f.name, FIELD_NAME_MAX) or "-", _clip(f.value, FIELD_VALUE_MAX) or "-", f.inline, f.detail)
        for f in card.fields[:FIELDS_MAX]
    )
    card = replace(
        card,
        title=_clip(card.title, TITLE_MAX),
        description=_clip(card.description, DESCRIPTION_MAX),
        footer=_clip(card.footer, FOOTER_MAX),
        fields=fields,
    )
    while total_chars(card) > TOTAL_MAX and card.fields:
        card = replace(card, fields=card.fields[:-1])
    if total_chars(card) > TOTAL_MAX:
        card = replace(
            card,
            description=_clip(card.description, max(TOTAL_MAX - total_chars(card) + len(card.description), 1)),
        )
    return card


def fmt_range(r: Range | None, unit: str = "tok/s") -> str:
    if r is None:
        return "unknown"
    typical = f" (typically {fmt_rate(r.typical)})" if r.typical is not None else ""
    return f"{fmt_rate(r.low)}–{fmt_rate(r.high)} {unit}{typical}"


def _seconds(r: Range) -> str:
    if r.high >= 120:
        return f"{r.low / 60:.1f}–{r.high / 60:.1f} min"
    return f"{r.low:.1f}–{r.high:.1f} s"


START_SHOWN_FROM = 1.05  # the empty-context figure is shown where it is at least 5% above the one halfway in


def _at_start(o: QuantOption) -> str:
    """Decode on an empty context (what llama-bench's tg128 measures), where the cache read halfway in slows it."""
    start, mid = o.decode_start_tps, o.decode_tps
    if start is None or mid is None or start.typical is None or mid.typical is None:
        return ""
    if start.typical < START_SHOWN_FROM * mid.typical:
        return ""
    return f" ({fmt_rate(start.typical)} on an empty context)"


def _option_lines(o: QuantOption, report: FitReport, r: ReadingReport, at: int | None = None) -> list[str]:
    """The option's verdict, sizes, speeds and caveats; `at`: the context it is sized at, where not the pick's or the
    asked one (MLX's tight fit on a Mac)."""
    p, m = o.placement, report.model
    server = wording.server_run(o)  # a checkpoint only vLLM or SGLang loads: their split and speed, not llama.cpp's
    lines = [f"**{o.quant}** {VERDICT_MARK[o.verdict]} {VERDICT_WORDS[o.verdict]}: {wording.option_placement_words(o)}"]
    # the pick runs at its own context (and KV cache type) when it traded some away
    context = r.pick.context if r.pick is not None and r.pick.option is o else report.context
    context = at if at is not None else context
    lines.append(wording.why(o, context, r.rig, m))
    if o.verdict != "does-not-fit" and server is not None and server.speed is not None:
        engine = wording.ENGINE_NAMES[server.engine]
        lines.append(f"decode **{fmt_range(server.speed.one_user_tps)}** for one user on {engine}")
    elif o.verdict != "does-not-fit":
        depth = f" halfway into {fmt_tokens(context)}{_at_start(o)}" if o.decode_tps is not None else ""
        lines.append(f"decode **{fmt_range(o.decode_tps)}**{depth} · prefill {fmt_range(o.prefill_tps)}")
    if o.verdict != "does-not-fit":
        lines += [f"⚠️ {wording.caveat(c)}" for c in o.caveats]
        if o.ttft_s is not None and server is None:
            lines.append(f"first token after a {fmt_tokens(report.prompt_tokens)} prompt: {_seconds(o.ttft_s)}")
        lines.append(f"longest context {fmt_tokens(o.max_context)}")
    concurrent = wording.concurrency_line(o.concurrency, context) if server is None else None  # llama.cpp's -np
    lines += [concurrent] if concurrent else []
    if o.speculation is not None:
        served = (Engine.LLAMA_CPP, *(plan.engine for plan in o.serve.plans))
        backend = next((pool.backend for pool in p.pools if pool.kind in ("gpu", "unified")), None)
        spec = wording.speculation_line(o.speculation, served, backend)
        lines += [spec] if spec else []
    if o.weights_basis == "estimated":
        lines.append(f"size {wording.weights_detail(o, m)}")
    detail = wording.placement_detail(p, m)
    if detail and p.kind in ("disk", "unified"):
        lines.append(detail)
    return lines


SERVE_SHOWN = 2  # commands on the card: the best one or two (the rest are in `--json` and the all-quants view)
SERVE_CHARS = 700  # a second command is shown only while the commands stay within this much of a field
REFUSED_SHOWN = 2
SPECULATION_CHARS = 900  # speculative decoding's flags join the commands while the field stays this short
_SHELL_SAFE = re.compile(r"^([\w.,:/=@%+-]+|\$[A-Z_][A-Z0-9_]*:\d+(,\$[A-Z_][A-Z0-9_]*:\d+)*)$")


def _shell_word(token: str) -> str:
    return token if _SHELL_SAFE.match(token) else shlex.quote(token)


def _step_line(step: Step) -> str:
    flags = [t for a in step.args for t in ((a.flag,) if a.value is None else (a.flag, a.value))]
    if step.inside is not None:  # a container: its flags, its image, then the command it runs
        tokens = [*step.words, *flags, *step.positional]
        return " ".join(_shell_word(t) for t in tokens) + " " + _step_line(step.inside)
    tokens = [f"{k}={v}" for k, v in step.env] + list(step.words) + list(step.positional) + flags
    return " ".join(_shell_word(t) for t in tokens)


def serve_command(plan: ServePlan) -> str:
    """A plan as lines to paste into a shell: one line a step, a comment above each where there are several."""
    lines: list[str] = [wording.build_comment(plan.build)] if plan.build is not None else []
    for step in plan.steps:
        comment = wording.step_comment(step, plan.nodes) if len(plan.steps) > 1 else None
        lines += [comment] if comment else []
        lines.append(_step_line(step))
    return "\n".join(lines)


# Engines that split each layer over the cards (tensor parallel) and batch many users' requests together.
_BATCHING_SERVERS = frozenset({Engine.VLLM, Engine.SGLANG})


# The largest GeForce and Radeon cards hold 32 GiB (RTX 5090): a card with more is a workstation or data-center part
# (RTX A6000 and L40S 48 GB, A100, H100, RTX PRO 6000), bought or rented to serve, where vLLM and SGLang are what
# people run on it.
CONSUMER_CARD_MAX_BYTES = 32 * 2**30


def _serving_card(o: QuantOption) -> bool:
    """The option runs on a GPU holding more than any consumer card (CONSUMER_CARD_MAX_BYTES)."""
    return any(p.kind == "gpu" and p.capacity_bytes > CONSUMER_CARD_MAX_BYTES for p in o.placement.pools)


def shown_plans(o: QuantOption) -> tuple[ServePlan, ...]:
    """The option's plans in the order the card shows them: the best first; where a batching server starts the
    model split over several cards (tensor parallel), or on a workstation or data-center card (`_serving_card`),
    that server's plan next, before Ollama's: the card names the engine that serves several users on such a rig
    (Qwen3-30B-A3B on 2x 3090: vLLM's GPTQ-Int4 over both cards beside llama.cpp's Q8_0, where Ollama's layer split
    runs one card at a time; Qwen3-32B on a rented H100 80GB: vLLM's BF16 checkpoint, where the card had shown
    llama.cpp and Ollama only). The JSON keeps the engines' own order."""
    plans = o.serve.plans
    serving = _serving_card(o)
    server = next((p for p in plans[1:] if p.engine in _BATCHING_SERVERS and (p.tensor_parallel > 1 or serving)), None)
    if server is None:
        return plans
    return (plans[0], server, *(p for p in plans[1:] if p is not server))


def serve_lines(o: QuantOption) -> list[str]:
    """The option's best one or two commands, each under its engine and what it loads; then which engines cannot
    serve it and why."""
    lines: list[str] = []
    shown: list[Engine] = []
    for plan in shown_plans(o)[:SERVE_SHOWN]:
        block = [f"**{wording.ENGINE_NAMES[plan.engine]}** · {wording.serve_why(plan)}", f"```{serve_command(plan)}```"]
        if lines and len("\n".join(lines + block)) > SERVE_CHARS:
            break
        lines += block
        shown.append(plan.engine)
    if o.speculation is not None:  # the flags beside the commands they go into, while the field has room
        for line in wording.speculation_flag_lines(o.speculation, tuple(shown)):
            if len("\n".join([*lines, line])) <= SPECULATION_CHARS:
                lines.append(line)
    lines += [f"✖ {wording.refused(r)}" for r in o.serve.refused[:REFUSED_SHOWN]]
    return lines


def commands_card(report: FitReport) -> Card:
    """Every command that starts the first reading's recommended option, one field per engine, and every engine
    that cannot serve it with the reason (the /fit card shows the best one or two)."""
    first = report.readings[0]
    o = first.best_option
    if o is None:
        return within_limits(Card(title=f"{report.model.name}: no commands", description="Nothing runs on this rig."))
    fields = [
        CardField(
            f"{wording.ENGINE_NAMES[plan.engine]} · {wording.serve_why(plan)}"[:FIELD_NAME_MAX],
            f"```{serve_command(plan)}```",
        )
        for plan in o.serve.plans
    ]
    refused = [f"✖ {wording.refused(r)}" for r in o.serve.refused]
    if refused:
        fields.append(CardField("Engines that cannot serve it", "\n".join(refused)))
    if o.speculation is not None:
        engines = tuple(plan.engine for plan in o.serve.plans)
        flags = wording.speculation_flag_lines(o.speculation, engines)
        fields += [CardField("Speculative decoding", "\n".join(flags))] if flags else []
    return within_limits(
        Card(
            title=f"{report.model.name} {o.quant}: every command",
            description=f"{first.label} · context {fmt_tokens(report.context)}",
            colour=VERDICT_COLOUR[o.verdict],
            fields=tuple(fields),
        )
    )


def _quant_table(r: ReadingReport) -> str:
    less = dict(r.fits_with_less_context)
    rows = [
        f"{VERDICT_MARK[o.verdict]} `{o.quant}` {fmt_gb(o.weights_bytes)}"
        + (" est." if o.weights_basis == "estimated" else "")
        + (" ⚠" if o.tier is Tier.DEGRADED else "")
        + (f" (fits ≤{fmt_tokens(less[o.quant])})" if o.quant in less else "")
        for o in r.options
    ]
    return " · ".join(rows)


def _reading_field(r: ReadingReport, report: FitReport) -> CardField:
    best = r.best_option
    if best is None:
        closest = min(r.options, key=lambda o: o.placement.shortfall_bytes)
        why = wording.why(closest, report.context, r.rig, report.model)
        if r.unasked is not None:  # a quant asked for: it does not fit, and another does
            value = [f"❌ **{closest.quant}** does not fit: {why}.", wording.unasked(r.unasked, report)]
        else:
            budget = " llama.cpp's budget" if r.mlx_tight is not None else ""  # MLX's tight fit follows
            value = [f"❌ nothing fits{budget}. Closest: **{closest.quant}**, {why}."]
        note = wording.speed_note(closest, report.model)
        if closest.placement.kind == "disk" and note:
            value.append(f"Run from disk anyway: {note}.")
        if r.mlx_tight is not None:  # a Mac: the MLX build that runs with the GPU limit raised, and how
            value.append(wording.mlx_tight(r.mlx_tight, r.rig))
            value += _option_lines(r.mlx_tight.option, report, r, at=r.mlx_tight.context)
        if r.smaller_kv is not None:  # the smallest cache type holds a file at the asked context
            value.append(wording.smaller_kv(*r.smaller_kv, report.context))
        if r.with_ram is not None:
            value.append(wording.ram_hint(r.with_ram, r.label, len(r.rig.gpus)))
    else:
        value = _option_lines(best, report, r)
        trade = wording.pick_trade(r.pick, report) if r.pick is not None else None
        quality = wording.quality_note(best, report.model)
        if r.with_ram is not None:  # the pick is a file no engine loads: what RAM beside the GPUs would run, after
            value.insert(3, wording.ram_hint(r.with_ram, r.label, len(r.rig.gpus)))  # its speed (kept on a long card)
        if trade:
            value.append(f"Pick: {trade}")
        if quality:
            value.append(f"Quality: {quality}")
        if r.unasked is not None:  # the quant asked runs only offloaded, and another wholly on the accelerator
            value.append(wording.unasked(r.unasked, report))
        if r.smaller_kv is not None:  # the pick is below 3 bits: the smallest cache type holds a better file
            value.append(wording.smaller_kv(*r.smaller_kv, report.context))
    if r.shorter_context:
        better = " · ".join(f"`{q}` up to {fmt_tokens(n)}" for q, n in r.shorter_context)
        lead = "Better quants with less context" if best is not None else "Fits with less context"
        value.append(f"{lead}: {better} (set `context`)")
    return CardField(
        name=_clip(f"{VERDICT_MARK[best.verdict if best else 'does-not-fit']} {r.label}", FIELD_NAME_MAX),
        value="\n".join(value),
    )


def _commands_field(r: ReadingReport) -> CardField | None:
    """The commands that start the reading's recommended option, in a field of their own (a field holds 1,024
    characters on an embed: the verdict and the numbers stay whole above them)."""
    best = r.best_option or (r.mlx_tight.option if r.mlx_tight is not None else None)
    lines = serve_lines(best) if best is not None else []
    if not lines:
        return None
    name = f"Run it on {r.label} (each engine with the checkpoint it loads)"
    return CardField(_clip(name, FIELD_NAME_MAX), "\n".join(lines))


def cost_lines(cost: CostReport) -> list[str]:
    """The short cost section of a /fit card: local per million tokens, the API, renting, break-even."""
    u, lines = cost.usage, []
    if cost.local is not None and cost.local.usd_per_m_tokens is not None:
        hardware = fmt_usd(cost.local.hardware_usd)
        lines.append(f"local {fmt_usd(cost.local.usd_per_m_tokens)}/M tokens (hardware {hardware} over {u.years:g} y)")
    if cost.api:
        a = cost.api[0]
        rates = f"${a.usd_per_m_input:g} in / ${a.usd_per_m_output:g} out"
        lines.append(f"API {a.provider} {fmt_usd(a.usd_per_m_blended)}/M at {u.input_share:.0%} input ({rates})")
    if cost.rental is not None:
        r = cost.rental
        lines.append(f"rent {r.gpu_count}x {r.hardware_id} ({r.provider}) {fmt_usd(r.usd_per_m_tokens)}/M")
    if cost.breakeven_tokens is not None and cost.breakeven_months is not None:
        lines.append(
            f"break-even after {cost.breakeven_tokens / 1e9:.2f}B tokens: {cost.breakeven_months:,.0f} months at "
            f"{u.tokens_per_day / 1e6:g}M tokens/day (`/cost` for your volume)"
        )
    return lines


def measured_lines(evidence: OptionEvidence) -> list[str]:
    """Under the estimate: the nearest measured runs, member reports summed up, and a ⚠️ where the runs closest to
    it disagree with it (published sources and member text escaped: they are not ours to format)."""
    lines = [f"⚠️ {wording.judgement(j)}" for j in evidence.disagreements]
    lines += [escape_markdown(wording.measured(c)) for c in evidence.cited if c.point.kind == "published"]
    members = wording.members_measured(evidence.cited)
    if members:
        lines.append(escape_markdown(members))
    return lines


def fit_card(
    report: FitReport, catalog: Catalog, cost: CostReport | None = None, evidence: ReportEvidence | None = None
) -> Card:
    m = report.model
    first = report.readings[0]
    best = first.best_option
    verdict = best.verdict if best else "does-not-fit"
    size = f"{m.total_params_b:g}B" + (f" ({m.active_params_b:g}B active, MoE)" if m.active_params_b else " dense")
    how_read = f"read {len(report.readings)} ways, most likely first" if len(report.readings) > 1 else "as read"
    description = f"{size} · context {wording.context_note(report)} · hardware {how_read}"
    fields = [f for r in report.readings[:3] for f in (_reading_field(r, report), _commands_field(r)) if f]
    measured = measured_lines(evidence.readings[0].option(first.best)) if evidence is not None else []
    if measured:
        fields.append(CardField(f"Measured runs ({first.best}, first reading)", "\n".join(measured)))
    fields.append(CardField("All quants (first reading)", _quant_table(first), detail=True))
    assumptions = [wording.assumption(a) for r in report.readings[:1] for a in r.assumptions]
    if m.adhoc:
        assumptions.append(wording.adhoc_basis(m))
    elif m.asked_as:
        assumptions.append(wording.base_model_basis(m))
    if assumptions:
        fields.append(CardField("Assumptions", "\n".join(f"• {a}" for a in assumptions), detail=True))
    lines = cost_lines(cost) if cost is not None else []
    if lines:
        fields.append(CardField("Cost vs API", "\n".join(lines)))
    footer = f"catalog as of {catalog.as_of} · speeds are ranges from measured llama.cpp runs · rigfit"
    return within_limits(
        Card(
            title=f"{wording.model_title(m)} on your hardware",
            description=description,
            colour=VERDICT_COLOUR[verdict],
            fields=tuple(fields),
            footer=footer,
        )
    )


def error_card(message: str) -> Card:
    return within_limits(Card(title="Not understood", description=message, colour=RED))


def _plain(s: str) -> str:
    """Markdown for a terminal: bold markers and escapes removed from the prose; a fenced code block on lines of its
    own, every line indented four spaces and left as written (a command's backslashes are its own)."""
    parts = s.split("```")
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append("\n" + "\n".join("    " + line for line in part.strip("\n").split("\n")) + "\n")
        else:
            out.append(part.replace("**", "").replace("\\", ""))
    return "".join(out)


def to_text(card: Card) -> str:
    """The same card for a terminal: plain text, markdown markers removed."""
    plain = _plain
    lines = [card.title, "=" * min(len(card.title), 80)]
    if card.description:
        lines.append(plain(card.description))
    for f in card.fields:
        lines += ["", f"[{plain(f.name)}]", plain(f.value)]
    if card.footer:
        lines += ["", f"-- {card.footer}"]
    return "\n".join(lines)


def to_embed(card: Card) -> discord.Embed:
    import discord  # imported here: the CLI and the engine never load discord

    embed = discord.Embed(title=card.title, description=card.description or None, colour=card.colour)
    for f in card.fields:
        embed.add_field(name=f.name, value=f.value, inline=f.inline)
    if card.footer:
        embed.set_footer(text=card.footer)
    return embed


def cost_card(
    report: CostReport, model_name: str, hardware_label: str, catalog_as_of: str, ram_hint: str | None = None
) -> Card:
    """`ram_hint`: GPUs read without RAM on which the model does not run: what RAM beside them would (/fit's words)."""
    u = report.usage
    lines = []
    local = report.local
    if local is not None:
        lines.append(
            f"**Local** ({hardware_label}): {fmt_usd(local.usd_per_m_tokens)} per M tokens "
            f"(hardware {fmt_usd(local.hardware_usd)} over {u.years:g} years"
            + (f", power {fmt_usd(local.power_usd_per_day)}/day" if local.power_usd_per_day is not None else "")
            + ")"
        )
    for a in report.api[:3]:
        lines.append(
            f"**API** {a.provider}: ${a.usd_per_m_input:g} in / ${a.usd_per_m_output:g} out per M → "
            f"{fmt_usd(a.usd_per_m_blended)} per M at {u.input_share:.0%} input ({a.as_of})"
        )
    if report.rental is not None:
        r = report.rental
        lines.append(
            f"**Rent** {r.gpu_count}x {r.hardware_id} at {r.provider}: ${r.usd_per_hour:.2f}/h, {r.quant} "
            f"~{fmt_rate(r.decode_tps_mid)} tok/s → {fmt_usd(r.usd_per_m_tokens)} per M"
        )
    if report.breakeven_tokens is not None and report.breakeven_months is not None and report.within_life:
        per_day = processed_tokens_per_day(u.tokens_per_day, local.day_capacity if local else None)
        lines.append(
            f"**Break-even**: {report.breakeven_tokens / 1e9:.2f} billion tokens, "
            f"{report.breakeven_months:,.0f} months at {per_day / 1e6:.3g}M tokens/day"
        )
    elif local is not None and local.hardware_usd is not None and report.api:
        lines.append(f"**Break-even**: never within the {u.years:g}-year life at this volume")
    if local is not None and local.max_tokens_per_day is not None:
        batched = local.batched_tokens_per_day
        lines.append(
            f"**Capacity**: {local.max_tokens_per_day / 1e6:.2f}M tokens/day one request at a time"
            + (f", {batched / 1e6:.2f}M batched" if batched else "")
            + (f" · {local.watts:,.0f} W while busy" if local.watts is not None else "")
        )
    notes = [wording.cost_caveat(c) for c in report.caveats]
    notes += [ram_hint] if ram_hint and local is None else []
    fields = [CardField("Assumptions", "\n".join(f"• {n}" for n in notes))] if notes else []
    description = "\n".join(lines) or "No prices to compare."
    return within_limits(
        Card(
            title=f"{model_name}: local vs API vs rental",
            description=description,
            colour=BLUE,
            fields=tuple(fields),
            footer=f"catalog as of {catalog_as_of} · {u.tokens_per_day / 1e6:g}M tokens/day, ${u.kwh_usd:g}/kWh",
        )
    )


def recommend_card(
    model_name: str,
    candidates: list[Candidate],
    target_tps: float,
    budget: float | None,
    best: list[Candidate] | None = None,
    path: UpgradePath | None = None,
) -> Card:
    fields = _recommend_fields(best or [], path)
    if not candidates and not fields:
        within = f" within {fmt_usd(budget)}" if budget else ""
        return error_card(f"No priced machine in the catalog runs {model_name} at {target_tps:g} tok/s{within}.")
    lines = [_candidate_line(c) for c in candidates] or ["No priced machine runs it at that speed within the budget."]
    return within_limits(
        Card(
            title=f"Cheapest hardware for {model_name} at ≥ {target_tps:g} tok/s",
            description="\n".join(lines),
            colour=GREEN,
            fields=tuple(fields),
            footer=RECOMMEND_FOOTER,
        )
    )


# /recommend lists builds at 4 bits and up first, cheapest first, then cheaper ones at fewer bits (engine/recommend.py
# `_shown`): the footer says so, or a $9,499 build above a $4,990 one reads as out of order
RECOMMEND_FOOTER = (
    "4-bit and up first, cheapest first; then cheaper builds at fewer bits · prices: cards, the board/CPU/PSU they "
    "need, machines and system RAM; speeds from measured runs"
)


def _candidate_line(c: Candidate) -> str:
    return (
        f"**{c.label}** {fmt_usd(c.price_usd)} · {wording.quant_as_run(c)} · "
        f"{fmt_rate(c.decode_low)}–{fmt_rate(c.decode_high)} tok/s (typically {fmt_rate(c.decode_typical)}) · "
        f"{wording.candidate_placement(c)}"
    )


def _recommend_fields(best: list[Candidate], path: UpgradePath | None) -> list[CardField]:
    """The best builds within the budget, and the upgrades of a stated rig, as fields after the cheapest."""
    fields = []
    if best:
        lines = [_candidate_line(c) for c in best]
        fields.append(
            CardField(
                "Best within the budget (4-bit and up first, then the full context, then speed)", "\n".join(lines)
            )
        )
    if path is not None:
        if path.current is not None:
            c = path.current
            quant = wording.quant_as_run(c)
            head = f"Runs now: {quant} at typically {fmt_rate(c.decode_typical)} tok/s."
        else:
            head = "Runs now, but under the target speed." if path.runs else "Does not run on it now."
        lines = [
            f"**{wording.upgrade_words(u)}** {fmt_usd(u.candidate.price_usd)} → "
            f"{wording.quant_as_run(u.candidate)} · "
            f"typically {fmt_rate(u.candidate.decode_typical)} tok/s"
            for u in path.upgrades
        ]
        if path.faster_than_tps is not None:
            lines = [wording.faster_upgrades(path), *lines]
        if not path.upgrades:
            lines = [wording.no_upgrade(path)]
        fields.append(CardField(f"Upgrades for {path.rig_label}"[:FIELD_NAME_MAX], "\n".join([head, *lines])))
    return fields


def whatfits_card(label: str, fits: list[ModelFit]) -> Card:
    if not fits:
        return error_card(f"No catalog model runs usefully on {label}.")
    lines = [
        (f"*{wording.WHATFITS_USE_WORDS[f.use]}* " if wording.WHATFITS_USE_WORDS[f.use] else "")
        + f"**{f.name}** {wording.quant_as_run(f)} · "
        f"{fmt_rate(f.decode_low)}–{fmt_rate(f.decode_high)} tok/s · "
        f"up to {fmt_tokens(f.max_context)} context · {wording.quality_words(f.quality)}"
        for f in fits
    ]
    return within_limits(
        Card(title=f"What runs on {label}", description="\n".join(lines), colour=GREEN, footer=wording.WHATFITS_BASIS)
    )


def compare_card(a: FitReport, b: FitReport, catalog: Catalog) -> Card:
    fields = []
    for report in (a, b):
        r = report.readings[0]
        f = _reading_field(r, report)
        fields.append(CardField(f"{report.model.name} · {r.label}"[:FIELD_NAME_MAX], f.value, inline=False))
    return within_limits(
        Card(
            title="Side by side",
            description=wording.compare_verdict(a, b),
            colour=BLUE,
            fields=tuple(fields),
            footer=f"catalog as of {catalog.as_of}",
        )
    )


QUANTS_PER_PAGE = 10


def quants_page_count(report: FitReport, per_page: int = QUANTS_PER_PAGE) -> int:
    return max((len(report.readings[0].options) + per_page - 1) // per_page, 1)


def _pick_line(r: ReadingReport, report: FitReport) -> str:
    """The quants card's first line, on every page: the pick, its tier and any trade it made."""
    assert r.pick is not None
    trade = wording.pick_trade(r.pick, report)
    return f"Pick: **{r.pick.quant}** ({wording.TIER_WORDS[r.pick.tier]})" + (f" · {trade}" if trade else "")


def quants_card(
    report: FitReport,
    page: int = 0,
    per_page: int = QUANTS_PER_PAGE,
    type_quality: tuple[QuantTypeQuality, ...] = (),
) -> Card:
    """A model's quants: size, bits per weight, memory needed, verdict on the asker's hardware (paginated); with
    `type_quality` (Catalog.quant_quality), each type's perplexity cost on its reference model."""
    ppl = {q.quant: q for q in type_quality if q.metric == "perplexity_increase"}
    r = report.readings[0]
    options = r.options[page * per_page : (page + 1) * per_page]
    pages = max((len(r.options) + per_page - 1) // per_page, 1)
    lines = [_pick_line(r, report)] if r.pick is not None else []
    for o in options:
        basis = "" if o.weights_basis != "estimated" else " (est.)"
        lines.append(
            f"{VERDICT_MARK[o.verdict]} **{o.quant}** {fmt_gb(o.weights_bytes)}{basis} · {o.bits_per_weight:g} bpw · "
            f"needs {fmt_gb(o.total_bytes)} at {fmt_tokens(report.context)}"
            + (f" · {fmt_range(o.decode_tps)}" if o.decode_tps else "")
            + (f" · +{ppl[o.quant].value:g} ppl @ {ppl[o.quant].measured_on}" if o.quant in ppl else "")
            + (f" · {engines}" if o.format != "gguf" and (engines := wording.format_engines(o)) else "")
        )
    quality = [f"{q.benchmark} {q.score:g}" + (f" ({q.quant})" if q.quant else "") for q in report.model.quality[:5]]
    fields = (CardField("Published quality", " · ".join(quality)),) if quality else ()
    return within_limits(
        Card(
            title=f"{report.model.name}: quants on {r.label}",
            description="\n".join(lines) or "No quants.",
            colour=BLUE,
            fields=fields,
            footer=f"page {page + 1} of {pages} · sizes are published files unless marked est.",
        )
    )


def model_card(m: Model) -> Card:
    a = m.attention
    if a.kind == "mla":
        attention = f"MLA (latent {a.kv_lora_rank} + rope {a.qk_rope_head_dim})"
    elif a.kind == "compressed":
        attention = f"compressed (CSA/HCA): {a.compressed_kv_bytes_per_token or 0:,} bytes per token over all layers"
    else:
        attention = f"GQA {a.n_kv_heads} KV heads x {a.head_dim}"
    if a.sliding_window_layers:
        attention += f"; {a.sliding_window_layers} sliding-window layers ({a.sliding_window_tokens} tokens)"
    if a.linear_attention_layers:
        attention += f"; {a.linear_attention_layers} linear-attention layers"
    if a.parallel_state_layers:
        attention += f"; a Mamba state beside attention in {a.parallel_state_layers} layers"
    fields = [
        CardField(
            "Parameters",
            f"{m.total_params_b:g}B" + (f", {m.active_params_b:g}B active" if m.active_params_b else " dense"),
            True,
        ),
        CardField("Context", wording.context_lengths(m), True),
        CardField("Layers", str(m.layers), True),
        CardField("Attention", attention),
    ]
    if m.experts:
        e = m.experts
        fields.append(CardField("Experts", f"{e.n_active} of {e.n_routed} routed, {e.n_shared} shared", True))
    if m.license:
        fields.append(CardField("License", m.license, True))
    if m.quants:
        fields.append(
            CardField("Published quants", " · ".join(f"{q.name} {fmt_gb(q.file_bytes)}" for q in m.quants[:20]))
        )
    fields.append(CardField("Source", f"{m.source} ({m.as_of})"))
    return within_limits(Card(title=m.name, description=m.hf_repo or "", colour=BLUE, fields=tuple(fields)))


def hardware_card(h: Hardware) -> Card:
    fields = [CardField("Bandwidth", f"{h.bandwidth_gb_s:g} GB/s", True)]
    if isinstance(h, Gpu):
        fields.insert(0, CardField("Memory", f"{h.memory_gib:g} GB", True))
        fields.append(CardField("Backend", h.backend, True))
        link = h.interconnect or ""
        if h.pcie_gb_s:
            link += f" ({h.pcie_gb_s:g} GB/s)"
        if h.nvlink_gb_s:
            link += f"; NVLink {h.nvlink_gb_s:g} GB/s each way"
        if link:
            fields.append(CardField("Interconnect", link.strip("; "), True))
    elif isinstance(h, Unified):
        fields.insert(0, CardField("Memory", ", ".join(f"{g} GB" for g in h.memory_gib_options), True))
    elif isinstance(h, SystemMemory):
        fields.insert(0, CardField("Memory", f"{h.memory_type}-{h.mt_s} x {h.channels} channels", True))
    if h.fp16_tflops:
        derived = " (derived from its specifications)" if h.fp16_tflops_basis == "derived" else ""
        fields.append(CardField("FP16 dense", f"{h.fp16_tflops:g} TFLOPS{derived}", True))
    if h.watts:
        fields.append(CardField("Power", f"{h.watts:g} W", True))
    if h.prices:
        fields.append(
            CardField(
                "Prices",
                "\n".join(
                    f"{p.condition} ${p.usd:,.0f}" + (f" ({p.memory_gib} GB)" if p.memory_gib else "") + f", {p.as_of}"
                    for p in h.prices[:8]
                ),
            )
        )
    fields.append(CardField("Source", f"{h.source} ({h.as_of})"))
    return within_limits(Card(title=h.name, colour=BLUE, fields=tuple(fields)))


def about_card(catalog: Catalog, version: str, accuracy: MeasuredAccuracy | None) -> Card:
    counts = catalog.counts()
    lines = [
        f"rigfit {version}: will an open-weight LLM run on your hardware, how fast, and what it costs.",
        f"Catalog as of {catalog.as_of}: {counts['models']} models, {counts['quants']} quants, "
        f"{counts['hardware']} hardware entries, {counts['api_prices']} API prices, "
        f"{counts['rental_prices']} rental prices.",
        "Memory: published file sizes + KV cache from each model's config + runtime buffers, placed like llama.cpp.",
        "Speed: bytes read per token over bandwidth (decode), FLOPs over FP16 throughput (prefill), "
        "with efficiency ranges fitted on measured llama.cpp runs.",
    ]
    if accuracy is not None:
        lines.append(wording.accuracy_line(accuracy))
    return within_limits(Card(title="About rigfit", description="\n".join(lines), colour=BLUE))


def help_card(commands: list[tuple[str, str]]) -> Card:
    lines = [f"`{name}` {description}" for name, description in commands]
    lines.append(
        "\nHardware like `256GB`, `2x RTX 3090 + 128GB DDR4`, `M3 Ultra 256GB`; models like `glm-5.2` or `70B`."
    )
    return within_limits(Card(title="rigfit commands", description="\n".join(lines), colour=BLUE))


def stats_card(stats: dict[str, object]) -> Card:
    def rows(items: object) -> str:
        return "\n".join(f"{name}: {n}" for name, n in items) or "none" if isinstance(items, list) else "none"

    p50, p99 = stats.get("p50_ms"), stats.get("p99_ms")
    timing = f"p50 {p50:.1f} ms · p99 {p99:.1f} ms" if isinstance(p50, float) and isinstance(p99, float) else "no data"
    fields = (
        CardField("Queries", f"{stats['queries']} ({stats['errors']} not understood)", True),
        CardField("Answer time", timing, True),
        CardField("Top models", rows(stats["top_models"])),
        CardField("Top hardware", rows(stats["top_hardware"])),
    )
    return within_limits(Card(title="rigfit in this server", colour=BLUE, fields=fields))
