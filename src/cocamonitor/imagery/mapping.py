"""From a trained model to maps: training features at points, tiled prediction, strata.

* :func:`point_features` reads the features of reference points, only the tiles that hold
  points.
* :func:`predict_map` classifies the stack tile by tile and writes three cloud-optimised
  GeoTIFFs: ``probability.tif`` (probability of the target class in per cent, uint8, 255
  nodata), ``class.tif`` (most probable class, uint8, 255 nodata) and ``obs_day.tif`` (days
  between the best-pixel observation and the reference date, int16, -32768 nodata). Pixels
  without any cloud-free observation are nodata in all three and their area is reported;
  they are never filled.
* :func:`probability_strata` turns the probability map into strata for ``area design``:
  ``1`` mapped coca (p >= ``high``), ``3`` uncertain (``low`` <= p < ``high``), ``2`` buffer
  (p < ``low`` within ``buffer_m`` of mapped coca or uncertain pixels), ``0`` the rest, and
  ``4`` the pixels without observation (a stratum of their own, so the sample reaches them
  and the estimate covers the whole area).

Memory is bounded by the tile size: each worker reads, features and classifies one tile at a
time (threads of this process, or a dask cluster), without a halo; this process writes each
tile and, once a tile's neighbours are done, reclassifies the ring pixels whose texture they
change (:mod:`cocamonitor.imagery.seams`), so the maps equal those of the whole image at once.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cocamonitor.errors import DataError, InputError, ParameterError
from cocamonitor.imagery.model import TrainedModel
from cocamonitor.imagery.reader import WindowReader, block_cache
from cocamonitor.imagery.seams import SeamTexture, ring_mask
from cocamonitor.imagery.stack import ImageStack, tiles

__all__ = ["ENGINES", "STRATA", "MapSummary", "StrataSummary", "default_workers", "point_features", "predict_map",
           "probability_strata", "strata_from_probability"]

#: Engines of :func:`predict_map`.
ENGINES = ("threads", "dask")

#: Strata codes written by :func:`probability_strata`.
STRATA = {"other": 0, "coca": 1, "buffer": 2, "uncertain": 3, "no_observation": 4}

_NODATA_U8 = 255
_NODATA_DAY = -32768


def point_features(stack: ImageStack, x: np.ndarray, y: np.ndarray, *, tile: int = 512,
                   source: str = "points", workers: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Features of the pixels under points (map coordinates in the stack CRS).

    The tiles holding points are read on ``workers`` threads (default: the CPUs available), one
    reader per thread, without a halo; points on a seam between tiles are read again with
    their one-pixel frame, so every feature equals that of the whole image.

    Returns
    -------
    X : numpy.ndarray, shape (n, n_features)
    n_obs : numpy.ndarray of int, shape (n,)
        Cloud-free observations of each point (0: the features are NaN).

    Raises
    ------
    DataError
        A point outside the imagery (names the row).

    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    row, col = stack.pixel_of(x, y)
    h, w = stack.shape
    out = (row < 0) | (col < 0) | (row >= h) | (col >= w) | ~np.isfinite(x) | ~np.isfinite(y)
    if out.any():
        i = int(np.flatnonzero(out)[0])
        raise DataError(f"point ({x[i]:.1f}, {y[i]:.1f}) is outside the imagery",
                        where=f"{source}, row {i + 2}, column x",
                        hint=f"x/y must be in {stack.crs} inside the catalog's footprint; drop the point")
    nf = len(stack.feature_names)
    X = np.full((x.size, nf), np.nan, dtype=np.float32)
    n_obs = np.zeros(x.size, dtype=np.int64)
    key = (row // tile) * (-(-w // tile)) + col // tile
    n = default_workers() if workers is None else int(workers)
    if n < 1:
        raise ParameterError(f"workers must be at least 1, got {workers}", where="workers")
    local = threading.local()
    readers: list[WindowReader] = []

    def at_points(k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        reader = getattr(local, "reader", None)
        if reader is None:
            reader = local.reader = stack.reader(reuse=True)
            readers.append(reader)
        sel = np.flatnonzero(key == k)
        r0, c0 = int(row[sel[0]] // tile * tile), int(col[sel[0]] // tile * tile)
        r1, c1 = min(r0 + tile, h), min(c0 + tile, w)
        # the tile alone (its own image blocks); a halo would decode a whole extra ring of blocks
        f, nobs, _ = stack.features(r0, r1, c0, c1, reader=reader, halo=False)
        rr, cc = row[sel] - r0, col[sel] - c0
        feats, counts = f[:, rr, cc].T.copy(), nobs[rr, cc]
        # a point on the tile's edge next to another tile: its texture needs that tile's pixels,
        # so it is read again with its own one-pixel frame (exact, a few blocks)
        seam = ((rr == 0) & (r0 > 0)) | ((rr == r1 - r0 - 1) & (r1 < h)) | \
            ((cc == 0) & (c0 > 0)) | ((cc == c1 - c0 - 1) & (c1 < w))
        for j in np.flatnonzero(seam):
            r, c = int(row[sel[j]]), int(col[sel[j]])
            fj, nj, _ = stack.features(r, r + 1, c, c + 1, reader=reader)
            feats[j], counts[j] = fj[:, 0, 0], nj[0, 0]
        return sel, feats, counts

    try:
        with block_cache(), ThreadPoolExecutor(max_workers=n) as pool:
            for sel, feats, nobs in pool.map(at_points, np.unique(key)):  # in order, n tiles at a time
                X[sel] = feats
                n_obs[sel] = nobs
    finally:
        for reader in readers:
            reader.close()
    return X, n_obs


@dataclass(frozen=True)
class MapSummary:
    """What :func:`predict_map` wrote and how much of the area it could map."""

    files: dict[str, str]
    target_class: str
    class_codes: dict[str, int]
    pixels: int
    pixel_area_ha: float
    no_observation_pixels: int
    class_pixels: dict[str, int]

    @property
    def no_observation_ha(self) -> float:
        """Area without any cloud-free observation in the window."""
        return self.no_observation_pixels * self.pixel_area_ha

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        return {"files": dict(self.files), "target_class": self.target_class, "class_codes": dict(self.class_codes),
                "pixels": self.pixels, "pixel_area_ha": self.pixel_area_ha,
                "no_observation_pixels": self.no_observation_pixels, "no_observation_ha": self.no_observation_ha,
                "no_observation_share": self.no_observation_pixels / self.pixels if self.pixels else 0.0,
                "mapped_ha": {c: n * self.pixel_area_ha for c, n in self.class_pixels.items()}}


def _class_codes(classes: list[str]) -> dict[str, int]:
    try:
        codes = {c: int(c) for c in classes}
    except ValueError:
        codes = {c: i for i, c in enumerate(classes)}
    if any(not 0 <= v < _NODATA_U8 for v in codes.values()):
        codes = {c: i for i, c in enumerate(classes)}
    return codes


def _target(model: TrainedModel, target_class: str | None) -> str:
    if target_class is not None:
        if target_class not in model.classes:
            raise ParameterError(f"class {target_class} is not one of the model's classes "
                                 f"({', '.join(model.classes)})", where="target_class")
        return target_class
    for guess in ("1", "coca"):
        if guess in model.classes:
            return guess
    raise ParameterError(f"which class is coca? the model has {', '.join(model.classes)}", where="target_class",
                         hint="name it")


def _tiled_profile(stack: ImageStack, dtype: str, nodata: float) -> dict[str, Any]:
    h, w = stack.shape
    return {"driver": "GTiff", "width": w, "height": h, "count": 1, "dtype": dtype, "crs": stack.crs,
            "transform": stack.transform, "nodata": nodata, "tiled": True, "blockxsize": 256,
            "blockysize": 256, "BIGTIFF": "IF_SAFER"}  # uncompressed: the COG copy compresses once


def _to_cog(src: Path, dst: Path) -> None:
    from rasterio.shutil import copy as rio_copy

    rio_copy(str(src), str(dst), driver="COG", compress="deflate", blocksize=512, BIGTIFF="IF_SAFER")
    src.unlink()


@dataclass
class _Ring:
    """A tile's outer ring as first classified, kept until its neighbours complete its texture."""

    features: np.ndarray  # (feature, ring pixel)
    ok: np.ndarray  # observed ring pixels
    proba: np.ndarray  # per cent, uint8 (255: no observation)
    classes: np.ndarray  # class codes, uint8 (255: no observation)
    best: np.ndarray  # index of the most probable class of the observed ring pixels


