"""Scoring the methods against the truth over replicate observations of one simulated history.

A comparison simulates one landscape history (the truth, seeded by ``seed``) and then observes
and surveys it ``replicates`` times: each replicate redraws the clouds, the map errors, the
survey segments and their image dates, and the reference sample. Every method is scored
against both truths -- the area standing on 31 December (what the census and good practice
measure) and the area harvested in the year (the US survey counts healthy coca over a
window, :data:`TARGETS`) -- over all replicates and years:

* ``bias_ha`` with its Monte Carlo standard error ``bias_mcse_ha`` (the spread of the
  replicates' mean errors over √replicates: the years of one replicate share its maps);
* ``rmse_ha``;
* ``coverage``: share of intervals that contain the truth, with its Wilson score interval
  ``coverage_ci`` (intervals of different years are treated as independent trials) and
  ``judgeable``: whether that interval is within ±5 points (else: too few replicates to
  judge); ``degenerate_share``: share of intervals of zero width (zero variance);
* ``sign_agreement``: share of year-over-year changes whose sign matches the truth's.

The census has no interval: its coverage, interval and degenerate share are ``None``.

Examples
--------
>>> from cocamonitor.simulate.config import SimulationConfig
>>> cfg = SimulationConfig().replace(landscape={"size": 200})
>>> cmp = compare(cfg, [2020, 2021, 2022], replicates=2, seed=1)
>>> sorted(cmp.to_dict()["methods"])
['census', 'good_practice', 'sample_survey']
>>> cmp.to_frame().columns.tolist()[:6]
['method', 'target', 'bias_ha', 'bias_mcse_ha', 'rmse_ha', 'coverage']

"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor._plotting import check_figure_path, pyplot
from cocamonitor.area._core import quantile
from cocamonitor.results import Estimate, named_units, nested, numbers
from cocamonitor.simulate.config import SimulationConfig
from cocamonitor.simulate.dynamics import History, simulate_history
from cocamonitor.simulate.methods import METHODS, run_methods

__all__ = [
    "TARGETS",
    "TRUTHS",
    "Comparison",
    "MethodScore",
    "compare",
    "plot_comparison",
    "replicate_rng",
    "score",
    "wilson_interval",
]

TRUTHS = ("dec31", "harvested")
#: The truth each method sets out to measure.
TARGETS = {"census": "dec31", "sample_survey": "harvested", "good_practice": "dec31", "classified_map": "dec31"}
_JUDGE_HALF_WIDTH = 0.05


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion.

    Examples
    --------
    >>> [round(v, 3) for v in wilson_interval(95, 100)]
    [0.888, 0.978]

    """
    if trials <= 0:
        return (float("nan"), float("nan"))
    z = quantile(confidence)
    p = successes / trials
    denom = 1 + z**2 / trials
    centre = (p + z**2 / (2 * trials)) / denom
    half = z * np.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2)) / denom
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


@dataclass(frozen=True)
class TruthScore:
    """Scores of one method against one truth."""

    truth: str
    bias_ha: float
    bias_mcse_ha: float
    rmse_ha: float
    coverage: float | None
    coverage_ci: tuple[float, float] | None
    degenerate_share: float | None
    sign_agreement: float | None

    @property
    def judgeable(self) -> bool | None:
        """Whether the coverage interval is within ±5 points (``None`` without intervals)."""
        if self.coverage_ci is None:
            return None
        return bool((self.coverage_ci[1] - self.coverage_ci[0]) / 2 <= _JUDGE_HALF_WIDTH)

    def to_dict(self) -> dict[str, Any]:
        """Plain-type scores."""
        return {"bias_ha": self.bias_ha, "bias_mcse_ha": self.bias_mcse_ha,
                "rmse_ha": self.rmse_ha, "coverage": self.coverage,
                "coverage_ci": list(self.coverage_ci) if self.coverage_ci else None,
                "judgeable": self.judgeable, "degenerate_share": self.degenerate_share,
                "sign_agreement": self.sign_agreement}

    def estimates(self) -> Iterator[Estimate]:
        """Yield bias (with its Monte Carlo SE as a row), RMSE, coverage with its Wilson interval and shares."""
        d = self.to_dict()
        yield from numbers("", d, ci={"coverage": "coverage_ci"}, units=named_units(d))


