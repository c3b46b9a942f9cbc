"""The namespaces the review rules spell IRIs with (plain strings, for speed in the rule code)."""

from __future__ import annotations

from kg.namespaces import PREFIXES

_A = PREFIXES["aikg"]
_S = "https://schema.org/"
_XSD = PREFIXES["xsd"]
