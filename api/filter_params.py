"""One home for the filters of a collection as parameters: ``/api/models``, the change feeds and MCP's ``list_models``.

The filters themselves (names, kinds, SPARQL fragments) are :data:`kg.views.collection_filters.FILTERS`;
this module turns them into the parameters of a FastAPI route (``Query``) or an MCP tool (pydantic
``Field``), so every surface takes the same names, and reads a repeated entity filter as OR.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Query, Request
from pydantic import Field

from kg.errors import InvalidParameterError
from kg.terms import MAX_COUNT
from kg.views.collection_filters import FILTERS, Filter
from kg.views.listing import is_set_filter

__all__ = ["filter_parameters", "filter_values", "repeatable", "repeated_filters"]

_MAX_VALUE_CHARS = 500


def repeatable(collection: str) -> frozenset[str]:
    """Return the filters of `collection` that may be given more than once, meaning any of the values (OR).

    Parameters
    ----------
    collection : str
        A key of :data:`~kg.views.collection_filters.FILTERS` (``models``, ``claims``…).

    Returns
    -------
    frozenset of str
        The entity filters (country, organization, architecture…); numbers, dates and flags take one value.
    """
    return frozenset(name for name, spec in FILTERS[collection].items() if is_set_filter(spec))


def _annotation(name: str, spec: Filter, field: Callable[..., Any], lists: bool, example: str | None) -> Any:
    extra: dict[str, Any] = {}
    if example is not None and field is Query:
        extra["openapi_examples"] = {"example": {"summary": f"{name}={example}", "value": example}}
    if spec.value == "bool":
        return Annotated[bool | None, field(description=spec.description)]
    if spec.value == "int":
        return Annotated[int | None, field(ge=0, le=MAX_COUNT, description=spec.description, **extra)]
    if spec.value == "count":
        # Text, read by kg.terms.parse_count: 7000000000, 7B, 1.5T, 1e9 (a refusal names what is accepted).
        words = " A count: 7000000000, 7B, 1.5T, 560M or 1e9."
        kind = (int | str | None) if field is not Query else (str | None)
        return Annotated[kind, field(description=spec.description + words, **extra)]  # type: ignore[valid-type]
    if spec.value == "date":
        return Annotated[str | None, field(max_length=10, description=spec.description, **extra)]
    if is_set_filter(spec) and lists:
        text = Annotated[str, Field(max_length=_MAX_VALUE_CHARS)]
        description = spec.description + " A list means any of its values (OR)."
        return Annotated[text | list[text] | None, field(description=description)]  # type: ignore[valid-type]
    description = spec.description + (" Repeat it for any of several values (OR)." if is_set_filter(spec) else "")
    return Annotated[str | None, field(max_length=_MAX_VALUE_CHARS, description=description, **extra)]


def filter_parameters(
    collection: str,
    field: Callable[..., Any] = Query,
    *,
    lists: bool = False,
    examples: dict[str, str] | None = None,
) -> list[inspect.Parameter]:
    """Return one keyword parameter (default None) per filter of `collection`, in the order of the filter list.

    Parameters
    ----------
    collection : str
        A key of :data:`~kg.views.collection_filters.FILTERS`.
    field : callable, optional
        ``fastapi.Query`` (a route's query parameters; the default) or ``pydantic.Field`` (a tool's arguments).
    lists : bool, optional
        Entity filters also take a list of values (OR): for JSON arguments. A route reads a repeated
        query parameter with :func:`repeated_filters` instead.
    examples : dict of str to str, optional
        An OpenAPI example value per filter name (routes only).

    Returns
    -------
    list of inspect.Parameter
        Keyword-only parameters for a function's ``__signature__``.
    """
    examples = examples or {}
    return [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=_annotation(name, spec, field, lists, examples.get(name)),
        )
        for name, spec in FILTERS[collection].items()
    ]


def filter_values(collection: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Return the filter arguments among `arguments` (the others, paging and sorting, are left out).

    Parameters
    ----------
    collection : str
        A key of :data:`~kg.views.collection_filters.FILTERS`.
    arguments : dict of str to object
        A handler's keyword arguments.

    Returns
    -------
    dict of str to object
        Filter name -> value, for the filters given (not None).
    """
    return {name: arguments[name] for name in FILTERS[collection] if arguments.get(name) is not None}


def repeated_filters(request: Request, collection: str, filters: dict[str, Any]) -> dict[str, Any]:
    """Replace each entity filter given more than once in the query string by the list of its values (OR).

    FastAPI binds a repeated query parameter to one value; this reads them all, as ``/api/models`` does
    (``country=CN&country=US``: either country). Other filters repeated are refused by
    :func:`api.deps.checked_query` before this runs.

    Parameters
    ----------
    request : starlette.requests.Request
        The request whose query string is read.
    collection : str
        A key of :data:`~kg.views.collection_filters.FILTERS`.
    filters : dict of str to object
        The filters FastAPI bound; changed in place and returned.

    Returns
    -------
    dict of str to object
        `filters`, with a list for each repeated entity filter.

    Raises
    ------
    InvalidParameterError
        For a repeated value longer than 500 characters.
    """
    for name in repeatable(collection):
        values = request.query_params.getlist(name)
        if len(values) > 1:
            if any(len(v) > _MAX_VALUE_CHARS for v in values):
                raise InvalidParameterError(name, f"each value at most {_MAX_VALUE_CHARS} characters")
            filters[name] = values
    return filters
