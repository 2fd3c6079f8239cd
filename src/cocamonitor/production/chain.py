"""The deterministic production chain and its intermediates.

Per region r (notation of methodology.md §A.5)::

    productive_area_r = A_r * f_r                      ha harvested during the year
    leaf_r            = productive_area_r * Y_r        t fresh leaf   (Y = harvests x leaf/harvest)
    base_r            = leaf_r * e_r / 1000            t cocaine base (e in kg base per t leaf)
    hydrochloride_r   = base_r * pi_r * k_r            t pure cocaine hydrochloride

where ``A`` is the area standing on 31 December, ``f`` the productive-area factor (harvested ha
per standing ha), ``pi`` the purity of the base and ``k`` the kg of pure hydrochloride per kg
of pure base. National values are sums over regions.

Examples
--------
>>> r = chain(area=[143000.0], area_factor=1.0897, leaf_yield=6.4, base_per_leaf=1.5402,
...           base_purity=0.7137, hcl_per_base=1.1202, regions=["Colombia"])
>>> [round(v) for v in r.national.values()]
[143000, 155827, 997293, 1536, 1228]

"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.production.params import ProductionModel

__all__ = ["QUANTITIES", "ChainResult", "chain", "chain_into", "point_chain"]

QUANTITIES = ("area_ha", "productive_area_ha", "leaf_t", "base_t", "hydrochloride_t")


@dataclass(frozen=True)
class ChainResult:
    """Every intermediate of the chain, per region and national.

    Attributes
    ----------
    regions : tuple of str
    values : dict
        quantity -> numpy array (one value per region).

    """

    regions: tuple[str, ...]
    values: dict[str, np.ndarray]

    @property
    def national(self) -> dict[str, float]:
        """National totals (sums over regions) of every quantity."""
        return {q: float(np.sum(self.values[q])) for q in QUANTITIES}

    def to_frame(self) -> pd.DataFrame:
        """One row per region plus a ``national`` row, one column per quantity."""
        df = pd.DataFrame({q: self.values[q] for q in QUANTITIES}, index=list(self.regions))
        df.loc["national"] = pd.Series(self.national)
        return df.rename_axis("region").reset_index()

    def to_dict(self) -> dict[str, Any]:
        """``{"national": {q: v}, "regions": {r: {q: v}}}``."""
        return {
            "national": self.national,
            "regions": {
                r: {q: float(self.values[q][i]) for q in QUANTITIES}
                for i, r in enumerate(self.regions)
            },
        }


def chain(
    area: Sequence[float] | np.ndarray,
    area_factor: float | np.ndarray,
    leaf_yield: float | np.ndarray,
    base_per_leaf: float | np.ndarray,
    base_purity: float | np.ndarray,
    hcl_per_base: float | np.ndarray,
    regions: Sequence[str] | None = None,
) -> ChainResult:
    """Run the chain for one value per region (arrays broadcast against ``area``).

    Parameters
    ----------
    area : array of float
        ha standing on 31 December, one per region.
    area_factor : float or array
        Productive ha per standing ha.
    leaf_yield : float or array
        t fresh leaf per productive ha per year.
    base_per_leaf : float or array
        kg cocaine base per t fresh leaf.
    base_purity : float or array
        Purity of the base, in (0, 1].
    hcl_per_base : float or array
        kg pure hydrochloride per kg pure base.
    regions : sequence of str, optional
        Region names (default ``region1``, ``region2``, ...).

    """
    a = np.atleast_1d(np.asarray(area, dtype=float))
    names = (
        tuple(regions) if regions is not None else tuple(f"region{i + 1}" for i in range(a.size))
    )
    productive = a * np.asarray(area_factor, dtype=float)
    leaf = productive * np.asarray(leaf_yield, dtype=float)
    base = leaf * np.asarray(base_per_leaf, dtype=float) * 1e-3
    hcl = base * np.asarray(base_purity, dtype=float) * np.asarray(hcl_per_base, dtype=float)
    vals = [a, productive, leaf, base, hcl]
    return ChainResult(
        names,
        {
            q: np.broadcast_to(v, a.shape).astype(float)
            for q, v in zip(QUANTITIES, vals, strict=True)
        },
    )


def chain_into(out: np.ndarray, area, factor, leaf_yield, base_per_leaf, purity_times_k) -> None:
    """Write the chain for arrays of shape (regions, draws) into ``out[quantity, region, draw]``.

    ``out`` has shape ``(5, R + 1, b)``; row ``R`` receives the national sums. All products are
    written in place, so the only memory used is ``out`` itself.
    """
    r = area.shape[0]
    np.copyto(out[0, :r], area)
    np.multiply(area, factor, out=out[1, :r])
    np.multiply(out[1, :r], leaf_yield, out=out[2, :r])
    np.multiply(out[2, :r], base_per_leaf, out=out[3, :r])
    out[3, :r] *= 1e-3
    np.multiply(out[3, :r], purity_times_k, out=out[4, :r])
    np.sum(out[:, :r], axis=1, out=out[:, r])


def point_chain(model: ProductionModel) -> ChainResult:
    """Run the chain with every parameter at its central value (see ``Distribution.central``)."""
    resolved = model.resolve()
    c = {name: np.array([s.dist.central for s in specs]) for name, specs in resolved.items()}
    leaf_yield = c["leaf_yield"] * c["harvests_per_year"] * c["leaf_per_harvest"]
    return chain(
        c["area"],
        c["area_factor"],
        leaf_yield,
        c["base_per_leaf"],
        c["base_purity"],
        c["hcl_per_base"],
        regions=model.regions,
    )
