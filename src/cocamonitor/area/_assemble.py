"""Assembly of the area estimators' results from a prepared sample.

:func:`estimate_rows` is the common path of every estimator: :func:`~cocamonitor.area._validate.prepare`
checks the sample and the stratum areas, then :func:`assemble` (or :func:`assemble_units`) turns the
per-stratum moments into an :class:`~cocamonitor.area._result.AreaEstimate`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cocamonitor._checks import check_confidence
from cocamonitor.area._core import (
    ClassLayout,
    StratumMoments,
    VarianceGroups,
    indicator_values,
    moments,
    quantile,
    ratio_variance,
    total_variance,
)
from cocamonitor.area._result import (
    AreaEstimate,
    ClassEstimate,
    DomainClassEstimate,
    ErrorMatrix,
)
from cocamonitor.area._validate import Prepared, StrataAreas, prepare

__all__ = [
    "assemble",
    "assemble_units",
    "estimate_rows",
    "summarize",
]


def summarize(
    m: StratumMoments, expansion: np.ndarray, k: int, groups: VarianceGroups | None = None
) -> dict[str, np.ndarray]:
    """Class estimates from stratum moments of :func:`indicator_values` columns (batched).

    Returns totals (not proportions): ``area`` (..., K), ``area_var``, ``ua``, ``ua_var``,
    ``pa``, ``pa_var`` (..., K), ``oa_total``, ``oa_var`` (...), ``cells`` (..., K, K).
    ``groups`` switches the variances to the collapsed-strata estimator.
    """
    lay = ClassLayout(k)
    total, var = total_variance(m, expansion, groups)
    pairs = lay.pairs()
    r, rvar = ratio_variance(m, expansion, pairs[:, 0], pairs[:, 1], np.arange(2 * k), groups)
    return {
        "area": total[..., lay.ref],
        "area_var": var[..., lay.ref],
        "oa_total": total[..., lay.correct],
        "oa_var": var[..., lay.correct],
        "ua": r[..., :k],
        "ua_var": rvar[..., :k],
        "pa": r[..., k:],
        "pa_var": rvar[..., k:],
        "cells": total[..., lay.cells],
    }


def _opt(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


def assemble(
    *,
    method: str,
    prep: Prepared,
    unit_values: np.ndarray,
    unit_strata: np.ndarray,
    expansion: np.ndarray,
    total_area: float,
    confidence: float,
    df: float | None = None,
    observed: np.ndarray | None = None,
    domain_values: np.ndarray | None = None,
    unit_ids: np.ndarray | None = None,
    variance_fn=None,
) -> AreaEstimate:
    """Build an :class:`AreaEstimate` from unit values (indicator columns, or PSU means).

    ``observed`` (K, K) counts sample units per (map, reference) cell; a zero cell is reported
    as ``None`` ("not observed"). ``domain_values`` (units, D*K) are domain × class indicator
    columns. ``variance_fn(m, expansion) -> var`` replaces the variance of totals (used by the
    unconditional post-stratified variance).
    """
    k = len(prep.classes)
    lay = ClassLayout(k)
    m = moments(unit_values, unit_strata, len(prep.strata), pairs=lay.pairs())
    est = summarize(m, expansion, k, prep.groups)
    if variance_fn is not None:
        est["area_var"] = variance_fn(m, expansion)[lay.ref]
        est["oa_var"] = variance_fn(m, expansion)[lay.correct]
    q = quantile(confidence, df)
    a_tot = float(total_area)
    has_map = bool((prep.map_idx >= 0).any())
    classes: dict[str, ClassEstimate] = {}
    ref_seen = np.bincount(prep.ref_idx, minlength=k) > 0
    map_seen = np.bincount(prep.map_idx[prep.map_idx >= 0], minlength=k) > 0
    for j, name in enumerate(prep.classes):
        area = float(est["area"][j])
        se = float(np.sqrt(est["area_var"][j]))
        ua = _opt(est["ua"][j]) if has_map and map_seen[j] else None
        pa = _opt(est["pa"][j]) if has_map and ref_seen[j] else None
        classes[name] = ClassEstimate(
            area=area,
            area_se=se,
            area_ci=(area - q * se, area + q * se),
            proportion=area / a_tot,
            proportion_se=se / a_tot,
            users_accuracy=ua,
            users_accuracy_se=None if ua is None else float(np.sqrt(est["ua_var"][j])),
            producers_accuracy=pa,
            producers_accuracy_se=None if pa is None else float(np.sqrt(est["pa_var"][j])),
        )
    oa = oa_se = None
    matrix = None
    if has_map:
        oa = float(est["oa_total"]) / a_tot
        oa_se = float(np.sqrt(est["oa_var"])) / a_tot
        props = est["cells"] / a_tot
        obs = observed if observed is not None else np.ones((k, k))
        rows_keep = [i for i in range(k) if map_seen[i]]
        cols_keep = list(range(k))
        matrix = ErrorMatrix(
            map_classes=tuple(prep.classes[i] for i in rows_keep),
            reference_classes=tuple(prep.classes[j] for j in cols_keep),
            proportions=tuple(
                tuple(float(props[i, j]) if obs[i, j] > 0 else None for j in cols_keep) for i in rows_keep
            ),
        )
    domains = None
    if domain_values is not None and prep.domains is not None:
        dm = moments(domain_values, unit_strata, len(prep.strata))
        t, v = total_variance(dm, expansion, prep.groups)
        if variance_fn is not None:
            v = variance_fn(dm, expansion)
        t = t.reshape(len(prep.domains), k)
        se = np.sqrt(v).reshape(len(prep.domains), k)
        domains = {
            d: {
                c: DomainClassEstimate(
                    area=float(t[di, j]),
                    area_se=float(se[di, j]),
                    area_ci=(float(t[di, j] - q * se[di, j]), float(t[di, j] + q * se[di, j])),
                )
                for j, c in enumerate(prep.classes)
            }
            for di, d in enumerate(prep.domains)
        }
    n_h = m.n
    units = pd.DataFrame(
        {
            "unit": unit_ids if unit_ids is not None else np.arange(unit_values.shape[0]),
            "stratum": np.asarray(prep.strata, dtype=object)[unit_strata],
            "expansion": np.asarray(expansion, dtype=float)[unit_strata],
            "n_stratum": n_h[unit_strata].astype(int),
        }
    )
    if prep.groups is not None and prep.variance_groups:
        label = np.asarray(prep.strata, dtype=object)
        for head, members in prep.variance_groups.items():
            label[np.isin(label, members)] = head
        units["variance_group"] = label[unit_strata]
    for j, c in enumerate(prep.classes):
        units[f"y:{c}"] = unit_values[:, lay.ref[j]]
    return AreaEstimate(
        method=method,
        confidence=confidence,
        total_area=a_tot,
        classes=classes,
        overall_accuracy=oa,
        overall_accuracy_se=oa_se,
        error_matrix=matrix,
        domains=domains,
        units=units,
        df=df,
        variance_groups=prep.variance_groups or None,
    )


def assemble_units(
    method: str,
    prep: Prepared,
    confidence: float,
    index: pd.Index,
    variance_fn=None,
) -> AreaEstimate:
    """:func:`assemble` for designs whose units are the sample rows (pixels or points)."""
    return assemble(
        method=method,
        prep=prep,
        unit_values=unit_indicators(prep),
        unit_strata=prep.stratum_idx,
        expansion=prep.areas,
        total_area=prep.total_area,
        confidence=confidence,
        observed=observed_cells(prep),
        domain_values=domain_indicators(prep),
        unit_ids=np.asarray(index),
        variance_fn=variance_fn,
    )


def estimate_rows(
    method: str,
    sample: pd.DataFrame,
    strata_areas: StrataAreas,
    *,
    stratum: str,
    reference: str,
    map_class: str,
    confidence: float,
    by: str | None,
    classes: Sequence[str] | None,
    collapse: Mapping[str, str] | None,
    classes_from_strata: bool,
    source: str | None,
    areas_source: str | None,
    variance_fn=None,
    collapse_variance: Mapping[str, str] | None = None,
) -> AreaEstimate:
    """Check, encode and estimate a sample whose units are its rows (pixels or points).

    Without a ``map_class`` column the map class of a row is its stratum.
    """
    confidence = check_confidence(confidence)
    has_map = isinstance(sample, pd.DataFrame) and map_class in sample.columns
    prep = prepare(
        sample,
        strata_areas,
        stratum=stratum,
        reference=reference,
        map_class=map_class if has_map else stratum,
        by=by,
        classes=classes,
        collapse=collapse,
        collapse_variance=collapse_variance,
        classes_from_strata=classes_from_strata,
        source=source,
        areas_source=areas_source,
    )
    return assemble_units(method, prep, confidence, sample.index, variance_fn)


def domain_indicators(prep: Prepared) -> np.ndarray | None:
    """(units, D*K) indicators of "domain d and reference class j" (None without domains)."""
    if prep.domain_idx is None or prep.domains is None:
        return None
    k = len(prep.classes)
    out = np.zeros((prep.ref_idx.shape[0], len(prep.domains) * k))
    out[np.arange(out.shape[0]), prep.domain_idx * k + prep.ref_idx] = 1.0
    return out


def unit_indicators(prep: Prepared) -> np.ndarray:
    """(units, ClassLayout.width) indicator columns of the sample."""
    return indicator_values(prep.map_idx, prep.ref_idx, len(prep.classes))


def observed_cells(prep: Prepared) -> np.ndarray:
    """Sample counts per (map class, reference class) cell, shape (K, K)."""
    k = len(prep.classes)
    ok = prep.map_idx >= 0
    return np.bincount(prep.map_idx[ok] * k + prep.ref_idx[ok], minlength=k * k).reshape(k, k)
