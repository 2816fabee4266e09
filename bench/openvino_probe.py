"""The packaged e5 model on onnxruntime fp32 against OpenVINO (issue 15's runtime comparison),
side by side in one process on the same passages: passages/s, CPU seconds and the cosine of each
OpenVINO vector to onnxruntime's. OpenVINO picks bf16 on CPUs with bf16 units (this machine has
AVX-512 BF16) and fp32 elsewhere; OV_PRECISION=f32 forces fp32 to see what the precision buys.

Passages: the first 320 of bench/out/passages-synth-10000.jsonl (bench/search_bench.py --studies
cuts them from bench/synth.py's records), title before text as the index embeds them.
Usage: python bench/openvino_probe.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.embedding import ensure_packaged_model  # noqa: E402
from search.onnx_runtime import OnnxEncoder, OpenVinoSession, ensure_onnx_model  # noqa: E402

PASSAGES = ROOT / "bench/out/passages-synth-10000.jsonl"


def passages(count: int = 320) -> list[str]:
    texts: list[str] = []
    with PASSAGES.open() as lines:
        for line in lines:
            _doc, title, cut = json.loads(line)[:3]
            texts += [f"{title}.\n{p[3]}" for p in cut]
            if len(texts) >= count:
                break
    return texts[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    folder = ensure_onnx_model(ensure_packaged_model(), "onnx-fp32")
    texts = passages()
    plain = OnnxEncoder(folder)
    vino = OnnxEncoder(folder, engine="openvino")
    if precision := os.environ.get("OV_PRECISION"):
        import openvino as ov

        vino.session = OpenVinoSession(folder / "model.onnx", 0)
        vino.session._model = ov.Core().compile_model(
            str(folder / "model.onnx"), "CPU", {"INFERENCE_PRECISION_HINT": precision}
        )
    print(f"{len(texts)} passages, {sum(map(len, texts)) / len(texts):.0f} chars mean; "
          f"OpenVINO precision {precision or vino.session.precision}")  # fmt: skip
    a = plain.encode(texts, prompt_name="document")
    b = vino.encode(texts, prompt_name="document")
    cosine = (a * b).sum(axis=1)
    print(f"cosine to onnxruntime fp32: min {cosine.min():.6f} mean {cosine.mean():.6f}")
    for round_ in range(args.rounds):
        for name, encoder in (("onnxruntime fp32", plain), ("openvino", vino)):
            cpu, start = time.process_time(), time.perf_counter()
            encoder.encode(texts, prompt_name="document")
            wall = time.perf_counter() - start
            print(f"round {round_}  {name:<17} {len(texts) / wall:6.1f} passages/s  "
                  f"wall {wall:5.1f} s  cpu {time.process_time() - cpu:5.1f} s", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
