"""The `kg` command line, run as a user runs it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.settings import Settings


def kg(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, input=stdin, timeout=120
    )


def test_query_tsv_and_csv() -> None:
    out = kg("query", "SELECT ?n WHERE { model:glm-4.5 schema:name ?n }")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["?n", '"GLM-4.5"']
    out = kg("query", "SELECT ?n WHERE { model:glm-4.5 schema:name ?n }", "--format", "csv")
    assert out.stdout.splitlines() == ["n", "GLM-4.5"]


def test_query_syntax_error_exits_2_with_position() -> None:
    out = kg("query", "SELECT ?x WHERE { ?x ?p }")
    assert out.returncode == 2
    assert "error:" in out.stderr and "1:" in out.stderr


def test_load_into_persistent_store_then_query(tmp_path: Path) -> None:
    store = tmp_path / "store"
    data = tmp_path / "extra.ttl"
    data.write_text('<https://w3id.org/aikg/id/model/x> <https://schema.org/name> "Extra model" .\n', encoding="utf-8")
    out = kg("load", str(data), "--store", str(store))
    assert out.returncode == 0, out.stderr
    assert "https://w3id.org/aikg/graph/extra" in out.stdout
    out = kg("query", "SELECT ?n WHERE { model:x schema:name ?n }", "--store", str(store))
    assert out.stdout.splitlines() == ["?n", '"Extra model"']
    # the new store was filled with the embedded graph too
    out = kg("query", "ASK { model:glm-4.5 a aikg:AIModel }", "--store", str(store), "--format", "json")
    assert '"boolean":true' in out.stdout.replace(" ", "")


def test_load_bad_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n", encoding="utf-8")
    out = kg("load", str(bad))
    assert out.returncode == 2
    assert f"{bad}, line 2" in out.stderr
    assert out.stderr.count("line 2") == 2  # "FILE, line 2: … between line 2 column …", not a third time
    assert "(bad.ttl, line 2)" not in out.stderr


def test_load_bad_file_into_a_store_names_the_line_once(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_text('<http://a> <http://b> <http://c> .\n<http://a> <http://b> "x\n', encoding="utf-8")
    out = kg("load", "--store", str(tmp_path / "db"), str(bad))
    assert out.returncode == 2
    assert f"{bad}, line 2: " in out.stderr
    assert "(bad.nt, line 2)" not in out.stderr


def test_validate_conforms() -> None:
    out = kg("validate")
    assert out.returncode == 0, out.stdout[-2000:]
    assert "conforms" in out.stdout


def test_viz_writes_self_contained_html(tmp_path: Path) -> None:
    target = tmp_path / "glm.html"
    out = kg("viz", "model/glm-4.5", "-o", str(target))
    assert out.returncode == 0, out.stderr
    html = target.read_text(encoding="utf-8")
    assert "Zhipu AI" in html and "vis.Network" in html and "cdnjs" not in html


def test_viz_unknown_entity() -> None:
    out = kg("viz", "model/no-such-model", "-o", "/dev/null")
    assert out.returncode == 2
    assert "no model named" in out.stderr


def test_settings_from_environment_and_overrides() -> None:
    s = Settings.from_env(
        {"KG_PORT": "9000", "KG_UPDATE_TOKEN": "t", "KG_QUERY_TIMEOUT": "2.5", "KG_CORS_ORIGINS": "a,b"}, port=9100
    )
    assert (s.port, s.update_token, s.query_timeout_s, s.cors_origins) == (9100, "t", 2.5, ("a", "b"))
    with pytest.raises(ValueError):
        Settings.from_env({"KG_PORT": "abc"})


def test_serve_on_a_store_cleans_up_when_terminated(tmp_path: Path) -> None:
    # SIGTERM (systemd, docker stop, kill): the server closes its store, so the writer process
    # ends and no checkpoint is left beside the store.
    import httpx

    from tests.conftest import free_port

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--store", str(tmp_path / "db"), "--port", str(port)],
        cwd=Path(__file__).resolve().parents[1],
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert (tmp_path / "db.checkpoints").is_dir()
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 128 + signal.SIGTERM
    finally:
        server.kill()
    assert not (tmp_path / "db.checkpoints").exists()
    assert not subprocess.run(["pgrep", "-f", f"writer_main.*{tmp_path}"], capture_output=True).stdout
