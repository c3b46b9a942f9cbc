"""Soak and fault tests against a real ``kg serve`` on loopback (issue 13).

Twelve keep-alive clients (``requests`` sessions, whose pools keep idle connections as browsers
do) query, write into their own graphs and idle past the server's keep-alive timeout while two
more clients send slow queries; every request must be answered. Then: a 10 MB body, clients that
send their body a byte a second, and ``kill -9`` of the server in the middle of an update on an
on-disk store.

The soak runs for ``KG_SOAK_SECONDS`` (default 36) and is marked ``soak`` so a developer can
deselect it locally (``-m 'not soak'``); CI runs it.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests

from tests.conftest import ROOT, TOKEN, LiveServer

SOAK_S = float(os.environ.get("KG_SOAK_SECONDS", "36"))
LIMIT_S = 10.0  # the slow clients' queries get their 503 after this
KEEP_ALIVE_S = 5.0  # uvicorn's default, which `kg serve` keeps
# Each client writes about this often: 12 clients, ~0.2 writes/s. A write holds the store's write
# lock for about 1 s on an idle machine (reviews regenerated, label index rebuilt twice, workers
# re-forked) and for 3-13 s at a load average of 8-9 on 2 cores; a read that needs a fresh worker
# waits for that lock (measured at 2 and 0.8 writes/s: reads answered 503 after the time limit).
WRITE_EVERY_S = 60.0  # at 30 s (~0.4 writes/s) a quiet CI run once saw 3 short reads wait past 10 s: issue 16
CLIENT_TIMEOUT_S = 30.0  # a request unanswered for this long counts as a hang
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
MODEL = "<https://w3id.org/aikg/id/model/glm-4.5>"
SHORT_QUERIES = [
    f"ASK {{ {MODEL} ?p ?o }}",
    f"SELECT ?name WHERE {{ {MODEL} schema:name ?name }}",
    "SELECT ?m WHERE { ?m a aikg:AIModel } LIMIT 5",
]


class Record:
    """What every soak request got: kind, status (or the exception), seconds."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, int | str, float]] = []
        self.lock = threading.Lock()

    def add(self, kind: str, status: int | str, seconds: float) -> None:
        with self.lock:
            self.rows.append((kind, status, seconds))


def timed(record: Record, kind: str, call: Any, *args: Any, **kwargs: Any) -> requests.Response | None:
    started = time.monotonic()
    try:
        response = call(*args, timeout=CLIENT_TIMEOUT_S, **kwargs)
    except requests.RequestException as exc:  # a hang or a reset: what this test must never see
        record.add(kind, f"{type(exc).__name__}: {exc}", time.monotonic() - started)
        return None
    record.add(kind, response.status_code, time.monotonic() - started)
    if response.status_code >= 500 and kind != "slow":
        record.add(kind + "-detail", response.text[:160], 0.0)
    return response


def soak_client(url: str, index: int, stop_at: float, record: Record, written: dict[int, set[str]]) -> None:
    graph = f"http://ex.org/soak/{index}"
    mine: set[str] = set()
    rng = random.Random(index)
    idle_at = {time.monotonic() + rng.uniform(2, SOAK_S / 2), time.monotonic() + rng.uniform(SOAK_S / 2, SOAK_S - 8)}
    serial = 0
    next_write = time.monotonic() + rng.uniform(0, WRITE_EVERY_S)
    with requests.Session() as session:
        while time.monotonic() < stop_at:
            if idle_at and min(idle_at) <= time.monotonic():
                idle_at.discard(min(idle_at))
                # The server drops the idle connection (with a margin: on a loaded machine its
                # timer fires late, and a request sent as it closes is reset).
                time.sleep(KEEP_ALIVE_S + rng.uniform(2.0, 3.0))
            roll = rng.random()
            write = time.monotonic() >= next_write
            if write:
                next_write = time.monotonic() + rng.uniform(0.5, 1.5) * WRITE_EVERY_S
                roll = 0.0 if not mine or rng.random() < 0.7 else 0.25
            if write and roll < 0.2:
                serial += 1
                value = f"v{index}-{serial}"
                update = f'INSERT DATA {{ GRAPH <{graph}> {{ <http://ex.org/s> <http://ex.org/p> "{value}" }} }}'
                response = timed(
                    record,
                    "write",
                    session.post,
                    url + "/sparql",
                    data={"update": update},
                    headers=AUTH,
                )
                if response is not None and response.status_code == 204:
                    mine.add(value)
            elif write:
                value = rng.choice(sorted(mine))
                update = f'DELETE DATA {{ GRAPH <{graph}> {{ <http://ex.org/s> <http://ex.org/p> "{value}" }} }}'
                response = timed(
                    record,
                    "write",
                    session.post,
                    url + "/sparql",
                    data=update.encode(),
                    headers={**AUTH, "Content-Type": "application/sparql-update"},
                )
                if response is not None and response.status_code == 204:
                    mine.discard(value)
            elif roll < 0.35:
                query = rng.choice(SHORT_QUERIES)
                timed(
                    record,
                    "query",
                    session.get,
                    url + "/sparql",
                    params={"query": query},
                )
            elif roll < 0.55:
                query = rng.choice(SHORT_QUERIES)
                timed(
                    record,
                    "query",
                    session.post,
                    url + "/sparql",
                    data=query.encode(),
                    headers={"Content-Type": "application/sparql-query"},
                )
            elif roll < 0.7:
                query = rng.choice(SHORT_QUERIES)
                timed(
                    record,
                    "query",
                    session.post,
                    url + "/sparql",
                    data={"query": query},
                )
            elif roll < 0.85:
                timed(record, "rest", session.get, url + "/api/models/glm-4.5")
            else:
                timed(
                    record,
                    "rest",
                    session.get,
                    url + "/api/search",
                    params={"q": "qwen"},
                )
            time.sleep(rng.uniform(0.0, 0.3))
    written[index] = mine


