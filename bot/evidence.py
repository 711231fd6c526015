"""Measured runs for answers: the project's published runs, resolved once per catalog, and member reports read per
answer from a source the front end passes in (a store filtered for the server asking).

Never fails an answer: a member source that raises is logged and left out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from catalog.catalog import Catalog
from catalog.loader import load_measured_runs
from catalog.types import Model
from engine.evidence import EvidenceIndex, MeasuredPoint, ReportEvidence, report_evidence
from engine.fit import FitReport
from engine.parse.runs import resolve_runs

log = logging.getLogger(__name__)

# The member reports for a model (and its same-family siblings), as the front end may show them.
MemberSource = Callable[[Model], Sequence[MeasuredPoint]]

_lock = threading.Lock()
_published: dict[int, tuple[Catalog, EvidenceIndex]] = {}


def published_index(catalog: Catalog) -> EvidenceIndex:
    """The published runs resolved against this catalog, once (2,334 rows naming 255 machines, each phrase read once:
    about 1 s)."""
    with _lock:
        held = _published.get(id(catalog))
        if held is not None and held[0] is catalog:
            return held[1]
    points, _ = resolve_runs(load_measured_runs(), catalog)
    index = EvidenceIndex(points)
    with _lock:
        _published[id(catalog)] = (catalog, index)
    return index


def evidence_for(report: FitReport, catalog: Catalog, members: MemberSource | None = None) -> ReportEvidence:
    indexes = [published_index(catalog)]
    if members is not None:
        try:
            indexes.append(EvidenceIndex(members(report.model)))
        except Exception:
            log.warning("member reports unreadable; answering with published runs only", exc_info=True)
    return report_evidence(report, *indexes)
