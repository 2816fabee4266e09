"""Extraction quality against hand-made gold files, one table per set.

Precision / recall / F1 per field, micro-averaged over documents:
- places: (code, role) pairs; also `places (codes)` ignoring the role;
- stakeholders: concept ids (discovered organisations count by acronym);
- theories: concept ids; a gold theory the scheme lacks ({"concept": null, "label", "authors",
  "year"}) is matched by a discovered theory with the same first author or label;
  `theory roles`: (id, role) pairs; `theory citation`: (id, authors in order, year) for the
  gold theories the scheme lacks, where the study states them;
- methods: method concept ids;
- obstacles: category ids, and each category on its own (`obstacle:<id>`);
- per method ("rule", "fuzzy", "pattern", "discovered", see ingest.model.MentionMethod): the
  precision of the mentions each way of finding produced (`by method: obstacles/pattern`), the
  measure behind each mention's confidence (ingest.extract.common.CONFIDENCE).
Extraction time per document (extract_mentions only, and reading plus structuring) is given
per set; with --repeat N each document is timed N times and its fastest run counts, which
steadies the figure on a shared machine.

Usage:
  python bench/extraction_eval.py [--gold FILE ...] [--verbose] [--repeat N] [--tuning]
  (default: every set: the old set and its held-out half, the two dev sets (both tuned on
  now) and held-out set 2, bench/gold/extraction_heldout2.json, which is never tuned on;
  --tuning leaves held-out set 2 out)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.extract import extract_mentions  # noqa: E402
from ingest.model import Document, Mention  # noqa: E402
from ingest.structure import document_from_pdf, document_from_record  # noqa: E402
from kg.vocabulary import load_lexicon  # noqa: E402

FIELDS = [
    "places",
    "places (codes)",
    "stakeholders",
    "theories",
    "theory roles",
    "theory citation",
    "methods",
    "obstacles",
]
TUNING_GOLD = [
    "extraction.json",
    "extraction_heldout.json",
    "extraction_dev.json",
    "extraction_dev_heldout.json",
]
DEFAULT_GOLD = [*TUNING_GOLD, "extraction_heldout2.json"]
SET_NAMES = {
    "extraction.json": "old",
    "extraction_heldout.json": "old-heldout",
    "extraction_dev.json": "dev",
    "extraction_dev_heldout.json": "dev-heldout",
    "extraction_heldout2.json": "heldout2",
}
# Gold fields a mention type is judged against, for precision per method.
_METHOD_FIELDS = {
    "place": "places",
    "stakeholder": "stakeholders",
    "theory": "theories",
    "method": "methods",
    "obstacle": "obstacles",
}


def load(path: Path) -> Document:
    data = path.read_bytes()
    if path.suffix.lower() == ".pdf":
        return document_from_pdf(data, path.name)
    return document_from_record(data, path.name)


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _gold_theory_key(t: dict) -> str:
    return t["concept"] or "new:" + _norm(t["label"])


def _discovered_key(m: Mention, gold_new: list[dict]) -> str:
    """A discovered theory takes the key of the gold theory it matches (first author or label)."""
    authors = [a.lower() for a in m.authors]
    label = _norm(m.name or m.label)
    for t in gold_new:
        gold_authors = [a.lower() for a in t.get("authors", [])]
        if authors and gold_authors and authors[0] == gold_authors[0]:
            return _gold_theory_key(t)
        gold_label = _norm(t["label"])
        if gold_label and (gold_label in label or label in gold_label):
            return _gold_theory_key(t)
    return "new:" + label


def mention_key(m: Mention, entry: dict) -> object:
    """What a mention is compared by in its field's gold."""
    gold_new = [t for t in entry.get("theories", []) if not t.get("concept")]
    local = m.concept.rsplit("/", 1)[-1]
    if m.type == "place":
        return (m.code, m.role)
    if m.type == "stakeholder":
        return m.label if m.discovered else local
    if m.type == "theory":
        return _discovered_key(m, gold_new) if m.discovered else local
    return local


