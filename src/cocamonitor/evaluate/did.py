"""Staggered difference-in-differences: Callaway & Sant'Anna (2021) group-time effects.

For every treated cohort ``g`` (units first treated in period ``g``) and period ``t``,
``ATT(g, t)`` compares the change in the outcome of cohort ``g`` between a base period and ``t``
with the same change in a control group: the never-treated units, or the units not yet treated
by ``t``. Post-treatment cells (``t >= g``) use the base period ``g - 1``; pre-treatment cells
use ``t - 1`` (R ``did``'s default "varying" base period), so they are placebo effects that
estimate consecutive violations of parallel trends.

Without covariates the effect is a difference of mean changes. With covariates (values in the
base period) it is the outcome-regression estimator (``method="reg"``, Heckman, Ichimura &
Todd 1997) or the doubly robust one of Sant'Anna & Zhao (2020, ``method="dr"``: a logit
propensity score and a linear outcome regression; consistent if either is right).

Every cell carries its influence function, so that standard errors are analytic, clustered by
unit or by any coarser cluster, and aggregations (:mod:`cocamonitor.evaluate.aggregate`) and the
multiplier bootstrap (:mod:`cocamonitor.evaluate.bootstrap`) reuse it without re-estimating.

References
----------
Callaway, B. & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time periods.
Journal of Econometrics 225(2), 200-230.
Sant'Anna, P. H. C. & Zhao, J. (2020). Doubly robust difference-in-differences estimators.
Journal of Econometrics 219(1), 101-122.

"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from cocamonitor.errors import CocamonitorWarning, DesignError, ParameterError
from cocamonitor.evaluate._panel import Panel, check_design
from cocamonitor.evaluate.bootstrap import cluster_sums, multiplier_bootstrap
from cocamonitor.results import Estimate, Table, nested, numbers

__all__ = ["ATTGTResult", "att_gt"]

Control = Literal["never", "not-yet"]
Method = Literal["dr", "reg"]


@dataclass(frozen=True)
class ATTGTResult:
    """Group-time average treatment effects with their influence functions.

    Attributes
    ----------
    group, time : ndarray of int
        Cohort (first treated period) and period of each cell.
    base : ndarray of int
        The base period each cell compares with.
    att, se : ndarray
        Effect and analytic standard error (clustered) of each cell.
    ci_low, ci_high : ndarray
        Pointwise confidence interval.
    band_low, band_high : ndarray
        Simultaneous band over all cells: ``att ± c × se`` with ``c`` the multiplier-bootstrap
        quantile of the largest studentised deviation (NaN without bootstrap).
    se_boot : ndarray
        Multiplier-bootstrap standard error (NaN without bootstrap).
    n_treated, n_control : ndarray of int
        Units in the cohort and in the control group of each cell.
    influence : ndarray, shape (n, cells)
        Influence function of each cell at each unit (scaled so ``att - truth ≈ mean``).
    cohort : ndarray
        Each unit's cohort (0 never treated), for the aggregation weights.
    cluster : ndarray
        Each unit's cluster code.
    control, method, covariates, confidence, n_boot, bootstrap_weights, seed
        The parameters.
    outcome : str
        Name of the outcome.

    """

    group: np.ndarray
    time: np.ndarray
    base: np.ndarray
    att: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    band_low: np.ndarray
    band_high: np.ndarray
    se_boot: np.ndarray
    n_treated: np.ndarray
    n_control: np.ndarray
    influence: np.ndarray = field(repr=False)
    cohort: np.ndarray = field(repr=False)
    cluster: np.ndarray = field(repr=False)
    times: np.ndarray = field(repr=False)
    control: str = "never"
    method: str = "dr"
    covariates: tuple[str, ...] = ()
    confidence: float = 0.95
    n_boot: int = 0
    bootstrap_weights: str = "mammen"
    seed: int | None = 0
    outcome: str = "y"

    @property
    def n_units(self) -> int:
        """Units in the panel."""
        return int(self.influence.shape[0])

    @property
    def n_clusters(self) -> int:
        """Clusters the standard errors are computed over."""
        return int(np.unique(self.cluster).size)

    @property
    def event_time(self) -> np.ndarray:
        """Periods since treatment of each cell (``time - group``)."""
        return self.time - self.group

    def parameters(self) -> dict[str, Any]:
        """Return the parameters of the estimate (for provenance)."""
        return {"estimator": "callaway-santanna", "control": self.control, "method": self.method,
                "covariates": list(self.covariates), "confidence": self.confidence, "n_boot": self.n_boot,
                "bootstrap_weights": self.bootstrap_weights, "seed": self.seed, "base_period": "varying",
                "n_units": self.n_units, "n_clusters": self.n_clusters, "outcome": self.outcome}

    def to_frame(self) -> pd.DataFrame:
        """One row per (group, time) cell."""
        return pd.DataFrame({
            "group": self.group, "time": self.time, "event_time": self.event_time, "base": self.base,
            "att": self.att, "se": self.se, "ci_low": self.ci_low, "ci_high": self.ci_high,
            "band_low": self.band_low, "band_high": self.band_high, "se_boot": self.se_boot,
            "n_treated": self.n_treated, "n_control": self.n_control,
        })

    def to_dict(self) -> dict[str, Any]:
        """``{"att_gt": [records], "parameters": {...}}``."""
        return {"att_gt": self.to_frame().to_dict(orient="records"), "parameters": self.parameters()}

    def estimates(self) -> Iterator[Estimate]:
        """Yield each (group, time) cell (``att_gt/0``, ...), then the numeric parameters."""
        yield from nested("att_gt", Table(self.to_frame()).estimates())
        yield from numbers("parameters", self.parameters())


def _logit(X: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Logit MLE by Newton-Raphson; return fitted probabilities and the Hessian X'WX."""
    beta = np.zeros(X.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(X @ beta)))
        H = (X * (p * (1 - p))[:, None]).T @ X
        step = np.linalg.lstsq(H, X.T @ (d - p), rcond=None)[0]
        beta += step
        if np.max(np.abs(step)) < 1e-12:
            break
    p = 1.0 / (1.0 + np.exp(-(X @ beta)))
    H = (X * (p * (1 - p))[:, None]).T @ X
    return p, H


