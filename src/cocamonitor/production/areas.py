"""Areas for the chain: an AREAS.csv table or a ``cocamonitor area estimate`` JSON.

* Table (CSV or Parquet): columns ``region``, ``area_ha`` and optionally ``area_se`` (standard
  error, ha). A region with an SE gets a normal area truncated at 0; without one, a fixed area.
* Area estimate JSON (the "Area estimate JSON" contract of DESIGN.md): the area and SE of the coca
  class, nationally (one region named after the file's ``national`` label) or per domain when the
  JSON has ``domains`` (one region per domain).

Examples
--------
>>> import json, tempfile, pathlib
>>> doc = {"unit": "ha", "classes": {"coca": {"area": 1000.0, "area_se": 50.0}}}
>>> p = pathlib.Path(tempfile.mkdtemp()) / "est.json"
>>> _ = p.write_text(json.dumps(doc))
>>> [(a.region, a.dist.kind) for a in read_areas(p)]
[('national', 'normal')]

"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cocamonitor.errors import DataError, InputError, SchemaError, suggest
from cocamonitor.io.tables import location, read_table
from cocamonitor.production.params import CHAIN_PARAMETERS, ParameterSpec, area_spec

__all__ = ["areas_from_estimate", "read_areas"]


def read_areas(
    path: str | Path, *, area_class: str | None = None, unit: str | None = None
) -> tuple[ParameterSpec, ...]:
    """Read areas from a table or an area-estimate JSON (chosen by the ``.json`` suffix).

    Parameters
    ----------
    path : str or Path
        The table or JSON file.
    area_class : str, optional
        JSON only: the reference class holding coca (default: a class named ``coca``,
        case-insensitive, or the only class).
    unit : str, optional
        JSON only: the area unit when the estimate does not state one.

    Raises
    ------
    InputError, SchemaError, DataError
        Unreadable file, missing columns, duplicated or blank regions, negative areas or SEs.

    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"areas file not found: {path}", where="areas", hint="check the path")
    if path.suffix.lower() == ".json":
        try:
            from cocamonitor.io.text import read_text_file

            doc = json.loads(read_text_file(path, kind="JSON"))
        except (OSError, ValueError) as err:
            raise InputError(f"not valid JSON: {err}", where=str(path)) from err
        return areas_from_estimate(doc, area_class=area_class, unit=unit, source=str(path))
    df = read_table(
        path,
        required=["region", "area_ha"],
        numeric=["area_ha", "area_se"],
        non_negative=["area_ha", "area_se"],
    )
    if df.empty:
        raise DataError("the areas table has no rows", where=str(path))
    regions = df["region"].astype(str).str.strip()
    dup = regions.duplicated()
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise SchemaError(
            f"region {regions.iloc[i]!r} appears twice",
            where=location(str(path), i, "region"),
            hint="give one row per region",
        )
    has_se = "area_se" in df.columns
    out = []
    for i, region in enumerate(regions):
        se = float(df["area_se"].iloc[i]) if has_se else None
        out.append(
            area_spec(
                region,
                float(df["area_ha"].iloc[i]),
                se,
                "ha",
                where=location(str(path), i),
                source=None,
                citation=None,
            )
        )
    return tuple(out)


def _pick_class(classes: Mapping[str, Any], area_class: str | None, where: str) -> str:
    names = list(classes)
    if area_class is not None:
        if area_class not in classes:
            raise InputError(
                f"class {area_class!r} is not in the area estimate",
                where=where,
                hint=suggest(area_class, names),
            )
        return area_class
    coca = [c for c in names if str(c).strip().lower() == "coca"]
    if coca:
        return coca[0]
    if len(names) == 1:
        return names[0]
    raise InputError(
        "cannot tell which class is coca",
        where=where,
        hint=f"name it with `area_class` (classes: {', '.join(map(str, names))})",
    )


def _area_of(entry: Any, cls: str, where: str) -> tuple[float, float | None]:
    if not isinstance(entry, Mapping) or "area" not in entry:
        raise InputError(f"class {cls!r} has no 'area'", where=where)
    try:
        area = float(entry["area"])
        se = entry.get("area_se")
        se = None if se is None else float(se)
    except (TypeError, ValueError) as err:
        raise InputError(f"class {cls!r}: area and area_se must be numbers", where=where) from err
    if not math.isfinite(area) or area < 0:
        raise DataError(f"class {cls!r}: area must be >= 0, got {area}", where=where)
    if se is not None and (not math.isfinite(se) or se < 0):
        raise DataError(f"class {cls!r}: area_se must be >= 0, got {se}", where=where)
    return area, se


def areas_from_estimate(
    doc: Mapping[str, Any],
    *,
    area_class: str | None = None,
    unit: str | None = None,
    source: str = "area estimate",
    national_name: str = "national",
) -> tuple[ParameterSpec, ...]:
    """Areas from a parsed area-estimate JSON (``AreaEstimate.to_dict()``).

    Parameters
    ----------
    doc : mapping or AreaEstimate
        Needs ``unit`` and ``classes``; ``domains`` (optional) gives one region per domain.
    area_class : str, optional
        The class holding coca (see :func:`read_areas`).
    unit : str, optional
        Unit of the areas when the estimate does not say (its ``unit`` is "unspecified").
    source : str
        Name used in messages.
    national_name : str, default "national"
        Region name of a national (domain-less) estimate.

    """
    if hasattr(doc, "to_dict") and not isinstance(doc, Mapping):  # an AreaEstimate object
        doc = doc.to_dict()
    if not isinstance(doc, Mapping) or "classes" not in doc:
        raise SchemaError(
            "not an area estimate: no 'classes'",
            where=source,
            hint="pass the JSON document of an area estimate",
        )
    given = str(doc.get("unit") or "unspecified").strip()
    units = CHAIN_PARAMETERS["area"].units
    if unit is not None and unit not in units:
        raise InputError(
            f"area unit {unit!r} is not an area unit",
            where="unit",
            hint=f"use one of {', '.join(units)}",
        )
    if given in units and unit is not None and unit != given:
        raise InputError(
            f"the area estimate says its unit is {given!r}, not {unit!r}",
            where=f"{source}: unit",
            hint="drop `unit`",
        )
    unit = given if given in units else unit
    if unit is None:
        raise InputError(
            f"area unit {given!r} cannot be used",
            where=f"{source}: unit",
            hint=f"the areas must be in {', '.join(units)}; if the strata areas were "
            "in hectares, say so with `unit` ha",
        )
    domains = doc.get("domains")
    if domains:
        out = []
        for dom, classes in domains.items():
            cls = _pick_class(classes, area_class, f"{source}: domains.{dom}")
            area, se = _area_of(classes[cls], cls, f"{source}: domains.{dom}.{cls}")
            out.append(area_spec(str(dom), area, se, unit, where=f"{source}: domains.{dom}"))
        return tuple(out)
    classes = doc["classes"]
    cls = _pick_class(classes, area_class, f"{source}: classes")
    area, se = _area_of(classes[cls], cls, f"{source}: classes.{cls}")
    return (area_spec(national_name, area, se, unit, where=f"{source}: classes.{cls}"),)
