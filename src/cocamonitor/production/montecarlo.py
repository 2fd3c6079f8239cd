"""Vectorised, seeded Monte Carlo through the production chain.

Draws are made in blocks of :data:`BLOCK` columns: a ``(k, block)`` array of standard-normal
scores (one row per uncertain parameter) is correlated (Gaussian copula, by its Cholesky
factor), mapped to each parameter's distribution by its inverse CDF, and pushed through the
chain into a preallocated ``(quantity, region, draw)`` array. Results depend only on the seed and
the number of draws, and are identical bit for bit between runs.

Examples
--------
>>> from cocamonitor.production.presets import load_preset
>>> est = monte_carlo(load_preset("unodc-2020"), draws=20_000, seed=1, sensitivity=False)
>>> round(est.national["hydrochloride_t"].point)
1228

"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor._checks import check_confidence
from cocamonitor.errors import InputError
from cocamonitor.production.chain import QUANTITIES, point_chain
from cocamonitor.production.params import ProductionModel
from cocamonitor.production.sampler import BLOCK, Sampler
from cocamonitor.results import Estimate, Table, nested, numbers, numeric_columns, point

__all__ = ["BLOCK", "ProductionEstimate", "Sampler", "Summary", "monte_carlo", "quantiles"]


#: unit of each quantity of the chain
QUANTITY_UNITS = {"area_ha": "ha", "productive_area_ha": "ha", "leaf_t": "t", "base_t": "t", "hydrochloride_t": "t"}


@dataclass(frozen=True)
class Summary:
    """Point value, mean, median and percentile interval of one quantity."""

    point: float
    mean: float
    median: float
    ci_low: float
    ci_high: float

    def to_dict(self) -> dict[str, Any]:
        """``{"point", "mean", "median", "ci": [lo, hi]}`` (the Production JSON contract)."""
        return {
            "point": self.point,
            "mean": self.mean,
            "median": self.median,
            "ci": [self.ci_low, self.ci_high],
        }


def _lerp(a: float, b: float, t: float) -> float:
    """Linear interpolation written as numpy's quantile writes it (identical rounding)."""
    return b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t


