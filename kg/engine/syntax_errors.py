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

__all__ = ["KEYWORDS", "Diagnosis", "diagnose", "with_caret"]

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
        Its tokens as ``(kind, text, offset)``, kinds as :data:`kg.engine.sparql._TOKEN` names
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
