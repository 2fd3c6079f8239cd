"""The sample design as one object: which estimator, and how the sample was drawn and laid out.

A :class:`SampleDesign` gathers what the four estimators' keyword signatures spread over a dozen
arguments: the method, the stratum areas, the columns of the sample table, the first stage of a
two-stage design (selection, PSU areas and counts), the post-strata and their variance, and the
strata merged or grouped for the variance. Every estimator accepts it in place of the stratum
areas (``estimate_stratified(sample, design)``); :meth:`SampleDesign.estimate` runs the one the
design names, through :data:`cocamonitor.area.ESTIMATORS`. The keyword signatures keep working.

Method names are spelled with underscores (``two_stage``, ``post_stratified``), as
:attr:`AreaEstimate.method` and the JSON documents spell them; the command line shows them with
hyphens (``two-stage``, as its method option takes them) and translates. The hyphenated
spelling is still accepted by the core with a :class:`DeprecationWarning`.

Examples
--------
>>> import pandas as pd
>>> from cocamonitor.area import SampleDesign
>>> sample = pd.DataFrame({"stratum": ["coca"] * 3 + ["other"] * 3,
...                        "reference_class": ["coca", "coca", "other", "other", "coca", "other"]})
>>> design = SampleDesign("stratified", strata_areas={"coca": 100.0, "other": 900.0})
>>> round(design.estimate(sample).classes["coca"].area, 1)
366.7

"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

from cocamonitor.errors import ParameterError, suggest

if TYPE_CHECKING:
    from cocamonitor.area._result import AreaEstimate

__all__ = ["METHODS", "SampleDesign", "method_name", "run_design"]

#: the estimators' names, as :attr:`AreaEstimate.method` spells them
METHODS = ("stratified", "stehman2014", "two_stage", "post_stratified")
_OLD_SPELLING = {"two-stage": "two_stage", "post-stratified": "post_stratified"}


def method_name(method: str, *, where: str = "method") -> str:
    """Return the core spelling of an estimator's name (``two_stage``), accepting ``two-stage`` (deprecated).

    Raises
    ------
    ParameterError
        Not the name of an estimator.

    Examples
    --------
    >>> method_name("stehman2014")
    'stehman2014'

    """
    name = str(method).strip()
    if name in _OLD_SPELLING:
        warnings.warn(f"method {name!r} is spelled {_OLD_SPELLING[name]!r} in the Python API; "
                      f"{name!r} is deprecated there", DeprecationWarning, stacklevel=3)
        return _OLD_SPELLING[name]
    if name not in METHODS:
        raise ParameterError(f"unknown method {method!r}", where=where,
                             hint=suggest(name, METHODS) or f"use one of {', '.join(METHODS)}")
    return name


@dataclass(frozen=True)
class SampleDesign:
    """How a sample for area estimation was drawn, and how its table is laid out.

    Parameters
    ----------
    method : {"stratified", "stehman2014", "two_stage", "post_stratified"}
        The estimator (see :data:`cocamonitor.area.ESTIMATORS`).
    strata_areas : DataFrame with ``stratum``, ``area`` or mapping stratum -> area, optional
        Mapped area of each stratum (of each post-stratum for ``post_stratified``), in any
        unit. May also be given to :meth:`estimate`.
    stratum, reference, map_class : str
        Columns of the sample: stratum, reference class and map class (``map_class=None``:
        no map labels, two-stage designs only).
    cluster : str
        Primary-unit id column (``two_stage``).
    selection : {"pps", "equal"}
        First-stage selection of a two-stage design: proportional to PSU area, or equal.
    psu_area : str
        Column with the area of each row's PSU (``two_stage`` with ``selection="equal"``).
    psu_count : int or mapping stratum -> int, optional
        PSUs in the population of each stratum (``two_stage`` with ``selection="equal"``).
    post_stratum : str
        Post-stratum column (``post_stratified``).
    variance : {"conditional", "unconditional"}
        Variance of the post-stratified estimator.
    classes : sequence of str, optional
        The known classes.
    collapse, collapse_variance : mapping str -> str, optional
        Strata merged into another (estimate and variance), or grouped for the variance only.

    """

    method: str = "stratified"
    strata_areas: Any = None
    stratum: str = "stratum"
    reference: str = "reference_class"
    map_class: str | None = "map_class"
    cluster: str = "cluster"
    selection: Literal["pps", "equal"] = "pps"
    psu_area: str = "psu_area"
    psu_count: Mapping[str, int] | int | None = None
    post_stratum: str = "map_class"
    variance: Literal["conditional", "unconditional"] = "conditional"
    classes: Sequence[str] | None = None
    collapse: Mapping[str, str] | None = None
    collapse_variance: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", method_name(self.method))

    @property
    def estimator(self) -> Callable[..., AreaEstimate]:
        """The estimator the design names (from :data:`cocamonitor.area.ESTIMATORS`)."""
        return ESTIMATORS[self.method]

    def keywords(self, estimator: Callable[..., Any] | None = None) -> dict[str, Any]:
        """Return the design's fields that ``estimator`` (default: the design's) takes as keywords.

        Examples
        --------
        >>> sorted(SampleDesign("post_stratified").keywords())
        ['classes', 'collapse', 'collapse_variance', 'map_class', 'post_stratum', 'reference', 'variance']

        """
        params = _keyword_names(estimator or self.estimator)
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name in params and f.name not in ("method", "strata_areas")}

    def estimate(self, sample: Any, strata_areas: Any = None, **run: Any) -> AreaEstimate:
        """Estimate with the design's estimator.

        Parameters
        ----------
        sample : pandas.DataFrame
            The labelled sample.
        strata_areas : optional
            Stratum areas, when the design does not carry them.
        **run
            ``confidence``, ``by``, ``source``, ``areas_source``.

        """
        areas = self.strata_areas if strata_areas is None else strata_areas
        if areas is None:
            raise ParameterError("the sample design carries no stratum areas", where="strata_areas",
                                 hint="give SampleDesign(strata_areas=...) or pass them to estimate()")
        return self.estimator(sample, areas, **self.keywords(), **run)

    def with_areas(self, strata_areas: Any) -> SampleDesign:
        """Return a copy with other stratum areas."""
        from dataclasses import replace

        return replace(self, strata_areas=strata_areas)


#: method name (as :attr:`AreaEstimate.method` spells it) -> estimator, filled by :func:`register` as
#: each estimator module is imported (``cocamonitor.area`` imports them all); the CLI dispatches
#: through it. It lives here, not in ``cocamonitor.area``, so that the design and the estimators
#: need not import each other.
ESTIMATORS: dict[str, Callable[..., AreaEstimate]] = {}


def register(method: str) -> Callable[[Callable[..., AreaEstimate]], Callable[..., AreaEstimate]]:
    """Return a decorator that lists an estimator in :data:`ESTIMATORS` under ``method``."""

    def add(fn: Callable[..., AreaEstimate]) -> Callable[..., AreaEstimate]:
        ESTIMATORS[method] = fn
        return fn

    return add


@functools.cache
def _keyword_names(fn: Callable[..., Any]) -> frozenset[str]:
    return frozenset(p.name for p in inspect.signature(fn).parameters.values() if p.kind is p.KEYWORD_ONLY)


def run_design(design: SampleDesign, method: str, sample: Any, given: Mapping[str, Any],
               **run: Any) -> AreaEstimate:
    """Run the estimator of ``method`` on a design given in place of its stratum areas.

    ``given`` holds the estimator's arguments as called (its ``locals()``): a design keyword
    (``stratum=...``) set away from its default as well as in the design is refused rather than
    silently ignored.
    """
    if design.method != method:
        raise ParameterError(f"a {design.method} design given to the {method} estimator",
                             where="method", hint=f"use SampleDesign.estimate(), or method={method!r}")
    if design.strata_areas is None:
        raise ParameterError("the sample design carries no stratum areas", where="strata_areas",
                             hint="give SampleDesign(strata_areas=...) or pass them to estimate()")
    defaults = inspect.signature(ESTIMATORS[method]).parameters
    for name in design.keywords():
        value = given[name]
        if value is not defaults[name].default and value != defaults[name].default:
            raise ParameterError(f"`{name}` is given both in the sample design and to the estimator",
                                 where=name, hint="give it in the SampleDesign only")
    return design.estimate(sample, **run)
