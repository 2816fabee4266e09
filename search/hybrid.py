"""Hybrid passage search: dense (e5) and BM25 fused by a weighted sum of their min-max scaled
scores (Fusion; reciprocal ranks before the fifth quality round), the query expanded with the
SKOS labels of the concepts it names, and graph filters applied to documents.

Dense retrieval is what lets an English query find Indonesian text; BM25 adds exact terms
(acronyms like P2TP2A, place names); concept expansion carries "budget" to "anggaran", "dana".
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ingest.errors import QueryError
from ingest.lexicon import Lexicon
from search import synonyms
from search.crosslingual import language, place_terms, translate
from search.engine import PassageIndex
from search.index import IndexedPassage
from search.lexical import TRANSLATED, WEIGHT, first_stems, tokenize, weighted_query

MAX_QUERY_CHARS = 500
RRF_K = 60
CANDIDATES = 100
CONCEPT_BONUS = 0.5 / (RRF_K + 1)
EXPANSION_LABELS = 6
EXPANDED_SCHEMES = ("obstacle", "stakeholder", "theory")
# The e5 query vector is the query's own plus this share (per query language) of the vector of
# the query followed by its concepts' labels and its glossary translation (bilingual_text).
# Earlier rounds, with the SKOS labels only, found it useless (0.25/0.5 no change, 1.0 cost
# R@5 0.017); with the translation an English query's vector leans towards the Indonesian
# texts it is after: chosen by the quality round's sweep (bench/retrieval_eval_after3.txt).
BILINGUAL_WEIGHTS = {"en": 5.0, "id": 1.0}
BILINGUAL_WEIGHT = BILINGUAL_WEIGHTS["id"]  # kept for callers that name one weight


@dataclass(frozen=True, slots=True)
class Fusion:
    """What a passage's score adds up. With `normalised`, each list's scores scaled to [0, 1]
    over its candidates (min-max, CombSUM) and `concept` per query concept the passage carries;
    without it, reciprocal ranks (RRF_K) and CONCEPT_BONUS, as before the fifth round.

    Fifth round, on all six tuning sets (163 queries; bench/study_fusion.py --grid passage2,
    bench/retrieval_eval_after5.txt): RRF at 1/1 gave passage R@5 0.699 / MRR@10 0.758 and
    ranked below expanded BM25 alone on the newer sets (dense e5-small alone: R@5 0.33 on
    heldout4); CombSUM with dense at 0.25 and concepts at 0.25 gave 0.765 / 0.859, better on
    every set but old (0.832 / 0.817 -> 0.800 / 0.774, the set the RRF weights were tuned on).
    Dense 0.1-0.5 all scored 0.80-0.81 on (R@5 + MRR@10) / 2; RRF at dense 0.5, lexical 2:
    0.73."""

    dense: float = 0.25
    lexical: float = 1.0
    study: float = 0.0  # the rank of the passage's study by its study-text vector (RRF share)
    concept: float = 0.25  # per query concept the passage carries (normalised only)
    normalised: bool = True


RRF_FUSION = Fusion(1.0, 1.0, 0.0, normalised=False)  # the fusion before the fifth round


FUSION = Fusion()


@dataclass(slots=True)
class Hit:
    passage: IndexedPassage
    score: float
    dense: float | None = None
    lexical: float | None = None
    concept: int = 0
    highlights: list[tuple[int, int]] = field(default_factory=list)

    def marked(self) -> str:
        """The passage, HTML-escaped, with the matching words in <mark>."""
        text, out, last = self.passage.text, [], 0
        for start, end in self.highlights:
            out.append(html.escape(text[last:start]))
            out.append(f"<mark>{html.escape(text[start:end])}</mark>")
            last = end
        out.append(html.escape(text[last:]))
        return "".join(out)


@dataclass(slots=True)
class Expansion:
    concepts: list[str]  # concept IRIs the query names
    terms: list[str]  # their labels, added to the lexical query
    # the query's words in the other language (search/crosslingual.py), added to the lexical
    # query at a lower weight (search/lexical.py TRANSLATED)
    translated: list[str] = field(default_factory=list)
    language: str = "id"  # the query's, as search/crosslingual.py guesses it
    # the query with its abbreviations and informal words written out (search/synonyms.py):
    # what is translated and, with NORMALISED_VECTOR, embedded; "" when nothing changed
    normalised: str = ""
    labels: list[str] = field(default_factory=list)  # those of `terms` that are SKOS labels


# The glossary translation of the query for BM25 (search/crosslingual.py); off: only the SKOS
# labels cross the languages.
TRANSLATE = True
# Indonesian abbreviations and informal words written out (search/synonyms.py): their written
# forms join the lexical query (SYNONYMS_AS "terms": at the query's own weight; "translated":
# with the translation, which scored the same) and the bilingual text. Measured in
# bench/retrieval_eval_after4.txt: Indonesian study search MRR@10 up, R@5 about level.
SYNONYMS = True
SYNONYMS_AS = "terms"
NORMALISED_VECTOR = True  # the own e5 vector is of the normalised query


# What the parts of the lexical query count against the query's own words (and its written-out
# abbreviations), per query language. Fifth quality round (bench/study_fusion.py, all six
# tuning sets): the SKOS labels at full weight (up to six per concept, often both languages'
# and generic: "SDM staf kader staff tenaga petugas" for any staffing word) outweighed the
# query's own words; at LABEL_WEIGHT they only break ties. An Indonesian query's English
# translation matches the English abstracts ahead of the Indonesian ones it was written for.
LABEL_WEIGHT = 0.25
TRANSLATED_WEIGHTS = {"en": 1.0, "id": 0.5}


def lexical_query(query: str, expansion: Expansion) -> str:
    """What BM25 is asked: the query and its written-out words, then its concepts' labels at
    LABEL_WEIGHT and its translation at the query language's TRANSLATED_WEIGHTS."""
    own = " ".join([query, *(t for t in expansion.terms if t not in expansion.labels)])
    return weighted_query(
        own,
        [
            (LABEL_WEIGHT, [t for t in expansion.terms if t in expansion.labels]),
            (TRANSLATED_WEIGHTS.get(expansion.language, 1.0), expansion.translated),
        ],
    )


