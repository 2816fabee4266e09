from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
sys.path.insert(0, str(Path(__file__).parent))  # tests/pdfs.py


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One conversion of the packaged model per test session, also for CLI runs."""
    cache = tmp_path_factory.mktemp("models")
    os.environ["JEJARING_MODEL_CACHE"] = str(cache)
    return cache


@pytest.fixture(scope="session")
def embedder(model_cache: Path):
    from search.embedding import load_embedder

    return load_embedder(cache_dir=model_cache)


@pytest.fixture
def settings(tmp_path: Path):
    from api.settings import Settings

    return Settings(data=tmp_path / "data")


@pytest.fixture
def workspace(settings, embedder):
    from api.workspace import Workspace

    with Workspace(settings, embedder=embedder) as workspace:
        yield workspace


@pytest.fixture(scope="session")
def corpus_pdfs() -> list[Path]:
    return sorted(CORPUS.glob("*.pdf"))


@pytest.fixture(scope="session")
def lexicon():
    from kg.vocabulary import load_lexicon

    return load_lexicon()
