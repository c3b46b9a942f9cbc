"""HTTP surface of AI Landscape KG (FastAPI): SPARQL protocol, REST lookups, pages. No domain logic."""
