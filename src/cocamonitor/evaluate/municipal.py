"""The bundled municipal panel as an evaluation design: outcomes, treatments, covariates.

Every one of the 1,122 DIVIPOLA municipalities is a unit; a municipality or year without coca
reported by SIMCI has 0 ha (the census covers the whole country). Treatments:

==============  =====================================================================================
``pdet``        the 170 PDET municipalities (Decreto 893 de 2017), first treated 2017
``spraying``    municipalities sprayed from the air at least once in 2003-2015 (MinDefensa); the
                programme ended in October 2015, so "treatment" is the end of spraying, first
                treated 2016; dose = hectares sprayed 2003-2015 per hectare of coca 2003-2015
``catatumbo``   the 8 municipalities of the Catatumbo Zona Futuro, first treated 2019
(file)          any CSV ``divipola,first_treated[,dose]`` (``0`` or absent = never treated)
==============  =====================================================================================

The other four Zonas Futuro (Pacífico Nariñense, Bajo Cauca y Sur de Córdoba, Chiribiquete,
Arauca) are refused: their municipalities are not in any public source we hold, and guessing
them would make a silently wrong design.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.errors import CocamonitorWarning, DataError, DesignError, ParameterError, UnknownNameError, suggest
from cocamonitor.evaluate._panel import Panel

__all__ = ["COVARIATES", "OUTCOMES", "TREATMENTS", "Design", "municipal_panel", "read_treatment_file",
           "department_panel"]

OUTCOMES: dict[str, str] = {
    "hectares": "coca (ha)",
    "log1p": "log(1 + coca ha)",
    "presence": "coca present (0/1)",
    "per-km2": "coca ha per km² of municipality",
    "per-1000": "coca ha per 1,000 inhabitants (DANE projections, 2012-2024)",
    "labs": "drug-production infrastructure destroyed (count, 2010-2024)",
}
TREATMENTS: dict[str, str] = {
    "pdet": "PDET municipalities, first treated 2017",
    "spraying": "end of aerial spraying (sprayed 2003-2015), first treated 2016; dose = ha sprayed per ha of coca",
    "catatumbo": "Catatumbo Zona Futuro (8 municipalities), first treated 2019",
}
COVARIATES: dict[str, str] = {
    "population": "log population, 2018 census (DANE)",
    "area": "log area of the municipality (km²)",
}
_OTHER_ZONES = ("pacifico-narinense", "pacífico-nariñense", "bajo-cauca", "chiribiquete", "arauca", "zonas-futuro",
                "zona-futuro")
_YEARS = {"labs": (2010, 2024), "per-1000": (2012, 2024)}


@dataclass(frozen=True)
class Design:
    """A panel with a description of where its parts come from."""

    panel: Panel
    outcome: str
    treatment: str
    years: tuple[int, int]
    datasets: tuple[str, ...]
    notes: tuple[str, ...]

    def provenance(self) -> dict[str, Any]:
        """Datasets (with publisher and title) and the design's parameters."""
        from cocamonitor import datasets

        prov = datasets.load("provenance").set_index("dataset")
        used = [{"dataset": d, "title": str(prov.loc[d, "title"]) if d in prov.index else None,
                 "publisher": str(prov.loc[d, "publisher"]) if d in prov.index else None}
                for d in self.datasets]
        return {"datasets": used, "outcome": self.outcome, "treatment": self.treatment,
                "years": list(self.years), "notes": list(self.notes)}


def _check_choice(value: str, choices: Sequence[str], where: str) -> str:
    if value not in choices:
        raise UnknownNameError(f"unknown {where} {value!r}", where=where, hint=suggest(value, list(choices)))
    return value


def _wide(df: pd.DataFrame, value: str, units: pd.Index, years: np.ndarray) -> np.ndarray:
    w = df.pivot_table(index="divipola", columns="year", values=value, aggfunc="sum")
    return w.reindex(index=units, columns=years).fillna(0.0).to_numpy(dtype=float)


