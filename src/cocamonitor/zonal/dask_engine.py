"""The ``dask`` engine: the same counts, chunk by chunk, on a dask.distributed cluster.

The raster is opened lazily with rioxarray in chunks aligned with its internal blocks. Each
chunk becomes one task that rasterises the zones meeting it and counts classes by zone with
:func:`numpy.bincount`; the sparse per-chunk counts are added up (integer sums, so the result
is identical to the ``numpy`` engine whatever the chunking or the order of completion). The
zones are sent to every worker once (``Client.scatter(..., broadcast=True)``).

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
    window_shape,
)
from cocamonitor.zonal._kernels import Accumulator, BlockCounts
from cocamonitor.zonal._rasterize import ZoneIndex

__all__ = ["dask_client", "run_dask"]


def _require_dask() -> None:
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
        import rioxarray  # noqa: F401
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise InputError(
            f"the dask engine needs the optional packages dask, distributed, xarray and "
            f"rioxarray ({err.name} is missing)",
            where="--engine",
            hint="install them with `pip install 'cocamonitor[dask]'` or use --engine numpy",
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
        raise InputError("give --workers or --scheduler, not both", where="--scheduler")
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as err:
            raise InputError(
                f"cannot connect to the dask scheduler at {scheduler}: {err}",
                where="--scheduler",
                hint="check the address (tcp://HOST:PORT) and that the scheduler is running",
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    n = int(workers) if workers is not None else 2
    if n < 1:
        raise InputError(f"--workers must be at least 1, got {n}", where="--workers")
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


def _count_chunk(
    block: np.ndarray,
    index: ZoneIndex,
    transform_tuple: tuple[float, ...],
    area: PixelArea,
    offset: tuple[int, int],
) -> BlockCounts:
    from affine import Affine

    block = np.asarray(block)
    if block.ndim == 3:
        block = block[0]
    t = Affine(*transform_tuple)
    h, w = block.shape
    cand = index.candidates(index.window_bounds(t, w, h))
    if cand.size == 0:
        return BlockCounts.empty(not area.is_constant)
    # pixel areas are computed on the worker: shipping them would cost 8 bytes a pixel
    units = None if area.is_constant else area.window_units(offset[0], offset[1], h, w)
    return index.count(block, t, row_units=units, candidates=cand)


def run_dask(
    info: RasterInfo,
    index: ZoneIndex,
    area: PixelArea,
    client: Any,
    *,
    window_pixels: int = DEFAULT_WINDOW_PIXELS,
    progress: Callable[[int, int], None] | None = None,
) -> BlockCounts:
    """Count classes by zone with dask; same result as ``run_numpy``.

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
        Approximate pixels per chunk.
    progress : callable, optional
        Called as ``progress(done, total)`` as chunks finish.

    Returns
    -------
    BlockCounts

    """
    _require_dask()
    import dask
    import rioxarray
    from affine import Affine
    from distributed import as_completed

    rows, cols = window_shape(info, max_pixels=window_pixels)
    opened = rioxarray.open_rasterio(
        info.path, chunks={"band": 1, "y": rows, "x": cols}, lock=False, cache=False,
        mask_and_scale=False,
    )
    if isinstance(opened, list):  # only for multi-subdataset files (HDF/netCDF), never a GeoTIFF
        raise InputError(f"raster {info.path} holds several datasets", where="--raster",
                         hint="extract the classified band into a GeoTIFF first")
    arr = opened.isel(band=[0])
    data = arr.data  # dask array (1, height, width)
    index_f = client.scatter(index, broadcast=True, hash=False)
    area_f = client.scatter(area, broadcast=True, hash=False)
    blocks = data.to_delayed()
    row_starts = np.concatenate([[0], np.cumsum(data.chunks[1])])
    col_starts = np.concatenate([[0], np.cumsum(data.chunks[2])])
    tasks = []
    for bi in range(len(data.chunks[1])):
        r0 = int(row_starts[bi])
        h = int(data.chunks[1][bi])
        for bj in range(len(data.chunks[2])):
            c0 = int(col_starts[bj])
            w = int(data.chunks[2][bj])
            t = info.transform @ Affine.translation(c0, r0)
            # skip chunks no zone reaches without reading them
            if index.candidates(index.window_bounds(t, w, h)).size == 0:
                continue
            tasks.append(
                dask.delayed(_count_chunk, pure=False)(
                    blocks[0, bi, bj], index_f, tuple(t)[:6], area_f, (r0, c0)
                )
            )
    acc = Accumulator(with_units=not area.is_constant)
    futures = client.compute(tasks)
    for k, fut in enumerate(as_completed(futures), start=1):
        acc.add(fut.result())
        fut.release()
        if progress is not None:
            progress(k, len(futures))
    return acc.result()
