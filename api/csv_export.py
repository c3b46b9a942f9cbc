"""CSV downloads of the pages (model explorer, comparison): one writer, formula cells neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from fastapi.responses import Response

__all__ = ["csv_response", "safe_cell"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Return `value` as CSV cell text that a spreadsheet will not run as a formula.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with
    ``'`` (OWASP "CSV injection"): a model named ``=HYPERLINK(…)`` stays text. None is empty.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_response(header: list[str], rows: Iterable[Iterable[object]], filename: str) -> Response:
    """Return a ``text/csv`` download (RFC 4180, UTF-8) with every cell passed through :func:`safe_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
