"""Change feeds: ``/feeds/changes.atom``, ``.rss`` and ``.json`` (JSON Feed 1.1), from imports and updates.

Entries are :func:`kg.views.changes.change_entries` (the import history and the update journal);
Atom and RSS are written by ``feedgen``. A feed answers ``304 Not Modified`` to a matching
``If-None-Match`` (its ETag covers the dataset version, the journal and the request) or to an
``If-Modified-Since`` no older than its newest entry (``Last-Modified``).
"""

from __future__ import annotations

import contextlib
import inspect
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from feedgen.feed import FeedGenerator

from api.deps import GraphDep, SettingsDep, checked_query
from api.filter_params import filter_parameters, filter_values, repeatable, repeated_filters
from api.middleware.etag import etag_for
from kg.analysis.review import RATINGS, REVIEWS_GRAPH, keeper_for
from kg.engine.dataset import to_instant
from kg.errors import InvalidParameterError
from kg.service import KnowledgeGraph
from kg.terms import ENTITY_KINDS
from kg.views.changes import change_entries
from kg.views.dataset_description import graph_provenance

__all__ = ["read_changes", "router"]

router = APIRouter(prefix="/feeds", tags=["feeds"])

FEED_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}

Rating = Literal["supported", "misleading", "contradicted", "unverifiable"]
assert set(Rating.__args__) == set(RATINGS)  # type: ignore[attr-defined]


