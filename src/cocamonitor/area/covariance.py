"""Covariance between two area estimates made from the same sample units (panel change).

When the same units are labelled for two years (a static panel), the change d̂ = Â_b − Â_a has
V̂(d̂) = V̂_a + V̂_b − 2 Ĉov(Â_a, Â_b), with Ĉov = Σ_h E_h² s_{ab,h} / n_h, s_{ab,h} the
within-stratum covariance of the two unit values (Cochran 1977 §5.2 for a stratified total of
y_a and y_b; Brus 2022 ch. 15). For a stratified sample this equals applying the estimator to the
unit differences y_b − y_a. Strata grouped for the variance (``collapse_variance``) share one
covariance term, computed as in :func:`cocamonitor.area._core.grouped_variance`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.area._result import AreaEstimate
from cocamonitor.errors import DesignError, UnknownNameError, suggest

__all__ = ["estimate_covariance"]


def estimate_covariance(a: AreaEstimate, b: AreaEstimate, class_a: str, class_b: str | None = None) -> float:
    """Estimated covariance of the area of ``class_a`` in ``a`` and ``class_b`` in ``b``.

    Both estimates must come from the same units in the same strata (units are matched on the
    sample's index for pixel samples, on the cluster id for two-stage samples: set the index of
    both samples to a unit id).

    Parameters
    ----------
    a, b : AreaEstimate
        Estimates with unit-level data (``.units``), e.g. two years of one panel.
    class_a : str
        Class in ``a``.
    class_b : str, optional
        Class in ``b`` (default ``class_a``).

    Returns
    -------
    float
        Ĉov(Â_a, Â_b) in squared area units.

    Raises
    ------
    DesignError
        The estimates do not share their units, strata or expansion factors.

    Examples
    --------
    >>> import pandas as pd
    >>> from cocamonitor.area import estimate_stratified
    >>> y1 = pd.DataFrame({"stratum": list("aaabbb"), "reference_class": list("aabbbb")})
    >>> y2 = pd.DataFrame({"stratum": list("aaabbb"), "reference_class": list("abbbba")})
    >>> areas = {"a": 10.0, "b": 90.0}
    >>> e1, e2 = estimate_stratified(y1, areas), estimate_stratified(y2, areas)
    >>> round(estimate_covariance(e1, e1, "a"), 6) == round(e1.classes["a"].area_se ** 2, 6)
    True

    """
    class_b = class_a if class_b is None else class_b
    for est, cls in ((a, class_a), (b, class_b)):
        if est.units is None:
            raise DesignError("the estimate carries no unit-level data", where="panel_covariance")
        if f"y:{cls}" not in est.units.columns:
            raise UnknownNameError(f"unknown class {cls!r}", where="panel_covariance", hint=suggest(cls, est.classes))
    assert a.units is not None and b.units is not None
    ua = a.units.set_index("unit")
    ub = b.units.set_index("unit")
    if ua.index.has_duplicates or ub.index.has_duplicates:
        raise DesignError(
            "unit ids are not unique",
            where="panel_covariance",
            hint="give each sample unit its own id (the sample's index)",
        )
    if not ua.index.sort_values().equals(ub.index.sort_values()):
        raise DesignError(
            "the two estimates do not use the same sample units",
            where="panel_covariance",
            hint="a panel covariance needs the same units in both; for independent samples it is 0",
        )
    ub = ub.loc[ua.index]
    if not (ua["stratum"].to_numpy() == ub["stratum"].to_numpy()).all() or not np.allclose(
        ua["expansion"].to_numpy(), ub["expansion"].to_numpy()
    ):
        raise DesignError(
            "the two estimates place the units in different strata or weights",
            where="panel_covariance",
            hint="estimate both years with the same strata and strata areas",
        )
    ga = ua["variance_group"] if "variance_group" in ua.columns else ua["stratum"]
    gb = ub["variance_group"] if "variance_group" in ub.columns else ub["stratum"]
    if not (ga.to_numpy() == gb.to_numpy()).all():
        raise DesignError(
            "the two estimates group different strata for the variance",
            where="panel_covariance",
            hint="estimate both years with the same collapse_variance",
        )
    # unit contributions z_i = (E_h / n_h) y_i; within each variance group (a stratum, or
    # strata grouped by collapse_variance) Ĉov = n_g/(n_g − 1) Σ (z_a − z̄_a)(z_b − z̄_b)
    w = ua["expansion"].to_numpy(dtype=float) / ua["n_stratum"].to_numpy(dtype=float)
    za = w * ua[f"y:{class_a}"].to_numpy(dtype=float)
    zb = w * ub[f"y:{class_b}"].to_numpy(dtype=float)
    codes, uniq = pd.factorize(ga.to_numpy())
    n_g = np.bincount(codes, minlength=len(uniq)).astype(float)
    da = za - (np.bincount(codes, weights=za, minlength=len(uniq)) / n_g)[codes]
    db = zb - (np.bincount(codes, weights=zb, minlength=len(uniq)) / n_g)[codes]
    s = np.bincount(codes, weights=da * db, minlength=len(uniq))
    return float(np.sum(s * n_g / (n_g - 1.0)))


def __getattr__(name: str) -> Any:
    if name == "panel_covariance":
        warnings.warn("cocamonitor.area.covariance.panel_covariance is deprecated; use estimate_covariance",
                      DeprecationWarning, stacklevel=2)
        return estimate_covariance
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
