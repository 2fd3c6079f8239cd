"""``cocamonitor simulate run | compare | experiment``: the methodology testbed on the command line.

``run`` simulates one landscape and writes everything another command can be tried on: the
truth table, land-cover and census maps as GeoTIFF (projected CRS), the survey segments and the
reference sample as GeoPackage, and reference samples with stratum areas as CSV for
``cocamonitor area estimate``. ``compare`` scores the three methods over replicates (optionally
at an equal budget) and writes the verdict; ``experiment`` runs a small factorial of
conditions in parallel.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cocamonitor._checks import check_seed
from cocamonitor._plotting import check_figure_path
from cocamonitor.commands._common import TableFormat, emit_json, emit_table, err_console, record_result
from cocamonitor.errors import InputError, ParameterError
from cocamonitor.io.outputs import output_dir
from cocamonitor.provenance import Provenance
from cocamonitor.results import Rows
from cocamonitor.simulate.config import SimulationConfig, load_config, parse_years
from cocamonitor.simulate.dynamics import History, simulate_history
from cocamonitor.simulate.methods import CensusResult, MethodEstimate, run_methods
from cocamonitor.simulate.score import compare, replicate_rng

__all__ = ["register", "write_geotiff"]

simulate_app = typer.Typer(
    help="Methodology testbed: synthetic landscapes with known truth, measured by the census, "
    "the sample survey and good practice.",
    no_args_is_help=True,
)

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Simulator TOML (default: the bundled "
                 "cocamonitor/data/simulate_default.toml)."),
]
YearsOpt = Annotated[str, typer.Option("--years", help="Reported years, e.g. 2015-2024.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed: the same seed gives the same run, bit for bit.")]
SizeOpt = Annotated[
    int | None, typer.Option("--size", help="Pixels per side (overrides [landscape] size).")
]
FormatOpt = Annotated[TableFormat, typer.Option("--format", "-f", help="table, csv or json.")]


def _scoring_options(seed: int | None, lang: str, config: Path | None, size: int | None, years: str,
                     replicates: int) -> tuple[str, Any, list[int]]:
    """Check what `compare` and `experiment` share: seed, language, configuration, years, replicates."""
    from cocamonitor.report.locale import check_lang

    check_seed(seed)
    lang = check_lang(lang)
    cfg = _config(config, size)
    yrs = parse_years(years)
    if len(yrs) < 2:
        raise InputError("need at least two years to score changes", where="--years",
                         hint="write e.g. 2015-2024")
    if replicates < 1:
        raise InputError(f"--replicates must be at least 1, got {replicates}", where="--replicates")
    return lang, cfg, yrs


def _config(path: Path | None, size: int | None) -> SimulationConfig:
    cfg = load_config(path)
    if size is not None:
        try:
            cfg = cfg.replace(landscape={"size": size})
        except ParameterError as err:
            raise ParameterError(err.message, where="--size", hint=err.hint) from None
    from cocamonitor._memory import check_memory

    n = cfg.landscape.size  # about 40 bytes a pixel at the peak (float fields, labels, maps)
    check_memory(40.0 * n * n, where="--size" if size is not None else f"{path}, [landscape] size",
                 what=f"{n} x {n} pixels", hint="give a smaller --size (the default is 1000)")
    return cfg


@contextmanager
def _progress(description: str, total: int) -> Iterator[Any]:
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err_console, transient=False,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


def write_geotiff(path: Path, array: np.ndarray, hist: History, *, nodata: int | None = None,
                  categories: dict[int, str] | None = None) -> None:
    """Write a uint8 grid of the history's landscape as a tiled, compressed GeoTIFF."""
    import rasterio
    from rasterio.transform import Affine

    land = hist.landscape
    a, b, c, d, e, f = land.transform
    profile = {
        "driver": "GTiff", "height": array.shape[0], "width": array.shape[1], "count": 1,
        "dtype": "uint8", "crs": land.crs, "transform": Affine(a, b, c, d, e, f),
        "compress": "deflate", "tiled": array.shape[0] >= 256, "nodata": nodata,
    }
    if profile["tiled"]:
        profile.update(blockxsize=256, blockysize=256)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(array, 1)
        if categories:
            dst.update_tags(1, **{f"class_{k}": v for k, v in categories.items()})


def _segments_frame(segs: pd.DataFrame, hist: History, year: int) -> Any:
    import geopandas as gpd
    import shapely

    seg = hist.config.sample_survey.segment_size_m
    px = hist.landscape.pixel_size_m
    side_x = np.sqrt(segs["pixels"].to_numpy(float)) * px  # edge segments may be smaller
    x0 = segs["x_min"].to_numpy(float)
    y1 = segs["y_max"].to_numpy(float)
    side = np.minimum(side_x, seg)
    geom = shapely.box(x0, y1 - side, x0 + side, y1)
    out = segs.drop(columns=["x_min", "y_max"]).assign(year=year)
    return gpd.GeoDataFrame(out, geometry=geom, crs=hist.landscape.crs)


