"""Embedding runtimes side by side in one run (issue 15): torch fp32 (sentence-transformers, the
baseline), onnxruntime fp32 and onnxruntime int8, on the packaged multilingual-e5-small.

Per runtime, each in a fresh process (so peak memory is its own): load time, passages/s at the
batch size ingest uses (Embedder.PASSAGE_BATCH) and at 32, one-query latency p50/p95, peak RSS;
per-passage and per-query cosine against torch fp32 (min / p1 / mean) over the passages of the
demo corpus and of every record in bench/records; and bench/retrieval_eval.py run once per
runtime (JEJARING_EMBEDDING_RUNTIME), its passage and study figures beside torch's.

Usage: python bench/embed_bench.py [--out bench/embed_bench_results.txt] [--no-retrieval]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.onnx_runtime import RUNTIMES  # noqa: E402

BASELINE = "torch"


def real_texts(cache: Path) -> tuple[list[str], list[str]]:
    """The passage texts of the demo corpus and of every bench record (as ingest cuts them),
    and the queries of the retrieval gold sets."""
    from api.settings import Settings
    from api.workspace import Workspace

    sources = [ROOT / "corpus", *sorted((ROOT / "bench/records").iterdir())]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data=Path(tmp) / "data", model_cache=cache)
        with Workspace(settings) as ws:
            files = [p for p in sources if p.is_file() or p.is_dir()]
            summary = ws.ingest_paths(files)
            if summary.failed:
                print(f"  ({len(summary.failed)} files not read)", file=sys.stderr)
            passages = ws.index.passages(ws.index.rows())
    texts = [passages[r].text for r in sorted(passages)]
    queries: list[str] = []
    for gold in sorted((ROOT / "bench/gold").glob("retrieval*.json")):
        if "heldout" in gold.name:
            continue  # the held-out set is read only by retrieval_eval --heldout
        queries += [q["query"] for q in json.loads(gold.read_text(encoding="utf-8"))["queries"]]
    return texts, queries


def measure_one(runtime: str, cache: Path, work: Path, queries_n: int) -> None:
    """Runs in a child process: timings and vectors of one runtime, to work/RUNTIME.*"""
    from search.embedding import Embedder, load_embedder

    texts = json.loads((work / "texts.json").read_text(encoding="utf-8"))
    queries = json.loads((work / "queries.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    embedder = load_embedder(cache_dir=cache, runtime=runtime)
    load_s = time.perf_counter() - started
    tokens = [
        len(ids) for ids in embedder.model.tokenizer(["passage: " + t for t in texts])["input_ids"]
    ]
    embedder.encode_passages(texts[:8])  # warm-up
    rates = {}
    vectors = None
    cpu = {}
    for batch in (Embedder.PASSAGE_BATCH, 32):
        t, c = time.perf_counter(), time.process_time()
        got = embedder.encode_passages(texts, batch_size=batch)
        rates[batch] = len(texts) / (time.perf_counter() - t)
        # CPU seconds (all threads) a passage: what a shared, loaded machine changes least.
        cpu[batch] = (time.process_time() - c) / len(texts) * 1000
        if vectors is None:
            vectors = got
    query_vectors = embedder.encode_queries(queries)
    latencies = []
    for i in range(queries_n):
        t = time.perf_counter()
        embedder.encode_queries([queries[i % len(queries)]])
        latencies.append((time.perf_counter() - t) * 1000)
    p50, p95 = np.percentile(latencies, [50, 95])
    np.save(work / f"{runtime}.passages.npy", vectors)
    np.save(work / f"{runtime}.queries.npy", query_vectors)
    result = {
        "model_id": embedder.model_id,
        "load_s": load_s,
        "rates": rates,
        "cpu_ms": cpu,
        "p50": float(p50),
        "p95": float(p95),
        "peak_mb": peak_mb(),
        "mean_tokens": statistics.mean(tokens),
    }
    (work / f"{runtime}.json").write_text(json.dumps(result), encoding="utf-8")


def peak_mb() -> float:
    """This process's peak resident memory since exec (ru_maxrss would carry the parent's)."""
    status = Path("/proc/self/status").read_text()
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else float("nan")


def cosines(a: np.ndarray, b: np.ndarray) -> str:
    c = (a * b).sum(axis=1)
    return f"min {c.min():.4f}  p1 {np.percentile(c, 1):.4f}  mean {c.mean():.4f}"


def retrieval(runtime: str, cache: Path) -> dict[str, list[str]]:
    """bench/retrieval_eval.py on `runtime`: its table rows, keyed by set/unit/ranking."""
    env = {**os.environ, "JEJARING_EMBEDDING_RUNTIME": runtime, "JEJARING_MODEL_CACHE": str(cache)}
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench/retrieval_eval.py")],
        env=env, capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout  # fmt: skip
    rows: dict[str, list[str]] = {}
    set_name = unit = ""
    for line in out.splitlines():
        if m := re.match(r"## (\w+):", line):
            set_name = m.group(1)
        elif m := re.match(r"(passage|study) search", line):
            unit = m.group(1)
        elif m := re.match(r"  (\S.*?)\s{2,}([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", line):
            rows[f"{set_name} {unit} {m.group(1)}"] = list(m.groups()[1:])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, help="also write the figures to this file")
    parser.add_argument("--cache", type=Path, help="model cache (default JEJARING_MODEL_CACHE)")
    parser.add_argument("--queries", type=int, default=100, help="timed single queries")
    parser.add_argument("--no-retrieval", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    from search.embedding import default_cache

    cache = args.cache or default_cache()
    if args.one:
        measure_one(args.one, cache, args.work, args.queries)
        return 0
    from search.embedding import ensure_packaged_model
    from search.onnx_runtime import ensure_onnx_model

    for runtime in RUNTIMES[1:]:  # converted first, so load times are those of a warm cache
        ensure_onnx_model(ensure_packaged_model(cache), runtime)
    lines = [f"# bench/embed_bench.py; load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        texts, queries = real_texts(cache)
        (work / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
        (work / "queries.json").write_text(json.dumps(queries), encoding="utf-8")
        lines.append(
            f"# {len(texts)} real passages (corpus/ and bench/records, mean "
            f"{statistics.mean(map(len, texts)):.0f} chars), {len(queries)} gold queries; "
            f"{os.cpu_count()} cores"
        )
        results = {}
        for runtime in RUNTIMES:
            subprocess.run(
                [sys.executable, __file__, "--one", runtime, "--work", str(work),
                 "--cache", str(cache), "--queries", str(args.queries)],
                check=True,
            )  # fmt: skip
            results[runtime] = json.loads((work / f"{runtime}.json").read_text())
        base_p = np.load(work / f"{BASELINE}.passages.npy")
        base_q = np.load(work / f"{BASELINE}.queries.npy")
        lines.append(f"# mean {results[BASELINE]['mean_tokens']:.0f} tokens a passage\n")
        lines.append(
            f"{'runtime':<10} {'load s':>6} {'pass/s b8':>9} {'pass/s b32':>10} "
            f"{'cpu ms/pass':>11} {'query p50':>9} {'p95 ms':>7} {'peak MB':>8}   "
            "cosine vs torch fp32"
        )
        for runtime, r in results.items():
            rates = {int(k): v for k, v in r["rates"].items()}
            lines.append(
                f"{runtime:<10} {r['load_s']:6.1f} {rates[8]:9.1f} {rates[32]:10.1f} "
                f"{r['cpu_ms']['8']:11.0f} "
                f"{r['p50']:9.1f} {r['p95']:7.1f} {r['peak_mb']:8.0f}   passages "
                + cosines(np.load(work / f"{runtime}.passages.npy"), base_p)
            )
            lines.append(
                f"{'':<79}queries  " + cosines(np.load(work / f"{runtime}.queries.npy"), base_q)
            )
        speed = {k: r["rates"]["8"] / results[BASELINE]["rates"]["8"] for k, r in results.items()}
        lines.append("speed-up at batch 8: " + ", ".join(f"{k} {v:.2f}x" for k, v in speed.items()))
        cpu = {k: results[BASELINE]["cpu_ms"]["8"] / r["cpu_ms"]["8"] for k, r in results.items()}
        lines.append("CPU time saved: " + ", ".join(f"{k} {v:.2f}x" for k, v in cpu.items()))
    print("\n".join(lines), flush=True)
    if not args.no_retrieval:
        tables = {runtime: retrieval(runtime, cache) for runtime in RUNTIMES}
        lines.append("\n## bench/retrieval_eval.py per runtime (R@5 Hit@5 MRR@10 nDCG@10)")
        lines.append(f"{'':<34}" + "".join(f"{r:<30}" for r in RUNTIMES) + "max |diff|")
        for key, base in tables[BASELINE].items():
            if not any(w in key for w in ("dense", "final")):
                continue  # bm25 is the same everywhere; hybrid without the vectors' weight
            worst = max(
                abs(float(a) - float(b))
                for t in tables.values()
                for a, b in zip(t[key], base, strict=True)
            )
            lines.append(
                f"{key:<34}" + "".join(f"{' '.join(tables[r][key]):<30}" for r in RUNTIMES)
                + f"{worst:.3f}"
            )  # fmt: skip
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
