"""Class tallies of large rasters: whole-raster class areas and areas by zone.

Rasters are read window by window, so memory does not grow with the size of the map.
:func:`tally` gives the area of every class in every zone (numpy or dask engine, pixel-centre
or exact coverage); :func:`class_areas` the area of every class in the whole raster.
"""

from cocamonitor.zonal.areas import class_areas
from cocamonitor.zonal.tally import ZonalTally, tally

__all__ = ["ZonalTally", "class_areas", "tally"]
