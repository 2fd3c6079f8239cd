"""Find and load imagery through STAC: items from a static catalog or a STAC API, loaded lazily.

* :func:`read_items` reads a local static catalog (``catalog.json``), an item collection
  (a GeoJSON ``FeatureCollection`` saved from a search) or a stac-geoparquet file (one row
  per item, e.g. a bulk export of a catalog), because ``pystac-client`` searches APIs only.
  :func:`write_geoparquet` writes items as stac-geoparquet.
* :func:`search_items` runs a STAC API search (``pystac-client``); needs the network.
* :func:`check_items` keeps the items of the date window and checks that every item has the
  bands asked for.
* :func:`load_stack` loads the items with ``odc-stac`` into a lazy, chunked
  :class:`xarray.Dataset` on one grid, in the national CRS (``EPSG:9377``) or any projected
  CRS; items in other CRSs are reprojected (stated with a warning when they mix CRSs).

Examples
--------
>>> import tempfile
>>> from cocamonitor.simulate.scenes import SceneConfig, render_scenes, scene_history, write_scenes
>>> hist = scene_history(size=64, seed=1)
>>> cat = write_scenes(render_scenes(hist, 2021, seed=2, scene=SceneConfig(dates=3)), tempfile.mkdtemp())
>>> items = read_items(cat)
>>> len(items), sorted(items[0].assets)[:3]
(3, ['B02', 'B03', 'B04'])
>>> stack = load_stack(items, bands=["B04", "B08"])
>>> dict(stack.sizes)
{'y': 64, 'x': 64, 'time': 3}

"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cocamonitor.errors import CocamonitorWarning, DataError, InputError

__all__ = [
    "DEFAULT_CRS",
    "SCL_INVALID",
    "check_items",
    "item_date",
    "load_stack",
    "load_window",
    "read_items",
    "search_items",
    "write_geoparquet",
]

#: National grid of Colombia (MAGNA-SIRGAS 2018 / Origen-Nacional, CTM12).
DEFAULT_CRS = "EPSG:9377"

#: Sentinel-2 L2A scene-classification codes treated as no observation: no data, saturated or
#: defective, cloud shadow, cloud (medium and high probability), thin cirrus.
SCL_INVALID = (0, 1, 3, 8, 9, 10)


def read_items(path: str | Path, *, where: str = "catalog") -> list[Any]:
    """Items of a static STAC catalog or of a saved item collection, asset hrefs made absolute.

    Parameters
    ----------
    path : str or Path
        ``catalog.json`` (or collection) of a static catalog, or a GeoJSON
        ``FeatureCollection`` of STAC items.
    where : str
        Name of the parameter in error messages.

    Returns
    -------
    list of pystac.Item

    """
    import pystac

    p = Path(path)
    if not p.is_file():
        raise InputError(f"no such file {p}", where=where, hint="give the catalog.json of a static STAC catalog")
    if p.suffix.lower() in (".parquet", ".geoparquet"):
        return _read_geoparquet(p, where=where)
    try:
        doc = json.loads(p.read_text())
    except (OSError, ValueError) as err:
        raise DataError(f"cannot read {p} as JSON ({err})", where=where) from None
    try:
        if doc.get("type") == "FeatureCollection":
            items = list(pystac.ItemCollection.from_file(str(p)))
        else:
            cat = pystac.read_file(str(p))
            if isinstance(cat, pystac.Item):
                items = [cat]
            else:
                items = list(cat.get_items(recursive=True))  # type: ignore[attr-defined]
    except Exception as err:  # pystac raises many kinds on malformed catalogs
        raise DataError(f"{p} is not a STAC catalog or item collection ({err})", where=where) from None
    for it in items:
        it.make_asset_hrefs_absolute()
    if not items:
        raise DataError(f"the catalog {p} has no items", where=where)
    return items


def _read_geoparquet(path: Path, *, where: str) -> list[Any]:
    """Items of a stac-geoparquet file; relative asset hrefs are taken from the file's folder."""
    import pyarrow.parquet as pq
    import pystac

    try:
        from stac_geoparquet.arrow import stac_table_to_items
    except ImportError:
        raise InputError("reading stac-geoparquet needs the stac-geoparquet package", where=where,
                         hint="pip install 'cocamonitor[imagery]'") from None
    try:
        items = [pystac.Item.from_dict(d) for d in stac_table_to_items(pq.read_table(path))]
    except Exception as err:  # pyarrow and stac-geoparquet raise many kinds on other parquet files
        msg = " ".join(str(err).split())
        raise DataError(f"{path} is not a stac-geoparquet file of items ({msg})", where=where,
                        hint="write one with cocamonitor.imagery.stac.write_geoparquet or stac-geoparquet") from None
    if not items:
        raise DataError(f"the stac-geoparquet file {path} has no items", where=where)
    folder = path.resolve().parent
    for it in items:
        for asset in it.assets.values():
            if "://" not in asset.href and not Path(asset.href).is_absolute():
                asset.href = str(folder / asset.href)
    return items


