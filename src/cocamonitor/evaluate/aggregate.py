"""Aggregations of group-time effects: overall, by event time, by cohort, by calendar period.

Weights are cohort shares estimated from the data, so each aggregate's influence function adds
the estimation effect of its weights (as in R ``did``'s ``aggte``). The event-study aggregation
also carries a simultaneous band (multiplier bootstrap), which is what a reader should use to
judge the whole path of effects, not one period at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from cocamonitor.errors import ParameterError
from cocamonitor.evaluate.bootstrap import cluster_sums, multiplier_bootstrap
from cocamonitor.evaluate.did import ATTGTResult
from cocamonitor.results import Estimate, Table, nested, numbers

__all__ = ["AggregateResult", "aggregate", "aggregate_all"]

Kind = Literal["simple", "event", "group", "calendar"]
_LABEL = {"simple": "overall", "event": "event_time", "group": "group", "calendar": "time"}


@dataclass(frozen=True)
class AggregateResult:
    """An aggregation of ATT(g, t): one overall effect and, except ``simple``, a row per level.

    Attributes
    ----------
    kind : {"simple", "event", "group", "calendar"}
    att, se : float
        Overall effect and its analytic standard error (post-treatment cells only).
    ci_low, ci_high : float
        Its confidence interval.
    level : ndarray
        Event times, cohorts or periods (empty for ``simple``).
    att_level, se_level, ci_low_level, ci_high_level : ndarray
        Effect, standard error and pointwise interval per level.
    band_low, band_high : ndarray
        Simultaneous band over the levels (multiplier bootstrap; NaN without bootstrap).
    crit : float
        The band's critical value.
    influence : ndarray, shape (n, levels)
        Influence function per level.

    """

    kind: str
    att: float
    se: float
    ci_low: float
    ci_high: float
    level: np.ndarray
    att_level: np.ndarray
    se_level: np.ndarray
    ci_low_level: np.ndarray
    ci_high_level: np.ndarray
    band_low: np.ndarray
    band_high: np.ndarray
    crit: float
    confidence: float
    influence: np.ndarray = field(repr=False)
    influence_overall: np.ndarray = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per level (event time, cohort or period)."""
        return pd.DataFrame({
            _LABEL[self.kind]: self.level, "att": self.att_level, "se": self.se_level,
            "ci_low": self.ci_low_level, "ci_high": self.ci_high_level,
            "band_low": self.band_low, "band_high": self.band_high,
        })

    def to_dict(self) -> dict[str, Any]:
        """``{"att", "se", "ci_low", "ci_high", "crit", "levels": [records]}``."""
        out: dict[str, Any] = {"att": self.att, "se": self.se, "ci_low": self.ci_low, "ci_high": self.ci_high}
        if self.kind != "simple":
            out["critical_value"] = self.crit
            out["levels"] = self.to_frame().to_dict(orient="records")
        return out

    def estimates(self) -> Iterator[Estimate]:
        """Yield ``att``, ``se``, ``ci_low``, ``ci_high``, the critical value and each level's row.

        ``se`` and the interval bounds are rows of their own, as the JSON names them;
        levels are ``levels/0``, ``levels/1``, ...
        """
        yield from numbers("", {"att": self.att, "se": self.se, "ci_low": self.ci_low, "ci_high": self.ci_high})
        if self.kind != "simple":
            yield from numbers("", {"critical_value": self.crit})
            yield from nested("levels", Table(self.to_frame()).estimates())


def _wif(keep: np.ndarray, pg: np.ndarray, groups: np.ndarray, cohort: np.ndarray) -> np.ndarray:
    """Influence function of estimated weights ``pg[keep] / sum(pg[keep])`` (units × kept)."""
    pk = pg[keep]
    s = pk.sum()
    ind = (cohort[:, None] == groups[keep][None, :]).astype(float) - pk[None, :]
    return ind / s - ind.sum(axis=1, keepdims=True) * (pk / s**2)[None, :]


def _weighted(res: ATTGTResult, keep: np.ndarray, pg: np.ndarray) -> tuple[float, np.ndarray]:
    """Cohort-share-weighted mean of the kept cells and its influence function."""
    w = pg[keep] / pg[keep].sum()
    att = float(w @ res.att[keep])
    inf = res.influence[:, keep] @ w + _wif(keep, pg, res.group, res.cohort) @ res.att[keep]
    return att, inf


def _se(inf: np.ndarray, res: ATTGTResult) -> np.ndarray:
    inf2 = inf.reshape(inf.shape[0], -1)
    return np.sqrt(np.sum(cluster_sums(inf2, res.cluster) ** 2, axis=0)) / res.n_units


