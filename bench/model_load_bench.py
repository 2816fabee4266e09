"""What a process pays to find its cached ONNX model intact, before and after: the sha256 of the
whole model file that every load computed (baseline), against the size and mtime check that
replaced it (search.onnx_runtime.cached_onnx_model), beside the onnxruntime session creation
that a load pays either way. CPU and wall seconds, best of --repeat, in one run.

    python bench/model_load_bench.py [--cache DIR] [--runtime onnx-fp32] [--repeat 3]

The cache defaults to the model cache (JEJARING_MODEL_CACHE); the model is built there first
if missing (minutes).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search.embedding import default_cache, ensure_packaged_model, sha256_of
from search.onnx_runtime import OnnxEncoder, cached_onnx_model, ensure_onnx_model


def timed(step: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(best CPU seconds, best wall seconds) of `step`."""
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        step()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return min(cpu), min(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--runtime", default="onnx-fp32")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    fp32 = ensure_packaged_model(args.cache or default_cache())
    folder = ensure_onnx_model(fp32, args.runtime)
    weights = folder / "model.onnx"
    rows = [
        ("sha256 of model.onnx (before)", timed(lambda: sha256_of(weights), args.repeat)),
        ("size+mtime check (after)", timed(lambda: cached_onnx_model(fp32, args.runtime), args.repeat)),
        ("onnxruntime session (both)", timed(lambda: OnnxEncoder(folder), args.repeat)),
    ]  # fmt: skip
    print(f"{args.runtime}: {weights.stat().st_size / 1e6:.0f} MB, load {os.getloadavg()[0]:.1f}")
    print(f"{'step':32} {'cpu s':>8} {'wall s':>8}")
    for name, (cpu, wall) in rows:
        print(f"{name:32} {cpu:8.3f} {wall:8.3f}")


if __name__ == "__main__":
    main()
