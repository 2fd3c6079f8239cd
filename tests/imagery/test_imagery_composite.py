"""Cloud masking, best-pixel and median composites, features: known values on tiny inputs."""

from __future__ import annotations

import numpy as np
import pytest

from cocamonitor.errors import InputError
from cocamonitor.imagery import best_pixel, compute_features, feature_names, median_composite, valid_mask

BANDS = ["B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12"]


def test_valid_mask_drops_clouds_shadows_and_nodata():
    scl = np.array([[[4, 3, 8, 9]], [[5, 6, 10, 4]]], dtype=np.uint8)
    raw = np.ones((2, 2, 1, 4), dtype=np.uint16)
    raw[1, 0, 0, 3] = 0  # nodata in one band
    assert valid_mask(scl, raw).tolist() == [[[True, False, False, False]], [[True, True, False, False]]]


def test_best_pixel_takes_the_nearest_clear_date_and_keeps_it():
    days = np.array([-20.0, -5.0, 5.0, 30.0])
    refl = np.arange(4, dtype=np.float32).reshape(4, 1, 1, 1) * np.ones((4, 1, 1, 3), np.float32)
    valid = np.array([[[1, 1, 1]], [[0, 1, 0]], [[0, 1, 1]], [[1, 0, 0]]], dtype=bool)
    valid[:, 0, 2] = False  # third pixel never seen
    bp = best_pixel(refl, valid, days)
    # pixel 0: -20 and +30 clear -> -20; pixel 1: -5 and +5 tie -> the earlier one
    assert bp.values[0, 0, :2].tolist() == [0.0, 1.0]
    assert bp.obs_day[0, :2].tolist() == [-20.0, -5.0]
    assert np.isnan(bp.values[0, 0, 2]) and np.isnan(bp.obs_day[0, 2]) and bp.n_obs[0].tolist() == [2, 3, 0]


def test_median_composite_ignores_masked_observations():
    refl = np.array([1.0, 2.0, 100.0, 4.0], dtype=np.float32).reshape(4, 1, 1, 1)
    valid = np.array([True, True, False, True]).reshape(4, 1, 1)
    assert median_composite(refl, valid)[0, 0, 0] == 2.0


@pytest.mark.parametrize("dates", [1, 2, 3, 5, 6, 7, 16, 17])
def test_nan_medians_equal_numpy_for_short_and_long_time_axes(dates):
    import warnings

    from cocamonitor.imagery.composite import nanmedian_first_axis

    rng = np.random.default_rng(dates)
    a = rng.normal(size=(dates, 30, 20)).astype(np.float32)
    a[rng.random(a.shape) < 0.4] = np.nan
    a[:, 0, 0] = np.nan  # never observed
    a[:, 0, 1] = 2.5  # ties
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanmedian(a, axis=0)
    got = nanmedian_first_axis(a)
    assert got.dtype == np.float32 and np.isnan(got[0, 0]) and got[0, 1] == 2.5
    np.testing.assert_allclose(got, expected, rtol=1e-6, equal_nan=True)
    refl = rng.uniform(0, 0.5, (dates, 3, 30, 20)).astype(np.float32)
    valid = rng.random((dates, 30, 20)) < 0.6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanmedian(np.where(valid[:, None], refl, np.nan), axis=0)
    np.testing.assert_allclose(median_composite(refl, valid), expected, rtol=1e-6, equal_nan=True)


def test_features_known_values_and_no_observation_is_nan():
    rng = np.random.default_rng(1)
    refl = rng.uniform(0.02, 0.4, (3, 10, 5, 5)).astype(np.float32)
    valid = np.ones((3, 5, 5), dtype=bool)
    valid[:, 0, 0] = False
    days = np.array([-10.0, 2.0, 12.0])
    f = compute_features(refl, valid, days, BANDS)
    names = feature_names(BANDS)
    get = dict(zip(names, f, strict=True))
    b = {n: refl[1, i] for i, n in enumerate(BANDS)}  # date +2 is nearest
    assert np.allclose(get["NDMI"][1:, 1:], ((b["B08"] - b["B11"]) / (b["B08"] + b["B11"]))[1:, 1:])
    assert np.allclose(get["NDRE"][2, 2], (b["B8A"][2, 2] - b["B05"][2, 2]) / (b["B8A"][2, 2] + b["B05"][2, 2]))
    ndvi_t = (refl[:, 6] - refl[:, 2]) / (refl[:, 6] + refl[:, 2])
    assert np.allclose(get["NDVI_std"][3, 3], ndvi_t[:, 3, 3].std(), atol=1e-6)
    assert np.allclose(get["B11_median"][4, 4], np.median(refl[:, 8, 4, 4]))
    assert np.isnan(f[:, 0, 0]).all() and np.isfinite(f[:, 1:, 1:]).all()


def test_texture_is_zero_on_a_uniform_field_and_positive_on_an_edge():
    refl = np.full((1, 10, 6, 6), 0.1, dtype=np.float32)
    refl[0, 6] = 0.4  # NIR
    refl[0, 6, :, 3:] = 0.15
    f = compute_features(refl, np.ones((1, 6, 6), bool), np.array([0.0]), BANDS)
    tex = f[feature_names(BANDS).index("NDVI_texture")]
    assert tex[2, 0] == pytest.approx(0.0, abs=1e-6) and tex[2, 2] > 0.05


def test_common_band_names_are_accepted_and_missing_bands_refused():
    common = ["blue", "green", "red", "rededge1", "rededge2", "rededge3", "nir", "nir08", "swir16", "swir22"]
    assert feature_names(common)[:3] == ["blue", "green", "red"]
    with pytest.raises(InputError, match="B11"):
        feature_names(["B02", "B04", "B05", "B08", "B8A", "B12"])


def test_composites_write_into_a_given_array_and_refuse_one_they_cannot():
    from cocamonitor.errors import ParameterError

    rng = np.random.default_rng(4)
    refl = rng.uniform(0, 1, (3, 2, 4, 5)).astype(np.float32)
    valid = rng.random((3, 4, 5)) < 0.7
    days = np.array([-5.0, 0.0, 5.0])
    out = np.empty((2, 4, 5), dtype=np.float32)
    assert best_pixel(refl, valid, days, out=out).values is not None
    assert np.array_equal(out, best_pixel(refl, valid, days).values, equal_nan=True)
    assert median_composite(refl, valid, out=out) is out
    assert np.array_equal(out, median_composite(refl, valid), equal_nan=True)
    with pytest.raises(ParameterError, match="C-contiguous float32") as err:
        best_pixel(refl, valid, days, out=np.empty((5, 4, 2), dtype=np.float32).transpose(2, 1, 0))
    assert err.value.where == "out"
    with pytest.raises(ParameterError):
        median_composite(refl, valid, out=np.empty((2, 4, 5)))
