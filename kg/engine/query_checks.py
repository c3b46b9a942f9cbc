"""Checks a SPARQL text passes before the engine sees it: size, shape, form, remote access.

The engine's parser and planner recurse once per bracket level, operator and triple pattern, so
some texts overflow their stack (SIGSEGV, measured with pyoxigraph 0.5.13) instead of failing
cleanly: :func:`check_query` and :func:`check_update` refuse those shapes, texts over the size cap,
updates sent as queries, and ``SERVICE``/``LOAD`` (the server would fetch URLs) unless allowed.
They tokenize the text the way the SPARQL grammar does (:data:`TOKEN`), so a keyword inside a
string, an IRI or a comment is never mistaken for one.
"""

from __future__ import annotations

import re

from kg.errors import ForbiddenError, QuerySyntaxError, QueryTooComplexError, QueryTooLargeError

__all__ = [
    "MAX_CHAIN",
    "MAX_NESTING",
    "MAX_PATTERNS",
    "QUERY_CHARS_SETTING",
    "TOKEN",
    "check_query",
    "check_size",
    "check_update",
    "is_data_only",
    "keywords",
]

_QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UPDATE_FORMS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<pname>[A-Za-z0-9_\-.\u00B7-\uFFFF]*:[A-Za-z0-9_\-.:%\\\u00B7-\uFFFF]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<datatype>\^\^)
  | (?P<number>[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
"""The SPARQL tokens the checks tell apart (SPARQL 1.1 Query §19.8 terminals, coarsely): comments,
strings, IRIs and names are single tokens, so their content is never read as syntax."""
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescape_codepoints(text: str) -> str:
    # SPARQL 1.1 Query §19.2: \u and \U escapes are decoded before the grammar sees the text.
    return _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def keywords(text: str) -> list[str]:
    """Return the bare words of a SPARQL text, upper-cased, in order (escapes decoded first)."""
    return [m.group("word").upper() for m in TOKEN.finditer(_unescape_codepoints(text)) if m.group("word")]


MAX_NESTING = 200
"""Deepest nesting of ``{``, ``(`` and ``[`` a query or update may have (outside strings, IRIs and
comments). Oxigraph's parser recurses once per level: 3,000 levels overflow its stack (SIGSEGV,
measured with pyoxigraph 0.5.13); real queries stay under 20."""

MAX_CHAIN = 2000
"""Most operators (``/ | + - * ! ^ &`` and ``UNION``) a query or update may chain within one pair
of brackets. The parser recurses per operator too: 20,000 ``UNION`` branches, ``+`` terms, ``!`` or
path steps overflow its stack (SIGSEGV; 6,000 parse, measured with pyoxigraph 0.5.13)."""

MAX_PATTERNS = 2000
"""Most triple patterns and groups (``.``/``;``/``,`` between patterns, ``{``) outside INSERT/DELETE DATA: the planner
recurses per pattern, 8,200 (or 6,550 ``OPTIONAL``) overflow its stack (SIGSEGV, pyoxigraph 0.5.13); real use < 100."""

_OPEN, _CLOSE, _OPERATORS, _SEPARATORS = "{([", "})]", frozenset("/|+-*!^&"), frozenset(".;,")


def _check_shape(tokens: list[re.Match[str]], what: str) -> None:
    # One pass: nesting depth, operators per bracket level, patterns in all (not in DATA blocks: never planned).
    depth, chains, brackets, patterns = 0, [0], [""], 0
    data_depth, previous = -1, ""  # depth of the DATA block being read, -1 outside one
    for token in tokens:
        char = token.group("other")
        if char is None:
            word = (token.group("word") or "").upper()
            was, previous = previous, word or previous
            if word == "DATA" and was in ("INSERT", "DELETE") and data_depth < 0:
                data_depth = depth
            if word != "UNION":
                continue
            char = "|"  # UNION chains like an operator
        if data_depth < 0 and (char == "{" or (char in _SEPARATORS and brackets[-1] != "(")):
            patterns += 1
            if patterns > MAX_PATTERNS:
                raise QueryTooComplexError(
                    f"the {what} holds more than {MAX_PATTERNS} triple patterns and groups (outside INSERT "
                    f"DATA and DELETE DATA): the limit is {MAX_PATTERNS}; split it into several requests, or "
                    "list many values in one VALUES block instead of one pattern per value"
                )
        if char in _OPEN:
            depth += 1
            brackets.append(char)
            if depth > MAX_NESTING:
                raise QueryTooComplexError(
                    f"the {what} nests brackets more than {MAX_NESTING} levels deep ({{, ( and [ outside "
                    f"strings, IRIs and comments): the limit is {MAX_NESTING}; flatten the nesting"
                )
            chains.append(0)
        elif char in _CLOSE:
            if depth:
                depth -= 1
                chains.pop()
                brackets.pop()
                if depth == data_depth:
                    data_depth = -1
        elif char in _OPERATORS:
            chains[-1] += 1
            if chains[-1] > MAX_CHAIN:
                raise QueryTooComplexError(
                    f"the {what} chains more than {MAX_CHAIN} operators (UNION, path steps, +, -, !, …) "
                    f"within one pair of brackets: the limit is {MAX_CHAIN}; split it into several requests"
                )


def _scan(text: str, what: str) -> list[str]:
    # Keywords of the text, after refusing a shape the engine's parser cannot take.
    tokens = list(TOKEN.finditer(_unescape_codepoints(text)))
    words = [m.group("word").upper() for m in tokens if m.group("word")]
    _check_shape(tokens, what)
    return words


QUERY_CHARS_SETTING = "KG_MAX_QUERY_CHARS"  # the variable of Settings.max_query_chars, named in refusals


def check_size(text: str, max_chars: int | None, what: str = "query") -> None:
    """Refuse a query or update text longer than the cap, before anything parses it.

    Parameters
    ----------
    text : str
        The SPARQL text.
    max_chars : int or None
        The cap, in characters (:attr:`kg.settings.Settings.max_query_chars`); None or 0: no cap.
    what : str, optional
        ``"query"`` or ``"update"``, for the message.

    Raises
    ------
    QueryTooLargeError
        If `text` has more than `max_chars` characters (HTTP 413).
    """
    if max_chars and len(text) > max_chars:
        raise QueryTooLargeError(what, len(text), max_chars, QUERY_CHARS_SETTING)


def check_query(text: str, *, allow_service: bool = False, max_chars: int | None = None) -> str:
    r"""Classify a query and refuse what the endpoint must not run.

    Parameters
    ----------
    text : str
        The SPARQL text as received.
    allow_service : bool, optional
        Accept ``SERVICE`` (federation makes the server fetch URLs); default False.
    max_chars : int or None, optional
        Longest text accepted, in characters (:func:`check_size`); default None: no cap.

    Returns
    -------
    str
        The query form: ``"SELECT"``, ``"ASK"``, ``"CONSTRUCT"`` or ``"DESCRIBE"``; ``""`` when
        no form keyword is found (the engine's parser then reports the error and its position).

    Raises
    ------
    QuerySyntaxError
        If the text is empty or is a SPARQL Update.
    QueryTooComplexError
        If it nests brackets deeper than :data:`MAX_NESTING` or chains more than
        :data:`MAX_CHAIN` operators at one level (the engine's parser would overflow its stack).
    ForbiddenError
        If it uses ``SERVICE`` and `allow_service` is False.
    QueryTooLargeError
        If it is longer than `max_chars`.

    Notes
    -----
    The scan tokenizes the text the way the SPARQL grammar does (comments, strings and IRIs are
    skipped, ``\\u`` escapes are decoded first, per SPARQL 1.1 Query §19.2), so a keyword inside a
    string or hidden behind an escape is judged correctly. The engine then parses the query
    itself and reports syntax errors with line and column.

    Examples
    --------
    >>> check_query("PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:service ?o }")
    'SELECT'
    """
    check_size(text, max_chars, "query")
    words = _scan(text, "query")
    if not words:
        raise QuerySyntaxError("empty query: send a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    if "SERVICE" in words and not allow_service:
        raise ForbiddenError("SERVICE (federated query) is disabled on this endpoint")
    for word in words:
        if word in _QUERY_FORMS:
            return word
        if word in _UPDATE_FORMS:
            raise QuerySyntaxError(
                f"this is a SPARQL Update ({word}), not a query: POST it as 'update' with the update token"
            )
    return ""  # no form keyword: the engine's parser reports where the text goes wrong


def check_update(text: str, *, allow_service: bool = False, max_chars: int | None = None) -> None:
    """Refuse update operations that fetch remote data, or that are too long or too complex.

    Parameters
    ----------
    text : str
        A SPARQL 1.1 Update request.
    allow_service : bool, optional
        Accept ``LOAD`` and ``SERVICE`` (both fetch URLs); default False.
    max_chars : int or None, optional
        Longest text accepted (:func:`check_size`), unless data-only (:func:`is_data_only`: the body
        cap bounds it, its cost is linear in its size); default None: no cap.

    Raises
    ------
    QuerySyntaxError
        If the text is empty, or is a query (its first form keyword is ``SELECT``, ``ASK``,
        ``CONSTRUCT`` or ``DESCRIBE``).
    QueryTooComplexError
        If it nests brackets deeper than :data:`MAX_NESTING` or chains more than
        :data:`MAX_CHAIN` operators at one level (the engine's parser would overflow its stack).
    ForbiddenError
        If it uses ``LOAD`` or ``SERVICE`` and `allow_service` is False.
    QueryTooLargeError
        If it is longer than `max_chars` and not data-only.

    Examples
    --------
    >>> check_update("INSERT { ?s a <http://e/C> } WHERE { SELECT ?s WHERE { ?s ?p ?o } }")
    >>> check_update("PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:insert ?o }")
    Traceback (most recent call last):
    ...
    kg.errors.QuerySyntaxError: this is a SPARQL query (SELECT), not an update: send it as 'query' (GET /sparql?query=..., or POST with Content-Type application/sparql-query)
    """
    if max_chars and len(text) > max_chars and not is_data_only(text):
        check_size(text, max_chars, "update")
    words = _scan(text, "update")
    if not words:
        raise QuerySyntaxError("empty update request")
    form = next((word for word in words if word in _QUERY_FORMS or word in _UPDATE_FORMS), None)
    if form in _QUERY_FORMS:  # before any update keyword: not a subquery of an update's WHERE
        raise QuerySyntaxError(
            f"this is a SPARQL query ({form}), not an update: send it as 'query' "
            "(GET /sparql?query=..., or POST with Content-Type application/sparql-query)"
        )
    if not allow_service:
        for word in ("LOAD", "SERVICE"):
            if word in words:
                raise ForbiddenError(f"{word} of remote data is disabled on this endpoint")


_NOT_DATA = frozenset({"WHERE", "WITH", "USING", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "SERVICE"})


def is_data_only(text: str) -> bool:
    """Tell whether an update request only inserts or deletes the triples it spells out.

    Parameters
    ----------
    text : str
        A SPARQL 1.1 Update request.

    Returns
    -------
    bool
        True when every operation is ``INSERT DATA`` or ``DELETE DATA`` (SPARQL 1.1 Update
        §3.1.1-3.1.2): its cost is linear in its own size, which the request body cap bounds,
        so it needs no rehearsal under the time limit. False when in doubt.

    Examples
    --------
    >>> is_data_only('INSERT DATA { <http://e/s> <http://e/p> "where" } ; DELETE DATA { <http://e/s> <http://e/p> 1 }')
    True
    >>> is_data_only("DELETE WHERE { ?s ?p ?o }")
    False
    """
    words = keywords(text)
    if not words or _NOT_DATA.intersection(words):
        return False
    operations = [i for i, word in enumerate(words) if word in ("INSERT", "DELETE")]
    return bool(operations) and all(i + 1 < len(words) and words[i + 1] == "DATA" for i in operations)
