"""The two store designs side by side in one kit run: memory against scan speed (issue 16).

``kg serve`` keeps its data either **on disk** (``--store DIR``: a writer process, query workers
reading checkpoints; the data held once, in the page cache) or **in memory** (no ``--store``:
each process that reads the store ends up with its own copy). This script starts both on the same
kit file, waits until their start-up work is done, and runs the kit's 12-query mix once against
both and Oxigraph server (cold and warm modes), so the ratios come from one run; it samples the
summed PSS of each process tree after the start and after the mix.

Usage: ``python scripts/bench_frontier.py [--scales 10k,100k] [--kit-args "--reps 10 --budget 5"]``
(run ``make bench`` once first: it creates ``.venv-bench`` and the data files). Writes
``bench-results/frontier.md`` and the kit's JSON under ``bench-results/raw/``.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import RESULTS, ROOT, generate, median_ms, memory_of_tree, qps_of, run_harness, settle, start_kg

DESIGNS = ("kg-disk", "kg-memory")


def run_scale(bench: Path, scale: str, workers: int, kit_args: list[str], stamp: str) -> dict[str, Any]:
    """Serve `scale` both ways, run the kit against both and Oxigraph server; return figures."""
    data = generate(bench, scale)
    servers = {}
    try:
        servers["kg-disk"], _ = start_kg(data, workers, on_disk=True)
        servers["kg-memory"], _ = start_kg(data, workers, on_disk=False)
        for server in servers.values():
            settle(server.url)  # type: ignore[attr-defined]
        after_start = {name: memory_of_tree(server.pid) for name, server in servers.items()}
        endpoints = []
        for name, server in servers.items():
            endpoints += ["--endpoint", f"{name}={server.url}/sparql;method=post;pid={server.pid}"]  # type: ignore[attr-defined]
        slow = ["--timeout", "60"] if scale == "100k" else []
        kit = run_harness(
            bench,
            RESULTS / "raw" / f"frontier-{scale}-{stamp}.json",
            ["--data", str(data), "--scale", scale, "--mode", "both", "--baseline", "oxigraph",
             *endpoints, "--peers", "oxigraph", *slow, *kit_args],
        )  # fmt: skip
        after_mix = {name: memory_of_tree(server.pid) for name, server in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
    return {"kit": kit, "after_start": after_start, "after_mix": after_mix}


def render(results: dict[str, dict[str, Any]], kit_args: list[str]) -> str:
    """Return the Markdown report of :func:`run_scale`'s results, one section per scale."""
    lines = [
        "# The frontier: on-disk store against in-memory store (issue 16)",
        "",
        f"Measured {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} with `scripts/bench_frontier.py` (kit args "
        f"`{' '.join(kit_args) or 'defaults'}`): both designs of `kg serve` and Oxigraph server in one kit run per "
        "scale, 2 query workers each, started with `--load` of the kit's file and measured after their start-up "
        "work (name index, reviews) was done. Summed PSS: server, writer process and query workers. Only ratios "
        "within one run count.",
        "",
        "| models | design | cold q/s | cold × Oxigraph | warm q/s | warm × Oxigraph | PSS after start MiB "
        "| PSS after the mix MiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for scale, result in results.items():
        kit = result["kit"]
        for name in DESIGNS:
            cold, warm = qps_of(kit, "cold", name), qps_of(kit, "warm", name)
            ox_cold, ox_warm = qps_of(kit, "cold", "oxigraph"), qps_of(kit, "warm", "oxigraph")
            lines.append(
                f"| {scale} | {name} | {cold:.1f} | {cold / ox_cold:.2f} | {warm:.1f} | {warm / ox_warm:.2f} "
                f"| {result['after_start'][name]['pss_mib']:.0f} | {result['after_mix'][name]['pss_mib']:.0f} |"
            )
        lines.append(f"| {scale} | Oxigraph server | {qps_of(kit, 'cold', 'oxigraph'):.1f} | 1 | "
                     f"{qps_of(kit, 'warm', 'oxigraph'):.1f} | 1 | | |")  # fmt: skip
    for scale, result in results.items():
        kit = result["kit"]
        lines += [
            "",
            f"Cold medians at {scale}, ms:",
            "",
            "| query | kg-disk | kg-memory | Oxigraph server |",
            "|---|---:|---:|---:|",
        ]
        for query in kit["latency"].get("cold", {}):
            cells = [median_ms(kit, "cold", query, s) for s in (*DESIGNS, "oxigraph")]
            lines.append(f"| {query} | " + " | ".join("–" if c is None else f"{c:.2f}" for c in cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench-dir", default=str(ROOT.parent / "shared" / "bench"))
    ap.add_argument("--scales", default="10k,100k")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--kit-args", default="", help="more options for the kit's run_bench.py, e.g. '--reps 10'")
    ap.add_argument("--out", default=str(RESULTS / "frontier.md"))
    a = ap.parse_args()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kit_args = a.kit_args.split()
    results = {s: run_scale(Path(a.bench_dir), s, a.workers, kit_args, stamp) for s in a.scales.split(",") if s}
    (RESULTS / "raw" / f"frontier-bundle-{stamp}.json").write_text(json.dumps(results), encoding="utf-8")
    Path(a.out).write_text(render(results, kit_args), encoding="utf-8")
    print("wrote", a.out)


if __name__ == "__main__":
    main()