def validate(query: str) -> str:
    cleaned = " ".join(query.replace(TRANSLATED, " ").replace(WEIGHT, " ").split())  # ours alone
    if not cleaned:
        raise QueryError("empty query: type a few words, in Indonesian or English")
    if len(cleaned) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long: {len(cleaned)} characters (limit {MAX_QUERY_CHARS})")
    return cleaned


def expand(query: str, lexicon: Lexicon | None) -> Expansion:
    if lexicon is None:
        return Expansion([], [])
    concepts: list[str] = []
    terms: list[str] = []
    labels: list[str] = []
    lang = language(query)
    # Indonesian queries only: on English ones it changed nothing but cost one query (old q17)
    written = (
        synonyms.normalise(query) if SYNONYMS and lang == "id" else synonyms.Normalised(query, [])
    )
    text = written.text
    translated = [*translate(text), *place_terms(query)] if TRANSLATE else []
    for scheme in EXPANDED_SCHEMES:
        for hit in lexicon.matcher(scheme).finditer(text):
            if hit.iri in concepts:
                continue
            concepts.append(hit.iri)
            found = sorted(lexicon.concepts[hit.iri].labels, key=len)[:EXPANSION_LABELS]
            new = [label for label in found if label.lower() not in text.lower()]
            terms.extend(new)
            labels.extend(new)
    if SYNONYMS_AS == "terms":
        terms.extend(t for t in written.terms if t not in terms)
        labels = [t for t in labels if t not in written.terms]  # a written form counts in full
    else:
        translated.extend(t for t in written.terms if t not in translated)
    normalised = text if text != query else ""
    return Expansion(concepts, terms, translated, lang, normalised, labels)


BILINGUAL_TRANSLATED = True  # the bilingual text includes the glossary translation


def bilingual_text(query: str, expansion: Expansion) -> str:
    """The query followed by its concepts' labels and, with BILINGUAL_TRANSLATED, its
    translation: the text of the bilingual e5 query vector."""
    extra = expansion.translated if BILINGUAL_TRANSLATED else []
    return " ".join([query, *expansion.terms, *extra])


def query_vector(
    index: PassageIndex, query: str, expansion: Expansion, bilingual: float | None = None
) -> np.ndarray:
    """The e5 vector of the query, blended with that of the query plus its expansion (at
    `bilingual`, by default the query language's weight)."""
    if bilingual is None:
        bilingual = BILINGUAL_WEIGHTS.get(expansion.language, BILINGUAL_WEIGHT)
    if NORMALISED_VECTOR and expansion.normalised:
        query = expansion.normalised
    if bilingual <= 0 or not (expansion.terms or expansion.translated):
        return encoded_queries(index, [query])[0]
    own, expanded = encoded_queries(index, [query, bilingual_text(query, expansion)])
    vector = own + bilingual * expanded
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


