"""Stratified estimation of area and accuracy when the strata are the map classes.

The estimators of Olofsson et al. (2013, 2014): error matrix in area proportions
p̂_ij = W_i n_ij / n_i·, class areas Â_j = A Σ_i p̂_ij (Cochran 1977 eq. 5.52) with
V̂(p̂_·j) = Σ_i W_i² (n_ij/n_i·)(1 − n_ij/n_i·)/(n_i· − 1) (Cochran eq. 5.57), user's accuracy
Û_i = n_ii / n_i· with V̂ = Û_i(1 − Û_i)/(n_i· − 1), producer's accuracy P̂_j = p̂_jj / p̂_·j with
the variance of Olofsson et al. (2014) eq. 7 (sum over i ≠ j), and overall accuracy
Ô = Σ_j p̂_jj with V̂(Ô) = Σ_i W_i² Û_i (1 − Û_i)/(n_i· − 1).

All of these are stratified estimators of totals or ratios of totals of unit indicators, and are
computed as such (:mod:`cocamonitor.area._core`); the Olofsson formulas are the closed forms of
the same numbers when strata and map classes coincide.

Intervals are normal approximations. They hold when every stratum's sample holds a fair number
(some 10-20 or more) of units of the class; rare omission errors in a large stratum (a couple of
coca points among hundreds of "other" points) make the sampling distribution skewed, and then
95 % intervals cover less often (about 86 % in a seeded simulation with two such points
expected). The remedy is in the design: a buffer stratum around mapped coca, or more units in
the large stratum (see :mod:`cocamonitor.sampling`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from cocamonitor.area._prepare import StrataAreas, estimate_rows
from cocamonitor.area._result import AreaEstimate
from cocamonitor.area.design import SampleDesign, register, run_design

__all__ = ["estimate_stratified"]


@register("stratified")
def estimate_stratified(
    sample: pd.DataFrame,
    strata_areas: StrataAreas,
    *,
    stratum: str = "stratum",
    reference: str = "reference_class",
    map_class: str = "map_class",
    confidence: float = 0.95,
    by: str | None = None,
    classes: Sequence[str] | None = None,
    collapse: Mapping[str, str] | None = None,
    collapse_variance: Mapping[str, str] | None = None,
    source: str | None = None,
    areas_source: str | None = None,
) -> AreaEstimate:
    """Estimate class areas and map accuracy from a sample stratified by map class.

    Parameters
    ----------
    sample : pandas.DataFrame
        One row per sample unit, with its stratum (= map class), reference class and,
        optionally, map class (defaults to the stratum when the column is absent) and a
        grouping column for ``by``.
    strata_areas : DataFrame with columns ``stratum``, ``area``, or mapping stratum → area
        Mapped area of each stratum, in any unit; estimates come out in the same unit.
    stratum, reference, map_class : str
        Column names.
    confidence : float, default 0.95
        Confidence level of the intervals (normal quantiles).
    by : str, optional
        Column with a domain label (department, municipality, ...): adds domain estimates of
        every class area with standard errors, from the same national sample (domain
        estimation; no re-stratification).
    classes : sequence of str, optional
        The known classes (default: the stratum labels). Reference labels outside them are an
        error.
    collapse : mapping str → str, optional
        Merge stratum ``key`` into stratum ``value`` before estimating (for strata with fewer
        than two sample units). The merged stratum is one stratum for the estimate and for its
        variance; this is unbiased only when both were sampled at the same rate (units per
        unit of area), and a :class:`~cocamonitor.errors.CocamonitorWarning` says so when the
        rates differ by more than 10 %. The map labels are kept (Stehman 2014 indicators).
    collapse_variance : mapping str → str, optional
        Group stratum ``key`` with stratum ``value`` *for the variance only* (collapsed strata
        technique, Cochran 1977 §5A.12; Wolter 2007 §2.5): the estimates keep every original
        stratum and stay unbiased whatever the sampling rates; the standard errors and
        intervals use the collapsed-strata variance of each group (pooled expanded unit values,
        see :func:`cocamonitor.area._core.grouped_variance`; for strata with one unit each it
        is Cochran's L/(L − 1) Σ_h (ŷ_h − Ŷ_g/L)²). It is conservative: in expectation too
        large, never too small, by more the more the grouped strata differ. This is the remedy
        for a stratum with one sample unit; group it with a stratum that is alike (class
        make-up, sampling rate). Recorded in ``AreaEstimate.variance_groups``. Unlike
        ``collapse``, nothing is merged.
    source, areas_source : str, optional
        Names of the two tables in error messages (file paths, from the command line).

    Returns
    -------
    AreaEstimate
        ``method="stratified"``.

    Raises
    ------
    InputError
        Missing columns or values, unknown classes or strata, strata without sample units or
        with fewer than two, invalid areas.

    Notes
    -----
    Olofsson et al. (2013) Remote Sens. Environ. 129:122-131; Olofsson et al. (2014) Remote Sens.
    Environ. 148:42-57; Cochran (1977) Sampling Techniques, 3rd ed., ch. 5. Finite population
    corrections are ignored, as in those papers.

    Examples
    --------
    Olofsson et al. (2013), Example 1 (areas in pixels):

    >>> import pandas as pd
    >>> cells = {("1", "1"): 97, ("1", "3"): 3, ("2", "1"): 3, ("2", "2"): 279,
    ...          ("2", "3"): 18, ("3", "1"): 2, ("3", "2"): 1, ("3", "3"): 97}
    >>> sample = pd.DataFrame(
    ...     [(m, r) for (m, r), n in cells.items() for _ in range(n)],
    ...     columns=["stratum", "reference_class"])
    >>> est = estimate_stratified(sample, {"1": 22353, "2": 1122543, "3": 610228})
    >>> round(est.classes["1"].area), round(est.classes["1"].area_se)
    (45112, 10751)
    >>> round(est.classes["1"].producers_accuracy, 2), round(est.overall_accuracy, 2)
    (0.48, 0.94)

    A stratum with a single unit ("edge") grouped with "coca" for the variance only; the
    estimate is that of the three original strata:

    >>> sample = pd.DataFrame({"stratum": ["coca", "coca", "edge", "other", "other"],
    ...                        "reference_class": ["coca", "other", "coca", "other", "other"]})
    >>> est = estimate_stratified(sample, {"coca": 10.0, "edge": 5.0, "other": 85.0},
    ...                           collapse_variance={"edge": "coca"})
    >>> est.classes["coca"].area, round(est.classes["coca"].area_se, 2), est.variance_groups
    (10.0, 5.0, {'coca': ('coca', 'edge')})

    """
    if isinstance(strata_areas, SampleDesign):
        return run_design(strata_areas, "stratified", sample, locals(),
                          confidence=confidence, by=by, source=source, areas_source=areas_source)
    return estimate_rows(
        "stratified",
        sample,
        strata_areas,
        stratum=stratum,
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
    )
