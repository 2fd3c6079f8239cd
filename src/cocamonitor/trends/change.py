"""Change between two years, with the covariance term when the same units were observed twice.

For estimates ``z_a`` (year a) and ``z_b`` (year b) with variances ``V_a``, ``V_b`` and
covariance ``C`` (``reference/methodology.md`` §D.1):

    d = z_b - z_a,   V(d) = V_a + V_b - 2 C,   Z = d / sqrt(V(d)),   p = 2 (1 - Phi(|Z|))

Independent samples have ``C = 0``. When the same sample units were observed in both years
(a panel), :func:`panel_covariance` computes ``C`` from the unit-level data exactly as the
stratified estimator weights them: for the estimator of a total ``Y = sum_h N_h ybar_h``,

    C = sum_h N_h^2 (1 - f_h) s_ab,h / n_h,   s_ab,h = sum_{k in h} (y_ak - ybar_ah)(y_bk - ybar_bh) / (n_h - 1)

(Cochran 1977, §5.9 applied to two variables; ``f_h = n_h/N_h`` with ``fpc=True``). This
equals the stratified variance of the unit differences ``y_bk - y_ak``. For an area
estimate, ``N_h`` is the stratum's mapped area and ``y`` the share of each sample unit that
is of the class (Olofsson et al. 2014, eq. 9-10).

The ratio ``R = z_b / z_a`` (``percent_change = 100 (R - 1)``) gets a delta-method interval
on the log scale: ``V(log R) ~ V_a/z_a^2 + V_b/z_b^2 - 2 C / (z_a z_b)``.

Census figures (the UNODC/SIMCI series) are published without a standard error. The change
is then reported without a test, and :func:`census_sensitivity` asks: if each year's figure
had a relative standard error ``r`` (errors correlated ``rho`` between the years), would the
change be significant? The critical ``r`` has a closed form,

    r* = |d| / (z_{1-alpha/2} sqrt(z_a^2 + z_b^2 - 2 rho |z_a z_b|))

e.g. 143,000 -> 204,000 ha (+43 %) stays significant at 95 % up to ``r* = 12.5 %``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cocamonitor.errors import DataError, DesignError, InputError, ParameterError, suggest
from cocamonitor.results import Estimate as Row
from cocamonitor.results import Table, nested, numbers
from cocamonitor.trends._series import check_confidence

__all__ = [
    "ChangeResult",
    "Estimate",
    "PanelCovariance",
    "SensitivityResult",
    "as_estimate",
    "census_sensitivity",
    "change",
    "panel_covariance",
]

DEFAULT_RELATIVE_ERRORS = (0.01, 0.02, 0.05, 0.10, 0.15, 0.20, 0.30)


@dataclass(frozen=True)
class Estimate:
    """One year's estimate: value, standard error (``None`` for a census figure), unit.

    Examples
    --------
    >>> Estimate(143000.0, None, "ha").is_census
    True

    """

    value: float
    se: float | None = None
    unit: str | None = None
    label: str | None = None

    @property
    def is_census(self) -> bool:
        """True when no standard error is known."""
        return self.se is None


def _class_of(classes: Any, label: str | None, where: str) -> tuple[Any, str]:
    keys = [str(k) for k in classes.keys()]
    if label is None:
        if len(keys) == 1:
            label = keys[0]
        else:
            raise InputError(
                f"an area estimate has several classes ({', '.join(keys)})", where=where,
                hint="say which one to compare (label=..., `label` ...)",
            )
    if label not in classes:
        raise InputError(f"class {label!r} is not in the area estimate", where=where,
                         hint=suggest(label, keys))
    return classes[label], label


def as_estimate(obj: Any, *, label: str | None = None, where: str = "estimate") -> Estimate:
    """Turn what the caller has into an :class:`Estimate`.

    Accepted: an :class:`Estimate`; a number (census, no SE); a pair ``(value, se)`` or a
    triple ``(value, se, unit)`` (``se`` may be ``None``); a dict with ``value``/``se``
    (or ``estimate``/``se``); an area-estimate result — any object with
    ``.classes[label].area`` and ``.area_se`` (e.g. :class:`cocamonitor.area.AreaEstimate`) or
    the Area estimate JSON dict (``{"unit": ..., "classes": {label: {"area": ...,
    "area_se": ...}}}``).

    Examples
    --------
    >>> as_estimate({"unit": "ha", "classes": {"coca": {"area": 120.0, "area_se": 8.0}}})
    Estimate(value=120.0, se=8.0, unit='ha', label='coca')

    """
    if isinstance(obj, Estimate):
        est = obj
    elif isinstance(obj, Mapping) and "classes" in obj:
        cls, lab = _class_of(obj["classes"], label, where)
        est = Estimate(cls["area"], cls.get("area_se"), obj.get("unit"), lab)
    elif hasattr(obj, "classes"):
        cls, lab = _class_of(obj.classes, label, where)
        area = cls["area"] if isinstance(cls, Mapping) else cls.area
        area_se = cls.get("area_se") if isinstance(cls, Mapping) else getattr(cls, "area_se", None)
        est = Estimate(area, area_se, getattr(obj, "unit", None), lab)
    elif isinstance(obj, Mapping):
        key = "value" if "value" in obj else "estimate" if "estimate" in obj else None
        if key is None:
            raise InputError("an estimate dict needs 'value' (or 'estimate') and 'se'", where=where)
        est = Estimate(obj[key], obj.get("se"), obj.get("unit"), obj.get("label"))
    elif isinstance(obj, Sequence) and not isinstance(obj, str):
        if len(obj) not in (2, 3):
            raise InputError(
                f"expected (value, se) or (value, se, unit), got {len(obj)} items", where=where
            )
        est = Estimate(obj[0], obj[1], obj[2] if len(obj) == 3 else None)
    elif isinstance(obj, int | float | np.number):
        est = Estimate(float(obj), None)
    else:
        raise InputError(f"cannot read an estimate from {type(obj).__name__}", where=where,
                         hint="give (value, se), a number, or an area-estimate result")
    try:
        value = float(est.value)
        se = None if est.se is None else float(est.se)
    except (TypeError, ValueError):
        raise DataError(f"estimate and SE must be numbers, got {est.value!r}, {est.se!r}",
                        where=where) from None
    if not np.isfinite(value):
        raise DataError(f"estimate is not a finite number: {value}", where=where)
    if se is not None and (not np.isfinite(se) or se < 0):
        raise DataError(f"standard error must be a finite number >= 0, got {se}", where=where)
    if abs(value) > _LARGEST or (se is not None and se > _LARGEST):
        raise DataError(f"{value:g} (SE {se if se is None else f'{se:g}'}) is too large to compute a change with",
                        where=where, hint="express it in a larger unit (e.g. thousands of ha)")
    return Estimate(value, se, None if est.unit is None else str(est.unit), est.label)


#: largest estimate or SE accepted: its square and products stay far from float overflow
_LARGEST = 1e100


def _check_units(a: Estimate, b: Estimate) -> str | None:
    if a.unit is not None and b.unit is not None and a.unit != b.unit:
        raise InputError(
            f"mismatched units: {a.unit!r} in the first estimate, {b.unit!r} in the second",
            where="change", hint="convert both to the same unit before comparing",
        )
    return a.unit if a.unit is not None else b.unit


def _critical_relative_error(a: float, b: float, zq: float, rho: float) -> float:
    denom = a**2 + b**2 - 2 * rho * abs(a * b)
    if denom <= 0:
        return float("inf")
    return float(abs(b - a) / (zq * np.sqrt(denom)))


@dataclass(frozen=True)
class ChangeResult:
    """Change between two estimates.

    Attributes
    ----------
    estimate_a, estimate_b : float
        The two estimates (a = earlier / reference, b = later).
    se_a, se_b : float or None
        Their standard errors (``None`` for census figures).
    cov : float or None
        Covariance used; ``correlation`` is ``cov / (se_a se_b)``.
    difference, difference_se : float, float or None
        ``b - a`` and its standard error ``sqrt(V_a + V_b - 2 cov)``.
    difference_ci : tuple of float or None
        Normal interval of the difference.
    z, p_value : float or None
        Test of no change (two-sided).
    significant : bool or None
        ``p_value < 1 - confidence``; ``None`` for census figures.
    ratio, ratio_ci : float or None, tuple or None
        ``b / a`` and its log-scale delta-method interval (positive estimates only).
    percent_change, percent_change_ci : float or None, tuple or None
        ``100 (ratio - 1)`` and its interval.
    critical_relative_error : float
        Relative SE (equal in both years, independent errors) at which the change would
        stop being significant at ``confidence``.
    census : bool
        True when either estimate has no standard error.
    confidence : float
        Level of the intervals and test.
    unit, label, year_a, year_b : str, str, int, int or None
        What was compared.
    note : str
        Plain-language caveat (census figures, covariance source).

    """

    estimate_a: float
    estimate_b: float
    se_a: float | None
    se_b: float | None
    cov: float | None
    correlation: float | None
    difference: float
    difference_se: float | None
    difference_ci: tuple[float, float] | None
    z: float | None
    p_value: float | None
    significant: bool | None
    ratio: float | None
    ratio_ci: tuple[float, float] | None
    percent_change: float | None
    percent_change_ci: tuple[float, float] | None
    critical_relative_error: float
    census: bool
    confidence: float
    unit: str | None = None
    label: str | None = None
    year_a: int | None = None
    year_b: int | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-ready dict."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for key in ("difference_ci", "ratio_ci", "percent_change_ci"):
            if out[key] is not None:
                out[key] = list(out[key])
        return out

    def estimates(self) -> Iterator[Row]:
        """Yield the two estimates and the difference (in :attr:`unit`), ratio and percent change with intervals.

        >>> r = change((100.0, 5.0), (120.0, 6.0))
        >>> d = next(e for e in r.estimates() if e.quantity == "difference")
        >>> d.value, round(d.se, 3), round(d.ci_low, 2)
        (20.0, 7.81, 4.69)
        """
        yield from numbers("", self.to_dict(), se=("difference",),
                           ci={"difference": "difference_ci", "ratio": "ratio_ci",
                               "percent_change": "percent_change_ci"},
                           units=dict.fromkeys(("estimate_a", "estimate_b", "difference"), self.unit))

    def to_frame(self) -> pd.DataFrame:
        """Return one row; intervals split into ``*_low`` / ``*_high`` columns."""
        d = self.to_dict()
        for key in ("difference_ci", "ratio_ci", "percent_change_ci"):
            lo, hi = d.pop(key) or (None, None)
            d[key.replace("_ci", "_low")], d[key.replace("_ci", "_high")] = lo, hi
        return pd.DataFrame([d])


def change(
    a: Any,
    b: Any,
    *,
    cov: float | PanelCovariance | str | None = None,
    correlation: float | None = None,
    label: str | None = None,
    confidence: float = 0.95,
    year_a: int | None = None,
    year_b: int | None = None,
) -> ChangeResult:
    """Difference and ratio between two estimates, with their uncertainty and a test.

    Parameters
    ----------
    a, b : estimate-like
        Earlier and later estimate: ``(value, se)`` pairs, numbers (census figures), area
        estimate results or their JSON dicts (see :func:`as_estimate`).
    cov : float, PanelCovariance or "panel", optional
        Covariance between the two estimates (panel design); default 0 (independent
        samples). A :class:`PanelCovariance` supplies its ``cov``. ``"panel"`` computes it
        from the unit-level data of two :class:`cocamonitor.area.AreaEstimate` results made
        from the same sample units (via :func:`cocamonitor.area.estimate_covariance`).
    correlation : float, optional
        Alternative to ``cov``: ``cov = correlation * se_a * se_b``.
    label : str, optional
        Class to compare in area estimates (e.g. ``"coca"``).
    confidence : float, default 0.95
        Level of the intervals; the test is significant when ``p < 1 - confidence``.
    year_a, year_b : int, optional
        Years, carried into the result for display.

    Returns
    -------
    ChangeResult

    Raises
    ------
    InputError
        Negative SEs, mismatched units, a covariance impossible for the SEs.

    Examples
    --------
    >>> r = change((100.0, 6.0), (130.0, 8.0))
    >>> r.difference, r.difference_se, round(r.p_value, 4)
    (30.0, 10.0, 0.0027)
    >>> change(143000, 204000).census  # census figures: no test, see critical_relative_error
    True

    """
    level = check_confidence(confidence)
    ea, eb = as_estimate(a, label=label, where="a"), as_estimate(b, label=label, where="b")
    unit = _check_units(ea, eb)
    zq = float(stats.norm.ppf(0.5 + level / 2))
    d = eb.value - ea.value
    ratio = eb.value / ea.value if ea.value != 0 else None
    pct = None if ratio is None else 100.0 * (ratio - 1.0)
    crit = _critical_relative_error(ea.value, eb.value, zq, 0.0)
    if isinstance(cov, PanelCovariance):
        cov = cov.cov
    elif isinstance(cov, str):
        if cov != "panel":
            raise ParameterError(f"cov must be a number, a PanelCovariance or 'panel', got {cov!r}",
                                 where="cov")
        if getattr(a, "units", None) is None or getattr(b, "units", None) is None:
            raise InputError(
                "cov='panel' needs two area estimates that carry their unit-level data (.units)",
                where="cov", hint="estimate both years with cocamonitor.area from the same sample units",
            )
        from cocamonitor.area import estimate_covariance as _area_panel_covariance

        assert ea.label is not None  # area estimates always carry their class label
        cov = _area_panel_covariance(a, b, ea.label, eb.label)
    if cov is not None and correlation is not None:
        raise ParameterError("give either cov or correlation, not both", where="cov")
    lab = ea.label or eb.label
    if ea.is_census or eb.is_census:
        names = (str(year_a) if year_a is not None else "a", str(year_b) if year_b is not None else "b")
        which = " and ".join(n for n, e in zip(names, (ea, eb), strict=True) if e.is_census)
        note = (
            f"no standard error for {which} (census figure): the change cannot be tested; it "
            f"would stop being significant at {level:.0%} if each year's figure had a relative "
            f"standard error above {crit:.1%} (independent errors)"
        )
        return ChangeResult(
            ea.value, eb.value, ea.se, eb.se, None, None, d, None, None, None, None, None,
            ratio, None, pct, None, crit, True, level, unit, lab, year_a, year_b, note,
        )
    assert ea.se is not None and eb.se is not None  # neither is a census figure
    if correlation is not None:
        if not -1.0 <= correlation <= 1.0:
            raise ParameterError(f"correlation must be in [-1, 1], got {correlation}",
                                 where="correlation")
        cov = correlation * ea.se * eb.se
    cov = 0.0 if cov is None else float(cov)
    bound = ea.se * eb.se
    if abs(cov) > bound * (1 + 1e-9) + 1e-300:
        raise DataError(
            f"covariance {cov:g} exceeds se_a * se_b = {bound:g} (correlation beyond ±1)",
            where="cov", hint="check that the covariance is on the scale of the estimates",
        )
    rho = cov / bound if bound > 0 else None
    var_d = max(ea.se**2 + eb.se**2 - 2 * cov, 0.0)
    se_d = float(np.sqrt(var_d))
    if se_d > 0:
        z = d / se_d
        p = float(2 * stats.norm.sf(abs(z)))
    else:
        z = 0.0 if d == 0 else float(np.sign(d) * np.inf)
        p = 1.0 if d == 0 else 0.0
    ratio_ci = pct_ci = None
    if ea.value > 0 and eb.value > 0:
        var_log = ea.se**2 / ea.value**2 + eb.se**2 / eb.value**2 - 2 * cov / (ea.value * eb.value)
        se_log = np.sqrt(max(var_log, 0.0))
        ratio_ci = (float(ratio * np.exp(-zq * se_log)), float(ratio * np.exp(zq * se_log)))
        pct_ci = (100 * (ratio_ci[0] - 1), 100 * (ratio_ci[1] - 1))
    note = ("independent samples (covariance 0)" if cov == 0 else
            f"covariance {cov:g} between the two estimates (correlation {rho:.2f})")
    return ChangeResult(
        ea.value, eb.value, ea.se, eb.se, cov, rho, d, se_d, (d - zq * se_d, d + zq * se_d),
        float(z), p, bool(p < 1 - level), ratio, ratio_ci, pct, pct_ci, crit, False, level,
        unit, lab, year_a, year_b, note,
    )


@dataclass(frozen=True)
class SensitivityResult:
    """How significant a change between two census figures would be under assumed errors.

    Attributes
    ----------
    estimate_a, estimate_b : float
        The two figures.
    correlation : float
        Assumed correlation of the two years' errors.
    confidence : float
        Level of the test.
    critical_relative_error : float
        Relative SE (same in both years) at which ``p = 1 - confidence``: below it the change
        is significant.
    table : pandas.DataFrame
        One row per assumed relative error: ``relative_error``, ``se_a``, ``se_b``,
        ``difference_se``, ``z``, ``p_value``, ``significant``.

    """

    estimate_a: float
    estimate_b: float
    correlation: float
    confidence: float
    critical_relative_error: float
    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Return the table of assumed relative errors."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-ready dict (table as records)."""
        return {
            "estimate_a": self.estimate_a, "estimate_b": self.estimate_b,
            "correlation": self.correlation, "confidence": self.confidence,
            "critical_relative_error": self.critical_relative_error,
            "table": self.table.to_dict(orient="records"),
        }

    def estimates(self) -> Iterator[Row]:
        """Yield the figures and critical error, then each row of the table (``table/0``, ...)."""
        yield from numbers("", self.to_dict())
        cols = [c for c in self.table.columns if c != "significant"]
        yield from nested("table", Table(self.table, (), dict.fromkeys(cols)).estimates())


