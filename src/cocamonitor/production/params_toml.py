"""Reading a production parameter file: the TOML schema, its validation and the keys' lines.

A parameter file is TOML. Every value carries its unit; values may be points or distributions;
parameters given under ``[parameters]`` apply to every region (one unknown shared by all regions),
those under ``[regions.<name>]`` to one region (an unknown of its own)::

    [meta]
    name = "my-params"                 # optional
    description = "..."                # optional

    [parameters.area_factor]           # productive (harvested) ha per ha standing on 31 Dec
    unit = "ha/ha"
    value = 1.09

    [parameters.leaf_yield]            # fresh coca leaf per productive ha per year
    unit = "t/ha/yr"                   # or kg/ha/yr
    distribution = "lognormal"         # point | normal | lognormal | uniform | triangular | pert
    median = 6.4                       # lognormal: median + sigma (of the log), or mean + sd
    sigma = 0.11
    spread = "why this spread"         # optional free text: where the spread comes from
    source = "published"               # optional for user files, required in presets
    citation = "..."
    derivation = "..."                 # the arithmetic, for source = "derived"

    [parameters.base_per_leaf]         # cocaine base per tonne of fresh leaf
    unit = "kg/t"
    distribution = "triangular"
    min = 1.3
    mode = 1.54
    max = 1.7

    [parameters.base_purity]           # purity of that base, in (0, 1]
    unit = "fraction"                  # or "%"
    distribution = "uniform"
    min = 0.6
    max = 0.8

    [parameters.hcl_per_base]          # kg pure hydrochloride per kg pure base
    unit = "kg/kg"
    value = 1.12

    [regions.Pacifico.leaf_yield]      # a region-specific value overrides [parameters]
    unit = "t/ha/yr"
    value = 7.0

    [areas.Pacifico]                   # optional; `areas` given apart override it all
    value = 50000
    se = 2500
    unit = "ha"

    [[correlations]]                   # optional; Gaussian-copula (normal-score) correlation
    between = ["leaf_yield", "base_per_leaf"]   # a name (every region's) or "name[region]"
    rho = 0.3

Presets are national: UNODC publishes no regional yields or factors (methodology.md §A.5), so
regional files are for users who have them. Instead of ``leaf_yield`` a region may give ``harvests_per_year`` (1/yr) and
``leaf_per_harvest`` (t/ha). Distribution keys: ``normal``: mean, sd (truncated to the
parameter's valid range); ``lognormal``: median + sigma or mean + sd; ``uniform``: min, max;
``triangular``: min, mode, max; ``pert``: min, mode, max [, lamb = 4].
"""

from __future__ import annotations

import math
import re
import tomllib
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cocamonitor.errors import CocamonitorWarning, InputError, ParameterError, suggest
from cocamonitor.production.distributions import KINDS, Distribution
from cocamonitor.production.params import (
    CHAIN_PARAMETERS,
    Correlation,
    ParameterInfo,
    ParameterSpec,
    ProductionModel,
    area_spec,
)

__all__ = [
    "SOURCES",
    "find_line",
    "parse_parameters",
    "read_parameters",
]


SOURCES = ("published", "derived")
_META_KEYS = {"name", "publisher", "year", "title", "description", "region_note"}
_SPEC_KEYS = {
    "unit",
    "distribution",
    "value",
    "mean",
    "sd",
    "median",
    "sigma",
    "min",
    "mode",
    "max",
    "lamb",
    "source",
    "citation",
    "derivation",
    "spread",
    "note",
    "se",
}
_DIST_KEYS = {
    "point": ({"value"}, set()),
    "normal": ({"mean", "sd"}, set()),
    "lognormal": (set(), set()),  # checked separately
    "uniform": ({"min", "max"}, set()),
    "triangular": ({"min", "mode", "max"}, set()),
    "pert": ({"min", "mode", "max"}, {"lamb"}),
}
_NUMERIC = {"value", "mean", "sd", "median", "sigma", "min", "mode", "max", "lamb", "se"}
_SCALED = {"value", "mean", "sd", "median", "min", "mode", "max", "se"}  # converted with the unit


# --- locating keys in the TOML text -------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _split_dotted(text: str) -> list[str]:
    parts, cur, quote = [], "", None
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
            else:
                cur += ch
        elif ch in "\"'":
            quote = ch
        elif ch == ".":
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return parts


