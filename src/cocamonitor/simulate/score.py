"""Scoring the methods against the truth over replicate observations of one simulated history.

A comparison simulates one landscape history (the truth, seeded by ``seed``) and then observes
and surveys it ``replicates`` times: each replicate redraws the clouds, the map errors, the
survey segments and their image dates, and the reference sample. Scores per method, over all
replicates and years (truth = area standing on 31 December):

* ``bias_ha``: mean of estimate - truth;
* ``rmse_ha``: root mean square of estimate - truth;
* ``coverage``: share of intervals that contain the truth (``None`` for the census);
* ``sign_agreement``: share of year-over-year changes whose sign matches the truth's.

Examples
--------
>>> from cocamonitor.simulate.config import SimulationConfig
>>> cfg = SimulationConfig().replace(landscape={"size": 200})
>>> cmp = compare(cfg, [2020, 2021, 2022], replicates=2, seed=1)
>>> sorted(cmp.to_dict()["methods"])
['census', 'good_practice', 'sample_survey']
>>> cmp.to_frame().columns.tolist()
['method', 'bias_ha', 'rmse_ha', 'coverage', 'sign_agreement', 'estimates']

"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor._plotting import check_figure_path, pyplot
from cocamonitor.simulate.config import SimulationConfig
from cocamonitor.simulate.dynamics import History, simulate_history
from cocamonitor.simulate.methods import METHODS, run_methods

__all__ = ["Comparison", "MethodScore", "compare", "plot_comparison", "replicate_rng", "score"]


@dataclass(frozen=True)
class MethodScore:
    """Scores of one method over replicates and years."""

    method: str
    bias_ha: float
    rmse_ha: float
    coverage: float | None
    sign_agreement: float | None
    estimates: int

    def to_dict(self) -> dict[str, Any]:
        """Return the four contract keys ``bias_ha, rmse_ha, coverage, sign_agreement``."""
        return {"bias_ha": self.bias_ha, "rmse_ha": self.rmse_ha, "coverage": self.coverage,
                "sign_agreement": self.sign_agreement}


def score(estimates: pd.DataFrame, truth: pd.Series) -> list[MethodScore]:
    """Score estimates against the truth.

    Parameters
    ----------
    estimates : pandas.DataFrame
        Columns ``replicate, method, year, area_ha, ci_low, ci_high``.
    truth : pandas.Series
        31 December area by year.

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
    out = []
    for method in [m for m in METHODS if m in set(estimates["method"])]:
        e = estimates[estimates["method"] == method].sort_values(["replicate", "year"])
        t = e["year"].map(truth).to_numpy(float)
        est = e["area_ha"].to_numpy(float)
        err = est - t
        lo, hi = e["ci_low"].to_numpy(float), e["ci_high"].to_numpy(float)
        has_ci = np.isfinite(lo) & np.isfinite(hi)
        coverage = float(((lo <= t) & (t <= hi))[has_ci].mean()) if has_ci.any() else None
        same_rep = e["replicate"].to_numpy()[1:] == e["replicate"].to_numpy()[:-1]
        next_year = np.diff(e["year"].to_numpy()) == 1
        pair = same_rep & next_year
        if pair.any():
            agree = np.sign(np.diff(est)) == np.sign(np.diff(t))
            sign = float(agree[pair].mean())
        else:
            sign = None
        out.append(MethodScore(method=method, bias_ha=float(err.mean()),
                               rmse_ha=float(np.sqrt((err**2).mean())), coverage=coverage,
                               sign_agreement=sign, estimates=int(err.size)))
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
        confidence``.
    scores : list of MethodScore

    """

    config: SimulationConfig
    years: list[int]
    replicates: int
    seed: int
    truth: pd.DataFrame
    estimates: pd.DataFrame
    scores: list[MethodScore]

    def to_frame(self) -> pd.DataFrame:
        """One row per method: ``method, bias_ha, rmse_ha, coverage, sign_agreement, estimates``."""
        return pd.DataFrame([{"method": s.method, **s.to_dict(), "estimates": s.estimates}
                             for s in self.scores])

    def to_dict(self) -> dict[str, Any]:
        """Return the "Zonal and simulator JSON" contract (plus ``years`` and ``seed``)."""
        return {
            "config": self.config.to_dict(),
            "replicates": self.replicates,
            "years": list(self.years),
            "seed": self.seed,
            "truth": {str(int(r.year)): {"dec31_ha": float(r.dec31_ha),
                                         "harvested_ha": float(r.harvested_ha)}
                      for r in self.truth.itertuples()},
            "methods": {s.method: s.to_dict() for s in self.scores},
        }


def replicate_rng(seed: int, replicate: int) -> np.random.Generator:
    """Return the generator of one replicate's observation process (independent of the truth)."""
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(1000 + replicate,)))


def compare(cfg: SimulationConfig, years: list[int], replicates: int, seed: int,
            progress: Callable[[int], None] | None = None,
            history: History | None = None) -> Comparison:
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

    Returns
    -------
    Comparison

    """
    hist = history if history is not None else simulate_history(cfg, years, seed)
    truth = hist.truth_table()
    frames = []
    for r in range(replicates):
        cb = (lambda *a: progress(1)) if progress is not None else None
        est = run_methods(hist, replicate_rng(seed, r), on_year=cb)
        est.insert(0, "replicate", r)
        frames.append(est)
    estimates = pd.concat(frames, ignore_index=True)
    scores = score(estimates, truth.set_index("year")["dec31_ha"])
    return Comparison(config=hist.config, years=list(hist.years), replicates=replicates,
                      seed=int(seed), truth=truth, estimates=estimates, scores=scores)


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
