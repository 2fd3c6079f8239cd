"""All the trend statistics of one annual series at once, as the ``trend test`` document.

:func:`trend_summary` runs Mann-Kendall (with Hamed-Rao when the series has no gaps and at
least four years), Theil-Sen, the measurement-error-aware linear trend and Pettitt on one
series; :func:`trend_document` adds provenance and gives the "Trend JSON" of DESIGN.md, which
the ``trend test`` command, the web API and the report all share.

Examples
--------
>>> from cocamonitor.trends.summary import national_trend_document
>>> doc = national_trend_document("unodc", "area", "2019-2023")
>>> doc["mann_kendall"]["s"], doc["series"]["years"][0]
(8, 2019)

"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.errors import InputError, UnknownNameError, suggest
from cocamonitor.io.years import parse_year_span
from cocamonitor.provenance import Provenance
from cocamonitor.results import Composite, Estimate
from cocamonitor.trends._series import MissingPolicy
from cocamonitor.trends.mann_kendall import HamedRaoResult, MannKendallResult, hamed_rao, mann_kendall
from cocamonitor.trends.pettitt import PettittResult, pettitt
from cocamonitor.trends.theil_sen import TheilSenResult, theil_sen
from cocamonitor.trends.wls import LinearTrendResult, linear_trend

__all__ = [
    "TrendSummary",
    "check_gaps",
    "national_series_checked",
    "release_fields",
    "national_trend_document",
    "parse_year_range",
    "select_years",
    "trend_document",
    "trend_summary",
]

SOURCES = ("unodc", "us")
METRICS = ("area", "production")


def longest_run(years: Iterable[int]) -> tuple[int, int]:
    """Return the first and last year of the longest run of consecutive years."""
    ys = np.sort(np.asarray(list(years), dtype=int))
    breaks = np.flatnonzero(np.diff(ys) != 1)
    starts = np.r_[0, breaks + 1]
    ends = np.r_[breaks, ys.size - 1]
    k = int(np.argmax(ends - starts))
    return int(ys[starts[k]]), int(ys[ends[k]])


def parse_year_range(text: str, where: str = "years") -> tuple[int, int]:
    """Read ``"FIRST-LAST"`` into two years, or raise :class:`InputError` saying how to write it."""
    a, b = parse_year_span(text, where=where)
    if a == b:
        raise InputError(f"a trend needs a range of years, got {str(text).strip()!r}", where=where,
                         hint="write FIRST-LAST, e.g. 2019-2023")
    return a, b


def select_years(series: pd.Series, years: str | None, where: str = "years") -> pd.Series:
    """Restrict a year-indexed series to ``"FIRST-LAST"``; a range outside the series is refused."""
    if years is None:
        return series
    lo, hi = parse_year_range(years, where)
    first, last = int(series.index.min()), int(series.index.max())
    if lo < first or hi > last:
        raise InputError(
            f"{lo}-{hi} is outside the years of the {series.name} series ({first}-{last})",
            where=where, hint=f"choose years within {first}-{last}",
        )
    out = series.loc[lo:hi]
    out.attrs = dict(series.attrs)
    return out


def check_gaps(series: pd.Series, skip: bool, label: str, where: str = "years") -> None:
    """Refuse a series with years missing inside its range, naming them, unless ``skip``."""
    yrs = series.index.to_numpy(dtype=int)
    if yrs.size == 0:
        raise InputError(f"no figures for the {label} series in this range", where=where)
    gaps = np.setdiff1d(np.arange(yrs.min(), yrs.max() + 1), yrs)
    if gaps.size and not skip:
        lo, hi = longest_run(yrs)
        raise InputError(
            f"the {label} series has no figure for {', '.join(map(str, gaps))} "
            f"(between {yrs.min()} and {yrs.max()})", where=where,
            hint=f"pass `skip_missing` to test the years present, or choose years without gaps "
                 f"(longest run: `years` {lo}-{hi})",
        )


def _choice(value: str, choices: tuple[str, ...], where: str) -> str:
    v = str(value).strip().lower()
    if v not in choices:
        raise UnknownNameError(f"unknown value {value!r}", where=where, hint=suggest(v, choices))
    return v


def national_series_checked(
    source: str, metric: str, *, as_of: str | dt.date | None = None, vintage: str = "latest"
) -> tuple[pd.Series, Path]:
    """Return a bundled national series (checked names) and the file it comes from.

    ``as_of`` and ``vintage`` choose the release of each year's figure (see
    :func:`cocamonitor.datasets.national_series`).
    """
    from cocamonitor import datasets

    s = datasets.national_series(_choice(source, SOURCES, "source"), _choice(metric, METRICS, "metric"),
                                 as_of=as_of, vintage=vintage)
    return s, datasets.data_path("coca_national.csv")


def release_fields(series: pd.Series, years: Iterable[int] | None = None) -> dict[str, Any]:
    """Return the release facts of a national series for a result document.

    ``vintage`` and ``as_of`` (which release of each year), ``releases`` and ``publications``
    (year -> release date / primary document) and ``breaks`` (first years of a new method).
    """
    attrs = series.attrs
    keep = set(series.index if years is None else years)
    return {
        "vintage": attrs.get("vintage"), "as_of": attrs.get("as_of"),
        "releases": {str(y): v for y, v in (attrs.get("releases") or {}).items() if y in keep},
        "publications": {str(y): v for y, v in (attrs.get("publications") or {}).items() if y in keep},
        "breaks": [int(y) for y in (attrs.get("breaks") or []) if min(keep) < y <= max(keep)] if keep else [],
    }


@dataclass(frozen=True)
class TrendSummary:
    """Every trend statistic of one series.

    Attributes
    ----------
    years, values : tuple
        The observed years and their values.
    unit : str or None
    mann_kendall, theil_sen, linear_trend, pettitt
        The results of each statistic.
    hamed_rao : HamedRaoResult or None
        Present when the series has no gaps and at least four years.

    """

    years: tuple[int, ...]
    values: tuple[float, ...]
    unit: str | None
    mann_kendall: MannKendallResult
    theil_sen: TheilSenResult
    linear_trend: LinearTrendResult
    pettitt: PettittResult
    hamed_rao: HamedRaoResult | None

    def to_dict(self, *, source: str | None = None, metric: str | None = None) -> dict[str, Any]:
        """Return the "Trend JSON" document without provenance."""
        return {
            "series": {"source": source, "metric": metric, "unit": self.unit,
                       "years": list(self.years), "values": list(self.values),
                       "missing_years": list(self.mann_kendall.missing_years)},
            "mann_kendall": self.mann_kendall.to_dict(), "theil_sen": self.theil_sen.to_dict(),
            "linear_trend": self.linear_trend.to_dict(),
            "hamed_rao": None if self.hamed_rao is None else self.hamed_rao.to_dict(),
            "pettitt": self.pettitt.to_dict(),
        }

    def estimates(self) -> Iterator[Estimate]:
        """Yield the numbers of every statistic, under its key of the Trend JSON."""
        yield from Composite((("mann_kendall", self.mann_kendall), ("theil_sen", self.theil_sen),
                              ("linear_trend", self.linear_trend), ("hamed_rao", self.hamed_rao),
                              ("pettitt", self.pettitt))).estimates()

    def to_frame(self) -> pd.DataFrame:
        """Return the series as a DataFrame (year, value)."""
        return pd.DataFrame({"year": self.years, "value": self.values})


def trend_summary(
    series: pd.Series,
    *,
    se: pd.Series | None = None,
    alpha: float = 0.05,
    confidence: float = 0.95,
    skip_missing: bool = False,
) -> TrendSummary:
    """Run every trend statistic on a year-indexed series (gaps refused unless ``skip_missing``)."""
    missing: MissingPolicy = "skip" if skip_missing else "error"
    mk = mann_kendall(series, alpha=alpha, missing=missing)
    ts = theil_sen(series, confidence=confidence, missing=missing)
    se_arr = None if se is None else se.reindex(series.index).to_numpy()
    lin = linear_trend(series, se=se_arr, confidence=confidence, missing=missing)
    pt = pettitt(series, missing=missing)
    hr = hamed_rao(series, alpha=alpha) if (not mk.missing_years and mk.n >= 4) else None
    return TrendSummary(
        years=tuple(int(y) for y in mk.years),
        values=tuple(float(series.loc[y]) for y in mk.years),
        unit=series.attrs.get("unit"),
        mann_kendall=mk, theil_sen=ts, linear_trend=lin, pettitt=pt, hamed_rao=hr,
    )


def trend_document(
    summary: TrendSummary,
    *,
    source: str,
    metric: str,
    inputs: Iterable[str | Path],
    parameters: Mapping[str, Any],
) -> dict[str, Any]:
    """Return the full "Trend JSON" (DESIGN.md) of a summary, with provenance."""
    doc = summary.to_dict(source=source, metric=metric)
    doc["provenance"] = Provenance.build(inputs=inputs, parameters=parameters).to_dict()
    return doc


def national_trend_document(
    source: str,
    metric: str,
    years: str | None = None,
    *,
    skip_missing: bool = False,
    alpha: float = 0.05,
    confidence: float = 0.95,
    as_of: str | None = None,
    vintage: str = "latest",
) -> dict[str, Any]:
    """Return the trend document of a national series: what ``trend test`` prints as JSON."""
    series, path = national_series_checked(source, metric, as_of=as_of, vintage=vintage)
    series = select_years(series, years)
    src, met = source.lower(), metric.lower()
    check_gaps(series, skip_missing, f"{src} {met}")
    summary = trend_summary(series, alpha=alpha, confidence=confidence, skip_missing=skip_missing)
    params = {"years": years, "alpha": alpha, "confidence": confidence,
              "skip_missing": skip_missing, "dataset": "coca-national", "as_of": series.attrs.get("as_of"),
              "vintage": series.attrs.get("vintage")}
    doc = trend_document(summary, source=src, metric=met, inputs=[path], parameters=params)
    doc["series"].update(release_fields(series, summary.years))
    return doc
