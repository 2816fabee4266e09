"""bench/synth.py: the synthetic corpus is deterministic, distinct and carries its truth."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import synth  # noqa: E402


def _files(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): p.read_text(encoding="utf-8")
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_corpus_other_seed_other_corpus(tmp_path: Path) -> None:
    synth.generate(50, 3, tmp_path / "a")
    synth.generate(50, 3, tmp_path / "b")
    synth.generate(50, 4, tmp_path / "c")
    a, b, c = (_files(tmp_path / n) for n in "abc")
    assert a == b
    assert a["truth.jsonl"] != c["truth.jsonl"]


def test_records_are_distinct_and_truth_has_the_gold_shape(tmp_path: Path) -> None:
    summary = synth.generate(50, 7, tmp_path)
    assert summary["count"] == summary["distinct_titles"] == 50
    records = {k: v for k, v in _files(tmp_path).items() if k != "truth.jsonl"}
    assert len(records) == 50 and len(set(records.values())) == 50
    assert all(k.startswith("000/") and k.endswith((".txt", ".md")) for k in records)
    lines = (tmp_path / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    truths = [json.loads(line) for line in lines]
    assert [t["file"] for t in truths] == sorted(records)
    vocab = synth.vocabulary()
    for t in truths:
        text = records[t["file"]]
        assert t["title"] in text
        assert 2010 <= t["year"] <= 2025 and t["kind"] in {"thesis", "article"}
        assert t["language"] in {"id", "en"}
        studied = [p for p in t["places"] if p["role"] == "studied"]
        assert studied and all(p["code"][:2].isdigit() for p in studied)
        assert all(p["level"] in {"province", "regency", "city", "district", "village"}
                   for p in t["places"])  # fmt: skip
        assert 3 <= len(t["stakeholders"]) <= 8 and set(t["stakeholders"]) <= set(
            vocab["stakeholder"]
        )
        assert 2 <= len(t["obstacles"]) <= 5 and set(t["obstacles"]) <= set(vocab["obstacle"])
        assert len(t["theories"]) <= 2
        assert all(th["concept"] in vocab["theory"] for th in t["theories"])
        assert set(t["methods"]) <= set(vocab["method"])
    assert len({p["code"] for t in truths for p in t["places"] if p["role"] == "studied"}) > 40


def test_obstacle_words_are_vocabulary_labels() -> None:
    assert synth.check_words() == []
