"""The texture of a tile's outer ring, completed from its neighbours instead of a halo read.

The texture feature of a pixel looks at its 3 x 3 neighbourhood, so the outer ring of a tile
needs one pixel of each neighbouring tile. Reading a one-pixel halo around every tile costs
far more than one pixel: the image is stored in compressed blocks (256 to 1,024 px a side),
and a halo touches a whole extra row and column of blocks on every side. A 1,024 px tile of
256 px blocks decodes 36 blocks instead of 16; of 1,024 px blocks, 9 instead of 1.

So tiles are read without a halo. Each tile's texture is computed with its own edge standing
in beyond it (exact at the image edge), and :class:`SeamTexture` keeps the NDVI of each
finished tile's two outer rows and columns. Once every neighbour of a tile is finished, it
returns the exact texture of that tile's ring, the same numbers to the bit as a halo read or
the whole image at once (:func:`cocamonitor.imagery.features.ndvi_texture` adds the nine
values of a window in one fixed order). Frames are dropped as soon as no unfinished tile
needs them: memory grows with the width of the image in tiles, not its area.

Examples
--------
>>> import numpy as np
>>> from cocamonitor.imagery.features import ndvi_texture
>>> ndvi = np.random.default_rng(0).uniform(0, 1, (6, 7)).astype(np.float32)
>>> seams = SeamTexture(6, 7, tile=4)
>>> done = {}
>>> for r0, r1, c0, c1 in [(0, 4, 0, 4), (0, 4, 4, 7), (4, 6, 0, 4), (4, 6, 4, 7)]:
...     for bounds, tex in seams.add((r0, r1, c0, c1), ndvi[r0:r1, c0:c1]):
...         done[bounds] = tex
>>> whole = ndvi_texture(np.pad(ndvi, 1, mode="edge"))
>>> ring = ring_mask(4, 4)
>>> bool(np.array_equal(done[(0, 4, 0, 4)], whole[0:4, 0:4][ring]))
True

"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cocamonitor.imagery.features import ndvi_texture

__all__ = ["SeamTexture", "ring_mask"]

Bounds = tuple[int, int, int, int]


def ring_mask(height: int, width: int) -> np.ndarray:
    """Mark the outer one-pixel ring of a ``height`` x ``width`` tile (``True``).

    Examples
    --------
    >>> ring_mask(3, 4).astype(int).tolist()
    [[1, 1, 1, 1], [1, 0, 0, 1], [1, 1, 1, 1]]

    """
    mask = np.zeros((height, width), dtype=bool)
    mask[:1] = mask[-1:] = True
    mask[:, :1] = mask[:, -1:] = True
    return mask


@dataclass(frozen=True)
class _Frame:
    """NDVI of a tile's two outer rows and columns (all of it for a tile under 2 px a side)."""

    bounds: Bounds
    top: np.ndarray
    bottom: np.ndarray
    left: np.ndarray
    right: np.ndarray

    @classmethod
    def of(cls, bounds: Bounds, ndvi: np.ndarray) -> _Frame:
        return cls(bounds, ndvi[:2].copy(), ndvi[-2:].copy(), ndvi[:, :2].copy(), ndvi[:, -2:].copy())

    def row(self, r: int, cols: np.ndarray) -> np.ndarray:
        """Values of image row ``r`` (one of the two outer rows) at image columns ``cols``."""
        r0, r1, c0, _ = self.bounds
        if r - r0 < self.top.shape[0]:
            return self.top[r - r0, cols - c0]
        return self.bottom[self.bottom.shape[0] - (r1 - r), cols - c0]

    def col(self, c: int, rows: np.ndarray) -> np.ndarray:
        """Values of image column ``c`` (one of the two outer columns) at image rows ``rows``."""
        r0, _, c0, c1 = self.bounds
        if c - c0 < self.left.shape[1]:
            return self.left[rows - r0, c - c0]
        return self.right[rows - r0, self.right.shape[1] - (c1 - c)]


