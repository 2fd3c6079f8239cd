"""Dashboard year change: values only vs re-sending the whole map (the naive peer).

Changing the year on the dashboard sends ``/view/map`` (values, hover texts, colours). The naive
way — what a server-rendered plotly choropleth does — re-sends the figure with its geometry for
every year (holoviz/holoviews #4453, plotly.py #2392). Both are measured here through the app
(FastAPI TestClient) over the 24 census years: time, JSON bytes (before gzip) and the ratios.

    python benchmarks/web.py

Then a bounded load test over real HTTP (uvicorn in a child process, keep-alive clients in
threads on the same machine): requests per second and p99 latency of ``/view/map-figure`` and
``/api/indicators?by=department`` at 20 and 100 concurrent clients, 503 answers (the server
refusing past its limit, with Retry-After) counted apart. Goals (issue 17): map-figure at least
50 req/s and indicators p99 under 1 s at 20 clients.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time

from fastapi.testclient import TestClient

from cocamonitor import datasets
from cocamonitor.report.maps import choropleth
from cocamonitor.web import create_app, state


def main() -> None:
    client = TestClient(create_app(lang="es", warm=True))
    with client:
        years = state.years()
        client.get(f"/view/map?year={years[-1]}")  # warm the caches of the view itself
        headers = {"Accept-Encoding": "gzip"}
        t0 = time.perf_counter()
        ours = sum(len(client.get(f"/view/map?year={y}", headers=headers).content) for y in years)
        t_ours = time.perf_counter() - t0
        geometry = len(client.get("/view/map-figure", headers=headers).content)

        mun, dep = datasets.boundaries("municipality"), datasets.boundaries("department")
        t0 = time.perf_counter()
        naive = 0
        for y in years:
            v = state.year_values(y).fillna({"hectares": 0.0})
            fig = choropleth(mun, dep, v, value_col="hectares", hover=[""] * len(v), colorscale="YlOrRd",
                             zmin=0, zmax=float(v["hectares"].max()), colorbar_title="ha")
            naive += len(json.dumps(fig, separators=(",", ":")).encode())
        t_naive = time.perf_counter() - t0
    n = len(years)
    print(f"{n} year changes (sizes before gzip)")
    print(f"  values only (cocamonitor): {t_ours / n * 1000:7.1f} ms/year, {ours / n / 1024:8.1f} KiB/year "
          f"(+ geometry once: {geometry / 1024:.0f} KiB)")
    print(f"  whole figure (naive peer): {t_naive / n * 1000:7.1f} ms/year, {naive / n / 1024:8.1f} KiB/year "
          "(build only, no HTTP)")
    print(f"  ratio naive/ours: time {t_naive / t_ours:.1f}x, bytes {naive / ours:.1f}x")


LOAD_SECONDS = 6.0
LOAD_PATHS = ("/view/map-figure", "/api/indicators?by=department")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(port: int) -> subprocess.Popen:
    code = ("import uvicorn; from cocamonitor.web import create_app; "
            f"uvicorn.run(create_app(lang='es', warm=True), host='127.0.0.1', port={port}, log_level='warning')")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
                conn.request("GET", "/api/datasets")
                first = conn.getresponse()
                first.read()
            except OSError:
                time.sleep(0.5)
                continue
            if first.status == 200:
                for path in LOAD_PATHS:  # fill the caches before measuring
                    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
                    conn.getresponse().read()
                conn.close()
                return proc
    except BaseException:
        proc.kill()
        raise
    proc.kill()
    raise SystemExit("the server did not start")


def _load(port: int, path: str, clients: int, seconds: float) -> dict[str, float]:
    lat: list[float] = []
    busy = [0]
    errors = [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine, mine_busy, mine_err = [], 0, 0
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
                r = conn.getresponse()
                r.read()
            except OSError:
                mine_err += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            if r.status == 200:
                mine.append(time.perf_counter() - t0)
            elif r.status == 503:
                mine_busy += 1
            else:
                mine_err += 1
        conn.close()
        with lock:
            lat.extend(mine)
            busy[0] += mine_busy
            errors[0] += mine_err

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    p99 = sorted(lat)[int(0.99 * (len(lat) - 1))] if lat else float("nan")
    return {"ok": len(lat), "rps": len(lat) / elapsed, "p99": p99, "busy": busy[0], "errors": errors[0]}


def load() -> None:
    port = _free_port()
    proc = _serve(port)
    try:
        print(f"load over HTTP ({LOAD_SECONDS:g} s per cell; 503 = refused at the busy limit, Retry-After 1)")
        for path in LOAD_PATHS:
            for clients in (20, 100):
                r = _load(port, path, clients, LOAD_SECONDS)
                print(f"  {path:32s} {clients:3d} clients: {r['rps']:7.1f} req/s, p99 {r['p99'] * 1000:7.0f} ms, "
                      f"{r['busy']} x 503, {r['errors']} errors")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
    load()
