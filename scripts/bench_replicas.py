"""What reading the version from the engine costs a remote-mode request (README "Scaling out").

Starts ``oxigraph serve`` on a temporary directory, loads the embedded graph into it in one
request, starts one ``kg serve --store …`` replica from the code in ``--code`` (default: this
checkout; give another checkout to compare), and times requests that the replica answers
without querying the data: a cached REST answer, a 304 revalidation, a cached SPARQL answer,
``/health``; sequentially (median, 90th percentile) and with 8 concurrent clients (requests/s).
Also times the version marker's SELECT sent straight to the engine.

Usage: ``python scripts/bench_replicas.py [--code DIR] [--n 500]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.engine.load import load_default_graph  # noqa: E402
from kg.engine.remote import _MARKER_QUERY  # noqa: E402
from kg.engine.store import KnowledgeStore  # noqa: E402

QUERY = "SELECT (COUNT(?m) AS ?n) WHERE { ?m a aikg:AIModel }"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout_s} s")


def _times(client: httpx.Client, n: int, send: object) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        r = send(client)  # type: ignore[operator]
        out.append((time.perf_counter() - started) * 1000)
        assert r.status_code in (200, 304), r.text
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose kg serve is measured")
    parser.add_argument("--n", type=int, default=500, help="requests per measure")
    args = parser.parse_args()
    binary = (
        str(Path(sys.executable).parent / "oxigraph")
        if (Path(sys.executable).parent / "oxigraph").exists()
        else shutil.which("oxigraph")
    )
    assert binary, "pip install oxigraph"
    work = Path(tempfile.mkdtemp())
    engine_port, replica_port = _port(), _port()
    engine = subprocess.Popen(
        [binary, "serve", "--location", str(work / "db"), "--bind", f"127.0.0.1:{engine_port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    replica = None
    try:
        base = f"http://127.0.0.1:{engine_port}"
        _wait(base + "/", engine)
        local = KnowledgeStore()
        load_default_graph(local)
        httpx.post(
            base + "/store",
            content=ox.serialize(local.inner, format=ox.RdfFormat.N_QUADS),
            headers={"Content-Type": "application/n-quads"},
            timeout=120,
        ).raise_for_status()
        replica = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cli.main",
                "serve",
                "--port",
                str(replica_port),
                "--store",
                base + "/query",
                "--update-endpoint",
                base + "/update",
            ],
            cwd=args.code,
            env={**os.environ, "KG_REMOTE_TTL": "600"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{replica_port}"
        _wait(url + "/health", replica)
        with httpx.Client(timeout=60) as client:
            etag = client.get(url + "/api/models/glm-4.5").headers["etag"]
            cases = {
                "marker SELECT to the engine": lambda c: c.post(base + "/query", data={"query": _MARKER_QUERY}),
                "GET /health": lambda c: c.get(url + "/health"),
                "GET /api/models/glm-4.5 (cached)": lambda c: c.get(url + "/api/models/glm-4.5"),
                "GET /api/models/glm-4.5 (304)": lambda c: c.get(
                    url + "/api/models/glm-4.5", headers={"If-None-Match": etag}
                ),
                "POST /sparql (cached)": lambda c: c.post(
                    url + "/sparql", content=QUERY, headers={"Content-Type": "application/sparql-query"}
                ),
            }
            print(f"code: {args.code}  n={args.n}")
            print(f"{'request':<36} {'median ms':>9} {'p90 ms':>7} {'8 clients req/s':>16}")
            for name, send in cases.items():
                _times(client, 20, send)
                ms = sorted(_times(client, args.n, send))
                clients = [httpx.Client(timeout=60) for _ in range(8)]
                started = time.perf_counter()
                with ThreadPoolExecutor(8) as pool:
                    list(pool.map(lambda c, s=send: _times(c, args.n // 8, s), clients))
                rate = (args.n // 8 * 8) / (time.perf_counter() - started)
                for c in clients:
                    c.close()
                print(f"{name:<36} {statistics.median(ms):>9.2f} {ms[int(len(ms) * 0.9)]:>7.2f} {rate:>16.0f}")
    finally:
        for process in (replica, engine):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
