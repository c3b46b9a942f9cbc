"""Charts of the race as inline SVG, drawn here from the numbers (no script, no request to any host).

Each ``figure_*`` function turns one :func:`kg.analysis.analytics.chart_data` result into a *figure*: a
dict of plain shapes (``rects``, ``lines``, ``texts``) in SVG user units, which the template
``charts.html`` writes out with autoescaping. Geometry lives here; data comes from ``kg``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import jinja2

from viz.render import COUNTRY_COLOR, SITE_NAV

__all__ = [
    "OPENNESS_COLOR",
    "REGION_COLOR",
    "figure_license_mix",
    "figure_moe_share",
    "figure_releases",
    "render_charts",
]


def _pale(color: str, amount: float = 0.65) -> str:
    """Mix a ``#rrggbb`` colour with white (``amount`` of white, 0 to 1)."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


REGION_COLOR: dict[str, tuple[str, str]] = {
    region: (COUNTRY_COLOR[code][0], _pale(COUNTRY_COLOR[code][0]))
    for region, code in (("China", "CN"), ("United States", "US"), ("others", ""))
}
"""Region -> (solid colour for open-weight releases, pale colour for the other releases), taken
from :data:`viz.render.COUNTRY_COLOR` so charts and graphs colour countries alike."""

OPENNESS_COLOR: dict[str, str] = {
    "osi": "#2e7d32",
    "open-weights": "#9ccc65",
    "closed": "#b0413e",
    "unknown": "#cfcfcf",
}
"""License-openness category -> colour (green = open, red = closed, grey = unknown)."""

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=jinja2.select_autoescape(["html"]),
)
_TEMPLATES.globals["SITE_NAV"] = SITE_NAV

_W, _H = 900, 340
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 16, 20, 64


def _nice_max(value: float) -> int:
    """Smallest 'round' whole axis maximum >= value (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k)."""
    if value <= 0:
        return 1
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * exp >= value and float(step * exp).is_integer():
            return int(step * exp)
    return int(10 * exp)


def _axis(fig: dict[str, Any], top: float, ticks: list[tuple[float, str]]) -> None:
    plot_h = _H - _TOP - _BOTTOM
    for value, label in ticks:
        y = _TOP + plot_h * (1 - value / top)
        fig["lines"].append({"x1": _LEFT, "y1": y, "x2": _W - _RIGHT, "y2": y, "stroke": "#e3e3e3"})
        fig["texts"].append({"x": _LEFT - 6, "y": y + 4, "text": label, "anchor": "end", "cls": "tick"})
    fig["lines"].append({"x1": _LEFT, "y1": _TOP + plot_h, "x2": _W - _RIGHT, "y2": _TOP + plot_h, "stroke": "#555"})


def _figure(title: str) -> dict[str, Any]:
    return {"width": _W, "height": _H, "title": title, "rects": [], "lines": [], "texts": []}


def _gap_quarters(data: dict[str, Any]) -> tuple[list[str], set[str]]:
    """Quarters to draw (the data's, then the uncurated ones) and the incomplete ones among them."""
    gaps = data.get("gaps") or {}
    quarters = list(data["series"]["quarters"]) + list(gaps.get("uncurated_quarters", []))
    return quarters, set(gaps.get("incomplete_quarters", []))


def _mark_incomplete(fig: dict[str, Any], data: dict[str, Any], x: float, width: float, quarter: str) -> None:
    """Hatch a quarter the curated data does not (fully) reach, so it is not read as few releases."""
    plot_h = _H - _TOP - _BOTTOM
    through = (data.get("gaps") or {}).get("curated_through")
    fig["rects"].append(
        {
            "x": x,
            "y": _TOP,
            "w": width,
            "h": plot_h,
            "fill": f"url(#hatch-{data['name']})",
            "cls": "incomplete",
            "title": f"{quarter}: incomplete, curated releases through {through}",
        }
    )
    runs = fig.setdefault("incomplete_runs", [])
    if runs and abs(runs[-1][1] - x) < 3:  # adjacent quarter: one run, one label
        runs[-1][1] = x + width
    else:
        runs.append([x, x + width])


def _label_incomplete(fig: dict[str, Any]) -> None:
    """One label per run of adjacent incomplete quarters (a label per quarter would overlap)."""
    for x0, x1 in fig.pop("incomplete_runs", []):
        fig["texts"].append(
            {"x": (x0 + x1) / 2, "y": _TOP + 12, "text": "incomplete", "anchor": "middle", "cls": "incomplete-label"}
        )


