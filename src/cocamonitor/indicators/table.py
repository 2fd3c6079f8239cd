"""The results table: every source's figure per territory, year and indicator, with changes and ratios."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cocamonitor.errors import DataError, InputError, UnknownNameError, suggest
from cocamonitor.indicators.catalogue import (
    _BY_NAME,
    _ORDER,
    _SOURCE_ORDER,
    _UNIT_FACTORS,
    INDICATORS,
    NATIONAL,
    UNASSIGNED,
    UNIT_FACTORS,
    _parse_indicators,
)
from cocamonitor.indicators.result import IndicatorTable
from cocamonitor.indicators.sources import IndicatorInputs
from cocamonitor.indicators.targets import compare_targets

__all__ = [
    "LEVELS",
    "MIN_COCA_HA",
    "IndicatorInputs",
    "list_indicators",
    "per_coca_area",
    "results_table",
    "year_spans",
]

#: Territorial levels of :func:`results_table` (``zona-futuro`` is refused with the reason).
LEVELS: tuple[str, ...] = ("national", "department", "pdet-subregion", "zona-futuro")

#: Default threshold of the command line for sub-national ratios: below this many hectares of
#: coca, dividing by a handful of hectares gives huge, meaningless ratios.
MIN_COCA_HA = 500.0


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
    ("unodc", "coca_area_share_pnn"): "coca_area_share_pnn",
    ("unodc", "cocaine_production_potential"): "cocaine_production_potential",
    ("us", "cocaine_production_potential_pure"): "cocaine_production_potential",
    ("unodc", "coca_leaf_production_fresh"): "coca_leaf_production_fresh",
    ("unodc", "coca_leaf_yield_fresh"): "coca_leaf_yield_fresh",
    ("unodc", "cocaine_yield_per_ha"): "cocaine_yield_per_ha",
}
# MinDefensa location codes outside Colombia (the raw event table names them in DEPARTAMENTO)
_FOREIGN_CODES = {"01-58": "Venezuela, code 01-58", "01-51": "Peru, code 01-51"}

# municipal sources: key, dataset, value column, indicator, publisher
_MUNICIPAL = (
    ("simci", "coca-municipal", "hectares", "coca_area",
     "ODC/SIMCI census (Government of Colombia and UNODC), sum of municipalities"),
    ("mindefensa", "spraying", "quantity", "aerial_spraying", "Ministerio de Defensa Nacional"),
    ("mindefensa", "labs", "quantity", "labs_destroyed", "Ministerio de Defensa Nacional"),
)


def _territorial(reported: set[str]) -> set[str]:
    """Return the indicators that exist below the national level, given the municipal tables at hand."""
    return set(reported) | {i.name for i in INDICATORS if i.kind == "ratio" and i.numerator in reported
                            and i.denominator != "production"}


_MUNICIPAL_INDICATORS = _territorial({m[3] for m in _MUNICIPAL})

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


def _citation(inputs: IndicatorInputs, dataset: str) -> str:
    return inputs.citations.get(dataset, f"bundled dataset {dataset!r} (cocamonitor data show provenance)")


def _registry_columns(territories: pd.DataFrame, level: str) -> tuple[pd.Series, pd.Series]:
    """Map divipola -> territory name and divipola -> territory code for a level."""
    reg = territories.set_index("divipola")
    if level == "department":
        return reg["department"], reg["department_code"]
    return reg["pdet_subregion"], reg["pdet_code"]


def _municipal_specs(inputs: IndicatorInputs) -> list[tuple[str, pd.DataFrame, str, str, str, str]]:
    """(source key, table, value column, indicator, publisher, citation) of every municipal table.

    Values are converted to the indicator's unit; an imported table replaces a bundled one of
    the same indicator.
    """
    from cocamonitor.errors import DataError

    events = {e.indicator: e for e in inputs.events}
    specs = []
    for key, dataset, col, ind, publisher in _MUNICIPAL:
        if ind in events:
            continue
        df = getattr(inputs, {"coca-municipal": "municipal"}.get(dataset, dataset))
        specs.append((key, df, col, ind, publisher, _citation(inputs, dataset)))
    for ev in events.values():
        unit = _BY_NAME[ev.indicator].unit
        if ev.unit != unit and (ev.unit, unit) not in UNIT_FACTORS:
            raise DataError(f"cannot convert {ev.unit!r} to {unit!r}", where=f"{ev.indicator} table")
        factor = 1.0 if ev.unit == unit else UNIT_FACTORS[(ev.unit, unit)]
        df = ev.table.assign(quantity=ev.table["quantity"].astype(float) * factor)
        specs.append(("mindefensa", df, "quantity", ev.indicator, ev.publisher, ev.citation))
    return specs


def _municipal_source(
    inputs: IndicatorInputs, key: str, df: pd.DataFrame, col: str, indicator: str, publisher: str,
    citation: str, level: str
) -> pd.DataFrame:
    """One municipal dataset summed to the level, zero-filled inside the years it covers."""
    from cocamonitor.territory import aggregate

    located = "location" in df.columns
    df = df[["divipola", "year", col, *(["location"] if located else [])]].copy()
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
            if located:
                where = outside["location"].astype("string").fillna(where)
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
    out["citation"] = citation
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
        return _with_reported(pd.DataFrame(columns=columns).astype({"year": int, "value": float}), inputs)
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
    out = pd.DataFrame({
        "territory_code": pd.NA, "territory": NATIONAL, "year": nat["year"].astype(int).to_numpy(),
        "indicator": nat["indicator"].to_numpy(), "source": nat["source_key"].to_numpy(),
        "value": value, "unit": unit.to_numpy(), "publisher": nat["source"].to_numpy(),
        "citation": citation.to_numpy(), "note": note.to_numpy(),
    })
    return _with_reported(out, inputs)


def _with_reported(out: pd.DataFrame, inputs: IndicatorInputs) -> pd.DataFrame:
    """Append the further national figures (ODC, demand, the user's CSV); refuse a figure given twice."""
    extra = inputs.reported
    if extra is None or extra.empty:
        return out
    extra = extra.assign(territory_code=pd.NA, territory=NATIONAL)[out.columns]
    both = pd.concat([out.astype({"note": "string"}), extra.astype({"note": "string"})], ignore_index=True)
    dup = both.duplicated(["year", "source", "indicator"], keep=False)
    if dup.any():
        r = both[dup].iloc[-1]
        raise DataError(f"two figures for {r['source']} {r['indicator']} {r['year']}",
                        where=str(r["citation"]).split(" imported ")[0],
                        hint="keep one figure per year, indicator and source")
    return both


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
        notes[(ind, src)] = f"missing: not in the {src} figures (years reported: {listed})"
    return notes


#: The caveat every seizures-to-production ratio carries.
PRODUCTION_CAVEAT = ("seizures and potential production are not the same cocaine: seizures are weighed at "
                     "street purity, include cocaine produced in other years and countries, and one load can "
                     "be counted twice; the share is not the fraction of production removed")

_POPULATION_PUBLISHER = "DANE, proyecciones de población municipal"


def _denominators(grid: pd.DataFrame, population: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """``territory, year, den, den_source, den_publisher, den_citation`` for each kind of denominator."""
    coca = grid[(grid["indicator"] == "coca_area") & (grid["source"] == "simci")]
    out = {"coca": coca[["territory", "year", "value", "publisher", "citation"]].assign(den_source="simci")}
    prod = grid[(grid["indicator"] == "cocaine_production_potential") & (grid["source"] == "unodc")]
    out["production"] = prod[["territory", "year", "value", "publisher", "citation"]].assign(den_source="unodc")
    if population is not None:
        out["population"] = population.assign(publisher=_POPULATION_PUBLISHER, den_source="dane")[
            ["territory", "year", "value", "publisher", "citation", "den_source"]]
    return {k: v.rename(columns={"value": "den", "publisher": "den_publisher", "citation": "den_citation"})
            for k, v in out.items()}


def _ratios(grid: pd.DataFrame, min_coca_ha: float, population: pd.DataFrame | None = None) -> pd.DataFrame:
    dens = _denominators(grid, population)
    parts = []
    for ind in INDICATORS:
        if ind.kind != "ratio" or ind.denominator not in dens:
            continue
        num = grid[grid["indicator"] == ind.numerator]
        if num.empty:
            continue
        num = num[num["territory"] != UNASSIGNED]  # no coca area or population there by construction
        m = num.merge(dens[ind.denominator].drop(columns="den_source"), on=["territory", "year"], how="left")
        den_key = dens[ind.denominator]["den_source"].iloc[0] if len(dens[ind.denominator]) else ind.denominator
        note = pd.Series(pd.NA, index=m.index, dtype="string")
        if ind.denominator == "coca":
            value = pd.Series(per_coca_area(m["value"], m["den"], per=ind.per, min_coca_ha=min_coca_ha),
                              index=m.index, dtype=float)
            note = note.mask(m["den"] < min_coca_ha, "not shown: coca area " + m["den"].map("{:,.0f}".format)
                             + f" ha is below {min_coca_ha:,.0f} ha")
            note = note.mask(m["den"] == 0, "not shown: no coca in the SIMCI census")
            note = note.mask(m["den"].isna(), "missing: no SIMCI coca area for this year")
        else:
            value = ind.per * m["value"].astype(float) / m["den"].where(m["den"] > 0)
            what = ("no DANE population (2012-2024)" if ind.denominator == "population"
                    else "no UNODC potential production")
            note = note.mask(m["den"].isna(), f"missing: {what} for this year")
        note = note.mask(m["value"].isna(), f"missing: no {ind.numerator} figure for this year")
        note = note.where(value.isna(), m["note"].astype("string"))  # keep the numerator's caveat
        if ind.denominator == "production":
            note = note.where(value.isna(), (note.fillna("") + "; " + PRODUCTION_CAVEAT).str.lstrip("; "))
        parts.append(pd.DataFrame({
            "territory_code": m["territory_code"], "territory": m["territory"], "year": m["year"],
            "indicator": ind.name, "source": m["source"] + " / " + den_key, "value": value, "unit": ind.unit,
            "publisher": m["publisher"] + "; " + m["den_publisher"].fillna(den_key.upper()),
            "citation": (m["citation"].fillna("") + "; " + m["den_citation"].fillna("")).str.strip("; "),
            "note": note,
        }))
    return pd.concat(parts, ignore_index=True) if parts else grid.iloc[0:0]


def _population(inputs: IndicatorInputs, level: str) -> pd.DataFrame | None:
    """DANE population summed to the level: ``territory, year, value, citation``."""
    from cocamonitor.territory import aggregate

    pop = inputs.population
    if pop is None or pop.empty:
        return None
    citation = inputs.citations.get("population", "DANE municipal population projections 2012-2024 "
                                    "(cocamonitor data show provenance)")
    pop = pop[pop["divipola"].isin(inputs.territories["divipola"])]
    if level == "national":
        out = pop.groupby("year", as_index=False)["population"].sum().assign(territory=NATIONAL)
    else:
        out = aggregate(pop[["divipola", "year", "population"]], level, value_cols=["population"], by=["year"])
        out = out.rename(columns={"department" if level == "department" else "pdet_subregion": "territory"})
    return out.rename(columns={"population": "value"})[["territory", "year", "value"]].assign(citation=citation)


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
    specs = _municipal_specs(inputs)
    territorial = _territorial({spec[3] for spec in specs})
    if inputs.population is None:
        territorial -= {i.name for i in INDICATORS if i.denominator == "population"}
    for key, df, col, ind, publisher, citation in specs:
        part = _municipal_source(inputs, key, df, col, ind, publisher, citation, by)
        spans[(ind, key)] = part.attrs["coverage"]
        parts.append(part)
    for ev in inputs.events:
        if ev.origin == "imported" and ev.indicator in wanted:
            notes.append(f"{ev.indicator}: from the imported file ({ev.citation})")
    if "seizures_share_of_production" in wanted:
        notes.append(f"seizures_share_of_production: {PRODUCTION_CAVEAT}")
    if by == "national":
        parts.append(_national_sources(inputs))
    else:
        dropped = [n for n in wanted if n not in territorial]
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
    grid = pd.concat([grid, _ratios(grid, min_coca_ha, _population(inputs, by))], ignore_index=True)
    grid = grid.sort_values([*_KEYS, "year"], kind="stable", ignore_index=True)
    prev = grid.groupby(_KEYS, dropna=False, sort=False)["value"].shift(1)
    grid["change"] = grid["value"] - prev
    grid["change_pct"] = 100.0 * grid["change"] / prev.where(prev > 0)

    table = grid[grid["year"].between(lo, hi)]
    if by == "department":
        active = (table["value"].fillna(0) != 0).groupby(table["territory"]).transform("any").astype(bool)
        idle = table.loc[~active, "territory"].unique()
        if len(idle):
            notes.append(f"{len(idle)} departments with no figure above 0 in these years "
                         f"are not listed: {', '.join(sorted(idle))}")
        table = table[active]
    table = table[table["indicator"].isin(wanted)]
    # a source with no figure at all in these years is left out (placeholders below say so)
    has_value = table["value"].notna().groupby([table["indicator"], table["source"]]).transform("any")
    table = table[has_value.astype(bool)]
    table = _placeholders(table, wanted, by, lo, hi, obs, territorial)
    table = table.assign(level=by)
    table["_order"] = table["indicator"].map(_ORDER)
    table["_src"] = _source_rank(table["source"])
    sort = ["year", "_order", "_src"] if by == "national" else ["territory", "year", "_order", "_src"]
    table = table.sort_values(sort, kind="stable", ignore_index=True)[_COLUMNS]
    table["year"] = table["year"].astype(int)
    for c in ("territory_code", "territory", "indicator", "source", "unit", "publisher", "citation", "note"):
        table[c] = table[c].astype("string")
    result = IndicatorTable(table=table, level=by, years=(lo, hi), notes=tuple(notes),
                            territorial=tuple(sorted(territorial)))
    if targets is not None:
        result = compare_targets(result, targets)
    return result


def _placeholders(table: pd.DataFrame, wanted: list[str], by: str, lo: int, hi: int,
                  obs: pd.DataFrame, territorial: set[str] | None = None) -> pd.DataFrame:
    """Add NaN rows, with a note, for indicators that have no figure at all in the years asked for."""
    present = set(table["indicator"])
    territorial = _MUNICIPAL_INDICATORS if territorial is None else territorial
    absent = [n for n in wanted if n not in present and (by == "national" or n in territorial)]
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
            text = f"missing: no source has {base} for {asked} (figures exist within {span})"
        else:
            text = (f"missing: no source has {base}; import it (cocamonitor data import mindefensa FILE, "
                    "or data import results FILE.csv)")
        rows.append(pd.DataFrame({"territory_code": pd.NA, "territory": NATIONAL if by == "national" else "(all)",
                                  "year": np.arange(lo, hi + 1), "indicator": n, "source": pd.NA,
                                  "value": np.nan, "unit": ind.unit, "change": np.nan, "change_pct": np.nan,
                                  "publisher": pd.NA, "citation": pd.NA, "note": text}))
    return pd.concat([table, *rows], ignore_index=True)


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
                     "group": ind.group, "by_territory": ind.name in res.territorial,
                     "default_direction": ind.direction,
                     "sources": "; ".join(spans), "description": ind.description})
    return pd.DataFrame(rows)
