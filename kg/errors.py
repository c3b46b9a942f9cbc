"""Exceptions raised by the graph core.

Hierarchy::

    KGError
    ├── LoadError               a source file is missing or does not parse (names file and line)
    │   └── MalformedRowsError  an import met malformed rows and was asked to be strict
    ├── ValidationError         data breaks the SHACL shapes
    ├── NotFoundError           no entity has that IRI, slug or name (also a LookupError)
    ├── InvalidParameterError   a filter or argument value is not acceptable (also a ValueError)
    ├── ForbiddenError          the caller may not do this (update without token, SERVICE, LOAD)
    │   └── AuthenticationRequiredError  no credentials were sent where they are needed
    ├── RemoteEngineError       the remote SPARQL engine cannot be reached or failed
    ├── IndexNotReadyError      the name index is still being built (retry later)
    ├── ConflictError           the request would remove data the caller did not ask to remove
    │   ├── GraphExistsError    a load targets graphs that already hold triples
    │   └── ImportShrinkError   an import would drop most of what the source's last import holds
    └── QueryError
        ├── QuerySyntaxError    the SPARQL text does not parse (also a ValueError)
        │   └── QueryFormError  it parses, but this operation takes another query form
        ├── QueryEvaluationError the request parsed but could not be applied (e.g. CREATE of an existing graph)
        ├── QueryTimeoutError   the query ran past its time limit and was stopped
        ├── QueryMemoryError    the query needed more working memory than its cap and was stopped
        ├── QueryTooLargeError  the query or update text is longer than the configured cap
        ├── ResultTooLargeError the result has more rows or bytes than the configured cap
        └── NotAcceptableError  no acceptable serialization exists for the result

The core never raises HTTP errors; ``api/errors.py`` maps these classes to status codes in one
table. Every class keeps its constructor arguments in ``args`` so instances survive pickling
between the query workers and the server process.
"""

from __future__ import annotations

__all__ = [
    "AuthenticationRequiredError",
    "ConflictError",
    "ForbiddenError",
    "GraphExistsError",
    "ImportShrinkError",
    "IndexNotReadyError",
    "InvalidParameterError",
    "KGError",
    "LoadError",
    "MalformedRowsError",
    "NotAcceptableError",
    "NotFoundError",
    "QueryError",
    "QueryEvaluationError",
    "QueryFormError",
    "QueryMemoryError",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "QueryTooComplexError",
    "QueryTooLargeError",
    "QueryWorkerError",
    "RemoteEngineError",
    "ResultTooLargeError",
    "ValidationError",
]


class KGError(Exception):
    """Base class for every error raised by :mod:`kg`."""

    @property
    def detail(self) -> str:
        """Return the message a person can act on."""
        return str(self.args[0]) if self.args else type(self).__name__


class LoadError(KGError):
    """A source file could not be read or parsed; nothing of it was stored.

    Parameters
    ----------
    path : str
        The file that failed.
    reason : str
        The parser's message, with line and column when the parser gives them.
    line : int, optional
        1-based line of the first error, when known.
    """

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        super().__init__(path, reason, line)
        self.path = path
        self.reason = reason
        self.line = line

    def __str__(self) -> str:
        """Return the message a person reads."""
        where = f"{self.path}, line {self.line}" if self.line else self.path
        return f"{where}: {self.reason}"

    @property
    def detail(self) -> str:
        """Return the file, line and parser message."""
        return str(self)

    @classmethod
    def from_syntax(cls, path: str, exc: SyntaxError, line: int | None = None) -> LoadError:
        """Return the load error of a parser's :class:`SyntaxError`, naming the file and line once.

        Parameters
        ----------
        path : str
            The file that failed.
        exc : SyntaxError
            The parser's error; ``str(exc)`` ends in ``(file, line N)``, which this message already says.
        line : int, optional
            The line in `path` when it differs from ``exc.lineno`` (a slice of the file was parsed).

        Returns
        -------
        LoadError
        """
        reason = exc.msg if exc.msg else str(exc)
        if line is not None and exc.lineno:
            reason = reason.replace(f"line {exc.lineno} ", f"line {line} ", 1)
        return cls(path, reason, line if line is not None else exc.lineno)


