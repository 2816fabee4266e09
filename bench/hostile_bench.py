"""The attacks of issue 10 against a real `jejaring serve` on loopback, with what each costs.

A fresh data directory with the demo corpus; the server with a token, a 2 s SPARQL limit.
For each attack: the answer, how long it took, and whether the server still answers. Then
two figures: how long the server's CPU stays busy after a runaway query is stopped (its
process tree, from /proc), and the latency of searches while a 300-passage study is uploaded
(baseline: the same searches on the idle server, in the same run).

Usage: python bench/hostile_bench.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from api_bench import TOKEN, free_port, serve  # noqa: E402

AUTH = {"Authorization": f"Bearer {TOKEN}"}
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"
CROSS_JOIN_UPDATE = (
    "INSERT { GRAPH <http://example.org/junk> { ?a ?p ?x } } "
    "WHERE { GRAPH ?g1 { ?a ?p ?x } GRAPH ?g2 { ?b ?q ?y } GRAPH ?g3 { ?c ?r ?z } }"
)
TICKS = os.sysconf("SC_CLK_TCK")


def nested(depth: int) -> str:
    return "SELECT * WHERE { FILTER(" + "(" * depth + "1" + ")" * depth + ") }"


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) of a process and all its descendants alive now."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICKS
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += times.get(pid, 0.0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


def busy_after_kill(client: httpx.Client, server_pid: int) -> float:
    """Seconds from the 503 of a runaway query until the server's tree uses < 5% of a core."""
    answer = client.get("/sparql", params={"query": CROSS_JOIN})
    assert answer.status_code == 503, answer.text
    stopped = time.monotonic()
    last = tree_cpu_seconds(server_pid)
    while time.monotonic() - stopped < 10:
        time.sleep(0.1)
        now = tree_cpu_seconds(server_pid)
        if now - last < 0.005:
            return time.monotonic() - stopped
        last = now
    return float("inf")


def attack(client: httpx.Client, label: str, send) -> None:
    started = time.monotonic()
    try:
        response = send()
        if response.headers.get("content-type", "").startswith("application/json"):
            said = str(response.json().get("detail", ""))
        else:  # a page: the message it shows
            said = "page: " + ("nested" if "nested" in response.text else response.text[:40])
        outcome = f"{response.status_code} {said[:70]}"
    except httpx.HTTPError as exc:
        outcome = f"no answer: {type(exc).__name__}"
    seconds = time.monotonic() - started
    alive = client.get("/health", timeout=30).status_code == 200
    print(f"  {label:<44} {seconds:6.2f} s  server up: {'yes' if alive else 'NO'}  {outcome}")


def big_record(passages: int) -> bytes:
    lines = ["Judul: Kemitraan perlindungan anak di Kabupaten Sleman (uji beban)", "", "Abstrak"]
    for i in range(passages):
        lines.append(
            f"Paragraf {i}: koordinasi antara DP3A, Unit PPA Polres dan pemerintah desa dalam "
            f"penanganan kasus kekerasan anak nomor {i} menghadapi kendala anggaran, tenaga "
            f"pendamping dan kesadaran masyarakat yang masih rendah di wilayah kecamatan {i}."
        )
        lines.append("")
    return "\n".join(lines).encode()


def search_latencies(client: httpx.Client, seconds: float) -> list[float]:
    out: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        client.get("/search", params={"q": "hambatan koordinasi perlindungan anak"})
        out.append((time.monotonic() - started) * 1000)
    return out


def during_upload(base: str) -> tuple[list[float], float]:
    record = big_record(300)
    done: list[float] = []

    def upload() -> None:
        started = time.monotonic()
        with httpx.Client(base_url=base, timeout=600) as uploader:
            files = {"file": ("load-test.txt", record, "text/plain")}
            uploader.post("/documents", files=files, headers=AUTH)
        done.append(time.monotonic() - started)

    thread = threading.Thread(target=upload)
    latencies: list[float] = []
    with httpx.Client(base_url=base, timeout=600) as client:
        thread.start()
        while not done:
            latencies += search_latencies(client, 0.5)
    thread.join()
    return latencies, done[0]


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"n={len(values)} p50 {statistics.median(values):.0f} ms, p95 {p95:.0f} ms, max {max(values):.0f} ms"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        import subprocess

        subprocess.run(
            [sys.executable, "-m", "api.cli", "ingest", str(ROOT / "corpus"), "--data", str(data)],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = serve(data, port, JEJARING_SPARQL_TIMEOUT_S="2.0")
        try:
            with httpx.Client(base_url=base, timeout=120) as client:
                print("# Hostile requests against a real server (SPARQL limit 2 s)\n")
                attack(client, "1 query nested 5,000 deep (GET /sparql)",
                       lambda: client.get("/sparql", params={"query": nested(5000)}))  # fmt: skip
                attack(client, "1 the same through /query?q=",
                       lambda: client.get("/query", params={"q": nested(5000)}))  # fmt: skip
                attack(client, "2 SERVICE <http://127.0.0.1:9/> (no token)",
                       lambda: client.get("/sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}))  # fmt: skip
                attack(client, "2 LOAD <file:///etc/passwd> (token)",
                       lambda: client.post("/sparql", data={"update": "LOAD <file:///etc/passwd>"}, headers=AUTH))  # fmt: skip
                attack(client, "3 runaway 3-way cross join",
                       lambda: client.get("/sparql", params={"query": CROSS_JOIN}))  # fmt: skip

                def four() -> httpx.Response:
                    with httpx.Client(base_url=base, timeout=120) as other:
                        threads = [threading.Thread(target=other.get, args=("/sparql",),
                                                    kwargs={"params": {"query": CROSS_JOIN}})
                                   for _ in range(4)]  # fmt: skip
                        for t in threads:
                            t.start()
                        for t in threads:
                            t.join()
                    return client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})

                attack(client, "3 four runaways at once, then an ASK", four)
                attack(client, "4 runaway INSERT … WHERE cross join (token)",
                       lambda: client.post("/sparql", data={"update": CROSS_JOIN_UPDATE}, headers=AUTH))  # fmt: skip

                busy = busy_after_kill(client, server.pid)
                print(f"\n  CPU of the server's processes back under 5% of a core {busy:.2f} s "
                      "after a runaway query's 503")  # fmt: skip

                idle = search_latencies(client, 5.0)
            loaded, upload_s = during_upload(base)
            print("\n## /search latency")
            print(f"  idle server:                      {summary(idle)}")
            print(f"  during a 300-passage upload ({upload_s:.0f} s): {summary(loaded)}")
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
