"""Coca field lifecycle: planting, harvests, manual eradication with replanting, abandonment.

The simulation is event-based and vectorised over fields. A *field* is a fixed rectangle of
pixels; an *episode* is one planting of a field, from its planting (or replanting) date to the
date it is eradicated or abandoned (``inf`` while still standing). Fields that are alive never
overlap, so the coca area standing at any instant is the sum of the pixel counts of the
episodes that cover it -- which is what makes the bookkeeping exact (see :meth:`History.flows`).

Each year:

1. new fields appear: their number is Poisson with mean ``new_field_rate x standing fields x
   year shock + background_fields_per_km2 x area``; a share ``cluster_share`` lies at an
   exponential distance from a standing field, the rest favour forest edges; sizes are
   lognormal (median ``size_median_ha``); planting dates are uniform through the year; a
   candidate that would overlap a living field is dropped;
2. each standing episode meets eradication (rate ``eradication_rate``, evenly through the
   year or, with ``eradication_seasonality``, concentrated around ``eradication_peak_day``) and
   abandonment (rate ``abandonment_rate``) as competing events on dates through the year; an
   eradicated field is replanted with probability ``replant_probability`` after a delay
   (uniform between 0.5 and 1.5 times ``replant_delay_months``), otherwise it is given up;
3. a field gives its first harvest ``months_to_first_harvest`` after planting and then one
   every ``12 / harvests_per_year`` months while it stands.

Examples
--------
>>> from cocamonitor.simulate.config import SimulationConfig
>>> cfg = SimulationConfig().replace(landscape={"size": 200})
>>> hist = simulate_history(cfg, [2020, 2021], seed=3)
>>> tab = hist.truth_table()
>>> list(tab.columns[:3])
['year', 'dec31_ha', 'harvested_ha']
>>> bool((tab["start_ha"] + tab["planted_ha"] + tab["replanted_ha"] - tab["eradicated_ha"]
...       - tab["abandoned_ha"] - tab["dec31_ha"]).abs().max() < 1e-9)
True

"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cocamonitor.simulate.config import SimulationConfig
from cocamonitor.simulate.landscape import Landscape, footprint_pixels, make_landscape

__all__ = [
    "DAYS_PER_MONTH",
    "DAYS_PER_YEAR",
    "DEC31",
    "ERADICATED",
    "ABANDONED",
    "Fields",
    "Episodes",
    "History",
    "simulate_history",
]

DAYS_PER_YEAR = 365.0
DAYS_PER_MONTH = DAYS_PER_YEAR / 12.0
DEC31 = 364.5  # noon of 31 December, in days from 1 January
OPEN, ERADICATED, ABANDONED = 0, 1, 2


@dataclass(frozen=True)
class Fields:
    """Every field ever created: a rectangle of pixels and its creation date (days)."""

    row: np.ndarray
    col: np.ndarray
    height: np.ndarray
    width: np.ndarray
    created: np.ndarray

    @property
    def pixels(self) -> np.ndarray:
        """Pixels of each field."""
        return self.height.astype(np.int64) * self.width.astype(np.int64)

    def __len__(self) -> int:
        return len(self.row)

    def rects(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Rectangles ``row, col, height, width`` of the fields ``idx``."""
        return self.row[idx], self.col[idx], self.height[idx], self.width[idx]


@dataclass(frozen=True)
class Episodes:
    """Plantings: field, start and end (days; ``inf`` = still standing), end reason, replant."""

    field: np.ndarray
    start: np.ndarray
    end: np.ndarray
    reason: np.ndarray
    replant: np.ndarray

    def __len__(self) -> int:
        return len(self.field)

    def standing(self, t: float) -> np.ndarray:
        """Boolean mask of the episodes standing at instant ``t``."""
        return (self.start <= t) & (t < self.end)


