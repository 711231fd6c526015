"""The shell's side of member reports: `rigfit report add FILE --hardware "..."`, `rigfit report list [--json]`,
`rigfit report delete ID`, `rigfit reports export`, and `rigfit calibrate --with-reports`'s comparison.

Reports made in the shell are kept under a keyed hash of the local user (the key in HASH_KEY, else the key file
beside the database), in the same store as the bot's when DATABASE_PATH / DATABASE_URL point at it.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import io
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot import wording
from bot.member_reports import MEASURED_RUN_COLUMNS, measured_run_row, read_report
from bot.secrets import HashKeys, resolve_hash_keys
from bot.settings import Settings
from bot.storage import database_location
from bot.storage.reports import ReportStore, ReportSummary
from bot.storage.text import printable
from catalog.catalog import Catalog
from engine.reports import PASTE_MAX_BYTES, Refused, check_size

EXIT_USAGE = 2
SHELL_USER = "shell:{}"  # hashed: the local account's reports, never its name


def add_report_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser("report", help="your measured runs (llama-bench or llama-server output): add, list, delete")
    report_sub = report.add_subparsers(dest="report_command", required=True)
    add = report_sub.add_parser(
        "add", help="report a llama-bench table (markdown, -o json/jsonl/csv) or server timings"
    )
    add.add_argument("file", help="the output saved to a file ('-' reads standard input)")
    add.add_argument("--hardware", required=True, help='the rig it ran on, e.g. "RTX 3090 + 64GB DDR5-6000"')
    add.add_argument("--model", help="the model, when the output names no GGUF file (default: read from it)")
    add.set_defaults(func=cmd_report_add)
    listed = report_sub.add_parser("list", help="your reports, newest first")
    listed.add_argument("--json", action="store_true", help="print JSON instead of lines")
    listed.set_defaults(func=cmd_report_list)
    delete = report_sub.add_parser("delete", help="delete one of your reports")
    delete.add_argument("id", type=int, help="the report's number (rigfit report list)")
    delete.set_defaults(func=cmd_report_delete)
    reports = sub.add_parser("reports", help="every member's accepted reports")
    reports_sub = reports.add_subparsers(dest="reports_command", required=True)
    export = reports_sub.add_parser("export", help="accepted reports as measured-run rows (CSV, as bench/)")
    export.add_argument("--out", type=Path, help="write to this file (default: standard output)")
    export.set_defaults(func=cmd_reports_export)


def _keys(settings: Settings) -> HashKeys:
    return resolve_hash_keys(settings, for_bot=False)


def _user(keys: HashKeys) -> tuple[str, ...]:
    return keys.all_hashes(SHELL_USER.format(getpass.getuser()))


def _store(settings: Settings) -> ReportStore:
    return ReportStore(database_location(settings))


def _read_paste(path: str) -> tuple[str, int]:
    """The text and its size in bytes; past the limit only the size is taken (a huge file is never loaded)."""
    if path == "-":
        data = sys.stdin.buffer.read(PASTE_MAX_BYTES + 1)
        return data.decode("utf-8", errors="replace"), len(data)
    size = Path(path).stat().st_size
    if size > PASTE_MAX_BYTES:
        return "", size
    return Path(path).read_bytes().decode("utf-8", errors="replace"), size


def cmd_report_add(args: argparse.Namespace, settings: Settings) -> int:
    from bot.terminal.cli import load_catalog

    try:
        text, size = _read_paste(args.file)
    except OSError as exc:
        print(f"rigfit: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    keys = _keys(settings)
    try:
        too_big = check_size(size)
        if too_big is not None:
            raise Refused(too_big)
        report = read_report(text, load_catalog(settings), hardware=args.hardware, model=args.model)
        report_id = _store(settings).add(keys.hash(SHELL_USER.format(getpass.getuser())), None, report)
    except Refused as exc:
        print(f"rigfit: not stored: {printable(wording.report_refusal(exc.refusal))}", file=sys.stderr)
        return EXIT_USAGE
    print(printable(wording.report_accepted(report_id, report, "rigfit report delete")))
    return 0


def summary_json(s: ReportSummary) -> dict[str, Any]:
    return {
        "id": s.id,
        "reported_at": s.reported_at,
        "hardware": s.hardware,
        "format": s.format,
        "models": list(s.models),
        "rows": s.rows,
        "decode_tokens_per_s": list(s.decode_tps),
        "prefill_tokens_per_s": list(s.prefill_tps),
    }


def cmd_report_list(args: argparse.Namespace, settings: Settings) -> int:
    reports = _store(settings).of_member(_user(_keys(settings)))
    if args.json:
        print(json.dumps([summary_json(s) for s in reports], indent=2, ensure_ascii=False))
    elif not reports:
        print('no reports: rigfit report add FILE --hardware "..."')
    else:
        print("\n".join(printable(wording.report_line(s.id, s.reported_at, s.hardware, s.models, s.decode_tps,
                                                      s.prefill_tps)) for s in reports))  # fmt: skip
    return 0


def cmd_report_delete(args: argparse.Namespace, settings: Settings) -> int:
    if _store(settings).delete(_user(_keys(settings)), args.id):
        print(f"deleted report #{args.id}")
        return 0
    print(f"rigfit: you have no report #{args.id} (rigfit report list)", file=sys.stderr)
    return EXIT_USAGE


def export_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=MEASURED_RUN_COLUMNS, lineterminator="\n")
    writer.writeheader()
    numbered: dict[object, int] = {}
    for row in rows:
        numbered[row["report_id"]] = numbered.get(row["report_id"], 0) + 1
        writer.writerow(measured_run_row(row, numbered[row["report_id"]]))
    return out.getvalue()


def cmd_reports_export(args: argparse.Namespace, settings: Settings) -> int:
    text = export_csv(_store(settings).export_rows())
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {text.count(chr(10)) - 1} rows to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


# ------------------------------------------------------------------------------------------- calibrate

COMPARED = (
    ("decode", "calibration_decode_rows", "calibration_decode_median_abs_log_err", "calibration_decode_coverage"),
    ("prefill", "calibration_prefill_rows", "calibration_prefill_median_abs_log_err", "calibration_prefill_coverage"),
)


def score_with_reports(catalog: Catalog, location: str, published: dict[str, float]) -> str:
    """The cross-source score of a fit on the published runs plus members' reports, against `published` (the
    figures of the fit on published runs alone). Nothing is written: the engine's table stays on published runs."""
    from calibrate.report import report
    from calibrate.runs import CSV_NAME, measured_rows

    exported = list(csv.DictReader(io.StringIO(export_csv(ReportStore(location).export_rows()))))
    if not exported:
        return "\nwith members' reports: none accepted yet, nothing to compare"
    with tempfile.TemporaryDirectory(prefix="rigfit-calibrate-") as folder:
        path = Path(folder) / CSV_NAME
        with path.open("w", encoding="utf-8", newline="") as f:
            rows = [*measured_rows(), *exported]
            writer = csv.DictWriter(f, fieldnames=MEASURED_RUN_COLUMNS, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        _, figures, _ = report(catalog, Path(folder))
    lines = [f"\nwith {len(exported)} rows of members' reports (the stored fit stays on published runs):"]
    for phase, rows_key, err_key, cov_key in COMPARED:
        before, after = published.get(err_key, float("nan")), figures.get(err_key, float("nan"))
        lines.append(
            f"  {phase}: {published.get(rows_key, 0):g} -> {figures.get(rows_key, 0):g} rows scored, median |ln| "
            f"{before:.3f} -> {after:.3f} ({after - before:+.3f}), inside [low, high] "
            f"{published.get(cov_key, float('nan')):.0%} -> {figures.get(cov_key, float('nan')):.0%}"
        )
    return "\n".join(lines)
