"""Small files in the schema of the SIMCI 1 km grid export (datos.gov.co v3rx-q7t3) and territory layers.

The real export: one MultiPolygon per 1 km cell in EPSG:4326, the cell id ``grilla1``, one
column of coca hectares per year with irregular names (``areacoca_2001`` ... ``areacoca2004``
... ``coca2022_``, ``areacoca_2023``); the GeoJSON export writes numbers as text and leaves out
empty fields; the CSV export has the polygon as WKT in ``the_geom``. Here the cells are 1 km
squares of EPSG:3116 (MAGNA-SIRGAS / Colombia Bogotá zone) reprojected to EPSG:4326.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

GRID_CRS = "EPSG:3116"
X0, Y0, CELL = 1_100_000.0, 1_400_000.0, 1000.0
NROWS, NCOLS = 8, 10
YEARS = list(range(2001, 2024))


def year_column(year: int) -> str:
    if year == 2004:
        return "areacoca2004"
    if year == 2022:
        return "coca2022_"
    return f"areacoca_{year}"


def truth(seed: int = 7, *, empty: int = 3):
    """Cells (row, col, id), coca hectares (cells x years) and which values are empty."""
    rng = np.random.default_rng(seed)
    rows, cols = np.divmod(np.arange(NROWS * NCOLS), NCOLS)
    keep = rng.random(rows.size) > 0.1          # a grid with holes, as the real one
    rows, cols = rows[keep], cols[keep]
    ids = 250_000 + rows * 1000 + cols
    has = rng.random((rows.size, len(YEARS))) < 0.45
    ha = np.where(has, np.round(rng.gamma(1.2, 6.0, has.shape), 4), 0.0)
    ha = np.minimum(ha, 100.0)
    missing = np.zeros_like(has)
    missing[rng.choice(rows.size, empty, replace=False), rng.choice(len(YEARS), empty)] = True
    return rows, cols, ids, ha, missing


def cell_boxes(rows, cols):
    x = X0 + cols * CELL
    y = Y0 - rows * CELL
    return shapely.box(x, y - CELL, x + CELL, y)


def grid_gdf(seed: int = 7, *, as_text: bool = True):
    rows, cols, ids, ha, missing = truth(seed)
    geoms = gpd.GeoSeries(shapely.multipolygons([[b] for b in cell_boxes(rows, cols)]), crs=GRID_CRS).to_crs(4326)
    data = {"grilla1": ids.astype(str) if as_text else ids}
    for k, y in enumerate(YEARS):
        v = ha[:, k].astype(object)
        if as_text:
            v = np.array([f"{x:g}" for x in ha[:, k]], dtype=object)
        v[missing[:, k]] = None
        data[year_column(y)] = v
    return gpd.GeoDataFrame(data, geometry=geoms.to_numpy(), crs="EPSG:4326")


def write_geojson(path, seed: int = 7):
    """GeoJSON as Socrata exports it: numbers as text, empty fields left out."""
    gdf = grid_gdf(seed)
    feats = []
    for i, geom in enumerate(gdf.geometry):
        props = {k: gdf[k].iloc[i] for k in gdf.columns if k != "geometry" and gdf[k].iloc[i] is not None}
        feats.append({"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": props})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return path


def write_csv(path, seed: int = 7):
    """CSV as Socrata exports it: the polygon as WKT in the_geom, first column."""
    gdf = grid_gdf(seed)
    df = pd.DataFrame({"the_geom": shapely.to_wkt(gdf.geometry.to_numpy(), rounding_precision=-1)})
    for c in gdf.columns:
        if c != "geometry":
            df[c] = gdf[c]
    df.to_csv(path, index=False)
    return path


def layer(kind: str = "parks"):
    """A polygon layer over the fixture grid, in EPSG:4326, with names in Spanish spelling."""
    from shapely.geometry import Polygon

    x = lambda c: X0 + c * CELL  # noqa: E731
    y = lambda r: Y0 - r * CELL  # noqa: E731
    if kind == "parks":
        polys = [
            Polygon([(x(0.3), y(0.4)), (x(3.7), y(0.2)), (x(4.1), y(3.3)), (x(1.2), y(4.6))]),
            shapely.Point(x(7.2), y(5.1)).buffer(1700.0, 32),
        ]
        names = ["PNN Catatumbo Barí", "PNN Serranía de los Yariguíes"]
    else:
        polys = [
            Polygon([(x(2.5), y(1.5)), (x(8.6), y(1.1)), (x(9.3), y(6.8)), (x(2.1), y(7.4))]),
        ]
        names = ["Resguardo Motilón Barí"]
    return gpd.GeoDataFrame({"nombre": names}, geometry=polys, crs=GRID_CRS).to_crs(4326)