@dataclass
class _Tile:
    """One classified tile: its three map windows, class counts, NDVI and ring."""

    proba: np.ndarray
    classes: np.ndarray
    obs_day: np.ndarray
    counts: np.ndarray
    ndvi: np.ndarray
    ring: _Ring


def _predict(model: TrainedModel, flat: np.ndarray, rows: np.ndarray | None, *, n_classes: int, batch: int,
             threads: int | None) -> np.ndarray:
    """Class probabilities of the columns ``rows`` (all when ``None``) of ``flat`` (feature, pixel)."""
    n = flat.shape[1] if rows is None else rows.size
    proba = np.empty((n, n_classes), dtype=np.float32)
    # one row-major buffer in the model's dtype, refilled batch by batch: a few MB that stay in
    # the allocator's heap, not a fresh mapping of zeroed pages per batch
    buf: np.ndarray = np.empty((min(batch, n), flat.shape[0]), dtype=model.input_dtype)
    with nullcontext() if threads is None else model.limit_threads(threads):  # one limit, many calls
        for s in range(0, n, batch):
            part = flat[:, s:s + batch] if rows is None else flat[:, rows[s:s + batch]]
            rows_here = buf[:part.shape[1]]
            np.copyto(rows_here, part.T)
            proba[s:s + batch] = model.predict_proba(rows_here, threads=threads)
    return proba


