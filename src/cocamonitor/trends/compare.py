"""Two measurement series side by side (e.g. UNODC/SIMCI census vs US sample survey).

The two series are aligned on the years both publish. For each pair of consecutive common
years (``prev_year -> year``; the step spans several calendar years where a series has gaps)
the table gives each series' change, its direction, whether the directions agree (neither
agree nor disagree when one series did not change at all: published figures are rounded, so
an unchanged figure is no evidence of a direction), and
whether each change is significant *under that series' own uncertainty*: with standard
errors, the two-year test of :func:`~cocamonitor.trends.change.change` (independent
samples); without them (census figures, or published without SE), an assumed relative error
when one is given, and always the critical relative error at which the change would stop
being significant. The summary gives the share of steps whose directions agree, the steps
where they disagree, the correlation of the percentage changes, the level ratio over time
(with its Theil-Sen trend: is the gap widening?) and each series' own Mann-Kendall test over
the common years.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cocamonitor.errors import InputError, ParameterError
from cocamonitor.results import Estimate, Table, nested, numbers
from cocamonitor.trends._series import as_annual_series, check_confidence
from cocamonitor.trends.change import _critical_relative_error
from cocamonitor.trends.mann_kendall import MannKendallResult, mann_kendall
from cocamonitor.trends.theil_sen import TheilSenResult, theil_sen

__all__ = ["ComparisonResult", "compare_series"]


@dataclass(frozen=True)
class ComparisonResult:
    """Two annual series compared year by year.

    Attributes
    ----------
    names : tuple of str
        Names of the two series (``a``, ``b``).
    unit : str or None
        Common unit.
    table : pandas.DataFrame
        One row per common year: ``year``, the two values, ``ratio`` (a / b), and for each
        step from the previous common year: ``prev_year``, ``change_<name>_pct``,
        ``direction_<name>`` (+1, -1, 0), ``agree`` (NA on a flat step), ``significant_<name>`` (bool or None
        when the series has no uncertainty) and ``critical_rel_error_<name>``.
    common_years : tuple of int
        Years present in both series.
    only_a, only_b : tuple of int
        Years present in only one of them.
    agreement_share : float or None
        Share of the steps where both series moved that moved in the same direction.
    disagree_steps : tuple of str
        Steps (``"2019-2020"``) where the two series moved in opposite directions.
    flat_steps : tuple of str
        Steps where at least one series did not change (no direction to compare).
    change_correlation : float or None
        Pearson correlation of the percentage changes; ``change_spearman`` the rank version.
    ratio_trend : TheilSenResult or None
        Theil-Sen trend of the level ratio a / b over the common years (per year).
    mann_kendall : dict of str to MannKendallResult
        Each series' own test over the common years.
    confidence : float
        Level of the tests.

    """

    names: tuple[str, str]
    unit: str | None
    table: pd.DataFrame
    common_years: tuple[int, ...]
    only_a: tuple[int, ...]
    only_b: tuple[int, ...]
    agreement_share: float | None
    disagree_steps: tuple[str, ...]
    change_correlation: float | None
    change_spearman: float | None
    ratio_trend: TheilSenResult | None
    mann_kendall: dict[str, MannKendallResult] = field(default_factory=dict)
    confidence: float = 0.95
    flat_steps: tuple[str, ...] = ()
    break_steps: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Return the year-by-year table."""
        return self.table.copy()

    def summary(self) -> dict[str, Any]:
        """Return the summary numbers (everything but the table) as a JSON-ready dict."""
        a, b = self.names
        ratio = self.table["ratio"]
        return {
            "names": list(self.names), "unit": self.unit,
            "common_years": list(self.common_years), "only_" + a: list(self.only_a),
            "only_" + b: list(self.only_b), "agreement_share": self.agreement_share,
            "disagree_steps": list(self.disagree_steps), "flat_steps": list(self.flat_steps),
            "break_steps": list(self.break_steps),
            "change_correlation": self.change_correlation,
            "change_spearman": self.change_spearman,
            "ratio": {"mean": float(ratio.mean()), "min": float(ratio.min()),
                      "max": float(ratio.max()),
                      "trend": None if self.ratio_trend is None else self.ratio_trend.to_dict()},
            "mann_kendall": {k: v.to_dict() for k, v in self.mann_kendall.items()},
            "confidence": self.confidence,
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the summary and the table (as records)."""
        out = self.summary()
        out["table"] = self.table.to_dict(orient="records")
        return out

    def estimates(self) -> Iterator[Estimate]:
        """Yield the summary numbers, the ratio and its trend, each series' Mann-Kendall, then the table.

        Table rows are named by year (``table/year=2021``); the values of both series are in
        their published unit, changes ``change_<name>_pct`` in %.
        """
        yield from numbers("", {"agreement_share": self.agreement_share,
                                "change_correlation": self.change_correlation,
                                "change_spearman": self.change_spearman})
        ratio = self.table["ratio"]
        yield from numbers("ratio", {"mean": ratio.mean(), "min": ratio.min(), "max": ratio.max()})
        if self.ratio_trend is not None:
            yield from nested("ratio/trend", self.ratio_trend.estimates())
        for name, mk in self.mann_kendall.items():
            yield from nested(f"mann_kendall/{name}", mk.estimates())
        yield from numbers("", {"confidence": self.confidence})
        flags = [c for c in self.table.columns if c == "agree" or c == "method_break" or c.startswith("significant_")]
        units = {c: "%" if c in {f"change_{n}_pct" for n in self.names} else None
                 for c in self.table.columns if c != "year" and c not in flags}
        yield from nested("table", Table(self.table, ("year",), units).estimates())


def _clean_name(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in str(name).lower()).strip("_") or "series"


def compare_series(
    a: pd.Series,
    b: pd.Series,
    *,
    names: tuple[str, str] = ("a", "b"),
    se_a: pd.Series | None = None,
    se_b: pd.Series | None = None,
    rel_error_a: float | None = None,
    rel_error_b: float | None = None,
    confidence: float = 0.95,
    years: tuple[int, int] | None = None,
) -> ComparisonResult:
    """Compare two annual series on the years both publish.

    Parameters
    ----------
    a, b : pandas.Series
        Values indexed by year; ``attrs["unit"]`` (if present) must agree. ``attrs["breaks"]``
        (first years of a new method, as :func:`cocamonitor.datasets.national_series` gives)
        marks steps that cross a methodology break: they neither agree nor disagree and are
        left out of the agreement share and the correlation of changes (``break_steps``).
    names : (str, str)
        Names used in column labels, e.g. ``("unodc", "us")``.
    se_a, se_b : pandas.Series, optional
        Standard errors indexed by year (years without one count as unknown).
    rel_error_a, rel_error_b : float, optional
        Assumed relative standard error for a series without SEs (e.g. 0.05).
    confidence : float, default 0.95
        Level of the tests.
    years : (int, int), optional
        Restrict to this inclusive range first.

    Returns
    -------
    ComparisonResult

    Raises
    ------
    InputError
        Mismatched units, duplicate years, fewer than 3 common years.

    Examples
    --------
    >>> a = pd.Series([10.0, 12.0, 11.0, 15.0], index=[2001, 2002, 2003, 2004])
    >>> b = pd.Series([20.0, 19.0, 23.0, 25.0], index=[2001, 2002, 2003, 2004])
    >>> r = compare_series(a, b, names=("x", "y"))
    >>> r.agreement_share, r.disagree_steps
    (0.3333333333333333, ('2001-2002', '2002-2003'))

    """
    level = check_confidence(confidence)
    name_a, name_b = (_clean_name(n) for n in names)
    if name_a == name_b:
        raise ParameterError("the two series need different names", where="names")
    unit_a, unit_b = a.attrs.get("unit"), b.attrs.get("unit")
    if unit_a is not None and unit_b is not None and unit_a != unit_b:
        raise InputError(
            f"mismatched units: {unit_a!r} ({name_a}) vs {unit_b!r} ({name_b})", where="compare",
            hint="compare series measured in the same unit",
        )
    for rel, where in ((rel_error_a, "rel_error_a"), (rel_error_b, "rel_error_b")):
        if rel is not None and (not np.isfinite(rel) or rel < 0):
            raise ParameterError(f"relative error must be >= 0, got {rel}", where=where)
    sa = as_annual_series(a, missing="skip", min_years=1, where=name_a)
    sb = as_annual_series(b, missing="skip", min_years=1, where=name_b)
    va = pd.Series(sa.values, index=sa.years)
    vb = pd.Series(sb.values, index=sb.years)
    if years is not None:
        lo, hi = int(years[0]), int(years[1])
        va, vb = va.loc[lo:hi], vb.loc[lo:hi]
    common = np.intersect1d(va.index, vb.index)
    if common.size < 3:
        raise InputError(
            f"the two series share {common.size} year(s) ({', '.join(map(str, common))}); "
            "a comparison needs at least 3", where="compare", hint="widen the range of years",
        )
    x, y = va.loc[common].to_numpy(), vb.loc[common].to_numpy()
    table = pd.DataFrame({"year": common, name_a: x, name_b: y})
    with np.errstate(divide="ignore", invalid="ignore"):
        table["ratio"] = np.where(y != 0, x / np.where(y != 0, y, 1.0), np.nan)
    prev = np.r_[np.nan, common[:-1]]
    table["prev_year"] = pd.array(np.where(np.isnan(prev), pd.NA, prev), dtype="Int64")
    zq = float(stats.norm.ppf(0.5 + level / 2))
    dirs = {}
    pcts = {}
    for name, vals, se, rel in ((name_a, x, se_a, rel_error_a), (name_b, y, se_b, rel_error_b)):
        before, after = vals[:-1], vals[1:]
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = np.where(before != 0, 100.0 * (after - before) / np.where(before != 0, before, 1),
                           np.nan)
        pcts[name] = pct
        direction = np.sign(after - before).astype(int)
        dirs[name] = direction
        if se is not None:
            s = pd.Series(se, dtype=float).reindex(common).to_numpy()
            if np.any(s < 0):
                raise InputError(f"negative standard error in {name}", where=f"se_{name}")
            var_d = s[:-1] ** 2 + s[1:] ** 2
        elif rel is not None:
            var_d = (rel * before) ** 2 + (rel * after) ** 2
        else:
            var_d = np.full(before.size, np.nan)
        sd = np.sqrt(var_d)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = 2 * stats.norm.sf(np.abs(after - before) / sd)
        sig = pd.array([None if np.isnan(v) else bool(v < 1 - level) for v in p], dtype="boolean")
        crit = [_critical_relative_error(b0, a1, zq, 0.0) for b0, a1 in zip(before, after, strict=True)]
        table[f"change_{name}_pct"] = np.r_[np.nan, pct]
        table[f"direction_{name}"] = pd.array([pd.NA, *direction.tolist()], dtype="Int64")
        table[f"significant_{name}"] = pd.array([pd.NA, *sig], dtype="boolean")
        table[f"critical_rel_error_{name}"] = np.r_[np.nan, crit]
    breaks = sorted({int(v) for s in (a, b) for v in (s.attrs.get("breaks") or [])})
    crossing = np.array([any(p < y <= c for y in breaks) for p, c in zip(common[:-1], common[1:], strict=True)],
                        dtype=bool)
    flat = ((dirs[name_a] == 0) | (dirs[name_b] == 0)) & ~crossing
    agree = dirs[name_a] == dirs[name_b]
    skip = flat | crossing
    table.insert(table.columns.get_loc(f"change_{name_b}_pct") + 1, "agree",
                 pd.array([pd.NA, *(None if f else bool(g) for f, g in zip(skip, agree, strict=True))],
                          dtype="boolean"))
    table.insert(table.columns.get_loc("agree") + 1, "method_break",
                 pd.array([pd.NA, *crossing.tolist()], dtype="boolean"))
    steps = [f"{int(p)}-{int(c)}" for p, c in zip(common[:-1], common[1:], strict=True)]
    disagree = tuple(s for s, ok, f in zip(steps, agree, skip, strict=True) if not ok and not f)
    flat_steps = tuple(s for s, f in zip(steps, flat, strict=True) if f)
    break_steps = tuple(s for s, f in zip(steps, crossing, strict=True) if f)
    ok = np.isfinite(pcts[name_a]) & np.isfinite(pcts[name_b]) & ~crossing
    corr = spear = None
    if ok.sum() >= 3 and np.std(pcts[name_a][ok]) > 0 and np.std(pcts[name_b][ok]) > 0:
        corr = float(stats.pearsonr(pcts[name_a][ok], pcts[name_b][ok]).statistic)
        spear = float(stats.spearmanr(pcts[name_a][ok], pcts[name_b][ok]).statistic)
    ratio_ok = table["ratio"].notna()
    ratio_trend = None
    if ratio_ok.sum() >= 3:
        ratio_trend = theil_sen(table.loc[ratio_ok, "ratio"].to_numpy(),
                                years=common[ratio_ok.to_numpy()], confidence=level,
                                missing="skip")
    mk = {
        name_a: mann_kendall(x, years=common, alpha=1 - level, missing="skip"),
        name_b: mann_kendall(y, years=common, alpha=1 - level, missing="skip"),
    }
    return ComparisonResult(
        names=(name_a, name_b), unit=unit_a if unit_a is not None else unit_b, table=table,
        common_years=tuple(int(v) for v in common),
        only_a=tuple(int(v) for v in np.setdiff1d(va.index, common)),
        only_b=tuple(int(v) for v in np.setdiff1d(vb.index, common)),
        agreement_share=float(agree[~skip].mean()) if (~skip).any() else None, disagree_steps=disagree,
        flat_steps=flat_steps, break_steps=break_steps,
        change_correlation=corr, change_spearman=spear, ratio_trend=ratio_trend,
        mann_kendall=mk, confidence=level,
    )
