import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import CRS
from rasterio.transform import from_origin

from cocamonitor.errors import InputError
from cocamonitor.io.rasters import (
    PixelArea,
    RasterInfo,
    is_equal_area,
    iter_windows,
    open_raster,
    pixel_area,
    require_integer,
)


@pytest.fixture
def raster_factory(tmp_path):
    def _make(data, nodata=None):
        data = np.asarray(data)
        path = tmp_path / f"r{len(list(tmp_path.iterdir()))}.tif"
        with rasterio.open(path, "w", driver="GTiff", width=data.shape[1],
                           height=data.shape[0], count=1, dtype=data.dtype, crs="EPSG:9377",
                           transform=from_origin(5_000_000, 2_000_000, 10, 10),
                           nodata=nodata) as dst:
            dst.write(data, 1)
        return str(path)

    return _make


def _info(width, height, block, crs="EPSG:9377", transform=None):
    return RasterInfo("x.tif", CRS(crs), transform or Affine(10, 0, 0, 0, -10, 0), width,
                      height, 1, "uint8", None, block)


@pytest.mark.parametrize("block", [(1, 37), (16, 16), (5, 7), (64, 64)])
@pytest.mark.parametrize("max_pixels", [1, 100, 500, 10_000])
def test_windows_cover_raster_once(block, max_pixels):
    info = _info(37, 23, block)
    hits = np.zeros(info.shape, dtype=int)
    for w in iter_windows(info, max_pixels=max_pixels):
        hits[w.row_off:w.row_off + w.height, w.col_off:w.col_off + w.width] += 1
        # aligned with the blocks
        assert w.row_off % min(block[0], 23) == 0
        assert w.col_off % min(block[1], 37) == 0
    assert (hits == 1).all()


def test_open_raster_reads_header(raster_factory):
    path = raster_factory(np.zeros((5, 6), dtype="uint16"), nodata=65535)
    info = open_raster(path)
    assert info.shape == (5, 6)
    assert info.dtype == "uint16" and info.nodata == 65535
    assert info.is_integer
    assert info.crs == CRS("EPSG:9377")
    assert info.bounds == (5_000_000, 2_000_000 - 50, 5_000_060, 2_000_000)


def test_open_raster_errors(tmp_path, raster_factory):
    with pytest.raises(InputError, match="not found"):
        open_raster(tmp_path / "nope.tif")
    bad = tmp_path / "bad.tif"
    bad.write_text("not a raster")
    with pytest.raises(InputError, match="cannot read"):
        open_raster(bad)
    path = raster_factory(np.zeros((2, 2), dtype="float32"))
    with pytest.raises(InputError, match="not integer classes"):
        require_integer(open_raster(path))


def test_equal_area_detection():
    assert is_equal_area(CRS("EPSG:6933"))
    assert is_equal_area(CRS("+proj=aea +lat_1=-4 +lat_2=12 +lat_0=4 +lon_0=-73"))
    assert not is_equal_area(CRS("EPSG:9377"))
    assert not is_equal_area(CRS("EPSG:4326"))


def test_projected_pixel_area_is_constant():
    area = pixel_area(_info(4, 4, (4, 4), transform=Affine(30, 0, 0, 0, -30, 0)))
    assert area.constant_m2 == 900.0
    assert "nominal" in area.method
    ea = pixel_area(_info(4, 4, (4, 4), crs="EPSG:6933"))
    assert ea.constant_m2 == 100.0 and "equal-area" in ea.method


def test_geographic_needs_equal_area_crs():
    info = _info(10, 10, (10, 10), crs="EPSG:4326", transform=from_origin(-75, 5, 0.01, 0.01))
    with pytest.raises(InputError, match="degrees.*equal-area CRS"):
        pixel_area(info)
    with pytest.raises(InputError, match="not an equal-area"):
        pixel_area(info, equal_area_crs="EPSG:9377")


