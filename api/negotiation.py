"""Content negotiation (Accept with q-values) over the media types the core can write."""

from __future__ import annotations

import mimeparse

__all__ = ["best_media_type"]


def best_media_type(offered: list[str], accept: str | None) -> str | None:
    """Return the offered media type the client prefers, or None if it accepts none.

    Parameters
    ----------
    offered : list of str
        Media types we can produce, most preferred (the default) first.
    accept : str or None
        The request's Accept header; absent or empty means ``*/*``.

    Returns
    -------
    str or None
        Ties in q-value and specificity go to the earlier offered type (RFC 9110 §12.5.1).
    """
    header = (accept or "").strip() or "*/*"
    try:
        match = mimeparse.best_match(list(reversed(offered)), header)
    except (ValueError, mimeparse.MimeTypeParseException):
        match = mimeparse.best_match(list(reversed(offered)), "*/*")
    return match or None
