"""The annual monitoring report: numbers (:mod:`.build`), charts and maps, bilingual HTML.

``make_report(year, lang, out_dir)`` does everything from the bundled data; the pieces are
public for scripts that want the numbers (:func:`build_report_data`) or to render their own
data (:func:`write_report`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cocamonitor.report.build import ReportData, ReportInputs, build_report_data, check_year
from cocamonitor.report.locale import LANGUAGES, check_lang
from cocamonitor.report.render import ReportFiles, summary_text, write_report

__all__ = [
    "LANGUAGES",
    "ReportData",
    "ReportFiles",
    "ReportInputs",
    "build_report_data",
    "check_lang",
    "check_year",
    "make_report",
    "summary_text",
    "write_report",
]


def make_report(
    year: int,
    lang: str,
    out_dir: str | Path,
    *,
    maps: bool = True,
    inputs: ReportInputs | None = None,
    data: ReportData | None = None,
    density_raster: str | Path | None = None,
    coca_classes: tuple[int, ...] = (1,),
) -> ReportFiles:
    """Build and write the report for ``year`` in ``lang`` from the bundled datasets.

    Parameters
    ----------
    year : int
        A year of the municipal coca census.
    lang : {"es", "en"}
        Language.
    out_dir : path
        Output folder.
    maps : bool
        Draw the municipality choropleths.
    inputs, data : optional
        Already loaded inputs / computed numbers (to write both languages without recomputing).
    density_raster : path, optional
        A classified coca map of ``year`` (GeoTIFF, projected CRS): adds a 1 km density map.
    coca_classes : tuple of int
        Values of ``density_raster`` that mean coca.

    Raises
    ------
    InputError
        For a year outside the census or a language other than es/en (exit code 2 on the CLI).

    """
    lang = check_lang(lang)
    if inputs is None:
        inputs = ReportInputs.from_datasets(maps=maps)
    if data is None:
        from cocamonitor.report.sections import extra_sections

        check_year(int(year), sorted(inputs.municipal["year"].unique()))
        extras: dict[str, Any] = extra_sections(
            int(year), inputs, density_raster=density_raster, coca_classes=coca_classes
        )
        data = build_report_data(int(year), inputs, extras=extras)
    return write_report(
        data,
        lang,
        out_dir,
        municipalities=inputs.municipalities if maps else None,
        departments=inputs.departments if maps else None,
    )
