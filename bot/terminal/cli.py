"""`rigfit`: the command line. Thin: every subcommand parses arguments and calls bot.commands / engine / catalog."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.cards import to_text
from bot.commands import log_row, run_request
from bot.logsafe import install_log_redaction
from bot.requests import REPORTS, REQUESTS, Frontend, Request, requests_for
from bot.secrets import resolve_hash_keys
from bot.settings import Settings, SettingsError, load_settings
from bot.storage import (
    QueryLog,
    StorageError,
    apply_migrations,
    database_location,
    db_stats_lines,
    is_postgres_url,
    open_db,
    query_log_for,
)
from bot.storage.reports import ReportStore
from bot.terminal.console import model_words
from bot.terminal.myrig import THIS_MACHINE, myrig, substitute_here
from catalog.loader import Catalog, CatalogError, load, load_from
from engine.audit import PRICE_FAIL_DAYS, PRICE_WARN_DAYS, audit, stale_prices

EXIT_USAGE = 2
EXIT_STORAGE = 1  # the query log could not be opened, or rows were lost
EXIT_CONFIG = 78  # EX_CONFIG: the systemd unit does not restart on it (RestartPreventExitStatus)


def main(argv: Sequence[str] | None = None) -> int:
    _escape_unencodable_output()
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"rigfit: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()  # before anything connects: interaction and bot tokens never reach a log line
    try:
        result: int = args.func(args, settings)
        sys.stdout.flush()
        return result
    except CatalogError as exc:
        print(f"catalog error: {exc}", file=sys.stderr)
        return 1
    except StorageError as exc:
        print(f"rigfit: {exc}", file=sys.stderr)
        return EXIT_STORAGE
    except BrokenPipeError:
        _quiet_stdout()
        return 0


def _escape_unencodable_output() -> None:
    """Text echoed back (a name typed with a byte that is not UTF-8) prints escaped instead of raising."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def _quiet_stdout() -> None:
    """The reader went away (`rigfit ... | head`): stop writing, and let the exit flush go nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rigfit", description="Will this open-weight LLM run on my hardware?")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="the Discord bot when DISCORD_TOKEN is set, else the terminal console")
    run.add_argument("--shard-ids", help="comma-separated shard ids this process runs (with --shard-count)")
    run.add_argument("--shard-count", type=int, help="total shards across all processes")
    run.set_defaults(func=cmd_run)
    sync = sub.add_parser("sync", help="register the slash commands with Discord (deliberately, not at every start)")
    sync.add_argument("--guild", type=int, help="a guild id: commands appear there at once (for development)")
    sync.add_argument("--print", action="store_true", help="print the JSON sync would send instead of sending it")
    sync.set_defaults(func=cmd_sync)
    console = sub.add_parser("console", help="the terminal front end: the same commands and cards")
    console.set_defaults(func=cmd_console)
    preview = sub.add_parser(
        "preview", help="write what the bot would send for a command line: message.json and its attachments"
    )
    preview.add_argument("line", help="a command as typed in the console, e.g. '/fit glm-5.2 256GB'")
    preview.add_argument("--out", required=True, type=Path, help="the folder to write message.json and files to")
    preview.set_defaults(func=cmd_preview)

    for request in requests_for(Frontend.CLI):
        _add_request(sub, request)

    cal = sub.add_parser("calibrate", help="fit and score the speed model on shared/calibration measurements")
    cal.add_argument("--write", action="store_true", help="store the fitted table in engine/calibration_fitted.py")
    cal.add_argument(
        "--with-reports",
        action="store_true",
        help="also refit with members' accepted reports and print the change in the cross-source score "
        "(the stored fit stays on published runs)",
    )
    cal.set_defaults(func=cmd_calibrate)
    _add_report_commands(sub)
    mine = sub.add_parser("myrig", help="detect this machine and print the hardware phrase to paste into Discord")
    mine.set_defaults(func=cmd_myrig)

    cat = sub.add_parser("catalog", help="check or list the catalog")
    cat_sub = cat.add_subparsers(dest="catalog_command", required=True)
    check = cat_sub.add_parser(
        "check",
        help=f"validate every fact and date every price: warn on prices over {PRICE_WARN_DAYS} days old; "
        f"non-zero exit on any problem or an API/rental price over {PRICE_FAIL_DAYS} days old",
    )
    check.add_argument(
        "--on", type=dt.date.fromisoformat, default=None, help="the day to age prices against (YYYY-MM-DD; today)"
    )
    check.set_defaults(func=cmd_catalog_check)
    lst = cat_sub.add_parser("list", help="list models, hardware or prices")
    lst.add_argument("what", choices=["models", "hardware", "prices"])
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_catalog_list)

    imp = cat_sub.add_parser("import-gguf", help="print a catalog entry read from a local GGUF file's header")
    imp.add_argument("file")
    imp.set_defaults(func=cmd_catalog_import_gguf)

    db = sub.add_parser("db", help="the query log")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply pending migrations").set_defaults(func=cmd_db_upgrade)
    db_sub.add_parser("stats", help="queries logged, by command and verdict").set_defaults(func=cmd_db_stats)
    move = db_sub.add_parser("migrate-to", help="copy the SQLite query log and saved rigs into PostgreSQL")
    move.add_argument("url", help="postgresql://user:password@host:port/db (then set DATABASE_URL to it)")
    move.set_defaults(func=cmd_db_migrate_to)
    return p


def load_catalog(settings: Settings) -> Catalog:
    catalog = load_from(Path(settings.catalog_dir)) if settings.catalog_dir else load()
    gc.freeze()  # the catalog lives as long as the process: keep the collector from rescanning it on every answer
    return catalog


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.discord_token is not None and settings.discord_token.get_secret_value():
        from bot.discord.app import run_bot

        shards: dict[str, object] = {}
        if args.shard_count:
            shards["shard_count"] = args.shard_count
        if args.shard_ids:
            shards["shard_ids"] = [int(s) for s in args.shard_ids.split(",")]
        try:
            keys = resolve_hash_keys(settings, for_bot=True)
        except SettingsError as exc:
            print(f"rigfit: {exc}", file=sys.stderr)
            return EXIT_CONFIG
        query_log = query_log_for(settings)
        run_bot(load_catalog(settings), query_log, settings, keys, **shards)
        return _closed(query_log)
    return cmd_console(args, settings)


def cmd_preview(args: argparse.Namespace, settings: Settings) -> int:
    from bot.discord.preview import preview
    from engine.errors import RigfitError

    try:
        written = preview(load_catalog(settings), settings, args.line, args.out)
    except RigfitError as exc:
        print(f"rigfit: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print("\n".join(str(p) for p in written))
    return 0


def _closed(query_log: QueryLog) -> int:
    """Close the log; rows it had to drop make the exit non-zero, with the count said on stderr."""
    report = query_log.close()
    if not report.ok:
        print(f"rigfit: {report.summary()}", file=sys.stderr)
        return EXIT_STORAGE
    return 0


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from bot.discord.app import command_payload, sync_commands

    if args.print:
        print(json.dumps(command_payload(load_catalog(settings), settings), indent=2, ensure_ascii=False))
        return 0
    if settings.discord_token is None or not settings.discord_token.get_secret_value():
        print("rigfit: set DISCORD_TOKEN to sync (or use --print)", file=sys.stderr)
        return EXIT_USAGE
    n = asyncio.run(sync_commands(load_catalog(settings), settings, args.guild))
    print(f"synced {n} commands" + (f" to guild {args.guild}" if args.guild else " globally (may take up to an hour)"))
    return 0


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.terminal.console import Console

    query_log = query_log_for(settings)
    console = Console(load_catalog(settings), query_log)
    try:
        if sys.stdin.isatty():
            console.interactive()
            errors = 0
        else:
            errors = console.run_lines(_stdin_lines())
    except BaseException:
        query_log.close()
        raise
    return _closed(query_log) or (EXIT_USAGE if errors else 0)  # lost rows outrank the answers' exit code


def _stdin_lines() -> TextIO:
    """Standard input that never fails on a byte that is not UTF-8: it arrives as an escaped code point, is
    answered as text the parser does not know, and is logged escaped."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="surrogateescape")
    return sys.stdin


