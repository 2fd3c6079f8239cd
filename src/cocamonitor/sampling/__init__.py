"""Sample design: sample size, allocation to strata, and stratified random draws from a map.

* :func:`sample_size_srs` — simple random sample size for a proportion (Cochran 1977 eqs. 3.11,
  4.2).
* :func:`sample_size_stratified` — stratified sample size for a target standard error
  (Cochran 1977 eq. 5.25; Olofsson et al. 2014 eq. 13), from anticipated user's accuracies or
  anticipated class shares per stratum.
* :func:`allocate` — proportional, equal, Neyman, or "floor per stratum then proportional".
* :func:`anticipated_users_accuracy` — anticipated user's accuracies from last year's reference
  sample (Jeffreys-smoothed), for eq. 13 and the Neyman allocation.
* :func:`draw_stratified_sample` — a seeded stratified random draw of pixels from a map GeoTIFF,
  read window by window in two passes (memory does not grow with the raster size).
* :func:`write_sample` — the draw as GeoPackage and CSV, ready for labelling.
"""

from cocamonitor.sampling.draws import (
    SampleDraw,
    draw_stratified_sample,
    sample_paths,
    stratum_pixel_counts,
    write_sample,
)
from cocamonitor.sampling.formulas import (
    ALLOCATIONS,
    Allocation,
    AllocationMethod,  # noqa: F401  (public, not in __all__, as before)
    allocate,
    anticipated_users_accuracy,
    sample_size_srs,
    sample_size_stratified,
)

__all__ = [
    "ALLOCATIONS",
    "Allocation",
    "SampleDraw",
    "allocate",
    "anticipated_users_accuracy",
    "draw_stratified_sample",
    "sample_size_srs",
    "sample_paths",
    "sample_size_stratified",
    "stratum_pixel_counts",
    "write_sample",
]