def write_geoparquet(items: Sequence[Any], path: str | Path) -> Path:
    """Write items as one stac-geoparquet file (one row per item), readable by :func:`read_items`.

    Asset hrefs are written as the items hold them (absolute after :func:`read_items`).

    Examples
    --------
    >>> import tempfile
    >>> from cocamonitor.simulate.scenes import SceneConfig, render_scenes, scene_history, write_scenes
    >>> folder = tempfile.mkdtemp()
    >>> cat = write_scenes(render_scenes(scene_history(size=32, seed=1), 2021, seed=2,
    ...                                  scene=SceneConfig(dates=2)), folder)
    >>> out = write_geoparquet(read_items(cat), f"{folder}/items.parquet")
    >>> [it.id for it in read_items(out)] == [it.id for it in read_items(cat)]
    True

    """
    from stac_geoparquet.arrow import parse_stac_items_to_arrow, to_parquet

    out = Path(path)
    to_parquet(parse_stac_items_to_arrow([it.to_dict() for it in items]), out)
    return out


def search_items(url: str, *, bbox: Sequence[float], datetime: str, collections: Sequence[str],
                 max_cloud: float | None = None, limit: int = 500) -> list[Any]:
    """Search a STAC API (network) for items, e.g. Sentinel-2 L2A over an area and window.

    Parameters
    ----------
    url : str
        Root of the STAC API.
    bbox : sequence of 4 floats
        ``west, south, east, north`` in degrees.
    datetime : str
        Interval, e.g. ``"2023-11-01/2024-02-28"``.
    collections : sequence of str
        E.g. ``["sentinel-2-l2a"]``.
    max_cloud : float, optional
        Keep items with ``eo:cloud_cover`` below this (per cent).
    limit : int
        Largest number of items returned.

    Returns
    -------
    list of pystac.Item

    """
    from pystac_client import Client

    query = {"eo:cloud_cover": {"lt": max_cloud}} if max_cloud is not None else None
    search = Client.open(url).search(bbox=list(bbox), datetime=datetime, collections=list(collections),
                                     query=query, max_items=limit)
    return list(search.items())


def item_date(item: Any) -> dt.date:
    """Acquisition date of an item (``datetime``, or the start of its range)."""
    when = item.datetime or item.common_metadata.start_datetime
    return when.date()


def _item_crs(item: Any) -> str | None:
    props = item.properties
    if props.get("proj:code"):
        return str(props["proj:code"])
    if props.get("proj:epsg"):
        return f"EPSG:{int(props['proj:epsg'])}"
    return None


