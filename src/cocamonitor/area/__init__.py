"""Sample-based area estimation and map accuracy: design-based estimators with honest SEs.

One module per estimator, all returning a frozen :class:`AreaEstimate`:

* :func:`estimate_stratified` — strata = map classes (Olofsson et al. 2013, 2014);
* :func:`estimate_stehman` — strata differ from the map classes (Stehman 2014);
* :func:`estimate_two_stage` — primary units (cells, segments) then points (Cochran 1977 ch. 11);
* :func:`estimate_post_stratified` — simple random / systematic samples;
* :func:`estimate_domains` — any of the above with areas per department, municipality, ...;
* :func:`estimate_covariance` — covariance of two estimates made from the same units (change;
  formerly ``panel_covariance``, a name kept as a deprecated alias);
* :class:`SampleDesign` — the design as one object: ``SampleDesign("two_stage", ...).estimate(sample)``;
  every estimator also takes it in place of its stratum areas, and :data:`ESTIMATORS` maps each
  method name to its estimator.

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

import warnings
from typing import Any

from cocamonitor.area._result import AreaEstimate, ClassEstimate, DomainClassEstimate, ErrorMatrix
from cocamonitor.area.covariance import estimate_covariance
from cocamonitor.area.design import ESTIMATORS, METHODS, SampleDesign, method_name
from cocamonitor.area.domains import domain_table, estimate_domains
from cocamonitor.area.post_stratified import estimate_post_stratified
from cocamonitor.area.stehman import estimate_stehman
from cocamonitor.area.stratified import estimate_stratified
from cocamonitor.area.two_stage import estimate_two_stage

#: method name -> estimator, in the order the CLI lists them (filled as the modules above register)
for _name in ("stratified", "stehman2014", "two_stage", "post_stratified"):
    ESTIMATORS[_name] = ESTIMATORS.pop(_name)
del _name

__all__ = [
    "ESTIMATORS",
    "METHODS",
    "SampleDesign",
    "AreaEstimate",
    "ClassEstimate",
    "DomainClassEstimate",
    "ErrorMatrix",
    "domain_table",
    "estimate_covariance",
    "estimate_domains",
    "estimate_post_stratified",
    "estimate_stehman",
    "estimate_stratified",
    "estimate_two_stage",
    "method_name",
]


def __getattr__(name: str) -> Any:
    # a second, unrelated ``panel_covariance`` lives in cocamonitor.trends (unit-level covariance
    # of two stratified estimates); this one is now estimate_covariance
    if name == "panel_covariance":
        warnings.warn("cocamonitor.area.panel_covariance is deprecated; use cocamonitor.area.estimate_covariance "
                      "(cocamonitor.trends.panel_covariance is another function)", DeprecationWarning, stacklevel=2)
        return estimate_covariance
    raise AttributeError(f"module 'cocamonitor.area' has no attribute {name!r}")