def find_line(text: str, path: tuple[str, ...]) -> int | None:
    r"""Return the 1-based line where the TOML key ``path`` is defined (``tomllib`` keeps none).

    The deepest table header that is a prefix of ``path`` is found first; the remaining key is
    then searched for as ``key =`` below it (an inline table ``key = {...}`` also matches).

    Examples
    --------
    >>> text = '[parameters.leaf_yield]\nunit = "t/ha/yr"\nvalue = 6.4\n'
    >>> find_line(text, ("parameters", "leaf_yield", "value"))
    3
    >>> find_line(text, ("parameters", "leaf_yield"))
    1

    """
    lines = text.splitlines()
    headers: list[tuple[int, list[str]]] = []
    for i, line in enumerate(lines):
        m = _HEADER.match(line)
        if m and "=" not in m.group(1):
            headers.append((i, _split_dotted(m.group(1))))
    best: tuple[int, int] | None = None  # (prefix length, line index)
    for i, parts in headers:
        n = len(parts)
        if tuple(parts) == path[:n] and (best is None or n > best[0]):
            best = (n, i)
    depth, start = best if best else (0, -1)
    if depth == len(path):
        return start + 1
    first = re.escape(path[depth])
    key = re.compile(rf"""^\s*(?:{first}|"{first}"|'{first}')\s*[=.]""")
    header_lines = {i for i, _ in headers}
    for j in range(start + 1, len(lines)):
        if j in header_lines:
            break
        if key.match(lines[j]):
            return j + 1
    return start + 1 if best else None


class _Loc:
    """Formats ``file line N`` for a key path of the document being parsed."""

    def __init__(self, text: str | None, source: str | None):
        self.text, self.source = text, source

    def __call__(self, *path: str) -> str | None:
        line = find_line(self.text, tuple(path)) if self.text is not None else None
        src = self.source or "parameters"
        return f"{src} line {line}" if line else src


# --- parsing -------------------------------------------------------------------------------------


