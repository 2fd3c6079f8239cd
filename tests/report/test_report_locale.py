import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cocamonitor.errors import UnknownNameError
from cocamonitor.report.locale import (
    check_lang,
    fmt_number,
    fmt_percent,
    fmt_quantity,
    fmt_signed,
)


def test_issue_examples():
    assert fmt_quantity(143000, "ha", "es") == "143.000 ha"
    assert fmt_quantity(1228, "t", "es") == "1.228 t"
    assert fmt_quantity(143000, "ha", "en") == "143,000 ha"
    assert fmt_number(0.5, "es", 1) == "0,5"
    assert fmt_number(1234.5, "en", 1) == "1,234.5"


def test_signs_percent_missing():
    assert fmt_signed(-1833.4, "es") == "−1.833"
    assert fmt_signed(8301, "en") == "+8,301"
    assert fmt_signed(0.2, "en") == "0"  # rounds to zero: no sign, no "-0"
    assert fmt_number(-0.3, "es") == "0"
    assert fmt_percent(0.0349, "es", 1) == "3,5 %"
    assert fmt_percent(0.0349, "en", 1) == "3.5%"
    assert fmt_percent(-0.1166, "es", 1, signed=True) == "−11,7 %"
    assert fmt_number(float("nan"), "es") == "–"
    assert fmt_quantity(None, "ha", "en") == "–"


def test_bad_language():
    with pytest.raises(UnknownNameError, match="valid choices: es, en"):
        check_lang("fr")
    with pytest.raises(UnknownNameError):
        fmt_number(1, "de")


def _parse(text: str, lang: str) -> float:
    text = text.replace("−", "-")
    if lang == "es":
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    return float(text)


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 3))
def test_round_trip_both_languages(value, decimals):
    for lang in ("es", "en"):
        back = _parse(fmt_number(value, lang, decimals), lang)
        assert math.isclose(back, round(value, decimals), abs_tol=10.0**-decimals / 2 + 1e-9)
    # the two languages differ only in the separators
    es, en = fmt_number(value, "es", decimals), fmt_number(value, "en", decimals)
    assert es.translate(str.maketrans(".,", ",.")) == en



def test_language_environments_do_not_share_filters():
    """Two live environments (as a server keeps them) keep their own number formats."""
    from cocamonitor.report.render import _env_for

    env_es, env_en = _env_for("es"), _env_for("en")
    tpl = "{{ 230028 | ha }}"
    assert env_es.from_string(tpl).render() == "230.028 ha"
    assert env_en.from_string(tpl).render() == "230,028 ha"
