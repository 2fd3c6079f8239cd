"""Trend documents: the national trend test the API serves, and the sentences that explain trend results.

The sentences come from the catalogues of :mod:`cocamonitor.documents.narratives`, in English
(the JSON documents and the command line by default) or Spanish (``lang="es"``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from cocamonitor.documents.jsonable import to_jsonable
from cocamonitor.documents.narratives import catalogue, narrate

__all__ = [
    "compare_narrative",
    "concept_note",
    "describe_releases",
    "method_change_note",
    "trend_test_document",
    "trend_test_title",
]


@lru_cache(maxsize=64)
def _trend_test_json(
    source: str, metric: str, years: str | None, skip_missing: bool, as_of: str | None, vintage: str
) -> str:
    from cocamonitor.trends.summary import national_trend_document

    return json.dumps(to_jsonable(national_trend_document(source, metric, years, skip_missing=skip_missing,
                                                          as_of=as_of, vintage=vintage)))


def trend_test_document(
    source: str,
    metric: str,
    years: str | None = None,
    *,
    skip_missing: bool = False,
    as_of: str | None = None,
    vintage: str = "latest",
) -> dict[str, Any]:
    """Return the document of ``trend test`` (``source``, ``metric``, ``years``) as JSON.

    Both come from :func:`cocamonitor.trends.summary.national_trend_document`, so the API and
    the command line cannot drift apart. Cached per arguments (as JSON text, so callers get a
    fresh dict every time).

    Raises
    ------
    UnknownNameError, InputError
        Unknown source or metric, bad range, or gaps in the series without ``skip_missing``.

    Examples
    --------
    >>> doc = trend_test_document("unodc", "area", "2015-2020")
    >>> doc["mann_kendall"]["n"]
    6

    """
    return json.loads(_trend_test_json(str(source).lower(), str(metric).lower(), years, bool(skip_missing),
                                       as_of, str(vintage)))


def describe_releases(attrs: Mapping[str, Any], lang: str = "en") -> str:
    """One phrase for a result: which release of each year, as of when (e.g. for a table title).

    Examples
    --------
    >>> describe_releases({"vintage": "first", "as_of": "2021-06-30"})
    'first release of each year, as known on 2021-06-30'
    >>> describe_releases({}, "es")
    'última publicación de cada año a la fecha'

    """
    which = narrate("releases.first" if str(attrs.get("vintage", "latest")) == "first" else "releases.latest", lang)
    as_of = attrs.get("as_of")
    if as_of:
        return narrate("releases.as_known", lang, which=which, as_of=as_of)
    return narrate("releases.to_date", lang, which=which)


def trend_test_title(
    source: str, metric: str, years: Sequence[int], *, missing: Sequence[int] = (), releases: str | None = None,
    breaks: Sequence[int] = (), lang: str = "en",
) -> str:
    """Title of the ``trend test`` table: series, years, n, years skipped, releases and method changes.

    Examples
    --------
    >>> trend_test_title("us", "area", [2001, 2003, 2004], missing=[2002])
    'us area, 2001-2004 (n=3); missing years skipped: 2002'

    """
    gaps = narrate("trend.test_gaps", lang, years=", ".join(map(str, missing))) if missing else ""
    rel = ""
    if releases is not None:
        rel = f"; {releases}"
        if breaks:
            rel += narrate("trend.test_breaks", lang, years=", ".join(map(str, breaks)))
    return narrate("trend.test_title", lang, source=source, metric=metric, first=years[0], last=years[-1],
                   n=len(years), gaps=gaps, releases=rel)


def method_change_note(source: str, metric: str, year_a: int, year_b: int, breaks: Iterable[int],
                       lang: str = "en") -> str:
    """Say that a series changed method between two years, so their figures do not compare."""
    return narrate("trend.change_breaks", lang, source=source, metric=metric, year_a=year_a, year_b=year_b,
                   years=", ".join(map(str, breaks)))


def concept_note(names: Sequence[str], metric: str, lang: str = "en") -> str | None:
    """Say when two national series measure different things (production: hydrochloride vs pure), else ``None``.

    Examples
    --------
    >>> concept_note(["unodc", "us"], "production")  # doctest: +ELLIPSIS
    'the two series measure different things: unodc = potential production of cocaine hydrochloride, ...'
    >>> concept_note(["unodc", "us"], "area") is None
    True

    """
    known = catalogue(lang)["trend"]["concept"]
    concepts = [known.get(f"{n}_{metric}") for n in names]
    if all(concepts) and concepts[0] != concepts[1]:
        return narrate("trend.concept_differs", lang, a=names[0], concept_a=concepts[0], b=names[1],
                       concept_b=concepts[1])
    return None


def compare_narrative(res: Any, metric: str, releases: str, lang: str = "en") -> list[str]:
    """Return the sentences under the ``trend compare`` table: common years, agreement, correlation, ratio, tests.

    Parameters
    ----------
    res : cocamonitor.trends.SeriesComparison
        The comparison of two series (:func:`cocamonitor.trends.compare_series`).
    metric : str
        ``"area"`` or ``"production"`` (for the note on what each series measures).
    releases : str
        Which releases were used (:func:`describe_releases`).
    lang : {"en", "es"}
        Language.

    Returns
    -------
    list of str
        One sentence per line.

    """
    a, b = res.names
    t = res.table
    none = narrate("none", lang)
    share = res.agreement_share
    lines = [narrate("trend.common_years", lang, n=len(res.common_years), first=res.common_years[0],
                     last=res.common_years[-1], a=a, b=b, only_a=", ".join(map(str, res.only_a)) or none,
                     only_b=", ".join(map(str, res.only_b)) or none)]
    if share is not None:
        lines.append(narrate("trend.agree", lang, share=share,
                             steps=len(t) - 1 - len(res.flat_steps) - len(res.break_steps),
                             opposite=", ".join(res.disagree_steps) or none))
    else:
        lines.append(narrate("trend.no_direction", lang))
    lines.append(narrate("trend.figures", lang, releases=releases))
    if res.break_steps:
        lines.append(narrate("trend.not_compared", lang, steps=", ".join(res.break_steps)))
    if res.flat_steps:
        lines.append(narrate("trend.flat", lang, steps=", ".join(res.flat_steps)))
    if res.change_correlation is not None:
        lines.append(narrate("trend.correlation", lang, pearson=res.change_correlation,
                             spearman=res.change_spearman))
    if res.ratio_trend is not None:
        rt = res.ratio_trend
        lines.append(narrate("trend.ratio", lang, a=a, b=b, mean=t["ratio"].mean(), low=t["ratio"].min(),
                             high=t["ratio"].max(), slope=rt.slope, slope_low=rt.ci[0], slope_high=rt.ci[1]))
    direction = catalogue(lang)["trend"]["direction"]
    for n, mk in res.mann_kendall.items():
        p = mk.p_exact if mk.p_exact is not None else mk.p_value
        lines.append(narrate("trend.mann_kendall", lang, name=n, s=mk.s, p=p,
                             trend=direction.get(mk.trend, mk.trend)))
    lines.append(narrate("trend.critical", lang, confidence=res.confidence))
    note = concept_note(list(res.names), metric, lang)
    if note:
        lines.append(narrate("trend.note", lang, note=note))
    return lines
