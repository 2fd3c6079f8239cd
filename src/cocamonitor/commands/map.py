"""``cocamonitor map synthetic | train | predict | strata``: from satellite images to a coca map.

The heavy imports (odc-stac, scikit-learn, rasterio) happen inside the command functions, so
``cocamonitor --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from cocamonitor.commands._common import ProgressBar, TableFormat, emit_json, emit_table, err_console, option_names
from cocamonitor.errors import CocamonitorWarning, InputError, ParameterError

__all__ = ["register"]

map_app = typer.Typer(
    help="Coca maps from Sentinel-2 imagery (STAC): train a classifier on labelled points, predict a "
    "probability map, turn it into strata for `area design`.",
    no_args_is_help=True,
)


class Engine(str, Enum):
    """Classifiers of --engine."""

    hgb = "hgb"
    rf = "rf"
    lightgbm = "lightgbm"


class PredictEngine(str, Enum):
    """Where `map predict` classifies its tiles."""

    threads = "threads"
    dask = "dask"


_OPTIONS = {
    "catalog": "--catalog", "bands": "--bands", "crs": "--crs", "target_class": "--target-class",
    "block_m": "--block-m", "engine": "--engine", "model": "--model", "probability": "--probability",
    "low/high": "--low/--high", "buffer_m": "--buffer-m", "calibration": "--calibration",
    "cloud_max": "--cloud-max", "workers": "--workers", "scheduler": "--scheduler",
}


@contextmanager
def _cli_errors() -> Iterator[None]:
    """Name command-line options in errors about core parameters; warnings as one line each."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CocamonitorWarning)
        try:
            with option_names(_OPTIONS):
                yield
        finally:
            for w in caught:
                if issubclass(w.category, CocamonitorWarning):
                    logging.getLogger(__name__).warning("%s", w.message)


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ParameterError(f"{value!r} is not a date", where=option,
                             hint="write YYYY-MM-DD, e.g. 2023-12-31") from None


def _bands(value: str | None) -> list[str]:
    from cocamonitor.imagery import SENTINEL2_BANDS

    if value is None:
        return list(SENTINEL2_BANDS)
    return [b.strip() for b in value.split(",") if b.strip()]


CatalogOpt = Annotated[Path, typer.Option("--catalog", help="Static STAC catalog (catalog.json), item "
                                          "collection (GeoJSON) or stac-geoparquet file (.parquet) of "
                                          "Sentinel-2 L2A items with an SCL band.")]
CrsOpt = Annotated[str, typer.Option("--crs", help="Output CRS (projected, metres).")]
ResolutionOpt = Annotated[float, typer.Option("--resolution", help="Pixel size, metres.")]
TileOpt = Annotated[int, typer.Option("--tile", min=64, help="Pixels per side of a processing tile (memory bound).")]


@map_app.command(
    "synthetic",
    epilog="Example: cocamonitor map synthetic --out scenes --size 200 --year 2021 --seed 1",
)
def synthetic_cmd(
    out: Annotated[Path, typer.Option("--out", help="Folder for the COGs, catalog.json and the truth rasters.")],
    size: Annotated[int, typer.Option("--size", min=32, max=4000, help="Pixels per side (10 m).")] = 200,
    year: Annotated[int, typer.Option("--year", help="Survey year; scenes around its 31 December.")] = 2021,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the landscape and the scenes.")] = 1,
    dates: Annotated[int, typer.Option("--dates", min=1, max=36, help="Acquisitions.")] = 6,
    cloud_mean: Annotated[float, typer.Option("--cloud-mean", min=0.0, max=0.95, help="Mean cloud fraction.")] = 0.3,
    persistent_cloud: Annotated[float, typer.Option(
        "--persistent-cloud", min=0.0, max=1.0,
        help="Share of the scene (top rows) clouded on every date: no cloud-free observation there.")] = 0.0,
    haze: Annotated[float, typer.Option(
        "--haze", min=0.0, max=0.9,
        help="Mean share of each date under haze that SCL misses (only --cloud-band CLD masks it).")] = 0.0,
) -> None:
    """Render synthetic Sentinel-2-like scenes of a simulated landscape (COGs + static STAC catalog)."""
    from cocamonitor.io.outputs import output_dir
    from cocamonitor.simulate.scenes import SceneConfig, render_scenes, scene_history, write_scenes

    folder = output_dir(out)
    hist = scene_history(size=size, year=year, seed=seed)
    stack = render_scenes(hist, year, seed=seed + 1,
                          scene=SceneConfig(dates=dates, cloud_mean=cloud_mean,
                                            persistent_cloud_share=persistent_cloud, haze_share=haze))
    cat = write_scenes(stack, folder)
    err_console.print(f"wrote {cat} ({dates} dates, {size}x{size} px) and reference.tif, prior_map.tif, "
                      f"land_cover.tif, truth.json; true coca on {stack.reference_date}: {stack.true_coca_ha:,.2f} ha")


