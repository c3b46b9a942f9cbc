"""The storage and query engine: store, remote engines, workers, loading, validation, SPARQL, and what a read sees."""
