"""The sentences of the documents: one catalogue per language, with the same keys and fields."""

from __future__ import annotations

import re
import string

import pytest

from cocamonitor.documents.narratives import LANGS, catalogue, narrate
from cocamonitor.documents.trend import compare_narrative, describe_releases, method_change_note, trend_test_title
from cocamonitor.errors import InputError


def _templates(node, prefix=""):
    for key, value in node.items():
        if isinstance(value, dict):
            yield from _templates(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_catalogues_have_the_same_keys_and_fields():
    en, es = dict(_templates(catalogue("en"))), dict(_templates(catalogue("es")))
    assert set(en) == set(es)
    for key in en:
        assert _fields(en[key]) == _fields(es[key]), key
        words = re.findall(r"[A-Za-z]{3,}", "".join(text for text, _, _, _ in string.Formatter().parse(en[key])))
        assert es[key] != en[key] or not words, f"{key} is not translated"


def test_numbers_take_the_language_separators():
    assert narrate("trend.ratio", "en", a="unodc", b="us", mean=1234.5, low=0.5, high=2.25, slope=0.0123,
                   slope_low=-0.01, slope_high=0.03).startswith("Level ratio unodc/us: mean 1234.50 (range 0.50-2.25)")
    es = narrate("trend.ratio", "es", a="unodc", b="us", mean=1234.5, low=0.5, high=2.25, slope=0.0123,
                 slope_low=-0.01, slope_high=0.03)
    assert "media 1234,50 (rango 0,50-2,25)" in es and "+0,012/año [-0,010, +0,030]" in es
    # fields without a format specification (years, names) are left as they are
    assert narrate("trend.common_years", "es", n=19, first=2001, last=2021, a="unodc", b="us", only_a="2022",
                   only_b="2003") == "Años comunes: 19 (2001-2021); solo unodc: 2022; solo us: 2003."


def test_unknown_language_is_one_line():
    with pytest.raises(InputError, match="unknown language 'fr'"):
        narrate("none", "fr")


def test_trend_sentences_in_english_are_the_command_lines():
    assert describe_releases({"vintage": "latest"}) == "latest release of each year to date"
    assert describe_releases({"vintage": "as-of", "as_of": "2021-06-30"}) == (
        "latest release of each year, as known on 2021-06-30")
    assert trend_test_title("unodc", "area", [2019, 2020, 2021], releases="latest release of each year to date",
                            breaks=[2005]) == ("unodc area, 2019-2021 (n=3); latest release of each year to date; "
                                               "method changes from 2005 (see `data show national-breaks`)")
    assert method_change_note("us", "area", 2004, 2007, [2005, 2006]) == (
        "the us area series changed method between 2004 and 2007 (from 2005, 2006): the two figures do not "
        "compare (see `cocamonitor data show national-breaks`)")


@pytest.mark.parametrize("lang", LANGS)
def test_compare_narrative_in_both_languages(lang):
    from cocamonitor.trends import compare_series
    from cocamonitor.trends.summary import national_series_checked

    a, _ = national_series_checked("unodc", "production")
    b, _ = national_series_checked("us", "production")
    res = compare_series(a, b, names=("unodc", "us"))
    lines = compare_narrative(res, "production", describe_releases(a.attrs, lang), lang)
    first = {"en": "Common years: ", "es": "Años comunes: "}[lang]
    assert lines[0].startswith(first) and len(lines) >= 6
    last = {"en": "Note: the two series measure different things",
            "es": "Nota: las dos series miden cosas distintas"}[lang]
    assert lines[-1].startswith(last)
    mk = [line for line in lines if line.startswith("Mann-Kendall unodc")][0]
    words = {"en": ("increasing", "decreasing", "no trend"), "es": ("creciente", "decreciente", "sin tendencia")}
    assert mk.endswith(tuple(f"-> {w}." for w in words[lang]))


def test_command_line_speaks_spanish_with_lang_es(run_cli):
    es = run_cli("--lang", "es", "trend", "compare", "--metric", "production")
    assert es.exit_code == 0, es.stderr
    assert "Años comunes: " in es.stdout and "Nota: las dos series miden cosas distintas" in es.stdout
    assert "Common years" not in es.stdout
    en = run_cli("--lang", "en", "trend", "panel", "--years", "2014-2024", "--department", "Putumayo")
    es = run_cli("--lang", "es", "trend", "panel", "--years", "2014-2024", "--department", "Putumayo")
    assert "Coca trends in Putumayo 2014-2024" in " ".join(en.stdout.split())
    assert "Tendencias de la coca en Putumayo 2014-2024" in " ".join(es.stdout.split())
