import numpy as np
import pytest

from cocamonitor.report.evaluation import TEXT, evaluation_html, evaluation_section


@pytest.fixture(scope="module")
def section():
    return evaluation_section(2021)


def test_section_numbers_match_the_evaluate_api(section):
    from cocamonitor.evaluate import aggregate, att_gt
    from cocamonitor.evaluate.municipal import municipal_panel

    d = section["designs"]["pdet"]
    assert d["years"] == [2010, 2021] and d["n_treated"] == 170
    res = att_gt(municipal_panel("hectares", "pdet", years=(2010, 2021)).panel, control="not-yet", n_boot=0)
    assert d["simple"].att == pytest.approx(aggregate(res, "simple").att)
    assert np.all(np.isfinite(d["event"].band_low))
    assert set(section["tables"]) == {"evaluation_pdet_event_study", "evaluation_spraying_event_study"}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_html_in_both_languages_with_caveats(section, lang):
    html = str(evaluation_html(section, lang, {"pdet": "evaluation_pdet"}))
    t = TEXT[lang]
    assert t["title"] in html.replace("&#39;", "'")
    for key in ("c1", "c2", "c3", "c4", "pdet", "spraying"):
        assert t[key].replace("'", "&#39;") in html
    assert 'id="fig-evaluation_pdet"' in html
    assert "cocamonitor evaluate did --treatment pdet" in html


def test_early_year_has_no_designs():
    sec = evaluation_section(2015)
    assert sec["designs"] == {}
    assert TEXT["en"]["na"] in str(evaluation_html(sec, "en"))


def test_written_report_has_the_section(tmp_path):
    from cocamonitor.report.build import ReportInputs, build_report_data
    from cocamonitor.report.render import write_report
    from cocamonitor.report.sections import extra_sections

    inputs = ReportInputs.example()
    data = build_report_data(2021, inputs, extras=extra_sections(2021, inputs))
    for lang, title in (("es", "¿Funcionaron los programas?"), ("en", "Did the programmes work?")):
        files = write_report(data, lang, tmp_path / lang)
        assert title in files.html.read_text(encoding="utf-8")
        assert (tmp_path / lang / "evaluation_pdet.png").exists()
        assert (tmp_path / lang / "evaluation_pdet_event_study.csv").exists()
