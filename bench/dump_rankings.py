"""Every ranking the search gives, dumped to JSON, so that a speed-up can be shown to change
none: run it before and after (e.g. the old code from `git archive` on PYTHONPATH) and compare
the files (--compare A B prints what differs).

Demo workspace (--data, ingested once): the old and tuning queries x passage and study search
(the service's JSON: rows, scores, highlights) x unfiltered and the filters the tests use
(place, language, theory, obstacle, stakeholder, year) and two allowed_docs sets given to the
search directly. Synthetic studies (--synth DIR: the index bench/search_bench.py --studies
built for DIR, reused): passage and study search unfiltered, one regency and one theory.

Usage: python bench/dump_rankings.py OUT.json [--data DIR] [--synth /work/scale/synth-100000]
       python bench/dump_rankings.py --compare A.json B.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILTERS = [
    {}, {"place": "32"}, {"language": "en"}, {"language": "id"},
    {"theory": "collaborative_governance"}, {"obstacle": "funding"},
    {"obstacle": "sectoral_ego"}, {"stakeholder": "p2tp2a"}, {"year_from": 2021, "year_to": 2022},
]  # fmt: skip


def queries() -> list[str]:
    gold = ROOT / "bench/gold"
    return [q["query"] for name in ("retrieval.json", "retrieval_dev.json")
            for q in json.loads((gold / name).read_text("utf-8"))["queries"]]  # fmt: skip


def hits_out(hits: list) -> list:
    return [[h.passage.row, h.score, h.dense, h.lexical, h.concept, h.highlights] for h in hits]


def studies_out(found: list) -> list:
    return [[s.doc_id, s.score, s.similarity, s.passage_score, s.concepts, s.words,
             hits_out(s.passages)] for s in found]  # fmt: skip


def demo(data: Path) -> dict[str, object]:
    from api.settings import Settings
    from api.workspace import Workspace
    from bench.retrieval_eval import corpus_files
    from kg.lookup import Filters
    from search import hybrid, studies

    out: dict[str, object] = {}
    with Workspace(Settings(data=data)) as ws:
        if not ws.store.document_ids():
            ws.ingest_paths(corpus_files("judged"))
        docs = sorted(ws.index.document_ids())
        sets = {"half": set(docs[::2]), "one": {docs[len(docs) // 2]}}
        for q in queries():
            for f in FILTERS:
                key = json.dumps(f, sort_keys=True)
                filters = Filters(**f) if f else None
                out[f"passages {q} {key}"] = ws.search(q, 10, filters)
                out[f"studies {q} {key}"] = ws.search_studies(q, 10, filters)
            for name, allowed in sets.items():
                common = {"lexicon": ws.lexicon, "allowed_docs": allowed,
                          "concepts_of": ws.searching._concepts_of}  # fmt: skip
                out[f"hybrid {q} {name}"] = hits_out(hybrid.search(ws.index, q, 10, **common))
                out[f"study {q} {name}"] = studies_out(studies.search(ws.index, q, 10, **common))
    return out


def synth(folder: Path) -> dict[str, object]:
    from api.settings import Settings
    from bench import search_synth
    from kg.vocabulary import load_lexicon
    from search import hybrid, studies
    from search.embedding import load_embedder
    from search.index import SearchIndex

    settings = Settings()
    index = SearchIndex(ROOT / "bench/out" / f"search-{folder.name}",
                        load_embedder(settings.model, settings.model_cache))  # fmt: skip
    lexicon = load_lexicon()
    every = search_synth.read_passages(folder)
    chosen = search_synth.filters(folder, [s[0].doc_id if s else "" for s in every])
    out: dict[str, object] = {}
    for q in queries():
        for name, docs in [("unfiltered", None), *chosen.items()]:
            out[f"synth passages {q} {name}"] = hits_out(
                hybrid.search(index, q, 10, lexicon=lexicon, allowed_docs=docs)
            )
            out[f"synth studies {q} {name}"] = studies_out(
                studies.search(index, q, 10, lexicon=lexicon, allowed_docs=docs))  # fmt: skip
    index._db.close()  # not saved: a benchmark may be reading the same files
    return out


def compare(a: Path, b: Path) -> int:
    old, new = json.loads(a.read_text()), json.loads(b.read_text())
    differ = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    moved = [k for k in differ if _order(old.get(k)) != _order(new.get(k))]
    print(f"{len(old)} / {len(new)} rankings; {len(differ)} differ in any value, "
          f"{len(moved)} in the order of their results")  # fmt: skip
    for k in differ[:20]:
        print("  differs:", k)
    return 1 if differ else 0


def _order(ranking: object) -> object:
    """The ranked items alone (rows or doc ids), without scores."""
    if not isinstance(ranking, list):
        return ranking
    return [(r.get("document"), r.get("passage")) if isinstance(r, dict) else r[0]
            for r in ranking]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--data", type=Path, default=ROOT / "bench/out/dump-data")
    parser.add_argument("--synth", type=Path, default=None)
    parser.add_argument("--compare", type=Path, nargs=2, default=None)
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    dumped = synth(args.synth) if args.synth else demo(args.data)
    args.out.write_text(json.dumps(dumped, sort_keys=True, ensure_ascii=False))
    print(f"{len(dumped)} rankings -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
