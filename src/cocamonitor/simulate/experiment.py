"""A small factorial experiment: which method gets level, change and sign right, and when.

Each *cell* of the grid is a configuration (e.g. cloud cover 0.1 or 0.4 × small or large
fields); every cell simulates its own history from the same seed and scores the three methods
over ``replicates`` replicate observations (:func:`cocamonitor.simulate.score.compare`). The
work is split into tasks of one cell and a chunk of replicates, run in parallel by dask
(processes); a task holds one landscape at a time and returns only its estimates, so memory
is bounded by ``workers`` landscapes whatever the grid size.

Factors (:data:`FACTORS`): ``clouds`` (mean cloud fraction), ``fields`` (median field size:
``small`` 0.4 ha, ``large`` 1.5 ha, or hectares), ``eradication`` (manual eradication events
per field and year: ``low`` 0.05, ``high`` 0.3, or a rate), ``eradication_timing`` (``spread``
evenly through the year, or concentrated in ``december``, just before the census date:
seasonality 0.9 around ``eradication_peak_day``), and any ``section.key`` of the simulator
configuration.

Examples
--------
>>> parse_grid(["clouds=0.1,0.4 fields=small,large"])
{'clouds': ['0.1', '0.4'], 'fields': ['small', 'large']}
>>> cells = grid_cells({"clouds": ["0.1", "0.4"], "fields": ["small"]})
>>> [c["clouds"] for c in cells]
['0.1', '0.4']

"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.errors import InputError, ParameterError, suggest
from cocamonitor.results import Estimate, Table, nested, numbers
from cocamonitor.simulate.config import SimulationConfig
from cocamonitor.simulate.dynamics import simulate_history
from cocamonitor.simulate.methods import run_methods
from cocamonitor.simulate.score import MethodScore, replicate_rng, score

__all__ = ["FACTORS", "Experiment", "apply_cell", "grid_cells", "parse_grid", "run_experiment"]

#: factor -> (section, key, named levels)
FACTORS: dict[str, tuple[str, str, dict[str, float]]] = {
    "clouds": ("observation", "cloud_mean", {"low": 0.1, "high": 0.4}),
    "fields": ("dynamics", "size_median_ha", {"small": 0.4, "large": 1.5}),
    "eradication": ("dynamics", "eradication_rate", {"low": 0.05, "high": 0.3}),
    "eradication_timing": ("dynamics", "eradication_seasonality", {"spread": 0.0, "december": 0.9}),
}


def parse_grid(specs: list[str], *, where: str = "grid") -> dict[str, list[str]]:
    """Parse ``["clouds=0.1,0.4 fields=small,large", ...]`` into ``{factor: levels}``.

    Raises
    ------
    ParameterError
        A malformed item, an unknown factor or a factor given twice.

    """
    out: dict[str, list[str]] = {}
    for spec in specs:
        for item in spec.replace(";", " ").split():
            name, eq, levels = item.partition("=")
            vals = [v.strip() for v in levels.split(",") if v.strip()]
            if not eq or not name or not vals:
                raise ParameterError(f"cannot read grid item {item!r}", where=where,
                                     hint="write factor=level,level e.g. clouds=0.1,0.4")
            if name not in FACTORS and "." not in name:
                raise ParameterError(f"unknown factor {name!r}", where=where,
                                     hint=suggest(name, FACTORS) or
                                     f"use {', '.join(FACTORS)} or section.key")
            if name in out:
                raise ParameterError(f"factor {name!r} given twice", where=where)
            out[name] = vals
    if not out:
        raise ParameterError("empty grid", where=where, hint="e.g. clouds=0.1,0.4 fields=small,large")
    return out


def grid_cells(grid: dict[str, list[str]]) -> list[dict[str, str]]:
    """Every combination of levels, first factor slowest."""
    names = list(grid)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid.values())]


def apply_cell(cfg: SimulationConfig, cell: dict[str, str], *, where: str = "grid") -> SimulationConfig:
    """Return the configuration of one cell (levels validated like the TOML file)."""
    changes: dict[str, dict[str, Any]] = {}
    for name, level in cell.items():
        if name in FACTORS:
            section, key, named = FACTORS[name]
            if level in named:
                value: Any = named[level]
            else:
                value = _number(level, name, where, hint=f"use {', '.join(named)} or a number")
        else:
            section, _, key = name.partition(".")
            value = _number(level, name, where, hint="give a number")
        changes.setdefault(section, {})[key] = value
    try:
        return cfg.replace(**changes)
    except ParameterError as err:
        raise ParameterError(err.message, where=f"{where} {', '.join(cell)}", hint=err.hint) from None


def _number(level: str, name: str, where: str, hint: str) -> float:
    try:
        return float(level)
    except ValueError:
        raise ParameterError(f"level {level!r} of {name!r} is not a number", where=where,
                             hint=hint) from None


def _task(cfg: SimulationConfig, years: list[int], seed: int, reps: list[int],
          budget_hours: float | None) -> pd.DataFrame:
    """One cell, a chunk of replicates: the estimates (the history is rebuilt, not shipped)."""
    hist = simulate_history(cfg, years, seed)
    frames = []
    for r in reps:
        est = run_methods(hist, replicate_rng(seed, r), budget_hours=budget_hours)
        est.insert(0, "replicate", r)
        frames.append(est)
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class Experiment:
    """Result of :func:`run_experiment`.

    Attributes
    ----------
    grid : dict of str to list of str
    cells : list of dict
    scores : pandas.DataFrame
        One row per cell and method: the factors, ``method, target``, then bias, its MCSE,
        RMSE, coverage with its Wilson interval, degenerate share and sign agreement against
        the method's target truth, and hours per year.
    replicates, seed : int
    years : list of int

    """

    grid: dict[str, list[str]]
    cells: list[dict[str, str]]
    scores: pd.DataFrame
    replicates: int
    seed: int
    years: list[int]

    def to_frame(self) -> pd.DataFrame:
        """Return the scores table."""
        return self.scores.copy()

    def to_dict(self) -> dict[str, Any]:
        """Plain-type document: grid, replicates, years, seed and one record per cell and method."""
        rows = self.scores.replace({np.nan: None}).to_dict(orient="records")
        return {"grid": self.grid, "replicates": self.replicates, "years": self.years,
                "seed": self.seed, "cells": rows}

    def estimates(self) -> Iterator[Estimate]:
        """Yield replicates and seed, then each cell and method's scores (``cells/0``, ...; ha from the names)."""
        yield from numbers("", {"replicates": self.replicates, "seed": self.seed})
        yield from nested("cells", Table(self.scores).estimates())


