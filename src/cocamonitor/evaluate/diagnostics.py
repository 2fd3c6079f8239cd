"""Diagnostics that keep a difference-in-differences honest.

- :func:`pretrend_test`: Wald test that every pre-treatment ATT(g, t) is zero.
- :func:`twfe` and :func:`bacon_decomposition`: the two-way fixed-effects coefficient and its
  Goodman-Bacon (2021) decomposition into 2×2 comparisons, which shows how much of it comes from
  comparing newly treated units with already treated ones (the "forbidden" comparisons that make
  TWFE misleading when effects change over time).
- :func:`honest_bounds`: Rambachan & Roth (2023) relative-magnitude sensitivity: how large may
  post-treatment violations of parallel trends be, relative to the largest pre-treatment one,
  before the effect is no longer distinguishable from zero.
- :func:`placebo_timing`: the same design with treatment moved earlier, on pre-treatment years only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cocamonitor.errors import DesignError, ParameterError
from cocamonitor.evaluate._panel import Panel
from cocamonitor.evaluate.aggregate import AggregateResult
from cocamonitor.evaluate.bootstrap import cluster_sums
from cocamonitor.evaluate.did import ATTGTResult, att_gt
from cocamonitor.results import Estimate, Table, nested, numbers

__all__ = [
    "BaconResult",
    "HonestResult",
    "PretrendResult",
    "bacon_decomposition",
    "honest_bounds",
    "placebo_timing",
    "pretrend_test",
    "twfe",
]


@dataclass(frozen=True)
class PretrendResult:
    """Wald test of zero pre-treatment effects: statistic, degrees of freedom, p-value."""

    statistic: float
    df: int
    p_value: float
    n_cells: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"test": "wald", "statistic": self.statistic, "df": self.df, "p_value": self.p_value,
                "n_cells": self.n_cells}

    def estimates(self) -> Iterator[Estimate]:
        """Yield the statistic, degrees of freedom, p-value and number of cells."""
        yield from numbers("", self.to_dict())

    def to_frame(self) -> pd.DataFrame:
        """One row."""
        return pd.DataFrame([self.to_dict()])


def pretrend_test(res: ATTGTResult) -> PretrendResult:
    """Wald test that all pre-treatment ATT(g, t) are zero (clustered covariance).

    Raises
    ------
    DesignError
        No cohort has two or more pre-treatment periods, so there is nothing to test.

    Examples
    --------
    >>> import numpy as np
    >>> from cocamonitor.evaluate import Panel, att_gt
    >>> rng = np.random.default_rng(0)
    >>> y = rng.normal(size=(200, 5)); g = np.where(np.arange(200) < 100, 4, 0)
    >>> r = pretrend_test(att_gt(Panel(y=y, times=np.arange(5), cohort=g, units=np.arange(200)), n_boot=0))
    >>> r.df, r.p_value > 0.01
    (3, True)

    """
    pre = res.time < res.group
    if not pre.any():
        raise DesignError("fewer than 2 pre-treatment periods: no pre-trend can be tested", where="years",
                          hint="start the panel at least two periods before the first treatment")
    sums = cluster_sums(res.influence[:, pre], res.cluster)
    V = sums.T @ sums / res.n_units**2
    b = res.att[pre]
    W = float(b @ np.linalg.pinv(V) @ b)
    dof = int(np.linalg.matrix_rank(V))
    return PretrendResult(statistic=W, df=dof, p_value=float(stats.chi2.sf(W, dof)), n_cells=int(pre.sum()))


def _demean2(a: np.ndarray) -> np.ndarray:
    return a - a.mean(axis=1, keepdims=True) - a.mean(axis=0, keepdims=True) + a.mean()


def _treat_matrix(panel: Panel) -> np.ndarray:
    g = panel.cohort
    return ((g[:, None] > 0) & (panel.times[None, :] >= g[:, None])).astype(float)


def twfe(panel: Panel) -> float:
    """Two-way fixed-effects coefficient of the treatment dummy (balanced panel).

    Examples
    --------
    >>> y = np.array([[0., 1., 3.], [0., 0., 0.]])
    >>> twfe(Panel(y=y, times=np.array([1, 2, 3]), cohort=np.array([3, 0]), units=np.arange(2)))
    2.5

    """
    D = _demean2(_treat_matrix(panel))
    return float(np.sum(D * panel.y) / np.sum(D * D))


@dataclass(frozen=True)
class BaconResult:
    """Goodman-Bacon decomposition: the TWFE coefficient as a weighted sum of 2×2 DiDs."""

    twfe: float
    comparisons: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per 2×2 comparison: treated, control, type, estimate, weight."""
        return self.comparisons.copy()

    def summary(self) -> pd.DataFrame:
        """Weight and weighted average estimate by comparison type."""
        c = self.comparisons
        out = c.assign(we=c["estimate"] * c["weight"]).groupby("type", sort=False)[["weight", "we"]].sum()
        out["estimate"] = out["we"] / out["weight"]
        return out.drop(columns="we").reset_index()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"twfe": self.twfe, "comparisons": self.comparisons.to_dict(orient="records"),
                "by_type": self.summary().to_dict(orient="records")}

    def estimates(self) -> Iterator[Estimate]:
        """Yield the TWFE coefficient, each 2×2 comparison (``comparisons/0``, ...) and each type's total."""
        yield from numbers("", {"twfe": self.twfe})
        yield from nested("comparisons", Table(self.comparisons).estimates())
        yield from nested("by_type", Table(self.summary()).estimates())