def test_geographic_row_areas_match_ellipsoidal_formula():
    # a one-degree-wide, 0.5 degree-tall raster of 0.1 x 0.1 degree cells
    info = _info(10, 5, (5, 10), crs="EPSG:4326", transform=from_origin(-74, 5, 0.1, 0.1))
    area = pixel_area(info, equal_area_crs="EPSG:6933")
    got = area.rows_m2(0, 5)
    # exact area of a lat/lon cell on the WGS84 ellipsoid (authalic latitude formula)
    a, f = 6378137.0, 1 / 298.257223563
    e = np.sqrt(f * (2 - f))

    def q(phi):
        s = np.sin(phi)
        return (1 - e**2) * (s / (1 - e**2 * s**2) - np.log((1 - e * s) / (1 + e * s)) / (2 * e))

    tops = np.radians(5 - 0.1 * np.arange(5))
    bottoms = tops - np.radians(0.1)
    expect = a**2 / 2 * np.radians(0.1) * (q(tops) - q(bottoms))
    np.testing.assert_allclose(got, expect, rtol=1e-6)
    # areas shrink towards the poles: rows further north are smaller
    assert got[0] < got[-1]


def test_mercator_needs_equal_area_crs():
    info = _info(4, 4, (4, 4), crs="EPSG:3857")
    with pytest.raises(InputError, match="Mercator"):
        pixel_area(info)


def test_hectares_of_whole_pixels_are_the_decimal_result():
    """6962 pixels of 30 m x 30 m are 626.58 ha; pixels * (900 / 1e4) gave 626.5799999999999,
    which CSV and JSON outputs printed as such."""
    area = PixelArea(900.0, None, 1.0, "test")
    pixels = np.array([6962, 3705, 1, 12176])
    got = area.total_ha(pixels)
    assert got.tolist() == [626.58, 333.45, 0.09, 1095.84]
    assert area.total_ha(3705) == 333.45


def test_row_areas_memory_does_not_grow_with_raster_height():
    """Per-row areas of a tall raster (--equal-area-crs on a map in degrees) built outlines for
    all rows at once: ~700 bytes of temporaries per row, ~1 GB for Colombia at 10 m."""
    import tracemalloc

    def peak(height):
        info = RasterInfo("tall.tif", CRS("EPSG:4326"), Affine(1e-4, 0, -75, 0, -1e-4, 12),
                          50_000, height, 1, "uint8", None, (256, 256))
        tracemalloc.start()
        area = pixel_area(info, equal_area_crs="EPSG:6933")
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert area.row_units.shape == (height,)
        return top

    small, tall = peak(8_000), peak(80_000)
    # only the result (8 bytes a row, plus its quantisation) may grow with the height
    assert tall - small < 40 * (80_000 - 8_000), (small, tall)


def test_pixel_areas_are_smooth_between_rows_and_columns():
    """Shoelace on outline-relative coordinates: neighbouring pixels differ only by the tiny
    real change in scale (round-off in absolute coordinates of ~5e6 m was ~1e-5 relative)."""
    info = RasterInfo("p.tif", CRS("EPSG:9377"), Affine(10, 0, 4.6e6, 0, -10, 2.4e6),
                      1000, 5000, 1, "uint8", None, (256, 256))
    m2 = pixel_area(info, equal_area_crs="EPSG:6933").window_m2(0, 0, 5000, 1000)
    assert np.abs(np.diff(m2, axis=0)).max() < 1e-6 * 100.0
    assert np.abs(np.diff(m2, axis=1)).max() < 1e-6 * 100.0


def _ctm12_national(width=1300, height=1900, size=1000.0):
    """A raster of 1 km pixels over the whole of Colombia in CTM12 (EPSG:9377)."""
    return RasterInfo("co.tif", CRS("EPSG:9377"), Affine(size, 0, 4.3e6, 0, -size, 3.05e6),
                      width, height, 1, "uint8", None, (256, 256))