def _row(cell: dict[str, str], s: MethodScore) -> dict[str, Any]:
    t = s.by_truth[s.target]
    ci = t.coverage_ci
    return {**cell, "method": s.method, "target": s.target, "bias_ha": t.bias_ha,
            "bias_mcse_ha": t.bias_mcse_ha, "rmse_ha": t.rmse_ha, "coverage": t.coverage,
            "coverage_low": ci[0] if ci else np.nan, "coverage_high": ci[1] if ci else np.nan,
            "degenerate_share": t.degenerate_share, "sign_agreement": t.sign_agreement,
            "hours_per_year": s.hours, "units_per_year": s.units}


def run_experiment(cfg: SimulationConfig, grid: dict[str, list[str]], years: list[int],
                   replicates: int, seed: int, *, workers: int = 2, chunk: int = 10,
                   budget_hours: float | None = None,
                   progress: Callable[[int], None] | None = None) -> Experiment:
    """Run the factorial experiment (see module docstring).

    Parameters
    ----------
    cfg : SimulationConfig
        The base configuration; each cell changes its factors.
    grid : dict of str to list of str
        From :func:`parse_grid`.
    years : list of int
        Consecutive reported years.
    replicates : int
        Replicate observations per cell.
    seed : int
        Seeds every cell's history and replicates.
    workers : int, default 2
        Processes (1: run in this process, no dask).
    chunk : int, default 10
        Replicates per task.
    budget_hours : float, optional
        Equal budget for the sample-based methods.
    progress : callable, optional
        Called with the replicates each finished task scored.

    Returns
    -------
    Experiment

    """
    cells = grid_cells(grid)
    cfgs = [apply_cell(cfg, c) for c in cells]
    chunks = [list(range(i, min(i + chunk, replicates))) for i in range(0, replicates, chunk)]
    jobs = [(k, reps) for k in range(len(cells)) for reps in chunks]
    if workers <= 1:
        parts = []
        for k, reps in jobs:
            parts.append(_task(cfgs[k], years, seed, reps, budget_hours))
            if progress is not None:
                progress(len(reps))
    else:
        try:
            import dask
            from dask.callbacks import Callback
        except ImportError:  # pragma: no cover - dask is an optional extra
            raise InputError("parallel experiments need dask", where="workers",
                             hint="pip install 'cocamonitor[dask]', or use one worker") from None
        tasks = [dask.delayed(_task)(cfgs[k], years, seed, reps, budget_hours) for k, reps in jobs]

        class _Advance(Callback):  # type: ignore[misc]
            def _posttask(self, key: Any, result: Any, dsk: Any, state: Any, id: Any) -> None:
                if progress is not None and isinstance(result, pd.DataFrame):
                    progress(int(result["replicate"].nunique()))

        with _Advance():
            parts = list(dask.compute(*tasks, scheduler="processes", num_workers=workers))
    rows = []
    for k, cell in enumerate(cells):
        est = pd.concat([p for (j, _), p in zip(jobs, parts, strict=True) if j == k],
                        ignore_index=True)
        truth = simulate_history(cfgs[k], years, seed).truth_table().set_index("year")
        for s in score(est, truth[["dec31_ha", "harvested_ha"]]):
            rows.append(_row(cell, s))
    return Experiment(grid=grid, cells=cells, scores=pd.DataFrame(rows),
                      replicates=replicates, seed=int(seed), years=list(years))


