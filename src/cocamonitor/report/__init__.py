"""The annual monitoring report: numbers (:mod:`.build`), charts and maps, bilingual HTML.

``make_report(year, lang, out_dir)`` does everything from the bundled data; the pieces are
public for scripts that want the numbers (:func:`build_report_data`) or to render their own
data (:func:`write_report`).
"""

from __future__ import annotations

import dataclasses
import json
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
    targets: str | Path | None = None,
    csv_dialect: str | None = None,
    as_of: str | None = None,
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
    targets : path, optional
        The user's national targets (CSV/Parquet: ``year, indicator, target[, direction]``,
        see :func:`cocamonitor.indicators.read_targets`), compared with the results of the
        report year and the year before. No official targets are bundled (none are public).
        Ignored when ``data`` is given (its sections are already computed).
    csv_dialect : {"es-co", "en"}, optional
        How the CSV tables are written; default ``es-co`` in Spanish, ``en`` in English
        (see :mod:`cocamonitor.report.csvout`).
    as_of : str, optional
        National figures as known on this date (``YYYY-MM-DD``; default: every release to date).

    Raises
    ------
    InputError
        For a year outside the census or a language other than es/en (exit code 2 on the CLI).

    """
    lang = check_lang(lang)
    from cocamonitor.report.csvout import check_csv_dialect, default_dialect

    csv_dialect = check_csv_dialect(csv_dialect or default_dialect(lang))
    target_table = None
    if targets is not None and data is None:  # a bad file fails before any long computation
        from cocamonitor.indicators import read_targets

        target_table = read_targets(targets)
    if inputs is None:
        inputs = ReportInputs.from_datasets(maps=maps, as_of=as_of)
    if data is None:
        from cocamonitor.report.sections import extra_sections

        check_year(int(year), sorted(inputs.municipal["year"].unique()))
        extras: dict[str, Any] = extra_sections(
            int(year), inputs, density_raster=density_raster, coca_classes=coca_classes,
            targets=target_table, as_of=getattr(inputs, "as_of", None),
        )
        data = build_report_data(int(year), inputs, extras=extras)
    files = write_report(
        data,
        lang,
        out_dir,
        municipalities=inputs.municipalities if maps else None,
        departments=inputs.departments if maps else None,
        csv_dialect=csv_dialect,
    )
    prov = _provenance(data, lang, maps, density_raster, coca_classes,
                       targets if target_table is not None else None, csv_dialect)
    path = Path(out_dir) / "run_provenance.json"
    path.write_text(json.dumps(prov, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return dataclasses.replace(files, provenance=prov)


def _provenance(
    data: ReportData, lang: str, maps: bool, density_raster: str | Path | None,
    coca_classes: tuple[int, ...], targets: str | Path | None = None,
    csv_dialect: str = "en",
) -> dict[str, Any]:
    """Return the inputs (with SHA-256) and parameters behind the report's numbers."""
    from cocamonitor.datasets import data_path
    from cocamonitor.provenance import Provenance
    from cocamonitor.report.sections import TREND_WINDOW

    names = ["coca_municipal.csv", "coca_national.csv", "territories.csv", "spraying.csv",
             "labs.csv", "provenance.csv"]
    if maps:
        names += ["municipalities.parquet", "departments.parquet"]
    params: dict[str, Any] = {"year": data.year, "lang": lang, "maps": maps,
                              "csv_dialect": csv_dialect,
                              "trend_window_years": TREND_WINDOW}
    prod = (data.extras.get("production") or {}).get("summary")
    if prod:
        names.append(f"presets/{prod['preset']}.toml")
        params.update(production_preset=prod["preset"], production_draws=prod["draws"],
                      production_seed=prod["seed"], confidence=prod["confidence"],
                      production_scenario=prod.get("scenario"))
    as_of = (data.extras.get("as_of") if isinstance(data.extras, dict) else None)
    params["as_of"] = as_of
    inputs = [data_path(n) for n in names if data_path(n).exists()]
    if density_raster is not None:
        inputs.append(Path(density_raster))
        params["coca_classes"] = list(coca_classes)
    if targets is not None:
        inputs.append(Path(targets))
        params["targets"] = str(targets)
    forest = data.extras.get("forest") if isinstance(data.extras, dict) else None
    if forest:  # imported datasets (user data folder): their source files' SHA-256 and import dates
        params["imported"] = [{k: e[k] for k in ("name", "kind", "source", "source_sha256", "imported")}
                              for e in [forest.get("grid"), *forest.get("layers", [])] if e]
    return Provenance.build(inputs=inputs, parameters=params).to_dict()
