"""Bad input at the `kg` command line loses nothing, creates nothing and prints no traceback (issue 18)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import click

from cli.main import main

ROOT = Path(__file__).resolve().parent.parent
LANDSCAPE = "https://w3id.org/aikg/graph/landscape"
MODELS = "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { GRAPH <" + LANDSCAPE + "> { ?m a aikg:AIModel } }"


def kg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd or ROOT,
    )


def one_error_line(out: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in out.stderr + out.stdout, out.stderr
    assert out.returncode == 2, (out.returncode, out.stderr)
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith("error:")]
    assert len(errors) == 1, out.stderr
    return errors[0]


def test_load_refuses_a_graph_that_holds_data_and_names_it(tmp_path: Path) -> None:
    store = tmp_path / "store"
    user = tmp_path / "landscape.ttl"  # a user's file named like the curated graph
    user.write_text('<https://w3id.org/aikg/id/model/mine> <https://schema.org/name> "Mine" .\n', encoding="utf-8")
    assert kg("query", "ASK {}", "--store", str(store)).returncode == 2  # (reading does not create it)
    extra = tmp_path / "extra.ttl"
    extra.write_text('<https://w3id.org/aikg/id/model/x> <https://schema.org/name> "X" .\n', encoding="utf-8")
    assert kg("load", str(extra), "--store", str(store)).returncode == 0  # creates and fills the store
    before = kg("query", MODELS, "--store", str(store)).stdout.splitlines()[1]
    assert int(before) > 100

    for args in ([str(user)], [str(user), "--graph", LANDSCAPE]):
        line = one_error_line(kg("load", *args, "--store", str(store)))
        assert f"graph {LANDSCAPE} already holds" in line and "triples of curated data" in line
        assert "--replace" in line and "--append" in line
        assert kg("query", MODELS, "--store", str(store)).stdout.splitlines()[1] == before

    out = kg("load", str(user), "--store", str(store), "--append")
    assert out.returncode == 0, out.stderr
    assert kg("query", MODELS, "--store", str(store)).stdout.splitlines()[1] == before
    out = kg("load", str(user), "--store", str(store), "--replace")
    assert out.returncode == 0, out.stderr
    assert kg("query", MODELS, "--store", str(store)).stdout.splitlines()[1] == "0"
    one_error_line(kg("load", str(user), "--store", str(store), "--replace", "--append"))


def test_reading_commands_never_create_a_store(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir"
    not_a_store = tmp_path / "documents"
    not_a_store.mkdir()
    (not_a_store / "notes.txt").write_text("mine", encoding="utf-8")
    for where in (missing, not_a_store):
        for args in (
            ["query", "ASK {}"],
            ["history"],
            ["validate"],
            ["coverage"],
            ["review"],
            ["analytics", "chains"],
            ["viz", "charts", "-o", str(tmp_path / "c.html")],
        ):
            line = one_error_line(kg(*args, "--store", str(where)))
            assert f"--store {where}" in line and "never create" in line
    assert not missing.exists()
    assert sorted(p.name for p in not_a_store.iterdir()) == ["notes.txt"]


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out += _commands(command, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


def test_every_subcommand_with_a_bad_argument_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    ttl = tmp_path / "x.ttl"
    ttl.write_text('<https://w3id.org/aikg/id/model/x> <https://schema.org/name> "X" .\n', encoding="utf-8")
    nowhere = str(tmp_path / "no-such-dir")
    page = str(tmp_path / "no-such-dir" / "x.html")
    bad: dict[tuple[str, ...], list[list[str]]] = {
        ("serve",): [["--load", str(tmp_path / "none.ttl")]],
        ("query",): [["ASK {}", "--store", nowhere], ["SELECT ?x WHERE { ?x ?p }"]],
        ("load",): [[str(ttl), "--graph", "not an iri"], [str(tmp_path / "none.ttl")]],
        ("import",): [["epoch", str(ttl)]],
        ("diff",): [["epoch", "--store", nowhere]],
        ("history",): [["--store", nowhere]],
        ("validate",): [["--store", nowhere]],
        ("viz", "ego"): [["model/glm-4.5", "-o", page], ["model/no-such-model", "-o", str(tmp_path / "e.html")]],
        ("viz", "lineage"): [["glm-4.5", "-o", page]],
        ("viz", "landscape"): [["-o", page], ["-o", str(tmp_path)]],
        ("viz", "claims"): [["-o", page]],
        ("viz", "query"): [["CONSTRUCT WHERE { ?s ?p ?o }", "-o", page]],
        ("viz", "charts"): [["-o", page]],
        ("analytics", "centrality"): [["--store", nowhere]],
        ("analytics", "chains"): [["--store", nowhere]],
        ("analytics", "path"): [["model/no-such-model", "model/glm-4.5"]],
        ("analytics", "communities"): [["--store", nowhere]],
        ("analytics", "chart"): [["moe-share", "--store", nowhere]],
        ("coverage",): [["--store", nowhere]],
        ("review",): [["no-such-claim"]],
        ("dump",): [["--graph", "not an iri", "-o", str(tmp_path / "d.nq")], ["--format", "ttl", "-o", page]],
        ("mcp",): [["--store", nowhere]],
    }
    assert sorted(_commands(main)) == sorted(bad), "give every new subcommand a bad-argument case here"
    for command, cases in bad.items():
        for args in cases:
            line = one_error_line(kg(*command, *args))
            assert len(line) < 400, line
    assert not Path(nowhere).exists()
    assert "not an iri" in one_error_line(kg("load", str(ttl), "--graph", "not an iri"))
    assert "folder" in one_error_line(kg("viz", "charts", "-o", page)) and nowhere in page


def test_serve_on_a_busy_port_says_so_before_any_banner() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = kg("serve", "--port", str(port))
    line = one_error_line(out)
    assert f"127.0.0.1:{port}" in line and "in use" in line
    assert "AI Landscape KG on" not in out.stderr
