"""Study search: a researcher mostly wants the study, not a passage.

A study's score adds its signals, each scaled to [0, 1] over its candidates (CombSUM; the
rounds before the fifth added reciprocal ranks, still there with Weights.normalised off):
- its passages: the best BM25 score among them (the lexical query, expanded) and, at weight 0
  by default, its best passage's hybrid score;
- the study as a whole, ranked among all allowed studies: the e5 vector of its title and
  opening text (its abstract), BM25 over all its text and title as one field (words no single
  passage has together), and the mean of its passages' vectors;
- the concepts the query names (SKOS labels, either language) that the study carries.
The passages that made it match come with it, with the words and concepts that matched.
Weights are chosen on the tuning set (bench/retrieval_eval.py --sweep) and reported there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np

from ingest.lexicon import Lexicon
from search import hybrid
from search.engine import PassageIndex
from search.hybrid import RRF_K, Hit, expand, query_vector, validate
from search.index import FilterMemo, IndexedPassage

PASSAGE_POOL = hybrid.CANDIDATES  # passages read to gather each study's best ones
STUDY_POOL = 100  # studies ranked by their own vector
SHOWN_PASSAGES = 3


@dataclass(frozen=True, slots=True)
class Weights:
    """How a study's signals add up. With `normalised` (the default since the fifth quality
    round), a weighted sum of scores each scaled to [0, 1] over its candidates (min-max:
    CombSUM): the best BM25 score among the study's passages (`passage_bm25`), its study-text
    e5 similarity (`study_text`) and its whole-study BM25 (`study_bm25`); `best_passage` is
    then the min-max scaled hybrid score of its best passage. Without it, reciprocal ranks
    (RRF_K) of the same rankings, `best_passage` being the hybrid score itself (RRF already).

    Fifth round, on all six tuning sets (163 queries; bench/study_fusion.py, sweeps in
    bench/retrieval_sweep_round5.txt, tables in bench/retrieval_eval_after5.txt): the fourth
    round's RRF scored R@5 0.836 / MRR@10 0.868, below expanded BM25 alone (whole-study BM25:
    0.864 / 0.909); the dense rankings are weak alone (study-text e5 0.654 / 0.730). Most of the
    gain is the lexical query's weights (search/hybrid.py LABEL_WEIGHT, TRANSLATED_WEIGHTS) and
    less weight on dense; with those, CombSUM at 1/1/1 scored 0.861 / 0.930 for both languages,
    RRF's best (chosen per language, dense nearly off) 0.862 / 0.925. CombSUM is kept: one
    setting for both languages, the e5 signal kept at full weight for the paraphrases BM25
    misses, and a study far ahead on one signal stays ahead. Per-language CombSUM weights
    gained 0.005; the passages' dense list (pd 0.5) cost 0.007; sets: tuning3 0.809/0.958,
    tuning4 0.830/0.931, heldout4 0.842/0.938, old 0.934/0.903, tuning 0.844/0.950, heldout2
    0.855/0.925 (against the fourth round, old lost R@5 0.04 and tuning 0.02 and MRR@10
    0.025; every other figure rose).
    Earlier rounds (RRF): a second passage's share 0.5 cost 0.15 (studies with many passages
    crowd out short ones), the mean passage vector at 1.0 cost 0.01, the concept bonus at 0.5
    changed nothing; they stay at 0."""

    best_passage: float = 0.0
    second_passage: float = 0.0  # RRF only
    study_vector: float = 0.0  # mean of the study's passage vectors
    concept: float = 0.0  # per query concept the study carries, as a share of a first rank
    study_text: float = 1.0  # e5 vector of the study's title and opening text
    study_bm25: float = 1.0  # BM25 over the whole study (title and all its text) as one field
    passage_bm25: float = 1.0  # the best BM25 score among its passages
    normalised: bool = True  # CombSUM of min-max scaled scores; False: reciprocal ranks


WEIGHTS = Weights()
# The fourth round's reciprocal-rank fusion (Indonesian queries leaned on whole-study BM25):
# what the fifth round's sweep compared against.
RRF_WEIGHTS = {
    "en": Weights(1.0, 0.0, 0.0, 0.0, 2.0, 2.0, 0.0, normalised=False),
    "id": Weights(1.0, 0.0, 0.0, 0.0, 1.0, 3.0, 0.0, normalised=False),
}
WEIGHTS_BY_LANGUAGE: dict[str, Weights] = {}


@dataclass(slots=True)
class StudyHit:
    doc_id: str
    score: float
    passages: list[Hit] = field(default_factory=list)
    similarity: float | None = None  # the study's vector against the query's
    passage_score: float = 0.0
    concepts: list[str] = field(default_factory=list)  # query concepts the study carries
    words: list[str] = field(default_factory=list)  # query words its shown passages contain


def nearest_studies(
    ids: list[str],
    matrix: np.ndarray,
    vector: np.ndarray,
    allowed_docs: set[str] | None,
    pool: int,
) -> tuple[np.ndarray, list[int]]:
    """(similarity of every study, positions of the `pool` most similar allowed ones, best
    first). Only the pool is sorted, and a filter maps its studies to positions by a dict:
    sorting 100k similarities and testing each id against the filter in Python took tens of
    ms a search. Every study is scored even under a filter: BLAS scores a few rows with
    another kernel than the whole matrix, whose last bit differs, and the ranking must not."""
    similarity = matrix @ vector
    candidates = None
    if allowed_docs is not None:
        positions, memo = _positions(ids)

        def make() -> np.ndarray:  # mapped by C, not by a Python loop
            found = np.fromiter(map(positions.get, allowed_docs, repeat(-1)), np.int64)
            return np.sort(found[found >= 0])

        candidates = memo.get(allowed_docs, make)
    scores = -(similarity if candidates is None else similarity[candidates])
    if len(scores) > pool:
        top = np.sort(np.argpartition(scores, pool - 1)[:pool])  # ties: the earlier study first
        top = top[np.argsort(scores[top], kind="stable")]
    else:
        top = np.argsort(scores, kind="stable")
    chosen = top if candidates is None else candidates[top]
    return similarity, chosen.tolist()


# The last study-id list seen, each id's position in it and the last filters' positions: the
# index keeps one list until it changes, so a filter maps its studies to positions without a
# pass over all of them, and a filter asked again (search/index.py FilterMemo) without any.
_POSITIONS: tuple[list[str], dict[str, int], FilterMemo] = ([], {}, FilterMemo())


def _positions(ids: list[str]) -> tuple[dict[str, int], FilterMemo]:
    global _POSITIONS
    known, positions, memo = _POSITIONS
    if known is not ids:
        positions, memo = {d: i for i, d in enumerate(ids)}, FilterMemo()
        _POSITIONS = (ids, positions, memo)
    return positions, memo


def search(
    index: PassageIndex,
    query: str,
    k: int = 10,
    *,
    lexicon: Lexicon | None = None,
    allowed_docs: set[str] | None = None,
    concepts_of: Callable[[list[IndexedPassage]], dict[int, set[str]]] | None = None,
    study_concepts: Callable[[list[str]], dict[str, set[str]]] | None = None,
    weights: Weights | None = None,  # None: the query language's (WEIGHTS_BY_LANGUAGE)
    bilingual: float | None = None,  # None: the query language's (hybrid.BILINGUAL_WEIGHTS)
    vector: np.ndarray | None = None,
    fusion: hybrid.Fusion | None = None,
) -> list[StudyHit]:
    query = validate(query)
    if allowed_docs is not None and not allowed_docs:
        return []
    expansion = expand(query, lexicon)
    if weights is None:
        weights = WEIGHTS_BY_LANGUAGE.get(expansion.language, WEIGHTS)
    if vector is None:
        vector = query_vector(index, query, expansion, bilingual)
    retrieved = hybrid.retrieve(
        index, query, expansion, PASSAGE_POOL, allowed_docs=allowed_docs, vector=vector
    )
    passages = hybrid.search(
        index, query, PASSAGE_POOL, lexicon=lexicon, allowed_docs=allowed_docs,
        concepts_of=concepts_of, vector=vector, highlights=False, expansion=expansion,
        fusion=fusion, retrieved=retrieved,
    )  # fmt: skip
    studies: dict[str, StudyHit] = {}
    for hit in passages:  # best first
        study = studies.setdefault(hit.passage.doc_id, StudyHit(hit.passage.doc_id, 0.0))
        study.passages.append(hit)
    for study in studies.values():
        scores = [h.score for h in study.passages[:2]] + [0.0]
        study.passage_score = weights.best_passage * scores[0] + weights.second_passage * scores[1]

    def add(weight: float, ranked: list[tuple[str, float]]) -> None:
        """Each study of a ranking (best first) gains its share: its min-max scaled score, or
        its reciprocal rank."""
        if weight <= 0 or not ranked:
            return
        for (doc_id, _), share in zip(
            ranked, hybrid.shares(ranked, weights.normalised), strict=True
        ):
            studies.setdefault(doc_id, StudyHit(doc_id, 0.0)).score += weight * share

    if weights.normalised:
        add(weights.best_passage, [(s.doc_id, s.passage_score) for s in studies.values()])
    else:
        for study in studies.values():
            study.score = study.passage_score
    best_lexical: dict[str, float] = {}
    if retrieved.lexical:
        found = retrieved.passages(index)  # read once, by the passage search above
        for row, score in retrieved.lexical:  # best first
            if row in found:
                best_lexical.setdefault(found[row].doc_id, score)
    add(weights.passage_bm25, list(best_lexical.items()))

    for weight, vectors in (
        (weights.study_vector, index.document_vectors),
        (weights.study_text, index.study_vectors),
    ):
        ids, matrix = vectors() if weight > 0 else ([], None)
        if ids and matrix is not None:
            similarity, order = nearest_studies(ids, matrix, vector, allowed_docs, STUDY_POOL)
            for i in order:
                study = studies.setdefault(ids[i], StudyHit(ids[i], 0.0))
                study.similarity = max(study.similarity or -1.0, float(similarity[i]))
            add(weight, [(ids[i], float(similarity[i])) for i in order])

    if weights.study_bm25 > 0:
        add(
            weights.study_bm25,
            index.study_lexical_search(
                hybrid.lexical_query(query, expansion), STUDY_POOL, allowed_docs
            ),
        )

    def mark_concepts(found: list[StudyHit]) -> None:
        carried = study_concepts([s.doc_id for s in found]) if study_concepts else {}
        for study in found:
            study.concepts = [c for c in expansion.concepts if c in carried.get(study.doc_id, ())]
            study.score += weights.concept * len(study.concepts) / (RRF_K + 1)

    # At weight 0 the concepts only say why the shown studies matched: look them up for those.
    if expansion.concepts and weights.concept > 0:
        mark_concepts(list(studies.values()))
    top = sorted(studies.values(), key=lambda s: -s.score)[:k]
    if expansion.concepts and weights.concept <= 0:
        mark_concepts(top)
    stems = hybrid.query_stems(query, expansion)
    for study in top:
        if not study.passages:  # found as a whole study alone: show its nearest passages
            rows = index.doc_rows({study.doc_id})
            found = index.passages([r for r, _ in index.dense_search(vector, SHOWN_PASSAGES, rows)])
            study.passages = [Hit(p, 0.0) for p in found.values()]
        study.passages = study.passages[:SHOWN_PASSAGES]
        words: dict[str, None] = {}
        for hit in study.passages:
            hit.highlights = hybrid.highlight(hit.passage.text, stems)
            for start, end in hit.highlights:
                words.setdefault(hit.passage.text[start:end].lower())
        study.words = list(words)
    return top
