"""The dashboard's text catalogues (``templates/messages_<lang>.toml``) and number filters.

Every visible string comes from a catalogue; numbers are formatted with
:mod:`cocamonitor.report.locale` (``143.000 ha`` in Spanish, ``143,000 ha`` in English).

Examples
--------
>>> catalogue("es").controls.year, catalogue("en").controls.year
('Año', 'Year')
>>> filters("es")["ha"](143000.4)
'143.000 ha'

"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import Any

from cocamonitor.report.locale import check_lang, fmt_number, fmt_percent

__all__ = ["Catalogue", "catalogue", "filters", "flat_keys", "fmt_p"]


class Catalogue(dict):
    """Nested catalogue with attribute access (``m.map.title``) for templates and views."""

    def __getattr__(self, name: str) -> Any:
        try:
            value = self[name]
        except KeyError as err:  # a missing label is a bug in the catalogue
            raise AttributeError(name) from err
        return Catalogue(value) if isinstance(value, dict) else value


@lru_cache(maxsize=4)
def catalogue(lang: str) -> Catalogue:
    """Return the catalogue of ``lang`` (``es`` or ``en``)."""
    lang = check_lang(lang, where="lang")
    text = resources.files("cocamonitor.web").joinpath(f"templates/messages_{lang}.toml")
    return Catalogue(tomllib.loads(text.read_text(encoding="utf-8")))


def flat_keys(cat: dict, prefix: str = "") -> set[str]:
    """Dotted keys of a nested catalogue (to check that both languages have the same labels)."""
    out: set[str] = set()
    for k, v in cat.items():
        key = f"{prefix}{k}"
        out |= flat_keys(v, key + ".") if isinstance(v, dict) else {key}
    return out


def fmt_p(p: float | None, lang: str) -> str:
    """Format a p-value with 2 significant digits, ``< 0,0001`` below 1e-4.

    Examples
    --------
    >>> fmt_p(0.0231, "es"), fmt_p(0.00001, "en")
    ('0,023', '< 0.0001')

    """
    if p is None or p != p:
        return fmt_number(None, lang)
    if p < 1e-4:
        return "< " + fmt_number(0.0001, lang, 4)
    decimals = 2 if p >= 0.1 else 3 if p >= 0.01 else 4
    return fmt_number(p, lang, decimals)


def filters(lang: str) -> dict[str, Callable[..., str]]:
    """Jinja filters in ``lang``: the report's ``num``, ``ha``, ``t``, ``pct``, ``signed``, plus ``spct``, ``p``."""
    from cocamonitor.report.render import _filters as report_filters

    out = dict(report_filters(lang))
    out["spct"] = lambda v, d=1: fmt_percent(v, lang, d, signed=True)
    out["p"] = lambda v: fmt_p(v, lang)
    out["p_is"] = lambda v, name="p": _p_is(name, fmt_p(v, lang))
    return out


def _p_is(name: str, text: str) -> str:
    """``p = 0,003`` but ``p < 0,0001`` (not ``p = < 0,0001``)."""
    return f"{name} {text}" if text.startswith("<") else f"{name} = {text}"
