r"""Import a user's own results table (``cocamonitor data import results FILE.csv``).

For figures no bundled or Ministry file has -- supply chain (cash seized, extraditions, asset
forfeiture, precursors), demand (prevalence of use, treatment admissions) or any reported
indicator of :data:`cocamonitor.indicators.INDICATORS` -- a user writes one row per figure::

    year;indicator;value;unit;source
    2023;extraditions;215;count;Fiscalía General de la Nación, informe de gestión 2023
    2023;cash_seized;12.500.000,5;USD;Policía Nacional, balance operacional 2023

with ``,`` or ``;`` as the delimiter and either decimal convention (detected per column). The
unit must be the indicator's or convertible to it (kg/t/g, L/gal). Figures are national; each
keeps its ``source`` as publisher and the file's SHA-256 and import date as its citation.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "supply.csv"
>>> _ = p.write_text("year;indicator;value;unit;source\n2023;solid_precursors_seized;1.250,5;kg;Policía\n")
>>> read_results(p)[["year", "indicator", "value", "unit", "source"]].to_dict("records")
[{'year': 2023, 'indicator': 'solid_precursors_seized', 'value': 1.2505, 'unit': 't', 'source': 'Policía'}]

"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.errors import DataError, SchemaError, UnknownNameError

__all__ = ["KIND", "REQUIRED", "dataset_name", "import_file", "read_results"]

KIND = "results-csv"
REQUIRED = ("year", "indicator", "value", "unit", "source")
_OPTIONAL = ("note",)
_UNIT_SPELLINGS = {"%": "percent", "pct": "percent", "kgs": "kg", "l": "L", "lt": "L", "litros": "L",
                   "gal": "gal", "galones": "gal", "ton": "t", "toneladas": "t", "kilogramos": "kg",
                   "usd": "USD", "us$": "USD", "cop": "COP", "ha": "ha", "units": "count", "number": "count"}


def dataset_name(path: str | Path) -> str:
    """Name of the imported table: ``results-`` and the file's stem, folded to ``a-z0-9_.-``."""
    stem = re.sub(r"[^a-z0-9_.-]+", "-", Path(path).stem.lower()).strip("-.") or "table"
    return f"results-{stem}"[:80]


def _unit(text: str) -> str:
    t = str(text).strip()
    return _UNIT_SPELLINGS.get(t.lower(), t)


def read_results(path: str | Path) -> pd.DataFrame:
    """Read and check a results CSV; return rows in the indicators' units (nothing is written).

    Raises
    ------
    SchemaError
        A missing or unknown column, a figure given twice.
    DataError
        A year that is not whole, a value that is not a number >= 0, a unit that does not fit.
    UnknownNameError
        An unknown indicator, or a ratio (ratios are computed, not imported).

    """
    from cocamonitor.indicators import INDICATORS, UNIT_FACTORS, suggest_indicator
    from cocamonitor.io.tables import location, read_table

    label = str(path)
    df = read_table(path, required=list(REQUIRED), numeric=["year", "value"], non_negative=["value"])
    extra = [c for c in df.columns if c not in REQUIRED + _OPTIONAL]
    if extra:
        raise SchemaError(f"unknown column {extra[0]!r}", where=location(label, None, extra[0]),
                          hint="a results table has the columns year, indicator, value, unit, source (and note)")
    if df.empty:
        raise DataError("no figures in the file", where=label, hint="add rows: year;indicator;value;unit;source")
    year = df["year"].astype(float)
    bad = year != np.round(year)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"year {df['year'].iloc[i]} is not a whole number", where=location(label, i, "year"),
                        hint="write years like 2023")
    reported = {i.name: i for i in INDICATORS if i.kind == "reported"}
    ind = df["indicator"].astype("string").str.strip()
    unknown = ~ind.isin(list(reported))
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        name = str(ind.iloc[i])
        ratio = any(x.name == name for x in INDICATORS)
        raise UnknownNameError(f"{'ratio' if ratio else 'unknown'} indicator {name!r}",
                               where=location(label, i, "indicator"),
                               hint="ratios are computed from their parts; import the reported figure"
                               if ratio else suggest_indicator(name))
    units = df["unit"].astype("string").map(_unit)
    target = ind.map(lambda n: reported[n].unit)
    factors = np.ones(len(df))
    for i, (a, b) in enumerate(zip(units, target, strict=True)):
        if a == b:
            continue
        if (a, b) not in UNIT_FACTORS:
            raise DataError(f"unit {df['unit'].iloc[i]!r} does not fit {ind.iloc[i]} (measured in {b})",
                            where=location(label, i, "unit"), hint=f"give the figure in {b}")
        factors[i] = UNIT_FACTORS[(a, b)]
    source = df["source"].astype("string").str.strip()
    key = year.astype(int).astype(str) + "|" + ind + "|" + source
    dup = key.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise SchemaError(f"{ind.iloc[i]} {int(year.iloc[i])} from {source.iloc[i]!r} is given twice",
                          where=location(label, i, "indicator"), hint="keep one figure per year, indicator and source")
    value = df["value"].to_numpy(dtype=float)
    converted = factors != 1.0
    note = pd.Series(pd.NA, index=df.index, dtype="string")
    if "note" in df.columns:
        note = df["note"].astype("string")
    conv = pd.Series([f"converted from {v:,.6g} {u}" for v, u in zip(value, df["unit"], strict=True)],
                     index=df.index, dtype="string")
    note = note.mask(converted, (conv + "; " + note.fillna("")).str.rstrip("; "))
    return pd.DataFrame({
        "year": year.astype(int).to_numpy(), "indicator": ind.to_numpy(), "source": source.to_numpy(),
        "value": value * factors, "unit": target.to_numpy(), "publisher": source.to_numpy(),
        "citation": pd.array([pd.NA] * len(df), dtype="string"), "note": note.to_numpy(),
    })


def import_file(path: str | Path, *, data_dir: str | Path | None = None) -> tuple[pd.DataFrame, Any, bool]:
    """Check a results CSV and store it as ``results-STEM``; (rows, entry, changed).

    A figure that a bundled source already gives for the same year, indicator and source name
    is refused (name your source differently, e.g. with its publication).
    """
    from cocamonitor import userdata
    from cocamonitor.indicators.sources import IndicatorInputs
    from cocamonitor.indicators.table import _national_sources

    rows = read_results(path)
    bundled = _national_sources(IndicatorInputs.from_datasets(imported=False))
    key = ["year", "indicator", "source"]
    clash = rows.merge(bundled[key], on=key, how="inner")
    if not clash.empty:
        r = clash.iloc[0]
        raise DataError(f"{r['indicator']} {r['year']} from {r['source']!r} is already bundled",
                        where=str(path), hint="name the source differently (e.g. with its publication)")
    name = dataset_name(path)
    try:
        before = userdata.entry(name, data_dir=data_dir)
    except UnknownNameError:
        before = None
    meta = {"file": Path(path).name, "indicators": sorted(rows["indicator"].unique()),
            "years": [int(rows["year"].min()), int(rows["year"].max())]}
    entry = userdata.store_table(rows, name=name, kind=KIND, source=path, meta=meta, data_dir=data_dir)
    return rows, entry, before is None or before.to_dict() != entry.to_dict()
