"""Which parameter drives the uncertainty: first-order Sobol indices and tornado data.

Sobol indices are estimated by pick-freeze on two independent samples ``A`` and ``B`` of the
uncertain parameters and the ``k`` hybrids ``AB_i`` (``A`` with column ``i`` from ``B``),
``N (k + 2)`` chain evaluations in all:

* first order, from the pairs ``(f(B), f(AB_i))`` that share only parameter ``i``, with the
  asymptotically efficient estimator of Janon et al. (2014, *ESAIM: Probability and Statistics*
  18:342, eq. 2.3)::

      m   = mean((f(B) + f(AB_i)) / 2)
      S_i = (mean(f(B) * f(AB_i)) - m**2) / (mean((f(B)**2 + f(AB_i)**2) / 2) - m**2)

  (more stable than Saltelli et al. 2010's ``mean(f(B) (f(AB_i) - f(A))) / V`` when one
  parameter dominates, and never above 1);
* total effect, Jansen (1999): ``ST_i = mean((f(A) - f(AB_i))**2) / (2 V)``, with ``V`` the
  variance of ``f`` over ``A`` and ``B`` together. Sobol indices assume independent
inputs, so any correlations of the model are set aside here (their effect shows in the Monte
Carlo intervals, not in these shares).

Tornado data: the output with every parameter at its central value except one, set to the
lower and upper ends of its own central ``confidence`` interval.

Examples
--------
>>> from cocamonitor.production.presets import load_preset
>>> res = analyse(load_preset("unodc-2020"), n=4096, seed=0)
>>> sorted(res.shares(), key=res.shares().get)[-1]
'leaf_yield'

"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.production.chain import QUANTITIES
from cocamonitor.production.params import ProductionModel
from cocamonitor.production.sampler import BLOCK, Sampler

__all__ = ["SensitivityResult", "analyse", "sobol", "tornado"]


@dataclass(frozen=True)
class SensitivityResult:
    """Sobol indices and tornado data for one output.

    Attributes
    ----------
    output : str
        The quantity analysed (``national hydrochloride_t`` by default).
    indices : pandas.DataFrame
        parameter, first_order, total_order (one row per uncertain parameter).
    tornado : pandas.DataFrame
        parameter, low_value, high_value, output_low, output_high, swing; largest swing first.
    n : int
        Base sample size of the pick-freeze estimators.
    point : float
        Output with every parameter at its central value.

    """

    output: str
    indices: pd.DataFrame
    tornado: pd.DataFrame
    n: int
    point: float

    def shares(self) -> dict[str, float]:
        """First-order index per parameter (the JSON ``sensitivity`` member)."""
        return {str(r.parameter): float(r.first_order) for r in self.indices.itertuples()}

    def to_frame(self) -> pd.DataFrame:
        """Return the indices and tornado data joined on the parameter."""
        return self.indices.merge(self.tornado, on="parameter", how="left")

    def to_dict(self) -> dict[str, Any]:
        """``{"output", "n", "point", "indices": [...], "tornado": [...]}``."""
        return {
            "output": self.output,
            "n": self.n,
            "point": self.point,
            "indices": self.indices.to_dict(orient="records"),
            "tornado": self.tornado.to_dict(orient="records"),
        }


def _output(sampler: Sampler, x: np.ndarray, quantity: str, region: int) -> np.ndarray:
    out = sampler.evaluate(x)
    return out[QUANTITIES.index(quantity), region].copy()


def _blocked(sampler: Sampler, z: np.ndarray, quantity: str, region: int) -> np.ndarray:
    res = np.empty(z.shape[1])
    for s in range(0, z.shape[1], BLOCK):
        e = min(z.shape[1], s + BLOCK)
        res[s:e] = _output(sampler, sampler.transform(z[:, s:e].copy()), quantity, region)
    return res


def sobol(
    model: ProductionModel,
    *,
    n: int = 20_000,
    seed: int | np.random.SeedSequence | None = None,
    quantity: str = "hydrochloride_t",
    region: str = "national",
) -> pd.DataFrame:
    """First-order (Janon et al. 2014) and total (Jansen 1999) Sobol indices of one output.

    Parameters
    ----------
    model : ProductionModel
        Parameters and areas.
    n : int, default 20000
        Base sample size (the chain is evaluated ``n * (k + 2)`` times).
    seed : int or SeedSequence, optional
        Seed of the two independent samples.
    quantity : str, default "hydrochloride_t"
        Output analysed.
    region : str, default "national"
        Region of the output, or "national".

    Returns
    -------
    pandas.DataFrame
        parameter, first_order, total_order.

    """
    sampler = Sampler(model, correlated=False)
    ri = len(sampler.regions) if region == "national" else sampler.regions.index(region)
    rng = np.random.default_rng(seed)
    k = sampler.k
    za = sampler.scores(rng, n)
    zb = sampler.scores(rng, n)
    fa = _blocked(sampler, za, quantity, ri)
    fb = _blocked(sampler, zb, quantity, ri)
    var = np.var(np.concatenate([fa, fb]))
    first, total = np.zeros(k), np.zeros(k)
    if var > 0:
        for i in range(k):
            zab = za.copy()
            zab[i] = zb[i]
            fab = _blocked(sampler, zab, quantity, ri)
            m = np.mean((fb + fab) / 2)
            denom = np.mean((fb * fb + fab * fab) / 2) - m * m
            first[i] = (np.mean(fb * fab) - m * m) / denom if denom > 0 else 0.0
            total[i] = np.mean((fa - fab) ** 2) / (2 * var)
    return pd.DataFrame({"parameter": sampler.labels, "first_order": first, "total_order": total})


def tornado(
    model: ProductionModel,
    *,
    confidence: float = 0.95,
    quantity: str = "hydrochloride_t",
    region: str = "national",
) -> pd.DataFrame:
    """One-at-a-time swings of an output, each parameter at the ends of its interval.

    Returns
    -------
    pandas.DataFrame
        parameter, low_value, high_value, output_low, output_high, swing (largest first).

    """
    sampler = Sampler(model, correlated=False)
    ri = len(sampler.regions) if region == "national" else sampler.regions.index(region)
    k = sampler.k
    centre = sampler.central()
    alpha = (1 - confidence) / 2
    lows = np.array([float(s.dist.quantile(alpha)[0]) for s in sampler.specs])
    highs = np.array([float(s.dist.quantile(1 - alpha)[0]) for s in sampler.specs])
    x = np.repeat(centre[:, None], 2 * k, axis=1)
    for i in range(k):
        x[i, 2 * i] = lows[i]
        x[i, 2 * i + 1] = highs[i]
    y = _output(sampler, x, quantity, ri) if k else np.empty(0)
    df = pd.DataFrame(
        {
            "parameter": sampler.labels,
            "low_value": lows,
            "high_value": highs,
            "output_low": y[0::2],
            "output_high": y[1::2],
        }
    )
    df["swing"] = (df["output_high"] - df["output_low"]).abs()
    return df.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def analyse(
    model: ProductionModel,
    *,
    n: int = 20_000,
    seed: int | np.random.SeedSequence | None = None,
    confidence: float = 0.95,
    quantity: str = "hydrochloride_t",
    region: str = "national",
) -> SensitivityResult:
    """Sobol indices and tornado data of one output (national hydrochloride by default)."""
    from cocamonitor.production.chain import point_chain

    pc = point_chain(model)
    point = (
        pc.national[quantity]
        if region == "national"
        else float(pc.values[quantity][model.regions.index(region)])
    )
    return SensitivityResult(
        output=f"{region} {quantity}",
        indices=sobol(model, n=n, seed=seed, quantity=quantity, region=region),
        tornado=tornado(model, confidence=confidence, quantity=quantity, region=region),
        n=n,
        point=float(point),
    )
