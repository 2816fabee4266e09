"""Curations and re-extraction at 1,000 studies: what the rejection filters cost the policy
questions, and the time of `reextract --all` per study.

Builds an embedded store (no search index: neither needs one) from the synthetic records of
bench/synth.py, times the graph-wide questions with no curations and with 100 (50 rejections,
50 additions), then re-extracts every study and reports the time per study.

Usage: python bench/curation_bench.py --synth bench/out/synth-1000 --out bench/out/curation
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.pipeline import read_document  # noqa: E402
from kg import curation, policy  # noqa: E402
from kg.documents import document_json  # noqa: E402
from kg.lookup import Filters, documents_matching  # noqa: E402
from kg.model import document_quads, place_quads  # noqa: E402
from kg.reextract import reextract  # noqa: E402
from kg.store import OxigraphStore  # noqa: E402
from kg.vocabulary import load_graph, load_lexicon, vocabulary_quads  # noqa: E402


def build(synth: Path, target: Path) -> OxigraphStore:
    store = OxigraphStore(target)
    if store.document_ids():
        return store
    lexicon = load_lexicon()
    store.replace_vocabulary(vocabulary_quads(load_graph()))
    for path in sorted(synth.glob("*/*.*")):
        doc = read_document(path.read_bytes(), path.name, lexicon)
        store.put_document(doc.id, document_quads(doc), place_quads(doc), [])
    return store


def timed(work: Callable[[], object], repeat: int = 3) -> float:
    """The best of `repeat` runs, ms."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def questions(store: OxigraphStore) -> dict[str, float]:
    return {
        "obstacle_rows regency": timed(lambda: policy.obstacle_rows(store, "regency")),
        "obstacle_rows province": timed(lambda: policy.obstacle_rows(store, "province")),
        "concept_usage": timed(lambda: policy.concept_usage(store)),
        "studied_areas": timed(lambda: policy.studied_areas(store)),
        "place_overview 32": timed(lambda: policy.place_overview(store, "32")),
        "filter obstacle=funding": timed(
            lambda: documents_matching(store, Filters(obstacle="funding"))
        ),
        "document_json": timed(lambda: document_json(store, store.document_ids()[0])),
    }


def curate(store: OxigraphStore, count: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    lexicon = load_lexicon()
    made = 0
    ids = store.document_ids()
    for doc_id in rng.sample(ids, count):
        found = document_json(store, doc_id)
        if made % 2 == 0 and found["obstacles"]:
            concept, action = found["obstacles"][0]["category"], "reject"
            kind = "obstacle"
        else:
            present = {s["concept"].rsplit("/", 1)[-1] for s in found["stakeholders"]}
            concept = next(c for c in ("dinas_sosial", "dp3a", "p2tp2a", "police", "school")
                           if c not in present)  # fmt: skip
            action, kind = "add", "stakeholder"
        curation.record(store, lexicon, doc_id, kind=kind, concept=concept, action=action,
                        by="bench", note="bench")  # fmt: skip
        made += 1
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synth", type=Path, default=ROOT / "bench/out/synth-1000")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/out/curation")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    store = build(args.synth, args.out / "graph")
    documents = len(store.document_ids())
    print(f"{documents} studies in {time.perf_counter() - started:.0f} s", flush=True)
    report: dict[str, object] = {"documents": documents, "without curations": questions(store)}
    report["curations"] = curate(store, 100)
    report["with 100 curations"] = questions(store)
    lexicon = load_lexicon()
    seconds = []
    changed = 0
    started = time.perf_counter()
    for doc_id in store.document_ids():
        change = reextract(store, lexicon, doc_id)
        assert change is not None
        seconds.append(change.seconds)
        changed += bool(change.added or change.removed)
    total = time.perf_counter() - started
    report["reextract --all"] = {
        "studies": len(seconds), "total_s": round(total, 1), "changed": changed,
        "per_study_ms": {"mean": round(1000 * statistics.mean(seconds), 1),
                         "p50": round(1000 * statistics.median(seconds), 1),
                         "p95": round(1000 * sorted(seconds)[int(0.95 * len(seconds))], 1),
                         "max": round(1000 * max(seconds), 1)},
        "orphaned_after": len(curation.list_curations(store, orphaned=True)),
    }  # fmt: skip
    store.close()
    print(json.dumps(report, indent=1))
    (args.out / "curation_bench.json").write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
