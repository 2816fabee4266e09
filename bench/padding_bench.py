"""Padding in the batch ingest's model calls (issue 15), side by side in one run: the same
synthetic abstracts' passages embedded as the batch path does (~64 passages a batch, sorted by
length) on onnx-fp32, in calls of 32 (before: each padded to its longest) and in calls of like
token lengths (search.onnx_runtime.like_lengths, now). Prints passages/s, CPU seconds and the
smallest cosine between the two ways' vectors. CPU seconds are the steadier figure on a
shared machine.

Usage: python bench/padding_bench.py [--abstracts 96] [--rounds 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from synth import generate  # noqa: E402

from api.settings import Settings  # noqa: E402
from ingest.structure import document_from_record  # noqa: E402
from search import onnx_runtime  # noqa: E402
from search.embedding import load_embedder  # noqa: E402
from search.service import embed_documents  # noqa: E402

DOCS_A_BATCH = 21  # ~64 passages of 3-passage abstracts, as kg.ingestion.BATCH_PASSAGES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--abstracts", type=int, default=96)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        generate(args.abstracts, 7, Path(tmp))
        files = sorted(p for p in Path(tmp).rglob("*") if p.suffix in {".txt", ".md"})
        docs = [document_from_record(p.read_bytes(), p.name) for p in files]
    settings = Settings()
    embedder = load_embedder(settings.model, settings.model_cache, runtime="onnx-fp32")
    texts = sum(len(d.passages) + 1 for d in docs)  # and each study text

    def run() -> np.ndarray:
        out = []
        for b in range(0, len(docs), DOCS_A_BATCH):
            out.extend(embed_documents(embedder, docs[b : b + DOCS_A_BATCH]))
        return np.vstack(out)

    run()  # warm-up
    found: dict[str, np.ndarray] = {}
    print(f"## {len(docs)} abstracts, {texts} texts (passages and study texts), onnx-fp32")
    for round_ in range(args.rounds):
        for label, slack in (("calls of 32 (before)", 1e9), ("like lengths (now)", 0.1)):
            onnx_runtime.PADDING_SLACK = slack
            wall, cpu = time.perf_counter(), time.process_time()
            found[label] = run()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(f"  round {round_} {label:<22} {texts / wall:6.1f} texts/s  "
                  f"cpu {cpu:6.1f} s  wall {wall:6.1f} s", flush=True)  # fmt: skip
    a, b = found.values()
    print(f"  smallest cosine between the two: {float(np.min(np.sum(a * b, axis=1))):.6f}")


if __name__ == "__main__":
    main()
