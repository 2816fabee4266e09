"""The demo corpus and the abstract records of bench/records replicated to N documents, each
copy with its own content hash: the data the 1,000-document benchmarks run on.

A copy differs from its source only after the end of the text (bytes after %%EOF, which PDF
readers ignore; a last line in a record), so extraction sees the same study again.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.settings import Settings  # noqa: E402
from api.workspace import Workspace  # noqa: E402


@dataclass(slots=True)
class Replicated:
    docs: int
    pages: int
    seconds: float


def sources(with_records: bool = True) -> list[tuple[str, bytes]]:
    found = [(p.name, p.read_bytes()) for p in sorted((ROOT / "corpus").glob("*.pdf"))]
    if with_records:
        records = sorted((ROOT / "bench" / "records").rglob("*"))
        found += [(p.name, p.read_bytes()) for p in records if p.is_file()]
    return found


def replicate(data: Path, docs: int, files: list[tuple[str, bytes]]) -> Replicated:
    """Ingest `docs` copies of `files` in turn into the data directory `data`."""
    pages = 0
    start = time.perf_counter()
    with Workspace(Settings(data=data)) as workspace:
        for i in range(docs):
            name, content = files[i % len(files)]
            tail = f"\n% copy {i}\n" if name.endswith(".pdf") else f"\n\nSalinan {i}.\n"
            outcome = workspace.ingest_bytes(content + tail.encode(), f"copy{i}-{name}")
            assert outcome.status == "ingested", outcome.reason
            pages += outcome.document.pages if outcome.document else 0
            if i % 100 == 99:
                print(f"  ingested {i + 1}/{docs} documents", file=sys.stderr)
        workspace.index.save()
        workspace.store.flush()
    run = Replicated(docs, pages, time.perf_counter() - start)
    marker(data, docs).write_text(f"{run.seconds:.1f}")
    return run


def marker(data: Path, docs: int) -> Path:
    """Written when a replication finished: api_bench.py reuses a data directory that has it."""
    return data / f"bench-{docs}.done"
