"""Coca and forest loss: how much of each year's coca stands on land that was forest k years before.

Inputs are classified coca maps (one per year, on one pixel grid) and forest on the same grid,
either as Hansen et al. (2013) Global Forest Change ``lossyear`` (0 no loss, 1-23 loss in
2001-2023; optionally with ``treecover2000``) or as one 0/1 forest mask per year. For a coca
year ``t`` and a lag ``k`` a pixel counts as **coca on recent forest** when it is coca in ``t``
and was forest at the end of ``t - k``:

* with 0/1 masks: ``coca_t & forest_(t-k)``;
* with ``lossyear``: ``coca_t & (t - k < 2000 + lossyear <= t)``, i.e. the forest standing at
  the end of ``t - k`` was lost by ``t`` (loss is recorded once per pixel, so ``t - k`` must be
  2000 or later). Coca cannot stand on forest, so a coca pixel that was forest at ``t - k``
  was cleared in between.

Also reported: **new coca** (coca in ``t`` and not in ``t - 1``, when that map is given) and
how much of it is on recent forest, the **forest lost during t** and the part of it that is
coca at the end of ``t``.

Coincidence is not cause. Coca appearing on cleared forest does not show that coca drove the
clearing: in the Colombian Amazon, outside the legal agricultural frontier, cattle ranching, not
coca, is the main driver of forest loss (Murillo-Sandoval et al. 2023, Scientific Reports 13:
1965, doi:10.1038/s41598-023-28918-0). :data:`CAVEAT`
carries this sentence in Spanish and English for every output.

Rasters are read window by window; territories are burnt into each window by pixel centre,
one territory at a time, so overlapping territories each get their own totals.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.errors import InputError
from cocamonitor.results import Estimate, Table, nested

__all__ = ["CAVEAT", "ForestCoca", "coca_on_forest", "coca_on_forest_masks", "forest_then_from_lossyear"]

CAVEAT = {
    "es": "Coincidencia no es causa: que haya coca donde hubo bosque no prueba que la coca causara la "
          "deforestación; en la Amazonia colombiana, fuera de la frontera agrícola, la ganadería y no la "
          "coca es el principal motor de la pérdida de bosque (Murillo-Sandoval et al. 2023).",
    "en": "Coincidence is not cause: coca on land that was forest does not show that coca drove the "
          "clearing; in the Colombian Amazon, outside the agricultural frontier, cattle ranching, not coca, "
          "is the main driver of forest loss (Murillo-Sandoval et al. 2023).",
}
CITATION = ("Murillo-Sandoval, P. J., Kilbride, J., Tellman, E., Wrathall, D., Van Den Hoek, J. & Kennedy, "
            "R. E. (2023). The post-conflict expansion of coca farming and illicit cattle ranching in "
            "Colombia. Scientific Reports 13: 1965. doi:10.1038/s41598-023-28918-0")
HANSEN = "Hansen et al. (2013) Global Forest Change, lossyear band (0 = no loss, n = loss in 2000 + n)"

_COLUMNS = ["territory", "year", "lag", "coca_ha", "coca_on_recent_forest_ha", "coca_on_recent_forest_pct",
            "new_coca_ha", "new_coca_on_recent_forest_ha", "forest_loss_ha", "forest_loss_under_coca_ha"]


def forest_then_from_lossyear(lossyear: np.ndarray, year: int, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """From Hansen ``lossyear`` codes: (forest at the end of ``year - lag`` and lost by ``year``, lost during ``year``).

    Examples
    --------
    >>> then, lost = forest_then_from_lossyear(np.array([0, 17, 18, 20, 21]), 2020, 3)
    >>> then.tolist(), lost.tolist()
    ([False, False, True, True, False], [False, False, False, True, False])

    """
    code = np.asarray(lossyear).astype(np.int64)
    when = np.where(code > 0, 2000 + code, 0)
    return (when > year - lag) & (when <= year), when == year


def coca_on_forest_masks(
    coca: np.ndarray,
    forest_then: np.ndarray,
    *,
    coca_before: np.ndarray | None = None,
    loss_in_year: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Pixel masks of one coca year against the forest ``k`` years before.

    Parameters
    ----------
    coca : numpy.ndarray of bool
        Coca at the end of year ``t``.
    forest_then : numpy.ndarray of bool
        Forest at the end of year ``t - k`` (or, from ``lossyear``, "lost during t-k+1..t").
    coca_before : numpy.ndarray of bool, optional
        Coca at the end of ``t - 1``.
    loss_in_year : numpy.ndarray of bool, optional
        Forest lost during year ``t``.

    Returns
    -------
    dict of str to numpy.ndarray of bool
        ``coca``, ``coca_on_recent_forest`` and, when given the inputs, ``new_coca``,
        ``new_coca_on_recent_forest``, ``forest_loss``, ``forest_loss_under_coca``.

    Examples
    --------
    >>> c = np.array([True, True, False, True]); f = np.array([True, False, True, True])
    >>> {k: v.tolist() for k, v in coca_on_forest_masks(c, f, coca_before=np.array([0, 1, 0, 0], bool)).items()}
    {'coca': [True, True, False, True], 'coca_on_recent_forest': [True, False, False, True], \
'new_coca': [True, False, False, True], 'new_coca_on_recent_forest': [True, False, False, True]}

    """
    out = {"coca": coca, "coca_on_recent_forest": coca & forest_then}
    if coca_before is not None:
        out["new_coca"] = coca & ~coca_before
        out["new_coca_on_recent_forest"] = out["new_coca"] & forest_then
    if loss_in_year is not None:
        out["forest_loss"] = loss_in_year
        out["forest_loss_under_coca"] = loss_in_year & coca
    return out


