"""Ingest on a real Dask cluster on loopback (issue 15): a scheduler and two workers started as
`dask scheduler` / `dask worker` processes; the workers read and embed, the test process
writes. The result equals a local ingest, a bad file fails alone, and every process (the
workers' reader processes too) is gone after."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from equal_ingest import BAD_NAME, EXACT_RUNTIME, ROOT, assert_same_ingest, corpus
from typer.testing import CliRunner

from api.cli import app
from api.cluster import ingest_on_cluster
from api.settings import Settings
from api.workspace import Workspace

DASK = [sys.executable, "-m", "distributed.cli"]


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Iterator[str]:
    """tcp://127.0.0.1:PORT of a scheduler with two one-thread workers, for this module's
    tests: each ingest registers its reader plugin anew, as a new client of a running cluster
    does."""
    tmp_path = tmp_path_factory.mktemp("cluster")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JEJARING_MODEL_CACHE": str(model_cache)}
    address_file = tmp_path / "scheduler.json"
    scheduler = _start(
        [*DASK[:2], "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
         "--no-dashboard", "--scheduler-file", str(address_file)],
        env, tmp_path / "scheduler.log",
    )  # fmt: skip
    processes = [scheduler]
    try:
        deadline = time.monotonic() + 120
        while not address_file.exists() or not address_file.read_text().strip():
            assert scheduler.poll() is None, (tmp_path / "scheduler.log").read_text()
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.2)
        address = json.loads(address_file.read_text())["address"]
        for n in range(2):
            processes.append(_start(
                [*DASK[:2], "distributed.cli.dask_worker", address, "--nthreads", "1",
                 "--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1",
                 "--memory-limit", "0", "--name", f"w{n}"],
                env, tmp_path / f"worker{n}.log",
            ))  # fmt: skip
        from distributed import Client

        with Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=240)
        yield address
    finally:
        tree = [psutil.Process(p.pid) for p in processes if p.poll() is None]
        descendants = [c for p in tree for c in p.children(recursive=True)]
        for process in reversed(processes):  # workers first, the scheduler last
            process.terminate()
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        # No stray process: the nannies' workers and their reader processes ended too.
        _, alive = psutil.wait_procs(descendants, timeout=30)
        assert not alive, [p.cmdline() for p in alive]


def test_cluster_ingest_equals_a_local_ingest(
    tmp_path: Path, cluster: str, model_cache: Path
) -> None:
    from search.embedding import load_embedder

    embedder = load_embedder(cache_dir=model_cache, runtime=EXACT_RUNTIME)
    files = corpus(tmp_path / "records")
    exact = {"embedding_runtime": EXACT_RUNTIME}  # the workers load the model on it too
    with (
        Workspace(Settings(data=tmp_path / "local", **exact), embedder=embedder) as local,
        Workspace(Settings(data=tmp_path / "dask", **exact), embedder=embedder) as remote,
    ):
        expected = local.ingest_paths(files, workers=1)
        seen: list[str] = []
        summary = ingest_on_cluster(
            remote, files, cluster, lambda o: seen.append(o.source), files_per_task=3
        )
        assert seen == [str(p) for p in files]
        assert [(o.status, o.doc_id) for o in summary.outcomes] == [
            (o.status, o.doc_id) for o in expected.outcomes
        ]
        (bad,) = summary.failed
        assert bad.source.endswith(BAD_NAME) and bad.code == expected.failed[0].code
        assert_same_ingest(local, remote)
        assert all(v > 0 for v in summary.stages.seconds.values()), summary.stages.seconds
        again = ingest_on_cluster(remote, files, cluster)
        assert again.count("unchanged") == len(files) - 1


def test_cli_ingest_with_a_scheduler(tmp_path: Path, cluster: str) -> None:
    files = corpus(tmp_path / "records", count=4)
    result = CliRunner().invoke(
        app, ["ingest", str(files[0].parent), "--data", str(tmp_path / "d"), "--scheduler",
              cluster, "--timings"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output  # the bad file
    assert "ingested 4, replaced 0, unchanged 0, failed 1" in result.output
    assert BAD_NAME in result.output
