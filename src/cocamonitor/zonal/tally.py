"""Areas of every map class in every zone: the public :func:`tally` and its result.

Two coverage rules:

* ``"center"`` (default): a pixel belongs to a zone when its centre is inside it -- the rule
  of rasterstats' ``zonal_stats(..., categorical=True)``, whose counts this reproduces. Runs
  on the ``numpy`` engine (streaming, one process) or the ``dask`` engine (chunks on a
  dask.distributed cluster); both give identical tables.
* ``"exact"``: each pixel counts with the fraction of it covered by the zone (exactextract),
  so ``pixels`` are fractional. Run by exactextract, feature by feature, in bounded memory.

Nodata pixels are left out of the table; how many fell in each zone is in ``nodata``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from cocamonitor.errors import InputError
from cocamonitor.io.rasters import (
    DEFAULT_WINDOW_PIXELS,
    PixelArea,
    RasterInfo,
    open_raster,
    pixel_area,
    require_integer,
)
from cocamonitor.io.vectors import Zones, prepare_zones, read_zones
from cocamonitor.results import Estimate, Table
from cocamonitor.zonal._kernels import BlockCounts
from cocamonitor.zonal._rasterize import ZoneIndex
from cocamonitor.zonal.areas import counts_to_hectares

__all__ = ["ZonalTally", "load_zones", "tally"]

Engine = Literal["numpy", "dask"]
Coverage = Literal["center", "exact"]
_COLUMNS = ["zone", "class", "pixels", "area_ha"]


@dataclass(frozen=True)
class ZonalTally:
    """Class areas by zone.

    Attributes
    ----------
    table : pandas.DataFrame
        ``zone`` (str), ``class`` (int), ``pixels`` (int, or float with exact coverage),
        ``area_ha`` (float); one row per zone and class present, nodata excluded, sorted by
        zone (in input order) then class.
    nodata : pandas.DataFrame
        ``zone``, ``pixels``: nodata pixels inside each zone (zones with none are omitted).
    empty_zones : tuple of str
        Zones with no valid pixel (outside the raster or all nodata).
    engine, coverage : str
        How it was computed.
    pixel_area : dict
        How pixel areas were obtained (see :func:`cocamonitor.io.rasters.pixel_area`).
    notes : tuple of str
        What was done to the input (reprojection, repairs, ...), for stderr.

    """

    table: pd.DataFrame
    nodata: pd.DataFrame
    empty_zones: tuple[str, ...]
    engine: str
    coverage: str
    pixel_area: dict[str, Any]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def nodata_pixels(self) -> float:
        """Nodata pixels inside all zones."""
        return float(self.nodata["pixels"].sum()) if len(self.nodata) else 0.0

    def to_frame(self) -> pd.DataFrame:
        """Return the table ``zone, class, pixels, area_ha`` (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """Rows (the JSON contract of ``cocamonitor zonal``) plus what else was found."""
        return {
            "rows": self.table.to_dict(orient="records"),
            "nodata": self.nodata.to_dict(orient="records"),
            "empty_zones": list(self.empty_zones),
            "engine": self.engine,
            "coverage": self.coverage,
            "pixel_area": dict(self.pixel_area),
            "notes": list(self.notes),
        }

    def estimates(self) -> Iterator[Estimate]:
        """Yield one row per zone, class and value column (``zone=A,class=1``: ``pixels``, ``area_ha`` in ha)."""
        return Table(self.table).estimates()

    def estimates_frame(self) -> pd.DataFrame:
        """Return the rows of :meth:`estimates` as one frame, vectorised (a national table is long)."""
        return Table(self.table).estimates_frame()


def load_zones(
    zones: str | Path | gpd.GeoDataFrame | Zones,
    *,
    id_field: str | None,
    target_crs: CRS,
) -> Zones:
    """Turn a path, a GeoDataFrame or :class:`Zones` into :class:`Zones` in ``target_crs``."""
    if isinstance(zones, Zones):
        if zones.crs == target_crs:
            return zones
        gdf = gpd.GeoDataFrame({"_id": zones.ids}, geometry=list(zones.geometry), crs=zones.crs)
        z = prepare_zones(gdf, id_field="_id", target_crs=target_crs, source=zones.source)
        return Zones(z.ids, z.geometry, z.crs, z.source, zones.repaired, zones.notes + z.notes)
    if id_field is None:
        raise InputError("an id field is needed to name the zones", where="id_field",
                         hint="give the column holding the zone ids")
    if isinstance(zones, gpd.GeoDataFrame):
        return prepare_zones(zones, id_field=id_field, target_crs=target_crs,
                             source="zones")
    gdf = read_zones(zones)
    return prepare_zones(gdf, id_field=id_field, target_crs=target_crs, source=str(zones))


def _check_overlap(info: RasterInfo, zones: Zones) -> None:
    assert info.crs is not None  # open_raster refuses rasters without a CRS
    raster_box = shapely.box(*info.bounds)
    if not shapely.intersects(zones.geometry, raster_box).any():
        zb = ", ".join(f"{v:.6g}" for v in zones.bounds())
        rb = ", ".join(f"{v:.6g}" for v in info.bounds)
        raise InputError(
            f"no zone of {zones.source} overlaps raster {info.path} "
            f"(zones span {zb}; raster spans {rb} in {info.crs.to_string()})",
            where="zones",
            hint="check that zones and raster cover the same place and that both CRSs are "
            "declared correctly",
        )


def _exact(info: RasterInfo, zones: Zones, area: PixelArea) -> tuple[BlockCounts, np.ndarray]:
    """Fractional pixel counts with exactextract; returns counts and nodata pixels per zone."""
    import rasterio
    from exactextract import exact_extract

    if not area.is_constant:
        raise InputError(
            "`coverage` exact needs a raster in a projected CRS (pixels of one size)",
            where="coverage",
            hint="warp the raster to a projected CRS (e.g. EPSG:9377) or use `coverage` center",
        )
    gdf = gpd.GeoDataFrame(
        {"_z": np.arange(len(zones), dtype=np.int64)}, geometry=list(zones.geometry),
        crs=zones.crs,
    )
    with rasterio.open(info.path) as src:
        out = exact_extract(src, gdf, ["unique", "frac", "count"], include_cols=["_z"],
                            output="pandas")
    zone_parts, value_parts, pix_parts = [], [], []
    covered = np.zeros(len(zones))
    for z, uniq, frac, cnt in zip(out["_z"], out["unique"], out["frac"], out["count"],
                                  strict=True):
        covered[int(z)] = float(cnt)
        uniq = np.asarray(uniq)
        if uniq.size == 0:
            continue
        zone_parts.append(np.full(uniq.size, int(z), dtype=np.int64))
        value_parts.append(uniq.astype(np.int64))
        pix_parts.append(np.asarray(frac, dtype=float) * float(cnt))
    # exact coverage of each zone by the raster's extent, in pixels; minus valid = nodata
    inside = shapely.area(shapely.intersection(zones.geometry, shapely.box(*info.bounds)))
    unit = 1.0
    if info.crs is not None and info.crs.axis_info:
        unit = float(info.crs.axis_info[0].unit_conversion_factor)
    assert area.constant_m2 is not None
    in_pixels = inside * unit * unit / area.constant_m2
    nodata = np.clip(in_pixels - covered, 0.0, None)
    nodata[nodata < 1e-6 * np.maximum(in_pixels, 1.0)] = 0.0
    if zone_parts:
        counts = BlockCounts(
            np.concatenate(zone_parts), np.concatenate(value_parts),
            np.concatenate(pix_parts), None,
        )
    else:
        counts = BlockCounts.empty(False)
    return counts, nodata


def tally(
    raster: str | Path,
    zones: str | Path | gpd.GeoDataFrame | Zones | None = None,
    *,
    id_field: str | None = None,
    grid: float | None = None,
    engine: Engine = "numpy",
    coverage: Coverage = "center",
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    equal_area_crs: str | CRS | None = None,
    window_pixels: int = DEFAULT_WINDOW_PIXELS,
    progress: Callable[[int, int], None] | None = None,
) -> ZonalTally:
    """Tally the area of every class of a classified raster in every zone.

    Parameters
    ----------
    raster : str or Path
        Single-band integer GeoTIFF/COG (a class map), any size.
    zones : path, GeoDataFrame or Zones
        Polygons (GeoPackage, GeoParquet, ...). Zones in another CRS are reprojected to the
        raster's (noted); invalid polygons are repaired with ``make_valid`` (counted).
    id_field : str
        Column with zone ids (not needed for :class:`Zones`).
    grid : float, optional
        Instead of ``zones``: square cells of this size (metres, in the raster's projected
        CRS, aligned to multiples of the size); zone ids are cell ids such as
        ``"E4987N2001"`` (lower-left corner in km). Pixel-centre coverage only.
    engine : {"numpy", "dask"}
        ``numpy`` streams windows in this process; ``dask`` runs chunks on a cluster.
    coverage : {"center", "exact"}
        Pixel-centre rule (integer pixels) or exact fractional coverage (exactextract).
    workers : int, optional
        ``dask`` engine: start a LocalCluster with this many workers (default 2).
    scheduler : str, optional
        ``dask`` engine: address of a running scheduler (``tcp://HOST:PORT``).
    client : distributed.Client, optional
        ``dask`` engine: an existing client (overrides ``workers``/``scheduler``).
    equal_area_crs : str or CRS, optional
        Equal-area CRS in which every pixel is measured; required for rasters in degrees,
        optional for projected rasters (instead of the nominal pixel size).
    window_pixels : int
        Approximate pixels per window or chunk.
    progress : callable, optional
        ``progress(done, total)`` after each window/chunk.

    Returns
    -------
    ZonalTally

    Raises
    ------
    InputError
        Non-integer raster; no zone overlapping the raster; missing id field (a
        :class:`~cocamonitor.errors.SchemaError`); raster in degrees without
        ``equal_area_crs``; an unknown engine or coverage.

    Examples
    --------
    >>> import numpy as np, rasterio, tempfile, os, geopandas as gpd
    >>> from rasterio.transform import from_origin
    >>> from shapely.geometry import box
    >>> path = os.path.join(tempfile.mkdtemp(), "map.tif")
    >>> data = np.array([[1, 1, 2, 2], [1, 0, 2, 2]], dtype="uint8")
    >>> with rasterio.open(path, "w", driver="GTiff", width=4, height=2, count=1,
    ...                    dtype="uint8", nodata=0, crs="EPSG:9377",
    ...                    transform=from_origin(0, 20, 10, 10)) as dst:
    ...     dst.write(data, 1)
    >>> zones = gpd.GeoDataFrame({"id": ["west", "east"]},
    ...                          geometry=[box(0, 0, 20, 20), box(20, 0, 40, 20)],
    ...                          crs="EPSG:9377")
    >>> result = tally(path, zones, id_field="id")
    >>> result.to_frame().to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'zone': 'west', 'class': 1, 'pixels': 3, 'area_ha': 0.03},
     {'zone': 'east', 'class': 2, 'pixels': 4, 'area_ha': 0.04}]
    >>> result.nodata.to_dict("records")
    [{'zone': 'west', 'pixels': 1}]

    """
    if engine not in ("numpy", "dask"):
        from cocamonitor.errors import suggest

        raise InputError(f"unknown engine {engine!r}", where="engine",
                         hint=suggest(str(engine), ["numpy", "dask"]))
    if coverage not in ("center", "exact"):
        from cocamonitor.errors import suggest

        raise InputError(f"unknown coverage {coverage!r}", where="coverage",
                         hint=suggest(str(coverage), ["center", "exact"]))
    info = open_raster(raster)
    require_integer(info)
    area = pixel_area(info, equal_area_crs=equal_area_crs)
    assert info.crs is not None
    if (zones is None) == (grid is None):
        raise InputError("give zones or a grid cell size (one of them)",
                         where="zones/grid")
    if grid is not None:
        return _grid_tally(info, area, float(grid), engine=engine, coverage=coverage,
                           workers=workers, scheduler=scheduler, client=client,
                           window_pixels=window_pixels, progress=progress)
    zs = load_zones(zones, id_field=id_field, target_crs=info.crs)
    _check_overlap(info, zs)
    nodata_value = info.nodata if info.nodata is not None and float(
        info.nodata).is_integer() else None

    exact_nodata = None
    extra_notes = []
    if coverage == "exact":
        if engine == "dask":
            extra_notes.append("`coverage` exact runs exactextract in this process; "
                               "the dask engine is not used")
        counts, exact_nodata = _exact(info, zs, area)
    else:
        # overlaps under a millionth of a pixel are floating-point slivers between neighbours
        sliver = abs(info.transform.a * info.transform.e) * 1e-6
        index = ZoneIndex(zs.geometry, min_overlap_area=sliver)
        counts = _run_engine(info, index, area, engine=engine, workers=workers,
                             scheduler=scheduler, client=client, window_pixels=window_pixels,
                             progress=progress)
    hectares = (
        area.total_ha(counts.pixels)
        if coverage == "exact" and area.constant_m2 is not None
        else counts_to_hectares(counts, area)
    )
    df = pd.DataFrame(
        {"zone_idx": counts.zone, "class": counts.value, "pixels": counts.pixels,
         "area_ha": np.asarray(hectares, dtype=float)}
    )
    if exact_nodata is not None:
        nd = pd.DataFrame({"zone_idx": np.arange(len(zs)), "pixels": exact_nodata})
        nd = nd[nd["pixels"] > 0]
        if nodata_value is not None:
            df = df[df["class"] != int(nodata_value)]
    elif nodata_value is not None:
        is_nd = df["class"].to_numpy() == int(nodata_value)
        nd = df.loc[is_nd, ["zone_idx", "pixels"]]
        df = df.loc[~is_nd]
    else:
        nd = pd.DataFrame({"zone_idx": np.zeros(0, dtype=np.int64),
                           "pixels": np.zeros(0, dtype=np.int64)})
    df = df[df["pixels"] > 0].sort_values(["zone_idx", "class"], kind="stable")
    nd = nd.sort_values("zone_idx", kind="stable")
    ids = zs.ids
    table = pd.DataFrame(
        {
            "zone": ids[df["zone_idx"].to_numpy()].astype(str),
            "class": df["class"].to_numpy(np.int64),
            "pixels": df["pixels"].to_numpy(),
            "area_ha": df["area_ha"].to_numpy(float),
        }
    )
    nodata = pd.DataFrame(
        {"zone": ids[nd["zone_idx"].to_numpy()].astype(str), "pixels": nd["pixels"].to_numpy()}
    )
    present = np.zeros(len(zs), dtype=bool)
    present[df["zone_idx"].to_numpy()] = True
    empty = tuple(str(i) for i in ids[~present])
    notes = list(zs.notes) + extra_notes
    if empty:
        shown = ", ".join(empty[:5]) + (f", ... ({len(empty)} in all)" if len(empty) > 5 else "")
        notes.append(f"{len(empty)} zone(s) have no valid pixel (outside the raster or all "
                     f"nodata): {shown}")
    if len(nodata):
        total = nodata["pixels"].sum()
        notes.append(f"{float(total):,.6g} nodata pixel(s) inside zones were left out "
                     f"(in {len(nodata)} zone(s))")
    return ZonalTally(
        table=table,
        nodata=nodata.reset_index(drop=True),
        empty_zones=empty,
        engine="exactextract" if coverage == "exact" else engine,
        coverage=coverage,
        pixel_area=area.to_dict(),
        notes=tuple(notes),
    )


def _run_engine(info, index, area, *, engine, workers, scheduler, client, window_pixels,
                progress) -> BlockCounts:
    if engine == "numpy":
        from cocamonitor.zonal.numpy_engine import run_numpy

        return run_numpy(info, index, area, window_pixels=window_pixels, progress=progress)
    from cocamonitor.zonal.dask_engine import dask_client, run_dask

    if client is not None:
        return run_dask(info, index, area, client, window_pixels=window_pixels,
                        progress=progress)
    with dask_client(workers=workers, scheduler=scheduler) as cl:
        return run_dask(info, index, area, cl, window_pixels=window_pixels, progress=progress)


def _grid_tally(info: RasterInfo, area: PixelArea, cell: float, *, engine, coverage, workers,
                scheduler, client, window_pixels, progress) -> ZonalTally:
    from cocamonitor.grid import GridSpec, cell_ids
    from cocamonitor.zonal._rasterize import GridIndex

    assert info.crs is not None
    if coverage != "center":
        raise InputError("grid tallies use the pixel-centre rule", where="coverage",
                         hint="drop `coverage` exact, or give the cells as `zones`")
    if not (np.isfinite(cell) and cell > 0):
        raise InputError(f"grid cell size {cell:g} must be a positive number of metres",
                         where="grid", hint="e.g. `grid` 1000 for 1 km cells")
    if not info.crs.is_projected:
        raise InputError(
            f"a grid of {cell:g} m cells needs a raster in a projected CRS (metres)",
            where="grid", hint="warp the raster to e.g. EPSG:9377",
        )
    if max(abs(info.transform.a), abs(info.transform.e)) > cell:
        raise InputError(f"pixels of {info.path} are larger than the {cell:g} m cell",
                         where="grid")
    spec = GridSpec.covering(info.bounds, cell, info.crs.to_string())
    counts = _run_engine(info, GridIndex(spec), area, engine=engine, workers=workers,
                         scheduler=scheduler, client=client, window_pixels=window_pixels,
                         progress=progress)
    df = pd.DataFrame({"cell": counts.zone, "class": counts.value, "pixels": counts.pixels,
                       "area_ha": counts_to_hectares(counts, area)})
    nodata_value = info.nodata if info.nodata is not None and float(
        info.nodata).is_integer() else None
    if nodata_value is not None:
        is_nd = df["class"].to_numpy() == int(nodata_value)
        nd, df = df.loc[is_nd], df.loc[~is_nd]
    else:
        nd = df.iloc[:0]
    df = df.sort_values(["cell", "class"], kind="stable")
    nd = nd.sort_values("cell", kind="stable")

    def ids(cells: np.ndarray) -> np.ndarray:
        return cell_ids(spec, cells // spec.ncols, cells % spec.ncols).astype(str)

    table = pd.DataFrame({"zone": ids(df["cell"].to_numpy()),
                          "class": df["class"].to_numpy(np.int64),
                          "pixels": df["pixels"].to_numpy(),
                          "area_ha": df["area_ha"].to_numpy(float)})
    nodata = pd.DataFrame({"zone": ids(nd["cell"].to_numpy()), "pixels": nd["pixels"].to_numpy()})
    notes = [f"zones: {cell:g} m grid cells in {spec.crs} ({spec.nrows} x {spec.ncols})"]
    if len(nodata):
        notes.append(f"{float(nodata['pixels'].sum()):,.6g} nodata pixel(s) were left out "
                     f"(in {len(nodata)} cell(s))")
    return ZonalTally(table=table.reset_index(drop=True), nodata=nodata.reset_index(drop=True),
                      empty_zones=(), engine=engine, coverage=coverage,
                      pixel_area=area.to_dict(), notes=tuple(notes))
