"""``cocamonitor area design | label | estimate``: sample-based coca area with honest SEs."""

from __future__ import annotations

import logging
import warnings
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer

from cocamonitor._checks import check_seed
from cocamonitor.area import AreaEstimate, SampleDesign
from cocamonitor.area.domains import LEVEL_COLUMNS, territory_domains
from cocamonitor.commands._common import (
    TableFormat,
    emit_json,
    emit_table,
    err_console,
    record_result,
)
from cocamonitor.errors import CocamonitorWarning, DataError, InputError, ParameterError
from cocamonitor.io.outputs import output_file
from cocamonitor.io.tables import location, read_table
from cocamonitor.provenance import Provenance

__all__ = ["register"]

EXAMPLES = "src/cocamonitor/data/examples"

area_app = typer.Typer(
    help="Sample-based area estimation and map accuracy: design a sample, label it, estimate.",
    no_args_is_help=True,
)


class Method(str, Enum):
    """Estimators selectable with --method."""

    auto = "auto"
    stratified = "stratified"
    stehman2014 = "stehman2014"
    two_stage = "two-stage"
    post_stratified = "post-stratified"


class Selection(str, Enum):
    """First-stage selection of a two-stage design."""

    pps = "pps"
    equal = "equal"


class Variance(str, Enum):
    """Variance estimator of the post-stratified estimator."""

    conditional = "conditional"
    unconditional = "unconditional"


class AllocationOpt(str, Enum):
    """Allocation rules of --allocation."""

    proportional = "proportional"
    equal = "equal"
    neyman = "neyman"
    floor = "floor"


FormatOpt = Annotated[TableFormat, typer.Option("--format", "-f", help="table, csv or json (the JSON contract).")]


EqualAreaOpt = Annotated[
    str | None,
    typer.Option("--equal-area-crs", help="Equal-area CRS in which to measure every pixel (needed for "
                 "degrees; replaces the nominal pixel size of a projected map)."),
]



