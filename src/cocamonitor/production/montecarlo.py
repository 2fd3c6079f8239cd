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
from cocamonitor.errors import InputError, ParameterError
from cocamonitor.production.chain import QUANTITIES, chain_into, point_chain
from cocamonitor.production.distributions import Distribution, _triangular
from cocamonitor.production.params import RESOLVED_NAMES, ParameterSpec, ProductionModel
from cocamonitor.results import Estimate, Table, nested, numbers, numeric_columns, point

__all__ = ["BLOCK", "ProductionEstimate", "Sampler", "Summary", "monte_carlo", "quantiles"]

# draws per block (cache-sized); part of the reproducibility contract (seed + draws + BLOCK)
BLOCK = 4096


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


def _fast_kind(dist: Distribution, uniform: bool) -> str | None:
    """Kinds with a closed-form transform that can be applied to several rows at once."""
    if uniform:
        return dist.kind if dist.kind in ("uniform", "triangular") else None
    if dist.kind == "lognormal":
        return dist.kind
    if dist.kind == "normal" and dist.negligible_truncation:
        return "normal"
    return None


class Sampler:
    """Turns a :class:`ProductionModel` into blocks of draws and chain outputs.

    Parameters
    ----------
    model : ProductionModel
    correlated : bool, default True
        Apply the model's correlations (False: independent parameters, as Sobol needs).

    Attributes
    ----------
    labels : list of str
        One per uncertain parameter (``name`` or ``name[region]``), in row order.
    specs : list of ParameterSpec
        The matching specs.

    """

    def __init__(self, model: ProductionModel, *, correlated: bool = True):
        self.model = model
        resolved = model.resolve()
        self.regions = model.regions
        self.specs: list[ParameterSpec] = []
        index: dict[str, int] = {}
        self.cols: dict[str, np.ndarray] = {}
        self.const: dict[str, np.ndarray] = {}
        for name in RESOLVED_NAMES:
            specs = resolved[name]
            cols = np.full(len(specs), -1)
            const = np.array([s.dist.central for s in specs])
            for r, spec in enumerate(specs):
                if spec.dist.is_random:
                    if spec.label not in index:
                        index[spec.label] = len(self.specs)
                        self.specs.append(spec)
                    cols[r] = index[spec.label]
            self.cols[name], self.const[name] = cols, const
        # rows drawn from normal scores first (lognormal, normal, and anything correlated), then
        # rows drawn straight from uniforms (cheaper: no normal draw, no normal CDF)
        linked = {n for c in model.correlations for n in (c.a, c.b)} if correlated else set()
        uniform = [
            s.dist.uses_uniform and s.label not in linked and s.name not in linked
            for s in self.specs
        ]
        order = sorted(range(len(self.specs)), key=lambda i: uniform[i])
        new_pos = np.empty(len(order), dtype=int)
        new_pos[order] = np.arange(len(order))
        self.specs = [self.specs[i] for i in order]
        self.uniform_rows = [uniform[i] for i in order]
        self.n_normal = self.uniform_rows.count(False)
        for name, cols in self.cols.items():
            if len(order):
                self.cols[name] = np.where(cols >= 0, new_pos[np.maximum(cols, 0)], -1)
        self.labels = [s.label for s in self.specs]
        self.chol = self._cholesky() if correlated else None

    @property
    def k(self) -> int:
        """Number of uncertain parameters."""
        return len(self.specs)

    def _cholesky(self) -> np.ndarray | None:
        if not self.model.correlations:
            return None
        k = self.n_normal
        corr = np.eye(k)
        for c in self.model.correlations:
            ia = [i for i, s in enumerate(self.specs[:k]) if c.a in (s.label, s.name)]
            ib = [i for i, s in enumerate(self.specs[:k]) if c.b in (s.label, s.name)]
            if not ia or not ib:
                missing = c.a if not ia else c.b
                raise ParameterError(
                    f"correlation names {missing!r}, which is not uncertain (a point value)",
                    where=c.where,
                    hint="give it a distribution or drop the correlation",
                )
            for i in ia:
                for j in ib:
                    if i != j:
                        corr[i, j] = corr[j, i] = c.rho
        try:
            return np.linalg.cholesky(corr)
        except np.linalg.LinAlgError as err:
            raise ParameterError(
                "the correlations are not a valid correlation matrix (not positive definite)",
                where=self.model.correlations[0].where,
                hint="reduce the correlations",
            ) from err

    def scores(self, rng: np.random.Generator, b: int, out: np.ndarray | None = None) -> np.ndarray:
        """Draw a ``(k, b)`` block of base draws.

        Standard-normal scores (correlated if the model says so) in the first ``n_normal``
        rows, uniforms on [0, 1) in the others.

        ``out`` (C-contiguous, shape ``(k, b)``) is filled in place when given; the draws are
        the same either way.
        """
        if out is None:
            out = np.empty((self.k, b))
        kn = self.n_normal
        if kn:
            rng.standard_normal(out=out[:kn])
        if kn < self.k:
            rng.random(out=out[kn:])
        if self.chol is not None:
            out[:kn] = self.chol @ out[:kn]
        return out

    def _build_groups(self) -> list[tuple[str, int, int, dict[str, np.ndarray]]]:
        """Consecutive rows with the same closed-form law, transformed in one numpy call each."""
        groups: list[tuple[str, int, int, dict[str, np.ndarray]]] = []
        i = 0
        while i < self.k:
            kind = _fast_kind(self.specs[i].dist, self.uniform_rows[i])
            j = i + 1
            while (
                kind is not None
                and j < self.k
                and _fast_kind(self.specs[j].dist, self.uniform_rows[j]) == kind
            ):
                j += 1
            if kind is None:
                groups.append(("row", i, j, {}))
            else:
                args = {
                    key: np.array([self.specs[r].dist.args[key] for r in range(i, j)])[:, None]
                    for key in self.specs[i].dist.args
                }
                if kind == "normal":
                    args["lower"] = np.array([self.specs[r].dist.lower for r in range(i, j)])[
                        :, None
                    ]
                    args["upper"] = np.array([self.specs[r].dist.upper for r in range(i, j)])[
                        :, None
                    ]
                groups.append((kind, i, j, args))
            i = j
        return groups

    def transform(self, z: np.ndarray) -> np.ndarray:
        """Map scores to parameter values in place (same values as ``Distribution.transform``)."""
        if not hasattr(self, "_groups"):
            self._groups = self._build_groups()
        for kind, i, j, a in self._groups:
            block = z[i:j]
            if kind == "row":
                for r in range(i, j):
                    if self.uniform_rows[r]:
                        self.specs[r].dist.from_uniform(z[r], out=z[r])
                    else:
                        self.specs[r].dist.transform(z[r], out=z[r])
            elif kind == "lognormal":
                block *= a["sigma"]
                block += a["mu"]
                np.exp(block, out=block)
            elif kind == "normal":
                block *= a["sd"]
                block += a["mean"]
                np.clip(block, a["lower"], a["upper"], out=block)
            elif kind == "uniform":
                block *= a["max"] - a["min"]
                block += a["min"]
            else:  # triangular
                np.copyto(block, _triangular(block, a["min"], a["mode"], a["max"]))
        return z

    def central(self) -> np.ndarray:
        """Each uncertain parameter's central value, shape ``(k,)``."""
        return np.array([s.dist.central for s in self.specs])

    def _matrix(self, name: str, x: np.ndarray) -> np.ndarray:
        cols, const = self.cols[name], self.const[name]
        b = x.shape[1]
        if (cols < 0).all():
            return const[:, None]
        if (cols == cols[0]).all():
            return x[cols[0]][None, :]
        m = np.empty((len(cols), b))
        for r, c in enumerate(cols):
            if c >= 0:
                m[r] = x[c]
            else:
                m[r] = const[r]
        return m

    def evaluate(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Push parameter values ``x`` (``(k, b)``) through the chain.

        Returns
        -------
        numpy.ndarray
            ``out[quantity, region, draw]`` of shape ``(5, R + 1, b)``; row ``R`` is national.

        """
        b = x.shape[1]
        r = len(self.regions)
        if out is None:
            out = np.empty((len(QUANTITIES), r + 1, b))
        area = np.broadcast_to(self._matrix("area", x), (r, b))
        leaf_yield = self._matrix("leaf_yield", x)
        for name in ("harvests_per_year", "leaf_per_harvest"):
            if not ((self.cols[name] < 0).all() and (self.const[name] == 1.0).all()):
                leaf_yield = leaf_yield * self._matrix(name, x)
        pk = self._matrix("base_purity", x) * self._matrix("hcl_per_base", x)
        chain_into(
            out,
            area,
            self._matrix("area_factor", x),
            leaf_yield,
            self._matrix("base_per_leaf", x),
            pk,
        )
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