def aggregate(res: ATTGTResult, kind: Kind = "event", *, n_boot: int | None = None) -> AggregateResult:
    """Aggregate group-time effects.

    Parameters
    ----------
    res : ATTGTResult
        From :func:`~cocamonitor.evaluate.att_gt`.
    kind : {"simple", "event", "group", "calendar"}
        ``simple``: average of post-treatment cells weighted by cohort size; ``event``: by
        periods since treatment (pre-treatment event times are placebo estimates); ``group``: by
        cohort; ``calendar``: by period.
    n_boot : int, optional
        Bootstrap draws for the simultaneous band (default: those of ``res``).

    Returns
    -------
    AggregateResult

    Examples
    --------
    >>> import numpy as np
    >>> from cocamonitor.evaluate import Panel, att_gt, aggregate
    >>> y = np.array([[1., 1., 3.], [2., 2., 4.], [1., 1., 1.], [0., 0., 0.]])
    >>> p = Panel(y=y, times=np.array([1, 2, 3]), cohort=np.array([3, 3, 0, 0]), units=np.arange(4))
    >>> aggregate(att_gt(p, n_boot=0), "simple").att
    2.0

    """
    if kind not in _LABEL:
        raise ParameterError(f"unknown aggregation {kind!r}", where="kind",
                             hint="use 'simple', 'event', 'group' or 'calendar'")
    n = res.n_units
    glist = np.unique(res.group)
    pg_g = np.array([np.mean(res.cohort == g) for g in glist])
    pg = pg_g[np.searchsorted(glist, res.group)]
    post = res.group <= res.time
    levels: list[int] = []
    atts: list[float] = []
    infs: list[np.ndarray] = []
    if kind == "simple":
        att, inf = _weighted(res, np.flatnonzero(post), pg)
    elif kind == "event":
        e = res.event_time
        for lv in np.unique(e):
            a, i = _weighted(res, np.flatnonzero(e == lv), pg)
            levels.append(int(lv))
            atts.append(a)
            infs.append(i)
        lv_arr = np.array(levels)
        sel = lv_arr >= 0
        att = float(np.mean(np.array(atts)[sel]))
        inf = np.column_stack(infs)[:, sel].mean(axis=1)
    elif kind == "group":
        for g in glist:
            keep = np.flatnonzero((res.group == g) & post)
            levels.append(int(g))
            atts.append(float(res.att[keep].mean()))
            infs.append(res.influence[:, keep].mean(axis=1))
        a_g = np.array(atts)
        w = pg_g / pg_g.sum()
        att = float(w @ a_g)
        inf = np.column_stack(infs) @ w + _wif(np.arange(glist.size), pg_g, glist, res.cohort) @ a_g
    else:
        for t in res.times[res.times >= glist.min()]:
            keep = np.flatnonzero((res.time == t) & post)
            if keep.size == 0:
                continue
            a, i = _weighted(res, keep, pg)
            levels.append(int(t))
            atts.append(a)
            infs.append(i)
        att = float(np.mean(atts))
        inf = np.column_stack(infs).mean(axis=1)
    z = stats.norm.ppf(0.5 + res.confidence / 2)
    se = float(_se(inf, res)[0])
    if levels:
        psi = np.column_stack(infs)
        se_l = _se(psi, res)
        a_l = np.array(atts)
    else:
        psi = np.zeros((n, 0))
        se_l = a_l = np.zeros(0)
    draws = res.n_boot if n_boot is None else n_boot
    crit = float("nan")
    se_b = np.full(a_l.shape, np.nan)
    if draws and levels:
        se_b, crit = multiplier_bootstrap(cluster_sums(psi, res.cluster), n, n_boot=draws,
                                          confidence=res.confidence, weights=res.bootstrap_weights, seed=res.seed,
                                          scale=se_l)
    return AggregateResult(
        kind=kind, att=att, se=se, ci_low=att - z * se, ci_high=att + z * se, level=np.array(levels, dtype=int),
        att_level=a_l, se_level=se_l, ci_low_level=a_l - z * se_l, ci_high_level=a_l + z * se_l,
        band_low=a_l - crit * se_l, band_high=a_l + crit * se_l, crit=crit, confidence=res.confidence,
        influence=psi, influence_overall=inf,
    )


def aggregate_all(res: ATTGTResult) -> dict[str, AggregateResult]:
    """Compute the four aggregations, keyed by kind."""
    return {k: aggregate(res, k) for k in ("simple", "event", "group", "calendar")}  # type: ignore[arg-type]
