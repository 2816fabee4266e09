"""BM25 over passages with the Indonesian Snowball stemmer, then the English one, and an
Indonesian stop-word list.

The texts and the queries are in both languages: the Indonesian stemmer strips Indonesian
affixes (and leaves most English words alone), the English one then folds English
inflections (partnerships, villages), which the Indonesian one does not; on the tuning sets
this raised BM25's MRR@10 from 0.655 to 0.680 (bench/retrieval_eval_after2.txt)."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import bm25s
import numpy as np
import Stemmer


@lru_cache(maxsize=1)
def stopwords() -> list[str]:
    text = resources.files("search").joinpath("stopwords_id.txt").read_text(encoding="utf-8")
    return [w for line in text.splitlines() if not line.startswith("#") for w in line.split()]


@lru_cache(maxsize=1)
def _stemmers() -> tuple[Stemmer.Stemmer, Stemmer.Stemmer]:
    return Stemmer.Stemmer("indonesian"), Stemmer.Stemmer("english")


def stem_words(words: list[str]) -> list[str]:
    indonesian, english = _stemmers()
    return english.stemWords(indonesian.stemWords(words))


TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s.tokenize's own pattern


@lru_cache(maxsize=1)
def _stopword_set() -> frozenset[str]:
    return frozenset(stopwords())


def first_stems(words: list[str]) -> list[str | None]:
    """The stem of each word's first token that is not a stop word, as `tokenize` makes it
    (None: none), without bm25s's per-call set-up: highlighting calls this for every hit."""
    stop = _stopword_set()
    firsts = [
        next((t for t in TOKEN.findall(word.lower()) if t not in stop), None) for word in words
    ]
    stems = iter(stem_words([f for f in firsts if f is not None]))
    return [next(stems) if f is not None else None for f in firsts]


def tokenize(texts: list[str]) -> list[list[str]]:
    tokens = bm25s.tokenize(
        texts,
        stopwords=stopwords(),
        stemmer=stem_words,
        return_ids=False,
        show_progress=False,
    )
    return [list(t) for t in tokens]


# A query's words after this mark are its translation into the other language
# (search/crosslingual.py): they count TRANSLATED_WEIGHT as much as the query's own words (1.0
# from the quality round's sweep: 0.25 and 0.5 scored lower, 1.5 and 2.0 helped English queries
# and cost Indonesian ones; bench/retrieval_eval_after3.txt). The mark followed by WEIGHT and a
# number ("␟␞0.25 words") gives the words after it that weight instead (`weighted_query`):
# search/hybrid.py weighs the translation per query language and the SKOS labels apart.
TRANSLATED = "\u241f"
WEIGHT = "\u241e"
TRANSLATED_WEIGHT = 1.0


def weighted_query(own: str, parts: list[tuple[float, list[str]]]) -> str:
    """The query's own words, then each part's words at its weight (empty parts left out)."""
    tail = "".join(f" {TRANSLATED}{WEIGHT}{w:g} {' '.join(words)}" for w, words in parts if words)
    return own + tail


def query_parts(query: str) -> list[tuple[float, str]]:
    """(weight, text) of each part of a lexical query: its own words at 1.0, then each part
    after a TRANSLATED mark at the weight the mark names, or TRANSLATED_WEIGHT."""
    own, *rest = query.split(TRANSLATED)
    parts = [(1.0, own.strip())]
    for part in rest:
        weight = TRANSLATED_WEIGHT
        if part.startswith(WEIGHT):
            number, _, part = part[len(WEIGHT) :].partition(" ")
            weight = float(number)
        parts.append((weight, part.strip()))
    return parts


def member(rows: np.ndarray, allowed: set[int] | np.ndarray) -> np.ndarray:
    """np.isin(rows, allowed) for non-negative rows, through a table indexed by row: isin
    sorts both (a filter of 64k rows over 270k took ms a search)."""
    ids = allowed if isinstance(allowed, np.ndarray) else np.fromiter(allowed, dtype=np.int64)
    ids = ids[ids >= 0]
    if not len(rows) or not len(ids):
        return np.zeros(len(rows), dtype=bool)
    table = np.zeros(max(int(rows.max()), int(ids.max())) + 1, dtype=bool)
    table[ids] = True
    return table[rows]


class LexicalIndex:
    """bm25s has no incremental add, so the index is rebuilt from all live passages when they
    change; at 100k passages that takes a few seconds (bench/search_bench.py)."""

    def __init__(self) -> None:
        self._bm25: bm25s.BM25 | None = None
        self._rows = np.zeros(0, dtype=np.int64)

    def build(self, rows: list[int], texts: list[str]) -> None:
        self._rows = np.asarray(rows, dtype=np.int64)
        if not texts:
            self._bm25 = None
            return
        bm25 = bm25s.BM25()
        bm25.index(tokenize(texts), show_progress=False)
        self._bm25 = bm25

    def search(
        self, query: str, k: int, allowed: set[int] | np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The top k rows by BM25; with `allowed`, the top k of those rows (scored over the
        whole collection, so a filter does not change a passage's score)."""
        if self._bm25 is None or not len(self._rows):
            return []
        scores = None
        for weight, text in query_parts(query):
            part = self._scores(text) if weight > 0 else None
            if part is not None:
                part = part if weight == 1.0 else part * weight
                scores = part if scores is None else scores + part
        if scores is None:
            return []
        if allowed is not None:
            scores = np.where(member(self._rows, allowed), scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(self._rows[i]), float(scores[i])) for i in top if scores[i] > 0]

    def _scores(self, text: str) -> np.ndarray | None:
        assert self._bm25 is not None
        tokens = tokenize([text])[0]
        return self._bm25.get_scores(tokens) if tokens else None

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "bm25_rows.npy", self._rows)
        if self._bm25 is not None:
            self._bm25.save(str(folder / "bm25"), show_progress=False)

    def load(self, folder: Path) -> bool:
        rows = folder / "bm25_rows.npy"
        if not rows.exists():
            return False
        self._rows = np.load(rows)
        self._bm25 = (
            bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
            if (folder / "bm25").exists()
            else None
        )
        return True
