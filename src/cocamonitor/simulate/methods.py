"""The three ways of measuring coca, run on a simulated history.

* :func:`census` (SIMCI-like, methodology.md §A): wall-to-wall classification of the
  acquisitions nearest 31 December (per pixel the nearest cloud-free one), eradication recorded
  between the image date and 31 December applied to the pixels it touched, and cloud gaps
  filled with last year's census map scaled by the change ratio observed in the cloud-free part
  of the surrounding block. No interval.
* :func:`sample_survey` (US-like, §B): segments (square cells) stratified by last year's mapped
  coca, a simple random sample of segments per stratum, each interpreted on high-resolution
  imagery taken on a random date between November and January, counting only *healthy* fields
  (standing and at least ``healthy_min_age_months`` old); whole segments, or ``m`` random
  points per segment; expanded with the stratified two-stage estimator.
* :func:`good_practice` (Olofsson et al. 2014, §C.1): the census map stratified into mapped
  coca, buffer rings around it sized from last year's omission, and the rest; a sample size
  from a target standard error and a Neyman allocation anticipated from last year's reference
  sample (:mod:`.design`); pixels labelled with the 31 December truth; the stratified
  estimator.

Every estimate carries its cost in analyst hours (:mod:`.cost`); ``run_methods`` can give the
two sample-based methods the same budget.

A fourth method, good practice on a map made by a real classifier from synthetic Sentinel-2
scenes (:func:`cocamonitor.simulate.classified.classified_good_practice`, ``classified_map``),
runs when ``run_methods`` is given ``classified``: it renders, trains and predicts every year,
so it is opt-in.

Examples
--------
>>> import numpy as np
>>> from cocamonitor.simulate.config import SimulationConfig
>>> from cocamonitor.simulate.dynamics import simulate_history
>>> cfg = SimulationConfig().replace(landscape={"size": 200})
>>> hist = simulate_history(cfg, [2020, 2021], seed=1)
>>> res = run_methods(hist, np.random.default_rng(0))
>>> sorted(res["method"].unique())
['census', 'good_practice', 'sample_survey']

"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.area import AreaEstimate, estimate_two_stage
from cocamonitor.area._core import quantile
from cocamonitor.simulate.cost import (
    census_hours,
    good_practice_hours,
    points_for,
    survey_hours,
    survey_segments_for,
)
from cocamonitor.simulate.design import (
    block_distance_m,
    omission_edges,
    plan_good_practice,
    ring_names,
    stratified_total,
    stratum_of_distance,
)
from cocamonitor.simulate.dynamics import DAYS_PER_MONTH, ERADICATED, History
from cocamonitor.simulate.estimate import MethodEstimate
from cocamonitor.simulate.landscape import footprint_pixels
from cocamonitor.simulate.observe import acquisition_days, classified_map, cloud_mask

__all__ = [
    "CensusResult",
    "MethodEstimate",
    "block_counts",
    "block_pixels",
    "census",
    "good_practice",
    "run_methods",
    "sample_survey",
]

METHODS = ("census", "sample_survey", "good_practice", "classified_map")


@dataclass(frozen=True)
class CensusResult:
    """Census of one year: the estimate and the gap-filled, eradication-adjusted map.

    Attributes
    ----------
    estimate : MethodEstimate
    map : numpy.ndarray of uint8
        1 coca, 0 not coca; cloud gaps carry last year's class.
    gap : numpy.ndarray of bool
        Pixels without a cloud-free image.
    image_index : numpy.ndarray of uint8
        Position in ``image_days`` of the image each pixel came from (255 in gaps).
    image_days : numpy.ndarray of float
        Days of the images used, nearest to 31 December first.

    """

    estimate: MethodEstimate
    map: np.ndarray
    gap: np.ndarray
    image_index: np.ndarray
    image_days: np.ndarray


def block_counts(flat: np.ndarray, size: int, block: int) -> np.ndarray:
    """Count flat pixel indices of a ``size x size`` grid per square block of ``block`` pixels.

    Returns a flat array over the ``ceil(size / block)``-squared blocks (row-major). Works on
    the sparse list of coca pixels, so its cost does not grow with the grid.

    Examples
    --------
    >>> block_counts(np.array([0, 1, 4, 24]), 5, 2).tolist()
    [2, 0, 1, 0, 0, 0, 0, 0, 1]

    """
    nb = -(-size // block)
    b = (flat // size // block) * nb + (flat % size) // block
    return np.bincount(b, minlength=nb * nb)


def block_pixels(size: int, block: int) -> np.ndarray:
    """Pixels in each block of :func:`block_counts` (edge blocks may be smaller)."""
    nb = -(-size // block)
    side = np.minimum(block, size - np.arange(nb) * block).astype(np.int64)
    return np.outer(side, side).reshape(-1)


def _coca_flat(m: np.ndarray) -> np.ndarray:
    """Flat indices of the pixels equal to 1."""
    return np.flatnonzero(m.reshape(-1) == 1)


def _member(sorted_values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``np.isin(query, sorted_values)`` for a sorted array, by binary search."""
    if sorted_values.size == 0:
        return np.zeros(query.shape, dtype=bool)
    pos = np.searchsorted(sorted_values, query)
    pos = np.minimum(pos, sorted_values.size - 1)
    return sorted_values[pos] == query


