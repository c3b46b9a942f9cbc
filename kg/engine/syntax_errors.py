"""Syntax errors a person can act on: what is wrong in a SPARQL text, where, and what to write.

The engine's parser (pyoxigraph) reports where it stopped and the grammar it expected there:
for an unknown prefix that is a dump of Unicode ranges, for ``LIMT 3`` a list of alternatives
without ``LIMIT``, for ``<rel>`` "expected OPTIONAL". The three mistakes people make most are
recognised here from the text itself, with the token's line and column:

- a prefixed name whose prefix is declared nowhere ("unknown prefix foo: (declared: aikg, ...)"),
- a bare word that is no SPARQL keyword or function ("unknown keyword LIMT (did you mean LIMIT?)"),
- a relative IRI without ``BASE`` ("relative IRI <rel> needs a BASE").

Every message then gets the offending line and a caret under the column (:func:`with_caret`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pyparsing import ParseException
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

from kg.engine import rdflib_parser
from kg.engine.query_checks import TOKEN
from kg.errors import QuerySyntaxError
from kg.namespaces import PREFIXES

__all__ = ["KEYWORDS", "Diagnosis", "diagnose", "to_syntax_error", "with_caret"]

KEYWORDS = frozenset(
    """
    SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED PREFIX BASE DISTINCT REDUCED AS ORDER BY ASC DESC
    LIMIT OFFSET GROUP HAVING VALUES OPTIONAL UNION MINUS GRAPH SERVICE SILENT FILTER BIND UNDEF
    EXISTS NOT IN A TRUE FALSE LATERAL VERSION
    INSERT DELETE DATA LOAD CLEAR DROP CREATE ADD MOVE COPY WITH USING DEFAULT ALL INTO TO
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE
    LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES
    SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT
    SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE
    GROUP_CONCAT SEPARATOR TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE LANGDIR STRLANGDIR HASLANG HASLANGDIR
    ADJUST
    """.split()  # noqa: SIM905 - a word list reads better than 130 quoted strings
)
"""Every bare word SPARQL 1.1 Query and Update (and the SPARQL 1.2 additions the engine parses)
accepts, upper case: keywords and built-in function names (SPARQL 1.1 Query §19.8 grammar)."""

_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """What is wrong and where (1-based line and column of the offending token)."""

    line: int
    column: int
    near: str
    message: str


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _declared_prefixes(tokens: list[tuple[str, str, int]]) -> list[str]:
    declared = []
    for i, (kind, value, _) in enumerate(tokens[:-1]):
        if kind == "word" and value.upper() == "PREFIX" and tokens[i + 1][0] == "pname":
            declared.append(tokens[i + 1][1].split(":", 1)[0])
    return declared


def diagnose(
    text: str, tokens: Iterable[tuple[str, str, int]], predeclared: Iterable[str], engine_message: str
) -> Diagnosis | None:
    """Recognise a common mistake in a SPARQL text the engine refused.

    Parameters
    ----------
    text : str
        The query or update as sent.
    tokens : iterable of (str, str, int)
        Its tokens as ``(kind, text, offset)``, kinds as :data:`kg.engine.query_checks.TOKEN` names
        them (``word``, ``pname``, ``iri``, ``string``, ``comment``, ``var``, ``other``).
    predeclared : iterable of str
        Prefixes the engine declares for every request.
    engine_message : str
        The engine's error text (an unknown prefix is diagnosed only when it says so).

    Returns
    -------
    Diagnosis or None
        The first recognised mistake, or None (then the engine's message stands).
    """
    tokens = list(tokens)
    previous = ["", *[value for _, value, _ in tokens]]
    has_base = any(kind == "word" and value.upper() == "BASE" for kind, value, _ in tokens)
    declared = sorted(set(predeclared) | set(_declared_prefixes(tokens)))
    found: list[tuple[int, str, str]] = []
    for (kind, value, offset), before in zip(tokens, previous, strict=False):
        if kind == "pname" and "Prefix not found" in engine_message:
            prefix = value.split(":", 1)[0]
            if prefix != "_" and prefix not in declared:
                close = difflib.get_close_matches(prefix, declared, n=1)
                hint = f", did you mean {close[0]}:?" if close else ""
                found.append(
                    (
                        offset,
                        value,
                        f"unknown prefix {prefix}: (declared: {', '.join(declared)}{hint}); add PREFIX {prefix}: <…>",
                    )
                )
        elif (
            kind == "word" and value.upper() not in KEYWORDS and before not in ("@", "-") and not before[-1:].isdigit()
        ):
            close = difflib.get_close_matches(value.upper(), KEYWORDS, n=1, cutoff=0.7)
            hint = f" (did you mean {close[0]}?)" if close else ""
            found.append((offset, value, f"unknown keyword {value}{hint}"))
        elif kind == "iri" and not has_base and not _ABSOLUTE.match(value[1:-1]):
            found.append(
                (
                    offset,
                    value,
                    f"relative IRI {value} needs a BASE (or write it absolute, e.g. <https://example.org/…>)",
                )
            )
    if not found:
        return None
    offset, near, message = min(found)
    line, column = _position(text, offset)
    return Diagnosis(line, column, near, message)


def with_caret(text: str, line: int, column: int) -> str:
    """Return the `line` of `text` and a caret under `column` (both 1-based), as two lines.

    Examples
    --------
    >>> print(with_caret("SELECT *" + chr(10) + "WHERE { ?s ?p }", 2, 15))
      WHERE { ?s ?p }
                    ^
    """
    lines = text.splitlines() or [""]
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    if len(source) > 200:  # a very long line: show a window around the column
        start = max(column - 100, 0)
        source, column = source[start : start + 200], column - start
    return "  " + source.expandtabs(1) + "\n  " + " " * max(column - 1, 0) + "^"


_POSITION = re.compile(r"^error at (\d+):(\d+):\s*")


def _locate(text: str, update: bool) -> tuple[int, int, str] | None:
    # pyoxigraph's parser often reports the end of the text as the error position; rdflib's
    # (pyparsing) points at the token where the failing clause starts, which a person can use.
    # pyparsing is not thread-safe (known trap 01), hence the lock; this runs on errors only.
    with rdflib_parser.PARSE_LOCK:
        try:
            (parseUpdate if update else parseQuery)(text)
        except ParseException as exc:
            near = re.match(r"\S{1,24}", exc.line[exc.col - 1 :]) if exc.line else None
            return exc.lineno, exc.col, near.group(0) if near else ""
        except Exception:  # rdflib chokes differently: keep the engine's position
            return None
    return None


def to_syntax_error(exc: Exception, text: str | None = None, update: bool = False) -> QuerySyntaxError:
    """Turn the engine's parse error into a :class:`QuerySyntaxError` with line and column.

    Parameters
    ----------
    exc : Exception
        What pyoxigraph raised (a ``SyntaxError`` whose message starts ``error at L:C:``).
    text : str, optional
        The query or update as sent; given, the position is refined with rdflib's SPARQL parser
        (the engine tends to report the end of the text).
    update : bool, optional
        `text` is a SPARQL Update request.

    Returns
    -------
    QuerySyntaxError
        Its message reads ``error at LINE:COLUMN[, near 'TOKEN']: REASON``, followed (when `text`
        is given) by the offending line and a caret under the column; `line` and `column` are
        1-based, in the text as sent (the predeclared prefixes are passed to the engine
        separately, so they do not shift positions). REASON names an unknown prefix, an unknown
        keyword or a relative IRI without BASE (:mod:`kg.engine.syntax_errors`), else it is the
        engine's expectation with its character classes named ("a name", "a digit"). For an
        update the engine's position is kept: rdflib backtracks to where the operation starts.

    Examples
    --------
    >>> e = to_syntax_error(SyntaxError("error at 2:7: expected one of '.', '}'"))
    >>> (e.line, e.column, e.detail)
    (2, 7, "error at 2:7: expected one of '.', '}'")
    >>> e = to_syntax_error(SyntaxError("error at 1:26: expected ..."), "SELECT ?x WHERE { ?x ?p }")
    >>> (e.line, e.column)
    (1, 19)
    >>> print(e.detail)
    error at 1:19, near '?x': expected ...
      SELECT ?x WHERE { ?x ?p }
                        ^
    >>> print(to_syntax_error(SyntaxError("error at 1:29: expected ..."), "ASK { ?s ?p ?o } LIMT 3").detail)
    error at 1:18, near 'LIMT': unknown keyword LIMT (did you mean LIMIT?)
      ASK { ?s ?p ?o } LIMT 3
                       ^
    """
    message = str(exc)
    match = _POSITION.search(message)
    reason = _CHAR_CLASS.sub(_name_class, message[match.end() :] if match else message)
    if len(reason) > 300:  # the engine lists every acceptable token: keep the start
        reason = reason[:300].rstrip() + " …"
    if text is None:
        if match is None:
            return QuerySyntaxError(message)
        line, column = int(match.group(1)), int(match.group(2))
        return QuerySyntaxError(f"error at {line}:{column}: {reason}", line, column)
    tokens = [(m.lastgroup or "other", m.group(), m.start()) for m in TOKEN.finditer(text)]
    diagnosis = diagnose(text, tokens, PREFIXES, message)
    if diagnosis is not None:  # a mistake we can name: say it instead of the grammar
        line, column, near, reason = diagnosis.line, diagnosis.column, diagnosis.near, diagnosis.message
    else:
        located = _locate(text, update)
        engine = (int(match.group(1)), int(match.group(2))) if match else None
        if update and engine is not None and _before_the_end(text, *engine):
            # rdflib backtracks an update to the start of the failing operation (often 1:1);
            # the engine's own position is then the better one, unless it is just the end.
            located = None
        if located is not None:
            line, column, near = located
        elif engine is not None:
            (line, column), near = engine, ""
        else:
            return QuerySyntaxError(message)
    where = f"{line}:{column}" + (f", near {near!r}" if near else "")
    return QuerySyntaxError(f"error at {where}: {reason}\n{with_caret(text, line, column)}", line, column)


_CHAR_CLASS = re.compile(r"\[[^\[\]]*\.\.=[^\[\]]*\]")


def _name_class(match: re.Match[str]) -> str:
    # The engine spells character classes as Unicode ranges; a person needs to know the kind.
    return "a digit" if "'A'" not in match.group() and "'0'" in match.group() else "a name"


def _before_the_end(text: str, line: int, column: int) -> bool:
    lines = text.rstrip().splitlines()
    return line < len(lines) or (line == len(lines) and column <= len(lines[-1]))
