"""Sample-design formulas: sample sizes (Cochran 1977; Olofsson et al. 2014) and allocation to strata."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from cocamonitor.area._core import quantile
from cocamonitor.errors import InputError, ParameterError
from cocamonitor.errors import suggest as _suggest

__all__ = [
    "ALLOCATIONS",
    "Allocation",
    "allocate",
    "anticipated_users_accuracy",
    "sample_size_srs",
    "sample_size_stratified",
]

ALLOCATIONS = ("proportional", "equal", "neyman", "floor")
AllocationMethod = Literal["proportional", "equal", "neyman", "floor"]


def _check_fraction(value: float, name: str, *, closed: bool = True) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{value!r} is not a number", where=name) from None
    ok = 0.0 <= v <= 1.0 if closed else 0.0 < v < 1.0
    if not ok or not math.isfinite(v):
        rng = "[0, 1]" if closed else "(0, 1)"
        raise ParameterError(f"{v} is outside {rng}", where=name)
    return v


def sample_size_srs(
    p: float,
    *,
    target_se: float | None = None,
    moe: float | None = None,
    confidence: float = 0.95,
) -> int:
    """Return the simple random sample size for a proportion ``p`` at a target precision.

    n = p(1 − p) / V, with V = ``target_se``² or V = (``moe`` · p / z)² for a relative margin of
    error ``moe`` at the confidence level (Cochran 1977 eqs. 3.11, 4.2; finite population
    ignored).

    Parameters
    ----------
    p : float
        Anticipated proportion (e.g. share of the area under coca).
    target_se : float, optional
        Target standard error of the proportion.
    moe : float, optional
        Target margin of error relative to ``p`` (0.25 = ±25 %).
    confidence : float, default 0.95
        Confidence level for ``moe``.

    Returns
    -------
    int

    Examples
    --------
    A class covering 1.4 % of the area, estimated to ±25 % at 95 % confidence:

    >>> sample_size_srs(0.014, moe=0.25)
    4329

    """
    p = _check_fraction(p, "p", closed=False)
    if (target_se is None) == (moe is None):
        raise ParameterError("give exactly one of target_se and moe", where="sample size")
    if target_se is not None:
        if not target_se > 0:
            raise ParameterError(f"target_se {target_se} must be > 0", where="target_se")
        var = float(target_se) ** 2
    else:
        assert moe is not None
        if not moe > 0:
            raise ParameterError(f"moe {moe} must be > 0", where="moe")
        z = quantile(_check_fraction(confidence, "confidence", closed=False))
        var = (float(moe) * p / z) ** 2
    return int(math.ceil(p * (1 - p) / var - 1e-9))


def _weights(weights: Mapping[Any, float], name: str) -> dict[str, float]:
    if not isinstance(weights, Mapping) or not weights:
        raise ParameterError("give a non-empty mapping stratum → weight or area", where=name)
    out = {str(k): float(v) for k, v in weights.items()}
    bad = [k for k, v in out.items() if not (math.isfinite(v) and v > 0)]
    if bad:
        raise ParameterError(f"weight of stratum {bad[0]!r} is {out[bad[0]]}", where=name, hint="weights must be > 0")
    total = sum(out.values())
    return {k: v / total for k, v in out.items()}


def _per_stratum(values: Mapping[Any, float], strata: list[str], name: str) -> np.ndarray:
    vals = {str(k): float(v) for k, v in values.items()}
    missing = [s for s in strata if s not in vals]
    if missing:
        raise ParameterError(f"no value for stratum {missing[0]!r}", where=name, hint=_suggest(missing[0], vals))
    return np.array([_check_fraction(vals[s], f"{name}[{s}]") for s in strata])


def sample_size_stratified(
    weights: Mapping[Any, float],
    *,
    target_se: float,
    users_accuracy: Mapping[Any, float] | None = None,
    proportions: Mapping[Any, float] | None = None,
) -> int:
    """Stratified sample size for a target standard error (Olofsson et al. 2014 eq. 13).

    n = (Σ_h W_h S_h / SE)², with S_h = √(u_h(1 − u_h)) from the anticipated user's accuracy
    u_h of each stratum (for overall accuracy, as in Olofsson et al. 2014), or from the
    anticipated share q_h of the target class in each stratum (for the area of that class).

    Parameters
    ----------
    weights : mapping stratum → weight or area
        Mapped share (or area) of each stratum; normalised to sum to 1.
    target_se : float
        Target standard error (of overall accuracy, or of the class's area proportion).
    users_accuracy, proportions : mapping stratum → float
        Give exactly one.

    Returns
    -------
    int

    Examples
    --------
    Olofsson et al. (2014) §5.1.1: four strata, anticipated user's accuracies 0.70, 0.60, 0.90,
    0.95 and a target SE of overall accuracy of 0.01 give n = 641:

    >>> w = {"defor": 0.02, "gain": 0.015, "forest": 0.32, "other": 0.645}
    >>> u = {"defor": 0.70, "gain": 0.60, "forest": 0.90, "other": 0.95}
    >>> sample_size_stratified(w, users_accuracy=u, target_se=0.01)
    641

    """
    w = _weights(weights, "weights")
    strata = list(w)
    if (users_accuracy is None) == (proportions is None):
        raise ParameterError("give exactly one of users_accuracy and proportions", where="sample size")
    if not (target_se and target_se > 0):
        raise ParameterError(f"target_se {target_se} must be > 0", where="target_se")
    given = users_accuracy if users_accuracy is not None else proportions
    assert given is not None
    q = _per_stratum(given, strata, "users_accuracy" if users_accuracy is not None else "proportions")
    s = np.sqrt(q * (1 - q))
    wv = np.array([w[k] for k in strata])
    return int(math.ceil((float(wv @ s) / float(target_se)) ** 2 - 1e-9))


@dataclass(frozen=True)
class Allocation:
    """Sample sizes per stratum.

    Attributes
    ----------
    n : dict of str to int
        Sample size of each stratum.
    method : str
        Allocation rule.
    weights : dict of str to float
        Stratum weights used (shares of the area).

    """

    n: dict[str, int]
    method: str
    weights: dict[str, float]

    @property
    def total(self) -> int:
        """Total sample size."""
        return int(sum(self.n.values()))

    def to_dict(self) -> dict[str, Any]:
        """Plain-type summary."""
        return {"method": self.method, "total": self.total, "n": dict(self.n), "weights": dict(self.weights)}

    def to_frame(self) -> pd.DataFrame:
        """One row per stratum: ``stratum``, ``weight``, ``n``."""
        return pd.DataFrame(
            {"stratum": list(self.n), "weight": [self.weights[k] for k in self.n], "n": list(self.n.values())}
        ).astype({"stratum": object})


def _round_to_total(ideal: np.ndarray, total: int) -> np.ndarray:
    """Integers summing to ``total`` nearest to ``ideal`` (largest remainders, ties in order)."""
    base = np.floor(ideal).astype(int)
    short = total - int(base.sum())
    if short > 0:
        order = np.argsort(-(ideal - base), kind="stable")
        base[order[:short]] += 1
    return base


def _capped(ideal_share: np.ndarray, n: int, caps: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """Allocate ``n`` in proportion to ``ideal_share``, capping at ``caps``; ``fixed`` preset."""
    alloc = fixed.astype(float).copy()
    free = ~np.isfinite(alloc)
    alloc[free] = 0.0
    for _ in range(len(caps) + 1):
        left = n - alloc[~free].sum()
        share = np.where(free, ideal_share, 0.0)
        if share.sum() <= 0:
            break
        trial = np.where(free, left * share / share.sum(), alloc)
        over = free & (trial > caps)
        if not over.any():
            alloc = trial
            break
        alloc[over] = caps[over]
        free = free & ~over
    return alloc


def allocate(
    n: int,
    weights: Mapping[Any, float],
    *,
    method: AllocationMethod = "proportional",
    floor: int = 30,
    sd: Mapping[Any, float] | None = None,
    users_accuracy: Mapping[Any, float] | None = None,
    sizes: Mapping[Any, int] | None = None,
) -> Allocation:
    """Allocate a total sample size ``n`` to strata.

    Parameters
    ----------
    n : int
        Total sample size.
    weights : mapping stratum → weight or area
        Share (or area) of each stratum.
    method : {"proportional", "equal", "neyman", "floor"}
        ``proportional``: n_h ∝ W_h (efficient for area, overall and producer's accuracy);
        ``equal``: n/H each (favours user's accuracies); ``neyman``: n_h ∝ W_h S_h (Cochran
        5.26); ``floor``: every stratum gets at least ``floor`` units (rare strata: coca), the
        rest proportionally (Olofsson et al. 2014 §5.1.2).
    floor : int, default 30
        Minimum per stratum for ``method="floor"``.
    sd, users_accuracy : mapping stratum → float, optional
        Anticipated standard deviations S_h, or user's accuracies u_h (S_h = √(u_h(1 − u_h))),
        for ``method="neyman"``.
    sizes : mapping stratum → int, optional
        Population size (pixels) of each stratum: no stratum gets more units than it has.

    Returns
    -------
    Allocation

    Examples
    --------
    >>> a = allocate(600, {"coca": 0.01, "buffer": 0.04, "other": 0.95}, method="floor",
    ...              floor=100)
    >>> a.n
    {'coca': 100, 'buffer': 100, 'other': 400}
    >>> allocate(10, {"a": 1, "b": 1, "c": 1}, method="equal").n
    {'a': 4, 'b': 3, 'c': 3}
    >>> allocate(100, {"coca": 0.005, "other": 0.995}).n  # at least 2 per stratum
    {'coca': 2, 'other': 98}

    """
    try:
        n = int(n)
    except (TypeError, ValueError):
        raise ParameterError(f"sample size {n!r} is not an integer", where="n") from None
    w = _weights(weights, "weights")
    strata = list(w)
    h = len(strata)
    if n < 2 * h:
        raise ParameterError(
            f"n = {n} is too small for {h} strata",
            where="n",
            hint=f"give at least {2 * h} (two units per stratum)",
        )
    if method not in ALLOCATIONS:
        raise ParameterError(f"unknown allocation {method!r}", where="allocation", hint=_suggest(method, ALLOCATIONS))
    wv = np.array([w[k] for k in strata])
    caps = np.full(h, np.inf)
    if sizes is not None:
        sz = {str(k): v for k, v in sizes.items()}
        caps = np.array([float(sz.get(k, np.inf)) for k in strata])
        if caps.sum() < n:
            raise ParameterError(f"n = {n} exceeds the {int(caps.sum())} units in the strata", where="n")
    fixed = np.full(h, np.nan)
    if method == "proportional":
        share = wv
    elif method == "equal":
        share = np.ones(h)
    elif method == "neyman":
        if (sd is None) == (users_accuracy is None):
            raise ParameterError("Neyman allocation needs sd or users_accuracy per stratum", where="allocation")
        if sd is not None:
            s = np.array([float({str(k): v for k, v in sd.items()}.get(k, np.nan)) for k in strata])
            if not np.all(np.isfinite(s) & (s >= 0)):
                raise ParameterError("sd must give a value >= 0 for every stratum", where="sd")
        else:
            assert users_accuracy is not None
            u = _per_stratum(users_accuracy, strata, "users_accuracy")
            s = np.sqrt(u * (1 - u))
        share = wv * s
        if share.sum() <= 0:
            raise ParameterError("all anticipated standard deviations are 0", where="sd")
    else:
        if floor * h > n:
            raise ParameterError(
                f"a floor of {floor} in {h} strata needs n >= {floor * h}, got {n}",
                where="floor",
                hint="lower `floor` or raise the sample size",
            )
        share = wv
    # strata whose share falls below the minimum (the floor, or 2 units so that every stratum
    # has a variance) get the minimum, or all their units; the rest is shared out again
    least = max(int(floor), 2) if method == "floor" else 2
    for _ in range(h):
        ideal = _capped(share, n, caps, fixed)
        low = ~np.isfinite(fixed) & (ideal < least)
        if not low.any():
            break
        fixed[low] = np.minimum(least, caps[low])
    ideal = _capped(share, n, caps, fixed)
    counts = _round_to_total(ideal, n)
    counts = np.minimum(counts, caps).astype(int)
    return Allocation(
        n={k: int(c) for k, c in zip(strata, counts, strict=True)},
        method=method,
        weights=dict(w),
    )


def anticipated_users_accuracy(table: pd.DataFrame, *, source: str | None = None) -> dict[str, float]:
    """Anticipated user's accuracy per map class, from last year's reference sample or a table.

    A careful design anticipates the user's accuracies that Olofsson et al. (2014) eq. 13 and
    the Neyman allocation need from the previous reference sample. ``table`` is either

    * a labelled reference sample with ``map_class`` (or ``stratum``) and ``reference_class``:
      the user's accuracy of class *i* is the share of its units whose reference label is
      *i*, Jeffreys-smoothed, ``(x + ½)/(n + 1)``, so a class whose sample was all right (or
      all wrong) is not anticipated to be perfect (or useless); or
    * a table ``class, users_accuracy`` (values in [0, 1]), used as given.

    Parameters
    ----------
    table : pandas.DataFrame
        One of the two layouts above.
    source : str, optional
        The file name, for error messages.

    Returns
    -------
    dict of str to float

    Raises
    ------
    InputError
        Neither layout, or a value outside [0, 1].

    Examples
    --------
    >>> prev = pd.DataFrame({"map_class": ["1"] * 10 + ["0"] * 20,
    ...                      "reference_class": ["1"] * 8 + ["0"] * 2 + ["0"] * 20})
    >>> {k: round(v, 3) for k, v in anticipated_users_accuracy(prev).items()}
    {'0': 0.976, '1': 0.773}

    """
    where = source or "anticipated user's accuracy"
    cols = set(table.columns)
    if {"class", "users_accuracy"} <= cols:
        out = {}
        for i, (c, v) in enumerate(zip(table["class"], table["users_accuracy"], strict=True)):
            try:
                val = float(v)
            except (TypeError, ValueError):
                val = float("nan")
            if not (0.0 <= val <= 1.0):
                raise InputError(f"users_accuracy {v!r} is not in [0, 1]",
                                 where=f"{where}, row {i + 2}, column users_accuracy")
            out[str(c).strip()] = val
        return out
    mapped = "map_class" if "map_class" in cols else "stratum" if "stratum" in cols else None
    if mapped is None or "reference_class" not in cols:
        raise InputError("cannot read anticipated user's accuracies", where=where,
                         hint="give columns class,users_accuracy or a labelled sample with "
                              "map_class (or stratum) and reference_class")
    m = table[mapped].astype(str).str.strip()
    r = table["reference_class"].astype(str).str.strip()
    out = {}
    for c in sorted(m.unique()):
        sel = m == c
        out[c] = (float((r[sel] == c).sum()) + 0.5) / (float(sel.sum()) + 1.0)
    return out
