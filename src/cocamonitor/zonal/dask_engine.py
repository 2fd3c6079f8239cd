"""The ``dask`` engine: the same counts, shared among the workers of a dask.distributed cluster.

The raster's windows (aligned with its internal blocks, as the ``numpy`` engine reads them)
are dealt into a few tasks per worker. Each task reads its windows straight from the raster,
rasterises the zones meeting each and counts classes by zone with :func:`numpy.bincount`,
and sums the sparse counts of its windows on the worker; the client adds one table per task
(integer sums, so the result is identical to the ``numpy`` engine whatever the split or the
order of completion). The zones are sent to every worker once, as one WKB array
(``Client.scatter(..., broadcast=True)``), before their overlap layers are known: the workers
test the pairs of neighbouring zones for overlap (one share each) and every counting task
colours the overlap graph from their results, so the costliest part of the set-up is shared out
too. Nothing else crosses the network: no pixels, no per-window tables, and a task graph of a
few tasks per worker.

Measured CPU (10^8 px, 10,000 zones): the client's part before the workers start is the reading
of the zones and an envelope query (~0.15 s of ~1.5 s); each worker's part is half the
``numpy`` engine's counting plus half the pair tests. A LocalCluster started here runs its
workers with the ordinary glibc allocator and without the statistical profiler (see
:func:`dask_client`); workers of an existing scheduler keep their own settings.

Run it on a local cluster (``workers=N``) or on an existing scheduler
(``scheduler="tcp://HOST:PORT"``); the workers must be able to read the raster path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from cocamonitor.errors import InputError
from cocamonitor.io.rasters import (
    DEFAULT_WINDOW_PIXELS,
    PixelArea,
    RasterInfo,
    iter_windows,
    window_transform,
)
from cocamonitor.zonal._kernels import Accumulator, BlockCounts
from cocamonitor.zonal._rasterize import (
    ZoneIndex,
    candidate_pairs,
    colour_layers,
    overlapping_pairs,
)

__all__ = ["dask_client", "run_dask"]


def _require_dask() -> None:
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise InputError(
            f"the dask engine needs the optional packages dask and distributed ({err.name} is missing)",
            where="engine",
            hint="install them with `pip install 'cocamonitor[dask]'` or use `engine` numpy",
        ) from None


@contextmanager
def dask_client(
    *, workers: int | None = None, scheduler: str | None = None, processes: bool = True
) -> Iterator[Any]:
    """Yield a ``distributed.Client``: a new LocalCluster or a connection to a scheduler.

    Parameters
    ----------
    workers : int, optional
        Start a LocalCluster with this many single-threaded workers (default 2).
    scheduler : str, optional
        Address of a running scheduler, e.g. ``"tcp://10.0.0.5:8786"``.
    processes : bool, default True
        Workers as processes (``False``: threads in this process, handy for tests).

    """
    _require_dask()
    from distributed import Client, LocalCluster

    if workers is not None and scheduler is not None:
        raise InputError("give `workers` or `scheduler`, not both", where="scheduler")
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as err:
            raise InputError(
                f"cannot connect to the dask scheduler at {scheduler}: {err}",
                where="scheduler",
                hint="check the address (tcp://HOST:PORT) and that the scheduler is running",
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    n = int(workers) if workers is not None else 2
    if n < 1:
        raise InputError(f"`workers` must be at least 1, got {n}", where="workers")
    import dask

    settings = {
        # the workers' statistical profiler samples the busy thread 100 times a second: CPU
        # taken from the counting, for a dashboard that is not started here
        "distributed.worker.profile.enabled": False,
        # dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which turns off glibc's
        # adaptive mmap threshold: every window's arrays (tens of MB) are then mapped and
        # unmapped afresh, ~18,000 page faults per 10^8 px and 10-25 % more CPU than the same
        # counting in an ordinary process. Workers get the ordinary allocator.
        "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    }
    with dask.config.set(settings):
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
            silence_logs=40,
        )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _overlapping(index: ZoneIndex, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Test a share of the candidate pairs for overlap on one worker."""
    return overlapping_pairs(index.geometry, i.astype(np.int64), j.astype(np.int64),
                             min_overlap_area=index.min_overlap_area)


#: Below this many candidate pairs the client tests them itself (a round trip costs more).
_LOCAL_PAIRS = 1_000


def _pair_tasks(index_f: Any, i: np.ndarray, j: np.ndarray, client: Any, n_workers: int,
                n_zones: int) -> list[Any]:
    """Share the tests of the candidate pairs ``(i, j)`` among the workers; return the futures.

    The geometric test of every pair of zones whose envelopes meet is the costly part of the
    set-up (a fifth of the ``numpy`` engine's time with 10,000 zones). The workers hold the
    zones already, so each tests a share of the pairs, and the counting tasks take the results
    and colour the overlap graph themselves (:func:`colour_layers`, milliseconds): no round trip
    through the client. The layers are those :func:`overlap_layers` gives, since they depend on
    the set of overlapping pairs only.
    """
    cuts = np.linspace(0, i.size, n_workers + 1).round().astype(int)
    dt = np.int32 if n_zones < 2**31 else np.int64
    return [client.submit(_overlapping, index_f, i[a:b].astype(dt), j[a:b].astype(dt), pure=False)
            for a, b in zip(cuts[:-1], cuts[1:], strict=True)]


