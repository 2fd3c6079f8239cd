"""Checks of the parameters every estimator shares: the confidence level and the seed.

Examples
--------
>>> check_confidence("0.9"), check_seed(7)
(0.9, 7)

"""

from __future__ import annotations

from typing import Any

from cocamonitor.errors import ParameterError

__all__ = ["check_confidence", "check_seed"]


def check_confidence(confidence: Any, *, where: str = "confidence") -> float:
    """Return ``confidence`` as a float in (0, 1) or raise :class:`ParameterError`."""
    try:
        level = float(confidence)
    except (TypeError, ValueError):
        raise ParameterError(f"confidence must be a number, got {confidence!r}", where=where,
                             hint="for example 0.95 for a 95 % interval") from None
    if not 0.0 < level < 1.0:
        raise ParameterError(f"confidence must be between 0 and 1, got {confidence}", where=where,
                             hint="for example 0.95 for a 95 % interval")
    return level


def check_seed(seed: Any, *, where: str = "seed") -> Any:
    """Return ``seed`` unchanged when it is ``None`` or a whole number >= 0, else raise."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ParameterError(f"the seed must be a whole number >= 0, got {seed}", where=where,
                             hint="e.g. `seed` 1")
    return seed