def check_items(items: Sequence[Any], *, bands: Sequence[str], reference_date: dt.date | None = None,
                window_days: int | None = None, where: str = "catalog") -> list[Any]:
    """Keep the items inside the date window and check they carry the bands needed.

    Parameters
    ----------
    items : sequence of pystac.Item
        Candidate items.
    bands : sequence of str
        Asset keys every item must have (e.g. ``B04``, ``SCL``).
    reference_date : datetime.date, optional
        Centre of the window (default: keep every item).
    window_days : int, optional
        Half-width of the window in days.
    where : str
        Name of the parameter in error messages.

    Returns
    -------
    list of pystac.Item
        The items in the window, chronological.

    Raises
    ------
    DataError
        An item lacks a band; no item falls in the window.

    """
    kept = list(items)
    if reference_date is not None and window_days is not None:
        kept = [it for it in kept if abs((item_date(it) - reference_date).days) <= window_days]
        if not kept:
            dates = sorted(item_date(it) for it in items)
            raise DataError(
                f"no item within {window_days} days of {reference_date} (items from {dates[0]} to {dates[-1]})",
                where=where, hint="widen the window or change the reference date",
            )
    for it in kept:
        missing = [b for b in bands if b not in it.assets]
        if missing:
            raise DataError(
                f"item {it.id} has no band {', '.join(missing)}",
                where=where,
                hint=f"every item needs the assets {', '.join(bands)} (it has {', '.join(sorted(it.assets))})",
            )
    return sorted(kept, key=item_date)


_RESAMPLING = {"SCL": "nearest", "scl": "nearest", "*": "bilinear"}


def load_window(items: Sequence[Any], *, bands: Sequence[str], geobox: Any) -> Any:
    """Load one window of the items into memory (numpy-backed :class:`xarray.Dataset`).

    Reads only the blocks of the assets that the window ``geobox`` (a slice of the grid of
    :func:`load_stack`) touches, on the calling thread: a tile and its halo cost what they
    cover, not the dask chunks around them. Same grouping and resampling as :func:`load_stack`.
    """
    import odc.stac

    return odc.stac.load(list(items), bands=list(bands), groupby="solar_day", geobox=geobox,
                         resampling=_RESAMPLING, fail_on_error=True)


def load_stack(items: Sequence[Any], *, bands: Sequence[str], crs: str = DEFAULT_CRS,
               resolution: float = 10.0, bbox: Sequence[float] | None = None,
               chunk: int = 1024, where: str = "catalog") -> Any:
    """Load items lazily with ``odc-stac`` into one grid (dask-backed :class:`xarray.Dataset`).

    Acquisitions of the same solar day (neighbouring tiles) are merged into one time step.

    Parameters
    ----------
    items : sequence of pystac.Item
        Items to load (checked with :func:`check_items`).
    bands : sequence of str
        Asset keys to load.
    crs : str
        Output CRS; projected (metres), default the national grid ``EPSG:9377``.
    resolution : float
        Pixel size in metres.
    bbox : sequence of 4 floats, optional
        ``xmin, ymin, xmax, ymax`` in ``crs`` (default: the union of the items).
    chunk : int
        Pixels per side of a dask chunk (memory is bounded by chunks, not by the mosaic).
    where : str
        Name of the parameter in error messages.

    Returns
    -------
    xarray.Dataset
        Dimensions ``time, y, x``; one variable per band, the raw stored values.

    """
    import odc.stac
    from pyproj import CRS

    try:
        target = CRS.from_user_input(crs)
    except Exception:
        raise InputError(f"unknown CRS {crs!r}", where="crs", hint="e.g. EPSG:9377") from None
    if not target.is_projected:
        raise InputError(f"{crs} is not a projected CRS", where="crs",
                         hint="areas must be measured in metres: use EPSG:9377 or an equal-area CRS")
    crss = sorted({c for c in (_item_crs(it) for it in items) if c})
    if len(crss) > 1:
        warnings.warn(f"the items come in {len(crss)} CRSs ({', '.join(crss)}); all are reprojected to {crs}",
                      CocamonitorWarning, stacklevel=2)
    kwargs: dict[str, Any] = {}
    if bbox is not None:
        from odc.geo.geobox import GeoBox
        from odc.geo.geom import BoundingBox

        left, bottom, right, top = (float(v) for v in bbox)
        kwargs["geobox"] = GeoBox.from_bbox(BoundingBox(left, bottom, right, top, crs=crs), crs=crs,
                                            resolution=resolution)
    else:
        kwargs.update(crs=crs, resolution=resolution)
    try:
        ds = odc.stac.load(list(items), bands=list(bands), groupby="solar_day",
                           chunks={"x": chunk, "y": chunk, "time": 1}, resampling=_RESAMPLING,
                           fail_on_error=True, **kwargs)
    except ValueError as err:
        raise DataError(f"cannot load the items ({err})", where=where) from None
    return ds
