"""Render a :class:`~cocamonitor.report.build.ReportData` as a self-contained HTML report.

The HTML inlines its stylesheet, a plotly.js partial bundle that draws only the trace types
the page uses (:mod:`cocamonitor.report.plotlyjs`, gzipped and base64-encoded, unpacked by
the browser) and every figure's data, with each map feature stored once for all the maps of
the page, so it opens offline and requests nothing. Next to it go every table as CSV, every
figure as PNG (matplotlib) and ``print.html``: the same page with the PNGs in place of the
interactive figures and no script at all, to print or to read where scripts are blocked.

Examples
--------
>>> import tempfile
>>> from cocamonitor.report.build import ReportInputs, build_report_data
>>> data = build_report_data(2021, ReportInputs.example())
>>> with tempfile.TemporaryDirectory() as tmp:
...     files = write_report(data, "en", tmp)
...     print(files.html.name, len(files.csv) > 5, files.summary[:34])
index.html True At 31 December 2021, the SIMCI cen

"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from html import unescape as _unescape
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup

from cocamonitor import __version__
from cocamonitor.io.outputs import output_dir
from cocamonitor.report.build import LABS_RATIO_MIN_HA, ReportData
from cocamonitor.report.catalogue import _Messages, messages
from cocamonitor.report.charts import _charts, _figure_json, _maps, _share_features
from cocamonitor.report.csvout import check_csv_dialect, default_dialect, write_table
from cocamonitor.report.figures import plotly_separators
from cocamonitor.report.locale import (
    check_lang,
    fmt_number,
    fmt_percent,
    fmt_quantity,
    fmt_signed,
)
from cocamonitor.report.maps import (
    GEO_ASSETS_STUB,
    density_map,
    density_png,
)
from cocamonitor.report.tables import _code_spans, _tables

__all__ = ["ReportFiles", "messages", "summary_text", "write_report"]


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`write_report` wrote: the HTML, the CSVs and PNGs, and the summary text.

    ``provenance`` (inputs with SHA-256, parameters, version) is filled in by
    :func:`cocamonitor.report.make_report`, which also writes it as ``run_provenance.json``.
    """

    out_dir: Path
    html: Path
    csv: tuple[Path, ...]
    png: tuple[Path, ...]
    summary: str
    lang: str
    provenance: dict[str, Any] | None = None
    print_html: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        """Paths as strings, the summary, and the provenance of the numbers (when known)."""
        return {
            "provenance": self.provenance,
            "lang": self.lang,
            "out_dir": str(self.out_dir),
            "html": str(self.html),
            "print_html": None if self.print_html is None else str(self.print_html),
            "csv": [str(p) for p in self.csv],
            "png": [str(p) for p in self.png],
            "summary": self.summary,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per file written."""
        rows = [("html", self.html)] + [("csv", p) for p in self.csv] + [("png", p) for p in self.png]
        return pd.DataFrame(rows, columns=["kind", "path"]).astype({"path": str})


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cocamonitor.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    return env


def _filters(lang: str) -> dict[str, Callable[..., str]]:
    return {
        "num": lambda v, d=0: fmt_number(v, lang, d),
        "ha": lambda v, d=0: fmt_quantity(v, "ha", lang, d),
        "t": lambda v, d=0: fmt_quantity(v, "t", lang, d),
        "pct": lambda v, d=0: fmt_percent(v, lang, d),
        "signed": lambda v, d=0: fmt_signed(v, lang, d),
        # "p = 0,005", but "p < 0,001" (num(3) would print a tiny p-value as "p = 0,000")
        "p_is": lambda v: ("p < " + fmt_number(0.001, lang, 3)) if v < 0.001
        else "p = " + fmt_number(v, lang, 3),
    }


def _env_for(lang: str) -> jinja2.Environment:
    env = _environment().overlay()
    # an overlay shares its parent's filters dict: give it its own, or languages would leak
    env.filters = {**env.filters, **_filters(lang)}
    return env


# --------------------------------------------------------------------------- context


def _records(df: pd.DataFrame, cols: list[str], n: int) -> list[dict[str, Any]]:
    return df[cols].head(n).to_dict(orient="records")


def _context(data: ReportData, m: _Messages | None = None) -> dict[str, Any]:
    """Facts for the prose templates (with ``m``, the production scenarios are named in its language)."""
    movers = data.movers
    dep = data.departments
    top3 = dep[dep["hectares"] > 0].head(3)
    labs_row = data.labs_by_year[data.labs_by_year["year"] == data.year]
    spray = data.spraying_by_year
    pdet_total = data.pdet[data.pdet["pdet_subregion"] == "PDET total"]
    change = data.municipalities["change_ha"].abs().dropna()
    clip = float(np.quantile(change, 0.98)) if len(change) else 1.0
    extras = data.extras
    trends = extras.get("trends") or {}
    return {
        "year": data.year,
        "previous_year": data.previous_year,
        "area": data.national_area,
        "previous_area": data.previous_area,
        "change_ha": data.change_ha,
        "change_share": data.change_share,
        "n_municipalities": data.n_municipalities,
        "n_municipalities_previous": data.n_municipalities_previous,
        "n_departments": data.n_departments,
        "movers_up": _records(
            movers[movers["direction"] == "up"], ["municipality", "department", "change_ha"], 3
        ),
        "movers_down": _records(
            movers[movers["direction"] == "down"], ["municipality", "department", "change_ha"], 3
        ),
        "top_departments": _records(top3, ["department", "hectares"], 3),
        "top_departments_share": float(top3["share_of_national"].sum()) if len(top3) else None,
        "trend": trends.get("summary"),
        "trends_table": trends.get("table") is not None,
        "critical_rel_error": (trends.get("change") or {}).get("critical_relative_error"),
        "disagree_steps": trends.get("disagree_steps", []),
        "compared_steps": trends.get("compared_steps", 0),
        "flat_steps": trends.get("flat_steps", []),
        "verdicts_differ": trends.get("verdicts_differ", []),
        "change_points": trends.get("change_points", {}),
        "production": _production_context((extras.get("production") or {}).get("summary"), m),
        "as_of": extras.get("as_of"),
        "labs": float(labs_row["quantity"].iloc[0]) if len(labs_row) else None,
        "labs_ratio": float(labs_row["ratio"].iloc[0])
        if len(labs_row) and pd.notna(labs_row["ratio"].iloc[0])
        else None,
        "labs_unlocated": data.labs_unlocated,
        "ratio_min_ha": LABS_RATIO_MIN_HA,
        "change_clip": max(clip, 1.0),
        "pdet_share": float(pdet_total["share_of_national"].iloc[0]) if len(pdet_total) else None,
        "spray_first": int(spray["year"].min()) if len(spray) else None,
        "spray_last": int(spray["year"].max()) if len(spray) else None,
        "spray_total": float(spray["quantity"].sum()),
        "spraying_year": data.spraying_year,
        "results": {k: (Path(v).name if k == "targets" else v)
                    for k, v in (extras.get("results") or {}).items()
                    if k in ("year", "previous_year", "left_out", "no_data", "targets", "targets_ignored_years")}
        or None,
        "density": {k: v for k, v in (extras.get("density") or {}).items()
                    if k in ("source", "kind", "cell_m", "total_ha", "n_cells", "max_density")} or None,
    }


def summary_text(data: ReportData, lang: str) -> str:
    """Return the summary paragraph of the report as plain text, in ``lang``.

    Examples
    --------
    >>> from cocamonitor.report.build import ReportInputs, build_report_data
    >>> print(summary_text(build_report_data(2021, ReportInputs.example()), "es")[:62])
    A 31 de diciembre de 2021, el censo del SIMCI detectó 30 ha de

    """
    lang = check_lang(lang)
    env = _env_for(lang)
    module = env.get_template(f"text_{lang}.j2").module
    text = str(module.summary(_context(data, messages(lang))))  # type: ignore[attr-defined]
    # the environment escapes for HTML; this is plain text (terminal, JSON): "p < 0.001", not "&lt;"
    return _unescape(re.sub(r"\s+", " ", text).strip())


def _production_context(summary: dict[str, Any] | None, m: _Messages | None) -> dict[str, Any] | None:
    """Return the production summary with its scenarios named in the report's language."""
    if not summary or m is None:
        return summary
    out = dict(summary)
    name = str(summary.get("scenario", "preset"))
    out["scenario_name"] = m.scenario[name].format(preset=summary["preset"])
    out["reason_text"] = m.scenario["reason_" + str(summary.get("reason", "preset_current"))]
    out["other"] = [dict(o, scenario_name=m.scenario[o["scenario"]].format(preset=summary["preset"]))
                    for o in summary.get("other", [])]
    return out


def script_json(text: str) -> Markup:
    """Return JSON text made safe inside a <script> element (no ``</script>`` or ``<!--``).

    Examples
    --------
    >>> "</" in script_json('{"a": "</script>"}')
    False

    """
    return Markup(text.replace("</", "<\\/").replace("<!--", "<\\!--"))


# --------------------------------------------------------------------------- writer


def write_report(
    data: ReportData,
    lang: str,
    out_dir: str | Path,
    *,
    municipalities: Any = None,
    departments: Any = None,
    other_href: str | None = None,
    csv_dialect: str | None = None,
) -> ReportFiles:
    """Write ``index.html``, one CSV per table and one PNG per figure into ``out_dir``.

    Parameters
    ----------
    data : ReportData
        Numbers from :func:`~cocamonitor.report.build.build_report_data`.
    lang : {"es", "en"}
        Report language.
    out_dir : path
        Folder to write (created if missing; files of the same names are replaced).
    municipalities, departments : GeoDataFrame, optional
        Boundaries for the two choropleths; without them the report has no maps.
    other_href : str, optional
        Link to the report in the other language (default ``../report-<year>-<other>/``).
    csv_dialect : {"es-co", "en"}, optional
        How the CSV tables are written (:mod:`~cocamonitor.report.csvout`); default ``es-co``
        for Spanish (``;``, decimal comma, BOM, Spanish headers), ``en`` for English.

    Returns
    -------
    ReportFiles

    """
    lang = check_lang(lang)
    out_dir = output_dir(out_dir, where="out_dir")
    m = messages(lang)
    ctx = _context(data, m)

    dialect = check_csv_dialect(csv_dialect or default_dialect(lang), where="csv_dialect")
    csvs = []
    for stem, df in {**data.tables(), **(data.extras.get("tables") or {})}.items():
        path, _dictionary = write_table(df, out_dir / f"{stem}.csv", dialect)
        csvs.append(path)

    figures: dict[str, dict[str, Any]] = {}
    fig_json: dict[str, str] = {}
    pngs = []
    features: dict[str, int] = {}
    if municipalities is not None and departments is not None:
        maps = _maps(data, lang, m, municipalities, departments, out_dir, ctx["change_clip"])
        shared = _share_features({k: v[0] for k, v in maps.items()}, features)
        for key, (_fig, title, height, note) in maps.items():
            figures[key] = {"title": title, "height": height, "is_map": True, "note": note}
            fig_json[key] = _figure_json(shared[key])
            pngs.append(out_dir / f"{key}.png")
    density = data.extras.get("density")
    if density:
        title = m.fig.density_map.format(year=data.year, cell=fmt_number(density["cell_m"], lang))
        fig = density_map(density["grid"], departments=departments,
                          separators=plotly_separators(lang))
        density_png(out_dir / "density_map.png", density["grid"], departments=departments,
                    title=title, colorbar_title="ha/km²",
                    formatter=lambda v, _p: fmt_number(v, lang))
        figures["density_map"] = {"title": title, "height": 620, "is_map": True, "note": ""}
        fig_json["density_map"] = _figure_json(fig)
        pngs.append(out_dir / "density_map.png")
    for spec in _charts(data, lang, m):
        figures[spec.key] = {"title": spec.title, "height": spec.height, "is_map": False,
                             "note": _code_spans(spec.note)}
        fig_json[spec.key] = _figure_json(spec.to_plotly(lang))
        footer = m.fig.source_chart.format(
            source=m.chart_source.get(spec.key, m.chart_source.census),
            asof=m.fig.asof.format(year=data.year), version=__version__)
        pngs.append(spec.to_png(out_dir / f"{spec.key}.png", lang, footer))
    results = data.extras.get("results") or {}
    if results.get("series") is not None and len(results["series"]):
        from cocamonitor.report.multiples import multiples_figure, multiples_png

        args = (results["series"], results["coca"], dict(m.indicator))
        kw = {"lang": lang, "source_labels": dict(m.source), "coca_label": m.fig.coca_background}
        fig = multiples_figure(*args, **kw)
        title = m.fig.results_multiples.format(year=data.year)
        figures["results_multiples"] = {"title": title, "height": fig.layout.height, "is_map": False,
                                        "note": m.fig.results_multiples_note}
        fig_json["results_multiples"] = _figure_json(fig)
        footer = m.fig.source_chart.format(source=m.chart_source.results_multiples,
                                           asof=m.fig.asof.format(year=data.year), version=__version__)
        pngs.append(multiples_png(out_dir / "results_multiples.png", *args, footer=footer, **kw))
    from cocamonitor.report.evaluation import add_evaluation

    evaluation = add_evaluation(data, lang, out_dir, figures, fig_json, pngs)

    from cocamonitor.report.forest_section import forest_html
    from cocamonitor.report.plotlyjs import LOADER_JS, bundle_for, bundle_gz

    bundle = bundle_for(json.loads(v) for v in fig_json.values())
    other = "en" if lang == "es" else "es"
    summary = summary_text(data, lang)
    env = _env_for(lang)
    css = resources.files("cocamonitor.report").joinpath("static/report.css").read_text("utf-8")
    page = dict(
        lang=lang,
        m=m,
        c=ctx,
        title=m.meta.title.format(year=data.year),
        subtitle=m.meta.subtitle.format(version=__version__),
        other_href=other_href or f"../report-{data.year}-{other}/index.html",
        summary=summary,
        figures=figures,
        tables=_tables(data, lang, m),
        evaluation=evaluation,
        forest_html=forest_html(data.extras.get("forest"), lang),
        css=Markup(css),
    )
    html = env.get_template("report.html.j2").render(
        **page,
        print_version=False,
        print_href="print.html",
        plotly_bundle=bundle,
        plotlyjs_gz_b64=Markup(base64.b64encode(bundle_gz(bundle)).decode("ascii")),
        plotly_loader=Markup(LOADER_JS),
        geo_assets=script_json(json.dumps(GEO_ASSETS_STUB)),
        features_json=script_json("[" + ",".join(features) + "]"),
        figures_json=script_json(
            "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in fig_json.items()) + "}"
        ),
    )
    html_path = out_dir / "index.html"
    html_path.write_text(html, encoding="utf-8")
    # the print version: the PNGs in place of the interactive figures, and no script
    png_uris = {key: "data:image/png;base64," + base64.b64encode((out_dir / f"{key}.png").read_bytes()).decode()
                for key in figures}
    print_path = out_dir / "print.html"
    print_path.write_text(env.get_template("report.html.j2").render(
        **page, print_version=True, print_href="index.html", png_uris=png_uris), encoding="utf-8")
    return ReportFiles(out_dir, html_path, tuple(csvs), tuple(pngs), summary, lang, print_html=print_path)
