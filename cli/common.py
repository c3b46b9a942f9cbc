"""What every ``kg`` command shares: one-line errors, store and output checks, opening the graph."""

from __future__ import annotations

import socket
from pathlib import Path

import click

from kg.errors import KGError
from kg.settings import Settings

__all__ = [
    "JSON_OPTION",
    "STORE_OPTION",
    "CLIError",
    "check_port",
    "fail",
    "is_store",
    "open_graph",
    "reading_store",
    "run_read",
    "writable_output",
]


class CLIError(click.ClickException):
    """A user's mistake: printed as one line ``error: ...`` on stderr, exit status 2."""

    exit_code = 2

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def]
        """Print the one line."""
        click.echo(f"error: {self.format_message()}", err=True)


def is_store(path: Path) -> bool:
    # An Oxigraph store on disk is a RocksDB folder: RocksDB writes CURRENT when it creates one.
    return (path / "CURRENT").is_file()


def reading_store(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--store`` of a command that only reads: the store must exist; reading never creates one."""
    if value is None or value.startswith(("http://", "https://")):
        return value
    path = Path(value)
    if not is_store(path):
        what = "is not a store folder" if path.exists() else "does not exist"
        raise CLIError(
            f"--store {value}: {what}; reading commands never create a store "
            "(kg load, kg import and kg serve --store create one)"
        )
    return value


def writable_output(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """``-o FILE``: its folder must exist, so a page is never computed only to fail at the write."""
    if value is None:
        return value
    folder = value.parent if str(value.parent) else Path(".")
    if value.is_dir():
        raise CLIError(f"-o {value}: is a folder; give a file name such as {value / 'graph.html'}")
    if not folder.is_dir():
        raise CLIError(f"-o {value}: folder {folder} does not exist")
    return value


def check_port(host: str, port: int) -> None:
    """Refuse a port another process listens on before anything is loaded or announced.

    The probe binds as uvicorn does (``SO_REUSEADDR``, so a port in TIME_WAIT counts as free)
    and lets go at once; the server binds it again a moment later.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except OSError as exc:
        raise CLIError(f"--host {host}: {exc.strerror or exc}") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise CLIError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc} (is another server running? choose --port)"
            ) from None


def open_graph(store: str | None):  # type: ignore[no-untyped-def]
    from kg.service import KnowledgeGraph

    return KnowledgeGraph.open(Settings.from_env(store=store, workers=0))


def fail(exc: KGError) -> None:
    raise CLIError(exc.detail)


STORE_OPTION = click.option(
    "--store", callback=reading_store, help="Persistent store directory (default: the embedded graph)."
)

JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")


def run_read(fn, *args, as_json: bool, show, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """Read `fn` through the graph as the server does; print JSON, or the projection line and `show(result)`."""
    import json

    try:
        result = open_graph(kwargs.pop("store", None)).read(fn, *args, **kwargs)
    except KGError as exc:
        fail(exc)
        return
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if "projection" in result:
        p = result["projection"]
        click.echo(f"projection: {p['name']} ({p['nodes']} nodes, {p['edges']} edges): {p['description']}")
    show(result)