@map_app.command(
    "train",
    epilog="Example: cocamonitor map train --catalog scenes/catalog.json --training training.csv "
    "--reference-date 2021-12-31 --out model",
)
def train_cmd(
    catalog: CatalogOpt,
    training: Annotated[Path, typer.Option("--training", help="Labelled points (CSV from `area label`): x, y in "
                                           "the map CRS and reference_class.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for model.joblib and model_card.json.")],
    reference_date: Annotated[str, typer.Option("--reference-date", help="Date of the map (YYYY-MM-DD).")],
    window_days: Annotated[int, typer.Option("--window-days", min=1, help="Use images this close to the date.")] = 60,
    bands: Annotated[str | None, typer.Option("--bands", help="Reflectance assets, comma-separated "
                                              "(default: the ten 10/20 m Sentinel-2 bands).")] = None,
    scl_band: Annotated[str, typer.Option("--scl-band", help="Asset key of the scene classification.")] = "SCL",
    cloud_band: Annotated[str | None, typer.Option(
        "--cloud-band", help="Asset key of a cloud probability in per cent (L2A MSK_CLDPRB, s2cloudless x 100), "
        "masked from --cloud-max on top of SCL; kept in the model card for `map predict`.")] = None,
    cloud_max: Annotated[float, typer.Option("--cloud-max", help="Cloud probability (per cent) from which an "
                                             "observation is masked.")] = 40.0,
    crs: CrsOpt = "EPSG:9377",
    resolution: ResolutionOpt = 10.0,
    engine: Annotated[Engine, typer.Option("--engine", help="Classifier.")] = Engine.hgb,
    block_m: Annotated[float, typer.Option("--block-m", help="Side of the spatial CV blocks, metres.")] = 1000.0,
    folds: Annotated[int, typer.Option("--folds", min=2, help="Blocked cross-validation folds.")] = 5,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the classifier.")] = 0,
    tile: TileOpt = 512,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="table, csv or json (the model card).")]
    = TableFormat.table,
) -> None:
    """Train a calibrated classifier on labelled points; report its accuracy on held-out spatial blocks."""
    import numpy as np

    from cocamonitor.imagery import open_stack, point_features, train_classifier
    from cocamonitor.io.outputs import output_dir
    from cocamonitor.io.tables import read_table
    from cocamonitor.provenance import Provenance

    ref = _date(reference_date, "--reference-date")
    output_dir(out)
    df = read_table(training, required=["x", "y", "reference_class"], numeric=["x", "y"])
    with _cli_errors():
        stack = open_stack(catalog, reference_date=ref, window_days=window_days, bands=_bands(bands), crs=crs,
                           resolution=resolution, scl_band=scl_band, cloud_band=cloud_band, cloud_max=cloud_max)
        X, nobs = point_features(stack, df["x"].to_numpy(float), df["y"].to_numpy(float), tile=tile,
                                 source=str(training))
        keep = nobs > 0
        if not keep.all():
            warnings.warn(f"{int((~keep).sum())} of {keep.size} training points have no cloud-free observation "
                          f"within {window_days} days of {ref}; they are left out", CocamonitorWarning, stacklevel=1)
        labels = df["reference_class"].astype(str).to_numpy()
        model = train_classifier(X[keep], labels[keep], df["x"].to_numpy(float)[keep],
                                 df["y"].to_numpy(float)[keep], feature_names=stack.feature_names,
                                 engine=engine.value, block_m=block_m, folds=folds, seed=seed, source=str(training))
    prov = Provenance.build(inputs=[training, catalog], parameters={
        "reference_date": ref.isoformat(), "window_days": window_days, "bands": stack.bands, "crs": crs,
        "resolution": resolution, "engine": engine.value, "block_m": block_m, "folds": folds, "seed": seed,
        "cloud_band": cloud_band, "cloud_max": cloud_max})
    model = model.with_imagery(reference_date=ref.isoformat(), window_days=window_days, bands=stack.bands,
                               scl_band=scl_band, cloud_band=cloud_band, cloud_max=cloud_max, crs=crs,
                               resolution=resolution, dates=[d.isoformat() for d in stack.dates],
                               composite="best pixel nearest the reference date, and medians over the window",
                               points_without_observation=int((~keep).sum()), provenance=prov.to_dict())
    path, card = model.save(out)
    doc = model.card.to_dict()
    if fmt is TableFormat.json:
        emit_json(doc)
        return
    cv = doc["cv"]
    rows = [{"class": c, "points": doc["training"]["per_class"][c], "users_accuracy": cv["users_accuracy"][c],
             "producers_accuracy": cv["producers_accuracy"][c]} for c in doc["classes"]]
    import pandas as pd

    emit_table(pd.DataFrame(rows), fmt, title=f"Blocked {cv['folds']}-fold CV ({cv['blocks']} blocks of "
               f"{block_m:g} m), {engine.value}")
    err_console.print(f"overall accuracy on held-out blocks {cv['overall_accuracy']:.3f}, balanced "
                      f"{cv['balanced_accuracy']:.3f}, Brier {cv['brier']:.3f}; {int(np.sum(keep))} points")
    err_console.print(f"wrote {path} and {card}")


