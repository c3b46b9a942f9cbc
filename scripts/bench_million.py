"""Measure the issue-16 targets on one large file: load, startup, lookups, search, memory.

For a file of the bench kit (``gen_landscape.py --models 1m``: 21.9M triples) this times, on one
machine and in one run:

1. ``kg load --store NEW --graph G FILE`` and ``oxigraph load --location NEW --file FILE --graph G``
   (the same work: a named graph), each under ``/usr/bin/time -v`` for its peak RSS;
2. ``kg serve --store DIR`` (no ``--load``): seconds from the start to the first answer of
   ``/sparql`` and to the first answer of ``/api/search``;
3. point lookups (the kit's q01 shape, one model IRI each, never repeated) through ``/sparql``
   and through ``oxigraph serve-read-only`` on the engine's own store, and ``/api/search`` for a
   distinct model-name fragment each: median and p90, one client;
4. the summed PSS of kg's process tree (server, writer, workers) after that;
5. a restart of the same, unchanged store (what was derived from the data is read back from
   ``DIR.cache``): seconds to the first ``/sparql`` and ``/api/search`` answers, search latency
   and summed PSS again.

Prints a JSON object and a Markdown table. Only ratios within one run count: the cores are
shared between the client and the servers.

Usage: ``python scripts/bench_million.py FILE [--requests 200] [--tmp DIR]``
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from bench_load import _timed  # scripts/ is on the path when run as a script

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
OXIGRAPH = ROOT / ".venv-bench" / "bin" / "oxigraph"
GRAPH = "https://w3id.org/aikg/graph/bench"
LOOKUP = "SELECT ?p ?o WHERE { <http://example.org/bench/model/%d> ?p ?o }"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pss_tree(pid: int) -> float:
    pids = [
        pid,
        *(int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()),
    ]
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _wait(url: str, process: subprocess.Popen[bytes], started: float, limit_s: float = 1800) -> float:
    while time.perf_counter() - started < limit_s:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=30).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} not answered within {limit_s} s")


def _note(result: dict[str, Any], key: str, value: Any) -> Any:
    # Each figure as soon as it is known (a long run that is stopped still tells what it measured).
    result[key] = value
    print(json.dumps({key: value}), flush=True)
    return value


def _latency(send: Any, items: list[Any]) -> dict[str, float]:
    times = []
    for item in items:
        t = time.perf_counter()
        send(item)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 2), "p90_ms": round(times[int(len(times) * 0.9)], 2)}


def _serve(store: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(PY), "-m", "cli.main", "serve", "--store", str(store), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _names(data: Path, count: int, models: int) -> list[str]:
    # Distinct model names from the file itself: the first `count` labels of sampled models.
    wanted = {f"<http://example.org/bench/model/{n}>" for n in random.Random(7).sample(range(models), count * 3)}
    names: list[str] = []
    with data.open(encoding="utf-8") as f:
        for line in f:
            if "rdf-schema#label" in line and line.split(" ", 1)[0] in wanted:
                names.append(line.split('"')[1].rsplit("-", 1)[0])  # a fragment, not the whole name
                if len(names) == count:
                    break
    return names


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--tmp", type=Path, default=ROOT / ".bench" / "work" / "million")
    a = ap.parse_args()
    match = re.search(r"(\d+)([km]?)\.nt$", a.data.name)
    models = int(match.group(1)) * {"": 1, "k": 1000, "m": 1_000_000}[match.group(2)] if match else 10_000
    shutil.rmtree(a.tmp, ignore_errors=True)
    a.tmp.mkdir(parents=True)
    store, engine = a.tmp / "kg", a.tmp / "oxigraph"
    result: dict[str, Any] = {"file": str(a.data), "models": models}
    seconds, rss, _ = _timed([str(PY), "-m", "cli.main", "load", "--store", str(store), "--graph", GRAPH, str(a.data)])
    _note(result, "kg_load_s", seconds)
    _note(result, "kg_load_rss_mib", rss)
    seconds, rss, _ = _timed(
        [str(OXIGRAPH), "load", "--location", str(engine), "--file", str(a.data), "--graph", GRAPH]
    )
    _note(result, "oxigraph_load_s", seconds)
    _note(result, "oxigraph_load_rss_mib", rss)
    port, oxport = _port(), _port()
    started = time.perf_counter()
    server = _serve(store, port, a.tmp / "kg-serve.log")
    peer = subprocess.Popen(
        [
            str(OXIGRAPH),
            "serve-read-only",
            "--union-default-graph",
            "--location",
            str(engine),
            "--bind",
            f"127.0.0.1:{oxport}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _note(result, "kg_first_sparql_s", _wait(f"{base}/sparql?query=ASK%7B%7D", server, started))
        _note(result, "kg_first_search_s", _wait(f"{base}/api/search?q=model", server, started))
        _wait(f"http://127.0.0.1:{oxport}/query?query=ASK%7B%7D", peer, time.perf_counter())
        picks = random.Random(1).sample(range(models), a.requests)
        client = httpx.Client(timeout=120)
        headers = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}

        def ours(n: int) -> None:
            r = client.post(f"{base}/sparql", content=LOOKUP % n, headers=headers)
            assert r.status_code == 200 and r.json()["results"]["bindings"], r.text[:200]

        def theirs(n: int) -> None:
            r = client.post(f"http://127.0.0.1:{oxport}/query", content=LOOKUP % n, headers=headers)
            assert r.status_code == 200 and r.json()["results"]["bindings"], r.text[:200]

        def search(name: str) -> None:
            r = client.get(f"{base}/api/search", params={"q": name})
            assert r.status_code == 200 and r.json()["total"] > 0, r.text[:200]

        _note(result, "kg_point_lookup", _latency(ours, picks))
        _note(result, "oxigraph_point_lookup", _latency(theirs, [n + 1 for n in picks]))
        _note(result, "kg_search", _latency(search, _names(a.data, a.requests, models)))
        _note(result, "kg_pss_mib", round(_pss_tree(server.pid), 1))
        # A restart of the unchanged store: what was built from the data (the label index, the
        # graph digests) is read back from DIR.cache instead of rebuilt.
        _stop(server)
        started = time.perf_counter()
        server = _serve(store, port, a.tmp / "kg-restart.log")
        _note(result, "kg_restart_first_sparql_s", _wait(f"{base}/sparql?query=ASK%7B%7D", server, started))
        _note(result, "kg_restart_first_search_s", _wait(f"{base}/api/search?q=model", server, started))
        _note(result, "kg_restart_search", _latency(search, _names(a.data, a.requests, models)[::-1]))
        _note(result, "kg_restart_pss_mib", round(_pss_tree(server.pid), 1))
    finally:
        for process in (server, peer):
            _stop(process)
    print(json.dumps(result, indent=1))
    print()
    print("| what | kg | Oxigraph server |")
    print("|---|---:|---:|")
    print(f"| load (named graph) s | {result['kg_load_s']:.1f} | {result['oxigraph_load_s']:.1f} |")
    print(f"| load peak RSS MiB | {result['kg_load_rss_mib']:.0f} | {result['oxigraph_load_rss_mib']:.0f} |")
    print(f"| start to first /sparql answer s | {result['kg_first_sparql_s']:.1f} | |")
    print(f"| start to first search answer s | {result['kg_first_search_s']:.1f} | |")
    kp, op = result["kg_point_lookup"], result["oxigraph_point_lookup"]
    print(f"| point lookup p50 / p90 ms | {kp['p50_ms']} / {kp['p90_ms']} | {op['p50_ms']} / {op['p90_ms']} |")
    ks = result["kg_search"]
    print(f"| search p50 / p90 ms | {ks['p50_ms']} / {ks['p90_ms']} | |")
    print(f"| summed PSS after, MiB | {result['kg_pss_mib']:.0f} | |")
    print(f"| restart to first /sparql answer s | {result['kg_restart_first_sparql_s']:.1f} | |")
    print(f"| restart to first search answer s | {result['kg_restart_first_search_s']:.1f} | |")
    rs = result["kg_restart_search"]
    print(f"| search after the restart p50 / p90 ms | {rs['p50_ms']} / {rs['p90_ms']} | |")
    print(f"| summed PSS after the restart's searches, MiB | {result['kg_restart_pss_mib']:.0f} | |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