# The e5 vectors of the last query texts, by model: a query asked again (the next page, another
# filter, the study tab after the passage one) skips the model, which is most of a search.
QUERY_VECTORS_KEPT = 1024
_QUERY_VECTORS: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_QUERY_VECTORS_LOCK = threading.Lock()


def encoded_queries(index: PassageIndex, texts: list[str]) -> list[np.ndarray]:
    """`embedder.encode_queries` of each text, remembered (QUERY_VECTORS_KEPT). Each new text
    is embedded in a call of its own: in one batch the short query is padded to the length of
    its bilingual text (15 against 38 tokens on average) and costs as much; the vectors are the
    same to the bit on onnxruntime, which masks the padding (bench/search_results.txt)."""
    model = index.embedder.model_id
    with _QUERY_VECTORS_LOCK:
        found = [_QUERY_VECTORS.get((model, t)) for t in texts]
        for t, v in zip(texts, found, strict=True):
            if v is not None:
                _QUERY_VECTORS.move_to_end((model, t))
    out = []
    for text, vector in zip(texts, found, strict=True):
        if vector is None:
            vector = index.embedder.encode_queries([text])[0]
            with _QUERY_VECTORS_LOCK:
                _QUERY_VECTORS[(model, text)] = vector
                while len(_QUERY_VECTORS) > QUERY_VECTORS_KEPT:
                    _QUERY_VECTORS.popitem(last=False)
        out.append(vector.copy())  # a caller may scale it in place
    return out


def forget_query_vectors() -> None:
    """Empty the remembered query vectors (a benchmark timing the model every time)."""
    with _QUERY_VECTORS_LOCK:
        _QUERY_VECTORS.clear()


@dataclass(slots=True)
class Retrieved:
    """A query's candidate passages: (row, score) by dense and by lexical search, best first."""

    dense: list[tuple[int, float]]
    lexical: list[tuple[int, float]]
    vector: np.ndarray | None = None
    _passages: dict[int, IndexedPassage] | None = None

    def passages(self, index: PassageIndex) -> dict[int, IndexedPassage]:
        """The candidates' passages by row, read once: passage search fuses them, study search
        then reads the lexical ones' studies from the same rows."""
        if self._passages is None:
            rows = {r for r, _ in self.dense} | {r for r, _ in self.lexical}
            self._passages = index.passages(sorted(rows))
        return self._passages


def retrieve(
    index: PassageIndex,
    query: str,
    expansion: Expansion,
    pool: int,
    *,
    allowed_docs: set[str] | None = None,
    mode: str = "hybrid",
    vector: np.ndarray | None = None,
    bilingual: float | None = None,
) -> Retrieved:
    allowed_rows = index.doc_row_ids(allowed_docs) if allowed_docs is not None else None
    if allowed_rows is not None and not len(allowed_rows):
        return Retrieved([], [], vector)
    dense: list[tuple[int, float]] = []
    lexical: list[tuple[int, float]] = []
    if mode in ("hybrid", "dense"):
        if vector is None:
            vector = query_vector(index, query, expansion, bilingual)
        dense = index.dense_search(vector, pool, allowed_rows)
    if mode in ("hybrid", "lexical"):
        lexical = index.lexical_search(lexical_query(query, expansion), pool, allowed_rows)
    return Retrieved(dense, lexical, vector)


