"""Benchmark ``kg serve`` side by side with Oxigraph server, Virtuoso and rdflib-endpoint.

``make bench`` runs this script. It uses the shared kit in ``../shared/bench`` in place (never a
copy): ``gen_landscape.py`` makes the data, ``run_bench.py`` starts the peers it can find, sends
the 12-query mix to every system in one run (cold and warm modes) and writes JSON. This script
starts our own server on the same file (``kg serve --load FILE``), adds what the kit cannot
measure (REST lookup/search latency with 8 clients, proportional memory of the forked workers,
the remote-engine overhead), and writes the ratio tables to ``bench-results/latest.md``.

The kit keeps the peers' working folders under its own ``data/``; the shared folder is
read-only here, so the harness is imported from its folder with that one path pointed at
``.bench/work`` (``peers.HERE``), and everything else of it runs unchanged.

Only ratios within one run count: the client shares the cores with the servers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".bench"
RESULTS = ROOT / "bench-results"
PY = ROOT / ".venv" / "bin" / "python"
BENCH_PY = ROOT / ".venv-bench" / "bin" / "python"
HARNESS = """
import sys
bench, work = sys.argv[1], sys.argv[2]
sys.path.insert(0, bench)
import peers
peers.HERE = work  # the peers' working folders go to our .bench/work, not the shared kit
import run_bench
sys.argv = ["run_bench.py", *sys.argv[3:]]
run_bench.main()
"""
PEERS = ("oxigraph", "virtuoso", "rdflib-endpoint")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def memory_of_tree(pid: int) -> dict[str, float]:
    """RSS (what the kit sums) and PSS (shared pages divided among sharers) of a process tree, in MiB."""
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(c) for c in children]
    except FileNotFoundError:
        pass
    rss = pss = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return {"processes": len(pids), "rss_mib": rss / 1024, "pss_mib": pss / 1024}


class Server:
    """A process we start and stop by its own PID."""

    def __init__(self, args: list[str], ready_url: str, log: Path, env: dict[str, str] | None = None) -> None:
        self.log = log
        # cwd=ROOT: `python -m cli.main` imports the package from the working directory first, so a
        # bench started elsewhere (another checkout) would measure that checkout's code.
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=log.open("w"), env={**os.environ, **(env or {})}, cwd=ROOT
        )
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{args[0]} exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(ready_url, timeout=2).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{ready_url} not ready")

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()


def generate(bench: Path, scale: str) -> Path:
    data = WORK / f"landscape-{scale}.nt"
    if not data.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(BENCH_PY), str(bench / "gen_landscape.py"), "--models", scale, "-o", str(data)], check=True)
    return data


def start_kg(data: Path, workers: int, extra: list[str] | None = None, on_disk: bool = False) -> tuple[Server, float]:
    port = free_port()
    log = WORK / f"kg-{data.stem}{'-disk' if on_disk else ''}.log"  # two designs may run side by side
    args = [str(PY), "-m", "cli.main", "serve", "--port", str(port), "--workers", str(workers), "--load", str(data)]
    if on_disk:  # a new store each run: the load is part of what is measured
        store = WORK / "work" / f"kg-store-{data.stem}"
        for leftover in (store, Path(f"{store}.checkpoints"), Path(f"{store}.updates.jsonl")):
            if leftover.is_dir():
                shutil.rmtree(leftover)
            elif leftover.exists():
                leftover.unlink()
        args += ["--store", str(store)]
    server = Server(args + (extra or []), f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", log)
    match = re.search(r"loaded \d+ triples from .* in ([0-9.]+) s", log.read_text())
    server.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    return server, float(match.group(1)) if match else float("nan")


def settle(url: str, limit_s: float = 1800.0) -> float:
    """Wait until the server's start-up work in the background is done; return the seconds waited.

    An on-disk store that was just loaded builds its name index in a process of its own (search
    answers 503 meanwhile) and computes the claim reviews; the kit's timings start after that, so
    they measure the queries, not the start-up.
    """
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        search = httpx.get(f"{url}/api/search", params={"q": "model"}, timeout=60)
        if search.status_code != 503:
            httpx.get(f"{url}/api/reviews", timeout=600)  # waits for the reviews when they are being computed
            return time.monotonic() - started
        time.sleep(1.0)
    raise RuntimeError(f"{url}: the name index was not ready after {limit_s:.0f} s")


def run_harness(bench: Path, out: Path, args: list[str]) -> dict[str, Any]:
    (WORK / "work").mkdir(parents=True, exist_ok=True)
    cmd = [str(BENCH_PY), "-c", HARNESS, str(bench), str(WORK / "work"), *args, "--out", str(out)]
    print("$", " ".join(cmd[3:]), flush=True)
    subprocess.run(cmd, check=True)
    return json.loads(out.read_text())


# -- REST latency (the kit measures SPARQL only) -----------------------------------------------
WRK_SCRIPT = Path(__file__).with_name("wrk_paths.lua")
_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _wrk(base: str, paths: list[str], connections: int, seconds: float, order: str) -> dict[str, Any]:
    """Run wrk (C, one event loop per thread) against `paths`; its own cost stays far below ours.

    The first measurement used an httpx client in Python, which saturated at about 450 requests
    per second while the server was 86 % idle (py-spy): the figures were the client's.
    """
    threads = min(2, connections)
    listing = WORK / f"paths-{os.getpid()}.txt"
    listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
    env = {**os.environ, "KG_PATHS": str(listing), "KG_ORDER": order, "KG_THREADS": str(threads)}
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", str(WRK_SCRIPT), base]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    listing.unlink()

    def latency(pct: str) -> float:
        m = re.search(rf"^\s*{pct}%\s+([0-9.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * _UNIT[m.group(2)] if m else float("nan")

    done = re.search(r"(\d+) requests in ([0-9.]+)s", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    requests = int(done.group(1)) if done else 0
    return {
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "qps": requests / float(done.group(2)) if done else 0.0,
        "requests": requests,
        "errors": (int(bad.group(1)) if bad else 0) + (sum(map(int, sock.groups())) if sock else 0),
    }


def _first_requests(base: str, paths: list[str]) -> dict[str, Any]:
    """One client, each path once, in order: every answer is computed (nothing cached yet)."""
    times = []
    errors = 0
    with httpx.Client(base_url=base, timeout=60) as client:
        for path in paths:
            t0 = time.perf_counter()
            r = client.get(path)
            times.append(time.perf_counter() - t0)
            errors += r.status_code != 200
    times.sort()
    return {
        "p50_ms": 1e3 * statistics.median(times),
        "p99_ms": 1e3 * times[int(0.99 * (len(times) - 1))],
        "requests": len(times),
        "errors": errors,
    }


def rest_latency(base: str, data: Path, clients: int = 8, seconds: float = 10.0) -> dict[str, Any]:
    """p50/p99 of entity lookups and searches: computed answers and repeated (cached) ones.

    - ``entity-first``: every model of the embedded graph once, one client: nothing cached.
    - ``entity``: six popular models asked again and again (1 and `clients` connections):
      the dataset-versioned response cache answers.
    - ``search-names``: distinct model names of the loaded file, each asked once (sequential
      walk, `clients` connections): every search is computed.
    - ``search-words``: 4+ letter words of those names, any order: repeats, as a search box sees.
    """
    names: list[str] = []
    with data.open(encoding="utf-8") as handle:
        for line in handle:
            if "rdf-schema#label" in line and "/model/" in line.split(" ", 1)[0]:
                names.append(line.split('"')[1])
            if len(names) >= 50_000:
                break
    rng = random.Random(7)
    rng.shuffle(names)
    words = sorted({w.lower() for name in names for w in re.findall(r"[A-Za-z]{4,}", name)})
    with httpx.Client(base_url=base, timeout=60) as client:
        slugs, url = [], "/api/models?limit=100"
        while url:
            r = client.get(url)
            slugs += [m["slug"] for m in r.json()["results"]]
            url = r.links.get("next", {}).get("url", "")
    popular = [
        f"/api/models/{s}"
        for s in ("glm-4.5", "deepseek-r1", "qwen3-235b-a22b", "llama-3.1-405b", "kimi-k2", "mistral-large-2")
    ]
    out: dict[str, Any] = {"entity-first": _first_requests(base, [f"/api/models/{s}" for s in slugs])}
    if shutil.which("wrk") is None:
        print("wrk is missing (apt-get install wrk): REST load figures skipped", flush=True)
        return out
    from urllib.parse import quote

    searches = [f"/api/search?q={quote(n)}" for n in names]
    out["entity"] = {
        **_wrk(base, popular, clients, seconds, "random"),
        "single": _wrk(base, popular, 1, seconds / 2, "random"),
    }
    out["search-names"] = {**_wrk(base, searches, clients, seconds, "sequential")}
    out["search-words"] = {
        **_wrk(base, [f"/api/search?q={w}" for w in words], clients, seconds, "random"),
        "distinct": len(words),
    }
    return out


# -- report --------------------------------------------------------------------------------------
def median_ms(res: dict[str, Any], mode: str, query: str, system: str) -> float | None:
    return res["latency"].get(mode, {}).get(query, {}).get(system, {}).get("median_ms")


def qps_of(res: dict[str, Any], mode: str, system: str) -> float | None:
    return res.get("throughput", {}).get(mode, {}).get(system, {}).get("qps")


def _fmt(x: float | None, spec: str = ".2f") -> str:
    return "–" if x is None else format(x, spec)


def render_scale(res: dict[str, Any], extra: dict[str, Any]) -> list[str]:
    systems = list(res["systems"])
    http = [s for s in systems if res["systems"][s]["kind"] == "http"]
    base = "oxigraph" if "oxigraph" in systems else systems[1]
    meta = res["meta"]
    out = [
        f"### {meta['scale']} models ({meta['triples']:,} triples)",
        "",
        f"Measured {meta['time']}; kit parameters {json.dumps(meta['params'])}.",
        "",
    ]
    for mode in ("cold", "warm"):
        if mode not in res["latency"]:
            continue
        out += [
            f"**{mode}** — median latency in ms, `[×]` = ratio to {base} (lower is better)",
            "",
            "| query | " + " | ".join(systems) + " |",
            "|---|" + "---:|" * len(systems),
        ]
        for q in res["latency"][mode]:
            b = median_ms(res, mode, q, base)
            cells = []
            for s in systems:
                m = median_ms(res, mode, q, s)
                cells.append("–" if m is None else f"{m:.2f}" + (f" [{m / b:.2f}×]" if b and s != base else ""))
            out.append(f"| {q} | " + " | ".join(cells) + " |")
        out.append("")
    out += [
        "| system | load s | triples/s | RSS after load MiB | RSS peak MiB | cold q/s | warm q/s |"
        + "".join(f" cold ×{p} | warm ×{p} |" for p in http if p != "kg"),
        "|---|" + "---:|" * (6 + 2 * len([p for p in http if p != "kg"])),
    ]
    for s in systems:
        info = res["systems"][s]
        peaks = [info.get("rss_after_load"), info.get("rss_end")] + [
            res.get("throughput", {}).get(m, {}).get(s, {}).get("rss_peak") for m in ("cold", "warm")
        ]
        peak = max((p for p in peaks if p), default=None)
        row = [
            s,
            _fmt(info.get("load_s")),
            _fmt(info.get("triples_per_s"), ",.0f"),
            _fmt(info["rss_after_load"] / 2**20 if info.get("rss_after_load") else None, ".0f"),
            _fmt(peak / 2**20 if peak else None, ".0f"),
            _fmt(qps_of(res, "cold", s), ".1f"),
            _fmt(qps_of(res, "warm", s), ".1f"),
        ]
        for p in http:
            if p == "kg":
                continue
            for mode in ("cold", "warm"):
                mine, theirs = qps_of(res, mode, s), qps_of(res, mode, p)
                row.append(f"{mine / theirs:.2f}" if s == "kg" and mine and theirs else "")
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    if "inproc-pyoxigraph" in systems:
        out += [
            "HTTP overhead of `kg` over the engine in process (same cold query strings): median through",
            "`/sparql` minus median of `inproc-pyoxigraph` (evaluation + serialization, no HTTP), in ms:",
            "",
            "| query | kg | in process | overhead |",
            "|---|---:|---:|---:|",
        ]
        for q in res["latency"]["cold"]:
            k, i = median_ms(res, "cold", q, "kg"), median_ms(res, "cold", q, "inproc-pyoxigraph")
            out.append(f"| {q} | {_fmt(k)} | {_fmt(i)} | {_fmt(k - i if k and i else None)} |")
        out.append("")
    if extra.get("memory_load"):
        m = extra["memory_load"]
        out += [
            f"Memory of the `kg` process tree after the load, before any query ({m['processes']} processes): "
            f"RSS summed {m['rss_mib']:.0f} MiB, PSS {m['pss_mib']:.0f} MiB.",
            "",
        ]
    if extra.get("memory_settled"):
        m = extra["memory_settled"]
        out += [
            f"Memory once the start-up's background work was done ({extra['settle_s']:.1f} s after the first "
            f"answer: name index, claim reviews; {m['processes']} processes): RSS summed {m['rss_mib']:.0f} MiB, "
            f"PSS {m['pss_mib']:.0f} MiB. The kit's timings start after this.",
            "",
        ]
    if extra.get("memory"):
        m = extra["memory"]
        out += [
            f"Memory of the `kg` process tree after the run ({m['processes']} processes: server + forked query "
            f"workers): RSS summed {m['rss_mib']:.0f} MiB (what the kit reports: shared copy-on-write pages "
            f"counted once per process), PSS {m['pss_mib']:.0f} MiB (each shared page divided among its sharers).",
            "",
        ]
    if extra.get("rest"):
        out += [
            "REST (measured by this script with `wrk`, not by the kit): `connections` concurrent",
            "keep-alive clients, each sending its next request as soon as the last is answered.",
            "",
            "| what | connections | p50 ms | p99 ms | req/s | requests | errors |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        labels = {
            "entity-first": "`/api/models/{slug}`, each embedded model once (computed)",
            "entity": "`/api/models/{slug}`, 6 popular models repeated (response cache)",
            "search-names": "`/api/search?q=` distinct model names, each once (computed)",
            "search-words": "`/api/search?q=` words of names, repeated",
        }
        for kind, r in extra["rest"].items():
            conns = 1 if kind == "entity-first" else 8
            qps = f"{r['qps']:.0f}" if "qps" in r else "–"
            out.append(
                f"| {labels.get(kind, kind)} | {conns} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {qps} "
                f"| {r['requests']} | {r['errors']} |"
            )
            if "single" in r:
                one = r["single"]
                out.append(
                    f"| {labels.get(kind, kind)} | 1 | {one['p50_ms']:.2f} | {one['p99_ms']:.2f} | {one['qps']:.0f} "
                    f"| {one['requests']} | {one['errors']} |"
                )
        out.append("")
    mism = res.get("mismatches")
    out += [
        "Result sizes: "
        + (
            "mismatches: " + json.dumps(mism)
            if mism
            else "every query string gave the same size on every system (DESCRIBE excepted)."
        ),
        "",
    ]
    return out


def render_remote(res: dict[str, Any]) -> list[str]:
    out = [
        f"### Remote mode: `kg serve --store` over Oxigraph server, {res['meta']['scale']} models",
        "",
        "Overhead of the API tier over the same engine queried directly (goal ≤ 15%):",
        "",
        "| query | cold kg-remote ms | cold oxigraph-direct ms | overhead | warm kg-remote ms | warm oxigraph-direct ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for q in res["latency"].get("cold", {}):
        k, d = median_ms(res, "cold", q, "kg-remote"), median_ms(res, "cold", q, "oxigraph-direct")
        kw, dw = median_ms(res, "warm", q, "kg-remote"), median_ms(res, "warm", q, "oxigraph-direct")
        over = f"{100 * (k / d - 1):+.0f}%" if k and d else "–"
        out.append(f"| {q} | {_fmt(k)} | {_fmt(d)} | {over} | {_fmt(kw)} | {_fmt(dw)} |")
    for mode in ("cold", "warm"):
        k, d = qps_of(res, mode, "kg-remote"), qps_of(res, mode, "oxigraph-direct")
        if k and d:
            out.append(f"\n{mode} throughput: kg-remote {k:.1f} q/s, oxigraph-direct {d:.1f} q/s ({k / d:.2f}×)")
    return [*out, ""]


def render(
    runs: list[tuple[dict[str, Any], dict[str, Any]]], remote: dict[str, Any] | None, notes: dict[str, Any]
) -> str:
    first = runs[0][0] if runs else remote
    assert first is not None
    versions = ", ".join(f"{k} {v}" for k, v in first["meta"]["versions"].items())
    lines = [
        "# Benchmark: kg vs Oxigraph server, Virtuoso, rdflib-endpoint",
        "",
        f"Measured {notes['date']} with `make bench` (the kit in `../shared/bench`, run in place).",
        f"Machine: {first['meta']['cpu_count']} cores, {first['meta']['mem_gib']} GiB, {first['meta']['platform']}; "
        f"load average before/after: {notes['load_before']} / {notes['load_after']} (the cores are shared, so only "
        "ratios within one run count).",
        f"Versions: {versions}; kg {notes['kg_version']} with {notes['workers']} query workers, store "
        f"{'on disk (writer process, checkpoint-reading workers)' if notes.get('store', 'memory') == 'disk' else 'in memory'}.",
        "",
    ]
    for res, extra in runs:
        lines += render_scale(res, extra)
    if remote:
        lines += render_remote(remote)
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench-dir", default=os.environ.get("KG_BENCH_DIR", str(ROOT.parent / "shared" / "bench")))
    ap.add_argument("--scales", default="10k,100k", help="comma list of model counts: 1k, 10k, 100k, 1m")
    ap.add_argument("--peers", default=",".join(PEERS), help="peers for the kit (missing ones are skipped)")
    ap.add_argument("--workers", type=int, default=2, help="kg query workers")
    ap.add_argument("--quick", action="store_true", help="short run: --reps 5 --budget 1 --duration 6")
    ap.add_argument(
        "--store",
        choices=("disk", "memory"),
        default="disk",
        help="kg's store: on disk (writer process, checkpoint-reading workers) or in memory",
    )
    ap.add_argument("--kit-args", default="", help="more options for the kit's run_bench.py, e.g. '--reps 10'")
    ap.add_argument("--no-remote", action="store_true", help="skip the remote-mode overhead run")
    ap.add_argument("--remote-scale", default="10k", help="data size of the remote-mode run")
    ap.add_argument("--extra-only", help="kit JSON of an earlier run: only add REST and memory figures to it")
    ap.add_argument("--out", default=str(RESULTS / "latest.md"))
    ap.add_argument("--report", nargs="*", help="only render these JSON files (bench-results/raw/*.json)")
    a = ap.parse_args()
    bench = Path(a.bench_dir).resolve()
    raw = RESULTS / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    if a.report:
        bundle = [json.loads(Path(p).read_text()) for p in a.report]
        runs = [(b["kit"], b.get("extra", {})) for b in bundle if "kit" in b]
        remote = next((b["remote"] for b in bundle if "remote" in b), None)
        notes = next(b["notes"] for b in bundle if "notes" in b)
        Path(a.out).write_text(render(runs, remote, notes), encoding="utf-8")
        print("wrote", a.out)
        return
    if not (bench / "run_bench.py").exists():
        sys.exit(f"the benchmark kit is not at {bench} (set KG_BENCH_DIR)")
    if not BENCH_PY.exists():
        sys.exit("run `make bench` (it creates .venv-bench with the kit's dependencies)")
    quick = ["--reps", "5", "--budget", "1", "--duration", "6"] if a.quick else []
    from kg import __version__

    notes = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": loadavg(),
        "kg_version": __version__,
        "workers": a.workers,
        "store": a.store,
    }
    stamp = time.strftime("%Y%m%d-%H%M%S")
    runs = []
    if a.extra_only:
        res = json.loads(Path(a.extra_only).read_text())
        data = generate(bench, res["meta"]["scale"])
        server, _load_s = start_kg(data, a.workers)
        try:
            extra = {"memory": memory_of_tree(server.pid), "rest": rest_latency(server.url, data)}  # type: ignore[attr-defined]
        finally:
            server.stop()
        out = raw / f"bundle-{res['meta']['scale']}-{stamp}.json"
        out.write_text(json.dumps({"kit": res, "extra": extra}), encoding="utf-8")
        print("wrote", out)
        return
    for scale in [s for s in a.scales.split(",") if s]:
        data = generate(bench, scale)
        huge = scale.lower() == "1m"
        # At 1M models (21.9M triples) a scan takes tens of seconds: kg's query limit is raised to
        # the kit's request timeout, and rdflib-endpoint (hours of parsing into memory) and the
        # in-memory in-process floor are left out.
        extra_args = ["--query-timeout", "300"] if huge else []
        server, load_s = start_kg(data, a.workers, extra_args, on_disk=a.store == "disk")
        memory_load = memory_of_tree(server.pid)
        try:
            settle_s = settle(server.url)  # type: ignore[attr-defined]
            memory_settled = memory_of_tree(server.pid)
            slow = ["--timeout", "60", "--budget", "5"] if scale == "100k" and not a.quick else []
            if huge:
                slow = ["--timeout", "300", "--budget", "15"]
            peers = ",".join(p for p in a.peers.split(",") if not (huge and p == "rdflib-endpoint"))
            inproc = [] if huge else ["--inproc", "pyoxigraph"]
            res = run_harness(
                bench,
                raw / f"kit-{scale}-{stamp}.json",
                [
                    "--data", str(data), "--scale", scale, "--mode", "both", "--baseline", "oxigraph",
                    "--endpoint", f"kg={server.url}/sparql;method=post;pid={server.pid};load_s={load_s:.3f}",  # type: ignore[attr-defined]
                    "--peers", peers, *inproc, *quick, *slow, *a.kit_args.split(),
                ],
            )  # fmt: skip
            extra = {
                "memory_load": memory_load,
                "settle_s": settle_s,
                "memory_settled": memory_settled,
                "memory": memory_of_tree(server.pid),
                "rest": rest_latency(server.url, data),  # type: ignore[attr-defined]
            }
        finally:
            server.stop()
        runs.append((res, extra))
        (raw / f"bundle-{scale}-{stamp}.json").write_text(json.dumps({"kit": res, "extra": extra}), encoding="utf-8")
    remote = None
    oxigraph = Path(BENCH_PY).parent / "oxigraph"
    if not a.no_remote and oxigraph.exists():
        scale = a.remote_scale
        data = generate(bench, scale)
        location = WORK / "work" / f"oxigraph-remote-{scale}"
        shutil.rmtree(location, ignore_errors=True)
        # The data goes into a named graph, as kg keeps every source; the engine serves the union
        # of its graphs as default graph, so queried directly it sees the same triples. It runs
        # read-write: kg writes its claim reviews into it at start.
        graph = f"https://w3id.org/aikg/graph/{data.stem}"
        subprocess.run(
            [str(oxigraph), "load", "--location", str(location), "--file", str(data), "--graph", graph], check=True
        )
        port = free_port()
        engine = Server(
            [
                str(oxigraph),
                "serve",
                "--union-default-graph",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            f"http://127.0.0.1:{port}/query?query=ASK%7B%7D",
            WORK / "oxigraph-remote.log",
        )
        try:
            kg_port = free_port()
            api = Server(
                [
                    str(PY),
                    "-m",
                    "cli.main",
                    "serve",
                    "--port",
                    str(kg_port),
                    "--store",
                    f"http://127.0.0.1:{port}/query",
                    "--update-endpoint",
                    f"http://127.0.0.1:{port}/update",
                    "--engine-union-default",
                ],
                f"http://127.0.0.1:{kg_port}/health",
                WORK / "kg-remote.log",
            )
            try:
                remote = run_harness(
                    bench,
                    raw / f"remote-{scale}-{stamp}.json",
                    [
                        "--data", str(data), "--scale", f"{scale}-remote", "--mode", "both",
                        "--baseline", "oxigraph-direct",
                        "--endpoint", f"kg-remote=http://127.0.0.1:{kg_port}/sparql;method=post;pid={api.pid}",
                        "--endpoint", f"oxigraph-direct=http://127.0.0.1:{port}/query;method=post;pid={engine.pid}",
                        *quick,
                    ],
                )  # fmt: skip
            finally:
                api.stop()
        finally:
            engine.stop()
        (raw / f"bundle-remote-{stamp}.json").write_text(json.dumps({"remote": remote}), encoding="utf-8")
    notes["load_after"] = loadavg()
    (raw / f"bundle-notes-{stamp}.json").write_text(json.dumps({"notes": notes}), encoding="utf-8")
    Path(a.out).write_text(render(runs, remote, notes), encoding="utf-8")
    print("wrote", a.out)


if __name__ == "__main__":
    main()
