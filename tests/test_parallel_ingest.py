"""Batch ingest on several cores (issue 15): files read in worker processes of the batch's
own, documents embedded together, each written in order by the one writer; the result is
the one-file-at-a-time ingest's, a bad file fails alone and no process is left behind."""

from __future__ import annotations

import threading
from pathlib import Path

import psutil
import pytest
from equal_ingest import BAD_NAME, EXACT_RUNTIME, assert_same_ingest, corpus
from typer.testing import CliRunner

from api.cli import app
from api.settings import Settings
from api.workspace import Workspace
from kg import ingestion


def _children() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True) if p.is_running()}


@pytest.fixture(scope="module")
def exact_embedder(model_cache: Path):
    from search.embedding import load_embedder

    return load_embedder(cache_dir=model_cache, runtime=EXACT_RUNTIME)


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    return corpus(tmp_path / "records")


def test_batch_equals_one_at_a_time_and_a_bad_file_fails_alone(
    tmp_path: Path, files: list[Path], exact_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = exact_embedder
    exact = {"embedding_runtime": EXACT_RUNTIME}
    # Small batches, so that this corpus makes several of them (and the bad file is in one).
    monkeypatch.setattr(ingestion, "BATCH_PASSAGES", 8)
    with (
        Workspace(Settings(data=tmp_path / "one", **exact), embedder=embedder) as one,
        Workspace(Settings(data=tmp_path / "two", **exact), embedder=embedder) as two,
    ):
        single = one.ingest_paths(files, workers=1)
        before = _children()  # the first workspace's reader stays until it closes
        seen: list[str] = []
        batch = two.ingest_paths(files, lambda o: seen.append(o.source), workers=2)
        # Outcomes come in the order of the files, as one at a time.
        assert seen == [str(p) for p in files] == [o.source for o in single.outcomes]
        assert [(o.status, o.doc_id) for o in batch.outcomes] == [
            (o.status, o.doc_id) for o in single.outcomes
        ]
        (bad,) = batch.failed
        assert bad.source.endswith(BAD_NAME) and bad.code and bad.reason
        assert batch.count("ingested") == len(files) - 1
        assert_same_ingest(one, two)
        stages = batch.stages.seconds
        assert set(stages) == {"parse", "extract", "embed", "write"}
        assert all(v > 0 for v in stages.values()), stages
        # The batch's reader processes ended with it.
        assert _children() == before
    assert _children() == set()
    with Workspace(Settings(data=tmp_path / "two", **exact), embedder=embedder) as two:
        # Again: every file is unchanged, nothing is read.
        again = two.ingest_paths(files, workers=2)
        assert again.count("unchanged") == len(files) - 1 and len(again.failed) == 1


def test_replace_changed_in_a_batch_follows_the_order_of_the_files(
    tmp_path: Path, workspace: Workspace
) -> None:
    folder = tmp_path / "versions"
    folder.mkdir()
    from records import HEADER_RECORD

    (folder / "a" / "garut.txt").parent.mkdir()
    (folder / "a" / "garut.txt").write_text(HEADER_RECORD)
    (folder / "b" / "garut.txt").parent.mkdir()
    (folder / "b" / "garut.txt").write_text(HEADER_RECORD.replace("2021", "2022"))
    summary = workspace.ingest_paths([folder], replace_changed=True, workers=2)
    first, second = summary.outcomes
    assert first.status == "ingested" and second.status == "replaced"
    assert second.replaced == [first.doc_id]
    assert workspace.store.document_ids() == [second.doc_id]


def test_close_during_a_batch_ends_its_readers(
    tmp_path: Path, files: list[Path], workspace: Workspace
) -> None:
    before = _children()
    started = threading.Event()
    answer: dict[str, object] = {}

    def run() -> None:
        try:
            answer["summary"] = workspace.ingest_paths(
                files * 3, lambda _: started.set(), workers=2
            )
        except Exception as exc:  # the shutdown may refuse the rest of the batch
            answer["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(240)
    workspace.ingestion.close()
    thread.join(240)
    assert not thread.is_alive()
    assert _children() == before
    if "summary" in answer:  # the files read after close() failed, each with a reason
        summary = answer["summary"]
        assert all(o.reason for o in summary.failed)  # type: ignore[attr-defined]


def test_cli_ingests_with_workers_and_says_the_stages(tmp_path: Path, files: list[Path]) -> None:
    result = CliRunner().invoke(
        app,
        ["ingest", str(files[0].parent), "--data", str(tmp_path / "d"), "--workers", "2",
         "--timings"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output  # the bad file
    assert f"ingested {len(files) - 1}, replaced 0, unchanged 0, failed 1" in result.output
    assert "files/s" in result.output and "embed" in result.output
    assert BAD_NAME in result.output
