"""Bringing data in: the importers of external sources, the import driver, and the history of imports."""
