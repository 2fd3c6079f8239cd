"""The report's HTML tables: results with their sources, provenance, and every section's table data."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape as _unescape
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from cocamonitor.report.build import ReportData
from cocamonitor.report.locale import (
    fmt_number,
    fmt_percent,
    fmt_signed,
)
from cocamonitor.report.translate import data_text, group_digits

if TYPE_CHECKING:
    from cocamonitor.report.catalogue import _Messages

__all__: list[str] = []


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
