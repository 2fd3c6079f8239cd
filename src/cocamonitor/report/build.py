"""Collect the numbers of the annual report into one frozen :class:`ReportData`.

Everything here is pure pandas on the bundled tables (:class:`ReportInputs`); nothing is
formatted or translated (that is the templates' job), so the same ``ReportData`` feeds the
Spanish and the English report and the tests can check each number against the data.

Examples
--------
>>> import pandas as pd
>>> inputs = ReportInputs.example()
>>> data = build_report_data(2021, inputs)
>>> data.national_area, data.previous_area, data.change_ha
(30.0, 20.0, 10.0)
>>> data.top.iloc[0]["municipality"]
'Alfa'

"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.errors import InputError
from cocamonitor.indicators import per_coca_area

__all__ = [
    "ReportData",
    "ReportInputs",
    "build_report_data",
    "check_year",
    "LABS_RATIO_MIN_HA",
]

#: Below this many hectares of coca, a department's labs-per-1,000-ha (or sprayed-per-ha)
#: ratio is not shown:
#: dividing by a handful of hectares gives huge, meaningless ratios.
LABS_RATIO_MIN_HA = 500.0

_TOP_N = 20
_MOVERS_N = 10


@dataclass(frozen=True)
class ReportInputs:
    """The bundled tables the report is computed from (see :mod:`cocamonitor.datasets`).

    Attributes
    ----------
    municipal : DataFrame
        ``divipola, year, hectares`` (SIMCI census at 31 December; NaN = no coca reported).
    series : mapping of str to Series
        Published national series by year: ``unodc_area``, ``us_area``, ``unodc_production``,
        ``us_production`` (latest release of each year; ``attrs["citations"]`` maps year to source).
    territories : DataFrame
        DIVIPOLA registry: ``divipola, municipality, department_code, department, pdet,
        pdet_subregion, ...``.
    spraying, labs : DataFrame
        ``divipola (NA if unknown), year, quantity, unit, events``.
    provenance : DataFrame
        One row per bundled dataset: where it comes from, its checksum and caveats.
    municipalities, departments : GeoDataFrame or None
        Simplified boundaries in EPSG:4326 for the maps (``None``: the report has no maps).
    national : DataFrame or None
        The whole ``coca-national`` table (every published national figure, for the
        counternarcotics results table; ``None``: only the municipal tables' results).

    """

    municipal: pd.DataFrame
    series: Mapping[str, pd.Series]
    territories: pd.DataFrame
    spraying: pd.DataFrame
    labs: pd.DataFrame
    provenance: pd.DataFrame
    municipalities: Any = None
    departments: Any = None
    national: pd.DataFrame | None = None
    as_of: str | None = None

    @classmethod
    def from_datasets(cls, *, maps: bool = True, as_of: str | None = None) -> ReportInputs:
        """Load every input from the bundled datasets (national figures as known on ``as_of``)."""
        from cocamonitor import datasets

        return cls(
            municipal=datasets.load("coca-municipal"),
            series={
                f"{src}_{metric}": datasets.national_series(src, metric, as_of=as_of)
                for src in ("unodc", "us")
                for metric in ("area", "production")
            },
            territories=datasets.load("territories"),
            spraying=datasets.load("spraying"),
            labs=datasets.load("labs"),
            provenance=datasets.load("provenance"),
            municipalities=datasets.boundaries("municipality") if maps else None,
            departments=datasets.boundaries("department") if maps else None,
            # one release per figure, the latest known on as_of (every release to date without it)
            national=datasets.national_figures(as_of=as_of).assign(latest=True),
            as_of=None if as_of is None else str(as_of),
        )

    @classmethod
    def example(cls) -> ReportInputs:
        """Return a tiny made-up input set (three municipalities, two departments) for examples."""
        mun = pd.DataFrame(
            {
                "divipola": ["11001", "11002", "22001"] * 2,
                "year": [2020] * 3 + [2021] * 3,
                "hectares": [10.0, np.nan, 10.0, 25.0, 5.0, np.nan],
            }
        )
        ter = pd.DataFrame(
            {
                "divipola": ["11001", "11002", "22001"],
                "municipality": ["Alfa", "Beta", "Gama"],
                "department_code": ["11", "11", "22"],
                "department": ["Uno", "Uno", "Dos"],
                "pdet": [True, False, True],
                "pdet_subregion": ["Sur", pd.NA, "Norte"],
            }
        )
        nat = {
            "unodc_area": pd.Series([20.0, 30.0], index=[2020, 2021]),
            "us_area": pd.Series([40.0, 35.0], index=[2020, 2021]),
        }
        events = pd.DataFrame(
            {
                "divipola": ["11001", "22001", pd.NA],
                "year": [2020, 2021, 2021],
                "quantity": [4.0, 6.0, 1.0],
                "unit": ["count"] * 3,
                "events": [2, 3, 1],
            }
        )
        prov = pd.DataFrame({"dataset": ["coca-municipal"], "publisher": ["example"]})
        return cls(mun, nat, ter, events.assign(unit="ha"), events, prov)


@dataclass(frozen=True)
class ReportData:
    """Every number of the annual report for one year (language-neutral).

    Attributes
    ----------
    year, previous_year : int
        Report year and the year it is compared with (``None`` for the first year).
    years : tuple of int
        Years in the municipal census.
    national_area, previous_area : float
        National coca area at 31 December (sum of the municipal census, ha).
    change_ha, change_share : float
        Change from the previous year in hectares and as a share of the previous year.
    n_municipalities, n_municipalities_previous, n_departments : int
        Municipalities with coca this year / last year, departments with coca this year.
    municipalities : DataFrame
        One row per municipality with coca in either year: ``divipola, municipality,
        department, hectares, hectares_previous, change_ha, share_of_national, pdet,
        pdet_subregion``.
    departments : DataFrame
        ``department_code, department, hectares, hectares_previous, change_ha, change_share,
        share_of_national, municipalities``.
    top : DataFrame
        The 20 municipalities with most coca.
    movers : DataFrame
        The 10 largest increases and 10 largest decreases (``direction`` = up/down).
    pdet : DataFrame
        PDET subregions (plus rows ``PDET total`` / ``non-PDET``).
    national_series : DataFrame
        ``year, simci_municipal_sum, unodc_area, us_area, unodc_production, us_production``.
    series_sources : DataFrame
        ``series, year, citation, new_method``: where each published national figure comes from,
        and whether the series changed method in that year (charts break the line there).
    spraying_by_year, labs_by_year : DataFrame
        ``year, quantity, events, coca_ha, ratio``: ``ratio`` is hectares sprayed per hectare of
        coca at 31 December (spraying) or labs destroyed per 1,000 ha of coca (labs).
    spraying_by_department : DataFrame
        Hectares sprayed by department in the report year (or the last year of spraying).
    labs_by_department : DataFrame
        Labs destroyed by department in the report year, coca area, and labs per 1,000 ha
        (``ratio``; NaN below :data:`LABS_RATIO_MIN_HA` of coca, as for spraying).
    labs_unlocated : float
        Labs destroyed in the report year without a Colombian municipality code.
    spraying_year : int or None
        Year shown in ``spraying_by_department``.
    provenance : DataFrame
        The provenance table of the bundled datasets.
    extras : mapping
        Sections computed by other modules (``"trends"``, ``"production"``) when available.

    """

    year: int
    previous_year: int | None
    years: tuple[int, ...]
    national_area: float
    previous_area: float
    change_ha: float
    change_share: float
    n_municipalities: int
    n_municipalities_previous: int
    n_departments: int
    municipalities: pd.DataFrame
    departments: pd.DataFrame
    top: pd.DataFrame
    movers: pd.DataFrame
    pdet: pd.DataFrame
    national_series: pd.DataFrame
    series_sources: pd.DataFrame
    spraying_by_year: pd.DataFrame
    spraying_by_department: pd.DataFrame
    spraying_year: int | None
    labs_by_year: pd.DataFrame
    labs_by_department: pd.DataFrame
    labs_unlocated: float
    provenance: pd.DataFrame
    extras: Mapping[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the report by file stem (each is written as ``<stem>.csv``)."""
        return {
            "national_series": self.national_series,
            "national_series_sources": self.series_sources,
            "municipalities": self.municipalities,
            "departments": self.departments,
            "top20": self.top,
            "movers": self.movers,
            "pdet_subregions": self.pdet,
            "spraying_by_year": self.spraying_by_year,
            "spraying_by_department": self.spraying_by_department,
            "labs_by_year": self.labs_by_year,
            "labs_by_department": self.labs_by_department,
            "provenance": self.provenance,
        }

    def to_frame(self) -> pd.DataFrame:
        """Return the municipality table (the most detailed table of the report)."""
        return self.municipalities.copy()

    def to_dict(self) -> dict[str, Any]:
        """Headline numbers as plain values (tables as lists of records)."""
        out: dict[str, Any] = {
            "year": self.year,
            "previous_year": self.previous_year,
            "national_area_ha": self.national_area,
            "previous_area_ha": self.previous_area,
            "change_ha": self.change_ha,
            "change_share": self.change_share,
            "municipalities_with_coca": self.n_municipalities,
            "departments_with_coca": self.n_departments,
        }
        out.update({k: v.to_dict(orient="records") for k, v in self.tables().items()})
        return out


def check_year(year: int, years: tuple[int, ...] | list[int], *, where: str = "year") -> int:
    """Return ``year`` if the municipal census has it, else raise ``InputError``.

    Examples
    --------
    >>> check_year(2021, (2020, 2021))
    2021

    """
    if year not in set(years):
        raise InputError(
            f"no coca census for year {year}",
            where=where,
            hint=f"valid choices: {min(years)}-{max(years)}",
        )
    return int(year)


def _municipal_wide(municipal: pd.DataFrame, year: int, previous: int | None) -> pd.DataFrame:
    sel = municipal[municipal["year"].isin([y for y in (year, previous) if y is not None])]
    wide = sel.pivot_table(
        index="divipola", columns="year", values="hectares", aggfunc="sum", dropna=False
    )
    wide = wide.reindex(columns=[year] + ([previous] if previous is not None else []))
    out = pd.DataFrame(index=wide.index)
    out["hectares"] = wide[year].fillna(0.0)
    out["hectares_previous"] = wide[previous].fillna(0.0) if previous is not None else np.nan
    out = out[(out["hectares"] > 0) | (out["hectares_previous"] > 0)]
    return out.reset_index()


def _events_by_year(events: pd.DataFrame, coca_by_year: pd.Series, per: float) -> pd.DataFrame:
    g = events.groupby("year").agg(quantity=("quantity", "sum"), events=("events", "sum"))
    g["coca_ha"] = coca_by_year.reindex(g.index)
    g["ratio"] = per_coca_area(g["quantity"], g["coca_ha"], per=per)
    return g.reset_index()


def _events_by_department(
    events: pd.DataFrame, year: int, territories: pd.DataFrame, coca: pd.DataFrame, per: float
) -> tuple[pd.DataFrame, float]:
    ev = events[events["year"] == year]
    dept = ev["divipola"].map(territories.set_index("divipola")["department_code"])
    unlocated = float(ev.loc[dept.isna(), "quantity"].sum())
    g = (
        ev.assign(department_code=dept)
        .dropna(subset=["department_code"])
        .groupby("department_code")
        .agg(quantity=("quantity", "sum"), events=("events", "sum"))
    )
    coca_dep = coca.set_index("department_code")["hectares"]
    idx = g.index.union(coca_dep.index[coca_dep > 0])
    g = g.reindex(idx).fillna({"quantity": 0.0, "events": 0})
    g["coca_ha"] = coca_dep.reindex(idx).fillna(0.0)
    g["ratio"] = per_coca_area(g["quantity"], g["coca_ha"], per=per, min_coca_ha=LABS_RATIO_MIN_HA)
    names = territories.drop_duplicates("department_code").set_index("department_code")["department"]
    g.insert(0, "department", names.reindex(g.index).to_numpy())
    g = g.reset_index().sort_values(["quantity", "coca_ha"], ascending=False, ignore_index=True)
    g["events"] = g["events"].astype(int)
    return g, unlocated


SERIES_KEYS = ("unodc_area", "us_area", "unodc_production", "us_production")


def _national_series(
    series: Mapping[str, pd.Series], municipal_sum: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame]:
    cols = {"simci_municipal_sum": municipal_sum}
    cols.update({k: series[k] for k in SERIES_KEYS if k in series})
    out = pd.DataFrame(cols).sort_index().reindex(columns=["simci_municipal_sum", *SERIES_KEYS])
    out.index.name = "year"
    rows = [
        (k, int(y), str(url), int(y) in set(series[k].attrs.get("breaks") or ()))
        for k in SERIES_KEYS
        if k in series
        for y, url in (series[k].attrs.get("citations") or {}).items()
    ]
    sources = pd.DataFrame(rows, columns=["series", "year", "citation", "new_method"])
    return out.reset_index(), sources


def _pdet_table(muni: pd.DataFrame, national_area: float) -> pd.DataFrame:
    muni = muni.assign(municipalities=(muni["hectares"] > 0).astype(int))
    pd_rows = muni[muni["pdet"].astype(bool)]
    agg = {"hectares": "sum", "hectares_previous": "sum", "municipalities": "sum"}
    sub = pd_rows.groupby("pdet_subregion").agg(agg)
    sub = sub.sort_values("hectares", ascending=False)
    total = pd_rows[list(agg)].agg(agg)
    other = muni[~muni["pdet"].astype(bool)][list(agg)].agg(agg)
    table = pd.concat([sub, total.to_frame("PDET total").T, other.to_frame("non-PDET").T])
    table.index.name = "pdet_subregion"
    table["change_ha"] = table["hectares"] - table["hectares_previous"]
    table["share_of_national"] = table["hectares"] / national_area if national_area else np.nan
    table = table.reset_index()
    table["municipalities"] = table["municipalities"].astype(int)
    table["kind"] = ["subregion"] * len(sub) + ["total", "total"]
    return table


def build_report_data(
    year: int, inputs: ReportInputs, *, extras: Mapping[str, Any] | None = None
) -> ReportData:
    """Compute every number of the report for ``year``.

    Parameters
    ----------
    year : int
        Report year; must be in the municipal census.
    inputs : ReportInputs
        The bundled tables (``ReportInputs.from_datasets()``).
    extras : mapping, optional
        Sections computed elsewhere (trend tests, production) passed through to the templates.

    Returns
    -------
    ReportData

    Raises
    ------
    InputError
        If the census has no data for ``year``.

    Examples
    --------
    >>> data = build_report_data(2021, ReportInputs.example())
    >>> data.departments[["department", "hectares"]].to_dict("records")
    [{'department': 'Uno', 'hectares': 30.0}, {'department': 'Dos', 'hectares': 0.0}]

    """
    municipal = inputs.municipal
    years = tuple(sorted(int(y) for y in municipal["year"].unique()))
    year = check_year(int(year), years)
    previous = year - 1 if (year - 1) in years else None
    by_year = municipal.groupby("year")["hectares"].sum(min_count=0)

    ter = inputs.territories.set_index("divipola")
    muni = _municipal_wide(municipal, year, previous)
    cols = ["municipality", "department_code", "department", "pdet", "pdet_subregion"]
    muni = muni.join(ter[cols], on="divipola")
    muni["pdet"] = muni["pdet"].fillna(False).astype(bool)
    muni["change_ha"] = muni["hectares"] - muni["hectares_previous"]
    national_area = float(muni["hectares"].sum())
    previous_area = float(muni["hectares_previous"].sum()) if previous is not None else np.nan
    muni["share_of_national"] = muni["hectares"] / national_area if national_area else np.nan
    muni = muni.sort_values(["hectares", "divipola"], ascending=[False, True], ignore_index=True)
    order = ["divipola", "municipality", "department_code", "department", "hectares",
             "hectares_previous", "change_ha", "share_of_national", "pdet", "pdet_subregion"]
    muni = muni[order]

    dep = muni.groupby(["department_code", "department"], dropna=False).agg(
        hectares=("hectares", "sum"),
        hectares_previous=("hectares_previous", "sum"),
        municipalities=("hectares", lambda s: int((s > 0).sum())),
    )
    dep = dep.reset_index().sort_values("hectares", ascending=False, ignore_index=True)
    dep["change_ha"] = dep["hectares"] - dep["hectares_previous"]
    dep["change_share"] = dep["change_ha"] / dep["hectares_previous"].where(
        dep["hectares_previous"] > 0
    )
    dep["share_of_national"] = dep["hectares"] / national_area if national_area else np.nan

    top = muni[muni["hectares"] > 0].head(_TOP_N).reset_index(drop=True)
    top.insert(0, "rank", np.arange(1, len(top) + 1))
    if previous is not None:
        up = muni[muni["change_ha"] > 0].nlargest(_MOVERS_N, "change_ha").assign(direction="up")
        down = muni[muni["change_ha"] < 0].nsmallest(_MOVERS_N, "change_ha").assign(
            direction="down"
        )
        movers = pd.concat([up, down], ignore_index=True)
    else:
        movers = muni.iloc[0:0].assign(direction=pd.Series(dtype=str))

    series, sources = _national_series(inputs.series, by_year)
    spraying = _events_by_year(inputs.spraying, by_year, 1.0)
    labs = _events_by_year(inputs.labs, by_year, 1000.0)
    spray_years = sorted(inputs.spraying["year"].unique())
    spraying_year = year if year in spray_years else (int(spray_years[-1]) if spray_years else None)
    if spraying_year is not None:
        coca_sy = _municipal_wide(municipal, spraying_year, None).join(
            ter[["department_code"]], on="divipola"
        )
        coca_sy_dep = coca_sy.groupby("department_code", as_index=False)["hectares"].sum()
        spray_dep, _ = _events_by_department(
            inputs.spraying, spraying_year, inputs.territories, coca_sy_dep, 1.0
        )
        spray_dep = spray_dep[spray_dep["quantity"] > 0].reset_index(drop=True)
    else:
        spray_dep = pd.DataFrame(columns=["department_code", "department", "quantity"])
    labs_dep, unlocated = _events_by_department(
        inputs.labs, year, inputs.territories, dep[["department_code", "hectares"]], 1000.0
    )

    return ReportData(
        year=year,
        previous_year=previous,
        years=years,
        national_area=national_area,
        previous_area=previous_area,
        change_ha=national_area - previous_area,
        change_share=(national_area - previous_area) / previous_area
        if previous_area
        else np.nan,
        n_municipalities=int((muni["hectares"] > 0).sum()),
        n_municipalities_previous=int((muni["hectares_previous"] > 0).sum()),
        n_departments=int((dep["hectares"] > 0).sum()),
        municipalities=muni,
        departments=dep,
        top=top,
        movers=movers.reset_index(drop=True),
        pdet=_pdet_table(muni, national_area),
        national_series=series,
        series_sources=sources,
        spraying_by_year=spraying,
        spraying_by_department=spray_dep,
        spraying_year=spraying_year,
        labs_by_year=labs,
        labs_by_department=labs_dep,
        labs_unlocated=unlocated,
        provenance=inputs.provenance.copy(),
        extras=dict(extras or {}),
    )