def _spec_from(
    raw: Any,
    name: str,
    region: str | None,
    path: tuple[str, ...],
    loc: _Loc,
    *,
    require_provenance: bool,
) -> ParameterSpec:
    where = loc(*path)
    info = CHAIN_PARAMETERS[name]
    label = name if region is None else f"{name} (region {region!r})"
    if not isinstance(raw, Mapping):
        raise ParameterError(
            f"{label}: a value needs its unit",
            where=where,
            hint=f'write {{ value = {raw!r}, unit = "{info.unit}" }}',
        )
    unknown = set(raw) - _SPEC_KEYS
    if unknown:
        bad = sorted(unknown)[0]
        raise ParameterError(
            f"{label}: unknown key {bad!r}", where=loc(*path, bad), hint=suggest(bad, _SPEC_KEYS)
        )
    unit = raw.get("unit")
    if unit is None or str(unit).strip() == "":
        raise ParameterError(
            f"{label}: missing unit",
            where=where,
            hint=f'add unit = "{info.unit}" (accepted: {", ".join(info.units)})',
        )
    unit = str(unit).strip()
    if unit not in info.units:
        raise ParameterError(
            f"{label}: unit {unit!r} is not a unit of {name}",
            where=loc(*path, "unit"),
            hint=f"accepted: {', '.join(info.units)}",
        )
    factor = info.units[unit]
    for key in _NUMERIC & set(raw):
        val = raw[key]
        if isinstance(val, bool) or not isinstance(val, int | float):
            raise ParameterError(
                f"{label}: {key} must be a number, got {val!r}", where=loc(*path, key)
            )
        if not math.isfinite(float(val)):
            raise ParameterError(f"{label}: {key} must be finite", where=loc(*path, key))
    num = {k: float(raw[k]) * (factor if k in _SCALED else 1.0) for k in _NUMERIC & set(raw)}
    kind = str(raw.get("distribution", "point")).strip().lower()
    if kind not in KINDS:
        raise ParameterError(
            f"{label}: unknown distribution {kind!r}",
            where=loc(*path, "distribution"),
            hint=suggest(kind, KINDS),
        )
    dist = _make_dist(kind, num, raw, info, label, path, loc)
    # range checks on what the distribution can produce
    lo, hi = dist.bounds()
    if kind == "normal":
        mean = num["mean"]
        if not info.check_value(mean):
            raise ParameterError(
                f"{label}: mean {mean:g} {info.unit} is outside {info.range_text()}",
                where=loc(*path, "mean"),
            )
    else:
        for key, val in (("min", lo), ("max", hi)) if kind not in ("point", "lognormal") else ():
            if not info.check_value(val):
                what = "negative" if val < 0 else "out of range"
                raise ParameterError(
                    f"{label}: {key} {val:g} {info.unit} is {what}; {name} must lie in "
                    f"{info.range_text()}",
                    where=loc(*path, key),
                )
        if kind == "point" and not info.check_value(lo):
            what = "negative " if lo < 0 else ""
            raise ParameterError(
                f"{label}: {what}value {lo:g} {info.unit} outside {info.range_text()}",
                where=loc(*path, "value"),
            )
        if kind == "lognormal" and info.upper < math.inf:
            raise ParameterError(
                f"{label}: a lognormal is unbounded but {name} must lie in {info.range_text()}",
                where=loc(*path, "distribution"),
                hint="use triangular, uniform, pert or a truncated normal",
            )
    source = raw.get("source")
    if source is not None and source not in SOURCES:
        raise ParameterError(
            f"{label}: source {source!r} must be one of {', '.join(SOURCES)}",
            where=loc(*path, "source"),
        )
    if require_provenance:
        if source is None or not raw.get("citation"):
            raise ParameterError(f"{label}: a preset value needs source and citation", where=where)
        if source == "derived" and not raw.get("derivation"):
            raise ParameterError(
                f"{label}: a derived value needs its derivation (the arithmetic)", where=where
            )
        if dist.is_random and not raw.get("spread"):
            raise ParameterError(
                f"{label}: a preset distribution must say where its spread comes from",
                where=where,
                hint='add spread = "..."',
            )
        if not dist.is_random and name != "area" and not raw.get("spread"):
            raise ParameterError(
                f"{label}: a preset factor kept fixed must say why",
                where=where,
                hint='add spread = "fixed: ..."',
            )
    elif dist.is_random and source is None and name != "area":
        warnings.warn(
            f"{label} ({where or 'parameters'}): its distribution has no source; the interval it gives is "
            f"as good as that guess (add source = \"published\" or \"derived\", with citation and spread)",
            CocamonitorWarning,
            stacklevel=2,
        )
    return ParameterSpec(
        name,
        region,
        dist,
        unit,
        **{
            k: (str(raw[k]) if raw.get(k) is not None else None)
            for k in ("source", "citation", "derivation", "spread", "note")
        },
        where=where,
    )


def _make_dist(
    kind: str,
    num: dict,
    raw: Mapping,
    info: ParameterInfo,
    label: str,
    path: tuple[str, ...],
    loc: _Loc,
) -> Distribution:
    if kind == "lognormal":
        if "median" in num and "sigma" in num:
            need = {"median", "sigma"}
        elif "mean" in num and "sd" in num:
            need = {"mean", "sd"}
        else:
            raise ParameterError(
                f"{label}: lognormal needs median and sigma, or mean and sd", where=loc(*path)
            )
        allowed = need
    else:
        need, opt = _DIST_KEYS[kind]
        allowed = need | opt
        missing = sorted(need - set(num))
        if missing:
            raise ParameterError(f"{label}: {kind} needs {', '.join(missing)}", where=loc(*path))
    stray = sorted((set(num) - allowed) - {"se"})
    if stray:
        raise ParameterError(
            f"{label}: key {stray[0]!r} does not belong to a {kind} distribution",
            where=loc(*path, stray[0]),
            hint=f"{kind} takes {', '.join(sorted(allowed))}",
        )
    if "se" in num:
        raise ParameterError(
            f"{label}: 'se' is only for areas",
            where=loc(*path, "se"),
            hint='use distribution = "normal" with mean and sd',
        )
    if kind == "point":
        return Distribution.point(num["value"])
    if kind == "normal":
        if num["sd"] <= 0:
            raise ParameterError(f"{label}: sd must be > 0", where=loc(*path, "sd"))
        lower = info.lower
        return Distribution.normal(num["mean"], num["sd"], lower, info.upper)
    if kind == "lognormal":
        centre, scale = ("median", "sigma") if "sigma" in num else ("mean", "sd")
        if num[centre] <= 0:
            raise ParameterError(
                f"{label}: {centre} must be > 0 (negative yields are impossible)",
                where=loc(*path, centre),
            )
        if num[scale] <= 0:
            raise ParameterError(f"{label}: {scale} must be > 0", where=loc(*path, scale))
        return Distribution.lognormal(**{centre: num[centre], scale: num[scale]})
    lo, hi = num["min"], num["max"]
    if not lo < hi:
        raise ParameterError(
            f"{label}: bounds are inverted or empty (min {lo:g} >= max {hi:g})",
            where=loc(*path, "min"),
            hint="min must be smaller than max",
        )
    if kind == "uniform":
        return Distribution.uniform(lo, hi)
    mode = num["mode"]
    if not lo <= mode <= hi:
        raise ParameterError(
            f"{label}: mode {mode:g} is outside [min {lo:g}, max {hi:g}]", where=loc(*path, "mode")
        )
    if kind == "triangular":
        return Distribution.triangular(lo, mode, hi)
    lamb = num.get("lamb", 4.0)
    if lamb <= 0:
        raise ParameterError(f"{label}: lamb must be > 0", where=loc(*path, "lamb"))
    return Distribution.pert(lo, mode, hi, lamb)


