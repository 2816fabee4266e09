"""The packaged e5 model on onnxruntime: exported once from the converted fp32 folder with
torch.onnx, optionally quantised to int8 by onnxruntime itself, kept in the model cache.

bench/embed_bench.py measured it against the torch path (figures in bench/embed_bench_results.txt):
fp32 gives torch's vectors at about twice its speed; int8 with per-channel weight scales is
faster still and stays above cosine 0.99 of fp32 on every real passage (per-tensor int8 fell to
0.98 on long passages), but moved retrieval figures past the 0.01 bar, so it is not the default. optimum is not used: it pins an older
transformers than sentence-transformers needs.

Only conversion needs torch and transformers; running needs onnxruntime and tokenizers.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ingest.errors import ModelError

Runtime = Literal["torch", "onnx-fp32", "onnx-int8", "openvino"]
RUNTIMES: tuple[Runtime, ...] = ("torch", "onnx-fp32", "onnx-int8", "openvino")
# OpenVINO on the fp32 export: in bf16 on CPUs with bf16 units it embeds at 2.1-2.6x
# onnxruntime fp32 (cosine >= 0.99998) and took the 2,000-abstract ingest from 1.89x to 3.46x
# of the torch path (bench/parallel_ingest_results.txt); elsewhere it runs fp32. Not int8: int8
# holds cosine >= 0.995 on every passage but moved retrieval_eval's R@5 by up to 0.05.
DEFAULT_RUNTIME: Runtime = "openvino"
# Bumped when the export or quantisation recipe changes, so an old cache is rebuilt.
RECIPE = 1
_MARKER = "jejaring-onnx.json"
_FILE = "model.onnx"
_COPIED = ("tokenizer.json", "sentence_bert_config.json", "config_sentence_transformers.json")
_PROMPTS = {"query": "query: ", "document": "passage: "}
log = logging.getLogger(__name__)


def ensure_onnx_model(fp32_folder: Path, runtime: str) -> Path:
    """The ONNX folder for `runtime` beside the fp32 folder, built first if it is missing,
    outdated (another recipe or source model) or damaged (`cached_onnx_model`)."""
    from search.embedding import built_atomically, sha256_of

    cached = cached_onnx_model(fp32_folder, runtime)
    if cached is not None:
        return cached
    target = _target(fp32_folder, runtime)
    if target.exists():
        log.warning("%s: cached ONNX model is damaged or outdated; building it again", target)
    # int8 is the fp32 export quantised: the cached one (built first if missing) serves, not a
    # second export with torch, which is the slow part (a minute on a busy machine).
    plain = ensure_onnx_model(fp32_folder, "onnx-fp32") / _FILE if runtime == "onnx-int8" else None
    with built_atomically(target) as work:
        if plain is None:
            export(fp32_folder, work / _FILE)
        else:
            quantise(plain, work / _FILE)
        for name in _COPIED:
            shutil.copyfile(fp32_folder / name, work / name)
        # The rename into place keeps the file's mtime, so the stamp taken here holds after it.
        record = {**_wanted(fp32_folder), "sha256": sha256_of(work / _FILE)}
        _write_marker(work / _MARKER, {**record, **(_stamp(work / _FILE) or {})})
    return target


def cached_onnx_model(fp32_folder: Path, runtime: str) -> Path | None:
    """The ONNX folder for `runtime` if the cache holds it built by this recipe from this
    source model and intact; None if it must be built.

    The model file is hashed once, when it is built; here its size and mtime are compared
    with the ones recorded then, which costs nothing, where hashing its 470 MB took 12-20 s in
    every process that loads the model (each server, worker and CLI run). A file whose mtime
    moved (copied, touched, or written to) is hashed again: kept if the hash still holds. One
    whose size changed (truncated) is not."""
    from search.embedding import sha256_of

    target = _target(fp32_folder, runtime)
    recorded = _read_marker(target / _MARKER)
    if not recorded or any(recorded.get(k) != v for k, v in _wanted(fp32_folder).items()):
        return None
    stamp = _stamp(target / _FILE)
    if stamp is None or stamp["size"] != recorded.get("size"):
        return None
    if stamp["mtime_ns"] != recorded.get("mtime_ns"):
        if sha256_of(target / _FILE) != recorded.get("sha256"):
            return None
        _write_marker(target / _MARKER, {**recorded, **stamp})
    return target


def _target(fp32_folder: Path, runtime: str) -> Path:
    if runtime == "openvino":
        runtime = "onnx-fp32"  # OpenVINO compiles the fp32 export itself, at load
    if runtime not in RUNTIMES[1:]:
        raise ModelError(f"no ONNX runtime {runtime!r}; one of {', '.join(RUNTIMES[1:])}")
    return fp32_folder.parent / f"{fp32_folder.name}-{runtime}"


def _wanted(fp32_folder: Path) -> dict[str, Any]:
    """What the model was built by and from: the recipe, the converted folder's name and the
    sha256 of the model that folder was converted from."""
    from search.embedding import SOURCE_MARKER

    marker = fp32_folder / SOURCE_MARKER
    source = marker.read_text().strip() if marker.exists() else ""
    return {"recipe": RECIPE, "source": f"{fp32_folder.name}:{source}"}


def _stamp(path: Path) -> dict[str, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _read_marker(path: Path) -> dict[str, Any]:
    try:
        recorded = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def _write_marker(path: Path, record: dict[str, Any]) -> None:
    # Replaced whole: a process loading the model at the same time reads the old or the new.
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(record))
    os.replace(partial, path)


def export(fp32_folder: Path, out: Path) -> None:
    """model.onnx: token ids and attention mask in (dynamic batch and length), the last hidden
    state out; pooling stays in numpy so both ONNX variants and torch share one definition."""
    import warnings

    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(
        str(fp32_folder), local_files_only=True, attn_implementation="eager"
    ).eval()

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    # A padded row in the example, so the traced graph keeps the masking path.
    ids = torch.tensor([[0, 1000, 2000, 2], [0, 3000, 2, 1]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    axes = {0: "batch", 1: "tokens"}
    # The TorchScript exporter: the torch.export one needs onnxscript and gains nothing here.
    # The tracer's warnings are about branches on shapes that the padded example fixes correctly.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Hidden(),
            (ids, mask),
            str(out),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=17,
            dynamo=False,
        )


def quantise(fp32_file: Path, out: Path) -> None:
    """The fp32 export with its weights in int8, per channel: per-tensor scales lost too much
    on long passages (cosine 0.98)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # its advice to pre-process (shape inference) gains nothing
    try:
        quantize_dynamic(str(fp32_file), str(out), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.setLevel(level)


class OnnxEncoder:
    """The part of SentenceTransformer's interface that Embedder uses, on onnxruntime."""

    def __init__(self, folder: Path, threads: int = 0, engine: str = "onnxruntime") -> None:
        from tokenizers import Tokenizer

        self.session: Any = (
            OpenVinoSession(folder / _FILE, threads)
            if engine == "openvino"
            else _onnxruntime_session(folder / _FILE, threads)
        )
        config = json.loads((folder / "sentence_bert_config.json").read_text())
        self.max_seq_length = int(config["max_seq_length"])
        prompts = json.loads((folder / "config_sentence_transformers.json").read_text())
        self.prompts: dict[str, str] = prompts.get("prompts") or _PROMPTS
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(self.max_seq_length)
        pad = self._tokenizer.token_to_id("<pad>")
        self._pad = 1 if pad is None else pad  # padded by `encode`, a call at a time
        self._dim = int(self.session.dim)

    def get_embedding_dimension(self) -> int:
        return self._dim

    def tokenizer(self, texts: list[str]) -> dict[str, list[list[int]]]:
        """Token ids, unpadded, as a transformers tokenizer call gives them (for the benches)."""
        return {"input_ids": [e.ids for e in self._tokenizer.encode_batch(texts)]}

    def encode(
        self,
        texts: list[str],
        prompt_name: str | None = None,
        batch_size: int = 32,
        normalize_embeddings: bool = True,
        **_: Any,
    ) -> np.ndarray:
        prefix = self.prompts.get(prompt_name, "") if prompt_name else ""
        encoded = self._tokenizer.encode_batch([prefix + t for t in texts])
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for chosen in like_lengths([len(e.ids) for e in encoded], max(1, batch_size)):
            width = len(encoded[chosen[0]].ids)
            ids = np.full((len(chosen), width), self._pad, dtype=np.int64)
            mask = np.zeros((len(chosen), width), dtype=np.int64)
            for row, i in enumerate(chosen):
                n = len(encoded[i].ids)
                ids[row, :n] = encoded[i].ids
                mask[row, :n] = 1
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[chosen] = pooled
        if normalize_embeddings:
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out


def _onnxruntime_session(file: Path, threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads  # 0: one per core, as torch does
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle threads sleep instead of spinning: the cores are shared with the file readers.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = ort.InferenceSession(str(file), options, providers=["CPUExecutionProvider"])
    session.dim = int(session.get_outputs()[0].shape[-1])
    return session


class OpenVinoSession:
    """The fp32 ONNX export compiled by OpenVINO for this CPU, with `run` as onnxruntime's.
    OpenVINO computes in bf16 where the CPU has bf16 units (AVX-512 BF16, AMX) and in fp32
    elsewhere; `precision` says which, and is part of the model id, so an index built one way
    is rebuilt the other. bench/openvino_probe.py: on 320 synthetic passages here bf16 gave
    2.1-2.6x onnxruntime fp32's passages/s at cosine >= 0.99998 of its vectors; fp32 1.1x."""

    def __init__(self, file: Path, threads: int) -> None:
        import openvino as ov

        core = ov.Core()
        config: dict[str, Any] = {"PERFORMANCE_HINT": "LATENCY"}
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        self._model = core.compile_model(str(file), "CPU", config)
        chosen = str(self._model.get_property("INFERENCE_PRECISION_HINT"))
        self.precision = "bf16" if "bf16" in chosen or "bfloat16" in chosen else "fp32"
        self.dim = int(self._model.outputs[0].get_partial_shape()[-1].get_length())
        self._local = threading.local()

    def run(self, _outputs: object, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        # An infer request per thread: one request is not safe to share, and search queries
        # embed on the server's threads while an ingest embeds on its own.
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self._model.create_infer_request()
        result = request.infer(feeds)
        return [np.array(result[self._model.outputs[0]])]


# A model call's padding may add this share to its real tokens before a new call starts: 32
# length-sorted abstract passages a call padded to 1.43x their tokens (a document's last passage
# is short), like lengths to under 1.1x, for a few more, still full, calls.
PADDING_SLACK = 0.1


def like_lengths(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Indices of `lengths` in model calls: longest first, at most `batch_size` a call, a new
    call where padding to the call's longest would pass PADDING_SLACK of its real tokens."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    calls: list[list[int]] = []
    real = 0
    for i in order:
        call = calls[-1] if calls else None
        if (
            call is None
            or len(call) >= batch_size
            or lengths[call[0]] * (len(call) + 1) > (1 + PADDING_SLACK) * (real + lengths[i])
        ):
            calls.append([i])
            real = lengths[i]
        else:
            call.append(i)
            real += lengths[i]
    return calls