def census_sensitivity(
    a: Any,
    b: Any,
    *,
    relative_errors: Sequence[float] = DEFAULT_RELATIVE_ERRORS,
    correlation: float = 0.0,
    confidence: float = 0.95,
) -> SensitivityResult:
    """Significance of a change between census figures under assumed relative errors.

    Parameters
    ----------
    a, b : estimate-like
        The earlier and later figure (their SEs, if any, are ignored).
    relative_errors : sequence of float
        Relative standard errors to try (0.05 = 5 % of each year's figure).
    correlation : float, default 0
        Assumed correlation of the two years' errors (positive when the same method biases
        both years alike, which makes the change *more* precise).
    confidence : float, default 0.95
        Level of the test.

    Returns
    -------
    SensitivityResult

    Examples
    --------
    >>> s = census_sensitivity(143000, 204000)
    >>> round(s.critical_relative_error, 3)
    0.125

    """
    level = check_confidence(confidence)
    if not -1.0 <= correlation <= 1.0:
        raise ParameterError(f"correlation must be in [-1, 1], got {correlation}",
                             where="correlation")
    ea, eb = as_estimate(a, where="a"), as_estimate(b, where="b")
    _check_units(ea, eb)
    r = np.asarray(relative_errors, dtype=float).ravel()
    if r.size == 0 or np.any(~np.isfinite(r)) or np.any(r < 0):
        raise DataError("relative errors must be numbers >= 0", where="relative_errors")
    zq = float(stats.norm.ppf(0.5 + level / 2))
    va, vb = ea.value, eb.value
    se_a, se_b = r * abs(va), r * abs(vb)
    se_d = np.sqrt(np.maximum(se_a**2 + se_b**2 - 2 * correlation * se_a * se_b, 0.0))
    d = vb - va
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se_d > 0, d / np.where(se_d > 0, se_d, 1.0), np.sign(d) * np.inf)
    p = np.where(np.isfinite(z), 2 * stats.norm.sf(np.abs(z)), np.where(d == 0, 1.0, 0.0))
    table = pd.DataFrame({
        "relative_error": r, "se_a": se_a, "se_b": se_b, "difference_se": se_d,
        "z": z, "p_value": p, "significant": p < 1 - level,
    })
    return SensitivityResult(va, vb, float(correlation), level,
                             _critical_relative_error(va, vb, zq, correlation), table)