def bacon_decomposition(panel: Panel) -> BaconResult:
    """Decompose the TWFE coefficient into 2×2 comparisons (Goodman-Bacon 2021).

    Cohorts are compared with never-treated units ("treated vs never"), earlier with later
    cohorts before the later ones start ("earlier vs later": clean) and later with earlier
    cohorts after the earlier ones started ("later vs earlier": already-treated units as
    controls). Weights sum to 1 and the weighted sum of the estimates equals the TWFE coefficient.
    Units treated in the first period (always treated) act as controls like the never treated
    ("treated vs always").

    Examples
    --------
    >>> y = np.array([[0., 1., 3., 3.], [0., 0., 2., 5.], [0., 0., 0., 1.]])
    >>> b = bacon_decomposition(Panel(y=y, times=np.arange(1, 5), cohort=np.array([2, 3, 0]), units=np.arange(3)))
    >>> bool(np.isclose((b.comparisons.estimate * b.comparisons.weight).sum(), b.twfe))
    True

    """
    y, times, G = panel.y, panel.times, panel.cohort.copy()
    T = times.size
    G[G > times[-1]] = 0
    always = (G > 0) & (G <= times[0])
    cohorts = np.unique(G[(G > 0) & ~always])
    if cohorts.size == 0:
        raise DesignError("no cohort starts treatment inside the panel", where="cohort")
    n = G.size
    share = {int(g): np.mean(G == g) for g in cohorts}
    dbar = {int(g): np.mean(times >= g) for g in cohorts}
    ybar = {int(g): y[G == g].mean(axis=0) for g in cohorts}
    rows: list[dict[str, Any]] = []

    def did(a: np.ndarray, b: np.ndarray, pre: np.ndarray, post: np.ndarray) -> float:
        return float((a[post].mean() - a[pre].mean()) - (b[post].mean() - b[pre].mean()))

    for kind, mask in (("treated vs never", G == 0), ("treated vs always", always)):
        if not mask.any():
            continue
        nu, yu = mask.mean(), y[mask].mean(axis=0)
        for k in cohorts:
            k = int(k)
            nk = share[k]
            post = times >= k
            s = (nk + nu) ** 2 * (nk / (nk + nu)) * (nu / (nk + nu)) * dbar[k] * (1 - dbar[k])
            rows.append({"treated": k, "control": "never" if kind.endswith("never") else "always",
                         "type": kind, "estimate": did(ybar[k], yu, ~post, post), "weight": s})
    for i, k in enumerate(cohorts):
        for l_ in cohorts[i + 1:]:
            k, l_ = int(k), int(l_)
            nk, nl, dk, dl = share[k], share[l_], dbar[k], dbar[l_]
            nkl = nk / (nk + nl)
            win = times < l_
            pre, post = win & (times < k), win & (times >= k)
            s_k = ((nk + nl) * (1 - dl)) ** 2 * nkl * (1 - nkl) * ((dk - dl) / (1 - dl)) * ((1 - dk) / (1 - dl))
            rows.append({"treated": k, "control": str(l_), "type": "earlier vs later (not yet treated)",
                         "estimate": did(ybar[k], ybar[l_], pre, post), "weight": s_k})
            win = times >= k
            pre, post = win & (times < l_), win & (times >= l_)
            s_l = ((nk + nl) * dk) ** 2 * nkl * (1 - nkl) * (dl / dk) * ((dk - dl) / dk)
            rows.append({"treated": l_, "control": str(k), "type": "later vs earlier (already treated)",
                         "estimate": did(ybar[l_], ybar[k], pre, post), "weight": s_l})
    comp = pd.DataFrame(rows)
    comp["weight"] = comp["weight"] / comp["weight"].sum()
    _ = (n, T)
    return BaconResult(twfe=twfe(replace(panel, cohort=G)), comparisons=comp)


