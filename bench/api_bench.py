"""The HTTP service under load, from a second process on loopback.

1. A data directory with the demo corpus and the abstract records of bench/records replicated
   to N documents (each copy with its own content hash), built once under bench/out/ and reused.
2. A real `jejaring serve` on loopback; a load process (this script with --load) keeps C
   requests in flight for D seconds per endpoint: /search, /documents/{id},
   /obstacles/recurring and a SPARQL aggregate. Requests/s and latency p50/p95/p99.
3. Baseline in the same run: the same SPARQL aggregate through rdflib's own in-memory engine
   over the same quads, and through pyoxigraph in-process (no HTTP).
4. Optionally (--fuzz SECONDS) a schemathesis run of the OpenAPI schema against the server:
   test cases generated and how many answered 5xx (pip install schemathesis, or '.[bench]').

Usage: python bench/api_bench.py [--docs 1000] [--seconds 10] [--concurrency 8] [--fuzz 120]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from replicate import marker, replicate, sources  # noqa: E402

AGGREGATE = """SELECT ?obstacle (COUNT(DISTINCT ?doc) AS ?studies) (COUNT(DISTINCT ?place) AS ?places)
WHERE { ?doc jj:reportsObstacle ?obstacle ; jj:studiesPlace ?place }
GROUP BY ?obstacle ORDER BY DESC(?studies)"""
AGGREGATE_PREFIXES = "PREFIX jj: <https://w3id.org/jejaring/ns#>\n"
TOKEN = "bench-token"


# --- the data directory ---------------------------------------------------------------
def build_data(data: Path, docs: int) -> None:
    """Built once (by this or by `ingest_bench.py --keep`) and reused."""
    if marker(data, docs).exists():
        return
    shutil.rmtree(data, ignore_errors=True)
    replicate(data, docs, sources())


# --- load ---------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_load(base: str, paths: list[str], seconds: float, concurrency: int) -> dict[str, float]:
    """Keep `concurrency` requests in flight for `seconds`; the paths are taken in turn."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        nonlocal errors
        with httpx.Client(base_url=base, timeout=60) as client:
            i = offset
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                response = client.get(paths[i % len(paths)])
                elapsed = time.perf_counter() - t
                with lock:
                    latencies.append(elapsed)
                    errors += response.status_code >= 400
                i += concurrency

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / wall,
        "p50": percentile(latencies, 0.50) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
    }


def load_process(args: argparse.Namespace) -> None:
    """The second process: reads the scenario as JSON on stdin, prints results as JSON."""
    scenario = json.load(sys.stdin)
    results = {
        name: run_load(scenario["base"], paths, scenario["seconds"], scenario["concurrency"])
        for name, paths in scenario["endpoints"].items()
    }
    json.dump(results, sys.stdout)


def endpoints(base: str) -> dict[str, list[str]]:
    gold = json.loads((ROOT / "bench" / "gold" / "retrieval.json").read_text())
    queries = [q["query"] for q in gold["queries"]]
    ids = httpx.get(f"{base}/documents", params={"limit": 200}).json()["items"]
    search = [str(httpx.URL("/search", params={"q": q, "k": 10})) for q in queries]
    sparql = str(httpx.URL("/sparql", params={"query": AGGREGATE}))
    return {
        "GET /search": search,
        "GET /documents/{id}": [f"/documents/{d['id']}" for d in ids],
        "GET /obstacles/recurring": ["/obstacles/recurring?level=regency&min_places=2"],
        "GET /sparql (aggregate)": [sparql],
    }


# --- baseline: the same aggregate in-process ----------------------------------------------
def baseline(data: Path, repeat: int) -> list[tuple[str, float, float]]:
    import pyoxigraph as ox
    import rdflib

    from kg.store import PREFIX_MAP

    store = ox.Store.read_only(str(data / "graph"))
    nquads = store.dump(format=ox.RdfFormat.N_QUADS)
    rows = []
    t = time.perf_counter()
    for _ in range(repeat):
        expected = len(list(store.query(AGGREGATE, use_default_graph_as_union=True, prefixes=PREFIX_MAP)))  # fmt: skip
    rows.append(("pyoxigraph in-process", (time.perf_counter() - t) / repeat, expected))
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(data=nquads, format="nquads")
    t = time.perf_counter()
    for _ in range(repeat):
        found = len(list(dataset.query(AGGREGATE_PREFIXES + AGGREGATE)))
    rows.append(("rdflib in-memory (baseline)", (time.perf_counter() - t) / repeat, found))
    return rows


