"""``cocamonitor report``: the annual monitoring report (HTML + CSV + PNG), Spanish or English."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cocamonitor.commands._common import emit_json, err_console, option_names
from cocamonitor.commands._vintage import AsOfOpt, check_release_options
from cocamonitor.errors import InputError

__all__ = ["register", "report"]


def report(
    year: Annotated[int, typer.Option("--year", help="Report year (a year of the coca census).")],
    lang: Annotated[str, typer.Option("--lang", help="Language of the report: es or en.")] = "es",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder (default: out/report-<year>-<lang>)."),
    ] = None,
    maps: Annotated[
        bool, typer.Option("--maps/--no-maps", help="Draw the municipality choropleths.")
    ] = True,
    map_raster: Annotated[
        Path | None,
        typer.Option(
            "--map-raster",
            help="Classified coca map of YEAR (GeoTIFF, projected CRS): adds a 1 km density map.",
        ),
    ] = None,
    coca_class: Annotated[
        list[int] | None,
        typer.Option("--coca-class", help="Value(s) of --map-raster that mean coca (default 1)."),
    ] = None,
    targets: Annotated[
        Path | None,
        typer.Option(
            "--targets",
            help="Your national targets (CSV/Parquet: year, indicator, target[, direction]), "
            "compared with the counternarcotics results. None are bundled: none are public.",
        ),
    ] = None,
    csv_dialect: Annotated[
        str | None,
        typer.Option(
            "--csv-dialect",
            help="CSV tables for es-co (Excel in Colombia: ';', decimal comma, UTF-8 with BOM, "
            "Spanish headers) or en (',' and '.'). Default: es-co for --lang es, en for --lang en.",
        ),
    ] = None,
    pdf: Annotated[
        bool,
        typer.Option("--pdf", help="Also print the report to report.pdf (A4, page numbers, "
                     "contents) with the headless Chromium used for screenshots."),
    ] = False,
    screenshot: Annotated[
        Path | None,
        typer.Option(
            "--screenshot",
            help="Also render the report in headless Chromium and save a PNG of its first page.",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the files written as one JSON document.")
    ] = False,
    as_of: AsOfOpt = None,
) -> None:
    """Write the annual report for YEAR in LANG: index.html (opens offline), CSVs and PNGs.

    Example: cocamonitor report --year 2024 --lang en --out out/report-2024-en
    """
    from cocamonitor.report import make_report
    from cocamonitor.report.locale import check_lang

    lang = check_lang(lang)
    day, _ = check_release_options(as_of)
    if csv_dialect is not None:
        from cocamonitor.report.csvout import check_csv_dialect

        check_csv_dialect(csv_dialect, where="--csv-dialect")
    if pdf:
        from cocamonitor.report.browser import find_chromium

        if find_chromium() is None:
            raise InputError("--pdf needs Chromium, which was not found", where="--pdf",
                             hint="install it (Debian: apt-get install chromium) or set "
                             "CHROMIUM=/path/to/chromium")
    if coca_class and map_raster is None:
        raise InputError(
            "--coca-class only applies to a classified map", where="--coca-class",
            hint="add --map-raster FILE or drop --coca-class",
        )
    out_dir = out if out is not None else Path("out") / f"report-{year}-{lang}"
    if screenshot is not None:  # before the report is built
        from cocamonitor.io.outputs import output_file

        if screenshot.suffix.lower() != ".png":
            raise InputError(f"the screenshot is a PNG, not {screenshot.suffix or 'a file without extension'!r}",
                             where="--screenshot", hint="end the file name in .png")
        output_file(screenshot, where="--screenshot")
    try:
        with option_names({"out_dir": "--out"}):
            files = make_report(
                year, lang, out_dir, maps=maps, density_raster=map_raster,
                coca_classes=tuple(coca_class or (1,)), targets=targets, csv_dialect=csv_dialect,
                as_of=None if day is None else day.isoformat(),
            )
    except InputError as err:
        # the density grid reports raster problems as the generic --raster/--cell options;
        # here the file came from --map-raster (and the cell is fixed at 1 km)
        if err.where not in ("--raster", "--cell", "rasters", "cell"):
            raise
        raise type(err)(err.message, where="--map-raster", hint=err.hint) from None
    if screenshot is not None:
        from cocamonitor.report.screenshot import screenshot_report

        screenshot_report(files.html, screenshot)
    pdf_path = None
    if pdf:
        from cocamonitor.report.pdf import print_report

        pdf_path = print_report(files.html)
    if as_json:
        emit_json({**files.to_dict(), "pdf": str(pdf_path) if pdf_path else None})
        return
    err_console.print(
        f"[bold]report written[/bold]: {files.html} "
        f"({len(files.csv)} CSV tables, {len(files.png)} PNG figures)"
        + (f", PDF {pdf_path}" if pdf_path else "")
    )
    typer.echo(files.summary)


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to the root app."""
    app.command("report")(report)
