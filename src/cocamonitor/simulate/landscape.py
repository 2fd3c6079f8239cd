"""The synthetic landscape: grid geometry, forest / other cover, and vectorised rectangle painting.

Fields and other patches are axis-aligned rectangles of whole pixels (``row, col, height,
width``). :func:`footprint_pixels` expands any number of rectangles to their flat pixel indices
with array arithmetic only, so painting a year's fields onto a 25-million-pixel grid costs time
in proportion to the painted pixels, not to the grid.

Examples
--------
>>> import numpy as np
>>> from cocamonitor.simulate.config import SimulationConfig
>>> land = make_landscape(SimulationConfig().replace(landscape={"size": 200}), seed=1)
>>> land.forest.shape, land.forest.dtype
((200, 200), dtype('bool'))
>>> owner, flat = footprint_pixels(np.array([0, 5]), np.array([0, 5]), np.array([2, 1]),
...                                np.array([2, 3]), ncols=10)
>>> owner.tolist(), flat.tolist()
([0, 0, 0, 0, 1, 1, 1], [0, 1, 10, 11, 55, 56, 57])

"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from cocamonitor.simulate.config import SimulationConfig

__all__ = [
    "Landscape",
    "coarse_random_field",
    "footprint_pixels",
    "make_landscape",
    "paint",
    "upsample",
]

_COARSE = 10  # pixels per coarse cell of the forest pattern and of the placement suitability


@dataclass(frozen=True)
class Landscape:
    """Grid geometry and the (static) forest cover.

    Attributes
    ----------
    size : int
        Pixels per side.
    pixel_size_m : float
        Pixel side in metres.
    crs : str
        Projected CRS of the grid.
    origin_x, origin_y : float
        Upper-left corner in the CRS.
    forest : numpy.ndarray of bool, shape (size, size)
        Forest at the start of the simulation (clearing for coca is applied when writing maps).
    edge_suitability : numpy.ndarray of float, coarse grid
        4 f (1 - f) of the coarse-cell forest share f: 1 on forest edges, 0 deep inside forest
        or pasture; used to place fields that do not start near an existing one.
    coarse : int
        Pixels per side of a coarse cell.

    """

    size: int
    pixel_size_m: float
    crs: str
    origin_x: float
    origin_y: float
    forest: np.ndarray
    edge_suitability: np.ndarray
    coarse: int

    @property
    def transform(self) -> tuple[float, float, float, float, float, float]:
        """GDAL-style affine ``(a, b, c, d, e, f)`` of the grid (north up)."""
        return (self.pixel_size_m, 0.0, self.origin_x, 0.0, -self.pixel_size_m, self.origin_y)

    def xy(self, row: np.ndarray, col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Coordinates of pixel centres (fractional rows/cols allowed)."""
        x = self.origin_x + (np.asarray(col, dtype=float) + 0.5) * self.pixel_size_m
        y = self.origin_y - (np.asarray(row, dtype=float) + 0.5) * self.pixel_size_m
        return x, y


