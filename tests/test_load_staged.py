"""Staged bulk loads of an on-disk store: same graphs as load_files, all or nothing, a kill -9 loses nothing."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.engine import staging
from kg.engine.load import load_default_graph, load_files
from kg.engine.staging import staged_load
from kg.engine.store import KnowledgeStore
from kg.engine.swap import COMMIT_MARKER, load_lock, recover, sibling
from kg.errors import GraphExistsError, LoadError
from kg.namespaces import GRAPH
from kg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EX = "http://ex.org/"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _nt(path: Path, n: int, start: int = 0, tail: str = "") -> Path:
    """Write `n` distinct N-Triples lines (no blank node), then `tail`."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(start, start + n):
            out.write(f'<{EX}s{i}> <{EX}p{i % 7}> "value {i} with some text to make the line longer" .\n')
        out.write(tail)
    return path


def _content(inner: ox.Store) -> dict[str, set[tuple[str, str, str]]]:
    """Graph IRI -> its triples as strings (every blank node written ``_:``)."""
    out: dict[str, set[tuple[str, str, str]]] = {}
    for q in inner:
        terms = tuple("_:" if isinstance(t, ox.BlankNode) else str(t) for t in (q.subject, q.predicate, q.object))
        out.setdefault(str(q.graph_name), set()).add(terms)  # type: ignore[arg-type]
    return out


def _on_disk(path: Path) -> dict[str, set[tuple[str, str, str]]]:
    store = ox.Store(str(path))
    try:
        return _content(store)
    finally:
        del store


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    ttl = _write(tmp_path, "demo.ttl", f"@prefix ex: <{EX}> .\nex:a ex:p 1 , 2 ; ex:q [ ex:r 3 ] .\n")
    trig = _write(
        tmp_path, "d.trig", f"@prefix ex: <{EX}> .\nex:g1 {{ ex:acme ex:develops ex:m1 . }}\nex:acme ex:n 1 .\n"
    )
    nt = _write(
        tmp_path, "plain.nt", f'<{EX}x> <{EX}y> <{EX}z> .\n# a comment\n\n<{EX}x> <{EX}y> "<file: in a literal>" .\n'
    )
    return [ttl, trig, nt]


def test_new_store_holds_what_load_files_gives(tmp_path: Path, files: list[Path]) -> None:
    memory = KnowledgeStore()
    expected = load_files(memory, files)
    done = staged_load(tmp_path / "store", files)
    assert (
        done.graphs
        == expected
        == {
            str(GRAPH["demo"]): 4,
            "http://ex.org/g1": 1,
            str(GRAPH["d"]): 1,
            str(GRAPH["plain"]): 2,
        }
    )
    assert [f["triples"] for f in done.files] == [4, 2, 2]
    assert _on_disk(tmp_path / "store") == _content(memory.inner)
    assert not sibling(tmp_path / "store", ".staging").exists()
    assert not sibling(tmp_path / "store", ".old").exists()


def test_new_store_gets_the_default_graph_when_asked(tmp_path: Path, files: list[Path]) -> None:
    done = staged_load(tmp_path / "store", files[2:], default_graph=True)
    reference = KnowledgeStore()  # how kg serve fills a new store
    load_default_graph(reference)
    expected = _content(reference.inner)
    graphs = _on_disk(tmp_path / "store")
    assert {f"<{name}>" for name in done.default_graph} == set(expected)
    assert str(GRAPH["landscape"]) in done.default_graph
    for name, n in done.default_graph.items():
        assert graphs[f"<{name}>"] == expected[f"<{name}>"]
        assert n == len(list(reference.inner.quads_for_pattern(None, None, None, ox.NamedNode(name))))
    assert len(graphs[f"<{GRAPH['plain']}>"]) == 2


def test_an_empty_store_gets_the_default_graph_too(tmp_path: Path, files: list[Path]) -> None:
    empty = ox.Store(str(tmp_path / "store"))
    del empty
    done = staged_load(tmp_path / "store", files[2:], default_graph=True)
    assert str(GRAPH["landscape"]) in done.default_graph
    assert f"<{GRAPH['landscape']}>" in _on_disk(tmp_path / "store")
    again = staged_load(tmp_path / "store", files[:1], default_graph=True)  # not empty now: not again
    assert again.default_graph == {}


def test_a_new_store_refuses_a_file_named_like_a_curated_graph(tmp_path: Path) -> None:
    # as kg load did when it filled a new store before loading: the landscape is curated data
    user = _write(tmp_path, "landscape.ttl", '<https://w3id.org/aikg/id/model/mine> <https://schema.org/name> "Mine" .')
    with pytest.raises(GraphExistsError) as info:
        staged_load(tmp_path / "store", [user], default_graph=True)
    landscape = str(GRAPH["landscape"])
    assert list(info.value.graphs) == [landscape] and info.value.graphs[landscape] > 1000
    assert "of curated data" in info.value.detail
    assert not (tmp_path / "store").exists() and not sibling(tmp_path / "store", ".staging").exists()