def _classify_tile(model: TrainedModel, stack: ImageStack, bounds: tuple[int, int, int, int], *, ti: int,
                   code_of: np.ndarray, batch: int, threads: int | None,
                   reader: WindowReader | None = None) -> _Tile:
    """Classify one tile read without a halo (its ring's texture is completed later)."""
    r0, r1, c0, c1 = bounds
    f, nobs, day = stack.features(r0, r1, c0, c1, reader=reader, halo=False)
    ok = nobs > 0
    flat = f.reshape(f.shape[0], -1)  # (feature, pixel): the predictor wants contiguous rows
    proba = _predict(model, flat, None if ok.all() else np.flatnonzero(ok.reshape(-1)), n_classes=code_of.size,
                     batch=batch, threads=threads)
    pmap = np.full(ok.shape, _NODATA_U8, dtype=np.uint8)
    cmap = np.full(ok.shape, _NODATA_U8, dtype=np.uint8)
    pmap[ok] = np.round(proba[:, ti] * 100).astype(np.uint8)
    best = proba.argmax(axis=1)
    cmap[ok] = code_of[best]
    dmap = np.where(ok, np.nan_to_num(day, nan=_NODATA_DAY), _NODATA_DAY).astype(np.int16)
    ring = ring_mask(*ok.shape)
    best_map = np.zeros(ok.shape, dtype=np.intp)
    best_map[ok] = best
    tile = _Tile(proba=pmap, classes=cmap, obs_day=dmap, counts=np.bincount(best, minlength=code_of.size),
                 ndvi=f[len(stack.bands)].copy(),
                 ring=_Ring(features=f[:, ring], ok=ok[ring], proba=pmap[ring], classes=cmap[ring],
                            best=best_map[ring][ok[ring]]))
    return tile


