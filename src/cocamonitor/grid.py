"""The 1 km coca grid: density, permanence and hotspots.

SIMCI publishes coca **density** maps (hectares of coca per km² on a kilometre grid) and maps of
the **permanence** of coca (how many of the last years a place had coca). This module builds
both from yearly coca maps (rasters) or from field polygons, and finds **hotspots** of density
with the Getis-Ord Gi* statistic and Benjamini-Hochberg false-discovery-rate control.

Grid
----
Cells are squares of ``cell`` metres (1000 by default) in the raster's projected CRS, aligned
to multiples of ``cell`` (so grids of different years and sources coincide). A pixel belongs to
the cell that holds its centre. Density is coca hectares divided by the cell's full area in
km² (100 ha for a 1 km cell), so a cell cut by the edge of the map or by clouds (nodata) has
its density computed over the whole cell; ``observed_ha`` says how much of it was seen.

Permanence classes
------------------
SIMCI's exact definitions are not published in the sources we found (see
``reference/methodology.md`` A.3), so these rules are ours. Over the last ``N`` consecutive
years, with the last ``recent`` years (default 3, the span SIMCI uses for "expansion zones")
called the *recent period* and the years before it the *earlier period*, a cell is

* ``permanent`` -- coca every one of the N years;
* ``new`` -- coca in the recent period only;
* ``abandoned`` -- coca in the earlier period only;
* ``intermittent`` -- coca in both periods, but not every year;
* ``none`` -- no coca in any of the N years.

A year counts as "with coca" when the cell has more than ``min_ha`` hectares (default 0).

Hotspots
--------
Gi* (Getis & Ord 1992; Ord & Getis 1995) is computed with ``esda.G_Local`` on binary queen
contiguity between observed cells, the cell itself included (``star=True``). Two-sided p-values
come from the normal approximation (or from ``permutations`` conditional permutations), and
the Benjamini & Hochberg (1995) procedure keeps the false discovery rate at ``alpha`` across all
cells. Cells with a significant positive z are ``hot``, negative ``cold``.

Examples
--------
>>> import numpy as np
>>> coca = np.array([[[0, 5.0]], [[2.0, 5.0]], [[3.0, 5.0]], [[0, 5.0]]])  # 4 years, 1x2 cells
>>> g = DensityGrid(GridSpec("EPSG:9377", 1000.0, 0.0, 1000.0, 1, 2), (2020, 2021, 2022, 2023),
...                 coca, np.full_like(coca, 100.0))
>>> permanence(g, recent=2).to_frame()[["col", "years_with_coca", "class"]].to_dict("records")
[{'col': 0, 'years_with_coca': 2, 'class': 'intermittent'}, {'col': 1, 'years_with_coca': 4, 'class': 'permanent'}]

"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from affine import Affine
from pyproj import CRS

from cocamonitor.errors import InputError

__all__ = [
    "PERMANENCE_CLASSES",
    "DensityGrid",
    "GridSpec",
    "Hotspots",
    "cell_ids",
    "Permanence",
    "density_from_polygons",
    "density_from_rasters",
    "hotspots",
    "permanence",
]

#: Permanence class codes written to GeoTIFF (255 = not observed every year).
PERMANENCE_CLASSES = {0: "none", 1: "permanent", 2: "intermittent", 3: "new", 4: "abandoned"}
_UNOBSERVED = 255


@dataclass(frozen=True)
class GridSpec:
    """A north-up grid of square cells.

    Attributes
    ----------
    crs : str
        Projected CRS (as text, e.g. ``"EPSG:9377"``).
    cell : float
        Cell size in CRS units (metres).
    x0, y0 : float
        Upper-left corner (multiples of ``cell``).
    nrows, ncols : int
        Grid size.

    """

    crs: str
    cell: float
    x0: float
    y0: float
    nrows: int
    ncols: int

    @classmethod
    def covering(cls, bounds: Sequence[float], cell: float, crs: str) -> GridSpec:
        """Return the smallest aligned grid covering ``(xmin, ymin, xmax, ymax)``.

        Examples
        --------
        >>> GridSpec.covering((1500.0, 200.0, 3200.0, 2100.0), 1000.0, "EPSG:9377")
        GridSpec(crs='EPSG:9377', cell=1000.0, x0=1000.0, y0=3000.0, nrows=3, ncols=3)

        """
        if not (math.isfinite(cell) and cell > 0):
            raise InputError(f"cell size {cell:g} must be a positive number of metres",
                             where="--cell", hint="e.g. --cell 1000 for 1 km cells")
        xmin, ymin, xmax, ymax = bounds
        x0 = math.floor(xmin / cell) * cell
        y0 = math.ceil(ymax / cell) * cell
        ncols = max(1, math.ceil((xmax - x0) / cell))
        nrows = max(1, math.ceil((y0 - ymin) / cell))
        return cls(crs, float(cell), float(x0), float(y0), int(nrows), int(ncols))

    @property
    def transform(self) -> Affine:
        """Cell-to-CRS transform."""
        return Affine(self.cell, 0.0, self.x0, 0.0, -self.cell, self.y0)

    @property
    def cell_km2(self) -> float:
        """Area of one cell in km² (CRS units are metres)."""
        return self.cell * self.cell / 1e6

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """X and y of every cell centre, shape ``(nrows, ncols)``."""
        xs = self.x0 + (np.arange(self.ncols) + 0.5) * self.cell
        ys = self.y0 - (np.arange(self.nrows) + 0.5) * self.cell
        return np.meshgrid(xs, ys)

    def boxes(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Polygons of the cells at ``rows``, ``cols``."""
        x = self.x0 + cols * self.cell
        y = self.y0 - rows * self.cell
        return shapely.box(x, y - self.cell, x + self.cell, y)


