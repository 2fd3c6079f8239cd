"""Synthetic Sentinel-2-like scenes of a simulated landscape, written as COGs with a static STAC catalog.

The scenes let the imagery pipeline (:mod:`cocamonitor.imagery`) run end to end without a
network: a classifier trained on them makes real errors (spectral overlap, young fields,
clouds), not the parametric errors of :mod:`.observe`.

What is rendered, per acquisition date around 31 December:

* **Land cover** from the simulated history: forest (the landscape), coca (fields standing on
  the date), pasture (the rest, including fallow cleared fields), bare soil and water (patches
  drawn from smoothed random fields), and the history's look-alike patches (shrubby crops
  that resemble coca).
* **Surface reflectance** of ten bands (B02-B08, B8A, B11, B12) from one spectral signature per
  cover; pasture dries towards the January dry season (phenology), young coca fields are mostly
  bare soil and green up with age, every field has its own brightness and every pixel its
  own noise.
* **Clouds and shadows** from smoothed random fields (cloud fraction drawn per date); shadows
  are the cloud pattern displaced, darkened. The scene classification band ``SCL`` marks them
  with the Sentinel-2 L2A codes (3 shadow, 8/9 cloud, 4 vegetation, 5 bare soil, 6 water).
* **Cloud probability** ``CLD`` in per cent, as Sentinel-2 L2A's ``MSK_CLDPRB`` or an
  ``s2cloudless`` map x 100 give it: high over clouds, low elsewhere. With ``haze_share`` > 0
  part of each date is hazy: the reflectance is veiled and ``CLD`` is raised, but ``SCL``
  calls it clear, so only a cloud-probability threshold masks it.

Reflectance is stored as uint16 (reflectance x 10 000, 0 = nodata), like Sentinel-2 L2A.

Examples
--------
>>> hist = scene_history(size=64, year=2021, seed=1)
>>> stack = render_scenes(hist, 2021, seed=2, scene=SceneConfig(dates=3))
>>> stack.data.shape, stack.data.dtype.name, stack.scl.shape
((3, 10, 64, 64), 'uint16', (3, 64, 64))
>>> [d.isoformat() for d in stack.dates]
['2021-12-21', '2021-12-31', '2022-01-10']

"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cocamonitor.simulate.dynamics import DAYS_PER_YEAR, History
from cocamonitor.simulate.landscape import coarse_random_field, footprint_pixels, upsample

__all__ = [
    "BANDS",
    "COVER",
    "SCL",
    "SceneConfig",
    "SceneStack",
    "render_scenes",
    "scene_history",
    "write_scenes",
]

#: Sentinel-2 bands rendered, with their common names and centre wavelengths (micrometres).
BANDS: dict[str, tuple[str, float]] = {
    "B02": ("blue", 0.490), "B03": ("green", 0.560), "B04": ("red", 0.665),
    "B05": ("rededge", 0.705), "B06": ("rededge", 0.740), "B07": ("rededge", 0.783),
    "B08": ("nir", 0.842), "B8A": ("nir08", 0.865), "B11": ("swir16", 1.610),
    "B12": ("swir22", 2.190),
}

#: Land-cover codes of the rendered truth (``land_cover.tif``).
COVER = {"forest": 1, "pasture": 2, "bare": 3, "water": 4, "coca": 5, "lookalike": 6}

#: Sentinel-2 L2A scene-classification codes used.
SCL = {"nodata": 0, "shadow": 3, "vegetation": 4, "bare": 5, "water": 6, "cloud_medium": 8,
       "cloud_high": 9}

# surface reflectance per cover and band (B02 ... B12); generic published-shape curves
_SIG = {
    "forest": [0.030, 0.052, 0.030, 0.085, 0.230, 0.290, 0.320, 0.335, 0.160, 0.070],
    "pasture": [0.048, 0.080, 0.068, 0.120, 0.215, 0.255, 0.285, 0.300, 0.245, 0.145],
    "bare": [0.090, 0.120, 0.150, 0.170, 0.190, 0.205, 0.215, 0.225, 0.300, 0.250],
    "water": [0.060, 0.050, 0.030, 0.022, 0.016, 0.012, 0.010, 0.009, 0.005, 0.003],
    "coca": [0.040, 0.072, 0.050, 0.105, 0.225, 0.270, 0.300, 0.312, 0.205, 0.105],
}
_SIG["lookalike"] = list(0.65 * np.array(_SIG["coca"]) + 0.35 * np.array(_SIG["pasture"]))


@dataclass(frozen=True)
class SceneConfig:
    """Parameters of the rendered scenes.

    Attributes
    ----------
    dates : int
        Acquisitions rendered, centred on 31 December.
    revisit_days : float
        Days between acquisitions.
    cloud_mean : float
        Mean cloud fraction of an acquisition (Beta with concentration 4).
    cloud_correlation_m : float
        Correlation length of the cloud pattern.
    persistent_cloud_share : float
        Share of the scene (a band along its top edge) clouded on every date: the part
        without any cloud-free observation.
    noise : float
        Relative per-pixel variation (sd) of the reflectance: sensor noise, sub-pixel mixing,
        residual atmospheric and illumination effects.
    field_brightness_sd : float
        Relative sd of each field's brightness.
    green_up_days : float
        Age at which a new coca field is 63 % green (the rest bare soil).
    dry_season_drying : float
        Largest share of bare-soil look of pasture at the height of the dry season.
    bare_share, water_share : float
        Shares of the non-forest area drawn as bare soil and as water.
    haze_share : float
        Mean share of each date under haze that the scene classification misses (see the
        module docstring); 0 renders none and draws no random number for it.

    """

    dates: int = 6
    revisit_days: float = 10.0
    cloud_mean: float = 0.3
    cloud_correlation_m: float = 600.0
    persistent_cloud_share: float = 0.0
    noise: float = 0.15
    field_brightness_sd: float = 0.08
    green_up_days: float = 45.0
    dry_season_drying: float = 0.35
    bare_share: float = 0.06
    water_share: float = 0.03
    haze_share: float = 0.0


@dataclass(frozen=True)
class SceneStack:
    """Rendered acquisitions and the truth behind them.

    Attributes
    ----------
    data : numpy.ndarray of uint16, shape (time, band, y, x)
        Reflectance x 10 000 (0 nodata), bands in :data:`BANDS` order.
    scl : numpy.ndarray of uint8, shape (time, y, x)
        Scene classification (:data:`SCL`).
    dates : list of datetime.date
        Acquisition dates, chronological.
    reference_date : datetime.date
        31 December of the survey year.
    land_cover : numpy.ndarray of uint8
        Cover on 31 December (:data:`COVER`).
    truth : numpy.ndarray of uint8
        1 where coca stands on 31 December, else 0.
    prior : numpy.ndarray of uint8
        Coca on 31 December of the year before (a stand-in for last year's map).
    transform : tuple
        GDAL-style affine of the grid.
    crs : str
    pixel_area_ha : float
    cloud_prob : numpy.ndarray of uint8, shape (time, y, x), optional
        Cloud probability, per cent (asset ``CLD``).

    """

    data: np.ndarray
    scl: np.ndarray
    dates: list[dt.date]
    reference_date: dt.date
    land_cover: np.ndarray
    truth: np.ndarray
    prior: np.ndarray
    transform: tuple[float, float, float, float, float, float]
    crs: str
    pixel_area_ha: float
    cloud_prob: np.ndarray | None = None

    @property
    def bands(self) -> list[str]:
        """Band names, in the order of ``data``'s second axis."""
        return list(BANDS)

    @property
    def true_coca_ha(self) -> float:
        """Coca area standing on 31 December."""
        return float(self.truth.sum()) * self.pixel_area_ha


def scene_history(*, size: int = 200, year: int = 2021, seed: int = 0, fields_per_km2: float = 8.0,
                  pixel_size_m: float = 10.0) -> History:
    """Simulate a small history to render scenes of: ``size`` x ``size`` pixels, dense coca.

    The default simulator parameters describe a 10 km landscape with a few fields per square
    kilometre; scenes for tests and examples are small, so the fields are denser
    (``fields_per_km2`` at the start of the spin-up) and the survey segments smaller.
    """
    from cocamonitor.simulate.config import SimulationConfig

    side_m = size * pixel_size_m
    cfg = SimulationConfig().replace(
        landscape={"size": size, "pixel_size_m": pixel_size_m},
        dynamics={"initial_fields_per_km2": fields_per_km2},
        sample_survey={"segment_size_m": min(1000.0, side_m / 4)},
        good_practice={"buffer_m": min(1000.0, side_m / 4)},
        census={"gap_fill_block_m": min(5000.0, side_m / 2)},
    )
    from cocamonitor.simulate.dynamics import simulate_history

    return simulate_history(cfg, [year], seed=seed)


def _day_to_date(hist: History, day: float) -> dt.date:
    """Calendar date of a history day (365-day simulation years mapped onto real years)."""
    year = hist.origin_year + int(day // DAYS_PER_YEAR)
    return dt.date(year, 1, 1) + dt.timedelta(days=int(day % DAYS_PER_YEAR))


def _static_cover(hist: History, sc: SceneConfig, rng: np.random.Generator) -> np.ndarray:
    """Forest / pasture / bare / water before the fields are painted."""
    land = hist.landscape
    n = land.size
    cover = np.where(land.forest, COVER["forest"], COVER["pasture"]).astype(np.uint8)
    other = ~land.forest
    cell = 4
    nc = -(-n // cell)
    for name, share, corr_px in (("bare", sc.bare_share, 20.0), ("water", sc.water_share, 30.0)):
        if share <= 0 or not other.any():
            continue
        grf = upsample(coarse_random_field((nc, nc), corr_px / cell, rng), cell, n)
        cover[other & (grf > np.quantile(grf[other], 1 - share))] = COVER[name]
    return cover


def _field_ids(hist: History, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standing episodes at ``t``: field of each coca pixel, the pixel, and the episode age."""
    ep = hist.episodes
    stand = np.flatnonzero(ep.standing(t))
    own, flat = footprint_pixels(*hist.fields.rects(ep.field[stand]), ncols=hist.shape[1])
    e = stand[own]
    return ep.field[e], flat, t - ep.start[e]


def _clouds(size: int, pixel_m: float, sc: SceneConfig, rng: np.random.Generator
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cloud (high, medium) and shadow masks of one acquisition."""
    core = np.zeros((size, size), dtype=bool)
    thin = np.zeros((size, size), dtype=bool)
    if sc.cloud_mean > 0:
        a, b = sc.cloud_mean * 4.0, (1 - sc.cloud_mean) * 4.0
        frac = float(rng.beta(a, b))
        corr_px = sc.cloud_correlation_m / pixel_m
        cell = max(1, int(corr_px // 8))
        nc = -(-size // cell)
        grf = upsample(coarse_random_field((nc, nc), corr_px / cell, rng), cell, size)
        if frac > 0:
            cloud = grf > np.quantile(grf, 1 - frac)
            core = grf > np.quantile(grf, 1 - 0.6 * frac)
            thin = cloud & ~core
    if sc.persistent_cloud_share > 0:
        rows = int(round(sc.persistent_cloud_share * size))
        core[:rows] = True
        thin[:rows] = False
    cloud = core | thin
    dy, dx = max(1, size // 40), max(1, size // 30)
    shadow = np.zeros_like(cloud)
    shadow[dy:, dx:] = cloud[:-dy, :-dx]
    shadow &= ~cloud
    return core, thin, shadow


def render_scenes(hist: History, year: int, seed: int | np.random.Generator,
                  scene: SceneConfig | None = None) -> SceneStack:
    """Render the acquisitions around 31 December of ``year`` (see module docstring).

    Parameters
    ----------
    hist : History
        The simulated true history (its landscape gives the grid, CRS and forest).
    year : int
        Survey year; dates are centred on its 31 December.
    seed : int or numpy.random.Generator
        Seed of the scene rendering (cover patches, brightness, noise, clouds).
    scene : SceneConfig, optional
        Scene parameters (default :class:`SceneConfig`).

    Returns
    -------
    SceneStack

    """
    sc = scene or SceneConfig()
    rng = np.random.default_rng(seed)
    land = hist.landscape
    n = land.size
    static = _static_cover(hist, sc, rng)
    # cleared fields are pasture once created; water/bare never host fields
    made_all = np.flatnonzero(hist.fields.created <= hist.dec31(year) + sc.dates * sc.revisit_days)
    _, flat = footprint_pixels(*hist.fields.rects(made_all), ncols=n)
    static.reshape(-1)[flat] = COVER["pasture"]
    if len(hist.lookalikes):
        _, flat = footprint_pixels(*hist.lookalikes.rects(np.arange(len(hist.lookalikes))), ncols=n)
        static.reshape(-1)[flat] = COVER["lookalike"]
    sig = np.zeros((max(COVER.values()) + 1, len(BANDS)), dtype=np.float32)
    for name, cover_code in COVER.items():
        sig[cover_code] = _SIG[name]
    bright = (1.0 + sc.field_brightness_sd * rng.standard_normal(len(hist.fields))).astype(np.float32)
    vigour = upsample(coarse_random_field((-(-n // 4),) * 2, 5.0, rng), 4, n)  # pasture vigour
    s1 = hist.dec31(year)
    offsets = (np.arange(sc.dates) - (sc.dates - 1) / 2.0) * sc.revisit_days
    days = s1 + np.round(offsets)
    data = np.empty((sc.dates, len(BANDS), n, n), dtype=np.uint16)
    scl = np.empty((sc.dates, n, n), dtype=np.uint8)
    cld = np.empty((sc.dates, n, n), dtype=np.uint8)
    bare = sig[COVER["bare"]][:, None]
    for k, d in enumerate(days):
        cover = static.copy()
        fid, cflat, age = _field_ids(hist, d)
        cover.reshape(-1)[cflat] = COVER["coca"]
        refl = sig[cover.reshape(-1)].T.copy()  # (band, pixel)
        # pasture dries towards mid-January: part bare-soil look, more where vigour is low
        doy = d % DAYS_PER_YEAR
        dryness = 0.5 * (1 + np.cos(2 * np.pi * (doy - 15.0) / DAYS_PER_YEAR))
        past = np.flatnonzero(cover.reshape(-1) == COVER["pasture"])
        mix = np.clip(sc.dry_season_drying * dryness * (1 - 0.3 * vigour.reshape(-1)[past]), 0, 1)
        refl[:, past] = (1 - mix) * refl[:, past] + mix * bare
        # young coca: bare soil greening up; each field its own brightness
        green = (1 - np.exp(-np.maximum(age, 0) / sc.green_up_days)).astype(np.float32)
        refl[:, cflat] = (green * refl[:, cflat] + (1 - green) * bare) * bright[fid]
        refl *= 1 + sc.noise * rng.standard_normal(refl.shape, dtype=np.float32)
        refl = refl.reshape(len(BANDS), n, n)
        code = np.full((n, n), SCL["vegetation"], dtype=np.uint8)
        code[cover == COVER["bare"]] = SCL["bare"]
        code[cover == COVER["water"]] = SCL["water"]
        core, thin, shadow = _clouds(n, land.pixel_size_m, sc, rng)
        refl[:, shadow] *= 0.3
        refl[:, thin] = 0.5 * refl[:, thin] + 0.5 * 0.35
        refl[:, core] = 0.45 + 0.05 * rng.standard_normal((len(BANDS), int(core.sum())), dtype=np.float32)
        code[shadow] = SCL["shadow"]
        code[thin] = SCL["cloud_medium"]
        code[core] = SCL["cloud_high"]
        # cloud probability: a detector sees clouds, not their shadows (per cent)
        prob = np.full((n, n), 5, dtype=np.uint8)
        prob[shadow] = 15
        prob[thin] = 65
        prob[core] = 95
        if sc.haze_share > 0:  # haze the classification misses: veiled, raised probability
            frac = float(rng.beta(sc.haze_share * 4.0, (1 - sc.haze_share) * 4.0))
            grf = upsample(coarse_random_field((-(-n // 8),) * 2, 6.0, rng), 8, n)
            haze = (grf > np.quantile(grf, 1 - frac)) & ~(core | thin | shadow)
            refl[:, haze] = 0.6 * refl[:, haze] + 0.4 * 0.3
            prob[haze] = 55
        data[k] = np.clip(np.round(refl * 10000), 1, 65535).astype(np.uint16)
        scl[k] = code
        cld[k] = prob
    truth = hist.truth_raster(s1)
    cover31 = static.copy()
    cover31[truth == 1] = COVER["coca"]
    return SceneStack(
        data=data, scl=scl, dates=[_day_to_date(hist, d) for d in days],
        reference_date=dt.date(year, 12, 31), land_cover=cover31, truth=truth,
        prior=hist.truth_raster(hist.dec31(year - 1)), transform=land.transform, crs=land.crs,
        pixel_area_ha=hist.config.pixel_area_ha, cloud_prob=cld,
    )


def _write_cog(path: Path, arr: np.ndarray, transform: tuple, crs: str, nodata: float | None) -> None:
    import rasterio
    from rasterio.transform import Affine

    profile = {
        "driver": "COG", "width": arr.shape[-1], "height": arr.shape[-2], "count": 1,
        "dtype": arr.dtype.name, "crs": crs, "transform": Affine(*transform), "nodata": nodata,
        "compress": "deflate", "blocksize": 256, "overviews": "none",
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(arr, 1)


def write_scenes(stack: SceneStack, out_dir: str | Path, *, name: str = "cocamonitor-synthetic-s2") -> Path:
    """Write the scenes as one COG per band and date, a static STAC catalog, and the truth.

    Files: ``catalog.json`` with one item per date (assets ``B02`` ... ``B12``, ``SCL`` and ``CLD``,
    ``eo:bands``, ``proj:epsg``/``proj:code``, ``proj:shape``, ``proj:transform``,
    ``datetime``); ``reference.tif`` (coca on 31 Dec: 1, else 0), ``prior_map.tif`` (coca a
    year before), ``land_cover.tif`` and ``truth.json`` (true coca area in hectares).

    Parameters
    ----------
    stack : SceneStack
        Rendered scenes.
    out_dir : str or Path
        Folder to write into (created).
    name : str
        Catalog id.

    Returns
    -------
    Path
        The catalog file.

    """
    import pystac
    from pystac.extensions.eo import Band, EOExtension
    from pystac.extensions.projection import ProjectionExtension
    from pystac.extensions.raster import DataType, RasterBand, RasterExtension

    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    t, nb, h, w = stack.data.shape
    a, b, c, d, e, f = stack.transform
    bbox = [c, f + e * h, c + a * w, f]
    epsg = int(stack.crs.split(":")[1])
    catalog = pystac.Catalog(id=name, description="Synthetic Sentinel-2 L2A-like scenes rendered by "
                             "cocamonitor's simulator (not real imagery).")
    from pyproj import Transformer
    tr = Transformer.from_crs(stack.crs, "EPSG:4326", always_xy=True)
    lon, lat = tr.transform([bbox[0], bbox[2], bbox[2], bbox[0]], [bbox[1], bbox[1], bbox[3], bbox[3]])
    geom = {"type": "Polygon", "coordinates": [[*zip(lon, lat, strict=True), (lon[0], lat[0])]]}
    geo_bbox = [min(lon), min(lat), max(lon), max(lat)]
    for k, day in enumerate(stack.dates):
        iid = f"S2SIM_{day.strftime('%Y%m%d')}"
        folder = out / iid
        folder.mkdir(exist_ok=True)
        item = pystac.Item(id=iid, geometry=geom, bbox=geo_bbox,
                           datetime=dt.datetime(day.year, day.month, day.day, 15, 30, tzinfo=dt.UTC),
                           properties={"platform": "sentinel-2-synthetic", "constellation": "sentinel-2",
                                       "processing:level": "L2A"})
        proj = ProjectionExtension.ext(item, add_if_missing=True)
        proj.epsg = epsg
        item.properties["proj:epsg"] = epsg  # older readers look for this key
        proj.shape = [h, w]
        proj.transform = [a, b, c, d, e, f]
        EOExtension.ext(item, add_if_missing=True)
        RasterExtension.add_to(item)
        for j, (band, (common, wl)) in enumerate(BANDS.items()):
            path = folder / f"{band}.tif"
            _write_cog(path, stack.data[k, j], stack.transform, stack.crs, 0)
            asset = pystac.Asset(href=str(path), media_type=pystac.MediaType.COG, roles=["data", "reflectance"])
            item.add_asset(band, asset)
            EOExtension.ext(asset).bands = [Band.create(name=band, common_name=common, center_wavelength=wl)]
            RasterExtension.ext(asset).bands = [RasterBand.create(nodata=0, data_type=DataType.UINT16,
                                                                  scale=1e-4, offset=0.0)]
        path = folder / "SCL.tif"
        _write_cog(path, stack.scl[k], stack.transform, stack.crs, 0)
        asset = pystac.Asset(href=str(path), media_type=pystac.MediaType.COG, roles=["data"],
                             title="Scene classification map (SCL)")
        item.add_asset("SCL", asset)
        RasterExtension.ext(asset).bands = [RasterBand.create(nodata=0, data_type=DataType.UINT8)]
        if stack.cloud_prob is not None:
            path = folder / "CLD.tif"
            _write_cog(path, stack.cloud_prob[k], stack.transform, stack.crs, None)
            asset = pystac.Asset(href=str(path), media_type=pystac.MediaType.COG, roles=["data", "cloud"],
                                 title="Cloud probability, per cent")
            item.add_asset("CLD", asset)
            RasterExtension.ext(asset).bands = [RasterBand.create(data_type=DataType.UINT8)]
        catalog.add_item(item)
    catalog.normalize_hrefs(str(out))
    catalog.make_all_asset_hrefs_relative()
    catalog.save(catalog_type=pystac.CatalogType.SELF_CONTAINED)
    _write_cog(out / "reference.tif", stack.truth, stack.transform, stack.crs, None)
    _write_cog(out / "prior_map.tif", stack.prior, stack.transform, stack.crs, None)
    _write_cog(out / "land_cover.tif", stack.land_cover, stack.transform, stack.crs, 0)
    (out / "truth.json").write_text(json.dumps({
        "reference_date": stack.reference_date.isoformat(), "true_coca_ha": stack.true_coca_ha,
        "pixel_area_ha": stack.pixel_area_ha, "crs": stack.crs,
        "dates": [x.isoformat() for x in stack.dates],
        "cover_codes": COVER, "note": "synthetic scenes; reference.tif is the 31 December truth",
    }, indent=2))
    return out / "catalog.json"