@dataclass(frozen=True)
class ForestCoca:
    """Coca on recent forest by territory and year.

    Attributes
    ----------
    table : pandas.DataFrame
        Columns ``territory, year, lag, coca_ha, coca_on_recent_forest_ha,
        coca_on_recent_forest_pct, new_coca_ha, new_coca_on_recent_forest_ha, forest_loss_ha,
        forest_loss_under_coca_ha`` (NaN where an input was not given). The territory
        ``(whole map)`` covers every valid pixel.
    caveat : dict
        The coincidence-is-not-cause sentence in ``es`` and ``en``.
    provenance : dict

    """

    table: pd.DataFrame
    caveat: dict[str, str]
    provenance: dict[str, Any]

    def to_frame(self) -> pd.DataFrame:
        """Return the table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """Table as records, caveat, citation and provenance."""
        return {"rows": self.table.to_dict("records"), "caveat": self.caveat, "citation": CITATION,
                "provenance": self.provenance}

    def estimates(self) -> Iterator[Estimate]:
        """Yield each row of the table (``rows/zone=...,year=...`` or by position), ha from the column names."""
        yield from nested("rows", Table(self.table).estimates())


WHOLE = "(whole map)"


def coca_on_forest(
    coca_maps: Mapping[int, str | Path],
    *,
    lag: int = 3,
    lossyear: str | Path | None = None,
    forest_masks: Mapping[int, str | Path] | None = None,
    coca_classes: Sequence[int] = (1,),
    territories: Any = None,
    window_pixels: int | None = None,
) -> ForestCoca:
    """Hectares of coca on land that was forest ``lag`` years before, by territory.

    Parameters
    ----------
    coca_maps : mapping of int to path
        Year -> classified coca map, all on one pixel grid (projected CRS).
    lag : int, default 3
        ``k``: forest at the end of ``t - k``.
    lossyear : path, optional
        Hansen ``lossyear`` raster on the same grid.
    forest_masks : mapping of int to path, optional
        Year -> 0/1 forest mask on the same grid (instead of ``lossyear``).
    coca_classes : sequence of int
        Map values that mean coca.
    territories : geopandas.GeoDataFrame, optional
        Polygons with a ``name`` column; each gets its own rows.
    window_pixels : int, optional
        Pixels per window read.

    Returns
    -------
    ForestCoca

    """
    import rasterio
    from rasterio.features import geometry_mask

    from cocamonitor.io.rasters import (
        DEFAULT_WINDOW_PIXELS,
        check_same_grid,
        iter_windows,
        open_raster,
        pixel_area,
        require_integer,
        window_transform,
    )

    if lag < 1:
        raise InputError(f"lag must be at least 1 year, got {lag}", where="lag")
    if (lossyear is None) == (forest_masks is None):
        raise InputError("give forest as either a lossyear raster or yearly forest masks",
                         where="lossyear/forest_masks")
    if not coca_maps:
        raise InputError("no coca map given", where="coca_maps")
    years = sorted(int(y) for y in coca_maps)
    infos = {y: open_raster(coca_maps[y], where="coca_maps") for y in years}
    ref = infos[years[0]]
    for y in years:
        require_integer(infos[y], where="coca_maps")
        check_same_grid(ref, infos[y], where="coca_maps")
    if ref.crs is None or not ref.crs.is_projected:
        raise InputError(f"{ref.path} is not in a projected CRS", where="coca_maps",
                         hint="warp the maps to e.g. EPSG:9377 so that pixels have an area in metres")
    forest_info: dict[int, Any] = {}
    if lossyear is not None:
        li = open_raster(lossyear, where="lossyear")
        require_integer(li, where="lossyear")
        check_same_grid(ref, li, where="lossyear")
        early = [y for y in years if y - lag < 2000]
        if early:
            raise InputError(f"year {early[0]} minus a lag of {lag} is before 2000, the lossyear baseline",
                             where="lag", hint="use later coca years or a shorter lag")
    else:
        assert forest_masks is not None
        for y in years:
            if y - lag not in forest_masks:
                raise InputError(f"no forest mask for {y - lag} (coca year {y} minus a lag of {lag})",
                                 where="forest_masks", hint="give a 0/1 forest mask for every year t - lag")
        for fy, p in forest_masks.items():
            forest_info[int(fy)] = open_raster(p, where="forest_masks")
            check_same_grid(ref, forest_info[int(fy)], where="forest_masks")
    area = pixel_area(ref)
    if not area.is_constant:
        raise InputError(f"{ref.path} has pixels of varying area", where="coca_maps",
                         hint="warp the maps to a projected CRS")
    assert area.constant_m2 is not None
    px_ha = area.constant_m2 / 1e4
    names = [WHOLE]
    geoms: list[Any] = []
    if territories is not None:
        terr = territories.to_crs(ref.crs)
        names += [str(n) for n in terr["name"]]
        geoms = list(terr.geometry)
    keys = ["coca", "coca_on_recent_forest", "new_coca", "new_coca_on_recent_forest", "forest_loss",
            "forest_loss_under_coca"]
    counts = np.zeros((len(names), len(years), len(keys)), dtype=np.int64)
    classes = np.asarray(list(coca_classes))
    have_new = [y - 1 in coca_maps for y in years]
    have_loss = [lossyear is not None or (y - 1 in forest_info and y in forest_info) for y in years]
    srcs = {y: rasterio.open(infos[y].path) for y in years}
    fsrc = ({y: rasterio.open(i.path) for y, i in forest_info.items()} if forest_masks is not None
            else {0: rasterio.open(lossyear)})  # type: ignore[arg-type]
    try:
        for win in iter_windows(ref, max_pixels=window_pixels or DEFAULT_WINDOW_PIXELS):
            valid = np.ones((win.height, win.width), dtype=bool)
            coca = {}
            for y in years:
                block = srcs[y].read(1, window=win)
                if infos[y].nodata is not None:
                    valid &= block != infos[y].nodata
                coca[y] = np.isin(block, classes)
            if lossyear is not None:
                loss = fsrc[0].read(1, window=win)
            else:
                fblocks = {fy: fsrc[fy].read(1, window=win) == 1 for fy in forest_info}
            zone_masks = [valid]
            if geoms:
                t = window_transform(ref.transform, win)
                for g in geoms:
                    inside = ~geometry_mask([g], out_shape=(win.height, win.width), transform=t)
                    zone_masks.append(inside & valid)
            for k, y in enumerate(years):
                if lossyear is not None:
                    then, lost = forest_then_from_lossyear(loss, y, lag)
                else:
                    then = fblocks[y - lag]
                    lost = (fblocks[y - 1] & ~fblocks[y]) if have_loss[k] else None  # type: ignore[assignment]
                masks = coca_on_forest_masks(coca[y], then, coca_before=coca[y - 1] if have_new[k] else None,
                                             loss_in_year=lost)
                for j, key in enumerate(keys):
                    if key in masks:
                        m = masks[key]
                        for z, zm in enumerate(zone_masks):
                            counts[z, k, j] += int(np.count_nonzero(m & zm))
    finally:
        for s in [*srcs.values(), *fsrc.values()]:
            s.close()
    rows = []
    for z, name in enumerate(names):
        for k, y in enumerate(years):
            c = counts[z, k] * px_ha
            nan = np.nan
            rows.append({
                "territory": name, "year": y, "lag": lag, "coca_ha": c[0], "coca_on_recent_forest_ha": c[1],
                "coca_on_recent_forest_pct": 100.0 * c[1] / c[0] if c[0] > 0 else nan,
                "new_coca_ha": c[2] if have_new[k] else nan,
                "new_coca_on_recent_forest_ha": c[3] if have_new[k] else nan,
                "forest_loss_ha": c[4] if have_loss[k] else nan,
                "forest_loss_under_coca_ha": c[5] if have_loss[k] else nan,
            })
    prov = {"coca_maps": {int(y): str(p) for y, p in coca_maps.items()}, "lag": lag,
            "forest": HANSEN if lossyear is not None else "0/1 forest masks per year",
            "forest_files": str(lossyear) if lossyear is not None
            else {int(y): str(p) for y, p in (forest_masks or {}).items()},
            "pixel_ha": px_ha, "territory_rule": "pixel centre", "caveat_source": CITATION}
    return ForestCoca(pd.DataFrame(rows, columns=_COLUMNS), dict(CAVEAT), prov)