def _ols_on_controls(dy: np.ndarray, X: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Outcome regression of the change on covariates among controls; its linear representation."""
    n = dy.size
    wc = 1.0 - d
    XtX = (X * wc[:, None]).T @ X
    beta = np.linalg.lstsq(XtX, (X * wc[:, None]).T @ dy, rcond=None)[0]
    fitted = X @ beta
    inv = np.linalg.pinv(XtX / n)
    lin_rep = ((wc * (dy - fitted))[:, None] * X) @ inv
    return fitted, lin_rep


def _cell(dy: np.ndarray, d: np.ndarray, X: np.ndarray, method: str) -> tuple[float, np.ndarray]:
    """ATT and influence function of one 2×2 comparison (Sant'Anna & Zhao 2020, panel data)."""
    fitted, lin_ols = _ols_on_controls(dy, X, d)
    if method == "reg":
        w_t = d
        eta_t = np.mean(w_t * dy) / np.mean(w_t)
        eta_c = np.mean(w_t * fitted) / np.mean(w_t)
        inf_t = (w_t * dy - w_t * eta_t) / np.mean(w_t)
        inf_c = (w_t * fitted - w_t * eta_c + lin_ols @ np.mean(w_t[:, None] * X, axis=0)) / np.mean(w_t)
        return float(eta_t - eta_c), inf_t - inf_c
    n = dy.size
    ps, H = _logit(X, d)
    ps = np.minimum(ps, 1 - 1e-6)
    keep = np.where(d == 1, ps < 1.01, ps < 0.995).astype(float)  # R DRDID's trimming of controls
    w_t = keep * d
    w_c = keep * ps * (1 - d) / (1 - ps)
    resid = dy - fitted
    eta_t = np.mean(w_t * resid) / np.mean(w_t)
    eta_c = np.mean(w_c * resid) / np.mean(w_c)
    lin_ps = ((d - ps)[:, None] * X) @ np.linalg.pinv(H / n)
    inf_t = (w_t * resid - w_t * eta_t - lin_ols @ np.mean(w_t[:, None] * X, axis=0)) / np.mean(w_t)
    m2 = np.mean((w_c * (resid - eta_c))[:, None] * X, axis=0)
    inf_c = (w_c * resid - w_c * eta_c + lin_ps @ m2 - lin_ols @ np.mean(w_c[:, None] * X, axis=0)) / np.mean(w_c)
    return float(eta_t - eta_c), inf_t - inf_c


def _cell_unconditional(dy: np.ndarray, d: np.ndarray) -> tuple[float, np.ndarray]:
    """Difference of mean changes and its influence function (no covariates)."""
    t = d == 1
    mt, mc = dy[t].mean(), dy[~t].mean()
    pt = t.mean()
    inf = np.where(t, (dy - mt) / pt, -(dy - mc) / (1 - pt))
    return float(mt - mc), inf


def att_gt(
    panel: Panel,
    *,
    control: Control = "never",
    method: Method = "dr",
    confidence: float = 0.95,
    n_boot: int = 999,
    bootstrap_weights: Literal["mammen", "rademacher"] = "mammen",
    seed: int | None = 0,
) -> ATTGTResult:
    """Estimate every group-time average treatment effect ATT(g, t).

    Parameters
    ----------
    panel : Panel
        Balanced panel with cohorts (0 = never treated); covariates in ``panel.x`` are used at
        each cell's base period.
    control : {"never", "not-yet"}
        Control group: never-treated units, or units not yet treated by ``max(t, base)``
        (never-treated included).
    method : {"dr", "reg"}
        With covariates: doubly robust (Sant'Anna & Zhao 2020) or outcome regression. Ignored
        without covariates (difference of mean changes).
    confidence : float
        Level of the pointwise intervals and simultaneous band.
    n_boot : int
        Multiplier-bootstrap draws for the simultaneous band (0: none).
    bootstrap_weights : {"mammen", "rademacher"}
        Distribution of the multipliers.
    seed : int, optional
        Seed of the bootstrap.

    Returns
    -------
    ATTGTResult

    Raises
    ------
    DesignError
        No treated cohort, no control group, a cohort outside the panel, a constant outcome.
    ParameterError
        An unknown ``control`` or ``method``, a confidence level outside (0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from cocamonitor.evaluate import Panel, att_gt
    >>> y = np.array([[1., 1., 3.], [2., 2., 4.], [1., 1., 1.], [0., 0., 0.]])
    >>> p = Panel(y=y, times=np.array([1, 2, 3]), cohort=np.array([3, 3, 0, 0]), units=np.arange(4))
    >>> r = att_gt(p, n_boot=0)
    >>> r.to_frame()[["group", "time", "att"]].to_dict("records")
    [{'group': 3, 'time': 2, 'att': 0.0}, {'group': 3, 'time': 3, 'att': 2.0}]

    """
    if control not in ("never", "not-yet"):
        raise ParameterError(f"unknown control group {control!r}", where="control", hint="use 'never' or 'not-yet'")
    if method not in ("dr", "reg"):
        raise ParameterError(f"unknown method {method!r}", where="method", hint="use 'dr' or 'reg'")
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence {confidence} is not between 0 and 1", where="confidence")
    check_design(panel, control=control)
    y, times, G = panel.y, panel.times, panel.cohort
    n, T = y.shape
    cluster = np.arange(n) if panel.cluster is None else np.asarray(panel.cluster)
    rows: list[tuple[int, int, int, float, int, int]] = []
    infs: list[np.ndarray] = []
    empty: list[str] = []
    for g in panel.cohorts():
        pre_g = int(np.flatnonzero(times < g)[-1])
        for ti in range(1, T):
            t = int(times[ti])
            bi = pre_g if t >= g else ti - 1
            if control == "never":
                ctrl = G == 0
            else:
                ctrl = (G == 0) | ((G > times[max(ti, bi)]) & (G != g))
            treated = G == g
            if not ctrl.any():
                empty.append(f"({int(g)}, {t})")
                continue
            sub = treated | ctrl
            dy = y[sub, ti] - y[sub, bi]
            d = treated[sub].astype(float)
            if panel.x is None:
                est, inf = _cell_unconditional(dy, d)
            else:
                X = np.column_stack([np.ones(int(sub.sum())), panel.x[sub, bi, :]])
                est, inf = _cell(dy, d, X, method)
            full = np.zeros(n)
            full[sub] = inf * (n / sub.sum())
            infs.append(full)
            rows.append((int(g), t, int(times[bi]), est, int(treated.sum()), int(ctrl.sum())))
    if empty:
        warnings.warn(f"no control units for cells {', '.join(empty[:5])}{' ...' if len(empty) > 5 else ''}; "
                      "those cells are left out (no unit is still untreated then)", CocamonitorWarning, stacklevel=2)
    if not rows:
        raise DesignError("no group-time cell has a control group", where="control",
                          hint="add never-treated units or use control='never'")
    psi = np.column_stack(infs)
    group, time, base, att_raw, n_t, n_c = (np.array(c) for c in zip(*rows, strict=True))
    att = att_raw.astype(float)
    sums = cluster_sums(psi, cluster)
    se = np.sqrt(np.sum(sums**2, axis=0)) / n
    z = stats.norm.ppf(0.5 + confidence / 2)
    _few_clusters_warning(sums.shape[0], cluster is not None and panel.cluster is not None)
    se_boot = np.full(att.shape, np.nan)
    crit = np.nan
    if n_boot:
        se_boot, crit = multiplier_bootstrap(sums, n, n_boot=n_boot, confidence=confidence,
                                             weights=bootstrap_weights, seed=seed, scale=se)
    band_se = se
    return ATTGTResult(
        group=group, time=time, base=base, att=att, se=se, ci_low=att - z * se, ci_high=att + z * se,
        band_low=att - crit * band_se, band_high=att + crit * band_se, se_boot=se_boot,
        n_treated=n_t, n_control=n_c, influence=psi, cohort=G.copy(), cluster=cluster, times=times.copy(),
        control=control, method=method if panel.x is not None else "unconditional", covariates=panel.covariates,
        confidence=confidence, n_boot=n_boot, bootstrap_weights=bootstrap_weights, seed=seed,
        outcome=panel.outcome,
    )


def _few_clusters_warning(n_clusters: int, user_clusters: bool) -> None:
    if user_clusters and n_clusters < 30:
        warnings.warn(f"only {n_clusters} clusters: clustered standard errors and bands may be too narrow; "
                      "read them with care or cluster more finely", CocamonitorWarning, stacklevel=3)
