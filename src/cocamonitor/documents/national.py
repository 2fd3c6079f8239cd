"""The published national series side by side, with their releases, citations and our production estimate.

``/api/national`` serves :func:`national_document`; the dashboard's national chart draws
:func:`national_table`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd

from cocamonitor import datasets
from cocamonitor.documents.jsonable import to_jsonable

__all__ = ["SERIES_KEYS", "national_document", "national_table"]

#: National series: (source, metric) pairs, in display order.
SERIES_KEYS: tuple[tuple[str, str], ...] = (
    ("unodc", "area"),
    ("us", "area"),
    ("unodc", "production"),
    ("us", "production"),
)


@lru_cache(maxsize=1)
def national_table(*, as_of: str | None = None, vintage: str = "latest") -> pd.DataFrame:
    """``year, simci_municipal_sum, unodc_area, us_area, unodc_production, us_production``.

    Published national series (one release of each year: the latest, or as known on ``as_of``)
    next to the sum of the municipal census.

    Examples
    --------
    >>> t = national_table()
    >>> t.columns.tolist()[:3], int(t["year"].min()) <= 2001
    (['year', 'simci_municipal_sum', 'unodc_area'], True)

    """
    df = datasets.load("coca-municipal")
    cols: dict[str, pd.Series] = {"simci_municipal_sum": df.groupby("year")["hectares"].sum(min_count=0)}
    for source, metric in SERIES_KEYS:
        cols[f"{source}_{metric}"] = datasets.national_series(source, metric, as_of=as_of, vintage=vintage)
    out = pd.DataFrame(cols).sort_index()
    out.index = out.index.astype(int)
    out.index.name = "year"
    order = ["simci_municipal_sum", "unodc_area", "us_area", "unodc_production", "us_production"]
    return out[order].reset_index()


def national_document(*, as_of: str | None = None, vintage: str = "latest") -> dict[str, Any]:
    """Return the published national series side by side and cocamonitor's hydrochloride estimate by year.

    Each figure is cited by its primary publication and release date first, then the page where
    it was seen; ``releases`` says which release of each year was used.

    Parameters
    ----------
    as_of : str, optional
        National figures as known on this date (``YYYY-MM-DD``).
    vintage : {"latest", "first", "as-of"}
        Which release of each year's figure.

    Examples
    --------
    >>> doc = national_document()
    >>> sorted(doc)
    ['citations', 'production_estimate', 'production_settings', 'releases', 'series', 'units']

    """
    from cocamonitor.documents.production import PRODUCTION_DRAWS, PRODUCTION_SEED, production_table

    picked = {(s, m): datasets.national_series(s, m, as_of=as_of, vintage=vintage) for s, m in SERIES_KEYS}
    cites = {f"{s}_{m}": {str(k): f"{ser.attrs['publications'][k]} ({ser.attrs['releases'][k]}), {url}"
                          for k, url in ser.attrs["citations"].items()}
             for (s, m), ser in picked.items()}
    releases = {f"{s}_{m}": {"vintage": ser.attrs["vintage"], "as_of": ser.attrs["as_of"],
                             "released": {str(k): v for k, v in ser.attrs["releases"].items()},
                             "seen_via": {str(k): v for k, v in ser.attrs["seen_via"].items()},
                             "breaks": ser.attrs["breaks"]}
                for (s, m), ser in picked.items()}
    return {
        "series": to_jsonable(national_table(as_of=as_of, vintage=vintage)),
        "releases": releases,
        "units": {"simci_municipal_sum": "ha", "unodc_area": "ha", "us_area": "ha",
                  "unodc_production": "t", "us_production": "t"},
        "citations": cites,
        "production_estimate": to_jsonable(production_table()),
        "production_settings": {"draws": PRODUCTION_DRAWS, "seed": PRODUCTION_SEED,
                                "confidence": 0.95, "quantity": "hydrochloride_t"},
    }
