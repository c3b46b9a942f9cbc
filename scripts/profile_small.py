"""Where a small query's time goes: kg's layers beside Oxigraph server, on one file, in one run.

The kit's small queries (a point lookup answers in about 0.1 ms in the engine) take kg about
twice Oxigraph server's median. This script splits one cold point lookup (the kit's q01 shape, a
new model IRI each time) into the layers it crosses, measured the same way for both servers,
interleaved request by request so drift hits all alike, over one keep-alive connection each
(``http.client``: the lightest client Python has, the same for both):

- ``oxigraph ASK {}``: Oxigraph server's whole request for a query that reads nothing: its
  HTTP floor;
- ``oxigraph q01``: Oxigraph server's cold point lookup;
- ``kg cached q01``: one q01 string sent again and again to ``POST /sparql``: answered from the
  result cache by the event loop (``api/middleware/sparql_fastpath.py``), no worker: kg's HTTP
  floor (uvicorn, the ASGI stack, the protocol checks, the cache);
- ``kg q01``: kg's cold point lookup: the floor plus the hop to a forked query worker and back,
  the engine's evaluation and the result's serialization;
- ``in process``: the same cold lookups evaluated and serialized to SPARQL JSON by pyoxigraph in
  this process, on a read-only open of kg's store (no HTTP, no worker).

So the hop to the worker (which keeps the time limit enforceable: a runaway query is killed,
its CPU freed) is ``kg q01 - kg cached q01 - in process``.

Usage: ``python scripts/profile_small.py [--scale 10k] [--requests 400] [--out FILE.md]``
(the data file is the kit's ``gen_landscape.py`` output, made by ``make bench``). Prints a JSON
object and writes a Markdown table. Only ratios within one run count.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import shutil
import statistics
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from bench import BENCH_PY, PY, ROOT, WORK, Server, free_port, generate, settle

Q01 = "SELECT ?p ?o WHERE { <http://example.org/bench/model/%d> ?p ?o . }"
ASK = "ASK {}"


def _timed(conn: http.client.HTTPConnection, method: str, url: str, body: bytes | None = None) -> float:
    # One request on the kept-alive connection, in ms; a non-200 answer ends the run.
    headers = {"Accept": "application/sparql-results+json"}
    if body is not None:
        headers["Content-Type"] = "application/sparql-query"
    started = time.perf_counter_ns()
    conn.request(method, url, body, headers)
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter_ns() - started) / 1e6
    if response.status != 200:
        raise RuntimeError(f"{url}: HTTP {response.status}")
    return elapsed


def _post(conn: http.client.HTTPConnection, path: str, query: str) -> float:
    return _timed(conn, "POST", path, query.encode())


def _get(conn: http.client.HTTPConnection, path: str, query: str) -> float:
    return _timed(conn, "GET", f"{path}?query={quote(query)}")


def _in_process(store: ox.Store, query: str) -> float:
    started = time.perf_counter_ns()
    store.query(query, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)
    return (time.perf_counter_ns() - started) / 1e6


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 3),
        "n": len(ordered),
    }


def measure(data: Path, requests: int, workers: int) -> dict[str, Any]:
    """Start both servers on `data`, measure every layer `requests` times, stop them; return the figures."""
    oxigraph = Path(BENCH_PY).parent / "oxigraph"
    ox_dir = WORK / "work" / f"profile-oxigraph-{data.stem}"
    kg_dir = WORK / "work" / f"profile-kg-{data.stem}"
    for leftover in (ox_dir, kg_dir, Path(f"{kg_dir}.cache"), Path(f"{kg_dir}.checkpoints")):
        shutil.rmtree(leftover, ignore_errors=True)
    # As the kit serves Oxigraph: its own loader into the default graph, then the server.
    subprocess.run([str(oxigraph), "load", "--location", str(ox_dir), "--file", str(data)], check=True)
    ox_port = free_port()
    peer = Server(
        [str(oxigraph), "serve-read-only", "--location", str(ox_dir), "--bind", f"127.0.0.1:{ox_port}"],
        f"http://127.0.0.1:{ox_port}/query?query=ASK%7B%7D",
        WORK / "profile-oxigraph.log",
    )
    kg_port = free_port()
    serve = ["serve", "--port", str(kg_port), "--workers", str(workers), "--store", str(kg_dir), "--load", str(data)]
    kg = Server(
        [str(PY), "-m", "cli.main", *serve],
        f"http://127.0.0.1:{kg_port}/sparql?query=ASK%7B%7D",
        WORK / "profile-kg.log",
    )
    try:
        settle(f"http://127.0.0.1:{kg_port}")
        engine = ox.Store.read_only(str(kg_dir))
        models = int(data.stem.split("-")[-1].replace("k", "000").replace("m", "000000"))
        rng = random.Random(16)
        picks = rng.sample(range(models), 3 * requests + 20)
        ox_conn = http.client.HTTPConnection("127.0.0.1", ox_port)
        kg_conn = http.client.HTTPConnection("127.0.0.1", kg_port)
        times: dict[str, list[float]] = {
            k: [] for k in ("oxigraph ASK {}", "oxigraph q01", "kg cached q01", "kg q01", "in process")
        }
        cached = Q01 % 500
        for warm in range(20):  # connections, the result cache entry and the workers' first reads
            _get(ox_conn, "/query", ASK)
            _post(kg_conn, "/sparql", cached)
            _post(kg_conn, "/sparql", Q01 % picks[warm])
        for i in range(requests):
            a, b, c = picks[20 + 3 * i : 23 + 3 * i]
            times["oxigraph ASK {}"].append(_get(ox_conn, "/query", ASK))
            times["oxigraph q01"].append(_post(ox_conn, "/query", Q01 % a))
            times["kg cached q01"].append(_post(kg_conn, "/sparql", cached))
            times["kg q01"].append(_post(kg_conn, "/sparql", Q01 % b))
            times["in process"].append(_in_process(engine, Q01 % c))
        del engine
    finally:
        kg.stop()
        peer.stop()
        for leftover in (ox_dir, kg_dir, Path(f"{kg_dir}.cache"), Path(f"{kg_dir}.checkpoints")):
            shutil.rmtree(leftover, ignore_errors=True)
    out = {name: _summary(values) for name, values in times.items()}
    med = {name: v["median_ms"] for name, v in out.items()}
    out["derived"] = {
        "kg HTTP floor over Oxigraph server's (cached q01 - oxigraph ASK {}), ms": round(
            med["kg cached q01"] - med["oxigraph ASK {}"], 3
        ),
        "hop to the query worker and back (kg q01 - kg cached q01 - in process), ms": round(
            med["kg q01"] - med["kg cached q01"] - med["in process"], 3
        ),
        "kg q01 / oxigraph q01": round(med["kg q01"] / med["oxigraph q01"], 2),
    }
    return out


def render(result: dict[str, Any], scale: str, workers: int) -> str:
    """Return the Markdown report of :func:`measure`'s result."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = [
        ("oxigraph ASK {}", "Oxigraph server, a query that reads nothing: its whole HTTP request"),
        ("oxigraph q01", "Oxigraph server, cold point lookup"),
        ("kg cached q01", "kg, one q01 string repeated: event loop + result cache, no worker (HTTP floor)"),
        ("kg q01", "kg, cold point lookup: floor + worker hop + evaluation + serialization"),
        ("in process", "pyoxigraph in this process on kg's store: evaluation + JSON serialization"),
    ]
    lines = [
        f"# Small queries: where the time goes ({scale} models)",
        "",
        f"Measured {when} with `scripts/profile_small.py --scale {scale}` ({result['kg q01']['n']} requests per "
        f"layer, interleaved; one keep-alive `http.client` connection per server; kg on disk with {workers} query "
        "workers, loaded by `--load`; Oxigraph server 0.5 `serve-read-only` on its own loader's store). Only ratios "
        "within one run count.",
        "",
        "| layer | what it measures | median ms | p90 ms |",
        "|---|---|---:|---:|",
    ]
    for key, label in rows:
        lines.append(f"| {key} | {label} | {result[key]['median_ms']:.3f} | {result[key]['p90_ms']:.3f} |")
    lines += ["", "Derived:", ""]
    lines += [f"- {name}: **{value}**" for name, value in result["derived"].items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", default="10k")
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--bench-dir", default=str(ROOT.parent / "shared" / "bench"))
    ap.add_argument("--out", default=str(ROOT / "bench-results" / "small-queries.md"))
    a = ap.parse_args()
    data = generate(Path(a.bench_dir), a.scale)
    result = measure(data, a.requests, a.workers)
    print(json.dumps(result, indent=2))
    Path(a.out).write_text(render(result, a.scale, a.workers), encoding="utf-8")
    print("wrote", a.out)


if __name__ == "__main__":
    main()