@dataclass(frozen=True)
class HonestResult:
    """Relative-magnitude bounds (Rambachan & Roth 2023) on the average post-treatment effect."""

    estimate: float
    se: float
    max_pre_violation: float
    table: pd.DataFrame = field(repr=False)
    breakdown_mbar: float = float("nan")
    confidence: float = 0.95

    def to_frame(self) -> pd.DataFrame:
        """One row per Mbar: identified set and robust confidence interval."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"method": "relative magnitudes (Rambachan & Roth 2023), plug-in max pre-period violation",
                "estimate": self.estimate, "se": self.se, "max_pre_violation": self.max_pre_violation,
                "breakdown_mbar": self.breakdown_mbar, "bounds": self.table.to_dict(orient="records")}

    def estimates(self) -> Iterator[Estimate]:
        """Yield the effect, its SE, the largest pre-period violation, the breakdown M̄ and the bounds.

        The SE is a row of its own, as the JSON names it; bounds are ``bounds/0``, ...
        """
        yield from numbers("", {"estimate": self.estimate, "se": self.se, "max_pre_violation": self.max_pre_violation,
                                "breakdown_mbar": self.breakdown_mbar})
        yield from nested("bounds", Table(self.table).estimates())


def honest_bounds(event: AggregateResult, mbar: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5, 2.0)) -> HonestResult:
    """Bounds on the average post-treatment event-study effect under relative-magnitude restrictions.

    With the "varying" base period, each pre-treatment event-study estimate is a consecutive
    change in the treated-minus-control gap before treatment: a direct estimate of a one-period
    violation of parallel trends. Δ^RM(M̄) allows each post-treatment one-period violation up to
    ``M̄ × max |pre-treatment violation|``; the bias of the effect ``e`` periods after the start
    (base period ``g - 1``) accumulates over ``e + 1`` periods, so ``θ_e ∈ β_e ± (e + 1) M̄ M_pre``,
    and the average over post-treatment event times has half-width ``M̄ M_pre × mean(e + 1)``.

    Simplification (documented): R&R's ``HonestDiD`` builds confidence sets with the
    conditional/hybrid moment-inequality test, accounting for the estimation error in the
    pre-period violations. Here ``M_pre`` is plugged in as estimated and the robust interval is
    the identified set widened by the usual ``z × se`` on each side, so it ignores the sampling
    error of ``M_pre`` (it can be too narrow when pre-period estimates are noisy).

    Examples
    --------
    >>> import numpy as np
    >>> from cocamonitor.evaluate import Panel, att_gt, aggregate
    >>> rng = np.random.default_rng(0)
    >>> y = rng.normal(size=(300, 6)); g = np.where(np.arange(300) < 150, 4, 0)
    >>> y[:150, 4:] += 2.0
    >>> h = honest_bounds(aggregate(att_gt(Panel(y=y, times=np.arange(6), cohort=g, units=np.arange(300)),
    ...                                    n_boot=0), "event"))
    >>> bool(h.table.robust_low.iloc[0] > 0), bool(h.breakdown_mbar > 1)
    (True, True)

    """
    if event.kind != "event":
        raise ParameterError("honest bounds need the event-study aggregation", where="event",
                             hint="pass aggregate(res, 'event')")
    e = event.level
    pre, post = e < 0, e >= 0
    if not pre.any():
        raise DesignError("fewer than 2 pre-treatment periods: no pre-period violation to scale the bounds",
                          where="years", hint="start the panel at least two periods before treatment")
    m_pre = float(np.max(np.abs(event.att_level[pre])))
    est, se = event.att, event.se
    scale = float(np.mean(e[post] + 1)) * m_pre
    z = stats.norm.ppf(0.5 + event.confidence / 2)
    rows = []
    for m in mbar:
        if m < 0:
            raise ParameterError(f"Mbar {m} is negative", where="mbar")
        half = m * scale
        rows.append({"mbar": m, "id_low": est - half, "id_high": est + half,
                     "robust_low": est - half - z * se, "robust_high": est + half + z * se})
    gap = abs(est) - z * se
    breakdown = 0.0 if gap <= 0 else (float("inf") if scale == 0 else gap / scale)
    return HonestResult(estimate=est, se=se, max_pre_violation=m_pre, table=pd.DataFrame(rows),
                        breakdown_mbar=breakdown, confidence=event.confidence)


def placebo_timing(panel: Panel, *, shift: int = 2, **kwargs: Any) -> ATTGTResult:
    """Re-estimate on pre-treatment periods only with each cohort's start moved ``shift`` periods earlier.

    Only periods before every real treatment start are kept, so no real effect enters; the
    placebo effects should be near zero. Keyword arguments go to :func:`att_gt`.

    Raises
    ------
    DesignError
        Too few pre-treatment periods for the shift.

    """
    if shift < 1:
        raise ParameterError(f"shift={shift} must be at least 1", where="shift")
    first = panel.cohorts().min()
    keep = panel.times < first
    times = panel.times[keep]
    fake = np.where(panel.cohort > 0, panel.cohort - shift, 0)
    if times.size < 2 or np.any(fake[fake > 0] <= times[0]) or fake[fake > 0].min() > times[-1]:
        raise DesignError(f"too few pre-treatment periods for a placebo {shift} periods earlier", where="shift",
                          hint="use a smaller shift or start the panel earlier")
    fake[fake > times[-1]] = 0
    x = None if panel.x is None else panel.x[:, keep, :]
    p = replace(panel, y=panel.y[:, keep], times=times, cohort=fake, x=x)
    return att_gt(p, **kwargs)
