"""Checks of sample tables and stratum areas shared by the estimators.

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

from cocamonitor.area._core import (
    VarianceGroups,
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
    "normalise_areas",
    "variance_groups",
    "prepare",
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
            "group them for the variance only (`collapse_variance`), which "
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
            hint=f"sample it, or merge it with a neighbour (`collapse` {empty[0]}=OTHER)",
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
            hint=f"group it with a similar stratum for the variance only: `collapse_variance` {s}=OTHER "
            f"(the estimate keeps every stratum), or merge "
            f"it: `collapse` {s}=OTHER (biased when the two were sampled at different rates)",
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
