"""Importing a 150,000-event Ministry of Defence file (the size of the eradication file).

Goal (issue 13): ``cocamonitor data import mindefensa`` reads, checks, converts and stores a
150,000-event .xlsx in < 5 s with peak memory < 500 MB. The peer is what a user would write
by hand: ``pandas.read_excel`` (openpyxl engine) of the same workbook, reading only, without
any of the checks. Both run in a fresh process so that peak memory (ru_maxrss) is each one's.

    python benchmarks/importers.py [--events 150000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

OURS = """
import json, resource, sys, time
t0 = time.perf_counter()
from cocamonitor.importers import mindefensa
events, entry, changed = mindefensa.import_file(sys.argv[1], data_dir=sys.argv[2])
dt = time.perf_counter() - t0
print(json.dumps({"seconds": dt, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "events": events.meta["events"]}))
"""

PEER = """
import json, resource, sys, time
t0 = time.perf_counter()
import pandas as pd
df = pd.read_excel(sys.argv[1], engine="openpyxl")
dt = time.perf_counter() - t0
print(json.dumps({"seconds": dt, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "events": len(df)}))
"""


def write_file(path: Path, n: int, seed: int = 13) -> None:
    """A Ministry-format eradication file of ``n`` events in real municipalities (write-only openpyxl)."""
    from openpyxl import Workbook

    from cocamonitor.territory import registry

    rng = np.random.default_rng(seed)
    reg = registry()
    pick = rng.integers(0, len(reg), n)
    codes = reg["divipola"].to_numpy()[pick]
    deps = reg["department"].str.upper().to_numpy()[pick]
    muns = reg["municipality"].str.upper().to_numpy()[pick]
    days = np.datetime64("2007-01-01") + rng.integers(0, 18 * 365, n).astype("timedelta64[D]")
    ha = np.round(rng.gamma(1.5, 4.0, n), 2)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("ERRADICACION")
    ws.append(["FECHA HECHO", "COD_DEPTO", "DEPARTAMENTO", "COD_MUNI", "MUNICIPIO", "CANTIDAD", "UNIDADES DE MEDIDA"])
    for i in range(n):
        ws.append([days[i].astype(object), codes[i][:2], deps[i], codes[i], muns[i], float(ha[i]), "HECTAREA"])
    wb.save(path)


def run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=150_000)
    n = parser.parse_args().events
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ERRADICACIÓN.xlsx"
        t0 = time.perf_counter()
        write_file(path, n)
        print(f"wrote {n:,} events ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s")
        ours = run(OURS, str(path), str(Path(tmp) / "data"))
        peer = run(PEER, str(path))
    assert ours["events"] == peer["events"] == n
    print(f"  cocamonitor data import mindefensa: {ours['seconds']:6.2f} s, peak {ours['peak_mb']:6.0f} MB "
          f"(goal < 5 s, < 500 MB: {'met' if ours['seconds'] < 5 and ours['peak_mb'] < 500 else 'NOT met'})")
    print(f"  pandas.read_excel (openpyxl), read only: {peer['seconds']:6.2f} s, peak {peer['peak_mb']:6.0f} MB")
    print(f"  ratio peer/ours: time {peer['seconds'] / ours['seconds']:.1f}x, "
          f"memory {peer['peak_mb'] / ours['peak_mb']:.1f}x")


if __name__ == "__main__":
    main()
