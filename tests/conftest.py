from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
sys.path.insert(0, str(Path(__file__).parent))  # tests/pdfs.py


@pytest.fixture
def settings(tmp_path: Path):
    from api.settings import Settings

    return Settings(data=tmp_path / "data")


@pytest.fixture
def workspace(settings):
    from api.workspace import Workspace

    return Workspace(settings)


@pytest.fixture(scope="session")
def corpus_pdfs() -> list[Path]:
    return sorted(CORPUS.glob("*.pdf"))


@pytest.fixture(scope="session")
def lexicon():
    from kg.vocabulary import load_lexicon

    return load_lexicon()
