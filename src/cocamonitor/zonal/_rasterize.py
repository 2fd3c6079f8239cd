"""Zone indices per window: overlap layers and rasterisation with the pixel-centre rule.

Zones that overlap cannot share one zone-index raster, so they are split into *layers* of
zones whose interiors do not meet (a greedy colouring of the overlap graph built with an
STRtree); each layer is rasterised separately and every pixel is counted once per layer.
Zones that only touch stay in one layer. A pixel is in a zone when its centre is inside the
polygon (GDAL's rule with ``all_touched=False``, the rule rasterstats uses). A pixel whose
centre lies *exactly* on a boundary shared by two zones of one layer is counted in one of
them, where rasterstats, rasterising each zone alone, may count it in both.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from affine import Affine
from rasterio.features import rasterize
from shapely import STRtree

from cocamonitor.zonal._kernels import BlockCounts, count_block

__all__ = ["ZoneIndex", "candidate_pairs", "colour_layers", "overlap_layers", "overlapping_pairs"]


def candidate_pairs(geometry: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``i < j`` of zones whose envelopes meet: the only pairs that can overlap.

    An envelope query of an STRtree; cheap next to :func:`overlapping_pairs`, which does the
    geometric test (a GEOS ``intersects`` predicate here would only repeat part of it).
    """
    if len(geometry) < 2:
        e = np.zeros(0, dtype=np.int64)
        return e, e
    i, j = STRtree(geometry).query(geometry)
    pick = i < j
    return i[pick].astype(np.int64), j[pick].astype(np.int64)


