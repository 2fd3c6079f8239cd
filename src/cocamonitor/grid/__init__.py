"""The 1 km coca grid: density, permanence and hotspots.

SIMCI publishes coca **density** maps (hectares of coca per km² on a kilometre grid) and maps of
the **permanence** of coca (how many of the last years a place had coca). This module builds
both from yearly coca maps (rasters) or from field polygons, and finds **hotspots** of density
with the Getis-Ord Gi* statistic and Benjamini-Hochberg false-discovery-rate control.

Grid
----
Cells are squares of ``cell`` metres (1000 by default) in the raster's projected CRS, aligned
to multiples of ``cell`` (so grids of different years and sources coincide). A pixel belongs to
the cell that holds its centre. Density is coca hectares divided by the cell's full area in
km² (100 ha for a 1 km cell), so a cell cut by the edge of the map or by clouds (nodata) has
its density computed over the whole cell; ``observed_ha`` says how much of it was seen.

Permanence classes
------------------
SIMCI's exact definitions are not published in the sources we found (see
``reference/methodology.md`` A.3), so these rules are ours. Over the last ``N`` consecutive
years, with the last ``recent`` years (default 3, the span SIMCI uses for "expansion zones")
called the *recent period* and the years before it the *earlier period*, a cell is

* ``permanent`` -- coca every one of the N years;
* ``new`` -- coca in the recent period only;
* ``abandoned`` -- coca in the earlier period only;
* ``intermittent`` -- coca in both periods, but not every year;
* ``none`` -- no coca in any of the N years.

A year counts as "with coca" when the cell has more than ``min_ha`` hectares (default 0).

Hotspots
--------
Gi* (Getis & Ord 1992; Ord & Getis 1995) is computed with ``esda.G_Local`` on binary queen
contiguity between observed cells, the cell itself included (``star=True``). Two-sided p-values
come from the normal approximation (or from ``permutations`` conditional permutations), and
the Benjamini & Hochberg (1995) procedure keeps the false discovery rate at ``alpha`` across all
cells. Cells with a significant positive z are ``hot``, negative ``cold``.

Examples
--------
>>> import numpy as np
>>> coca = np.array([[[0, 5.0]], [[2.0, 5.0]], [[3.0, 5.0]], [[0, 5.0]]])  # 4 years, 1x2 cells
>>> g = DensityGrid(GridSpec("EPSG:9377", 1000.0, 0.0, 1000.0, 1, 2), (2020, 2021, 2022, 2023),
...                 coca, np.full_like(coca, 100.0))
>>> permanence(g, recent=2).to_frame()[["col", "years_with_coca", "class"]].to_dict("records")
[{'col': 0, 'years_with_coca': 2, 'class': 'intermittent'}, {'col': 1, 'years_with_coca': 4, 'class': 'permanent'}]

"""

from cocamonitor.grid.density import DensityGrid, density_from_polygons, density_from_rasters
from cocamonitor.grid.density import read_density as read_density  # public, not in __all__ (as before)
from cocamonitor.grid.hotspots import Hotspots, hotspots
from cocamonitor.grid.permanence import PERMANENCE_CLASSES, Permanence, permanence
from cocamonitor.grid.spec import GridSpec, cell_ids

__all__ = [
    "PERMANENCE_CLASSES",
    "DensityGrid",
    "GridSpec",
    "Hotspots",
    "cell_ids",
    "Permanence",
    "density_from_polygons",
    "density_from_rasters",
    "hotspots",
    "permanence",
]
