"""Keep-alive connections survive the workers being forked again (issue 13, kind 1).

A forked query worker used to hold copies of the server's sockets (the listening socket and the
open client connections). When the server closed an idle keep-alive connection, no FIN reached
the client while a worker still held its copy, so the client's next request on that connection
waited until its own timeout. These tests use a real ``requests.Session`` against a real
``kg serve`` on loopback.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest
import requests

from tests.conftest import TOKEN, LiveServer

KEEP_ALIVE_S = 5.0  # uvicorn's default keep-alive timeout, which `kg serve` keeps
ASK = "ASK { ?s ?p ?o }"


def worker_pids(server_pid: int) -> list[int]:
    """The query workers: children of the server process, forked from any of its threads (Linux)."""
    pids: set[int] = set()
    for task in Path(f"/proc/{server_pid}/task").iterdir():
        try:
            pids.update(int(pid) for pid in (task / "children").read_text().split())
        except OSError:
            continue  # the thread ended while we looked
    return sorted(pids)


def sockets_of(pid: int) -> list[str]:
    """The socket inodes a process holds open, as ``fd -> socket:[inode]`` strings."""
    found = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue  # closed while we looked
        if target.startswith("socket:"):
            found.append(f"{fd} -> {target}")
    return found


def server_sockets(pid: int) -> set[str]:
    return {entry.split(" -> ")[1] for entry in sockets_of(pid)}


@pytest.fixture(scope="module")
def server() -> LiveServer:
    started = LiveServer()
    yield started
    started.stop()


def write(server: LiveServer, graph: str) -> None:
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <http://ex.org/s> <http://ex.org/p> "o" }} }}'
    response = httpx.post(
        server.url + "/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
    )
    assert response.status_code == 204, response.text


def test_idle_keep_alive_connection_answers_after_the_workers_were_replaced(server: LiveServer) -> None:
    session = requests.Session()
    first = session.post(
        server.url + "/sparql",
        data=ASK,
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        timeout=10,
    )
    assert first.status_code == 200 and first.json()["boolean"] is True
    write(server, "http://ex.org/keepalive")  # another client writes: the workers are forked again
    # A fresh worker is forked on demand: make sure one exists while the session's connection idles.
    assert httpx.get(server.url + "/sparql", params={"query": ASK}, timeout=10).status_code == 200
    time.sleep(KEEP_ALIVE_S + 1.5)  # the server closes the idle connection
    started = time.monotonic()
    second = session.post(
        server.url + "/sparql",
        data=ASK,
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        timeout=15,
    )
    elapsed = time.monotonic() - started
    assert second.status_code == 200 and second.json()["boolean"] is True
    assert elapsed < 3, f"the query on a reused keep-alive session took {elapsed:.1f} s"
    session.close()


def test_a_worker_holds_no_socket_of_the_server(server: LiveServer) -> None:
    # A keep-alive connection open while the workers are forked: its socket is in the server only.
    with requests.Session() as session:
        assert session.get(server.url + "/sparql", params={"query": ASK}, timeout=10).status_code == 200
        write(server, "http://ex.org/keepalive-fds")
        assert session.get(server.url + "/sparql", params={"query": ASK}, timeout=10).status_code == 200
        # A worker forked a moment ago may not have closed what it inherited yet, and one being
        # retired holds nothing: look until every live worker is settled (a second at most).
        for _ in range(20):
            problems, settled = inspect_workers(server.process.pid)
            if not problems and settled:
                break
            time.sleep(0.1)
        assert settled, "the server has no settled query worker"
        assert not problems, problems


def inspect_workers(server_pid: int) -> tuple[list[str], int]:
    """Workers holding the server's sockets or more than their pipe, and how many hold just it."""
    shared = server_sockets(server_pid)
    problems, settled = [], 0
    for pid in worker_pids(server_pid):
        try:
            mine = sockets_of(pid)
        except OSError:
            continue  # reaped while we looked
        # A worker's one socket is its own end of the pipe to the server (a socketpair: the
        # server holds the other end, a different inode).
        inherited = [entry for entry in mine if entry.split(" -> ")[1] in shared]
        if inherited:
            problems.append(f"worker {pid} holds the server's sockets: {inherited}")
        elif len(mine) > 1:
            problems.append(f"worker {pid} holds sockets besides its pipe: {mine}")
        elif len(mine) == 1:
            settled += 1
    return problems, settled
