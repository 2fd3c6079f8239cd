"""Stratified random draws of pixels from a map GeoTIFF, read window by window, and writing them out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import rasterio
from pyproj import CRS, Transformer

from cocamonitor.errors import InputError, ParameterError
from cocamonitor.io.outputs import output_file
from cocamonitor.io.rasters import (
    DEFAULT_WINDOW_PIXELS,
    iter_windows,
    open_raster,
    require_integer,
)
from cocamonitor.sampling.formulas import Allocation

__all__ = ["SampleDraw", "draw_stratified_sample", "sample_paths", "stratum_pixel_counts", "write_sample"]


def _class_index(block: np.ndarray, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Position of each pixel's class in the sorted ``classes`` and whether it is one of them."""
    idx = np.searchsorted(classes, block)
    idx_c = np.minimum(idx, len(classes) - 1)
    ok = classes[idx_c] == block
    return idx_c, ok


def stratum_pixel_counts(
    map_path: str | Path,
    classes: list[int] | None = None,
    *,
    window_pixels: int = DEFAULT_WINDOW_PIXELS,
) -> tuple[np.ndarray, np.ndarray]:
    """Count pixels of each class per window (pass 1 of the draw).

    Returns ``classes`` (sorted int array; all non-nodata values found when ``None``) and
    ``counts`` of shape (windows, classes), windows in :func:`iter_windows` order.
    """
    info = open_raster(map_path, where="map_path")
    require_integer(info, where="map_path")
    nodata = info.nodata
    found: set[int] = set()
    rows: list[np.ndarray] = []
    cls = None if classes is None else np.array(sorted(set(int(c) for c in classes)))
    with rasterio.open(info.path) as src:
        for win in iter_windows(info, max_pixels=window_pixels):
            block = src.read(1, window=win)
            if nodata is not None:
                block = block[block != nodata]
            if cls is None:
                vals, cnt = np.unique(block, return_counts=True)
                found.update(int(v) for v in vals)
                rows.append(np.stack([vals.astype(np.int64), cnt.astype(np.int64)]))
            else:
                idx, ok = _class_index(block.ravel(), cls)
                rows.append(np.bincount(idx[ok], minlength=len(cls)).astype(np.int64))
    if cls is None:
        cls = np.array(sorted(found), dtype=np.int64)
        counts = np.zeros((len(rows), len(cls)), dtype=np.int64)
        for i, r in enumerate(rows):
            counts[i, np.searchsorted(cls, r[0])] = r[1]
    else:
        counts = np.array(rows, dtype=np.int64).reshape(len(rows), len(cls))
    return cls, counts


@dataclass(frozen=True)
class SampleDraw:
    """A stratified random sample of pixels drawn from a map.

    Attributes
    ----------
    points : pandas.DataFrame
        One row per sample pixel: ``sample_id``, ``stratum``, ``map_class`` (class labels as
        text), ``row``, ``col``, ``x``, ``y`` (pixel centre in the raster CRS), ``lon``,
        ``lat`` (WGS 84) and an empty ``reference_class`` to fill in.
    crs : str
        The raster's CRS (WKT or authority string).
    population : dict of str to int
        Pixels of each stratum in the map.
    seed : int or None
        Seed of the draw.

    """

    points: pd.DataFrame
    crs: str
    population: dict[str, int]
    seed: int | None

    def to_frame(self) -> pd.DataFrame:
        """Return the sample points."""
        return self.points.copy()

    def to_dict(self) -> dict[str, Any]:
        """Summary: CRS, seed, population and sample size per stratum."""
        n = self.points["stratum"].value_counts()
        return {
            "crs": self.crs,
            "seed": self.seed,
            "population": dict(self.population),
            "n": {k: int(n.get(k, 0)) for k in self.population},
        }


