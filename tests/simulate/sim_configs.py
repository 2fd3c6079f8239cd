"""Small simulator configurations shared by the simulate tests (a plain module: conftest
names clash between test directories)."""

from __future__ import annotations

from cocamonitor.simulate.config import SimulationConfig

# a 2 x 2 km landscape dense enough in coca for samples to find it
SMALL = {
    "landscape": {"size": 200},
    "dynamics": {"initial_fields_per_km2": 25.0, "background_fields_per_km2": 2.0,
                 "spinup_years": 2},
    "sample_survey": {"segment_size_m": 200.0, "high_density_ha": 1.0, "segments_high": 10,
                      "segments_low": 10, "segments_none": 5, "points_per_segment": 40},
    "good_practice": {"buffer_m": 200.0, "n_coca": 40, "n_buffer": 40, "n_other": 40},
}

PERFECT = {
    "observation": {"cloud_mean": 0.0, "acquisition_offset_days": 0.0, "detection_max": 1.0,
                    "detection_size_scale_ha": 0.0, "detection_age_scale_months": 0.0,
                    "fallow_confusion": 0.0, "lookalike_confusion": 0.0},
}


def small_config(**sections: dict) -> SimulationConfig:
    """The SMALL configuration with some sections' keys replaced."""
    merged = {k: dict(v) for k, v in SMALL.items()}
    for name, values in sections.items():
        merged.setdefault(name, {}).update(values)
    return SimulationConfig().replace(**merged)
