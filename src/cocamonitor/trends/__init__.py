"""Trends: which changes in the coca series are statistically real.

One module per statistic, each returning a small frozen result object with ``to_dict()`` and
``to_frame()``:

- :mod:`~cocamonitor.trends.change` — change between two years (difference, ratio, test) with
  the panel covariance, and the sensitivity of census figures to an assumed error;
- :mod:`~cocamonitor.trends.mann_kendall` — Mann-Kendall with ties, exact p for n <= 10,
  Hamed-Rao correction;
- :mod:`~cocamonitor.trends.theil_sen` — Theil-Sen slope (``scipy.stats.theilslopes``);
- :mod:`~cocamonitor.trends.wls` — measurement-error-aware linear trend (WLS / GLS);
- :mod:`~cocamonitor.trends.pettitt` — single change point;
- :mod:`~cocamonitor.trends.compare` — two series side by side;
- :mod:`~cocamonitor.trends.panel` — per-municipality trends with Benjamini-Hochberg.

Formulas: ``reference/methodology.md`` §D.

Examples
--------
>>> from cocamonitor.trends import mann_kendall, theil_sen
>>> mann_kendall([154, 143, 204, 230, 253], years=range(2019, 2024)).s
8

"""

from cocamonitor.trends.change import (
    ChangeResult,
    Estimate,
    PanelCovariance,
    SensitivityResult,
    census_sensitivity,
    change,
    panel_covariance,
)
from cocamonitor.trends.compare import ComparisonResult, compare_series
from cocamonitor.trends.mann_kendall import (
    HamedRaoResult,
    MannKendallResult,
    hamed_rao,
    mann_kendall,
    mk_null_distribution,
    mk_p_exact,
)
from cocamonitor.trends.panel import (
    CLASSES,
    CLASSIFICATION_RULES,
    BHResult,
    PanelTrendResult,
    benjamini_hochberg,
    panel_trends,
    series_trends,
)
from cocamonitor.trends.pettitt import PettittResult, pettitt
from cocamonitor.trends.theil_sen import TheilSenResult, theil_sen
from cocamonitor.trends.wls import LinearTrendResult, linear_trend

__all__ = [
    "BHResult",
    "CLASSES",
    "CLASSIFICATION_RULES",
    "ChangeResult",
    "ComparisonResult",
    "Estimate",
    "HamedRaoResult",
    "LinearTrendResult",
    "MannKendallResult",
    "PanelCovariance",
    "PanelTrendResult",
    "PettittResult",
    "SensitivityResult",
    "TheilSenResult",
    "benjamini_hochberg",
    "census_sensitivity",
    "change",
    "compare_series",
    "hamed_rao",
    "linear_trend",
    "mann_kendall",
    "mk_null_distribution",
    "mk_p_exact",
    "panel_covariance",
    "panel_trends",
    "pettitt",
    "series_trends",
    "theil_sen",
]