def read_treatment_file(path: str | Path) -> pd.DataFrame:
    """Read ``divipola,first_treated[,dose]`` (any decimal convention) and check every row.

    Returns
    -------
    pandas.DataFrame
        Columns ``divipola`` (5-digit text), ``first_treated`` (int, 0 = never) and ``dose``.

    Raises
    ------
    UnknownNameError
        A DIVIPOLA code not in the registry (row named).
    DataError
        A duplicated code, a non-integer first treated year.

    """
    from cocamonitor import datasets
    from cocamonitor.io.tables import location, read_table

    label = str(path)
    df = read_table(path, required=["divipola", "first_treated"], numeric=["first_treated", "dose"],
                    non_negative=["first_treated", "dose"], allow_missing=[])
    codes = df["divipola"].astype(str).str.strip().str.zfill(5)
    known = set(datasets.load("territories")["divipola"].astype(str))
    for i, c in enumerate(codes):
        if c not in known:
            raise UnknownNameError(f"unknown DIVIPOLA code {c!r}", where=location(label, i, "divipola"),
                                   hint="use the 5-digit municipal code (see `cocamonitor territory find`)")
    dup = codes.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError(f"municipality {codes.iloc[i]} appears twice", where=location(label, i, "divipola"),
                        hint="one row per municipality")
    ft = df["first_treated"].to_numpy(dtype=float)
    bad = ft != np.round(ft)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"first_treated {ft[i]:g} is not a year", where=location(label, i, "first_treated"),
                        hint="a whole year, or 0 for never treated")
    out = pd.DataFrame({"divipola": codes.to_numpy(), "first_treated": ft.astype(np.int64)})
    out["dose"] = df["dose"].to_numpy(dtype=float) if "dose" in df.columns else np.nan
    return out


def _treatment(name: str | None, file: str | Path | None, terr: pd.DataFrame,
               years: tuple[int, int]) -> tuple[np.ndarray, np.ndarray | None, list[str], list[str], str]:
    from cocamonitor import datasets

    codes = terr["divipola"].astype(str).to_numpy()
    notes: list[str] = []
    if file is not None:
        tr = read_treatment_file(file)
        lo, hi = years
        outside = tr[(tr["first_treated"] > 0) & ((tr["first_treated"] <= lo) | (tr["first_treated"] > hi))]
        if len(outside):
            row = outside.index[0]
            raise DesignError(f"municipality {outside['divipola'].iloc[0]} is first treated in "
                              f"{int(outside['first_treated'].iloc[0])}, outside the panel years {lo}-{hi}",
                              where=f"{file} line {int(row) + 2}, column 'first_treated'",
                              hint=f"a first treated year must be in {lo + 1}-{hi}; widen the years or fix the row")
        m = pd.Series(tr["first_treated"].to_numpy(), index=tr["divipola"])
        cohort = m.reindex(codes).fillna(0).to_numpy(dtype=np.int64)
        dose = None
        if tr["dose"].notna().any():
            dose = pd.Series(tr["dose"].to_numpy(), index=tr["divipola"]).reindex(codes).fillna(0.0).to_numpy()
        notes.append("municipalities not in the treatment file are never treated")
        return cohort, dose, [], notes, Path(file).name
    assert name is not None
    key = name.strip().lower()
    if key in _OTHER_ZONES or key.startswith("zona"):
        raise DesignError(f"treatment {name!r}: the municipalities of the Zonas Futuro other than Catatumbo are "
                          "not in any public source cocamonitor holds", where="treatment",
                          hint="use 'catatumbo', or give the membership you know as a CSV divipola,first_treated")
    _check_choice(key, list(TREATMENTS), "treatment")
    if key == "pdet":
        cohort = np.where(terr["pdet"].to_numpy(dtype=bool), 2017, 0)
        notes.append("selection into PDET was not random: the 170 municipalities were chosen for conflict, "
                     "poverty, illicit economies and weak institutions")
        return cohort, None, ["territories", "pdet"], notes, key
    if key == "catatumbo":
        zf = terr["zona_futuro"].astype("string")
        cohort = np.where((zf == "Catatumbo").fillna(False).to_numpy(dtype=bool), 2019, 0)
        warnings.warn("controls may include municipalities of the other four Zonas Futuro (membership unknown), "
                      "which would bias the effect towards zero", CocamonitorWarning, stacklevel=3)
        notes.append("controls may include municipalities of the other four Zonas Futuro (membership unknown)")
        return cohort, None, ["territories", "zonas-futuro"], notes, key
    # spraying: the end of aerial spraying (October 2015) for the municipalities ever sprayed
    spray = datasets.load("spraying")
    coca = datasets.load("coca-municipal")
    sprayed = spray.groupby("divipola")["quantity"].sum()
    coca_0315 = coca[(coca["year"] >= 2003) & (coca["year"] <= 2015)].groupby("divipola")["hectares"].sum()
    s = sprayed.reindex(codes).fillna(0.0).to_numpy()
    c = coca_0315.reindex(codes).fillna(0.0).to_numpy()
    cohort = np.where(s > 0, 2016, 0)
    dose = np.where(s > 0, s / np.where(c > 0, c, np.nan), 0.0)
    dose = np.where(np.isfinite(dose), dose, 0.0)
    notes.append("end of spraying: every sprayed municipality stopped in October 2015, so there is one cohort "
                 "(2016) and never-sprayed municipalities are the controls; they grew far less coca before")
    return cohort, dose, ["spraying", "coca-municipal"], notes, key