def test_existing_store_refuse_replace_append(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = _nt(tmp_path / "g.nt", 3)
    staged_load(store, [first])
    before = _on_disk(store)
    second = _nt(tmp_path / "g2.nt", 2, start=10)
    target = str(GRAPH["g"])
    with pytest.raises(GraphExistsError) as info:
        staged_load(store, [second], graph=target)
    assert info.value.graphs == {target: 3}
    assert f"graph {target} already holds 3 triples" in info.value.detail
    assert _on_disk(store) == before
    assert staged_load(store, [second], graph=target, existing="append").graphs == {target: 2}
    assert len(_on_disk(store)[f"<{target}>"]) == 5
    assert staged_load(store, [second], graph=target, existing="replace").graphs == {target: 2}
    assert _on_disk(store)[f"<{target}>"] == {t for t in _content(_memory([second], target))[f"<{target}>"]}


def _memory(paths: list[Path], graph: str | None = None) -> ox.Store:
    store = KnowledgeStore()
    load_files(store, paths, graph=graph)
    return store.inner


@pytest.mark.parametrize("size", [20, 120_000])  # whole file / loaded in slices side by side
def test_syntax_error_at_the_end_leaves_the_store_unchanged(tmp_path: Path, size: int) -> None:
    store = tmp_path / "store"
    staged_load(store, [_nt(tmp_path / "kept.nt", 5)])
    before = _on_disk(store)
    good = _nt(tmp_path / "good.nt", 50, start=100)
    bad = _nt(tmp_path / "bad.nt", size, tail=f"<{EX}a> <{EX}b> .\n")
    assert bad.stat().st_size > staging._SLICED_FROM_BYTES or size < 100
    with pytest.raises(LoadError) as info:
        staged_load(store, [good, bad])
    assert info.value.path == str(bad)
    assert info.value.line == size + 1
    assert f"{bad}, line {size + 1}" in str(info.value)
    assert f"line {size + 1} column" in info.value.reason
    assert _on_disk(store) == before
    assert not sibling(store, ".staging").exists()


def test_large_file_loaded_in_slices_equals_load_files(tmp_path: Path) -> None:
    big = _nt(tmp_path / "big.nt", 80_000)
    assert big.stat().st_size > staging._SLICED_FROM_BYTES
    done = staged_load(tmp_path / "store", [big])
    assert done.graphs == {str(GRAPH["big"]): 80_000}
    assert _on_disk(tmp_path / "store") == _content(_memory([big]))


def test_blank_nodes_of_a_large_file_stay_shared_across_its_slices(tmp_path: Path) -> None:
    # The first and the last line name the same blank node: slices would make two of it.
    big = _nt(tmp_path / "big.nt", 80_000, tail=f'_:b1 <{EX}last> "z" .\n')
    with big.open("r+", encoding="utf-8") as handle:
        text = handle.read()
        handle.seek(0)
        handle.write(f'_:b1 <{EX}first> "a" .\n' + text)
    staged_load(tmp_path / "store", [big])
    inner = ox.Store(str(tmp_path / "store"))
    try:
        rows = list(inner.query(f"SELECT ?b WHERE {{ GRAPH ?g {{ ?b <{EX}first> ?x . ?b <{EX}last> ?y }} }}"))
        assert len(rows) == 1 and isinstance(rows[0]["b"], ox.BlankNode)
    finally:
        del inner


def test_file_iris_are_refused_naming_the_line(tmp_path: Path) -> None:
    f = _write(tmp_path, "f.nt", f"<{EX}a> <{EX}b> <{EX}c> .\n<{EX}a> <{EX}b> <file:///etc/passwd> .\n")
    with pytest.raises(LoadError, match="file: IRI file:///etc/passwd is not allowed"):
        staged_load(tmp_path / "store", [f])
    rel = _write(tmp_path, "rel.nt", f"<{EX}a> <{EX}b> <notspecified> .\n")
    with pytest.raises(LoadError) as info:
        staged_load(tmp_path / "store", [rel])
    assert info.value.line == 1
    assert not (tmp_path / "store").exists()


def test_file_iris_are_refused_in_a_large_file_and_when_escaped(tmp_path: Path) -> None:
    store = tmp_path / "store"
    staged_load(store, [_nt(tmp_path / "kept.nt", 5)])
    before = _on_disk(store)
    big = _nt(tmp_path / "big.nt", 80_000, tail=f"<{EX}a> <{EX}b> <file:///etc/passwd> .\n")
    escaped = _write(tmp_path, "esc.nt", f"<{EX}a> <{EX}b> <\\u0066ile:///etc/passwd> .\n")
    for f in (big, escaped):
        with pytest.raises(LoadError, match="file: IRI file:///etc/passwd is not allowed") as info:
            staged_load(store, [f])
        assert info.value.path == str(f)
        assert _on_disk(store) == before


def test_a_folder_that_is_not_a_store_is_refused(tmp_path: Path, files: list[Path]) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(LoadError, match="not a store"):
        staged_load(folder, files)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_serve_load_into_a_store_is_staged_and_counted(tmp_path: Path) -> None:
    from kg.service import KnowledgeGraph

    data = _nt(tmp_path / "extra.nt", 30)
    settings = dataclasses.replace(Settings.from_env(store=str(tmp_path / "store"), workers=0), load=(str(data),))
    graph = KnowledgeGraph.open(settings)
    try:
        assert [(item["path"], item["triples"]) for item in graph.loaded] == [(str(data), 30)]
        assert graph.store.named_graphs().count(str(GRAPH["extra"])) == 1
        assert str(GRAPH["landscape"]) in graph.store.named_graphs()  # the new store got the default graph
        total = len(graph.store)
    finally:
        graph.close()  # (stops the store's writer process: RocksDB lets one process open it)
    graph = KnowledgeGraph.open(settings)  # a restart with the same --load adds nothing new
    try:
        assert [item["triples"] for item in graph.loaded] == [0]
        assert len(graph.store) == total
    finally:
        graph.close()


# -- recovery -------------------------------------------------------------------------------


def _store_with(path: Path, triples: int, start: int = 0) -> dict[str, set[tuple[str, str, str]]]:
    source = _nt(path.parent / f"{path.name}-{start}.nt", triples, start=start)
    inner = ox.Store(str(path))
    inner.bulk_load(path=str(source), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(GRAPH["g"])))
    content = _content(inner)
    del inner
    return content


