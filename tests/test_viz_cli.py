"""`kg viz …` and `kg analytics …`, run as a user runs them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.test_cli import kg


def labels(path: Path) -> set[str]:
    html = path.read_text(encoding="utf-8")
    return {n["label"] for n in json.loads(re.findall(r"new vis\.DataSet\((.*?)\);\n", html)[0])}


def test_viz_ego_and_the_short_form(tmp_path: Path) -> None:
    out = kg(
        "viz", "ego", "model/glm-4.5", "-o", str(tmp_path / "a.html"), "--depth", "2", "--types", "model,organization"
    )
    assert out.returncode == 0, out.stderr
    assert {"GLM-4.5", "GLM-4.5-Air", "Zhipu AI"} <= labels(tmp_path / "a.html")
    short = kg("viz", "model/glm-4.5", "-o", str(tmp_path / "b.html"))
    assert short.returncode == 0, short.stderr
    assert re.match(r"wrote .*b\.html \(\d+ nodes, \d+ edges\)", short.stdout)


def test_viz_lineage_landscape_claims_query_charts(tmp_path: Path) -> None:
    assert kg("viz", "lineage", "deepseek-r1", "-o", str(tmp_path / "l.html")).returncode == 0
    assert {"DeepSeek-R1", "Llama 3.1 8B", "Qwen2.5-Math-7B"} <= labels(tmp_path / "l.html")
    assert kg("viz", "landscape", "-o", str(tmp_path / "s.html"), "--year", "2025", "--openness", "osi").returncode == 0
    assert "GLM-4.5" in labels(tmp_path / "s.html")
    assert kg("viz", "claims", "-o", str(tmp_path / "c.html"), "--about", "model/glm-4.5").returncode == 0
    assert "GLM-4.5" in labels(tmp_path / "c.html")
    query = "CONSTRUCT { ?m schema:creator ?o } WHERE { ?m schema:creator ?o } LIMIT 20"
    assert kg("viz", "query", "-", "-o", str(tmp_path / "q.html"), stdin=query).returncode == 0
    assert "CONSTRUCT" in (tmp_path / "q.html").read_text(encoding="utf-8")
    charts = kg("viz", "charts", "-o", str(tmp_path / "charts.html"), "--since", "2024")
    assert charts.returncode == 0 and (tmp_path / "charts.html").read_text(encoding="utf-8").count("<svg") == 3


def test_viz_errors_exit_2(tmp_path: Path) -> None:
    out = kg("viz", "query", "SELECT * WHERE { ?s ?p ?o }", "-o", str(tmp_path / "x.html"))
    assert out.returncode == 2 and "CONSTRUCT" in out.stderr
    out = kg("viz", "lineage", "no-such-model", "-o", str(tmp_path / "x.html"))
    assert out.returncode == 2 and "no model named" in out.stderr
    out = kg("viz", "landscape", "--openness", "free", "-o", str(tmp_path / "x.html"))
    assert out.returncode == 2 and "openness" in out.stderr
    assert not (tmp_path / "x.html").exists()


def test_analytics_commands() -> None:
    out = kg("analytics", "centrality", "--projection", "lineage", "--limit", "1", "--json")
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert body["projection"]["name"] == "lineage" and body["results"][0]["label"] == "DeepSeek-V3"
    text = kg("analytics", "centrality", "--measure", "degree", "--kind", "organization", "--limit", "2").stdout
    assert text.splitlines()[0].startswith("projection: organization-model")
    assert "Alibaba Group" in text.splitlines()[1]
    chains = kg("analytics", "chains", "--limit", "1").stdout
    # the longest chain of the grown graph: DeepSeek's V3 line, five derivation steps with their types
    assert chains.splitlines()[1] == (
        "  5  DeepSeek-V3.2-Speciale -[fine-tune]-> DeepSeek-V3.2 -[fine-tune]-> DeepSeek-V3.2-Exp "
        "-[continued pre-training]-> DeepSeek-V3.1-Terminus -[fine-tune]-> DeepSeek-V3.1 "
        "-[continued pre-training]-> DeepSeek-V3"
    )
    path = kg("analytics", "path", "model/deepseek-r1-distill-llama-8b", "organization/meta").stdout
    assert (
        "DeepSeek-R1-Distill-Llama-8B -[based on]-> Llama 3.1 8B" in path and "Llama 3.1 8B -[creator]-> Meta" in path
    )
    communities = kg("analytics", "communities", "--projection", "organization-model").stdout
    assert "louvain, seed 42" in communities
    chart = kg("analytics", "chart", "license-mix").stdout.splitlines()
    assert chart[0] == "region\topenness\tmodels"
