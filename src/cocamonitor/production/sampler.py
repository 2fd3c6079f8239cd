"""Blocks of seeded draws of a production model's uncertain parameters, pushed through the chain.

The :class:`Sampler` is shared by the Monte Carlo (:mod:`cocamonitor.production.montecarlo`) and the
sensitivity analysis (:mod:`cocamonitor.production.sensitivity`); it lives in its own module so that
neither of those imports the other.

"""

from __future__ import annotations

import numpy as np

from cocamonitor.errors import ParameterError
from cocamonitor.production.chain import QUANTITIES, chain_into
from cocamonitor.production.distributions import Distribution, _triangular
from cocamonitor.production.params import RESOLVED_NAMES, ParameterSpec, ProductionModel

__all__ = ["BLOCK", "Sampler"]


# draws per block (cache-sized); part of the reproducibility contract (seed + draws + BLOCK)
BLOCK = 4096


def _fast_kind(dist: Distribution, uniform: bool) -> str | None:
    """Kinds with a closed-form transform that can be applied to several rows at once."""
    if uniform:
        return dist.kind if dist.kind in ("uniform", "triangular") else None
    if dist.kind == "lognormal":
        return dist.kind
    if dist.kind == "normal" and dist.negligible_truncation:
        return "normal"
    return None


