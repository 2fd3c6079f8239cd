"""Domain estimation: class areas per department, municipality or any grouping.

A domain estimate uses the same national sample and design; only the unit variable changes:
y_u = 1 when unit u lies in domain d *and* its reference class is j (Cochran 1977 §5A.14,
"estimation for subpopulations"; Stehman 2014 eq. 2 with this indicator). The strata are not
re-drawn, so domains cutting across strata are fine, but a domain with few sample units gets a
large standard error, and a domain without any gets an estimate of 0 with SE 0 — which is why
the sample sizes per domain are reported next to the estimates by :func:`domain_table`.

Covariances between the areas of two domains, and the national total as the sum of domains, are
consistent with the national estimate: the domain areas of a class add up to its national area.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from cocamonitor.area._result import AreaEstimate
from cocamonitor.errors import ParameterError, SchemaError

__all__ = ["domain_table", "estimate_domains"]


def estimate_domains(
    sample: pd.DataFrame,
    strata_areas: Any,
    by: str,
    *,
    method: str = "stratified",
    **kwargs: Any,
) -> AreaEstimate:
    """Run one of the estimators with domain estimates for column ``by``.

    Parameters
    ----------
    sample, strata_areas
        As for the chosen estimator.
    by : str
        The domain column of ``sample``.
    method : {"stratified", "stehman2014", "two_stage", "post_stratified"}
        Which estimator.
    **kwargs
        Passed to the estimator (column names, confidence, ...).

    Returns
    -------
    AreaEstimate
        With ``domains`` filled in.

    Examples
    --------
    >>> import pandas as pd
    >>> sample = pd.DataFrame({
    ...     "stratum": ["coca"] * 4 + ["other"] * 4,
    ...     "reference_class": ["coca"] * 3 + ["other"] * 3 + ["coca", "other"],
    ...     "department": ["Nariño", "Cauca"] * 4})
    >>> est = estimate_domains(sample, {"coca": 100.0, "other": 900.0}, "department")
    >>> round(est.domains["Nariño"]["coca"].area, 1), round(est.domains["Cauca"]["coca"].area, 1)
    (275.0, 25.0)

    """
    from cocamonitor.area import ESTIMATORS

    if method not in ESTIMATORS:
        raise ParameterError(
            f"unknown method {method!r}", where="method", hint=f"use one of {', '.join(ESTIMATORS)}"
        )
    fn: Callable[..., AreaEstimate] = ESTIMATORS[method]
    return fn(sample, strata_areas, by=by, **kwargs)


def domain_table(estimate: AreaEstimate, sample: pd.DataFrame, by: str) -> pd.DataFrame:
    """Domain estimates as rows, with the number of sample rows in each domain.

    Examples
    --------
    >>> import pandas as pd
    >>> from cocamonitor.area import estimate_stratified
    >>> sample = pd.DataFrame({"stratum": list("aabb"), "reference_class": list("abbb"),
    ...                        "region": list("xyxy")})
    >>> est = estimate_stratified(sample, {"a": 1.0, "b": 3.0}, by="region")
    >>> t = domain_table(est, sample, "region")
    >>> t[["domain", "class", "area", "n_sample"]].to_dict("records")[0]
    {'domain': 'x', 'class': 'a', 'area': 0.5, 'n_sample': 2}

    """
    if estimate.domains is None:
        raise ParameterError(
            "the estimate has no domains", where="estimate", hint="estimate with by="
        )
    if by not in sample.columns:
        raise SchemaError(f"missing column {by!r}", where="sample")
    counts = sample[by].map(
        lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
    )
    n = counts.value_counts()
    df = estimate.domains_frame()
    df["n_sample"] = df["domain"].map(n).fillna(0).astype(int)
    return df