def by_method(doc: Document, entry: dict, want: dict[str, set]) -> dict[str, list[int]]:
    """tp and predicted per 'field/method'."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for m in doc.mentions:
        field = _METHOD_FIELDS[m.type]
        row = out[f"{field}/{m.method}"]
        row[1] += 1
        row[0] += mention_key(m, entry) in want[field]
    return out


def predicted(doc: Document, entry: dict) -> dict[str, set]:
    gold_new = [t for t in entry.get("theories", []) if not t.get("concept")]
    out: dict[str, set] = defaultdict(set)
    for m in doc.mentions:
        local = m.concept.rsplit("/", 1)[-1]
        if m.type == "place":
            out["places"].add((m.code, m.role))
            out["places (codes)"].add(m.code)
        elif m.type == "stakeholder":
            out["stakeholders"].add(m.label if m.discovered else local)
        elif m.type == "theory":
            key = _discovered_key(m, gold_new) if m.discovered else local
            out["theories"].add(key)
            out["theory roles"].add((key, m.role))
            if m.discovered:
                out["theory citation"].add((key, tuple(m.authors), m.year))
        elif m.type == "method":
            out["methods"].add(local)
        elif m.type == "obstacle":
            out["obstacles"].add(local)
            out["obstacle:" + local].add(local)
    return out


def expected(entry: dict) -> dict[str, set]:
    theories = entry.get("theories", [])
    want: dict[str, set] = defaultdict(set)
    want.update(
        {
            "places": {(p["code"], p["role"]) for p in entry.get("places", [])},
            "places (codes)": {p["code"] for p in entry.get("places", [])},
            "stakeholders": set(entry.get("stakeholders", []))
            | set(entry.get("discovered_orgs", [])),
            "theories": {_gold_theory_key(t) for t in theories},
            "theory roles": {(_gold_theory_key(t), t["role"]) for t in theories},
            "theory citation": {
                (_gold_theory_key(t), tuple(t.get("authors", [])), t.get("year"))
                for t in theories
                if not t.get("concept")
            },
            "methods": set(entry.get("methods", [])),
            "obstacles": set(entry.get("obstacles", [])),
        }
    )
    for category in entry.get("obstacles", []):
        want["obstacle:" + category].add(category)
    return want


def prf(tp: int, pred: int, exp: int) -> tuple[float, float, float]:
    p = tp / pred if pred else 0.0
    r = tp / exp if exp else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(gold_path: Path, lexicon, verbose: bool, repeat: int = 1) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, predicted, expected
    methods: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # tp, predicted
    extract_times: list[float] = []
    load_times: list[float] = []
    for entry in gold["documents"]:
        loads, extracts = [], []
        for _ in range(max(1, repeat)):
            t0 = time.perf_counter()
            doc = load(ROOT / entry["file"])
            t1 = time.perf_counter()
            doc.mentions = extract_mentions(doc, lexicon)
            t2 = time.perf_counter()
            loads.append(t1 - t0)
            extracts.append(t2 - t1)
        load_times.append(min(loads))
        extract_times.append(min(extracts))
        got, want = predicted(doc, entry), expected(entry)
        for key, (tp, pred) in by_method(doc, entry, want).items():
            methods[key][0] += tp
            methods[key][1] += pred
        for f in sorted(set(got) | set(want)):
            tp = len(got[f] & want[f])
            totals[f][0] += tp
            totals[f][1] += len(got[f])
            totals[f][2] += len(want[f])
            if verbose and got[f] != want[f] and not f.startswith("obstacle:"):
                print(f"{entry['file']} {f}: missed {sorted(want[f] - got[f], key=str)} "
                      f"extra {sorted(got[f] - want[f], key=str)}")  # fmt: skip
    name = SET_NAMES.get(gold_path.name, gold_path.stem)
    n = len(gold["documents"])
    print(f"\n## {name}: {gold_path.relative_to(ROOT)} ({n} documents)")
    print(f"{'field':<28} {'P':>5} {'R':>5} {'F1':>5}   tp/pred/gold")
    categories = sorted(f for f in totals if f.startswith("obstacle:"))
    for f in FIELDS + categories:
        tp, pred, exp = totals[f]
        p, r, f1 = prf(tp, pred, exp)
        label = "  " + f if f.startswith("obstacle:") else f
        print(f"{label:<28} {p:5.2f} {r:5.2f} {f1:5.2f}   {tp}/{pred}/{exp}")
    print(f"{'by method (precision)':<28} {'P':>5}   tp/pred")
    for key in sorted(methods):
        tp, pred = methods[key]
        print(f"  {key:<26} {tp / pred if pred else 0.0:5.2f}   {tp}/{pred}")
    mean = 1000 * sum(extract_times) / n
    worst = 1000 * max(extract_times)
    mean_load = 1000 * sum(load_times) / n
    print(f"time per document: extraction {mean:.1f} ms (max {worst:.1f} ms); "
          f"reading and structuring {mean_load:.1f} ms")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gold", type=Path, nargs="+", default=None)
    parser.add_argument("--verbose", "-v", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="time each document N times")
    parser.add_argument("--tuning", action="store_true", help="the tuning sets only")
    args = parser.parse_args()
    names = TUNING_GOLD if args.tuning else DEFAULT_GOLD
    paths = args.gold or [ROOT / "bench/gold" / name for name in names]
    lexicon = load_lexicon()
    # Warm the lexicon's compiled patterns so the first document's time is not the build's.
    warm = load(ROOT / "bench/records/rec01-bantul-patbm.md")
    extract_mentions(warm, lexicon)
    for path in paths:
        evaluate(path.resolve(), lexicon, args.verbose, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