def read_changes(
    graph: KnowledgeGraph,
    since: str | None = None,
    kind: str | None = None,
    model_filters: dict[str, Any] | None = None,
    rating: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Return the change entries (the feeds' and the MCP tool's one read).

    Raises
    ------
    InvalidParameterError
        For a `since` that is no date or a model filter that names nothing.
    """
    rated = frozenset(r.claim for r in keeper_for(graph.store).list(rating=rating)) if rating else frozenset()
    filters = {k: v for k, v in (model_filters or {}).items() if v is not None}
    return graph.read(  # type: ignore[no-any-return]
        change_entries,
        graph.journal_entries(),
        since=since,
        kind=kind,
        model_filters=filters or None,
        rating=rating,
        rated=rated,
        limit=limit,
    )


def _link(base: str, entry: dict[str, Any]) -> str:
    if entry["subject"] and entry["kind"]:
        return f"{base}/id/{entry['kind']}/{entry['slug']}"
    return f"{base}/"


def _text(entry: dict[str, Any]) -> str:
    source = entry["source"]
    where = source["name"] + (f" ({source['iri']})" if source.get("iri") else "")
    more = entry["factCount"] - len(entry["facts"])
    lines = [*entry["facts"], *([f"… and {more} more"] if more > 0 else []), f"Source: {where}"]
    return "\n".join(lines)


def _atom_or_rss(fmt: str, base: str, self_url: str, entries: list[dict[str, Any]], updated: datetime | None) -> bytes:
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title("AI Landscape KG: changes")
    fg.subtitle("New models, changed facts, new claims and rating changes, license findings: from imports and updates.")
    fg.link(href=self_url, rel="self")
    fg.link(href=f"{base}/", rel="alternate")
    fg.language("en")
    fg.generator("AI Landscape KG (feedgen)")
    if updated is not None:
        fg.updated(updated)
    for entry in reversed(entries):  # feedgen prepends: the newest ends up first
        fe = fg.add_entry()
        fe.id(entry["id"])
        fe.title(entry["title"])
        fe.link(href=_link(base, entry))
        when = to_instant(entry["time"])
        fe.updated(when)
        fe.published(when)
        fe.category(term=entry["change"])
        fe.description(_text(entry)) if fmt == "rss" else fe.content(_text(entry), type="text")
        if fmt == "rss" and entry["source"].get("iri"):
            fe.source(url=entry["source"]["iri"], title=entry["source"]["name"])
        fe.author(name=entry["source"]["name"])
    return fg.rss_str(pretty=True) if fmt == "rss" else fg.atom_str(pretty=True)  # type: ignore[no-any-return]


def _json_feed(base: str, self_url: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "AI Landscape KG: changes",
        "home_page_url": f"{base}/",
        "feed_url": self_url,
        "language": "en",
        "items": [
            {
                "id": e["id"],
                "url": _link(base, e),
                "title": e["title"],
                "content_text": _text(e),
                "date_published": e["time"],
                "date_modified": e["time"],
                "tags": [e["change"], *([e["kind"]] if e["kind"] else [])],
                "authors": [
                    {"name": e["source"]["name"], **({"url": e["source"]["iri"]} if e["source"].get("iri") else {})}
                ],
                "_aikg": {k: e[k] for k in ("change", "subject", "kind", "rating", "source") if e.get(k) is not None},
            }
            for e in entries
        ],
    }


def _data_changed(graph: KnowledgeGraph) -> datetime | None:
    """When the data last changed: its newest change entry, or the newest generation time of a source graph.

    An empty feed is dated by it (``<updated>``, ``Last-Modified``), the same on every request until
    the data changes; the reviews graph is left out, since it is recomputed from the data, not a change
    of it. None when neither is known.
    """
    times = [to_instant(e["time"]) for e in read_changes(graph, limit=1)]
    provenance = graph.read(graph_provenance)
    for source in provenance:
        if source["generated"] and source["graph"] != REVIEWS_GRAPH:
            with contextlib.suppress(InvalidParameterError):  # a stamp that is no date-time dates nothing
                times.append(to_instant(str(source["generated"])))
    return max(times, default=None)


def _not_modified(request: Request, etag: str, last: datetime | None) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return any(t.strip().removeprefix("W/") in (etag, "*") for t in if_none_match.split(","))
    since = request.headers.get("if-modified-since")
    if since and last is not None:
        try:
            return last.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def changes_feed(
    request: Request,
    graph: GraphDep,
    settings: SettingsDep,
    fmt: Literal["atom", "rss", "json"],
    kind: Annotated[Literal[ENTITY_KINDS] | None, Query(description="Entity kind: model, claim…")] = None,  # type: ignore[valid-type]
    rating: Annotated[Rating | None, Query(description="supported, misleading, contradicted or unverifiable")] = None,
    since: Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD or ISO 8601 date-time")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Most entries (1 to 500)")] = 50,
    **filters: Any,
) -> Response:
    base = settings.public_base_url()
    self_url = base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
    journal = graph.journal_entries()
    stamp = f"{graph.version}:{len(journal)}:{journal[-1]['time'] if journal else ''}"
    etag = etag_for(stamp, request.scope, base)
    if request.headers.get("if-none-match") is not None and _not_modified(request, etag, None):
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": "public, no-cache", "Vary": "Accept"})
    model_filters = repeated_filters(request, "models", filter_values("models", filters))
    entries = read_changes(graph, since=since, kind=kind, model_filters=model_filters, rating=rating, limit=limit)
    last = max((to_instant(e["time"]) for e in entries), default=None) or _data_changed(graph)
    headers = {"ETag": etag, "Cache-Control": "public, no-cache", "Vary": "Accept"}
    if last is not None:
        headers["Last-Modified"] = format_datetime(last.replace(microsecond=0), usegmt=True)
    if _not_modified(request, etag, last):
        return Response(status_code=304, headers=headers)
    if fmt == "json":
        return JSONResponse(_json_feed(base, self_url, entries), media_type=FEED_TYPES["json"], headers=headers)
    body = _atom_or_rss(fmt, base, self_url, entries, last)
    return Response(body, media_type=FEED_TYPES[fmt] + "; charset=utf-8", headers=headers)


# The model filters are /api/models's own (api/filter_params.py): one list, the same names and meanings.
_fixed = [
    p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
    for p in inspect.signature(changes_feed).parameters.values()
    if p.kind is not inspect.Parameter.VAR_KEYWORD
]
changes_feed.__signature__ = inspect.Signature([*_fixed, *filter_parameters("models")])  # type: ignore[attr-defined]

router.add_api_route(
    "/changes.{fmt}",
    changes_feed,
    methods=["GET"],
    summary="Change feed (Atom, RSS or JSON Feed 1.1)",
    description=(
        "What imports and SPARQL updates changed, newest first: new models and claims, changed or removed facts, "
        "review ratings that changed, license findings of new or changed models. Each entry links to the entity's page "
        "and names its source. Filters combine with AND: every filter of `/api/models` (`country`, `organization`, "
        "`architecture`, `modality`, `license`, `open_weights`, `family`, `year`, `min_parameters`…: entries about "
        "matching models; an entity filter repeated means any of its values, `country=CN&country=US`), `kind` (entity "
        "kind), `rating` (claims rated so now, or whose rating changed to it), `since`. Examples: "
        "`/feeds/changes.atom?country=CN&architecture=moe&kind=model`, `/feeds/changes.json?rating=misleading`. "
        "Revalidate with `If-None-Match` or `If-Modified-Since` for a 304."
    ),
    response_class=Response,
    responses={200: {"content": {t: {} for t in FEED_TYPES.values()}}, 304: {"description": "Not modified"}},
    dependencies=[Depends(checked_query(repeatable("models")))],
)
