"""Search speed at scale, the exact baseline measured beside the approximate index in one run.

1. embedding: passages/s of the packaged e5 model on the demo corpus's passages (batches of
   32, as ingest embeds them) and single-query latency, which every search pays first;
2. the dense index at 10k, 100k and 1M passages, the real passage vectors replicated with
   gaussian noise and renormalised (--synth mix: blends of two): flat (exact, the baseline)
   against HNSW with the parameters of search/dense.py. Build time, top-100
   (hybrid.CANDIDATES) latency p50/p95/p99, HNSW recall@10 against flat, memory, file size;
3. the whole dense search (query embedding + top-100) against the goal: p95 < 50 ms at 1M;
4. (--whole N, default 100k) the whole search past the query embedding, as the API runs it:
   a real SearchIndex (SQLite, FAISS, BM25) of N passages in studies of 10, passage search
   (dense + BM25 + expansion + fusion + look-up) and study search, unfiltered and with a
   narrow filter (one study) and a broad one (a tenth); goal p95 < 50 ms plus the embedding;
5. (--studies DIR,DIR) bench/synth.py's studies in a real SearchIndex, their passages as the
   ingest cuts them (bench/search_synth.py) and vectors blended from real ones: the whole
   search timed with its query embedding, per unit, unfiltered and filtered (one regency, one
   theory), wall and CPU time; build time, index size on disk, peak RSS. Each folder is
   measured in turn, the first (e.g. 10k) the baseline of the next (100k); goal p95 < 100 ms.

Usage: python bench/search_bench.py [--sizes 10000,100000,1000000] [--queries 200]
                                    [--threads 2] [--synth copies|mix] [--whole 100000]
                                    [--studies /work/scale/synth-10000,/work/scale/synth-100000]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import faiss  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from api.settings import Settings  # noqa: E402
from api.workspace import Workspace  # noqa: E402
from bench import search_synth  # noqa: E402
from kg.vocabulary import load_lexicon  # noqa: E402
from search import hybrid, studies  # noqa: E402
from search.dense import (  # noqa: E402
    HNSW_EF_CONSTRUCTION,
    HNSW_EF_SEARCH,
    HNSW_M,
    HNSW_THRESHOLD,
    DenseIndex,
    make_index,
)
from search.embedding import Embedder, load_embedder  # noqa: E402
from search.hybrid import CANDIDATES  # noqa: E402
from search.index import PassageRecord, SearchIndex, indexed_text  # noqa: E402

SEED = 20240611
GOAL_MS = 50.0
CHUNK = 1 << 16


def rss_mb() -> float:
    """Current resident set size (VmRSS), MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def release_freed() -> None:
    """Hand freed heap back to the OS (glibc), so the next RSS growth counts new pages only."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def serialized_mb(index: faiss.Index) -> float:
    """What faiss.serialize_index would return, counted without holding a copy in memory."""
    size = [0]
    writer = faiss.PyCallbackIOWriter(lambda chunk: size.__setitem__(0, size[0] + len(chunk)))
    faiss.write_index(index, writer)
    del writer
    return size[0] / 1e6


def pcts(ms: list[float]) -> tuple[float, float, float]:
    p50, p95, p99 = np.percentile(np.asarray(ms), [50, 95, 99])
    return float(p50), float(p95), float(p99)


def demo_passages(embedder: Embedder) -> list[str]:
    """The passage texts of the demo PDFs, as the index stores them."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        Workspace(Settings(data=Path(tmp) / "data"), embedder) as ws,
    ):
        summary = ws.ingest_paths([ROOT / "corpus"])
        assert not summary.failed, [o.reason for o in summary.failed]
        passages = ws.index.passages(ws.index.rows())
    return [passages[r].text for r in sorted(passages)]