def quantiles(x: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """Exact sample quantiles (numpy's default linear interpolation) of a 1-D array, fast.

    A sorted pilot subsample brackets each order statistic; only the values inside the
    bracket are partitioned. The result equals ``numpy.quantile(x, qs)``; if a bracket misses
    (possible but rare), that quantile falls back to a full partition.

    Examples
    --------
    >>> x = np.random.default_rng(0).lognormal(size=100_001)
    >>> bool(np.allclose(quantiles(x, (0.025, 0.5, 0.975)), np.quantile(x, [0.025, 0.5, 0.975])))
    True

    """
    n = x.size
    out = np.empty(len(qs))
    if n < 20_000:
        return np.quantile(x, qs)
    step = max(1, n // 16_384)
    pilot = np.sort(x[::step])
    m = pilot.size
    if pilot[0] == pilot[-1] and x.min() == x.max():
        out[:] = pilot[0]
        return out
    for i, q in enumerate(qs):
        h = q * (n - 1)
        k = int(math.floor(h))
        k2 = min(k + 1, n - 1)
        half = 5.0 * math.sqrt(max(q * (1 - q), 1.0 / m) / m) + 2.0 / m
        lo = pilot[max(0, int(math.floor((q - half) * (m - 1))))]
        hi = pilot[min(m - 1, int(math.ceil((q + half) * (m - 1))))]
        below = int(np.count_nonzero(x < lo))
        cand = x[(x >= lo) & (x <= hi)]
        j, j2 = k - below, k2 - below
        if 0 <= j and j2 < cand.size:
            part = np.partition(cand, (j, j2)) if j2 != j else np.partition(cand, j)
            a, b = part[j], part[j2]
        else:  # bracket missed: exact fallback
            part = np.partition(x, (k, k2))
            a, b = part[k], part[k2]
        out[i] = _lerp(a, b, h - k)
    return out


CHUNK = 16 * BLOCK  # draws summarised at once (and the pilot that places the quantile brackets)
_PILOT = 16_384  # pilot draws (from the first chunk) whose order statistics bracket each quantile


def _random_rows(sampler: Sampler) -> np.ndarray:
    """Which (quantity, region) outputs vary between draws, shape ``(5, R + 1)``."""
    r = len(sampler.regions)
    stages = [
        ("area",),
        ("area_factor",),
        ("leaf_yield", "harvests_per_year", "leaf_per_harvest"),
        ("base_per_leaf",),
        ("base_purity", "hcl_per_base"),
    ]
    flags = np.zeros((len(QUANTITIES), r + 1), dtype=bool)
    acc = np.zeros(r, dtype=bool)
    for qi, names in enumerate(stages):
        for name in names:
            acc |= sampler.cols[name] >= 0
        flags[qi, :r] = acc
        flags[qi, r] = acc.any()
    return flags


class _StreamQuantiles:
    """Exact sample quantiles of many rows, streamed chunk by chunk in little memory.

    The first chunk is the pilot: order statistics of its first ``_PILOT`` draws bracket each
    quantile wide enough (6 binomial standard errors) that the true order statistic falls
    inside with overwhelming probability. Every chunk then only counts the values below each
    bracket and keeps those inside; at the end the wanted order statistics are picked among the
    kept values. If a bracket missed (never seen in practice), ``result`` returns None and the
    caller recomputes with every draw kept.
    """

    def __init__(self, n: int, qs: tuple[float, ...], nrow: int):
        self.n, self.qs, self.nrow = n, qs, nrow
        self.lo = np.empty((nrow, len(qs)))
        self.hi = np.empty((nrow, len(qs)))
        self.ready = False
        self.below = np.zeros((nrow, len(qs)), dtype=np.int64)
        self.kept: list[tuple[np.ndarray, np.ndarray]] = []

    def _brackets(self, rows: np.ndarray) -> None:
        pilot = rows[:, : min(_PILOT, rows.shape[1])]
        m = pilot.shape[1]
        ranks, pairs = [], []
        for q in self.qs:
            half = 6.0 * math.sqrt(max(q * (1 - q), 1.0 / m) / m) + 2.0 / m
            lo_r = math.floor((q - half) * (m - 1))
            hi_r = math.ceil((q + half) * (m - 1))
            pairs.append((lo_r, hi_r))
            ranks += [min(max(lo_r, 0), m - 1), min(max(hi_r, 0), m - 1)]
        part = np.partition(pilot, sorted(set(ranks)), axis=1)
        self.ready = True
        for j, (lo_r, hi_r) in enumerate(pairs):
            self.lo[:, j] = part[:, lo_r] if lo_r >= 0 else -np.inf
            self.hi[:, j] = part[:, hi_r] if hi_r <= m - 1 else np.inf

    def update(self, rows: np.ndarray) -> None:
        """Count values below each bracket and keep the values inside any bracket."""
        if not self.ready:
            self._brackets(rows)
        keep = np.zeros(rows.shape, dtype=bool)
        for j in range(len(self.qs)):
            lt = rows < self.lo[:, j, None]
            self.below[:, j] += np.count_nonzero(lt, axis=1)
            inside = rows <= self.hi[:, j, None]
            inside ^= lt
            keep |= inside
        self.kept.append((rows[keep], np.count_nonzero(keep, axis=1)))

    def result(self) -> np.ndarray | None:
        """Return the quantiles, shape ``(rows, len(qs))``, or None if a bracket missed."""
        pieces: list[list[np.ndarray]] = [[] for _ in range(self.nrow)]
        for vals, counts in self.kept:
            edges = np.concatenate([[0], np.cumsum(counts)])
            for r in range(self.nrow):
                pieces[r].append(vals[edges[r] : edges[r + 1]])
        out = np.empty((self.nrow, len(self.qs)))
        for r in range(self.nrow):
            kept = np.concatenate(pieces[r])
            for j, q in enumerate(self.qs):
                cand = kept[(kept >= self.lo[r, j]) & (kept <= self.hi[r, j])]
                h = q * (self.n - 1)
                k = int(math.floor(h))
                k2 = min(k + 1, self.n - 1)
                a, b = k - self.below[r, j], k2 - self.below[r, j]
                if a < 0 or b >= cand.size:
                    return None
                part = np.partition(cand, (a, b)) if b != a else np.partition(cand, a)
                out[r, j] = _lerp(part[a], part[b], h - k)
        return out


def _simulate(
    sampler: Sampler,
    *,
    rng_seq: np.random.SeedSequence,
    draws: int,
    qs: tuple[float, ...],
    keep: bool,
    store_all: bool = False,
) -> tuple[np.ndarray, np.ndarray, dict | None]:
    """Run the draws; return means, quantiles ``(5, R+1[, len(qs)])`` and national samples."""
    rng = np.random.default_rng(rng_seq)
    r1 = len(sampler.regions) + 1
    nq = len(QUANTITIES)
    nrow = nq * r1
    random_rows = _random_rows(sampler).reshape(nrow)
    idx = np.flatnonzero(random_rows)
    chunk = draws if store_all else min(draws, CHUNK)
    buf = np.empty((nq, r1, chunk))
    zbuf = np.empty((sampler.k, BLOCK))
    sums = np.zeros(nrow)
    stream = _StreamQuantiles(draws, qs, idx.size) if draws > chunk else None
    national = np.empty((nq, draws)) if keep else None
    first = np.empty(nrow)
    for c0 in range(0, draws, chunk):
        m = min(draws, c0 + chunk) - c0
        for s in range(0, m, BLOCK):
            b = min(m, s + BLOCK) - s
            x = sampler.scores(rng, b, zbuf if b == BLOCK else None)
            sampler.evaluate(sampler.transform(x), buf[:, :, s : s + b])
        rows = buf.reshape(nrow, chunk)[:, :m]
        for s0 in range(0, m, CHUNK):  # sum chunk by chunk whatever the path: identical means
            sums += rows[:, s0 : s0 + CHUNK].sum(axis=1)
        if c0 == 0:
            first = rows[:, 0].copy()
        if national is not None:
            national[:, c0 : c0 + m] = buf[:, r1 - 1, :m]
        if stream is not None and idx.size:
            stream.update(rows if idx.size == nrow else rows[idx])
    quants = np.repeat(first[:, None], len(qs), axis=1)  # deterministic rows: their one value
    if idx.size:
        if stream is None:
            quants[idx] = np.array([quantiles(rows[i], qs) for i in idx])
        else:
            res = stream.result()
            if res is None:  # a bracket missed: redo with every draw kept (same seed, same draws)
                return _simulate(
                    sampler, rng_seq=rng_seq, draws=draws, qs=qs, keep=keep, store_all=True
                )
            quants[idx] = res
    means = sums / draws
    det = ~random_rows
    means[det] = first[det]
    samples = {q: national[i] for i, q in enumerate(QUANTITIES)} if national is not None else None
    return means.reshape(nq, r1), quants.reshape(nq, r1, len(qs)), samples


@dataclass(frozen=True)
class ProductionEstimate:
    """Monte Carlo summaries of every quantity, per region and national.

    Attributes
    ----------
    regions : tuple of str
    national : dict
        quantity -> :class:`Summary`.
    by_region : dict
        region -> quantity -> :class:`Summary`.
    draws : int
    seed : int or None
    confidence : float
    preset : str or None
    sensitivity : SensitivityResult or None
        First-order Sobol indices and tornado data for national hydrochloride.
    parameters : list of dict
        Every parameter used, with distribution and provenance.
    samples : dict or None
        National draws per quantity, when ``keep_samples=True``.

    """

    regions: tuple[str, ...]
    national: dict[str, Summary]
    by_region: dict[str, dict[str, Summary]]
    draws: int
    seed: int | None
    confidence: float
    preset: str | None = None
    sensitivity: Any = None
    parameters: list[dict[str, Any]] = field(default_factory=list)
    samples: dict[str, np.ndarray] | None = None

    def to_frame(self) -> pd.DataFrame:
        """Return a long table: region (national first), quantity, point, mean, median, ci."""
        rows = []
        for region, table in [("national", self.national), *self.by_region.items()]:
            for q in QUANTITIES:
                s = table[q]
                rows.append(
                    {
                        "region": region,
                        "quantity": q,
                        "point": s.point,
                        "mean": s.mean,
                        "median": s.median,
                        "ci_low": s.ci_low,
                        "ci_high": s.ci_high,
                    }
                )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """Return the Production JSON contract (DESIGN.md), plus ``parameters``."""
        return {
            "preset": self.preset,
            "draws": self.draws,
            "seed": self.seed,
            "confidence": self.confidence,
            "national": {q: s.to_dict() for q, s in self.national.items()},
            "regions": {
                r: {q: s.to_dict() for q, s in t.items()} for r, t in self.by_region.items()
            },
            "sensitivity": self.sensitivity.shares() if self.sensitivity is not None else {},
            "parameters": self.parameters,
        }

    def estimates(self) -> Iterator[Estimate]:
        """Yield draws, seed, confidence, each quantity, the Sobol shares and the parameters.

        Quantities come national first, then per region (``regions/<name>``); the shares are
        the first-order Sobol indices of hydrochloride; the parameters' distributions are in
        each parameter's unit.

        A quantity's row is its point estimate with the percentile interval, followed by its
        Monte Carlo mean and median (``leaf_t_mean``, ``leaf_t_median``).
        """
        yield from numbers("", {"draws": self.draws, "seed": self.seed, "confidence": self.confidence})
        for item, table in (("national", self.national),
                            *((f"regions/{r}", t) for r, t in self.by_region.items())):
            for q, s in table.items():
                yield from point(item, q, s.to_dict(), QUANTITY_UNITS.get(q))
        if self.sensitivity is not None:
            yield from numbers("sensitivity", self.sensitivity.shares())
        if self.parameters:
            specs = pd.DataFrame.from_records(self.parameters)
            cols = numeric_columns(specs, skip=("region", "parameter"))
            yield from nested("parameters", Table(specs, ("region", "parameter"), dict.fromkeys(cols, "*")).estimates())


def _check_memory(sampler: Sampler, *, draws: int, sensitivity_draws: int, keep_samples: bool) -> None:
    """Refuse draws whose arrays would not fit in memory, before drawing any.

    The draws stream in chunks, but the quantiles fall back to keeping every draw of every
    quantity and region (8 bytes each) when a bracket misses; the Sobol indices hold about
    ``3 k + 6`` rows of ``sensitivity_draws`` values (two base samples, their mix, outputs).
    """
    from cocamonitor._memory import check_memory

    rows = len(QUANTITIES) * (len(sampler.regions) + 1)
    check_memory(8.0 * draws * (rows + (len(QUANTITIES) if keep_samples else 0)), where="draws",
                 what=f"{draws:,} draws", hint="give fewer (the default is 100000)")
    if sensitivity_draws:
        check_memory(8.0 * sensitivity_draws * (3 * sampler.k + 6), where="sensitivity_draws",
                     what=f"{sensitivity_draws:,} sensitivity draws",
                     hint="give fewer (the default is 20000)")


def monte_carlo(
    model: ProductionModel,
    *,
    draws: int = 100_000,
    seed: int | None = None,
    confidence: float = 0.95,
    correlated: bool = True,
    sensitivity: bool = True,
    sensitivity_draws: int = 20_000,
    keep_samples: bool = False,
    preset: str | None = None,
) -> ProductionEstimate:
    """Propagate every parameter's uncertainty through the chain.

    Parameters
    ----------
    model : ProductionModel
        Parameters and areas (see :mod:`cocamonitor.production.params`).
    draws : int, default 100000
        Monte Carlo draws.
    seed : int, optional
        Seed of ``numpy.random.default_rng``; the same seed and draws give identical results.
    confidence : float, default 0.95
        Level of the central percentile interval.
    correlated : bool, default True
        Apply the model's correlations.
    sensitivity : bool, default True
        Also compute first-order Sobol indices and tornado data for national hydrochloride
        (independent inputs; see :func:`cocamonitor.production.sensitivity.sobol`).
    sensitivity_draws : int, default 20000
        Base sample size of the Sobol estimators.
    keep_samples : bool, default False
        Keep the national draws in ``samples``.
    preset : str, optional
        Preset name recorded in the result.

    Returns
    -------
    ProductionEstimate

    """
    if isinstance(draws, bool) or int(draws) < 2:
        raise InputError(f"draws must be at least 2, got {draws}", where="draws")
    confidence = check_confidence(confidence)
    draws = int(draws)
    seq = np.random.SeedSequence(seed)
    main_seq, sens_seq = seq.spawn(2)
    sampler = Sampler(model, correlated=correlated)
    _check_memory(sampler, draws=draws, sensitivity_draws=sensitivity_draws if sensitivity else 0,
                  keep_samples=keep_samples)
    point = point_chain(model)
    alpha = (1 - confidence) / 2
    qs = (0.5, alpha, 1 - alpha)
    means, quants, samples = _simulate(
        sampler, rng_seq=main_seq, draws=draws, qs=qs, keep=keep_samples
    )
    summaries: dict[str, dict[str, Summary]] = {}
    names = [*sampler.regions, "national"]
    for ri, region in enumerate(names):
        table = {}
        for qi, q in enumerate(QUANTITIES):
            pv = point.national[q] if region == "national" else float(point.values[q][ri])
            med, lo, hi = quants[qi, ri]
            table[q] = Summary(float(pv), float(means[qi, ri]), float(med), float(lo), float(hi))
        summaries[region] = table
    national = summaries.pop("national")
    sens = None
    if sensitivity and sampler.k > 0:
        from cocamonitor.production.sensitivity import analyse

        sens = analyse(model, n=sensitivity_draws, seed=sens_seq, confidence=confidence)
    return ProductionEstimate(
        regions=sampler.regions,
        national=national,
        by_region=summaries,
        draws=draws,
        seed=seed,
        confidence=confidence,
        preset=preset,
        sensitivity=sens,
        parameters=[s.to_dict() for s in model.specs()],
        samples=samples,
    )
