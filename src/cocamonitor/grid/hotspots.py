"""Hotspots of coca density: Getis-Ord Gi* with Benjamini-Hochberg control (see :mod:`cocamonitor.grid`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.errors import InputError
from cocamonitor.grid.density import DensityGrid
from cocamonitor.grid.spec import GridSpec, _write_geoparquet, _write_geotiff, cell_ids

__all__ = ["Hotspots", "hotspots"]


@dataclass(frozen=True)
class Hotspots:
    """Getis-Ord Gi* of density per cell with Benjamini-Hochberg FDR control.

    Attributes
    ----------
    grid : GridSpec
    year : int
    alpha : float
        False discovery rate.
    table : pandas.DataFrame
        Observed cells: ``cell, row, col, x, y, density_ha_km2, z, p_value, q_value,
        hotspot`` (``hot``, ``cold`` or ``not significant``).
    method : str
        ``"normal"`` or ``"permutation"`` p-values.

    """

    grid: GridSpec
    year: int
    alpha: float
    table: pd.DataFrame
    method: str

    def to_frame(self) -> pd.DataFrame:
        """Return the per-cell table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """Summary: year, alpha, method, number of hot and cold cells."""
        counts = self.table["hotspot"].value_counts()
        return {"year": self.year, "alpha": self.alpha, "method": self.method,
                "cells": int(len(self.table)), "hot": int(counts.get("hot", 0)),
                "cold": int(counts.get("cold", 0))}

    def write_geotiff(self, path: str | Path) -> None:
        """Write one band: 1 hot, -1 cold, 0 not significant, -128 not observed."""
        out = np.full((self.grid.nrows, self.grid.ncols), -128, dtype=np.int16)
        cls = self.table["hotspot"].map({"hot": 1, "cold": -1, "not significant": 0})
        out[self.table["row"].to_numpy(), self.table["col"].to_numpy()] = cls.to_numpy()
        _write_geotiff(path, self.grid, out, nodata=-128, dtype="int16",
                       descriptions=[f"Gi* hotspot {self.year} (FDR {self.alpha:g})"])

    def write_geoparquet(self, path: str | Path) -> None:
        """Write the table with cell polygons."""
        _write_geoparquet(path, self.grid, self.table)


def _queen_pairs(rows: np.ndarray, cols: np.ndarray, ncols: int) -> tuple[np.ndarray, ...]:
    """Focal/neighbour index pairs of queen contiguity among the given cells."""
    n = rows.size
    key = rows.astype(np.int64) * (ncols + 2) + cols
    order = np.argsort(key)
    skey = key[order]
    focal, neigh = [], []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            if dr == 0 and dc == 0:
                continue
            target = (rows + dr).astype(np.int64) * (ncols + 2) + (cols + dc)
            pos = np.searchsorted(skey, target)
            pos = np.minimum(pos, n - 1)
            hit = (skey[pos] == target) & (cols + dc >= 0) & (cols + dc < ncols)
            focal.append(np.flatnonzero(hit))
            neigh.append(order[pos[hit]])
    return np.concatenate(focal), np.concatenate(neigh)


def hotspots(
    density: DensityGrid,
    *,
    year: int | None = None,
    alpha: float = 0.05,
    permutations: int = 0,
    seed: int | None = 0,
) -> Hotspots:
    """Find hot and cold spots of coca density with Gi* and FDR control.

    Parameters
    ----------
    density : DensityGrid
        Yearly coca hectares per cell.
    year : int, optional
        Which year (default the last).
    alpha : float, default 0.05
        False discovery rate (Benjamini-Hochberg) over all observed cells.
    permutations : int, default 0
        0 for normal-approximation p-values; otherwise conditional permutations (esda's
        ``p_sim``, doubled to be two-sided and capped at 1).
    seed : int, optional
        Seed of the permutations.

    Returns
    -------
    Hotspots

    """
    import warnings

    from esda import G_Local
    from libpysal.graph import Graph
    from scipy import stats

    if not 0 < alpha < 1:
        raise InputError(f"alpha must be in (0, 1), got {alpha}", where="alpha")
    if isinstance(permutations, bool) or int(permutations) < 0:
        raise InputError(f"permutations must be 0 or more, got {permutations}", where="permutations",
                         hint="0 for normal p-values, e.g. 999 for permutation p-values")
    k = density.year_index(year)
    obs = density.observed_ha[k] > 0
    rows, cols = np.nonzero(obs)
    y = density.coca_ha[k][rows, cols] / density.grid.cell_km2
    if rows.size < 3:
        raise InputError("fewer than 3 observed cells: no hotspot analysis possible",
                         where="density")
    if np.all(y == y[0]):
        raise InputError("density is the same in every cell: no hotspot to find",
                         where="density")
    focal, neigh = _queen_pairs(rows, cols, density.grid.ncols)
    isolated = np.setdiff1d(np.arange(rows.size), focal)
    # isolated cells keep only their self-weight (added by star=True)
    focal = np.concatenate([focal, isolated])
    neigh = np.concatenate([neigh, isolated])
    weight = np.concatenate([np.ones(focal.size - isolated.size), np.zeros(isolated.size)])
    order = np.lexsort((neigh, focal))  # Graph keeps ids in order of first appearance
    graph = Graph.from_arrays(focal[order], neigh[order], weight[order])
    with warnings.catch_warnings():
        # esda's notice that its default alternative will change: the p-value is doubled below
        warnings.filterwarnings("ignore", message="The alternative hypothesis", category=DeprecationWarning)
        # cells without neighbours divide by zero inside esda: their p-values are set to 1 below
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"esda(\.|$)")
        g = G_Local(y, graph, transform="B", star=True, permutations=permutations,
                    keep_simulations=False, seed=seed, n_jobs=1)
    z = np.asarray(g.Zs, dtype=float)
    if permutations:
        p = np.minimum(1.0, 2 * np.asarray(g.p_sim, dtype=float))
        method = "permutation"
    else:
        p = 2 * stats.norm.sf(np.abs(z))
        method = "normal"
    p = np.where(np.isfinite(p), p, 1.0)
    q = stats.false_discovery_control(p, method="bh")
    label = np.where(q <= alpha, np.where(z > 0, "hot", "cold"), "not significant")
    xc, yc = density.grid.centres()
    table = pd.DataFrame({
        "cell": cell_ids(density.grid, rows, cols), "row": rows, "col": cols,
        "x": xc[rows, cols], "y": yc[rows, cols], "density_ha_km2": y, "z": z,
        "p_value": p, "q_value": q, "hotspot": label,
    })
    return Hotspots(density.grid, int(density.years[k]), float(alpha), table, method)