_NEIGHBOUR = {"high": "low", "low": "none", "none": "low", "coca": "buffer",
              "buffer": "other", "other": "buffer"}


def _collapse_small(counts: dict[str, int]) -> dict[str, str]:
    """Merge strata with one sample unit into a neighbour until every stratum has two.

    Returns ``{stratum: final stratum}`` for the merged strata (chains resolved).

    Examples
    --------
    >>> _collapse_small({"high": 1, "low": 1, "none": 0})
    {'high': 'low'}
    >>> _collapse_small({"high": 1, "low": 5})
    {'high': 'low'}

    """
    counts = {k: v for k, v in counts.items() if v > 0}
    merged: dict[str, str] = {}
    while len(counts) > 1:
        small = [k for k, v in counts.items() if v < 2]
        if not small:
            break
        name = small[0]
        target = _NEIGHBOUR.get(name)
        if target not in counts:
            target = max((k for k in counts if k != name), key=lambda k: counts[k])
        counts[target] += counts.pop(name)
        merged[name] = target
    for k in list(merged):
        while merged[k] in merged:
            merged[k] = merged[merged[k]]
    return merged


def _estimate(method: str, year: int, est: AreaEstimate, confidence: float,
              details: dict[str, Any]) -> MethodEstimate:
    c = est.classes["coca"]
    lo, hi = c.area_ci
    return MethodEstimate(method=method, year=year, area_ha=float(c.area), se_ha=float(c.area_se),
                          ci_low=float(lo), ci_high=float(hi), confidence=confidence,
                          details=details)