class Sampler:
    """Turns a :class:`ProductionModel` into blocks of draws and chain outputs.

    Parameters
    ----------
    model : ProductionModel
    correlated : bool, default True
        Apply the model's correlations (False: independent parameters, as Sobol needs).

    Attributes
    ----------
    labels : list of str
        One per uncertain parameter (``name`` or ``name[region]``), in row order.
    specs : list of ParameterSpec
        The matching specs.

    """

    def __init__(self, model: ProductionModel, *, correlated: bool = True):
        self.model = model
        resolved = model.resolve()
        self.regions = model.regions
        self.specs: list[ParameterSpec] = []
        index: dict[str, int] = {}
        self.cols: dict[str, np.ndarray] = {}
        self.const: dict[str, np.ndarray] = {}
        for name in RESOLVED_NAMES:
            specs = resolved[name]
            cols = np.full(len(specs), -1)
            const = np.array([s.dist.central for s in specs])
            for r, spec in enumerate(specs):
                if spec.dist.is_random:
                    if spec.label not in index:
                        index[spec.label] = len(self.specs)
                        self.specs.append(spec)
                    cols[r] = index[spec.label]
            self.cols[name], self.const[name] = cols, const
        # rows drawn from normal scores first (lognormal, normal, and anything correlated), then
        # rows drawn straight from uniforms (cheaper: no normal draw, no normal CDF)
        linked = {n for c in model.correlations for n in (c.a, c.b)} if correlated else set()
        uniform = [
            s.dist.uses_uniform and s.label not in linked and s.name not in linked
            for s in self.specs
        ]
        order = sorted(range(len(self.specs)), key=lambda i: uniform[i])
        new_pos = np.empty(len(order), dtype=int)
        new_pos[order] = np.arange(len(order))
        self.specs = [self.specs[i] for i in order]
        self.uniform_rows = [uniform[i] for i in order]
        self.n_normal = self.uniform_rows.count(False)
        for name, cols in self.cols.items():
            if len(order):
                self.cols[name] = np.where(cols >= 0, new_pos[np.maximum(cols, 0)], -1)
        self.labels = [s.label for s in self.specs]
        self.chol = self._cholesky() if correlated else None

    @property
    def k(self) -> int:
        """Number of uncertain parameters."""
        return len(self.specs)

    def _cholesky(self) -> np.ndarray | None:
        if not self.model.correlations:
            return None
        k = self.n_normal
        corr = np.eye(k)
        for c in self.model.correlations:
            ia = [i for i, s in enumerate(self.specs[:k]) if c.a in (s.label, s.name)]
            ib = [i for i, s in enumerate(self.specs[:k]) if c.b in (s.label, s.name)]
            if not ia or not ib:
                missing = c.a if not ia else c.b
                raise ParameterError(
                    f"correlation names {missing!r}, which is not uncertain (a point value)",
                    where=c.where,
                    hint="give it a distribution or drop the correlation",
                )
            for i in ia:
                for j in ib:
                    if i != j:
                        corr[i, j] = corr[j, i] = c.rho
        try:
            return np.linalg.cholesky(corr)
        except np.linalg.LinAlgError as err:
            raise ParameterError(
                "the correlations are not a valid correlation matrix (not positive definite)",
                where=self.model.correlations[0].where,
                hint="reduce the correlations",
            ) from err

    def scores(self, rng: np.random.Generator, b: int, out: np.ndarray | None = None) -> np.ndarray:
        """Draw a ``(k, b)`` block of base draws.

        Standard-normal scores (correlated if the model says so) in the first ``n_normal``
        rows, uniforms on [0, 1) in the others.

        ``out`` (C-contiguous, shape ``(k, b)``) is filled in place when given; the draws are
        the same either way.
        """
        if out is None:
            out = np.empty((self.k, b))
        kn = self.n_normal
        if kn:
            rng.standard_normal(out=out[:kn])
        if kn < self.k:
            rng.random(out=out[kn:])
        if self.chol is not None:
            out[:kn] = self.chol @ out[:kn]
        return out

    def _build_groups(self) -> list[tuple[str, int, int, dict[str, np.ndarray]]]:
        """Consecutive rows with the same closed-form law, transformed in one numpy call each."""
        groups: list[tuple[str, int, int, dict[str, np.ndarray]]] = []
        i = 0
        while i < self.k:
            kind = _fast_kind(self.specs[i].dist, self.uniform_rows[i])
            j = i + 1
            while (
                kind is not None
                and j < self.k
                and _fast_kind(self.specs[j].dist, self.uniform_rows[j]) == kind
            ):
                j += 1
            if kind is None:
                groups.append(("row", i, j, {}))
            else:
                args = {
                    key: np.array([self.specs[r].dist.args[key] for r in range(i, j)])[:, None]
                    for key in self.specs[i].dist.args
                }
                if kind == "normal":
                    args["lower"] = np.array([self.specs[r].dist.lower for r in range(i, j)])[
                        :, None
                    ]
                    args["upper"] = np.array([self.specs[r].dist.upper for r in range(i, j)])[
                        :, None
                    ]
                groups.append((kind, i, j, args))
            i = j
        return groups

    def transform(self, z: np.ndarray) -> np.ndarray:
        """Map scores to parameter values in place (same values as ``Distribution.transform``)."""
        if not hasattr(self, "_groups"):
            self._groups = self._build_groups()
        for kind, i, j, a in self._groups:
            block = z[i:j]
            if kind == "row":
                for r in range(i, j):
                    if self.uniform_rows[r]:
                        self.specs[r].dist.from_uniform(z[r], out=z[r])
                    else:
                        self.specs[r].dist.transform(z[r], out=z[r])
            elif kind == "lognormal":
                block *= a["sigma"]
                block += a["mu"]
                np.exp(block, out=block)
            elif kind == "normal":
                block *= a["sd"]
                block += a["mean"]
                np.clip(block, a["lower"], a["upper"], out=block)
            elif kind == "uniform":
                block *= a["max"] - a["min"]
                block += a["min"]
            else:  # triangular
                np.copyto(block, _triangular(block, a["min"], a["mode"], a["max"]))
        return z

    def central(self) -> np.ndarray:
        """Each uncertain parameter's central value, shape ``(k,)``."""
        return np.array([s.dist.central for s in self.specs])

    def _matrix(self, name: str, x: np.ndarray) -> np.ndarray:
        cols, const = self.cols[name], self.const[name]
        b = x.shape[1]
        if (cols < 0).all():
            return const[:, None]
        if (cols == cols[0]).all():
            return x[cols[0]][None, :]
        m = np.empty((len(cols), b))
        for r, c in enumerate(cols):
            if c >= 0:
                m[r] = x[c]
            else:
                m[r] = const[r]
        return m

    def evaluate(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Push parameter values ``x`` (``(k, b)``) through the chain.

        Returns
        -------
        numpy.ndarray
            ``out[quantity, region, draw]`` of shape ``(5, R + 1, b)``; row ``R`` is national.

        """
        b = x.shape[1]
        r = len(self.regions)
        if out is None:
            out = np.empty((len(QUANTITIES), r + 1, b))
        area = np.broadcast_to(self._matrix("area", x), (r, b))
        leaf_yield = self._matrix("leaf_yield", x)
        for name in ("harvests_per_year", "leaf_per_harvest"):
            if not ((self.cols[name] < 0).all() and (self.const[name] == 1.0).all()):
                leaf_yield = leaf_yield * self._matrix(name, x)
        pk = self._matrix("base_purity", x) * self._matrix("hcl_per_base", x)
        chain_into(
            out,
            area,
            self._matrix("area_factor", x),
            leaf_yield,
            self._matrix("base_per_leaf", x),
            pk,
        )
        return out
