"""Inputs of the results table beyond the SIMCI and MinDefensa core tables.

:class:`IndicatorInputs` holds the tables the results table is computed from;
:func:`with_extras` adds to them:

* the bundled heroin seizures by municipality (MinDefensa event file, 2010-2024);
* the ODC national series 1999-2018 (manual eradication; seizures of cocaine hydrochloride,
  coca base and coca leaf) with its publisher and release;
* the demand figures bundled in ``demand.csv``, each with the publication it was read in;
* the DANE municipal population 2012-2024 (for "per 100,000 inhabitants");
* what the user imported into the user data folder: Ministry event files
  (``cocamonitor data import mindefensa``), which replace a bundled table of the same result,
  and results tables (``cocamonitor data import results``).

Every figure keeps its publisher and citation; an imported one names its file, SHA-256 and
import date.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["REPORTED_COLUMNS", "EventSource", "IndicatorInputs", "bundled_demand", "imported_sources",
           "odc_series", "with_extras"]

#: Columns of :attr:`IndicatorInputs.reported` (national figures in the indicators' units).
REPORTED_COLUMNS = ["year", "indicator", "source", "value", "unit", "publisher", "citation", "note"]


@dataclass(frozen=True)
class EventSource:
    """A municipal table of one result beside the bundled ones (the heroin table, an imported file).

    Attributes
    ----------
    indicator : str
        The indicator it reports (``heroin_seizures``).
    table : DataFrame
        ``divipola`` (NA when not in Colombia), ``year``, ``quantity`` and optionally
        ``location`` (where an event outside Colombia was recorded).
    unit : str
        Unit of ``quantity`` (converted to the indicator's unit).
    publisher, citation : str
        Who published it and where it comes from (for an import: file, SHA-256, import date).
    origin : {"bundled", "imported"}
        An imported table replaces a bundled one of the same indicator.

    """

    indicator: str
    table: pd.DataFrame
    unit: str
    publisher: str
    citation: str
    origin: str = "bundled"


@dataclass(frozen=True)
class IndicatorInputs:
    """The tables the results are computed from (see :mod:`cocamonitor.datasets`).

    Attributes
    ----------
    municipal : DataFrame
        ``divipola, year, hectares`` (SIMCI census; NaN = no coca reported, counts as 0).
    national : DataFrame
        The ``coca-national`` table: ``year, source_key, source, metric, value, unit,
        citation, note`` and, for the national series, ``latest, publication, released``.
    spraying, labs : DataFrame
        MinDefensa events by municipality: ``divipola (NA if unknown), year, quantity``.
    territories : DataFrame
        DIVIPOLA registry (``divipola, department_code, department, pdet_subregion, ...``).
    citations : dict of str to str
        Citation of each municipal dataset (``coca-municipal``, ``spraying``, ``labs``).
    events : tuple of EventSource
        Further municipal tables (bundled heroin seizures, imported Ministry files); an
        imported ``labs_destroyed`` or ``aerial_spraying`` replaces ``labs`` or ``spraying``.
    population : DataFrame, optional
        DANE population ``divipola, year, population`` (for "per 100,000 inhabitants").
    reported : DataFrame, optional
        Further national figures, already in the indicators' units: ``year, indicator,
        source, value, unit, publisher, citation, note`` (ODC series, demand figures, a
        user's CSV).
    imported : tuple of dict
        The user data folder's entries used (name, file, SHA-256, import date) for provenance.

    """

    municipal: pd.DataFrame
    national: pd.DataFrame
    spraying: pd.DataFrame
    labs: pd.DataFrame
    territories: pd.DataFrame
    citations: dict[str, str] = field(default_factory=dict)
    events: tuple[EventSource, ...] = ()
    population: pd.DataFrame | None = None
    reported: pd.DataFrame | None = None
    imported: tuple[dict[str, Any], ...] = ()

    @classmethod
    def from_datasets(cls, *, data_dir: str | Path | None = None, imported: bool = True) -> IndicatorInputs:
        """Load every input from the bundled datasets and, unless ``imported=False``, the user data folder."""
        from cocamonitor import datasets

        prov = datasets.load("provenance").set_index("dataset")
        names = ("coca-municipal", "spraying", "labs")
        base = cls(
            municipal=datasets.load("coca-municipal"),
            national=datasets.load("coca-national"),
            spraying=datasets.load("spraying"),
            labs=datasets.load("labs"),
            territories=datasets.load("territories"),
            citations={n: str(prov.loc[n, "original_source"]) for n in names if n in prov.index},
        )
        return with_extras(base, data_dir=data_dir, imported=imported)

    @staticmethod
    def files() -> list[Path]:
        """Return the bundled files behind :meth:`from_datasets` (for provenance)."""
        from cocamonitor.datasets import data_path

        return [data_path(f) for f in ("coca_municipal.csv", "coca_national.csv", "spraying.csv",
                                       "labs.csv", "territories.csv")]

# ODC metric/substance -> indicator
_ODC = {
    ("manual_eradication", None): "manual_eradication",
    ("seizures", "cocaine_hydrochloride"): "cocaine_seizures",
    ("seizures", "coca_base"): "coca_base_seizures",
    ("seizures", "coca_leaf"): "coca_leaf_seizures",
}


def _convert(value: pd.Series, unit: pd.Series, indicator: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Convert values to each indicator's unit; return (values, notes on converted rows)."""
    from cocamonitor.errors import DataError
    from cocamonitor.indicators.catalogue import UNIT_FACTORS, unit_of

    target = indicator.map(unit_of)
    factors, notes = [], []
    for v, a, b in zip(value, unit, target, strict=True):
        if a == b:
            factors.append(1.0)
            notes.append("")
            continue
        if (a, b) not in UNIT_FACTORS:
            raise DataError(f"cannot convert {a!r} to {b!r}", where="unit", hint=f"give the figure in {b}")
        factors.append(UNIT_FACTORS[(a, b)])
        notes.append(f"converted from {v:,.6g} {a}")
    return value.to_numpy(dtype=float) * np.array(factors, dtype=float), notes


def odc_series(odc: pd.DataFrame, provenance: pd.DataFrame) -> pd.DataFrame:
    """Return the ODC national series 1999-2018 as results rows (source ``odc``).

    Examples
    --------
    >>> from cocamonitor import datasets
    >>> rows = odc_series(datasets.load("odc-national"), datasets.load("provenance"))
    >>> y2018 = rows[rows["year"] == 2018].set_index("indicator")
    >>> y2018.loc[["manual_eradication", "cocaine_seizures"], ["value", "unit"]].round(1).to_dict("records")
    [{'value': 59978.0, 'unit': 'ha'}, {'value': 413.4, 'unit': 't'}]

    """
    sub = odc.assign(substance=odc["substance"].astype(object).where(odc["substance"].notna(), None))
    keys = list(zip(sub["metric"], sub["substance"], strict=True))
    sub = sub.assign(indicator=[_ODC.get(k) for k in keys]).dropna(subset=["indicator"])
    prov = provenance.set_index("dataset").loc["odc-national"]
    value, notes = _convert(sub["value"], sub["unit"], sub["indicator"])
    release = f"series 1999-2018 as retrieved {prov['retrieved']}"
    citation = f"{prov['title']} ({release}); {prov['original_source']}; obtained from {prov['obtained_from']}"
    out = pd.DataFrame({
        "year": sub["year"].astype(int).to_numpy(), "indicator": sub["indicator"].to_numpy(), "source": "odc",
        "value": value, "unit": sub["indicator"].map(_unit).to_numpy(), "publisher": str(prov["publisher"]),
        "citation": citation, "note": pd.array([n or pd.NA for n in notes], dtype="string"),
    })
    return out.sort_values(["indicator", "year"], ignore_index=True)


def _unit(name: str) -> str:
    from cocamonitor.indicators.catalogue import unit_of

    return unit_of(name)


def bundled_demand() -> pd.DataFrame:
    """Return the demand figures bundled in ``demand.csv`` as results rows, each citing its publication.

    Examples
    --------
    >>> d = bundled_demand()
    >>> d.loc[d["year"] == 2018, ["indicator", "value", "source"]].to_dict("records")
    [{'indicator': 'us_cocaine_overdose_deaths', 'value': 14666.0, 'source': 'cdc'}, \
{'indicator': 'us_cocaine_overdose_death_rate', 'value': 4.5, 'source': 'cdc'}]

    """
    from cocamonitor.datasets import data_path

    df = pd.read_csv(data_path("demand.csv"), dtype={"released": str})
    for col in ("publication", "released", "url"):
        if df[col].isna().any():
            raise ValueError(f"demand.csv: every figure needs its {col}")  # pragma: no cover - bundled data
    citation = df["publication"] + " (" + df["released"] + "), " + df["url"]
    citation = citation.where(df["seen_via"].isna(), citation + "; seen via " + df["seen_via"].fillna(""))
    value, notes = _convert(df["value"], df["unit"], df["indicator"])
    note = pd.Series([n or pd.NA for n in notes], dtype="string")
    note = note.fillna(df["note"].astype("string"))
    return pd.DataFrame({
        "year": df["year"].astype(int), "indicator": df["indicator"], "source": df["source_key"],
        "value": value, "unit": df["indicator"].map(_unit), "publisher": df["publisher"],
        "citation": citation, "note": note,
    })


def _heroin(provenance: pd.DataFrame) -> EventSource:
    from cocamonitor import datasets

    prov = provenance.set_index("dataset").loc["heroin-seizures"]
    return EventSource(indicator="heroin_seizures", table=datasets.load("heroin-seizures"), unit="kg",
                       publisher="Ministerio de Defensa Nacional",
                       citation=f"{prov['original_source']}; obtained from {prov['obtained_from']}")


def imported_sources(data_dir: str | Path | None = None) -> tuple[list[EventSource], pd.DataFrame, list[dict]]:
    """Return what the user imported: Ministry event tables, results rows, and the entries used."""
    from cocamonitor import userdata

    events: list[EventSource] = []
    rows: list[pd.DataFrame] = []
    used: list[dict[str, Any]] = []
    for e in userdata.entries(kind="mindefensa", data_dir=data_dir):
        m = e.meta
        cite = (f"{m.get('title_es', e.name)}: {m.get('file', e.source)} imported {e.imported} "
                f"(SHA-256 {e.source_sha256}) into the user data folder")
        events.append(EventSource(indicator=m["result"], table=userdata.read_table(e.name, data_dir=data_dir),
                                  unit=m["unit"], publisher=m.get("publisher", "Ministerio de Defensa Nacional"),
                                  citation=cite, origin="imported"))
        used.append(e.to_dict())
    for e in userdata.entries(kind="results-csv", data_dir=data_dir):
        table = userdata.read_table(e.name, data_dir=data_dir)[REPORTED_COLUMNS]
        cite = (table["source"].astype(str) + f"; {e.meta.get('file', e.source)} imported {e.imported} "
                f"(SHA-256 {e.source_sha256}) into the user data folder")
        rows.append(table.assign(citation=cite))
        used.append(e.to_dict())
    reported = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=REPORTED_COLUMNS)
    return events, reported, used


def with_extras(base: IndicatorInputs, *, data_dir: str | Path | None = None, imported: bool = True) -> IndicatorInputs:
    """Return ``base`` with the bundled extras and (unless ``imported=False``) the user's imports."""
    from cocamonitor import datasets

    prov = datasets.load("provenance")
    events = [_heroin(prov)]
    reported = [odc_series(datasets.load("odc-national"), prov), bundled_demand()]
    used: list[dict[str, Any]] = []
    if imported:
        mine, rows, used = imported_sources(data_dir)
        replaced = {e.indicator for e in mine}
        events = [e for e in events if e.indicator not in replaced] + mine
        reported.append(rows)
    pop = datasets.load("population")[["divipola", "year", "population"]]
    table = pd.concat([r for r in reported if not r.empty], ignore_index=True)
    return replace(base, events=(*base.events, *events), population=pop,
                   reported=pd.concat([base.reported, table], ignore_index=True) if base.reported is not None
                   else table, imported=(*base.imported, *used))
