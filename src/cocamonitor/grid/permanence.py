"""Permanence of coca in each cell over the last consecutive years (classes defined in :mod:`cocamonitor.grid`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.errors import InputError
from cocamonitor.grid.density import DensityGrid
from cocamonitor.grid.spec import GridSpec, _write_geoparquet, _write_geotiff, cell_ids

__all__ = ["PERMANENCE_CLASSES", "Permanence", "permanence"]


#: Permanence class codes written to GeoTIFF (255 = not observed every year).
PERMANENCE_CLASSES = {0: "none", 1: "permanent", 2: "intermittent", 3: "new", 4: "abandoned"}
_UNOBSERVED = 255


@dataclass(frozen=True)
class Permanence:
    """Years with coca in the last N years and the permanence class of each cell.

    Attributes
    ----------
    grid : GridSpec
    years : tuple of int
        The N years considered.
    recent : int
        Length of the recent period.
    years_with_coca : numpy.ndarray of int, shape (nrows, ncols)
    code : numpy.ndarray of uint8, shape (nrows, ncols)
        :data:`PERMANENCE_CLASSES` code, 255 where the cell was not observed every year.

    """

    grid: GridSpec
    years: tuple[int, ...]
    recent: int
    years_with_coca: np.ndarray
    code: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """Return observed cells with coca in at least one year.

        Columns: ``cell, row, col, x, y, years_with_coca, class``.
        """
        r, c = np.nonzero((self.code != _UNOBSERVED) & (self.code != 0))
        xc, yc = self.grid.centres()
        return pd.DataFrame({
            "cell": cell_ids(self.grid, r, c), "row": r, "col": c, "x": xc[r, c],
            "y": yc[r, c], "years_with_coca": self.years_with_coca[r, c],
            "class": pd.Series(self.code[r, c]).map(PERMANENCE_CLASSES).to_numpy(),
        })

    def to_dict(self) -> dict[str, Any]:
        """Years, rules and the number of cells in each class."""
        counts = {name: int((self.code == k).sum()) for k, name in PERMANENCE_CLASSES.items()}
        return {"years": list(self.years), "recent": self.recent, "cells": counts,
                "unobserved_cells": int((self.code == _UNOBSERVED).sum())}

    def write_geotiff(self, path: str | Path) -> None:
        """Write band 1, the class code, and band 2, the years with coca.

        Codes: 0 none, 1 permanent, 2 intermittent, 3 new, 4 abandoned, 255 not observed.
        """
        _write_geotiff(path, self.grid, np.stack([self.code, self.years_with_coca]),
                       nodata=_UNOBSERVED, dtype="uint8",
                       descriptions=["permanence class", "years with coca"])

    def write_geoparquet(self, path: str | Path) -> None:
        """Write the :meth:`to_frame` rows with their cell polygons."""
        _write_geoparquet(path, self.grid, self.to_frame())


def permanence(
    density: DensityGrid, *, last: int | None = None, recent: int = 3, min_ha: float = 0.0
) -> Permanence:
    """Classify cells by how persistently they had coca (rules in the module notes).

    Parameters
    ----------
    density : DensityGrid
        Yearly coca hectares per cell.
    last : int, optional
        N, the number of most recent years to use (default all years of ``density``); they
        must be consecutive.
    recent : int, default 3
        Years in the recent period (``1 <= recent < N``).
    min_ha : float, default 0
        A cell-year has coca when it holds more than this many hectares.

    Returns
    -------
    Permanence

    """
    order = np.argsort(density.years)
    years = np.asarray(density.years)[order]
    n = len(years) if last is None else int(last)
    if n < 2 or n > len(years):
        raise InputError(f"need 2 to {len(years)} years, got {n}", where="last")
    years = years[-n:]
    if np.any(np.diff(years) != 1):
        raise InputError(f"years {years.tolist()} are not consecutive", where="density",
                         hint="give one map for every year of the period")
    if not 1 <= recent < n:
        raise InputError(f"`recent` must be between 1 and {n - 1}, got {recent}",
                         where="recent")
    idx = order[-n:]
    has = density.coca_ha[idx] > min_ha
    seen = (density.observed_ha[idx] > 0).all(axis=0)
    count = has.sum(axis=0)
    early = has[: n - recent].any(axis=0)
    late = has[n - recent :].any(axis=0)
    code = np.zeros(count.shape, dtype=np.uint8)
    code[early & late] = 2
    code[~early & late] = 3
    code[early & ~late] = 4
    code[count == n] = 1
    code[~seen] = _UNOBSERVED
    return Permanence(density.grid, tuple(int(y) for y in years), int(recent),
                      count.astype(np.uint8), code)