@dataclass(frozen=True)
class PanelCovariance:
    """Variances and covariance of two stratified estimates from the same sample units.

    Attributes
    ----------
    estimate_a, estimate_b : float
        Stratified estimates of the total in each year, ``sum_h N_h ybar_h``.
    var_a, var_b : float
        Their variances.
    cov : float
        Their covariance.
    correlation : float
        ``cov / sqrt(var_a var_b)``.
    by_stratum : pandas.DataFrame
        Per stratum: ``n``, ``size``, means, variances and covariance of the unit values.
    fpc : bool
        Whether the finite population correction was applied.

    """

    estimate_a: float
    estimate_b: float
    var_a: float
    var_b: float
    cov: float
    correlation: float
    by_stratum: pd.DataFrame
    fpc: bool

    def change(self, *, confidence: float = 0.95, unit: str | None = None) -> ChangeResult:
        """Change ``b - a`` using this covariance."""
        return change(
            Estimate(self.estimate_a, float(np.sqrt(self.var_a)), unit),
            Estimate(self.estimate_b, float(np.sqrt(self.var_b)), unit),
            cov=self.cov, confidence=confidence,
        )

    def to_frame(self) -> pd.DataFrame:
        """Return the per-stratum table."""
        return self.by_stratum.copy()

    def to_dict(self) -> dict[str, Any]:
        """Return the totals (without the per-stratum table) as a dict."""
        return {
            "estimate_a": self.estimate_a, "estimate_b": self.estimate_b, "var_a": self.var_a,
            "var_b": self.var_b, "cov": self.cov, "correlation": self.correlation,
            "fpc": self.fpc,
        }


