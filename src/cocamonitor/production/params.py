"""Parameters of the production chain: names, units, valid ranges, distributions and the model.

:class:`ProductionModel` holds the parameter specs, the areas and the correlations of one
production estimate. Reading one from a TOML file (the schema, its validation and the line of
each key) is :mod:`cocamonitor.production.params_toml`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cocamonitor._moved import moved_names
from cocamonitor.errors import ParameterError, suggest
from cocamonitor.production.distributions import Distribution

__all__ = [
    "CHAIN_PARAMETERS",
    "RESOLVED_NAMES",
    "area_spec",
    "is_implicit",
    "Correlation",
    "ParameterInfo",
    "ParameterSpec",
    "ProductionModel",
]

# names that moved to params_toml stay importable from here, with a DeprecationWarning
__getattr__ = moved_names(
    __name__,
    dict.fromkeys(
        ["SOURCES", "find_line", "parse_parameters", "read_parameters"], "cocamonitor.production.params_toml"
    ),
)


@dataclass(frozen=True)
class ParameterInfo:
    """What a chain parameter means, its canonical unit, accepted units and valid range."""

    name: str
    description: str
    unit: str
    units: Mapping[str, float]  # accepted spelling -> factor to the canonical unit
    lower: float
    upper: float
    lower_open: bool = True  # the valid range excludes ``lower`` itself

    def check_value(self, value: float) -> bool:
        """Return True if ``value`` lies in the valid range."""
        if math.isnan(value):
            return False
        low_ok = value > self.lower if self.lower_open else value >= self.lower
        return low_ok and value <= self.upper

    def range_text(self) -> str:
        """Return the valid range as text, e.g. ``(0, 1]``."""
        left = "(" if self.lower_open else "["
        hi = "inf)" if math.isinf(self.upper) else f"{self.upper:g}]"
        return f"{left}{self.lower:g}, {hi}"


_RATIO = {"ha/ha": 1.0, "1": 1.0, "ratio": 1.0, "fraction": 1.0}
CHAIN_PARAMETERS: dict[str, ParameterInfo] = {
    p.name: p
    for p in [
        ParameterInfo(
            "area",
            "coca area standing on 31 December",
            "ha",
            {"ha": 1.0, "km2": 100.0, "m2": 1e-4},
            0.0,
            math.inf,
            lower_open=False,
        ),
        ParameterInfo(
            "area_factor",
            "productive (harvested) ha per ha standing on 31 December",
            "ha/ha",
            _RATIO,
            0.0,
            math.inf,
        ),
        ParameterInfo(
            "leaf_yield",
            "fresh coca leaf per productive ha per year",
            "t/ha/yr",
            {"t/ha/yr": 1.0, "t/ha/year": 1.0, "kg/ha/yr": 1e-3, "kg/ha/year": 1e-3},
            0.0,
            math.inf,
        ),
        ParameterInfo(
            "harvests_per_year",
            "harvests per productive ha per year",
            "1/yr",
            {"1/yr": 1.0, "harvests/yr": 1.0, "1/year": 1.0, "harvests/year": 1.0},
            0.0,
            math.inf,
        ),
        ParameterInfo(
            "leaf_per_harvest",
            "fresh leaf per ha per harvest",
            "t/ha",
            {"t/ha": 1.0, "kg/ha": 1e-3},
            0.0,
            math.inf,
        ),
        ParameterInfo(
            "base_per_leaf",
            "cocaine base obtained per tonne of fresh leaf",
            "kg/t",
            {"kg/t": 1.0, "g/kg": 1.0},
            0.0,
            math.inf,
        ),
        ParameterInfo(
            "base_purity",
            "purity of that base (share of pure cocaine base)",
            "fraction",
            {"fraction": 1.0, "1": 1.0, "%": 0.01},
            0.0,
            1.0,
        ),
        ParameterInfo(
            "hcl_per_base",
            "kg of pure hydrochloride per kg of pure base",
            "kg/kg",
            {"kg/kg": 1.0, "t/t": 1.0, "1": 1.0, "ratio": 1.0},
            0.0,
            math.inf,
        ),
    ]
}


@dataclass(frozen=True)
class ParameterSpec:
    """One parameter as written in a file: name, region (None = every region) and distribution.

    Attributes
    ----------
    name : str
        A key of :data:`CHAIN_PARAMETERS`.
    region : str or None
        The region it applies to; None for the ``[parameters]`` (all-region) value.
    dist : Distribution
        In the canonical unit of the parameter.
    unit : str
        The unit as written in the file.
    source, citation, derivation, spread, note : str or None
        Provenance (presets: ``source`` is "published" or "derived").
    where : str or None
        ``file line N`` of its definition, for messages.

    """

    name: str
    region: str | None
    dist: Distribution
    unit: str
    source: str | None = None
    citation: str | None = None
    derivation: str | None = None
    spread: str | None = None
    note: str | None = None
    where: str | None = None

    @property
    def label(self) -> str:
        """``name`` or ``name[region]``: the name of its random variable."""
        return self.name if self.region is None else f"{self.name}[{self.region}]"

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly description with provenance."""
        out: dict[str, Any] = {
            "parameter": self.name,
            "region": self.region,
            "unit": CHAIN_PARAMETERS[self.name].unit,
            **self.dist.describe(),
            "central": self.dist.central,
        }
        for key in ("source", "citation", "derivation", "spread", "note"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class Correlation:
    """Correlation between the normal scores of two parameters (Gaussian copula)."""

    a: str
    b: str
    rho: float
    where: str | None = None


@dataclass(frozen=True)
class ProductionModel:
    """A complete chain: regions with areas, parameters and correlations.

    Build it with :func:`parse_parameters` / :func:`read_parameters` (or a preset), then set the
    areas with :meth:`with_areas`. :meth:`resolve` checks that every region has every parameter.

    Attributes
    ----------
    parameters : tuple of ParameterSpec
        The chain parameters (no areas).
    areas : tuple of ParameterSpec
        One ``area`` spec per region, in region order.
    correlations : tuple of Correlation
    meta : dict
        ``[meta]`` of the file (name, description, ...).
    published : dict
        Published targets (presets): quantity -> {"value", "citation"}.
    source : str or None
        The file it came from.

    """

    parameters: tuple[ParameterSpec, ...]
    areas: tuple[ParameterSpec, ...] = ()
    correlations: tuple[Correlation, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    published: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = None
    region_where: Mapping[str, str] = field(default_factory=dict)

    @property
    def regions(self) -> tuple[str, ...]:
        """Region names, in the order of the areas."""
        return tuple(a.region for a in self.areas if a.region is not None)

    def with_areas(self, areas: tuple[ParameterSpec, ...]) -> ProductionModel:
        """Return a copy whose areas are replaced (areas given by the user override a preset's)."""
        return ProductionModel(
            self.parameters,
            tuple(areas),
            self.correlations,
            self.meta,
            self.published,
            self.source,
            self.region_where,
        )

    def resolve(self) -> dict[str, list[ParameterSpec]]:
        """For each chain parameter, the spec that applies to each region (region order).

        Returns
        -------
        dict
            name -> list of specs (one per region) for every name of ``RESOLVED_NAMES``. Leaf
            yield is ``leaf_yield * harvests_per_year * leaf_per_harvest``: the factors a region
            does not use are an implicit point 1 (see :func:`is_implicit`), and so is
            ``area_factor`` when it is not given (the areas are then taken as productive).

        Raises
        ------
        ParameterError
            No areas; a region without a parameter; parameters for a region that has no area;
            both ``leaf_yield`` and ``harvests_per_year``/``leaf_per_harvest`` at one level.

        """
        regions = self.regions
        if not regions:
            raise ParameterError(
                "no areas to compute production for",
                where=self.source or "parameters",
                hint="give `areas` (a CSV of region areas) or an [areas.<region>] table",
            )
        region_set = set(regions)
        for spec in self.parameters:
            if spec.region is not None and spec.region not in region_set:
                raise ParameterError(
                    f"parameter {spec.name!r} is given for region {spec.region!r}, "
                    "which has no area",
                    where=spec.where or self.source,
                    hint=f"areas cover: {', '.join(regions)}; {suggest(spec.region, regions)}",
                )
        glob = {s.name: s for s in self.parameters if s.region is None}
        local = {(s.name, s.region): s for s in self.parameters if s.region is not None}
        out: dict[str, list[ParameterSpec]] = {"area": list(self.areas)}
        for region in regions:
            chosen = self._yield_form(region, glob, local)
            for name in RESOLVED_NAMES[1:]:
                if name in _YIELD_NAMES and name not in chosen:
                    out.setdefault(name, []).append(_IMPLICIT_ONE[name])
                    continue
                chosen_spec = local.get((name, region)) or glob.get(name)
                if chosen_spec is None and name == "area_factor":
                    chosen_spec = _IMPLICIT_ONE[name]
                if chosen_spec is None:
                    area_where = {a.region: a.where for a in self.areas}.get(region)
                    where = area_where or self.region_where.get(region)
                    raise ParameterError(
                        f"region {region!r} has no value for parameter {name!r}",
                        where=where or self.source,
                        hint=f"add [parameters.{name}] or [regions.{_key(region)}.{name}]"
                        + (f" to {self.source}" if self.source else ""),
                    )
                out.setdefault(name, []).append(chosen_spec)
        return out

    def _yield_form(self, region: str, glob: dict, local: dict) -> tuple[str, ...]:
        for scope, has in (
            ("region", lambda n: (n, region) in local),
            ("all", lambda n: n in glob),
        ):
            direct = has("leaf_yield")
            split = has("harvests_per_year") or has("leaf_per_harvest")
            if direct and split:
                spec = local[("leaf_yield", region)] if scope == "region" else glob["leaf_yield"]
                raise ParameterError(
                    "give either leaf_yield or harvests_per_year with leaf_per_harvest, not both",
                    where=spec.where or self.source,
                    hint=f"region {region!r}",
                )
            if direct:
                return ("leaf_yield",)
            if split:
                return ("harvests_per_year", "leaf_per_harvest")
        return ("leaf_yield",)

    def specs(self) -> list[ParameterSpec]:
        """Every spec in use (areas first), without duplicates, in a stable order."""
        resolved = self.resolve()
        seen: dict[str, ParameterSpec] = {}
        for specs in resolved.values():
            for spec in specs:
                if not is_implicit(spec):
                    seen.setdefault(spec.label, spec)
        return list(seen.values())

    def to_frame(self):
        """Every parameter in use, one row each, with unit, distribution and provenance."""
        import pandas as pd

        return pd.DataFrame([s.to_dict() for s in self.specs()])


_YIELD_NAMES = ("leaf_yield", "harvests_per_year", "leaf_per_harvest")
RESOLVED_NAMES = (
    "area",
    "area_factor",
    *_YIELD_NAMES,
    "base_per_leaf",
    "base_purity",
    "hcl_per_base",
)
_IMPLICIT_ONE = {
    name: ParameterSpec(
        name, None, Distribution.point(1.0), CHAIN_PARAMETERS[name].unit, note="implicit 1"
    )
    for name in ("area_factor", *_YIELD_NAMES)
}


def is_implicit(spec: ParameterSpec) -> bool:
    """Return True for the implicit 1 standing in for an unused factor (e.g. no area_factor)."""
    return any(spec is one for one in _IMPLICIT_ONE.values())


def _key(region: str) -> str:
    return region if re.fullmatch(r"[A-Za-z0-9_-]+", region) else f'"{region}"'


def area_spec(
    region: str,
    value: float,
    se: float | None,
    unit: str = "ha",
    *,
    where: str | None = None,
    source: str | None = None,
    citation: str | None = None,
) -> ParameterSpec:
    """Area of a region as a spec: a point, or a normal(value, se) truncated at 0."""
    info = CHAIN_PARAMETERS["area"]
    if unit not in info.units:
        raise ParameterError(
            f"area of region {region!r}: unit {unit!r} is not an area unit",
            where=where,
            hint=f"accepted: {', '.join(info.units)}",
        )
    f = info.units[unit]
    if not (math.isfinite(value) and value >= 0):
        raise ParameterError(f"area of region {region!r} must be >= 0, got {value:g}", where=where)
    if se is None or (isinstance(se, float) and math.isnan(se)) or se == 0:
        dist = Distribution.point(value * f)
    else:
        if not (math.isfinite(se) and se > 0):
            raise ParameterError(
                f"area SE of region {region!r} must be >= 0, got {se:g}", where=where
            )
        dist = Distribution.normal(value * f, se * f, 0.0, math.inf)
    return ParameterSpec("area", region, dist, unit, source=source, citation=citation, where=where)
