"""Latency of /search and /documents/{id} over a remote Oxigraph server and the embedded store,
for the code before the batched look-ups (a git ref, main by default) and after (this tree),
in one run, on the same data.

1. A data directory, built once under bench/out/ and reused: the demo corpus, the abstract
   records of bench/records (and its sub-folders) and `--synth N` synthetic records
   (bench/synth.py --seed 7), ingested into the embedded store by this tree's code.
2. The same quads loaded into a real `oxigraph serve --union-default-graph` on loopback.
3. For each tree (the baseline's files come from `git archive REF`, no worktree) and each store,
   a fresh process on a copy of the data directory answers requests through the FastAPI app
   in-process (no HTTP between client and app, so the store's round trips are what differs):
   /search?k=10 by passage and by study (the gold retrieval queries), "cold" (the search
   service's per-study concept cache emptied before each request, as for the first searches
   after a start or on a large graph) and "warm", and /documents/{id} of every study.
   Latency p50/p95 in ms, and store queries per request (counted on the remote store's HTTP
   client). The answers of the two trees are compared: they must be the same JSON.

Usage: python bench/remote_bench.py [--baseline main] [--synth 200] [--rounds 1] [--queries 4]
       [--documents 10] [--out bench/remote_bench_results.txt]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# In --measure mode the tree under test comes first on the path (PYTHONPATH), not this one.
if "--measure" not in sys.argv:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- the data ------------------------------------------------------------------------------
def build_data(data: Path, synth: int) -> None:
    marker = data / f".remote-bench-{synth}"
    if marker.exists():
        return
    shutil.rmtree(data, ignore_errors=True)
    paths = sorted((ROOT / "corpus").glob("*.pdf"))
    paths += sorted(
        p for p in (ROOT / "bench" / "records").rglob("*") if p.suffix in (".txt", ".md")
    )
    if synth:
        records = OUT / f"synth-{synth}-seed7"
        if not (records / "truth.jsonl").exists():
            subprocess.run(
                [sys.executable, str(ROOT / "bench" / "synth.py"), "--count", str(synth),
                 "--seed", "7", "--out", str(records)], check=True,
            )  # fmt: skip
        paths += sorted(p for p in records.rglob("*") if p.suffix in (".txt", ".md"))
    from api.settings import Settings
    from api.workspace import Workspace

    with Workspace(Settings(data=data)) as workspace:
        summary = workspace.ingest_paths(paths)
        print(f"ingested {len(paths)} files: {summary}", flush=True)
        workspace.searching.save()
    marker.touch()


def dump_nquads(data: Path, target: Path) -> None:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(data / "graph"))
    with target.open("wb") as out:
        store.dump(out, ox.RdfFormat.N_QUADS)


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph"
    )
    if not found:
        sys.exit("the oxigraph server comes with the dev dependencies")
    return found


def serve_remote(nquads: Path, location: Path) -> tuple[subprocess.Popen, str]:
    import socket

    import httpx

    binary = oxigraph_binary()
    subprocess.run([binary, "load", "--location", str(location), "--file", str(nquads)],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--union-default-graph",
         "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}/query"


def baseline_tree(ref: str, into: Path) -> Path:
    """The files of `ref` (git archive: no worktree, nothing changes in the repository)."""
    archive = into / "baseline.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, stdout=out)
    tree = into / "baseline"
    tree.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


# --- one measurement (a fresh process, the tree under test on PYTHONPATH) --------------------
def measure(args: argparse.Namespace) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings
    from api.workspace import Workspace

    spec = json.loads(args.measure)
    settings = Settings(data=Path(spec["data"]), store=spec["store"])
    trips = [0]
    with Workspace(settings) as workspace:
        client_of_store = getattr(workspace.store, "_client", None)
        if client_of_store is not None:
            client_of_store.event_hooks["request"].append(
                lambda _r: trips.__setitem__(0, trips[0] + 1)
            )
        app = create_app(settings, workspace)
        app.state.workspace = workspace  # no lifespan: no background thread meanwhile
        client = TestClient(app)
        _ = workspace.index
        client.get("/search", params={"q": "perlindungan anak", "k": 10})  # model and index warm
        results: dict[str, dict] = {}
        answers: dict[str, object] = {}
        for name, paths, cold in spec["cases"]:
            latencies, counts = [], []
            for _ in range(spec["rounds"]):
                for path in paths:
                    if cold:
                        workspace.searching._carried.clear()
                    before = trips[0]
                    t = time.perf_counter()
                    response = client.get(path)
                    latencies.append(time.perf_counter() - t)
                    counts.append(trips[0] - before)
                    assert response.status_code == 200, (path, response.text[:300])
                    answers[path] = response.json()
            results[name] = {
                "n": len(latencies),
                "p50": percentile(latencies, 0.5) * 1000,
                "p95": percentile(latencies, 0.95) * 1000,
                "queries": sum(counts) / len(counts) if client_of_store is not None else None,
            }
    Path(spec["answers"]).write_text(json.dumps(answers, sort_keys=True))
    print(json.dumps(results))


def cases(data: Path, n_queries: int, n_documents: int) -> list[tuple[str, list[str], bool]]:
    import httpx
    import pyoxigraph as ox

    gold = json.loads((ROOT / "bench" / "gold" / "retrieval.json").read_text())
    queries = [q["query"] for q in gold["queries"]][:n_queries]
    store = ox.Store.read_only(str(data / "graph"))
    prefix = "https://w3id.org/jejaring/doc/"
    ids = sorted(
        g.value[len(prefix):] for g in store.named_graphs()
        if g.value.startswith(prefix) and "/" not in g.value[len(prefix):]
    )  # fmt: skip
    passages = [str(httpx.URL("/search", params={"q": q, "k": 10})) for q in queries]
    studies = [
        str(httpx.URL("/search", params={"q": q, "k": 10, "unit": "study"})) for q in queries
    ]
    return [
        ("/search passage k=10, cold", passages, True),
        ("/search passage k=10, warm", passages, False),
        ("/search study k=10, cold", studies, True),
        ("/documents/{id}", [f"/documents/{d}" for d in ids[:n_documents]], False),
    ]


def run_measure(tree: Path, spec: dict) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", json.dumps(spec)]
    done = subprocess.run(command, env=env, cwd=tree, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"measurement failed in {tree}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", default="main", help="git ref of the code before")
    parser.add_argument("--synth", type=int, default=200, help="synthetic records to add")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--queries", type=int, default=4, help="gold retrieval queries asked")
    parser.add_argument("--documents", type=int, default=10, help="studies asked for by id")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "remote_bench_results.txt")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args)
        return
    data = OUT / f"remote-bench-{args.synth}"
    build_data(data, args.synth)
    load = os.getloadavg()
    lines = [
        f"bench/remote_bench.py --baseline {args.baseline} --synth {args.synth} "
        f"--rounds {args.rounds}",
        f"started {time.strftime('%Y-%m-%d %H:%M:%S')}, load average {load[0]:.2f} "
        f"{load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores",
    ]
    with tempfile.TemporaryDirectory(prefix="remote-bench-") as tmp_name:
        tmp = Path(tmp_name)
        trees = {"before": baseline_tree(args.baseline, tmp), "after": ROOT}
        nquads = tmp / "data.nq"
        dump_nquads(data, nquads)
        server, url = serve_remote(nquads, tmp / "oxigraph")
        found = cases(data, args.queries, args.documents)
        documents = len(found[-1][1])
        lines.append(f"data: {data.name}, {documents} of its studies asked for by id; "
                     f"{len(found[0][1])} queries x {args.rounds} rounds per search case")  # fmt: skip
        table: dict[tuple[str, str, str], dict] = {}
        answers: dict[tuple[str, str], dict] = {}
        try:
            for store in ("remote", "embedded"):
                for label, tree in trees.items():
                    copy = tmp / f"data-{label}-{store}"
                    shutil.copytree(data, copy)
                    spec = {"data": str(copy), "store": url if store == "remote" else "embedded",
                            "cases": found, "rounds": args.rounds,
                            "answers": str(tmp / f"answers-{label}-{store}.json")}  # fmt: skip
                    print(f"measuring {label} on the {store} store", flush=True)
                    for name, figures in run_measure(tree, spec).items():
                        table[(name, store, label)] = figures
                        print(f"  {name}: {figures}", flush=True)
                    answers[(label, store)] = json.loads(Path(spec["answers"]).read_text())
                    shutil.rmtree(copy)
        finally:
            server.terminate()
            server.wait(10)
    lines.append("")
    lines.append(f"{'case':32} {'store':9} {'p50 before':>11} {'p50 after':>10} "
                 f"{'p95 before':>11} {'p95 after':>10} {'queries before':>15} {'after':>6}")  # fmt: skip
    for name, _, _ in found:
        for store in ("remote", "embedded"):
            b, a = table[(name, store, "before")], table[(name, store, "after")]
            q = (f"{b['queries']:15.1f} {a['queries']:6.1f}" if b["queries"] is not None
                 else f"{'-':>15} {'-':>6}")  # fmt: skip
            lines.append(f"{name:32} {store:9} {b['p50']:9.1f}ms {a['p50']:8.1f}ms "
                         f"{b['p95']:9.1f}ms {a['p95']:8.1f}ms {q}")  # fmt: skip
    lines.append("")
    for store in ("remote", "embedded"):
        before, after = answers[("before", store)], answers[("after", store)]
        differ = sorted(path for path in before if before[path] != after.get(path))
        lines.append(f"answers on the {store} store: {len(before) - len(differ)} of {len(before)} "
                     f"identical before and after" + (f"; differ: {differ[:5]}" if differ else ""))  # fmt: skip
    same = sum(answers[("after", "remote")][p] == answers[("after", "embedded")][p]
               for p in answers[("after", "remote")])  # fmt: skip
    lines.append(
        f"answers after, remote against embedded: {same} of "
        f"{len(answers[('after', 'remote')])} identical"
    )
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.write_text(text)


if __name__ == "__main__":
    main()