def bench_embedding(
    embedder: Embedder, texts: list[str], queries: list[str], n: int, repeat: int
) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Passage vectors, the real query vectors and n single-query latencies (ms)."""
    tokens = [len(ids) for ids in embedder.model.tokenizer(texts)["input_ids"]]
    embedder.encode_passages(texts[:4])  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        vectors = embedder.encode_passages(texts, batch_size=32)
        times.append(time.perf_counter() - t)
    print(f"\n## embedding ({embedder.model_id}, torch threads {torch.get_num_threads()})")
    print(
        f"  passages, batch 32  {len(texts) / min(times):8.1f} passages/s   "
        f"({len(texts)} passages, mean {statistics.mean(len(t) for t in texts):.0f} chars / "
        f"{statistics.mean(tokens):.0f} tokens; best of {repeat}, median "
        f"{statistics.median(times):.2f} s)"
    )
    embedder.encode_queries(queries[:2])  # warm-up
    latencies = []
    for i in range(n):
        t = time.perf_counter()
        embedder.encode_queries([queries[i % len(queries)]])
        latencies.append((time.perf_counter() - t) * 1000)
    p50, p95, p99 = pcts(latencies)
    print(
        f"  one query           p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms"
        f"   ({n} timed, {len(queries)} distinct queries from bench/gold/retrieval.json)"
    )
    return vectors, embedder.encode_queries(queries), latencies


def noisy_copies(
    base: np.ndarray, n: int, sigma: float, rng: np.random.Generator, mix: bool = False
) -> np.ndarray:
    """n rows: base rows in turn (mix: each blended with a random other base row, random
    weight), plus N(0, sigma^2) per dimension, L2-normalised (float32)."""
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        block = base[np.arange(start, stop) % len(base)]
        if mix:
            w = rng.random((stop - start, 1), dtype=np.float32)
            block = w * block + (1 - w) * base[rng.integers(len(base), size=stop - start)]
        block = block + rng.standard_normal(block.shape, dtype=np.float32) * np.float32(sigma)
        out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def build(kind: str, vectors: np.ndarray) -> tuple[DenseIndex, float, float]:
    """An index as search/dense.py makes it (IDMap2 over flat or HNSW): (index, s, RSS MB)."""
    release_freed()
    before = rss_mb()
    dense = DenseIndex(vectors.shape[1])
    dense.index = make_index(vectors.shape[1], 0 if kind == "flat" else HNSW_THRESHOLD)
    ids = np.arange(len(vectors), dtype=np.int64)
    t = time.perf_counter()
    for start in range(0, len(vectors), CHUNK):  # in chunks, like documents arriving
        dense.index.add_with_ids(vectors[start : start + CHUNK], ids[start : start + CHUNK])
    elapsed = time.perf_counter() - t
    assert dense.kind == kind
    return dense, elapsed, rss_mb() - before


def timed_search(dense: DenseIndex, queries: np.ndarray) -> tuple[list[float], np.ndarray]:
    """Per-query latency (ms) of DenseIndex.search for the top CANDIDATES, and each top 10."""
    for q in queries[:5]:  # warm-up
        dense.search(q, CANDIDATES)
    latencies, top10 = [], []
    for q in queries:
        t = time.perf_counter()
        hits = dense.search(q, CANDIDATES)
        latencies.append((time.perf_counter() - t) * 1000)
        top10.append([row for row, _ in hits[:10]])
    return latencies, np.asarray(top10)


def bench_size(
    n: int, base: np.ndarray, queries: np.ndarray, sigma: float, mix: bool, embed_ms: list[float]
) -> list[dict]:
    rng = np.random.default_rng([SEED, n])
    t = time.perf_counter()
    vectors = noisy_copies(base, n, sigma, rng, mix)
    made = time.perf_counter() - t
    chosen = "hnsw" if n >= HNSW_THRESHOLD else "flat"
    print(f"  {n:>9,} vectors made in {made:.1f} s; building flat, then HNSW …", flush=True)
    rows, truth = [], None
    for kind in ("flat", "hnsw"):
        dense, build_s, rss = build(kind, vectors)
        latencies, top10 = timed_search(dense, queries)
        if truth is None:
            truth = top10
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top10, truth, strict=True)])
        total = [e + s for e, s in zip(embed_ms, latencies, strict=True)]
        rows.append({
            "size": n, "kind": kind, "chosen": kind == chosen, "build": build_s,
            "lat": pcts(latencies), "recall": float(recall), "rss": rss,
            "file": serialized_mb(dense.index), "paired_p95": pcts(total)[1],
        })  # fmt: skip
        del dense
        release_freed()
    return rows


# The study ranking before whole-study signals (search13): its baseline, timed in the same run.
PASSAGES_ONLY = studies.Weights(
    best_passage=1.0, study_text=0.0, study_bm25=0.0, passage_bm25=0.0, normalised=False
)


def bench_whole(
    n: int, embedder: Embedder, texts: list[str], base: np.ndarray, query_texts: list[str],
    qvecs: np.ndarray, sigma: float, embed_ms: list[float], repeat: int,
) -> None:  # fmt: skip
    """Passage and study search over a real SearchIndex of n passages (see the docstring)."""
    per_study = 10
    rng = np.random.default_rng([SEED, n, 1])
    vectors = noisy_copies(base, n, sigma, rng, mix=True)
    lexicon = load_lexicon()
    with tempfile.TemporaryDirectory() as tmp:
        index = SearchIndex(Path(tmp) / "index", embedder)
        t = time.perf_counter()
        doc_ids = [f"{i:016x}" for i in range(n // per_study)]
        for d, doc_id in enumerate(doc_ids):
            start = d * per_study
            records = [
                PassageRecord(doc_id, i, 1, "hasil", texts[(start + i) % len(texts)],
                              f"Studi {d} tentang perlindungan anak")
                for i in range(per_study)
            ]  # fmt: skip
            own = vectors[start : start + per_study]
            study = own.mean(axis=0)  # stands for the study-text vector ingest embeds
            study /= max(float(np.linalg.norm(study)), 1e-12)
            index.add_document(doc_id, records, np.vstack([own, study]))
        built = time.perf_counter() - t
        t = time.perf_counter()
        index.lexical_search("anggaran", 1)  # BM25 is built on the first search
        index.document_vectors()  # and the study vectors (the server warms both)
        index.study_vectors()
        index.study_lexical_search("anggaran", 1)  # BM25 over whole studies likewise
        warm = time.perf_counter() - t
        print(
            f"\n## whole search at {n:,} passages ({len(doc_ids):,} studies; dense "
            f"{index.dense.kind}); index built in {built:.0f} s, BM25 + study vectors {warm:.1f} s"
        )
        print(
            f"  {'search':<34} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  {'+embed p95':>10}  goal"
        )
        embed_p95 = pcts(embed_ms)[1]
        narrow = {doc_ids[len(doc_ids) // 2]}
        broad = set(doc_ids[::10])
        cases = [
            ("passages", lambda q, v: hybrid.search(index, q, 10, lexicon=lexicon, vector=v)),
            ("studies", lambda q, v: studies.search(index, q, 10, lexicon=lexicon, vector=v)),
            ("studies, passage evidence only", lambda q, v: studies.search(
                index, q, 10, lexicon=lexicon, vector=v, weights=PASSAGES_ONLY)),
            ("passages, one study", lambda q, v: hybrid.search(
                index, q, 10, lexicon=lexicon, vector=v, allowed_docs=narrow)),
            ("studies, a tenth of them", lambda q, v: studies.search(
                index, q, 10, lexicon=lexicon, vector=v, allowed_docs=broad)),
        ]  # fmt: skip
        for name, run in cases:
            for q, v in list(zip(query_texts, qvecs, strict=True))[:3]:
                run(q, v)  # warm-up
            latencies = []
            for _ in range(repeat):
                for q, v in zip(query_texts, qvecs, strict=True):
                    t = time.perf_counter()
                    run(q, v)
                    latencies.append((time.perf_counter() - t) * 1000)
            p50, p95, p99 = pcts(latencies)
            verdict = "met" if p95 < GOAL_MS else "MISSED"
            print(
                f"  {name:<34} {p50:7.1f} {p95:7.1f} {p99:7.1f}  {p95 + embed_p95:10.1f}  {verdict}"
            )
        # Recall of the filtered dense search against the exact top 10 over the allowed rows
        # (rows are 1.. in insertion order, so row r holds vectors[r - 1]).
        for name, docs in (("one study", narrow), ("a tenth of the studies", broad)):
            rows = index.doc_rows(docs)
            allowed = np.fromiter(sorted(rows), dtype=np.int64)
            recalls = []
            for v in qvecs:
                exact = allowed[np.argsort(-(vectors[allowed - 1] @ v))[:10]]
                found = [r for r, _ in index.dense_search(v, 10, rows)]
                recalls.append(len(set(found) & set(exact.tolist())) / len(exact))
            print(f"  filtered dense recall@10, {name}: {statistics.mean(recalls):.3f}")
        index.close()


STUDY_FOLDERS = "/work/scale/synth-10000,/work/scale/synth-100000"
STUDY_GOAL_MS = 100.0  # issue 15: p95 of the whole search, query embedding included
BULK = 1000  # studies per SearchIndex.add_documents call
SAMPLE_PASSAGES = 256  # real passages embedded by the model, blended into every vector


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_studies(
    folder: Path,
    embedder: Embedder,
    query_texts: list[str],
    repeat: int,
    rebuild: bool = False,
    profile: bool = False,
) -> dict[str, object]:
    """Build a SearchIndex of the studies in `folder` (see the docstring) and time searches."""
    t = time.perf_counter()
    every = search_synth.read_passages(folder)
    read_s = time.perf_counter() - t
    found = [s for s in every if s]  # a record with no passage is not a study to rank
    n_passages = sum(len(s) for s in found)
    sample = [p for s in found[:: max(1, len(found) // SAMPLE_PASSAGES)] for p in s[:1]]
    where = ROOT / "bench/out" / f"search-{folder.name}"
    built_as = {"studies": len(found), "passages": n_passages, "seed": SEED,
                "sample": len(sample), "bulk": BULK}  # fmt: skip
    kept = where / "bench_built.json"
    reuse = not rebuild and kept.exists() and json.loads(kept.read_text()) == built_as
    release_freed()
    rss_before = rss_mb()
    if reuse:
        # The same studies and seed make the same vectors: the index built by an earlier run is
        # this run's (a 100k build takes 20+ minutes here); --rebuild builds it again.
        t = time.perf_counter()
        index = SearchIndex(where, embedder)
        built = time.perf_counter() - t
        print(f"\n## {len(found):,} synthetic studies ({folder}), {n_passages:,} passages "
              f"(read in {read_s:.0f} s); index REUSED from {where} (opened in {built:.0f} s; "
              f"built by an earlier run, see {kept.name})", flush=True)  # fmt: skip
    else:
        index, built = build_studies(where, embedder, found, n_passages, sample, read_s, folder)
    t = time.perf_counter()
    index.lexical_search("anggaran", 1)  # as the server warms: passage BM25, study vectors
    index.study_vectors()  # and study BM25
    index.study_lexical_search("anggaran", 1)
    warm = time.perf_counter() - t
    if not reuse:
        index.save()
        kept.write_text(json.dumps(built_as))  # last: a half-saved index is built again
    size = sum(f.stat().st_size for f in where.rglob("*") if f.is_file()) / 1e6
    lexicon = load_lexicon()
    doc_ids = [s[0].doc_id for s in found]
    assert len(set(doc_ids)) == len(doc_ids)
    chosen = search_synth.filters(folder, [s[0].doc_id if s else "" for s in every])
    print(
        f"  index ({index.dense.kind}) "
        + ("reused" if reuse else f"built in {built:.0f} s ({BULK:,} studies a transaction)")
        + ", BM25 + study vectors + study "
        f"BM25 {warm:.0f} s; on disk {size:.0f} MB; RSS grew {rss_mb() - rss_before:.0f} MB, "
        f"peak RSS of the process {peak_rss_mb():.0f} MB\n  filters: "
        + ", ".join(f"{name} {len(docs):,} studies" for name, docs in chosen.items()),
        flush=True,
    )
    cases: list[tuple[str, str, set[str] | None]] = [
        (unit, name, docs)
        for unit in ("passages", "studies")
        for name, docs in [("unfiltered", None), *chosen.items()]
    ]
    rows = []
    for unit, name, docs in cases:

        def run(q: str, docs: set[str] | None = docs, unit: str = unit) -> object:
            forget_query_vectors()  # every search embeds its query, as a new query does
            return search_one(index, lexicon, q, unit, docs)

        for q in query_texts[:3]:
            run(q)  # warm-up
        wall, cpu = [], []
        for _ in range(repeat):
            for q in query_texts:
                c, t = time.process_time(), time.perf_counter()
                run(q)
                wall.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
        rows.append((unit, name, pcts(wall), pcts(cpu)))
    profiles = []
    if profile:
        for unit, name, docs in cases:

            def once(q: str, docs: set[str] | None = docs, unit: str = unit) -> object:
                forget_query_vectors()
                return search_one(index, lexicon, q, unit, docs)

            profiles.append((unit, name, *search_synth.stage_times(index, once, query_texts)))
    if reuse:
        index._db.close()  # not saved again: what it holds is what was loaded
    else:
        index.close()
    print(f"  {'search (+ query embedding)':<30} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
          f"  {'CPU p50':>7} {'CPU p95':>7}  goal p95 < {STUDY_GOAL_MS:.0f} ms")  # fmt: skip
    for unit, name, (p50, p95, p99), (c50, c95, _) in rows:
        verdict = "met" if p95 < STUDY_GOAL_MS else "MISSED"
        print(f"  {unit + ', ' + name:<30} {p50:7.1f} {p95:7.1f} {p99:7.1f}  {c50:7.1f} "
              f"{c95:7.1f}  {verdict}")  # fmt: skip
    print(f"  ({len(query_texts)} queries x {repeat}; CPU = process time of the search, all "
          f"its threads; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})",
          flush=True)  # fmt: skip
    if profiles:
        stages = list(search_synth.STAGES)
        print(f"  where the CPU time goes, mean ms per query ({len(query_texts)} queries once; "
              f"rest = fusion, ranking, shaping):\n  {'search':<22}"
              + "".join(f" {s[:9]:>9}" for s in stages) + f" {'rest':>6} {'total':>6}")  # fmt: skip
        for unit, name, spent, total in profiles:
            print(f"  {unit + ', ' + name:<22}" + "".join(f" {spent[s]:9.1f}" for s in stages)
                  + f" {total - sum(spent.values()):6.1f} {total:6.1f}")  # fmt: skip
    return {"studies": len(found), "passages": n_passages, "rows": rows}


def forget_query_vectors() -> None:
    """Empty the query vectors the search remembers (older code, run for a baseline, has none)."""
    forget = getattr(hybrid, "forget_query_vectors", None)
    if forget is not None:
        forget()


def search_one(
    index: SearchIndex, lexicon: object, q: str, unit: str, docs: set[str] | None
) -> object:
    """The whole search as the service runs it: the query vector (hybrid.query_vector, the
    bilingual one) made inside, from the query text."""
    if unit == "passages":
        return hybrid.search(index, q, 10, lexicon=lexicon, allowed_docs=docs)  # type: ignore[arg-type]
    return studies.search(index, q, 10, lexicon=lexicon, allowed_docs=docs)  # type: ignore[arg-type]


def build_studies(
    where: Path, embedder: Embedder, found: list[list[PassageRecord]], n_passages: int,
    sample: list[PassageRecord], read_s: float, folder: Path,
) -> tuple[SearchIndex, float]:  # fmt: skip
    """A fresh SearchIndex of `found` at `where`, vectors blended from the embedded `sample`."""
    t = time.perf_counter()
    base = embedder.encode_passages([indexed_text(p.context, p.text) for p in sample], 32)
    embed_s = time.perf_counter() - t
    sims = base @ base.T
    np.fill_diagonal(sims, -1.0)
    nn_cos = float(np.median(sims.max(axis=1)))
    sigma = np.sqrt(1 / nn_cos**2 - 1) / np.sqrt(base.shape[1])
    rng = np.random.default_rng([SEED, len(found), 2])
    vectors = noisy_copies(base, n_passages + len(found), sigma, rng, mix=True)
    print(
        f"\n## {len(found):,} synthetic studies ({folder}), {n_passages:,} passages as the ingest "
        f"cuts them (read in {read_s:.0f} s)\n  vectors: {len(base)} of the studies' real "
        f"passages embedded ({embed_s:.0f} s), every passage and study vector a blend of two of "
        f"them plus noise σ={sigma:.4f}/dim, renormalised (NOT the model's)",
        flush=True,
    )
    shutil.rmtree(where, ignore_errors=True)
    index = SearchIndex(where, embedder)
    t = time.perf_counter()
    start, batch = 0, []
    for i, passages in enumerate(found):
        own = vectors[start : start + len(passages)]
        study = vectors[n_passages + i]  # stands for the e5 vector of study_text(passages)
        batch.append((passages[0].doc_id, passages, np.vstack([own, study])))
        start += len(passages)
        if len(batch) == BULK or i == len(found) - 1:
            index.add_documents(batch)  # a bulk load: one transaction and FAISS add a batch
            batch = []
    return index, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated")
    parser.add_argument("--queries", type=int, default=200, help="timed queries per measurement")
    parser.add_argument(
        "--threads", type=int, choices=(1, 2), default=2,
        help="faiss OpenMP and torch threads (1 is steadier when other work shares the CPU)",
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3, help="passage-embedding rounds")
    parser.add_argument(
        "--whole", type=int, default=100_000, help="passages of the whole-search index (0: skip)"
    )
    parser.add_argument(
        "--noise", type=float, default=None,
        help="gaussian sigma per dimension (default: a copy is as close to its "
        "source as the median real passage to its nearest real neighbour)",
    )  # fmt: skip
    parser.add_argument(
        "--synth", choices=("copies", "mix"), default="copies",
        help="copies: each real vector replicated with noise (clusters of near-ties, hard for "
        "HNSW); mix: blends of two real vectors with noise (a continuum)",
    )  # fmt: skip
    parser.add_argument(
        "--studies", default="", nargs="?", const=STUDY_FOLDERS,
        help="comma-separated bench/synth.py folders (e.g. 10k then 100k) to measure (5.); "
        f"alone: {STUDY_FOLDERS}",
    )  # fmt: skip
    parser.add_argument("--study-repeat", type=int, default=2, help="rounds of the queries (5.)")
    parser.add_argument(
        "--rebuild", action="store_true",
        help="build the --studies indexes again even when bench/out holds one built the same way",
    )  # fmt: skip
    parser.add_argument(
        "--profile", action="store_true", help="(5.) CPU time per search stage, after the timing"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    threads = min(args.threads, os.cpu_count() or 1)
    faiss.omp_set_num_threads(threads)
    torch.set_num_threads(threads)
    gold = json.loads((ROOT / "bench/gold/retrieval.json").read_text(encoding="utf-8"))
    query_texts = [q["query"] for q in gold["queries"]]

    print(
        f"# search benchmark — {os.cpu_count()} CPUs, faiss {faiss.__version__} "
        f"({threads} OpenMP/torch threads), numpy {np.__version__}, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    settings = Settings()
    t = time.perf_counter()
    embedder = load_embedder(settings.model, settings.model_cache)
    print(f"  model loaded in {time.perf_counter() - t:.1f} s (converted on first use)")
    if args.studies:
        every = [q["query"] for name in ("retrieval.json", "retrieval_dev.json")
                 for q in json.loads((ROOT / "bench/gold" / name).read_text("utf-8"))["queries"]]  # fmt: skip
        for folder in args.studies.split(","):
            bench_studies(
                Path(folder), embedder, every, args.study_repeat, args.rebuild, args.profile
            )
        print(f"  peak RSS of the process: {peak_rss_mb():.0f} MB")
    if not sizes and not args.whole:
        return  # only the synthetic studies (5.)
    texts = demo_passages(embedder)
    base, qreal, embed_ms = bench_embedding(embedder, texts, query_texts, args.queries, args.repeat)

    dim = base.shape[1]
    sims = base @ base.T
    np.fill_diagonal(sims, -1.0)
    nn_cos = float(np.median(sims.max(axis=1)))
    sigma = args.noise if args.noise is not None else np.sqrt(1 / nn_cos**2 - 1) / np.sqrt(dim)
    rng = np.random.default_rng(SEED)
    extra = noisy_copies(qreal, max(0, args.queries - len(qreal)), sigma, rng)
    queries = np.vstack([qreal, extra])[: args.queries]
    print(
        f"\n## dense index: vectors made from {len(base)} real passage vectors (dim {dim}), "
        f"--synth {args.synth}, noise σ={sigma:.4f}/dim\n  (copy↔source cosine ≈ {1 / np.sqrt(1 + sigma**2 * dim):.3f}; "
        f"median real nearest-neighbour cosine {nn_cos:.3f}); {len(queries)} queries: "
        f"{len(qreal)} real, the rest noisy copies of them"
    )
    print(
        f"  HNSW M={HNSW_M} efConstruction={HNSW_EF_CONSTRUCTION} efSearch={HNSW_EF_SEARCH} "
        f"(faiss searches with ef=max(efSearch, k={CANDIDATES}) = "
        f"{max(HNSW_EF_SEARCH, CANDIDATES)}); "
        f"search/dense.py switches to HNSW at {HNSW_THRESHOLD:,}"
    )
    if args.whole:
        bench_whole(args.whole, embedder, texts, base, query_texts, qreal, sigma, embed_ms, 1)
    mix = args.synth == "mix"
    rows = [row for n in sizes for row in bench_size(n, base, queries, sigma, mix, embed_ms)]

    print(
        f"\n## flat (exact, baseline) vs HNSW, top-{CANDIDATES} per query, {len(queries)} queries"
    )
    print("  (* = what search/dense.py uses at that size; RSS = VmRSS growth while building)")
    print(
        f"  {'size':>9} {'index':<6} {'build s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'recall@10':>9} {'RSS MB':>7} {'file MB':>8}"
    )
    for r in rows:
        p50, p95, p99 = r["lat"]
        print(
            f"  {r['size']:>9,} {r['kind'] + ('*' if r['chosen'] else ''):<6} {r['build']:8.2f} "
            f"{p50:7.2f} {p95:7.2f} {p99:7.2f} {r['recall']:9.3f} {r['rss']:7.0f} {r['file']:8.1f}"
        )

    embed_p95 = pcts(embed_ms)[1]
    print(
        f"\n## whole dense search = embed the query + top-{CANDIDATES}; goal p95 < {GOAL_MS:.0f} ms"
    )
    print("  (sum of p95s is an upper bound; paired = p95 of embed_i + search_i over the queries)")
    print(
        f"  {'size':>9} {'index':<6} {'embed p95':>9} {'search p95':>10} {'sum p95':>8} "
        f"{'paired p95':>10}  goal"
    )
    for r in rows:
        upper = embed_p95 + r["lat"][1]
        verdict = (
            "met"
            if upper < GOAL_MS
            else ("met (paired)" if r["paired_p95"] < GOAL_MS else "MISSED")
        )
        print(
            f"  {r['size']:>9,} {r['kind'] + ('*' if r['chosen'] else ''):<6} {embed_p95:9.1f} "
            f"{r['lat'][1]:10.2f} {upper:8.1f} {r['paired_p95']:10.1f}  {verdict}"
        )
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n  load average at the end: {load} (timings are noisy when it exceeds {threads})")


if __name__ == "__main__":
    main()