class MalformedRowsError(LoadError):
    """An import read malformed rows and ran with ``strict``: nothing of it was stored.

    Parameters
    ----------
    path : str
        The file of the first malformed row.
    issues : list of str
        Every malformed row, as ``"file, line N, column C: reason"``.
    line : int, optional
        Line of the first malformed row.
    """

    def __init__(self, path: str, issues: list[str], line: int | None = None) -> None:
        KGError.__init__(self, path, issues, line)
        self.path = path
        self.issues = list(issues)
        self.line = line
        self.reason = f"{len(self.issues)} malformed row(s); strict import stored nothing. First: {self.issues[0]}"

    def __str__(self) -> str:
        """Return the message a person reads."""
        return self.reason


class ValidationError(KGError):
    """Data does not conform to the SHACL shapes (the report text is the message)."""


class NotFoundError(KGError, LookupError):
    """No entity has the requested IRI, slug or name.

    Parameters
    ----------
    message : str
        What was looked for.
    suggestions : list of str, optional
        Close names or slugs that do exist.
    """

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message, suggestions or [])
        self.suggestions = suggestions or []

    def __str__(self) -> str:
        """Return the message a person reads."""
        return str(self.args[0])


class InvalidParameterError(KGError, ValueError):
    """A parameter value is not acceptable.

    Parameters
    ----------
    parameter : str
        Name of the parameter, as the caller spelled it.
    message : str
        Why the value is refused.
    """

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(parameter, message)
        self.parameter = parameter
        self.message = message

    def __str__(self) -> str:
        """Return the message a person reads."""
        return f"{self.parameter}: {self.message}"

    @property
    def detail(self) -> str:
        """Return the parameter name and the reason."""
        return str(self)


class ForbiddenError(KGError):
    """The operation is not allowed (SPARQL Update without a token, SERVICE, remote LOAD)."""


class AuthenticationRequiredError(ForbiddenError):
    """The operation needs credentials and none were sent (HTTP 401 with ``WWW-Authenticate``).

    Parameters
    ----------
    message : str
        What to send and how.
    scheme : str, optional
        The authentication scheme expected, default ``"Bearer"`` (RFC 6750).
    """

    def __init__(self, message: str, scheme: str = "Bearer") -> None:
        super().__init__(message, scheme)
        self.scheme = scheme

    def __str__(self) -> str:
        """Return the message a person reads."""
        return str(self.args[0])


class RemoteEngineError(KGError):
    """The remote SPARQL engine (``--store http://…``) cannot be reached or answered with an error."""


class IndexNotReadyError(KGError):
    """The name index (search, name resolution, entity pages) is being built; SPARQL answers meanwhile.

    Parameters
    ----------
    message : str
        What is happening and what to do (``the name index is being built: started 42 s ago``).
    retry_after_s : int, optional
        Seconds after which a retry may succeed (HTTP ``Retry-After``); default 5.
    """

    def __init__(self, message: str, retry_after_s: int = 5) -> None:
        super().__init__(message, retry_after_s)
        self.retry_after_s = retry_after_s


class QueryError(KGError):
    """Base class for problems with a SPARQL query."""


class QuerySyntaxError(QueryError, ValueError):
    """The SPARQL text does not parse; the message is the parser's, with line and column.

    Parameters
    ----------
    message : str
        The parser's message.
    line, column : int, optional
        1-based position of the error in the text as sent, when the parser gives it.
    """

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message, line, column)
        self.line = line
        self.column = column

    def __str__(self) -> str:
        """Return the message a person reads."""
        return str(self.args[0])


class QueryEvaluationError(QueryError):
    """The request parsed but the engine could not apply it (nothing was changed)."""


class QueryFormError(QuerySyntaxError):
    """The query is of a form this operation does not take.

    E.g. a SELECT where a graph picture needs a CONSTRUCT: a bad request like a syntax error, so it
    shares that status.
    """


