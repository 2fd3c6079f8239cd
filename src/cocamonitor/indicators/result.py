"""The result of :func:`~cocamonitor.indicators.results_table`: the table and its notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["IndicatorTable"]


@dataclass(frozen=True)
class IndicatorTable:
    """The annual results table and what the reader must know about it.

    Attributes
    ----------
    table : DataFrame
        One row per (territory, year, indicator, source): ``level, territory_code, territory,
        year, indicator, source, value, unit, change, change_pct, publisher, citation, note``
        and, with targets, ``target, direction, actual_over_target, met``.
    level : str
        ``national``, ``department`` or ``pdet-subregion``.
    years : tuple of int
        First and last year.
    notes : tuple of str
        Caveats of the whole table (national-only indicators left out, targets ignored ...).
    territorial : tuple of str
        Indicators that exist below the national level with these inputs.

    """

    table: pd.DataFrame
    level: str
    years: tuple[int, int]
    notes: tuple[str, ...] = ()
    territorial: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Return the table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"level", "years", "indicators": [row records], "notes"}`` (NaN -> None)."""
        rows = self.table.astype(object).where(self.table.notna(), None).to_dict(orient="records")
        rows = [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()} for r in rows]
        return {"level": self.level, "years": list(self.years), "indicators": rows,
                "notes": list(self.notes)}