def plot_experiment(exp: Experiment, path: str | Path, lang: str = "en") -> Path:
    """Chart: per cell, each method's bias, coverage and sign agreement against its target."""
    from cocamonitor._plotting import check_figure_path, pyplot
    from cocamonitor.simulate.verdict import _COLORS, _name

    plt = pyplot()
    path = check_figure_path(path, html=False)
    es = lang == "es"
    df = exp.scores
    factors = list(exp.grid)
    labels = [" ".join(f"{f}={c[f]}" for f in factors) for c in exp.cells]
    fig, axes = plt.subplots(1, 3, figsize=(13, 0.5 * len(labels) + 2.5), sharey=True)
    y = np.arange(len(labels))
    methods = list(dict.fromkeys(df["method"]))
    off = np.linspace(-0.25, 0.25, len(methods))
    for j, m in enumerate(methods):
        g = df[df["method"] == m].reset_index(drop=True)
        c = _COLORS.get(m)
        axes[0].errorbar(g["bias_ha"], y + off[j], xerr=2 * g["bias_mcse_ha"].fillna(0), fmt="o",
                         color=c, label=_name(m, lang), capsize=2)
        cov = g["coverage"].astype(float)
        if cov.notna().any():
            lo = (cov - g["coverage_low"]).clip(lower=0)
            hi = (g["coverage_high"] - cov).clip(lower=0)
            axes[1].errorbar(100 * cov, y + off[j], xerr=[100 * lo, 100 * hi], fmt="o", color=c,
                             capsize=2)
        axes[2].plot(100 * g["sign_agreement"].astype(float), y + off[j], "o", color=c)
    axes[0].axvline(0, color="grey", lw=1)
    axes[1].axvline(95, color="grey", ls="--", lw=1)
    axes[0].set_yticks(y, labels, fontsize=8)
    axes[0].set_title("Sesgo ± 2 EMC (ha)" if es else "Bias ± 2 MCSE (ha)", fontsize=9)
    axes[1].set_title("Cobertura del IC 95 % (%)" if es else "95 % interval coverage (%)", fontsize=9)
    axes[2].set_title("Signo del cambio correcto (%)" if es else "Sign of change right (%)",
                      fontsize=9)
    axes[0].legend(fontsize=7)
    axes[0].invert_yaxis()  # first cell on top
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.suptitle((f"Experimento: {exp.replicates} réplicas por celda" if es else
                  f"Experiment: {exp.replicates} replicates per cell"), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