def panel_covariance(
    y_a: Any,
    y_b: Any,
    strata: Any = None,
    stratum_sizes: Mapping[Any, float] | float | None = None,
    *,
    fpc: bool = False,
) -> PanelCovariance:
    """Covariance of two stratified estimates computed from the same sample units.

    Parameters
    ----------
    y_a, y_b : array-like
        Value of each sample unit in year a and year b (same units, same order), e.g. the
        share of the unit that is coca.
    strata : array-like, optional
        Stratum of each unit; omitted means one stratum (simple random sample).
    stratum_sizes : mapping or float
        Size of each stratum in the estimator ``sum_h N_h ybar_h``: number of population
        units, or mapped area (then the estimate is an area). A single number when there are
        no strata.
    fpc : bool, default False
        Apply the finite population correction ``1 - n_h/N_h`` (``N_h`` must then count
        units).

    Returns
    -------
    PanelCovariance

    Raises
    ------
    InputError
        Lengths differ, missing values, a stratum without a size.
    DesignError
        A stratum with fewer than 2 sample units.

    Examples
    --------
    >>> pc = panel_covariance([0, 1, 1, 0, 1, 0], [0, 1, 1, 1, 1, 0],
    ...                       ["x", "x", "x", "y", "y", "y"], {"x": 100, "y": 200})
    >>> round(pc.estimate_a, 2), round(pc.estimate_b, 2), round(pc.cov, 2)
    (133.33, 200.0, 3333.33)

    """
    ya = np.asarray(y_a, dtype=float).ravel()
    yb = np.asarray(y_b, dtype=float).ravel()
    if ya.size != yb.size:
        raise InputError(
            f"{ya.size} units in year a but {yb.size} in year b", where="y_b",
            hint="a panel needs the same units, in the same order, in both years",
        )
    if ya.size == 0:
        raise InputError("no sample units", where="y_a")
    if np.any(~np.isfinite(ya)) or np.any(~np.isfinite(yb)):
        raise DataError("unit values must be finite numbers (no missing values)", where="y_a/y_b")
    if strata is None:
        h = np.zeros(ya.size, dtype=int)
        if stratum_sizes is None or isinstance(stratum_sizes, Mapping):
            raise InputError("give the population size (or area) as stratum_sizes",
                             where="stratum_sizes")
        sizes_map: Mapping[Any, float] = {0: float(stratum_sizes)}
    else:
        h = np.asarray(strata).ravel()
        if h.size != ya.size:
            raise InputError(f"{h.size} strata labels for {ya.size} units", where="strata")
        if not isinstance(stratum_sizes, Mapping):
            raise InputError("stratum_sizes must map each stratum to its size", where="stratum_sizes")
        sizes_map = stratum_sizes
    labels, inv = np.unique(h, return_inverse=True)
    n = np.bincount(inv).astype(float)
    missing = [lab for lab in labels.tolist() if lab not in sizes_map]
    if missing:
        raise InputError(f"no size for stratum/strata {', '.join(map(str, missing))}",
                         where="stratum_sizes", hint=suggest(str(missing[0]), map(str, sizes_map)))
    if np.any(n < 2):
        k = int(np.argmax(n < 2))
        raise DesignError(
            f"stratum {labels[k]!r} has {int(n[k])} sample unit(s); variances "
            "need at least 2 per stratum", where="strata", hint="merge it with a similar stratum",
        )
    size = np.array([float(sizes_map[lab]) for lab in labels.tolist()])
    if np.any(size <= 0) or np.any(~np.isfinite(size)):
        raise DataError("stratum sizes must be positive numbers", where="stratum_sizes")
    mean_a = np.bincount(inv, weights=ya) / n
    mean_b = np.bincount(inv, weights=yb) / n
    dev_a, dev_b = ya - mean_a[inv], yb - mean_b[inv]
    s_aa = np.bincount(inv, weights=dev_a**2) / (n - 1)
    s_bb = np.bincount(inv, weights=dev_b**2) / (n - 1)
    s_ab = np.bincount(inv, weights=dev_a * dev_b) / (n - 1)
    if fpc and np.any(n > size):
        raise DesignError("more sample units than population units in a stratum with fpc=True",
                          where="stratum_sizes")
    factor = size**2 / n * ((1 - n / size) if fpc else 1.0)
    var_a, var_b = float((factor * s_aa).sum()), float((factor * s_bb).sum())
    cov = float((factor * s_ab).sum())
    by = pd.DataFrame({
        "stratum": labels, "n": n.astype(int), "size": size, "mean_a": mean_a,
        "mean_b": mean_b, "var_a": s_aa, "var_b": s_bb, "cov_ab": s_ab,
    })
    denom = np.sqrt(var_a * var_b)
    return PanelCovariance(
        estimate_a=float((size * mean_a).sum()), estimate_b=float((size * mean_b).sum()),
        var_a=var_a, var_b=var_b, cov=cov, correlation=float(cov / denom) if denom > 0 else 0.0,
        by_stratum=by, fpc=bool(fpc),
    )
