"""Checks of sample tables and stratum areas shared by the estimators, and result assembly.

Everything a user can get wrong raises an :class:`~cocamonitor.errors.InputError` subclass whose
message names the table, line and column and says how to fix it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

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
from cocamonitor.errors import (
    CocamonitorWarning,
    DataError,
    DesignError,
    InputError,
    ParameterError,
    SchemaError,
    UnknownNameError,
)
from cocamonitor.errors import suggest as _suggest
from cocamonitor.io.tables import location

__all__ = [
    "Prepared",
    "StrataAreas",
    "assemble",
    "assemble_units",
    "estimate_rows",
    "check_confidence",
    "normalise_areas",
    "variance_groups",
    "prepare",
    "summarize",
]

StrataAreas: TypeAlias = pd.DataFrame | Mapping[str, float]



def _warn_unequal_fractions(src: str, dst: str, s_lab: np.ndarray, areas: dict[str, float]) -> None:
    """Warn when two strata merged by ``collapse`` were sampled at different rates.

    The merged stratum is treated as one stratum for the estimate as well as for its variance,
    which is unbiased only when both were sampled at the same rate (units per unit of area).
    """
    n_src, n_dst = int(np.sum(s_lab == src)), int(np.sum(s_lab == dst))
    f_src, f_dst = n_src / areas[src], n_dst / areas[dst]
    if f_dst > 0 and abs(f_src / f_dst - 1.0) > 0.10:
        warnings.warn(
            f"collapsing stratum {src!r} into {dst!r}: they were sampled at different rates "
            f"({n_src} and {n_dst} units for areas {areas[src]:g} and {areas[dst]:g}), so the merged "
            "estimate is biased by the difference; collapse strata with similar sampling rates, or "
            "group them for the variance only (--collapse-variance, API collapse_variance), which "
            "keeps the estimate unbiased",
            CocamonitorWarning,
            stacklevel=4,
        )


def variance_groups(
    collapse_variance: Mapping[str, str],
    strata: Sequence[str],
    merged: Mapping[str, str] | None = None,
) -> tuple[VarianceGroups, dict[str, tuple[str, ...]]]:
    """Build the groups of strata for the collapsed-strata variance from ``{A: B}`` pairs.

    Pairs chain (``A=B, C=B`` or ``A=B, B=C`` give one group of three). Each group is named
    after the stratum the others were grouped with (a target that is not itself a source).
    ``merged`` lists strata already merged away by ``collapse`` (named in the error message).

    Returns the :class:`VarianceGroups` over ``strata`` and ``{name: member strata}`` for the
    groups of two or more strata (in stratum order).

    Raises
    ------
    UnknownNameError
        A name that is not a stratum (with a "did you mean").

    Examples
    --------
    >>> g, named = variance_groups({"a": "b", "c": "b"}, ["a", "b", "c", "d"])
    >>> g.group.tolist(), named
    ([0, 0, 0, 1], {'b': ('a', 'b', 'c')})

    """
    index = {s: i for i, s in enumerate(strata)}
    parent = list(range(len(strata)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    sources: set[str] = set()
    targets: list[str] = []
    for src, dst in collapse_variance.items():
        src, dst = str(src).strip(), str(dst).strip()
        for lab in (src, dst):
            if lab in index:
                continue
            if merged and lab in merged:
                into = merged[lab]
                while into in merged:  # a chain of merges
                    into = merged[into]
                raise UnknownNameError(
                    f"stratum {lab!r} was merged into {into!r} by collapse, so it is no longer a stratum",
                    where="collapse_variance",
                    hint=f"name {into!r} instead",
                )
            raise UnknownNameError(
                f"cannot group stratum {lab!r} for the variance: it is not a stratum",
                where="collapse_variance",
                hint=_suggest(lab, strata),
            )
        sources.add(src)
        targets.append(dst)
        parent[root(index[src])] = root(index[dst])
    roots = [root(i) for i in range(len(strata))]
    codes, uniq = pd.factorize(pd.Series(roots), sort=False)
    members: dict[int, list[str]] = {}
    for s, r in zip(strata, roots, strict=True):
        members.setdefault(r, []).append(s)
    named: dict[str, tuple[str, ...]] = {}
    for r in dict.fromkeys(roots):
        group = members[r]
        if len(group) < 2:
            continue
        heads = [t for t in dict.fromkeys(targets) if t in group and t not in sources]
        named[heads[0] if heads else group[0]] = tuple(group)
    return VarianceGroups(group=np.asarray(codes, dtype=int), n_groups=len(uniq)), named


def _labels(series: pd.Series) -> np.ndarray:
    """Labels as strings exactly as given (numbers written without a trailing '.0')."""
    s = pd.Series(series).reset_index(drop=True)
    if pd.api.types.is_float_dtype(s.dtype):
        v = s.to_numpy(dtype=float)
        out = s.astype(str).to_numpy(dtype=object)
        whole = np.isfinite(v) & (v == np.round(v))
        out[whole] = v[whole].astype(np.int64).astype(str)
        return out
    if not (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)):
        return s.astype(str).to_numpy(dtype=object)
    out = s.astype(str).to_numpy(dtype=object)
    if not pd.api.types.is_object_dtype(s.dtype):
        return out
    raw = s.to_numpy(dtype=object)
    is_float = np.fromiter((isinstance(x, float | np.floating) for x in raw), bool, len(raw))
    if is_float.any():  # mixed object column from the API: 1.0 -> "1"
        out[is_float] = _labels(s[is_float].astype(float))
    return out


def _codes(labels: np.ndarray, known: Sequence[str]) -> np.ndarray:
    """Position of each label in ``known`` (-1 when absent)."""
    return pd.Index(list(known), dtype=object).get_indexer(pd.Index(labels, dtype=object))


def normalise_areas(
    strata_areas: StrataAreas,
    *,
    stratum: str = "stratum",
    area: str = "area",
    source: str | None = None,
) -> dict[str, float]:
    """Check stratum areas and return them as ``{stratum label: area}`` (input order kept).

    Parameters
    ----------
    strata_areas : DataFrame with columns ``stratum`` and ``area``, or mapping label → area
        Areas in any unit; estimates come out in the same unit.
    stratum, area : str
        Column names in a DataFrame.
    source : str, optional
        Name of the table in messages.

    Raises
    ------
    SchemaError
        Missing columns or duplicated strata.
    DataError
        Missing, non-numeric, zero or negative areas.

    Examples
    --------
    >>> normalise_areas({"coca": 120.0, 1: 880})
    {'coca': 120.0, '1': 880.0}

    """
    name = source or "strata areas"
    if isinstance(strata_areas, pd.DataFrame):
        missing = [c for c in (stratum, area) if c not in strata_areas.columns]
        if missing:
            raise SchemaError(
                f"missing column(s) {', '.join(map(repr, missing))}",
                where=name,
                hint=f"columns present: {', '.join(map(str, strata_areas.columns))}",
            )
        df = strata_areas.reset_index(drop=True)
        for col in (stratum, area):
            blank = df[col].isna().to_numpy()
            if blank.any():
                i = int(np.flatnonzero(blank)[0])
                raise DataError("blank value", where=location(name, i, col), hint="fill it in")
        labels = list(_labels(df[stratum]))
        raw = list(df[area])
    elif isinstance(strata_areas, Mapping):
        labels = [
            str(k) if not isinstance(k, float) or not k.is_integer() else str(int(k)) for k in strata_areas.keys()
        ]
        raw = list(strata_areas.values())
        df = None
    else:
        raise InputError(
            f"strata areas must be a DataFrame or a mapping, got {type(strata_areas).__name__}",
            where="strata_areas",
            hint="pass e.g. {'coca': 1200.0, 'other': 98800.0}",
        )
    if not labels:
        raise DataError("no strata", where=name, hint="give one row per stratum with its area")
    values = np.empty(len(raw))
    for i, v in enumerate(raw):
        try:
            values[i] = float(v)
        except (TypeError, ValueError):
            where = location(name, i, area) if df is not None else f"{name}, stratum {labels[i]!r}"
            raise DataError(f"cannot read {v!r} as a number", where=where) from None
    seen: dict[str, int] = {}
    for i, lab in enumerate(labels):
        if lab in seen:
            where = location(name, i, stratum) if df is not None else name
            raise SchemaError(
                f"stratum {lab!r} appears twice (first on line {seen[lab] + 2})"
                if df is not None
                else f"stratum {lab!r} appears twice",
                where=where,
                hint="give each stratum once; add up its areas",
            )
        seen[lab] = i
    for i, v in enumerate(values):
        where = location(name, i, area) if df is not None else f"{name}, stratum {labels[i]!r}"
        if not np.isfinite(v):
            raise DataError(f"area {raw[i]!r} is missing or not finite", where=where)
        if v <= 0:
            raise DataError(
                f"area of stratum {labels[i]!r} is {v:g}",
                where=where,
                hint="areas must be > 0; drop empty strata from the table",
            )
    return dict(zip(labels, values.tolist(), strict=True))


@dataclass(frozen=True)
class Prepared:
    """A checked sample: integer codes for strata, classes, domains and clusters."""

    strata: tuple[str, ...]
    areas: np.ndarray
    stratum_idx: np.ndarray
    classes: tuple[str, ...]
    ref_idx: np.ndarray
    map_idx: np.ndarray
    domains: tuple[str, ...] | None
    domain_idx: np.ndarray | None
    unit_ids: np.ndarray
    cluster_idx: np.ndarray | None = None
    clusters: tuple[str, ...] | None = None
    groups: VarianceGroups | None = None
    variance_groups: dict[str, tuple[str, ...]] | None = None

    @property
    def total_area(self) -> float:
        """Sum of the stratum areas."""
        return float(self.areas.sum())


def _check_columns(sample: pd.DataFrame, cols: Sequence[str], name: str) -> None:
    missing = [c for c in cols if c not in sample.columns]
    if missing:
        hint = f"columns present: {', '.join(map(str, sample.columns))}"
        close = [_suggest(c, map(str, sample.columns)) for c in missing]
        if close and close[0].startswith("did you mean"):
            hint = close[0] + " " + hint
        raise SchemaError(f"missing column(s) {', '.join(map(repr, missing))}", where=name, hint=hint)


def _check_blank(sample: pd.DataFrame, cols: Sequence[str], name: str) -> None:
    for col in cols:
        s = sample[col]
        blank = s.isna().to_numpy()
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            blank = blank | (s.astype(str).str.strip() == "").to_numpy()
        if blank.any():
            i = int(np.flatnonzero(blank)[0])
            raise DataError(
                "blank value",
                where=location(name, i, col),
                hint="label every sample unit or drop the row",
            )


def prepare(
    sample: pd.DataFrame,
    strata_areas: StrataAreas,
    *,
    stratum: str,
    reference: str,
    map_class: str | None,
    by: str | None = None,
    cluster: str | None = None,
    classes: Sequence[str] | None = None,
    collapse: Mapping[str, str] | None = None,
    collapse_variance: Mapping[str, str] | None = None,
    classes_from_strata: bool = True,
    min_units: int = 2,
    source: str | None = None,
    areas_source: str | None = None,
) -> Prepared:
    """Check a sample against its stratum areas and encode it as integer arrays.

    ``classes_from_strata`` makes the stratum labels the known classes (strata = map classes);
    otherwise the known classes are the map labels in the sample. ``classes`` overrides both.
    ``min_units`` is the smallest number of units (rows, or clusters when ``cluster`` is given)
    a stratum may have; a stratum grouped with others by ``collapse_variance`` may have fewer
    as long as its group has ``min_units``.
    """
    name = source or "sample"
    if not isinstance(sample, pd.DataFrame):
        raise InputError(f"sample must be a pandas DataFrame, got {type(sample).__name__}", where="sample")
    cols = list(dict.fromkeys([stratum, reference] + [c for c in (map_class, by, cluster) if c is not None]))
    _check_columns(sample, cols, name)
    dup = [c for c in dict.fromkeys(cols) if (sample.columns == c).sum() > 1]
    if dup:
        raise SchemaError(
            f"column {dup[0]!r} appears more than once",
            where=name,
            hint="keep one column of each name",
        )
    if len(sample) == 0:
        raise DataError("the sample has no rows", where=name, hint="give one row per sample unit")
    sample = sample.reset_index(drop=True)
    _check_blank(sample, cols, name)
    areas = normalise_areas(strata_areas, source=areas_source)

    s_lab = _labels(sample[stratum])
    merged: dict[str, str] = {}
    if collapse:
        for src, dst in collapse.items():
            src, dst = str(src), str(dst)
            for lab in (src, dst):
                if lab not in areas:
                    raise ParameterError(
                        f"cannot collapse stratum {lab!r}: it has no area",
                        where="collapse",
                        hint=_suggest(lab, areas),
                    )
            if src == dst:
                continue
            _warn_unequal_fractions(src, dst, s_lab, areas)
            merged[src] = dst
            areas[dst] += areas.pop(src)
            s_lab = np.where(s_lab == src, dst, s_lab)
    strata = tuple(areas)
    s_idx = _codes(s_lab, strata)
    unknown = s_idx < 0
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise DataError(
            f"stratum {s_lab[i]!r} has no area in the strata areas",
            where=location(name, i, stratum),
            hint=f"add its area or fix the label ({_suggest(s_lab[i], strata)})",
        )

    if cluster is not None:
        c_lab = _labels(sample[cluster])
        # a cluster id is local to its stratum
        keys = pd.Series(s_lab.astype(str)) + "\x1f" + pd.Series(c_lab.astype(str))
        codes, uniq = pd.factorize(keys, sort=True)
        cluster_idx = codes.astype(int)
        clusters = tuple(str(u).split("\x1f", 1)[1] for u in uniq)
        c_stratum = np.zeros(len(uniq), dtype=int)
        c_stratum[cluster_idx] = s_idx
        n_per = np.bincount(c_stratum, minlength=len(strata))
        unit_word = "primary units (clusters)"
    else:
        cluster_idx, clusters = None, None
        n_per = np.bincount(s_idx, minlength=len(strata))
        unit_word = "sample units"
    empty = [s for s, n in zip(strata, n_per, strict=True) if n == 0]
    if empty:
        raise DesignError(
            f"stratum {empty[0]!r} has an area but no {unit_word} in the sample",
            where=areas_source or "strata areas",
            hint="sample it, or merge it with a neighbour (--collapse-strata "
            f"{empty[0]}=OTHER, API collapse={{{empty[0]!r}: 'OTHER'}})",
        )
    groups, grouped = None, None
    if collapse_variance:
        groups, grouped = variance_groups(collapse_variance, strata, merged)
        # every stratum has a unit by now, so a group of two or more strata has the 2 needed
        n_check = np.where(np.bincount(groups.group, minlength=groups.n_groups)[groups.group] > 1, min_units, n_per)
    else:
        n_check = n_per
    few = [(s, int(n)) for s, n in zip(strata, n_check, strict=True) if n < min_units]
    if few:
        s, n = few[0]
        word = unit_word if n != 1 else unit_word.replace("units", "unit")
        raise DesignError(
            f"stratum {s!r} has only {n} {word}; its variance is undefined with fewer than "
            f"{min_units}",
            where=name,
            hint=f"group it with a similar stratum for the variance only: --collapse-variance {s}=OTHER "
            f"(API collapse_variance={{{s!r}: 'OTHER'}}; the estimate keeps every stratum), or merge "
            f"it: --collapse-strata {s}=OTHER (biased when the two were sampled at different rates)",
        )

    r_lab = _labels(sample[reference])
    m_lab = _labels(sample[map_class]) if map_class is not None else None
    if classes is not None:
        known = [str(c) for c in classes]
        if len(set(known)) != len(known):
            raise ParameterError("classes contains duplicates", where="classes")
    elif classes_from_strata:
        known = list(strata)
        if collapse:  # collapsed strata are not classes; keep every original label
            known = list(normalise_areas(strata_areas, source=areas_source))
    else:
        known = sorted(set(m_lab)) if m_lab is not None else sorted(set(r_lab))
    checks: list[tuple[np.ndarray, str]] = [(r_lab, reference)]
    if m_lab is not None and map_class is not None:
        checks.append((m_lab, map_class))
    for given, col in checks:
        bad = _codes(given, known) < 0
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"class {given[i]!r} is not a known class",
                where=location(name, i, col),
                hint=f"known classes: {', '.join(known[:10])}"
                + (f"; {_suggest(given[i], known)}" if len(known) > 1 else ""),
            )
    ref_idx = _codes(r_lab, known)
    map_idx = _codes(m_lab, known) if m_lab is not None else np.full(len(r_lab), -1, dtype=int)

    domains = domain_idx = None
    if by is not None:
        d_lab = _labels(sample[by])
        codes, uniq = pd.factorize(pd.Series(d_lab.astype(str)), sort=True)
        domains, domain_idx = tuple(str(u) for u in uniq), codes.astype(int)

    return Prepared(
        strata=strata,
        areas=np.array([areas[s] for s in strata]),
        stratum_idx=s_idx,
        classes=tuple(known),
        ref_idx=ref_idx,
        map_idx=map_idx,
        domains=domains,
        domain_idx=domain_idx,
        unit_ids=np.arange(len(sample)),
        cluster_idx=cluster_idx,
        clusters=clusters,
        groups=groups,
        variance_groups=grouped,
    )


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