def coarse_random_field(shape: tuple[int, int], sigma_cells: float,
                        rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise smoothed with a Gaussian kernel, standardised to mean 0, sd 1 (float32)."""
    noise = rng.standard_normal(shape).astype(np.float32)
    if sigma_cells > 0:
        noise = ndimage.gaussian_filter(noise, sigma=sigma_cells, mode="wrap")
    sd = float(noise.std()) or 1.0
    return (noise - noise.mean()) / sd


def upsample(coarse: np.ndarray, factor: int, size: int) -> np.ndarray:
    """Nearest-neighbour upsampling of a coarse grid to ``size x size`` pixels."""
    return np.repeat(np.repeat(coarse, factor, axis=0)[:size], factor, axis=1)[:, :size]


def make_landscape(cfg: SimulationConfig, seed: int | np.random.Generator) -> Landscape:
    """Draw the forest / other cover of a landscape.

    The forest is a smoothed Gaussian random field, drawn on a coarse grid, interpolated
    bilinearly to the pixels and thresholded at the quantile that gives ``forest_fraction``.

    Parameters
    ----------
    cfg : SimulationConfig
        Simulator parameters.
    seed : int or numpy.random.Generator
        Seed or generator (reproducible).

    Returns
    -------
    Landscape

    """
    rng = np.random.default_rng(seed)
    lc = cfg.landscape
    n = lc.size
    nc = -(-n // _COARSE) + 1
    sigma = lc.forest_correlation_m / (lc.pixel_size_m * _COARSE)
    grf = coarse_random_field((nc, nc), sigma, rng)
    # bilinear interpolation of the coarse field at pixel centres (separable: rows, then cols)
    pos = (np.arange(n, dtype=np.float32) + 0.5) / _COARSE
    i0 = np.minimum(np.floor(pos).astype(np.intp), nc - 2)
    w = (pos - i0).astype(np.float32)
    rows = grf[i0] * (1 - w)[:, None] + grf[i0 + 1] * w[:, None]
    full = rows[:, i0] * (1 - w)[None, :] + rows[:, i0 + 1] * w[None, :]
    if lc.forest_fraction <= 0:
        forest = np.zeros((n, n), dtype=bool)
    elif lc.forest_fraction >= 1:
        forest = np.ones((n, n), dtype=bool)
    else:
        sample = full[:: max(1, n // 200), :: max(1, n // 200)]
        thr = np.quantile(sample, 1 - lc.forest_fraction)
        forest = full > thr
    # coarse forest share -> edge suitability
    m = (n // _COARSE) * _COARSE
    if m >= _COARSE:
        share = forest[:m, :m].reshape(m // _COARSE, _COARSE, m // _COARSE, _COARSE).mean(axis=(1, 3))
    else:
        share = np.full((1, 1), forest.mean())
    edge = 4.0 * share * (1.0 - share)
    return Landscape(size=n, pixel_size_m=lc.pixel_size_m, crs=lc.crs, origin_x=lc.origin_x,
                     origin_y=lc.origin_y, forest=forest, edge_suitability=edge, coarse=_COARSE)


def footprint_pixels(row: np.ndarray, col: np.ndarray, height: np.ndarray, width: np.ndarray,
                     ncols: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat pixel indices of many rectangles, without a Python loop.

    Parameters
    ----------
    row, col : array of int
        Upper-left pixel of each rectangle.
    height, width : array of int
        Size in pixels (at least 1).
    ncols : int
        Columns of the grid (for flat indices ``row * ncols + col``).

    Returns
    -------
    owner : numpy.ndarray of intp
        For each pixel, the position of its rectangle in the inputs.
    flat : numpy.ndarray of intp
        Flat index of each pixel.

    """
    row = np.asarray(row, dtype=np.intp)
    col = np.asarray(col, dtype=np.intp)
    height = np.asarray(height, dtype=np.intp)
    width = np.asarray(width, dtype=np.intp)
    npx = height * width
    total = int(npx.sum())
    if total == 0:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    owner = np.repeat(np.arange(len(npx), dtype=np.intp), npx)
    starts = np.cumsum(npx) - npx
    k = np.arange(total, dtype=np.intp) - starts[owner]
    w = width[owner]
    flat = (row[owner] + k // w) * ncols + col[owner] + k % w
    return owner, flat


def paint(shape: tuple[int, int], row: np.ndarray, col: np.ndarray, height: np.ndarray,
          width: np.ndarray, value: int = 1, out: np.ndarray | None = None) -> np.ndarray:
    """Paint rectangles with ``value`` on a uint8 grid (a new zero grid unless ``out`` is given)."""
    if out is None:
        out = np.zeros(shape, dtype=np.uint8)
    _, flat = footprint_pixels(row, col, height, width, shape[1])
    out.reshape(-1)[flat] = value
    return out