def municipal_panel(
    outcome: str = "hectares",
    treatment: str | None = "pdet",
    *,
    years: tuple[int, int] | None = None,
    treatment_file: str | Path | None = None,
    covariates: Sequence[str] = (),
    cluster: str = "municipality",
) -> Design:
    """Build the bundled municipal panel for an evaluation.

    Parameters
    ----------
    outcome : str
        One of :data:`OUTCOMES`.
    treatment : str, optional
        One of :data:`TREATMENTS` (ignored when ``treatment_file`` is given).
    years : (int, int), optional
        First and last year (default: all years the outcome has).
    treatment_file : path, optional
        CSV ``divipola,first_treated[,dose]``.
    covariates : sequence of str
        From :data:`COVARIATES` (time-invariant).
    cluster : {"municipality", "department"}
        Cluster of the standard errors.

    Returns
    -------
    Design

    Examples
    --------
    >>> d = municipal_panel("hectares", "pdet", years=(2010, 2024))
    >>> d.panel.y.shape, int((d.panel.cohort == 2017).sum())
    ((1122, 15), 170)

    """
    from cocamonitor import datasets

    _check_choice(outcome, list(OUTCOMES), "outcome")
    for c in covariates:
        _check_choice(c, list(COVARIATES), "covariates")
    _check_choice(cluster, ["municipality", "department"], "cluster")
    avail = _YEARS.get(outcome, (2001, 2024))
    lo, hi = years or avail
    if lo < avail[0] or hi > avail[1] or lo >= hi:
        raise ParameterError(f"years {lo}-{hi} outside {avail[0]}-{avail[1]}, the years {outcome!r} covers",
                             where="years", hint=f"use years within {avail[0]}-{avail[1]}")
    terr = datasets.load("territories").sort_values("divipola").reset_index(drop=True)
    units = pd.Index(terr["divipola"].astype(str))
    yrs = np.arange(lo, hi + 1)
    used = ["territories"]
    if outcome == "labs":
        y = _wide(datasets.load("labs"), "quantity", units, yrs)
        used.append("labs")
    else:
        y = _wide(datasets.load("coca-municipal"), "hectares", units, yrs)
        used.append("coca-municipal")
        if outcome == "log1p":
            y = np.log1p(y)
        elif outcome == "presence":
            y = (y > 0).astype(float)
        elif outcome == "per-km2":
            y = y / terr["area_km2"].to_numpy(dtype=float)[:, None]
        elif outcome == "per-1000":
            pop = _wide(datasets.load("population"), "population", units, yrs)
            y = 1000 * y / np.where(pop > 0, pop, np.nan)
            y = np.nan_to_num(y, nan=0.0)
            used.append("population")
    cohort, dose, tr_used, notes, label = _treatment(treatment, treatment_file, terr, (lo, hi))
    used += [d for d in tr_used if d not in used]
    x = None
    if covariates:
        cols = []
        for c in covariates:
            v = terr["population_2018"] if c == "population" else terr["area_km2"]
            cols.append(np.log(np.maximum(v.to_numpy(dtype=float), 1.0)))
        x = np.repeat(np.column_stack(cols)[:, None, :], yrs.size, axis=1)
    cl = None
    if cluster == "department":
        cl = pd.factorize(terr["department_code"].astype(str))[0]
    panel = Panel(y=y, times=yrs, cohort=cohort.astype(np.int64), units=units.to_numpy(), x=x,
                  covariates=tuple(covariates), cluster=cl, dose=dose, outcome=outcome)
    notes.append("SIMCI coca figures are a census (no sampling error) but carry measurement error "
                 "(cloud cover, interpretation, the 31 December reference date)")
    return Design(panel=panel, outcome=outcome, treatment=label, years=(int(lo), int(hi)),
                  datasets=tuple(used), notes=tuple(notes))


def department_panel(outcome: str = "hectares", years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Outcome summed by department: periods × departments (names as columns), for synthetic control."""
    from cocamonitor import datasets

    _check_choice(outcome, ["hectares", "labs"], "outcome")
    avail = _YEARS.get(outcome, (2001, 2024))
    lo, hi = years or avail
    if lo < avail[0] or hi > avail[1] or lo >= hi:
        raise ParameterError(f"years {lo}-{hi} outside {avail[0]}-{avail[1]}", where="years")
    terr = datasets.load("territories")
    src = datasets.load("labs" if outcome == "labs" else "coca-municipal")
    val = "quantity" if outcome == "labs" else "hectares"
    df = src.merge(terr[["divipola", "department"]], on="divipola", how="left")
    wide = df.pivot_table(index="year", columns="department", values=val, aggfunc="sum").fillna(0.0)
    wide = wide.reindex(index=np.arange(lo, hi + 1), fill_value=0.0)
    return wide.loc[:, wide.sum() > 0]
