"""Coca in special territories: parks, resguardos, community councils, forest reserves.

Users download the official polygon layers (RUNAP national parks, ANT resguardos and consejos
comunitarios, SIAC Ley 2ª forest reserves; see the README), register each with
:func:`add_layer` in the user data folder, and tally the imported SIMCI 1 km grid
(:mod:`cocamonitor.importers.simci_grid`) inside each polygon and in rings around it with
:func:`coca_in_territories`.

How coca is counted
-------------------
A cell's hectares are spread evenly over the cell, so a polygon holds ``coca_ha(cell) ×
area(cell ∩ polygon) / area(cell)`` of each cell. exactextract finds every cell a polygon
touches and its coverage fraction; exactextract keeps fractions in single precision (relative
error up to 6e-8), so each cell that is not wholly inside the polygon is measured again with
GEOS in double precision. The fractions are taken in the grid's own projected CRS, in which
the cells are exact squares: over 1 km the scale of a Gauss-Krüger projection changes by less
than 1e-7, so the fraction is the equal-area fraction to that order. Polygon areas are
reported in an equal-area CRS (:data:`EQUAL_AREA_CRS`). The fraction matrix is computed once
and multiplied by the ``cells × years`` table, so all years cost one sparse product.

Buffers are rings: ``buffers="10km,20km"`` gives the land within 0-10 km of a polygon and
outside it, and the land 10-20 km from it, drawn in the grid's CRS (metres).

Totals never double count: a layer's total is the coca inside the union of its polygons, the
total of several layers the coca inside the union of all of them, and every pair of layers
that overlaps is reported with the area and coca they share.

Examples
--------
>>> import numpy as np, pandas as pd, shapely
>>> from cocamonitor.importers.simci_grid import Lattice, SimciGrid
>>> lat = Lattice("EPSG:9377", 1000.0, 5_000_000.0, 2_002_000.0, 2, 2)
>>> cells = pd.DataFrame({"cell": ["a", "b", "c", "d"], "row": [0, 0, 1, 1], "col": [0, 1, 0, 1],
...                       "geometry": [None] * 4})
>>> table = pd.DataFrame({"cell": list("abcd"), "year": 2023, "coca_ha": [10.0, 20.0, 0.0, 4.0]})
>>> grid = SimciGrid(table, cells, lat, (2023,), {2023: "areacoca_2023"}, "EPSG:9377")
>>> park = shapely.box(5_000_500.0, 2_000_000.0, 5_002_000.0, 2_002_000.0)  # half of a, all of b
>>> layer = Layer("parks", np.array(["P"], dtype=object), np.array([park]), "EPSG:9377")
>>> res = coca_in_territories({"parks": layer}, grid)
>>> res.to_frame().query("zone == 'inside'")[["territory", "coca_ha"]].to_dict("records")[0]
{'territory': 'P', 'coca_ha': 29.0}

"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from cocamonitor.errors import InputError, UnknownNameError
from cocamonitor.results import Estimate, Table, nested, numbers

__all__ = [
    "EQUAL_AREA_CRS",
    "KIND",
    "Layer",
    "TerritoryCoca",
    "add_layer",
    "cell_fractions",
    "coca_in_territories",
    "coca_in_territories_from_maps",
    "layers",
    "load_layer",
    "parse_buffers",
]

#: Albers equal-area conic fitted to Colombia (standard parallels 0° and 8° N) for areas.
EQUAL_AREA_CRS = "+proj=aea +lat_0=4 +lon_0=-73.5 +lat_1=0 +lat_2=8 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs"
#: The ``kind`` of territory layers in the user data folder manifest.
KIND = "territories"
_LAYER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class Layer:
    """A registered territory layer: one polygonal geometry per named territory.

    Attributes
    ----------
    name : str
        Layer name (``parks``, ``resguardos``, ...).
    names : numpy.ndarray of str
        Territory names.
    geometry : numpy.ndarray of shapely geometries
        Valid polygons or multipolygons in ``crs``.
    crs : str
    meta : dict
        Provenance from the user data folder (source file, SHA-256, import date).

    """

    name: str
    names: np.ndarray
    geometry: np.ndarray
    crs: str
    meta: dict[str, Any] = field(default_factory=dict)


def add_layer(
    layer: str,
    path: str | Path,
    *,
    name_field: str,
    data_dir: str | Path | None = None,
    where: str = "FILE",
):
    """Register a polygon layer (GeoPackage, shapefile, GeoJSON, GeoParquet; any CRS).

    Invalid polygons are repaired with ``make_valid`` and counted; features sharing a name are
    merged; empty geometries are skipped and counted; points and lines are refused.

    Parameters
    ----------
    layer : str
        Name to register it under (``parks``, ``resguardos``, ``consejos``, ``ley2``, ...).
    path : path
        The layer file.
    name_field : str
        Column with the territory names.
    data_dir : path, optional
        User data folder.
    where : str
        Name of the file argument for messages.

    Returns
    -------
    (Entry, tuple of str)
        The user data entry and the notes (repairs, merges) to show the user.

    """
    import geopandas as gpd

    from cocamonitor import userdata
    from cocamonitor.io.vectors import prepare_zones, read_zones

    if not _LAYER.match(layer):
        raise InputError(f"layer name {layer!r} is not allowed", where="layer",
                         hint="use lower case letters, digits, '-' or '_', e.g. parks")
    gdf = read_zones(path, where=where)
    if gdf.crs is None:
        raise InputError(f"{Path(path).name} has no coordinate reference system", where=where,
                         hint="set one, e.g. `ogr2ogr -a_srs EPSG:4326 out.gpkg in.shp`")
    zones = prepare_zones(gdf, id_field=name_field, target_crs=gdf.crs, source=Path(path).name, where=where)
    out = gpd.GeoDataFrame({"name": zones.ids.astype(str)}, geometry=list(zones.geometry), crs=gdf.crs)
    area = shapely.area(gpd.GeoSeries(out.geometry, crs=gdf.crs).to_crs(EQUAL_AREA_CRS).to_numpy()) / 1e4
    out["area_ha"] = area
    meta = {"layer": layer, "name_field": name_field, "features": int(len(gdf)), "territories": int(len(out)),
            "repaired": int(zones.repaired), "crs": gdf.crs.to_string(), "notes": list(zones.notes)}
    entry = userdata.store_table(out, name=layer, kind=KIND, source=path, meta=meta, data_dir=data_dir)
    return entry, zones.notes


def layers(*, data_dir: str | Path | None = None) -> list[str]:
    """Names of the registered territory layers."""
    from cocamonitor import userdata

    return [e.name for e in userdata.entries(kind=KIND, data_dir=data_dir)]


def load_layer(name: str, *, data_dir: str | Path | None = None) -> Layer:
    """Read a registered layer."""
    from cocamonitor import userdata

    known = layers(data_dir=data_dir)
    if name not in known:
        raise UnknownNameError(f"no territory layer {name!r}", where="layer",
                               hint=f"registered: {', '.join(known) or 'none yet'}; add one with add_layer()")
    entry = userdata.entry(name, data_dir=data_dir)
    gdf = userdata.read_table(name, data_dir=data_dir)
    meta = {"source": entry.source, "source_sha256": entry.source_sha256, "imported": entry.imported,
            **entry.meta}
    return Layer(name, gdf["name"].astype(str).to_numpy(dtype=object), gdf.geometry.to_numpy(),
                 gdf.crs.to_string(), meta)


def parse_buffers(text: str | None, *, where: str = "buffers") -> tuple[float, ...]:
    """Read ``"10km,20km"`` (or metres, ``"500m"``, ``"2000"``) as increasing distances in metres.

    Examples
    --------
    >>> parse_buffers("10km,20km"), parse_buffers("500m, 1.5km"), parse_buffers(None)
    ((10000.0, 20000.0), (500.0, 1500.0), ())

    """
    if text is None or not text.strip():
        return ()
    out = []
    for part in text.split(","):
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(km|m)?\s*", part, re.IGNORECASE)
        if not m or float(m.group(1)) <= 0:
            raise InputError(f"cannot read buffer {part.strip()!r}", where=where,
                             hint="write distances like 10km,20km or 500m")
        out.append(float(m.group(1)) * (1000.0 if (m.group(2) or "m").lower() == "km" else 1.0))
    if any(b <= a for a, b in zip(out, out[1:], strict=False)):
        raise InputError(f"buffers {text!r} are not increasing", where=where, hint="e.g. 10km,20km")
    return tuple(out)


def cell_fractions(
    geometry: np.ndarray, spec, *, cells: np.ndarray | None = None, max_vertices: int = 256
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fraction of each lattice cell inside each geometry.

    Parameters
    ----------
    geometry : numpy.ndarray of shapely geometries
        Polygons in the lattice's CRS.
    spec : cocamonitor.grid.GridSpec
        The lattice.
    cells : numpy.ndarray of bool, optional
        Flat mask of the lattice cells wanted (``row * ncols + col``); default all.
    max_vertices : int, default 256
        A geometry with more vertices is first cut into lattice-aligned tiles of at most this
        many vertices, so that measuring a boundary cell costs the size of one tile's piece,
        not of the whole geometry (a park boundary, or the union of a whole layer).

    Returns
    -------
    zone, cell, fraction : numpy.ndarray
        Index of the geometry, flat index of the cell (``row * ncols + col``) and the fraction
        of the cell's area inside it (0 < fraction <= 1), double precision.

    """
    import geopandas as gpd
    from exactextract import exact_extract
    from exactextract.raster import NumPyRasterSource
    from pyproj import CRS

    ok = ~(shapely.is_missing(geometry) | shapely.is_empty(geometry))
    zone_parts, cell_parts = [], []
    if ok.any():
        src = NumPyRasterSource(
            np.zeros((spec.nrows, spec.ncols), dtype=np.uint8),
            spec.x0, spec.y0 - spec.nrows * spec.cell, spec.x0 + spec.ncols * spec.cell, spec.y0,
            srs_wkt=CRS.from_user_input(spec.crs).to_wkt(),
        )
        idx = np.flatnonzero(ok)
        gdf = gpd.GeoDataFrame({"_z": idx}, geometry=list(geometry[idx]), crs=spec.crs)
        out = exact_extract(src, gdf, ["cell_id"], include_cols=["_z"], output="pandas")
        for z, ids in zip(out["_z"], out["cell_id"], strict=True):
            ids = np.asarray(ids, dtype=np.int64)
            if cells is not None:
                ids = ids[cells[ids]]
            zone_parts.append(np.full(ids.size, int(z), dtype=np.int64))
            cell_parts.append(ids)
    if not zone_parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    zone, cell = np.concatenate(zone_parts), np.concatenate(cell_parts)
    rows, cols = np.divmod(cell, spec.ncols)
    boxes = spec.boxes(rows, cols)
    shapely.prepare(geometry[ok])
    frac = np.ones(zone.size)
    partial = ~shapely.covers(geometry[zone], boxes)
    if partial.any():
        pieces = _pieces_for(geometry, zone[partial], rows[partial], cols[partial], spec, max_vertices)
        inter = shapely.intersection(pieces, boxes[partial])
        frac[partial] = shapely.area(inter) / (spec.cell * spec.cell)
    keep = frac > 0
    return zone[keep], cell[keep], frac[keep]


