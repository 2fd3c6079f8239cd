"""``--as-of`` and ``--vintage``: which release of the national figures a command uses.

The core (:mod:`cocamonitor.datasets`) names these ``as_of`` and ``vintage``; this edge gives
them their command-line names and says, beside each result, which releases it used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

import typer

from cocamonitor.errors import CocamonitorError

__all__ = ["AsOfOpt", "VintageOpt", "check_release_options", "describe_releases"]

AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="National figures as known on this date: the latest release on or before it (a release "
        "dated only by month or year counts from its last day). Default: every release to date.",
    ),
]
VintageOpt = Annotated[
    str,
    typer.Option(
        "--vintage",
        help="Which release of each year's national figure: latest, first (as first announced) or "
        "as-of (latest on or before --as-of, which it requires).",
    ),
]

_FLAGS = {"as_of": "--as-of", "vintage": "--vintage"}


def check_release_options(as_of: str | None, vintage: str = "latest") -> tuple[dt.date | None, str]:
    """Check ``--as-of`` and ``--vintage`` once, naming the options in any error."""
    from cocamonitor import datasets

    try:
        day = datasets.parse_as_of(as_of)
        table = datasets.national_figures(as_of=day, vintage=vintage)
    except CocamonitorError as err:
        raise type(err)(err.message, where=_FLAGS.get(err.where or "", err.where),
                        hint=(err.hint or "").replace("as_of", "--as-of")) from None
    return day, str(table.attrs["vintage"])


def describe_releases(attrs: Mapping[str, Any], lang: str = "en") -> str:
    """One phrase for a result: which release of each year, as of when (e.g. for a table title).

    The phrase comes from :func:`cocamonitor.documents.trend.describe_releases` (English or Spanish).
    """
    from cocamonitor.documents.trend import describe_releases as _describe

    return _describe(attrs, lang)
