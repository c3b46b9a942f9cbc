"""Pages for people who do not write SPARQL: search results, the model explorer and comparisons.

The explorer filters and sorts with the code of ``/api/models`` (:mod:`kg.views.listing`, through
:mod:`kg.views.explorer`); a comparison is ``/api/compare``'s read model (:mod:`kg.views.compare`).
A mistake in the address (an unknown filter, a model that does not exist) is answered with the
page itself and a 4xx status naming the parameter, so the reader can fix it from there.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from api.csv_export import csv_response
from api.deps import GraphDep, checked_query
from api.errors import STATUS_BY_ERROR
from api.rendering import entity_href, render
from kg.errors import InvalidParameterError, KGError, NotFoundError
from kg.find.resolve import resolve, resolve_value
from kg.find.search import search as search_labels
from kg.terms import slug_of
from kg.views.collection_filters import FILTERS
from kg.views.compare import compare as compare_models
from kg.views.explorer import COLUMNS, explore, model_facts, model_ref

router = APIRouter(tags=["pages"])

_KIND_ORDER = ["model", "organization", "family", "person", "license", "architecture", "country", "concept", "claim"]
_KIND_HEADINGS = {
    "model": "Models",
    "organization": "Organizations",
    "family": "Model families",
    "person": "People",
    "license": "Licenses",
    "architecture": "Architectures",
    "country": "Countries",
    "concept": "Other concepts",
    "claim": "Claims",
    "article": "Articles",
}
_PAGE_SIZES = (25, 50, 100, 200)
_DIRECTION_WORDS = {
    "date": ("oldest first", "newest first"),
    "number": ("smallest first", "largest first"),
    "text": ("A to Z", "Z to A"),
}


def _status(exc: KGError) -> int:
    return next((code for cls, code in STATUS_BY_ERROR.items() if isinstance(exc, cls)), 500)


def _error_page(exc: KGError, title: str, **context: Any) -> HTMLResponse:
    """The page with the problem stated at its top (the reader's mistake: a 4xx, never a bare JSON)."""
    parameter = getattr(exc, "parameter", None)
    return HTMLResponse(
        render("page_error.html", title=title, detail=exc.detail, parameter=parameter, **context),
        status_code=_status(exc),
    )


# -- search ------------------------------------------------------------------------------------


@router.get(
    "/search",
    summary="Search page: names and alternate names, results grouped by kind (HTML)",
    response_class=HTMLResponse,
    dependencies=[Depends(checked_query())],
)
def search_page(
    graph: GraphDep,
    q: Annotated[str, Query(max_length=200, description="Text to look for, any script")] = "",
) -> HTMLResponse:
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    total = 0
    if q.strip():
        try:
            found = graph.read(search_labels, q, limit=100)
        except InvalidParameterError as exc:
            return _error_page(exc, "Search", q=q)
        total = found["total"]
        facts = graph.read(model_facts, [h["iri"] for h in found["results"] if h["kind"] == "model"])
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for hit in found["results"]:
            hit["href"] = entity_href(hit) or f"/search?{urlencode({'q': hit['name']})}"
            hit["facts"] = facts.get(hit["iri"])
            by_kind.setdefault(hit["kind"], []).append(hit)
        order = _KIND_ORDER + sorted(k for k in by_kind if k not in _KIND_ORDER)
        groups = [(_KIND_HEADINGS.get(k, k.capitalize()), by_kind[k]) for k in order if k in by_kind]
    shown = sum(len(hits) for _, hits in groups)
    return HTMLResponse(render("search.html", q=q, groups=groups, total=total, shown=shown))


# -- the model explorer ------------------------------------------------------------------------

_FIXED = {"sort", "order", "page", "limit", "format"}


def _filters_of(request: Request) -> dict[str, Any]:
    """Every query parameter that is not a paging/format one is a filter of /api/models (checked there)."""
    filters: dict[str, Any] = {}
    for name in dict.fromkeys(request.query_params.keys()):
        if name in _FIXED:
            continue
        values = [v for v in request.query_params.getlist(name) if v != ""]
        if any(len(v) > 500 for v in values):
            raise InvalidParameterError(name[:100], "each value at most 500 characters")
        if values:
            filters[name] = values if len(values) > 1 else values[0]
        elif name not in FILTERS["models"]:
            filters[name] = ""  # an empty unknown parameter is still refused, by name
    return filters


def _url(path: str, params: list[tuple[str, str]]) -> str:
    return path + ("?" + urlencode(params) if params else "")


def _view_params(filters: dict[str, Any], sort: str, order: str, limit: int) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    for name, value in filters.items():
        for v in value if isinstance(value, list) else [value]:
            params.append((name, str(v)))
    if sort != "name":
        params.append(("sort", sort))
    if order != "asc":
        params.append(("order", order))
    if limit != 50:
        params.append(("limit", str(limit)))
    return params


def _toggle(filters: dict[str, Any], name: str, value: str) -> dict[str, Any]:
    """The filters with `value` of `name` added (entity facets: either value) or taken away."""
    current = filters.get(name)
    values = [str(v) for v in (current if isinstance(current, list) else [current] if current is not None else [])]
    lowered = [v.lower() for v in values]
    if value.lower() in lowered:
        values = [v for v in values if v.lower() != value.lower()]
    elif name in ("year", "osi", "open_weights"):
        values = [value]  # one value only
    else:
        values = [*values, value]
    out = {k: v for k, v in filters.items() if k != name}
    if values:
        out[name] = values if len(values) > 1 else values[0]
    return out


def _export_rows(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    header = [heading for _, heading, _ in COLUMNS] + ["IRI"]
    out = []
    for row in rows:
        cells: list[Any] = []
        for key, _, _ in COLUMNS:
            value = row[key]
            if isinstance(value, dict):
                value = value.get("id") or value.get("name")
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            cells.append(value)
        out.append([*cells, row["iri"]])
    return header, out


@router.get(
    "/models",
    summary="Model explorer: every model in a sortable, faceted table (HTML, CSV or JSON)",
    description=(
        "Takes every filter of `/api/models` (country, organization, architecture, modality, weights_license, osi, "
        "open_weights, accessibility, year, released_after…; an entity filter repeated means either value) plus "
        "`sort`, `order`, `page`, `limit` and `format`. `format=csv` or `format=json` downloads the whole view (all "
        "pages), in the table's order. Example: `/models?country=CN&architecture=moe&year=2025&sort=parameters&order=desc`."
    ),
    response_class=HTMLResponse,
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def models_page(
    request: Request,
    graph: GraphDep,
    sort: Annotated[str, Query(max_length=40, description="A sort key of /api/models")] = "name",
    order: Annotated[str, Query(max_length=10, description="asc or desc")] = "asc",
    page: Annotated[int, Query(ge=1, le=100000, description="Page number, from 1")] = 1,
    limit: Annotated[int, Query(ge=1, le=500, description="Rows per page (1 to 500)")] = 50,
    format: Annotated[Literal["html", "csv", "json"], Query(description="html (default), csv or json")] = "html",
) -> Response:
    try:
        filters = _filters_of(request)
        view = graph.read(explore, filters, sort, order)
    except (InvalidParameterError, NotFoundError) as exc:
        if format != "html":
            raise
        return _error_page(exc, "Models", reset="/models")
    rows = view["rows"]
    if format == "csv":
        header, cells = _export_rows(rows)
        return csv_response(header, cells, "models.csv")
    if format == "json":
        header, cells = _export_rows(rows)
        keys = [key for key, _, _ in COLUMNS] + ["iri"]
        return JSONResponse(
            {
                "total": len(rows),
                "sort": sort,
                "order": order,
                "filters": view["filters"],
                "columns": dict(zip(keys, header, strict=True)),
                "rows": [dict(zip(keys, r, strict=True)) for r in cells],
            }
        )
    pages = max(1, -(-len(rows) // limit))
    page = min(page, pages)
    params = _view_params(filters, sort, order, limit)

    def with_page(n: int) -> str:
        return _url("/models", [*params, ("page", str(n))] if n > 1 else params)

    def sort_link(key: str) -> str:
        # The same column again flips the order; a new column starts with its natural order.
        same = key == sort
        new_order = ("desc" if order == "asc" else "asc") if same else ("asc" if key == "name" else "desc")
        if key in ("organization", "country", "architecture", "weights_license", "openness") and not same:
            new_order = "asc"
        return _url("/models", _view_params(filters, key, new_order, limit))

    facets = []
    for facet in view["facets"]:
        values = [
            {
                **v,
                "href": _url(
                    "/models", _view_params(_toggle(filters, facet["parameter"], v["value"]), sort, order, limit)
                ),
            }
            for v in facet["values"]
        ]
        facets.append({**facet, "values": values})
    # A chip reads like the facet ("Country: China"), not like the address ("country=CN").
    headings = {f["parameter"]: f["label"] for f in facets}
    labels = {(f["parameter"], v["value"].lower()): v["label"] for f in facets for v in f["values"]}
    chips = [
        {
            "name": name,
            "heading": headings.get(name, name.replace("_", " ")),
            "value": labels.get((name, str(v).lower()), v),
            "href": _url("/models", _view_params(_toggle(filters, name, v), sort, order, limit)),
        }
        for name, value in filters.items()
        for v in (value if isinstance(value, list) else [value])
    ]
    sort_heading = "name" if sort == "name" else next((h for _, h, skey in COLUMNS if skey == sort), sort)
    direction_kind = "date" if sort == "date" else "number" if sort in ("parameters", "active_parameters") else "text"
    start = (page - 1) * limit
    return HTMLResponse(
        render(
            "models.html",
            rows=rows[start : start + limit],
            total=len(rows),
            start=start,
            page=page,
            pages=pages,
            prev_href=with_page(page - 1) if page > 1 else None,
            next_href=with_page(page + 1) if page < pages else None,
            columns=[(key, heading, sort_link(skey) if skey else None, skey) for key, heading, skey in COLUMNS],
            sort=sort,
            order=order,
            sort_text=f"{sort_heading.lower()}, {_DIRECTION_WORDS[direction_kind][order == 'desc']}",
            limit=limit,
            facets=facets,
            chips=chips,
            href=entity_href,
            csv_href=_url("/models", [*params, ("format", "csv")]),
            json_href=_url("/models", [*params, ("format", "json")]),
            size_hrefs=[(n, _url("/models", _view_params(filters, sort, order, n))) for n in _PAGE_SIZES],
        )
    )


# -- compare -----------------------------------------------------------------------------------


_RECORD_ROWS = frozenset(
    {"schema:name", "schema:alternateName", "aikg:hfRepoId", "rdfs:comment", "aikg:epochName", "dcterms:source"}
)


def _compare_refs(request: Request) -> list[str]:
    """Models from ``models=a,b,c`` or repeated ``models=a&models=b`` (the explorer's ticked rows)."""
    refs: list[str] = []
    for value in request.query_params.getlist("models"):
        refs += [r.strip() for r in value.split(",") if r.strip()]
    return refs


def _footnotes(table: dict[str, Any]) -> tuple[list[str], list[list[int]]]:
    """Number every source once, in reading order, and say where each value comes from.

    Most facts of one model come from the same few sources: that set is cited once, under the
    model's name (the second result, one list per column); a value gets its own ``notes`` only
    when its sources are not that set, so the table is not a wall of ``[1][2]``.
    """
    sources: dict[str, int] = {}
    commons: list[list[int]] = []
    for index in range(len(table["models"])):
        seen = Counter(tuple(v.get("sources") or []) for row in table["properties"] for v in row["values"][index])
        common = seen.most_common(1)[0][0] if seen else ()
        commons.append([sources.setdefault(s, len(sources) + 1) for s in common])
        for row in table["properties"]:
            for value in row["values"][index]:
                mine = tuple(value.get("sources") or [])
                value["notes"] = [] if mine == common else [sources.setdefault(s, len(sources) + 1) for s in mine]
    return list(sources), commons


def _value_text(value: dict[str, Any]) -> str:
    for key in ("label", "value", "iri"):
        if value.get(key) is not None:
            return str(value[key])
    return ""


@router.get(
    "/compare",
    summary="Compare models side by side: facts as rows with their sources, differences marked (HTML or CSV)",
    description=(
        "`models`: 2 to 10 models (slug, name or IRI), comma-separated or repeated, in column order; `add` appends "
        "one (by name) and redirects to the new address; `format=csv` downloads the table. "
        "Example: `/compare?models=glm-4.5,deepseek-v3,qwen3-235b-a22b`."
    ),
    response_class=HTMLResponse,
    responses={200: {"content": {"text/csv": {}}}, 303: {"description": "after `add`: the comparison with it"}},
    dependencies=[Depends(checked_query(frozenset({"models"})))],
)
def compare_page(
    request: Request,
    graph: GraphDep,
    models: Annotated[
        str | None, Query(max_length=2000, description="Models, comma-separated (or the parameter repeated)")
    ] = None,
    add: Annotated[str | None, Query(max_length=500, description="A model to add (slug or name)")] = None,
    format: Annotated[Literal["html", "csv"], Query(description="html (default) or csv")] = "html",
) -> Response:
    refs = _compare_refs(request)
    if len(refs) > 10:
        exc = InvalidParameterError("models", "give 2 to 10 models, comma-separated")
        if format != "html":
            raise exc
        return _error_page(exc, "Compare", reset="/compare")
    if add and add.strip():
        try:
            iri = graph.read(resolve_value, "add", "model", add.strip())
        except InvalidParameterError as exc:
            # The closest models, each a link that adds it (the read ran on a worker: its cause is not kept).
            try:
                graph.read(resolve, "model", add.strip())
                suggested: list[str] = []
            except NotFoundError as missing:
                suggested = missing.suggestions
            options = [s for s in suggested if s not in refs]
            choices = [(s, _url("/compare", [("models", ",".join([*refs, s]))])) for s in options[:10]]
            reset = _url("/compare", [("models", ",".join(refs))] if refs else [])
            return _error_page(exc, "Compare", reset=reset, choices=choices, choices_intro="Add one of these instead:")
        slug = slug_of(iri)
        if slug not in refs:
            refs.append(slug)
        return RedirectResponse(_url("/compare", [("models", ",".join(refs))]), status_code=303)
    if len(refs) < 2:
        if format != "html":
            raise InvalidParameterError("models", "give 2 to 10 models, comma-separated")
        chosen = [graph.read(model_ref, r) for r in refs]
        return HTMLResponse(render("compare.html", table=None, chosen=[c for c in chosen if c], href=entity_href))
    try:
        table = graph.read(compare_models, refs)
    except (InvalidParameterError, NotFoundError) as exc:
        if format != "html":
            raise
        return _error_page(exc, "Compare", reset="/compare")
    slugs = [m["slug"] for m in table["models"]]
    if format == "csv":
        header = (
            ["Property", "Differs"]
            + [m["name"] for m in table["models"]]
            + [f"{m['name']}: sources" for m in table["models"]]
        )
        rows = [
            [
                row["label"],
                "no" if row["same"] else "yes",
                *["; ".join(_value_text(v) for v in col) for col in row["values"]],
                *[" ".join(dict.fromkeys(s for v in col for s in v.get("sources") or [])) for col in row["values"]],
            ]
            for row in table["properties"]
        ]
        return csv_response(header, rows, "comparison.csv")
    sources, column_notes = _footnotes(table)
    removes = [_url("/compare", [("models", ",".join(s for s in slugs if s != slug))]) for slug in slugs]
    # Names, identifiers, notes and sources always differ between models: listed apart, not
    # highlighted, so the marked rows are the facts a reader compares.
    facts = [r for r in table["properties"] if r["property"] not in _RECORD_ROWS]
    notes = [r for r in table["properties"] if r["property"] in _RECORD_ROWS]
    return HTMLResponse(
        render(
            "compare.html",
            table=table,
            chosen=table["models"],
            removes=removes,
            sources=sources,
            column_notes=column_notes,
            facts=facts,
            notes=notes,
            differ=sum(1 for r in facts if not r["same"]),
            href=entity_href,
            models_value=",".join(slugs),
            csv_href=_url("/compare", [("models", ",".join(slugs)), ("format", "csv")]),
        )
    )