class SeamTexture:
    """Exact ring texture of each tile once its neighbours are finished (see module docstring).

    Parameters
    ----------
    height, width : int
        Size of the image in pixels.
    tile : int
        Side of the tiles (row-major grid from the top-left pixel, as
        :func:`cocamonitor.imagery.stack.tiles` cuts it).

    """

    def __init__(self, height: int, width: int, tile: int) -> None:
        self.height, self.width, self.tile = int(height), int(width), int(tile)
        self.rows = -(-self.height // self.tile)
        self.cols = -(-self.width // self.tile)
        self._frames: dict[tuple[int, int], _Frame] = {}
        self._finished: set[tuple[int, int]] = set()
        self._complete: set[tuple[int, int]] = set()

    def _key(self, bounds: Bounds) -> tuple[int, int]:
        return bounds[0] // self.tile, bounds[2] // self.tile

    def _around(self, key: tuple[int, int]) -> list[tuple[int, int]]:
        i, j = key
        return [(a, b) for a in range(max(i - 1, 0), min(i + 2, self.rows))
                for b in range(max(j - 1, 0), min(j + 2, self.cols))]

    @property
    def held(self) -> int:
        """Frames kept in memory now (for tests of the memory bound)."""
        return len(self._frames)

    def _row(self, r: int, cols: np.ndarray) -> np.ndarray:
        out = np.empty(cols.size, dtype=np.float32)
        owner = cols // self.tile
        for j in np.unique(owner):
            sel = owner == j
            out[sel] = self._frames[(r // self.tile, int(j))].row(r, cols[sel])
        return out

    def _col(self, c: int, rows: np.ndarray) -> np.ndarray:
        out = np.empty(rows.size, dtype=np.float32)
        owner = rows // self.tile
        for i in np.unique(owner):
            sel = owner == i
            out[sel] = self._frames[(int(i), c // self.tile)].col(c, rows[sel])
        return out

    def _ring_texture(self, key: tuple[int, int]) -> np.ndarray:
        frame = self._frames[key]
        r0, r1, c0, c1 = frame.bounds
        h, w = r1 - r0, c1 - c0
        # the tile's frame and one pixel around it; beyond the image its edge stands in (clip)
        p = np.full((h + 2, w + 2), np.nan, dtype=np.float32)
        p[1:1 + frame.top.shape[0], 1:w + 1] = frame.top
        p[h + 1 - frame.bottom.shape[0]:h + 1, 1:w + 1] = frame.bottom
        p[1:h + 1, 1:1 + frame.left.shape[1]] = frame.left
        p[1:h + 1, w + 1 - frame.right.shape[1]:w + 1] = frame.right
        cols = np.clip(np.arange(c0 - 1, c1 + 1), 0, self.width - 1)
        rows = np.clip(np.arange(r0 - 1, r1 + 1), 0, self.height - 1)
        p[0] = self._row(max(r0 - 1, 0), cols)
        p[-1] = self._row(min(r1, self.height - 1), cols)
        p[:, 0] = self._col(max(c0 - 1, 0), rows)
        p[:, -1] = self._col(min(c1, self.width - 1), rows)
        # texture of the four sides only (three rows or columns of p each)
        tex = np.empty((h, w), dtype=np.float32)
        tex[:1] = ndvi_texture(p[0:3])
        tex[-1:] = ndvi_texture(p[h - 1:h + 2])
        tex[:, :1] = ndvi_texture(p[:, 0:3])
        tex[:, -1:] = ndvi_texture(p[:, w - 1:w + 2])
        return tex[ring_mask(h, w)]

    def add(self, bounds: Bounds, ndvi: np.ndarray) -> list[tuple[Bounds, np.ndarray]]:
        """Record a finished tile's NDVI; return the tiles whose ring can now be completed.

        Parameters
        ----------
        bounds : (r0, r1, c0, c1)
            The tile.
        ndvi : numpy.ndarray, shape (r1 - r0, c1 - c0)
            Its NDVI (NaN: no observation). Only the two outer rows and columns are kept.

        Returns
        -------
        list of (bounds, numpy.ndarray)
            Each completed tile with the texture of its ring pixels, in the order of
            ``ring_mask(h, w)``'s ``True`` cells (row-major).

        """
        key = self._key(bounds)
        self._frames[key] = _Frame.of(bounds, np.asarray(ndvi, dtype=np.float32))
        self._finished.add(key)
        ready = []
        for cand in self._around(key):
            if cand in self._finished and cand not in self._complete and \
                    all(n in self._finished for n in self._around(cand)):
                ready.append((self._frames[cand].bounds, self._ring_texture(cand)))
                self._complete.add(cand)
        # a frame is read only by its neighbours' rings: drop it when they are all complete
        for cand in {n for done in ready for n in self._around(self._key(done[0]))}:
            if cand in self._frames and all(n in self._complete for n in self._around(cand)):
                del self._frames[cand]
        return ready
