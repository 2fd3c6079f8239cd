"""Forest dynamics for a simulated coca history: clearing by coca and by cattle, with known truth.

The landscape starts with its forest (:class:`~cocamonitor.simulate.landscape.Landscape`).
Every coca field clears the forest under it when it is created (as
:meth:`~cocamonitor.simulate.dynamics.History.land_cover` already draws), and pasture for cattle
clears further rectangles of forest each year at ``cattle_rate`` (a share of the forest left),
placed independently of coca. Nothing grows back, as in Hansen's ``lossyear``, which records
one loss per pixel. :class:`ForestHistory` holds the forest at the end of every year from 2000,
the ``lossyear`` codes (0 no loss, ``n`` loss in ``2000 + n``) and the truth the forest
measurement (:mod:`cocamonitor.forest`) must reproduce pixel for pixel.

Examples
--------
>>> from cocamonitor.simulate import SimulationConfig, simulate_history
>>> h = simulate_history(SimulationConfig().replace(landscape={"size": 120}), [2019, 2020], seed=3)
>>> f = simulate_forest(h, seed=3)
>>> int(f.lossyear.max()) <= 21, bool((f.forest[2020] <= f.forest[2019]).all())
(True, True)

"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cocamonitor.simulate.dynamics import History
from cocamonitor.simulate.landscape import footprint_pixels

__all__ = ["ForestHistory", "simulate_forest"]

BASELINE = 2000


@dataclass(frozen=True)
class ForestHistory:
    """Forest at the end of each year, Hansen-style loss years and the coca-on-forest truth.

    Attributes
    ----------
    history : History
    forest : dict of int to numpy.ndarray of bool
        Forest at the end of each year from 2000 to the last simulated year.
    lossyear : numpy.ndarray of uint8
        0 where the pixel was not lost after 2000, ``n`` where it was lost in ``2000 + n``.
    cleared_by_cattle : numpy.ndarray of bool
        Pixels cleared for pasture (not by coca) after 2000.

    """

    history: History
    forest: dict[int, np.ndarray]
    lossyear: np.ndarray
    cleared_by_cattle: np.ndarray

    def coca(self, year: int) -> np.ndarray:
        """Coca at the end of ``year`` (the simulator's truth)."""
        return self.history.truth_raster(self.history.dec31(year)).astype(bool)

    def truth(self, year: int, lag: int) -> dict[str, np.ndarray]:
        """Pixel masks for coca ``year`` and ``lag`` from the simulated state itself.

        ``coca``, ``coca_on_recent_forest`` (coca at the end of ``year`` on forest at the end
        of ``year - lag``), ``new_coca`` and ``new_coca_on_recent_forest`` (against the coca
        of ``year - 1``), ``forest_loss`` (forest at the end of ``year - 1`` and not of ``year``)
        and ``forest_loss_under_coca``.
        """
        coca, before = self.coca(year), self.coca(year - 1)
        then = self.forest[year - lag]
        lost = self.forest[year - 1] & ~self.forest[year]
        return {"coca": coca, "coca_on_recent_forest": coca & then, "new_coca": coca & ~before,
                "new_coca_on_recent_forest": coca & ~before & then, "forest_loss": lost,
                "forest_loss_under_coca": lost & coca}


def simulate_forest(
    history: History,
    *,
    cattle_rate: float = 0.01,
    patch_pixels: int = 6,
    seed: int | np.random.Generator = 0,
) -> ForestHistory:
    """Add forest dynamics to a coca history.

    Parameters
    ----------
    history : History
        A simulated coca history (:func:`~cocamonitor.simulate.simulate_history`).
    cattle_rate : float, default 0.01
        Share of the remaining forest cleared for pasture each year (in square patches).
    patch_pixels : int, default 6
        Side of a pasture patch in pixels.
    seed : int or numpy.random.Generator
        Seed of the pasture clearings.

    Returns
    -------
    ForestHistory

    """
    if not 0 <= cattle_rate < 1:
        raise ValueError(f"cattle_rate must be in [0, 1), got {cattle_rate}")
    rng = np.random.default_rng(seed)
    size = history.landscape.size
    last = history.years[-1] + 1  # the simulator runs one year past the last reported year
    start_forest = history.landscape.forest.astype(bool)
    cattle = np.zeros((size, size), dtype=bool)
    forest: dict[int, np.ndarray] = {}
    fields = history.fields
    for year in range(min(BASELINE, history.origin_year - 1), last + 1):
        t = history.dec31(year)
        made = np.flatnonzero(fields.created <= t)
        cleared = np.zeros(size * size, dtype=bool)
        _, flat = footprint_pixels(*fields.rects(made), ncols=size)
        cleared[flat] = True
        f = start_forest & ~cleared.reshape(size, size) & ~cattle
        if year > BASELINE and cattle_rate > 0:
            n = int(rng.binomial(max(int(f.sum()) // (patch_pixels * patch_pixels), 0), cattle_rate))
            if n:
                r = rng.integers(0, max(size - patch_pixels, 1), n)
                c = rng.integers(0, max(size - patch_pixels, 1), n)
                h = np.full(n, patch_pixels)
                _, flat = footprint_pixels(r, c, h, h, ncols=size)
                new = np.zeros(size * size, dtype=bool)
                new[flat] = True
                cattle |= new.reshape(size, size) & f
                f = f & ~cattle
        forest[year] = f
    loss = np.zeros((size, size), dtype=np.uint8)
    years = sorted(y for y in forest if y >= BASELINE)
    for y in years[1:]:
        lost = forest[y - 1] & ~forest[y]
        loss[lost & (loss == 0)] = y - BASELINE
    cattle_after = cattle & forest[BASELINE]
    return ForestHistory(history, {y: forest[y] for y in years}, loss, cattle_after)