@dataclass(frozen=True)
class History:
    """The true history of a landscape: fields, episodes and look-alike patches.

    Attributes
    ----------
    config : SimulationConfig
    landscape : Landscape
    years : list of int
        The reported years.
    origin_year : int
        Year whose 1 January is day 0 (first spin-up year).
    fields : Fields
    episodes : Episodes
    lookalikes : Fields
        Persistent non-coca patches that a classifier may confuse with coca.

    """

    config: SimulationConfig
    landscape: Landscape
    years: list[int]
    origin_year: int
    fields: Fields
    episodes: Episodes
    lookalikes: Fields

    @property
    def shape(self) -> tuple[int, int]:
        """Grid shape."""
        return (self.landscape.size, self.landscape.size)

    def year_start(self, year: int) -> float:
        """Day of 1 January 00:00 of ``year``."""
        return (year - self.origin_year) * DAYS_PER_YEAR

    def dec31(self, year: int) -> float:
        """Day of 31 December (noon) of ``year``: the census cut-off instant."""
        return self.year_start(year) + DEC31

    def standing_pixels(self, t: float) -> int:
        """Pixels of coca standing at instant ``t``."""
        m = self.episodes.standing(t)
        return int(self.fields.pixels[self.episodes.field[m]].sum())

    def truth_raster(self, t: float) -> np.ndarray:
        """uint8 grid: 1 where coca stands at instant ``t``, else 0."""
        m = self.episodes.standing(t)
        f = self.episodes.field[m]
        _, flat = footprint_pixels(*self.fields.rects(f), ncols=self.shape[1])
        out = np.zeros(self.shape, dtype=np.uint8)
        out.reshape(-1)[flat] = 1
        return out

    def land_cover(self, t: float) -> np.ndarray:
        """uint8 grid at instant ``t``: 0 other, 1 forest, 2 coca; cleared fields are 'other'."""
        lc = self.landscape.forest.astype(np.uint8)
        made = np.flatnonzero(self.fields.created <= t)
        _, flat = footprint_pixels(*self.fields.rects(made), ncols=self.shape[1])
        lc.reshape(-1)[flat] = 0
        lc[self.truth_raster(t) == 1] = 2
        return lc

    def harvested_pixels(self, year: int) -> int:
        """Pixels of the fields harvested at least once during calendar ``year``."""
        cfg = self.config.dynamics
        t0, t1 = self.year_start(year), self.year_start(year) + DAYS_PER_YEAR
        ep = self.episodes
        first = ep.start + cfg.months_to_first_harvest * DAYS_PER_MONTH
        interval = DAYS_PER_YEAR / cfg.harvests_per_year
        since = np.maximum(first, t0)
        k = np.ceil((since - first) / interval)
        when = first + k * interval
        ok = (when < np.minimum(ep.end, t1)) & (when >= t0)
        fields = np.unique(ep.field[ok])
        return int(self.fields.pixels[fields].sum())

    def healthy(self, t: float) -> np.ndarray:
        """Mask of episodes standing at ``t`` and at least ``healthy_min_age_months`` old."""
        age = self.config.sample_survey.healthy_min_age_months * DAYS_PER_MONTH
        return self.episodes.standing(t) & (self.episodes.start + age <= t)

    def flows(self, year: int) -> dict[str, int]:
        """Pixels entering and leaving coca between the 31 Dec of ``year - 1`` and of ``year``.

        ``start + planted + replanted - eradicated - abandoned == dec31`` holds exactly.
        """
        s0, s1 = self.dec31(year - 1), self.dec31(year)
        ep = self.episodes
        px = self.fields.pixels[ep.field]
        began = (ep.start > s0) & (ep.start <= s1)
        ended = (ep.end > s0) & (ep.end <= s1)
        return {
            "start": self.standing_pixels(s0),
            "planted": int(px[began & ~ep.replant].sum()),
            "replanted": int(px[began & ep.replant].sum()),
            "eradicated": int(px[ended & (ep.reason == ERADICATED)].sum()),
            "abandoned": int(px[ended & (ep.reason == ABANDONED)].sum()),
            "dec31": self.standing_pixels(s1),
        }

    def truth_table(self) -> pd.DataFrame:
        """One row per reported year: 31 Dec area, harvested area and the flows, in hectares.

        Columns ``year, dec31_ha, harvested_ha, start_ha, planted_ha, replanted_ha,
        eradicated_ha, abandoned_ha, fields_standing``. ``harvested_ha`` is the area of the
        fields harvested at least once in the calendar year.
        """
        ha = self.config.pixel_area_ha
        rows = []
        for y in self.years:
            fl = self.flows(y)
            rows.append({
                "year": y,
                "dec31_ha": fl["dec31"] * ha,
                "harvested_ha": self.harvested_pixels(y) * ha,
                "start_ha": fl["start"] * ha,
                "planted_ha": fl["planted"] * ha,
                "replanted_ha": fl["replanted"] * ha,
                "eradicated_ha": fl["eradicated"] * ha,
                "abandoned_ha": fl["abandoned"] * ha,
                "fields_standing": int(self.episodes.standing(self.dec31(y)).sum()),
            })
        return pd.DataFrame(rows)

    def eradication_records(self) -> pd.DataFrame:
        """Manual eradication events: ``field, day, year, pixels, area_ha, x, y`` (field centre)."""
        ep = self.episodes
        m = ep.reason == ERADICATED
        f = ep.field[m]
        day = ep.end[m]
        r, c, h, w = self.fields.rects(f)
        x, y = self.landscape.xy(r + h / 2 - 0.5, c + w / 2 - 0.5)
        px = self.fields.pixels[f]
        return pd.DataFrame({
            "field": f, "day": day, "year": self.origin_year + (day // DAYS_PER_YEAR).astype(int),
            "pixels": px, "area_ha": px * self.config.pixel_area_ha, "x": x, "y": y,
        })


def _field_shapes(n: int, cfg: SimulationConfig, rng: np.random.Generator,
                  median_ha: float, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Heights and widths (pixels) of ``n`` lognormal-sized rectangles."""
    d = cfg.dynamics
    size = np.exp(np.log(median_ha) + sigma * rng.standard_normal(n))
    size = np.clip(size, cfg.pixel_area_ha, d.size_max_ha)
    px = np.maximum(1.0, np.round(size / cfg.pixel_area_ha))
    aspect = rng.uniform(1.0, d.aspect_max, n)
    h = np.maximum(1, np.round(np.sqrt(px * aspect))).astype(np.intp)
    w = np.maximum(1, np.round(px / h)).astype(np.intp)
    swap = rng.random(n) < 0.5
    h, w = np.where(swap, w, h), np.where(swap, h, w)
    lim = cfg.landscape.size
    return np.minimum(h, lim), np.minimum(w, lim)


def _edge_cdf(land: Landscape, weight: float) -> np.ndarray:
    """Cumulative placement density over coarse cells: (1 - weight) + weight * edge."""
    suit = (1.0 - weight) + weight * land.edge_suitability.reshape(-1)
    if suit.sum() <= 0:
        suit = np.ones_like(suit)
    cdf = np.cumsum(suit)
    return cdf / cdf[-1]


def _edge_centres(n: int, land: Landscape, cdf: np.ndarray,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Centres (fractional row, col) drawn from the coarse-cell density ``cdf``."""
    cells = np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), cdf.size - 1)
    nc = land.edge_suitability.shape[1]
    r = (cells // nc) * land.coarse + rng.random(n) * land.coarse
    c = (cells % nc) * land.coarse + rng.random(n) * land.coarse
    return r, c


class _Placer:
    """Places new fields without overlapping living fields (an owner grid of field ids)."""

    def __init__(self, cfg: SimulationConfig, land: Landscape):
        self.cfg = cfg
        self.land = land
        self.owner = np.full(land.size * land.size, -1, dtype=np.int32)
        self.cdf = _edge_cdf(land, cfg.dynamics.edge_weight)

    def place(self, n: int, parents: tuple[np.ndarray, np.ndarray] | None, first_id: int,
              rng: np.random.Generator, cluster_share: float,
              attempts: int = 6) -> tuple[np.ndarray, ...]:
        """Place ``n`` fields; a candidate that overlaps is redrawn (up to ``attempts`` times)."""
        got: list[tuple[np.ndarray, ...]] = []
        placed = 0
        for _ in range(attempts):
            if n - placed <= 0:
                break
            rect = self._try(n - placed, parents, first_id + placed, rng, cluster_share)
            got.append(rect)
            placed += len(rect[0])
        if not got:
            return tuple(np.zeros(0, np.intp) for _ in range(4))
        return tuple(np.concatenate(parts) for parts in zip(*got, strict=True))

    def _try(self, n: int, parents: tuple[np.ndarray, np.ndarray] | None, first_id: int,
             rng: np.random.Generator, cluster_share: float) -> tuple[np.ndarray, ...]:
        d, size = self.cfg.dynamics, self.land.size
        h, w = _field_shapes(n, self.cfg, rng, d.size_median_ha, d.size_sigma)
        near = rng.random(n) < cluster_share if parents is not None and len(parents[0]) else \
            np.zeros(n, dtype=bool)
        cr, cc = _edge_centres(n, self.land, self.cdf, rng)
        k = int(near.sum())
        if k:
            assert parents is not None  # near is all False without parents
            pick = rng.integers(0, len(parents[0]), k)
            dist = rng.exponential(d.cluster_distance_m / self.land.pixel_size_m, k)
            ang = rng.uniform(0, 2 * np.pi, k)
            cr[near] = parents[0][pick] + dist * np.sin(ang)
            cc[near] = parents[1][pick] + dist * np.cos(ang)
        r0 = np.clip(np.round(cr - h / 2), 0, size - h).astype(np.intp)
        c0 = np.clip(np.round(cc - w / 2), 0, size - w).astype(np.intp)
        owner, flat = footprint_pixels(r0, c0, h, w, size)
        bad = np.zeros(n, dtype=bool)
        bad[owner[self.owner[flat] >= 0]] = True
        # inside the batch, the first field claiming a pixel keeps it (owner is sorted)
        order = np.argsort(flat, kind="stable")
        sf, so = flat[order], owner[order]
        new_grp = np.empty(sf.size, dtype=bool)
        new_grp[:1] = True
        new_grp[1:] = sf[1:] != sf[:-1]
        grp = np.cumsum(new_grp) - 1
        bad[so[so != so[new_grp][grp]]] = True
        ok = ~bad
        keep = ok[owner]
        ids = first_id + np.cumsum(ok) - 1
        self.owner[flat[keep]] = ids[owner[keep]].astype(np.int32)
        return r0[ok], c0[ok], h[ok], w[ok]

    def release(self, rects: tuple[np.ndarray, ...]) -> None:
        row, col, height, width = rects
        _, flat = footprint_pixels(row, col, height, width, ncols=self.land.size)
        self.owner[flat] = -1


def _seasonal_hazard(rate: float, amplitude: float, peak_day: float,
                     n_years: int) -> tuple[np.ndarray, np.ndarray]:
    """Daily grid of days and the cumulative eradication hazard up to each day.

    The hazard is ``rate * (1 + amplitude * cos(2 pi (t - peak_day) / 365))`` per day: its mean
    over a year is ``rate``, so seasonality moves eradication in the year without changing how
    much there is.

    Examples
    --------
    >>> t, h = _seasonal_hazard(0.1 / 365, 0.9, 350.0, 2)
    >>> round(float(h[365]), 6), bool(np.all(np.diff(h) > 0))
    (0.1, True)

    """
    t = np.arange(0.0, n_years * DAYS_PER_YEAR + 1.0)
    w = 2 * np.pi / DAYS_PER_YEAR
    h = rate * (t + amplitude / w * (np.sin(w * (t - peak_day)) - np.sin(w * (0.0 - peak_day))))
    return t, h


def simulate_history(cfg: SimulationConfig, years: list[int], seed: int,
                     landscape: Landscape | None = None) -> History:
    """Simulate the true coca history of a landscape over the spin-up and the ``years``.

    Parameters
    ----------
    cfg : SimulationConfig
        Simulator parameters.
    years : list of int
        Consecutive reported years; one more year is simulated after the last so that images
        and survey segments taken in January exist.
    seed : int
        Seed of the landscape and the dynamics (bit-for-bit reproducible).
    landscape : Landscape, optional
        Reuse a landscape instead of drawing one from ``seed``.

    Returns
    -------
    History

    """
    ss = np.random.SeedSequence(int(seed))
    land_ss, dyn_ss, look_ss = ss.spawn(3)
    land = landscape if landscape is not None else make_landscape(cfg, np.random.default_rng(land_ss))
    rng = np.random.default_rng(dyn_ss)
    d = cfg.dynamics
    origin = years[0] - d.spinup_years
    n_years = d.spinup_years + len(years) + 1
    area_km2 = cfg.area_km2
    placer = _Placer(cfg, land)

    f_row: list[np.ndarray] = []
    f_col: list[np.ndarray] = []
    f_h: list[np.ndarray] = []
    f_w: list[np.ndarray] = []
    f_created: list[np.ndarray] = []
    n_fields = 0
    # closed episodes
    c_field: list[np.ndarray] = []
    c_start: list[np.ndarray] = []
    c_end: list[np.ndarray] = []
    c_reason: list[np.ndarray] = []
    c_replant: list[np.ndarray] = []
    # open episodes (one per living field)
    o_field = np.zeros(0, np.intp)
    o_start = np.zeros(0)
    o_replant = np.zeros(0, bool)
    rows = np.zeros(0, np.intp)
    cols = np.zeros(0, np.intp)
    hs = np.zeros(0, np.intp)
    ws = np.zeros(0, np.intp)

    erate = d.eradication_rate / DAYS_PER_YEAR
    season = _seasonal_hazard(erate, d.eradication_seasonality, d.eradication_peak_day,
                              n_years) if d.eradication_seasonality > 0 else None
    arate = d.abandonment_rate / DAYS_PER_YEAR
    delay = d.replant_delay_months * DAYS_PER_MONTH

    for yi in range(n_years):
        t0, t1 = yi * DAYS_PER_YEAR, (yi + 1) * DAYS_PER_YEAR
        # 1. new fields
        if yi == 0:
            n_new = rng.poisson(d.initial_fields_per_km2 * area_km2)
            parents, share = None, 0.0
        else:
            standing = o_start <= t0
            shock = np.exp(d.new_field_rate_sd * rng.standard_normal() - d.new_field_rate_sd**2 / 2)
            lam = d.new_field_rate * shock * standing.sum() + d.background_fields_per_km2 * area_km2
            n_new = rng.poisson(lam)
            pf = o_field[standing]
            parents = (rows[pf] + hs[pf] / 2.0, cols[pf] + ws[pf] / 2.0)
            share = d.cluster_share
        if n_new and yi == 0:
            # initial fields: a few cores on forest edges, the rest clustered around them
            n_core = max(1, int(round(n_new * (1.0 - d.cluster_share))))
            core = placer.place(n_core, None, n_fields, rng, 0.0)
            centres = (core[0] + core[2] / 2.0, core[1] + core[3] / 2.0)
            rest = placer.place(int(n_new) - n_core, centres, n_fields + len(core[0]), rng, 1.0)
            r0, c0, h, w = (np.concatenate([a, b]) for a, b in zip(core, rest, strict=True))
        elif n_new:
            r0, c0, h, w = placer.place(int(n_new), parents, n_fields, rng, share)
        if n_new:
            k = len(r0)
            if yi == 0:
                planted = rng.uniform(t0 - DAYS_PER_YEAR, t0, k)
            else:
                planted = rng.uniform(t0, t1, k)
            ids = np.arange(n_fields, n_fields + k, dtype=np.intp)
            n_fields += k
            f_row.append(r0)
            f_col.append(c0)
            f_h.append(h)
            f_w.append(w)
            f_created.append(planted)
            rows = np.concatenate([rows, r0])
            cols = np.concatenate([cols, c0])
            hs = np.concatenate([hs, h])
            ws = np.concatenate([ws, w])
            o_field = np.concatenate([o_field, ids])
            o_start = np.concatenate([o_start, planted])
            o_replant = np.concatenate([o_replant, np.zeros(k, bool)])
        # 2. eradication / abandonment events through the year (repeat for replantings)
        dead: list[np.ndarray] = []
        todo = np.flatnonzero(o_start < t1)
        while todo.size:
            cursor = np.maximum(o_start[todo], t0)
            if erate <= 0:
                te = np.full(todo.size, np.inf)
            elif season is None:
                te = cursor + rng.exponential(1.0, todo.size) / erate
            else:  # seasonal hazard: invert the cumulative hazard on a daily grid
                h0 = np.interp(cursor, season[0], season[1])
                te = np.interp(h0 + rng.exponential(1.0, todo.size), season[1], season[0])
            ta = cursor + rng.exponential(1.0, todo.size) / arate if arate > 0 else \
                np.full(todo.size, np.inf)
            ev = np.minimum(te, ta)
            hit = ev < t1
            idx = todo[hit]
            if not idx.size:
                break
            evh = ev[hit]
            erad = te[hit] <= ta[hit]
            c_field.append(o_field[idx])
            c_start.append(o_start[idx])
            c_end.append(evh)
            c_reason.append(np.where(erad, ERADICATED, ABANDONED).astype(np.int8))
            c_replant.append(o_replant[idx])
            again = erad & (rng.random(idx.size) < d.replant_probability)
            wait = delay * rng.uniform(0.5, 1.5, idx.size)
            o_start[idx] = np.where(again, evh + wait, np.inf)
            o_replant[idx] = True
            dead.append(idx[~again])
            nxt = idx[again]
            todo = nxt[o_start[nxt] < t1]
        # 3. drop fields that died this year, release their footprints
        if dead:
            gone = np.concatenate(dead)
            if gone.size:
                fl = o_field[gone]
                placer.release((rows[fl], cols[fl], hs[fl], ws[fl]))
                keep = np.ones(o_field.size, bool)
                keep[gone] = False
                o_field, o_start, o_replant = o_field[keep], o_start[keep], o_replant[keep]

    # open episodes stay standing
    c_field.append(o_field)
    c_start.append(o_start)
    c_end.append(np.full(o_field.size, np.inf))
    c_reason.append(np.zeros(o_field.size, np.int8))
    c_replant.append(o_replant)

    def cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

    fields = Fields(row=cat(f_row, np.int32), col=cat(f_col, np.int32), height=cat(f_h, np.int32),
                    width=cat(f_w, np.int32), created=cat(f_created, np.float64))
    ep = Episodes(field=cat(c_field, np.intp), start=cat(c_start, np.float64),
                  end=cat(c_end, np.float64), reason=cat(c_reason, np.int8),
                  replant=cat(c_replant, bool))
    order = np.lexsort((ep.start, ep.field))
    ep = Episodes(*(a[order] for a in (ep.field, ep.start, ep.end, ep.reason, ep.replant)))
    # drop pending replantings that fall after the end of the simulation (never standing)
    live = ep.start < n_years * DAYS_PER_YEAR
    ep = Episodes(*(a[live] for a in (ep.field, ep.start, ep.end, ep.reason, ep.replant)))

    look_rng = np.random.default_rng(look_ss)
    o = cfg.observation
    n_look = look_rng.poisson(o.lookalike_per_km2 * area_km2)
    lh, lw = _field_shapes(int(n_look), cfg, look_rng, d.size_median_ha, d.size_sigma)
    lr = (look_rng.random(n_look) * (land.size - lh + 1)).astype(np.int32)
    lcol = (look_rng.random(n_look) * (land.size - lw + 1)).astype(np.int32)
    look = Fields(row=lr, col=lcol, height=lh.astype(np.int32), width=lw.astype(np.int32),
                  created=np.full(n_look, -np.inf))
    return History(config=cfg, landscape=land, years=list(years), origin_year=origin,
                   fields=fields, episodes=ep, lookalikes=look)
