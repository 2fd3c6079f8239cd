"""The fourth method: good practice on a map made by a real classifier from synthetic scenes.

:func:`classified_good_practice` renders Sentinel-2-like scenes of the simulated landscape
(:mod:`.scenes`), trains the imagery pipeline's classifier (:mod:`cocamonitor.imagery`) on a
training sample stratified by last year's coca, predicts the coca probability of every pixel,
turns it into strata (mapped coca, uncertain, buffer, other, no observation), draws a
stratified random sample of pixels labelled with the 31 December truth, and estimates the coca
area with the stratified estimator. The map's errors are those of the classifier on the
scenes (spectral overlap, young fields, look-alikes, clouds), not a parametric error model.

Everything stays in memory (no files), so that it can be replicated hundreds of times.

Its cost (:func:`classified_hours`) is the labelling of the training and the reference points
(``hours_per_point`` each): the scenes are free and the classification is automatic. Under a
budget (:func:`budget_config`) the points left after the training sample are shared among the
strata in the configured proportions. ``simulate compare`` (with ``classified``) scores it
beside the census, the sample survey and good practice on the census map.

Examples
--------
>>> import numpy as np
>>> from cocamonitor.simulate.scenes import scene_history
>>> hist = scene_history(size=100, seed=3)
>>> est, info = classified_good_practice(hist, 2021, np.random.default_rng(0))
>>> est.method, est.ci_low <= est.area_ha <= est.ci_high
('classified_map', True)

"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.errors import ParameterError
from cocamonitor.simulate.config import SimulationConfig
from cocamonitor.simulate.dynamics import History
from cocamonitor.simulate.estimate import MethodEstimate
from cocamonitor.simulate.scenes import SceneConfig, SceneStack, render_scenes

__all__ = ["ClassifiedMap", "ClassifiedMapConfig", "budget_config", "classified_good_practice", "classified_hours",
           "classify_scenes", "estimate_area", "sample_strata"]


@dataclass(frozen=True)
class ClassifiedMapConfig:
    """Parameters of the classified-map method.

    Attributes
    ----------
    scene : SceneConfig
    n_train : int
        Training points (half in last year's coca, half elsewhere, as available).
    block_m : float
        Spatial block of the calibration splits, metres.
    high, low : float
        Probability thresholds of the mapped-coca and uncertain strata.
    buffer_m : float
        Buffer around mapped-coca and uncertain pixels, metres.
    n_per_stratum : tuple of (str, int)
        Reference sample size per stratum name. The mapped-coca stratum needs many points: its
        user's accuracy is near 1, and with few points the sample often holds no error at all,
        so that its variance is estimated as zero and the interval is too narrow.
    confidence : float

    """

    scene: SceneConfig = SceneConfig()
    n_train: int = 400
    block_m: float = 300.0
    high: float = 0.5
    low: float = 0.05
    buffer_m: float = 30.0
    n_per_stratum: tuple[tuple[str, int], ...] = (("coca", 200), ("uncertain", 150), ("buffer", 250),
                                                  ("other", 100), ("no_observation", 30))
    confidence: float = 0.95


@dataclass(frozen=True)
class ClassifiedMap:
    """A classified scene: probability (per cent, 255 no observation), strata, the stack."""

    probability: np.ndarray
    strata: np.ndarray
    stack: SceneStack
    train_points: int


def _features(stack: SceneStack) -> tuple[np.ndarray, np.ndarray]:
    from cocamonitor.imagery.composite import valid_mask
    from cocamonitor.imagery.features import compute_features

    valid = valid_mask(stack.scl, stack.data)
    refl = stack.data.astype(np.float32) * np.float32(1e-4)
    days = np.array([(d - stack.reference_date).days for d in stack.dates])
    return compute_features(refl, valid, days, stack.bands), valid.sum(axis=0)


def classify_scenes(hist: History, year: int, rng: np.random.Generator,
                    cfg: ClassifiedMapConfig | None = None) -> ClassifiedMap:
    """Render the scenes, train the classifier and map the coca probability and strata."""
    from cocamonitor.imagery.features import feature_names
    from cocamonitor.imagery.mapping import strata_from_probability
    from cocamonitor.imagery.model import train_classifier

    cfg = cfg or ClassifiedMapConfig()
    stack = render_scenes(hist, year, seed=rng, scene=cfg.scene)
    feats, nobs = _features(stack)
    n = hist.landscape.size
    ok = (nobs > 0).reshape(-1)
    prior = stack.prior.reshape(-1)
    picks = []
    for cls in (1, 0):
        pool = np.flatnonzero(ok & (prior == cls))
        picks.append(rng.choice(pool, size=min(cfg.n_train // 2, pool.size), replace=False))
    flat = np.concatenate(picks)
    labels = stack.truth.reshape(-1)[flat].astype(str)
    X = feats.reshape(feats.shape[0], -1).T
    r, c = flat // n, flat % n
    x, y = hist.landscape.xy(r, c)
    model = train_classifier(X[flat], labels, x, y, feature_names=feature_names(stack.bands), block_m=cfg.block_m,
                             cross_validate=False, seed=int(rng.integers(2**31)))
    flat_prob = np.full(n * n, 255, dtype=np.uint8)
    p = model.predict_proba(X[ok])[:, model.classes.index("1")] if "1" in model.classes else np.zeros(ok.sum())
    flat_prob[ok] = np.round(p * 100).astype(np.uint8)
    prob = flat_prob.reshape(n, n)
    radius = int(round(cfg.buffer_m / hist.landscape.pixel_size_m))
    strata = strata_from_probability(prob, high=cfg.high, low=cfg.low, radius_px=radius)
    return ClassifiedMap(probability=prob, strata=strata, stack=stack, train_points=int(flat.size))


def sample_strata(cmap: ClassifiedMap, rng: np.random.Generator, cfg: ClassifiedMapConfig | None = None,
                  ) -> tuple[pd.DataFrame, dict[str, float]]:
    """Draw a stratified random sample of pixels labelled with the truth; return it and the strata areas (ha)."""
    from cocamonitor.imagery.mapping import STRATA

    cfg = cfg or ClassifiedMapConfig()
    ha = cmap.stack.pixel_area_ha
    flat_s = cmap.strata.reshape(-1)
    truth = cmap.stack.truth.reshape(-1)
    rows, areas = [], {}
    for name, want in cfg.n_per_stratum:
        pool = np.flatnonzero(flat_s == STRATA[name])
        if pool.size == 0:
            continue
        areas[name] = pool.size * ha
        k = min(want, pool.size)
        pick = rng.choice(pool, size=k, replace=False)
        rows.append(pd.DataFrame({"stratum": name, "flat": pick, "map_class": "coca" if name == "coca" else "other",
                                  "reference_class": np.where(truth[pick] == 1, "coca", "other")}))
    return pd.concat(rows, ignore_index=True), areas


def estimate_area(sample: pd.DataFrame, areas: dict[str, float], cfg: ClassifiedMapConfig) -> tuple[float, float,
                                                                                                   float, float]:
    """Stratified estimate of the coca area; strata sampled whole (certainty) add their count."""
    from cocamonitor.area import estimate_stratified

    counts = sample.groupby("stratum").size()
    sizes = {s: areas[s] for s in areas}
    certain = [s for s in areas if counts.get(s, 0) < 2]
    known = 0.0
    for s in certain:  # a stratum of one pixel, sampled with certainty
        known += float((sample.loc[sample["stratum"] == s, "reference_class"] == "coca").sum()) * areas[s]
    rest = sample[~sample["stratum"].isin(certain)]
    if rest.empty:
        return known, 0.0, known, known
    est = estimate_stratified(rest, {s: a for s, a in sizes.items() if s not in certain},
                              classes=["coca", "other"], confidence=cfg.confidence)
    c = est.classes["coca"]
    lo, hi = c.area_ci
    return float(c.area) + known, float(c.area_se), float(lo) + known, float(hi) + known


def classified_hours(cfg: SimulationConfig, points: int) -> float:
    """Analyst hours of the method: ``points`` labelled (training and reference) at ``hours_per_point``.

    Examples
    --------
    >>> classified_hours(SimulationConfig(), 1000)
    50.0

    """
    return float(points * cfg.cost.hours_per_point)


def budget_config(cfg: SimulationConfig, ccfg: ClassifiedMapConfig, hours: float) -> ClassifiedMapConfig:
    """Return the configuration ``hours`` of labelling buy: training sample, then reference points.

    The reference points left after ``n_train`` are shared among the strata in the proportions
    of ``ccfg.n_per_stratum`` (at least two per stratum).

    Raises
    ------
    ParameterError
        The budget does not buy the training sample and two reference points per stratum
        (``where="budget_hours"``).

    Examples
    --------
    >>> c = budget_config(SimulationConfig(), ClassifiedMapConfig(), 100.0)  # 2,000 points
    >>> dict(c.n_per_stratum)["coca"], sum(n for _, n in c.n_per_stratum) <= 2000 - 400
    (438, True)

    """
    total = int(math.floor(hours / cfg.cost.hours_per_point + 1e-9))
    left = total - ccfg.n_train
    strata = len(ccfg.n_per_stratum)
    if left < 2 * strata:
        need = (ccfg.n_train + 2 * strata) * cfg.cost.hours_per_point
        raise ParameterError(f"a budget of {hours:g} h buys {total} labelled points, fewer than the "
                             f"{ccfg.n_train} training points and two reference points in each of the {strata} "
                             "strata of the classified map", where="budget_hours", hint=f"give at least {need:g} h")
    want = sum(n for _, n in ccfg.n_per_stratum)
    shares = [(name, max(2, int(math.floor(left * n / want)))) for name, n in ccfg.n_per_stratum]
    return dataclasses.replace(ccfg, n_per_stratum=tuple(shares))


def classified_good_practice(hist: History, year: int, rng: np.random.Generator,
                             cfg: ClassifiedMapConfig | None = None) -> tuple[MethodEstimate, dict[str, Any]]:
    """Good practice on the classified map (see module docstring).

    Returns
    -------
    estimate : MethodEstimate
        ``method="classified_map"``.
    info : dict
        ``strata_ha``, ``n``, ``train_points``, ``no_observation_ha``, ``mapped_coca_ha`` and
        ``hours`` (:func:`classified_hours` of the training and reference points).

    """
    cfg = cfg or ClassifiedMapConfig()
    cmap = classify_scenes(hist, year, rng, cfg)
    sample, areas = sample_strata(cmap, rng, cfg)
    area, se, lo, hi = estimate_area(sample, areas, cfg)
    ha = cmap.stack.pixel_area_ha
    info = {"strata_ha": areas, "n": int(len(sample)), "train_points": cmap.train_points,
            "no_observation_ha": float((cmap.probability == 255).sum() * ha),
            "mapped_coca_ha": float(((cmap.probability != 255) & (cmap.probability >= cfg.high * 100)).sum() * ha),
            "hours": classified_hours(hist.config, int(len(sample)) + cmap.train_points)}
    est = MethodEstimate(method="classified_map", year=year, area_ha=area, se_ha=se, ci_low=lo, ci_high=hi,
                         confidence=cfg.confidence, details=info)
    return est, info