def _points_frame(smp: pd.DataFrame, hist: History, year: int) -> Any:
    import geopandas as gpd

    geom = gpd.points_from_xy(smp["x"], smp["y"])
    return gpd.GeoDataFrame(smp.assign(year=year), geometry=geom, crs=hist.landscape.crs)


@simulate_app.command("run")
def run_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory (created).")],
    config: ConfigOpt = None,
    years: YearsOpt = "2015-2024",
    seed: SeedOpt = 0,
    size: SizeOpt = None,
    fmt: FormatOpt = TableFormat.table,
) -> None:
    """Simulate one landscape, measure it with the three methods and write every output.

    Writes to OUT: truth.csv, estimates.csv, eradication.csv, fields.csv, run.json,
    maps/landcover_YYYY.tif (0 other, 1 forest, 2 coca on 31 Dec), maps/census_YYYY.tif
    (census map: 1 coca), samples.gpkg (layers sample_survey, good_practice) and
    reference_YYYY.csv + strata_areas_YYYY.csv for `cocamonitor area estimate`.

    Example: cocamonitor simulate run --years 2018-2020 --size 300 --seed 1 --out sim
    """
    check_seed(seed)
    cfg = _config(config, size)
    yrs = parse_years(years)
    output_dir(out, where="--out")
    (out / "maps").mkdir(exist_ok=True)
    segs_all, pts_all = [], []

    with _progress("simulate run", len(yrs) + 2) as advance:
        hist = simulate_history(cfg, yrs, seed)
        advance()

        def on_year(year: int, cen: CensusResult, segs: pd.DataFrame, smp: pd.DataFrame,
                    ests: list[MethodEstimate]) -> None:
            s1 = hist.dec31(year)
            write_geotiff(out / "maps" / f"landcover_{year}.tif", hist.land_cover(s1), hist,
                          categories={0: "other", 1: "forest", 2: "coca"})
            write_geotiff(out / "maps" / f"census_{year}.tif", cen.map, hist,
                          categories={0: "other", 1: "coca"})
            segs_all.append(_segments_frame(segs, hist, year))
            pts_all.append(_points_frame(smp, hist, year))
            smp[["stratum", "map_class", "reference_class", "x", "y"]].to_csv(
                out / f"reference_{year}.csv", index=False)
            gp = next(e for e in ests if e.method == "good_practice")
            strata = {k[2:]: v * cfg.pixel_area_ha for k, v in gp.details.items()
                      if k.startswith("N_") and v > 0}
            pd.DataFrame({"stratum": list(strata), "area": list(strata.values()),
                          "unit": "ha"}).to_csv(out / f"strata_areas_{year}.csv", index=False)
            advance()

        est = run_methods(hist, replicate_rng(seed, 0), on_year=on_year)
        truth = hist.truth_table()
        truth.to_csv(out / "truth.csv", index=False)
        est = est.merge(truth[["year", "dec31_ha"]], on="year").rename(
            columns={"dec31_ha": "truth_dec31_ha"})
        est.to_csv(out / "estimates.csv", index=False)
        hist.eradication_records().to_csv(out / "eradication.csv", index=False)
        f = hist.fields
        fx, fy = hist.landscape.xy(f.row + f.height / 2 - 0.5, f.col + f.width / 2 - 0.5)
        pd.DataFrame({"field": np.arange(len(f)), "x": fx, "y": fy,
                      "area_ha": f.pixels * cfg.pixel_area_ha,
                      "created_day": f.created}).to_csv(out / "fields.csv", index=False)
        import geopandas as gpd

        gpkg = out / "samples.gpkg"
        if gpkg.exists():
            gpkg.unlink()
        pd.concat(segs_all, ignore_index=True).pipe(gpd.GeoDataFrame).to_file(
            gpkg, layer="sample_survey", driver="GPKG")
        pd.concat(pts_all, ignore_index=True).pipe(gpd.GeoDataFrame).to_file(
            gpkg, layer="good_practice", driver="GPKG")
        prov = Provenance.build(inputs=[config] if config else [],
                                parameters={"years": f"{yrs[0]}-{yrs[-1]}", "seed": seed,
                                            "size": cfg.landscape.size})
        (out / "run.json").write_text(json.dumps(
            {"config": cfg.to_dict(), "years": yrs, "seed": seed,
             "provenance": prov.to_dict()}, indent=2), encoding="utf-8")
        advance()

    wide = est.pivot(index="year", columns="method", values="area_ha").reset_index()
    wide.columns.name = None
    table = truth[["year", "dec31_ha", "harvested_ha"]].merge(wide, on="year")
    err_console.print(f"wrote {out}")
    emit_table(table, fmt, title=f"Simulated truth and estimates (ha), seed {seed}")


