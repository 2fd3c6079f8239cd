"""Benchmark: Monte Carlo through the production chain, 1,000,000 draws x 8 regions x 5 parameters.

Goal (issue #4): under 1 s on one core, memory under 1 GB. Every one of the 5 chain parameters
(area with an SE, leaf yield, base per tonne of leaf, base purity, hydrochloride per base) is
uncertain separately in each of the 8 regions, so 40 random variables are drawn per draw, and the
summaries (mean, median, 95 % interval) of all 5 quantities for the 8 regions and the nation are
computed. Sobol indices are not part of the timing (``sensitivity=False``).

Times are CPU seconds of this process (``time.process_time``; numpy runs single-threaded here), best
of ``--repeat`` runs, so that other load on a shared machine does not count; wall time is
printed too.

Peer, measured in the same run: a naive per-draw Python loop (``random`` module, one draw at a
time, chain per region, then ``statistics``) on a subsample of 5,000 draws, extrapolated linearly
to 1,000,000 draws. Run: ``python benchmarks/production_mc.py [--draws N]``.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import resource
import statistics
import sys
import time
import tomllib

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from cocamonitor.production import monte_carlo, parse_parameters  # noqa: E402

REGIONS = [
    "Pacifico",
    "Central",
    "Putumayo-Caqueta",
    "Meta-Guaviare",
    "Orinoquia",
    "Sierra-Nevada",
    "Amazonia",
    "Catatumbo",
]


def model_text() -> str:
    parts = []
    for i, r in enumerate(REGIONS):
        area = 10_000 + 4_000 * i
        parts.append(f"""
[areas.{r}]
value = {area}
se = {area * 0.06}
unit = "ha"

[regions.{r}.leaf_yield]
unit = "t/ha/yr"
distribution = "lognormal"
median = {5.0 + 0.3 * i}
sigma = 0.11

[regions.{r}.base_per_leaf]
unit = "kg/t"
distribution = "triangular"
min = 1.3
mode = {1.45 + 0.01 * i}
max = 1.7

[regions.{r}.base_purity]
unit = "fraction"
distribution = "uniform"
min = 0.6
max = 0.8

[regions.{r}.hcl_per_base]
unit = "kg/kg"
distribution = "lognormal"
median = 1.1
sigma = 0.02
""")
    return "\n".join(parts)


def naive(n: int, seed: int = 0) -> list[float]:
    """Per-draw Python loop: the obvious way to write the Monte Carlo without numpy."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        total = 0.0
        for i in range(len(REGIONS)):
            area = 10_000 + 4_000 * i
            a = max(0.0, rng.gauss(area, area * 0.06))
            y = math.exp(math.log(5.0 + 0.3 * i) + 0.11 * rng.gauss(0, 1))
            e = rng.triangular(1.3, 1.7, 1.45 + 0.01 * i)
            p = rng.uniform(0.6, 0.8)
            k = math.exp(math.log(1.1) + 0.02 * rng.gauss(0, 1))
            total += a * y * e * 1e-3 * p * k
        out.append(total)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1_000_000)
    ap.add_argument("--peer-draws", type=int, default=5_000)
    ap.add_argument(
        "--repeat", type=int, default=3, help="timed runs; the best CPU time is reported"
    )
    args = ap.parse_args()
    text = model_text()
    model = parse_parameters(tomllib.loads(text), text=text)
    monte_carlo(model, draws=10_000, seed=0, sensitivity=False)  # warm-up (imports, caches)
    walls, cpus = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        est = monte_carlo(model, draws=args.draws, seed=1, sensitivity=False)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    elapsed = min(cpus)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    t1 = time.process_time()
    ys = naive(args.peer_draws)
    statistics.quantiles(ys, n=40)
    peer = (time.process_time() - t1) * args.draws / args.peer_draws
    hcl = est.national["hydrochloride_t"]
    print(
        f"cocamonitor monte_carlo: {args.draws:,} draws x {len(REGIONS)} regions x 5 parameters "
        f"({len(REGIONS) * 5} random variables)"
    )
    print(
        f"  CPU time {elapsed:.3f} s (best of {args.repeat}; first run {cpus[0]:.3f} s), wall "
        f"{min(walls):.3f} s, {args.draws / elapsed:,.0f} draws/s, peak RSS {peak_mb:,.0f} MB"
    )
    print(
        f"  national hydrochloride: mean {hcl.mean:,.1f} t, "
        f"95% interval [{hcl.ci_low:,.1f}, {hcl.ci_high:,.1f}]"
    )
    print(
        f"naive per-draw Python loop: {args.peer_draws:,} draws measured, extrapolated to "
        f"{args.draws:,}: {peer:.1f} s ({args.draws / peer:,.0f} draws/s)"
    )
    print(f"ratio: cocamonitor is {peer / elapsed:,.0f}x faster than the naive loop")
    ok = elapsed < 1.0 and peak_mb < 1024
    print(f"goal (< 1 s, < 1 GB): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