def _add_request(sub: argparse._SubParsersAction[argparse.ArgumentParser], request: Request) -> None:
    """One subcommand from the request table: required options as arguments, the rest as --flags."""
    parser = sub.add_parser(request.name, help=request.description, description=request.description)
    for i, option in enumerate(request.positional):
        rest = i == len(request.positional) - 1 and request.name != "compare"  # `rigfit fit glm-5.2 8x H100`
        parser.add_argument(option.name, nargs="+" if rest else None, help=_argparse_text(option.help()))
    for option in request.optional:
        parser.add_argument(option.flag, *option.cli_aliases, dest=option.name, help=_argparse_text(option.help()))
    if request.name in REPORTS:
        parser.add_argument("--json", action="store_true", help="print the stable JSON object instead of the card")
    parser.set_defaults(func=cmd_request, request=request.name)


def _split_words(catalog: Catalog, raw: dict[str, Any]) -> dict[str, Any]:
    """Unquoted words as the console reads them: `rigfit fit deepseek r1 distill qwen 32b 3090` and
    `rigfit quants qwen3-32b 2x 3090` (the model's name runs over words; what follows it is the hardware)."""
    if "hardware" in raw and " " in str(raw["hardware"] or ""):
        return model_words(catalog, raw)
    model = str(raw.get("model") or "")
    if "hardware" in raw and raw["hardware"] is None and " " in model and not catalog.find_model(model).id:
        first, rest = model.split(" ", 1)
        return model_words(catalog, {**raw, "model": first, "hardware": rest})
    return raw


