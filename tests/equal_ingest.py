"""Helpers of the batch and cluster ingest tests: a small synthetic corpus with one bad file,
and what makes two ingests equal (documents, quads, indexed passages and their vectors)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import synth  # noqa: E402

BAD_NAME = "zz-broken.pdf"  # sorts last in its folder: the batch goes on around it
# The runtime the equality is checked on: onnx-int8 quantises each call's activations with one
# scale for the whole batch, so a passage's vector moves a little with its batch-mates (cosine
# about 0.99, its own tolerance); torch fp32 gives the same vectors whatever the batch.
EXACT_RUNTIME = "torch"


def corpus(folder: Path, count: int = 12) -> list[Path]:
    """`count` synthetic abstract records and one file that is no PDF at all."""
    synth.generate(count, 7, folder)
    (folder / "truth.jsonl").unlink()
    (folder / "000" / BAD_NAME).write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    return sorted((folder / "000").iterdir())


def graph_of(workspace) -> set[str]:
    return {str(q) for q in workspace.store.quads()}


def index_of(workspace) -> dict[tuple[str, int], tuple[str, np.ndarray]]:
    db = workspace.index._db
    return {
        (doc_id, idx): (text, np.frombuffer(blob, dtype=np.float32))
        for doc_id, idx, text, blob in db.execute("SELECT doc_id, idx, text, vector FROM passages")
    }


def studies_of(workspace) -> dict[str, np.ndarray]:
    ids, matrix = workspace.index.study_vectors()
    return dict(zip(ids, matrix, strict=True))


def assert_same_ingest(one, other) -> None:
    """Same documents, same quads, same passages with vectors at cosine >= 0.999, and a study
    vector for every study with passages (the batch path had once stored none)."""
    assert one.store.document_ids() == other.store.document_ids()
    assert graph_of(one) == graph_of(other)
    a, b = index_of(one), index_of(other)
    assert a.keys() == b.keys() and a
    for key, (text, vector) in a.items():
        assert b[key][0] == text
        assert float(vector @ b[key][1]) >= 0.999, key
    studies, others = studies_of(one), studies_of(other)
    assert studies.keys() == others.keys() == {doc_id for doc_id, _ in a}
    for doc_id, vector in studies.items():
        assert float(vector @ others[doc_id]) >= 0.999, doc_id
