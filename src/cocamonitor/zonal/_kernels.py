"""Per-block counting kernels shared by the numpy and dask engines.

A block of class values (and optionally a block of zone indices from rasterisation) becomes a
short list of ``(zone, class, pixels, area_units)`` rows with :func:`numpy.bincount` on the
combined key ``zone * span + (class - lowest class)``. Counts are integers and area units are
integers (see :class:`cocamonitor.io.rasters.PixelArea`), so adding blocks up in any order gives
the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["BlockCounts", "count_block", "merge_counts"]


@dataclass(frozen=True)
class BlockCounts:
    """Sparse counts of one block: parallel int64 arrays (``units`` may be ``None``)."""

    zone: np.ndarray
    value: np.ndarray
    pixels: np.ndarray
    units: np.ndarray | None

    @classmethod
    def empty(cls, with_units: bool) -> BlockCounts:
        """No rows."""
        e = np.zeros(0, dtype=np.int64)
        return cls(e, e, e, e if with_units else None)


def _offsets(values: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Return (values - vmin as a non-negative integer array, vmin, span)."""
    if values.dtype == np.uint8:
        return values, 0, 256
    if values.dtype == np.int8:
        return values.astype(np.int16) + 128, -128, 256
    if values.size == 0:
        return values.astype(np.int64), 0, 1
    vmin = int(values.min())
    vmax = int(values.max())
    return values.astype(np.int64) - vmin, vmin, vmax - vmin + 1


def count_block(
    values: np.ndarray,
    zones: np.ndarray | None = None,
    *,
    n_zones: int = 0,
    row_units: np.ndarray | None = None,
) -> BlockCounts:
    """Count the pixels of each class in each zone of one block.

    Parameters
    ----------
    values : numpy.ndarray of int, shape (rows, cols)
        Class values (nodata included; callers split it out afterwards).
    zones : numpy.ndarray of int, shape (rows, cols), optional
        Zone index of each pixel, ``0`` for "no zone" and ``1..n_zones`` for zones. Without it
        every pixel is counted in zone 0.
    n_zones : int
        Largest zone index in ``zones``.
    row_units : numpy.ndarray of int64, shape (rows,), (rows, 1) or (rows, cols), optional
        Integer area of the pixels of each row (or of each pixel); when given, the area units
        of each row of the result are the sum over its pixels.

    Returns
    -------
    BlockCounts
        Rows with at least one pixel. With ``zones`` given, zone 0 is dropped and the zone
        column holds the 1-based index.

    Examples
    --------
    >>> v = np.array([[1, 1, 2], [2, 2, 0]], dtype=np.uint8)
    >>> z = np.array([[1, 1, 1], [0, 2, 2]], dtype=np.int32)
    >>> c = count_block(v, z, n_zones=2)
    >>> list(zip(c.zone.tolist(), c.value.tolist(), c.pixels.tolist()))
    [(1, 1, 2), (1, 2, 1), (2, 0, 1), (2, 2, 1)]

    """
    off, vmin, span = _offsets(values)
    weights = None
    if row_units is not None:
        w_area = np.asarray(row_units, dtype=np.float64)
        weights = np.broadcast_to(w_area[:, None] if w_area.ndim == 1 else w_area, values.shape).ravel()
    if zones is None:
        key = off.ravel()
        size = span
    else:
        size = (n_zones + 1) * span
        # the narrowest integer type that holds the keys: less memory traffic
        kt = np.uint16 if size <= 1 << 16 else np.int32 if size < 1 << 31 else np.intp
        key = zones.astype(kt)
        key *= kt(span)
        np.add(key, off, out=key, casting="unsafe")  # off < span: no overflow
        key = key.ravel()
    if size <= max(1 << 16, 2 * key.size):
        pixels = np.bincount(key, minlength=size)
        idx = np.flatnonzero(pixels)
        pixels = pixels[idx]
        units = None
        if weights is not None:
            # integer-valued float64 sums below 2**53 are exact
            units = np.bincount(key, weights=weights, minlength=size)[idx]
    else:
        idx, inv = np.unique(key, return_inverse=True)
        pixels = np.bincount(inv)
        units = None if weights is None else np.bincount(inv, weights=weights)
    zone = idx // span
    value = idx % span + vmin
    if zones is not None:
        keep = zone > 0
        zone, value, pixels = zone[keep], value[keep], pixels[keep]
        units = None if units is None else units[keep]
    return BlockCounts(
        zone.astype(np.int64),
        value.astype(np.int64),
        pixels.astype(np.int64),
        None if units is None else np.rint(units).astype(np.int64),
    )


def merge_counts(parts: list[BlockCounts]) -> BlockCounts:
    """Add up sparse counts by (zone, value); the order of ``parts`` does not matter.

    Examples
    --------
    >>> a = BlockCounts(np.array([1]), np.array([3]), np.array([2]), None)
    >>> b = BlockCounts(np.array([1, 2]), np.array([3, 3]), np.array([5, 1]), None)
    >>> m = merge_counts([a, b])
    >>> m.zone.tolist(), m.pixels.tolist()
    ([1, 2], [7, 1])

    """
    with_units = bool(parts) and parts[0].units is not None
    parts = [p for p in parts if p.zone.size]
    if not parts:
        return BlockCounts.empty(with_units)
    frame = pd.DataFrame(
        {
            "zone": np.concatenate([p.zone for p in parts]),
            "value": np.concatenate([p.value for p in parts]),
            "pixels": np.concatenate([p.pixels for p in parts]),
        }
    )
    if with_units:
        frame["units"] = np.concatenate([p.units for p in parts])  # type: ignore[misc]
    g = frame.groupby(["zone", "value"], sort=True).sum()
    return BlockCounts(
        g.index.get_level_values(0).to_numpy(np.int64),
        g.index.get_level_values(1).to_numpy(np.int64),
        g["pixels"].to_numpy(np.int64),
        g["units"].to_numpy(np.int64) if with_units else None,
    )


class Accumulator:
    """Collect :class:`BlockCounts` and fold them together now and then (bounded memory)."""

    def __init__(self, with_units: bool, *, fold_rows: int = 2_000_000):
        self._parts: list[BlockCounts] = []
        self._rows = 0
        self._fold_rows = fold_rows
        self._with_units = with_units

    def add(self, part: BlockCounts) -> None:
        """Add one block's counts."""
        self._parts.append(part)
        self._rows += part.zone.size
        if self._rows > self._fold_rows or len(self._parts) >= 64:
            merged = merge_counts(self._parts)
            self._parts = [merged]
            self._rows = merged.zone.size

    def result(self) -> BlockCounts:
        """All counts added so far, merged."""
        if not self._parts:
            return BlockCounts.empty(self._with_units)
        return merge_counts(self._parts)
