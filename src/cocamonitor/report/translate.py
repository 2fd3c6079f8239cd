"""Spanish for the English text that comes with the bundled data (notes, provenance fields).

The data keep the words of their sources (mostly English news and government releases). The
Spanish edition shows them in Spanish: first from the catalogue ``templates/data_es.toml``
(keyed by the English text), then by rules for the recurring forms (dates, "UNODC 2016 survey",
"(published 16 Jan 2025)"). Words quoted from a source stay as published, marked up as an
English quotation (``<q lang="en">``), so a reader and the report's language check can tell a
quotation from untranslated prose.

Examples
--------
>>> str(data_text("UNODC 2016 survey", "es"))
'censo de UNODC de 2016'
>>> str(data_text('"757 metric tons seized" (lower bound)', "es"))
'<q lang="en">757 metric tons seized</q> (cota inferior)'
>>> str(data_text("UNODC 2016 survey", "en"))
'UNODC 2016 survey'
>>> group_digits("33770 eventos y 9889 eventos en 2015", "es")
'33.770 eventos y 9.889 eventos en 2015'

"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

from markupsafe import Markup, escape

__all__ = ["MONTHS_ES", "data_text", "group_digits", "spanish_dates"]

#: English month names and abbreviations -> Spanish month names.
MONTHS_ES = {
    "jan": "enero", "january": "enero", "feb": "febrero", "february": "febrero",
    "mar": "marzo", "march": "marzo", "apr": "abril", "april": "abril", "may": "mayo",
    "jun": "junio", "june": "junio", "jul": "julio", "july": "julio", "aug": "agosto",
    "august": "agosto", "sep": "septiembre", "sept": "septiembre", "september": "septiembre",
    "oct": "octubre", "october": "octubre", "nov": "noviembre", "november": "noviembre",
    "dec": "diciembre", "december": "diciembre",
}
_MONTH = "(" + "|".join(sorted(MONTHS_ES, key=len, reverse=True)) + r")\.?"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}}) {_MONTH} (\d{{4}})\b", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"\b{_MONTH} (\d{{4}})\b", re.IGNORECASE)
_RULES: tuple[tuple[re.Pattern[str], Any], ...] = (
    (re.compile(r"\bUNODC (\d{4}) survey\b"), r"censo de UNODC de \1"),
    (re.compile(r"\bUNODC (\d{4}) Andean (?:coca )?survey\b"), r"censo andino de UNODC de \1"),
    (re.compile(r"\((?:published|publ\.) ([^)]*)\)"), r"(publicado el \1)"),
    (re.compile(r"\bas reported\b"), "según se informó"),
    (re.compile(r"\bciting\b"), "que cita a"),
    (re.compile(r"\bvia\b"), "vía"),
    (re.compile(r"\(revised\)"), "(revisado)"),
    (re.compile(r"\bPeru\b"), "Perú"),
    (re.compile(r"\bno location\b"), "sin ubicación"),
    (re.compile(r"^includes (\S+) not located in a Colombian municipality\b"),
     r"incluye \1 que no están en un municipio colombiano"),
    (re.compile(r"\bcode\b"), "código"),
    (re.compile(r"\b(\d[\d,]*) of (\d[\d,]*) municipalities\b"), r"\1 de \2 municipios"),
    (re.compile(r"\bODC municipal sum\b"), "suma municipal del ODC:"),
    (re.compile(r"\blower bound\b"), "cota inferior"),
    (re.compile(r"\bupper bound\b"), "cota superior"),
    (re.compile(r"\bMinDefensa event data\b"), "datos de eventos de MinDefensa"),
    (re.compile(r"\bbase/paste\b"), "base/pasta"),
    (re.compile(r"\bweak source, treat with caution\b"), "fuente débil, úsese con cautela"),
    (re.compile(r"\bReplaces original\b"), "Reemplaza la cifra original de"),
    (re.compile(r"\bnot found elsewhere\b"), "no hallada en otra fuente"),
    (re.compile(r"\brelease day approximate\b"), "día de publicación aproximado"),
    # English number forms: "+13%" -> "+13 %", "1,122" -> "1.122", "739.6 t" -> "739,6 t"
    (re.compile(r"(\d)%"), r"\1 %"),
    (re.compile(r"\b(\d+)\.(\d+)(?= ?(?:t|ha|kg|%)\b)"), r"\1,\2"),
    (re.compile(r"\b(\d{1,3}(?:,\d{3})+)(?![\d,])"), lambda m: m.group(1).replace(",", ".")),
)
_QUOTE = re.compile(r'"([^"]+)"')


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, str]:
    text = resources.files("cocamonitor.report").joinpath("templates/data_es.toml")
    return dict(tomllib.loads(text.read_text(encoding="utf-8"))["text"])


def spanish_dates(text: str) -> str:
    """Write English dates in Spanish: ``16 Jan 2025`` -> ``16 de enero de 2025``.

    Examples
    --------
    >>> spanish_dates("ONDCP 14 July 2022; Oct 2024")
    'ONDCP 14 de julio de 2022; octubre de 2024'

    """
    text = _DAY_MONTH_YEAR.sub(
        lambda m: f"{int(m.group(1))} de {MONTHS_ES[m.group(2).lower()]} de {m.group(3)}", text)
    return _MONTH_YEAR.sub(lambda m: f"{MONTHS_ES[m.group(1).lower()]} de {m.group(2)}", text)


def group_digits(text: str, lang: str) -> str:
    """Group the thousands of bare counts in running text (``33770`` -> ``33.770`` in Spanish).

    Numbers of five digits or more are grouped; four-digit numbers only when a word other
    than a year's companions follows (``9889 eventos``), so years stay as they are.
    """
    sep = "." if lang == "es" else ","

    def fmt(m: re.Match[str]) -> str:
        digits = m.group(1)
        return f"{int(digits):,}".replace(",", sep) + m.group(2)

    out = re.sub(r"(?<![\w.,/-])(\d{5,})(?![\w/-]|[.,]\d)()", fmt, text)
    return re.sub(r"(?<![\w.,/-])(\d{4})( (?:eventos|filas|events|rows|ha|municipios)\b)", fmt, out)


def _rules(text: str) -> str:
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return spanish_dates(text)


def data_text(text: str, lang: str) -> Markup:
    """Return data text for the report in ``lang``, as HTML.

    English text is returned escaped. For Spanish: the catalogue's translation when it has
    one; otherwise quotations stay in English as ``<q lang="en">`` and the rest goes through
    the catalogue part by part (parenthesised pieces too) and then through the rules.
    """
    if lang != "es":
        return Markup(escape(text))
    cat = _catalogue()
    if text in cat:
        return Markup(escape(cat[text]))
    out, last = [], 0
    for hit in _QUOTE.finditer(text):
        out.append(_prose(text[last:hit.start()], cat))
        out.append(Markup('<q lang="en">{}</q>').format(hit.group(1)))
        last = hit.end()
    out.append(_prose(text[last:], cat))
    return Markup("").join(out)


def _long_keys(cat: dict[str, str]) -> list[str]:
    """Catalogue keys long enough to be whole clauses, longest first."""
    return sorted((k for k in cat if len(k) >= 60), key=len, reverse=True)


def _prose(part: str, cat: dict[str, str]) -> Markup:
    if not part.strip():
        return Markup(escape(part))
    if part.strip() in cat:
        return Markup(escape(part.replace(part.strip(), cat[part.strip()])))
    # a note of several clauses ("...; <a catalogued caveat>") gets each long catalogued clause translated
    for key in _long_keys(cat):
        if key in part:
            part = part.replace(key, cat[key])
    # "(lower bound)", "(Reuters same week: ...)": translate what is inside parentheses
    part = re.sub(r"\(([^()]+)\)", lambda m: "(" + cat.get(m.group(1), m.group(1)) + ")", part)
    return Markup(escape(group_digits(_rules(part), "es")))
