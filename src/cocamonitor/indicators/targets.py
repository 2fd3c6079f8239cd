"""Targets for the indicators: reading and checking a targets table, and comparing results with it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cocamonitor.errors import DataError, InputError, SchemaError, UnknownNameError, suggest
from cocamonitor.indicators.catalogue import _BY_NAME, NATIONAL, suggest_indicator
from cocamonitor.indicators.result import IndicatorTable

__all__ = ["DIRECTIONS", "compare_targets", "read_targets", "validate_targets"]


#: How a target is met: the actual is at least the target (labs, eradication, seizures) or at
#: most the target (coca area).
DIRECTIONS: tuple[str, ...] = ("at_least", "at_most")


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
    >>> from cocamonitor.indicators import results_table
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
        hint = ("a target without territory is national: use the national level (`by` national)"
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
    return IndicatorTable(table=merged, level=result.level, years=result.years, notes=tuple(notes),
                          territorial=result.territorial)