def figure_releases(data: dict[str, Any]) -> dict[str, Any]:
    """Grouped bars: per quarter one bar per region, solid = open-weight, pale = other releases.

    Parameters
    ----------
    data : dict
        A ``releases-by-country`` result of :func:`kg.analysis.analytics.chart_data`.

    Returns
    -------
    dict
        A figure (``width``, ``height``, ``title``, ``rects``, ``lines``, ``texts``, ``legend``).
    """
    series = data["series"]
    regions = series["regions"]
    quarters, incomplete = _gap_quarters(data)
    n_data = len(series["quarters"])
    fig = _figure(data["title"])
    top = _nice_max(max((max(r["releases"], default=0) for r in regions.values()), default=0))
    _axis(fig, top, [(v, str(v)) for v in _ticks(top)])
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    slot = plot_w / max(len(quarters), 1)
    bar = min(slot * 0.8 / 3, 22)
    for qi, quarter in enumerate(quarters):
        x0 = _LEFT + qi * slot + (slot - 3 * bar) / 2
        if quarter in incomplete:
            _mark_incomplete(fig, data, _LEFT + qi * slot + 1, slot - 2, quarter)
        for ri, region in enumerate(REGION_COLOR):
            if qi >= n_data:
                break
            total = regions[region]["releases"][qi]
            open_ = regions[region]["openWeights"][qi]
            solid, pale = REGION_COLOR[region]
            x = x0 + ri * bar
            tip = f"{quarter}, {region}: {total} releases, {open_} open-weight"
            h_total = plot_h * total / top
            h_open = plot_h * open_ / top
            if total:
                fig["rects"].append(
                    {
                        "x": x,
                        "y": _TOP + plot_h - h_total,
                        "w": bar - 1,
                        "h": h_total - h_open,
                        "fill": pale,
                        "title": tip,
                    }
                )
            if open_:
                fig["rects"].append(
                    {"x": x, "y": _TOP + plot_h - h_open, "w": bar - 1, "h": h_open, "fill": solid, "title": tip}
                )
            if total:
                fig["texts"].append(
                    {
                        "x": x + bar / 2,
                        "y": _TOP + plot_h - h_total - 3,
                        "text": str(total),
                        "anchor": "middle",
                        "cls": "value",
                    }
                )
        fig["texts"].append(
            {
                "x": _LEFT + qi * slot + slot / 2,
                "y": _H - _BOTTOM + 16,
                "text": quarter,
                "anchor": "middle",
                "cls": "tick",
            }
        )
    fig["legend"] = [{"color": REGION_COLOR[r][0], "text": f"{r}: open-weight"} for r in REGION_COLOR] + [
        {"color": REGION_COLOR[r][1], "text": f"{r}: other releases"} for r in REGION_COLOR
    ]
    if incomplete:
        fig["legend"].append(
            {"color": "#bbb", "text": f"hatched: incomplete quarter ({_through(data)})", "hatch": True}
        )
    _label_incomplete(fig)
    fig["y_label"] = "models released"
    return fig


