"""Search over bench/synth.py's studies: their passages as the ingest cuts them (read once and
cached), in a real SearchIndex, timed whole (query embedding included) by bench/search_bench.py.

Passages are cut by `ingest.pipeline.read_document`'s parse stage (`document_from_record`, as
read_document calls it for a .txt record); its extraction stage only adds the mentions, which
do not change the passages (checked on the first records against read_document itself), and
costs ~50 ms a record: 80 minutes at 100k on this machine, for nothing the index holds.
The cache (JSON lines: doc id, title, passages) goes to bench/out/, never into the corpus folder.

Vectors are NOT the model's (268k passages take hours to embed on 2 cores): a sample of real
passages is embedded and every passage and study gets a blend of two sample vectors plus noise,
renormalised (search_bench.noisy_copies, --synth mix), so the dense index is as large and as
spread as a real one; texts, BM25, filters and everything else are the studies' own.

Usage: python bench/search_synth.py DIR [--out bench/out/passages-NAME.jsonl] (cuts, caches)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.pipeline import read_document  # noqa: E402
from ingest.structure import document_from_record  # noqa: E402
from kg.vocabulary import load_lexicon  # noqa: E402
from search.index import PassageRecord  # noqa: E402
from search.service import document_passages  # noqa: E402

CHECKED = 20  # records whose passages are compared with read_document's


def record_files(folder: Path) -> list[Path]:
    if not (folder / "truth.jsonl").exists():
        raise SystemExit(f"{folder}: no truth.jsonl (not generated, or still being written)")
    with (folder / "truth.jsonl").open(encoding="utf-8") as truth:  # .txt and .md records
        return [folder / json.loads(line)["file"] for line in truth]


def default_cache(folder: Path) -> Path:
    return ROOT / "bench/out" / f"passages-{folder.name}.jsonl"


def read_passages(folder: Path, cache: Path | None = None) -> list[list[PassageRecord]]:
    """Each study's passages (PassageRecord, with its title), from the cache when complete."""
    cache = cache or default_cache(folder)
    files = record_files(folder)
    if not cache.exists() or sum(1 for _ in cache.open(encoding="utf-8")) != len(files):
        write_cache(files, cache)
    out = []
    for line in cache.open(encoding="utf-8"):
        doc_id, title, rows = json.loads(line)
        out.append([PassageRecord(doc_id, i, page, section, text, title)
                    for i, page, section, text in rows])  # fmt: skip
    return out


def write_cache(files: list[Path], cache: Path) -> None:
    """Cut every record, on every core (a process each, records in order): one process took
    20 minutes for 100k records on this loaded machine."""
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_suffix(".partial")
    t = time.perf_counter()
    workers = max(1, os.cpu_count() or 1)
    with (
        partial.open("w", encoding="utf-8") as out,
        multiprocessing.get_context("fork").Pool(workers) as pool,
    ):
        for n, line in enumerate(pool.imap(_cut_line, enumerate(files), chunksize=64)):
            out.write(line)
            if n % 10_000 == 0:
                print(f"  cut {n:,} records in {time.perf_counter() - t:.0f} s", flush=True)
    partial.replace(cache)


def _cut_line(numbered: tuple[int, Path]) -> str:
    """One record's cache line; the first CHECKED records are checked against read_document."""
    n, path = numbered
    data = path.read_bytes()
    passages = document_passages(document_from_record(data, path.name))
    if n < CHECKED:
        full = document_passages(read_document(data, path.name, load_lexicon()))
        assert full == passages, f"{path}: the parse stage cut other passages"
    return json.dumps([passages[0].doc_id if passages else path.name,
                       passages[0].title if passages else "",
                       [[p.index, p.page, p.section, p.text] for p in passages]],
                      ensure_ascii=False) + "\n"  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    t = time.perf_counter()
    studies = read_passages(args.folder, args.out)
    n = sum(len(s) for s in studies)
    print(f"{len(studies):,} studies, {n:,} passages in {time.perf_counter() - t:.0f} s")


if __name__ == "__main__":
    main()


def filters(folder: Path, doc_ids: list[str]) -> dict[str, set[str]]:
    """A narrow filter (the studies of one regency, Kabupaten Bandung) and a broad one (those
    framed by collaborative governance), from the generator's truth (its order is the cache's)."""
    narrow, broad = set(), set()
    with (folder / "truth.jsonl").open(encoding="utf-8") as truth:
        for doc_id, line in zip(doc_ids, truth, strict=True):
            record = json.loads(line)
            if any(p["code"] == NARROW_PLACE and p["role"] == "studied" for p in record["places"]):
                narrow.add(doc_id)
            if any(t["concept"] == BROAD_THEORY for t in record["theories"]):
                broad.add(doc_id)
    return {"one regency": narrow, "one theory": broad}


NARROW_PLACE = "32.04"
BROAD_THEORY = "collaborative_governance"


# --- where a search's time goes (bench/search_bench.py --profile) ---------------------------
STAGES = {  # (object, attribute): what it times
    "query vector": ("module", "query_vector"),
    "expansion": ("module", "expand"),
    "filter rows": ("index", "doc_rows doc_row_ids"),
    "dense (FAISS)": ("index", "dense_search"),
    "BM25 passages": ("index", "lexical_search"),
    "row look-up": ("index", "passages"),
    "study vectors": ("module", "nearest_studies"),
    "BM25 studies": ("index", "study_lexical_search"),
    "highlight": ("module", "highlight"),
}


def stage_times(
    index: object, run: Callable[[str], object], queries: list[str]
) -> tuple[dict[str, float], float]:
    """Mean CPU ms per query in each stage of `run` (the rest is fusion and shaping), and the
    mean CPU ms of the whole search: each stage's function wrapped with a timer in turn."""
    from search import hybrid, studies

    spent: dict[str, float] = dict.fromkeys(STAGES, 0.0)
    undo: list[tuple[object, str, object]] = []

    def wrap(owner: object, attr: str, stage: str) -> None:
        inner = getattr(owner, attr)

        def timed(*args: object, **kwargs: object) -> object:
            t = time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[stage] += time.process_time() - t

        undo.append((owner, attr, owner.__dict__.get(attr, _ABSENT)))
        setattr(owner, attr, timed)

    for stage, (where, attrs) in STAGES.items():
        for attr in attrs.split():  # older code may lack one (a baseline run)
            owners = [index] if where == "index" else [hybrid, studies]
            for owner in owners:
                if hasattr(owner, attr):
                    wrap(owner, attr, stage)
    # No timed stage calls another (studies.search gives hybrid.search its query vector).
    try:
        t = time.process_time()
        for q in queries:
            run(q)
        total = time.process_time() - t
    finally:
        for owner, attr, old in reversed(undo):
            if old is _ABSENT:
                delattr(owner, attr)
            else:
                setattr(owner, attr, old)
    n = max(1, len(queries))
    return {k: v * 1000 / n for k, v in spent.items()}, total * 1000 / n


_ABSENT = object()