def slow_client(url: str, stop_at: float, record: Record) -> None:
    with requests.Session() as session:
        while time.monotonic() < stop_at:
            timed(
                record,
                "slow",
                session.get,
                url + "/sparql",
                params={"query": RUNAWAY},
            )


@pytest.mark.soak
def test_soak_twelve_keep_alive_clients_and_two_slow_ones(record_property: Any) -> None:
    server = LiveServer("--query-timeout", str(LIMIT_S))
    try:
        record = Record()
        written: dict[int, set[str]] = {}
        stop_at = time.monotonic() + SOAK_S
        threads = [
            threading.Thread(target=soak_client, args=(server.url, i, stop_at, record, written)) for i in range(12)
        ]
        threads += [threading.Thread(target=slow_client, args=(server.url, stop_at, record)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SOAK_S + 4 * CLIENT_TIMEOUT_S)
        assert not any(t.is_alive() for t in threads), "a soak client never finished"

        details = [row[1] for row in record.rows if row[0].endswith("-detail")]
        record.rows = [row for row in record.rows if not row[0].endswith("-detail")]
        failures = [row for row in record.rows if isinstance(row[1], str)]
        bad = [row for row in record.rows if row[0] != "slow" and row[1] not in (200, 204)]
        bad_slow = [row for row in record.rows if row[0] == "slow" and row[1] not in (200, 503)]
        short = sorted(seconds for kind, status, seconds in record.rows if kind in ("query", "rest"))
        p99 = short[min(len(short) - 1, int(0.99 * len(short)))]
        summary = {
            "requests": len(record.rows),
            "short": len(short),
            "writes": sum(1 for row in record.rows if row[0] == "write"),
            "slow": sum(1 for row in record.rows if row[0] == "slow"),
            "slow_503": sum(1 for row in record.rows if row[0] == "slow" and row[1] == 503),
            "errors": len(failures) + len(bad) + len(bad_slow),
            "short_p50_s": round(statistics.median(short), 3),
            "short_p99_s": round(p99, 3),
            "short_max_s": round(short[-1], 3),
        }
        for key, value in summary.items():
            record_property(key, value)
        print("soak:", summary)
        for kind in ("query", "rest", "write", "slow"):
            times = sorted(seconds for k, _status, seconds in record.rows if k == kind)
            if times:
                print(f"  {kind}: n={len(times)} median={statistics.median(times):.3f} s max={times[-1]:.3f} s")
        assert not failures, f"requests without an answer (hangs, resets): {failures[:5]}"
        assert not bad, f"short requests that failed: {bad[:5]} {details[:5]}"
        assert not bad_slow, f"slow queries answered other than 200/503: {bad_slow[:5]}"
        assert summary["slow"] >= 2 and summary["short"] >= 100
        assert p99 < LIMIT_S, f"short requests' p99 is {p99:.2f} s while slow queries ran"

        # Each client's graph holds exactly what it wrote (and did not delete).
        for index, values in written.items():
            query = f"SELECT ?o WHERE {{ GRAPH <http://ex.org/soak/{index}> {{ ?s ?p ?o }} }}"
            response = httpx.get(
                server.url + "/sparql",
                params={"query": query},
                headers={"Accept": "application/sparql-results+json"},
                timeout=30,
            )
            got = {b["o"]["value"] for b in response.json()["results"]["bindings"]}
            assert got == values, f"client {index}: graph holds {sorted(got)}, wrote {sorted(values)}"
        assert sum(len(v) for v in written.values()) > 0
    finally:
        server.stop()


# -- bodies: too large, or sent a byte a second ----------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Any:
    started = LiveServer("--query-timeout", "10")
    yield started
    started.stop()


def test_ten_megabyte_body_is_413_and_the_server_keeps_answering(server: LiveServer) -> None:
    body = b"ASK {} #" + b"x" * (10 * 10**6)
    for headers in (
        {"Content-Type": "application/sparql-query"},
        {"Content-Type": "application/sparql-update", **AUTH},
    ):
        response = httpx.post(server.url + "/sparql", content=body, headers=headers, timeout=60)
        assert response.status_code == 413, response.text[:200]
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "MiB" in response.json()["detail"]
    form = httpx.post(server.url + "/sparql", data={"query": "ASK {} #" + "x" * (10 * 10**6)}, timeout=60)
    assert form.status_code == 413
    assert httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=10).status_code == 200