def overlapping_pairs(
    geometry: np.ndarray, i: np.ndarray, j: np.ndarray, *, min_overlap_area: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Keep the pairs ``(i, j)`` whose interiors meet (by more than ``min_overlap_area``).

    Pairs are tested independently, so the candidate pairs may be split into chunks and the
    chunks tested anywhere (the ``dask`` engine tests them on its workers) with the same result.
    """
    if i.size == 0:
        return i, j
    inner = shapely.relate_pattern(geometry[i], geometry[j], "T********")
    i, j = i[inner], j[inner]
    if i.size and min_overlap_area > 0:
        big = shapely.area(shapely.intersection(geometry[i], geometry[j])) > min_overlap_area
        i, j = i[big], j[big]
    return i, j


def colour_layers(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Greedy colouring of the overlap graph with edges ``(i, j)``: a layer for each of ``n`` zones.

    Most-connected zones first; only zones with overlaps are visited. The layers depend on the
    set of edges only, not on their order.
    """
    layer = np.zeros(n, dtype=np.int64)
    if i.size == 0:
        return layer
    a = np.concatenate([i, j])
    b = np.concatenate([j, i])
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    starts = np.searchsorted(a, np.arange(n + 1))
    nodes = np.unique(a)
    degree = starts[nodes + 1] - starts[nodes]
    layer[:] = -1
    for node in nodes[np.argsort(-degree, kind="stable")]:
        used = layer[b[starts[node] : starts[node + 1]]]
        free = 0
        taken = set(used[used >= 0].tolist())
        while free in taken:
            free += 1
        layer[node] = free
    layer[layer < 0] = 0
    return layer


def overlap_layers(geometry: np.ndarray, *, min_overlap_area: float = 0.0) -> np.ndarray:
    """Assign each zone a layer so that zones in one layer have disjoint interiors.

    Parameters
    ----------
    geometry : numpy.ndarray of shapely geometries
        The zones.
    min_overlap_area : float, default 0
        Overlaps of this area or less count as touching. Boundaries shared by neighbouring
        zones often differ by floating-point noise, which leaves slivers of ~1e-9 m width; a
        threshold of a millionth of a pixel keeps them from doubling the work.

    Returns
    -------
    numpy.ndarray of int
        Layer number of each zone (0 for every zone when none overlap).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> overlap_layers(np.array([box(0, 0, 2, 2), box(1, 1, 3, 3), box(2, 0, 4, 1)])).tolist()
    [0, 1, 0]

    """
    i, j = candidate_pairs(geometry)
    i, j = overlapping_pairs(geometry, i, j, min_overlap_area=min_overlap_area)
    return colour_layers(len(geometry), i, j)


class ZoneIndex:
    """Find the zones near a window and count a block of classes by zone.

    Parameters
    ----------
    geometry : numpy.ndarray of shapely geometries
        Zones in the raster's CRS.

    """

    def __init__(self, geometry: np.ndarray, *, min_overlap_area: float = 0.0,
                 layers: np.ndarray | None = None):
        self.geometry = geometry
        self.min_overlap_area = min_overlap_area
        self.envelopes = shapely.bounds(geometry)
        self._layers: np.ndarray | None = None
        self.n_layers = 0
        self._shapes: dict[int, Any] = {}
        if layers is not None:
            self.set_layers(layers)

    @property
    def has_layers(self) -> bool:
        """Whether the overlap layers are known (they are computed on first use otherwise)."""
        return self._layers is not None

    @property
    def layers(self) -> np.ndarray:
        """Overlap layer of each zone (:func:`overlap_layers`), computed on first use."""
        if self._layers is None:
            self.set_layers(overlap_layers(self.geometry, min_overlap_area=self.min_overlap_area))
        assert self._layers is not None
        return self._layers

    def set_layers(self, layers: np.ndarray) -> None:
        """Give the overlap layers computed elsewhere (e.g. by the ``dask`` engine's workers)."""
        layers = np.asarray(layers, dtype=np.int64)
        if layers.shape != (len(self.geometry),):
            raise ValueError(f"{layers.shape[0]} layers for {len(self.geometry)} zones")
        # n_layers first: another thread that sees the layers must see their number too
        self.n_layers = int(layers.max()) + 1 if layers.size else 0
        self._layers = layers

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_shapes"] = {}  # rebuilt where used
        # one vectorised WKB encoding: pickling shapely objects one by one costs ~6x more
        state["geometry"] = shapely.to_wkb(self.geometry)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["geometry"] = shapely.from_wkb(state["geometry"])
        self.__dict__.update(state)

    def _shape(self, k: int) -> Any:
        """GeoJSON-like mapping of zone ``k``, built once (rasterio wants mappings)."""
        shp = self._shapes.get(k)
        if shp is None:
            shp = self._shapes[k] = self.geometry[k].__geo_interface__
        return shp

    def candidates(self, bounds: tuple[float, float, float, float]) -> np.ndarray:
        """Return the sorted indices of zones whose envelopes meet ``bounds``."""
        e = self.envelopes
        hit = (e[:, 0] < bounds[2]) & (e[:, 2] > bounds[0]) & (e[:, 1] < bounds[3]) & (
            e[:, 3] > bounds[1]
        )
        return np.flatnonzero(hit)

    def window_bounds(self, transform: Affine, width: int, height: int):
        """Bounds of a ``height`` x ``width`` grid with ``transform``."""
        return _bounds(transform, width, height)

    def count(
        self,
        block: np.ndarray,
        transform: Affine,
        *,
        row_units: np.ndarray | None = None,
        candidates: np.ndarray | None = None,
    ) -> BlockCounts:
        """Count the classes of ``block`` (whose grid is ``transform``) in every zone.

        Returns :class:`BlockCounts` with 0-based global zone indices.
        """
        h, w = block.shape
        if candidates is None:
            candidates = self.candidates(_bounds(transform, w, h))
        parts = []
        layers = self.layers[candidates]  # first: computes the layers if not known yet
        for lay in range(self.n_layers):
            pos = np.flatnonzero(layers == lay)
            if pos.size == 0:
                continue
            cand = candidates[pos]
            pos = pos + 1
            zl = rasterize(
                ((self._shape(int(k)), int(v)) for k, v in zip(cand, pos, strict=True)),
                out_shape=(h, w),
                transform=transform,
                fill=0,
                all_touched=False,
                # GDAL burns small integer types fastest
                dtype="uint16" if candidates.size < 65535 else "int32",
            )
            c = count_block(block, zl, n_zones=int(candidates.size), row_units=row_units)
            parts.append(BlockCounts(candidates[c.zone - 1], c.value, c.pixels, c.units))
        if not parts:
            return BlockCounts.empty(row_units is not None)
        if len(parts) == 1:
            return parts[0]
        return BlockCounts(
            np.concatenate([p.zone for p in parts]),
            np.concatenate([p.value for p in parts]),
            np.concatenate([p.pixels for p in parts]),
            None if row_units is None else np.concatenate([p.units for p in parts]),
        )


def _bounds(t: Affine, width: int, height: int) -> tuple[float, float, float, float]:
    xs = (t.c, t.c + t.a * width)
    ys = (t.f, t.f + t.e * height)
    return (min(xs), min(ys), max(xs), max(ys))


class GridIndex:
    """Square cells of a :class:`cocamonitor.grid.GridSpec` as zones (same interface as ZoneIndex).

    A pixel belongs to the cell that holds its centre; cells are numbered row by row
    (``row * ncols + col``). No polygons are rasterised: the cell of each pixel follows from
    its coordinates.
    """

    def __init__(self, spec: Any):
        self.spec = spec

    def candidates(self, bounds: tuple[float, float, float, float]) -> np.ndarray:
        """Return ``[0]`` when ``bounds`` meet the grid (windows are never skipped), else empty."""
        s = self.spec
        x1, y1 = s.x0 + s.ncols * s.cell, s.y0 - s.nrows * s.cell
        inside = bounds[0] < x1 and bounds[2] > s.x0 and bounds[1] < s.y0 and bounds[3] > y1
        return np.zeros(1 if inside else 0, dtype=np.int64)

    def window_bounds(self, transform: Affine, width: int, height: int):
        """Bounds of a ``height`` x ``width`` grid with ``transform``."""
        return _bounds(transform, width, height)

    def count(
        self,
        block: np.ndarray,
        transform: Affine,
        *,
        row_units: np.ndarray | None = None,
        candidates: np.ndarray | None = None,
    ) -> BlockCounts:
        """Count the classes of ``block`` in every cell; zone = global cell number."""
        s = self.spec
        h, w = block.shape
        xc = transform.c + transform.a * (np.arange(w) + 0.5)
        yc = transform.f + transform.e * (np.arange(h) + 0.5)
        cc = np.floor((xc - s.x0) / s.cell).astype(np.int64)
        rr = np.floor((s.y0 - yc) / s.cell).astype(np.int64)
        c0, r0 = int(cc.min()), int(rr.min())
        nc = int(cc.max()) - c0 + 1
        nr = int(rr.max()) - r0 + 1
        local = ((rr - r0)[:, None] * nc + (cc - c0)[None, :] + 1).astype(np.int32)
        c = count_block(block, local, n_zones=nr * nc, row_units=row_units)
        z = c.zone - 1
        cell = (r0 + z // nc) * s.ncols + (c0 + z % nc)
        return BlockCounts(cell.astype(np.int64), c.value, c.pixels, c.units)
