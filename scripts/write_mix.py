"""Write latency under a mixed load: 8 clients reading and writing a real ``kg serve`` over HTTP.

Starts ``kg serve`` (the embedded default graph, in memory, its default query workers) from the
checkout this script lives in, then runs `--clients` client processes for `--seconds` (after a
`--warmup`): each request is a
small SPARQL update with probability `--write-share` (one triple ``INSERT DATA``, later the same
triple's ``DELETE DATA``, so the store does not grow), else one of three reads (a SPARQL point
query, a REST entity, a label search). Prints p50/p99 per kind, in milliseconds, as JSON.

Usage: ``.venv/bin/python scripts/write_mix.py [--clients 8] [--seconds 30] [--write-share 0.25] [--rate 0] [--store NEW_DIR]``
(``--rate N``: each client starts N requests a second instead of one as soon as the last answered).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
MODELS = ["glm-4.5", "deepseek-v3", "qwen3-235b-a22b", "llama-3.1-405b", "mistral-7b"]
READS = [
    ("sparql", "/sparql", {"query": "SELECT ?n WHERE { <https://w3id.org/aikg/id/model/glm-4.5> schema:name ?n }"}),
    ("rest", "/api/models/glm-4.5", None),
    ("search", "/api/search", {"q": "qwen"}),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _client_process(base: str, seconds: float, share: float, rate: float, seed: int, results: Any) -> None:
    out: dict[str, list[float]] = {}
    errors: list[str] = []
    _client(base, seconds, share, rate, seed, out, errors)
    results.put((out, errors))


def _client(
    base: str, seconds: float, share: float, rate: float, seed: int, out: dict[str, list[float]], errors: list[str]
) -> None:
    rng = random.Random(seed)
    pending: list[str] = []
    with httpx.Client(base_url=base, timeout=60) as http:
        end = time.monotonic() + seconds
        n = 0
        due = time.monotonic()
        while time.monotonic() < end:
            if rate > 0:
                # Paced: requests start on a fixed schedule (a late one starts at once), so the
                # latency measured is the server's, not the queue a saturated loop builds.
                due += 1.0 / rate
                time.sleep(max(0.0, due - time.monotonic()))
            n += 1
            if rng.random() < share:
                if pending and rng.random() < 0.5:
                    body, kind = "DELETE DATA " + pending.pop(), "write"
                else:
                    quad = (
                        "{ GRAPH <https://w3id.org/aikg/graph/bench-writes> { "
                        f"<https://w3id.org/aikg/id/model/{rng.choice(MODELS)}> "
                        f'<https://schema.org/description> "bench note {seed}-{n}" }} }}'
                    )
                    pending.append(quad)
                    body, kind = "INSERT DATA " + quad, "write"
                request = http.build_request(
                    "POST",
                    "/sparql",
                    content=body,
                    headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
                )
            else:
                kind, path, params = rng.choice(READS)
                request = http.build_request("GET", path, params=params, headers={"Accept": "application/json"})
            started = time.perf_counter()
            try:
                r = http.send(request)
            except httpx.HTTPError as exc:  # counted, not fatal: one lost connection must not end the run
                errors.append(f"{kind} {type(exc).__name__}: {exc}")
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if r.status_code >= 400:
                errors.append(f"{kind} {r.status_code} {r.text[:200]}")
                continue
            out.setdefault(kind, []).append(elapsed)


def main() -> None:
    """Run the mix and print the latency summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--write-share", type=float, default=0.25)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rate", type=float, default=0.0, help="requests per second per client; 0: back to back")
    parser.add_argument(
        "--store", help="serve an on-disk store in this new directory (the default data loaded into it), not memory"
    )
    parser.add_argument("--server-log", help="keep the server's output in this file (default: discarded)")
    args = parser.parse_args()
    port = _free_port()
    env = {**os.environ, "KG_UPDATE_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    kg = [sys.executable, "-c", "from cli.main import main; main()", "serve", "--port", str(port)]
    if args.store:
        if Path(args.store).exists():
            raise SystemExit(f"{args.store} exists: give a new directory (the run writes into it)")
        kg += ["--store", args.store]
    # A file, not a pipe: a pipe nobody reads would fill up and stall the server.
    log = open(args.server_log, "w+b") if args.server_log else tempfile.TemporaryFile()  # noqa: SIM115
    server = subprocess.Popen(kg, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise SystemExit("kg serve did not start: " + log.read().decode()[-2000:])
            time.sleep(0.3)
        for _phase, seconds in (("warmup", args.warmup), ("run", args.seconds)):
            # One process per client: threads of one process would queue on its GIL and add that
            # wait to the latencies measured.
            out: dict[str, list[float]] = {}
            errors: list[str] = []
            results = multiprocessing.get_context("spawn").Queue()
            clients = [
                multiprocessing.get_context("spawn").Process(
                    target=_client_process, args=(base, seconds, args.write_share, args.rate, i, results)
                )
                for i in range(args.clients)
            ]
            for c in clients:
                c.start()
            for _ in clients:
                part, failed = results.get()
                errors.extend(failed)
                for kind, values in part.items():
                    out.setdefault(kind, []).extend(values)
            for c in clients:
                c.join()
        summary = {
            kind: {
                "n": len(v),
                "p50_ms": round(statistics.median(v), 1),
                "p99_ms": round(_percentile(v, 0.99), 1),
                "max_ms": round(max(v), 1),
            }
            for kind, v in sorted(out.items())
        }
        print(
            json.dumps(
                {
                    "clients": args.clients,
                    "seconds": args.seconds,
                    "write_share": args.write_share,
                    "rate_per_client": args.rate,
                    "errors": len(errors),
                    "first_errors": errors[:3],
                    "latency": summary,
                },
                indent=1,
            )
        )
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
