"""Read models the HTTP layer and the CLI serve: entity records, lineage, comparison, listings, linked-data documents."""