# --- fuzzing ----------------------------------------------------------------------------
def fuzz(base: str, seconds: int) -> str:
    binary = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if binary is None:
        return "schemathesis is not installed: pip install -e '.[bench]'"
    # The coverage phase trips a recursion bug of hypothesis on Python 3.11; the others run.
    command = [
        binary, "run", f"{base}/openapi.json", "--checks", "not_a_server_error",
        "--phases", "examples,fuzzing,stateful", "--max-time", str(seconds), "--workers", "2",
        "--header", f"Authorization: Bearer {TOKEN}",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = done.stdout.splitlines()
    start = next((i for i, line in enumerate(lines) if "SUMMARY" in line), len(lines) - 25)
    return "\n".join(lines[start:]) + f"\n(exit status {done.returncode})"


def fuzz_copy(data: Path, seconds: int) -> str:
    """Fuzz a server over a copy: with the token, schemathesis uploads and deletes studies,
    and the cached benchmark data must stay as built."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data, copy)
        port = free_port()
        server = serve(copy, port)
        try:
            return fuzz(f"http://127.0.0.1:{port}", seconds)
        finally:
            server.terminate()
            server.wait(30)


# --- the run --------------------------------------------------------------------------------
def serve(data: Path, port: int, **settings: str) -> subprocess.Popen[bytes]:
    """A real `jejaring serve` with the token; `settings` are more JEJARING_ variables."""
    env = {**os.environ, "JEJARING_API_TOKEN": TOKEN, **settings}
    command = [sys.executable, "-m", "api.cli", "serve", "--data", str(data), "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the server did not come up")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0, help="Load time per endpoint.")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--fuzz", type=int, default=0, help="Seconds of schemathesis (0: none).")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "out", help="Cache folder.")
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        return load_process(args)

    data = args.data / f"api-{args.docs}"
    print(f"# API benchmark — {args.docs} documents, {args.concurrency} requests in flight")
    build_data(data, args.docs)
    print(f"  data built in {marker(data, args.docs).read_text()} s (cached: {data})")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(data, port)
    try:
        health = httpx.get(f"{base}/health").json()
        print(f"  server: {health['store']['documents']} documents, "
              f"{health['index']['passages']} passages, {health['index']['dense']} index")  # fmt: skip
        scenario = {"base": base, "seconds": args.seconds, "concurrency": args.concurrency,
                    "endpoints": endpoints(base)}  # fmt: skip
        loader = subprocess.run(
            [sys.executable, __file__, "--load"], input=json.dumps(scenario), text=True,
            capture_output=True, check=True,
        )  # fmt: skip
        results = json.loads(loader.stdout)
        print(f"\n## under load ({args.seconds:g} s per endpoint, from a second process)")
        print(
            f"  {'endpoint':<28} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
        )
        for name, r in results.items():
            print(f"  {name:<28} {r['rps']:8.1f} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} "
                  f"{r['errors']:7d}")  # fmt: skip
        print(f"  server peak RSS {peak_rss_mb(server.pid):.0f} MB")
    finally:
        server.terminate()
        server.wait(30)
    fuzzed = fuzz_copy(data, args.fuzz) if args.fuzz else None

    print("\n## the SPARQL aggregate in-process, same quads (mean of 20)")
    rows = baseline(data, 20)
    for label, seconds, count in rows:
        print(f"  {label:<30} {seconds * 1000:9.1f} ms/query   ({count} rows)")
    served = results["GET /sparql (aggregate)"]
    print(f"  ratio rdflib / pyoxigraph: {rows[1][1] / rows[0][1]:.1f}x; "
          f"the server answers {served['rps']:.1f} aggregates/s over HTTP "
          f"vs {1 / rows[1][1]:.2f}/s for rdflib in-process")  # fmt: skip
    if fuzzed:
        print(f"\n## schemathesis, {args.fuzz} s against the OpenAPI schema\n{fuzzed}")


if __name__ == "__main__":
    main()