def _ticks(top: int) -> list[int]:
    step = next((s for s in (1, 2, 3, 4, 5, 10, 20, 25, 50, 100, 200, 250, 500) if top % s == 0 and top // s <= 6), top)
    return list(range(0, top + 1, step))


def figure_moe_share(data: dict[str, Any]) -> dict[str, Any]:
    """Bars of the Mixture-of-Experts share of each quarter's releases (0–100 %).

    Parameters
    ----------
    data : dict
        A ``moe-share`` result of :func:`kg.analysis.analytics.chart_data`.

    Returns
    -------
    dict
        A figure; each bar is labelled ``moe/releases``; quarters without releases show ``–``.
    """
    series = data["series"]
    quarters, incomplete = _gap_quarters(data)
    low = series.get("low_sample") or [False] * len(series["quarters"])
    fig = _figure(data["title"])
    _axis(fig, 1.0, [(v / 100, f"{v} %") for v in (0, 25, 50, 75, 100)])
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    slot = plot_w / max(len(quarters), 1)
    bar = min(slot * 0.7, 40)
    for i, quarter in enumerate(quarters):
        x = _LEFT + i * slot + (slot - bar) / 2
        if quarter in incomplete:
            _mark_incomplete(fig, data, _LEFT + i * slot + 1, slot - 2, quarter)
        if i >= len(series["quarters"]):
            fig["texts"].append(
                {
                    "x": _LEFT + i * slot + slot / 2,
                    "y": _H - _BOTTOM + 16,
                    "text": quarter,
                    "anchor": "middle",
                    "cls": "tick",
                }
            )
            continue
        share, moe, total = series["share"][i], series["moe"][i], series["releases"][i]
        if share is None:
            fig["texts"].append(
                {"x": x + bar / 2, "y": _TOP + plot_h - 4, "text": "–", "anchor": "middle", "cls": "value"}
            )
        else:
            h = plot_h * share
            fig["rects"].append(
                {
                    "x": x,
                    "y": _TOP + plot_h - h,
                    "w": bar,
                    "h": h,
                    "fill": "#cdc3e3" if low[i] else "#6a51a3",
                    "cls": "bar low-sample" if low[i] else "bar",
                    "title": f"{quarter}: {moe} of {total} releases are Mixture-of-Experts ({share:.0%})"
                    + (f"; low sample (fewer than {_low_below(data)} models)" if low[i] else ""),
                }
            )
            fig["texts"].append(
                {
                    "x": x + bar / 2,
                    "y": _TOP + plot_h - h - 3,
                    "text": f"{moe}/{total}" + ("*" if low[i] else ""),
                    "anchor": "middle",
                    "cls": "value",
                }
            )
        fig["texts"].append(
            {
                "x": _LEFT + i * slot + slot / 2,
                "y": _H - _BOTTOM + 16,
                "text": quarter,
                "anchor": "middle",
                "cls": "tick",
            }
        )
    fig["legend"] = [{"color": "#6a51a3", "text": "Mixture-of-Experts share (label: MoE models / all models)"}]
    if any(low):
        fig["legend"].append(
            {"color": "#cdc3e3", "text": f"pale, *: low sample (fewer than {_low_below(data)} models in the quarter)"}
        )
    if incomplete:
        fig["legend"].append(
            {"color": "#bbb", "text": f"hatched: incomplete quarter ({_through(data)})", "hatch": True}
        )
    _label_incomplete(fig)
    fig["y_label"] = "share of releases"
    return fig


def figure_license_mix(data: dict[str, Any]) -> dict[str, Any]:
    """Horizontal 100 % bars: each region's models by license openness.

    Parameters
    ----------
    data : dict
        A ``license-mix`` result of :func:`kg.analysis.analytics.chart_data`.

    Returns
    -------
    dict
        A figure; segments are labelled with their counts, each bar with its total.
    """
    series = data["series"]
    fig = _figure(data["title"])
    fig["height"] = 40 + 56 * len(series["regions"]) + 20
    left, width = 130, _W - 130 - 70
    low = series.get("low_sample") or {}
    for i, region in enumerate(series["regions"]):
        counts = series["counts"][region]
        total = sum(counts.values())
        y = 30 + i * 56
        fig["texts"].append({"x": left - 8, "y": y + 24, "text": region, "anchor": "end", "cls": "label"})
        x = float(left)
        for category in series["categories"]:
            n = counts[category]
            if not n:
                continue
            w = width * n / total
            fig["rects"].append(
                {
                    "x": x,
                    "y": y,
                    "w": w,
                    "h": 36,
                    "fill": OPENNESS_COLOR[category],
                    "title": f"{region}: {n} of {total} models {category}",
                }
            )
            if w >= 18:
                fig["texts"].append(
                    {
                        "x": x + w / 2,
                        "y": y + 23,
                        "text": str(n),
                        "anchor": "middle",
                        "cls": "inbar" if category in ("osi", "closed") else "inbar-dark",
                    }
                )
            x += w
        fig["texts"].append(
            {
                "x": left + width + 8,
                "y": y + 24,
                "text": f"{total} models" + (" (low sample)" if low.get(region) else ""),
                "anchor": "start",
                "cls": "tick low-sample" if low.get(region) else "tick",
            }
        )
    fig["legend"] = [{"color": OPENNESS_COLOR[c], "text": c} for c in series["categories"]]
    return fig


def _through(data: dict[str, Any]) -> str:
    return f"curated releases through {(data.get('gaps') or {}).get('curated_through')}"


def _low_below(data: dict[str, Any]) -> int:
    return int((data.get("gaps") or {}).get("low_sample_below", 5))


_FIGURES = {"releases-by-country": figure_releases, "moe-share": figure_moe_share, "license-mix": figure_license_mix}


def render_charts(
    charts: list[dict[str, Any]],
    *,
    since: int,
    openness: dict[str, str],
    curated_through: str | None = None,
    embed: bool = False,
    single: bool = False,
    base_url: str = "",
) -> str:
    """Return the self-contained charts page.

    Parameters
    ----------
    charts : list of dict
        Results of :func:`kg.analysis.analytics.chart_data`, in page order.
    since : int
        First year of the per-quarter charts (shown in the text).
    openness : dict of str to str
        License-openness category -> meaning (``kg.analysis.analytics.OPENNESS``), for the legend.
    curated_through : str, optional
        ``YYYY-MM`` the curated data reaches; default the ``gaps`` of the charts
        (``kg.analysis.chart_gaps.chart_with_gaps``), if they carry it.
    embed : bool, optional
        The page for an ``<iframe>``: no page heading, introduction, tables or queries, and a
        link back to the full page.
    single : bool, optional
        The page shows one chart (``/charts?chart=NAME``): its title is the page's.
    base_url : str, optional
        Public base of the service (no trailing slash), for the absolute links and ``<iframe>``
        code offered under each chart; default relative links.

    Returns
    -------
    str
        One HTML document with inline SVG, a data table and the SPARQL query under each chart,
        and, where the charts carry ``gaps``, what each leaves out, the incomplete quarters
        (hatched) and the low-sample shares, a link and ``<iframe>`` code to share each chart; no
        script and no request to any other host.
    """
    items = [{"data": c, "figure": _FIGURES[c["name"]](c)} for c in charts]
    gaps = next((c["gaps"] for c in charts if c.get("gaps")), {})
    return _TEMPLATES.get_template("charts.html").render(
        charts=items,
        since=since,
        openness=openness,
        curated_through=curated_through or gaps.get("curated_through"),
        low_sample_below=gaps.get("low_sample_below", 5),
        embed=embed,
        single=single,
        base_url=base_url,
    )
