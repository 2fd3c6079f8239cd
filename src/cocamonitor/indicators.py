"""Counternarcotics results by year: coca area, eradication, spraying, seizures, labs destroyed.

The Colombia-US counternarcotics working group reviews each year's results. This module lays
them out as one table with a row per (territory, year, indicator, source): the value, its
unit, who published it and the page that cites it, the change on the year before, and the
ratios analysts use (labs destroyed per 1,000 ha of coca, hectares sprayed or eradicated per
hectare of coca). Targets, when a user supplies them, are compared with the actuals.

Rules the table keeps:

* **Every source is shown.** Where two publishers report the same indicator for a year (e.g.
  labs destroyed: the MinDefensa event table and a figure the Government of Colombia
  announced), both rows appear; none is picked silently.
* **Missing stays missing.** A year without a figure has ``value`` NaN and a ``note`` saying
  which years the source covers; it is never filled with 0. Inside the years a MinDefensa
  event table covers, a territory without events did have 0 (the tables list every event).
* **No invented targets.** No public target series was found, so none is bundled; pass your
  own (:func:`read_targets`).

Ratios divide by the SIMCI census area on 31 December of the same year and territory (the
sum of the ``coca-municipal`` table, which is what the annual report uses too); operations
happen during the year, so the ratio is an intensity indicator, not a share of coca removed.

Examples
--------
>>> from cocamonitor import indicators
>>> res = indicators.results_table((2024, 2024), indicators=["labs_destroyed", "labs_per_1000_ha_coca"])
>>> res.to_frame()[["year", "indicator", "source", "value"]].round(1).to_dict("records")
[{'year': 2024, 'indicator': 'labs_destroyed', 'source': 'mindefensa', 'value': 5233.0}, \
{'year': 2024, 'indicator': 'labs_per_1000_ha_coca', 'source': 'mindefensa / simci', 'value': 20.0}]

"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from cocamonitor.errors import DataError, InputError, SchemaError, UnknownNameError, suggest

__all__ = [
    "DIRECTIONS",
    "INDICATORS",
    "LEVELS",
    "MIN_COCA_HA",
    "Indicator",
    "IndicatorInputs",
    "IndicatorTable",
    "compare_targets",
    "list_indicators",
    "per_coca_area",
    "read_targets",
    "results_table",
    "suggest_indicator",
    "validate_targets",
    "year_spans",
]

#: Territorial levels of :func:`results_table` (``zona-futuro`` is refused with the reason).
LEVELS: tuple[str, ...] = ("national", "department", "pdet-subregion", "zona-futuro")

#: How a target is met: the actual is at least the target (labs, eradication, seizures) or at
#: most the target (coca area).
DIRECTIONS: tuple[str, ...] = ("at_least", "at_most")

#: Default threshold of the command line for sub-national ratios: below this many hectares of
#: coca, dividing by a handful of hectares gives huge, meaningless ratios.
MIN_COCA_HA = 500.0

NATIONAL = "Colombia"
UNASSIGNED = "(no Colombian municipality)"


@dataclass(frozen=True)
class Indicator:
    """One indicator of the results table.

    Attributes
    ----------
    name : str
        What users type (``--indicator``, the ``indicator`` column of a targets file).
    unit : str
        Unit of ``value``.
    kind : {"reported", "ratio"}
        Published figure, or ratio derived here from two of them.
    direction : {"at_least", "at_most"}
        How a target is met by default.
    description : str
        One line for ``cocamonitor indicators list``.
    numerator : str or None
        For a ratio: the reported indicator divided by the SIMCI coca area.
    per : float
        For a ratio: the multiplier (1,000 for "per 1,000 ha").

    """

    name: str
    unit: str
    kind: Literal["reported", "ratio"]
    direction: Literal["at_least", "at_most"]
    description: str
    numerator: str | None = None
    per: float = 1.0


INDICATORS: tuple[Indicator, ...] = (
    Indicator("coca_area", "ha", "reported", "at_most",
              "Coca cultivation: SIMCI census on 31 December, UNODC and US national figures"),
    Indicator("aerial_spraying", "ha", "reported", "at_least",
              "Hectares sprayed from the air (MinDefensa events 2003-2015; UNODC as reported)"),
    Indicator("manual_eradication", "ha", "reported", "at_least",
              "Hectares of coca eradicated by hand, as reported"),
    Indicator("coca_destroyed", "ha", "reported", "at_least",
              "Hectares of coca destroyed by all means, as reported"),
    Indicator("cocaine_seizures", "t", "reported", "at_least",
              "Cocaine seized, metric tons (kg converted), as reported"),
    Indicator("cocaine_and_base_seizures", "t", "reported", "at_least",
              "Cocaine and cocaine base seized, metric tons, as reported"),
    Indicator("labs_destroyed", "count", "reported", "at_least",
              "Drug-production facilities destroyed (MinDefensa events 2010-2024; as reported)"),
    Indicator("labs_per_1000_ha_coca", "labs per 1,000 ha coca", "ratio", "at_least",
              "Labs destroyed per 1,000 ha of coca (SIMCI census, same year and territory)",
              numerator="labs_destroyed", per=1000.0),
    Indicator("sprayed_ha_per_ha_coca", "ha per ha coca", "ratio", "at_least",
              "Hectares sprayed per hectare of coca (SIMCI census, same year and territory)",
              numerator="aerial_spraying"),
    Indicator("eradicated_ha_per_ha_coca", "ha per ha coca", "ratio", "at_least",
              "Hectares eradicated by hand per hectare of coca (SIMCI census, same year)",
              numerator="manual_eradication"),
)
_BY_NAME = {i.name: i for i in INDICATORS}
_ORDER = {i.name: k for k, i in enumerate(INDICATORS)}
#: order of sources in the table: the municipal tables first, then the published national figures
_SOURCE_ORDER = {"simci": 0, "mindefensa": 1, "unodc": 2, "us": 3, "gov-co": 4, "us-reported": 5}


def _source_rank(source: pd.Series) -> pd.Series:
    return source.astype("string").str.split(" / ").str[0].map(_SOURCE_ORDER).fillna(9)

# (source_key, metric) of the coca-national table -> indicator of this module
_NATIONAL_METRICS: dict[tuple[str, str], str] = {
    ("unodc", "coca_area"): "coca_area",
    ("us", "coca_area"): "coca_area",
    ("unodc", "aerial_spraying_reported"): "aerial_spraying",
    ("unodc", "manual_eradication_reported"): "manual_eradication",
    ("gov-co", "manual_eradication_reported"): "manual_eradication",
    ("us-reported", "manual_eradication_reported"): "manual_eradication",
    ("gov-co", "coca_destroyed"): "coca_destroyed",
    ("gov-co", "cocaine_seizures"): "cocaine_seizures",
    ("unodc", "cocaine_seizures_reported"): "cocaine_seizures",
    ("gov-co", "cocaine_and_base_seizures"): "cocaine_and_base_seizures",
    ("gov-co", "labs_destroyed"): "labs_destroyed",
    ("unodc", "labs_destroyed_reported"): "labs_destroyed",
}
_UNIT_FACTORS = {("kg", "t"): 0.001, ("t", "kg"): 1000.0}
# MinDefensa location codes outside Colombia (the raw event table names them in DEPARTAMENTO)
_FOREIGN_CODES = {"01-58": "Venezuela, code 01-58", "01-51": "Peru, code 01-51"}

# municipal sources: key, dataset, value column, indicator, publisher
_MUNICIPAL = (
    ("simci", "coca-municipal", "hectares", "coca_area",
     "ODC/SIMCI census (Government of Colombia and UNODC), sum of municipalities"),
    ("mindefensa", "spraying", "quantity", "aerial_spraying", "Ministerio de Defensa Nacional"),
    ("mindefensa", "labs", "quantity", "labs_destroyed", "Ministerio de Defensa Nacional"),
)
_MUNICIPAL_INDICATORS = {m[3] for m in _MUNICIPAL} | {
    i.name for i in INDICATORS if i.kind == "ratio" and i.numerator in {m[3] for m in _MUNICIPAL}
}

_COLUMNS = ["level", "territory_code", "territory", "year", "indicator", "source", "value", "unit",
            "change", "change_pct", "publisher", "citation", "note"]
_KEYS = ["territory_code", "territory", "indicator", "source"]


def per_coca_area(
    quantity: pd.Series | np.ndarray,
    coca_ha: pd.Series | np.ndarray,
    *,
    per: float = 1.0,
    min_coca_ha: float = 0.0,
) -> pd.Series | np.ndarray:
    """Divide a quantity by the coca area: ``per * quantity / coca_ha``.

    The ratio is NaN where the coca area is missing, 0, or below ``min_coca_ha`` (a handful of
    hectares gives huge, meaningless ratios); it is never replaced by 0.

    Parameters
    ----------
    quantity, coca_ha : Series or array
        Aligned numerators (labs destroyed, hectares sprayed ...) and hectares of coca.
    per : float, default 1.0
        Multiplier, e.g. 1,000 for "labs per 1,000 ha".
    min_coca_ha : float, default 0.0
        Smallest coca area for which the ratio is shown.

    Returns
    -------
    Series or array
        Same type and index as ``quantity``.

    Examples
    --------
    >>> per_coca_area(np.array([5233.0, 3.0, 4.0]), np.array([261386.0, 0.0, 100.0]),
    ...               per=1000.0, min_coca_ha=500.0).round(2)
    array([20.02,   nan,   nan])

    """
    q = quantity.astype(float)
    ha = coca_ha.astype(float) if isinstance(coca_ha, pd.Series) else np.asarray(coca_ha, dtype=float)
    ok = (ha > 0) & (ha >= min_coca_ha)
    if isinstance(q, pd.Series):
        den = pd.Series(ha, index=q.index) if not isinstance(ha, pd.Series) else ha
        return per * q / den.where(ok)
    return per * q / np.where(ok, ha, np.nan)


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

    """

    municipal: pd.DataFrame
    national: pd.DataFrame
    spraying: pd.DataFrame
    labs: pd.DataFrame
    territories: pd.DataFrame
    citations: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_datasets(cls) -> IndicatorInputs:
        """Load every input from the bundled datasets."""
        from cocamonitor import datasets

        prov = datasets.load("provenance").set_index("dataset")
        names = ("coca-municipal", "spraying", "labs")
        return cls(
            municipal=datasets.load("coca-municipal"),
            national=datasets.load("coca-national"),
            spraying=datasets.load("spraying"),
            labs=datasets.load("labs"),
            territories=datasets.load("territories"),
            citations={n: str(prov.loc[n, "original_source"]) for n in names if n in prov.index},
        )

    @staticmethod
    def files() -> list[Path]:
        """Return the bundled files behind :meth:`from_datasets` (for provenance)."""
        from cocamonitor.datasets import data_path

        return [data_path(f) for f in ("coca_municipal.csv", "coca_national.csv", "spraying.csv",
                                       "labs.csv", "territories.csv")]