@dataclass(frozen=True)
class MethodScore:
    """Scores of one method over replicates and years.

    The top-level fields are against the 31 December truth (the JSON contract); ``by_truth``
    holds the scores against each truth, and ``target`` names the one the method measures.
    """

    method: str
    bias_ha: float
    rmse_ha: float
    coverage: float | None
    sign_agreement: float | None
    estimates: int
    target: str = "dec31"
    by_truth: dict[str, TruthScore] = field(default_factory=dict)
    hours: float = float("nan")
    units: float = float("nan")

    @property
    def dec31(self) -> TruthScore:
        """Scores against the 31 December truth."""
        return self.by_truth["dec31"]

    def to_dict(self) -> dict[str, Any]:
        """Return the four contract keys (31 December truth), the new scores and per-truth scores."""
        d = self.by_truth.get("dec31")
        extra = {} if d is None else {
            "bias_mcse": d.bias_mcse_ha, "coverage_ci": d.to_dict()["coverage_ci"],
            "judgeable": d.judgeable, "degenerate_share": d.degenerate_share}
        return {"bias_ha": self.bias_ha, "rmse_ha": self.rmse_ha, "coverage": self.coverage,
                "sign_agreement": self.sign_agreement, **extra, "target": self.target,
                "truths": {k: v.to_dict() for k, v in self.by_truth.items()},
                "hours_per_year": self.hours, "units_per_year": self.units}

    def estimate_rows(self) -> Iterator[Estimate]:
        """Yield the 31 December scores, each truth's scores (``truths/<name>``), hours and units a year.

        The rows of :class:`~cocamonitor.results.HasEstimates` (``estimates`` is the count of
        estimates scored, a field of this result).
        """
        d = self.to_dict()
        keys = list(d)
        cut = keys.index("truths")
        head, tail = {k: d[k] for k in keys[:cut]}, {k: d[k] for k in keys[cut + 1:]}
        yield from numbers("", head, ci={"coverage": "coverage_ci"}, units=named_units(head))
        for name, t in self.by_truth.items():
            yield from nested(f"truths/{name}", t.estimates())
        yield from numbers("", tail)


def _truth_score(e: pd.DataFrame, t: np.ndarray, name: str) -> TruthScore:
    est = e["area_ha"].to_numpy(float)
    err = est - t
    lo, hi = e["ci_low"].to_numpy(float), e["ci_high"].to_numpy(float)
    has_ci = np.isfinite(lo) & np.isfinite(hi)
    if has_ci.any():
        hit = ((lo <= t) & (t <= hi))[has_ci]
        coverage: float | None = float(hit.mean())
        ci: tuple[float, float] | None = wilson_interval(int(hit.sum()), int(hit.size))
        degenerate: float | None = float(((hi - lo)[has_ci] <= 0).mean())
    else:
        coverage, ci, degenerate = None, None, None
    rep = e["replicate"].to_numpy()
    per_rep = pd.Series(err).groupby(rep).mean().to_numpy()
    if per_rep.size > 1:
        mcse = float(per_rep.std(ddof=1) / np.sqrt(per_rep.size))
    elif err.size > 1:
        mcse = float(err.std(ddof=1) / np.sqrt(err.size))
    else:
        mcse = float("nan")
    same_rep = rep[1:] == rep[:-1]
    pair = same_rep & (np.diff(e["year"].to_numpy()) == 1)
    sign = float((np.sign(np.diff(est)) == np.sign(np.diff(t)))[pair].mean()) if pair.any() else None
    return TruthScore(truth=name, bias_ha=float(err.mean()), bias_mcse_ha=mcse,
                      rmse_ha=float(np.sqrt((err**2).mean())), coverage=coverage,
                      coverage_ci=ci, degenerate_share=degenerate, sign_agreement=sign)


