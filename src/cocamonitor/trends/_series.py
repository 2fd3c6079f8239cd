"""Validation of annual series shared by the trend statistics (private).

A trend statistic takes values and, optionally, the years they belong to. This module turns
whatever the caller gives (a list, a numpy array, a pandas Series indexed by year) into a
checked :class:`AnnualSeries` and raises :class:`~cocamonitor.errors.InputError` with the
reason for the things that would give silently wrong answers: too few years, duplicated
years, years missing from the range, non-finite values, negative standard errors.

Missing years
-------------
A series over 2000-2010 with 2002 and 2005 missing is *not* the same as a series of nine
consecutive years: Theil-Sen slopes per year and serial-correlation corrections would be
wrong if the gaps were ignored silently. By default (``missing="error"``) a gap raises an
error that names the missing years; ``missing="skip"`` accepts the gap, keeps the true years
(so slopes stay per calendar year) and records the missing years on the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from cocamonitor._checks import check_confidence
from cocamonitor.errors import DataError, InputError, ParameterError

__all__ = ["AnnualSeries", "MissingPolicy", "as_annual_series", "check_confidence"]

MissingPolicy = Literal["error", "skip"]


@dataclass(frozen=True)
class AnnualSeries:
    """A checked annual series: strictly increasing integer years and finite values."""

    years: np.ndarray
    values: np.ndarray
    se: np.ndarray | None
    missing_years: tuple[int, ...]
    name: str | None = None
    unit: str | None = None

    @property
    def n(self) -> int:
        """Number of observed years."""
        return int(self.values.size)

    @property
    def consecutive(self) -> bool:
        """True when no year is missing between the first and the last."""
        return not self.missing_years


def _format_years(years: Sequence[int] | np.ndarray) -> str:
    return ", ".join(str(int(y)) for y in years)


def as_annual_series(
    values: Any,
    years: Any = None,
    *,
    se: Any = None,
    missing: MissingPolicy = "error",
    min_years: int = 3,
    where: str = "values",
    unit: str | None = None,
) -> AnnualSeries:
    """Check an annual series and return it sorted by year.

    Parameters
    ----------
    values : array-like or pandas.Series
        The annual values. A Series indexed by year provides the years itself.
    years : array-like of int, optional
        The year of each value; defaults to the Series index, else ``0, 1, 2, ...``.
    se : array-like, optional
        Standard error of each value (same order as ``values``); must be >= 0.
    missing : {"error", "skip"}, default "error"
        What to do with years missing between the first and last year: ``"error"`` raises
        an :class:`InputError` naming them, ``"skip"`` accepts the gaps.
    min_years : int, default 3
        Fewest years a trend can be computed from.
    where : str
        Name of the argument or option, used in error messages.
    unit : str, optional
        Unit of the values; defaults to ``values.attrs["unit"]`` for a Series that has one.

    Returns
    -------
    AnnualSeries

    Raises
    ------
    InputError
        Fewer than ``min_years`` values, duplicate years, missing years (unless skipped),
        non-integer years, lengths that differ.
    DataError
        Non-finite values or negative / non-finite standard errors.

    Examples
    --------
    >>> s = as_annual_series([3.0, 1.0, 2.0], years=[2021, 2019, 2020])
    >>> s.years.tolist(), s.values.tolist()
    ([2019, 2020, 2021], [1.0, 2.0, 3.0])

    """
    if missing not in ("error", "skip"):
        raise ParameterError(f"missing must be 'error' or 'skip', got {missing!r}", where="missing")
    name = None
    if isinstance(values, pd.Series):
        if unit is None:
            unit = values.attrs.get("unit")
        name = None if values.name is None else str(values.name)
        if years is None:
            years = values.index.to_numpy()
        values = values.to_numpy()
    vals = np.asarray(values, dtype=float).ravel() if np.size(values) else np.array([], float)
    if years is None:
        yrs = np.arange(vals.size)
    else:
        raw = np.asarray(years).ravel()
        try:
            yrs_f = raw.astype(float)
        except (TypeError, ValueError):
            raise InputError(f"years must be whole numbers, got {raw.tolist()!r}", where=where) from None
        if raw.size and (not np.all(np.isfinite(yrs_f)) or np.any(yrs_f != np.round(yrs_f))):
            raise InputError(f"years must be whole numbers, got {raw.tolist()!r}", where=where)
        if raw.size and (yrs_f.min() < 0 or yrs_f.max() > 9999):
            i = int(np.argmax((yrs_f < 0) | (yrs_f > 9999)))
            raise InputError(f"year {raw[i]!s:.40} is not a calendar year", where=where,
                             hint="give years between 0 and 9999, e.g. 2015")
        yrs = yrs_f.astype(int)
    if yrs.size != vals.size:
        raise InputError(
            f"{vals.size} values but {yrs.size} years", where=where,
            hint="give one year per value",
        )
    if vals.size < min_years:
        raise InputError(
            f"a trend needs at least {min_years} years, got {vals.size}", where=where,
            hint="widen the range of years",
        )
    uniq, counts = np.unique(yrs, return_counts=True)
    if np.any(counts > 1):
        raise InputError(
            f"duplicate years: {_format_years(uniq[counts > 1])}", where=where,
            hint="give each year once (keep one vintage per year)",
        )
    bad = ~np.isfinite(vals)
    if bad.any():
        raise DataError(
            f"values are missing or not finite for year(s) {_format_years(yrs[bad])}", where=where,
            hint="drop those years (and pass missing='skip' / `skip_missing`) or fill them",
        )
    order = np.argsort(yrs, kind="stable")
    yrs, vals = yrs[order], vals[order]
    se_arr = None
    if se is not None:
        se_arr = np.asarray(se, dtype=float).ravel()
        if se_arr.size != vals.size:
            raise InputError(f"{vals.size} values but {se_arr.size} standard errors", where=where)
        se_arr = se_arr[order]
        if np.any(~np.isfinite(se_arr)):
            raise DataError("standard errors must be finite numbers", where=where)
        if np.any(se_arr < 0):
            neg = yrs[se_arr < 0]
            raise DataError(
                f"negative standard error for year(s) {_format_years(neg)}", where=where,
                hint="a standard error is a square root of a variance and cannot be negative",
            )
    full = np.arange(yrs[0], yrs[-1] + 1)
    gaps = tuple(int(y) for y in np.setdiff1d(full, yrs))
    if gaps and missing == "error":
        raise InputError(
            f"years missing from the series between {yrs[0]} and {yrs[-1]}: {_format_years(gaps)}",
            where=where,
            hint="choose a range without gaps, or skip them explicitly (missing='skip', `skip_missing`)",
        )
    return AnnualSeries(years=yrs, values=vals, se=se_arr, missing_years=gaps, name=name, unit=unit)
