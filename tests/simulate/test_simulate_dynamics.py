from __future__ import annotations

import numpy as np
import pytest
from sim_configs import small_config

from cocamonitor.simulate.config import SimulationConfig
from cocamonitor.simulate.dynamics import (
    ABANDONED,
    DAYS_PER_YEAR,
    ERADICATED,
    Episodes,
    Fields,
    History,
    simulate_history,
)
from cocamonitor.simulate.landscape import footprint_pixels, make_landscape

YEARS = [2019, 2020, 2021, 2022]


@pytest.fixture(scope="module")
def hist():
    from sim_configs import small_config

    return simulate_history(small_config(), YEARS, seed=11)


def test_bookkeeping_is_exact_every_year(hist):
    tab = hist.truth_table()
    assert (tab["planted_ha"] > 0).all() and (tab["eradicated_ha"] > 0).all()
    assert (tab["abandoned_ha"] > 0).all() and (tab["replanted_ha"] > 0).all()
    for y in YEARS:
        f = hist.flows(y)  # integer pixels: exact arithmetic
        assert f["start"] + f["planted"] + f["replanted"] - f["eradicated"] - f["abandoned"] \
            == f["dec31"]
        # and the stock agrees with an independent count of the painted truth raster
        assert int(hist.truth_raster(hist.dec31(y)).sum()) == f["dec31"]
    # consecutive years chain: this year's start is last year's 31 Dec
    assert np.allclose(tab["start_ha"].to_numpy()[1:], tab["dec31_ha"].to_numpy()[:-1])


def test_living_fields_never_overlap(hist):
    ep = hist.episodes
    for t in np.linspace(0, hist.dec31(YEARS[-1]), 25):
        f = ep.field[ep.standing(t)]
        assert np.unique(f).size == f.size  # one standing planting per field at a time
        _, flat = footprint_pixels(*hist.fields.rects(f), ncols=hist.shape[1])
        assert np.unique(flat).size == flat.size


def test_episodes_are_consistent(hist):
    ep = hist.episodes
    assert (ep.end > ep.start).all()
    closed = np.isfinite(ep.end)
    assert set(np.unique(ep.reason[closed])) <= {ERADICATED, ABANDONED}
    assert (ep.reason[~closed] == 0).all()
    # a replanting follows an eradication of the same field
    rep = np.flatnonzero(ep.replant)
    prev = rep - 1
    assert (ep.field[prev] == ep.field[rep]).all()
    assert (ep.reason[prev] == ERADICATED).all()
    assert (ep.end[prev] <= ep.start[rep]).all()


def test_field_sizes_lognormal_mostly_small():
    cfg = SimulationConfig().replace(landscape={"size": 600})
    h = simulate_history(cfg, [2020], seed=5)
    size = h.fields.pixels * cfg.pixel_area_ha
    assert (size < 2.0).mean() > 0.85
    assert abs(np.median(size) - cfg.dynamics.size_median_ha) < 0.15
    assert size.max() <= cfg.dynamics.size_max_ha + 1e-9


def _mean_nn_distance(h):
    from scipy.spatial import cKDTree

    f = h.fields
    centre = np.c_[f.row + f.height / 2, f.col + f.width / 2]
    return cKDTree(centre).query(centre, k=2)[0][:, 1].mean(), len(f)


def test_new_fields_cluster_near_existing_coca():
    base = SimulationConfig().replace(landscape={"size": 800})
    clustered, n = _mean_nn_distance(simulate_history(base, [2020, 2021, 2022], seed=2))
    spread_cfg = base.replace(dynamics={"cluster_share": 0.0, "edge_weight": 0.0})
    spread, _ = _mean_nn_distance(simulate_history(spread_cfg, [2020, 2021, 2022], seed=2))
    # Clark-Evans: under complete spatial randomness the mean nearest-neighbour distance is
    # 0.5 / sqrt(density) with standard error 0.26136 / sqrt(n * density)
    density = n / base.landscape.size**2
    csr, se = 0.5 / np.sqrt(density), 0.26136 / np.sqrt(n * density)
    assert clustered < csr - 5 * se  # clustered far beyond chance (z < -5)
    assert clustered < 0.8 * spread


