"""Measure a served on-disk store's start twice: without its saved label index, then with it.

For a store already loaded (``kg load --store DIR FILE``), this serves it with ``kg serve --store
DIR`` twice, one after the other:

1. after removing the saved label index (``DIR.cache/labels-*``): the index is built in the
   background while SPARQL is answered;
2. again, with the index the first start saved.

Each time: seconds from the start to the first ``/sparql`` answer and to the first ``/api/search``
answer (a 503 while the index is built does not count) and the server process's peak RSS; after
the second start also ``/api/search`` latency for distinct model-name fragments (median, p90) and
the summed PSS of the process tree (server, writer, workers). Prints a JSON object.

Usage: ``python scripts/bench_restart.py DIR NT_FILE [--requests 200]`` (NT_FILE: the file DIR was
loaded from, where the name fragments come from).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
from bench_million import PY, ROOT, _latency, _names, _note, _port, _pss_tree, _wait


def _serve(store: Path, log: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    port = _port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(PY), "-m", "cli.main", "serve", "--store", str(store), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    return server, f"http://127.0.0.1:{port}", started


def _peak_rss_mib(pid: int) -> float:
    # The server process's own peak (VmHWM), its workers and writer not included.
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(60)
    except subprocess.TimeoutExpired:
        server.kill()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store", type=Path)
    ap.add_argument("data", type=Path)
    ap.add_argument("--requests", type=int, default=200)
    a = ap.parse_args()
    match = re.search(r"(\d+)([km]?)\.nt$", a.data.name)
    models = int(match.group(1)) * {"": 1, "k": 1000, "m": 1_000_000}[match.group(2)] if match else 10_000
    cache = Path(f"{a.store}.cache")
    for saved in cache.glob("labels-*"):
        shutil.rmtree(saved)
    result: dict[str, Any] = {"store": str(a.store)}
    for run in ("unsaved", "saved"):
        server, base, started = _serve(a.store, a.store.parent / f"serve-{run}.log")
        try:
            _note(result, f"{run}_first_sparql_s", round(_wait(f"{base}/sparql?query=ASK%7B%7D", server, started), 2))
            _note(result, f"{run}_first_search_s", round(_wait(f"{base}/api/search?q=model", server, started), 2))
            if run == "saved":
                client = httpx.Client(timeout=120)

                def search(name: str, client: httpx.Client = client, base: str = base) -> None:
                    r = client.get(f"{base}/api/search", params={"q": name})
                    assert r.status_code == 200 and r.json()["total"] > 0, r.text[:200]

                _note(result, "search", _latency(search, _names(a.data, a.requests, models)))
                _note(result, "pss_mib", round(_pss_tree(server.pid), 1))
            _note(result, f"{run}_server_peak_rss_mib", _peak_rss_mib(server.pid))
        finally:
            _stop(server)
        _note(
            result, f"{run}_saved_index_mib", round(sum(f.stat().st_size for f in cache.rglob("labels-*/*")) / 2**20, 1)
        )
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
