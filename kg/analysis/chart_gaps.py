"""What each chart of /charts leaves out, which quarters are incomplete, which shares are thin.

A chart that silently drops undated models, draws a quarter the curators have not reached as a
zero, or shows a share of "1/1" as a 100 % bar misleads its reader. :func:`chart_with_gaps`
computes a chart (:func:`kg.analysis.analytics.chart_data`, unchanged) and adds ``gaps``: the models it
left out and why (classified with the chart queries' own rules, by ``chart_gaps.rq``), the
quarters after the month the curated data reaches (``curated releases through YYYY-MM``), and
the low-sample marks of shares computed from fewer than :data:`LOW_SAMPLE` models.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.analysis import analytics
from kg.analysis.coverage import LANDSCAPE_GRAPH, curated_through, source_periods
from kg.engine.sparql import select
from kg.queries import named_query

__all__ = ["LOW_SAMPLE", "chart_with_gaps"]

LOW_SAMPLE = 5
"""A share computed from fewer models than this is marked low-sample."""

_QUARTER_CHARTS = ("releases-by-country", "moe-share")


def _quarter_of(month: str) -> str:
    """``"2026-04"`` -> ``"2026-Q2"``."""
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def _next_quarter(quarter: str) -> str:
    year, q = int(quarter[:4]), int(quarter[-1])
    return f"{year + 1}-Q1" if q == 4 else f"{year}-Q{q + 1}"


def _reason(row: dict[str, Any], name: str, since: int) -> str | None:
    """Why chart `name` does not count this model (the first reason that applies), or None."""
    if name in _QUARTER_CHARTS:
        if not row.get("date"):
            return "no release date"
        if "month" not in row or "year" not in row:
            return "release date without a month"
        if int(row["year"]) < since:
            return f"released before {since}"
    if name != "moe-share" and not row["country"]:
        return "no creator with a country"
    return None


def chart_with_gaps(store: ox.Store, name: str, since: int = 2023, data_dir: Path | None = None) -> dict[str, Any]:
    """Compute one chart of the race and say what it leaves out and where its data ends.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    name : str
        A key of :data:`kg.analysis.analytics.CHARTS`.
    since : int, optional
        First year of the per-quarter charts.
    data_dir : pathlib.Path, optional
        Folder of the embedded data files (what counts as curated); default the shipped ``ontology/data``.

    Returns
    -------
    dict
        The result of :func:`kg.analysis.analytics.chart_data` (its ``series`` unchanged, plus
        ``series["low_sample"]``: per quarter for ``moe-share``, per region for ``license-mix``,
        True where the share rests on fewer than :data:`LOW_SAMPLE` models; and for the
        per-quarter charts ``series["incomplete"]``, per quarter, True after the curated month)
        with ``gaps``: ``models`` (all AI models), ``counted`` (models the chart counts at least
        once), ``left_out`` (list of ``{"reason", "models"}``, every model not counted under
        exactly one reason), ``notes`` (caveats on counted models), ``curated_through``
        (``YYYY-MM``), ``incomplete_quarters`` (quarters of the axis after that month, the
        partly curated quarter included), ``uncurated_quarters`` (quarters after the last one
        with data, through the landscape graph's declared end or generation date, which the
        chart draws as incomplete and not as zero) and ``low_sample_below``.

    Raises
    ------
    InvalidParameterError
        If `name` or `since` is not acceptable.
    LoadError
        If an embedded data file does not parse.
    """
    chart = analytics.chart_data(store, name, since=since)
    rows = select(store, named_query("chart_gaps"), {"since": since})
    left: dict[str, int] = {}
    for row in rows:
        reason = _reason(row, name, since)
        if reason:
            left[reason] = left.get(reason, 0) + 1
    gaps: dict[str, Any] = {
        "models": len(rows),
        "counted": len(rows) - sum(left.values()),
        "left_out": [{"reason": r, "models": n} for r, n in left.items()],
        "notes": [],
        "curated_through": curated_through(store, data_dir=data_dir),
        "incomplete_quarters": [],
        "uncurated_quarters": [],
        "low_sample_below": LOW_SAMPLE,
    }
    series = chart["series"]
    if name == "moe-share":
        no_arch = sum(1 for r in rows if not _reason(r, name, since) and not r["architecture"])
        if no_arch:
            gaps["notes"].append(
                f"{no_arch} counted models have no architecture recorded; they count as not Mixture-of-Experts"
            )
        series["low_sample"] = [0 < n < LOW_SAMPLE for n in series["releases"]]
    elif name == "license-mix":
        series["low_sample"] = {
            region: 0 < sum(counts.values()) < LOW_SAMPLE for region, counts in series["counts"].items()
        }
        gaps["notes"].append("models whose license and accessibility are not recorded are shown as 'unknown'")
    if name in _QUARTER_CHARTS and gaps["curated_through"]:
        through = gaps["curated_through"]
        last_curated = _quarter_of(through)
        partial = int(through[5:7]) % 3 != 0
        series["incomplete"] = [q > last_curated or (q == last_curated and partial) for q in series["quarters"]]
        # The axis runs on to the quarter the landscape graph was declared or generated in, so
        # the quarters nobody has curated yet are visible as such.
        period = next((p for p in source_periods(store, data_dir) if p["graph"] == LANDSCAPE_GRAPH), {})
        ends = [d[:7] for d in (period.get("end"), period.get("generated")) if d]
        axis_end = _quarter_of(max(ends)) if ends else last_curated
        if series["quarters"]:
            q = _next_quarter(series["quarters"][-1])
            while q <= axis_end:
                gaps["uncurated_quarters"].append(q)
                q = _next_quarter(q)
        gaps["incomplete_quarters"] = [
            q for q, flag in zip(series["quarters"], series["incomplete"], strict=True) if flag
        ] + gaps["uncurated_quarters"]
    chart["gaps"] = gaps
    return chart
