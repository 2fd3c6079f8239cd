"""The counternarcotics results table of the report (2024 vs 2023), in Spanish and English.

Expected numbers are computed here from the bundled datasets (MinDefensa labs, SIMCI census,
published national figures), not copied from the report.
"""

from __future__ import annotations

import json
import re
from html import unescape

import numpy as np
import pandas as pd
import pytest

from cocamonitor import datasets
from cocamonitor.indicators import INDICATORS
from cocamonitor.report.csvout import default_dialect, read_table
from cocamonitor.report.render import messages
from cocamonitor.report.sections import RESULTS_COLUMNS

YEAR = 2024
DASH = "–"


@pytest.fixture(scope="module")
def data(inputs):
    from cocamonitor.report import build_report_data
    from cocamonitor.report.sections import extra_sections

    return build_report_data(YEAR, inputs, extras=extra_sections(YEAR, inputs))


@pytest.fixture(scope="module")
def written(data, inputs, tmp_path_factory):
    from cocamonitor.report import make_report

    root = tmp_path_factory.mktemp("results")
    return {lang: make_report(YEAR, lang, root / lang, maps=False, inputs=inputs, data=data)
            for lang in ("es", "en")}


def _results_rows(html: str) -> list[list[str]]:
    """Cell texts of the results table, footnote numbers removed; the indicator name is carried
    down the rows it spans."""
    table = re.search(r'<table class="results">(.*?)</table>', html, flags=re.S)
    assert table, "no results table in the report"
    rows, name = [], ""
    for tr in re.findall(r"<tr>(.*?)</tr>", table.group(1), flags=re.S)[1:]:
        tr = re.sub(r'<sup class="ref">.*?</sup>', "", tr)
        cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, flags=re.S)]
        if tr.lstrip().startswith("<th"):  # the first row of an indicator names it
            name = cells[0]
        else:
            cells = [name, *cells]
        rows.append(cells)
    return rows


def _es(text: str) -> str:
    """English-formatted number to Spanish: '.' groups thousands, ',' is the decimal mark."""
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _expected() -> dict[str, float]:
    labs = datasets.load("labs").groupby("year")["quantity"].sum()
    coca = datasets.load("coca-municipal").groupby("year")["hectares"].sum()
    nat = datasets.load("coca-national")
    nat = nat[nat["latest"].astype(bool)].set_index(["source_key", "metric", "year"])["value"]
    return {
        "labs": labs[YEAR], "labs_prev": labs[YEAR - 1],
        "coca": coca[YEAR], "coca_prev": coca[YEAR - 1],
        "ratio": 1000 * labs[YEAR] / coca[YEAR], "ratio_prev": 1000 * labs[YEAR - 1] / coca[YEAR - 1],
        "unodc_prev": nat[("unodc", "coca_area", YEAR - 1)],
        "seizures_prev": nat[("gov-co", "cocaine_seizures", YEAR - 1)],
    }


def test_results_rows_per_language_match_the_bundled_data(written):
    e = _expected()
    assert e["labs"] == 5233 and round(e["coca"]) == 261386 and f"{e['ratio']:.1f}" == "20.0"
    for lang, files in written.items():
        m = messages(lang)
        fmt = (lambda s: _es(s)) if lang == "es" else (lambda s: s)  # noqa: E731
        rows = {(r[0], r[1]): r[2:] for r in _results_rows(files.html.read_text("utf-8"))}
        name, src = m.indicator, m.source
        labs_change = e["labs"] - e["labs_prev"]
        labs_pct = 100 * labs_change / e["labs_prev"]
        pct = f"{labs_pct:+.1f} %" if lang == "es" else f"{labs_pct:+.1f}%"
        assert rows[(name.labs_destroyed, src.mindefensa)] == [
            fmt(f"{e['labs_prev']:,.0f}"), fmt(f"{e['labs']:,.0f}"),
            fmt(f"{labs_change:+,.0f}") + " (" + fmt(pct) + ")"]
        coca = rows[(name.coca_area, src.simci)]
        assert coca[:2] == [fmt(f"{e['coca_prev']:,.0f}"), fmt(f"{e['coca']:,.0f}")]
        ratio = rows[(name.labs_per_1000_ha_coca, f"{src.mindefensa} / {src.simci}")]
        assert ratio[:2] == [fmt(f"{e['ratio_prev']:.1f}"), fmt(f"{e['ratio']:.1f}")]
        # two publishers of the coca area side by side; UNODC's 2024 figure is not bundled
        assert rows[(name.coca_area, src.unodc)][:2] == [fmt(f"{e['unodc_prev']:,.0f}"), DASH]
        assert rows[(name.cocaine_seizures, src["gov-co"])][:2] == [fmt(f"{e['seizures_prev']:,.1f}"), DASH]
    es = _results_rows(written["es"].html.read_text("utf-8"))
    en = _results_rows(written["en"].html.read_text("utf-8"))
    assert "20,0" in [r[3] for r in es] and "20.0" in [r[3] for r in en]
    assert "5.233" in [r[3] for r in es] and "5,233" in [r[3] for r in en]


