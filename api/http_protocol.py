"""The HTTP/1.1 connection protocol ``kg serve`` runs: uvicorn's, with its parse errors as problem+json.

A request the HTTP parser cannot read never reaches the app: uvicorn answers it itself with a
plain-text ``400 Invalid HTTP request received.``. The commonest case is a URL typed with raw
non-ASCII characters (``curl '…/api/search?q=智谱'``): RFC 9112 §3.2 allows only ASCII in the
request target, and both parsers uvicorn offers refuse it (httptools: "Invalid char in url
query"; h11: "illegal request line"). Neither can be told to accept it, and rewriting the bytes
before the parser would mean re-framing HTTP ourselves, so the request stays refused; what
changes is the answer: an RFC 9457 problem document, like every other error of this server,
that says how to send the URL instead.
"""

from __future__ import annotations

import asyncio
import json

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["BAD_REQUEST_DETAIL", "ProblemHttpProtocol", "problem_400_bytes"]

BAD_REQUEST_DETAIL = (
    "the request is not valid HTTP/1.1, most often a URL with raw spaces or non-ASCII characters: "
    "percent-encode them (UTF-8), e.g. curl -G --data-urlencode 'q=智谱' http://HOST/api/search; "
    "or a URL or header block too long for the HTTP parser (tens of kilobytes): send long text in a "
    "POST body (a SPARQL query as application/sparql-query)"
)
"""What a client is told when the HTTP parser refuses its request (the parser does not say why)."""


def problem_400_bytes(default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """Return a complete ``400`` HTTP/1.1 response carrying a problem document, closing the connection.

    Parameters
    ----------
    default_headers : list of (bytes, bytes)
        The server's own headers (``server``, ``date``) as uvicorn keeps them.

    Returns
    -------
    bytes
        Status line, headers and body (RFC 9457 ``application/problem+json``).
    """
    body = json.dumps(
        {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": BAD_REQUEST_DETAIL},
        ensure_ascii=False,
    ).encode("utf-8")
    lines = [b"HTTP/1.1 400 Bad Request\r\n"]
    lines += [name + b": " + value + b"\r\n" for name, value in default_headers]
    lines += [
        b"content-type: application/problem+json\r\n",
        b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
        b"connection: close\r\n",
        b"\r\n",
        body,
    ]
    return b"".join(lines)


def _base() -> type[asyncio.Protocol]:
    # The parser uvicorn's "auto" picks: httptools when installed, else h11.
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # pragma: no cover - httptools is a dependency of uvicorn[standard]
        return H11Protocol
    return HttpToolsProtocol


class ProblemHttpProtocol(_base()):  # type: ignore[misc, valid-type]
    """uvicorn's HTTP/1.1 protocol whose unparseable-request answer is a problem document.

    Pass it to ``uvicorn.run(app, http=ProblemHttpProtocol)``.
    """

    def send_400_response(self, msg: str) -> None:
        """Answer a request the parser refused with a 400 problem document and close.

        Parameters
        ----------
        msg : str
            uvicorn's own text (``Invalid HTTP request received.``), logged by uvicorn already.
        """
        self.transport.write(problem_400_bytes(list(self.server_state.default_headers)))
        self.transport.close()
