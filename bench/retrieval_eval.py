"""Retrieval quality on the dev set bench/gold/retrieval.json, every ranking in one run:
BM25 alone, dense (e5) alone, hybrid without concept expansion, and the hybrid as shipped.

Recall@5, MRR@10 and nDCG@10 (graded relevance), overall and for English queries.
Usage: python bench/retrieval_eval.py [--verbose]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.settings import Settings  # noqa: E402
from api.workspace import Workspace  # noqa: E402
from search import hybrid  # noqa: E402

MODES = {
    "bm25": {"mode": "lexical", "expand": False},
    "dense": {"mode": "dense", "expand": False},
    "hybrid (no expansion)": {"mode": "hybrid", "expand": False},
    "hybrid": {"mode": "hybrid", "expand": True},
}


def grades_for(
    query: dict, passages: dict[int, hybrid.IndexedPassage], files: dict[str, str]
) -> dict[int, int]:
    grades: dict[int, int] = {}
    for judgment in query["relevant"]:
        matched = False
        for row, passage in passages.items():
            if (
                files[passage.doc_id].startswith(judgment["doc"])
                and judgment["contains"] in passage.text
            ):
                grades[row] = max(grades.get(row, 0), judgment["grade"])
                matched = True
        if not matched:
            raise SystemExit(f"{query['id']}: no passage contains {judgment['contains']!r}")
    return grades


def metrics(ranked: list[int], grades: dict[int, int]) -> tuple[float, float, float]:
    relevant = [r for r, g in grades.items() if g > 0]
    recall5 = len(set(ranked[:5]) & set(relevant)) / len(relevant)
    mrr = next((1 / i for i, r in enumerate(ranked[:10], start=1) if r in grades), 0.0)
    dcg = sum(
        (2 ** grades.get(r, 0) - 1) / math.log2(i + 1) for i, r in enumerate(ranked[:10], start=1)
    )
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(i + 1) for i, g in enumerate(ideal, start=1))
    return recall5, mrr, dcg / idcg if idcg else 0.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gold", type=Path, default=ROOT / "bench/gold/retrieval.json")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()
    dev = json.loads(args.gold.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp, Workspace(Settings(data=Path(tmp) / "data")) as ws:
        summary = ws.ingest_paths([ROOT / "corpus", ROOT / "bench/records"])
        files = {o.doc_id: Path(o.source).name for o in summary.outcomes if o.doc_id}
        index = ws.index
        passages = index.passages(index.rows())
        print(f"# retrieval on {len(passages)} passages of {len(files)} studies, {len(dev['queries'])} queries "
              f"({sum(q['language'] == 'en' for q in dev['queries'])} in English); model {index.embedder.model_id}")  # fmt: skip
        results: dict[str, list[tuple[str, tuple[float, float, float]]]] = {m: [] for m in MODES}
        for query in dev["queries"]:
            grades = grades_for(query, passages, files)
            for name, how in MODES.items():
                hits = hybrid.search(
                    index, query["query"], 10, lexicon=ws.lexicon if how["expand"] else None,
                    concepts_of=ws._concepts_of, mode=how["mode"],
                )  # fmt: skip
                ranked = [h.passage.row for h in hits]
                results[name].append((query["language"], metrics(ranked, grades)))
                if args.verbose and name == "hybrid" and metrics(ranked, grades)[2] < 0.5:
                    print(
                        f"  weak: {query['id']} {query['query']!r} nDCG@10 {metrics(ranked, grades)[2]:.2f}"
                    )
    print(f"\n{'ranking':<24} {'R@5':>6} {'MRR@10':>7} {'nDCG@10':>8}   {'EN nDCG@10':>10}")
    for name, rows in results.items():
        r5, mrr, ndcg = (statistics.mean(m[i] for _, m in rows) for i in range(3))
        en = statistics.mean(m[2] for lang, m in rows if lang == "en")
        print(f"{name:<24} {r5:6.3f} {mrr:7.3f} {ndcg:8.3f}   {en:10.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
