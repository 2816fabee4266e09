"""Study search: a researcher mostly wants the study, not a passage.

A study's score adds three reciprocal-rank signals:
- its passages, as the hybrid passage search ranks them (best passage, and a share of the
  second: a study that says it twice is more about it than one that says it once);
- the study as a whole: its vector (the mean of its passages' vectors, each of which carries
  the title and section) against the query's, ranked among all allowed studies;
- the concepts the query names (SKOS labels, either language) that the study carries.
The passages that made it match come with it, with the words and concepts that matched.
Weights are chosen on the tuning set (bench/retrieval_eval.py --sweep) and reported there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ingest.lexicon import Lexicon
from search import hybrid
from search.engine import PassageIndex
from search.hybrid import RRF_K, Hit, expand, query_vector, validate
from search.index import IndexedPassage

PASSAGE_POOL = hybrid.CANDIDATES  # passages read to gather each study's best ones
STUDY_POOL = 100  # studies ranked by their own vector
SHOWN_PASSAGES = 3


@dataclass(frozen=True, slots=True)
class Weights:
    """Chosen on the tuning set (bench/retrieval_eval.py --sweep, score = (R@5 + MRR@10) / 2
    of study search): a second passage's share 0.5 cost 0.15 (studies with many passages
    crowd out short ones), the study vector at 1.0 cost 0.01, the concept bonus at 0.5 cost
    0.003; each is kept at 0 but stays a weight, for a larger tuning set to decide again."""

    best_passage: float = 1.0
    second_passage: float = 0.0
    study_vector: float = 0.0
    concept: float = 0.0  # per query concept the study carries, as a share of a first rank


WEIGHTS = Weights()


@dataclass(slots=True)
class StudyHit:
    doc_id: str
    score: float
    passages: list[Hit] = field(default_factory=list)
    similarity: float | None = None  # the study's vector against the query's
    passage_score: float = 0.0
    concepts: list[str] = field(default_factory=list)  # query concepts the study carries
    words: list[str] = field(default_factory=list)  # query words its shown passages contain


def search(
    index: PassageIndex,
    query: str,
    k: int = 10,
    *,
    lexicon: Lexicon | None = None,
    allowed_docs: set[str] | None = None,
    concepts_of: Callable[[list[IndexedPassage]], dict[int, set[str]]] | None = None,
    study_concepts: Callable[[list[str]], dict[str, set[str]]] | None = None,
    weights: Weights = WEIGHTS,
    bilingual: float = hybrid.BILINGUAL_WEIGHT,
    vector: np.ndarray | None = None,
) -> list[StudyHit]:
    query = validate(query)
    if allowed_docs is not None and not allowed_docs:
        return []
    expansion = expand(query, lexicon)
    if vector is None:
        vector = query_vector(index, query, expansion, bilingual)
    passages = hybrid.search(
        index, query, PASSAGE_POOL, lexicon=lexicon, allowed_docs=allowed_docs,
        concepts_of=concepts_of, vector=vector, highlights=False, expansion=expansion,
    )  # fmt: skip
    studies: dict[str, StudyHit] = {}
    for hit in passages:  # best first
        study = studies.setdefault(hit.passage.doc_id, StudyHit(hit.passage.doc_id, 0.0))
        study.passages.append(hit)
    for study in studies.values():
        scores = [h.score for h in study.passages[:2]] + [0.0]
        study.passage_score = weights.best_passage * scores[0] + weights.second_passage * scores[1]
        study.score = study.passage_score

    ids, matrix = index.document_vectors() if weights.study_vector > 0 else ([], None)
    if ids and matrix is not None:
        similarity = matrix @ vector
        order = [
            i for i in np.argsort(-similarity) if allowed_docs is None or ids[i] in allowed_docs
        ]
        for rank, i in enumerate(order[:STUDY_POOL], start=1):
            study = studies.setdefault(ids[i], StudyHit(ids[i], 0.0))
            study.similarity = float(similarity[i])
            study.score += weights.study_vector / (RRF_K + rank)

    if expansion.concepts and study_concepts is not None:
        carried = study_concepts(list(studies))
        for study in studies.values():
            study.concepts = [c for c in expansion.concepts if c in carried.get(study.doc_id, ())]
            study.score += weights.concept * len(study.concepts) / (RRF_K + 1)

    top = sorted(studies.values(), key=lambda s: -s.score)[:k]
    stems = hybrid.query_stems(query, expansion)
    for study in top:
        if not study.passages:  # found by its vector alone: show its nearest passages
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
