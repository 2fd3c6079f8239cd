"""Cost model: what each method's units cost, and what a budget buys.

Costs are in analyst hours per survey year; high-resolution imagery bought for survey segments is
converted to hours at ``usd_per_hour``. The census classifies ``images`` wall-to-wall scenes a
year; good practice labels reference points on the census map (so it pays for the map too);
the sample survey delineates coca in segments on imagery it buys (it stratifies with last year's
map, already paid for). The defaults in ``[cost]`` are stated assumptions, to calibrate.

Examples
--------
>>> from cocamonitor.simulate.config import SimulationConfig
>>> cfg = SimulationConfig()
>>> census_hours(cfg, images=3), segment_hours(cfg)
(24.0, 4.8)
>>> survey_segments_for(cfg, 100.0)
{'high': 9, 'low': 8, 'none': 3}
>>> points_for(cfg, 100.0, images=3)
1520

"""

from __future__ import annotations

import math

from cocamonitor.errors import ParameterError
from cocamonitor.simulate.config import SimulationConfig

__all__ = [
    "census_hours",
    "good_practice_hours",
    "points_for",
    "scenes_per_image",
    "segment_hours",
    "survey_hours",
    "survey_segments_for",
]

_BUDGET = "budget_hours"


def scenes_per_image(cfg: SimulationConfig) -> int:
    """Wall-to-wall scenes that cover the landscape."""
    return max(1, math.ceil(cfg.area_km2 / cfg.cost.scene_km2 - 1e-9))


def census_hours(cfg: SimulationConfig, images: int) -> float:
    """Hours of a census that classifies ``images`` acquisitions."""
    return float(images * scenes_per_image(cfg) * cfg.cost.hours_per_scene)


def segment_hours(cfg: SimulationConfig) -> float:
    """Hours of one survey segment: interpretation plus its imagery."""
    c = cfg.cost
    km2 = (cfg.sample_survey.segment_size_m / 1000.0) ** 2
    return float(c.hours_per_segment + km2 * c.imagery_usd_per_km2 / c.usd_per_hour)


def survey_hours(cfg: SimulationConfig, segments: int) -> float:
    """Hours of a survey of ``segments`` segments."""
    return float(segments * segment_hours(cfg))


def good_practice_hours(cfg: SimulationConfig, points: int, images: int) -> float:
    """Hours of good practice: the census map plus ``points`` reference points."""
    return census_hours(cfg, images) + float(points * cfg.cost.hours_per_point)


def survey_segments_for(cfg: SimulationConfig, hours: float) -> dict[str, int]:
    """Segments per stratum a budget buys, shared as the configured design shares them.

    Raises
    ------
    ParameterError
        The budget buys fewer than two segments per stratum of the configured design.

    """
    s = cfg.sample_survey
    base = {"high": s.segments_high, "low": s.segments_low, "none": s.segments_none}
    base = {k: v for k, v in base.items() if v > 0}
    total = int(math.floor(hours / segment_hours(cfg) + 1e-9))
    need = 2 * len(base)
    if total < need:
        raise ParameterError(
            f"a budget of {hours:g} h buys {total} survey segments, fewer than the {need} of the "
            "minimum design (two per stratum)", where=_BUDGET,
            hint=f"give at least {need * segment_hours(cfg):g} h")
    weight = sum(base.values())
    ideal = {k: total * v / weight for k, v in base.items()}
    out = {k: max(2, int(math.floor(x))) for k, x in ideal.items()}
    order = sorted(base, key=lambda k: ideal[k] - math.floor(ideal[k]), reverse=True)
    i = 0
    while sum(out.values()) < total:
        out[order[i % len(order)]] += 1
        i += 1
    while sum(out.values()) > total:
        k = max(out, key=lambda k: out[k])
        out[k] -= 1
    return out


def points_for(cfg: SimulationConfig, hours: float, images: int) -> int:
    """Return the reference points a budget buys once the census map is paid for.

    Raises
    ------
    ParameterError
        The budget does not pay for the map and a minimum sample.

    """
    left = hours - census_hours(cfg, images)
    pts = int(math.floor(left / cfg.cost.hours_per_point + 1e-9))
    if pts < 6:
        need = census_hours(cfg, images) + 6 * cfg.cost.hours_per_point
        raise ParameterError(
            f"a budget of {hours:g} h leaves {max(pts, 0)} reference points after the map "
            "(good practice needs two per stratum)", where=_BUDGET,
            hint=f"give at least {need:g} h")
    return pts
