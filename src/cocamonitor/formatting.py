"""Number and text formatting per language (report, dashboard, command line, simulator verdicts).

Spanish groups thousands with a point and uses a decimal comma (``143.000 ha``, ``1.228 t``,
``12,5 %``); English groups with a comma and uses a decimal point (``143,000 ha``, ``12.5%``).
Missing values are shown as an en dash.

Examples
--------
>>> fmt_number(143000, "es"), fmt_number(143000, "en")
('143.000', '143,000')
>>> fmt_quantity(1228.4, "t", "es"), fmt_quantity(1228.4, "t", "en")
('1.228 t', '1,228 t')
>>> fmt_percent(0.125, "es", decimals=1), fmt_percent(-0.125, "en", decimals=1, signed=True)
('12,5 %', '−12.5%')

"""

from __future__ import annotations

import math
from typing import Literal

from cocamonitor.errors import UnknownNameError

__all__ = [
    "LANGUAGES",
    "Lang",
    "check_lang",
    "fmt_number",
    "fmt_percent",
    "fmt_quantity",
    "fmt_signed",
]

Lang = Literal["es", "en"]
LANGUAGES: tuple[str, ...] = ("es", "en")
_MISSING = "–"
_MINUS = "−"  # U+2212, the typographic minus used in both languages


def check_lang(lang: str, *, where: str = "lang") -> Lang:
    """Return ``lang`` if it is a supported report language, else raise ``UnknownNameError``.

    Examples
    --------
    >>> check_lang("es")
    'es'

    """
    if lang not in LANGUAGES:
        raise UnknownNameError(
            f"unknown language {lang!r}",
            where=where,
            hint=f"valid choices: {', '.join(LANGUAGES)}",
        )
    return lang  # type: ignore[return-value]


def _is_missing(value: float | int | None) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def fmt_number(value: float | int | None, lang: str, decimals: int = 0) -> str:
    """Format a number with the language's thousands and decimal separators.

    Parameters
    ----------
    value : float or int or None
        The number; ``None`` or NaN give an en dash.
    lang : {"es", "en"}
        Report language.
    decimals : int
        Digits after the decimal separator (rounded half to even, as Python does).

    Examples
    --------
    >>> fmt_number(1234567.891, "es", 2), fmt_number(1234567.891, "en", 2)
    ('1.234.567,89', '1,234,567.89')
    >>> fmt_number(-0.4, "en"), fmt_number(None, "es")
    ('0', '–')

    """
    check_lang(lang, where="lang")
    if _is_missing(value):
        return _MISSING
    assert value is not None
    text = f"{float(value):,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":  # no "-0" after rounding
        text = text.lstrip("-")
    negative = text.startswith("-")
    text = text.lstrip("-")
    if lang == "es":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return (_MINUS if negative else "") + text


def fmt_signed(value: float | int | None, lang: str, decimals: int = 0) -> str:
    """Format a change with an explicit sign (``+12.000`` / ``−3.400``).

    Examples
    --------
    >>> fmt_signed(8814.4, "es"), fmt_signed(-8814.4, "en"), fmt_signed(0, "en")
    ('+8.814', '−8,814', '0')

    """
    text = fmt_number(value, lang, decimals)
    if text in (_MISSING,) or text.startswith(_MINUS) or text.strip("0.,") == "":
        return text
    return "+" + text


def fmt_quantity(
    value: float | int | None, unit: str, lang: str, decimals: int = 0, *, signed: bool = False
) -> str:
    """Format a number with its unit, separated by a space (``143.000 ha``).

    Examples
    --------
    >>> fmt_quantity(143000, "ha", "es")
    '143.000 ha'
    >>> fmt_quantity(-520, "ha", "en", signed=True)
    '−520 ha'

    """
    text = fmt_signed(value, lang, decimals) if signed else fmt_number(value, lang, decimals)
    if text == _MISSING:
        return text
    return f"{text} {unit}"


def fmt_percent(
    share: float | None, lang: str, decimals: int = 0, *, signed: bool = False
) -> str:
    """Format a share (0.125 = 12.5 %): Spanish puts a space before ``%``.

    Examples
    --------
    >>> fmt_percent(0.0356, "es", 1, signed=True), fmt_percent(0.0356, "en", 1, signed=True)
    ('+3,6 %', '+3.6%')

    """
    if _is_missing(share):
        return _MISSING
    value = 100.0 * float(share)  # type: ignore[arg-type]
    text = fmt_signed(value, lang, decimals) if signed else fmt_number(value, lang, decimals)
    return f"{text} %" if lang == "es" else f"{text}%"
