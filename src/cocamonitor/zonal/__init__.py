"""Class tallies of large rasters: whole-raster class areas and areas by zone.

Rasters are read window by window, so memory does not grow with the size of the map.
"""

from cocamonitor.zonal.areas import class_areas

__all__ = ["class_areas"]
