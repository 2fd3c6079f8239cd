"""Post-stratified estimation for simple random or systematic samples.

A simple random (or systematic) sample of points is labelled, and afterwards each point is
assigned to the map class it falls in (its post-stratum). The point estimator is the stratified
estimator with the map-class areas as weights (Olofsson et al. 2013 call it the stratified
estimator "often labeled a poststratified estimator" for these designs). The sample sizes n_h
are now random; two variance estimators are offered:

``variance="conditional"`` (default) — conditional on the realised n_h, the stratified formula
    Σ_h W_h² s²_h / n_h (Holt & Smith 1979; the form used by Olofsson et al.).
``variance="unconditional"`` — its expectation over the n_h (Cochran 1977 eq. 5A.40, without the
    finite population correction): (1/n) Σ_h W_h s²_h + (1/n²) Σ_h (1 − W_h) s²_h.

Both are adequate when every post-stratum has some 20-30 units or more; a warning says when one
has fewer than 20. User's and producer's accuracies use the conditional linearised variance.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from cocamonitor.area._core import StratumMoments
from cocamonitor.area._prepare import StrataAreas, check_confidence, estimate_rows
from cocamonitor.area._result import AreaEstimate
from cocamonitor.area.design import SampleDesign, register, run_design
from cocamonitor.errors import CocamonitorWarning, ParameterError

__all__ = ["estimate_post_stratified", "unconditional_variance"]


def unconditional_variance(m: StratumMoments, expansion: np.ndarray) -> np.ndarray:
    """Unconditional variance of post-stratified totals (Cochran 1977 eq. 5A.40, no fpc).

    Works on batched moments: ``m.var`` (..., H, V), ``m.n`` (..., H); returns (..., V).
    """
    e = np.asarray(expansion, dtype=float)
    a = e.sum()
    w = e / a
    n = m.n.sum(axis=-1)[..., None]
    first = np.einsum("...hv,h->...v", m.var, w) / n
    second = np.einsum("...hv,h->...v", m.var, 1.0 - w) / n**2
    return a**2 * (first + second)


@register("post_stratified")
def estimate_post_stratified(
    sample: pd.DataFrame,
    strata_areas: StrataAreas,
    *,
    post_stratum: str = "map_class",
    reference: str = "reference_class",
    map_class: str = "map_class",
    variance: Literal["conditional", "unconditional"] = "conditional",
    confidence: float = 0.95,
    by: str | None = None,
    classes: Sequence[str] | None = None,
    collapse: Mapping[str, str] | None = None,
    collapse_variance: Mapping[str, str] | None = None,
    source: str | None = None,
    areas_source: str | None = None,
) -> AreaEstimate:
    """Estimate class areas from a simple random or systematic sample, post-stratified by map.

    Parameters
    ----------
    sample : pandas.DataFrame
        One row per sample point with its post-stratum (by default its map class), reference
        class, and optionally a domain column for ``by``.
    strata_areas : DataFrame with columns ``stratum``, ``area``, or mapping post-stratum → area
        Mapped area of each post-stratum (any unit).
    post_stratum, reference, map_class : str
        Column names; ``post_stratum`` defaults to the map-class column.
    variance : {"conditional", "unconditional"}, default "conditional"
        Variance estimator of the areas and overall accuracy (see the module notes).
    confidence : float, default 0.95
        Confidence level (normal quantiles).
    by : str, optional
        Domain column: adds domain estimates of every class area.
    classes : sequence of str, optional
        Known classes (default: the post-stratum labels).
    collapse : mapping str → str, optional
        Merge post-stratum ``key`` into ``value`` for the estimate *and* the variance (for
        post-stratums with fewer than 2 points); biased when the two were sampled at different rates.
    collapse_variance : mapping str → str, optional
        Group post-stratum ``key`` with ``value`` for the *variance only* (collapsed strata, Cochran
        1977 §5A.12): the estimates keep every post-stratum; the SEs are conservative. The remedy for
        a post-stratum with one point; see :func:`~cocamonitor.area.estimate_stratified`.
        Needs ``variance='conditional'``.
    source, areas_source : str, optional
        Names of the tables in error messages.

    Returns
    -------
    AreaEstimate
        ``method="post_stratified"``.

    Notes
    -----
    Cochran (1977) §5A.9; Holt, D. & Smith, T. M. F. (1979) Post stratification. J. R. Stat.
    Soc. A 142:33-46; Olofsson et al. (2013).

    Examples
    --------
    >>> import pandas as pd
    >>> sample = pd.DataFrame({
    ...     "map_class": ["coca"] * 3 + ["other"] * 7,
    ...     "reference_class": ["coca", "coca", "other"] + ["other"] * 6 + ["coca"]})
    >>> est = estimate_post_stratified(sample, {"coca": 300.0, "other": 700.0})
    >>> round(est.classes["coca"].area, 1)
    300.0

    """
    if isinstance(strata_areas, SampleDesign):
        return run_design(strata_areas, "post_stratified", sample, locals(),
                          confidence=confidence, by=by, source=source, areas_source=areas_source)
    confidence = check_confidence(confidence)
    if variance not in ("conditional", "unconditional"):
        raise ParameterError(
            f"unknown variance {variance!r}",
            where="variance",
            hint="use 'conditional' or 'unconditional'",
        )
    if collapse_variance and variance == "unconditional":
        raise ParameterError(
            "collapse_variance works with the conditional variance only",
            where="variance",
            hint="use the conditional variance (variance='conditional', `variance` conditional)",
        )
    est = estimate_rows(
        "post_stratified",
        sample,
        strata_areas,
        stratum=post_stratum,
        reference=reference,
        map_class=map_class,
        confidence=confidence,
        by=by,
        classes=classes,
        collapse=collapse,
        collapse_variance=collapse_variance,
        classes_from_strata=True,
        source=source,
        areas_source=areas_source,
        variance_fn=unconditional_variance if variance == "unconditional" else None,
    )
    assert est.units is not None
    n_h = est.units.groupby("stratum", sort=False)["n_stratum"].first()
    if (n_h < 20).any():
        name = str(n_h.index[np.flatnonzero(n_h.to_numpy() < 20)[0]])
        warnings.warn(
            f"post-stratum {name!r} has only {int(n_h[name])} points; post-stratified variances "
            "are reliable with 20 or more per post-stratum; collapse small post-strata or use a "
            "stratified design",
            CocamonitorWarning,
            stacklevel=2,
        )
    return est