def _joined(value: object) -> object:
    """The last positional's words, unquoted on the command line, as one phrase."""
    return " ".join(value) if isinstance(value, list) else value


def _argparse_text(text: str) -> str:
    return text.replace("%", "%%")  # argparse formats help with %-style placeholders


def cmd_request(args: argparse.Namespace, settings: Settings) -> int:
    started = time.perf_counter()
    request = REQUESTS[args.request]
    raw = {o.name: _joined(getattr(args, o.name)) for o in request.options}
    catalog = load_catalog(settings)
    raw = _split_words(catalog, raw)
    raw, undetected = substitute_here(raw, request, lambda: myrig(catalog, THIS_MACHINE)[0])  # `here`: this machine
    if undetected is not None:
        print(f"rigfit: {undetected}", file=sys.stderr)
        return EXIT_USAGE
    members = ReportStore(database_location(settings)).source() if request.name == "fit" else None  # your reports
    answer = run_request(catalog, request.name, raw, Frontend.CLI, allow_files=True, members=members)
    query_log = query_log_for(settings)
    query_log.log(log_row(frontend="cli", command=request.name, raw_args=raw, answer=answer, started=started))
    if _closed(query_log):
        return EXIT_STORAGE
    if answer.error is not None:
        print(f"rigfit: {answer.error}", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "json", False) and answer.data is not None:
        print(json.dumps(answer.data, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(to_text(answer.card))
    return 0


def cmd_myrig(args: argparse.Namespace, settings: Settings) -> int:
    phrase, text = myrig(load_catalog(settings), THIS_MACHINE)
    if phrase is None:
        print(f"rigfit: {text}", file=sys.stderr)
        return 1
    print(text)
    return 0


def cmd_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    from calibrate.report import report
    from calibrate.runs import CSV_NAME, calibration_dir

    if not (calibration_dir() / CSV_NAME).exists():
        print(
            f"rigfit: no measurements at {calibration_dir() / CSV_NAME} (set RIGFIT_CALIBRATION_DIR)", file=sys.stderr
        )
        return EXIT_USAGE
    text, figures, table = report(load_catalog(settings))
    print(text)
    if args.with_reports:
        from bot.terminal.reports import score_with_reports

        print(score_with_reports(load_catalog(settings), database_location(settings), figures))
    if args.write:
        from calibrate.report import FITTED_PATH, fitted_module
        from calibrate.runs import load_runs

        rows = len(load_runs(load_catalog(settings))[0])
        FITTED_PATH.write_text(fitted_module(table, figures, dt.date.today().isoformat(), rows), encoding="utf-8")
        print(f"\nwrote {FITTED_PATH}")
    return 0


def _add_report_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`rigfit report add|list|delete` (your measured runs) and `rigfit reports export` (bot/terminal/reports.py)."""
    from bot.terminal.reports import add_report_parsers

    add_report_parsers(sub)


def cmd_catalog_check(args: argparse.Namespace, settings: Settings) -> int:
    catalog = load_catalog(settings)
    today = args.on or dt.date.today()
    problems = audit(catalog)
    stale = stale_prices(catalog, today, PRICE_WARN_DAYS)
    for a in stale:
        if not a.fails:
            print(
                f"catalog: warning: {a.kind.value} price {a.what} dated {a.as_of}, {a.age_days} days ago",
                file=sys.stderr,
            )
    problems += [
        f"{a.kind.value} price {a.what} dated {a.as_of} is {a.age_days} days old (over {PRICE_FAIL_DAYS}): "
        "confirm it, replace it or mark it retired"
        for a in stale
        if a.fails
    ]
    for p in problems:
        print(f"catalog: {p}", file=sys.stderr)
    counts = ", ".join(f"{v} {k}" for k, v in catalog.counts().items())
    print(
        f"catalog as of {catalog.as_of}: {counts}, {len(catalog.ended)} retired offerings; "
        f"{len(stale)} prices over {PRICE_WARN_DAYS} days old on {today}; {len(problems)} problems"
    )
    return 1 if problems else 0


def cmd_catalog_list(args: argparse.Namespace, settings: Settings) -> int:
    catalog = load_catalog(settings)
    if args.what == "models":
        items = [
            m.model_dump(mode="json", exclude={"quants", "quality"}) | {"quants": [q.name for q in m.quants]}
            for m in catalog.models.values()
        ]
        lines = [
            f"{m.id:32} {_params(m.total_params_b, m.active_params_b)}  {len(m.quants)} quants"
            for m in catalog.models.values()
        ]
    elif args.what == "hardware":
        items = [h.model_dump(mode="json") for h in catalog.hardware.values()]
        lines = [f"{h.id:28} {h.kind:8} {h.bandwidth_gb_s:>7g} GB/s  {h.name}" for h in catalog.hardware.values()]
    else:
        items = [p.model_dump(mode="json") for p in (*catalog.api_prices, *catalog.rental_prices)]
        lines = [
            f"api    {p.model:28} {p.provider:14} ${p.usd_per_m_input:g} in / ${p.usd_per_m_output:g} out per M"
            for p in catalog.api_prices
        ]
        lines += [
            f"rental {p.hardware:28} {p.provider:14} ${p.usd_per_hour:g}/h x{p.gpu_count}"
            for p in catalog.rental_prices
        ]
    print(json.dumps(items, indent=2) if args.json else "\n".join(lines))
    return 0


def cmd_catalog_import_gguf(args: argparse.Namespace, settings: Settings) -> int:
    import datetime as dt

    import yaml

    from catalog.gguf_import import read_gguf, to_yaml_entry

    try:
        summary = read_gguf(args.file, dt.datetime.now(dt.UTC).date())
    except (OSError, ValueError) as exc:
        print(f"rigfit: cannot read {args.file} as GGUF: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(yaml.safe_dump({"models": [to_yaml_entry(summary)]}, sort_keys=False, allow_unicode=True), end="")
    return 0


def _params(total_b: float, active_b: float | None) -> str:
    active = f"A{active_b:g}B" if active_b else "dense"
    return f"{total_b:>8g}B {active:>8}"


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    location = database_location(settings)
    if is_postgres_url(location):
        from bot.storage.postgres import pg_migrate

        applied = pg_migrate(location)
    else:
        applied = apply_migrations(open_db(location))
    print(f"applied migrations: {applied or 'none (up to date)'}")
    return 0


def cmd_db_stats(args: argparse.Namespace, settings: Settings) -> int:
    print("\n".join(db_stats_lines(database_location(settings))))
    return 0


def cmd_db_migrate_to(args: argparse.Namespace, settings: Settings) -> int:
    if not is_postgres_url(args.url):
        print("rigfit: db migrate-to takes a postgresql:// URL", file=sys.stderr)
        return EXIT_USAGE
    from bot.storage.migrate import migrate_to

    print(migrate_to(settings.database_path, args.url).summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
