"""A balanced unit × period panel as numpy arrays, checked once for every estimator.

The estimators in :mod:`cocamonitor.evaluate` work on :class:`Panel`: an outcome matrix
``y`` (units × periods), each unit's first treated period ``cohort`` (0 = never treated, as in
R's ``did``), optional covariates, clusters and a dose. :func:`panel_from_long` builds it from a
long table and says what is wrong with the table when it cannot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cocamonitor.errors import DataError, DesignError, SchemaError

__all__ = ["Panel", "panel_from_long"]


@dataclass(frozen=True)
class Panel:
    """A balanced panel: outcome ``y[i, t]``, cohort per unit, optional covariates and clusters.

    Attributes
    ----------
    y : ndarray, shape (n, T)
        Outcome of unit ``i`` in period ``times[t]``.
    times : ndarray, shape (T,)
        The periods, increasing integers (years).
    cohort : ndarray, shape (n,)
        First treated period of each unit; 0 for never treated.
    units : ndarray, shape (n,)
        Unit identifiers.
    x : ndarray, shape (n, T, k), optional
        Covariates by unit and period (the estimators use their base-period values).
    covariates : tuple of str
        Names of the ``k`` covariates.
    cluster : ndarray, shape (n,), optional
        Cluster of each unit (integer codes); ``None`` clusters by unit.
    dose : ndarray, shape (n,), optional
        Treatment intensity of each unit (0 for the never treated).
    outcome : str
        Name of the outcome.

    """

    y: np.ndarray
    times: np.ndarray
    cohort: np.ndarray
    units: np.ndarray
    x: np.ndarray | None = None
    covariates: tuple[str, ...] = ()
    cluster: np.ndarray | None = None
    dose: np.ndarray | None = None
    outcome: str = "y"
    attrs: dict = field(default_factory=dict, compare=False)

    @property
    def n(self) -> int:
        """Number of units."""
        return int(self.y.shape[0])

    def cohorts(self) -> np.ndarray:
        """Treated cohorts (first treated periods) present, sorted."""
        return np.unique(self.cohort[self.cohort > 0])


def panel_from_long(
    df: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    cohort: str,
    covariates: Sequence[str] = (),
    cluster: str | None = None,
    dose: str | None = None,
    source: str = "panel",
) -> Panel:
    """Build a :class:`Panel` from a long table (one row per unit and period).

    Parameters
    ----------
    df : pandas.DataFrame
        The long table.
    unit, time, outcome, cohort : str
        Column names: unit identifier, period (integer), outcome, first treated period
        (0 for never treated, constant within unit).
    covariates : sequence of str
        Numeric covariate columns.
    cluster : str, optional
        Column of clusters (each unit in one cluster).
    dose : str, optional
        Column of treatment intensity (constant within unit).
    source : str
        How to call the table in error messages.

    Returns
    -------
    Panel

    Raises
    ------
    SchemaError
        A named column is missing.
    DataError
        Missing or non-numeric values, an unbalanced panel, a cohort that changes within a unit.

    Examples
    --------
    >>> long = pd.DataFrame({"id": [1, 1, 2, 2], "year": [2000, 2001] * 2, "y": [1.0, 2, 1, 1],
    ...                      "g": [2001, 2001, 0, 0]})
    >>> p = panel_from_long(long, unit="id", time="year", outcome="y", cohort="g")
    >>> p.y.tolist(), p.cohort.tolist()
    ([[1.0, 2.0], [1.0, 1.0]], [2001, 0])

    """
    needed = [unit, time, outcome, cohort, *covariates, *([cluster] if cluster else []), *([dose] if dose else [])]
    missing = [c for c in dict.fromkeys(needed) if c not in df.columns]
    if missing:
        raise SchemaError(f"missing column(s) {', '.join(map(repr, missing))}", where=source,
                          hint=f"columns present: {', '.join(map(str, df.columns))}")
    numeric = {}
    for col in [time, outcome, cohort, *covariates, *([dose] if dose else [])]:
        vals = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(vals)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DataError(f"missing or non-numeric value {df[col].iloc[row]!r}",
                            where=f"{source}, row {row + 2}, column {col!r}",
                            hint="every row needs a number here")
        numeric[col] = vals
    t = numeric[time]
    if np.any(t != np.round(t)):
        raise DataError("periods must be whole numbers", where=f"{source}, column {time!r}")
    ids, inv_u = np.unique(df[unit].astype(str).to_numpy(), return_inverse=True)
    times, inv_t = np.unique(t.astype(np.int64), return_inverse=True)
    n, T = len(ids), len(times)
    counts = np.bincount(inv_u * T + inv_t, minlength=n * T)
    if np.any(counts > 1):
        k = int(np.flatnonzero(counts > 1)[0])
        raise DataError(f"unit {ids[k // T]!r} has more than one row for period {times[k % T]}",
                        where=source, hint="keep one row per unit and period")
    if np.any(counts == 0):
        k = int(np.flatnonzero(counts == 0)[0])
        raise DataError(f"unbalanced panel: unit {ids[k // T]!r} has no row for period {times[k % T]}",
                        where=source, hint="give every unit a row for every period (or drop the unit)")

    def per_unit(col: str) -> np.ndarray:
        vals = numeric[col]
        first = np.zeros(n)
        first[inv_u] = vals
        varies = vals != first[inv_u]
        if varies.any():
            row = int(np.flatnonzero(varies)[0])
            raise DataError(f"{col!r} changes within unit {ids[inv_u[row]]!r}",
                            where=f"{source}, row {row + 2}", hint=f"{col} must be constant within each unit")
        return first

    y = np.empty((n, T))
    y[inv_u, inv_t] = numeric[outcome]
    g = per_unit(cohort)
    if np.any(g != np.round(g)) or np.any(g < 0):
        raise DataError("cohort must be a whole period, 0 for never treated", where=f"{source}, column {cohort!r}")
    x = None
    if covariates:
        x = np.empty((n, T, len(covariates)))
        for j, c in enumerate(covariates):
            x[inv_u, inv_t, j] = numeric[c]
    cl = None
    if cluster:
        codes = np.asarray(pd.factorize(df[cluster].astype(str))[0])
        cl_u = np.full(n, -1)
        cl_u[inv_u] = codes
        if np.any(cl_u[inv_u] != codes):
            raise DataError(f"a unit is in more than one {cluster!r}", where=source,
                            hint="each unit must belong to one cluster")
        cl = cl_u
    d = per_unit(dose) if dose else None
    return Panel(y=y, times=times, cohort=g.astype(np.int64), units=ids, x=x, covariates=tuple(covariates),
                 cluster=cl, dose=d, outcome=outcome)


def check_design(panel: Panel, *, control: str) -> None:
    """Refuse designs without a treated cohort, without controls or with a constant outcome."""
    times = panel.times
    cohorts = panel.cohorts()
    if cohorts.size == 0:
        raise DesignError("no unit is ever treated", where="cohort",
                          hint="give treated units their first treated period (0 = never treated)")
    outside = cohorts[(cohorts > times[-1]) | (cohorts <= times[0])]
    if outside.size:
        raise DesignError(
            f"units first treated in {int(outside[0])}, outside the panel's periods {times[0] + 1}-{times[-1]}",
            where="cohort",
            hint="a cohort needs at least one period before and one during treatment inside the panel; "
                 "widen the years or recode those units")
    never = panel.cohort == 0
    if control == "never" and not never.any():
        raise DesignError("all units are treated: no never-treated control group", where="control",
                          hint="use control='not-yet' (not-yet-treated units as controls) or add untreated units")
    if not never.any() and cohorts.size < 2:
        raise DesignError("all units are treated at the same time: no control group", where="cohort",
                          hint="add untreated units")
    if np.ptp(panel.y) == 0:
        raise DesignError(f"the outcome {panel.outcome!r} is constant ({panel.y.flat[0]:g}) in every unit and period",
                          where="outcome", hint="choose an outcome that varies")
