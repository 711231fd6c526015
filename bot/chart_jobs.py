"""What a card's chart shows, as a value another process can draw (bot/charts.py does the drawing).

Answers carry a ChartJob instead of a picture: the CLI never draws, the bot draws in a worker process (so drawing
never competes with the event loop for the interpreter), and `rigfit preview` draws in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from engine.fit import FitReport


@dataclass(frozen=True)
class ChartJob:
    kind: Literal["fit", "compare"]
    reports: tuple[FitReport, ...]


def draw(job: ChartJob) -> bytes | None:
    """The PNG for a job (matplotlib loads here, on first use)."""
    from bot.charts import compare_chart, fit_report_chart

    if job.kind == "fit":
        return fit_report_chart(job.reports[0])
    first, second = job.reports
    return compare_chart(first, second)