@map_app.command(
    "predict",
    epilog="Example: cocamonitor map predict --catalog scenes/catalog.json --model model --out map",
)
def predict_cmd(
    catalog: CatalogOpt,
    model_path: Annotated[Path, typer.Option("--model", help="Folder written by `map train`.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for probability.tif, class.tif, obs_day.tif, "
                                      "map_card.json.")],
    reference_date: Annotated[str | None, typer.Option(
        "--reference-date", help="Date of the map (default: the model's).")] = None,
    target_class: Annotated[str | None, typer.Option(
        "--target-class", help="The coca class (default 1 or coca).")] = None,
    tile: TileOpt = 512,
    engine: Annotated[PredictEngine, typer.Option(
        "--engine", help="Threads of this process, or a dask cluster (local, or --scheduler's).")]
    = PredictEngine.threads,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="Threads (default: the CPUs), or local dask worker processes (default 2).")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="--engine dask: address of a running scheduler (tcp://HOST:PORT); its workers "
        "must see the catalog's files.")] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="table, csv or json.")] = TableFormat.table,
) -> None:
    """Classify the imagery tile by tile: probability and class COGs, observation days, map card."""
    from cocamonitor.imagery import load_model, open_stack, predict_map
    from cocamonitor.io.outputs import output_dir
    from cocamonitor.provenance import Provenance

    if engine is PredictEngine.threads and scheduler is not None:
        raise ParameterError("--scheduler needs --engine dask", where="--engine", hint="add --engine dask")
    folder = output_dir(out)
    with _cli_errors():
        model = load_model(model_path)
        im = model.card.imagery
        missing = [k for k in ("window_days", "bands", "crs", "resolution") if k not in im]
        missing += [] if reference_date or "reference_date" in im else ["reference_date"]
        if missing:  # a model saved from Python without with_imagery(): how to read the images is unknown
            raise InputError(f"the model's card does not say how its imagery was read (no {', '.join(missing)})",
                             where="--model", hint="train it with `cocamonitor map train`, or save it from Python "
                             "after TrainedModel.with_imagery(reference_date=..., window_days=..., bands=..., "
                             "crs=..., resolution=...)")
        ref = _date(reference_date, "--reference-date") if reference_date else dt.date.fromisoformat(
            im["reference_date"])
        stack = open_stack(catalog, reference_date=ref, window_days=int(im["window_days"]), bands=im["bands"],
                           crs=im["crs"], resolution=float(im["resolution"]), scl_band=im.get("scl_band", "SCL"),
                           cloud_band=im.get("cloud_band"), cloud_max=float(im.get("cloud_max", 40.0)))
        with ProgressBar("map predict: tiles") as progress:
            summary = predict_map(model, stack, folder, tile=tile, target_class=target_class,
                                  engine=engine.value, workers=workers, scheduler=scheduler, progress=progress)
    doc: dict[str, Any] = {"model": model.card.to_dict(), "map": summary.to_dict(), "reference_date": ref.isoformat(),
           "dates": [d.isoformat() for d in stack.dates],
           "provenance": Provenance.build(inputs=[catalog, Path(model_path) / "model.joblib"
                                                  if Path(model_path).is_dir() else Path(model_path)],
                                          parameters={"reference_date": ref.isoformat(), "tile": tile,
                                                      "target_class": summary.target_class,
                                                      "engine": engine.value}).to_dict()}
    (folder / "map_card.json").write_text(json.dumps(doc, indent=2, default=float))
    if fmt is TableFormat.json:
        emit_json(doc["map"])
        return
    import pandas as pd

    m = doc["map"]
    emit_table(pd.DataFrame([{"class": c, "mapped_ha": v} for c, v in m["mapped_ha"].items()]), fmt,
               title=f"Mapped area by class, {ref}")
    err_console.print(f"no cloud-free observation within {im['window_days']} days: {m['no_observation_ha']:,.2f} ha "
                      f"({100 * m['no_observation_share']:.1f} % of the area; nodata in the maps, not filled)")
    err_console.print(f"wrote {', '.join(summary.files.values())} and {folder / 'map_card.json'}")


