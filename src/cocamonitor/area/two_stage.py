"""Two-stage (cluster) sampling: primary units (1 km cells, image segments) then points in them.

Within each stratum h, n_h primary units (PSUs) are selected, and in each selected PSU i a simple
random sample of m_i secondary units (points or pixels) is labelled. Let ȳ_i be the share of the
points of PSU i in a class (or any indicator). Two first-stage selections are supported
(Cochran 1977 §§11.8-11.9, with-replacement variance estimators of §11.9, "ultimate clusters"):

``selection="pps"`` — PSUs drawn with probability proportional to size (area), with
    replacement: T̂_h = A_h · mean_i(ȳ_i) and V̂(T̂_h) = A_h² s²(ȳ_i)/n_h. Only the stratum
    area A_h is needed. A PSU drawn twice is two draws: give each draw its own cluster id.
``selection="equal"`` — PSUs drawn with equal probability from the N_h PSUs of the stratum:
    T̂_h = N_h · mean_i(M_i ȳ_i) and V̂(T̂_h) = N_h² s²(M_i ȳ_i)/n_h, where M_i is the area of PSU
    i. The with-replacement form is conservative when n_h/N_h is not small (it omits the
    finite population correction, and so also the separate within-PSU term it would need).

User's and producer's accuracies are ratios of such totals, with linearised variances.
Intervals use Student t quantiles with Σ_h (n_h − 1) degrees of freedom.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from cocamonitor.area._prepare import (
    StrataAreas,
    assemble,
    check_confidence,
    domain_indicators,
    observed_cells,
    prepare,
    unit_indicators,
)
from cocamonitor.area._result import AreaEstimate
from cocamonitor.area.design import SampleDesign, register, run_design
from cocamonitor.errors import DataError, ParameterError, SchemaError
from cocamonitor.errors import suggest as _suggest
from cocamonitor.io.tables import location

__all__ = ["estimate_two_stage"]


def _is_number(v: object) -> bool:
    try:
        float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def _cluster_means(values: np.ndarray, cluster_idx: np.ndarray, n_clusters: int) -> np.ndarray:
    sums = np.zeros((n_clusters, values.shape[1]))
    np.add.at(sums, cluster_idx, values)
    counts = np.bincount(cluster_idx, minlength=n_clusters).astype(float)
    return sums / counts[:, None]


@register("two_stage")
def estimate_two_stage(
    sample: pd.DataFrame,
    strata_areas: StrataAreas,
    *,
    cluster: str = "cluster",
    stratum: str = "stratum",
    reference: str = "reference_class",
    map_class: str | None = "map_class",
    selection: Literal["pps", "equal"] = "pps",
    psu_area: str = "psu_area",
    psu_count: Mapping[str, int] | int | None = None,
    confidence: float = 0.95,
    by: str | None = None,
    classes: Sequence[str] | None = None,
    collapse: Mapping[str, str] | None = None,
    collapse_variance: Mapping[str, str] | None = None,
    source: str | None = None,
    areas_source: str | None = None,
) -> AreaEstimate:
    """Estimate class areas from a (stratified) two-stage cluster sample.

    Parameters
    ----------
    sample : pandas.DataFrame
        One row per secondary unit (point), with its stratum, primary-unit id (``cluster``),
        reference class and, optionally, map class and a domain column for ``by``.
    strata_areas : DataFrame with columns ``stratum``, ``area``, or mapping stratum → area
        Area of each stratum (a single stratum is fine), in any unit.
    cluster, stratum, reference : str
        Column names. Cluster ids are local to their stratum.
    map_class : str or None, default "map_class"
        Map-label column; used when present (accuracies), ignored when absent.
    selection : {"pps", "equal"}, default "pps"
        First-stage selection: probability proportional to PSU area, or equal probability.
    psu_area : str, default "psu_area"
        Column with the area of the row's PSU (``selection="equal"`` only).
    psu_count : int or mapping stratum → int
        Number of PSUs in the population of each stratum (``selection="equal"`` only).
    confidence : float, default 0.95
        Confidence level; t quantiles with Σ (n_h − 1) degrees of freedom.
    by : str, optional
        Domain column: adds domain estimates of every class area.
    classes : sequence of str, optional
        Known classes (default: the map labels, else the reference labels, sorted).
    collapse : mapping str → str, optional
        Merge stratum ``key`` into ``value`` for the estimate *and* the variance (for
        stratums with fewer than 2 PSUs); biased when the two were sampled at different rates.
    collapse_variance : mapping str → str, optional
        Group stratum ``key`` with ``value`` for the *variance only* (collapsed strata, Cochran
        1977 §5A.12): the estimates keep every stratum; the SEs are conservative. The remedy for
        a stratum with one primary unit; see :func:`~cocamonitor.area.estimate_stratified`.
        The intervals then use t with Σ_g (n_g − 1) degrees of freedom, n_g the PSUs of a group.
    source, areas_source : str, optional
        Names of the tables in error messages.

    Returns
    -------
    AreaEstimate
        ``method="two_stage"``; ``units`` has one row per PSU with its class shares.

    Notes
    -----
    Cochran, W. G. (1977) Sampling Techniques, 3rd ed., ch. 11 (eqs. 11.21-11.33); de Gruijter
    et al. (2006) and Brus (2022) *Spatial sampling with R*, ch. 7.

    Examples
    --------
    Three 1 km cells drawn with probability proportional to size from a 10,000 ha stratum,
    four points in each:

    >>> import pandas as pd
    >>> sample = pd.DataFrame({
    ...     "stratum": ["all"] * 12,
    ...     "cluster": ["c1"] * 4 + ["c2"] * 4 + ["c3"] * 4,
    ...     "reference_class": ["coca", "other", "other", "other",
    ...                         "coca", "coca", "other", "other",
    ...                         "other", "other", "other", "other"]})
    >>> est = estimate_two_stage(sample, {"all": 10000.0}, map_class=None)
    >>> round(est.classes["coca"].area), round(est.classes["coca"].area_se)
    (2500, 1443)

    """
    if isinstance(strata_areas, SampleDesign):
        return run_design(strata_areas, "two_stage", sample, locals(),
                          confidence=confidence, by=by, source=source, areas_source=areas_source)
    confidence = check_confidence(confidence)
    if selection not in ("pps", "equal"):
        raise ParameterError(f"unknown selection {selection!r}", where="selection", hint="use 'pps' or 'equal'")
    has_map = map_class is not None and isinstance(sample, pd.DataFrame) and map_class in sample.columns
    prep = prepare(
        sample,
        strata_areas,
        stratum=stratum,
        reference=reference,
        map_class=map_class if has_map else None,
        by=by,
        cluster=cluster,
        classes=classes,
        collapse=collapse,
        collapse_variance=collapse_variance,
        classes_from_strata=False,
        source=source,
        areas_source=areas_source,
    )
    assert prep.cluster_idx is not None and prep.clusters is not None
    n_psu = len(prep.clusters)
    psu_stratum = np.zeros(n_psu, dtype=int)
    psu_stratum[prep.cluster_idx] = prep.stratum_idx
    values = _cluster_means(unit_indicators(prep), prep.cluster_idx, n_psu)
    dvals = domain_indicators(prep)
    if dvals is not None:
        dvals = _cluster_means(dvals, prep.cluster_idx, n_psu)
    name = source or "sample"
    if selection == "pps":
        expansion = prep.areas
    else:
        if psu_area not in sample.columns:
            raise SchemaError(
                f"missing column {psu_area!r} (area of each primary unit)",
                where=name,
                hint="selection='equal' needs PSU areas; " + _suggest(psu_area, sample.columns),
            )
        sizes = pd.to_numeric(sample[psu_area].reset_index(drop=True), errors="coerce")
        bad = (~np.isfinite(sizes.to_numpy(dtype=float))) | (sizes.to_numpy(dtype=float) <= 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"PSU area {sample[psu_area].iloc[i]!r} is not a positive number",
                where=location(name, i, psu_area),
            )
        m_i = np.zeros(n_psu)
        m_i[prep.cluster_idx] = sizes.to_numpy(dtype=float)
        spread = pd.Series(sizes.to_numpy(dtype=float)).groupby(prep.cluster_idx).nunique()
        if (spread > 1).any():
            c = int(spread.index[np.flatnonzero(spread.to_numpy() > 1)[0]])
            i = int(np.flatnonzero(prep.cluster_idx == c)[0])
            raise DataError(
                f"primary unit {prep.clusters[c]!r} has different areas on different rows",
                where=location(name, i, psu_area),
                hint="give one area per primary unit",
            )
        if psu_count is None:
            raise ParameterError(
                "selection='equal' needs the number of primary units in each stratum",
                where="psu_count",
                hint="pass psu_count=N or {stratum: N}",
            )
        if isinstance(psu_count, Mapping):
            counts = {str(k): v for k, v in psu_count.items()}
            missing = [s for s in prep.strata if s not in counts]
            if missing:
                raise ParameterError(
                    f"no PSU count for stratum {missing[0]!r}",
                    where="psu_count",
                    hint=_suggest(missing[0], counts),
                )
            raw = [counts[s] for s in prep.strata]
        else:
            raw = [psu_count] * len(prep.strata)
        try:
            n_pop = np.array([float(v) for v in raw])
        except (TypeError, ValueError):
            bad = next(v for v in raw if not _is_number(v))
            raise ParameterError(
                f"psu_count {bad!r} is not a number",
                where="psu_count",
                hint="give the number of primary units in the population, e.g. psu_count=400",
            ) from None
        n_sample = np.bincount(psu_stratum, minlength=len(prep.strata))
        if (n_pop < n_sample).any() or not np.isfinite(n_pop).all():
            h = int(np.flatnonzero(~(n_pop >= n_sample))[0])
            raise ParameterError(
                f"stratum {prep.strata[h]!r} has {n_sample[h]} sampled PSUs but psu_count {n_pop[h]:g}",
                where="psu_count",
                hint="psu_count is the number of PSUs in the population",
            )
        values = values * m_i[:, None]
        if dvals is not None:
            dvals = dvals * m_i[:, None]
        expansion = n_pop
    n_h = np.bincount(psu_stratum, minlength=len(prep.strata))
    if prep.groups is not None:  # a variance group pools its primary units
        n_h = np.bincount(prep.groups.group, weights=n_h, minlength=prep.groups.n_groups)
    df = float((n_h - 1).sum())
    est = assemble(
        method="two_stage",
        prep=prep,
        unit_values=values,
        unit_strata=psu_stratum,
        expansion=expansion,
        total_area=prep.total_area,
        confidence=confidence,
        df=df,
        observed=observed_cells(prep),
        domain_values=dvals,
        unit_ids=np.asarray(prep.clusters, dtype=object),
    )
    return est
