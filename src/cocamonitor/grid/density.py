"""Coca density on the grid: hectares of coca per cell and year, from rasters, polygons or a saved grid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from cocamonitor.errors import InputError
from cocamonitor.grid.spec import GridSpec, _write_geoparquet, _write_geotiff, cell_ids

__all__ = ["DensityGrid", "density_from_polygons", "density_from_rasters", "read_density"]


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
            raise InputError(f"year {year} is not in the grid", where="year",
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
        raise InputError(f"{len(years)} year(s) for {n} map(s)", where="years",
                         hint="give one year per raster, in the same order")
    if len(set(years)) != n:
        raise InputError("a year is given twice", where="years")
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
        raise InputError("no coca map given", where="rasters")
    yrs = _years_arg(years, len(rasters))
    infos = [open_raster(p) for p in rasters]
    for info in infos:
        require_integer(info)
        assert info.crs is not None
        if not info.crs.is_projected:
            raise InputError(
                f"raster {info.path} is not in a projected CRS; a km grid needs metres",
                where="rasters", hint="warp it to e.g. EPSG:9377 (MAGNA-SIRGAS Origen Nacional)",
            )
        if info.crs != infos[0].crs:
            raise InputError(f"rasters {infos[0].path} and {info.path} are in different CRSs",
                             where="rasters", hint="warp them to one CRS")
        if max(abs(info.transform.a), abs(info.transform.e)) > cell:
            raise InputError(f"pixels of {info.path} are larger than the {cell:g} m cell",
                             where="cell")
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
        raise InputError(f"{crs} is not a projected CRS", where="crs",
                         hint="use a CRS in metres, e.g. EPSG:9377")
    if not isinstance(fields, gpd.GeoDataFrame) or fields.crs is None:
        raise InputError("field polygons need a CRS", where="fields")
    if year_field is not None and year_field not in fields.columns:
        from cocamonitor.errors import SchemaError, suggest

        raise SchemaError(f"no year field {year_field!r}", where="year_field",
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
            raise InputError(f"feature {i + 1}: year {raw.iloc[i]!r} is not a whole number (field {year_field!r})",
                             where="fields",
                             hint="give every field polygon its year, e.g. 2023")
        yr = num.astype(np.int64)
    else:
        yr = np.full(len(gdf), 0 if year is None else int(year))
    ok &= ~shapely.is_missing(geoms)
    geoms, yr = geoms[ok], yr[ok]
    if not len(geoms):
        raise InputError("no field polygons", where="fields")
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


def read_density(path: str | Path, *, years: Sequence[int] | None = None) -> DensityGrid:
    """Read a density GeoTIFF written by :meth:`DensityGrid.write_geotiff` (one band a year).

    Years come from the band descriptions (``"coca density 2023 (ha/km2)"``) or ``years``.
    """
    import rasterio

    from cocamonitor.io.rasters import open_raster

    info = open_raster(path, where="path")
    if info.crs is None:
        raise InputError(f"{path} has no CRS", where="path",
                         hint="give the density GeoTIFF written by `cocamonitor grid density`")
    # a 1 km grid is small (Colombia: ~1,400 x 1,200 cells a year), so it is read whole
    if not info.crs.is_projected or info.is_rotated or abs(info.transform.a) != abs(
            info.transform.e):
        raise InputError(f"{path} is not a north-up grid of square cells in metres",
                         where="path")
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
