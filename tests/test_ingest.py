"""The ingest pipeline end to end on a real Oxigraph store on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdfs import encrypted_pdf, scanned_pdf, text_pdf
from records import HEADER_RECORD
from typer.testing import CliRunner

from api.cli import app
from api.workspace import Workspace
from kg.documents import document_json
from kg.queries import run_select


def test_corpus_ingests_into_named_graphs(workspace: Workspace, corpus_pdfs: list[Path]) -> None:
    summary = workspace.ingest_paths(corpus_pdfs)
    assert summary.count("ingested") == 2 and not summary.failed
    ids = workspace.store.document_ids()
    assert len(ids) == 2
    for doc_id in ids:
        doc = document_json(workspace.store, doc_id)
        assert doc["source"]["sha256"].startswith(doc_id)
        assert doc["stakeholders"] and doc["obstacles"] and doc["places"]
        for mention in doc["stakeholders"] + doc["obstacles"] + doc["places"]:
            assert mention["evidence"], mention
            assert all(e["page"] >= 1 and e["quote"] for e in mention["evidence"])


def test_same_file_twice_changes_nothing(
    demo_workspace: Workspace, corpus_pdfs: list[Path]
) -> None:
    workspace = demo_workspace  # the corpus is in it already
    before = len(workspace.store)
    again = workspace.ingest_paths(corpus_pdfs)
    assert again.count("unchanged") == 2
    assert len(workspace.store) == before


def test_new_version_replaces_the_old_only_when_asked(workspace: Workspace) -> None:
    first = workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt")
    # Identity is content: a new content under the same name is another study.
    second = workspace.ingest_bytes(HEADER_RECORD.replace("2021", "2022").encode(), "garut.txt")
    assert second.status == "ingested" and second.replaced == []
    assert sorted(workspace.store.document_ids()) == sorted([first.doc_id, second.doc_id])
    third = workspace.ingest_bytes(
        HEADER_RECORD.replace("2021", "2023").encode(), "other.txt", replace=second.doc_id
    )
    assert third.status == "replaced" and third.replaced == [second.doc_id]
    assert sorted(workspace.store.document_ids()) == sorted([first.doc_id, third.doc_id])
    assert document_json(workspace.store, third.doc_id)["year"] == 2023
    fourth = workspace.ingest_bytes(
        HEADER_RECORD.replace("2021", "2024").encode(), "garut.txt", replace_same_name=True
    )
    assert fourth.status == "replaced" and fourth.replaced == [first.doc_id]
    assert sorted(workspace.store.document_ids()) == sorted([third.doc_id, fourth.doc_id])


@pytest.mark.usefixtures("store_write_breaks")
def test_failure_mid_write_leaves_no_partial_document(workspace: Workspace) -> None:
    with pytest.raises(OSError):
        workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt")
    assert workspace.store.document_ids() == []
    assert len(workspace.store) == workspace.store.vocabulary_size()


def test_failed_replacement_keeps_the_old_version(
    workspace: Workspace, request: pytest.FixtureRequest
) -> None:
    first = workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt")
    before = len(workspace.store)
    request.getfixturevalue("store_write_breaks")
    with pytest.raises(OSError):
        workspace.ingest_bytes(
            HEADER_RECORD.replace("2021", "2022").encode(), "garut.txt", replace=first.doc_id
        )
    assert workspace.store.document_ids() == [first.doc_id]
    assert len(workspace.store) == before


def test_bad_files_fail_alone_and_the_batch_goes_on(
    tmp_path: Path, corpus_pdfs: list[Path]
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "fake.pdf").write_bytes(b"just text, not a pdf")
    (folder / "locked.pdf").write_bytes(encrypted_pdf("isi rahasia " * 50, user_password="x"))
    (folder / "scan.pdf").write_bytes(scanned_pdf())
    (folder / "cut.pdf").write_bytes(text_pdf(["kendala anggaran " * 80])[:700])
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "garut.md").write_text(HEADER_RECORD, encoding="utf-8")
    for pdf in corpus_pdfs:
        (folder / pdf.name).write_bytes(pdf.read_bytes())
    data = tmp_path / "data"

    result = CliRunner().invoke(app, ["ingest", str(folder), "--data", str(data)])
    assert result.exit_code == 1, result.output
    assert "ingested 3, replaced 0, unchanged 0, failed 6" in result.output
    for reason in ("empty file", "not a PDF", "password", "OCR", "truncated", "not a text file"):
        assert reason in result.output

    again = CliRunner().invoke(app, ["ingest", str(folder / "garut.md"), "--data", str(data)])
    assert again.exit_code == 0 and "unchanged 1" in again.output


def test_show_query_and_export_commands(tmp_path: Path, corpus_pdfs: list[Path]) -> None:
    data = str(tmp_path / "data")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", *map(str, corpus_pdfs), "--data", data]).exit_code == 0
    shown = runner.invoke(app, ["show", "--all", "--json", "--data", data])
    assert shown.exit_code == 0 and len(shown.output.strip().splitlines()) == 2
    table = runner.invoke(app, ["query", "kg/queries/recurring_obstacles.rq", "--data", data])
    assert table.exit_code == 0 and "funding" in table.output
    csv_out = runner.invoke(app, ["query", "recurring_obstacles", "-f", "csv", "--data", data])
    assert csv_out.output.startswith("category,label,regencies")
    bad = runner.invoke(app, ["query", "SELECT ?x WHERE { ?x", "--data", data])
    assert bad.exit_code == 2 and "malformed query" in bad.output
    exported = tmp_path / "graph.nq"
    result = runner.invoke(
        app, ["export", "--format", "nquads", "-o", str(exported), "--data", data]
    )
    assert result.exit_code == 0 and exported.stat().st_size > 10_000


def test_recurring_obstacles_groups_by_district(
    workspace: Workspace, corpus_pdfs: list[Path]
) -> None:
    workspace.ingest_paths(corpus_pdfs)
    columns, rows = run_select(workspace.store, "recurring_obstacles")
    table = {row[columns.index("category")]: row for row in rows}
    funding = table["funding"]
    # Both studies report funding problems: Kota Tebing Tinggi and Kabupaten Lingga.
    assert funding[columns.index("regencies")] == "2"
    assert "Kabupaten Lingga" in funding[columns.index("regencyNames")]
    assert "Kota Tebing Tinggi" in funding[columns.index("regencyNames")]
    assert funding[columns.index("provinces")] == "2"


def test_thousand_page_pdf_is_ingested(workspace: Workspace) -> None:
    from pdfs import many_pages_pdf

    outcome = workspace.ingest_bytes(many_pages_pdf(1000), "long-thesis.pdf")
    assert outcome.status == "ingested", outcome.reason
    doc = document_json(workspace.store, outcome.doc_id)
    assert doc["source"]["pages"] == 1000
    assert {o["category"] for o in doc["obstacles"]} == {"coordination"}
    assert max(e["page"] for e in doc["obstacles"][0]["evidence"]) <= 1000
