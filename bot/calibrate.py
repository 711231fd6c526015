"""Shim: the calibration fitter moved to the top-level `calibrate` package. Kept until bot/cli.py imports from
there; delete then."""

from calibrate.fit import Score, engine_range, fit_table, score
from calibrate.multi_gpu import Check, multi_gpu_checks
from calibrate.report import FITTED_PATH, fitted_module, held_out_figures, report
from calibrate.runs import CSV_NAME, Run, calibration_dir, load_runs

__all__ = [
    "CSV_NAME",
    "FITTED_PATH",
    "Check",
    "Run",
    "Score",
    "calibration_dir",
    "engine_range",
    "fit_table",
    "fitted_module",
    "held_out_figures",
    "load_runs",
    "multi_gpu_checks",
    "report",
    "score",
]