def score(estimates: pd.DataFrame, truth: pd.Series | pd.DataFrame) -> list[MethodScore]:
    """Score estimates against the truth.

    Parameters
    ----------
    estimates : pandas.DataFrame
        Columns ``replicate, method, year, area_ha, ci_low, ci_high`` (and optionally
        ``hours, units``).
    truth : pandas.DataFrame or pandas.Series
        Indexed by year, columns ``dec31_ha`` and ``harvested_ha``; a Series is the
        31 December truth alone.

    Returns
    -------
    list of MethodScore, in the order census, sample survey, good practice.

    Examples
    --------
    >>> est = pd.DataFrame({"replicate": [0, 0], "method": ["census"] * 2, "year": [1, 2],
    ...                     "area_ha": [10.0, 14.0], "ci_low": [np.nan] * 2,
    ...                     "ci_high": [np.nan] * 2})
    >>> s = score(est, pd.Series({1: 11.0, 2: 12.0}))[0]
    >>> s.bias_ha, s.rmse_ha, s.coverage, s.sign_agreement
    (0.5, 1.5811388300841898, None, 1.0)

    """
    if isinstance(truth, pd.Series):
        truth = truth.rename("dec31_ha").to_frame()
    out = []
    known = [m for m in METHODS if m in set(estimates["method"])]
    extra = [m for m in dict.fromkeys(estimates["method"]) if m not in known]
    for method in known + extra:
        e = estimates[estimates["method"] == method].sort_values(["replicate", "year"])
        by = {}
        for name in TRUTHS:
            col = f"{name}_ha"
            if col in truth.columns:
                by[name] = _truth_score(e, e["year"].map(truth[col]).to_numpy(float), name)
        d = by["dec31"]
        hours = float(e["hours"].mean()) if "hours" in e else float("nan")
        units = float(e["units"].mean()) if "units" in e else float("nan")
        out.append(MethodScore(method=method, bias_ha=d.bias_ha, rmse_ha=d.rmse_ha,
                               coverage=d.coverage, sign_agreement=d.sign_agreement,
                               estimates=len(e), target=TARGETS.get(method, "dec31"),
                               by_truth=by, hours=hours, units=units))
    return out


@dataclass(frozen=True)
class Comparison:
    """Result of :func:`compare`.

    Attributes
    ----------
    config : SimulationConfig
    years : list of int
    replicates : int
    seed : int
        Seed or generator (reproducible).
    truth : pandas.DataFrame
        :meth:`History.truth_table` of the simulated history.
    estimates : pandas.DataFrame
        Every estimate: ``replicate, method, year, area_ha, se_ha, ci_low, ci_high,
        confidence, hours, units``.
    scores : list of MethodScore
    budget_hours : float or None
        Hours per year given to each sample-based method (``None``: their own designs).

    """

    config: SimulationConfig
    years: list[int]
    replicates: int
    seed: int
    truth: pd.DataFrame
    estimates: pd.DataFrame
    scores: list[MethodScore]
    budget_hours: float | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row per method: its target truth, the scores against it, hours and units."""
        rows = []
        for s in self.scores:
            t = s.by_truth[s.target] if s.target in s.by_truth else s.dec31
            ci = t.coverage_ci
            rows.append({
                "method": s.method, "target": s.target, "bias_ha": t.bias_ha,
                "bias_mcse_ha": t.bias_mcse_ha, "rmse_ha": t.rmse_ha, "coverage": t.coverage,
                "coverage_low": ci[0] if ci else None, "coverage_high": ci[1] if ci else None,
                "degenerate_share": t.degenerate_share, "sign_agreement": t.sign_agreement,
                "hours_per_year": s.hours, "units_per_year": s.units, "estimates": s.estimates,
            })
        return pd.DataFrame(rows)

    def budget(self) -> dict[str, Any]:
        """Return what each method bought: hours and units (images, segments, points) a year."""
        unit = {"census": "images", "sample_survey": "segments", "good_practice": "points",
                "classified_map": "points"}
        return {"hours_per_year": self.budget_hours,
                "methods": {s.method: {"hours_per_year": s.hours, "unit": unit.get(s.method),
                                       "units_per_year": s.units} for s in self.scores}}

    def to_dict(self) -> dict[str, Any]:
        """Return the "Zonal and simulator JSON" contract (plus ``years``, ``seed``, ``budget``)."""
        return {
            "config": self.config.to_dict(),
            "replicates": self.replicates,
            "years": list(self.years),
            "seed": self.seed,
            "truth": {str(int(r.year)): {"dec31_ha": float(r.dec31_ha),
                                         "harvested_ha": float(r.harvested_ha)}
                      for r in self.truth.itertuples()},
            "methods": {s.method: s.to_dict() for s in self.scores},
            "budget": self.budget(),
        }

    def estimate_rows(self) -> Iterator[Estimate]:
        """Yield the configuration, replicates and seed, the truth per year, each method's scores and the budget.

        The rows of :class:`~cocamonitor.results.HasEstimates` (``estimates`` is the table of
        every simulated estimate, a field of this result): record ``Rows(cmp.estimate_rows)``.
        """
        yield from nested("config", self.config.estimates())
        yield from numbers("", {"replicates": self.replicates, "seed": self.seed})
        for r in self.truth.itertuples():
            yield from numbers(f"truth/{int(r.year)}", {"dec31_ha": r.dec31_ha, "harvested_ha": r.harvested_ha},
                               units={"dec31_ha": "ha", "harvested_ha": "ha"})
        for s in self.scores:
            yield from nested(f"methods/{s.method}", s.estimate_rows())
        budget = self.budget()
        yield from numbers("budget", {"hours_per_year": budget["hours_per_year"]})
        for m, b in budget["methods"].items():
            yield from numbers(f"budget/methods/{m}", b)


def replicate_rng(seed: int, replicate: int) -> np.random.Generator:
    """Return the generator of one replicate's observation process (independent of the truth)."""
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(1000 + replicate,)))