def _complete_ring(model: TrainedModel, ring: _Ring, texture: np.ndarray, *, ti: int, code_of: np.ndarray,
                   counts: np.ndarray) -> bool:
    """Reclassify the ring pixels whose texture changed; update ``ring`` and ``counts`` in place."""
    old = ring.features[-1]  # the texture is the last feature (features.feature_names)
    changed = ring.ok & ~((texture == old) | (np.isnan(texture) & np.isnan(old)))
    if not changed.any():
        return False
    ring.features[-1] = texture
    cols = np.flatnonzero(changed)
    proba = _predict(model, ring.features, cols, n_classes=code_of.size, batch=cols.size, threads=1)
    at = np.flatnonzero(changed[ring.ok])  # positions among the observed ring pixels
    counts -= np.bincount(ring.best[at], minlength=code_of.size)
    best = proba.argmax(axis=1)
    counts += np.bincount(best, minlength=code_of.size)
    ring.best[at] = best
    ring.proba[cols] = np.round(proba[:, ti] * 100).astype(np.uint8)
    ring.classes[cols] = code_of[best]
    return True


def _ring_windows(bounds: tuple[int, int, int, int]) -> list[tuple[int, int, int, int]]:
    """Cut a tile's ring into its four sides, windows ``(r0, r1, c0, c1)`` in tile pixels."""
    h, w = bounds[1] - bounds[0], bounds[3] - bounds[2]
    return [(0, 1, 0, w), (h - 1, h, 0, w), (0, h, 0, 1), (0, h, w - 1, w)]


def _write_ring(dp: Any, dc: Any, bounds: tuple[int, int, int, int], ring: _Ring) -> None:
    """Rewrite a tile's ring in the probability and class maps."""
    from rasterio.windows import Window

    r0, r1, c0, c1 = bounds
    mask = ring_mask(r1 - r0, c1 - c0)
    for dst, values in ((dp, ring.proba), (dc, ring.classes)):
        patch = np.zeros(mask.shape, dtype=np.uint8)
        patch[mask] = values
        for a0, a1, b0, b1 in _ring_windows(bounds):
            dst.write(patch[a0:a1, b0:b1], 1, window=Window(c0 + b0, r0 + a0, b1 - b0, a1 - a0))


