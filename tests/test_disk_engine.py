"""An on-disk store: its writer in a process of its own, workers reading checkpoints (issue 16, memory).

The server process must hold no writable RocksDB instance (forks from one hang, kg/engine/disk.py),
every read after a write must see it, a runaway query on a checkpoint is still stopped at its
limit, and checkpoints nobody reads any more are removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import mmap
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.engine.disk import DiskEngine
from kg.engine.memo import cached
from kg.engine.sparql import QueryRequest
from kg.engine.store import KnowledgeStore
from kg.engine.workers import QueryPool
from kg.errors import QueryEvaluationError, QueryTimeoutError
from kg.service import KnowledgeGraph
from kg.settings import Settings

G = "http://example.org/g"


def _count(store: ox.Store) -> int:
    return len(store)


def _runaway(store: ox.Store) -> int:
    # A four-way cross product of 301 triples (8e9 rows): far longer than any limit here.
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?w { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } }"
    return len(list(store.query(query)))


def _descriptors(pid: int) -> dict[int, str]:
    out = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            out[int(fd)] = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue  # the descriptor that listed the folder
    return out


def _open_files(pid: int) -> set[str]:
    return set(_descriptors(pid).values())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[KnowledgeStore]:
    st = KnowledgeStore(tmp_path / "db")
    st.update(f"INSERT DATA {{ GRAPH <{G}> {{ <http://e/a> <http://e/p> 1 }} }}")
    yield st
    st.inner.close()


def test_only_the_writer_process_holds_the_store_open_for_writing(store: KnowledgeStore) -> None:
    lock = str(store.path / "LOCK")
    writer = store.inner._process.pid  # type: ignore[attr-defined]
    assert writer != os.getpid()
    assert lock in _open_files(writer)
    assert lock not in _open_files(os.getpid())
    # This process reads a checkpoint, never the store's own directory.
    assert all(not f.startswith(str(store.path) + "/") for f in _open_files(os.getpid()))


def test_every_read_after_a_write_sees_it(store: KnowledgeStore) -> None:
    pool = QueryPool(store, size=1, reserve=1, timeout_s=10)
    try:
        assert pool.run(_count) == 1
        for i in range(12):
            store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <http://e/s{i}> <http://e/p> {i} }} }}")
            assert len(store) == i + 2  # this process's reads
            assert pool.run(_count) == i + 2  # a worker's
    finally:
        pool.close()


def _own_files_stay_open(store: ox.Store, number: int) -> list[int]:
    # In a worker: open files of its own past `number` (the descriptor of a memory map it
    # inherited), read another version's value (which drops the inherited map from the memo),
    # then return those of its own files that are no longer open.
    mine: list[int] = []
    try:
        while not mine or mine[-1] <= number:
            mine.append(os.open(os.devnull, os.O_RDONLY))
        cached("another-version", "demo-map", lambda: 0)
        closed = []
        for fd in mine:
            try:
                fcntl.fcntl(fd, fcntl.F_GETFD)
            except OSError:
                closed.append(fd)
        return closed
    finally:
        for fd in mine:
            with contextlib.suppress(OSError):
                os.close(fd)


def _map_into_memo(path: Path) -> int:
    # A memory map held by the memo alone (as the label index is), and the number of its descriptor.
    path.write_bytes(b"x" * 4096)
    with path.open("rb") as f:
        cached("inherited-version", "demo-map", lambda: mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
    return max(fd for fd, target in _descriptors(os.getpid()).items() if target == str(path))


def test_a_worker_that_drops_an_inherited_memory_map_keeps_its_own_files_open(
    store: KnowledgeStore, tmp_path: Path
) -> None:
    # The label index of an on-disk store is memory-mapped, and Python's mmap keeps a duplicate of
    # the file's descriptor, closed when the map is freed. A worker closes what it inherited and
    # its own files get those numbers; freeing the inherited map then closed one of them (the
    # engine's next read of a checkpoint file failed with EBADF under writes and searches).
    duplicate = _map_into_memo(tmp_path / "mapped")
    pool = QueryPool(store, size=1, reserve=0, timeout_s=10)
    try:
        assert pool.run(_own_files_stay_open, duplicate) == []
        assert pool.run(_count) == 1
    finally:
        pool.close()
        cached("after-the-test", "demo-map", lambda: 0)  # drops the map here too


def test_a_runaway_query_on_a_checkpoint_is_stopped_at_its_limit(store: KnowledgeStore) -> None:
    triples = " ".join(f"<http://e/r{i}> <http://e/p> {i} ." for i in range(300))
    store.update(f"INSERT DATA {{ GRAPH <{G}> {{ {triples} }} }}")
    pool = QueryPool(store, size=1, reserve=0, timeout_s=1.5)
    try:
        started = time.monotonic()
        with pytest.raises(QueryTimeoutError):
            pool.run(_runaway)
        assert time.monotonic() - started < 1.5 + 1.0
        assert pool.run(_count) == 301  # a fresh worker, on the same checkpoint
    finally:
        pool.close()


def test_checkpoints_nobody_reads_are_removed(tmp_path: Path) -> None:
    engine = DiskEngine(tmp_path / "db", grace_s=0)
    try:
        for i in range(6):
            engine.update(f"INSERT DATA {{ <http://e/s{i}> <http://e/p> {i} }}")
        held = engine.hold()
        engine.update("INSERT DATA { <http://e/x> <http://e/p> 0 }")
        names = sorted(p.name for p in engine.root.iterdir())
        # The current checkpoint and the one a worker still reads; the five before are gone.
        assert names == sorted({held.name, engine.checkpoint.name})
        engine.release(held)
        assert [p.name for p in engine.root.iterdir()] == [engine.checkpoint.name]
    finally:
        engine.close()
    assert not engine.root.exists()


def test_data_survives_a_restart_and_leftover_checkpoints_go(tmp_path: Path) -> None:
    st = KnowledgeStore(tmp_path / "db")
    st.update(f"INSERT DATA {{ GRAPH <{G}> {{ <http://e/a> <http://e/p> 7 }} }}")
    os.kill(st.inner._process.pid, signal.SIGKILL)  # type: ignore[attr-defined]  # no goodbye
    st.inner._process.wait()  # type: ignore[attr-defined]
    stale = st.inner.root / "99999999"  # type: ignore[attr-defined]
    stale.mkdir()
    again = KnowledgeStore(tmp_path / "db")
    try:
        assert [q.object.value for q in again.inner.quads_for_pattern(None, None, None, ox.NamedNode(G))] == ["7"]
        assert not stale.exists()
    finally:
        again.inner.close()


def test_a_write_after_the_writer_died_fails_clearly(store: KnowledgeStore) -> None:
    os.kill(store.inner._process.pid, signal.SIGKILL)  # type: ignore[attr-defined]
    store.inner._process.wait()  # type: ignore[attr-defined]
    with pytest.raises(OSError, match="writer process ended"):
        store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <http://e/b> <http://e/p> 2 }} }}")
    assert len(store) == 1  # reads go on from the last checkpoint


def test_pattern_updates_are_rehearsed_on_a_private_writable_checkpoint(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "db"), workers=1, cache_bytes=0, query_timeout_s=20)
    graph = KnowledgeGraph.open(settings)
    try:
        ask = QueryRequest(f"ASK {{ GRAPH <{G}> {{ <http://e/a> <http://e/q> 2 }} }}")
        graph.update(f"INSERT DATA {{ GRAPH <{G}> {{ <http://e/a> <http://e/p> 1 }} }}")
        graph.update(
            f"INSERT {{ GRAPH <{G}> {{ ?s <http://e/q> 2 }} }} WHERE {{ GRAPH <{G}> {{ ?s <http://e/p> 1 }} }}"
        )
        assert b"true" in graph.query(ask).body
        with pytest.raises(QueryEvaluationError, match="nothing changed"):
            graph.update(f"CREATE GRAPH <{G}>")  # exists: refused in the rehearsal
        # The rehearsals' own checkpoints went with their workers.
        assert not [p for p in graph.store.inner.root.iterdir() if p.name.startswith("private-")]  # type: ignore[attr-defined]
    finally:
        graph.close()


def test_the_writer_ends_when_its_process_is_killed(tmp_path: Path) -> None:
    code = (
        "import sys, time\n"
        "from kg.engine.store import KnowledgeStore\n"
        f"st = KnowledgeStore({str(tmp_path / 'db')!r})\n"
        "print(st.inner._process.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    owner = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, cwd=Path(__file__).parents[1])
    assert owner.stdout is not None
    writer = int(owner.stdout.readline())
    os.kill(owner.pid, signal.SIGKILL)
    owner.wait()
    deadline = time.monotonic() + 5
    while Path(f"/proc/{writer}").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not Path(f"/proc/{writer}").exists() or "Z" in Path(f"/proc/{writer}/stat").read_text().split()[2]
    again = KnowledgeStore(tmp_path / "db")  # its lock is free again
    again.inner.close()


def test_the_data_tag_changes_with_every_write_and_survives_a_restart(tmp_path: Path) -> None:
    st = KnowledgeStore(tmp_path / "db")
    try:
        first = st.inner.tag  # type: ignore[attr-defined]
        assert len(first) == 32 and (tmp_path / "db.cache" / "tag").read_text().strip() == first
        st.update(f"INSERT DATA {{ GRAPH <{G}> {{ <http://e/a> <http://e/p> 2 }} }}")
        second = st.inner.tag  # type: ignore[attr-defined]
        assert second != first
        st.inner.flush()  # not a change of the data: the tag stays
        assert st.inner.tag == second  # type: ignore[attr-defined]
    finally:
        st.inner.close()
    again = KnowledgeStore(tmp_path / "db")
    try:
        assert again.inner.tag == second  # type: ignore[attr-defined]
    finally:
        again.inner.close()


def test_a_command_that_never_closes_its_store_leaves_no_checkpoints(tmp_path: Path) -> None:
    # As a `kg query --store` run: the process ends without calling close().
    code = (
        "from kg.engine.store import KnowledgeStore\n"
        f"st = KnowledgeStore({str(tmp_path / 'db')!r})\n"
        f"st.update('INSERT DATA {{ GRAPH <{G}> {{ <http://e/a> <http://e/p> 3 }} }}')\n"
        "print(st.inner.root.exists())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=os.getcwd())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
    assert not (tmp_path / "db.checkpoints").exists()
    again = KnowledgeStore(tmp_path / "db")
    try:
        assert [q.object.value for q in again.inner.quads_for_pattern(None, None, None, ox.NamedNode(G))] == ["3"]
    finally:
        again.inner.close()