def compare(cfg: SimulationConfig, years: list[int], replicates: int, seed: int,
            progress: Callable[[int], None] | None = None,
            history: History | None = None,
            budget_hours: float | None = None, classified: Any = None) -> Comparison:
    """Simulate one history and score the three methods over replicate observations.

    Parameters
    ----------
    cfg : SimulationConfig
        Simulator parameters.
    years : list of int
        Consecutive years.
    replicates : int
        Replicate observations (clouds, map errors, samples) of the history.
    seed : int
        Seeds the history and every replicate (bit-for-bit reproducible).
    progress : callable, optional
        Called with 1 after each replicate-year.
    history : History, optional
        Score this history instead of simulating one.
    budget_hours : float, optional
        Analyst hours per year for each sample-based method (see
        :func:`cocamonitor.simulate.methods.run_methods`).
    classified : ClassifiedMapConfig or bool, optional
        Also score good practice on the classified map (``classified_map``, see
        :func:`cocamonitor.simulate.methods.run_methods`).

    Returns
    -------
    Comparison

    """
    hist = history if history is not None else simulate_history(cfg, years, seed)
    truth = hist.truth_table()
    frames = []
    for r in range(replicates):
        cb = (lambda *a: progress(1)) if progress is not None else None
        est = run_methods(hist, replicate_rng(seed, r), on_year=cb, budget_hours=budget_hours,
                          classified=classified)
        est.insert(0, "replicate", r)
        frames.append(est)
    estimates = pd.concat(frames, ignore_index=True)
    scores = score(estimates, truth.set_index("year")[["dec31_ha", "harvested_ha"]])
    return Comparison(config=hist.config, years=list(hist.years), replicates=replicates,
                      seed=int(seed), truth=truth, estimates=estimates, scores=scores,
                      budget_hours=budget_hours)


def plot_comparison(cmp: Comparison, path: str | Path) -> Path:
    """Chart the truth and each method's mean estimate with its 5-95 % range over replicates."""
    plt = pyplot()
    path = check_figure_path(path, html=False)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    t = cmp.truth
    ax.plot(t["year"], t["dec31_ha"], color="black", lw=2.5, label="truth (31 Dec)")
    ax.plot(t["year"], t["harvested_ha"], color="black", lw=1, ls=":", label="truth (harvested)")
    colors = {"census": "tab:blue", "sample_survey": "tab:orange", "good_practice": "tab:green"}
    for m, g in cmp.estimates.groupby("method", sort=False):
        q = g.groupby("year")["area_ha"].quantile([0.05, 0.5, 0.95]).unstack()
        mean = g.groupby("year")["area_ha"].mean()
        ax.plot(mean.index, mean.to_numpy(), color=colors.get(m), lw=1.8, label=f"{m} (mean)")
        ax.fill_between(q.index, q[0.05], q[0.95], color=colors.get(m), alpha=0.18)
    ax.set_xlabel("year")
    ax.set_ylabel("coca area (ha)")
    ax.set_title(f"Simulated truth vs methods, {cmp.replicates} replicates (5-95 % bands)")
    ax.legend(fontsize=8, ncol=2)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