def _two_stage(stratum: np.ndarray, N: dict[int, int], area_ha: dict[int, float],
               psu_ha: np.ndarray,
               rows_per: np.ndarray, coca_rows: np.ndarray, names: dict[int, str],
               confidence: float) -> AreaEstimate:
    """Expand the segment sample with :func:`cocamonitor.area.estimate_two_stage`.

    Segments are drawn with equal probability within each stratum (``selection="equal"``);
    strata without a sampled segment are outside the survey frame and contribute nothing.

    A stratum with a single sampled segment is merged with a neighbour for the variance
    (collapsed strata). The point estimate must still weight each segment by its own
    stratum's ``N_h / n_h``: the segment's area is scaled by ``(N_h / n_h) / (N_c / n_c)``
    (``c`` the merged stratum) so that the merged expansion ``N_c / n_c`` gives back the
    unbiased stratified total; the variance is then the usual, conservative, collapsed-strata
    variance of the weighted segment totals.
    """
    n_rows = rows_per.astype(np.int64)
    seg_id = np.repeat(np.arange(stratum.size), n_rows)
    start = np.cumsum(n_rows) - n_rows
    within = np.arange(n_rows.sum()) - np.repeat(start, n_rows)
    coca = within < np.repeat(coca_rows, n_rows)
    counts = {names[h]: int((stratum == h).sum()) for h in N}
    merge = _collapse_small({k: v for k, v in counts.items() if v > 0})
    label = np.array([merge.get(names[h], names[h]) for h in stratum])
    areas: dict[str, float] = {}
    psu_count: dict[str, int] = {}
    n_merged: dict[str, int] = {}
    for h, n_pop in N.items():
        if counts[names[h]] == 0:
            continue  # outside the survey frame
        key = merge.get(names[h], names[h])
        areas[key] = areas.get(key, 0.0) + area_ha[h]
        psu_count[key] = psu_count.get(key, 0) + n_pop
        n_merged[key] = n_merged.get(key, 0) + counts[names[h]]
    own_w = np.array([N[h] / counts[names[h]] for h in stratum])
    merged_w = np.array([psu_count[k] / n_merged[k] for k in label])
    sample = pd.DataFrame({
        "stratum": label[seg_id], "cluster": seg_id.astype(str),
        "reference_class": np.where(coca, "coca", "other"),
        "psu_area": (psu_ha * own_w / merged_w)[seg_id],
    })
    return estimate_two_stage(sample, areas, selection="equal", psu_count=psu_count,
                              map_class=None, classes=["coca", "other"], confidence=confidence)


def census(hist: History, year: int, prev_map: np.ndarray | None,
           rng: np.random.Generator) -> CensusResult:
    """SIMCI-like census of ``year`` (see module docstring).

    Parameters
    ----------
    hist : History
        The simulated true history.
    year : int
        The survey year (truth on its 31 December).
    prev_map : numpy.ndarray or None
        Last year's census map, used to fill cloud gaps (``None``: gaps count as no coca).
    rng : numpy.random.Generator
        Draws clouds and map errors.

    """
    cfg = hist.config
    ha = cfg.pixel_area_ha
    shape = hist.shape
    s1 = hist.dec31(year)
    days = acquisition_days(hist, year)
    cls = np.full(shape, 255, dtype=np.uint8)
    img = np.full(shape, 255, dtype=np.uint8)
    buf = np.zeros(shape, dtype=np.uint8)
    fill = np.empty(shape, dtype=bool)
    cloud_fracs = []
    for k, d in enumerate(days):
        cloud, frac = cloud_mask(hist, rng)
        cloud_fracs.append(frac)
        m = classified_map(hist, d, rng, out=buf)
        np.equal(cls, 255, out=fill)
        if cloud is not None:
            np.greater(fill, cloud, out=fill)  # still a gap and not cloudy here
        np.copyto(cls, m, where=fill)
        np.copyto(img, np.uint8(k), where=fill)
    gap = np.equal(cls, 255, out=fill)
    n_gap = int(np.count_nonzero(gap))
    # eradication recorded between the image date and 31 Dec, applied to the pixels it touched
    adj_px = 0
    if cfg.census.eradication_adjustment and days.size:
        ep = hist.episodes
        lo, hi = min(days.min(), s1), max(days.max(), s1)
        rec = np.flatnonzero((ep.reason == ERADICATED) & (ep.end > lo) & (ep.end <= hi))
        if rec.size:
            own, flat = footprint_pixels(*hist.fields.rects(ep.field[rec]), ncols=shape[1])
            e = ep.end[rec][own]
            k = img.reshape(-1)[flat]
            seen = k != 255
            dp = np.where(seen, days[np.minimum(k, days.size - 1)], np.nan)
            c = cls.reshape(-1)[flat]
            remove = np.unique(flat[seen & (dp < e) & (e <= s1) & (c == 1)])
            add = np.unique(flat[seen & (s1 < e) & (e <= dp) & (c == 0)])
            add = np.setdiff1d(add, remove)
            cls.reshape(-1)[remove] = 0
            cls.reshape(-1)[add] = 1
            adj_px = int(add.size) - int(remove.size)
    now_flat = _coca_flat(cls)
    observed_px = int(now_flat.size)
    imputed = 0.0
    if n_gap:
        if prev_map is not None:
            size = shape[0]
            block = max(1, int(round(cfg.census.gap_fill_block_m / cfg.landscape.pixel_size_m)))
            prev_flat = _coca_flat(prev_map)
            in_gap = gap.reshape(-1)[prev_flat]
            now_c = block_counts(now_flat, size, block)
            prev_c = block_counts(prev_flat[~in_gap], size, block)
            prev_g = block_counts(prev_flat[in_gap], size, block)
            ratio = np.where(prev_c > 0, now_c / np.maximum(prev_c, 1), 1.0)
            imputed = float((ratio * prev_g).sum())
            np.copyto(cls, prev_map, where=gap)
        else:
            np.copyto(cls, np.uint8(0), where=gap)
    area = (observed_px + imputed) * ha
    est = MethodEstimate(
        method="census", year=year, area_ha=area,
        details={"observed_ha": observed_px * ha, "imputed_ha": imputed * ha,
                 "eradication_adjustment_ha": adj_px * ha, "gap_share": n_gap / cls.size,
                 "images": int(days.size), "hours": census_hours(cfg, int(days.size)),
                 "cloud_fraction_mean": float(np.mean(cloud_fracs)) if cloud_fracs else 0.0},
    )
    return CensusResult(estimate=est, map=cls, gap=gap, image_index=img, image_days=days)


