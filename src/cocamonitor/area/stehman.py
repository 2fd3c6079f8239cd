"""Area and accuracy when the sampling strata differ from the map classes (Stehman 2014).

Typical uses: a 2021 coca map scored with a sample stratified on the 2020 map, or a sample
stratified by department. Each estimate is a stratified mean of a unit-level indicator
(Stehman 2014 eqs. 2-3): the proportion of area of class j uses y_u = 1 if the reference class
of unit u is j; overall accuracy uses y_u = 1 if map = reference. User's and producer's
accuracies and the error-matrix cells are ratio estimators R̂ = Σ_h N_h ȳ_h / Σ_h N_h x̄_h
(eq. 27) with the linearised variance of eq. 28.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from cocamonitor.area._prepare import StrataAreas, estimate_rows
from cocamonitor.area._result import AreaEstimate
from cocamonitor.area.design import SampleDesign, register, run_design

__all__ = ["estimate_stehman"]


@register("stehman2014")
def estimate_stehman(
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
    """Estimate class areas and map accuracy when strata are not the map classes.

    Parameters
    ----------
    sample : pandas.DataFrame
        One row per sample unit with its sampling stratum, map class and reference class
        (and a domain column for ``by``).
    strata_areas : DataFrame with columns ``stratum``, ``area``, or mapping stratum → area
        Area of each *sampling* stratum (any unit; estimates come out in that unit).
    stratum, reference, map_class : str
        Column names.
    confidence : float, default 0.95
        Confidence level of the intervals (normal quantiles).
    by : str, optional
        Domain column: adds domain estimates of every class area.
    classes : sequence of str, optional
        The known classes (default: the map labels found in the sample, sorted).
    collapse : mapping str → str, optional
        Merge stratum ``key`` into ``value`` for the estimate *and* the variance (for
        stratums with fewer than 2 units); biased when the two were sampled at different rates.
    collapse_variance : mapping str → str, optional
        Group stratum ``key`` with ``value`` for the *variance only* (collapsed strata, Cochran
        1977 §5A.12): the estimates keep every stratum; the SEs are conservative. The remedy for
        a stratum with one sample unit; see :func:`~cocamonitor.area.estimate_stratified`.
    source, areas_source : str, optional
        Names of the tables in error messages.

    Returns
    -------
    AreaEstimate
        ``method="stehman2014"``.

    Notes
    -----
    Stehman, S. V. (2014) Estimating area and map accuracy for stratified random sampling when
    the strata are different from the map classes. Int. J. Remote Sens. 35:4923-4939. When the
    strata are the map classes, the numbers equal :func:`estimate_stratified`'s.

    Examples
    --------
    The numerical example of Stehman (2014), 40 units in 4 strata:

    >>> import pandas as pd
    >>> s = list("AAAAAAAAAABBBBBBBBBBCCCCCCCCCCDDDDDDDDDD")
    >>> m = list("AAAAAAABBBABBBBBBBBBBBCCCCCCBBDDDDDDDDDD")
    >>> r = list("AAAAACBABCABBBBBAABBCCCCCDDBBADDDDDDDCCB")
    >>> sample = pd.DataFrame({"stratum": s, "map_class": m, "reference_class": r})
    >>> est = estimate_stehman(sample, {"A": 40000, "B": 30000, "C": 20000, "D": 10000})
    >>> round(est.classes["A"].proportion, 2), round(est.classes["A"].proportion_se, 3)
    (0.35, 0.082)
    >>> round(est.classes["B"].users_accuracy, 3), round(est.classes["B"].users_accuracy_se, 3)
    (0.574, 0.125)

    """
    if isinstance(strata_areas, SampleDesign):
        return run_design(strata_areas, "stehman2014", sample, locals(),
                          confidence=confidence, by=by, source=source, areas_source=areas_source)
    return estimate_rows(
        "stehman2014",
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
        classes_from_strata=False,
        source=source,
        areas_source=areas_source,
    )
