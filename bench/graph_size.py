"""What the store holds per study: quads by structure and bytes on disk, after compaction.

Synthetic abstract records (bench/synth.py) and the demo PDFs go through the real read path
(structure + extraction, ingest.pipeline.read_document) and the real graph writer (kg.model)
into an embedded Oxigraph store; the search index is left out (it is not in the graph store).
Figures: quads per study by structure (document metadata, passages, mention annotations, their
evidence and selectors, references, authors) and by predicate, bytes on disk per study before
and after compaction (`Store.optimize()`, closed and opened again so that the write-ahead log
is gone). The baseline is the same measurement over the code of `--baseline-ref` (default: the
commit before issue 15's cut), exported with `git archive` and run in a subprocess; its figures
are printed beside this run's and kept in bench/graph_size_before.txt.

Usage: python bench/graph_size.py [--count 300] [--seed 7] [--baseline-ref 82f91a6]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from bench import synth  # noqa: E402
from ingest.pipeline import read_document  # noqa: E402
from kg import shape  # noqa: E402
from kg.model import document_quads, place_quads  # noqa: E402
from kg.vocabulary import load_lexicon  # noqa: E402

BEFORE = ROOT / "bench" / "graph_size_before.txt"


def structure(subject: str) -> str:
    """The structure a subject belongs to, from the IRI patterns of kg.shape."""
    base = shape.doc_iri("").value
    if subject.startswith(base):
        rest = subject[len(base) :]
        parts = rest.split("/")[1:]
        if not parts:
            return "document"
        if parts[0] == "mention":
            if "selector" in parts:
                return "mention selector"
            if "evidence" in parts:
                return "mention evidence"
            return "mention annotation"
        return parts[0]  # passage, author, reference
    if "/place/" in subject:
        return "place (shared)"
    if "/work/" in subject:
        return "work (shared)"
    if "/person/" in subject:
        return "person (shared)"
    if "/concept/" in subject:
        return "concept (discovered)"
    return "other"


def short(predicate: str) -> str:
    for prefix, base in shape.ns.PREFIXES.items():
        if predicate.startswith(str(base)):
            return f"{prefix}:{predicate[len(str(base)) :]}"
    return predicate


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def measure(count: int, seed: int) -> dict[str, object]:
    lexicon = load_lexicon()
    with tempfile.TemporaryDirectory() as tmp:
        records = Path(tmp) / "records"
        synth.generate(count, seed, records)
        files = sorted(p for p in records.rglob("*") if p.suffix in {".txt", ".md"})
        files += sorted((ROOT / "corpus").glob("*.pdf"))
        store_dir = Path(tmp) / "graph"
        store = ox.Store(str(store_dir))
        t = time.perf_counter()
        for path in files:
            doc = read_document(path.read_bytes(), path.name, lexicon)
            store.extend([*document_quads(doc), *place_quads(doc)])
        seconds = time.perf_counter() - t
        store.flush()
        raw = dir_bytes(store_dir)
        store.optimize()
        store.flush()
        del store  # closed and opened again: RocksDB drops the write-ahead log it replayed
        store = ox.Store(str(store_dir))
        store.optimize()
        optimized = dir_bytes(store_dir)
        by_structure: Counter[str] = Counter()
        by_predicate: Counter[str] = Counter()
        total = 0
        for quad in store.quads_for_pattern(None, None, None, None):
            total += 1
            by_structure[structure(quad.subject.value)] += 1
            by_predicate[short(quad.predicate.value)] += 1
        studies = len(files)
        del store
    return {
        "studies": studies, "quads": total, "seconds": seconds,
        "bytes_raw": raw, "bytes_optimized": optimized,
        "by_structure": by_structure, "by_predicate": by_predicate,
    }  # fmt: skip


def report(m: dict[str, object]) -> list[str]:
    studies = int(m["studies"])  # type: ignore[call-overload]
    lines = [
        f"studies {studies}",
        f"quads {m['quads']}",
        f"quads_per_study {int(m['quads']) / studies:.1f}",  # type: ignore[call-overload]
        f"kb_per_study_raw {int(m['bytes_raw']) / studies / 1024:.1f}",  # type: ignore[call-overload]
        f"kb_per_study_optimized {int(m['bytes_optimized']) / studies / 1024:.1f}",  # type: ignore[call-overload]
    ]
    for name, n in sorted(m["by_structure"].items(), key=lambda kv: -kv[1]):  # type: ignore[attr-defined]
        lines.append(f"structure {name} {n / studies:.1f}")
    for name, n in sorted(m["by_predicate"].items(), key=lambda kv: -kv[1]):  # type: ignore[attr-defined]
        lines.append(f"predicate {name} {n / studies:.1f}")
    return lines


def parse(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        match = re.match(r"^(structure|predicate) (.+) (\S+)$", line)
        if match:
            out[f"{match[1]} {match[2]}"] = match[3]
        elif " " in line and not line.startswith("#"):
            key, value = line.split(" ", 1)
            out[key] = value
    return out


def baseline(ref: str, count: int, seed: int) -> list[str]:
    """This measurement over the code of `ref`: its tree exported, this script run in it."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        shutil.copy(__file__, Path(tmp) / "bench" / "graph_size.py")
        shutil.copy(ROOT / "bench" / "synth.py", Path(tmp) / "bench" / "synth.py")
        out = subprocess.run(
            [sys.executable, "bench/graph_size.py", "--count", str(count), "--seed", str(seed),
             "--emit"],
            cwd=tmp, check=True, capture_output=True, text=True,
            env={"PYTHONPATH": tmp, "PATH": "/usr/bin:/bin"},
        ).stdout  # fmt: skip
    return out.splitlines()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-ref", default="82f91a6", help="the code to compare with")
    parser.add_argument("--emit", action="store_true", help="print this run's figures alone")
    args = parser.parse_args(argv)
    now = report(measure(args.count, args.seed))
    if args.emit:
        print("\n".join(now))
        return 0
    old = baseline(args.baseline_ref, args.count, args.seed)
    BEFORE.write_text(
        f"# bench/graph_size.py --count {args.count} --seed {args.seed} over {args.baseline_ref} "
        "(the shape before issue 15's cut)\n" + "\n".join(old) + "\n",
        encoding="utf-8",
    )
    before = parse(old)
    after = parse(now)
    print(f"# graph size: {args.count} synthetic records + the demo PDFs (seed {args.seed})")
    print(f"{'figure':<46} {'before':>10} {'now':>10}")
    keys = list(after) + [k for k in before if k not in after]
    for key in keys:
        print(f"{key:<46} {before.get(key, '-'):>10} {after.get(key, '-'):>10}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