def _pieces_for(geometry: np.ndarray, zone: np.ndarray, rows: np.ndarray, cols: np.ndarray, spec,
                max_vertices: int) -> np.ndarray:
    """For each (zone, cell), the part of the zone's geometry in a lattice-aligned tile holding the cell.

    Small geometries are returned whole; larger ones are cut in quarters (on cell edges) until
    each piece has at most ``max_vertices`` vertices or its tile is one cell.
    """
    out = geometry[zone].copy()
    nverts = shapely.get_num_coordinates(geometry)
    for z in np.unique(zone):
        if nverts[z] <= max_vertices:
            continue
        sel = np.flatnonzero(zone == z)
        b = shapely.bounds(geometry[z])
        r0 = int(np.floor((spec.y0 - b[3]) / spec.cell))
        r1 = int(np.ceil((spec.y0 - b[1]) / spec.cell))
        c0 = int(np.floor((b[0] - spec.x0) / spec.cell))
        c1 = int(np.ceil((b[2] - spec.x0) / spec.cell))
        stack = [(geometry[z], r0, r1, c0, c1)]
        r, c = rows[sel], cols[sel]
        while stack:
            g, a0, a1, b0, b1 = stack.pop()
            inside = (r >= a0) & (r < a1) & (c >= b0) & (c < b1)
            if not inside.any():
                continue
            if shapely.get_num_coordinates(g) <= max_vertices or (a1 - a0 <= 1 and b1 - b0 <= 1):
                out[sel[inside]] = g
                continue
            am, bm = (a0 + a1) // 2, (b0 + b1) // 2
            for q0, q1, p0, p1 in ((a0, am, b0, bm), (a0, am, bm, b1), (am, a1, b0, bm), (am, a1, bm, b1)):
                if q1 <= q0 or p1 <= p0:
                    continue
                tile = shapely.box(spec.x0 + p0 * spec.cell, spec.y0 - q1 * spec.cell,
                                   spec.x0 + p1 * spec.cell, spec.y0 - q0 * spec.cell)
                piece = shapely.intersection(g, tile)
                if not shapely.is_empty(piece):
                    stack.append((piece, q0, q1, p0, p1))
                else:
                    hit = (r >= q0) & (r < q1) & (c >= p0) & (c < p1)
                    out[sel[hit]] = piece
    return out


