"""The policy answers at 10k and 100k distinct synthetic studies, uncached.

Build (once, cached under bench/out/): bench/synth.py writes N distinct abstract records
(seed 7); each goes through the real read path (ingest.pipeline.read_document: structure and
extraction) and the real graph writer (kg.model: document and place quads, one
`put_document` transaction per study) into an embedded Oxigraph store with the vocabulary
synced. The search index is not built: no policy answer reads it (the honest fast path; search
is measured by bench/search_bench.py). Records are read by `--jobs` processes.

Timing: the in-process app (FastAPI TestClient, the real handlers and JSON encoding) over that
store, the answer cache (kg.answers) cleared before every request, so each one runs its
queries: /obstacles/recurring at both levels, the matrix at both levels, the page of the
province with the most studies and of its first regency. p50 and max of `--runs`, figures of
each size side by side (the first size is the baseline), with the store's size per study
after compaction and the peak RSS of the timing process.

Recipe (README): python bench/scale_bench.py --count 1000 10000 [100000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
SEED = 7


SCALE = Path("/work/scale")  # the synthetic records, shared with the other scale benches


def data_dir(count: int) -> Path:
    return OUT / f"scale-{count}" / "data"


def records_dir(count: int) -> Path:
    return SCALE / f"synth-{count}"


_LEXICON: object = None


def _init() -> None:
    global _LEXICON
    from kg.vocabulary import load_lexicon

    _LEXICON = load_lexicon()


def _read_chunk(paths: list[str]) -> tuple[bytes, int, float]:
    """A reader process: each record through the real read path (structure and extraction)
    and the real graph model, handed back as N-Quads for the one writer to bulk-load; the
    reading CPU seconds. N-Quads are smaller to send than pickled documents."""
    import pyoxigraph as ox

    from ingest.pipeline import read_document
    from kg.model import document_quads, place_quads

    started = time.process_time()
    quads: list[ox.Quad] = []
    for path in paths:
        doc = read_document(Path(path).read_bytes(), Path(path).name, _LEXICON)  # type: ignore[arg-type]
        quads.extend(document_quads(doc))
        quads.extend(place_quads(doc))
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    return data, len(paths), time.process_time() - started


def build(count: int, jobs: int, chunk: int = 250, checkpoints: tuple[int, ...] = ()) -> dict:
    """The store of `count` studies, built once; its figures (also kept in built.json).

    `jobs` reader processes read `chunk` records at a time, in file order; the parent, the one
    writer, bulk-loads what they give back (pyoxigraph `bulk_load`: sorted files, no
    transaction per study; at 1,000 studies a `put_document` per study cost 4.2 ms of CPU, a
    bulk load ~2.6, reading 20). The store holds the quads `put_document` would write.

    The records of a smaller count are the first records of a larger one (synth.py draws them
    in order from one seed), so a smaller store in `checkpoints` is a backup taken when the
    load reaches it. A build stopped midway (killed, or a STOP file beside the store) resumes:
    a record whose document is in the store already is skipped. STOP ends it early with the
    studies loaded so far, recorded as such."""
    root = data_dir(count).parent
    marker = root / "built.json"
    if marker.exists():
        return json.loads(marker.read_text())
    import pyoxigraph as ox

    from bench import synth
    from ingest.structure import content_id
    from kg.ingestion import sync_vocabulary
    from kg.shape import GRAPH_SHAPE
    from kg.store import OxigraphStore

    records = records_dir(count)
    started = time.perf_counter()
    if not (records / "truth.jsonl").exists():  # written whole, then renamed: never half
        partial = records.with_name(records.name + ".partial")
        synth.generate(count, SEED, partial)
        partial.rename(records)
    generated = time.perf_counter() - started
    files = sorted(str(p) for p in records.rglob("*") if p.suffix in {".txt", ".md"})
    store = OxigraphStore(data_dir(count) / "graph")
    sync_vocabulary(store, data_dir(count))
    there = set(store.document_ids())
    todo = [f for f in files if content_id(Path(f).read_bytes())[0] not in there]
    print(f"  {len(files) - len(todo)} studies in the store already", file=sys.stderr)
    started = time.perf_counter()
    read_cpu = write_s = 0.0
    done = len(files) - len(todo)
    chunks = [todo[i : i + chunk] for i in range(0, len(todo), chunk)]
    pending: list[bytes] = []
    figures: dict[int, dict] = {}

    def write() -> None:  # a bulk load has a fixed cost: one per ~1,000 studies, not per chunk
        nonlocal write_s
        write_started = time.perf_counter()
        store._store.bulk_load(b"".join(pending), ox.RdfFormat.N_QUADS)
        write_s += time.perf_counter() - write_started
        pending.clear()

    def checkpoint(n: int) -> None:
        target = data_dir(n)
        if (target.parent / "built.json").exists() or target.exists():
            return
        target.mkdir(parents=True)
        store.flush()
        store._store.backup(str(target / "graph"))
        small = OxigraphStore(target / "graph")
        sync_vocabulary(small, target)
        small._store.optimize()
        figures[n] = _figures(n, len(small), small.size_on_disk(), time.perf_counter() - started,
                              write_s, read_cpu, jobs)  # fmt: skip
        small.close()
        (target.parent / "built.json").write_text(json.dumps(figures[n], indent=1))

    stop = root / "STOP"
    with multiprocessing.Pool(jobs, initializer=_init) as pool:
        for data, n, cpu in pool.imap(_read_chunk, chunks):  # in order: checkpoints are prefixes
            pending.append(data)
            read_cpu += cpu
            done += n
            if len(pending) * chunk >= 1000 or done in checkpoints:
                write()
                print(f"  {done}/{len(files)} studies, {time.perf_counter() - started:.0f} s",
                      file=sys.stderr, flush=True)  # fmt: skip
            if done in checkpoints:
                checkpoint(done)
            if stop.exists():
                pool.terminate()
                break
        if pending:
            write()
    ingested = time.perf_counter() - started
    quads = len(store)
    store.close()
    store = OxigraphStore(data_dir(count) / "graph")  # reopened: the write-ahead log is gone
    store._store.optimize()
    studies = len(store.document_ids())
    size = store.size_on_disk()
    store.close()
    result = _figures(studies, quads, size, ingested, write_s, read_cpu, jobs)
    result.update({"generate_s": round(generated, 1), "graph_shape": GRAPH_SHAPE,
                   "resumed_with": len(files) - len(todo), "records": count})  # fmt: skip
    marker.write_text(json.dumps(result, indent=1))
    return result


def _figures(studies: int, quads: int, size: int, seconds: float, write_s: float,
             read_cpu: float, jobs: int) -> dict:  # fmt: skip
    return {
        "studies": studies, "quads": quads, "build_s": round(seconds, 1), "jobs": jobs,
        "read_cpu_ms_per_study": round(read_cpu / max(studies, 1) * 1000, 1),
        "write_s": round(write_s, 1),
        "store_mb": round(size / 1e6, 1), "kb_per_study": round(size / studies / 1024, 1),
        "quads_per_study": round(quads / studies, 1),
        "load_at_build": Path("/proc/loadavg").read_text().split()[0],
    }  # fmt: skip


def timings(count: int, runs: int) -> dict[str, object]:
    """Each policy answer over the store of `count` studies, uncached."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings
    from api.workspace import Workspace

    settings = Settings(data=data_dir(count))
    out: dict[str, object] = {}
    with Workspace(settings) as workspace:
        app = create_app(settings, workspace)
        # No `with TestClient`: its start-up would open the search index (embed every study)
        # and warm the caches; the handlers need only the workspace on app.state.
        app.state.workspace = workspace
        app.state.settings = settings
        client = TestClient(app)
        # The obstacle summary, built from the store once per process (then kept by writes).
        started, started_cpu = time.perf_counter(), time.process_time()
        workspace.summarised(lambda s: None)
        out["summary build"] = {
            "p50": time.perf_counter() - started, "max": time.perf_counter() - started,
            "cpu": time.process_time() - started_cpu, "kb": 0.0,
        }  # fmt: skip
        provinces = client.get("/obstacles/matrix", params={"level": "province"}).json()
        top = max(
            provinces["places"],
            key=lambda p: sum(c["studies"] for c in provinces["cells"] if c["place"] == p["code"]),
        )
        page = client.get(f"/places/{top['code']}").json()
        regency = page["places"][0]["code"] if page["places"] else top["code"]
        asks = {
            "recurring regency": "/obstacles/recurring?level=regency",
            "recurring province": "/obstacles/recurring?level=province",
            "matrix regency": "/obstacles/matrix?level=regency",
            "matrix province": "/obstacles/matrix?level=province",
            f"province page {top['code']}": f"/places/{top['code']}",
            f"regency page {regency}": f"/places/{regency}",
        }
        for name, path in asks.items():
            seconds, cpu, size = [], [], 0
            for _ in range(runs):
                workspace.answers._answers.clear()  # uncached: every query runs
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                seconds.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
                assert response.status_code == 200, (path, response.text[:200])
                size = len(response.content)
            out[name] = {
                "p50": statistics.median(seconds), "max": max(seconds),
                "cpu": statistics.median(cpu), "kb": size / 1024,
            }  # fmt: skip
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-only", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--build-only", action="store_true", help="build the stores, time nothing")
    args = parser.parse_args(argv)
    if args.time_only:
        print(json.dumps(timings(args.time_only, args.runs)))
        return 0
    # The largest store first: the smaller ones are its checkpoints.
    sizes = sorted(args.count)
    for n in reversed(sizes):
        build(n, args.jobs, checkpoints=tuple(m for m in sizes if m < n))
    built = {n: build(n, args.jobs) for n in args.count}
    if args.build_only:
        print(json.dumps(built, indent=1))
        return 0
    timed = {}
    for n in args.count:  # each in its own process: its peak RSS is the answers' alone
        result = subprocess.run(
            [sys.executable, __file__, "--time-only", str(n), "--runs", str(args.runs)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        timed[n] = json.loads(result.stdout.strip().splitlines()[-1])
    head = "".join(f"{n:>30,}" for n in args.count)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"# policy answers, uncached: p50/max wall ms of {args.runs} runs (median CPU ms of "
          f"the process), response KB; load average at the end {' '.join(load)} on "
          f"{multiprocessing.cpu_count()} cores")  # fmt: skip
    print(f"{'studies':<34}{head}")
    for key in ("quads_per_study", "kb_per_study", "store_mb", "build_s"):
        print(f"{key:<34}" + "".join(f"{built[n][key]:>30}" for n in args.count))
    names = [k for k in timed[args.count[0]] if k != "peak_rss_mb"]
    for i, name in enumerate(names):
        label = name.rsplit(" ", 1)[0] if "page" in name else name
        cells = []
        for n in args.count:
            key = [k for k in timed[n] if k != "peak_rss_mb"][i]
            t = timed[n][key]
            cells.append(
                f"{t['p50'] * 1000:.0f}/{t['max'] * 1000:.0f} ({t['cpu'] * 1000:.0f}) ms "
                f"{t['kb']:.0f}KB"
            )
        print(f"{label:<34}" + "".join(f"{c:>30}" for c in cells))
    print(f"{'peak RSS (timing process)':<34}" + "".join(
        f"{timed[n]['peak_rss_mb']:>27.0f} MB" for n in args.count))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
