"""Study-vector candidates (issue 15) scored by bench/retrieval_eval.py's tables: the index's
study vectors are swapped for one made another way, on a workspace retrieval_eval built (give
the same --data and --corpus; the passages and their vectors are the index's own).

Modes: text (the stored one: title + STUDY_TEXT_CHARS of opening text embedded on its own),
mean (normalised mean of all passage vectors), head (of the passages holding the opening
STUDY_TEXT_CHARS), first (the first passage's), headtitleW (head + W x the title's vector),
none (no study vector: what a batch ingest stored before index format 4), textN (title + N
characters embedded). Results: bench/parallel_ingest_results.txt.

Usage: python bench/study_vector_eval.py MODE --data DIR [--corpus all --sets tuning3] [--out F]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import retrieval_eval  # noqa: E402

from search import index as ix  # noqa: E402

MODE = sys.argv.pop(1) if len(sys.argv) > 1 else "text"
stored = ix.SearchIndex.study_vectors


def _texts(index: ix.SearchIndex, chars: int) -> tuple[list[str], list[str]]:
    titles = dict(index._db.execute("SELECT doc_id, title FROM studies"))
    by: dict[str, list[str]] = {}
    for d, t in index._db.execute("SELECT doc_id, text FROM passages ORDER BY doc_id, idx"):
        by.setdefault(d, []).append(t)
    ids = sorted(by)
    out = []
    for d in ids:
        title = " ".join(titles.get(d, "").split()).rstrip(".")
        body = " ".join(by[d])[:chars]
        out.append(f"{title}.\n{body}" if title else body)
    return ids, out


def candidate(self: ix.SearchIndex) -> tuple[list[str], np.ndarray]:
    if MODE == "text":
        return stored(self)
    if MODE == "none":
        return [], np.zeros((0, self.embedder.dim), dtype=np.float32)
    with self._lock:
        if self._study_vectors is not None:
            return self._study_vectors
        if MODE.startswith("text"):
            ids, texts = _texts(self, int(MODE[4:]))
            self._study_vectors = (ids, self.embedder.encode_passages(texts))
            return self._study_vectors
        by: dict[str, list[tuple[int, np.ndarray]]] = {}
        for d, t, b in self._db.execute(
            "SELECT doc_id, text, vector FROM passages ORDER BY doc_id, idx"
        ):
            by.setdefault(d, []).append((len(t), np.frombuffer(b, dtype=np.float32)))
        ids = sorted(by)
        rows = []
        for d in ids:
            found = by[d]
            use = [v for _, v in found]
            if MODE == "first":
                use = use[:1]
            elif MODE.startswith("head"):
                use, seen = [], 0
                for n, v in found:
                    if use and seen >= ix.STUDY_TEXT_CHARS:
                        break
                    use.append(v)
                    seen += n + 1
            mean = np.mean(use, axis=0)
            rows.append(mean / np.linalg.norm(mean))
        if "title" in MODE:
            weight = float(MODE.split("title")[1] or 1.0)
            titles = dict(self._db.execute("SELECT doc_id, title FROM studies"))
            vectors = self.embedder.encode_passages(
                [" ".join(titles.get(d, "").split()).rstrip(".") or "-" for d in ids]
            )
            rows = [
                (r + weight * t) / np.linalg.norm(r + weight * t)
                for r, t in zip(rows, vectors, strict=True)
            ]
        self._study_vectors = (ids, np.vstack(rows).astype(np.float32))
        return self._study_vectors


ix.SearchIndex.study_vectors = candidate  # type: ignore[method-assign]
raise SystemExit(retrieval_eval.main())