class QueryTooComplexError(QuerySyntaxError):
    """The text nests or chains deeper than the engine's parser can take.

    Refused before parsing: the parser recurses per level and a few thousand levels overflow its
    stack.
    """


class QueryWorkerError(QueryError):
    """The query worker ended without answering (killed, or crashed); a fresh one replaces it."""


class QueryTimeoutError(QueryError):
    """The query ran past its time limit; its worker was stopped and its CPU freed."""


class QueryMemoryError(QueryError):
    """The query needed more working memory than its cap; its worker was stopped."""


class QueryTooLargeError(QueryError):
    """The query or update text is longer than the configured cap; refused before it is parsed.

    Parameters
    ----------
    what : str
        ``"query"`` or ``"update"``.
    size : int
        Length of the text sent, in characters.
    limit : int
        The cap, in characters.
    setting : str
        The environment variable that sets the cap (``KG_MAX_QUERY_CHARS``).
    """

    def __init__(self, what: str, size: int, limit: int, setting: str) -> None:
        super().__init__(what, size, limit, setting)
        self.what, self.size, self.limit, self.setting = what, size, limit, setting

    @property
    def detail(self) -> str:
        """Return the message a person reads: the size, the limit and the setting."""
        return str(self)

    def __str__(self) -> str:
        """Return the message a person reads: the size, the limit and the setting."""
        return (
            f"the {self.what} text is {self.size:,} characters long; this server takes at most {self.limit:,} "
            f"(setting {self.setting}): shorten it, e.g. split a long VALUES block into several requests"
        )


class ResultTooLargeError(QueryError):
    """The result has more rows or bytes than the configured cap."""


class NotAcceptableError(QueryError):
    """No serialization acceptable to the client exists for this kind of result."""


class ConflictError(KGError):
    """The request would remove data that the caller did not ask to remove; nothing was written."""

    @property
    def detail(self) -> str:
        """Return what would be lost and how to ask for it."""
        return str(self)


class GraphExistsError(ConflictError):
    """A load targets named graphs that already hold triples, and neither replace nor append was asked.

    Parameters
    ----------
    graphs : dict of str to int
        Graph IRI -> number of triples it holds now.
    curated : list of str, optional
        Those of `graphs` that hold the shipped curated data.
    """

    def __init__(self, graphs: dict[str, int], curated: list[str] | None = None) -> None:
        super().__init__(dict(graphs), list(curated or []))
        self.graphs = dict(graphs)
        self.curated = list(curated or [])

    def __str__(self) -> str:
        """Return the message a person reads."""
        held = "; ".join(
            f"graph {name} already holds {n:,} triples" + (" of curated data" if name in self.curated else "")
            for name, n in self.graphs.items()
        )
        return f"{held}: nothing was loaded (--replace replaces the graph, --append adds to it)"


class ImportShrinkError(ConflictError):
    """An import would remove most entities of the source's latest import; nothing was written.

    Parameters
    ----------
    source : str
        Importer key.
    before_files, after_files : list of str
        File names of the latest import and of this one.
    before, kept : int
        Entities in the latest import, and how many of them this import still holds.
    after : int
        Entities in this import.
    """

    def __init__(
        self, source: str, before_files: list[str], after_files: list[str], before: int, kept: int, after: int
    ) -> None:
        super().__init__(source, list(before_files), list(after_files), before, kept, after)
        self.source = source
        self.before_files = list(before_files)
        self.after_files = list(after_files)
        self.before = before
        self.kept = kept
        self.after = after

    def __str__(self) -> str:
        """Return the message a person reads."""
        return (
            f"{self.source}: this import ({', '.join(self.after_files) or 'no files'}: {self.after:,} entities) would "
            f"remove {self.before - self.kept:,} of the {self.before:,} entities of the current import "
            f"({', '.join(self.before_files) or 'no files'}); nothing was written. Import all files together "
            f"(kg import {self.source} FILE1 FILE2 ...) to keep them, or pass --replace (replace=true over HTTP) "
            "to replace the current import"
        )
