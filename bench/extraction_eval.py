"""Extraction quality against the hand-made gold file bench/gold/extraction.json.

Precision / recall / F1 per field, micro-averaged over documents:
- places: (code, role) pairs; also `places (codes)` ignoring the role;
- stakeholders: concept ids (discovered organisations count by acronym);
- theories: concept ids, and `theory roles`: (id, role) pairs;
- obstacles: category ids.

Usage: python bench/extraction_eval.py [--gold bench/gold/extraction.json] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.extract import extract_mentions  # noqa: E402
from ingest.model import Document  # noqa: E402
from ingest.structure import document_from_pdf, document_from_record  # noqa: E402
from kg.vocabulary import load_lexicon  # noqa: E402

FIELDS = ["places", "places (codes)", "stakeholders", "theories", "theory roles", "obstacles"]


def load(path: Path) -> Document:
    data = path.read_bytes()
    if path.suffix.lower() == ".pdf":
        return document_from_pdf(data, path.name)
    return document_from_record(data, path.name)


def predicted(doc: Document) -> dict[str, set]:
    out: dict[str, set] = defaultdict(set)
    for m in doc.mentions:
        local = m.concept.rsplit("/", 1)[-1]
        if m.type == "place":
            out["places"].add((m.code, m.role))
            out["places (codes)"].add(m.code)
        elif m.type == "stakeholder":
            out["stakeholders"].add(m.label if m.discovered else local)
        elif m.type == "theory":
            out["theories"].add(local)
            out["theory roles"].add((local, m.role))
        elif m.type == "obstacle":
            out["obstacles"].add(local)
    return out


def expected(entry: dict) -> dict[str, set]:
    return {
        "places": {(p["code"], p["role"]) for p in entry.get("places", [])},
        "places (codes)": {p["code"] for p in entry.get("places", [])},
        "stakeholders": set(entry.get("stakeholders", [])) | set(entry.get("discovered_orgs", [])),
        "theories": {t["concept"] for t in entry.get("theories", [])},
        "theory roles": {(t["concept"], t["role"]) for t in entry.get("theories", [])},
        "obstacles": set(entry.get("obstacles", [])),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gold", type=Path, default=ROOT / "bench/gold/extraction.json")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()
    gold = json.loads(args.gold.read_text(encoding="utf-8"))
    lexicon = load_lexicon()
    totals = {f: [0, 0, 0] for f in FIELDS}  # true positives, predicted, expected
    for entry in gold["documents"]:
        doc = load(ROOT / entry["file"])
        doc.mentions = extract_mentions(doc, lexicon)
        got, want = predicted(doc), expected(entry)
        for f in FIELDS:
            tp = len(got[f] & want[f])
            totals[f][0] += tp
            totals[f][1] += len(got[f])
            totals[f][2] += len(want[f])
            if args.verbose and got[f] != want[f]:
                print(f"{entry['file']} {f}: missed {sorted(want[f] - got[f], key=str)} "
                      f"extra {sorted(got[f] - want[f], key=str)}")  # fmt: skip
    print(f"# extraction vs gold ({len(gold['documents'])} documents)")
    print(f"{'field':<16} {'P':>6} {'R':>6} {'F1':>6}   tp/pred/gold")
    for f in FIELDS:
        tp, pred, exp = totals[f]
        p = tp / pred if pred else 0.0
        r = tp / exp if exp else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{f:<16} {p:6.2f} {r:6.2f} {f1:6.2f}   {tp}/{pred}/{exp}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
