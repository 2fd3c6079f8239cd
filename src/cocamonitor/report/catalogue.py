"""The report's label catalogue: ``templates/messages_<lang>.toml`` with attribute access.

Its own module so that the page assembly (:mod:`~cocamonitor.report.render`) and the sections it
assembles (tables, charts, the evaluation section) all read it without importing one another.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

from cocamonitor.report.locale import check_lang

__all__ = ["messages"]


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
