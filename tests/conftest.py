"""Shared fixtures: one service on the embedded graph (with real query workers) and its client."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.service import KnowledgeGraph
from kg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED_DATA = ROOT.parent / "shared" / "data"
TOKEN = "test-token-123"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(workers=2, update_token=TOKEN, query_timeout_s=20)


@pytest.fixture(scope="session")
def graph(settings: Settings) -> Iterator[KnowledgeGraph]:
    service = KnowledgeGraph.open(settings)
    yield service
    service.close()


@pytest.fixture(scope="session")
def client(settings: Settings, graph: KnowledgeGraph) -> Iterator[TestClient]:
    with TestClient(create_app(settings, graph)) as c:
        yield c


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("Debian chromium is not installed (make browser installs it): page test skipped")
    return path


# -- a real server process and a real browser -------------------------------------------------

import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import httpx  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """A server process started and waited for until ``ready()`` answers true; ``stop()`` ends it.

    One start/wait/stop loop for every server the tests run (``kg serve``, ``oxigraph serve``).
    """

    def __init__(
        self,
        argv: list[str],
        ready: Callable[[], bool],
        *,
        name: str,
        timeout_s: float = 60,
        poll_s: float = 0.2,
        env: dict[str, str] | None = None,
    ) -> None:
        self.process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited: {self.process.stderr.read().decode() if self.process.stderr else ''}"
                )
            try:
                if ready():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(poll_s)
        self.stop()
        raise RuntimeError(f"{name} did not start within {timeout_s:g} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


class LiveServer(ServerProcess):
    """A ``kg serve`` process on a free port of 127.0.0.1, stopped at teardown."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(
            [sys.executable, "-m", "cli.main", "serve", "--port", str(self.port), *args],
            lambda: httpx.get(self.url + "/health", timeout=1).status_code == 200,
            name="kg serve",
            env={**os.environ, "KG_UPDATE_TOKEN": TOKEN, **(env or {})},
        )


def oxigraph_binary() -> str | None:
    """Return the ``oxigraph`` server binary (PyPI ``oxigraph``, beside this Python first), or None."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


class OxigraphServer(ServerProcess):
    """``oxigraph serve`` (or `command`, e.g. ``serve-read-only``) on a free port of 127.0.0.1 over a directory."""

    kind = "oxigraph"

    def __init__(self, binary: str, location: Path, *options: str, command: str = "serve") -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.query_url = self.base + "/query"
        self.update_url = self.base + "/update"
        super().__init__(
            [binary, command, *options, "--location", str(location), "--bind", f"127.0.0.1:{self.port}"],
            lambda: httpx.post(self.query_url, data={"query": "ASK {}"}, timeout=1).status_code == 200,
            name="oxigraph serve",
            timeout_s=30,
            poll_s=0.1,
        )


VIRTUOSO_INSTALL = "apt-get install virtuoso-opensource; `make virtuoso` does it as root"
_VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
ThreadsPerQuery = 2
DirsAllowed = {dir}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxClientConnections = 10
EnabledDavVSP = 0
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


def virtuoso_binaries() -> tuple[str, str] | None:
    """Return the Virtuoso server and its SQL client (Debian ``virtuoso-opensource``), or None."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
    return (server, isql) if server and isql else None


class VirtuosoServer(ServerProcess):
    """``virtuoso-t`` over a fresh database in `location`, SQL and HTTP on free ports of 127.0.0.1.

    The SPARQL endpoint (query and update, form POSTs) is ``/sparql``; the anonymous ``SPARQL``
    account is granted ``SPARQL_UPDATE`` through ``isql-vt`` as ``dba`` (a fresh database's
    default password) once the server answers.
    """

    kind = "virtuoso"

    def __init__(self, binaries: tuple[str, str], location: Path) -> None:
        server, self.isql = binaries
        self.sql_port, self.port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.query_url = self.update_url = self.base + "/sparql"
        ini = location / "virtuoso.ini"
        ini.write_text(_VIRTUOSO_INI.format(dir=location, sql_port=self.sql_port, http_port=self.port))
        super().__init__(
            [server, "+configfile", str(ini), "+foreground"],
            lambda: httpx.post(self.query_url, data={"query": "ASK {}"}, timeout=2).status_code == 200,
            name="virtuoso-t",
            timeout_s=60,
        )
        self.sql('GRANT SPARQL_UPDATE TO "SPARQL"')

    def sql(self, statement: str) -> str:
        """Run one SQL statement through ``isql-vt`` as ``dba`` and return its output."""
        done = subprocess.run(
            [self.isql, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statement};"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql-vt {statement!r} failed: {done.stdout}{done.stderr}")
        return done.stdout


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    server = LiveServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def live_server_factory() -> Iterator[Callable[..., LiveServer]]:
    """Start dedicated ``kg serve`` processes (own flags/env); all are stopped after the module."""
    started: list[LiveServer] = []

    def start(*args: str, env: dict[str, str] | None = None) -> LiveServer:
        server = LiveServer(*args, env=env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


class BrowserPage:
    """A headless Chromium page that refuses every request leaving 127.0.0.1.

    ``console_errors`` collects console errors and page errors; ``external_requests`` lists
    the URLs that tried to leave the machine (they are aborted).
    """

    def __init__(self, page: object) -> None:
        self.page = page
        self.console_errors: list[str] = []
        self.external_requests: list[str] = []


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def browser_page(browser: object) -> Iterator[BrowserPage]:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    wrapped = BrowserPage(page)

    def route(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
            route.continue_()  # type: ignore[attr-defined]
        else:
            wrapped.external_requests.append(url)
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", route)
    page.on("console", lambda msg: wrapped.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: wrapped.console_errors.append(str(exc)))
    yield wrapped
    context.close()


def screenshot(page: BrowserPage, name: str) -> Path:
    """Save a screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def wait_until(target: object, expression: str, timeout_ms: float = 30000) -> None:
    """Poll a page or frame until the JavaScript `expression` is truthy.

    Playwright's ``wait_for_function`` compiles a string predicate with ``eval`` inside the page,
    which the pages' Content-Security-Policy refuses (no ``'unsafe-eval'``); ``evaluate`` goes
    through the DevTools protocol, which the policy does not govern.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while not target.evaluate(expression):  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout_ms:g} ms: {expression}")
        time.sleep(0.1)
