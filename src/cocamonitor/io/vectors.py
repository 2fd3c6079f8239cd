"""Read zone polygons and make them ready for a raster: ids checked, geometry repaired, CRS matched.

Zones come from a GeoPackage, GeoParquet (or any file GDAL/OGR reads), or a GeoDataFrame such
as the bundled municipalities (``cocamonitor.datasets.boundaries("municipality")``).
:func:`prepare_zones` checks the id field, repairs invalid polygons with ``make_valid`` (and
counts them), merges rows that share an id, and reprojects to the raster's CRS. Everything it
did that the user should know is returned in ``notes`` for the command line to print on stderr.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Polygon
>>> bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])   # self-intersecting
>>> gdf = gpd.GeoDataFrame({"code": ["a"]}, geometry=[bowtie], crs="EPSG:9377")
>>> zones = prepare_zones(gdf, id_field="code", target_crs="EPSG:9377")
>>> zones.repaired, zones.ids.tolist(), zones.geometry[0].area
(1, ['a'], 2.0)

"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from cocamonitor.errors import InputError, SchemaError, clip, suggest

__all__ = ["Zones", "prepare_zones", "read_zones"]

_PARQUET = (".parquet", ".geoparquet", ".pq")


@dataclass(frozen=True)
class Zones:
    """Zone polygons ready for tallying, in the raster's CRS.

    Attributes
    ----------
    ids : numpy.ndarray of str
        One id per zone (unique), as text.
    geometry : numpy.ndarray of shapely geometries
        Polygonal geometry of each zone, valid, in ``crs``.
    crs : pyproj.CRS
        CRS of ``geometry`` (the raster's).
    source : str
        Where the zones came from (a path or a description).
    repaired : int
        How many invalid geometries were repaired with ``make_valid``.
    notes : tuple of str
        Things done to the input that the user should know (reprojection, repairs, merges).

    """

    ids: np.ndarray
    geometry: np.ndarray
    crs: CRS
    source: str
    repaired: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return int(self.ids.size)

    def bounds(self) -> tuple[float, float, float, float]:
        """``(xmin, ymin, xmax, ymax)`` of all zones."""
        b = shapely.bounds(self.geometry)
        return (
            float(np.nanmin(b[:, 0])),
            float(np.nanmin(b[:, 1])),
            float(np.nanmax(b[:, 2])),
            float(np.nanmax(b[:, 3])),
        )


def read_zones(path: str | Path, *, layer: str | None = None, where: str = "zones"):
    """Read a polygon layer (GeoPackage, GeoParquet, shapefile, GeoJSON, ...) as a GeoDataFrame.

    Raises
    ------
    InputError
        The file is missing or cannot be read as vector data.

    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"zones file not found: {path}", where=where, hint="check the path")
    hint = "give a GeoPackage (.gpkg) or GeoParquet (.parquet) file of polygons"
    try:
        import warnings

        with warnings.catch_warnings():  # pyogrio/geopandas warn about tables without geometry: said below
            warnings.filterwarnings("ignore", category=UserWarning, module=r"(pyogrio|geopandas)(\.|$)")
            if p.suffix.lower() in _PARQUET:
                zones = gpd.read_parquet(p)
            else:
                zones = gpd.read_file(p, layer=layer)
    except Exception as err:  # pyogrio / pyarrow raise many types
        raise InputError(f"cannot read zones from {path}: {clip(str(err))}", where=where, hint=hint) from None
    if not isinstance(zones, gpd.GeoDataFrame) or zones.geometry.name not in zones.columns:
        raise InputError(f"{path} has no geometry column (a plain table, not polygons)", where=where, hint=hint)
    return zones


