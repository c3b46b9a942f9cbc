"""ASGI middleware of the app, one module each: ETag revalidation, the SPARQL query shortcut."""
