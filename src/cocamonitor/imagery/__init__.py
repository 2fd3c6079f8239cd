"""From satellite images to a coca map: STAC imagery, composites, features, a classifier, strata.

The flow of data, one module each:

* :mod:`.stac` finds items (static catalog, item collection or STAC API) and loads them with
  ``odc-stac`` into a lazy, chunked :class:`xarray.Dataset` in ``EPSG:9377`` (or any projected CRS);
* :mod:`.stack` reads that window of acquisitions one tile at a time;
* :mod:`.composite` masks clouds and shadows (SCL) and builds per-pixel composites (median,
  best pixel nearest 31 December, with the observation date kept);
* :mod:`.features` computes bands, indices, temporal statistics and texture;
* :mod:`.model` trains a calibrated classifier on labelled reference points with spatially
  blocked cross-validation and writes its model card;
* :mod:`.mapping` predicts tiled COGs (probability, class, observation day) and turns the
  probability into strata for ``area design``.

The simulator renders Sentinel-2-like scenes with a static STAC catalog
(:mod:`cocamonitor.simulate.scenes`), so the whole chain runs offline.
"""

from cocamonitor.imagery.composite import BestPixel, best_pixel, median_composite, valid_mask
from cocamonitor.imagery.features import (
    SENTINEL2_BANDS,
    TileFeatures,
    compute_features,
    feature_names,
    tile_features,
)
from cocamonitor.imagery.mapping import (
    STRATA,
    MapSummary,
    StrataSummary,
    point_features,
    predict_map,
    probability_strata,
    strata_from_probability,
)
from cocamonitor.imagery.model import ModelCard, TrainedModel, load_model, spatial_blocks, train_classifier
from cocamonitor.imagery.reader import WindowReader
from cocamonitor.imagery.stac import DEFAULT_CRS, check_items, load_stack, read_items, search_items
from cocamonitor.imagery.stack import ImageStack, open_stack

__all__ = [
    "DEFAULT_CRS",
    "SENTINEL2_BANDS",
    "STRATA",
    "BestPixel",
    "ImageStack",
    "MapSummary",
    "ModelCard",
    "StrataSummary",
    "TileFeatures",
    "TrainedModel",
    "WindowReader",
    "best_pixel",
    "check_items",
    "compute_features",
    "feature_names",
    "load_model",
    "load_stack",
    "median_composite",
    "open_stack",
    "point_features",
    "predict_map",
    "probability_strata",
    "read_items",
    "search_items",
    "spatial_blocks",
    "strata_from_probability",
    "tile_features",
    "train_classifier",
    "valid_mask",
]
