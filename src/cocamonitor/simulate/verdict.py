"""The verdict a working group can read: one sentence per method (es/en) and a one-page chart.

A sentence says, for the truth the method targets, whether it gets the **level** right (bias
within two Monte Carlo standard errors, or within 2 % of the mean truth), whether its 95 %
intervals can be **trusted** (the Wilson interval of the coverage contains 95 %; "too few
replicates to judge" when that interval is wider than ±5 points), how often it gets the
**sign** of the year-over-year change right, and what it **cost** (analyst hours a year).

Examples
--------
>>> from cocamonitor.simulate.config import SimulationConfig
>>> from cocamonitor.simulate.score import compare
>>> cmp = compare(SimulationConfig().replace(landscape={"size": 200}), [2020, 2021], 2, seed=1)
>>> sorted(verdict(cmp, "en"))
['census', 'good_practice', 'sample_survey']

"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from cocamonitor._plotting import check_figure_path, pyplot
from cocamonitor.simulate.score import Comparison, MethodScore, TruthScore

__all__ = ["plot_verdict", "verdict", "verdict_rows"]

_NAMES = {
    "en": {"census": "Census", "sample_survey": "Sample survey", "good_practice": "Good practice",
           "classified_map": "Good practice, classified map"},
    "es": {"census": "Censo", "sample_survey": "Encuesta por muestreo",
           "good_practice": "Buenas prácticas", "classified_map": "Buenas prácticas, mapa clasificado"},
}
_TRUTH = {"en": {"dec31": "the 31 December area", "harvested": "the area harvested in the year"},
          "es": {"dec31": "el área al 31 de diciembre", "harvested": "el área cosechada en el año"}}
_COLORS = {"census": "tab:blue", "sample_survey": "tab:orange", "good_practice": "tab:green",
           "classified_map": "tab:purple"}


def _name(method: str, lang: str) -> str:
    return _NAMES[lang].get(method, method.replace("_", " ").capitalize())


def _level_ok(t: TruthScore, mean_truth: float) -> bool:
    mcse = t.bias_mcse_ha if np.isfinite(t.bias_mcse_ha) else 0.0
    return bool(abs(t.bias_ha) <= max(2 * mcse, 0.02 * mean_truth))


#: the clauses of a method's verdict, per language (filled with ``str.format``)
_CLAUSES = {
    "es": {"method": "{name} (mide {truth}): ", "level_ok": "acierta el nivel (sesgo {bias})",
           "level_off": "se desvía del nivel (sesgo {bias}, RMSE {rmse} ha)", "no_interval": "no da intervalo",
           "few": "sus intervalos cubren {cover} (muy pocas réplicas para juzgar)",
           "cover": "sus intervalos del 95 % cubren {cover} ({lo}–{hi})", "trusted": ", son confiables",
           "untrusted": ", no son confiables", "sign": "acierta el signo del cambio anual {sign} de las veces",
           "hours": "con {hours} horas de analista al año"},
    "en": {"method": "{name} (measures {truth}): ", "level_ok": "gets the level right (bias {bias})",
           "level_off": "misses the level (bias {bias}, RMSE {rmse} ha)", "no_interval": "gives no interval",
           "few": "its intervals cover {cover} (too few replicates to judge)",
           "cover": "its 95 % intervals cover {cover} ({lo}–{hi})", "trusted": ", they can be trusted",
           "untrusted": ", they cannot be trusted",
           "sign": "gets the sign of the yearly change right {sign} of the time",
           "hours": "for {hours} analyst hours a year"},
}


def _sentence(s: MethodScore, mean_truth: float, lang: str) -> str:
    from cocamonitor.formatting import fmt_number, fmt_percent

    t = s.by_truth[s.target]
    c = _CLAUSES[lang]
    n = lambda v, d=1: fmt_number(v, lang, decimals=d)  # noqa: E731
    pct = lambda v: fmt_percent(v, lang, decimals=0)  # noqa: E731
    bias = f"{n(t.bias_ha)} ± {n(t.bias_mcse_ha)} ha"
    level = c["level_ok"] if _level_ok(t, mean_truth) else c["level_off"]
    parts = [c["method"].format(name=_name(s.method, lang), truth=_TRUTH[lang][s.target])
             + level.format(bias=bias, rmse=n(t.rmse_ha))]
    if t.coverage is None:
        parts.append(c["no_interval"])
    elif not t.judgeable:
        parts.append(c["few"].format(cover=pct(t.coverage)))
    else:
        lo, hi = t.coverage_ci or (np.nan, np.nan)
        parts.append(c["cover"].format(cover=pct(t.coverage), lo=pct(lo), hi=pct(hi))
                     + (c["trusted"] if lo <= 0.95 <= hi else c["untrusted"]))
    if t.sign_agreement is not None:
        parts.append(c["sign"].format(sign=pct(t.sign_agreement)))
    parts.append(c["hours"].format(hours=n(s.hours, 0)))
    return "; ".join(parts) + "."


def verdict(cmp: Comparison, lang: str = "en") -> dict[str, str]:
    """Return one sentence per method, in Spanish or English (see module docstring)."""
    from cocamonitor.formatting import check_lang

    lang = check_lang(lang, where="lang")
    out = {}
    for s in cmp.scores:
        col = f"{s.target}_ha"
        mean_truth = float(cmp.truth[col].mean()) if col in cmp.truth else float("nan")
        out[s.method] = _sentence(s, mean_truth, lang)
    return out


def verdict_rows(cmp: Comparison) -> dict[str, dict[str, str]]:
    """Return ``{method: {"es": ..., "en": ...}}`` for JSON output."""
    es, en = verdict(cmp, "es"), verdict(cmp, "en")
    return {m: {"es": es[m], "en": en[m]} for m in en}


def plot_verdict(cmp: Comparison, path: str | Path, lang: str = "en") -> Path:
    """Write the one-page verdict: the series, coverage and bias per truth, and the sentences."""
    from cocamonitor.formatting import check_lang

    lang = check_lang(lang, where="lang")
    plt = pyplot()
    path = check_figure_path(path, html=False)
    es = lang == "es"
    fig = plt.figure(figsize=(11, 8.5))
    grid = fig.add_gridspec(3, 2, height_ratios=[1.2, 1.0, 0.9])
    ax = fig.add_subplot(grid[0, :])
    t = cmp.truth
    ax.plot(t["year"], t["dec31_ha"], color="black", lw=2.5,
            label="verdad (31 dic)" if es else "truth (31 Dec)")
    ax.plot(t["year"], t["harvested_ha"], color="black", lw=1, ls=":",
            label="verdad (cosechada)" if es else "truth (harvested)")
    for m, g in cmp.estimates.groupby("method", sort=False):
        q = g.groupby("year")["area_ha"].quantile([0.05, 0.95]).unstack()
        mean = g.groupby("year")["area_ha"].mean()
        c = _COLORS.get(m)
        ax.plot(mean.index, mean.to_numpy(), color=c, lw=1.8, label=_name(m, lang))
        ax.fill_between(q.index, q[0.05], q[0.95], color=c, alpha=0.15)
    ax.set_ylabel("ha")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(("Verdad simulada y métodos: media y banda 5–95 % de "
                  f"{cmp.replicates} réplicas") if es else
                 f"Simulated truth and methods: mean and 5–95 % band of {cmp.replicates} replicates")
    ax.legend(fontsize=8, ncol=3)
    ax.grid(alpha=0.3)
    _coverage_panel(fig.add_subplot(grid[1, 0]), cmp, lang)
    _bias_panel(fig.add_subplot(grid[1, 1]), cmp, lang)
    txt = fig.add_subplot(grid[2, :])
    txt.axis("off")
    lines = [textwrap.fill(s, 150) for s in verdict(cmp, lang).values()]
    txt.text(0.0, 1.0, "\n\n".join(lines), va="top", ha="left", fontsize=8.5, wrap=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _per_truth(cmp: Comparison) -> list[tuple[MethodScore, str, TruthScore]]:
    return [(s, k, v) for s in cmp.scores for k, v in s.by_truth.items()]


def _coverage_panel(ax: Any, cmp: Comparison, lang: str) -> None:
    es = lang == "es"
    labels, x = [], 0
    for s, k, v in _per_truth(cmp):
        if v.coverage is None:
            continue
        lo, hi = v.coverage_ci or (v.coverage, v.coverage)
        marker = "o" if k == s.target else "s"
        ax.errorbar([x], [v.coverage * 100], yerr=[[100 * (v.coverage - lo)], [100 * (hi - v.coverage)]],
                    fmt=marker, color=_COLORS.get(s.method), capsize=3,
                    mfc=_COLORS.get(s.method) if k == s.target else "white")
        labels.append(f"{_name(s.method, lang)}\n{'31 dic' if es and k == 'dec31' else k}")
        x += 1
    ax.axhline(95, color="grey", ls="--", lw=1)
    ax.set_xticks(range(len(labels)), labels, fontsize=7)
    lows = [100 * v.coverage_ci[0] for _, _, v in _per_truth(cmp) if v.coverage_ci]
    ax.set_ylim(max(0.0, min(lows, default=80.0) - 5), 101)
    ax.set_ylabel("%")
    ax.set_title("Cobertura del intervalo del 95 % (Wilson)" if es
                 else "Coverage of the 95 % interval (Wilson interval)", fontsize=9)
    ax.grid(alpha=0.3)


def _bias_panel(ax: Any, cmp: Comparison, lang: str) -> None:
    es = lang == "es"
    labels = []
    for x, (s, k, v) in enumerate(_per_truth(cmp)):
        filled = k == s.target
        ax.errorbar([x], [v.bias_ha], yerr=[2 * v.bias_mcse_ha if np.isfinite(v.bias_mcse_ha) else 0],
                    fmt="o" if filled else "s", color=_COLORS.get(s.method), capsize=3,
                    mfc=_COLORS.get(s.method) if filled else "white")
        labels.append(f"{_name(s.method, lang)}\n{'31 dic' if es and k == 'dec31' else k}")
    ax.axhline(0, color="grey", lw=1)
    ax.set_xticks(range(len(labels)), labels, fontsize=7)
    ax.set_ylabel("ha")
    ax.set_title("Sesgo ± 2 errores Monte Carlo (lleno: la verdad que mide)" if es
                 else "Bias ± 2 Monte Carlo SE (filled: the truth it targets)", fontsize=9)
    ax.grid(alpha=0.3)
