"""Benchmark: a 5,000 x 5,000 pixel landscape over 10 years (truth, maps and the three methods).

Goal: under 20 s and under 4 GB on this machine. Run:

    python benchmarks/simulate.py [--size 5000] [--years 2015-2024] [--seed 1]

Two more goals (issue 15), each its own command:

    python benchmarks/simulate.py --what compare      # default `simulate compare`: < 60 s
    python benchmarks/simulate.py --what experiment   # 8 cells x 50 replicates, 1,000 px, 2 workers: < 10 min

The peer of ``compare`` is the same comparison before issue 15's designs (good practice with a
fixed 300-point sample, no target SE, no rings): time per replicate-year, measured in the same
run. The peer of ``experiment`` is the same grid in one process (no dask), timed on one cell
and 5 replicates and EXTRAPOLATED to the grid; peak memory of the worker processes is printed
(bounded: one landscape per worker).

Baselines measured in the same run (both named in the output):

* *per-pixel compositing*: the census' "nearest cloud-free image per pixel" step written as a
  Python loop over pixels, timed on a 100 x 100 window and extrapolated linearly to the full
  grid, images and years of the run (marked "extrapolated");
* *per-field painting*: rasterising the standing fields of every year with one slice
  assignment per field (a Python loop over fields, on the full data, not extrapolated),
  against the vectorised :func:`footprint_pixels` painting the pipeline uses.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from cocamonitor.simulate.config import SimulationConfig, parse_years
from cocamonitor.simulate.dynamics import simulate_history
from cocamonitor.simulate.methods import run_methods
from cocamonitor.simulate.observe import acquisition_days, classified_map, cloud_mask
from cocamonitor.simulate.score import replicate_rng


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def naive_composite(maps: list[np.ndarray], clouds: list[np.ndarray]) -> np.ndarray:
    """Nearest cloud-free class per pixel, one pixel at a time (the baseline)."""
    h, w = maps[0].shape
    out = np.full((h, w), 255, dtype=np.uint8)
    for i in range(h):
        for j in range(w):
            for m, c in zip(maps, clouds, strict=True):
                if not c[i, j]:
                    out[i, j] = m[i, j]
                    break
    return out


def vector_composite(maps: list[np.ndarray], clouds: list[np.ndarray]) -> np.ndarray:
    """The same step as in :func:`cocamonitor.simulate.methods.census` (whole-array ops)."""
    out = np.full(maps[0].shape, 255, dtype=np.uint8)
    fill = np.empty(maps[0].shape, dtype=bool)
    for m, c in zip(maps, clouds, strict=True):
        np.equal(out, 255, out=fill)
        np.greater(fill, c, out=fill)
        np.copyto(out, m, where=fill)
    return out


def bench_compare() -> None:
    """The default `simulate compare` (1,000 px, 2015-2024, 20 replicates) against its goal."""
    from cocamonitor.simulate.score import compare

    cfg = SimulationConfig()
    years = parse_years("2015-2024")
    t0 = time.perf_counter()
    cmp = compare(cfg, years, 20, 0)
    t = time.perf_counter() - t0
    # peer: fixed pilot-sized good practice (target_rel_se = 0: no design), same replicates
    old = cfg.replace(good_practice={"target_rel_se": 0.0})
    t0 = time.perf_counter()
    compare(old, years, 20, 0)
    t_old = time.perf_counter() - t0
    gp = {s.method: s for s in cmp.scores}["good_practice"].dec31
    print(f"simulate compare (defaults: 20 replicates x {len(years)} years, 1,000 px)")
    print(f"  designed good practice    {t:8.1f} s  (goal < 60 s: {'met' if t < 60 else 'NOT met'})")
    print(f"  fixed-sample peer         {t_old:8.1f} s  -> {t / t_old:.2f}x the peer's time")
    print(f"  good practice coverage    {gp.coverage:.3f} (Wilson {gp.coverage_ci[0]:.3f}-"
          f"{gp.coverage_ci[1]:.3f})")


def bench_experiment(workers: int = 2) -> None:
    """8 cells x 50 replicates at 1,000 px with 2 workers, against one process (extrapolated)."""
    from cocamonitor.simulate.experiment import _task, apply_cell, parse_grid, run_experiment

    cfg = SimulationConfig()
    grid = parse_grid(["clouds=0.1,0.4 fields=small,large eradication_timing=spread,december"])
    years = parse_years("2018-2022")
    reps = 50
    cells = 1
    for levels in grid.values():
        cells *= len(levels)
    t0 = time.perf_counter()
    _task(apply_cell(cfg, {"clouds": "0.4", "fields": "small", "eradication": "high"}), years,
          0, list(range(5)), None)
    t_one = (time.perf_counter() - t0) / 5 * reps * cells
    t0 = time.perf_counter()
    exp = run_experiment(cfg, grid, years, reps, 0, workers=workers)
    t = time.perf_counter() - t0
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    print(f"simulate experiment: {cells} cells x {reps} replicates x {len(years)} years, "
          f"1,000 px, {workers} workers (dask processes)")
    print(f"  parallel (this code)      {t:8.1f} s  (goal < 600 s: {'met' if t < 600 else 'NOT met'})")
    print(f"  one process               {t_one:8.1f} s (EXTRAPOLATED from 1 cell x 5 replicates)"
          f" -> {t_one / t:.2f}x faster")
    print(f"  peak memory: this process {peak_mb():.0f} MB, largest worker {child_mb:.0f} MB")
    print(f"  rows scored               {len(exp.scores)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=5000)
    ap.add_argument("--years", default="2015-2024")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--what", choices=["pipeline", "compare", "experiment"], default="pipeline")
    args = ap.parse_args()
    if args.what == "compare":
        bench_compare()
        return
    if args.what == "experiment":
        bench_experiment()
        return
    years = parse_years(args.years)
    cfg = SimulationConfig().replace(landscape={"size": args.size})
    print(f"landscape {args.size} x {args.size} px ({cfg.area_km2:,.0f} km2 at "
          f"{cfg.landscape.pixel_size_m:g} m), years {years[0]}-{years[-1]}")

    t0 = time.perf_counter()
    hist = simulate_history(cfg, years, args.seed)
    t_hist = time.perf_counter() - t0
    t0 = time.perf_counter()
    truth = hist.truth_table()
    rasters = [int(hist.truth_raster(hist.dec31(y)).sum()) for y in years]
    t_truth = time.perf_counter() - t0
    assert rasters == [round(v / cfg.pixel_area_ha) for v in truth["dec31_ha"]]
    t0 = time.perf_counter()
    est = run_methods(hist, replicate_rng(args.seed, 0))
    t_methods = time.perf_counter() - t0
    total = t_hist + t_truth + t_methods
    print(f"  fields simulated          {len(hist.fields):>10,}  (episodes {len(hist.episodes):,})")
    print(f"  history (dynamics)        {t_hist:8.2f} s")
    print(f"  truth table + rasters     {t_truth:8.2f} s")
    print(f"  maps + 3 methods          {t_methods:8.2f} s  ({len(est)} estimates)")
    print(f"  TOTAL                     {total:8.2f} s   (goal < 20 s: "
          f"{'met' if total < 20 else 'NOT met'})")
    print(f"  peak memory (RSS)         {peak_mb():8.0f} MB  (goal < 4096 MB: "
          f"{'met' if peak_mb() < 4096 else 'NOT met'})")

    # --- baseline 1: per-pixel compositing on a window, extrapolated -------------------
    rng = np.random.default_rng(0)
    y = years[len(years) // 2]
    days = acquisition_days(hist, y)
    maps, clouds = [], []
    for d in days:
        cloud, _ = cloud_mask(hist, rng)
        maps.append(classified_map(hist, d, rng))
        clouds.append(np.zeros(hist.shape, bool) if cloud is None else cloud)
    win = 100
    sub_m = [m[:win, :win].copy() for m in maps]
    sub_c = [c[:win, :win].copy() for c in clouds]
    t0 = time.perf_counter()
    slow = naive_composite(sub_m, sub_c)
    t_naive_win = time.perf_counter() - t0
    t0 = time.perf_counter()
    fast = vector_composite(maps, clouds)
    t_vec_full = time.perf_counter() - t0
    assert np.array_equal(slow, fast[:win, :win])
    composites = len(years) + 1  # each reported year plus the warm-up census
    naive_total = t_naive_win * (args.size**2 / win**2) * composites
    vec_total = t_vec_full * composites
    print("baseline 1: per-pixel Python compositing (nearest cloud-free image), timed on a "
          f"{win}x{win} window, EXTRAPOLATED to {args.size}x{args.size} px x {composites} censuses")
    print(f"  per-pixel loop            {naive_total:8.1f} s (extrapolated)")
    print(f"  vectorised (this code)    {vec_total:8.2f} s  -> {naive_total / vec_total:,.0f}x faster")
    print(f"  whole pipeline vs the per-pixel compositing step alone: "
          f"{naive_total / total:,.0f}x faster")

    # --- baseline 2: per-field painting, on the full data ---------------------------------
    ep = hist.episodes
    t0 = time.perf_counter()
    for yy in years:
        out = np.zeros(hist.shape, np.uint8)
        f = ep.field[ep.standing(hist.dec31(yy))]
        for r, c, h, w in zip(*hist.fields.rects(f), strict=True):
            out[r:r + h, c:c + w] = 1
    t_loop = time.perf_counter() - t0
    t0 = time.perf_counter()
    for yy in years:
        vec = hist.truth_raster(hist.dec31(yy))
    t_vec = time.perf_counter() - t0
    assert np.array_equal(out, vec)
    print(f"baseline 2: per-field Python painting of the {len(years)} truth rasters (full data)")
    print(f"  per-field loop            {t_loop:8.2f} s")
    print(f"  vectorised (this code)    {t_vec:8.2f} s  -> {t_loop / t_vec:,.1f}x faster")


if __name__ == "__main__":
    main()