def _segment_grid(hist: History) -> tuple[int, int]:
    cfg = hist.config
    seg = max(1, int(round(cfg.sample_survey.segment_size_m / cfg.landscape.pixel_size_m)))
    nseg = -(-hist.landscape.size // seg)
    return seg, nseg


def _spread(want: dict[int, int], pool: dict[int, int]) -> dict[int, int]:
    """Give segments a stratum cannot use (too few in its pool) to the strata with room.

    A budget buys a number of segments; a stratum holding fewer segments than its share
    takes them all and the rest goes to the other strata in proportion to their shares.

    Examples
    --------
    >>> _spread({2: 10, 1: 10, 0: 4}, {2: 3, 1: 50, 0: 40})
    {2: 3, 1: 15, 0: 6}

    """
    out = {h: min(w, pool[h]) for h, w in want.items()}
    left = sum(want.values()) - sum(out.values())
    while left > 0:
        room = {h: want[h] for h in want if out[h] < pool[h] and want[h] > 0}
        if not room:
            break
        total = sum(room.values())
        given = 0
        for h in sorted(room, key=lambda k: -room[k]):
            add = min(pool[h] - out[h], max(1, round(left * room[h] / total)), left - given)
            out[h] += add
            given += add
            if given >= left:
                break
        left -= given
        if given == 0:
            break
    return out


def sample_survey(hist: History, year: int, prior_map: np.ndarray | None,
                  rng: np.random.Generator, *,
                  segments: dict[str, int] | None = None) -> tuple[MethodEstimate, pd.DataFrame]:
    """US-like segment sample survey of ``year`` (see module docstring).

    Parameters
    ----------
    hist : History
        The simulated true history.
    year : int
        The survey year (truth on its 31 December).
    prior_map : numpy.ndarray or None
        Last year's map, used to stratify segments (``None``: one stratum, 'none').
    rng : numpy.random.Generator
        Draws clouds, map errors and samples.
    segments : dict, optional
        Segments per stratum (``high``, ``low``, ``none``) instead of the configured ones
        (what a budget buys, :func:`cocamonitor.simulate.cost.survey_segments_for`).

    Returns
    -------
    estimate : MethodEstimate
    segments : pandas.DataFrame
        One row per sampled segment: ``segment, row, col, stratum, day, pixels, points, hits,
        healthy_ha`` (``healthy_ha`` is the segment's estimated healthy coca area).

    """
    cfg = hist.config
    sc = cfg.sample_survey
    ha = cfg.pixel_area_ha
    size = hist.landscape.size
    seg, nseg = _segment_grid(hist)
    s1 = hist.dec31(year)
    if prior_map is not None:
        dens = block_counts(_coca_flat(prior_map), size, seg) * ha
    else:
        dens = np.zeros(nseg * nseg)
    stratum = np.where(dens >= sc.high_density_ha, 2, np.where(dens > 0, 1, 0))
    names = {2: "high", 1: "low", 0: "none"}
    if segments is None:
        want = {2: sc.segments_high, 1: sc.segments_low, 0: sc.segments_none}
    else:
        want = {h: int(segments.get(name, 0)) for h, name in names.items()}
    N = {h: int((stratum == h).sum()) for h in want}
    if segments is not None:
        want = _spread(want, N)
    picks = []
    for h in (2, 1, 0):
        pool = np.flatnonzero(stratum == h)
        k = min(want[h], pool.size)
        if k:
            picks.append(np.sort(rng.choice(pool, size=k, replace=False)))
    sel = np.concatenate(picks) if picks else np.zeros(0, np.intp)
    srow, scol = sel // nseg, sel % nseg
    M = (np.minimum(seg, size - srow * seg) * np.minimum(seg, size - scol * seg)).astype(np.int64)
    day = s1 + rng.uniform(-sc.days_before, sc.days_after, sel.size)
    # healthy pixels inside the selected segments on each segment's own date
    pos = np.full(nseg * nseg, -1, dtype=np.intp)
    pos[sel] = np.arange(sel.size)
    ep = hist.episodes
    age = sc.healthy_min_age_months * DAYS_PER_MONTH
    cand = np.flatnonzero((ep.start + age <= s1 + sc.days_after) & (ep.end > s1 - sc.days_before))
    own, flat = footprint_pixels(*hist.fields.rects(ep.field[cand]), ncols=size)
    p = pos[(flat // size // seg) * nseg + (flat % size) // seg]
    inside = p >= 0
    own, flat, p = own[inside], flat[inside], p[inside]
    e = cand[own]
    ok = (ep.start[e] + age <= day[p]) & (day[p] < ep.end[e])
    healthy_flat, healthy_pos = flat[ok], p[ok]
    if sc.points_per_segment > 0:
        m = np.minimum(sc.points_per_segment, M)
        # m random pixels (without replacement) in each segment
        key = np.sort(healthy_pos.astype(np.int64) * (size * size) + healthy_flat)
        hits = np.zeros(sel.size, dtype=np.int64)
        for j in range(sel.size):  # loop over sampled segments (tens), not pixels
            h_j = min(seg, size - srow[j] * seg)
            w_j = min(seg, size - scol[j] * seg)
            loc = rng.choice(h_j * w_j, size=int(m[j]), replace=False)
            fl = (srow[j] * seg + loc // w_j) * size + scol[j] * seg + loc % w_j
            hits[j] = int(_member(key, j * np.int64(size * size) + fl).sum())
        rows_per, coca_rows = m, hits
    else:
        m = M
        hits = np.bincount(healthy_pos, minlength=sel.size).astype(np.int64)
        # whole segments: the fewest rows whose coca share is exactly hits / M
        g = np.gcd(hits, M)
        rows_per, coca_rows = M // g, hits // g
    all_px = block_pixels(size, seg)
    area_h = {h: float(all_px[stratum == h].sum() * ha) for h in want}
    ybar = hits / m
    points = m
    details = {"segments": int(sel.size), **{f"N_{names[h]}": N[h] for h in N},
               "hours": survey_hours(cfg, int(sel.size))}
    x0, y0 = hist.landscape.xy(srow * seg - 0.5, scol * seg - 0.5)
    table = pd.DataFrame({
        "segment": sel, "row": srow, "col": scol, "x_min": x0, "y_max": y0,
        "stratum": [names[h] for h in stratum[sel]], "day": day, "pixels": M,
        "points": points, "hits": hits, "healthy_ha": ybar * M * ha,
    })
    if sel.size >= 2:
        est_area = _two_stage(stratum[sel], N, area_h, M * ha, rows_per, coca_rows, names,
                              sc.confidence)
        est = _estimate("sample_survey", year, est_area, sc.confidence, details)
    else:
        # no segment in the frame (nothing to expand), or one (no variance): point estimate only
        total = sum(N[h] * float((M * ybar)[stratum[sel] == h].sum()) for h in N
                    if (stratum[sel] == h).any())
        est = MethodEstimate(method="sample_survey", year=year, area_ha=total * ha,
                             confidence=sc.confidence, details=details)
    return est, table


def _sample_blocks(rng: np.random.Generator, blocks: np.ndarray, block: int, size: int,
                   n: int, reject: np.ndarray | None) -> np.ndarray:
    """``n`` distinct pixels uniform over the union of ``blocks`` minus pixels in ``reject``.

    A block is drawn with probability proportional to *all* its pixels and a pixel uniformly
    inside it, then rejected pixels are dropped: every kept pixel had the same chance. (Drawing
    blocks in proportion to their *kept* pixels and then rejecting would favour blocks with
    few rejected pixels, so the sample would not be the simple random sample the stratified
    estimator assumes.)
    """
    nb = -(-size // block)
    got = np.zeros(0, np.int64)
    weights = block_pixels(size, block)[blocks].astype(float)
    p = weights / weights.sum()
    for _ in range(200):
        need = n - got.size
        if need <= 0:
            break
        k = max(2 * need, 16)
        b = blocks[rng.choice(blocks.size, size=k, p=p)]
        br, bc = b // nb, b % nb
        hh = np.minimum(block, size - br * block)
        ww = np.minimum(block, size - bc * block)
        r = br * block + (rng.random(k) * hh).astype(np.int64)
        c = bc * block + (rng.random(k) * ww).astype(np.int64)
        flat = r * size + c
        if reject is not None:
            flat = flat[reject.reshape(-1)[flat] == 0]
        flat = flat[~np.isin(flat, got)]
        _, first = np.unique(flat, return_index=True)
        got = np.concatenate([got, flat[np.sort(first)][:need]])
    return got


def _strata_blocks(hist: History, coca_flat: np.ndarray,
                   edges: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Mapped-coca pixels, distance (m) and ring number of each ring block, and its side (px)."""
    cfg = hist.config
    size = hist.landscape.size
    block = max(1, int(round(cfg.good_practice.ring_block_m / cfg.landscape.pixel_size_m)))
    nb = -(-size // block)
    coca_b = block_counts(coca_flat, size, block)
    dist = block_distance_m((coca_b > 0).reshape(nb, nb),
                            block * cfg.landscape.pixel_size_m).reshape(-1)
    return coca_b, dist, stratum_of_distance(dist, edges), block


def good_practice(hist: History, year: int, cmap: np.ndarray, rng: np.random.Generator, *,
                  previous: pd.DataFrame | None = None,
                  points: int | None = None,
                  images: int | None = None) -> tuple[MethodEstimate, pd.DataFrame]:
    """Map plus stratified reference sample, designed from last year's sample (see module docstring).

    Parameters
    ----------
    hist : History
        The simulated true history.
    year : int
        The survey year (truth on its 31 December).
    cmap : numpy.ndarray of uint8
        The year's census map (1 coca).
    rng : numpy.random.Generator
        Draws the sample.
    previous : pandas.DataFrame, optional
        Last year's reference sample (as returned here): sizes the buffer rings, anticipates
        the coca share per stratum for the target-SE sample size and the Neyman allocation
        (:mod:`cocamonitor.simulate.design`). ``None``: the pilot design (fixed sizes).
    points : int, optional
        Total points a budget buys (instead of the target standard error).
    images : int, optional
        Images the census map was made from (for its cost in ``details["hours"]``).

    Returns
    -------
    estimate : MethodEstimate
    sample : pandas.DataFrame
        ``row, col, x, y, stratum, map_class, reference_class, distance_m, weight`` of the
        reference pixels (``weight``: pixels each one stands for); strata are ``coca``,
        ``buffer_1`` ... and ``other``.

    """
    cfg = hist.config
    g = cfg.good_practice
    ha = cfg.pixel_area_ha
    size = hist.landscape.size
    edges, rings_from = omission_edges(previous, cfg)
    names = ring_names(edges)
    coca_flat = _coca_flat(cmap)
    coca_b, dist, ring, block = _strata_blocks(hist, coca_flat, edges)
    free_px = block_pixels(size, block) - coca_b
    sizes = {"coca": int(coca_flat.size)}
    for k, name in enumerate(names[1:], start=1):
        sizes[name] = int(free_px[ring == k].sum())
    design = plan_good_practice(cfg, sizes, edges, rings_from, previous, points)
    flats, strata = [], []
    for k, name in enumerate(names):
        want = design.n.get(name, 0)
        if want == 0:
            continue
        if name == "coca":
            f = np.sort(rng.choice(coca_flat, size=want, replace=False))
        else:
            blocks = np.flatnonzero((ring == k) & (free_px > 0))
            f = _sample_blocks(rng, blocks, block, size, want, cmap)
        flats.append(f)
        strata += [name] * f.size
    flat = np.concatenate(flats) if flats else np.zeros(0, np.int64)
    strata_a = np.array(strata, dtype=object)
    ep = hist.episodes
    stand = ep.standing(hist.dec31(year))
    _, truth_flat = footprint_pixels(*hist.fields.rects(ep.field[stand]), ncols=size)
    ref = _member(np.sort(truth_flat), flat)
    r, c = flat // size, flat % size
    x, y = hist.landscape.xy(r, c)
    nb = -(-size // block)
    d_pt = np.where(strata_a == "coca", 0.0, dist[(r // block) * nb + c // block])
    n_h = np.array([design.n.get(s, 0) for s in names])
    N_h = np.array([sizes[s] for s in names], dtype=float)
    weight = np.array([sizes[s] / design.n[s] for s in strata_a]) if flat.size else np.zeros(0)
    sample = pd.DataFrame({
        "row": r, "col": c, "x": x, "y": y, "stratum": strata_a.astype(str),
        "map_class": np.where(cmap.reshape(-1)[flat] == 1, "coca", "other"),
        "reference_class": np.where(ref, "coca", "other"),
        "distance_m": d_pt, "weight": weight,
    })
    hits = np.array([int(ref[strata_a == s].sum()) for s in names])
    keep = n_h > 0
    total_px, se_px = stratified_total(hits[keep], n_h[keep], N_h[keep], smooth=g.smooth_variance)
    _, wald_px = stratified_total(hits[keep], n_h[keep], N_h[keep], smooth=False)
    z = quantile(g.confidence)
    area, se = total_px * ha, se_px * ha
    n_pts = int(flat.size)
    details = {f"N_{k}": v for k, v in sizes.items()} | {
        "n": n_pts, "design": design.to_dict(), "se_wald_ha": wald_px * ha,
        "hours": good_practice_hours(cfg, n_pts, images if images is not None else 0)}
    est = MethodEstimate(method="good_practice", year=year, area_ha=area, se_ha=se,
                         ci_low=area - z * se, ci_high=area + z * se, confidence=g.confidence,
                         details=details)
    return est, sample


def run_methods(hist: History, rng: np.random.Generator, *, on_year: Any = None,
                budget_hours: float | None = None, classified: Any = None) -> pd.DataFrame:
    """Run the census, the sample survey and good practice for every reported year.

    The census and good practice of the year before the first reported year are run too but
    not reported: the census map fills the first year's cloud gaps and stratifies its survey,
    and the good-practice pilot sample (fixed sizes) designs the first year's sample. Having no
    map before it, the warm-up census counts its own cloud gaps as no coca, which biases the
    first reported year's census slightly low when clouds are heavy.

    Parameters
    ----------
    hist : History
        The simulated true history.
    rng : numpy.random.Generator
        Draws clouds, map errors and samples (one replicate of the observation process).
    on_year : callable, optional
        Called as ``on_year(year, census_result, survey_segments, gp_sample, estimates)``
        (``estimates``: the year's three :class:`MethodEstimate`) after each
        reported year (for writing outputs or advancing a progress bar).
    budget_hours : float, optional
        Analyst hours per year given to each sample-based method (:mod:`.cost`): the survey
        buys segments, good practice pays for the census map and buys reference points.
        ``None``: the survey takes its configured segments and good practice the sample its
        target standard error asks for.
    classified : ClassifiedMapConfig or bool, optional
        Also run good practice on the classified map (``classified_map``; ``True``: the default
        :class:`~cocamonitor.simulate.classified.ClassifiedMapConfig`). It draws from its own
        generator, spawned from ``rng`` without advancing it, so the other three methods give
        the same numbers with or without it; under ``budget_hours`` it buys training and
        reference points (:func:`cocamonitor.simulate.classified.budget_config`).

    Returns
    -------
    pandas.DataFrame
        ``method, year, area_ha, se_ha, ci_low, ci_high, confidence, hours, units`` per method
        and year (``units``: images, segments or reference points).

    """
    cfg = hist.config
    segments = survey_segments_for(cfg, budget_hours) if budget_hours is not None else None
    ccfg, crng = None, None
    if classified is not None and classified is not False:
        from cocamonitor.simulate.classified import ClassifiedMapConfig, budget_config

        ccfg = ClassifiedMapConfig() if classified is True else classified
        if budget_hours is not None:
            ccfg = budget_config(cfg, ccfg, budget_hours)
        crng = rng.spawn(1)[0]  # its own stream: the other methods' draws do not change
    warm = census(hist, hist.years[0] - 1, None, rng)
    prev = warm.map
    _, prev_sample = good_practice(hist, hist.years[0] - 1, warm.map, rng)
    rows = []
    for y in hist.years:
        cen = census(hist, y, prev, rng)
        images = cen.estimate.details["images"]
        sv, segs = sample_survey(hist, y, prev, rng, segments=segments)
        pts = points_for(cfg, budget_hours, images) if budget_hours is not None else None
        gp, smp = good_practice(hist, y, cen.map, rng, previous=prev_sample, points=pts,
                                images=images)
        done = [(cen.estimate, images), (sv, sv.details["segments"]), (gp, gp.details["n"])]
        if ccfg is not None and crng is not None:
            from cocamonitor.simulate.classified import classified_good_practice

            cl, _ = classified_good_practice(hist, y, crng, ccfg)
            done.append((cl, cl.details["n"] + cl.details["train_points"]))
        for e, units in done:
            d = e.to_dict()
            d.pop("details")
            rows.append(d | {"hours": e.details["hours"], "units": units})
        if on_year is not None:
            on_year(y, cen, segs, smp, [e for e, _ in done])
        prev = cen.map
        prev_sample = smp
    return pd.DataFrame(rows)
