"""Effects by treatment intensity: the DiD within bins of the dose (e.g. hectares sprayed per hectare of coca).

Each bin of treated units (quantiles of the dose) is compared with the same control group, so
each bin's effect is an ATT for units with that dose. What the design allows: under parallel
trends each bin's ATT is identified; the *differences* between bins are causal effects of more
dose only under the much stronger assumption that units with different doses would have
responded alike to the same dose (Callaway, Goodman-Bacon & Sant'Anna 2024, "strong parallel
trends"). Units choose or are chosen for their dose (spraying went where coca was), so read a
gradient across bins as descriptive.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.errors import DesignError, ParameterError
from cocamonitor.evaluate._panel import Panel
from cocamonitor.evaluate.aggregate import aggregate
from cocamonitor.evaluate.did import att_gt
from cocamonitor.results import Estimate, Table, nested

__all__ = ["DoseResult", "att_by_dose"]

CAVEAT = ("differences between dose bins are causal only under strong parallel trends (Callaway, Goodman-Bacon & "
          "Sant'Anna 2024); the dose was not assigned at random, so read a gradient as descriptive")


@dataclass(frozen=True)
class DoseResult:
    """Overall ATT per dose bin."""

    table: pd.DataFrame = field(repr=False)
    caveat: str = CAVEAT

    def to_frame(self) -> pd.DataFrame:
        """One row per bin: dose range, units, ATT, standard error, interval."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"bins": self.table.to_dict(orient="records"), "caveat": self.caveat}

    def estimates(self) -> Iterator[Estimate]:
        """Yield each bin's row (``bins/0``, ...)."""
        yield from nested("bins", Table(self.table).estimates())


def att_by_dose(panel: Panel, *, bins: int = 3, **kwargs: Any) -> DoseResult:
    """Estimate the simple ATT within quantile bins of ``panel.dose`` among treated units.

    Parameters
    ----------
    panel : Panel
        With ``dose`` (0 for never-treated units).
    bins : int
        Number of quantile bins of the treated units' dose.
    **kwargs
        Passed to :func:`~cocamonitor.evaluate.att_gt` (``control``, ``method``, ...).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> n = 400; g = np.where(np.arange(n) < 200, 3, 0); dose = np.where(g > 0, rng.uniform(0, 2, n), 0.0)
    >>> y = rng.normal(size=(n, 4)); y[:, 2:] += (dose * 3)[:, None]
    >>> t = att_by_dose(Panel(y=y, times=np.arange(1, 5), cohort=g, units=np.arange(n), dose=dose), n_boot=0).table
    >>> bool(t.att.is_monotonic_increasing)
    True

    """
    if panel.dose is None:
        raise DesignError("the treatment has no dose", where="dose",
                          hint="give a dose column (e.g. the spraying treatment, or divipola,first_treated,dose)")
    if bins < 2:
        raise ParameterError(f"bins={bins}: need at least 2", where="bins")
    treated = panel.cohort > 0
    dose = panel.dose[treated]
    codes = pd.qcut(dose, bins, labels=False, duplicates="drop")
    rows = []
    kwargs.setdefault("n_boot", 0)
    for b in np.unique(codes):
        in_bin = np.zeros(panel.n, dtype=bool)
        in_bin[np.flatnonzero(treated)[codes == b]] = True
        keep = in_bin | (panel.cohort == 0) if kwargs.get("control", "never") == "never" else in_bin | ~treated
        sub = replace(panel, y=panel.y[keep], cohort=panel.cohort[keep], units=panel.units[keep],
                      x=None if panel.x is None else panel.x[keep],
                      cluster=None if panel.cluster is None else panel.cluster[keep], dose=panel.dose[keep])
        s = aggregate(att_gt(sub, **kwargs), "simple")
        d = panel.dose[in_bin]
        rows.append({"bin": int(b) + 1, "dose_low": float(d.min()), "dose_high": float(d.max()),
                     "n_units": int(in_bin.sum()), "att": s.att, "se": s.se, "ci_low": s.ci_low, "ci_high": s.ci_high})
    return DoseResult(table=pd.DataFrame(rows))
