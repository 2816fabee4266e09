"""Hybrid passage search: dense (e5) and BM25 fused by reciprocal rank, the query expanded with
the SKOS labels of the concepts it names, and graph filters applied to documents.

Dense retrieval is what lets an English query find Indonesian text; BM25 adds exact terms
(acronyms like P2TP2A, place names); concept expansion carries "budget" to "anggaran", "dana".
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ingest.errors import QueryError
from ingest.lexicon import Lexicon
from search import synonyms
from search.crosslingual import language, place_terms, translate
from search.engine import PassageIndex
from search.index import IndexedPassage
from search.lexical import TRANSLATED, first_stems, tokenize

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
    """Weights of the reciprocal ranks a passage's score adds up (bench/retrieval_eval.py
    --sweep chooses them on the tuning sets)."""

    dense: float = 1.0
    lexical: float = 1.0
    study: float = 0.0  # the rank of the passage's study by its study-text vector


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


def lexical_query(query: str, expansion: Expansion) -> str:
    """What BM25 is asked: the query and its concepts' labels, then after TRANSLATED the
    query's translation, which search/lexical.py weighs by TRANSLATED_WEIGHT."""
    text = " ".join([query, *expansion.terms])
    return f"{text} {TRANSLATED} {' '.join(expansion.translated)}" if expansion.translated else text


def validate(query: str) -> str:
    cleaned = " ".join(query.replace(TRANSLATED, " ").split())  # the mark is ours alone
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
            labels = sorted(lexicon.concepts[hit.iri].labels, key=len)[:EXPANSION_LABELS]
            terms.extend(label for label in labels if label.lower() not in text.lower())
    if SYNONYMS_AS == "terms":
        terms.extend(t for t in written.terms if t not in terms)
    else:
        translated.extend(t for t in written.terms if t not in translated)
    normalised = text if text != query else ""
    return Expansion(concepts, terms, translated, lang, normalised)


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
) -> list[Hit]:
    """Top-k passages. `mode` is hybrid, dense or lexical (the last two for evaluation).

    A filter (`allowed_docs`) restricts the dense and the lexical search themselves to the
    allowed passages, so a narrow filter finds its few studies however far down they rank."""
    query = validate(query)
    fusion = fusion or FUSION
    if allowed_docs is not None and not allowed_docs:
        return []
    if expansion is None or mode != "hybrid":
        expansion = expand(query, lexicon) if mode in ("hybrid", "lexical") else Expansion([], [])
    allowed_rows = index.doc_row_ids(allowed_docs) if allowed_docs is not None else None
    if allowed_rows is not None and not len(allowed_rows):
        return []
    pool = max(CANDIDATES, k)

    dense: list[tuple[int, float]] = []
    lexical: list[tuple[int, float]] = []
    if mode in ("hybrid", "dense"):
        if vector is None:
            vector = query_vector(index, query, expansion, bilingual)
        dense = index.dense_search(vector, pool, allowed_rows)
    if mode in ("hybrid", "lexical"):
        lexical = index.lexical_search(lexical_query(query, expansion), pool, allowed_rows)

    scores: dict[int, Hit] = {}
    passages = index.passages(sorted({r for r, _ in dense} | {r for r, _ in lexical}))
    for rank, (row, score) in enumerate(dense, start=1):
        if row in passages:
            hit = scores.setdefault(row, Hit(passages[row], 0.0))
            hit.dense = score
            hit.score += fusion.dense / (RRF_K + rank)
    for rank, (row, score) in enumerate(lexical, start=1):
        if row in passages:
            hit = scores.setdefault(row, Hit(passages[row], 0.0))
            hit.lexical = score
            hit.score += fusion.lexical / (RRF_K + rank)
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
            hit.score += CONCEPT_BONUS * hit.concept
        hits.sort(key=lambda h: -h.score)
    top = hits[:k]
    stems = query_stems(query, expansion) if highlights else set()
    for hit in top if highlights else []:
        hit.highlights = highlight(hit.passage.text, stems)
    return top


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