def test_clients_sending_a_byte_a_second_hold_no_worker(server: LiveServer) -> None:
    query = b"ASK { ?s ?p ?o }"
    slow: list[socket.socket] = []
    host, port = "127.0.0.1", int(server.url.rsplit(":", 1)[1])
    for _ in range(4):  # more than there are workers, reserved lane included
        conn = socket.create_connection((host, port), timeout=10)
        conn.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            + f"Content-Length: {len(query)}\r\n\r\n".encode()
            + query[:1]
        )
        slow.append(conn)
    try:
        for i in range(1, 4):
            time.sleep(1.0)
            for conn in slow:
                conn.sendall(query[i : i + 1])  # one more byte each second
            started = time.monotonic()
            response = httpx.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
            assert response.status_code == 200 and time.monotonic() - started < 2
        for conn in slow:  # the rest of the body: each slow client is answered too
            conn.sendall(query[4:])
            assert conn.recv(64).startswith(b"HTTP/1.1 200")
    finally:
        for conn in slow:
            conn.close()


# -- kill -9 of the server in the middle of an update on an on-disk store --------------------------


def count_in(url: str, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    response = httpx.get(url + "/sparql", params={"query": query}, timeout=30)
    assert response.status_code == 200, response.text[:300]
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.soak
def test_kill_9_of_the_server_during_an_update_leaves_before_or_after(tmp_path: Path, record_property: Any) -> None:
    store = tmp_path / "store"
    triples = 20_000
    body = " ".join(f'<http://ex.org/k{i}> <http://ex.org/p> "{i}" .' for i in range(triples))
    seen = []
    for attempt, delay in enumerate((0.05, 0.3, 0.8)):
        graph = f"http://ex.org/crash/{attempt}"
        update = f"INSERT DATA {{ GRAPH <{graph}> {{ {body} }} }}"
        server = LiveServer("--store", str(store))
        try:
            sender = threading.Thread(
                target=lambda u=update, s=server: _quietly(
                    lambda: httpx.post(
                        s.url + "/sparql",
                        content=u.encode(),
                        headers={**AUTH, "Content-Type": "application/sparql-update"},
                        timeout=60,
                    )
                ),
                daemon=True,
            )
            sender.start()
            time.sleep(delay)
            os.kill(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)
            sender.join(timeout=60)
        finally:
            server.stop()
        restarted = LiveServer("--store", str(store))
        try:
            n = count_in(restarted.url, graph)
            seen.append(n)
            assert n in (0, triples), f"after kill -9 at {delay} s the graph holds {n} of {triples} triples"
            for earlier in range(attempt):  # what earlier rounds left stays as it was
                assert count_in(restarted.url, f"http://ex.org/crash/{earlier}") == seen[earlier]
        finally:
            restarted.stop()
    record_property("counts_after_kill", seen)
    print("kill -9 during an update of", triples, "triples: the graph held", seen)


def _quietly(call: Any) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the server was killed under this request: the point
        call()


# -- kill -9 of `kg load` in the middle: the store holds the graph whole or not at all ------------


def _cli(*args: str, timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout_s
    )


@pytest.mark.soak
def test_kill_9_of_kg_load_leaves_before_or_after(tmp_path: Path, record_property: Any) -> None:
    store = tmp_path / "store"
    triples = 20_000
    lines = "".join(f'<http://ex.org/b{i}> <http://ex.org/bulk> "{i}" .\n' for i in range(triples))
    probe, data = tmp_path / "probe.nt", tmp_path / "bulk.nt"
    probe.write_text(lines.replace("/bulk>", "/probe>"), encoding="utf-8")
    data.write_text(lines, encoding="utf-8")
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://ex.org/bulk> ?o }"
    # `kg load` creates and fills the store (reading commands never create one, issue 18)
    assert _cli("load", str(probe), "--store", str(store)).returncode == 0
    # How long a whole load takes on this machine now; the kills fall late in it, where the
    # parsed triples are being written.
    started = time.monotonic()
    assert _cli("load", str(probe), "--store", str(store), "--replace").returncode == 0
    whole_s = time.monotonic() - started
    seen = []
    for fraction in (0.6, 0.8, 0.9, 0.97):
        started = time.monotonic()
        loader = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "load", str(data), "--store", str(store)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(fraction * whole_s)
        loader.send_signal(signal.SIGKILL)
        code = loader.wait(timeout=30)
        done = _cli("query", count, "--store", str(store), "--format", "csv")
        assert done.returncode == 0, done.stderr[-500:]
        n = int(done.stdout.split()[1])
        seen.append((round(time.monotonic() - started, 1), "killed" if code == -signal.SIGKILL else "finished", n))
        assert n in (0, triples), f"after kill -9 of kg load the store holds {n} of {triples} triples"
        if n == triples:
            break
    record_property("kg_load_kills", seen)
    print(f"kill -9 of kg load (a whole load took {whole_s:.1f} s; seconds, outcome, triples):", seen)