def _ids_as_text(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_float_dtype(values) and np.all(
        np.isnan(values) | (values == np.round(values))
    ):
        values = values.astype("Int64")
    return values.astype(str).to_numpy(dtype=object)


def _polygonal(geom):
    """Keep only the polygonal parts of a geometry (make_valid may add lines or points)."""
    if geom is None:
        return None
    kind = shapely.get_type_id(geom)
    if kind in (3, 6):  # Polygon, MultiPolygon
        return geom
    parts = shapely.get_parts(geom)
    polys = [p for p in parts if shapely.get_type_id(p) in (3, 6)]
    if not polys:
        return None
    return shapely.union_all(polys)


def prepare_zones(
    gdf: gpd.GeoDataFrame,
    *,
    id_field: str,
    target_crs: str | CRS,
    source: str = "zones",
    where: str = "zones",
) -> Zones:
    """Check and clean zone polygons and bring them into the raster's CRS.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Zone polygons with an id column.
    id_field : str
        Column with the zone ids (kept as text).
    target_crs : str or pyproj.CRS
        The raster's CRS; zones in another CRS are reprojected (with a note).
    source : str
        Name of the input for messages.
    where : str
        The parameter that gave the zones, for messages.

    Returns
    -------
    Zones

    Raises
    ------
    SchemaError
        ``id_field`` is not a column, or has missing values.
    InputError
        No CRS, no polygons, or geometries that are not polygons.

    """
    notes: list[str] = []
    if id_field not in gdf.columns or id_field == gdf.geometry.name:
        cols = [c for c in gdf.columns if c != gdf.geometry.name]
        raise SchemaError(
            f"{source} has no id field {id_field!r}",
            where="id_field",
            hint=suggest(id_field, cols),
        )
    if gdf.crs is None:
        raise InputError(
            f"{source} has no coordinate reference system", where=where,
            hint="set one, e.g. `ogr2ogr -a_srs EPSG:4326 out.gpkg in.gpkg`",
        )
    if len(gdf) == 0:
        raise InputError(f"{source} holds no zones", where=where)
    ids = gdf[id_field]
    if ids.isna().any():
        row = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise SchemaError(
            f"{source} feature {row + 1}: id field {id_field!r} is empty",
            where="id_field", hint="give every zone an id or choose another field",
        )
    geoms = gdf.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        notes.append(f"{int(missing.sum())} zone(s) with empty geometry skipped")
    kinds = shapely.get_type_id(geoms)
    bad = ~missing & ~np.isin(kinds, [3, 6])
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{source} feature {row + 1} (id {ids.iloc[row]!r}) is a "
            f"{geoms[row].geom_type}, not a polygon",
            where=where, hint="zones must be polygons or multipolygons",
        )
    invalid = ~missing & ~shapely.is_valid(geoms)
    repaired = int(invalid.sum())
    if repaired:
        fixed = shapely.make_valid(geoms[invalid])
        geoms = geoms.copy()
        geoms[invalid] = [_polygonal(g) for g in fixed]
        notes.append(f"{repaired} invalid geometr{'y' if repaired == 1 else 'ies'} "
                     "repaired with make_valid")
        lost = invalid & shapely.is_missing(geoms)
        missing = missing | lost
    keep = ~missing
    text_ids = _ids_as_text(ids)[keep]
    geoms = geoms[keep]
    target = CRS.from_user_input(target_crs)
    zone_crs = CRS.from_user_input(gdf.crs)
    if zone_crs != target:
        geoms = gpd.GeoSeries(geoms, crs=zone_crs).to_crs(target).to_numpy()
        notes.append(
            f"zones reprojected from {zone_crs.to_string()} to the raster CRS "
            f"{target.to_string()}"
        )
    uniq, inverse, counts = np.unique(text_ids.astype(str), return_inverse=True,
                                      return_counts=True)
    if (counts > 1).any():
        order = np.argsort(inverse, kind="stable")
        groups = np.split(geoms[order], np.cumsum(counts)[:-1])
        geoms = np.array(
            [g[0] if len(g) == 1 else shapely.union_all(g) for g in groups], dtype=object
        )
        n_dup = int((counts > 1).sum())
        notes.append(f"{n_dup} id(s) on several features: their polygons were merged")
        text_ids = uniq.astype(object)
    if not len(text_ids):
        raise InputError(f"{source} holds no usable polygons", where=where)
    return Zones(
        ids=np.asarray(text_ids, dtype=object),
        geometry=np.asarray(geoms, dtype=object),
        crs=target,
        source=source,
        repaired=repaired,
        notes=tuple(notes),
    )
