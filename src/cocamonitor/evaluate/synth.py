"""Synthetic control for one treated unit (Abadie, Diamond & Hainmueller 2010).

The synthetic unit is the convex combination of donor units (weights ≥ 0 summing to 1) whose
pre-treatment outcome path is closest to the treated unit's (every pre-treatment period weighs
the same: the predictor matrix is the outcome path and V is the identity). The effect is the
post-treatment gap. Inference is by in-space placebos: each donor in turn is treated as if it
had been treated, and the p-value is the treated unit's rank among the post/pre RMSPE ratios.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from cocamonitor.errors import DesignError, UnknownNameError, suggest
from cocamonitor.results import Estimate, Table, nested, numbers

__all__ = ["SynthResult", "simplex_weights", "synthetic_control"]


def simplex_weights(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """Weights on the simplex minimising ``||target - donors @ w||²``.

    Parameters
    ----------
    target : ndarray, shape (T,)
        The treated unit's pre-treatment path.
    donors : ndarray, shape (T, J)
        The donors' pre-treatment paths, one column each.

    Examples
    --------
    >>> donors = np.array([[1.0, 3.0], [2.0, 4.0], [3.0, 5.0]])
    >>> np.round(simplex_weights(np.array([2.0, 3.0, 4.0]), donors), 6).tolist()
    [0.5, 0.5]

    """
    J = donors.shape[1]
    scale = max(float(np.abs(donors).max()), float(np.abs(target).max()), 1e-12)
    A, b = donors / scale, target / scale
    Q, c = A.T @ A, A.T @ b

    def f(w: np.ndarray) -> tuple[float, np.ndarray]:
        r = A @ w - b
        return float(r @ r), 2 * (Q @ w - c)

    res = optimize.minimize(f, np.full(J, 1.0 / J), jac=True, method="SLSQP", bounds=[(0.0, 1.0)] * J,
                            constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1.0,
                                          "jac": lambda w: np.ones_like(w)}],
                            options={"ftol": 1e-14, "maxiter": 1000})
    w = np.clip(res.x, 0.0, None)
    return w / w.sum()


def _rmspe(gap: np.ndarray) -> float:
    return float(np.sqrt(np.mean(gap**2)))


@dataclass(frozen=True)
class SynthResult:
    """A synthetic control: weights, paths, fit and placebo inference."""

    treated: str
    start: int
    weights: pd.Series
    observed: pd.Series
    synthetic: pd.Series
    pre_rmspe: float
    post_rmspe: float
    att: float
    p_value: float
    placebos: pd.DataFrame = field(repr=False)
    outcome: str = "y"

    @property
    def gap(self) -> pd.Series:
        """Observed minus synthetic, by period."""
        return self.observed - self.synthetic

    def to_frame(self) -> pd.DataFrame:
        """One row per period: observed, synthetic, gap, post."""
        return pd.DataFrame({"time": self.observed.index, "observed": self.observed.to_numpy(),
                             "synthetic": self.synthetic.to_numpy(), "gap": self.gap.to_numpy(),
                             "post": self.observed.index >= self.start})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        w = self.weights[self.weights > 1e-6].sort_values(ascending=False)
        return {"treated": self.treated, "start": self.start, "outcome": self.outcome, "att": self.att,
                "pre_rmspe": self.pre_rmspe, "post_rmspe": self.post_rmspe,
                "rmspe_ratio": self.post_rmspe / self.pre_rmspe if self.pre_rmspe > 0 else None,
                "p_value": self.p_value, "n_placebos": int(len(self.placebos)),
                "weights": [{"unit": k, "weight": float(v)} for k, v in w.items()],
                "path": self.to_frame().to_dict(orient="records"),
                "placebos": self.placebos.to_dict(orient="records")}

    def estimates(self) -> Iterator[Estimate]:
        """Yield the start, effect, fit and p-value, then the weights, the path and the placebos (by position).

        A weight's unit is the donor's name (the ``unit`` field of its record), as the store has
        always recorded it.
        """
        d = self.to_dict()
        yield from numbers("", {k: d[k] for k in ("start", "att", "pre_rmspe", "post_rmspe", "rmspe_ratio",
                                                  "p_value", "n_placebos")})
        w = pd.DataFrame.from_records(d["weights"], columns=["unit", "weight"])
        yield from nested("weights", Table(w).estimates())
        yield from nested("path", Table(self.to_frame()).estimates())
        yield from nested("placebos", Table(self.placebos).estimates())


def synthetic_control(wide: pd.DataFrame, treated: str, start: int, *, outcome: str = "y",
                      placebos: bool = True) -> SynthResult:
    """Synthetic control of ``treated`` from the other columns of ``wide``, treatment from ``start``.

    Parameters
    ----------
    wide : pandas.DataFrame
        Periods (index, increasing) × units (columns), no missing values.
    treated : str
        The treated unit's column.
    start : int
        First treated period.
    outcome : str
        Name of the outcome (for the result).
    placebos : bool
        Run the in-space placebos (one fit per donor) for the permutation p-value.

    Returns
    -------
    SynthResult

    Raises
    ------
    UnknownNameError
        ``treated`` is not a column.
    DesignError
        Fewer than 2 pre-treatment or no post-treatment periods, fewer than 2 donors.

    Examples
    --------
    >>> t = np.arange(2010, 2020)
    >>> wide = pd.DataFrame({"a": t - 2000.0, "b": t - 1990.0, "c": (t - 1995.0) + 5 * (t >= 2016)}, index=t)
    >>> r = synthetic_control(wide, "c", 2016)
    >>> round(r.att, 4), round(r.pre_rmspe, 4)
    (5.0, 0.0)

    """
    if treated not in wide.columns:
        raise UnknownNameError(f"unknown treated unit {treated!r}", where="treated",
                               hint=suggest(str(treated), [str(c) for c in wide.columns]))
    times = wide.index.to_numpy()
    pre, post = times < start, times >= start
    if pre.sum() < 2 or not post.any():
        raise DesignError(f"start {start} leaves {int(pre.sum())} pre-treatment and {int(post.sum())} "
                          "post-treatment periods", where="start",
                          hint="need at least 2 periods before and 1 from the start")
    donors = [c for c in wide.columns if c != treated]
    if len(donors) < 2:
        raise DesignError("fewer than 2 donor units", where="donors", hint="add comparison units")
    Y = wide.to_numpy(dtype=float)
    if not np.isfinite(Y).all():
        raise DesignError("missing values in the outcome paths", where="wide", hint="fill or drop those units")

    def fit(j: int, pool: list[int]) -> tuple[np.ndarray, np.ndarray]:
        w = simplex_weights(Y[pre, j], Y[pre][:, pool])
        return w, Y[:, pool] @ w

    cols = list(wide.columns)
    ti = cols.index(treated)
    pool = [cols.index(d) for d in donors]
    w, synth = fit(ti, pool)
    gap = Y[:, ti] - synth
    pre_r, post_r = _rmspe(gap[pre]), _rmspe(gap[post])
    rows = []
    if placebos:
        for j in pool:
            others = [k for k in pool if k != j]
            _, s = fit(j, others)
            g = Y[:, j] - s
            pr = _rmspe(g[pre])
            rows.append({"unit": cols[j], "pre_rmspe": pr, "post_rmspe": _rmspe(g[post]),
                         "ratio": _rmspe(g[post]) / pr if pr > 0 else np.inf, "att": float(g[post].mean())})
    plac = pd.DataFrame(rows, columns=["unit", "pre_rmspe", "post_rmspe", "ratio", "att"])
    ratio = post_r / pre_r if pre_r > 0 else np.inf
    p = float((1 + np.sum(plac["ratio"].to_numpy() >= ratio)) / (len(plac) + 1)) if placebos else float("nan")
    idx = pd.Index(times, name="time")
    return SynthResult(treated=str(treated), start=int(start), weights=pd.Series(w, index=donors),
                       observed=pd.Series(Y[:, ti], index=idx), synthetic=pd.Series(synth, index=idx),
                       pre_rmspe=pre_r, post_rmspe=post_r, att=float(gap[post].mean()), p_value=p,
                       placebos=plac, outcome=outcome)
