"""Load-test the web API on loopback: `lightfabric serve` in its own process, real HTTP clients.

Three phases, each bounded in requests and time:

1. light load: 8 clients send 400 requests of /api/compare (the default scenario) between them;
2. light requests while heavy ones run: 2 clients keep sending simulated all-to-alls (each a few
   seconds of work, within the server's limits) while one client times light /api/link requests;
3. hostile requests: an alias bomb, NaN, a deep JSON nest and work over the limits, each answered
   with a 4xx at once (their latency is printed).

Prints throughput, p50 and p99 latency, the status codes seen, and the server's peak memory.
Run: python benchmarks/bench_load.py [--requests 400] [--clients 8]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil

LF = [str(Path(sys.executable).parent / "lightfabric")]
HEAVY = {"edits": {"gpus": 2048}, "op": "all-to-all", "algorithm": "shifted", "gpus": 384, "size_bytes": 1e6,
         "simulate": True}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def timed(client: httpx.Client, method: str, path: str, **kw) -> tuple[float, int]:
    t = time.perf_counter()
    try:
        r = client.request(method, path, **kw)
        code = r.status_code
    except httpx.HTTPError:
        code = 0
    return time.perf_counter() - t, code


def phase_light(url: str, requests: int, clients: int) -> None:
    lat, codes = [], Counter()

    def worker(n):
        with httpx.Client(base_url=url, timeout=120) as c:
            for _ in range(n):
                dt, code = timed(c, "POST", "/api/compare", json={})
                lat.append(dt)
                codes[code] += 1
    t = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, [requests // clients] * clients))
    wall = time.perf_counter() - t
    print(f"light load: {sum(codes.values())} x /api/compare from {clients} clients in {wall:.1f} s: "
          f"{sum(codes.values()) / wall:.1f} requests/s, p50 {pct(lat, 0.5) * 1e3:.0f} ms, "
          f"p99 {pct(lat, 0.99) * 1e3:.0f} ms; status {dict(codes)}")


def phase_mixed(url: str, seconds: float) -> None:
    stop = threading.Event()
    heavy_lat, heavy_codes = [], Counter()

    def heavy():
        with httpx.Client(base_url=url, timeout=120) as c:
            while not stop.is_set():
                dt, code = timed(c, "POST", "/api/collective", json=HEAVY)
                heavy_lat.append(dt)
                heavy_codes[code] += 1
    threads = [threading.Thread(target=heavy) for _ in range(2)]
    for th in threads:
        th.start()
    time.sleep(1.0)
    light_lat, light_codes = [], Counter()
    with httpx.Client(base_url=url, timeout=120) as c:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            dt, code = timed(c, "POST", "/api/link", json={"technology": "cpo", "length_m": 50})
            light_lat.append(dt)
            light_codes[code] += 1
    stop.set()
    for th in threads:
        th.join()
    print(f"mixed: {sum(heavy_codes.values())} heavy simulations (p50 {pct(heavy_lat, 0.5):.1f} s; status "
          f"{dict(heavy_codes)}); light /api/link meanwhile: {sum(light_codes.values())} requests, "
          f"p50 {pct(light_lat, 0.5) * 1e3:.0f} ms, p99 {pct(light_lat, 0.99) * 1e3:.0f} ms; status {dict(light_codes)}")


def phase_hostile(url: str) -> None:
    bomb = "name: x\n" + 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 9))
    cases = [("alias bomb", "/api/compare", {"json": {"yaml": bomb}}),
             ("NaN", "/api/compare", {"content": '{"edits": {"electricity_usd_per_kwh": NaN}}',
                                      "headers": {"content-type": "application/json"}}),
             ("deep JSON", "/api/compare", {"content": '{"edits": ' + "[" * 5000 + "]" * 5000 + "}",
                                            "headers": {"content-type": "application/json"}}),
             ("shifted all-to-all of 4,096", "/api/collective",
              {"json": {**HEAVY, "edits": {"gpus": 4096}, "gpus": 4096}}),
             ("1M-GPU Monte Carlo", "/api/reliability",
              {"json": {"example": "three-tier-1m-multiplane", "trials": 1000, "horizon_days": 365}})]
    with httpx.Client(base_url=url, timeout=120) as c:
        for name, path, kw in cases:
            dt, code = timed(c, "POST", path, **kw)
            print(f"hostile: {name}: {code} in {dt * 1e3:.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--mixed-seconds", type=float, default=20.0)
    args = ap.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(LF + ["serve", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = [0.0]

    def watch():
        p = psutil.Process(server.pid)
        while server.poll() is None:
            try:
                peak[0] = max(peak[0], p.memory_info().rss / 2**20)
            except psutil.Error:
                return
            time.sleep(0.1)
    try:
        for _ in range(300):
            try:
                httpx.get(url + "/api/examples", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        threading.Thread(target=watch, daemon=True).start()
        phase_light(url, args.requests, args.clients)
        phase_mixed(url, args.mixed_seconds)
        phase_hostile(url)
        print(f"server peak memory: {peak[0]:.0f} MiB; cores: {os.cpu_count()}")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
