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
from cocamonitor.errors import DataError, ParameterError, SchemaError, UnknownNameError, suggest
from cocamonitor.io.tables import location

__all__ = ["LEVEL_COLUMNS", "domain_table", "estimate_domains", "territory_domains"]

#: Territorial levels accepted by ``by`` when the sample has a ``divipola`` column, and the
#: registry column that names the domain.
LEVEL_COLUMNS = {
    "municipality": "divipola",
    "department": "department",
    "pdet-subregion": "pdet_subregion",
}


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
    from cocamonitor.area.design import ESTIMATORS, method_name

    fn: Callable[..., AreaEstimate] = ESTIMATORS[method_name(method)]
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
        raise ParameterError("the estimate has no domains", where="estimate", hint="estimate with by=")
    if by not in sample.columns:
        raise SchemaError(f"missing column {by!r}", where="sample")
    counts = sample[by].map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
    n = counts.value_counts()
    df = estimate.domains_frame()
    df["n_sample"] = df["domain"].map(n).fillna(0).astype(int)
    return df


def territory_domains(
    sample: pd.DataFrame,
    level: str,
    *,
    code_col: str = "divipola",
    source: str | None = None,
) -> pd.Series:
    """Domain label of each sample row at a territorial level, from its DIVIPOLA code.

    ``municipality`` gives the 5-digit code, ``department`` the department name,
    ``pdet-subregion`` the PDET subregion (``"outside PDET"`` for other municipalities).

    Examples
    --------
    >>> import pandas as pd
    >>> territory_domains(pd.DataFrame({"divipola": ["54810", "86568"]}), "department").tolist()
    ['Norte de Santander', 'Putumayo']

    """
    from cocamonitor.territory import registry

    if level not in LEVEL_COLUMNS:
        raise UnknownNameError(f"unknown territorial level {level!r}", where="by", hint=suggest(level, LEVEL_COLUMNS))
    name = source or "sample"
    if code_col not in sample.columns:
        raise SchemaError(
            f"`by` {level} needs a {code_col!r} column (5-digit DIVIPOLA code of each point)",
            where=name,
            hint=f"add it, or give a column of the sample to `by`; columns: {', '.join(map(str, sample.columns))}",
        )
    codes = sample[code_col].astype("string").str.strip().str.zfill(5).reset_index(drop=True)
    reg = registry().set_index("divipola")
    unknown = ~codes.isin(reg.index)
    if unknown.any():
        i = int(unknown.to_numpy().nonzero()[0][0])
        raise DataError(
            f"{codes[i]!r} is not a DIVIPOLA municipality code",
            where=location(name, i, code_col),
            hint="codes are 5 digits (MGN 2018), e.g. 54810 for Tibú",
        )
    col = LEVEL_COLUMNS[level]
    if col == "divipola":
        return codes.astype(object)
    labels = reg.loc[codes.to_numpy(), col].astype(object).reset_index(drop=True)
    if level == "pdet-subregion":
        labels = labels.where(labels.notna(), "outside PDET")
    return labels.astype(str).astype(object)
