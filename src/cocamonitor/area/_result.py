"""Frozen result objects shared by every area estimator.

An :class:`AreaEstimate` holds, for each reference class, the estimated area and area proportion
with standard errors and a confidence interval, the user's and producer's accuracies, the overall
accuracy, the error matrix in area proportions and (optionally) domain estimates. Its
:meth:`AreaEstimate.to_dict` is the "Area estimate JSON" contract of ``DESIGN.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from cocamonitor.results import Estimate, number

__all__ = ["AreaEstimate", "ClassEstimate", "DomainClassEstimate", "ErrorMatrix"]


def _num(value: float | None) -> float | None:
    """Return a plain float, or ``None`` for missing / non-finite values (JSON ``null``)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class ClassEstimate:
    """Estimates for one reference class.

    Attributes
    ----------
    area, area_se : float
        Estimated area of the class (in the unit of the stratum areas) and its standard error.
    area_ci : tuple of float
        Confidence interval of the area at the estimate's confidence level.
    proportion, proportion_se : float
        Estimated share of the total area and its standard error.
    users_accuracy, users_accuracy_se : float or None
        User's accuracy of the *map* class with the same label (``None`` when no sample unit
        carries that map label).
    producers_accuracy, producers_accuracy_se : float or None
        Producer's accuracy of the class (``None`` when the class was never observed in the
        reference data).

    """

    area: float
    area_se: float
    area_ci: tuple[float, float]
    proportion: float
    proportion_se: float
    users_accuracy: float | None = None
    users_accuracy_se: float | None = None
    producers_accuracy: float | None = None
    producers_accuracy_se: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the per-class object of the JSON contract."""
        return {
            "area": _num(self.area),
            "area_se": _num(self.area_se),
            "area_ci": [_num(self.area_ci[0]), _num(self.area_ci[1])],
            "proportion": _num(self.proportion),
            "proportion_se": _num(self.proportion_se),
            "users_accuracy": _num(self.users_accuracy),
            "users_accuracy_se": _num(self.users_accuracy_se),
            "producers_accuracy": _num(self.producers_accuracy),
            "producers_accuracy_se": _num(self.producers_accuracy_se),
        }

    def estimates(self, unit: str | None = None) -> Iterator[Estimate]:
        """Yield the class's area (in ``unit``), proportion and accuracies with their SEs.

        >>> c = ClassEstimate(120.0, 10.0, (100.4, 139.6), 0.12, 0.01)
        >>> [(e.quantity, e.value, e.se, e.unit) for e in c.estimates("ha")]
        [('area', 120.0, 10.0, 'ha'), ('proportion', 0.12, 0.01, None)]
        """
        yield from number("", "area", self.area, self.area_se, self.area_ci, unit)
        yield from number("", "proportion", self.proportion, self.proportion_se)
        yield from number("", "users_accuracy", self.users_accuracy, self.users_accuracy_se)
        yield from number("", "producers_accuracy", self.producers_accuracy, self.producers_accuracy_se)


@dataclass(frozen=True)
class DomainClassEstimate:
    """Area of one reference class inside one domain (department, municipality, ...)."""

    area: float
    area_se: float
    area_ci: tuple[float, float]

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"area", "area_se", "area_ci"}`` as in the JSON contract."""
        return {
            "area": _num(self.area),
            "area_se": _num(self.area_se),
            "area_ci": [_num(self.area_ci[0]), _num(self.area_ci[1])],
        }

    def estimates(self, unit: str | None = None) -> Iterator[Estimate]:
        """Yield the area (in ``unit``) with its SE and interval."""
        yield from number("", "area", self.area, self.area_se, self.area_ci, unit)


