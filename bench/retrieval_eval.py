"""Retrieval quality, every ranking in one run: BM25 alone, dense (e5) alone, hybrid without
concept expansion, hybrid with it, and the final ranking as shipped; for passage search and for
study search; per query language.

Sets (bench/gold/): `old` retrieval.json (43 queries, every earlier ranking decision was tuned
on it), `tuning` retrieval_dev.json (q101-q120, the set weights are chosen on) and `heldout`
retrieval_heldout.json (q121-q140: scored once, at the end, only with --heldout) and `heldout2`
retrieval_heldout2.json (q141-q160, written before the search13 round's ranking changes and
scored once after its last one; all four are spent, tuning sets from the quality round on).

`--corpus judged` (default): corpus/ and bench/records' top level and heldout/, the 18 studies
those sets were judged over. `--corpus all`: corpus/ and every record of bench/records (82
studies), over which `tuning3` (retrieval_tuning3.json, q201-q224) and `heldout3`
(retrieval_heldout3.json, q161-q192: written and committed before the quality round's ranking
changes, scored once at its end, only with --heldout) are judged, and so are `tuning4`
(retrieval_tuning4.json, q401-q424) and `heldout4` (retrieval_heldout4.json, q301-q332), both
written in the fourth quality round before its ranking changes: mostly paraphrases that avoid
the studies' wording (informal Indonesian, abbreviations such as KDRT/Dinsos/peksos, typos).
heldout4 was scored once, by the lead (bench/retrieval_eval_heldout4.txt), and is a tuning set
from the fifth round on, as heldout2 is from the fourth; heldout and heldout3 are spent but stay
behind --heldout. `tuning5`
(retrieval_tuning5.json, q501-q520) and `heldout5` (retrieval_heldout5.json, q521-q540), 10 ID +
10 EN each, were written in the fifth round before its ranking changes, without running any
search, and favour the studies the earlier sets used least; both are judged over --corpus all.
tuning5 is a tuning set; heldout5 was scored once, by the lead, after merging the fifth round
(bench/retrieval_eval_heldout5.txt): spent, it stays behind --heldout and is a tuning set from
the sixth round on.
Study relevance: a query's `studies`, or for the old set the documents of its relevant passages.
"final" is what ships: hybrid passage search, and search/studies.py for studies; "final, no
synonyms" is it without search/synonyms.py's Indonesian normalisation (the fourth round's change).
Metrics: R@5 (recall of the relevant items in the top 5), Hit@5 (any relevant item in the top
5), MRR@10, nDCG@10 (graded). Usage: python bench/retrieval_eval.py [--heldout] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
from collections.abc import Callable, Hashable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.settings import Settings  # noqa: E402
from api.workspace import Workspace  # noqa: E402
from search import hybrid, studies  # noqa: E402

GOLD = ROOT / "bench/gold"
SETS = {
    "old": "retrieval.json",
    "tuning": "retrieval_dev.json",
    "heldout": "retrieval_heldout.json",
    "heldout2": "retrieval_heldout2.json",
    "heldout3": "retrieval_heldout3.json",
    "tuning3": "retrieval_tuning3.json",
    "tuning4": "retrieval_tuning4.json",
    "heldout4": "retrieval_heldout4.json",
    "tuning5": "retrieval_tuning5.json",
    "heldout5": "retrieval_heldout5.json",
}
HELDOUT = ("heldout", "heldout3", "heldout5")  # heldout4: spent, a tuning set from round five
# tuning3 and heldout3 are judged over every record of bench/records (all subfolders, 82
# studies); the older sets over 18 (--corpus judged): on the larger corpus their unjudged
# relevant studies count as misses, so their figures there only compare rankings.
NEEDS_ALL = {"tuning3", "heldout3", "tuning4", "heldout4", "tuning5", "heldout5"}
PASSAGE_MODES = {
    "bm25": {"mode": "lexical", "expand": False},
    "bm25 + expansion": {"mode": "lexical", "expand": True},  # SKOS labels and translation
    "dense": {"mode": "dense", "expand": False},
    "hybrid (no expansion)": {"mode": "hybrid", "expand": False},
    "hybrid": {"mode": "hybrid", "expand": True},
}
STUDY_POOL = 100  # passages a passage ranking is read to for its order of studies


def corpus_files(corpus: str = "judged") -> list[Path]:
    """`judged`: corpus/, bench/records' top level and heldout/ (18 studies, what the sets up to
    heldout2 were judged over); `all`: corpus/ and every folder of bench/records (82 studies)."""
    records = ROOT / "bench/records"
    if corpus == "all":
        return [ROOT / "corpus", records]
    judged = [p for p in sorted(records.iterdir()) if p.is_file()]
    return [ROOT / "corpus", *judged, records / "heldout"]


def passage_grades(
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


def study_grades(query: dict, files: dict[str, str]) -> dict[str, int]:
    judged = query.get("studies") or query["relevant"]
    grades: dict[str, int] = {}
    for judgment in judged:
        docs = [d for d, name in files.items() if name.startswith(judgment["doc"])]
        if not docs:
            raise SystemExit(f"{query['id']}: no study named {judgment['doc']}*")
        for doc in docs:
            grades[doc] = max(grades.get(doc, 0), judgment["grade"])
    return grades


def metrics(ranked: list[Hashable], grades: dict) -> tuple[float, float, float, float]:
    relevant = [r for r, g in grades.items() if g > 0]
    recall5 = len(set(ranked[:5]) & set(relevant)) / len(relevant)
    hit5 = float(bool(set(ranked[:5]) & set(relevant)))
    mrr = next((1 / i for i, r in enumerate(ranked[:10], start=1) if r in grades), 0.0)
    dcg = sum(
        (2 ** grades.get(r, 0) - 1) / math.log2(i + 1) for i, r in enumerate(ranked[:10], start=1)
    )
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(i + 1) for i, g in enumerate(ideal, start=1))
    return recall5, hit5, mrr, dcg / idcg if idcg else 0.0


def studies_in_order(hits: list[hybrid.Hit]) -> list[str]:
    seen: list[str] = []
    for hit in hits:
        if hit.passage.doc_id not in seen:
            seen.append(hit.passage.doc_id)
    return seen


def rankers(ws: Workspace) -> dict[str, dict[str, Callable[[str], list]]]:
    """For each unit, ranking name -> query -> ranked rows (passages) or doc ids (studies)."""

    def passages(how: dict, k: int) -> Callable[[str], list[hybrid.Hit]]:
        return lambda q: hybrid.search(
            ws.index, q, k, lexicon=ws.lexicon if how["expand"] else None,
            concepts_of=ws.searching._concepts_of, mode=how["mode"],
        )  # fmt: skip

    passage_unit: dict[str, Callable[[str], list]] = {}
    study_unit: dict[str, Callable[[str], list]] = {}
    for name, how in PASSAGE_MODES.items():
        passage_unit[name] = (lambda f: lambda q: [h.passage.row for h in f(q)])(passages(how, 10))
        study_unit[name] = (lambda f: lambda q: studies_in_order(f(q)))(passages(how, STUDY_POOL))
    final_passages = passages({"mode": "hybrid", "expand": True}, 10)
    # the shipped ranking without search/synonyms.py (the fourth quality round's baseline)
    passage_unit["final, no synonyms"] = without_synonyms(lambda q: [h.passage.row for h in final_passages(q)])  # fmt: skip
    study_unit["final, no synonyms"] = without_synonyms(lambda q: [s.doc_id for s in final_studies(ws, q)])  # fmt: skip
    passage_unit["final"] = lambda q: [h.passage.row for h in final_passages(q)]
    study_unit["final"] = lambda q: [s.doc_id for s in final_studies(ws, q)]
    return {"passage": passage_unit, "study": study_unit}


def without_synonyms(rank: Callable[[str], list]) -> Callable[[str], list]:
    def ranked(query: str) -> list:
        hybrid.SYNONYMS = False
        try:
            return rank(query)
        finally:
            hybrid.SYNONYMS = True

    return ranked


def final_studies(ws: Workspace, query: str, **how: object) -> list[studies.StudyHit]:
    return studies.search(
        ws.index, query, 10, lexicon=ws.lexicon, concepts_of=ws.searching._concepts_of,
        study_concepts=ws.searching._study_concepts, **how,  # type: ignore[arg-type]
    )  # fmt: skip


def remember_query_vectors(ws: Workspace) -> None:
    """The sweep asks for the same query vectors again and again: compute each once."""
    embedder = ws.index.embedder
    encode = embedder.encode_queries
    memo: dict[tuple[str, ...], object] = {}

    def remembered(texts: list[str], batch_size: int = 32):  # type: ignore[no-untyped-def]
        key = tuple(texts)
        if key not in memo:
            memo[key] = encode(texts, batch_size)
        return memo[key]

    embedder.encode_queries = remembered  # type: ignore[method-assign]


def sweep(
    ws: Workspace, queries: list[dict], files: dict[str, str], passages: dict, unit: str
) -> list[str]:
    """Weights on the tuning sets (old, tuning, heldout2, and over --corpus all tuning3,
    tuning4 and heldout4): mean of MRR@10 and R@5, per language too. (The translation and bilingual vector weights of the quality round were swept with
    bench/retrieval_eval_after3.txt's runs; this sweep keeps them at search/hybrid.py's.)"""
    remember_query_vectors(ws)
    lines = [f"\n## {unit} sweep on the tuning sets (score = (R@5 + MRR@10) / 2)"]
    if unit == "passage":
        for fusion in [
            hybrid.Fusion(1.0, lexical, study)
            for lexical in (0.5, 0.75, 1.0, 1.5)
            for study in (0.0, 0.5, 1.0, 2.0)
        ]:
            rows = []
            for q in queries:
                hits = hybrid.search(
                    ws.index, q["query"], 10, lexicon=ws.lexicon,
                    concepts_of=ws.searching._concepts_of, fusion=fusion,
                )  # fmt: skip
                m = metrics([h.passage.row for h in hits], passage_grades(q, passages, files))
                rows.append((q["language"], m))
            lines.append(f"passage {fusion}  {summary(rows)}")
            print(lines[-1], flush=True)
        return lines
    # CombSUM of min-max scaled scores (search/studies.py Weights; bench/study_fusion.py sweeps
    # many more settings, and reciprocal ranks, from signals computed once)
    grid = [
        studies.Weights(best, 0.0, 0.0, 0.0, text, bm25, passage_bm25)
        for best in (0.0, 0.5)
        for passage_bm25 in (0.0, 0.5, 1.0)
        for text in (0.0, 0.5, 1.0, 2.0)
        for bm25 in (0.0, 0.5, 1.0, 2.0)
    ]
    for weights in grid:
        rows = []
        for q in queries:
            ranked = [s.doc_id for s in final_studies(ws, q["query"], weights=weights)]
            rows.append((q["language"], metrics(ranked, study_grades(q, files))))
        lines.append(
            f"study best passage={weights.best_passage} passage bm25={weights.passage_bm25} "
            f"text={weights.study_text} bm25={weights.study_bm25}  {summary(rows)}"
        )
        print(lines[-1], flush=True)
    return lines


def summary(rows: list) -> str:
    def score(sub: list) -> float:
        return statistics.mean((m[0] + m[2]) / 2 for _, m in sub) if sub else float("nan")

    r5 = statistics.mean(m[0] for _, m in rows)
    mrr = statistics.mean(m[2] for _, m in rows)
    en = score([r for r in rows if r[0] == "en"])
    id_ = score([r for r in rows if r[0] == "id"])
    return f"score {score(rows):.3f}  R@5 {r5:.3f} MRR {mrr:.3f}  EN {en:.3f} ID {id_:.3f}"


def report(name: str, results: dict[str, dict[str, list]], n: int, n_en: int) -> list[str]:
    lines = [f"\n## {name}: {n} queries ({n_en} English, {n - n_en} Indonesian)"]
    for unit, by_ranking in results.items():
        lines.append(
            f"{unit + ' search':<24} {'R@5':>6} {'Hit@5':>6} {'MRR@10':>7} {'nDCG@10':>8}"
            f"   {'EN R@5':>6} {'EN MRR':>6}   {'ID R@5':>6} {'ID MRR':>6}"
        )
        for ranking, rows in by_ranking.items():
            mean = [statistics.mean(m[i] for _, m in rows) for i in range(4)]
            per = {}
            for lang in ("en", "id"):
                sub = [m for la, m in rows if la == lang]
                per[lang] = (
                    (statistics.mean(m[0] for m in sub), statistics.mean(m[2] for m in sub))
                    if sub
                    else (float("nan"), float("nan"))
                )
            lines.append(
                f"  {ranking:<22} {mean[0]:6.3f} {mean[1]:6.3f} {mean[2]:7.3f} {mean[3]:8.3f}"
                f"   {per['en'][0]:6.3f} {per['en'][1]:6.3f}   {per['id'][0]:6.3f} {per['id'][1]:6.3f}"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--heldout", action="store_true", help="score the held-out half too")
    parser.add_argument("--sets", nargs="*", default=None, help="which of old tuning heldout")
    parser.add_argument("--out", type=Path, help="also write the tables to this file")
    parser.add_argument(
        "--data", type=Path, help="keep the workspace here between runs (ingest once)"
    )
    parser.add_argument(
        "--sweep", choices=("study", "passage"), help="weights on the tuning sets, for a unit"
    )
    parser.add_argument(
        "--corpus", choices=("judged", "all"), default="judged",
        help="judged: the 18 studies the sets up to heldout2 were judged over; all: every record",
    )  # fmt: skip
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()
    tuning = [
        "old",
        "tuning",
        "heldout2",
        *(["tuning3", "tuning4", "heldout4", "tuning5"] if args.corpus == "all" else []),
    ]
    held = [h for h in HELDOUT if (h in NEEDS_ALL) == (args.corpus == "all")]
    names = args.sets or [*tuning, *(held if args.heldout else [])]
    if set(HELDOUT) & set(names) and not args.heldout:
        raise SystemExit("the held-out sets are scored only with --heldout")
    if NEEDS_ALL & set(names) and args.corpus != "all":
        raise SystemExit(f"{', '.join(sorted(NEEDS_ALL))} is judged over --corpus all")
    lines: list[str] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        Workspace(Settings(data=args.data or Path(tmp) / "data")) as ws,
    ):
        summary = ws.ingest_paths(corpus_files(args.corpus))
        files = {o.doc_id: Path(o.source).name for o in summary.outcomes if o.doc_id}
        if len(files) != len(ws.store.document_ids()):
            raise SystemExit(f"{args.data} holds other documents than the corpus: remove it")
        index = ws.index
        passages = index.passages(index.rows())
        lines.append(
            f"# retrieval on {len(passages)} passages of {len(files)} studies ({args.corpus}); "
            f"model {index.embedder.model_id}"
        )
        if args.sweep:
            tuning = [
                q
                for name in tuning  # every tuning set of the corpus
                for q in json.loads((GOLD / SETS[name]).read_text(encoding="utf-8"))["queries"]
            ]
            lines.extend(sweep(ws, tuning, files, passages, args.sweep))
            if args.out:
                args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return 0
        units = rankers(ws)
        for set_name in names:
            gold = json.loads((GOLD / SETS[set_name]).read_text(encoding="utf-8"))
            queries = gold["queries"]
            results: dict[str, dict[str, list]] = {u: {r: [] for r in units[u]} for u in units}
            for query in queries:
                judged = {
                    "passage": passage_grades(query, passages, files),
                    "study": study_grades(query, files),
                }
                for unit, by_ranking in units.items():
                    for ranking, rank in by_ranking.items():
                        got = metrics(rank(query["query"]), judged[unit])
                        results[unit][ranking].append((query["language"], got))
                        if args.verbose and ranking == "final" and got[2] < 0.5:
                            print(
                                f"  weak {unit}: {query['id']} {query['query']!r} MRR {got[2]:.2f}"
                            )
            n_en = sum(q["language"] == "en" for q in queries)
            lines.extend(report(set_name, results, len(queries), n_en))
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