def _check_name(name: str, path: tuple[str, ...], loc: _Loc, *, allow_area: bool = False) -> None:
    names = [n for n in CHAIN_PARAMETERS if allow_area or n != "area"]
    if name not in names:
        raise ParameterError(
            f"unknown parameter {name!r}", where=loc(*path), hint=suggest(name, names)
        )


def parse_parameters(
    doc: Mapping[str, Any],
    *,
    text: str | None = None,
    source: str | None = None,
    require_provenance: bool = False,
) -> ProductionModel:
    """Build a :class:`ProductionModel` from a parsed TOML document.

    Parameters
    ----------
    doc : mapping
        The output of ``tomllib.loads``.
    text : str, optional
        The TOML text, used to give line numbers in errors.
    source : str, optional
        File name for messages.
    require_provenance : bool, default False
        Presets: every value needs ``source`` (published|derived), ``citation``, the
        ``derivation`` of derived values, and the ``spread`` of distributions.

    Raises
    ------
    ParameterError
        Unknown sections, parameters or keys, missing or wrong units, impossible values
        (negative yields, purity outside (0, 1]), inverted bounds, bad correlations.

    Examples
    --------
    >>> import tomllib
    >>> doc = tomllib.loads('''
    ... [parameters]
    ... leaf_yield = { value = 6.4, unit = "t/ha/yr" }
    ... base_per_leaf = { value = 1.54, unit = "kg/t" }
    ... base_purity = { value = 0.71, unit = "fraction" }
    ... hcl_per_base = { value = 1.12, unit = "kg/kg" }
    ... [areas.Colombia]
    ... value = 143000
    ... unit = "ha"
    ... ''')
    >>> model = parse_parameters(doc)
    >>> model.regions, len(model.parameters)
    (('Colombia',), 4)

    """
    loc = _Loc(text, source)
    allowed_top = {"meta", "parameters", "regions", "areas", "correlations", "published"}
    for key in doc:
        if key not in allowed_top:
            raise ParameterError(
                f"unknown section [{key}]", where=loc(key), hint=suggest(key, allowed_top)
            )
    meta = dict(doc.get("meta", {}))
    for key in meta:
        if key not in _META_KEYS:
            raise ParameterError(
                f"unknown [meta] key {key!r}", where=loc("meta", key), hint=suggest(key, _META_KEYS)
            )
    specs: list[ParameterSpec] = []
    params = doc.get("parameters", {})
    if not isinstance(params, Mapping):
        raise ParameterError("[parameters] must be a table", where=loc("parameters"))
    for name, raw in params.items():
        _check_name(name, ("parameters", name), loc)
        specs.append(
            _spec_from(
                raw, name, None, ("parameters", name), loc, require_provenance=require_provenance
            )
        )
    region_where: dict[str, str] = {}
    for region, table in doc.get("regions", {}).items():
        if not isinstance(table, Mapping):
            raise ParameterError(
                f"[regions.{region}] must be a table of parameters", where=loc("regions", region)
            )
        region_where[region] = loc("regions", region) or ""
        for name, raw in table.items():
            _check_name(name, ("regions", region, name), loc)
            specs.append(
                _spec_from(
                    raw,
                    name,
                    region,
                    ("regions", region, name),
                    loc,
                    require_provenance=require_provenance,
                )
            )
    areas: list[ParameterSpec] = []
    for region, raw in doc.get("areas", {}).items():
        path = ("areas", region)
        where = loc(*path)
        if not isinstance(raw, Mapping) or "value" not in raw:
            raise ParameterError(
                f"area of region {region!r} needs value and unit",
                where=where,
                hint='write { value = 143000, unit = "ha" } (se optional)',
            )
        extra = set(raw) - {"value", "se", "unit", "source", "citation", "derivation", "note"}
        if extra:
            bad = sorted(extra)[0]
            raise ParameterError(
                f"area of region {region!r}: unknown key {bad!r}", where=loc(*path, bad)
            )
        if "unit" not in raw:
            raise ParameterError(
                f"area of region {region!r}: missing unit", where=where, hint='add unit = "ha"'
            )
        if require_provenance and (raw.get("source") not in SOURCES or not raw.get("citation")):
            raise ParameterError(
                f"area of region {region!r}: a preset value needs source and citation", where=where
            )
        for k in ("value", "se"):
            if k in raw and (isinstance(raw[k], bool) or not isinstance(raw[k], int | float)):
                raise ParameterError(
                    f"area of region {region!r}: {k} must be a number", where=loc(*path, k)
                )
        areas.append(
            area_spec(
                region,
                float(raw["value"]),
                float(raw["se"]) if "se" in raw else None,
                str(raw["unit"]),
                where=where,
                source=raw.get("source"),
                citation=raw.get("citation"),
            )
        )
        region_where.setdefault(region, where or "")
    labels = {s.label for s in specs} | {s.name for s in specs}
    correlations: list[Correlation] = []
    for i, raw in enumerate(doc.get("correlations", [])):
        where = loc("correlations")
        if (
            not isinstance(raw, Mapping)
            or set(raw) - {"between", "rho", "note"}
            or "between" not in raw
            or "rho" not in raw
        ):
            raise ParameterError(
                f'correlation {i + 1} needs between = ["a", "b"] and rho', where=where
            )
        pair = raw["between"]
        if not (isinstance(pair, list) and len(pair) == 2):
            raise ParameterError(
                f"correlation {i + 1}: between must list two parameters", where=where
            )
        for p in pair:
            if p not in labels:
                raise ParameterError(
                    f"correlation {i + 1}: unknown parameter {p!r}",
                    where=where,
                    hint=suggest(str(p), labels),
                )
        rho = raw["rho"]
        if isinstance(rho, bool) or not isinstance(rho, int | float) or not -1 < rho < 1:
            raise ParameterError(
                f"correlation {i + 1}: rho must be a number in (-1, 1), got {rho!r}", where=where
            )
        if pair[0] == pair[1]:
            raise ParameterError(
                f"correlation {i + 1}: a parameter cannot be correlated with itself", where=where
            )
        correlations.append(Correlation(str(pair[0]), str(pair[1]), float(rho), where))
    published = dict(doc.get("published", {}))
    return ProductionModel(
        tuple(specs), tuple(areas), tuple(correlations), meta, published, source, region_where
    )


def read_parameters(
    path: str | Path, *, require_provenance: bool = False, name: str | None = None
) -> ProductionModel:
    """Read a parameter TOML file (see the module docstring for the schema).

    Raises
    ------
    InputError
        Missing file or invalid TOML (with its line).
    ParameterError
        Invalid content, with file and line.

    """
    path = Path(path)
    label = name or str(path)
    if not path.exists():
        raise InputError(f"parameter file not found: {path}", hint="check the path")
    from cocamonitor.io.text import read_text_file

    text = read_text_file(path, kind="TOML", where=label)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"not valid TOML: {err}", where=label) from err
    return parse_parameters(doc, text=text, source=label, require_provenance=require_provenance)