@dataclass(frozen=True)
class ErrorMatrix:
    """Error matrix in estimated proportions of area (rows: map classes, columns: reference).

    A cell is ``None`` when no sample unit had that combination of map and reference class:
    "not observed" is kept distinct from an estimated proportion of zero.
    """

    map_classes: tuple[str, ...]
    reference_classes: tuple[str, ...]
    proportions: tuple[tuple[float | None, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"map_classes", "reference_classes", "proportions"}``."""
        return {
            "map_classes": list(self.map_classes),
            "reference_classes": list(self.reference_classes),
            "proportions": [[_num(v) for v in row] for row in self.proportions],
        }

    def to_frame(self) -> pd.DataFrame:
        """Return the matrix as a DataFrame (index: map class, columns: reference class)."""
        df = pd.DataFrame(
            [[float("nan") if v is None else v for v in row] for row in self.proportions],
            index=pd.Index(self.map_classes, name="map_class", dtype=object),
            columns=pd.Index(self.reference_classes, name="reference_class", dtype=object),
        )
        return df


@dataclass(frozen=True)
class AreaEstimate:
    """Sample-based area estimate with accuracy measures (the result of every estimator).

    Attributes
    ----------
    method : str
        ``"stratified"``, ``"stehman2014"``, ``"two_stage"`` or ``"post_stratified"``.
    confidence : float
        Confidence level of the intervals.
    total_area : float
        Sum of the stratum areas (the area the estimates refer to).
    unit : str
        Unit of the stratum areas; every area comes out in this unit.
    classes : dict of str to ClassEstimate
        One entry per class, labels kept exactly as given.
    overall_accuracy, overall_accuracy_se : float or None
        Overall accuracy and its standard error (``None`` without map labels).
    error_matrix : ErrorMatrix or None
        Estimated area proportions by map (rows) and reference class (columns).
    domains : dict or None
        ``{domain: {class: DomainClassEstimate}}`` when estimated with ``by=``.
    units : pandas.DataFrame or None
        Unit-level data behind the estimate, for covariances between two estimates made from
        the same units (see :func:`cocamonitor.area.estimate_covariance`): one row per sampling
        unit (a pixel, or a primary unit of a two-stage design) with columns ``unit``,
        ``stratum``, ``expansion`` (stratum expansion factor), ``n_stratum`` and one column
        ``y:<class>`` per class with the unit's value (indicator, or estimated proportion of the
        primary unit for two-stage designs).
    df : float or None
        Degrees of freedom used for the intervals (``None`` = normal quantiles).
    provenance : dict or None
        Inputs with their SHA-256, parameters and version (attached by the command line).
    variance_groups : dict of str to tuple of str, or None
        Strata grouped for the variance only (``collapse_variance``): ``{group: strata}``.
        The estimates keep every stratum; the standard errors, intervals and ``df`` use the
        collapsed-strata variance for these groups. ``units`` then has a ``variance_group``
        column.

    """

    method: str
    confidence: float
    total_area: float
    classes: dict[str, ClassEstimate]
    overall_accuracy: float | None = None
    overall_accuracy_se: float | None = None
    error_matrix: ErrorMatrix | None = None
    domains: dict[str, dict[str, DomainClassEstimate]] | None = None
    unit: str = "unspecified"
    units: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    df: float | None = None
    provenance: Mapping[str, Any] | None = None
    variance_groups: dict[str, tuple[str, ...]] | None = None

    def with_provenance(self, provenance: Mapping[str, Any]) -> AreaEstimate:
        """Return a copy carrying a provenance record (``Provenance.to_dict()``)."""
        return replace(self, provenance=dict(provenance))

    def with_unit(self, unit: str) -> AreaEstimate:
        """Return a copy with another unit label (the numbers are unchanged)."""
        return replace(self, unit=str(unit))

    def to_dict(self) -> dict[str, Any]:
        """Return the "Area estimate JSON" contract of ``DESIGN.md`` as plain Python objects.

        ``domains`` is present only when the estimate was made with ``by=``;
        ``variance_groups`` (``{group: [strata]}``) only with ``collapse_variance``;
        ``provenance`` only when one was attached.
        """
        out: dict[str, Any] = {
            "method": self.method,
            "confidence": float(self.confidence),
            "unit": self.unit,
            "total_area": _num(self.total_area),
            "classes": {k: v.to_dict() for k, v in self.classes.items()},
            "overall_accuracy": _num(self.overall_accuracy),
            "overall_accuracy_se": _num(self.overall_accuracy_se),
            "error_matrix": None if self.error_matrix is None else self.error_matrix.to_dict(),
        }
        if self.domains is not None:
            out["domains"] = {d: {c: e.to_dict() for c, e in per.items()} for d, per in self.domains.items()}
        if self.variance_groups:
            out["variance_groups"] = {g: list(m) for g, m in self.variance_groups.items()}
        if self.provenance is not None:
            out["provenance"] = dict(self.provenance)
        return out

    def estimates(self) -> Iterator[Estimate]:
        """Yield every number of :meth:`to_dict`: confidence, total area, per class, accuracy, per domain.

        Areas carry :attr:`unit`; proportions and accuracies have none (the error matrix is a
        matrix, not estimates with SEs, and gives no rows).

        Examples
        --------
        >>> est = AreaEstimate("stratified", 0.95, 1000.0, {"coca": ClassEstimate(120.0, 10.0, (100.4, 139.6),
        ...                    0.12, 0.01)}, unit="ha")
        >>> [(e.item, e.quantity, e.value, e.ci_low, e.unit) for e in est.estimates()][1:3]
        [('', 'total_area', 1000.0, None, 'ha'), ('classes/coca', 'area', 120.0, 100.4, 'ha')]

        """
        yield from number("", "confidence", self.confidence)
        yield from number("", "total_area", self.total_area, unit=self.unit)
        for name, c in self.classes.items():
            for e in c.estimates(self.unit):
                yield e._replace(item=f"classes/{name}")
        yield from number("", "overall_accuracy", self.overall_accuracy, self.overall_accuracy_se)
        for d, per in (self.domains or {}).items():
            for name, dc in per.items():
                for e in dc.estimates(self.unit):
                    yield e._replace(item=f"domains/{d}/{name}")

    def to_frame(self) -> pd.DataFrame:
        """Return one row per class with every estimate (CI bounds as two columns)."""
        rows = []
        for name, c in self.classes.items():
            rows.append(
                {
                    "class": name,
                    "area": c.area,
                    "area_se": c.area_se,
                    "area_ci_low": c.area_ci[0],
                    "area_ci_high": c.area_ci[1],
                    "proportion": c.proportion,
                    "proportion_se": c.proportion_se,
                    "users_accuracy": c.users_accuracy,
                    "users_accuracy_se": c.users_accuracy_se,
                    "producers_accuracy": c.producers_accuracy,
                    "producers_accuracy_se": c.producers_accuracy_se,
                }
            )
        df = pd.DataFrame(rows)
        num = [c for c in df.columns if c != "class"]
        df[num] = df[num].astype(float)
        df["class"] = df["class"].astype(object)
        return df

    def domains_frame(self) -> pd.DataFrame:
        """Return one row per domain and class (empty frame when there are no domains)."""
        cols = ["domain", "class", "area", "area_se", "area_ci_low", "area_ci_high"]
        rows = []
        for d, per in (self.domains or {}).items():
            for name, e in per.items():
                rows.append([d, name, e.area, e.area_se, e.area_ci[0], e.area_ci[1]])
        df = pd.DataFrame(rows, columns=cols)
        df[cols[2:]] = df[cols[2:]].astype(float)
        df[["domain", "class"]] = df[["domain", "class"]].astype(object)
        return df
