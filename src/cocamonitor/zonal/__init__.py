"""Class tallies of large rasters: whole-raster class areas and areas by zone.

>>> from cocamonitor.zonal import class_areas  # doctest: +SKIP
>>> class_areas("coca_2023.tif")               # doctest: +SKIP
"""

from cocamonitor.zonal.areas import class_areas

__all__ = ["class_areas"]