def test_recover_deletes_an_uncommitted_staging_folder(tmp_path: Path) -> None:
    store = tmp_path / "store"
    old = _store_with(store, 3)
    _store_with(sibling(store, ".staging"), 5, start=10)
    assert recover(store) == "rolled back"
    assert not sibling(store, ".staging").exists()
    assert _on_disk(store) == old


def test_recover_rolls_a_committed_load_forward(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _store_with(store, 3)
    new = _store_with(sibling(store, ".staging"), 5, start=10)
    (sibling(store, ".staging") / COMMIT_MARKER).write_bytes(b"complete\n")
    assert recover(store) == "rolled forward"
    assert _on_disk(store) == new
    assert not sibling(store, ".staging").exists() and not sibling(store, ".old").exists()
    assert not (store / COMMIT_MARKER).exists()


def test_opening_the_store_finishes_a_swap_killed_between_its_renames(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _store_with(store, 3)
    new = _store_with(sibling(store, ".staging"), 5, start=10)
    (sibling(store, ".staging") / COMMIT_MARKER).write_bytes(b"complete\n")
    store.rename(sibling(store, ".old"))  # killed after DIR -> DIR.old
    opened = KnowledgeStore(store)
    try:
        assert _content(opened.inner) == new  # type: ignore[arg-type]
        assert not sibling(store, ".old").exists() and not sibling(store, ".staging").exists()
    finally:
        opened.inner.close()


def test_recover_restores_or_cleans_the_old_folder(tmp_path: Path) -> None:
    store = tmp_path / "store"
    old = _store_with(sibling(store, ".old"), 3)
    assert recover(store) == "rolled back"  # DIR missing, DIR.old there: it is the store
    assert _on_disk(store) == old
    _store_with(sibling(store, ".old"), 2, start=50)
    assert recover(store) == "cleaned"  # a leftover of a finished swap
    assert _on_disk(store) == old and not sibling(store, ".old").exists()
    assert recover(store) is None


def test_no_open_or_second_load_while_a_load_holds_the_lock(tmp_path: Path, files: list[Path]) -> None:
    store = tmp_path / "store"
    _store_with(store, 3)
    _store_with(sibling(store, ".staging"), 5, start=10)  # the running load's staging folder
    with load_lock(store):
        with pytest.raises(LoadError, match="another process is loading"):
            KnowledgeStore(store)
        with pytest.raises(LoadError, match="another process is loading"):
            staged_load(store, files)
        assert sibling(store, ".staging").exists()  # not taken for a killed load's


def test_kill_9_midway_leaves_the_store_as_before(tmp_path: Path) -> None:
    store = tmp_path / "store"
    staged_load(store, [_nt(tmp_path / "kept.nt", 5)])
    before = _on_disk(store)
    big = _nt(tmp_path / "big.nt", 300_000)
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "load", str(big), "--store", str(store)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    staging_dir = sibling(store, ".staging")
    deadline = time.monotonic() + 60
    while not staging_dir.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(0.2)  # into the bulk load
    assert process.poll() is None, "the load finished before it could be killed: make the file larger"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert staging_dir.exists()  # killed midway: the next open finds the staging folder
    opened = KnowledgeStore(store)
    try:
        assert _content(opened.inner) == before  # type: ignore[arg-type]
        assert not staging_dir.exists()
    finally:
        opened.inner.close()  # (stops the store's writer process)
    done = staged_load(store, [big])
    assert done.graphs == {str(GRAPH["big"]): 300_000}
    assert len(_on_disk(store)[f"<{GRAPH['big']}>"]) == 300_000


def test_a_staged_load_gives_the_store_a_new_data_tag(tmp_path: Path, files: list[Path]) -> None:
    from kg.engine.data_tag import data_tag

    staged_load(tmp_path / "store", files[:1])
    before = data_tag(tmp_path / "store")
    staged_load(tmp_path / "store", files[1:2])
    assert data_tag(tmp_path / "store") != before
