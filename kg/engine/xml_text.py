"""The one rule for XML output (SPARQL XML results, RDF/XML documents): refuse what XML 1.0 cannot carry.

Every XML answer of the service passes through :func:`xml_safe`, so ``/sparql``,
``/api/{collection}/{slug}?format=rdfxml`` and ``/id/...`` with ``Accept: application/rdf+xml``
answer a literal holding U+0007 the same way: a 406 naming the character, never a 200 that no
XML parser accepts.
"""

from __future__ import annotations

import re

from kg.errors import NotAcceptableError

__all__ = ["xml_safe"]

_XML_ILLEGAL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def xml_safe(body: bytes, refusal: str) -> bytes:
    """Return a serialized XML document that XML 1.0 parsers accept, or refuse it.

    Parameters
    ----------
    body : bytes
        UTF-8 XML as a serializer wrote it.
    refusal : str
        What the 406 says before naming the character (e.g. what to ask for instead).

    Returns
    -------
    bytes
        `body`, with every raw carriage return written as ``&#13;``.

    Raises
    ------
    NotAcceptableError
        If `body` holds a character XML 1.0 §2.2 excludes (U+0000-U+0008, U+000B, U+000C,
        U+000E-U+001F, U+FFFE, U+FFFF); the message names the first one as ``U+XXXX``.
    """
    # XML 1.0 §2.2: these cannot appear in a document at all, not even as character references
    # (known trap 19): refuse rather than send a broken 200.
    found = _XML_ILLEGAL.search(body)
    if found:
        char = found.group().decode("utf-8")
        raise NotAcceptableError(f"{refusal} (first: U+{ord(char):04X})")
    # XML 1.0 §2.11: a parser turns a raw CR (and CR LF) into LF, so a literal's CR would be lost.
    # The writers emit no CR in markup, so every raw CR is literal text: write it as a reference.
    return body.replace(b"\r", b"&#13;")
