"""Sentences of the documents in English and Spanish, from one catalogue per language.

The catalogues (``messages_en.toml``, ``messages_es.toml`` beside this module) hold templates
in Python's format syntax; :func:`narrate` fills them. Numbers formatted by a template's
specification (``{share:.0%}``, ``{slope:+.3f}``) take the language's decimal and thousands
separators. Light at import: standard library only.
"""

from __future__ import annotations

import string
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from cocamonitor.errors import InputError

__all__ = ["LANGS", "catalogue", "narrate"]

#: Languages of the catalogues.
LANGS = ("en", "es")


@cache
def catalogue(lang: str = "en") -> dict[str, Any]:
    """Return the catalogue of ``lang`` as nested dicts (section -> key -> template).

    Examples
    --------
    >>> catalogue("es")["none"]
    'ninguno'

    """
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}", where="lang", hint=f"valid choices: {', '.join(LANGS)}")
    text = resources.files("cocamonitor.documents").joinpath(f"messages_{lang}.toml").read_text("utf-8")
    return tomllib.loads(text)


class _Formatter(string.Formatter):
    """``str.format`` whose numbers take Spanish separators (1.234,5) when ``lang`` is ``"es"``."""

    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        if self.lang == "es" and format_spec and isinstance(value, int | float) and not isinstance(value, bool):
            text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return text


def narrate(key: str, lang: str = "en", /, **fields: Any) -> str:
    """Fill the template ``key`` (dotted: ``"trend.agree"``) of the catalogue of ``lang``.

    Parameters
    ----------
    key : str
        Section and name of the template, e.g. ``"trend.flat"``.
    lang : {"en", "es"}
        Language.
    **fields
        The template's fields.

    Examples
    --------
    >>> narrate("trend.correlation", "en", pearson=0.8125, spearman=0.5)
    'Correlation of % changes: Pearson 0.81, Spearman 0.50.'
    >>> narrate("trend.correlation", "es", pearson=0.8125, spearman=0.5)
    'Correlación de los cambios porcentuales: Pearson 0,81, Spearman 0,50.'

    """
    node: Any = catalogue(lang)
    for part in key.split("."):
        node = node[part]
    return _Formatter(lang).format(node, **fields)