def draw_stratified_sample(
    map_path: str | Path,
    allocation: Mapping[Any, int] | Allocation,
    *,
    seed: int | None = None,
    window_pixels: int = DEFAULT_WINDOW_PIXELS,
) -> SampleDraw:
    """Draw a stratified random sample of pixels (strata = map classes) from a map GeoTIFF.

    Two passes over the raster, window by window: pass 1 counts the pixels of each stratum per
    window; then ``n_h`` ordinal positions are drawn without replacement among the ``N_h``
    pixels of each stratum with a seeded :class:`numpy.random.Generator` (strata in ascending
    class order); pass 2 turns the ordinals into rows and columns inside the windows that hold
    them. Memory depends on the window size and the number of windows, not on the raster size.

    Parameters
    ----------
    map_path : str or Path
        Single-band integer class map. Nodata pixels are never drawn.
    allocation : mapping class → n, or Allocation
        Sample size per map class (classes as integers or their text).
    seed : int, optional
        Seed; the same seed, map and allocation give the same sample.
    window_pixels : int
        Approximate pixels per window read.

    Returns
    -------
    SampleDraw

    Raises
    ------
    InputError
        Unreadable or non-integer map; a class not in the map; more units asked than pixels;
        a negative or non-integer seed.

    Notes
    -----
    In a raster in degrees every pixel has the same chance within a stratum although pixel
    areas shrink with cos(latitude) (about 3 % between the equator and 13° N); use a projected
    map when that matters.

    Examples
    --------
    >>> import numpy as np, rasterio, tempfile, os
    >>> from rasterio.transform import from_origin
    >>> path = os.path.join(tempfile.mkdtemp(), "map.tif")
    >>> data = np.zeros((20, 30), dtype="uint8"); data[5:8, 10:20] = 1
    >>> with rasterio.open(path, "w", driver="GTiff", width=30, height=20, count=1,
    ...                    dtype="uint8", crs="EPSG:9377",
    ...                    transform=from_origin(5e6, 2e6, 10, 10)) as dst:
    ...     dst.write(data, 1)
    >>> draw = draw_stratified_sample(path, {1: 5, 0: 5}, seed=1)
    >>> draw.points.groupby("stratum").size().to_dict()
    {'0': 5, '1': 5}
    >>> bool((draw.points.loc[draw.points.stratum == "1", "row"].between(5, 7)).all())
    True

    """
    if seed is not None:
        try:
            ok = int(seed) == seed and int(seed) >= 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ParameterError(
                f"seed {seed!r} is not a non-negative integer",
                where="seed",
                hint="give e.g. `seed` 7, or leave it out for a fresh (printed) seed",
            )
    n_by = allocation.n if isinstance(allocation, Allocation) else allocation
    try:
        wanted = {int(k): int(v) for k, v in n_by.items()}
    except (TypeError, ValueError):
        raise InputError("map classes must be integers", where="allocation", hint="e.g. {1: 100, 0: 200}") from None
    info = open_raster(map_path, where="map_path")
    classes, counts = stratum_pixel_counts(map_path, window_pixels=window_pixels)
    population = counts.sum(axis=0)
    present = {int(c): int(n) for c, n in zip(classes, population, strict=True)}
    for c, n in wanted.items():
        if c not in present:
            raise InputError(
                f"class {c} is not in the map {info.path}",
                where="allocation",
                hint=f"classes in the map: {', '.join(map(str, sorted(present)))}",
            )
        if n < 0 or n > present[c]:
            raise InputError(
                f"{n} units asked from class {c}, which has {present[c]} pixels",
                where="allocation",
                hint="lower the sample size of that stratum",
            )
    rng = np.random.default_rng(seed)
    picks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (class pos, window, local ord)
    cum = np.cumsum(counts, axis=0)
    for c in sorted(wanted):
        k = int(np.searchsorted(classes, c))
        ords = np.sort(rng.choice(present[c], size=wanted[c], replace=False))
        win = np.searchsorted(cum[:, k], ords, side="right")
        local = ords - (cum[win, k] - counts[win, k])
        picks.append((np.full(len(ords), k), win, local))
    k_all = np.concatenate([p[0] for p in picks]) if picks else np.zeros(0, int)
    w_all = np.concatenate([p[1] for p in picks]) if picks else np.zeros(0, int)
    o_all = np.concatenate([p[2] for p in picks]) if picks else np.zeros(0, int)
    rows = np.zeros(len(k_all), dtype=np.int64)
    cols = np.zeros(len(k_all), dtype=np.int64)
    need = set(w_all.tolist())
    nodata = info.nodata
    with rasterio.open(info.path) as src:
        for wi, win in enumerate(iter_windows(info, max_pixels=window_pixels)):
            if wi not in need:
                continue
            block = src.read(1, window=win)
            sel = np.flatnonzero(w_all == wi)
            flat = block.ravel()
            valid = np.ones(flat.shape, bool) if nodata is None else flat != nodata
            for k in np.unique(k_all[sel]):
                here = sel[k_all[sel] == k]
                pos = np.flatnonzero(valid & (flat == classes[k]))[o_all[here]]
                rows[here] = pos // int(win.width) + int(win.row_off)
                cols[here] = pos % int(win.width) + int(win.col_off)
    t = info.transform
    x = t.c + (cols + 0.5) * t.a + (rows + 0.5) * t.b
    y = t.f + (cols + 0.5) * t.d + (rows + 0.5) * t.e
    assert info.crs is not None
    to_ll = Transformer.from_crs(info.crs, CRS.from_epsg(4326), always_xy=True)
    lon, lat = to_ll.transform(x, y)
    labels = np.array([str(int(c)) for c in classes], dtype=object)
    pts = pd.DataFrame(
        {
            "sample_id": np.arange(1, len(k_all) + 1),
            "stratum": labels[k_all] if len(k_all) else np.array([], dtype=object),
            "map_class": labels[k_all] if len(k_all) else np.array([], dtype=object),
            "row": rows,
            "col": cols,
            "x": np.asarray(x, dtype=float),
            "y": np.asarray(y, dtype=float),
            "lon": np.asarray(lon, dtype=float),
            "lat": np.asarray(lat, dtype=float),
            "reference_class": pd.Series([None] * len(k_all), dtype=object),
        }
    )
    crs = info.crs.to_string()
    return SampleDraw(
        points=pts,
        crs=crs,
        population={str(int(c)): int(n) for c, n in zip(classes, population, strict=True)},
        seed=seed,
    )