@dataclass(frozen=True)
class TerritoryCoca:
    """Coca inside territories and in rings around them, per year.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per layer, territory, zone and year: ``layer, territory, zone, year, area_ha,
        coca_ha, share_of_national_pct, change_ha, change_pct, cells_without_value``.
        ``zone`` is ``inside`` or a ring such as ``0-10 km``; the territory
        ``(all, overlaps once)`` is the union of a layer, the layer ``(all layers)`` the
        union of all layers.
    overlaps : pandas.DataFrame
        ``layer_a, layer_b, year, area_ha, coca_ha``: what two layers share.
    national : pandas.Series
        Coca in the whole grid per year (the denominator of the shares).
    provenance : dict
        The grid's and the layers' sources.

    """

    table: pd.DataFrame
    overlaps: pd.DataFrame
    national: pd.Series
    provenance: dict[str, Any]

    def to_frame(self) -> pd.DataFrame:
        """Return the per-territory table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """Tables as records, the national totals and the provenance."""
        return {"territories": self.table.to_dict("records"), "overlaps": self.overlaps.to_dict("records"),
                "national_coca_ha": {int(k): float(v) for k, v in self.national.items()},
                "provenance": self.provenance}

    def estimates(self) -> Iterator[Estimate]:
        """Yield the territories' rows, the overlaps' rows, then the national total per year.

        The national totals are rows ``national_coca_ha``/``<year>`` without unit, as the store
        has recorded them since the command exists.
        """
        yield from nested("territories", Table(self.table).estimates())
        yield from nested("overlaps", Table(self.overlaps).estimates())
        yield from numbers("national_coca_ha", {str(int(k)): v for k, v in self.national.items()})


ALL = "(all, overlaps once)"
ALL_LAYERS = "(all layers)"


def _zones(layer_map: Mapping[str, Layer], crs: str, buffers: Sequence[float]):
    """Every zone to measure, in ``crs``: labels (layer, territory, zone), geometries, overlap pairs."""
    import geopandas as gpd

    if not layer_map:
        raise InputError("no territory layer given", where="layers")
    labels: list[tuple[str, str, str]] = []
    geoms: list[Any] = []
    unions: dict[str, Any] = {}
    rings = _ring_labels(buffers)
    for lname, layer in layer_map.items():
        g = gpd.GeoSeries(layer.geometry, crs=layer.crs).to_crs(crs).to_numpy()
        g = np.asarray(shapely.make_valid(g), dtype=object)
        unions[lname] = shapely.union_all(g)
        for tname, geom in [*zip(layer.names, g, strict=True), (ALL, unions[lname])]:
            prev = geom
            labels.append((lname, str(tname), "inside"))
            geoms.append(geom)
            for dist, label in zip(buffers, rings, strict=True):
                outer = shapely.buffer(geom, dist, quad_segs=16)
                labels.append((lname, str(tname), label))
                geoms.append(shapely.difference(outer, prev))
                prev = outer
    if len(layer_map) > 1:
        labels.append((ALL_LAYERS, ALL, "inside"))
        geoms.append(shapely.union_all(list(unions.values())))
    pairs = [(a, b) for i, a in enumerate(unions) for b in list(unions)[i + 1:]]
    overlap_geoms = [shapely.intersection(unions[a], unions[b]) for a, b in pairs]
    return labels, pairs, np.asarray(geoms + overlap_geoms, dtype=object)


def _assemble(labels, pairs, coca: np.ndarray, missing: np.ndarray, area_ha: np.ndarray, national: pd.Series,
              yrs: list[int], provenance: dict[str, Any]) -> TerritoryCoca:
    n = len(labels)
    rows = []
    for i, (lname, tname, zlabel) in enumerate(labels):
        for k, y in enumerate(yrs):
            rows.append((lname, tname, zlabel, y, area_ha[i], coca[i, k], int(missing[i, k])))
    table = pd.DataFrame(rows, columns=["layer", "territory", "zone", "year", "area_ha", "coca_ha",
                                        "cells_without_value"])
    nat = table["year"].map(national)
    table["share_of_national_pct"] = np.where(nat > 0, 100.0 * table["coca_ha"] / nat.where(nat > 0, 1.0), np.nan)
    grp = table.groupby(["layer", "territory", "zone"], sort=False)["coca_ha"]
    prev = grp.shift(1)
    table["change_ha"] = table["coca_ha"] - prev
    table["change_pct"] = np.where(prev > 0, 100.0 * table["change_ha"] / prev.where(prev > 0, 1.0), np.nan)
    table = table[["layer", "territory", "zone", "year", "area_ha", "coca_ha", "share_of_national_pct",
                   "change_ha", "change_pct", "cells_without_value"]]
    over_rows = [(a, b, y, area_ha[n + j], coca[n + j, k]) for j, (a, b) in enumerate(pairs)
                 for k, y in enumerate(yrs)]
    overlaps = pd.DataFrame(over_rows, columns=["layer_a", "layer_b", "year", "area_ha", "coca_ha"])
    return TerritoryCoca(table, overlaps, national, provenance)


def coca_in_territories(
    layer_map: Mapping[str, Layer],
    grid,
    *,
    years: Sequence[int] | None = None,
    buffers: Sequence[float] = (),
) -> TerritoryCoca:
    """Coca hectares of the SIMCI grid inside each territory and in rings around it.

    Parameters
    ----------
    layer_map : mapping of str to Layer
        The layers to tally (see :func:`load_layer`).
    grid : cocamonitor.importers.simci_grid.SimciGrid
        The imported 1 km grid.
    years : sequence of int, optional
        Years to report (default all years of the grid).
    buffers : sequence of float
        Increasing distances in metres; each adds a ring zone (see the module notes).

    Returns
    -------
    TerritoryCoca

    """
    import geopandas as gpd
    import scipy.sparse as sp

    yrs = list(grid.years) if years is None else [int(y) for y in years]
    missing = [y for y in yrs if y not in grid.years]
    if missing:
        raise InputError(f"year {missing[0]} is not in the imported SIMCI grid", where="years",
                         hint=f"years in the grid: {grid.years[0]}-{grid.years[-1]}")
    spec = grid.lattice.grid_spec()
    labels, pairs, all_geoms = _zones(layer_map, spec.crs, buffers)
    mat = grid.coca_matrix()[:, [grid.years.index(y) for y in yrs]]
    lookup = np.full(spec.nrows * spec.ncols, -1, dtype=np.int64)
    lookup[grid.cells["row"].to_numpy() * spec.ncols + grid.cells["col"].to_numpy()] = np.arange(len(grid.cells))
    national = pd.Series(np.nansum(mat, axis=0), index=yrs, name="coca_ha")
    zone, cell, frac = cell_fractions(all_geoms, spec, cells=lookup >= 0)
    col = lookup[cell]
    inside = col >= 0
    w = sp.csr_matrix((frac[inside], (zone[inside], col[inside])), shape=(all_geoms.size, len(grid.cells)))
    coca = np.asarray(w @ np.nan_to_num(mat, nan=0.0))
    nan_cells = np.asarray((w > 0).astype(np.int64) @ np.isnan(mat).astype(np.int64))
    area_ha = shapely.area(gpd.GeoSeries(all_geoms, crs=spec.crs).to_crs(EQUAL_AREA_CRS).to_numpy()) / 1e4
    provenance = {
        "grid": {"dataset": "v3rx-q7t3", "years": [int(y) for y in grid.years], "lattice": grid.lattice.to_dict()},
        "layers": {k: v.meta for k, v in layer_map.items()},
        "buffers_m": list(map(float, buffers)),
        "method": "exactextract cell coverage, boundary cells re-measured in double precision (GEOS); "
                  f"areas in {EQUAL_AREA_CRS}",
    }
    return _assemble(labels, pairs, coca, nan_cells, area_ha, national, yrs, provenance)


def coca_in_territories_from_maps(
    layer_map: Mapping[str, Layer],
    maps: Mapping[int, str | Path],
    *,
    coca_classes: Sequence[int] = (1,),
    buffers: Sequence[float] = (),
) -> TerritoryCoca:
    """Coca hectares of classified coca maps inside each territory and in rings around it.

    Each map pixel counts with the exact fraction of it inside the zone (exactextract, through
    :func:`cocamonitor.zonal.tally`), areas from the map's pixel geometry. The national total
    of a year is the coca of the whole map. Column ``cells_without_value`` holds the nodata
    pixels inside each zone (they count as no coca).

    Parameters
    ----------
    layer_map : mapping of str to Layer
        The layers to tally.
    maps : mapping of int to path
        Year -> classified coca map (projected CRS).
    coca_classes : sequence of int
        Map values that mean coca.
    buffers : sequence of float
        Ring distances in metres.

    Returns
    -------
    TerritoryCoca

    """
    import geopandas as gpd

    from cocamonitor.io.rasters import open_raster
    from cocamonitor.zonal import class_areas, tally

    yrs = sorted(int(y) for y in maps)
    if not yrs:
        raise InputError("no coca map given", where="maps")
    info = open_raster(maps[yrs[0]], where="maps")
    if info.crs is None or not info.crs.is_projected:
        raise InputError(f"{info.path} is not in a projected CRS", where="maps",
                         hint="warp the maps to e.g. EPSG:9377 so that buffers are in metres")
    crs = info.crs.to_string()
    labels, pairs, all_geoms = _zones(layer_map, crs, buffers)
    ids = [f"z{i}" for i in range(all_geoms.size)]
    keep = ~(shapely.is_missing(all_geoms) | shapely.is_empty(all_geoms))
    zones = gpd.GeoDataFrame({"zid": np.asarray(ids)[keep]}, geometry=list(all_geoms[keep]), crs=crs)
    classes = set(int(c) for c in coca_classes)
    coca = np.zeros((all_geoms.size, len(yrs)))
    nodata = np.zeros((all_geoms.size, len(yrs)))
    national = pd.Series(0.0, index=yrs, name="coca_ha")
    pos = {z: i for i, z in enumerate(ids)}
    for k, y in enumerate(yrs):
        t = tally(maps[y], zones, id_field="zid", coverage="exact")
        tab = t.to_frame()
        tab = tab[tab["class"].isin(classes)].groupby("zone")["area_ha"].sum()
        for z, v in tab.items():
            coca[pos[str(z)], k] = float(v)
        for z, v in zip(t.nodata["zone"], t.nodata["pixels"], strict=True) if len(t.nodata) else ():
            nodata[pos[str(z)], k] = float(v)
        w = class_areas(maps[y], where="maps")
        national[y] = float(w[w["class"].isin(classes)]["area_ha"].sum())
    area_ha = shapely.area(gpd.GeoSeries(all_geoms, crs=crs).to_crs(EQUAL_AREA_CRS).to_numpy()) / 1e4
    provenance = {"maps": {int(y): str(p) for y, p in maps.items()}, "coca_classes": sorted(classes),
                  "layers": {k: v.meta for k, v in layer_map.items()}, "buffers_m": list(map(float, buffers)),
                  "method": "exactextract pixel coverage (cocamonitor.zonal.tally, coverage='exact')"}
    return _assemble(labels, pairs, coca, nodata, area_ha, national, yrs, provenance)


def _ring_labels(buffers: Sequence[float]) -> list[str]:
    edges = [0.0, *buffers]
    return [f"{a / 1000:g}-{b / 1000:g} km" for a, b in zip(edges, edges[1:], strict=False)]
