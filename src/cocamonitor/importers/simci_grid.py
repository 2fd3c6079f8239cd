"""The SIMCI 1 km coca grid ("Densidad de cultivos de coca", datos.gov.co ``v3rx-q7t3``).

The Observatorio de Drogas de Colombia (Ministerio de Justicia y del Derecho) publishes SIMCI's
1 km grid on Datos Abiertos Colombia as dataset ``v3rx-q7t3`` under CC BY-SA 4.0: one polygon
per 1 km cell, the cell id ``grilla1`` and one column of coca hectares per year. The year
columns do not follow one pattern (``areacoca_2001`` ... ``areacoca2004`` ... ``coca2022_``,
``areacoca2023`` or ``areacoca_2023``), the GeoJSON export is in EPSG:4326 and may carry the
numbers as text, and the CSV export carries the polygon as WKT in ``the_geom``.

:func:`read_simci_grid` reads any of the GeoJSON, shapefile, CSV (or GeoPackage/GeoParquet)
exports and returns a :class:`SimciGrid`: a tidy table ``(cell, year, coca_ha)`` and the cell
polygons. It also finds the square lattice the cells were drawn on: it tries the projected
CRSs used for Colombia (MAGNA-SIRGAS Origen Nacional, EPSG:9377, and the MAGNA-SIRGAS and
Bogotá 1975 Gauss-Krüger zones) and keeps the first in which every cell is an axis-aligned
square of one size whose corners fall on one lattice, so each cell gets a row and a column
and the grid products (:mod:`cocamonitor.grid`) and territory tallies
(:mod:`cocamonitor.territories`) work on the cells exactly as published.

Checks: every cell has an id and no id appears twice; every value is a number of hectares
between 0 and the cell's area; each year appears once. An empty value (the export leaves
out a field without a value) is kept as missing, never read as 0, and counted in the notes.
Columns that are neither the id, the geometry nor a year are named in the notes and not read.

Examples
--------
>>> import geopandas as gpd, shapely
>>> cells = gpd.GeoSeries([shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)],
...                       crs="EPSG:9377").to_crs(4326)
>>> gdf = gpd.GeoDataFrame({"grilla1": ["1", "2"], "areacoca2004": ["0.5", "0"],
...                         "coca2022_": [3.0, None]}, geometry=cells)
>>> g = parse_simci_grid(gdf, source="demo")
>>> g.years, g.lattice.crs, g.lattice.cell
((2004, 2022), 'EPSG:9377', 1000.0)
>>> g.table.to_dict("records")[:2]
[{'cell': '1', 'year': 2004, 'coca_ha': 0.5}, {'cell': '2', 'year': 2004, 'coca_ha': 0.0}]
>>> g.notes
('1 empty cell-year value(s) kept as missing (not read as 0 ha)',)

"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from cocamonitor.errors import DataError, InputError, SchemaError
from cocamonitor.grid.spec import GridSpec

__all__ = [
    "CANDIDATE_CRS",
    "DATASET",
    "Lattice",
    "SimciGrid",
    "find_lattice",
    "import_simci_grid",
    "load_imported_grid",
    "parse_simci_grid",
    "read_simci_grid",
    "year_columns",
]

#: The datos.gov.co dataset and its publisher, written into the import's provenance.
DATASET = {
    "dataset": "v3rx-q7t3",
    "title": "Densidad de cultivos de coca",
    "publisher": "Observatorio de Drogas de Colombia (Ministerio de Justicia y del Derecho); "
    "data UNODC-SIMCI",
    "url": "https://www.datos.gov.co/d/v3rx-q7t3",
    "licence": "CC BY-SA 4.0",
}

#: Projected CRSs tried, in order, when looking for the lattice of the cells.
CANDIDATE_CRS = (
    "EPSG:9377", "EPSG:3116", "EPSG:3115", "EPSG:3117", "EPSG:3118", "EPSG:3114", "EPSG:3113",
    "EPSG:21897", "EPSG:21896", "EPSG:21898", "EPSG:21899",
)

_YEAR = re.compile(r"^(?:area)?_?coca_?(\d{4})_?$", re.IGNORECASE)
_YEARISH = re.compile(r"coca", re.IGNORECASE)
_ID = "grilla1"
_GEOM_TEXT = ("the_geom", "geom", "wkt", "geometry")
_IGNORED_QUIETLY = re.compile(r"^(objectid(_\d+)?|fid|shape_(area|leng|length)|:@.*)$", re.IGNORECASE)
_TOL_M = 0.05  # metres: how far a corner may sit from the lattice


@dataclass(frozen=True)
class Lattice(GridSpec):
    """The square lattice a grid was drawn on: a :class:`cocamonitor.grid.GridSpec` found from its cells.

    Same fields: ``crs`` (projected, the cells are axis-aligned squares in it), ``cell`` (side in
    metres), ``x0, y0`` (upper-left corner), ``nrows, ncols`` (rows and columns covering all cells).
    """

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return {"crs": self.crs, "cell": self.cell, "x0": self.x0, "y0": self.y0,
                "nrows": self.nrows, "ncols": self.ncols}

    def grid_spec(self) -> GridSpec:
        """Return the plain :class:`cocamonitor.grid.GridSpec` of this lattice."""
        return GridSpec(self.crs, self.cell, self.x0, self.y0, self.nrows, self.ncols)


@dataclass(frozen=True)
class SimciGrid:
    """A parsed SIMCI grid export.

    Attributes
    ----------
    table : pandas.DataFrame
        Tidy ``cell`` (text), ``year`` (int), ``coca_ha`` (float, NaN where the export is empty).
    cells : pandas.DataFrame
        ``cell, row, col`` and ``geometry`` (shapely polygons in ``source_crs``), one row a cell.
    lattice : Lattice
    years : tuple of int
    columns : dict
        Year -> the column it was read from.
    source_crs : str
    notes : tuple of str
        What was done that the user should know.

    """

    table: pd.DataFrame
    cells: pd.DataFrame
    lattice: Lattice
    years: tuple[int, ...]
    columns: dict[int, str]
    source_crs: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    def coca_matrix(self) -> np.ndarray:
        """Coca hectares, shape ``(cells, years)`` in the order of :attr:`cells` and :attr:`years`."""
        ci = pd.Index(self.cells["cell"]).get_indexer(self.table["cell"])
        yi = pd.Index(list(self.years)).get_indexer(self.table["year"])
        ok = (ci >= 0) & (yi >= 0)
        out = np.full((len(self.cells), len(self.years)), np.nan)
        out[ci[ok], yi[ok]] = self.table["coca_ha"].to_numpy(float)[ok]
        return out

    def density_grid(self, years: Sequence[int] | None = None):
        """Return a :class:`cocamonitor.grid.DensityGrid` on the lattice (empty values unobserved)."""
        from cocamonitor.grid import DensityGrid

        yrs = tuple(self.years) if years is None else tuple(int(y) for y in years)
        missing = [y for y in yrs if y not in self.years]
        if missing:
            raise InputError(f"year {missing[0]} is not in the imported SIMCI grid", where="years",
                             hint=f"years: {self.years[0]}-{self.years[-1]}")
        spec = self.lattice.grid_spec()
        mat = self.coca_matrix()[:, [self.years.index(y) for y in yrs]]
        rows, cols = self.cells["row"].to_numpy(), self.cells["col"].to_numpy()
        coca = np.zeros((len(yrs), spec.nrows, spec.ncols))
        observed = np.zeros_like(coca)
        cell_ha = spec.cell * spec.cell / 1e4
        for k in range(len(yrs)):
            ok = np.isfinite(mat[:, k])
            coca[k, rows[ok], cols[ok]] = mat[ok, k]
            observed[k, rows[ok], cols[ok]] = cell_ha
        return DensityGrid(spec, yrs, coca, observed)


def year_columns(columns: Sequence[str]) -> tuple[dict[int, str], list[str]]:
    """Map years to the columns holding them; return also the columns that mention coca but have no year.

    Examples
    --------
    >>> year_columns(["grilla1", "areacoca_2001", "areacoca2004", "coca2022_", "areacoca_2023"])
    ({2001: 'areacoca_2001', 2004: 'areacoca2004', 2022: 'coca2022_', 2023: 'areacoca_2023'}, [])

    """
    years: dict[int, str] = {}
    odd: list[str] = []
    for col in columns:
        name = str(col).strip()
        m = _YEAR.match(name)
        if m:
            y = int(m.group(1))
            if y in years:
                raise SchemaError(f"year {y} is in two columns, {years[y]!r} and {name!r}",
                                  where=f"column {name!r}", hint="keep one of them")
            years[y] = str(col)
        elif _YEARISH.search(name):
            odd.append(str(col))
    return dict(sorted(years.items())), odd


def find_lattice(geometry: np.ndarray, crs: Any, *, where: str = "file") -> tuple[Lattice, np.ndarray, np.ndarray]:
    """Find the projected CRS in which the cells are squares on one lattice.

    Parameters
    ----------
    geometry : numpy.ndarray of shapely polygons
        The cells.
    crs : pyproj.CRS or str
        CRS of ``geometry``.
    where : str
        Name of the input for messages.

    Returns
    -------
    lattice : Lattice
    rows, cols : numpy.ndarray of int
        Position of each cell.

    """
    from pyproj import CRS, Transformer

    src = CRS.from_user_input(crs)
    n = len(geometry)
    sample = np.unique(np.linspace(0, n - 1, min(n, 500)).astype(int))
    for name in CANDIDATE_CRS:
        target = CRS.from_user_input(name)
        tr = Transformer.from_crs(src, target, always_xy=True)
        test = shapely.transform(geometry[sample], lambda xy, tr=tr: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
        size = _square_size(test)
        if size is None:
            continue
        allg = shapely.transform(geometry, lambda xy, tr=tr: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
        size_all = _square_size(allg)
        if size_all is None or abs(size_all - size) > _TOL_M:
            continue
        cell = float(np.round(size, 2))
        b = shapely.bounds(allg)
        x0 = float(b[:, 0].min())
        y0 = float(b[:, 3].max())
        fc = (b[:, 0] - x0) / cell
        fr = (y0 - b[:, 3]) / cell
        cols, rows = np.rint(fc).astype(np.int64), np.rint(fr).astype(np.int64)
        if np.abs(fc - cols).max() * cell > _TOL_M or np.abs(fr - rows).max() * cell > _TOL_M:
            continue
        key = rows * (cols.max() + 1) + cols
        uniq, first, counts = np.unique(key, return_index=True, return_counts=True)
        if (counts > 1).any():
            k = int(np.flatnonzero(key == uniq[counts > 1][0])[1])
            raise DataError(f"{where} row {k + 1}: this cell's polygon repeats another cell's",
                            where=where, hint="each 1 km cell must appear once")
        lat = Lattice(target.to_string(), cell, x0, y0, int(rows.max()) + 1, int(cols.max()) + 1)
        return lat, rows, cols
    raise InputError(
        f"the cells of {where} are not squares of one size on one lattice in any of "
        f"{', '.join(CANDIDATE_CRS)}",
        where=where, hint="give the unmodified v3rx-q7t3 export (GeoJSON, shapefile or CSV)",
    )


def _square_size(geoms: np.ndarray) -> float | None:
    """Side of the cells when every polygon is one axis-aligned square of the same size, else None."""
    if not len(geoms):
        return None
    b = shapely.bounds(geoms)
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    size = float(np.median(w))
    if not np.isfinite(size) or size <= 0:
        return None
    if np.abs(w - size).max() > _TOL_M or np.abs(h - size).max() > _TOL_M:
        return None
    coords, idx = shapely.get_coordinates(shapely.get_exterior_ring(geoms), return_index=True)
    bx = b[idx]
    on_x = (np.abs(coords[:, 0] - bx[:, 0]) < _TOL_M) | (np.abs(coords[:, 0] - bx[:, 2]) < _TOL_M)
    on_y = (np.abs(coords[:, 1] - bx[:, 1]) < _TOL_M) | (np.abs(coords[:, 1] - bx[:, 3]) < _TOL_M)
    if not (on_x & on_y).all():
        return None
    return size


def read_simci_grid(path: str | Path, *, where: str = "FILE") -> SimciGrid:
    """Read a ``v3rx-q7t3`` export (GeoJSON, shapefile, CSV with WKT, GeoPackage, GeoParquet).

    Raises
    ------
    InputError
        Missing or unreadable file, no CRS, cells not on a lattice, bad values (see the module notes).

    """
    import geopandas as gpd

    p = Path(path)
    if not p.exists():
        raise InputError(f"file not found: {path}", where=where, hint="check the path")
    try:
        if p.suffix.lower() in (".parquet", ".geoparquet"):
            gdf = gpd.read_parquet(p)
        elif p.suffix.lower() in (".csv", ".txt"):
            gdf = _read_csv(p, where)
        else:
            gdf = gpd.read_file(p)
    except InputError:
        raise
    except Exception as err:  # pyogrio/pyarrow raise many types
        raise InputError(f"cannot read {p.name}: {err}", where=where,
                         hint="give the GeoJSON, shapefile or CSV export of v3rx-q7t3") from None
    return parse_simci_grid(gdf, source=p.name)


def _read_csv(p: Path, where: str):
    import geopandas as gpd

    df = pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""])
    lower = {c.lower().strip(): c for c in df.columns}
    geom_col = next((lower[c] for c in _GEOM_TEXT if c in lower), None)
    if geom_col is None:
        raise SchemaError(f"{p.name} has no geometry column", where=where,
                          hint="the CSV export keeps each cell's polygon as WKT in 'the_geom'")
    text = df[geom_col]
    geoms = shapely.from_wkt(text.fillna("").to_numpy(dtype=object), on_invalid="ignore")
    bad = shapely.is_missing(geoms)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"{p.name} row {i + 2}: {geom_col!r} is not a WKT polygon",
                        where=f"{p.name}, row {i + 2}, column {geom_col!r}",
                        hint="the_geom must hold MULTIPOLYGON (((lon lat, ...))) text")
    # the export writes longitude/latitude (EPSG:4326) without saying so
    return gpd.GeoDataFrame(df.drop(columns=[geom_col]), geometry=geoms, crs="EPSG:4326")


def parse_simci_grid(gdf, *, source: str = "grid") -> SimciGrid:
    """Check and tidy a GeoDataFrame in the ``v3rx-q7t3`` schema (see :func:`read_simci_grid`)."""
    notes: list[str] = []
    if gdf.crs is None:
        raise InputError(f"{source} has no coordinate reference system", where=source,
                         hint="the datos.gov.co exports are in EPSG:4326; set it with "
                              "`ogr2ogr -a_srs EPSG:4326 out.gpkg in.shp`")
    cols = {str(c).strip().lower(): c for c in gdf.columns if c != gdf.geometry.name}
    if _ID not in cols:
        from cocamonitor.errors import suggest

        raise SchemaError(f"{source} has no cell id column {_ID!r}", where=source,
                          hint=suggest(_ID, list(cols)))
    id_col = cols[_ID]
    years, odd = year_columns([c for c in gdf.columns if c not in (id_col, gdf.geometry.name)])
    if odd:
        raise SchemaError(f"{source}: column {odd[0]!r} mentions coca but names no year",
                          where=f"column {odd[0]!r}",
                          hint="rename it like areacoca_2023 (a shapefile cuts names at 10 "
                               "characters: use the GeoJSON or CSV export)")
    if not years:
        raise SchemaError(f"{source} has no coca year columns", where=source,
                          hint="expected columns like areacoca_2001, areacoca2004, coca2022_")
    other = [str(c) for c in gdf.columns
             if c not in (id_col, gdf.geometry.name, *years.values()) and not _IGNORED_QUIETLY.match(str(c))]
    if other:
        notes.append(f"column(s) not read: {', '.join(other)}")
    if len(gdf) == 0:
        raise DataError(f"{source} holds no cells", where=source)
    ids = gdf[id_col]
    if ids.isna().any():
        i = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise DataError(f"{source} row {i + 1}: {id_col!r} is empty", where=f"{source}, row {i + 1}",
                        hint="every cell needs its grilla1 id")
    text_ids = _ids_as_text(ids)
    dup = pd.Series(text_ids).duplicated(keep=False).to_numpy()
    if dup.any():
        rows = np.flatnonzero(dup)[:2] + 1
        raise DataError(f"{source}: cell {text_ids[rows[0] - 1]!r} appears twice (rows {rows[0]} and {rows[1]})",
                        where=f"{source}, column {id_col!r}", hint="each 1 km cell must appear once")
    geoms = gdf.geometry.to_numpy()
    kinds = shapely.get_type_id(geoms)
    bad = shapely.is_missing(geoms) | ~np.isin(kinds, [3, 6])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = "no geometry" if shapely.is_missing(geoms[i]) else f"a {geoms[i].geom_type}"
        raise DataError(f"{source} row {i + 1} (cell {text_ids[i]!r}) has {what}, not a cell polygon",
                        where=f"{source}, row {i + 1}", hint="give the unmodified export")
    lattice, lat_rows, lat_cols = find_lattice(geoms, gdf.crs, where=source)
    cell_ha = lattice.cell * lattice.cell / 1e4
    values = np.empty((len(gdf), len(years)))
    for k, col in enumerate(years.values()):
        raw = gdf[col]
        num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, copy=True)
        empty = raw.isna().to_numpy() | (raw.astype(str).str.strip() == "").to_numpy()
        badv = ~empty & ~np.isfinite(num)
        if badv.any():
            i = int(np.flatnonzero(badv)[0])
            raise DataError(f"{source} row {i + 1}, column {col!r}: {raw.iloc[i]!r} is not a number of hectares",
                            where=f"{source}, row {i + 1}, column {col!r}", hint="hectares of coca, e.g. 2.35")
        out = np.isfinite(num) & ((num < 0) | (num > cell_ha * (1 + 1e-9)))
        if out.any():
            i = int(np.flatnonzero(out)[0])
            raise DataError(f"{source} row {i + 1}, column {col!r}: {num[i]:g} ha is outside 0-{cell_ha:g} ha, "
                            f"the area of a {lattice.cell:g} m cell",
                            where=f"{source}, row {i + 1}, column {col!r}",
                            hint="values are hectares of coca in the cell")
        num[empty] = np.nan
        values[:, k] = num
    n_empty = int(np.isnan(values).sum())
    if n_empty:
        notes.append(f"{n_empty} empty cell-year value(s) kept as missing (not read as 0 ha)")
    yrs = tuple(years)
    table = pd.DataFrame({
        "cell": np.repeat(text_ids, len(yrs)).astype(object),
        "year": np.tile(np.asarray(yrs, dtype=np.int64), len(text_ids)),
        "coca_ha": values.ravel(),
    }).sort_values(["year", "cell"], kind="stable").reset_index(drop=True)
    cells = pd.DataFrame({"cell": text_ids, "row": lat_rows, "col": lat_cols, "geometry": geoms})
    return SimciGrid(table, cells, lattice, yrs, dict(years), str(gdf.crs.to_string()), tuple(notes))


def _ids_as_text(values: pd.Series) -> np.ndarray:
    num = pd.to_numeric(values, errors="coerce")
    if num.notna().all() and (num == np.round(num)).all():
        return num.astype(np.int64).astype(str).to_numpy(dtype=object)
    return values.astype(str).str.strip().to_numpy(dtype=object)


NAME = "simci-grid"
CELLS = "simci-grid-cells"


def import_simci_grid(path: str | Path, *, data_dir: str | Path | None = None, where: str = "FILE"):
    """Read a ``v3rx-q7t3`` export and store it in the user data folder.

    Two entries are written: ``simci-grid``, the tidy ``(cell, year, coca_ha)`` table, and
    ``simci-grid-cells``, a GeoParquet of the cell polygons with their lattice row and column
    (the geometry is stored once per cell, not once per cell-year).

    Returns
    -------
    (Entry, SimciGrid)

    """
    import geopandas as gpd

    from cocamonitor import userdata

    grid = read_simci_grid(path, where=where)
    meta = {**DATASET, "years": list(grid.years), "columns": {str(k): v for k, v in grid.columns.items()},
            "lattice": grid.lattice.to_dict(), "source_crs": grid.source_crs, "cells": int(len(grid.cells)),
            "notes": list(grid.notes)}
    cells = gpd.GeoDataFrame(grid.cells.drop(columns="geometry"), geometry=list(grid.cells["geometry"]),
                             crs=grid.source_crs)
    userdata.store_table(cells, name=CELLS, kind="simci-grid-cells", source=path,
                         meta={"lattice": grid.lattice.to_dict(), "dataset": DATASET["dataset"]},
                         data_dir=data_dir)
    entry = userdata.store_table(grid.table, name=NAME, kind="simci-grid", source=path, meta=meta,
                                 data_dir=data_dir)
    return entry, grid


def load_imported_grid(*, data_dir: str | Path | None = None) -> SimciGrid | None:
    """Return the imported SIMCI grid, or None when none was imported."""
    from cocamonitor import userdata

    names = {e.name: e for e in userdata.entries(data_dir=data_dir)}
    if NAME not in names or CELLS not in names:
        return None
    entry = names[NAME]
    table = userdata.read_table(NAME, data_dir=data_dir)
    cells = userdata.read_table(CELLS, data_dir=data_dir)
    lat = Lattice(**entry.meta["lattice"])
    cells_df = pd.DataFrame({"cell": cells["cell"].astype(str).to_numpy(dtype=object),
                             "row": cells["row"].to_numpy(), "col": cells["col"].to_numpy(),
                             "geometry": cells.geometry.to_numpy()})
    columns = {int(k): v for k, v in entry.meta.get("columns", {}).items()}
    return SimciGrid(table, cells_df, lat, tuple(int(y) for y in entry.meta["years"]), columns,
                     str(entry.meta.get("source_crs", cells.crs)), tuple(entry.meta.get("notes", ())))
