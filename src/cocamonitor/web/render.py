"""Jinja2 rendering of the dashboard's pages and fragments, with per-language number filters.

Examples
--------
>>> html = render("fragment_error.html.j2", "en", message="x")
>>> "Could not load this view" in html
True

"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2

from cocamonitor import __version__
from cocamonitor.web.i18n import catalogue, filters

__all__ = ["ViewState", "render"]


@dataclass(frozen=True)
class ViewState:
    """What the user is looking at; every field is in the page URL so a view can be shared.

    Attributes
    ----------
    year : int
        Census year shown (the later year when comparing).
    mode : {"map", "compare"}
    year_from : int
        Earlier year of the comparison (kept in the URL as ``from`` in both modes).
    municipality : str or None
        DIVIPOLA code of the profiled municipality.
    lang : {"es", "en"}

    """

    year: int
    mode: str
    year_from: int
    municipality: str | None
    lang: str

    def query(self, **changes: Any) -> str:
        """Return the URL query string of this state (with ``changes`` applied)."""
        from urllib.parse import urlencode

        d = {"lang": self.lang, "year": self.year, "mode": self.mode, "from": self.year_from,
             "municipality": self.municipality}
        d.update({("from" if k == "year_from" else k): v for k, v in changes.items()})
        return urlencode({k: v for k, v in d.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        """Return the state as JSON (``from`` for ``year_from``)."""
        return {"year": self.year, "mode": self.mode, "from": self.year_from,
                "municipality": self.municipality, "lang": self.lang}


@lru_cache(maxsize=2)
def _env_for(lang: str) -> jinja2.Environment:
    # one environment per language: an overlay would share (and overwrite) the filters dict
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cocamonitor.web", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(filters(lang))
    return env


def render(template: str, lang: str, **context: Any) -> str:
    """Render ``template`` in ``lang``; ``m`` (the catalogue) and ``version`` are always defined."""
    return _env_for(lang).get_template(template).render(m=catalogue(lang), lang=lang, version=__version__,
                                                       **context)
