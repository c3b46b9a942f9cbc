"""The one table that maps core errors to HTTP, and RFC 9457 problem responses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg.errors import (
    AuthenticationRequiredError,
    ConflictError,
    ForbiddenError,
    ImportShrinkError,
    InvalidParameterError,
    KGError,
    LoadError,
    NotAcceptableError,
    NotFoundError,
    QueryEvaluationError,
    QueryMemoryError,
    QuerySyntaxError,
    QueryTimeoutError,
    QueryWorkerError,
    RemoteEngineError,
    ResultTooLargeError,
    ValidationError,
)

__all__ = ["STATUS_BY_ERROR", "error_response", "install_error_handlers", "problem"]

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
    QueryEvaluationError: 400,
    QueryTimeoutError: 503,
    QueryMemoryError: 503,
    QueryWorkerError: 503,
    RemoteEngineError: 502,
    ConflictError: 409,
}
"""Core error class -> HTTP status. A user's mistake is 4xx; a stopped query is 503 (a limit of this
server, not a fault in the request's syntax), as is a query whose worker ended without answering (a fresh
one replaces it); a failing remote engine is 502 (bad gateway). The first matching class wins, so subclasses
come before their bases."""

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: object) -> JSONResponse:
    """Return an RFC 9457 problem-details response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = {"Retry-After": "5"} if status == 503 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


async def _kg_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KGError)
    return error_response(exc)


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
    if isinstance(exc, ImportShrinkError):
        extra["counts"] = {"current": exc.before, "kept": exc.kept, "removed": exc.before - exc.kept, "new": exc.after}
        extra["files"] = {"current": exc.before_files, "new": exc.after_files}
    response = problem(status, type(exc).__name__, exc.detail, **extra)
    if isinstance(exc, AuthenticationRequiredError):
        # RFC 9110 §11.6.1: a 401 names the scheme to use; RFC 6750 §3 for Bearer.
        response.headers["WWW-Authenticate"] = f'{exc.scheme} realm="aikg"'
    return response


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    names = [".".join(str(p) for p in e.get("loc", ())[1:]) or "body" for e in errors]
    detail = "; ".join(f"{name}: {e.get('msg')}" for name, e in zip(names, errors, strict=False))
    return problem(422, "Invalid parameter", detail, parameter=names[0] if names else None)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    response = problem(exc.status_code, "HTTP error", str(exc.detail))
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


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
