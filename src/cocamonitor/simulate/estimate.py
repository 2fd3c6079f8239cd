"""One method's estimate of the coca area for one simulated year (the simulator's common result).

Its own module so that the methods (:mod:`~cocamonitor.simulate.methods`) and the classified-map
method (:mod:`~cocamonitor.simulate.classified`) share it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["MethodEstimate"]


@dataclass(frozen=True)
class MethodEstimate:
    """One method's estimate of the 31 December coca area of one year.

    Attributes
    ----------
    method : str
    year : int
        The survey year (truth on its 31 December).
    area_ha : float
    se_ha, ci_low, ci_high : float
        NaN for the census (no interval).
    confidence : float or None
    details : dict
        Method-specific diagnostics (e.g. sample sizes, cloud-gap share).

    """

    method: str
    year: int
    area_ha: float
    se_ha: float = float("nan")
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    confidence: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the fields (details flattened under their own key)."""
        return {"method": self.method, "year": self.year, "area_ha": self.area_ha,
                "se_ha": self.se_ha, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "confidence": self.confidence, "details": dict(self.details)}