def default_workers() -> int:
    """Tiles classified at once by default: the CPUs this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def _tile_task(model: TrainedModel, stack: ImageStack, bounds: tuple[int, int, int, int], *, ti: int,
               code_of: np.ndarray, batch: int) -> _Tile:
    """Classify one tile on a dask worker (its own reader and block cache)."""
    with block_cache(), stack.reader(reuse=True) as reader:
        return _classify_tile(model, stack, bounds, ti=ti, code_of=code_of, batch=batch, threads=1, reader=reader)


@contextmanager
def _tile_runner(engine: str, *, model: TrainedModel, stack: ImageStack, workers: int | None,
                 scheduler: str | None, client: Any, ti: int, code_of: np.ndarray,
                 batch: int) -> Iterator[tuple[Callable[[tuple[int, int, int, int]], Any], int]]:
    """Yield ``submit(bounds) -> future`` and how many tiles to keep in flight, for the engine."""
    if engine == "threads":
        n = default_workers() if workers is None else int(workers)
        local = threading.local()  # one reader per worker thread: its files stay open across tiles
        readers: list[WindowReader] = []

        def work(bounds: tuple[int, int, int, int]) -> _Tile:
            reader = getattr(local, "reader", None)
            if reader is None:
                reader = local.reader = stack.reader(reuse=True)
                readers.append(reader)
            return _classify_tile(model, stack, bounds, ti=ti, code_of=code_of, batch=batch,
                                  threads=1 if n > 1 else None, reader=reader)

        try:
            with ThreadPoolExecutor(max_workers=n) as pool:
                yield (lambda bounds: pool.submit(work, bounds)), n
        finally:
            for reader in readers:
                reader.close()
        return
    from cocamonitor.zonal.dask_engine import dask_client

    with nullcontext(client) if client is not None else dask_client(workers=workers, scheduler=scheduler) as cl:
        model_f, stack_f = cl.scatter([model, stack], broadcast=True)
        # two tiles per worker thread: one computing, one waiting while this process writes
        in_flight = 2 * max(sum(cl.nthreads().values()), 1)
        yield (lambda bounds: cl.submit(_tile_task, model_f, stack_f, bounds, ti=ti, code_of=code_of, batch=batch,
                                        pure=False)), in_flight


def predict_map(model: TrainedModel, stack: ImageStack, out_dir: str | Path, *, tile: int = 512,
                target_class: str | None = None, batch: int = 1 << 16, workers: int | None = None,
                engine: str = "threads", scheduler: str | None = None, client: Any = None,
                progress: Callable[[int, int], None] | None = None) -> MapSummary:
    """Classify the stack tile by tile and write the probability, class and observation-day COGs.

    Parameters
    ----------
    model : TrainedModel
        Trained on the same features (checked by name).
    stack : ImageStack
        The imagery to classify.
    out_dir : str or Path
        Folder for ``probability.tif``, ``class.tif`` and ``obs_day.tif``.
    tile : int
        Pixels per side of a tile (memory: about ``tile**2 * dates * bands * 8`` bytes).
    target_class : str, optional
        The coca class (default ``"1"`` or ``"coca"``).
    batch : int
        Rows per ``predict_proba`` call.
    workers : int, optional
        ``threads``: tiles read, featured and classified at once, each on its own thread (the
        reading, the numpy features and the classifier release the GIL); default: the CPUs
        available. ``dask``: processes of the local cluster started (default 2). Memory grows
        with ``workers`` tiles, never with the grid.
    engine : {"threads", "dask"}
        Where tiles are classified: threads of this process, or the workers of a dask cluster
        (a local one, ``scheduler``'s, or ``client``), as in :func:`cocamonitor.zonal.tally`.
        The workers read the catalog's files themselves: they must see the same paths. This
        process writes the maps and completes the tiles' seams.
    scheduler : str, optional
        ``dask``: address of a running scheduler (``tcp://HOST:PORT``).
    client : distributed.Client, optional
        ``dask``: an existing client (overrides ``workers`` and ``scheduler``).
    progress : callable, optional
        Called as ``progress(done_tiles, total_tiles)``.

    Returns
    -------
    MapSummary

    """
    import rasterio
    from rasterio.windows import Window

    if list(model.card.features) != stack.feature_names:
        raise InputError("the model was trained on other features than this imagery gives", where="model",
                         hint=f"model: {', '.join(model.card.features)}; imagery: {', '.join(stack.feature_names)}")
    target = _target(model, target_class)
    if engine not in ENGINES:
        raise ParameterError(f"unknown engine {engine!r}", where="engine", hint=f"one of {', '.join(ENGINES)}")
    if workers is not None and int(workers) < 1:
        raise ParameterError(f"workers must be at least 1, got {workers}", where="workers")
    if engine == "threads" and (scheduler is not None or client is not None):
        raise ParameterError("a dask scheduler or client needs the dask engine", where="engine",
                             hint="use engine dask")
    codes = _class_codes(model.classes)
    code_of = np.array([codes[c] for c in model.classes], dtype=np.uint8)
    ti = model.classes.index(target)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = {"probability": "probability.tif", "class": "class.tif", "obs_day": "obs_day.tif"}
    tmp = {k: out / f".{v}.partial" for k, v in names.items()}
    h, w = stack.shape
    n_no = 0
    counts = np.zeros(len(model.classes), dtype=np.int64)
    all_tiles = list(tiles(h, w, tile))
    seams = SeamTexture(h, w, tile)  # tiles are read without a halo: their rings are completed here
    rings: dict[tuple[int, int, int, int], _Ring] = {}
    try:
        with block_cache(), \
                rasterio.open(tmp["probability"], "w", **_tiled_profile(stack, "uint8", _NODATA_U8)) as dp, \
                rasterio.open(tmp["class"], "w", **_tiled_profile(stack, "uint8", _NODATA_U8)) as dc, \
                rasterio.open(tmp["obs_day"], "w", **_tiled_profile(stack, "int16", _NODATA_DAY)) as dd:
            with _tile_runner(engine, model=model, stack=stack, workers=workers, scheduler=scheduler,
                              client=client, ti=ti, code_of=code_of, batch=batch) as (submit, in_flight):
                # a bounded number of tiles in flight: memory is bounded by the tile, not the grid
                pending: deque = deque()
                queue = iter(all_tiles)
                for bounds in queue:
                    pending.append((bounds, submit(bounds)))
                    if len(pending) >= in_flight:
                        break
                done = 0
                if progress is not None:
                    progress(0, len(all_tiles))  # the total is known before the first tile is done
                while pending:
                    (r0, r1, c0, c1), fut = pending.popleft()
                    nxt = next(queue, None)
                    if nxt is not None:
                        pending.append((nxt, submit(nxt)))
                    res = fut.result()
                    counts += res.counts
                    n_no += int((res.proba == _NODATA_U8).sum())
                    win = Window(c0, r0, c1 - c0, r1 - r0)
                    dp.write(res.proba, 1, window=win)
                    dc.write(res.classes, 1, window=win)
                    dd.write(res.obs_day, 1, window=win)
                    rings[(r0, r1, c0, c1)] = res.ring
                    for seam_bounds, texture in seams.add((r0, r1, c0, c1), res.ndvi):
                        ring = rings.pop(seam_bounds)
                        if _complete_ring(model, ring, texture, ti=ti, code_of=code_of, counts=counts):
                            _write_ring(dp, dc, seam_bounds, ring)
                    del res
                    done += 1
                    if progress is not None:
                        progress(done, len(all_tiles))
            dp.update_tags(1, meaning=f"probability of class {target}, per cent", scale="0.01")
            dc.update_tags(1, classes=", ".join(f"{v}={c}" for c, v in codes.items()))
            dd.update_tags(1, meaning=f"days from {stack.reference_date} of the best-pixel observation")
        # the three copies (compression and overviews, seconds per 10^8 px each) run side by side
        with ThreadPoolExecutor(max_workers=len(names)) as pool:
            for fut in [pool.submit(_to_cog, tmp[k], out / v) for k, v in names.items()]:
                fut.result()
    finally:
        for p in tmp.values():
            if p.exists():
                os.unlink(p)
    return MapSummary(files={k: str(out / v) for k, v in names.items()}, target_class=target, class_codes=codes,
                      pixels=h * w, pixel_area_ha=stack.pixel_area_ha, no_observation_pixels=n_no,
                      class_pixels={c: int(n) for c, n in zip(model.classes, counts, strict=True)})


@dataclass(frozen=True)
class StrataSummary:
    """Pixels and hectares per stratum written by :func:`probability_strata`."""

    path: str
    pixels: dict[str, int]
    pixel_area_ha: float
    parameters: dict[str, float]

    def to_frame(self) -> Any:
        """One row per stratum: ``stratum, code, pixels, area_ha``."""
        import pandas as pd

        return pd.DataFrame([{"stratum": k, "code": STRATA[k], "pixels": v, "area_ha": v * self.pixel_area_ha}
                             for k, v in self.pixels.items()])

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        return {"path": self.path, "codes": dict(STRATA), "pixels": dict(self.pixels),
                "area_ha": {k: v * self.pixel_area_ha for k, v in self.pixels.items()},
                "parameters": dict(self.parameters)}


def _disk(radius: int) -> np.ndarray:
    r = np.arange(-radius, radius + 1)
    return (r[:, None] ** 2 + r[None, :] ** 2) <= radius * radius


def strata_from_probability(prob: np.ndarray, *, high: float, low: float, radius_px: int,
                            nodata: int = _NODATA_U8) -> np.ndarray:
    """Strata codes (:data:`STRATA`) of a probability array in per cent (numpy, one window).

    Examples
    --------
    >>> p = np.array([[0, 0, 0, 0], [0, 80, 0, 0], [0, 0, 0, 30], [255, 0, 0, 0]], dtype=np.uint8)
    >>> strata_from_probability(p, high=0.5, low=0.1, radius_px=1).tolist()
    [[0, 2, 0, 0], [2, 1, 2, 2], [0, 2, 2, 3], [4, 0, 0, 2]]

    """
    from scipy import ndimage

    obs = prob != nodata
    p = prob.astype(np.float32) / 100.0
    coca = obs & (p >= high)
    unsure = obs & (p >= low) & ~coca
    out = np.full(prob.shape, STRATA["other"], dtype=np.uint8)
    if radius_px > 0:
        near = ndimage.binary_dilation(coca | unsure, structure=_disk(radius_px))
        out[near] = STRATA["buffer"]
    out[unsure] = STRATA["uncertain"]
    out[coca] = STRATA["coca"]
    out[~obs] = STRATA["no_observation"]
    return out


def probability_strata(probability: str | Path, out: str | Path, *, high: float = 0.5, low: float = 0.1,
                       buffer_m: float = 100.0, tile: int = 1024) -> StrataSummary:
    """Write the strata map of a probability COG (see module docstring), window by window.

    Parameters
    ----------
    probability : str or Path
        ``probability.tif`` from :func:`predict_map` (per cent, 255 nodata).
    out : str or Path
        Strata GeoTIFF (COG) to write.
    high, low : float
        Probability thresholds of the mapped-coca and the uncertain strata.
    buffer_m : float
        Width of the buffer around mapped-coca and uncertain pixels, metres (0: no buffer).
    tile : int
        Window side in pixels.

    Returns
    -------
    StrataSummary

    """
    import rasterio
    from rasterio.windows import Window

    from cocamonitor.io.rasters import open_raster

    if not 0 < low < high <= 1:
        raise ParameterError(f"need 0 < low < high <= 1, got low={low}, high={high}", where="low/high")
    if buffer_m < 0:
        raise ParameterError(f"buffer must be >= 0, got {buffer_m}", where="buffer_m")
    info = open_raster(probability, where="probability")
    if info.dtype != "uint8" or info.nodata != _NODATA_U8:
        raise DataError(f"{probability} is not a probability map from `map predict` (uint8, nodata 255)",
                        where="probability")
    if info.crs is None or not info.crs.is_projected:
        raise DataError(f"{probability} is not in a projected CRS", where="probability",
                        hint="predict in EPSG:9377 or an equal-area CRS")
    px = abs(info.transform.a)
    radius = int(round(buffer_m / px))
    outp = Path(out)
    tmp = outp.with_name(f".{outp.name}.partial")
    counts = np.zeros(len(STRATA), dtype=np.int64)
    prof = {"driver": "GTiff", "width": info.width, "height": info.height, "count": 1, "dtype": "uint8",
            "crs": info.crs, "transform": info.transform, "nodata": _NODATA_U8, "tiled": True,
            "blockxsize": 256, "blockysize": 256, "compress": "deflate"}
    try:
        with rasterio.open(info.path) as src, rasterio.open(tmp, "w", **prof) as dst:
            for r0, r1, c0, c1 in tiles(info.height, info.width, tile):
                a0, a1 = max(r0 - radius, 0), min(r1 + radius, info.height)
                b0, b1 = max(c0 - radius, 0), min(c1 + radius, info.width)
                p = src.read(1, window=Window(b0, a0, b1 - b0, a1 - a0))
                s = strata_from_probability(p, high=high, low=low, radius_px=radius)
                s = s[r0 - a0:r0 - a0 + r1 - r0, c0 - b0:c0 - b0 + c1 - c0]
                counts += np.bincount(s.reshape(-1), minlength=len(STRATA))[:len(STRATA)]
                dst.write(s, 1, window=Window(c0, r0, c1 - c0, r1 - r0))
            dst.update_tags(1, strata=", ".join(f"{v}={k}" for k, v in STRATA.items()))
        _to_cog(tmp, outp)
    finally:
        if tmp.exists():
            tmp.unlink()
    ha = abs(info.transform.a * info.transform.e) / 10_000.0
    return StrataSummary(path=str(outp), pixels={k: int(counts[v]) for k, v in STRATA.items()}, pixel_area_ha=ha,
                         parameters={"high": high, "low": low, "buffer_m": buffer_m})
