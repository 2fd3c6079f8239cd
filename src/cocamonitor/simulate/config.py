"""Parameters of the simulator: frozen dataclasses, read from a TOML file with documented defaults.

Every parameter has a unit and a valid range in its field metadata; :func:`load_config` refuses
unknown sections or keys (with a "did you mean"), values of the wrong type and values out of
range, naming the file, the line and the key. The bundled default file
``cocamonitor/data/simulate_default.toml`` documents every value and loads to
``SimulationConfig()``.

Time runs in days from 1 January of the first simulated year, with 365-day years (no leap days);
``31 December`` means noon of the last day of the year (day 364.5 of the year). Areas are in
hectares, lengths in metres, in the projected CRS of the landscape.

Examples
--------
>>> cfg = SimulationConfig()
>>> cfg.landscape.pixel_size_m, cfg.dynamics.harvests_per_year
(10.0, 4.0)
>>> cfg.replace(landscape={"size": 300}).landscape.size
300

"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterator
from dataclasses import MISSING, asdict, dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from cocamonitor.errors import InputError, ParameterError, suggest
from cocamonitor.io.years import parse_year_span
from cocamonitor.results import Estimate, named_units, numbers

__all__ = [
    "CensusConfig",
    "CostConfig",
    "DynamicsConfig",
    "GoodPracticeConfig",
    "LandscapeConfig",
    "ObservationConfig",
    "SampleSurveyConfig",
    "SimulationConfig",
    "default_config_path",
    "load_config",
    "parse_years",
]


def _p(default: Any, unit: str, doc: str, lo: float | None = None, hi: float | None = None,
       lo_open: bool = False) -> Any:
    """Make a dataclass field with unit, description and valid range in its metadata."""
    return field(default=default, metadata={"unit": unit, "doc": doc, "lo": lo, "hi": hi,
                                            "lo_open": lo_open})


@dataclass(frozen=True)
class LandscapeConfig:
    """The grid and its forest / other land cover."""

    size: int = _p(1000, "pixels", "pixels per side of the square grid", 10, 100_000)
    pixel_size_m: float = _p(10.0, "m", "pixel side", 0, None, lo_open=True)
    crs: str = _p("EPSG:9377", "", "projected CRS of the outputs (MAGNA-SIRGAS 2018 / Origen-Nacional)")
    origin_x: float = _p(5_000_000.0, "m", "easting of the upper-left corner")
    origin_y: float = _p(1_850_000.0, "m", "northing of the upper-left corner")
    forest_fraction: float = _p(0.55, "share", "share of the grid under forest", 0, 1)
    forest_correlation_m: float = _p(2000.0, "m", "correlation length of the forest pattern", 0,
                                     None, lo_open=True)


@dataclass(frozen=True)
class DynamicsConfig:
    """Field creation, lifecycle and removal."""

    spinup_years: int = _p(3, "years", "years simulated before the first reported year", 0, 50)
    initial_fields_per_km2: float = _p(1.5, "fields/km2", "fields at the start of the spin-up", 0)
    new_field_rate: float = _p(0.18, "1/year", "new fields per year per standing field", 0)
    new_field_rate_sd: float = _p(0.35, "log units", "year-to-year sd of log(new_field_rate)", 0)
    background_fields_per_km2: float = _p(0.1, "fields/km2/year",
                                          "new fields per year arising anywhere", 0)
    cluster_share: float = _p(0.8, "share", "share of new (and initial) fields placed near a "
                              "standing field",
                              0, 1)
    cluster_distance_m: float = _p(150.0, "m", "mean distance of a new field from its parent", 0)
    edge_weight: float = _p(0.8, "share", "preference of other new fields for forest edges", 0, 1)
    size_median_ha: float = _p(0.7, "ha", "median field size (lognormal)", 0, None, lo_open=True)
    size_sigma: float = _p(0.75, "log units", "sd of log field size", 0)
    size_max_ha: float = _p(10.0, "ha", "largest field size", 0, None, lo_open=True)
    aspect_max: float = _p(2.5, "ratio", "largest length/width ratio of a field", 1)
    months_to_first_harvest: float = _p(6.0, "months", "planting to first harvest", 0)
    harvests_per_year: float = _p(4.0, "1/year", "harvests per year once productive", 0, 12,
                                  lo_open=True)
    eradication_rate: float = _p(0.15, "1/year", "manual eradication events per standing field", 0)
    eradication_seasonality: float = _p(0.0, "share", "how much eradication concentrates around "
                                        "eradication_peak_day (0: spread evenly through the "
                                        "year; 1: none half a year away)", 0, 1)
    eradication_peak_day: float = _p(350.0, "day of year", "when eradication peaks (350: mid "
                                     "December, just before the census date)", 0, 365)
    replant_probability: float = _p(0.5, "share", "chance an eradicated field is replanted", 0, 1)
    replant_delay_months: float = _p(2.0, "months", "mean eradication-to-replanting delay", 0)
    abandonment_rate: float = _p(0.08, "1/year", "abandonments per standing field", 0)


@dataclass(frozen=True)
class ObservationConfig:
    """Image acquisitions, clouds and map errors."""

    revisit_days: float = _p(16.0, "days", "days between acquisitions", 0, None, lo_open=True)
    acquisition_offset_days: float = _p(5.0, "days", "an acquisition falls this long after 31 Dec",
                                        None, None)
    cloud_mean: float = _p(0.45, "share", "mean cloud fraction of an acquisition", 0, 0.99)
    cloud_concentration: float = _p(4.0, "", "Beta concentration of the cloud fraction", 0, None,
                                    lo_open=True)
    cloud_correlation_m: float = _p(2500.0, "m", "correlation length of the cloud pattern", 0,
                                    None, lo_open=True)
    detection_max: float = _p(0.95, "probability", "detection of a large mature field", 0, 1)
    detection_size_scale_ha: float = _p(0.25, "ha", "size at which detection is 63 % of max "
                                        "(0: no size effect)", 0)
    detection_age_scale_months: float = _p(1.5, "months", "age at which detection is 63 % of "
                                           "max (0: no age effect)", 0)
    fallow_confusion: float = _p(0.3, "probability", "a recently cleared field mapped as coca", 0, 1)
    fallow_confusion_months: float = _p(4.0, "months", "how long a cleared field can be confused",
                                        0)
    lookalike_per_km2: float = _p(0.3, "patches/km2", "persistent look-alike patches", 0)
    lookalike_confusion: float = _p(0.3, "probability", "a look-alike mapped as coca", 0, 1)


@dataclass(frozen=True)
class CensusConfig:
    """The wall-to-wall census (SIMCI-like)."""

    max_images: int = _p(3, "images", "acquisitions nearest 31 Dec combined per year", 1, 100)
    window_days: float = _p(60.0, "days", "largest distance of an image from 31 Dec", 0)
    gap_fill_block_m: float = _p(5000.0, "m", "block over which the change ratio that scales "
                                 "last year's coca in cloud gaps is computed", 0, None, lo_open=True)
    eradication_adjustment: bool = _p(True, "", "subtract eradication between image and 31 Dec")


@dataclass(frozen=True)
class SampleSurveyConfig:
    """The segment sample survey (US-like)."""

    segment_size_m: float = _p(1000.0, "m", "side of a square segment (primary unit)", 0, None,
                               lo_open=True)
    high_density_ha: float = _p(5.0, "ha", "last year's mapped coca in a segment that makes "
                                "it 'high'", 0, None, lo_open=True)
    segments_high: int = _p(25, "segments", "sampled segments in the high stratum", 0)
    segments_low: int = _p(25, "segments", "sampled segments in the low stratum", 0)
    segments_none: int = _p(10, "segments", "sampled segments with no coca mapped last year", 0)
    points_per_segment: int = _p(100, "points", "random points interpreted per segment (0: the whole "
                                 "segment, slower)",
                                 0)
    days_before: float = _p(61.0, "days", "imagery window opens this long before 31 Dec", 0)
    days_after: float = _p(31.0, "days", "imagery window closes this long after 31 Dec", 0)
    healthy_min_age_months: float = _p(3.0, "months", "a field counts once it is this old", 0)
    confidence: float = _p(0.95, "", "confidence level of the interval", 0, 1, lo_open=True)


@dataclass(frozen=True)
class GoodPracticeConfig:
    """Map plus stratified reference sample, designed as a careful analyst would.

    Strata: mapped coca, buffer rings around it (distance to mapped coca, sized from last
    year's omission) and the rest. The sample size comes from a target standard error
    (Olofsson et al. 2014 eq. 13) and is shared out by Neyman allocation, both with the
    coca shares per stratum anticipated from last year's reference sample. The first
    (unreported) year is a pilot with fixed sizes ``n_coca``, ``n_buffer``, ``n_other``.
    """

    buffer_m: float = _p(1000.0, "m", "outer edge of the buffer rings when last year's sample "
                         "saw too few omissions to size them (and in the pilot year)", 0, None,
                         lo_open=True)
    buffer_rings: int = _p(2, "rings", "buffer rings between mapped coca and the rest", 1, 10)
    omission_quantile: float = _p(0.9, "share", "share of last year's omitted coca (weighted) "
                                  "that the buffer rings must enclose", 0, 1, lo_open=True)
    min_omissions: int = _p(3, "points", "omitted reference points last year needed to size "
                            "the rings from them", 1)
    ring_block_m: float = _p(50.0, "m", "resolution of the distance-to-mapped-coca grid", 0,
                             None, lo_open=True)
    target_rel_se: float = _p(0.075, "share", "target standard error of the coca area, as a "
                              "share of the anticipated area (0.075: a 95 % interval of about "
                              "±15 %; 0: use the pilot sizes)", 0, 1)
    max_points: int = _p(20000, "points", "largest designed sample (a cap)", 2)
    n_coca: int = _p(200, "points", "pilot year: reference points in the mapped-coca stratum", 2)
    n_buffer: int = _p(2000, "points", "pilot year: reference points in the buffer rings", 2)
    n_other: int = _p(800, "points", "pilot year: reference points in the remaining stratum",
                      2)
    smooth_variance: bool = _p(True, "", "Jeffreys-smoothed stratum variances: a stratum "
                               "whose sample found no coca is not taken to have none")
    confidence: float = _p(0.95, "", "confidence level of the interval", 0, 1, lo_open=True)


@dataclass(frozen=True)
class CostConfig:
    """Cost model: what a unit of each method costs, in analyst hours (imagery converted).

    The defaults are stated assumptions, not measurements: calibrate them to your agency.
    """

    hours_per_point: float = _p(0.05, "h", "label one reference point on image time series "
                                "(about 3 minutes)", 0, None, lo_open=True)
    hours_per_segment: float = _p(4.0, "h", "delineate coca in one survey segment on "
                                  "high-resolution imagery", 0, None, lo_open=True)
    hours_per_scene: float = _p(8.0, "h", "classify and check one wall-to-wall scene", 0, None,
                                lo_open=True)
    scene_km2: float = _p(10000.0, "km2", "area of one wall-to-wall scene (a Sentinel-2 tile)",
                          0, None, lo_open=True)
    imagery_usd_per_km2: float = _p(20.0, "USD/km2", "high-resolution imagery bought for "
                                    "survey segments", 0, None, lo_open=True)
    usd_per_hour: float = _p(25.0, "USD/h", "analyst cost, to express imagery in hours", 0,
                             None, lo_open=True)


_SECTIONS: dict[str, type] = {
    "landscape": LandscapeConfig,
    "dynamics": DynamicsConfig,
    "observation": ObservationConfig,
    "census": CensusConfig,
    "sample_survey": SampleSurveyConfig,
    "good_practice": GoodPracticeConfig,
    "cost": CostConfig,
}


@dataclass(frozen=True)
class SimulationConfig:
    """All simulator parameters, one frozen dataclass per TOML section."""

    landscape: LandscapeConfig = field(default_factory=LandscapeConfig)
    dynamics: DynamicsConfig = field(default_factory=DynamicsConfig)
    observation: ObservationConfig = field(default_factory=ObservationConfig)
    census: CensusConfig = field(default_factory=CensusConfig)
    sample_survey: SampleSurveyConfig = field(default_factory=SampleSurveyConfig)
    good_practice: GoodPracticeConfig = field(default_factory=GoodPracticeConfig)
    cost: CostConfig = field(default_factory=CostConfig)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Return ``{section: {key: value}}``, the shape of the TOML file."""
        return asdict(self)

    def estimates(self) -> Iterator[Estimate]:
        """Yield every numeric setting as a row ``<section>``/``<key>`` (unit from its name: ``size_max_ha``)."""
        for section, values in self.to_dict().items():
            yield from numbers(section, values, units=named_units(values))

    def replace(self, **sections: dict[str, Any]) -> SimulationConfig:
        """Return a copy with some keys changed, validated like the TOML file.

        Examples
        --------
        >>> SimulationConfig().replace(observation={"cloud_mean": 0.0}).observation.cloud_mean
        0.0

        """
        data = self.to_dict()
        for name, values in sections.items():
            if name not in data:
                raise ParameterError(f"unknown section '{name}'", hint=suggest(name, _SECTIONS))
            data[name].update(values)
        return _from_dict(data, source="<replace>", text="")

    @property
    def pixel_area_ha(self) -> float:
        """Area of one pixel in hectares."""
        return self.landscape.pixel_size_m**2 / 10_000.0

    @property
    def area_km2(self) -> float:
        """Area of the landscape in km²."""
        return (self.landscape.size * self.landscape.pixel_size_m / 1000.0) ** 2


def default_config_path() -> Path:
    """Path of the bundled, documented default TOML file."""
    return Path(str(resources.files("cocamonitor") / "data" / "simulate_default.toml"))


def _line_of(text: str, section: str, key: str | None) -> str:
    """Best-effort 'line N' of a key (or a section header) in the TOML text."""
    if not text:
        return ""
    lines = text.splitlines()
    current = None
    for i, line in enumerate(lines, start=1):
        m = re.match(r"\s*\[([^\]]+)\]", line)
        if m:
            current = m.group(1).strip()
            if key is None and current == section:
                return f" line {i}"
            continue
        if key is not None and current == section and re.match(rf"\s*{re.escape(key)}\s*=", line):
            return f" line {i}"
    return ""


def _check_value(cls: type, f: Any, value: Any, where: str) -> Any:
    typ = f.type if isinstance(f.type, str) else f.type.__name__
    meta = f.metadata
    if typ == "bool":
        if not isinstance(value, bool):
            raise ParameterError(f"expected true or false, got {value!r}", where=where)
        return value
    if typ == "str":
        if not isinstance(value, str):
            raise ParameterError(f"expected a string, got {value!r}", where=where)
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(f"expected a number, got {value!r}", where=where,
                             hint=f"unit: {meta['unit'] or 'none'}")
    if typ == "int":
        if isinstance(value, float) and not value.is_integer():
            raise ParameterError(f"expected a whole number, got {value!r}", where=where)
        value = int(value)
    else:
        value = float(value)
        if not math.isfinite(value):
            raise ParameterError(f"expected a finite number, got {value!r}", where=where)
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is not None and (value < lo or (meta.get("lo_open") and value == lo)):
        bound = f"greater than {lo}" if meta.get("lo_open") else f"at least {lo}"
        word = "negative" if lo == 0 and value < 0 else "out of range"
        raise ParameterError(f"{word} value {value!r}", where=where,
                             hint=f"must be {bound} ({meta['doc']}, {meta['unit'] or 'no unit'})")
    if hi is not None and value > hi:
        raise ParameterError(f"out of range value {value!r}", where=where,
                             hint=f"must be at most {hi} ({meta['doc']})")
    return value


def _from_dict(data: dict[str, Any], *, source: str, text: str) -> SimulationConfig:
    built: dict[str, Any] = {}
    for name, values in data.items():
        if name not in _SECTIONS:
            raise ParameterError(f"unknown section [{name}]",
                                 where=f"{source}{_line_of(text, name, None)}",
                                 hint=suggest(name, _SECTIONS))
        if not isinstance(values, dict):
            raise ParameterError(f"'{name}' must be a [section] table",
                                 where=f"{source}{_line_of(text, name, None)}")
        cls = _SECTIONS[name]
        known = {f.name: f for f in fields(cls)}
        kwargs = {}
        for key, value in values.items():
            where = f"{source}{_line_of(text, name, key)}, [{name}] {key}"
            if key not in known:
                raise ParameterError(f"unknown key '{key}'", where=where,
                                     hint=suggest(key, known))
            kwargs[key] = _check_value(cls, known[key], value, where)
        built[name] = cls(**kwargs)
    cfg = SimulationConfig(**built)
    _check_consistency(cfg, source)
    return cfg


def _check_consistency(cfg: SimulationConfig, source: str) -> None:
    land = cfg.landscape
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input(land.crs)
    except CRSError:
        raise ParameterError(f"unknown CRS {land.crs!r}", where=f"{source}, [landscape] crs",
                             hint="give a projected CRS such as EPSG:9377 or EPSG:32618") from None
    if not crs.is_projected:
        raise ParameterError(f"CRS {land.crs!r} is not projected (areas would be in degrees)",
                             where=f"{source}, [landscape] crs",
                             hint="use a projected CRS such as EPSG:9377 or a UTM zone")
    seg = cfg.sample_survey.segment_size_m / land.pixel_size_m
    if seg < 1:
        raise ParameterError("segment smaller than a pixel",
                             where=f"{source}, [sample_survey] segment_size_m",
                             hint=f"use at least {land.pixel_size_m} m")
    nseg = -(-land.size // max(1, int(round(seg))))
    if nseg * nseg < 2:
        raise ParameterError(
            f"the landscape ({land.size * land.pixel_size_m:g} m wide) holds a single survey segment",
            where=f"{source}, [sample_survey] segment_size_m",
            hint=f"use segments under {land.size * land.pixel_size_m / 2:g} m or a larger landscape")
    total = cfg.sample_survey
    if total.segments_high + total.segments_low + total.segments_none < 2:
        raise ParameterError("the survey needs at least 2 segments",
                             where=f"{source}, [sample_survey] segments_*",
                             hint="raise segments_high, segments_low or segments_none")
    if cfg.dynamics.size_max_ha < cfg.pixel_area_ha:
        raise ParameterError("largest field smaller than a pixel",
                             where=f"{source}, [dynamics] size_max_ha",
                             hint=f"use at least {cfg.pixel_area_ha} ha")


def load_config(path: str | Path | None = None) -> SimulationConfig:
    """Read a simulator TOML file; keys left out take their defaults.

    Parameters
    ----------
    path : str or Path, optional
        The TOML file. ``None`` returns the defaults.

    Returns
    -------
    SimulationConfig

    Raises
    ------
    InputError
        The file is missing or is not valid TOML.
    ParameterError
        An unknown section or key, a value of the wrong type or out of range; the message
        names the file, the line and the key.

    Examples
    --------
    >>> load_config(default_config_path()) == SimulationConfig()
    True

    """
    if path is None:
        return SimulationConfig()
    p = Path(path)
    if not p.is_file():
        raise InputError(f"config file not found: {p}", where="config",
                         hint="give an existing TOML file (see cocamonitor/data/simulate_default.toml)")
    from cocamonitor.io.text import read_text_file

    text = read_text_file(p, kind="TOML")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"not valid TOML ({err})", where=str(p),
                         hint="fix the syntax; strings need quotes, sections [name]") from None
    return _from_dict(data, source=str(p), text=text)


def parse_years(text: str, *, where: str = "years") -> list[int]:
    """Parse ``"2015-2024"`` (or a single ``"2020"``) into a list of years.

    Examples
    --------
    >>> parse_years("2019-2021")
    [2019, 2020, 2021]

    """
    a, b = parse_year_span(text, where=where)
    return list(range(a, b + 1))


def field_docs() -> list[dict[str, Any]]:
    """Rows ``section, key, default, unit, doc`` of every parameter (for documentation)."""
    rows = []
    for name, cls in _SECTIONS.items():
        for f in fields(cls):
            default = f.default if f.default is not MISSING else None
            rows.append({"section": name, "key": f.name, "default": default,
                         "unit": f.metadata["unit"], "doc": f.metadata["doc"]})
    return rows

