"""Time ``kg load --store NEW --graph X FILE`` against ``oxigraph load`` on the same file (issue 16, item 2).

For each file: `--runs` rounds, each one ``kg load`` (this checkout, ``python -m cli.main``), one
``oxigraph load --location D --file F`` (into the default graph: 3 indexes) and one
``oxigraph load ... --graph X`` (into a named graph, as kg load: 6 indexes), in turn, each into a
new folder under `--tmp` (removed after the run), under ``/usr/bin/time -v`` for the peak RSS.
Prints one JSON line per run (wall seconds, triples/s, peak RSS in MiB, the 1-minute load average
before the run) and a Markdown table of medians (ratio: kg load's triples/s over oxigraph
load's). With ``--reads``, also times a few queries on the store kg load left (no
``optimize()``) and again after ``optimize()``.

Usage: ``python scripts/bench_load.py [--runs 3] [--reads] FILE...``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OXIGRAPH = ROOT.parent / "main" / ".venv-bench" / "bin" / "oxigraph"
GRAPH = "https://w3id.org/aikg/graph/bench"
READS = {
    "count by predicate": "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p",
    "one subject": "SELECT ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1",
    "join (100 subjects, 2 hops)": (
        "SELECT (COUNT(*) AS ?n) WHERE { { SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 100 } "
        "GRAPH ?g { ?s ?p ?o . ?s ?p2 ?o2 } }"
    ),
}


def _timed(command: list[str]) -> tuple[float, float, str]:
    """Run `command` under /usr/bin/time -v; return (wall s, peak RSS MiB, stdout)."""
    started = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - started
    if out.returncode != 0:
        raise SystemExit(f"{command[:4]} failed: {out.stderr[-2000:]}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    return wall, int(rss.group(1)) / 1024 if rss else float("nan"), out.stdout


def _reads(location: Path) -> dict[str, float]:
    import pyoxigraph as ox

    store = ox.Store(str(location))
    out: dict[str, float] = {}
    for name, text in READS.items():
        times = []
        for _ in range(5):
            started = time.perf_counter()
            list(store.query(text))
            times.append(time.perf_counter() - started)
        out[name] = statistics.median(times) * 1000
    del store
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reads", action="store_true", help="time queries before and after optimize()")
    parser.add_argument("--tmp", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    rows = []
    for path in args.files:
        triples = sum(1 for line in path.open("rb") if line.strip() and not line.lstrip().startswith(b"#"))
        for run in range(args.runs):
            for tool in ("kg", "oxigraph", "oxigraph --graph"):
                where = Path(tempfile.mkdtemp(dir=args.tmp, prefix=f"bench-load-{tool}-"))
                location = where / "store"
                load = os.getloadavg()[0]
                if tool == "kg":
                    command = [sys.executable, "-m", "cli.main", "load", "--store", str(location), "--graph", GRAPH]
                    wall, rss, stdout = _timed([*command, str(path)])
                    assert f"{triples:>8} triples  {GRAPH}" in stdout, stdout
                else:
                    graph = ["--graph", GRAPH] if tool.endswith("--graph") else []
                    command = [str(OXIGRAPH), "load", "--location", str(location), "--file", str(path), *graph]
                    wall, rss, _ = _timed(command)
                row = {"file": path.name, "tool": tool, "run": run + 1, "triples": triples, "wall_s": round(wall, 3)}
                row |= {"triples_per_s": round(triples / wall), "peak_rss_mib": round(rss), "loadavg_1m": load}
                if args.reads and tool == "kg" and run == 0:
                    import pyoxigraph as ox

                    row["reads_ms"] = _reads(location)
                    store = ox.Store(str(location))
                    store.optimize()
                    del store
                    row["reads_after_optimize_ms"] = _reads(location)
                print(json.dumps(row), flush=True)
                rows.append(row)
                shutil.rmtree(where)
    print(
        "\n| file | triples | kg load s | oxigraph load s | oxigraph load --graph s | ratio | ratio --graph | kg peak RSS MiB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in dict.fromkeys(row["file"] for row in rows):

        def median(tool: str, name: str = name) -> float:
            return statistics.median(r["wall_s"] for r in rows if r["file"] == name and r["tool"] == tool)

        kg, plain, graph = median("kg"), median("oxigraph"), median("oxigraph --graph")
        rss = max(r["peak_rss_mib"] for r in rows if r["file"] == name and r["tool"] == "kg")
        n = next(r["triples"] for r in rows if r["file"] == name)
        print(
            f"| {name} | {n:,} | {kg:.2f} | {plain:.2f} | {graph:.2f} | {plain / kg:.2f} | {graph / kg:.2f} | {rss} |"
        )


if __name__ == "__main__":
    main()