def test_missing_figures_are_dashes_with_a_note_never_zero(written, data):
    table = data.extras["results"]["table"]
    assert table["value"].isna().any()  # (an indicator without a figure in either year is not a row)
    for lang, files in written.items():
        html = files.html.read_text("utf-8")
        rows = _results_rows(html)
        assert len(rows) == len(table)
        for row, rec in zip(rows, table.to_dict("records"), strict=True):
            for cell, value in ((row[2], rec["value_previous"]), (row[3], rec["value"])):
                assert (cell == DASH) == bool(np.isnan(value)), (lang, row)
                assert cell.strip("0,.") != ""  # no zero anywhere: every indicator here is non-zero
        # every dash has its note: a title and a numbered footnote saying which years have figures
        cells = re.findall(r'<td class="num missing" title="([^"]+)">–<sup class="ref"><a href="#(results-note-\d+)"',
                           html)
        assert len(cells) == int(table[["value", "value_previous"]].isna().sum().sum())
        for title, note_id in cells:
            note = re.search(rf'<li id="{note_id}">(.*?)</li>', html).group(1)
            assert unescape(note) == unescape(title) and re.search(r"\d{4}", note)
        unodc = "2000–2023"  # the UNODC coca-area years in the bundled national table
        assert unodc in unescape(html)


def test_every_source_is_cited_with_a_link(written, data):
    table = data.extras["results"]["table"]
    cited = {c for col in ("citation", "citation_previous") for cs in table[col].dropna() for c in cs.split("; ")}
    urls = {re.match(r"https?://\S+", c).group(0) for c in cited if c.startswith("http")}
    assert any("mindefensa.gov.co" in u for u in urls) and any("datos.gov.co" in u for u in urls)
    for files in written.values():
        notes = re.search(r'<ol class="notes">(.*?)</ol>', files.html.read_text("utf-8"), flags=re.S).group(1)
        for url in urls:
            assert f'<a href="{url}"' in unescape(notes), url


def test_caveats_of_the_figures_are_notes_in_each_language(written, data):
    """The figures' own caveats are English text from the compiled table: the English report
    shows them as compiled, the Spanish one in Spanish (quotations from sources stay English,
    marked as such)."""
    from cocamonitor.report.translate import data_text

    table = data.extras["results"]["table"]
    caveats = sorted({str(v) for col in ("note", "note_previous") for v, x in zip(table[col], table["value" if
                      col == "note" else "value_previous"], strict=True) if isinstance(v, str) and x == x})
    assert caveats, "the 2023-2024 table has figures with caveats (e.g. the 2023 seizures)"
    for lang, label in (("es", "Nota: "), ("en", "Note: ")):
        notes = re.search(r'<ol class="notes">(.*?)</ol>', written[lang].html.read_text("utf-8"),
                          flags=re.S).group(1)
        for c in caveats:
            shown = str(data_text(c, lang))
            assert f"{label}{shown}" in notes, (lang, c)
            if lang == "es":
                assert shown != c, c  # translated


def test_section_says_publishers_differ_and_no_targets_are_bundled(written):
    es = " ".join(unescape(written["es"].html.read_text("utf-8")).split())
    en = " ".join(unescape(written["en"].html.read_text("utf-8")).split())
    assert "5. Resultados de la lucha contra las drogas" in es and "Cuadro de resultados, 2023–2024" in es
    assert "5. Counternarcotics results" in en and "Results table, 2023–2024" in en
    assert "no todas son comparables entre sí; el informe no incluye metas oficiales" in es
    assert "are not all comparable with each other; the report bundles no official targets" in en
    # a source with figures only in other years is named, with its years (the US coca area)
    assert "Área de coca (ha), Gobierno de EE. UU.: 2000–2021" in es
    assert "Coca area (ha), US Government: 2000–2021" in en


def test_the_results_csv_is_written_and_listed(written, data):
    table = data.extras["results"]["table"]
    for files in written.values():
        path = files.out_dir / "counternarcotics_results.csv"
        assert path in files.csv
        back = read_table(path, default_dialect(files.lang))
        assert list(back.columns) == RESULTS_COLUMNS
        pd.testing.assert_series_equal(back["value"], table["value"].astype(float).round(2),
                                       check_names=False)
        assert back.loc[back["indicator"] == "labs_destroyed", "value"].tolist() == [5233.0]
        assert back["value"].isna().sum() == table["value"].isna().sum() > 0  # missing stays missing
        assert 'href="counternarcotics_results.csv"' in files.html.read_text("utf-8")


def test_every_indicator_and_source_is_named_in_both_languages():
    from cocamonitor.indicators import results_table

    sources = {k for s in results_table().to_frame()["source"].dropna() for k in s.split(" / ")}
    for lang in ("es", "en"):
        m = messages(lang)
        assert set(m.indicator) == {i.name for i in INDICATORS}
        assert sources <= set(m.source)
    es, en = messages("es"), messages("en")
    assert all(es.indicator[i.name] != en.indicator[i.name] for i in INDICATORS)
    assert "1.000" in es.indicator.labs_per_1000_ha_coca and "1,000" in en.indicator.labs_per_1000_ha_coca


