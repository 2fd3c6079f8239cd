r"""Why two production series disagree: an exact area / yield decomposition (LMDI).

Write each series' production as ``Q = A * y`` (area times tonnes per hectare of that area).
The log-mean Divisia index (LMDI-I; Ang 2004, *Energy Policy* 32:1131, and Ang 2015, *Energy
Policy* 86:233) splits the gap between series ``b`` and series ``a`` in one year as::

    Q_b - Q_a = L(Q_b, Q_a) * ln(A_b / A_a)  +  L(Q_b, Q_a) * ln(y_b / y_a)
                \\_________ area effect ______/     \\________ yield effect ______/

with the logarithmic mean ``L(x, z) = (x - z) / (ln x - ln z)`` (``L(x, x) = x``). Because
``ln(A_b/A_a) + ln(y_b/y_a) = ln(Q_b/Q_a)``, the two effects add up to the gap exactly: there
is no residual. "Yield" here is tonnes of cocaine per hectare *of the published area* (31
December stock for UNODC, the US survey's area for the US), so it also absorbs differences in
the area concept (productive vs standing), in the leaf yields and in the conversion factors.

Examples
--------
>>> import pandas as pd
>>> y = [2020]
>>> d = explain_series(pd.Series([143000.0], y), pd.Series([1228.0], y),
...                    pd.Series([245000.0], y), pd.Series([1010.0], y), labels=("unodc", "us"))
>>> r = d.to_frame().iloc[0]
>>> round(r.area_effect_t), round(r.yield_effect_t), round(r.difference_t)
(601, -819, -218)

"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.errors import DataError, InputError

__all__ = ["SeriesDecomposition", "explain_series", "implied_yields", "lmdi", "log_mean"]


def log_mean(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Logarithmic mean ``(x - z) / (ln x - ln z)``, equal to ``x`` where ``x == z``.

    Examples
    --------
    >>> log_mean(np.array([2.0, 3.0]), np.array([1.0, 3.0])).round(4)
    array([1.4427, 3.    ])

    """
    x = np.asarray(x, dtype=float)
    z = np.asarray(z, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (x - z) / (np.log(x) - np.log(z))
    return np.where(np.isclose(x, z, rtol=1e-12, atol=0), x, out)


def lmdi(
    factors_a: Mapping[str, np.ndarray],
    factors_b: Mapping[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Additive LMDI-I effects of each factor on ``prod(factors_b) - prod(factors_a)``.

    Parameters
    ----------
    factors_a, factors_b : mapping of str to array
        The same factor names; the aggregate is their product. Values must be > 0.

    Returns
    -------
    dict of str to numpy.ndarray
        One effect per factor; they sum to the difference of the aggregates.

    Examples
    --------
    >>> a = {"a": np.array([2.0]), "y": np.array([3.0])}
    >>> e = lmdi(a, {"a": np.array([4.0]), "y": np.array([2.0])})
    >>> round(float(e["a"][0] + e["y"][0]), 12)
    2.0

    """
    if set(factors_a) != set(factors_b):
        raise InputError("both sides need the same factors")
    qa = np.prod(np.vstack([np.asarray(factors_a[f], dtype=float) for f in factors_a]), axis=0)
    qb = np.prod(np.vstack([np.asarray(factors_b[f], dtype=float) for f in factors_a]), axis=0)
    for name in factors_a:
        for side, vals in (("a", factors_a[name]), ("b", factors_b[name])):
            v = np.asarray(vals, dtype=float)
            if not (np.isfinite(v) & (v > 0)).all():
                raise DataError(
                    f"factor {name!r} of series {side} has values <= 0 or missing; "
                    "LMDI needs positive values"
                )
    w = log_mean(qb, qa)
    return {
        f: w * np.log(np.asarray(factors_b[f], dtype=float) / np.asarray(factors_a[f], dtype=float))
        for f in factors_a
    }


@dataclass(frozen=True)
class SeriesDecomposition:
    """Year-by-year gap between two (area, production) series, split into area and yield.

    Attributes
    ----------
    labels : tuple of str
        Names of series a and b (e.g. ``("unodc", "us")``); the gap is b minus a.
    table : pandas.DataFrame
        year, area_a, production_a, yield_a_kg_per_ha, area_b, production_b,
        yield_b_kg_per_ha, difference_t, area_effect_t, yield_effect_t.

    """

    labels: tuple[str, str]
    table: pd.DataFrame

    def to_frame(self, named: bool = False) -> pd.DataFrame:
        """Return the table; ``named=True`` replaces the ``_a``/``_b`` suffixes by the labels."""
        if not named:
            return self.table.copy()
        a, b = self.labels
        mapping = {}
        for suffix, label in (("a", a), ("b", b)):
            mapping.update(
                {
                    f"area_{suffix}": f"area_{label}",
                    f"production_{suffix}": f"production_{label}",
                    f"yield_{suffix}_kg_per_ha": f"yield_{label}_kg_per_ha",
                }
            )
        return self.table.rename(columns=mapping)

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"a", "b", "difference", "rows"}`` (the gap is b minus a, in tonnes)."""
        return {
            "a": self.labels[0],
            "b": self.labels[1],
            "difference": "b - a",
            "rows": self.table.to_dict(orient="records"),
        }


def _years_of(
    series: Sequence[pd.Series], names: Sequence[str], years: Sequence[int] | None
) -> list[int]:
    common = set(series[0].dropna().index.astype(int))
    for s in series[1:]:
        common &= set(s.dropna().index.astype(int))
    if years is None:
        if not common:
            raise DataError("the series have no year in common", hint="check the series")
        return sorted(common)
    for y in years:
        for s, n in zip(series, names, strict=True):
            if int(y) not in set(s.dropna().index.astype(int)):
                raise DataError(
                    f"series {n} has no value for {y}",
                    where="years",
                    hint="years with all four figures: "
                    + (", ".join(map(str, sorted(common))) or "none"),
                )
    return [int(y) for y in years]


def explain_series(
    area_a: pd.Series,
    production_a: pd.Series,
    area_b: pd.Series,
    production_b: pd.Series,
    *,
    labels: tuple[str, str] = ("a", "b"),
    years: Sequence[int] | None = None,
) -> SeriesDecomposition:
    """Split each year's production gap (b minus a) into an area effect and a yield effect.

    Parameters
    ----------
    area_a, production_a, area_b, production_b : pandas.Series
        Indexed by year; ha and t.
    labels : (str, str)
        Names of the series, used in tables and charts.
    years : sequence of int, optional
        Default: every year all four series have.

    Returns
    -------
    SeriesDecomposition

    """
    names = [
        f"{labels[0]} area",
        f"{labels[0]} production",
        f"{labels[1]} area",
        f"{labels[1]} production",
    ]
    yrs = _years_of([area_a, production_a, area_b, production_b], names, years)
    aa, pa = area_a.loc[yrs].to_numpy(float), production_a.loc[yrs].to_numpy(float)
    ab, pb = area_b.loc[yrs].to_numpy(float), production_b.loc[yrs].to_numpy(float)
    for vals, n in ((aa, names[0]), (pa, names[1]), (ab, names[2]), (pb, names[3])):
        if not (vals > 0).all():
            bad = yrs[int(np.flatnonzero(~(vals > 0))[0])]
            raise DataError(
                f"series {n} is not positive in {bad}", hint="LMDI needs positive values"
            )
    effects = lmdi({"area": aa, "yield": pa / aa}, {"area": ab, "yield": pb / ab})
    table = pd.DataFrame(
        {
            "year": yrs,
            "area_a": aa,
            "production_a": pa,
            "yield_a_kg_per_ha": pa / aa * 1000,
            "area_b": ab,
            "production_b": pb,
            "yield_b_kg_per_ha": pb / ab * 1000,
            "difference_t": pb - pa,
            "area_effect_t": effects["area"],
            "yield_effect_t": effects["yield"],
        }
    )
    return SeriesDecomposition((labels[0], labels[1]), table)


def implied_yields(area: pd.Series, production: pd.Series) -> pd.DataFrame:
    """Tonnes of cocaine per hectare implied by published area and production.

    Only years with both figures are returned (e.g. the US series: 2001, 2010-2012, 2015-2021).

    Returns
    -------
    pandas.DataFrame
        year, area_ha, production_t, t_per_ha, kg_per_ha.

    Examples
    --------
    >>> df = implied_yields(pd.Series([245000.0], [2020]), pd.Series([1010.0], [2020]))
    >>> df.round(5).iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'year': 2020.0, 'area_ha': 245000.0, 'production_t': 1010.0,
     't_per_ha': 0.00412, 'kg_per_ha': 4.12245}

    """
    yrs = sorted(set(area.dropna().index.astype(int)) & set(production.dropna().index.astype(int)))
    a = area.loc[yrs].to_numpy(float)
    p = production.loc[yrs].to_numpy(float)
    return pd.DataFrame(
        {"year": yrs, "area_ha": a, "production_t": p, "t_per_ha": p / a, "kg_per_ha": p / a * 1000}
    )
