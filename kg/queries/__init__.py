"""Named SPARQL queries shipped as ``kg/queries/*.rq`` files, read once per process."""

from __future__ import annotations

from importlib import resources

_NAMED: dict[str, str] = {}


def named_query(name: str) -> str:
    """Return the text of a named query shipped in ``kg/queries/{name}.rq``.

    Parameters
    ----------
    name : str
        File stem, e.g. ``"lineage"``.

    Returns
    -------
    str

    Raises
    ------
    FileNotFoundError
        If no such query ships with the package.
    """
    return _NAMED.get(name) or _NAMED.setdefault(
        name, resources.files(__name__).joinpath(f"{name}.rq").read_text("utf-8")
    )
