"""Study-search fusion sweep: every signal of a study ranking computed once per query, then
fused many ways offline (bench/retrieval_eval.py --sweep calls the whole search per setting).

Signals per query (as search/studies.py computes them): passage dense and expanded-BM25 rankings
(100 each, with their scores), the passages' concept matches, the study-text e5 similarity of
every study and whole-study BM25 (100). A fusion maps them to a study ranking; `check` confirms
the shipped one is reproduced. Usage:
python bench/study_fusion.py --corpus all --sets tuning3 tuning4 heldout4 --data /tmp/ws_all
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from retrieval_eval import GOLD, SETS, corpus_files, metrics, study_grades  # noqa: E402

from api.settings import Settings  # noqa: E402
from api.workspace import Workspace  # noqa: E402
from search import hybrid, studies, synonyms  # noqa: E402


@dataclass
class Signals:
    qid: str
    set: str
    language: str  # the set's label
    guessed: str  # search/crosslingual.py's guess
    grades: dict[str, int]
    dense: list[tuple[str, float]]  # passage dense: (doc of passage, score), best first
    lexical: list[tuple[str, float]]
    concept: dict[int, int]  # position in the union -> concept matches (unused here)
    passage_hybrid: list[tuple[str, float]]  # the shipped passage fusion, 100, best first
    study_sim: dict[str, float]  # every study's study-text similarity
    study_bm25: list[tuple[str, float]]
    study_concepts: dict[str, int]
    shipped: list[str]
    # lexical variants, passage (best passage per study, with scores) and whole-study:
    # name -> list; names: full, notrans (no translation), nolabels (no SKOS labels), raw
    plex: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    slex: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    terms: str = ""
    parts_p: dict[str, np.ndarray] = field(default_factory=dict)
    parts_s: dict[str, np.ndarray] = field(default_factory=dict)
    study_ids: list[str] = field(default_factory=list)
    passage_docs: list[str] = field(default_factory=list)
    dense_all: dict[str, float] = field(default_factory=dict)
    passage_grades: dict[int, int] = field(default_factory=dict)  # position in parts_p -> grade
    parts_s_alt: dict[int, dict[str, np.ndarray]] = field(default_factory=dict)  # title x n


def compute(ws: Workspace, query: dict, set_name: str, files: dict[str, str]) -> Signals:
    index = ws.index
    q = hybrid.validate(query["query"])
    expansion = hybrid.expand(q, ws.lexicon)
    vector = hybrid.query_vector(index, q, expansion)
    dense = index.dense_search(vector, 100, None)
    lexical = index.lexical_search(hybrid.lexical_query(q, expansion), 100, None)
    rows = sorted({r for r, _ in dense} | {r for r, _ in lexical})
    passages = index.passages(rows)
    doc = {r: p.doc_id for r, p in passages.items()}
    ph = hybrid.search(
        index, q, 100, lexicon=ws.lexicon, concepts_of=ws.searching._concepts_of,
        vector=vector, highlights=False, expansion=expansion,
    )  # fmt: skip
    ids, matrix = index.study_vectors()
    sims = matrix @ vector
    sb = index.study_lexical_search(hybrid.lexical_query(q, expansion), 100, None)
    carried = ws.searching._study_concepts(ids)
    shipped = [s.doc_id for s in studies.search(
        index, q, 10, lexicon=ws.lexicon, concepts_of=ws.searching._concepts_of,
        study_concepts=ws.searching._study_concepts,
    )]  # fmt: skip
    syn = synonyms.normalise(q).terms if expansion.language == "id" else []
    labels = [t for t in expansion.terms if t not in syn]
    variants = {
        "full": expansion,
        "notrans": hybrid.Expansion(expansion.concepts, expansion.terms, [], expansion.language),
        "nolabels": hybrid.Expansion([], syn, expansion.translated, expansion.language),
        "raw": hybrid.Expansion([], []),
    }
    plex, slex = {}, {}
    for name, ex in variants.items():
        text = hybrid.lexical_query(q, ex)
        plex[name] = best_per_study(
            [(doc_of(index, r), s) for r, s in index.lexical_search(text, 100, None)]
        )
        slex[name] = index.study_lexical_search(text, 100, None)
    sig = Signals(
        query["id"], set_name, query["language"], expansion.language,
        study_grades(query, files),
        [(doc[r], s) for r, s in dense], [(doc[r], s) for r, s in lexical], {},
        [(h.passage.doc_id, h.score) for h in ph],
        {ids[i]: float(sims[i]) for i in range(len(ids))},
        sb,
        {d: len(set(expansion.concepts) & carried.get(d, set())) for d in ids},
        shipped,
    )  # fmt: skip
    sig.plex, sig.slex = plex, slex
    # every passage's and study's BM25 score per part of the lexical query (BM25 adds over
    # query words, so any weighting of the parts is a sum of these)
    lex = getattr(index, "lexical", None)
    parts = {
        "q": q,
        "lab": " ".join(labels),
        "syn": " ".join(syn),
        "tr": " ".join(expansion.translated),
    }
    sig.parts_p = {k: raw_scores(lex, t) for k, t in parts.items()} if lex else {}
    index.study_lexical_search("x", 1, None)
    sids, slexidx = index._study_lexical
    sig.parts_s = {k: raw_scores(slexidx, t) for k, t in parts.items()}
    sig.study_ids = sids
    for times in (2, 3):
        alt = titled_index(index, sids, times)
        sig.parts_s_alt[times] = {k: raw_scores(alt, t) for k, t in parts.items()}
    sig.passage_docs = [doc_of(index, int(r)) for r in lex._rows] if lex else []
    rowpos = {int(r): i for i, r in enumerate(lex._rows)} if lex else {}
    dense_vec = np.zeros(len(rowpos))
    for r, sc in index.dense_search(vector, len(rowpos) + 10, None):
        if r in rowpos:
            dense_vec[rowpos[r]] = sc
    sig.parts_p["dense"] = dense_vec
    from retrieval_eval import passage_grades

    allrows = index.passages([int(r) for r in lex._rows]) if lex else {}
    pg = passage_grades(query, allrows, files)
    sig.passage_grades = {rowpos[r]: g for r, g in pg.items()}
    allp = index.passages([int(r) for r in lex._rows]) if lex else {}
    carried_p = ws.searching._concepts_of(list(allp.values())) if expansion.concepts else {}
    sig.parts_p["concept"] = (
        np.array([len(carried_p.get(int(r), set()) & set(expansion.concepts)) for r in lex._rows])
        if lex
        else np.zeros(0)
    )
    sig.parts_s["dense"] = np.array([sig.study_sim.get(d, 0.0) for d in sids])
    sig.terms = f"labels={labels} syn={syn} trans={expansion.translated}"
    return sig


def raw_scores(lexical, text: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    n = len(lexical._rows)
    if not text.strip():
        return np.zeros(n)
    got = lexical._scores(text)
    return np.zeros(n) if got is None else np.asarray(got, dtype=float)


_TITLED: dict[int, object] = {}


def titled_index(index, ids: list[str], times: int):  # type: ignore[no-untyped-def]
    """A whole-study BM25 index whose title is written `times` times (a heavier title field)."""
    if times not in _TITLED:
        from search.lexical import LexicalIndex

        db = index._db
        titles = dict(db.execute("SELECT doc_id, title FROM studies"))
        texts: dict[str, list[str]] = {}
        for doc_id, text in db.execute("SELECT doc_id, text FROM passages ORDER BY doc_id, idx"):
            texts.setdefault(doc_id, [titles.get(doc_id, "")] * times).append(text)
        lexical = LexicalIndex()
        lexical.build(list(range(len(ids))), ["\n".join(texts.get(d, [])) for d in ids])
        _TITLED[times] = lexical
    return _TITLED[times]


_DOC: dict[int, str] = {}


def doc_of(index, row: int) -> str:  # type: ignore[no-untyped-def]
    if row not in _DOC:
        _DOC.update({r: p.doc_id for r, p in index.passages([row]).items()})
    return _DOC[row]


def best_per_study(ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
    seen: dict[str, float] = {}
    for d, s in ranked:
        seen.setdefault(d, s)
    return list(seen.items())


def rrf(ranked: list[tuple[str, float]], k: float = 60) -> dict[str, float]:
    return {d: 1 / (k + r) for r, (d, _) in enumerate(ranked, start=1)}


def sorted_sims(sig: Signals, pool: int = 100) -> list[tuple[str, float]]:
    return sorted(sig.study_sim.items(), key=lambda x: (-x[1], x[0]))[:pool]


def norm(ranked: list[tuple[str, float]], how: str) -> dict[str, float]:
    """Scores mapped to [0, 1]-ish: max (s / top), minmax over the list, or z over the list."""
    if not ranked:
        return {}
    vals = np.array([s for _, s in ranked])
    if how == "max":
        top = vals.max()
        out = vals / top if top > 0 else vals * 0
    elif how == "minmax":
        lo, hi = vals.min(), vals.max()
        out = (vals - lo) / (hi - lo) if hi > lo else vals * 0
    else:  # z
        sd = vals.std()
        out = (vals - vals.mean()) / sd if sd > 0 else vals * 0
    return {d: float(v) for (d, _), v in zip(ranked, out, strict=True)}


def combine(parts: list[tuple[float, dict[str, float]]]) -> list[str]:
    total: dict[str, float] = {}
    for w, scores in parts:
        if w:
            for d, s in scores.items():
                total[d] = total.get(d, 0.0) + w * s
    return [d for d, _ in sorted(total.items(), key=lambda x: (-x[1], x[0]))]


def fuse_rrf(sig: Signals, w: dict[str, float], k: float = 60) -> list[str]:
    """w keys: ph (best passage of the shipped passage fusion, its own score), pd / pl (a
    study's best passage rank in the dense / lexical list), sv (study vector), sb (study BM25),
    c (concepts)."""
    parts = [
        (w.get("ph", 0), dict(best_per_study(sig.passage_hybrid))),
        (w.get("pd", 0), rrf(best_per_study(sig.dense), k)),
        (w.get("pl", 0), rrf(best_per_study(sig.lexical), k)),
        (w.get("sv", 0), rrf(sorted_sims(sig), k)),
        (w.get("sb", 0), rrf(sig.study_bm25, k)),
        (w.get("c", 0), {d: n / (k + 1) for d, n in sig.study_concepts.items() if n}),
    ]
    return combine(parts)


def fuse_score(sig: Signals, w: dict[str, float], how: str = "max") -> list[str]:
    """Weighted CombSUM of normalised scores: pd/pl best passage score per study, sv over the
    top 100 similarities, sb; c is concept count (already small integers)."""
    parts = [
        (w.get("pd", 0), norm(best_per_study(sig.dense), how)),
        (w.get("pl", 0), norm(best_per_study(sig.lexical), how)),
        (w.get("sv", 0), norm(sorted_sims(sig), how)),
        (w.get("sb", 0), norm(sig.study_bm25, how)),
        (w.get("c", 0), {d: float(n) for d, n in sig.study_concepts.items() if n}),
    ]
    return combine(parts)


def table(
    signals: list[Signals], rank: Callable[[Signals], list[str]], sets: list[str]
) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    groups: dict[str, list[tuple[float, float]]] = {}
    for sig in signals:
        m = metrics(rank(sig), sig.grades)
        for key in (sig.set, f"{sig.set}/{sig.language}", "all", f"all/{sig.language}"):
            groups.setdefault(key, []).append((m[0], m[2]))
    for key, rows in groups.items():
        out[key] = (statistics.mean(r for r, _ in rows), statistics.mean(m for _, m in rows))
    return out


def line(name: str, t: dict[str, tuple[float, float]], sets: list[str]) -> str:
    cells = [f"{s} {t[s][0]:.3f}/{t[s][1]:.3f}" for s in sets if s in t]
    a = t["all"]
    en, id_ = t.get("all/en", (0, 0)), t.get("all/id", (0, 0))
    return (
        f"{name:<44} ALL {a[0]:.3f}/{a[1]:.3f} ({(a[0] + a[1]) / 2:.3f})  EN {en[0]:.3f}/{en[1]:.3f}"
        f"  ID {id_[0]:.3f}/{id_[1]:.3f}  | " + "  ".join(cells)
    )


def load(args: argparse.Namespace) -> list[Signals]:
    cache = args.cache
    if cache and cache.exists() and not args.fresh:
        return pickle.loads(cache.read_bytes())
    signals: list[Signals] = []
    with Workspace(Settings(data=args.data)) as ws:
        summary = ws.ingest_paths(corpus_files(args.corpus))
        files = {o.doc_id: Path(o.source).name for o in summary.outcomes if o.doc_id}
        for name in args.sets:
            for q in json.loads((GOLD / SETS[name]).read_text(encoding="utf-8"))["queries"]:
                signals.append(compute(ws, q, name, files))
    if cache:
        cache.write_bytes(pickle.dumps(signals))
    return signals


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", choices=("judged", "all"), default="judged")
    parser.add_argument("--sets", nargs="+", required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--also", type=Path, nargs="*", default=[], help="other caches")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--grid", default="")
    args = parser.parse_args()
    if any("heldout5" in s for s in args.sets):
        raise SystemExit("heldout5 is not to be used")
    signals = load(args)
    for extra in args.also:
        signals += pickle.loads(extra.read_bytes())
    sets = list(dict.fromkeys(s.set for s in signals))
    print(line("shipped", table(signals, lambda s: s.shipped, sets), sets))
    if args.grid:
        from study_fusion_grids import grids  # the sweeps, kept beside this module

        grids[args.grid](signals, sets)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