def test_a_report_of_the_first_year_has_no_previous_column_to_invent():
    from cocamonitor.report.build import ReportInputs
    from cocamonitor.report.sections import results_section

    inputs = ReportInputs.example()  # municipal tables only, years 2020-2021
    sec = results_section(2020, inputs)
    assert sec["previous_year"] is None and sec["table"]["value_previous"].isna().all()
    labs = sec["table"].set_index("indicator").loc["labs_destroyed"]
    assert labs["value"] == 4.0 and np.isnan(labs["change"])


# ----------------------------------------------------------------- targets (report --targets FILE)


def test_report_with_the_users_targets_compares_them(run_cli, tmp_path):
    e = _expected()
    targets = tmp_path / "metas.csv"  # Spanish spreadsheet export: ';' and a decimal comma
    targets.write_text("year;indicator;target\n2024;labs_destroyed;5000\n2024;coca_area;250000\n"
                       "2024;labs_per_1000_ha_coca;18,5\n2023;labs_destroyed;6000\n2019;labs_destroyed;1\n",
                       encoding="utf-8")
    out = tmp_path / "r"
    res = run_cli("report", "--year", str(YEAR), "--lang", "es", "--no-maps", "--targets", str(targets),
                  "--out", str(out), "--json")
    assert res.exit_code == 0, res.stderr
    html = (out / "index.html").read_text("utf-8")
    m = messages("es")
    rows = {(r[0], r[1]): r for r in _results_rows(html)}

    def verdict(ok: bool) -> str:
        return m.results.met_yes if ok else m.results.met_no

    labs = rows[(m.indicator.labs_destroyed, m.source.mindefensa)]
    assert labs[-2:] == [f"≥ 6.000: {verdict(e['labs_prev'] >= 6000)}", f"≥ 5.000: {verdict(e['labs'] >= 5000)}"]
    coca = rows[(m.indicator.coca_area, m.source.simci)]
    assert coca[-1] == f"≤ 250.000: {verdict(e['coca'] <= 250000)}"  # coca area: at most
    assert rows[(m.indicator.coca_area, m.source.unodc)][-1] == f"≤ 250.000: {m.results.met_na}"
    ratio = rows[(m.indicator.labs_per_1000_ha_coca, f"{m.source.mindefensa} / {m.source.simci}")]
    assert ratio[-1] == f"≥ 18,5: {verdict(e['ratio'] >= 18.5)}"
    text = " ".join(unescape(html).split())
    assert "no son metas oficiales publicadas" in text and "metas.csv" in text
    assert "Las metas del archivo para 2019 no se muestran" in text
    assert "el informe no incluye metas oficiales" in text  # still: none are bundled
    back = read_table(out / "counternarcotics_results.csv", "es-co").set_index(["indicator", "source"])
    assert back.loc[("labs_destroyed", "mindefensa"), ["target_previous", "target"]].tolist() == [6000.0, 5000.0]
    assert back.loc[("labs_destroyed", "mindefensa"), "met"] == (e["labs"] >= 5000)
    assert back.loc[("coca_area", "simci"), "direction"] == "at_most"
    prov = json.loads(res.stdout)["provenance"]
    assert prov["parameters"]["targets"] == str(targets) and str(targets) in prov["inputs"]


def test_targets_in_the_english_table(inputs):
    from cocamonitor.indicators import validate_targets
    from cocamonitor.report.sections import results_section
    from cocamonitor.report.tables import _results_html

    tg = validate_targets(pd.DataFrame({"year": [YEAR], "indicator": ["labs_destroyed"], "target": [6000.0]}))
    sec = results_section(YEAR, inputs, targets=tg)
    m = messages("en")
    rows = {(r[0], r[1]): r for r in _results_rows(str(_results_html(sec, "en", m)))}
    labs = rows[(m.indicator.labs_destroyed, m.source.mindefensa)]
    assert labs[-2:] == [DASH, f"≥ 6,000: {m.results.met_no if _expected()['labs'] < 6000 else m.results.met_yes}"]
    assert rows[(m.indicator.coca_area, m.source.simci)][-2:] == [DASH, DASH]  # no target given


@pytest.mark.parametrize(("text", "expected"), [
    ("year,indicator,target,territory\n2024,labs_destroyed,5000,Nariño\n",
     "line 2, column 'territory': territory 'Nariño' is not in the national table"),
    ("year;indicator;target\n2024;labs_destroyd;5000\n",
     "line 2, column 'indicator': unknown indicator 'labs_destroyd'; did you mean: labs_destroyed"),
    ("year,indicator,target\n2024,labs_destroyed,-3\n", "line 2, column 'target'"),
])
def test_bad_targets_exit_2_naming_file_line_and_column(run_cli, tmp_path, text, expected):
    bad = tmp_path / "targets.csv"
    bad.write_text(text, encoding="utf-8")
    out = tmp_path / "r"
    res = run_cli("report", "--year", str(YEAR), "--lang", "en", "--no-maps", "--targets", str(bad),
                  "--out", str(out))
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}") and expected in lines[0], lines
    assert not out.exists()  # nothing written