def test_per_pixel_areas_match_exact_measurement_anywhere_in_colombia():
    """Interpolated between knots, every pixel's area equals its own exactly projected outline
    (CTM12's scale changes by ~1 % across the country: per-row areas were off by up to 0.5 %)."""
    from pyproj import Transformer

    from cocamonitor.io.rasters import _pixel_areas

    info = _ctm12_national()
    area = pixel_area(info, equal_area_crs="EPSG:6933")
    assert area.row_units is None and area.knots is not None
    rng = np.random.default_rng(3)
    rows = np.sort(rng.choice(info.height, 40, replace=False))
    cols = np.sort(rng.choice(info.width, 40, replace=False))
    tr = Transformer.from_crs(info.crs, CRS("EPSG:6933"), always_xy=True)
    exact = _pixel_areas(info, tr, 1.0, rows, cols, CRS("EPSG:6933"))
    got = area.window_m2(0, 0, info.height, info.width)[np.ix_(rows, cols)]
    np.testing.assert_allclose(got, exact, rtol=1e-6)
    # the spread that per-row areas ignored: over 1 % between the west and the east
    assert exact.max(axis=1).min() / exact.min(axis=1).max() > 1.005


def test_per_pixel_areas_do_not_depend_on_the_window():
    """Tallies add windows in any order: each pixel's integer area must not depend on them."""
    info = _ctm12_national(width=230, height=170, size=10_000.0)
    area = pixel_area(info, equal_area_crs="EPSG:6933")
    whole = area.window_units(0, 0, info.height, info.width)
    assert whole.shape == (170, 230) and np.array_equal(whole, np.round(whole))
    for w in iter_windows(_info(230, 170, (7, 13)), max_pixels=7 * 13 * 3):
        part = area.window_units(w.row_off, w.col_off, w.height, w.width)
        np.testing.assert_array_equal(
            part, whole[w.row_off : w.row_off + w.height, w.col_off : w.col_off + w.width])


def test_one_pixel_rasters_have_knot_areas_too():
    """A raster one pixel wide or tall has a single knot along that axis (no interpolation)."""
    from pyproj import Transformer

    from cocamonitor.io.rasters import _pixel_areas

    ea = CRS("EPSG:6933")
    for width, height in [(1, 1), (1, 5), (5, 1)]:
        info = RasterInfo("p.tif", CRS("EPSG:9377"), Affine(10, 0, 5e6, 0, -10, 2e6),
                          width, height, 1, "uint8", None, (1, 1))
        area = pixel_area(info, equal_area_crs=ea)
        m2 = area.window_m2(0, 0, height, width)
        tr = Transformer.from_crs(info.crs, ea, always_xy=True)
        exact = _pixel_areas(info, tr, 1.0, np.arange(height), np.arange(width), ea)
        np.testing.assert_allclose(m2, exact, rtol=1e-6)
        assert area.to_dict()["pixel_area_m2_min"] == pytest.approx(m2.min(), rel=1e-6)


def test_nominal_ctm12_area_error_is_stated_truthfully():
    """The note said 'scale error under 0.2 % for UTM/CTM12'; across Colombia the nominal
    CTM12 pixel area is off by up to ~1 % (Pacific coast of Nariño), measured here."""
    from pyproj import Transformer

    to_ctm12 = Transformer.from_crs("EPSG:4326", "EPSG:9377", always_xy=True)
    errors = []
    for lon, lat in [(-78.8, 1.8), (-77, 2), (-73, 4), (-71, 7), (-67.5, 6), (-72, 11.5)]:
        x, y = to_ctm12.transform(lon, lat)
        info = RasterInfo("p.tif", CRS("EPSG:9377"), Affine(10, 0, x, 0, -10, y), 10, 1, 1,
                          "uint8", None, (1, 10))
        true_m2 = pixel_area(info, equal_area_crs="EPSG:6933").window_m2(0, 0, 1, 1)[0, 0]
        errors.append(abs(100.0 / true_m2 - 1))
    worst = max(errors)
    assert 0.005 < worst < 0.01  # between 0.5 % and 1 %
    method = pixel_area(RasterInfo("p.tif", CRS("EPSG:9377"), Affine(10, 0, 5e6, 0, -10, 2e6),
                                   1, 1, 1, "uint8", None, (1, 1))).method
    assert "up to about 1 %" in method and "equal_area_crs" in method