def test_fields_favour_forest_edges():
    cfg = SimulationConfig().replace(landscape={"size": 800},
                                     dynamics={"cluster_share": 0.0, "edge_weight": 1.0})
    h = simulate_history(cfg, [2020], seed=3)
    land = h.landscape
    f = h.fields
    r = ((f.row + f.height / 2) // land.coarse).astype(int)
    c = ((f.col + f.width / 2) // land.coarse).astype(int)
    ok = (r < land.edge_suitability.shape[0]) & (c < land.edge_suitability.shape[1])
    at_fields = land.edge_suitability[r[ok], c[ok]].mean()
    assert at_fields > land.edge_suitability.mean() + 0.15


def test_harvest_dates_by_hand():
    # 4 harvests a year, the first 6 months after planting
    cfg = SimulationConfig().replace(landscape={"size": 20}, sample_survey={"segment_size_m": 100.0})
    land = make_landscape(cfg, seed=0)
    fields = Fields(row=np.array([0, 5, 10]), col=np.zeros(3, int), height=np.ones(3, int),
                    width=np.array([2, 3, 4]), created=np.zeros(3))
    # year 0 = days [0, 365)
    eps = Episodes(field=np.array([0, 1, 2]), start=np.array([-100.0, 300.0, -400.0]),
                   end=np.array([np.inf, np.inf, 10.0]), reason=np.array([0, 0, ERADICATED]),
                   replant=np.zeros(3, bool))
    h = History(config=cfg, landscape=land, years=[2000], origin_year=2000, fields=fields,
                episodes=eps, lookalikes=Fields(*(np.zeros(0, int),) * 4, created=np.zeros(0)))
    # field 0: first harvest at day 82.5 -> harvested; field 1: first harvest at 482.5 -> not;
    # field 2: harvests at -217.5, -126.25, -35, 56.25 but eradicated on day 10 -> not
    assert h.harvested_pixels(2000) == 2
    # next year field 1 yields (482.5 in [365, 730))
    assert h.harvested_pixels(2001) == 2 + 3
    assert h.dec31(2000) == 364.5 and h.year_start(2001) == DAYS_PER_YEAR


def test_same_seed_same_history_bit_for_bit():
    small = small_config()
    a = simulate_history(small, YEARS, seed=4)
    b = simulate_history(small, YEARS, seed=4)
    c = simulate_history(small, YEARS, seed=5)
    for name in ("row", "col", "height", "width", "created"):
        assert np.array_equal(getattr(a.fields, name), getattr(b.fields, name))
    for name in ("field", "start", "end", "reason", "replant"):
        assert np.array_equal(getattr(a.episodes, name), getattr(b.episodes, name))
    assert np.array_equal(a.landscape.forest, b.landscape.forest)
    assert a.truth_table().equals(b.truth_table())
    assert not a.truth_table().equals(c.truth_table())


def test_forest_fraction():
    cfg = SimulationConfig().replace(landscape={"size": 400, "forest_fraction": 0.3})
    land = make_landscape(cfg, seed=1)
    assert abs(land.forest.mean() - 0.3) < 0.05


def test_eradication_seasonality_moves_eradication_towards_its_peak():
    from cocamonitor.simulate.dynamics import DAYS_PER_YEAR, ERADICATED

    def doy(amplitude):
        cfg = small_config(dynamics={"eradication_rate": 0.6, "eradication_seasonality": amplitude,
                                     "eradication_peak_day": 350.0})
        ep = simulate_history(cfg, [2018, 2019, 2020, 2021], seed=3).episodes
        return ep.end[ep.reason == ERADICATED] % DAYS_PER_YEAR

    spread, december = doy(0.0), doy(0.9)
    near = lambda d: np.mean(np.abs(((d - 350.0 + 182.5) % 365.0) - 182.5) < 45.0)  # noqa: E731
    # evenly spread: about 90/365 of events within 45 days of the peak; seasonal: far more
    assert abs(near(spread) - 90 / 365) < 0.08
    assert near(december) > near(spread) + 0.15
