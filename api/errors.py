"""The one table that maps core errors to HTTP, and RFC 9457 problem responses."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.negotiation import best_media_type
from api.rendering import render
from kg.errors import (
    AuthenticationRequiredError,
    ConflictError,
    ForbiddenError,
    ImportShrinkError,
    IndexNotReadyError,
    InvalidParameterError,
    KGError,
    LoadError,
    NotAcceptableError,
    NotFoundError,
    QueryEvaluationError,
    QueryMemoryError,
    QuerySyntaxError,
    QueryTimeoutError,
    QueryTooLargeError,
    QueryWorkerError,
    RemoteEngineError,
    ResultTooLargeError,
    ValidationError,
)

__all__ = ["STATUS_BY_ERROR", "error_response", "install_error_handlers", "problem", "status_phrase", "wants_html"]

log = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[KGError], int] = {
    QuerySyntaxError: 400,
    LoadError: 400,
    ValidationError: 422,
    InvalidParameterError: 422,
    AuthenticationRequiredError: 401,  # before its base class: the first match wins
    ForbiddenError: 403,
    NotFoundError: 404,
    NotAcceptableError: 406,
    ResultTooLargeError: 413,
    QueryTooLargeError: 413,
    QueryEvaluationError: 400,
    QueryTimeoutError: 503,
    QueryMemoryError: 503,
    QueryWorkerError: 503,
    IndexNotReadyError: 503,
    RemoteEngineError: 502,
    ConflictError: 409,
}
"""Core error class -> HTTP status. A user's mistake is 4xx; a stopped query is 503 (a limit of this
server, not a fault in the request's syntax), as is a query whose worker ended without answering (a fresh
one replaces it) and a read that needs the name index while it is being built; a failing remote engine is 502 (bad gateway). The first matching class wins, so subclasses
come before their bases."""

PROBLEM = "application/problem+json"

_ERROR_PAGE_OFFERS = [PROBLEM, "application/json", "text/html"]
"""What an error may be written as: problem+json first, so ``*/*`` alone (curl, scripts) and ties get it."""


def status_phrase(status: int) -> str:
    """Return the reason phrase of an HTTP status (RFC 9110 §15): ``404`` -> ``"Not Found"``.

    Parameters
    ----------
    status : int
        An HTTP status code.

    Returns
    -------
    str
        The standard phrase, or ``"HTTP error"`` for a code Python's :class:`http.HTTPStatus` does not know.
    """
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "HTTP error"


def wants_html(request: Request) -> bool:
    """Tell whether the client prefers an HTML page to problem+json (a browser's navigation).

    Parameters
    ----------
    request : starlette.requests.Request
        The request; only its ``Accept`` header is read.

    Returns
    -------
    bool
        True when ``text/html`` outranks both JSON types by q-value and specificity: a browser's
        ``text/html,...,*/*;q=0.8`` does; ``*/*`` alone, ``application/json`` or
        ``application/json, text/html;q=0.9`` does not.
    """
    return best_media_type(_ERROR_PAGE_OFFERS, request.headers.get("accept")) == "text/html"


def _for_client(request: Request, response: JSONResponse) -> Response:
    """The problem response as it is, or, for a browser and a 4xx, the same error as a page in the site look."""
    if not 400 <= response.status_code < 500 or not wants_html(request):
        return response
    body = json.loads(bytes(response.body))
    page = HTMLResponse(
        render(
            "error.html",
            status=response.status_code,
            phrase=status_phrase(response.status_code),
            detail=body.get("detail") or "",
            parameter=body.get("parameter"),
            suggestions=[str(s) for s in body.get("suggestions") or []][:10],
        ),
        status_code=response.status_code,
    )
    for key, value in response.headers.items():
        if key.lower() not in ("content-type", "content-length"):
            page.headers[key] = value
    page.headers["Vary"] = "Accept"
    return page


def problem(status: int, title: str, detail: str, **extra: object) -> JSONResponse:
    """Return an RFC 9457 problem-details response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = {"Retry-After": "5"} if status == 503 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


async def _kg_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KGError)
    return _for_client(request, error_response(exc))


def error_response(exc: KGError) -> JSONResponse:
    """Return the problem response for a core error, with its status from :data:`STATUS_BY_ERROR`."""
    status = next((code for cls, code in STATUS_BY_ERROR.items() if isinstance(exc, cls)), 500)
    extra: dict[str, object] = {}
    if isinstance(exc, NotFoundError) and exc.suggestions:
        extra["suggestions"] = exc.suggestions
    if isinstance(exc, InvalidParameterError):
        extra["parameter"] = exc.parameter
    if getattr(exc, "issues", None):
        extra["issues"] = list(exc.issues)[:500]  # type: ignore[attr-defined]
    if isinstance(exc, QuerySyntaxError) and exc.line is not None:
        extra["line"], extra["column"] = exc.line, exc.column
    if isinstance(exc, QueryTooLargeError):
        extra.update(limit=exc.limit, size=exc.size, setting=exc.setting)
    if isinstance(exc, ImportShrinkError):
        extra["counts"] = {"current": exc.before, "kept": exc.kept, "removed": exc.before - exc.kept, "new": exc.after}
        extra["files"] = {"current": exc.before_files, "new": exc.after_files}
    response = problem(status, type(exc).__name__, exc.detail, **extra)
    if isinstance(exc, IndexNotReadyError):
        response.headers["Retry-After"] = str(exc.retry_after_s)
    if isinstance(exc, AuthenticationRequiredError):
        # RFC 9110 §11.6.1: a 401 names the scheme to use; RFC 6750 §3 for Bearer.
        response.headers["WWW-Authenticate"] = f'{exc.scheme} realm="aikg"'
    return response


def _body_shape(request: Request) -> str | None:
    """The JSON object a route's body model expects, written out: ``{"query": ..., "title": ...}``."""
    field = getattr(request.scope.get("route"), "body_field", None)
    model = getattr(getattr(field, "field_info", None), "annotation", None)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    fields = model.model_fields
    keys = ", ".join(f'"{name}": ...' for name in fields)
    required = [f'"{name}"' for name, info in fields.items() if info.is_required()]
    closed = model.model_config.get("extra") == "forbid"
    notes = [f"{', '.join(required)} required"] if required else []
    notes += ["no other keys"] if closed else []
    return "a JSON object {" + keys + "}" + (f" ({'; '.join(notes)})" if notes else "")


def _body_problem(error: dict[str, object]) -> str:
    """One body error as a person says it."""
    loc = [str(p) for p in error.get("loc", ())[1:]]  # type: ignore[union-attr]
    kind = error.get("type")
    if kind == "json_invalid":
        return "the body is not valid JSON"
    if not loc or loc[0].isdigit():
        return "the body is empty" if kind == "missing" else "the body is not a JSON object"
    name = ".".join(loc)
    if kind == "extra_forbidden":
        return f"unknown key {name[:100]!r}"
    if kind == "missing":
        return f"{name!r} is missing"
    return f"{name}: {error.get('msg')}"


def _param_problem(name: str, error: dict[str, object]) -> str:
    """One parameter error as a person acts on it: the name, the value sent, and what it accepts."""
    sent = error.get("input")
    if error.get("type") == "missing" or not isinstance(sent, str):
        return f"{name}: {error.get('msg')}"
    return f"{name}={sent[:60]!r}: {error.get('msg')}"


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    shape = _body_shape(request)
    if shape and errors and all(e.get("loc", ("",))[0] == "body" for e in errors):
        detail = "; ".join(dict.fromkeys(_body_problem(e) for e in errors))
        detail += f". {request.method} {request.url.path} expects {shape}, sent with Content-Type: application/json"
        keys = [str(e["loc"][1]) for e in errors if len(e.get("loc", ())) > 1 and not str(e["loc"][1]).isdigit()]
        return _for_client(request, problem(422, "Invalid body", detail, parameter=keys[0] if keys else "body"))
    names = [".".join(str(p) for p in e.get("loc", ())[1:]) or "body" for e in errors]
    detail = "; ".join(_param_problem(name, e) for name, e in zip(names, errors, strict=False))
    # Titled as the service's own check of a parameter is (kg.errors.InvalidParameterError): one
    # stable name per kind of error, whichever layer found it (README, "REST example").
    title = InvalidParameterError.__name__
    return _for_client(request, problem(422, title, detail, parameter=names[0] if names else None))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    response = problem(exc.status_code, status_phrase(exc.status_code), str(exc.detail))
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return _for_client(request, response)


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    # Starlette's last resort (ServerErrorMiddleware, outside every other middleware): a bug still
    # answers problem+json, never a bare text 500; the server logs the traceback after this.
    return problem(
        500, "Internal Server Error", f"the server failed on this request ({type(exc).__name__}); it is logged"
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers: core errors, request validation, HTTP errors, and any other error."""
    app.add_exception_handler(KGError, _kg_error)
    app.add_exception_handler(Exception, _internal_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
