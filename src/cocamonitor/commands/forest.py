"""``cocamonitor forest``: coca on land that was forest a few years before, by territory."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated

import typer

from cocamonitor.commands._common import TableFormat

__all__ = ["register"]


def _files(text: str, option: str) -> list[Path]:
    return [Path(p.strip()) for p in text.split(",") if p.strip()]


def _years_for(files: list[Path], years: str | None, option: str, years_option: str) -> list[int]:
    from cocamonitor.errors import InputError
    from cocamonitor.io.years import parse_years

    if years:
        out = parse_years(years, where=years_option)
        if len(out) != len(files):
            raise InputError(f"{len(out)} year(s) for {len(files)} file(s)", where=years_option,
                             hint=f"give one year per file of {option}, in the same order")
        return out
    out = []
    for f in files:
        found = re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", f.stem)
        if len(found) != 1:
            raise InputError(f"cannot tell the year of {f.name} from its name", where=option,
                             hint=f"name files like coca_2019.tif or give {years_option}")
        out.append(int(found[0]))
    return out


def forest_cmd(
    coca: Annotated[str, typer.Option("--coca", help="Coca maps, one a year: coca_2019.tif,coca_2020.tif.")],
    forest_loss: Annotated[
        Path | None, typer.Option("--forest-loss", help="Hansen Global Forest Change lossyear raster.")
    ] = None,
    forest: Annotated[
        str | None, typer.Option("--forest", help="0/1 forest masks, one a year: forest_2016.tif,...")
    ] = None,
    years: Annotated[str | None, typer.Option("--years", help="Years of --coca (default: from the names).")] = None,
    forest_years: Annotated[
        str | None, typer.Option("--forest-years", help="Years of --forest (default: from the names).")
    ] = None,
    lag: Annotated[int, typer.Option("--lag", help="k: forest at the end of year t-k.")] = 3,
    layer: Annotated[
        str | None, typer.Option("--layer", help="Registered territory layer (`cocamonitor territories add`).")
    ] = None,
    coca_class: Annotated[str, typer.Option("--coca-class", help="Map value(s) that mean coca, e.g. 1 or 1,3.")] = "1",
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="table, csv or json.")] = TableFormat.table,
) -> None:
    """Hectares of coca in year t on land that was forest in year t-k, new coca and forest cleared.

    All rasters must share one pixel grid (warp Hansen's lossyear onto the coca maps' grid with
    gdalwarp -r near). Coincidence is not cause: see the caveat printed with the result.

    Example: cocamonitor forest --coca coca_2019.tif,coca_2020.tif --forest-loss lossyear.tif --lag 3 --layer parks
    """
    import geopandas as gpd

    from cocamonitor.commands._common import emit_json, emit_table, record_result
    from cocamonitor.errors import InputError
    from cocamonitor.forest import CAVEAT, coca_on_forest

    files = _files(coca, "--coca")
    if not files:
        raise InputError("no coca map given", where="--coca", hint="e.g. --coca coca_2019.tif,coca_2020.tif")
    coca_years = _years_for(files, years, "--coca", "--years")
    masks = None
    if (forest_loss is None) == (forest is None):
        raise InputError("give either --forest-loss or --forest", where="--forest-loss/--forest",
                         hint="--forest-loss lossyear.tif (Hansen) or --forest forest_2016.tif,... (0/1 masks)")
    if forest is not None:
        ffiles = _files(forest, "--forest")
        masks = dict(zip(_years_for(ffiles, forest_years, "--forest", "--forest-years"), ffiles, strict=True))
    try:
        classes = [int(c) for c in coca_class.split(",") if c.strip()]
    except ValueError:
        raise InputError(f"cannot read {coca_class!r} as map values", where="--coca-class",
                         hint="e.g. 1 or 1,3") from None
    terr = None
    if layer is not None:
        from cocamonitor.territories import load_layer

        lay = load_layer(layer)
        terr = gpd.GeoDataFrame({"name": lay.names}, geometry=list(lay.geometry), crs=lay.crs)
    where = {"coca_maps": "--coca", "lossyear": "--forest-loss", "forest_masks": "--forest", "lag": "--lag"}
    try:
        res = coca_on_forest(dict(zip(coca_years, files, strict=True)), lag=lag, lossyear=forest_loss,
                             forest_masks=masks, coca_classes=classes, territories=terr)
    except InputError as err:
        if err.where in where:
            err.where = where[err.where]
            err.args = (err._render(),)
        raise
    record_result("forest", res.to_dict(), provenance=res.provenance, result=res)
    logging.getLogger(__name__).info(CAVEAT["en"])
    if fmt is TableFormat.json:
        emit_json(res.to_dict())
    else:
        emit_table(res.to_frame(), fmt, title=f"Coca on land that was forest {lag} year(s) before (ha)",
                   nowrap=("territory",))


def register(app: typer.Typer) -> None:
    """Add the ``forest`` command to the root app."""
    app.command("forest", help="Coca on land that was forest k years before (Hansen lossyear or forest masks).")(
        forest_cmd)