def _to_colrow(transform, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fractional (col, row) of map coordinates, vectorised (inverse affine)."""
    inv = ~transform
    return inv.a * x + inv.b * y + inv.c, inv.d * x + inv.e * y + inv.f

def _parse_pairs(items: list[str] | None, option: str, *, numbers: bool) -> dict[str, Any]:
    """Read ``A=B`` items (repeatable, or comma-separated) into a dict."""
    out: dict[str, Any] = {}
    for item in items or []:
        for part in str(item).split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise ParameterError(f"cannot read {part!r}", where=option, hint="write KEY=VALUE, e.g. 1=0.85")
            k, v = (s.strip() for s in part.split("=", 1))
            if numbers:
                try:
                    out[k] = float(v)
                except ValueError:
                    raise ParameterError(f"{v!r} is not a number", where=option) from None
            else:
                out[k] = v
    return out


def _read_areas(path: Path) -> tuple[pd.DataFrame, str | None]:
    df = read_table(path, required=["stratum", "area"], numeric=["area"])
    unit = None
    if "unit" in df.columns:
        units = sorted(set(df["unit"].dropna().astype(str)))
        if len(units) > 1:
            raise DataError(
                f"mixes units {', '.join(units)}",
                where=f"{path}, column 'unit'",
                hint="give every area in one unit",
            )
        unit = units[0] if units else None
    return df, unit


def _areas_from_map(map_path: Path, equal_area_crs: str | None) -> dict[str, float]:
    from cocamonitor.zonal import class_areas

    df = class_areas(map_path, equal_area_crs=equal_area_crs, where="--map")
    areas = {str(int(c)): float(a) for c, a in zip(df["class"], df["area_ha"], strict=True) if a > 0}
    if not areas:
        raise InputError(f"{map_path} has no class pixels: every pixel is nodata", where="--map",
                         hint="give the classified map (check its nodata value)")
    return areas


def _check_points_in_map(sample: pd.DataFrame, map_path: Path, source: str) -> None:
    """Sample points (x/y in the map CRS) must fall on data pixels of the map."""
    if not {"x", "y"} <= set(sample.columns):
        return
    import rasterio

    from cocamonitor.io.rasters import open_raster

    info = open_raster(map_path, where="--map")
    x = pd.to_numeric(sample["x"], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(sample["y"], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError("missing or unreadable coordinate", where=location(source, i, "x"))
    col, row = _to_colrow(info.transform, x, y)
    col, row = np.floor(col).astype(np.int64), np.floor(row).astype(np.int64)
    outside = (row < 0) | (col < 0) | (row >= info.height) | (col >= info.width)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise DataError(
            f"sample point ({x[i]:.1f}, {y[i]:.1f}) is outside the map {map_path}",
            where=location(source, i, "x"),
            hint="x/y must be in the map's CRS; check that the sample was drawn from this map",
        )
    if info.nodata is not None:
        with rasterio.open(info.path) as src:
            vals = np.array([v[0] for v in src.sample(zip(x, y, strict=True))])
        nd = vals == info.nodata
        if nd.any():
            i = int(np.flatnonzero(nd)[0])
            raise DataError(
                f"sample point ({x[i]:.1f}, {y[i]:.1f}) falls on a nodata pixel of {map_path}",
                where=location(source, i, "x"),
                hint="drop it or check the map",
            )


def _pick_method(method: Method, sample: pd.DataFrame) -> Method:
    if method is not Method.auto:
        return method
    if "cluster" in sample.columns:
        return Method.two_stage
    if "map_class" in sample.columns and (sample["map_class"].astype(str) != sample["stratum"].astype(str)).any():
        return Method.stehman2014
    return Method.stratified


@area_app.command(
    "estimate",
    epilog=(
        "Example (from the repository root; Olofsson et al. 2013, Example 1, areas in pixels): "
        f"cocamonitor area estimate --sample {EXAMPLES}/olofsson2013_sample.csv "
        f"--strata-areas {EXAMPLES}/olofsson2013_areas.csv --format table"
    ),
)
def estimate_cmd(
    sample: Annotated[
        Path,
        typer.Option(
            "--sample",
            help="Labelled sample CSV: stratum, reference_class, optional map_class, cluster, x/y, grouping columns.",
        ),
    ],
    strata_areas: Annotated[
        Path | None,
        typer.Option("--strata-areas", help="CSV with stratum, area (any unit; optional unit)."),
    ] = None,
    map_path: Annotated[
        Path | None,
        typer.Option("--map", help="Map GeoTIFF: stratum areas (ha) from its classes."),
    ] = None,
    equal_area_crs: EqualAreaOpt = None,
    confidence: Annotated[float, typer.Option("--confidence", help="Confidence level.")] = 0.95,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Domain column of the sample, or department / municipality / pdet-subregion (from a divipola column).",
        ),
    ] = None,
    method: Annotated[
        Method, typer.Option("--method", help="Estimator; auto picks from the sample columns.")
    ] = Method.auto,
    collapse_strata: Annotated[
        list[str] | None,
        typer.Option(
            "--collapse-strata",
            help="Merge stratum A into B for the estimate and the variance: A=B (repeatable). "
            "Biased when A and B were sampled at different rates; prefer --collapse-variance.",
        ),
    ] = None,
    collapse_variance: Annotated[
        list[str] | None,
        typer.Option(
            "--collapse-variance",
            help="Group stratum A with B for the variance only: A=B (repeatable). The estimate "
            "keeps every stratum (unbiased); SEs and CIs use the conservative collapsed-strata "
            "variance (Cochran 1977 §5A.12). For strata with one sample unit.",
        ),
    ] = None,
    selection: Annotated[
        Selection, typer.Option("--selection", help="Two-stage: PSUs drawn pps or equal.")
    ] = Selection.pps,
    psu_count: Annotated[
        int | None,
        typer.Option("--psu-count", help="Two-stage, equal selection: PSUs per stratum."),
    ] = None,
    variance: Annotated[
        Variance, typer.Option("--variance", help="Post-stratified variance estimator.")
    ] = Variance.conditional,
    unit: Annotated[str | None, typer.Option("--unit", help="Unit of the areas (default: AREAS unit column).")] = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Also draw mapped vs estimated area and accuracies: FILE.png or FILE.html."),
    ] = None,
    fmt: FormatOpt = TableFormat.table,
) -> None:
    """Estimate class areas, accuracies and CIs from a labelled reference sample."""
    if plot is not None:
        from cocamonitor._plotting import check_figure_path

        check_figure_path(plot)  # refuse a bad extension or folder before any work
    if (strata_areas is None) == (map_path is None):
        raise InputError(
            "give exactly one of --strata-areas and --map",
            where="--strata-areas/--map",
            hint="AREAS.csv with stratum,area or the map GeoTIFF the sample was drawn from",
        )
    if equal_area_crs is not None and map_path is None:
        raise InputError("--equal-area-crs sets the CRS in which the --map pixels are measured; "
                         "with --strata-areas the areas are taken as given", where="--equal-area-crs",
                         hint="drop --equal-area-crs, or give --map instead of --strata-areas")
    df = read_table(sample, required=["stratum", "reference_class"])
    src = str(sample)
    if map_path is not None:
        areas: Any = _areas_from_map(map_path, equal_area_crs)
        areas_src = str(map_path)
        unit = unit or "ha"
        _check_points_in_map(df, map_path, src)
    else:
        assert strata_areas is not None
        areas, file_unit = _read_areas(strata_areas)
        areas_src = str(strata_areas)
        unit = unit or file_unit or "unspecified"
    by_col = by
    if by is not None and by not in df.columns:
        if by in LEVEL_COLUMNS:
            by_col = "_domain"
            df[by_col] = territory_domains(df, by, source=src)
        else:
            raise InputError(
                f"no column {by!r} in the sample",
                where="--by",
                hint=f"give a column of {src} or one of {', '.join(LEVEL_COLUMNS)} (with a divipola column)",
            )
    collapse = _parse_pairs(collapse_strata, "--collapse-strata", numbers=False) or None
    grouped = _parse_pairs(collapse_variance, "--collapse-variance", numbers=False) or None
    chosen = _pick_method(method, df)
    # the CLI's method names (two-stage) are the core's (two_stage) with hyphens
    design = SampleDesign(
        chosen.value.replace("-", "_"), strata_areas=areas, collapse=collapse, collapse_variance=grouped,
        post_stratum="map_class" if "map_class" in df.columns else "stratum", variance=variance.value,
        selection=selection.value, psu_count=psu_count,
    )
    est: AreaEstimate
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CocamonitorWarning)
        est = design.estimate(df, confidence=confidence, by=by_col, source=src, areas_source=areas_src)
    for w in caught:  # one line each on stderr, without Python's source-line echo
        logging.getLogger(__name__).warning("%s", w.message)
    params: dict[str, Any] = {
        "method": est.method,
        "confidence": confidence,
        "by": by,
        "collapse_strata": collapse,
        "collapse_variance": grouped,
    }
    if est.variance_groups:
        params["variance_groups"] = {g: list(m) for g, m in est.variance_groups.items()}
    if map_path is not None:
        params["equal_area_crs"] = equal_area_crs
    if est.method == "two_stage":
        params["selection"] = selection.value
        params["psu_count"] = psu_count
    if est.method == "post_stratified":
        params["variance"] = variance.value
    areas_file = strata_areas if strata_areas is not None else map_path
    assert areas_file is not None
    prov = Provenance.build(inputs=[sample, areas_file], parameters=params)
    est = est.with_unit(unit).with_provenance(prov.to_dict())
    doc = est.to_dict()
    record_result("area estimate", doc, result=est)
    if plot is not None:
        from cocamonitor.area.plot import plot_area_estimate

        plot_area_estimate(est, plot)
        err_console.print(f"wrote {plot}")
    if fmt is TableFormat.json:
        emit_json(doc)
        return
    if by is not None:
        emit_table(est.domains_frame(), fmt, title=f"Area by {by} ({unit}), {est.method}")
    else:
        frame = est.to_frame()
        if fmt is TableFormat.table:  # the full set of columns is in csv/json
            frame = frame[
                ["class", "area", "area_se", "area_ci_low", "area_ci_high", "users_accuracy", "producers_accuracy"]
            ]
        emit_table(frame, fmt, title=f"Area by class ({unit}), {est.method}")
    if fmt is TableFormat.table and est.variance_groups:
        groups = "; ".join(" + ".join(m) for m in est.variance_groups.values())
        err_console.print(f"variance with collapsed strata: {groups} (the estimates keep every stratum)")
    if fmt is TableFormat.table and est.overall_accuracy is not None:
        err_console.print(
            f"overall accuracy {est.overall_accuracy:.3f} (SE {est.overall_accuracy_se:.3f}); "
            f"total area {est.total_area:,.2f} {unit}; {int(confidence * 100)} % intervals"
        )


@area_app.command(
    "design",
    epilog=(
        "Example (from the repository root): cocamonitor area design --map "
        f"{EXAMPLES}/coca_map.tif --n 300 --allocation floor --floor 50 --seed 7 "
        "--out sample.gpkg"
    ),
)
def design_cmd(
    map_path: Annotated[Path, typer.Option("--map", help="Map GeoTIFF (integer classes).")],
    out: Annotated[Path, typer.Option(
        "--out", help="GeoPackage to write (a CSV with the same stem too); a directory gets sample.gpkg.",
    )],
    n: Annotated[int | None, typer.Option("--n", help="Total sample size.")] = None,
    target_se: Annotated[
        float | None,
        typer.Option("--target-se", help="Target SE of overall accuracy (Olofsson 2014 eq. 13)."),
    ] = None,
    users_accuracy: Annotated[
        list[str] | None,
        typer.Option("--users-accuracy", help="Anticipated user's accuracy per class: 1=0.8,0=0.95."),
    ] = None,
    anticipated_ua: Annotated[
        Path | None,
        typer.Option("--anticipated-ua", help="Anticipated user's accuracies from a file: last "
                     "year's labelled sample (map_class, reference_class) or class,users_accuracy."),
    ] = None,
    allocation: Annotated[
        AllocationOpt, typer.Option("--allocation", help="Allocation to strata.")
    ] = AllocationOpt.floor,
    floor: Annotated[int, typer.Option("--floor", min=0, help="Minimum per stratum (floor).")] = 30,
    classes: Annotated[str | None, typer.Option("--classes", help="Classes to sample (default: all): 0,1.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed (default: a fresh one, printed).")] = None,
    equal_area_crs: EqualAreaOpt = None,
    fmt: FormatOpt = TableFormat.table,
) -> None:
    """Draw a stratified random sample of pixels from a map, ready for labelling."""
    check_seed(seed)
    from cocamonitor.sampling import (
        allocate,
        draw_stratified_sample,
        sample_paths,
        sample_size_stratified,
        write_sample,
    )

    output_file(sample_paths(out)[0])  # before any work
    areas = _areas_from_map(map_path, equal_area_crs)
    if classes is not None:
        wanted = [c.strip() for c in classes.split(",") if c.strip()]
        missing = [c for c in wanted if c not in areas]
        if missing:
            raise InputError(
                f"class {missing[0]} is not in the map",
                where="--classes",
                hint=f"classes in the map: {', '.join(areas)}",
            )
        areas = {c: areas[c] for c in wanted}
    ua = _parse_pairs(users_accuracy, "--users-accuracy", numbers=True) or None
    if anticipated_ua is not None:
        if ua is not None:
            raise InputError("give --users-accuracy or --anticipated-ua, not both",
                             where="--anticipated-ua")
        from cocamonitor.sampling import anticipated_users_accuracy

        ua = anticipated_users_accuracy(read_table(anticipated_ua, name=str(anticipated_ua)),
                                        source=str(anticipated_ua))
        missing = [c for c in areas if c not in ua]
        if missing:
            raise InputError(f"no anticipated user's accuracy for map class {missing[0]}",
                             where=str(anticipated_ua),
                             hint="the file must cover every class in the map (or use --classes)")
        ua = {c: ua[c] for c in areas}
    if (n is None) == (target_se is None):
        raise InputError("give exactly one of --n and --target-se", where="--n/--target-se")
    if n is None:
        if ua is None:
            raise InputError(
                "--target-se needs --users-accuracy or --anticipated-ua for every class",
                where="--users-accuracy",
                hint="e.g. --users-accuracy 1=0.8,0=0.95, or --anticipated-ua last_year.csv",
            )
        assert target_se is not None
        n = sample_size_stratified(areas, users_accuracy=ua, target_se=target_se)
    from cocamonitor.sampling import stratum_pixel_counts

    cls, counts = stratum_pixel_counts(map_path, [int(c) for c in areas])
    sizes = {str(int(c)): int(v) for c, v in zip(cls, counts.sum(axis=0), strict=True)}
    alloc = allocate(n, areas, method=allocation.value, floor=floor, users_accuracy=ua, sizes=sizes)
    if seed is None:
        seed = int(np.random.default_rng().integers(2**31))
    draw = draw_stratified_sample(map_path, alloc, seed=seed)
    gpkg, csv = write_sample(draw, out)
    table = alloc.to_frame()
    table["pixels"] = table["stratum"].map(sizes).astype(int)
    table["area_ha"] = table["stratum"].map(areas)
    if fmt is TableFormat.json:
        emit_json(
            {
                "allocation": alloc.to_dict(),
                "seed": seed,
                "files": [str(gpkg), str(csv)],
                "population_pixels": sizes,
                "provenance": Provenance.build(
                    inputs=[map_path],
                    parameters={
                        "n": n,
                        "allocation": allocation.value,
                        "floor": floor,
                        "seed": seed,
                        "equal_area_crs": equal_area_crs,
                    },
                ).to_dict(),
            }
        )
        return
    emit_table(table, fmt, title=f"Sample design ({alloc.method}, n = {alloc.total})")
    err_console.print(f"seed {seed}; wrote {gpkg} and {csv}; fill in reference_class")


@area_app.command(
    "label",
    epilog=(
        "Example (from the repository root): cocamonitor area label --sample sample.csv "
        f"--reference {EXAMPLES}/coca_reference.tif --out labelled.csv"
    ),
)
def label_cmd(
    sample: Annotated[Path, typer.Option("--sample", help="Sample CSV with x, y (map CRS).")],
    reference: Annotated[Path, typer.Option("--reference", help="Reference GeoTIFF (same CRS as the sample x/y).")],
    out: Annotated[Path, typer.Option("--out", help="Labelled CSV to write.")],
) -> None:
    """Fill reference_class from a reference raster (simulations, or a better map)."""
    import rasterio

    from cocamonitor.io.rasters import open_raster

    output_file(out)  # before any work
    df = read_table(sample, required=["x", "y"], numeric=["x", "y"])
    info = open_raster(reference, where="--reference")
    x, y = df["x"].to_numpy(dtype=float), df["y"].to_numpy(dtype=float)
    col, row = _to_colrow(info.transform, x, y)
    outside = (row < 0) | (col < 0) | (row >= info.height) | (col >= info.width)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise DataError(
            f"point ({x[i]:.1f}, {y[i]:.1f}) is outside the reference raster",
            where=location(str(sample), i, "x"),
            hint="the sample x/y must be in the reference raster's CRS and extent",
        )
    with rasterio.open(info.path) as src:
        vals = np.array([v[0] for v in src.sample(zip(x, y, strict=True))])
    if info.nodata is not None and (vals == info.nodata).any():
        i = int(np.flatnonzero(vals == info.nodata)[0])
        raise DataError(
            "the reference raster has no data at this point",
            where=location(str(sample), i, "x"),
            hint="label it by hand or drop it",
        )
    df["reference_class"] = [str(int(v)) for v in vals]
    df.to_csv(out, index=False)
    err_console.print(f"wrote {out} ({len(df)} points labelled)")


def register(app: typer.Typer) -> None:
    """Add the `area` commands to the root app."""
    app.add_typer(area_app, name="area")
