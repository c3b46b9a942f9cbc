"""AI Landscape KG core: store, loading, SPARQL, lookups, analytics. No HTTP, no HTML."""

__version__ = "0.1.0"
