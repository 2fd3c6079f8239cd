"""Sample-based area estimation and map accuracy: design-based estimators with honest SEs.

One module per estimator, all returning a frozen :class:`AreaEstimate`:

* :func:`estimate_stratified` — strata = map classes (Olofsson et al. 2013, 2014);
* :func:`estimate_stehman` — strata differ from the map classes (Stehman 2014);
* :func:`estimate_two_stage` — primary units (cells, segments) then points (Cochran 1977 ch. 11);
* :func:`estimate_post_stratified` — simple random / systematic samples;
* :func:`estimate_domains` — any of the above with areas per department, municipality, ...;
* :func:`panel_covariance` — covariance of two estimates made from the same units (change).

Examples
--------
>>> import pandas as pd
>>> from cocamonitor.area import estimate_stratified
>>> sample = pd.DataFrame({"stratum": ["coca"] * 3 + ["other"] * 3,
...                        "reference_class": ["coca", "coca", "other", "other", "coca", "other"]})
>>> est = estimate_stratified(sample, {"coca": 100.0, "other": 900.0})
>>> round(est.classes["coca"].area, 1), est.method
(366.7, 'stratified')

"""

from __future__ import annotations

from collections.abc import Callable

from cocamonitor.area._result import AreaEstimate, ClassEstimate, DomainClassEstimate, ErrorMatrix
from cocamonitor.area.covariance import panel_covariance
from cocamonitor.area.domains import domain_table, estimate_domains
from cocamonitor.area.post_stratified import estimate_post_stratified
from cocamonitor.area.stehman import estimate_stehman
from cocamonitor.area.stratified import estimate_stratified
from cocamonitor.area.two_stage import estimate_two_stage

ESTIMATORS: dict[str, Callable[..., AreaEstimate]] = {
    "stratified": estimate_stratified,
    "stehman2014": estimate_stehman,
    "two_stage": estimate_two_stage,
    "post_stratified": estimate_post_stratified,
}

__all__ = [
    "ESTIMATORS",
    "AreaEstimate",
    "ClassEstimate",
    "DomainClassEstimate",
    "ErrorMatrix",
    "domain_table",
    "estimate_domains",
    "estimate_post_stratified",
    "estimate_stehman",
    "estimate_stratified",
    "estimate_two_stage",
    "panel_covariance",
]