@dataclass(frozen=True)
class IndicatorTable:
    """The annual results table and what the reader must know about it.

    Attributes
    ----------
    table : DataFrame
        One row per (territory, year, indicator, source): ``level, territory_code, territory,
        year, indicator, source, value, unit, change, change_pct, publisher, citation, note``
        and, with targets, ``target, direction, actual_over_target, met``.
    level : str
        ``national``, ``department`` or ``pdet-subregion``.
    years : tuple of int
        First and last year.
    notes : tuple of str
        Caveats of the whole table (national-only indicators left out, targets ignored ...).

    """

    table: pd.DataFrame
    level: str
    years: tuple[int, int]
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Return the table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"level", "years", "indicators": [row records], "notes"}`` (NaN -> None)."""
        rows = self.table.astype(object).where(self.table.notna(), None).to_dict(orient="records")
        rows = [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()} for r in rows]
        return {"level": self.level, "years": list(self.years), "indicators": rows,
                "notes": list(self.notes)}


def _citation(inputs: IndicatorInputs, dataset: str) -> str:
    return inputs.citations.get(dataset, f"bundled dataset {dataset!r} (cocamonitor data show provenance)")


def _registry_columns(territories: pd.DataFrame, level: str) -> tuple[pd.Series, pd.Series]:
    """Map divipola -> territory name and divipola -> territory code for a level."""
    reg = territories.set_index("divipola")
    if level == "department":
        return reg["department"], reg["department_code"]
    return reg["pdet_subregion"], reg["pdet_code"]


def _municipal_source(
    inputs: IndicatorInputs, key: str, dataset: str, col: str, indicator: str, publisher: str, level: str
) -> pd.DataFrame:
    """One municipal dataset summed to the level, zero-filled inside the years it covers."""
    from cocamonitor.territory import aggregate

    df = getattr(inputs, {"coca-municipal": "municipal"}.get(dataset, dataset))
    df = df[["divipola", "year", col]].copy()
    years = np.arange(int(df["year"].min()), int(df["year"].max()) + 1)
    known = df["divipola"].isin(inputs.territories["divipola"]).fillna(False).astype(bool)
    outside = df[~known]
    if level == "national":
        sums = df.groupby("year")[col].sum(min_count=0).reindex(years, fill_value=0.0)
        out = pd.DataFrame({"territory_code": pd.NA, "territory": NATIONAL, "year": years,
                            "value": sums.to_numpy(dtype=float)})
        out["note"] = pd.NA
        if not outside.empty:
            where = outside["divipola"].map(_FOREIGN_CODES).fillna(outside["divipola"]).fillna("no location")
            per_year = outside.assign(where=where).groupby("year").agg(
                q=(col, "sum"), codes=("where", lambda s: ", ".join(sorted(s.unique()))))
            text = ("includes " + per_year["q"].map("{:,.0f}".format) + " not located in a Colombian "
                    "municipality (" + per_year["codes"] + ")")
            out["note"] = out["year"].map(text).astype("string")
    else:
        name, code = _registry_columns(inputs.territories, level)
        agg = aggregate(df[known], level, value_cols=[col], by=["year"]).rename(columns={col: "value"})
        tcol = "department" if level == "department" else "pdet_subregion"
        agg = agg.rename(columns={tcol: "territory"})
        codes = pd.Series(code.to_numpy(), index=name.to_numpy()).dropna()
        codes = codes[~codes.index.duplicated()]
        agg["territory_code"] = agg["territory"].map(codes)
        out = agg[["territory_code", "territory", "year", "value"]]
        if level == "department" and not outside.empty:
            extra = outside.groupby("year")[col].sum(min_count=0).reset_index().rename(columns={col: "value"})
            extra["territory_code"] = pd.NA
            extra["territory"] = UNASSIGNED
            out = pd.concat([out, extra[out.columns]], ignore_index=True)
        # every territory of the level has a value in every covered year (no event = 0 inside
        # the coverage), including those without any event
        listed = pd.DataFrame({"territory_code": code.to_numpy(), "territory": name.to_numpy()})
        terr = pd.concat([listed.dropna(subset=["territory"]), out[["territory_code", "territory"]]])
        terr = terr.drop_duplicates("territory")
        full = terr.merge(pd.DataFrame({"year": years}), how="cross")
        out = full.merge(out, on=["territory_code", "territory", "year"], how="left")
        out["value"] = out["value"].fillna(0.0)
        out["note"] = pd.NA
        if level == "department":
            out.loc[out["territory"] == UNASSIGNED, "note"] = (
                "recorded without a Colombian municipality (no location, or abroad)")
    out["indicator"] = indicator
    out["source"] = key
    out["unit"] = _BY_NAME[indicator].unit
    out["publisher"] = publisher
    out["citation"] = _citation(inputs, dataset)
    out["value"] = out["value"].astype(float)
    out.attrs["coverage"] = (int(years[0]), int(years[-1]))
    return out


def _national_sources(inputs: IndicatorInputs) -> pd.DataFrame:
    """Map the published national figures (latest release of each) to indicators, converting units.

    A figure's citation names its primary publication and release date first, then the page
    where it was seen.
    """
    nat = inputs.national
    if "latest" in nat.columns:
        nat = nat[nat["latest"].astype(bool)]
    keys = list(zip(nat["source_key"], nat["metric"], strict=True))
    ind = pd.Series([_NATIONAL_METRICS.get(k) for k in keys], index=nat.index, dtype="object")
    nat = nat.assign(indicator=ind).dropna(subset=["indicator"])
    columns = ["territory_code", "territory", "year", "indicator", "source", "value", "unit",
               "publisher", "citation", "note"]
    if nat.empty:
        return pd.DataFrame(columns=columns).astype({"year": int, "value": float})
    unit = nat["indicator"].map(lambda n: _BY_NAME[n].unit)
    pairs = list(zip(nat["unit"], unit, strict=True))
    bad = [p for p in pairs if p[0] != p[1] and p not in _UNIT_FACTORS]
    if bad:
        raise DataError(f"cannot convert {bad[0][0]!r} to {bad[0][1]!r}", where="coca-national, column 'unit'")
    factor = np.array([1.0 if a == b else _UNIT_FACTORS[(a, b)] for a, b in pairs])
    value = nat["value"].to_numpy(dtype=float) * factor
    note = nat["note"].astype("string")
    converted = factor != 1.0
    conv_text = ("converted from " + nat["value"].map("{:,.0f}".format) + " " + nat["unit"].astype(str))
    note = note.where(~converted, (conv_text + "; " + note.fillna("")).str.rstrip("; "))
    dup = nat.duplicated(["year", "source_key", "indicator"], keep=False)
    if dup.any():
        r = nat[dup].iloc[0]
        raise DataError(f"two figures for {r['source_key']} {r['indicator']} {r['year']}",
                        where="coca-national", hint="keep one release of each figure (column 'latest')")
    citation = nat["citation"].astype("string")
    if "publication" in nat.columns:
        pub = nat["publication"].astype("string").str.replace("; ", ", ", regex=False)
        when = nat["released"].astype("string")
        named = pub + " (" + when + "), " + citation.fillna("")
        citation = named.where(pub.notna(), citation).str.rstrip(", ")
    return pd.DataFrame({
        "territory_code": pd.NA, "territory": NATIONAL, "year": nat["year"].astype(int).to_numpy(),
        "indicator": nat["indicator"].to_numpy(), "source": nat["source_key"].to_numpy(),
        "value": value, "unit": unit.to_numpy(), "publisher": nat["source"].to_numpy(),
        "citation": citation.to_numpy(), "note": note.to_numpy(),
    })


def _complete(obs: pd.DataFrame, years: np.ndarray, coverage: dict[tuple[str, str], str]) -> pd.DataFrame:
    """One row per series and year; a missing value stays NaN and gets a note on coverage."""
    # each figure keeps its own citation (a source's figures for different years are cited on
    # different pages); a year without a row gets the series' first citation (dataset-level)
    series = obs.drop_duplicates(_KEYS)[[*_KEYS, "unit", "publisher", "citation"]]
    series = series.rename(columns={"citation": "_series_citation"})
    grid = series.merge(pd.DataFrame({"year": years}), how="cross")
    out = grid.merge(obs[[*_KEYS, "year", "value", "note", "citation"]], on=[*_KEYS, "year"], how="left")
    out["citation"] = out["citation"].astype("string").fillna(out["_series_citation"].astype("string"))
    out = out.drop(columns="_series_citation")
    missing = out["value"].isna()
    cov_table = pd.DataFrame([(i, s, t) for (i, s), t in coverage.items()],
                             columns=["indicator", "source", "_cov"])
    cov = out[["indicator", "source"]].merge(cov_table, on=["indicator", "source"], how="left")["_cov"]
    cov.index = out.index
    out["note"] = out["note"].astype("string").where(~missing, cov)
    # a citation names where a figure is; a missing figure has none (except the dataset's own)
    out.loc[missing & out["territory"].eq(NATIONAL) & ~out["source"].isin(["simci", "mindefensa"]),
            "citation"] = pd.NA
    return out


def year_spans(years: Sequence[int] | np.ndarray) -> str:
    """Write years compactly: ``2000-2001, 2003, 2010-2021``.

    Examples
    --------
    >>> year_spans([2003, 2000, 2001, 2010, 2011, 2012])
    '2000-2001, 2003, 2010-2012'

    """
    y = np.unique(np.asarray(years, dtype=int))
    if y.size == 0:
        return ""
    breaks = np.flatnonzero(np.diff(y) != 1)
    starts, ends = y[np.r_[0, breaks + 1]], y[np.r_[breaks, y.size - 1]]
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in zip(starts, ends, strict=True))


def _coverage_notes(obs: pd.DataFrame, spans: dict[tuple[str, str], tuple[int, int]]) -> dict[tuple[str, str], str]:
    notes: dict[tuple[str, str], str] = {}
    for (ind, src), span in spans.items():
        what = "MinDefensa" if src == "mindefensa" else "SIMCI census"
        notes[(ind, src)] = f"missing: the {what} table covers {span[0]}-{span[1]}"
    if ("aerial_spraying", "mindefensa") in spans:
        notes[("aerial_spraying", "mindefensa")] += " (aerial spraying ended in 2015; data to 30 September)"
    reported = obs[~obs["source"].isin(["simci", "mindefensa"])].groupby(["indicator", "source"])["year"]
    for (ind, src), ys in reported:
        listed = year_spans(ys.to_numpy())
        notes[(ind, src)] = f"missing: not in the bundled {src} figures (years reported: {listed})"
    return notes


def _ratios(grid: pd.DataFrame, min_coca_ha: float) -> pd.DataFrame:
    coca = grid[(grid["indicator"] == "coca_area") & (grid["source"] == "simci")]
    coca = coca[["territory", "year", "value", "publisher", "citation"]].rename(
        columns={"value": "coca_ha", "publisher": "coca_publisher", "citation": "coca_citation"})
    parts = []
    for ind in INDICATORS:
        if ind.kind != "ratio":
            continue
        num = grid[grid["indicator"] == ind.numerator]
        if num.empty:
            continue
        num = num[num["territory"] != UNASSIGNED]  # no coca area there by construction
        m = num.merge(coca, on=["territory", "year"], how="left")
        value = pd.Series(per_coca_area(m["value"], m["coca_ha"], per=ind.per, min_coca_ha=min_coca_ha),
                          index=m.index, dtype=float)
        note = pd.Series(pd.NA, index=m.index, dtype="string")
        note = note.mask(m["coca_ha"] < min_coca_ha,
                         "not shown: coca area " + m["coca_ha"].map("{:,.0f}".format)
                         + f" ha is below {min_coca_ha:,.0f} ha")
        note = note.mask(m["coca_ha"] == 0, "not shown: no coca in the SIMCI census")
        note = note.mask(m["coca_ha"].isna(), "missing: no SIMCI coca area for this year")
        note = note.mask(m["value"].isna(), f"missing: no {ind.numerator} figure for this year")
        note = note.where(value.isna(), m["note"].astype("string"))  # keep the numerator's caveat
        parts.append(pd.DataFrame({
            "territory_code": m["territory_code"], "territory": m["territory"], "year": m["year"],
            "indicator": ind.name, "source": m["source"] + " / simci", "value": value, "unit": ind.unit,
            "publisher": m["publisher"] + "; " + m["coca_publisher"].fillna("SIMCI"),
            "citation": (m["citation"].fillna("") + "; " + m["coca_citation"].fillna("")).str.strip("; "),
            "note": note,
        }))
    return pd.concat(parts, ignore_index=True) if parts else grid.iloc[0:0]


def suggest_indicator(value: str) -> str:
    """Return a "did you mean" phrase for an indicator name (parts of names match too).

    Examples
    --------
    >>> suggest_indicator("labs")
    'did you mean: labs_destroyed, labs_per_1000_ha_coca?'

    """
    v = str(value).strip().lower()
    part = [n for n in _BY_NAME if v and v in n]
    if part:
        return "did you mean: " + ", ".join(part) + "?"
    return suggest(v, _BY_NAME, n=len(_BY_NAME))


def _parse_indicators(names: Sequence[str] | None, where: str = "indicators") -> list[str]:
    if names is None:
        return list(_BY_NAME)
    out = [str(n).strip() for n in names]
    bad = [n for n in out if n not in _BY_NAME]
    if bad or not out:
        raise UnknownNameError(f"unknown indicator {bad[0] if bad else ''!r}", where=where,
                               hint=suggest_indicator(bad[0] if bad else ""))
    return out


def results_table(
    years: tuple[int, int] | None = None,
    *,
    by: str = "national",
    indicators: Sequence[str] | None = None,
    targets: pd.DataFrame | None = None,
    min_coca_ha: float = 0.0,
    inputs: IndicatorInputs | None = None,
) -> IndicatorTable:
    """Build the annual counternarcotics results table.

    Parameters
    ----------
    years : (int, int), optional
        First and last year (inclusive); default: every year of the data.
    by : {"national", "department", "pdet-subregion"}
        Territorial level. Below national only the municipal tables (SIMCI coca area,
        MinDefensa spraying and labs) and their ratios exist; the national-only figures are
        left out and a note says so. ``zona-futuro`` is refused: its membership is not public.
    indicators : sequence of str, optional
        Keep only these indicators (see :data:`INDICATORS`); default all.
    targets : DataFrame, optional
        Validated targets (:func:`read_targets` / :func:`validate_targets`); adds
        ``target, direction, actual_over_target, met``.
    min_coca_ha : float, default 0.0
        Ratios are not shown (NaN with a note) where the coca area is below this.
    inputs : IndicatorInputs, optional
        Tables to use; default the bundled datasets.

    Returns
    -------
    IndicatorTable

    Raises
    ------
    InputError
        Years outside the data, an unknown level or indicator, targets that do not fit.

    Examples
    --------
    >>> res = results_table((2014, 2015), indicators=["aerial_spraying"])
    >>> res.to_frame()[["year", "source", "value"]].round(0).to_dict("records")
    [{'year': 2014, 'source': 'mindefensa', 'value': 55554.0}, \
{'year': 2015, 'source': 'mindefensa', 'value': 36494.0}]

    """
    if by not in LEVELS:
        raise UnknownNameError(f"unknown level {by!r}", where="by", hint=suggest(str(by), LEVELS))
    if by == "zona-futuro":
        from cocamonitor.territory import aggregate

        aggregate(pd.DataFrame({"divipola": [], "v": []}), "zona-futuro", value_cols=["v"])
    if min_coca_ha < 0 or not np.isfinite(min_coca_ha):
        raise InputError(f"min_coca_ha must be >= 0, got {min_coca_ha}", where="min_coca_ha")
    wanted = _parse_indicators(indicators)
    inputs = inputs if inputs is not None else IndicatorInputs.from_datasets()

    notes: list[str] = []
    parts, spans = [], {}
    for key, dataset, col, ind, publisher in _MUNICIPAL:
        part = _municipal_source(inputs, key, dataset, col, ind, publisher, by)
        spans[(ind, key)] = part.attrs["coverage"]
        parts.append(part)
    if by == "national":
        parts.append(_national_sources(inputs))
    else:
        dropped = [n for n in wanted if n not in _MUNICIPAL_INDICATORS]
        if dropped:
            notes.append(f"{', '.join(dropped)}: national figures only, not shown by {by}")
        if by == "pdet-subregion":
            notes.append("only the 170 PDET municipalities are counted: subregions do not add up "
                         "to the national total")
    obs = pd.concat([p.astype({"note": "string"}) for p in parts], ignore_index=True)
    first, last = int(obs["year"].min()), int(obs["year"].max())
    lo, hi = years if years is not None else (first, last)
    lo, hi = int(lo), int(hi)
    if lo > hi:
        raise InputError(f"first year {lo} is after last year {hi}", where="years")
    if lo < first or hi > last:
        asked = str(lo) if lo == hi else f"{lo}-{hi}"
        raise InputError(f"{asked} is outside the data ({first}-{last})", where="years",
                         hint=f"choose years within {first}-{last}")
    all_years = np.arange(first, last + 1)
    grid = _complete(obs, all_years, _coverage_notes(obs, spans))
    grid = pd.concat([grid, _ratios(grid, min_coca_ha)], ignore_index=True)
    grid = grid.sort_values([*_KEYS, "year"], kind="stable", ignore_index=True)
    prev = grid.groupby(_KEYS, dropna=False, sort=False)["value"].shift(1)
    grid["change"] = grid["value"] - prev
    grid["change_pct"] = 100.0 * grid["change"] / prev.where(prev > 0)

    table = grid[grid["year"].between(lo, hi)]
    if by == "department":
        active = (table["value"].fillna(0) != 0).groupby(table["territory"]).transform("any").astype(bool)
        idle = table.loc[~active, "territory"].unique()
        if len(idle):
            notes.append(f"{len(idle)} departments with no coca, spraying or labs in these years "
                         f"are not listed: {', '.join(sorted(idle))}")
        table = table[active]
    table = table[table["indicator"].isin(wanted)]
    # a source with no figure at all in these years is left out (placeholders below say so)
    has_value = table["value"].notna().groupby([table["indicator"], table["source"]]).transform("any")
    table = table[has_value.astype(bool)]
    table = _placeholders(table, wanted, by, lo, hi, obs)
    table = table.assign(level=by)
    table["_order"] = table["indicator"].map(_ORDER)
    table["_src"] = _source_rank(table["source"])
    sort = ["year", "_order", "_src"] if by == "national" else ["territory", "year", "_order", "_src"]
    table = table.sort_values(sort, kind="stable", ignore_index=True)[_COLUMNS]
    table["year"] = table["year"].astype(int)
    for c in ("territory_code", "territory", "indicator", "source", "unit", "publisher", "citation", "note"):
        table[c] = table[c].astype("string")
    result = IndicatorTable(table=table, level=by, years=(lo, hi), notes=tuple(notes))
    if targets is not None:
        result = compare_targets(result, targets)
    return result


def _placeholders(table: pd.DataFrame, wanted: list[str], by: str, lo: int, hi: int,
                  obs: pd.DataFrame) -> pd.DataFrame:
    """Add NaN rows, with a note, for indicators that have no figure at all in the years asked for."""
    present = set(table["indicator"])
    absent = [n for n in wanted if n not in present and (by == "national" or n in _MUNICIPAL_INDICATORS)]
    if not absent:
        return table
    reported = obs.dropna(subset=["value"]).groupby("indicator")["year"].agg(["min", "max"])
    rows = []
    for n in absent:
        ind = _BY_NAME[n]
        base = ind.numerator if ind.kind == "ratio" else n
        asked = str(lo) if lo == hi else f"{lo}-{hi}"
        if base in reported.index:
            span = f"{int(reported.loc[base, 'min'])}-{int(reported.loc[base, 'max'])}"
            text = f"missing: no bundled source has {base} for {asked} (figures exist within {span})"
        else:
            text = f"missing: no bundled source has {base}"
        rows.append(pd.DataFrame({"territory_code": pd.NA, "territory": NATIONAL if by == "national" else "(all)",
                                  "year": np.arange(lo, hi + 1), "indicator": n, "source": pd.NA,
                                  "value": np.nan, "unit": ind.unit, "change": np.nan, "change_pct": np.nan,
                                  "publisher": pd.NA, "citation": pd.NA, "note": text}))
    return pd.concat([table, *rows], ignore_index=True)


# --------------------------------------------------------------------------- targets


def list_indicators(inputs: IndicatorInputs | None = None) -> pd.DataFrame:
    """Return the indicators with their unit, kind, sources and the years each source covers.

    Examples
    --------
    >>> t = list_indicators()
    >>> t.loc[t["indicator"] == "labs_destroyed", "sources"].iloc[0]
    'mindefensa 2010-2024; unodc 2004-2005; gov-co 2021'

    """
    res = results_table(inputs=inputs)
    tab = res.table.dropna(subset=["value"])
    rows = []
    for ind in INDICATORS:
        sub = tab[tab["indicator"] == ind.name]
        sources = sorted(sub["source"].unique(), key=lambda s: _SOURCE_ORDER.get(s.split(" / ")[0], 9))
        spans = [f"{s} {year_spans(sub.loc[sub['source'] == s, 'year'].to_numpy())}" for s in sources]
        rows.append({"indicator": ind.name, "kind": ind.kind, "unit": ind.unit,
                     "by_territory": ind.name in _MUNICIPAL_INDICATORS,
                     "default_direction": ind.direction,
                     "sources": "; ".join(spans), "description": ind.description})
    return pd.DataFrame(rows)


def validate_targets(df: pd.DataFrame, *, source: str = "<targets>") -> pd.DataFrame:
    """Check a targets table and return it clean: ``year, indicator, territory, target, direction``.

    Parameters
    ----------
    df : DataFrame
        Columns ``year``, ``indicator``, ``target`` (numbers already parsed, as
        :func:`cocamonitor.io.tables.read_table` returns them); optional ``direction``
        (``at_least``/``at_most``, blank = the indicator's default) and ``territory``
        (blank = national).
    source : str
        The file name, used in messages.

    Raises
    ------
    SchemaError
        A required column is missing, or a (year, indicator, territory) is given twice.
    DataError
        A year that is not a whole number, a missing or negative target.
    UnknownNameError
        An unknown indicator or direction (the message suggests the closest names).

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2024.0], "indicator": ["labs_destroyed"], "target": [5000.0]})
    >>> validate_targets(t).to_dict("records")
    [{'year': 2024, 'indicator': 'labs_destroyed', 'territory': 'Colombia', 'target': 5000.0, \
'direction': 'at_least'}]

    """
    from cocamonitor.io.tables import location

    missing = [c for c in ("year", "indicator", "target") if c not in df.columns]
    if missing:
        raise SchemaError(f"missing column(s) {', '.join(map(repr, missing))}", where=source,
                          hint="a targets file has columns year, indicator, target")
    if df.empty:
        raise DataError("no targets in the file", where=source, hint="add rows: year, indicator, target")
    df = df.reset_index(drop=True)
    year = pd.to_numeric(df["year"], errors="coerce").astype(float)
    bad = year.isna() | (year != np.round(year))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"year {df['year'].iloc[i]!r} is not a whole number", where=location(source, i, "year"),
                        hint="write years like 2024")
    target = pd.to_numeric(df["target"], errors="coerce").astype(float)
    bad = ~np.isfinite(target.to_numpy()) | (target.to_numpy() < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"target {df['target'].iloc[i]!r} is not a number >= 0",
                        where=location(source, i, "target"), hint="write a number, e.g. 5000 or 0,75")
    ind = df["indicator"].astype("string").str.strip()
    unknown = ~ind.isin(list(_BY_NAME))
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise UnknownNameError(f"unknown indicator {ind.iloc[i]!r}", where=location(source, i, "indicator"),
                               hint=suggest_indicator(str(ind.iloc[i])))
    if "direction" in df.columns:
        given = df["direction"].astype("string").str.strip().str.lower().replace("", pd.NA)
        unknown = given.notna() & ~given.isin(list(DIRECTIONS))
        if unknown.any():
            i = int(np.flatnonzero(unknown.to_numpy())[0])
            raise UnknownNameError(f"unknown direction {given.iloc[i]!r}", where=location(source, i, "direction"),
                                   hint=suggest(str(given.iloc[i]), DIRECTIONS))
    else:
        given = pd.Series(pd.NA, index=df.index, dtype="string")
    direction = given.fillna(ind.map(lambda n: _BY_NAME[n].direction))
    if "territory" in df.columns:
        terr = df["territory"].astype("string").str.strip().replace("", pd.NA).fillna(NATIONAL)
    else:
        terr = pd.Series(NATIONAL, index=df.index, dtype="string")
    out = pd.DataFrame({"year": year.astype(int), "indicator": ind, "territory": terr,
                        "target": target, "direction": direction.astype("string")})
    from cocamonitor.territory import normalize_name

    key = out["year"].astype(str) + "|" + out["indicator"] + "|" + out["territory"].map(normalize_name)
    dup = key.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        j = int(np.flatnonzero((key == key.iloc[i]).to_numpy())[0])
        raise SchemaError(
            f"duplicate target for {out['indicator'].iloc[i]} in {out['year'].iloc[i]} "
            f"(also on line {j + 2})", where=location(source, i, "indicator"),
            hint="keep one row per year and indicator")
    out.attrs["source"] = source
    return out


def read_targets(path: str | Path) -> pd.DataFrame:
    r"""Read and check a targets CSV/Parquet file: ``year, indicator, target[, direction, territory]``.

    Numbers may use a decimal comma (detected per column; with ``;`` as the delimiter, or
    quoted). Errors name the file, line and column.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "t.csv")
    >>> _ = open(p, "w").write("year;indicator;target\n2024;labs_per_1000_ha_coca;18,5\n")
    >>> read_targets(p)[["year", "target"]].to_dict("records")
    [{'year': 2024, 'target': 18.5}]

    """
    from cocamonitor.io.tables import read_table

    df = read_table(path, required=["year", "indicator", "target"], numeric=["year", "target"],
                    non_negative=["target"])
    return validate_targets(df, source=str(path))


def compare_targets(result: IndicatorTable, targets: pd.DataFrame) -> IndicatorTable:
    """Add ``target, direction, actual_over_target, met`` to a results table.

    Every row of the (year, indicator, territory) gets the target, one per source, so that
    two sources reporting the same indicator are both compared. ``met`` is NA where the
    actual is missing.

    Raises
    ------
    InputError
        A territory the table does not have (e.g. a department in a national table).

    Examples
    --------
    >>> res = results_table((2024, 2024), indicators=["labs_destroyed"])
    >>> t = validate_targets(pd.DataFrame({"year": [2024], "indicator": ["labs_destroyed"],
    ...                                    "target": [5000.0]}))
    >>> compare_targets(res, t).to_frame()[["value", "target", "met"]].to_dict("records")
    [{'value': 5233.0, 'target': 5000.0, 'met': True}]

    """
    from cocamonitor.io.tables import location
    from cocamonitor.territory import normalize_name

    source = str(targets.attrs.get("source", "<targets>"))
    table = result.table
    names = table["territory"].dropna().unique()
    folded = {normalize_name(n): n for n in names}
    terr_key = targets["territory"].map(normalize_name)
    unknown = ~terr_key.isin(list(folded))
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        value = targets["territory"].iloc[i]
        hint = ("a target without territory is national: use the national level (--by national)"
                if value == NATIONAL else suggest(str(value), names))
        raise InputError(f"territory {value!r} is not in the {result.level} table",
                         where=location(source, i, "territory"), hint=hint)
    tg = targets.assign(territory=terr_key.map(folded).astype("string"))
    inside = tg["year"].between(*result.years)
    notes = list(result.notes)
    if (~inside).any():
        notes.append(f"targets for years outside {result.years[0]}-{result.years[1]} ignored: "
                     + ", ".join(str(y) for y in sorted(tg.loc[~inside, "year"].unique())))
    shown = set(table["indicator"])
    off = tg["indicator"][inside & ~tg["indicator"].isin(shown)]
    if len(off):
        notes.append("targets for indicators not in the table ignored: " + ", ".join(sorted(off.unique())))
    merged = table.merge(tg[["year", "indicator", "territory", "target", "direction"]],
                         on=["year", "indicator", "territory"], how="left")
    ratio = merged["value"] / merged["target"].where(merged["target"] > 0)
    value, target = merged["value"].to_numpy(dtype=float), merged["target"].to_numpy(dtype=float)
    at_most = merged["direction"].eq("at_most").fillna(False).to_numpy(dtype=bool)
    meets = np.where(at_most, value <= target, value >= target)
    met = pd.array(meets, dtype="boolean")
    met[(merged["value"].isna() | merged["target"].isna()).to_numpy()] = pd.NA
    merged["actual_over_target"] = ratio
    merged["met"] = met
    return IndicatorTable(table=merged, level=result.level, years=result.years, notes=tuple(notes))