@simulate_app.command("compare")
def compare_cmd(
    config: ConfigOpt = None,
    size: SizeOpt = None,
    years: YearsOpt = "2015-2024",
    replicates: Annotated[int, typer.Option(
        "--replicates", "-n", help="Replicate observations (20 x 10 years: coverage known to "
        "about ±3 points).")] = 20,
    seed: SeedOpt = 0,
    budget: Annotated[float | None, typer.Option(
        "--budget", help="Analyst hours per year given to each sample-based method (the "
        "survey buys segments, good practice the map and reference points).")] = None,
    fmt: FormatOpt = TableFormat.table,
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Write the one-page verdict (PNG, SVG or PDF).")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the verdict: en or es.")] = "en",
    classified: Annotated[bool, typer.Option(
        "--classified", help="Also score good practice on a classified map: synthetic Sentinel-2 scenes "
        "of every year classified by `map train`'s model (slower: renders, trains and predicts each "
        "year).")] = False,
) -> None:
    """Score the census, the sample survey and good practice against the simulated truth.

    One landscape history is simulated from SEED; each replicate redraws the clouds, the map
    errors and the samples. Scores against both truths (31 December, harvested in the year;
    TARGET is the one each method measures): bias with its Monte Carlo SE, RMSE, coverage of
    the intervals with its Wilson interval, the share of degenerate (zero-width) intervals,
    the share of year-over-year changes whose sign is right, and the analyst hours and units
    (images, segments, points) each method used per year. With --classified, a fourth method:
    good practice on the map a real classifier makes from synthetic Sentinel-2 scenes (its
    errors come from the classifier, not from an error model); its cost is the labelled
    training and reference points.

    Example: cocamonitor simulate compare --size 300 --years 2018-2022 --replicates 10 --budget 150 --format json
    """
    from cocamonitor.simulate.verdict import plot_verdict, verdict, verdict_rows

    lang, cfg, yrs = _scoring_options(seed, lang, config, size, years, replicates)
    if budget is not None:
        _check_budget(cfg, budget, classified=classified)
    if plot is not None:
        check_figure_path(plot, html=False)
    with _progress("simulate compare", replicates * len(yrs)) as advance:
        try:
            cmp = compare(cfg, yrs, replicates, seed, progress=advance, budget_hours=budget,
                          classified=classified or None)
        except ParameterError as err:
            if err.where == "budget_hours":
                raise ParameterError(err.message, where="--budget", hint=err.hint) from None
            raise
    if plot is not None:
        plot_verdict(cmp, plot, lang)
        err_console.print(f"wrote {plot}")
    doc = cmp.to_dict()
    doc["verdict"] = verdict_rows(cmp)
    doc["provenance"] = Provenance.build(
        inputs=[config] if config else [],
        parameters={"years": f"{yrs[0]}-{yrs[-1]}", "seed": seed, "replicates": replicates,
                    "size": cfg.landscape.size, "budget": budget, "classified": classified}).to_dict()
    record_result("simulate compare", doc, result=Rows(cmp.estimate_rows))
    if fmt is TableFormat.json:
        emit_json(doc)
        return
    frame = cmp.to_frame()
    if fmt is TableFormat.table:
        frame = _compact(frame)
    emit_table(frame, fmt,
               title=f"Methods vs truth: {replicates} replicates, {yrs[0]}-{yrs[-1]}"
               + (f", budget {budget:g} h/year" if budget is not None else ""))
    if fmt is TableFormat.table:
        for sentence in verdict(cmp, lang).values():
            err_console.print(sentence)


