"""Time the HTML report and the web API on the default scenario (32,768 GPUs) and the 1M-GPU example.

Prints: the report's gather and render seconds and its size; for each API endpoint, the latency of
20 requests through the ASGI app in-process (median and p95; no network, so this is the server's
own time); and the requests per second of /api/compare with two clients at once.
Run: python benchmarks/bench_web.py
"""

from __future__ import annotations

import statistics
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from lightfabric.report.html import gather, render
from lightfabric.scenario.loader import load_scenario
from lightfabric.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 20
ENDPOINTS = [("/api/compare", {}), ("/api/link", {"technology": "cpo", "length_m": 50}),
             ("/api/reliability", {"trials": 100}), ("/api/economics", {}), ("/api/collective", {})]


def report_times(path: Path | None, label: str) -> None:
    sc = load_scenario(path)
    t0 = time.perf_counter()
    results = gather(sc, trials=200)
    t1 = time.perf_counter()
    text = render(results)
    t2 = time.perf_counter()
    print(f"report, {label}: gather {t1 - t0:.2f} s, render {t2 - t1:.2f} s, {len(text) / 1e6:.1f} MB")


def latency(client: TestClient, path: str, body: dict) -> tuple[float, float]:
    times = []
    for _ in range(REQUESTS):
        t0 = time.perf_counter()
        r = client.post(path, json=body)
        times.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.text
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    report_times(None, "default 32,768 GPUs")
    report_times(ROOT / "examples" / "three-tier-1m-multiplane.yaml", "1,048,576 GPUs")
    client = TestClient(create_app())
    client.post("/api/compare", json={})  # warm the catalog and imports
    for path, body in ENDPOINTS:
        for label, extra in (("default", {}), ("1M GPUs", {"example": "three-tier-1m-multiplane"})):
            p50, p95 = latency(client, path, {**body, **({} if path == "/api/link" else extra)})
            print(f"{path:<18} {label:<8} median {p50 * 1e3:7.1f} ms, p95 {p95 * 1e3:7.1f} ms")
            if path == "/api/link":
                break
    t0 = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: client.post("/api/compare", json={}).status_code, range(40)))
    print(f"/api/compare, 2 clients: {40 / (time.perf_counter() - t0):.1f} requests/s")


if __name__ == "__main__":
    main()