def cell_ids(spec: GridSpec, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Return stable text ids of cells: the lower-left corner in km, e.g. ``"E4987N2001"``.

    Examples
    --------
    >>> spec = GridSpec("EPSG:9377", 1000.0, 4_987_000.0, 2_003_000.0, 3, 3)
    >>> cell_ids(spec, np.array([0, 2]), np.array([0, 1])).tolist()
    ['E4987N2002', 'E4988N2000']

    """
    x = (spec.x0 + cols * spec.cell) / 1000.0
    y = (spec.y0 - (rows + 1) * spec.cell) / 1000.0
    fmt = np.vectorize(lambda a, b: f"E{a:g}N{b:g}", otypes=[object])
    return fmt(x, y) if len(rows) else np.zeros(0, dtype=object)


def _write_geotiff(path: str | Path, spec: GridSpec, bands: np.ndarray, *, nodata: float,
                   dtype: str, descriptions: Sequence[str]) -> None:
    import rasterio

    bands = np.asarray(bands)
    if bands.ndim == 2:
        bands = bands[None]
    with rasterio.open(
        path, "w", driver="GTiff", width=spec.ncols, height=spec.nrows, count=bands.shape[0],
        dtype=dtype, crs=spec.crs, transform=spec.transform, nodata=nodata,
        compress="deflate", tiled=spec.ncols >= 256 and spec.nrows >= 256,
    ) as dst:
        dst.write(bands.astype(dtype))
        for i, d in enumerate(descriptions, start=1):
            dst.set_band_description(i, d)


def _write_geoparquet(path: str | Path, spec: GridSpec, frame: pd.DataFrame) -> None:
    import geopandas as gpd

    geom = spec.boxes(frame["row"].to_numpy(), frame["col"].to_numpy())
    gpd.GeoDataFrame(frame, geometry=geom, crs=spec.crs).to_parquet(path)


@dataclass(frozen=True)
class DensityGrid:
    """Coca hectares per cell and year.

    Attributes
    ----------
    grid : GridSpec
    years : tuple of int
    coca_ha : numpy.ndarray, shape (years, nrows, ncols)
        Hectares of coca in each cell.
    observed_ha : numpy.ndarray, shape (years, nrows, ncols)
        Hectares of each cell that the map covered with valid (non-nodata) pixels.

    """

    grid: GridSpec
    years: tuple[int, ...]
    coca_ha: np.ndarray
    observed_ha: np.ndarray

    @property
    def density(self) -> np.ndarray:
        """Coca ha per km² of cell (NaN where the cell was not observed that year)."""
        d = self.coca_ha / self.grid.cell_km2
        return np.where(self.observed_ha > 0, d, np.nan)

    def year_index(self, year: int | None) -> int:
        """Position of ``year`` (default: the last year)."""
        if year is None:
            return len(self.years) - 1
        if year not in self.years:
            raise InputError(f"year {year} is not in the grid", where="--year",
                             hint=f"years: {', '.join(map(str, self.years))}")
        return self.years.index(year)

    def to_frame(self) -> pd.DataFrame:
        """Return a long table of observed cells.

        Columns: ``year, cell, row, col, x, y, coca_ha, observed_ha, density_ha_km2``.
        """
        parts = []
        xc, yc = self.grid.centres()
        for k, year in enumerate(self.years):
            r, c = np.nonzero(self.observed_ha[k] > 0)
            parts.append(pd.DataFrame({
                "year": year, "cell": cell_ids(self.grid, r, c), "row": r, "col": c,
                "x": xc[r, c], "y": yc[r, c], "coca_ha": self.coca_ha[k, r, c],
                "observed_ha": self.observed_ha[k, r, c],
                "density_ha_km2": self.coca_ha[k, r, c] / self.grid.cell_km2,
            }))
        return pd.concat(parts, ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """Grid, years and per-year totals."""
        return {
            "grid": {"crs": self.grid.crs, "cell": self.grid.cell, "x0": self.grid.x0,
                     "y0": self.grid.y0, "nrows": self.grid.nrows, "ncols": self.grid.ncols},
            "years": list(self.years),
            "coca_ha": {int(y): float(self.coca_ha[k].sum()) for k, y in enumerate(self.years)},
            "cells_with_coca": {int(y): int((self.coca_ha[k] > 0).sum())
                                for k, y in enumerate(self.years)},
        }

    def write_geotiff(self, path: str | Path) -> None:
        """Write one float64 band of density (ha/km²) per year; -1 where not observed."""
        d = np.where(np.isnan(self.density), -1.0, self.density)
        _write_geotiff(path, self.grid, d, nodata=-1.0, dtype="float64",
                       descriptions=[f"coca density {y} (ha/km2)" for y in self.years])

    def write_geoparquet(self, path: str | Path) -> None:
        """Write the :meth:`to_frame` rows with their cell polygons."""
        _write_geoparquet(path, self.grid, self.to_frame())


def _years_arg(years: Sequence[int] | None, n: int) -> tuple[int, ...]:
    if years is None:
        return tuple(range(n))
    years = tuple(int(y) for y in years)
    if len(years) != n:
        raise InputError(f"{len(years)} year(s) for {n} map(s)", where="--years",
                         hint="give one year per raster, in the same order")
    if len(set(years)) != n:
        raise InputError("a year is given twice", where="--years")
    return years


def density_from_rasters(
    rasters: Sequence[str | Path],
    *,
    years: Sequence[int] | None = None,
    coca_classes: Sequence[int] = (1,),
    cell: float = 1000.0,
    window_pixels: int | None = None,
) -> DensityGrid:
    """Coca density on a km grid from yearly coca maps.

    Parameters
    ----------
    rasters : sequence of paths
        One classified map per year, integer, in one projected CRS (metres).
    years : sequence of int, optional
        The year of each raster (default 0, 1, 2, ...).
    coca_classes : sequence of int, default (1,)
        Map values that mean coca.
    cell : float, default 1000
        Cell size in metres.
    window_pixels : int, optional
        Pixels per window read.

    Returns
    -------
    DensityGrid

    Raises
    ------
    InputError
        Non-integer rasters, rasters in degrees, rasters in different CRSs, pixels larger
        than the cell.

    """
    import rasterio

    from cocamonitor.io.rasters import (
        DEFAULT_WINDOW_PIXELS,
        iter_windows,
        open_raster,
        pixel_area,
        require_integer,
    )

    if not rasters:
        raise InputError("no coca map given", where="--raster")
    yrs = _years_arg(years, len(rasters))
    infos = [open_raster(p) for p in rasters]
    for info in infos:
        require_integer(info)
        assert info.crs is not None
        if not info.crs.is_projected:
            raise InputError(
                f"raster {info.path} is not in a projected CRS; a km grid needs metres",
                where="--raster", hint="warp it to e.g. EPSG:9377 (MAGNA-SIRGAS Origen Nacional)",
            )
        if info.crs != infos[0].crs:
            raise InputError(f"rasters {infos[0].path} and {info.path} are in different CRSs",
                             where="--raster", hint="warp them to one CRS")
        if max(abs(info.transform.a), abs(info.transform.e)) > cell:
            raise InputError(f"pixels of {info.path} are larger than the {cell:g} m cell",
                             where="--cell")
    crs_text = infos[0].crs.to_string() if infos[0].crs is not None else ""
    bounds = np.array([i.bounds for i in infos])
    spec = GridSpec.covering(
        (bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max()),
        cell, crs_text,
    )
    ncell = spec.nrows * spec.ncols
    coca = np.zeros((len(infos), spec.nrows, spec.ncols))
    observed = np.zeros_like(coca)
    classes = np.asarray(list(coca_classes), dtype=np.int64)
    for k, info in enumerate(infos):
        px_area = pixel_area(info)
        t = info.transform
        coca_px = np.zeros(ncell, dtype=np.int64)
        seen_px = np.zeros(ncell, dtype=np.int64)
        with rasterio.open(info.path) as src:
            for win in iter_windows(info, max_pixels=window_pixels or DEFAULT_WINDOW_PIXELS):
                block = src.read(1, window=win)
                xc = t.c + t.a * (np.arange(win.col_off, win.col_off + win.width) + 0.5)
                yc = t.f + t.e * (np.arange(win.row_off, win.row_off + win.height) + 0.5)
                cc = np.floor((xc - spec.x0) / cell).astype(np.int64)
                rr = np.floor((spec.y0 - yc) / cell).astype(np.int64)
                key = (rr[:, None] * spec.ncols + cc[None, :]).ravel()
                values = block.ravel()
                valid = (values != info.nodata) if info.nodata is not None else None
                is_coca = np.isin(values, classes)
                if valid is not None:
                    seen_px += np.bincount(key[valid], minlength=ncell)
                else:
                    seen_px += np.bincount(key, minlength=ncell)
                coca_px += np.bincount(key[is_coca], minlength=ncell)
        coca[k] = px_area.total_ha(coca_px).reshape(spec.nrows, spec.ncols)
        observed[k] = px_area.total_ha(seen_px).reshape(spec.nrows, spec.ncols)
    return DensityGrid(spec, yrs, coca, observed)


def density_from_polygons(
    fields: Any,
    *,
    year_field: str | None = None,
    year: int | None = None,
    cell: float = 1000.0,
    crs: str | CRS = "EPSG:9377",
) -> DensityGrid:
    """Coca density on a km grid from coca field polygons.

    The coca area of a cell is the area of the fields inside it, measured in ``crs``
    (projected, metres; default MAGNA-SIRGAS Origen Nacional ``EPSG:9377``). Overlapping
    fields of one year are merged first so no area counts twice. Every cell of the grid counts
    as observed.

    Parameters
    ----------
    fields : geopandas.GeoDataFrame
        Coca field polygons (any CRS).
    year_field : str, optional
        Column with the year of each field; without it all fields are of ``year``.
    year : int, optional
        The year when there is no ``year_field`` (default 0).
    cell : float
        Cell size in metres.
    crs : str or CRS
        Projected CRS of the grid.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> f = gpd.GeoDataFrame(geometry=[box(500, 0, 1500, 100)], crs="EPSG:9377")
    >>> g = density_from_polygons(f, year=2023)
    >>> g.to_frame()[["cell", "coca_ha", "density_ha_km2"]].to_dict("records")
    [{'cell': 'E0N0', 'coca_ha': 5.0, 'density_ha_km2': 5.0}, {'cell': 'E1N0', 'coca_ha': 5.0, 'density_ha_km2': 5.0}]

    """
    import geopandas as gpd

    from cocamonitor.io.vectors import _polygonal

    target = CRS.from_user_input(crs)
    if not target.is_projected:
        raise InputError(f"{crs} is not a projected CRS", where="--crs",
                         hint="use a CRS in metres, e.g. EPSG:9377")
    if not isinstance(fields, gpd.GeoDataFrame) or fields.crs is None:
        raise InputError("field polygons need a CRS", where="--fields")
    if year_field is not None and year_field not in fields.columns:
        from cocamonitor.errors import SchemaError, suggest

        raise SchemaError(f"no year field {year_field!r}", where="--year-field",
                          hint=suggest(year_field, [str(c) for c in fields.columns]))
    gdf = fields.to_crs(target)
    geoms = gdf.geometry.to_numpy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    bad = ok & ~shapely.is_valid(geoms)
    if bad.any():
        geoms = geoms.copy()
        geoms[bad] = [_polygonal(g) for g in shapely.make_valid(geoms[bad])]
    if year_field is not None:
        raw = gdf[year_field].reset_index(drop=True)
        num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(num) | (num != np.round(num))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"feature {i + 1}: year {raw.iloc[i]!r} is not a whole number",
                             where=f"--fields, field {year_field!r}",
                             hint="give every field polygon its year, e.g. 2023")
        yr = num.astype(np.int64)
    else:
        yr = np.full(len(gdf), 0 if year is None else int(year))
    ok &= ~shapely.is_missing(geoms)
    geoms, yr = geoms[ok], yr[ok]
    if not len(geoms):
        raise InputError("no field polygons", where="--fields")
    years = tuple(sorted({int(y) for y in yr}))
    # merge overlaps within each year
    merged = {y: shapely.union_all(geoms[yr == y]) for y in years}
    spec = GridSpec.covering(shapely.total_bounds(geoms), cell, target.to_string())
    coca = np.zeros((len(years), spec.nrows, spec.ncols))
    for k, y in enumerate(years):
        parts = shapely.get_parts(merged[y])
        b = shapely.bounds(parts)
        c0 = np.floor((b[:, 0] - spec.x0) / cell).astype(np.int64)
        c1 = np.ceil((b[:, 2] - spec.x0) / cell).astype(np.int64)
        r0 = np.floor((spec.y0 - b[:, 3]) / cell).astype(np.int64)
        r1 = np.ceil((spec.y0 - b[:, 1]) / cell).astype(np.int64)
        nc, nr = np.maximum(c1 - c0, 1), np.maximum(r1 - r0, 1)
        n = nc * nr
        part = np.repeat(np.arange(parts.size), n)
        within = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        rows = r0[part] + within // nc[part]
        cols = c0[part] + within % nc[part]
        inter = shapely.area(shapely.intersection(parts[part], spec.boxes(rows, cols)))
        key = rows * spec.ncols + cols
        coca[k] = (np.bincount(key, weights=inter, minlength=spec.nrows * spec.ncols)
                   / 1e4).reshape(spec.nrows, spec.ncols)
    observed = np.full_like(coca, spec.cell * spec.cell / 1e4)
    return DensityGrid(spec, years, coca, observed)


@dataclass(frozen=True)
class Permanence:
    """Years with coca in the last N years and the permanence class of each cell.

    Attributes
    ----------
    grid : GridSpec
    years : tuple of int
        The N years considered.
    recent : int
        Length of the recent period.
    years_with_coca : numpy.ndarray of int, shape (nrows, ncols)
    code : numpy.ndarray of uint8, shape (nrows, ncols)
        :data:`PERMANENCE_CLASSES` code, 255 where the cell was not observed every year.

    """

    grid: GridSpec
    years: tuple[int, ...]
    recent: int
    years_with_coca: np.ndarray
    code: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """Return observed cells with coca in at least one year.

        Columns: ``cell, row, col, x, y, years_with_coca, class``.
        """
        r, c = np.nonzero((self.code != _UNOBSERVED) & (self.code != 0))
        xc, yc = self.grid.centres()
        return pd.DataFrame({
            "cell": cell_ids(self.grid, r, c), "row": r, "col": c, "x": xc[r, c],
            "y": yc[r, c], "years_with_coca": self.years_with_coca[r, c],
            "class": pd.Series(self.code[r, c]).map(PERMANENCE_CLASSES).to_numpy(),
        })

    def to_dict(self) -> dict[str, Any]:
        """Years, rules and the number of cells in each class."""
        counts = {name: int((self.code == k).sum()) for k, name in PERMANENCE_CLASSES.items()}
        return {"years": list(self.years), "recent": self.recent, "cells": counts,
                "unobserved_cells": int((self.code == _UNOBSERVED).sum())}

    def write_geotiff(self, path: str | Path) -> None:
        """Write band 1, the class code, and band 2, the years with coca.

        Codes: 0 none, 1 permanent, 2 intermittent, 3 new, 4 abandoned, 255 not observed.
        """
        _write_geotiff(path, self.grid, np.stack([self.code, self.years_with_coca]),
                       nodata=_UNOBSERVED, dtype="uint8",
                       descriptions=["permanence class", "years with coca"])

    def write_geoparquet(self, path: str | Path) -> None:
        """Write the :meth:`to_frame` rows with their cell polygons."""
        _write_geoparquet(path, self.grid, self.to_frame())


def permanence(
    density: DensityGrid, *, last: int | None = None, recent: int = 3, min_ha: float = 0.0
) -> Permanence:
    """Classify cells by how persistently they had coca (rules in the module notes).

    Parameters
    ----------
    density : DensityGrid
        Yearly coca hectares per cell.
    last : int, optional
        N, the number of most recent years to use (default all years of ``density``); they
        must be consecutive.
    recent : int, default 3
        Years in the recent period (``1 <= recent < N``).
    min_ha : float, default 0
        A cell-year has coca when it holds more than this many hectares.

    Returns
    -------
    Permanence

    """
    order = np.argsort(density.years)
    years = np.asarray(density.years)[order]
    n = len(years) if last is None else int(last)
    if n < 2 or n > len(years):
        raise InputError(f"need 2 to {len(years)} years, got {n}", where="--last")
    years = years[-n:]
    if np.any(np.diff(years) != 1):
        raise InputError(f"years {years.tolist()} are not consecutive", where="--years",
                         hint="give one map for every year of the period")
    if not 1 <= recent < n:
        raise InputError(f"--recent must be between 1 and {n - 1}, got {recent}",
                         where="--recent")
    idx = order[-n:]
    has = density.coca_ha[idx] > min_ha
    seen = (density.observed_ha[idx] > 0).all(axis=0)
    count = has.sum(axis=0)
    early = has[: n - recent].any(axis=0)
    late = has[n - recent :].any(axis=0)
    code = np.zeros(count.shape, dtype=np.uint8)
    code[early & late] = 2
    code[~early & late] = 3
    code[early & ~late] = 4
    code[count == n] = 1
    code[~seen] = _UNOBSERVED
    return Permanence(density.grid, tuple(int(y) for y in years), int(recent),
                      count.astype(np.uint8), code)


@dataclass(frozen=True)
class Hotspots:
    """Getis-Ord Gi* of density per cell with Benjamini-Hochberg FDR control.

    Attributes
    ----------
    grid : GridSpec
    year : int
    alpha : float
        False discovery rate.
    table : pandas.DataFrame
        Observed cells: ``cell, row, col, x, y, density_ha_km2, z, p_value, q_value,
        hotspot`` (``hot``, ``cold`` or ``not significant``).
    method : str
        ``"normal"`` or ``"permutation"`` p-values.

    """

    grid: GridSpec
    year: int
    alpha: float
    table: pd.DataFrame
    method: str

    def to_frame(self) -> pd.DataFrame:
        """Return the per-cell table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """Summary: year, alpha, method, number of hot and cold cells."""
        counts = self.table["hotspot"].value_counts()
        return {"year": self.year, "alpha": self.alpha, "method": self.method,
                "cells": int(len(self.table)), "hot": int(counts.get("hot", 0)),
                "cold": int(counts.get("cold", 0))}

    def write_geotiff(self, path: str | Path) -> None:
        """Write one band: 1 hot, -1 cold, 0 not significant, -128 not observed."""
        out = np.full((self.grid.nrows, self.grid.ncols), -128, dtype=np.int16)
        cls = self.table["hotspot"].map({"hot": 1, "cold": -1, "not significant": 0})
        out[self.table["row"].to_numpy(), self.table["col"].to_numpy()] = cls.to_numpy()
        _write_geotiff(path, self.grid, out, nodata=-128, dtype="int16",
                       descriptions=[f"Gi* hotspot {self.year} (FDR {self.alpha:g})"])

    def write_geoparquet(self, path: str | Path) -> None:
        """Write the table with cell polygons."""
        _write_geoparquet(path, self.grid, self.table)


def _queen_pairs(rows: np.ndarray, cols: np.ndarray, ncols: int) -> tuple[np.ndarray, ...]:
    """Focal/neighbour index pairs of queen contiguity among the given cells."""
    n = rows.size
    key = rows.astype(np.int64) * (ncols + 2) + cols
    order = np.argsort(key)
    skey = key[order]
    focal, neigh = [], []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            if dr == 0 and dc == 0:
                continue
            target = (rows + dr).astype(np.int64) * (ncols + 2) + (cols + dc)
            pos = np.searchsorted(skey, target)
            pos = np.minimum(pos, n - 1)
            hit = (skey[pos] == target) & (cols + dc >= 0) & (cols + dc < ncols)
            focal.append(np.flatnonzero(hit))
            neigh.append(order[pos[hit]])
    return np.concatenate(focal), np.concatenate(neigh)


def hotspots(
    density: DensityGrid,
    *,
    year: int | None = None,
    alpha: float = 0.05,
    permutations: int = 0,
    seed: int | None = 0,
) -> Hotspots:
    """Find hot and cold spots of coca density with Gi* and FDR control.

    Parameters
    ----------
    density : DensityGrid
        Yearly coca hectares per cell.
    year : int, optional
        Which year (default the last).
    alpha : float, default 0.05
        False discovery rate (Benjamini-Hochberg) over all observed cells.
    permutations : int, default 0
        0 for normal-approximation p-values; otherwise conditional permutations (esda's
        ``p_sim``, doubled to be two-sided and capped at 1).
    seed : int, optional
        Seed of the permutations.

    Returns
    -------
    Hotspots

    """
    import warnings

    from esda import G_Local
    from libpysal.graph import Graph
    from scipy import stats

    if not 0 < alpha < 1:
        raise InputError(f"alpha must be in (0, 1), got {alpha}", where="--alpha")
    if isinstance(permutations, bool) or int(permutations) < 0:
        raise InputError(f"permutations must be 0 or more, got {permutations}", where="permutations",
                         hint="0 for normal p-values, e.g. 999 for permutation p-values")
    k = density.year_index(year)
    obs = density.observed_ha[k] > 0
    rows, cols = np.nonzero(obs)
    y = density.coca_ha[k][rows, cols] / density.grid.cell_km2
    if rows.size < 3:
        raise InputError("fewer than 3 observed cells: no hotspot analysis possible",
                         where="--density")
    if np.all(y == y[0]):
        raise InputError("density is the same in every cell: no hotspot to find",
                         where="--density")
    focal, neigh = _queen_pairs(rows, cols, density.grid.ncols)
    isolated = np.setdiff1d(np.arange(rows.size), focal)
    # isolated cells keep only their self-weight (added by star=True)
    focal = np.concatenate([focal, isolated])
    neigh = np.concatenate([neigh, isolated])
    weight = np.concatenate([np.ones(focal.size - isolated.size), np.zeros(isolated.size)])
    order = np.lexsort((neigh, focal))  # Graph keeps ids in order of first appearance
    graph = Graph.from_arrays(focal[order], neigh[order], weight[order])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = G_Local(y, graph, transform="B", star=True, permutations=permutations,
                    keep_simulations=False, seed=seed, n_jobs=1)
    z = np.asarray(g.Zs, dtype=float)
    if permutations:
        p = np.minimum(1.0, 2 * np.asarray(g.p_sim, dtype=float))
        method = "permutation"
    else:
        p = 2 * stats.norm.sf(np.abs(z))
        method = "normal"
    p = np.where(np.isfinite(p), p, 1.0)
    q = stats.false_discovery_control(p, method="bh")
    label = np.where(q <= alpha, np.where(z > 0, "hot", "cold"), "not significant")
    xc, yc = density.grid.centres()
    table = pd.DataFrame({
        "cell": cell_ids(density.grid, rows, cols), "row": rows, "col": cols,
        "x": xc[rows, cols], "y": yc[rows, cols], "density_ha_km2": y, "z": z,
        "p_value": p, "q_value": q, "hotspot": label,
    })
    return Hotspots(density.grid, int(density.years[k]), float(alpha), table, method)


def read_density(path: str | Path, *, years: Sequence[int] | None = None) -> DensityGrid:
    """Read a density GeoTIFF written by :meth:`DensityGrid.write_geotiff` (one band a year).

    Years come from the band descriptions (``"coca density 2023 (ha/km2)"``) or ``years``.
    """
    import rasterio

    from cocamonitor.io.rasters import open_raster

    info = open_raster(path, where="--density")
    if info.crs is None:
        raise InputError(f"{path} has no CRS", where="--density",
                         hint="give the density GeoTIFF written by `cocamonitor grid density`")
    # a 1 km grid is small (Colombia: ~1,400 x 1,200 cells a year), so it is read whole
    if not info.crs.is_projected or info.is_rotated or abs(info.transform.a) != abs(
            info.transform.e):
        raise InputError(f"{path} is not a north-up grid of square cells in metres",
                         where="--density")
    with rasterio.open(path) as src:
        data = src.read().astype(float)
        desc = src.descriptions
    if years is None:
        found = []
        for d in desc:
            tokens = [t for t in (d or "").split() if t.isdigit() and len(t) == 4]
            found.append(int(tokens[0]) if tokens else None)
        years = (tuple(found) if None not in found else tuple(range(len(found))))  # type: ignore[arg-type]
    yrs = _years_arg(years, data.shape[0])
    t = info.transform
    spec = GridSpec(info.crs.to_string(), float(t.a), float(t.c), float(t.f), info.height,
                    info.width)
    nd = info.nodata
    observed = np.isfinite(data) if nd is None else (np.isfinite(data) & (data != nd))
    cell_ha = spec.cell * spec.cell / 1e4
    coca = np.where(observed, data * spec.cell_km2, 0.0)
    return DensityGrid(spec, yrs, coca, np.where(observed, cell_ha, 0.0))