@map_app.command(
    "strata",
    epilog="Example: cocamonitor map strata --probability map/probability.tif --out strata.tif; then "
    "cocamonitor area design --map strata.tif ...",
)
def strata_cmd(
    probability: Annotated[Path, typer.Option("--probability", help="probability.tif from `map predict`.")],
    out: Annotated[Path, typer.Option("--out", help="Strata GeoTIFF to write (input of `area design --map`).")],
    high: Annotated[float, typer.Option("--high", help="Probability from which a pixel is mapped coca.")] = 0.5,
    low: Annotated[float, typer.Option("--low", help="Probability from which a pixel is uncertain.")] = 0.1,
    buffer_m: Annotated[float, typer.Option("--buffer-m", help="Buffer around coca and uncertain pixels, m.")] = 100.0,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="table, csv or json.")] = TableFormat.table,
) -> None:
    """Strata for `area design`: 1 mapped coca, 3 uncertain, 2 buffer, 0 other, 4 no observation."""
    from cocamonitor.imagery import probability_strata
    from cocamonitor.io.outputs import output_file

    output_file(out)
    with _cli_errors():
        summary = probability_strata(probability, out, high=high, low=low, buffer_m=buffer_m)
    if fmt is TableFormat.json:
        emit_json(summary.to_dict())
        return
    emit_table(summary.to_frame(), fmt, title="Strata")
    err_console.print(f"wrote {out}; next: cocamonitor area design --map {out} --n ... --allocation ...")


def register(app: typer.Typer) -> None:
    """Add the `map` commands to the root app."""
    app.add_typer(map_app, name="map")