def search(
    index: PassageIndex,
    query: str,
    k: int = 10,
    *,
    lexicon: Lexicon | None = None,
    allowed_docs: set[str] | None = None,
    concepts_of: Callable[[list[IndexedPassage]], dict[int, set[str]]] | None = None,
    mode: str = "hybrid",
    vector: np.ndarray | None = None,
    bilingual: float | None = None,
    highlights: bool = True,
    expansion: Expansion | None = None,
    fusion: Fusion | None = None,
    retrieved: Retrieved | None = None,
) -> list[Hit]:
    """Top-k passages. `mode` is hybrid, dense or lexical (the last two for evaluation).

    A filter (`allowed_docs`) restricts the dense and the lexical search themselves to the
    allowed passages, so a narrow filter finds its few studies however far down they rank.
    `retrieved`: the candidate lists `retrieve` made for this query (study search reads them
    too), instead of searching again."""
    query = validate(query)
    fusion = fusion or FUSION
    if allowed_docs is not None and not allowed_docs:
        return []
    if expansion is None or mode != "hybrid":
        expansion = expand(query, lexicon) if mode in ("hybrid", "lexical") else Expansion([], [])
    if retrieved is None:
        retrieved = retrieve(
            index, query, expansion, max(CANDIDATES, k), allowed_docs=allowed_docs,
            mode=mode, vector=vector, bilingual=bilingual,
        )  # fmt: skip
    dense, lexical, vector = retrieved.dense, retrieved.lexical, retrieved.vector

    scores: dict[int, Hit] = {}
    passages = retrieved.passages(index)
    for weight, ranked, field_ in (
        (fusion.dense, dense, "dense"),
        (fusion.lexical, lexical, "lexical"),
    ):
        for share, (row, score) in zip(shares(ranked, fusion.normalised), ranked, strict=True):
            if row in passages:
                hit = scores.setdefault(row, Hit(passages[row], 0.0))
                setattr(hit, field_, score)
                hit.score += weight * share
    if fusion.study > 0 and vector is not None and scores:
        ids, matrix = index.study_vectors()
        if ids:
            order = np.argsort(-(matrix @ vector))
            rank_of = {ids[i]: rank for rank, i in enumerate(order, start=1)}
            for hit in scores.values():
                study_rank = rank_of.get(hit.passage.doc_id)
                if study_rank is not None:
                    hit.score += fusion.study / (RRF_K + study_rank)
    hits = sorted(scores.values(), key=lambda h: -h.score)
    if expansion.concepts and concepts_of is not None:
        carried = concepts_of([h.passage for h in hits[: 3 * CANDIDATES]])
        for hit in hits:
            hit.concept = len(carried.get(hit.passage.row, set()) & set(expansion.concepts))
            hit.score += (fusion.concept if fusion.normalised else CONCEPT_BONUS) * hit.concept
        hits.sort(key=lambda h: -h.score)
    top = hits[:k]
    stems = query_stems(query, expansion) if highlights else set()
    for hit in top if highlights else []:
        hit.highlights = highlight(hit.passage.text, stems)
    return top


def shares(ranked: Sequence[tuple[object, float]], normalised: bool) -> list[float]:
    """Each candidate's share of its list's weight: its score scaled to [0, 1] over the list
    (all 1.0 when the scores are equal), or its reciprocal rank."""
    if not normalised:
        return [1 / (RRF_K + rank) for rank in range(1, len(ranked) + 1)]
    if not ranked:
        return []
    values = [s for _, s in ranked]
    low, high = min(values), max(values)
    if high <= low:
        return [1.0] * len(values)
    return [(s - low) / (high - low) for s in values]


def query_stems(query: str, expansion: Expansion) -> set[str]:
    return set(tokenize([" ".join([query, *expansion.terms, *expansion.translated])])[0])


_WORD = re.compile(r"\w[\w-]*", re.UNICODE)


# Each word's first stem (lexical.first_stems), remembered: a study search highlights 30
# passages, and stemming every word of each again was a fifth of its time. Words recur, so a
# bounded table holds nearly all of them; it is emptied when full.
_FIRST_STEMS: dict[str, str | None] = {}
FIRST_STEMS_KEPT = 200_000
_UNKNOWN = object()


def highlight(text: str, stems: set[str]) -> list[tuple[int, int]]:
    """Spans of the words whose stem is one of the query's stems."""
    words = list(_WORD.finditer(text))
    if not words or not stems:
        return []
    table = _FIRST_STEMS
    # A snapshot: another thread may empty the table meanwhile.
    known: dict[str, object] = {w: table.get(w, _UNKNOWN) for w in {m.group() for m in words}}
    missing = [w for w, s in known.items() if s is _UNKNOWN]
    if missing:
        fresh = dict(zip(missing, first_stems(missing), strict=True))
        if len(table) + len(fresh) > FIRST_STEMS_KEPT:
            table.clear()
        table.update(fresh)
        known.update(fresh)
    return [(w.start(), w.end()) for w in words if known[w.group()] in stems]


def similar_documents(index: PassageIndex, doc_id: str, k: int = 5) -> list[tuple[str, float]]:
    ids, matrix = index.document_vectors()
    if doc_id not in ids:
        return []
    scores = matrix @ matrix[ids.index(doc_id)]
    order = [i for i in scores.argsort()[::-1] if ids[i] != doc_id][:k]
    return [(ids[i], float(scores[i])) for i in order]
