"""Probability distributions of chain parameters, all drawn from standard-normal scores.

Every distribution is sampled as ``X = F^{-1}(Phi(Z))`` from a standard-normal score ``Z``
(closed forms are used where they exist: ``mu + sd * Z`` and ``exp(mu + sigma * Z)``). Drawing
every parameter from a normal score makes correlation a matter of correlating the scores
(a Gaussian copula) and keeps seeded runs reproducible bit for bit.

Examples
--------
>>> import numpy as np
>>> d = Distribution.lognormal(median=6.4, sigma=0.11)
>>> d.central, round(d.mean(), 4)
(6.4, 6.4388)
>>> d.transform(np.array([0.0]))
array([6.4])

"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special

__all__ = ["KINDS", "Distribution"]

KINDS = ("point", "normal", "lognormal", "uniform", "triangular", "pert")

# a normal whose truncation removes less than this probability is drawn untruncated (and clipped)
_NEGLIGIBLE_TAIL = 1e-12


def _triangular(u: np.ndarray, lo, mode, hi) -> np.ndarray:
    """Inverse CDF of the triangular law (arguments may be column vectors)."""
    width = hi - lo
    left = u < (mode - lo) / width
    t = np.where(left, u * (width * (mode - lo)), (1 - u) * (width * (hi - mode)))
    np.sqrt(t, out=t)
    return np.where(left, lo + t, hi - t)


@dataclass(frozen=True)
class Distribution:
    """A parameter's distribution, in the parameter's canonical unit.

    Attributes
    ----------
    kind : {"point", "normal", "lognormal", "uniform", "triangular", "pert"}
    args : dict
        ``point``: value; ``normal``: mean, sd; ``lognormal``: mu, sigma (of the log);
        ``uniform``: min, max; ``triangular`` and ``pert``: min, mode, max (``pert`` also
        ``lamb``, default 4).
    lower, upper : float
        Support of the parameter (a normal is truncated to it).

    """

    kind: str
    args: dict[str, float] = field(default_factory=dict)
    lower: float = -math.inf
    upper: float = math.inf

    # constructors --------------------------------------------------------------------------
    @classmethod
    def point(cls, value: float) -> Distribution:
        """Return a fixed value."""
        return cls("point", {"value": float(value)})

    @classmethod
    def normal(
        cls, mean: float, sd: float, lower: float = -math.inf, upper: float = math.inf
    ) -> Distribution:
        """Normal(mean, sd), truncated to ``[lower, upper]``."""
        return cls("normal", {"mean": float(mean), "sd": float(sd)}, lower, upper)

    @classmethod
    def lognormal(
        cls,
        *,
        median: float | None = None,
        sigma: float | None = None,
        mean: float | None = None,
        sd: float | None = None,
    ) -> Distribution:
        """Lognormal from (median, sigma of the log) or from (mean, sd) of the variable itself."""
        if median is not None and sigma is not None:
            return cls("lognormal", {"mu": math.log(median), "sigma": float(sigma)}, 0.0)
        if mean is not None and sd is not None:
            s2 = math.log1p((sd / mean) ** 2)
            return cls("lognormal", {"mu": math.log(mean) - s2 / 2, "sigma": math.sqrt(s2)}, 0.0)
        raise ValueError("lognormal needs (median, sigma) or (mean, sd)")

    @classmethod
    def uniform(cls, lo: float, hi: float) -> Distribution:
        """Uniform on [lo, hi]."""
        return cls("uniform", {"min": float(lo), "max": float(hi)})

    @classmethod
    def triangular(cls, lo: float, mode: float, hi: float) -> Distribution:
        """Triangular with the given minimum, mode and maximum."""
        return cls("triangular", {"min": float(lo), "mode": float(mode), "max": float(hi)})

    @classmethod
    def pert(cls, lo: float, mode: float, hi: float, lamb: float = 4.0) -> Distribution:
        """Return a (modified) PERT: a Beta on [lo, hi], mean (lo + lamb*mode + hi) / (lamb + 2)."""
        return cls(
            "pert", {"min": float(lo), "mode": float(mode), "max": float(hi), "lamb": float(lamb)}
        )

    # properties ----------------------------------------------------------------------------
    @property
    def is_random(self) -> bool:
        """False for a point value."""
        return self.kind != "point"

    @property
    def central(self) -> float:
        """The central value used for the point estimate.

        Point: the value; normal: the mean; lognormal: the median; uniform: the midpoint;
        triangular and PERT: the mode (the "most likely" value they are built around).
        """
        a = self.args
        if self.kind == "point":
            return a["value"]
        if self.kind == "normal":
            return float(min(max(a["mean"], self.lower), self.upper))
        if self.kind == "lognormal":
            return math.exp(a["mu"])
        if self.kind == "uniform":
            return (a["min"] + a["max"]) / 2
        return a["mode"]

    @property
    def negligible_truncation(self) -> bool:
        """Normal only: truncation to the support removes less than 1e-12 probability."""
        if self.kind != "normal":
            return False
        mu, sd = self.args["mean"], self.args["sd"]
        lo_tail = special.ndtr((self.lower - mu) / sd) if math.isfinite(self.lower) else 0.0
        hi_tail = special.ndtr((mu - self.upper) / sd) if math.isfinite(self.upper) else 0.0
        return bool(lo_tail + hi_tail < _NEGLIGIBLE_TAIL)

    def _beta(self) -> tuple[float, float]:
        a = self.args
        width = a["max"] - a["min"]
        alpha = 1 + a["lamb"] * (a["mode"] - a["min"]) / width
        beta = 1 + a["lamb"] * (a["max"] - a["mode"]) / width
        return alpha, beta

    def mean(self) -> float:
        """Mean of the distribution (of the untruncated normal for ``normal``)."""
        a = self.args
        if self.kind == "point":
            return a["value"]
        if self.kind == "normal":
            return a["mean"]
        if self.kind == "lognormal":
            return math.exp(a["mu"] + a["sigma"] ** 2 / 2)
        if self.kind == "uniform":
            return (a["min"] + a["max"]) / 2
        if self.kind == "triangular":
            return (a["min"] + a["mode"] + a["max"]) / 3
        return (a["min"] + a["lamb"] * a["mode"] + a["max"]) / (a["lamb"] + 2)

    def bounds(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can produce."""
        a = self.args
        if self.kind == "point":
            return a["value"], a["value"]
        if self.kind == "normal":
            return self.lower, self.upper
        if self.kind == "lognormal":
            return 0.0, math.inf
        return a["min"], a["max"]

    # sampling ------------------------------------------------------------------------------
    @property
    def uses_uniform(self) -> bool:
        """True if draws are made from a uniform (inverse CDF) rather than from a normal score."""
        return self.kind in ("uniform", "triangular", "pert") or (
            self.kind == "normal" and not self.negligible_truncation
        )

    def transform(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Map standard-normal scores ``z`` to draws of this distribution (inverse CDF).

        Parameters
        ----------
        z : numpy.ndarray of float64
            Standard-normal scores.
        out : numpy.ndarray, optional
            Where to write the result (may be ``z`` itself).

        """
        a = self.args
        if out is None:
            out = np.empty_like(z, dtype=np.float64)
        if self.kind == "point":
            out[...] = a["value"]
            return out
        if self.kind == "lognormal":
            np.multiply(z, a["sigma"], out=out)
            out += a["mu"]
            np.exp(out, out=out)
            return out
        if self.kind == "normal" and self.negligible_truncation:
            np.multiply(z, a["sd"], out=out)
            out += a["mean"]
            np.clip(out, self.lower, self.upper, out=out)
            return out
        return self.from_uniform(special.ndtr(z), out=out)

    def from_uniform(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Map uniform draws ``u`` in [0, 1) to draws of this distribution (inverse CDF)."""
        a = self.args
        if out is None:
            out = np.empty_like(u, dtype=np.float64)
        if self.kind in ("point", "lognormal") or (
            self.kind == "normal" and self.negligible_truncation
        ):
            return self.transform(special.ndtri(u), out=out)
        if self.kind == "normal":  # exact truncated normal
            mu, sd = a["mean"], a["sd"]
            lo_tail = special.ndtr((self.lower - mu) / sd) if math.isfinite(self.lower) else 0.0
            hi_tail = special.ndtr((mu - self.upper) / sd) if math.isfinite(self.upper) else 0.0
            np.multiply(special.ndtri(lo_tail + u * (1.0 - lo_tail - hi_tail)), sd, out=out)
            out += mu
            np.clip(out, self.lower, self.upper, out=out)
            return out
        lo, hi = a["min"], a["max"]
        if self.kind == "uniform":
            np.multiply(u, hi - lo, out=out)
            out += lo
            return out
        if self.kind == "triangular":
            np.copyto(out, _triangular(u, lo, a["mode"], hi))
            return out
        alpha, beta = self._beta()
        np.multiply(special.betaincinv(alpha, beta, u), hi - lo, out=out)
        out += lo
        return out

    def quantile(self, q: float | np.ndarray) -> np.ndarray:
        """Quantile(s) of the distribution."""
        z = special.ndtri(np.atleast_1d(np.asarray(q, dtype=float)))
        return self.transform(z)

    def describe(self) -> dict[str, Any]:
        """Return a JSON-friendly description (kind and arguments)."""
        return {"distribution": self.kind, **self.args}