def _compact(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the score table for the terminal: one column per question, uncertainties inline."""
    unit = {"census": "images", "sample_survey": "segments", "good_practice": "points", "classified_map": "points"}

    def cov(r: Any) -> str:
        if r.coverage is None or pd.isna(r.coverage):
            return "–"
        return f"{r.coverage:.0%} ({r.coverage_low:.0%}–{r.coverage_high:.0%})"

    return pd.DataFrame({
        "method": frame["method"], "truth": frame["target"],
        "bias ± MCSE (ha)": [f"{b:+.1f} ± {m:.1f}" for b, m in
                             zip(frame["bias_ha"], frame["bias_mcse_ha"], strict=True)],
        "RMSE (ha)": frame["rmse_ha"].round(1),
        "coverage (Wilson)": [cov(r) for r in frame.itertuples()],
        "degenerate": [("–" if d is None or pd.isna(d) else f"{d:.0%}")
                       for d in frame["degenerate_share"]],
        "sign right": [f"{v:.0%}" if v is not None and pd.notna(v) else "–"
                       for v in frame["sign_agreement"]],
        "h/year": frame["hours_per_year"].round(0),
        "bought/year": [f"{u:,.0f} {unit.get(m, '')}" for m, u in
                        zip(frame["method"], frame["units_per_year"], strict=True)],
    })


def _check_budget(cfg: SimulationConfig, budget: float, *, classified: bool = False) -> None:
    """Refuse a non-finite or non-positive budget, or one too small for the minimum designs."""
    from cocamonitor.simulate.cost import points_for, survey_segments_for

    if not np.isfinite(budget) or budget <= 0:
        raise InputError(f"--budget must be a positive number of hours, got {budget:g}",
                         where="--budget", hint="e.g. --budget 200")
    try:
        survey_segments_for(cfg, budget)
        points_for(cfg, budget, cfg.census.max_images)
        if classified:
            from cocamonitor.simulate.classified import ClassifiedMapConfig, budget_config

            budget_config(cfg, ClassifiedMapConfig(), budget)
    except ParameterError as err:
        raise ParameterError(err.message, where="--budget", hint=err.hint) from None


@simulate_app.command("experiment")
def experiment_cmd(
    grid: Annotated[list[str], typer.Option(
        "--grid", "-g", help="Factors and levels: 'clouds=0.1,0.4 fields=small,large' (repeat "
        "or space-separate). Factors: clouds, fields, eradication, or section.key.")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder for experiment.csv, experiment.json and experiment.png.")] = None,
    config: ConfigOpt = None,
    size: SizeOpt = None,
    years: YearsOpt = "2018-2022",
    replicates: Annotated[int, typer.Option("--replicates", "-n", help="Replicates per cell.")] = 50,
    seed: SeedOpt = 0,
    workers: Annotated[int, typer.Option("--workers", "-w", help="Parallel processes (dask).")] = 2,
    budget: Annotated[float | None, typer.Option(
        "--budget", help="Equal analyst hours per year for the sample-based methods.")] = None,
    fmt: FormatOpt = TableFormat.table,
    lang: Annotated[str, typer.Option("--lang", help="Language of the chart: en or es.")] = "en",
) -> None:
    """Run a small factorial experiment: which method gets level, change and sign right, when.

    Every cell of the grid (each combination of levels) simulates its own history from SEED and
    scores the three methods over REPLICATES replicates, against the truth each one targets.
    Cells and chunks of replicates run in parallel (dask processes); each task holds one
    landscape, so memory stays bounded.

    Example: cocamonitor simulate experiment --grid "clouds=0.1,0.4 fields=small,large"
    --size 300 --replicates 10 --out exp
    """
    from cocamonitor.simulate.experiment import (
        apply_cell,
        grid_cells,
        parse_grid,
        plot_experiment,
        run_experiment,
    )

    lang, cfg, yrs = _scoring_options(seed, lang, config, size, years, replicates)
    if workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}", where="--workers")
    try:
        parsed = parse_grid(grid, where="--grid")
        cells = grid_cells(parsed)
        for cell in cells:
            apply_cell(cfg, cell, where="--grid")
    except ParameterError as err:
        raise ParameterError(err.message, where=err.where, hint=err.hint) from None
    if budget is not None:
        for cell in cells:
            _check_budget(apply_cell(cfg, cell, where="--grid"), budget)
    if out is not None:
        output_dir(out, where="--out")
    with _progress("simulate experiment", len(cells) * replicates) as advance:
        exp = run_experiment(cfg, parsed, yrs, replicates, seed, workers=workers,
                             budget_hours=budget, progress=advance)
    doc = exp.to_dict()
    doc["provenance"] = Provenance.build(
        inputs=[config] if config else [],
        parameters={"grid": " ".join(grid), "years": f"{yrs[0]}-{yrs[-1]}", "seed": seed,
                    "replicates": replicates, "size": cfg.landscape.size,
                    "budget": budget}).to_dict()
    if out is not None:
        exp.to_frame().to_csv(out / "experiment.csv", index=False)
        (out / "experiment.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
        plot_experiment(exp, out / "experiment.png", lang)
        err_console.print(f"wrote {out}/experiment.csv, experiment.json, experiment.png")
    record_result("simulate experiment", doc, result=exp)
    if fmt is TableFormat.json:
        emit_json(doc)
        return
    frame = exp.to_frame()
    if fmt is TableFormat.table:
        factors = list(parsed)
        frame = pd.concat([frame[factors].reset_index(drop=True),
                           _compact(frame).drop(columns=["bought/year"])], axis=1)
    emit_table(frame, fmt, title=f"Experiment: {len(cells)} cells x {replicates} replicates, "
               f"{yrs[0]}-{yrs[-1]}")


def register(app: typer.Typer) -> None:
    """Add the ``simulate`` group to the root app."""
    app.add_typer(simulate_app, name="simulate")
