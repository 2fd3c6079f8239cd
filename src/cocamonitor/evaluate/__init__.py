"""Programme evaluation on panels: whether a programme changed the outcome, and how surely.

Read a panel (:func:`panel_from_long`, or :func:`cocamonitor.evaluate.municipal.municipal_panel`
for the bundled coca panel and treatments), estimate group-time effects (:func:`att_gt`,
Callaway & Sant'Anna 2021), aggregate them (:func:`aggregate`), check them (:mod:`diagnostics`:
pre-trend test, Goodman-Bacon decomposition of TWFE, honest-DiD bounds, placebo timing) or,
with a single treated unit, build a synthetic control (:func:`synthetic_control`).
"""

from cocamonitor.evaluate._panel import Panel, panel_from_long
from cocamonitor.evaluate.aggregate import AggregateResult, aggregate, aggregate_all
from cocamonitor.evaluate.did import ATTGTResult, att_gt

__all__ = ["ATTGTResult", "AggregateResult", "Panel", "aggregate", "aggregate_all", "att_gt", "panel_from_long"]
