"""The web place page (GET /place/{code}) of the province with the most studies and of its
first regency, uncached, over a store bench/scale_bench.py built.

The in-process app (FastAPI TestClient: the real handler, template and HTML), the answer cache
(kg.answers) cleared before every request. The obstacle summary is built once before timing,
as a running server keeps it (its build time is printed apart). `--code DIR` times the code of
another checkout over the same store (e.g. the main branch, for a before/after). `--store URL`
reads the store through a SPARQL endpoint instead (e.g. `oxigraph serve --location
bench/out/scale-10000/data/graph --union-default-graph`), with `--remote-summary-seconds`:

    python bench/place_bench.py --count 10000 [--code /work/main] [--runs 3]
    python bench/place_bench.py --store http://127.0.0.1:7878/query --remote-summary-seconds 0
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose code runs")
    parser.add_argument("--store", help="a SPARQL endpoint holding the store, not the embedded")
    parser.add_argument("--remote-summary-seconds", type=float)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.code.resolve()))
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings
    from api.workspace import Workspace

    data = ROOT / "bench" / "out" / f"scale-{args.count}" / "data"
    remote: dict[str, object] = {}
    if args.store:
        data = ROOT / "bench" / "out" / "place-remote" / "data"  # its own: the store is there
        remote = {"store": args.store}
        if args.remote_summary_seconds is not None:
            remote["remote_summary_seconds"] = args.remote_summary_seconds
    settings = Settings(data=data, **remote)  # type: ignore[arg-type]
    out: dict[str, object] = {"code": str(args.code), "count": args.count, **remote}
    with Workspace(settings) as workspace:
        app = create_app(settings, workspace)
        app.state.workspace, app.state.settings = workspace, settings  # no start-up
        client = TestClient(app)
        started = time.perf_counter()
        workspace.summarised(lambda s: None)
        out["summary build ms"] = round((time.perf_counter() - started) * 1000)
        provinces = client.get("/obstacles/matrix", params={"level": "province"}).json()
        top = max(
            provinces["places"],
            key=lambda p: sum(c["studies"] for c in provinces["cells"] if c["place"] == p["code"]),
        )["code"]
        page = client.get(f"/places/{top}").json()
        regency = page["places"][0]["code"] if page["places"] else top
        out["province studies"] = page.get("study_count", len(page["studies"]))
        for name, path in {f"province {top}": f"/place/{top}",
                           f"regency {regency}": f"/place/{regency}"}.items():  # fmt: skip
            seconds, size = [], 0
            for _ in range(args.runs):
                workspace.answers._answers.clear()  # uncached: every query runs
                started = time.perf_counter()
                response = client.get(path)
                seconds.append(time.perf_counter() - started)
                assert response.status_code == 200, (path, response.text[:200])
                size = len(response.content)
            out[name] = {
                "p50 ms": round(statistics.median(seconds) * 1000),
                "max ms": round(max(seconds) * 1000),
                "KB": round(size / 1024),
            }
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
