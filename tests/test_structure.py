"""Structure: sections, metadata, abstracts, keywords, references and passages."""

from __future__ import annotations

from pathlib import Path

import pytest
from records import ENGLISH_RECORD, HEADER_RECORD

from ingest.references import parse_references, work_key
from ingest.sections import heading_kind
from ingest.structure import document_from_pdf, document_from_record


@pytest.fixture(scope="module")
def sapitri(corpus_pdfs: list[Path]):
    path = next(p for p in corpus_pdfs if "sapitri" in p.name)
    return document_from_pdf(path.read_bytes(), path.name)


@pytest.fixture(scope="module")
def tebing_tinggi(corpus_pdfs: list[Path]):
    path = next(p for p in corpus_pdfs if "tebing" in p.name)
    return document_from_pdf(path.read_bytes(), path.name)


def test_article_metadata(sapitri) -> None:
    assert sapitri.title.startswith("Kemitraan Pusat Pelayanan Terpadu")
    assert sapitri.title.endswith("Kabupaten Lingga")
    assert [a.name for a in sapitri.authors] == ["Emas Sapitri", "Edy Akhyary", "Agus Hendrayady"]
    assert sapitri.authors[0].affiliation == "Universitas Maritim Raja Ali Haji"
    assert sapitri.year == 2023
    assert sapitri.kind == "article"
    assert sapitri.language == "id"
    assert set(sapitri.abstracts) == {"id", "en"}
    assert sapitri.abstracts["en"].startswith("P2TP2A (Center for Integrated Services")
    assert "perlindungan anak" in sapitri.keywords and "Child Protection" in sapitri.keywords


def test_article_sections_and_pages(sapitri) -> None:
    kinds = [s.kind for s in sapitri.sections]
    for kind in (
        "abstract",
        "introduction",
        "theory",
        "method",
        "results",
        "conclusion",
        "references",
    ):
        assert kind in kinds
    results = next(s for s in sapitri.sections if s.kind == "results")
    assert sapitri.page_at(results.start) == 5
    assert "Received" not in sapitri.text[: sapitri.text.find("LATAR BELAKANG")]


def test_passages_are_sentence_chunks_within_sections(sapitri) -> None:
    assert sapitri.passages
    for passage in sapitri.passages:
        words = len(passage.text.split())
        assert words <= 200
        assert passage.section not in {"front", "references"}
        assert sapitri.page_at(passage.start) == passage.page
    assert sum(len(p.text.split()) >= 80 for p in sapitri.passages) >= 0.8 * len(sapitri.passages)


def test_reference_list_is_parsed(sapitri) -> None:
    keys = {work_key(r.authors, r.year) for r in sapitri.references}
    assert {"sulistiyani-2017", "moleong-2011", "andriani-2020", "noer-2019"} <= keys
    moleong = next(r for r in sapitri.references if r.authors[0].startswith("Moleong"))
    assert moleong.title == "Metodologi Penelitian Kualitatif"


def test_thesis_abstract_pages(tebing_tinggi) -> None:
    assert tebing_tinggi.kind == "thesis"  # roman page numbers: thesis front matter
    assert set(tebing_tinggi.abstracts) == {"id", "en"}
    assert "Ansell dan Gash (2007)" in tebing_tinggi.abstracts["id"]
    assert "Kekerasan Terhadap Anak" in tebing_tinggi.keywords


def test_record_with_header_fields() -> None:
    doc = document_from_record(HEADER_RECORD.encode(), "garut.txt")
    assert doc.title.startswith("Kolaborasi UPTD PPA dan Polres")
    assert [a.name for a in doc.authors] == ["Siti Rahmawati", "Budi Santoso"]
    assert doc.authors[0].affiliation == "Universitas Padjadjaran, Bandung"
    assert (doc.year, doc.kind, doc.language) == (2021, "article", "id")
    assert doc.abstracts["id"].startswith("Penelitian ini menganalisis")
    assert doc.keywords == ["kolaborasi", "perlindungan anak", "UPTD PPA"]
    assert doc.passages and doc.source_format == "record"


def test_markdown_record_in_english() -> None:
    doc = document_from_record(ENGLISH_RECORD.encode(), "makassar.md")
    assert doc.title == "Child protection partnership in Makassar City"
    assert doc.language == "en"
    assert list(doc.abstracts) == ["en"]
    assert doc.keywords == ["partnership", "PATBM", "child protection"]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("BAB I PENDAHULUAN", "introduction"),
        ("BAB III", "method"),
        ("II. TINJAUAN PUSTAKA", "theory"),
        ("HASIL DAN PEMBAHASAN", "results"),
        ("Daftar Pustaka", "references"),
        ("**ABSTRACT**", "abstract"),
    ],
)
def test_headings(line: str, kind: str) -> None:
    found = heading_kind(line)
    assert found is not None and found[0] == kind


def test_subheading_is_not_a_section() -> None:
    assert heading_kind("3. Hasil wawancara dengan informan") is None


def test_references_one_per_line_and_run_together() -> None:
    listing = (
        "- Ansell, C., & Gash, A. (2007). Collaborative Governance in Theory and Practice. JPART.\n"
        "- Notoatmodjo, S. (2010). Promosi Kesehatan. Rineka Cipta.\n"
        "- Sugiyono. (2019). Metode Penelitian Kualitatif. Alfabeta.\n"
    )
    refs = parse_references(listing)
    assert [work_key(r.authors, r.year) for r in refs] == [
        "ansell-2007",
        "notoatmodjo-2010",
        "sugiyono-2019",
    ]
    run_together = listing.replace("- ", "").replace("\n", " ")
    assert [work_key(r.authors, r.year) for r in parse_references(run_together)] == [
        "ansell-2007",
        "notoatmodjo-2010",
        "sugiyono-2019",
    ]
