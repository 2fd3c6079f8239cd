"""Benchmark: what a person waits for, whole process against whole process.

    python benchmarks/startup.py [--repeat 7] [--size 12000] [--zones 500] [--workdir /tmp/...]
                                 [--skip-zonal] [--demo]

Times fresh ``cocamonitor`` processes as a shell script would start them:

* ``cocamonitor --help`` (goal < 0.35 s), ``cocamonitor data list`` and
  ``cocamonitor territory find tibu`` (goal < 0.5 s): the median of ``--repeat`` runs, and
  the fastest;
* ``cocamonitor zonal`` on a SIZE x SIZE class raster with ZONES Voronoi zones (the same
  generator as ``benchmarks/zonal.py``, cached under --workdir) against the peer, a whole
  ``python -c`` process that reads the same zones with geopandas, runs exactextract
  (``unique`` + ``frac`` + ``count``, its faster strategy) and writes the table as CSV, as
  ``cocamonitor zonal --format csv --out`` does. Goal: ratio <= 0.5 on wall time. Both wall
  and CPU time (user + system, of the process and its children) are printed: on a machine
  that other jobs share, CPU time is the steadier of the two;
* with ``--demo``, ``cocamonitor demo`` (``make demo`` after setup; goal < 20 s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

EXACTEXTRACT = """
import sys
import geopandas as gpd
from exactextract import exact_extract
raster, zones, out, strategy = sys.argv[1:5]
df = exact_extract(raster, gpd.read_file(zones), ["unique", "frac", "count"], include_cols=["id"],
                   output="pandas", strategy=strategy)
df.to_csv(out, index=False)
"""


def _cocamonitor() -> list[str]:
    exe = Path(sys.executable).with_name("cocamonitor")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cocamonitor"]


def timed(cmd: list[str], *, cwd: Path | None = None) -> tuple[float, float]:
    """Run ``cmd`` to completion; return (wall seconds, CPU seconds of the child)."""
    before = os.times()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    wall = time.perf_counter() - t0
    after = os.times()
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu


def light_commands(repeat: int) -> list[tuple[str, float, float, float, float]]:
    """(command, median s, fastest s, median CPU s, goal s) of the commands a script calls many times."""
    exe = _cocamonitor()
    rows = []
    for args, goal in ((["--help"], 0.35), (["data", "list"], 0.5), (["territory", "find", "tibu"], 0.5)):
        timed(exe + args)  # warm the file cache and the byte-code
        runs = [timed(exe + args) for _ in range(repeat)]
        walls = [w for w, _ in runs]
        rows.append((" ".join(["cocamonitor", *args]), statistics.median(walls), min(walls),
                     statistics.median(c for _, c in runs), goal))
    return rows


def zonal_whole_process(work: Path, size: int, zones_n: int, repeat: int) -> dict[str, tuple[float, float]]:
    """Best (wall, CPU) of ``cocamonitor zonal`` and of the exactextract process, same inputs."""
    sys.path.insert(0, str(HERE))
    from zonal import make_raster, make_zones

    raster = work / f"classes_{size}.tif"
    zones = work / f"zones_{size}_{zones_n}.gpkg"
    if not raster.exists():
        make_raster(raster, size)
    if not zones.exists():
        make_zones(zones, zones_n, size)
    out = work / "out.csv"
    runs: dict[str, list[tuple[float, float]]] = {"cocamonitor": [], "exactextract feature-sequential": [],
                                                  "exactextract raster-sequential": []}
    for _ in range(repeat):
        runs["cocamonitor"].append(timed(_cocamonitor() + [
            "zonal", "--raster", str(raster), "--zones", str(zones), "--id-field", "id",
            "--format", "csv", "--out", str(out)]))
        for strategy in ("feature-sequential", "raster-sequential"):
            runs[f"exactextract {strategy}"].append(timed(
                [sys.executable, "-c", EXACTEXTRACT, str(raster), str(zones), str(out), strategy]))
    return {k: (min(w for w, _ in v), min(c for _, c in v)) for k, v in runs.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7, help="runs of each light command (median printed)")
    ap.add_argument("--zonal-repeat", type=int, default=2, help="runs of each zonal process (fastest kept)")
    ap.add_argument("--size", type=int, default=12_000)
    ap.add_argument("--zones", type=int, default=500)
    ap.add_argument("--workdir", default="/tmp/cocamonitor-bench-startup")
    ap.add_argument("--skip-zonal", action="store_true")
    ap.add_argument("--demo", action="store_true", help="also time `cocamonitor demo` (writes two reports)")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; python {sys.version.split()[0]}")

    print(f"\n{'command':<36}{'median s':>10}{'fastest s':>11}{'CPU s':>8}{'goal s':>8}  (on the median)")
    for name, med, best, cpu, goal in light_commands(args.repeat):
        print(f"{name:<36}{med:>10.3f}{best:>11.3f}{cpu:>8.3f}{goal:>8.2f}  {'met' if med < goal else 'NOT met'}")

    if not args.skip_zonal:
        work = Path(args.workdir)
        work.mkdir(parents=True, exist_ok=True)
        res = zonal_whole_process(work, args.size, args.zones, args.zonal_repeat)
        print(f"\nzonal, whole process, {args.size} x {args.size} px ({args.size**2 / 1e6:.0f} Mpx), "
              f"{args.zones} zones, CSV out (fastest of {args.zonal_repeat}):")
        print(f"{'process':<40}{'wall s':>10}{'CPU s':>11}")
        for name, (wall, cpu) in res.items():
            print(f"{name:<40}{wall:>10.2f}{cpu:>11.2f}")
        ours = res.pop("cocamonitor")
        peer = min(res.values(), key=lambda r: r[0])
        peer_cpu = min(c for _, c in res.values())
        ratio = ours[0] / peer[0]
        print(f"ratio cocamonitor zonal / exactextract process (faster strategy) = {ratio:.3f} wall, "
              f"{ours[1] / peer_cpu:.3f} CPU (goal <= 0.5 on wall time: {'met' if ratio <= 0.5 else 'NOT met'})")

    if args.demo:
        with tempfile.TemporaryDirectory() as tmp:
            wall, cpu = timed(_cocamonitor() + ["demo"], cwd=Path(tmp))
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"\ncocamonitor demo (make demo after setup): {wall:.1f} s wall, {cpu:.1f} s CPU "
              f"(goal < 20 s: {'met' if wall < 20 else 'NOT met'})")
    print(f"\nload average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
