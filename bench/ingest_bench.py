"""Ingest speed, side by side with baselines measured in the same run.

1. pages/s of the whole pipeline (parse, clean, structure, extract, quads, store) against
   pypdf's bare `extract_text` on the same files;
2. triples/s into the store: pyoxigraph `extend` (what kg.store does) against rdflib through
   oxrdflib, adding the same quads;
3. the demo corpus and bench/records replicated to N documents (bench/replicate.py): ingest
   time, store size on disk and peak memory;
4. (--abstracts N, issue 15) N synthetic abstract records (bench/synth.py) ingested three ways
   in one run: today's path (one file at a time, each embedded alone, torch fp32), a batch on
   --workers reader processes with documents embedded together on the fast runtime
   (JEJARING_EMBEDDING_RUNTIME, default onnx-fp32), and a local Dask cluster (a scheduler and
   --workers one-thread worker processes, the same runtime): documents/s, seconds per stage
   (parse, extract, embed, write; summed over processes) and store KB per abstract.

Usage: python bench/ingest_bench.py [--docs 1000] [--repeat 5]
       python bench/ingest_bench.py --abstracts 2000 [--workers 2] [--only-abstracts]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402
import pypdf  # noqa: E402
import rdflib  # noqa: E402
from replicate import replicate, sources  # noqa: E402

from api.settings import Settings  # noqa: E402
from api.workspace import Workspace  # noqa: E402
from ingest.extract import extract_mentions  # noqa: E402
from ingest.structure import document_from_pdf  # noqa: E402
from kg.model import document_quads  # noqa: E402
from kg.store import OxigraphStore  # noqa: E402
from kg.vocabulary import load_lexicon  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_pages(pdfs: list[tuple[str, bytes]], repeat: int) -> None:
    pages = sum(len(pypdf.PdfReader(io.BytesIO(d)).pages) for _, d in pdfs)
    lexicon = load_lexicon()

    def bare() -> None:
        for _, data in pdfs:
            for page in pypdf.PdfReader(io.BytesIO(data)).pages:
                page.extract_text()

    def pipeline() -> None:
        for name, data in pdfs:
            doc = document_from_pdf(data, name)
            doc.mentions = extract_mentions(doc, lexicon)
            document_quads(doc)

    rows = []
    for label, fn in (
        ("pypdf extract_text (baseline)", bare),
        ("jejaring parse+extract+quads", pipeline),
    ):
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        best = min(times)
        rows.append((label, pages / best, statistics.median(times)))
    print(f"\n## pages/s ({pages} pages, best of {repeat})")
    for label, rate, median in rows:
        print(f"  {label:<34} {rate:9.1f} pages/s   (median {median * 1000:.0f} ms)")
    print(f"  ratio jejaring / bare pypdf: {rows[1][1] / rows[0][1]:.2f}")


def bench_triples(pdfs: list[tuple[str, bytes]], copies: int) -> None:
    lexicon = load_lexicon()
    quads: list[ox.Quad] = []
    for name, data in pdfs:
        doc = document_from_pdf(data, name)
        doc.mentions = extract_mentions(doc, lexicon)
        quads.extend(document_quads(doc))
    batches = []
    for copy in range(copies):
        graph = ox.NamedNode(f"https://example.org/copy/{copy}")
        batches.append([ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads])
    total = sum(len(b) for b in batches)

    with tempfile.TemporaryDirectory() as tmp:
        store = ox.Store(tmp)
        t = time.perf_counter()
        for batch in batches:
            store.extend(batch)
        store.flush()
        oxi = total / (time.perf_counter() - t)

    with tempfile.TemporaryDirectory() as tmp:
        dataset = rdflib.Dataset(store="Oxigraph")
        dataset.open(str(Path(tmp) / "store"), create=True)
        t = time.perf_counter()
        for batch in batches:
            graph = dataset.graph(rdflib.URIRef(batch[0].graph_name.value))
            graph.addN((_rd(q.subject), _rd(q.predicate), _rd(q.object), graph) for q in batch)
        rdf = total / (time.perf_counter() - t)
        dataset.close()
    print(f"\n## triples/s into the store ({total} quads in {copies} document graphs)")
    print(f"  {'rdflib + oxrdflib addN (baseline)':<34} {rdf:11.0f} quads/s")
    print(f"  {'pyoxigraph extend (kg.store)':<34} {oxi:11.0f} quads/s")
    print(f"  ratio: {oxi / rdf:.1f}x")


def _rd(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def bench_corpus(data: Path, docs: int) -> None:
    rss_before = peak_rss_mb()
    run = replicate(data, docs, sources())
    with Workspace(Settings(data=data)) as workspace:
        size = workspace.store.size_on_disk()
        quads = len(workspace.store)
        passages = workspace.index.stats().get("passages")
    index_size = sum(f.stat().st_size for f in (data / "index").rglob("*"))
    print(f"\n## corpus and records replicated to {docs} documents (passages embedded and indexed)")
    print(f"  ingest time      {run.seconds:8.1f} s   ({docs / run.seconds:.2f} docs/s, "
          f"{run.pages / run.seconds:.1f} pages/s)")  # fmt: skip
    print(f"  quads in store   {quads:8d}")
    print(f"  store on disk    {size / 1e6:8.1f} MB")
    print(f"  passages         {passages!s:>8}   (index on disk {index_size / 1e6:.1f} MB)")
    print(f"  peak RSS         {peak_rss_mb():8.0f} MB (before: {rss_before:.0f} MB)")


def bench_abstracts(count: int, workers: int, work: Path, baseline_sample: int = 0) -> None:
    """Three ways of ingesting the same synthetic abstracts, side by side (issue 15)."""
    import os
    import subprocess

    from synth import generate

    from api.cluster import ingest_on_cluster
    from search.embedding import load_embedder

    generate(count, 7, work / "records")
    generate(4, 11, work / "warm")  # other records: loads models and starts processes first
    files = sorted(p for p in (work / "records").rglob("*") if p.suffix in {".txt", ".md"})
    warm = sorted(p for p in (work / "warm").rglob("*") if p.suffix in {".txt", ".md"})
    fast = Settings().embedding_runtime
    rows = []

    def run(label: str, runtime: str, how, sample: int = 0) -> None:  # type: ignore[no-untyped-def]
        # The slow baseline may run on every k-th record only: docs/s, stage and KB figures
        # are per document, so a spread sample of the same records measures the same rate.
        chosen = files[:: max(1, len(files) // sample)][:sample] if sample else files
        data = work / label.split()[0]
        settings = Settings(data=data, embedding_runtime=runtime)
        embedder = load_embedder(settings.model, settings.model_cache, runtime=runtime)
        with Workspace(settings, embedder=embedder) as workspace:
            how(workspace, warm)  # not timed
            cpu = os.times()
            start = time.perf_counter()
            summary = how(workspace, chosen)
            seconds = time.perf_counter() - start
            cpu_s = sum(os.times()[:4]) - sum(cpu[:4])
        # Measured after compaction, reopened so the write-ahead log is gone (as graph_size.py).
        compacted = OxigraphStore(settings.graph_path)
        compacted._store.optimize()
        size = compacted.size_on_disk()
        compacted.close()
        done = len(chosen)
        assert summary.count("ingested") == done, [o.reason for o in summary.failed][:3]
        rows.append((label, done / seconds, seconds, summary.stages.seconds, size / done / 1024,
                     cpu_s, done))  # fmt: skip

    run("today  1 file at a time, torch fp32, per document", "torch",
        lambda w, f: w.ingest_paths(f, workers=1), baseline_sample)  # fmt: skip
    run(f"batch  {workers} readers, {fast}, {32}-passage calls", fast,
        lambda w, f: w.ingest_paths(f, workers=workers))  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JEJARING_EMBEDDING_RUNTIME": fast}
    scheduler_file = work / "scheduler.json"
    cli = [sys.executable, "-m"]
    procs = [subprocess.Popen(
        [*cli, "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
         "--no-dashboard", "--scheduler-file", str(scheduler_file)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]  # fmt: skip
    try:
        while not scheduler_file.exists() or not scheduler_file.read_text().strip():
            time.sleep(0.2)
        import json

        address = json.loads(scheduler_file.read_text())["address"]
        procs += [subprocess.Popen(
            [*cli, "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-dashboard",
             "--host", "127.0.0.1", "--memory-limit", "0"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ) for _ in range(workers)]  # fmt: skip
        from distributed import Client

        with Client(address, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=600)
        run(f"dask   scheduler + {workers} workers (1 thread), {fast}", fast,
            lambda w, f: ingest_on_cluster(w, f, address))  # fmt: skip
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(60)
    print(f"\n## {count} synthetic abstracts (bench/synth.py, seed 7), three ways in one run")
    print(f"  {'':<52} {'docs/s':>7} {'ratio':>6} {'wall s':>7} {'parse':>6} {'extract':>7} "
          f"{'embed':>6} {'write':>6} {'KB/doc':>7} {'cpu s':>6} {'docs':>5}")  # fmt: skip
    base = rows[0][1]
    for label, rate, seconds, stages, kb, cpu_s, done in rows:
        print(f"  {label:<52} {rate:7.2f} {rate / base:5.2f}x {seconds:7.1f} "
              f"{stages['parse']:6.1f} {stages['extract']:7.1f} {stages['embed']:6.1f} "
              f"{stages['write']:6.1f} {kb:7.1f} {cpu_s:6.1f} {done:5d}")  # fmt: skip
    print(
        "  (stage seconds are summed over the processes doing them; cpu s: this process and "
        "its waited-for children only, the Dask workers' not included)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--keep", type=Path, help="Build the replicated corpus here and keep it (for api_bench)."
    )
    parser.add_argument("--abstracts", type=int, default=0, help="Synthetic abstracts (part 4).")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--baseline-sample", type=int, default=0,
        help="Run today's path on this many of the records (spread evenly), not all.",
    )  # fmt: skip
    parser.add_argument("--only-abstracts", action="store_true", help="Part 4 alone.")
    args = parser.parse_args()
    if args.abstracts:
        with tempfile.TemporaryDirectory() as tmp:
            bench_abstracts(args.abstracts, args.workers, Path(tmp), args.baseline_sample)
        if args.only_abstracts:
            return
    pdfs = [(p.name, p.read_bytes()) for p in sorted((ROOT / "corpus").glob("*.pdf"))]
    print(f"# ingest benchmark — {len(pdfs)} demo PDFs")
    bench_pages(pdfs, args.repeat)
    bench_triples(pdfs, copies=50)
    if args.keep:
        bench_corpus(args.keep, args.docs)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            bench_corpus(Path(tmp) / "data", args.docs)


if __name__ == "__main__":
    main()