def sample_paths(out: str | Path) -> tuple[Path, Path]:
    """Return the GeoPackage and CSV that :func:`write_sample` writes for ``out``.

    Examples
    --------
    >>> [p.name for p in sample_paths("design")]
    ['design.gpkg', 'design.csv']

    """
    out = Path(out)
    gpkg = out / "sample.gpkg" if out.is_dir() else out if out.suffix.lower() == ".gpkg" else out.with_suffix(".gpkg")
    return gpkg, gpkg.with_suffix(".csv")


def write_sample(draw: SampleDraw, out: str | Path) -> tuple[Path, Path]:
    """Write a draw as a GeoPackage (points in the raster CRS, layer ``sample``) and a CSV.

    ``out`` names the GeoPackage (a name without ``.gpkg`` gets it); an existing directory gets
    ``sample.gpkg`` inside it. The CSV goes next to the GeoPackage with the same stem. Returns
    both paths.
    """
    import geopandas as gpd

    gpkg, csv = sample_paths(out)
    output_file(gpkg)
    df = draw.points
    gdf = gpd.GeoDataFrame(
        df.astype({"reference_class": "string"}),
        geometry=gpd.points_from_xy(df["x"], df["y"]),
        crs=draw.crs,
    )
    if gpkg.exists():
        gpkg.unlink()
    gdf.to_file(gpkg, layer="sample", driver="GPKG")
    df.to_csv(csv, index=False)
    return gpkg, csv