def _count_windows(
    path: str,
    windows: list[tuple[int, int, int, int]],
    index: Any,
    pairs: list[tuple[np.ndarray, np.ndarray]],
    transform_tuple: tuple[float, ...],
    area: PixelArea,
) -> BlockCounts:
    """Read and count a share of the raster's windows on one worker; return their summed counts.

    ``pairs``: the overlapping pairs of zones found by the pair tasks, when the zones were sent
    before their layers were known; the first task on each worker colours them (the same
    layers on every worker) and the worker's copy of the zones keeps the layers.
    """
    import rasterio
    from affine import Affine
    from rasterio.windows import Window

    if pairs and not index.has_layers:
        index.set_layers(colour_layers(len(index.geometry),
                                       np.concatenate([p[0] for p in pairs]).astype(np.int64),
                                       np.concatenate([p[1] for p in pairs]).astype(np.int64)))
    transform = Affine(*transform_tuple)
    acc = Accumulator(with_units=not area.is_constant)
    with rasterio.open(path) as src:
        for col_off, row_off, width, height in windows:
            win = Window(col_off, row_off, width, height)
            t = window_transform(transform, win)
            block = src.read(1, window=win)
            # pixel areas are computed on the worker: shipping them would cost 8 bytes a pixel
            units = None if area.is_constant else area.window_units(row_off, col_off, height, width)
            acc.add(index.count(block, t, row_units=units,
                                candidates=index.candidates(index.window_bounds(t, width, height))))
    return acc.result()


def _n_workers(client: Any) -> int:
    try:
        return max(1, len(client.scheduler_info(n_workers=-1)["workers"]))
    except TypeError:  # older distributed: no n_workers argument
        return max(1, len(client.scheduler_info()["workers"]))


def run_dask(
    info: RasterInfo,
    index: ZoneIndex,
    area: PixelArea,
    client: Any,
    *,
    window_pixels: int = DEFAULT_WINDOW_PIXELS,
    tasks_per_worker: int = 3,
    progress: Callable[[int, int], None] | None = None,
) -> BlockCounts:
    """Count classes by zone with dask; same result as ``run_numpy``.

    The windows that some zone reaches (the ``numpy`` engine's windows, in row-major order)
    are cut into ``tasks_per_worker`` contiguous bands per worker, one task each. Each task
    opens the raster itself, reads and counts its windows and sums their counts on the worker,
    so nothing but the zones (sent once to every worker) and one sparse table per task crosses
    the network, and the client only adds a handful of tables.

    Parameters
    ----------
    info : RasterInfo
        The class raster (workers must be able to open its path).
    index : ZoneIndex
        Zones in the raster's CRS (sent once to every worker).
    area : PixelArea
        Pixel areas.
    client : distributed.Client
        From :func:`dask_client`.
    window_pixels : int
        Approximate pixels per window.
    tasks_per_worker : int
        Tasks per worker: more balance the load better when workers differ in speed.
    progress : callable, optional
        Called as ``progress(done, total)`` as tasks finish.

    Returns
    -------
    BlockCounts

    """
    _require_dask()
    from distributed import as_completed

    windows = []
    for win in iter_windows(info, max_pixels=window_pixels):
        w, h = int(win.width), int(win.height)
        # skip windows no zone reaches without reading them
        if index.candidates(index.window_bounds(window_transform(info.transform, win), w, h)).size:
            windows.append((int(win.col_off), int(win.row_off), w, h))
    acc = Accumulator(with_units=not area.is_constant)
    if not windows:
        return acc.result()
    n_tasks = min(len(windows), tasks_per_worker * _n_workers(client))
    # contiguous bands of windows: a task meets only the zones of its band, so the per-zone
    # set-up (the GeoJSON mappings that rasterio burns) is shared out too, not repeated
    bounds = np.linspace(0, len(windows), n_tasks + 1).round().astype(int)
    shares = [windows[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    pair_fs: list[Any] = []
    if isinstance(index, ZoneIndex) and not index.has_layers:
        i, j = candidate_pairs(index.geometry)
        n_workers = _n_workers(client)
        if i.size > _LOCAL_PAIRS and n_workers > 1:
            # the zones go out before their layers are known; the workers find them
            index_f = client.scatter(index, broadcast=True, hash=False)
            pair_fs = _pair_tasks(index_f, i, j, client, n_workers, len(index.geometry))
        else:
            i, j = overlapping_pairs(index.geometry, i, j, min_overlap_area=index.min_overlap_area)
            index.set_layers(colour_layers(len(index.geometry), i, j))
    if not pair_fs:
        index_f = client.scatter(index, broadcast=True, hash=False)
    area_f = client.scatter(area, broadcast=True, hash=False)
    futures = [client.submit(_count_windows, str(info.path), share, index_f, pair_fs,
                             tuple(info.transform)[:6], area_f, pure=False) for share in shares]
    for k, fut in enumerate(as_completed(futures), start=1):
        acc.add(fut.result())
        fut.release()
        if progress is not None:
            progress(k, len(futures))
    return acc.result()
