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
import tomllib
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
import plotly.io as pio
from markupsafe import Markup, escape

from cocamonitor import __version__
from cocamonitor.io.outputs import output_dir
from cocamonitor.report.build import LABS_RATIO_MIN_HA, ReportData
from cocamonitor.report.csvout import check_csv_dialect, default_dialect, write_table
from cocamonitor.report.figures import COLORS, ChartSpec, Series, plotly_separators
from cocamonitor.report.locale import (
    check_lang,
    fmt_number,
    fmt_percent,
    fmt_quantity,
    fmt_signed,
)
from cocamonitor.report.maps import (
    GEO_ASSETS_STUB,
    choropleth,
    choropleth_png,
    clipped_ticks,
    density_map,
    density_png,
    department_labels,
)
from cocamonitor.report.translate import data_text, group_digits

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


class _Messages(dict):
    """Nested label catalog with attribute access for the templates (``m.section.where``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            value = self[name]
        except KeyError as err:  # pragma: no cover - a missing label is a bug in the catalog
            raise AttributeError(name) from err
        return _Messages(value) if isinstance(value, dict) else value


@lru_cache(maxsize=4)
def messages(lang: str) -> _Messages:
    """Return the label catalog of a language (``templates/messages_<lang>.toml``).

    Examples
    --------
    >>> messages("es").section.where
    'Dónde está la coca y cómo se movió'

    """
    check_lang(lang, where="lang")
    text = resources.files("cocamonitor.report").joinpath(f"templates/messages_{lang}.toml")
    return _Messages(tomllib.loads(text.read_text(encoding="utf-8")))


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


# --------------------------------------------------------------------------- tables


def _html_table(
    df: pd.DataFrame,
    columns: list[tuple[str, str, Callable[[Any], str] | None]],
    *,
    total_rows: set[int] | None = None,
) -> Markup:
    """Render an HTML table: ``columns`` = (column, header, formatter or None for text)."""
    head = "".join(
        f'<th class="{"num" if f else ""}">{escape(h)}</th>' for _c, h, f in columns
    )
    body = []
    for i, row in enumerate(df.itertuples(index=False)):
        rec = row._asdict() if hasattr(row, "_asdict") else dict(zip(df.columns, row, strict=True))
        cells = []
        for col, _h, f in columns:
            v = rec.get(col)
            if f is not None:
                cells.append(f'<td class="num">{escape(f(v))}</td>')
            else:
                text = "" if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else v
                cells.append(f"<td>{escape(str(text))}</td>")
        cls = ' class="total"' if total_rows and i in total_rows else ""
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return Markup(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


#: decimals of each unit of the results table
_RESULT_DECIMALS = {"ha": 0, "t": 1, "count": 0, "labs per 1,000 ha coca": 1, "ha per ha coca": 2}
_URL = re.compile(r"https?://[^\s;]+")


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


def _linked(text: str, lang: str = "en") -> Markup:
    """Escape ``text`` and turn its web addresses into links (the report never fetches them).

    In Spanish, the words around the addresses are translated (:func:`~.translate.data_text`).
    """
    out, last = [], 0
    for hit in _URL.finditer(text):
        url = hit.group(0)
        out += [str(data_text(text[last:hit.start()], lang)),
                f'<a href="{escape(url)}" rel="noreferrer" translate="no">{escape(url)}</a>']
        last = hit.end()
    out.append(str(data_text(text[last:], lang)))
    return Markup("".join(out))


def _is_na(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))


def _source_label(source: Any, m: _Messages) -> str:
    if _is_na(source) or source == "":
        return str(m.results.no_source)
    return " / ".join(str(m.source.get(k, k)) for k in str(source).split(" / "))


def _results_html(sec: dict[str, Any], lang: str, m: _Messages) -> Markup:
    """Render the counternarcotics results table with numbered notes (sources, missing figures).

    A missing figure is an en dash whose note (footnote and ``title``) says which years the
    source has; a figure with a caveat gets its note too; each source's citation is a note.
    """
    r = m.results
    table = sec["table"]
    notes: list[Markup] = []
    index: dict[str, int] = {}

    def ref(note: Markup) -> int:
        key = str(note)
        if key not in index:
            notes.append(note)
            index[key] = len(notes)
        return index[key]

    def sup(numbers: list[int]) -> str:
        links = ",".join(f'<a href="#results-note-{k}">{k}</a>' for k in numbers)
        return f'<sup class="ref">{links}</sup>' if numbers else ""

    def value_cell(row: dict[str, Any], suffix: str) -> str:
        value, note, year = row["value" + suffix], row["note" + suffix], row["previous_year" if suffix else "year"]
        dec = _RESULT_DECIMALS.get(str(row["unit"]), 1)
        if _is_na(year):
            return '<td class="num">–</td>'
        if _is_na(value):
            spans = str(row["years_with_figures"] or "").replace("-", "–")
            if _is_na(row["source"]):
                text = r.missing_any.format(years=spans) if spans else r.missing_none
            else:
                text = r.missing_source.format(years=spans)
            k = ref(Markup(escape(text)))
            return f'<td class="num missing" title="{escape(text)}">–{sup([k])}</td>'
        cell = escape(fmt_number(value, lang, dec))
        if not _is_na(note):  # the data's own caveat (compiled in English; Spanish translated)
            note_html = _linked(str(note), lang)
            text = r.source_note.format(note=_unescape(re.sub(r"<[^>]+>", "", str(note_html))))
            k = ref(Markup(escape(r.source_note.format(note="\x00"))).replace("\x00", note_html))
            return f'<td class="num" title="{escape(text)}">{cell}{sup([k])}</td>'
        return f'<td class="num">{cell}</td>'

    def target_cell(row: dict[str, Any], suffix: str, dec: int) -> str:
        target = row["target" + suffix]
        if _is_na(target):
            return '<td class="num">–</td>'
        sign = "≤" if row["direction"] == "at_most" else "≥"
        met = row["met" + suffix]
        verdict = r.met_na if _is_na(met) else (r.met_yes if bool(met) else r.met_no)
        return f'<td class="num">{escape(sign)} {escape(fmt_number(target, lang, dec))}: {escape(verdict)}</td>'

    prev, year = sec["previous_year"], sec["year"]
    head = [r.indicator, r.source, str(prev) if prev is not None else "", str(year), r.change]
    with_targets = "target" in table.columns
    if with_targets:
        head += [r.target.format(year=y) for y in ((prev,) if prev is not None else ()) + (year,)]
    head_html = "".join(
        f'<th class="{"num" if i >= 2 else ""}" scope="col">{escape(h)}</th>' for i, h in enumerate(head))
    rows = table.to_dict(orient="records")
    group = table["indicator"].map(table["indicator"].value_counts())
    body = []
    for i, row in enumerate(rows):
        cells = []
        if i == 0 or rows[i - 1]["indicator"] != row["indicator"]:
            span = int(group.iloc[i])
            cells.append(f'<th scope="rowgroup" rowspan="{span}">{escape(m.indicator[row["indicator"]])}</th>'
                         if span > 1 else f'<th scope="row">{escape(m.indicator[row["indicator"]])}</th>')
        cites = []
        keys = [] if _is_na(row["source"]) else str(row["source"]).split(" / ")
        for c in (row["citation_previous"], row["citation"]):
            if _is_na(c):
                continue
            parts = str(c).split("; ")  # a ratio cites its numerator's source, then SIMCI's
            names = keys if len(keys) == len(parts) else [""] * len(parts)
            for key, part in zip(names, parts, strict=True):
                name = m.source.get(key, key) if key else r.cited
                cites.append(ref(Markup(f"{escape(name)}: <cite>") + _linked(part, lang)
                                 + Markup("</cite>")))
        label = escape(_source_label(row["source"], m))
        cells.append(f"<td>{label}{sup(sorted(set(cites)))}</td>")
        cells.append(value_cell(row, "_previous"))
        cells.append(value_cell(row, ""))
        dec = _RESULT_DECIMALS.get(str(row["unit"]), 1)
        change = fmt_signed(row["change"], lang, dec)
        if not _is_na(row["change_pct"]):
            change += f" ({fmt_percent(row['change_pct'] / 100.0, lang, 1, signed=True)})"
        cells.append(f'<td class="num">{escape(change)}</td>')
        if with_targets:
            cells += [target_cell(row, suffix, dec) for suffix in (("_previous",) if prev is not None else ()) + ("",)]
        body.append(f"<tr>{''.join(cells)}</tr>")
    items = "".join(f'<li id="results-note-{k}">{n}</li>' for k, n in enumerate(notes, start=1))
    return Markup(
        f'<table class="results"><thead><tr>{head_html}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        f'<ol class="notes">{items}</ol>')


_IDENTIFIER = re.compile(
    r"`([^`]+)`|'([A-Za-z][\w.]*)'|\b([a-z]+_[a-z0-9_]+)\b|(?<=columna )([a-z_]+)\b")


def _code_spans(text: str) -> Markup:
    """Escape ``text`` and show its `backquoted` commands as code."""
    return Markup(re.sub(r"`([^`]+)`", r'<code translate="no">\1</code>', str(escape(text))))


def _identifiers(text: str) -> str:
    """Escape ``text`` and mark column names (``'preferred'``, ``area_km2``) as code."""
    out, last = [], 0
    for hit in _IDENTIFIER.finditer(text):
        name = next(g for g in hit.groups() if g)
        out += [str(escape(text[last:hit.start()])), f'<code translate="no">{escape(name)}</code>']
        last = hit.end()
    out.append(str(escape(text[last:])))
    return "".join(out)


def _provenance_html(prov: pd.DataFrame, m: _Messages, lang: str = "en") -> Markup:
    """One block per bundled dataset: title, then its provenance fields as a definition list.

    The Spanish edition shows the registry's Spanish title and caveats (``title_es``,
    ``caveats_es``); publishers, sources and addresses are shown as published.
    """
    labels = m.provenance
    blocks = []
    for rec in prov.to_dict(orient="records"):
        if lang == "es":
            rec = {**rec, "title": rec.get("title_es") or rec.get("title"),
                   "caveats": rec.get("caveats_es") or rec.get("caveats")}
        head = Markup('<code translate="no">{}</code> — {}').format(rec.get("dataset", ""),
                                                                  rec.get("title", ""))
        items = []
        for key in ("publisher", "original_source", "obtained_from", "retrieved", "licence",
                    "caveats", "raw_sha256", "file"):
            value = rec.get(key)
            if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
                continue
            if key in ("raw_sha256", "file"):  # identifiers, the same in every language
                html = f'<code translate="no">{escape(str(value))}</code>'
            elif key == "caveats":
                html = _identifiers(group_digits(str(value), lang))
            elif key in ("original_source", "obtained_from"):  # where it came from: a citation
                html = f"<cite>{_linked(str(value), lang)}</cite>"
            else:
                html = str(data_text(str(value), lang))
            items.append(f"<dt>{escape(labels.get(key, key))}</dt><dd>{html}</dd>")
        blocks.append(f'<div class="prov"><h4>{head}</h4><dl>{"".join(items)}</dl></div>')
    return Markup("".join(blocks))


def _tables(data: ReportData, lang: str, m: _Messages) -> dict[str, dict[str, Any]]:
    col = m.col
    yr = {"year": data.year, "previous": data.previous_year}
    n0 = lambda v: fmt_number(v, lang)  # noqa: E731
    n1 = lambda v: fmt_number(v, lang, 1)  # noqa: E731
    n2 = lambda v: fmt_number(v, lang, 2)  # noqa: E731
    sg = lambda v: fmt_signed(v, lang)  # noqa: E731
    pc = lambda v: fmt_percent(v, lang, 1)  # noqa: E731
    spc = lambda v: fmt_percent(v, lang, 1, signed=True)  # noqa: E731
    yr_f = lambda v: str(int(v))  # noqa: E731
    ha_cols = [
        ("hectares", col.hectares.format(**yr), n0),
        ("hectares_previous", col.hectares_previous.format(**yr), n0),
        ("change_ha", col.change_ha, sg),
    ]
    out: dict[str, dict[str, Any]] = {}

    def add(key: str, csv: str, title: str, df: pd.DataFrame, cols: list, **kw: Any) -> None:
        out[key] = {"html": _html_table(df, cols, **kw), "csv": f"{csv}.csv", "title": title}

    add("national_series", "national_series", "", data.national_series,
        [("year", col.year, yr_f), ("simci_municipal_sum", col.simci_municipal_sum, n0),
         ("unodc_area", col.unodc_area, n0), ("us_area", col.us_area, n0),
         ("unodc_production", col.unodc_production, n0), ("us_production", col.us_production, n0)])
    deps = data.departments[(data.departments["hectares"] > 0)
                            | (data.departments["hectares_previous"] > 0)]
    add("departments", "departments", "", deps,
        [("department", col.department, None), *ha_cols, ("change_share", col.change_share, spc),
         ("share_of_national", col.share_of_national, pc),
         ("municipalities", col.municipalities, n0)])
    add("top20", "top20", m.meta.top20.format(**yr),
        data.top,
        [("rank", col.rank, n0), ("municipality", col.municipality, None),
         ("department", col.department, None), *ha_cols,
         ("share_of_national", col.share_of_national, pc),
         ("pdet_subregion", col.pdet_subregion, None)])
    mv_cols = [("municipality", col.municipality, None), ("department", col.department, None),
               *ha_cols]
    mv = data.movers
    add("movers_up", "movers", col.direction_up, mv[mv["direction"] == "up"], mv_cols)
    add("movers_down", "movers", col.direction_down, mv[mv["direction"] == "down"], mv_cols)
    pdet = data.pdet.copy()
    pdet["pdet_subregion"] = pdet["pdet_subregion"].replace(
        {"PDET total": col.pdet_total, "non-PDET": col.non_pdet}
    )
    add("pdet_subregions", "pdet_subregions", "", pdet,
        [("pdet_subregion", col.pdet_subregion, None), *ha_cols,
         ("share_of_national", col.share_of_national, pc),
         ("municipalities", col.municipalities, n0)],
        total_rows={i for i, k in enumerate(pdet["kind"]) if k == "total"})
    add("spraying_by_year", "spraying_by_year", "", data.spraying_by_year,
        [("year", col.year, yr_f), ("quantity", col.sprayed, n0), ("coca_ha", col.coca_ha, n0),
         ("ratio", col.spray_ratio, n2)])
    add("spraying_by_department", "spraying_by_department", str(data.spraying_year or ""),
        data.spraying_by_department,
        [("department", col.department, None), ("quantity", col.sprayed, n0),
         ("coca_ha", col.coca_ha, n0), ("ratio", col.spray_ratio, n2)])
    add("labs_by_year", "labs_by_year", "", data.labs_by_year,
        [("year", col.year, yr_f), ("quantity", col.labs, n0), ("coca_ha", col.coca_ha, n0),
         ("ratio", col.labs_ratio, n1)])
    add("labs_by_department", "labs_by_department", str(data.year), data.labs_by_department,
        [("department", col.department, None), ("quantity", col.labs, n0),
         ("coca_ha", col.coca_ha, n0), ("ratio", col.labs_ratio, n1)])
    out["provenance"] = {"html": _provenance_html(data.provenance, m, lang), "csv": "provenance.csv",
                         "title": ""}
    results = data.extras.get("results")
    if results is not None:
        out["counternarcotics_results"] = {"html": _results_html(results, lang, m),
                                           "csv": "counternarcotics_results.csv", "title": ""}
    trends = data.extras.get("trends") or {}
    if trends.get("table") is not None:
        tt = trends["table"].copy()
        n_window = {r["series"]: r["n"] for r in tt.to_dict("records")}.get("simci_window", 0)
        names = {"simci_window": m.series.simci_window.format(n=n_window),
                 "simci_all": m.series.simci_all}
        tt["name"] = [names.get(k) or m.series[k] for k in tt["series"]]
        tt["years"] = tt["first"].astype(str) + "–" + tt["last"].astype(str)
        tt["result"] = [m.trend[t] for t in tt["trend"]]
        tt["p_text"] = [
            f"{fmt_number(p, lang, 3) if p >= 0.001 else '<' + fmt_number(0.001, lang, 3)}"
            f" ({m.trend.exact if ex else m.trend.normal})"
            for p, ex in zip(tt["p_value"], tt["p_exact"], strict=True)
        ]
        tt["slope_text"] = [
            f"{fmt_signed(s, lang)} {u} ({fmt_number(lo, lang)} … {fmt_number(hi, lang)})"
            for s, lo, hi, u in zip(tt["slope"], tt["slope_ci_low"], tt["slope_ci_high"],
                                    tt["unit"], strict=True)
        ]
        tt["ci_text"] = [m.trend.ci_excludes if x else m.trend.ci_includes
                         for x in tt["slope_ci_excludes_zero"]]
        tt["pettitt_text"] = [
            (f"{y} ({'p < ' + fmt_number(0.001, lang, 3) if p < 0.001 else 'p = ' + fmt_number(p, lang, 3)})"
             if p < 0.05 else m.trend.no_change_point)
            for y, p in zip(tt["pettitt_first_year_after"], tt["pettitt_p"], strict=True)]
        add("trend_tests", "trend_tests", "", tt,
            [("name", col.source, None), ("years", col.years, None), ("n", col.n, n0),
             ("missing_years", col.missing_years, None), ("s", col.s, n0),
             ("p_text", col.p_value, None), ("result", col.trend, None),
             ("slope_text", col.slope + " (" + col.slope_ci.format(level=fmt_percent(0.95, lang))
              + ")", None), ("ci_text", col.slope_verdict, None),
             ("pettitt_text", col.pettitt, None)])
    if trends.get("comparison") is not None:
        cmp = trends["comparison"].dropna(subset=["prev_year"]).copy()
        cmp["step"] = cmp["prev_year"].astype(int).astype(str) + "–" + cmp["year"].astype(str)
        yes_no = {True: "✓", False: "✗"}
        # a flat step (one series unchanged) neither agrees nor disagrees: "=" marks it
        cmp["agree_text"] = [yes_no.get(bool(a), "") if pd.notna(a) else "=" for a in cmp["agree"]]
        add("unodc_vs_us", "unodc_vs_us", "", cmp,
            [("step", col.step, None), ("change_unodc_pct", "UNODC (%)", lambda v: fmt_number(v, lang, 1)),
             ("change_us_pct", "EE. UU. (%)" if lang == "es" else "US (%)",
              lambda v: fmt_number(v, lang, 1)),
             ("agree_text", col.agree, None),
             ("critical_rel_error_unodc", "UNODC: " + col.critical, pc),
             ("critical_rel_error_us", ("EE. UU.: " if lang == "es" else "US: ") + col.critical, pc),
             ("ratio", col.ratio, n2)])
    prod = data.extras.get("production")
    if prod:
        q = prod["quantities"].copy()
        q["name"] = [m.quantity[k] for k in q["quantity"]]
        lvl = fmt_percent(prod["summary"]["confidence"], lang)
        add("production", "production", "", q,
            [("name", col.quantity_name, None), ("point", col.point, n0), ("mean", col.mean, n0),
             ("ci_low", col.ci_low.format(level=lvl), n0),
             ("ci_high", col.ci_high.format(level=lvl), n0)])
        sc = prod.get("scenarios")
        if sc is not None and len(sc):
            sc = sc.copy()
            sc["name"] = [m.scenario[k].format(preset=p) for k, p in zip(sc["scenario"], sc["preset"], strict=True)]
            add("production_scenarios", "production_scenarios", "", sc,
                [("name", col.scenario, None), ("year", col.year, yr_f), ("area_ha", m.quantity.area_ha, n0),
                 ("kg_per_ha", col.kg_per_ha, n1), ("point", col.point, n0),
                 ("ci_low", col.ci_low.format(level=lvl), n0), ("ci_high", col.ci_high.format(level=lvl), n0)])
    return out


# --------------------------------------------------------------------------- figures


def _charts(data: ReportData, lang: str, m: _Messages) -> list[ChartSpec]:
    s, fg = m.series, m.fig
    yr = {"year": data.year, "previous": data.previous_year}
    ns = data.national_series
    charts: list[ChartSpec] = []

    src = data.series_sources
    if "new_method" in src.columns:
        new_method = src[src["new_method"].astype(bool)]
    else:  # no release facts: no breaks to draw
        new_method = pd.DataFrame({"series": pd.Series(dtype=str), "year": pd.Series(dtype=int)})

    def series_of(col: str, name: str, color: str, **kw: Any) -> Series:
        d = ns[["year", col]].dropna()
        breaks = tuple(float(y) for y in new_method.loc[new_method["series"] == col, "year"])
        return Series(name, d["year"].tolist(), d[col].tolist(), color=color, breaks=breaks, **kw)

    def gaps_note(cols: tuple[str, ...]) -> str:
        named = [f"{getattr(s, c)} {int(y)}" for c in cols
                 for y in new_method.loc[new_method["series"] == c, "year"]]
        return fg.gaps_note.format(breaks="; ".join(named)) if named else ""

    steps = (data.extras.get("trends") or {}).get("disagree_steps", [])
    cps = (data.extras.get("trends") or {}).get("change_points", {})
    area_marks = tuple((y - 0.5, fg.change_point.format(year=y, series=s[k]))
                       for k, (y, _p) in cps.items() if k in ("unodc_area", "simci_all"))[:1]
    prod_marks = tuple((y - 0.5, fg.change_point.format(year=y, series=s[k]))
                       for k, (y, _p) in cps.items() if k == "unodc_production")
    bands = tuple(tuple(float(y) for y in st.split("-")) for st in steps)
    charts.append(ChartSpec(
        "national_area", fg.national_area,
        (series_of("unodc_area", s.unodc_area, COLORS["unodc"]),
         series_of("us_area", s.us_area, COLORS["us"]),
         series_of("simci_municipal_sum", s.simci, COLORS["simci"], dash=True)),
        xlabel=fg.year, ylabel=fg.hectares, bands=bands,  # type: ignore[arg-type]
        band_label=s.disagree, marks=area_marks,
        note=gaps_note(("unodc_area", "us_area"))))
    charts.append(ChartSpec(
        "national_production", fg.national_production,
        (series_of("unodc_production", s.unodc_production, COLORS["unodc"]),
         series_of("us_production", s.us_production, COLORS["us"])),
        xlabel=fg.year, ylabel=fg.tonnes, marks=prod_marks,
        note=gaps_note(("unodc_production", "us_production"))))
    dep = data.departments[data.departments["hectares"] > 0]
    bars = [Series(s.current.format(year=data.year), dep["hectares"].tolist(),
                   dep["department"].tolist(), kind="hbar", color=COLORS["current"])]
    if data.previous_year is not None:
        bars.insert(0, Series(s.previous.format(year=data.previous_year),
                              dep["hectares_previous"].tolist(), dep["department"].tolist(),
                              kind="hbar", color=COLORS["previous"]))
    charts.append(ChartSpec("departments", fg.departments.format(**yr), tuple(bars),
                            xlabel=fg.hectares, height=max(380, 26 * len(dep) + 120)))
    sub = data.pdet[data.pdet["kind"] == "subregion"]
    pbars = [Series(s.current.format(year=data.year), sub["hectares"].tolist(),
                    sub["pdet_subregion"].tolist(), kind="hbar", color=COLORS["current"])]
    if data.previous_year is not None:
        pbars.insert(0, Series(s.previous.format(year=data.previous_year),
                               sub["hectares_previous"].tolist(),
                               sub["pdet_subregion"].tolist(), kind="hbar",
                               color=COLORS["previous"]))
    charts.append(ChartSpec("pdet", fg.pdet.format(**yr), tuple(pbars), xlabel=fg.hectares,
                            height=max(360, 26 * len(sub) + 120)))
    sp = data.spraying_by_year
    if len(sp):
        charts.append(ChartSpec(
            "spraying",
            fg.spraying.format(first=int(sp["year"].min()), last=int(sp["year"].max())),
            (Series(s.sprayed, sp["year"].tolist(), sp["quantity"].tolist(), kind="bar",
                    color=COLORS["effort"]),
             Series(fg.coca, sp["year"].tolist(), sp["coca_ha"].tolist(), color=COLORS["simci"])),
            xlabel=fg.year, ylabel=fg.hectares))
    lb = data.labs_by_year
    if len(lb):
        charts.append(ChartSpec(
            "labs", fg.labs.format(first=int(lb["year"].min()), last=int(lb["year"].max())),
            (Series(s.labs, lb["year"].tolist(), lb["quantity"].tolist(), kind="bar",
                    color=COLORS["effort"]),
             Series(s.labs_ratio, lb["year"].tolist(), lb["ratio"].tolist(),
                    color=COLORS["ratio"], axis="y2", decimals=1)),
            xlabel=fg.year, ylabel=fg.labs_count, y2label=fg.labs_ratio))
    ld = data.labs_by_department.dropna(subset=["ratio"]).sort_values("ratio", ascending=False)
    charts.append(ChartSpec(
        "labs_departments", fg.labs_departments.format(**yr),
        (Series(s.labs_ratio, ld["ratio"].tolist(), ld["department"].tolist(), kind="hbar",
                color=COLORS["effort"], decimals=1),),
        xlabel=fg.labs_ratio, height=max(320, 26 * len(ld) + 110)))
    prod = data.extras.get("production")
    if prod:
        p = prod["summary"]
        q = m.quantity
        sc = prod.get("scenarios")
        points = []
        if sc is not None and len(sc):
            palette = {"preset": COLORS["unodc"], "implied": COLORS["us"]}
            shift = {"preset": -0.12, "implied": 0.12}  # side by side, not on top of each other
            for name, grp in sc.groupby("scenario", sort=False):
                label = m.scenario[name].format(preset=grp["preset"].iloc[0])
                xs = (grp["year"].astype(float) + shift.get(str(name), 0.0)).tolist()
                points.append(Series(label, xs, grp["point"].tolist(),
                                     kind="errorbar", color=palette.get(str(name), COLORS["effort"]),
                                     lower=grp["ci_low"].tolist(), upper=grp["ci_high"].tolist()))
        else:
            points.append(Series(s.estimate, [data.year], [p["point"]], kind="errorbar",
                                 color=COLORS["unodc"], lower=[p["lo"]], upper=[p["hi"]]))
        ns = data.national_series.set_index("year")
        pub = ns["unodc_production"].dropna()
        pub = pub[pub.index >= data.year - 6]
        if len(pub):
            points.append(Series(q.published, pub.index.tolist(), pub.tolist(),
                                 kind="errorbar", color=COLORS["previous"],
                                 lower=pub.tolist(), upper=pub.tolist()))
        charts.append(ChartSpec(
            "production_interval",
            fg.production_interval.format(year=data.year, previous=data.year - 1,
                                          level=fmt_percent(p["confidence"], lang)),
            tuple(points), xlabel=fg.year, ylabel=fg.tonnes, height=420))
        sens = prod["sensitivity"]
        if len(sens):
            charts.append(ChartSpec(
                "sensitivity", fg.sensitivity,
                (Series(fg.share_variance, (100 * sens["first_order"]).round(1).tolist(),
                        [m.parameter.get(k, k) for k in sens["parameter"]], kind="hbar",
                        color=COLORS["effort"], decimals=1),),
                xlabel=fg.share_variance + " (%)", height=max(260, 40 * len(sens) + 140)))
    return charts


def _maps(
    data: ReportData, lang: str, m: _Messages, municipalities: Any, departments: Any,
    out_dir: Path, change_clip: float,
) -> dict[str, tuple[Any, str, int, str]]:
    """Build the choropleths; write their PNGs and SVGs. Returns key -> (fig, title, height, note).

    Hectares (log scale), density (ha per km² of municipality, log scale: the large Amazon
    municipalities do not dominate) and change (diverging, clipped at ``change_clip`` with the
    clipping marked: "≥"/"≤" end labels, end arrows in the PNG, a note naming the extremes).
    """
    from matplotlib.colors import LogNorm, Normalize

    fg = m.fig
    yr = {"year": data.year, "previous": data.previous_year}
    mun = data.municipalities
    names = mun["municipality"].astype(str) + " (" + mun["department"].astype(str) + ")"
    out: dict[str, tuple[Any, str, int, str]] = {}
    coca_deps = data.departments.loc[data.departments["hectares"] > 0, "department_code"]
    labels = department_labels(departments, coca_deps.astype(str))
    footer = fg.source_map.format(year=data.year, version=__version__)
    seps = plotly_separators(lang)

    def log_map(key: str, values: pd.DataFrame, col: str, unit: str, title: str,
                vmin: float, dec: int) -> None:
        hover = [f"{n}<br>{fmt_quantity(v, unit, lang, dec)}"
                 for n, v in zip(names[values.index], values[col], strict=True)]
        vmax = max(float(values[col].max()), vmin * 10) if len(values) else vmin * 10
        ticks = [v for v in (0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000, 100000)
                 if vmin * 0.99 <= v <= vmax * 1.01]
        tick_text = [fmt_number(v, lang, max(0, -int(np.floor(np.log10(v))))) for v in ticks]
        if float(values[col].min()) < vmin:  # the bottom of the scale holds smaller values too
            tick_text[0] = "≤ " + tick_text[0]
        fig = choropleth(
            municipalities, departments, values, value_col=col, hover=hover,
            colorscale="YlOrRd", zmin=float(np.log10(vmin)), zmax=float(np.log10(vmax)),
            colorbar_title=unit, transform=lambda z: np.log10(np.maximum(z, vmin)),
            tickvals=[float(np.log10(v)) for v in ticks], ticktext=tick_text,
            separators=seps, labels=labels,
        )
        choropleth_png(
            out_dir / f"{key}.png", municipalities, departments, values, value_col=col,
            title=title, cmap="YlOrRd", norm=LogNorm(vmin=vmin, vmax=vmax, clip=True),
            colorbar_title=unit, formatter=lambda v, _p: fmt_number(v, lang),
            ticks=(ticks, tick_text), labels=labels, footer=footer,
            extend="min" if tick_text[0].startswith("≤") else "neither",
        )
        out[key] = (fig, title, 620, "")

    cur = mun[mun["hectares"] > 0]
    log_map("map_hectares", cur, "hectares", "ha", fg.map_hectares.format(**yr), 1.0, 0)
    area = municipalities.set_index("divipola").to_crs("EPSG:9377").area / 1e6  # km², projected
    dens = cur.assign(density=cur["hectares"] / cur["divipola"].map(area).to_numpy())
    dens = dens[dens["density"].notna()]
    log_map("map_density", dens, "density", "ha/km²", fg.map_density.format(**yr), 0.01, 2)
    if data.previous_year is not None:
        had = (mun["hectares"].fillna(0) > 0) | (mun["hectares_previous"].fillna(0) > 0)
        ch = mun[had]  # unchanged municipalities with coca are drawn too (pale, not grey)
        hover = [f"{n}<br>{fmt_quantity(v, 'ha', lang, 1, signed=True)}"
                 for n, v in zip(names[ch.index], ch["change_ha"], strict=True)]
        title = fg.map_change.format(**yr)
        low, high = bool((ch["change_ha"] < -change_clip).any()), bool((ch["change_ha"] > change_clip).any())
        ticks = clipped_ticks(-change_clip, change_clip, lambda v: fmt_signed(v, lang),
                              clipped_low=low, clipped_high=high)
        fig = choropleth(
            municipalities, departments, ch, value_col="change_ha", hover=hover,
            colorscale="RdYlBu_r", zmin=-change_clip, zmax=change_clip,
            colorbar_title=fg.change_ha, tickvals=ticks[0], ticktext=ticks[1],
            separators=seps, labels=labels,
        )
        choropleth_png(
            out_dir / "map_change.png", municipalities, departments, ch, value_col="change_ha",
            title=title, cmap="RdYlBu_r", norm=Normalize(vmin=-change_clip, vmax=change_clip),
            colorbar_title=fg.change_ha, formatter=lambda v, _p: fmt_number(v, lang),
            extend={(True, True): "both", (True, False): "min", (False, True): "max"}.get(
                (low, high), "neither"),
            ticks=ticks, labels=labels, footer=footer,
        )
        beyond = ch[ch["change_ha"].abs() > change_clip]
        note = ""
        if len(beyond):
            top = beyond.loc[beyond["change_ha"].abs().idxmax()]
            note = fg.clipped.format(
                n=fmt_number(len(beyond), lang), clip=fmt_quantity(change_clip, "ha", lang),
                name=f"{top['municipality']} ({top['department']})",
                value=fmt_quantity(top["change_ha"], "ha", lang, signed=True))
        out["map_change"] = (fig, title, 620, note)
    return out


def _figure_json(fig: Any) -> str:
    if isinstance(fig, dict):  # maps: already plain JSON types
        return json.dumps(fig, ensure_ascii=False, separators=(",", ":"))
    return pio.to_json(fig, validate=False, remove_uids=True)


def _share_features(figs: dict[str, Any], features: dict[str, int]) -> dict[str, Any]:
    """Return the map figures with each GeoJSON feature replaced by its number in ``features``.

    The maps of a page draw the same municipalities and departments; the page carries each
    feature once (``FEATURES`` in the template) and rebuilds every trace's FeatureCollection
    from the numbers. ``features`` (feature JSON -> number) is filled in as features are seen.
    """
    out = {}
    for key, fig in figs.items():
        if not isinstance(fig, dict):
            out[key] = fig
            continue
        data = []
        for trace in fig.get("data", []):
            gj = trace.get("geojson")
            if isinstance(gj, dict) and gj.get("type") == "FeatureCollection":
                refs = [features.setdefault(json.dumps(f, ensure_ascii=False, separators=(",", ":")), len(features))
                        for f in gj["features"]]
                trace = {**trace, "geojson": {"cocamonitorFeatures": refs}}
            data.append(trace)
        out[key] = {**fig, "data": data}
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
    out_dir = output_dir(out_dir, where="--out")
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
