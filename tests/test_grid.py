import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import box

from cocamonitor.errors import InputError
from cocamonitor.grid import (
    DensityGrid,
    GridSpec,
    density_from_polygons,
    density_from_rasters,
    hotspots,
    permanence,
    read_density,
)


def _write(path, data, *, x0=0.0, y0=3000.0, res=10.0, nodata=None, crs="EPSG:9377"):
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0],
                       count=1, dtype=data.dtype, crs=crs, nodata=nodata,
                       transform=from_origin(x0, y0, res, res)) as dst:
        dst.write(data, 1)
    return str(path)


def test_density_from_raster_hand_made(tmp_path):
    # 300 x 200 pixels of 10 m = 2 x 3 km; cells are 100 x 100 pixels
    data = np.zeros((300, 200), dtype="uint8")
    data[0:10, 0:10] = 1        # 100 px = 1 ha in cell (0, 0)
    data[150:200, 100:200] = 1  # 5000 px = 50 ha in cell (1, 1)
    data[250:300, 150:200] = 2  # 2500 px of class 2 in cell (2, 1)
    data[299, 0:100] = 9        # nodata: one row of cell (2, 0)
    path = _write(tmp_path / "a.tif", data, nodata=9)
    g = density_from_rasters([path], years=[2023])
    assert g.grid == GridSpec("EPSG:9377", 1000.0, 0.0, 3000.0, 3, 2)
    expect = np.zeros((3, 2))
    expect[0, 0], expect[1, 1] = 1.0, 50.0
    np.testing.assert_allclose(g.coca_ha[0], expect)
    np.testing.assert_allclose(g.density[0], expect)  # 1 km2 cells: ha/km2 == ha
    assert g.observed_ha[0, 2, 0] == pytest.approx(99.0)
    g2 = density_from_rasters([path], years=[2023], coca_classes=[1, 2])
    assert g2.coca_ha[0, 2, 1] == pytest.approx(25.0)
    # windowing does not change anything
    g3 = density_from_rasters([path], years=[2023], window_pixels=64)
    np.testing.assert_array_equal(g.coca_ha, g3.coca_ha)


def test_density_unaligned_raster_and_polygons_agree(tmp_path):
    rng = np.random.default_rng(1)
    data = (rng.random((230, 170)) < 0.2).astype("uint8")
    # origin off the km grid: cells split pixels by centre
    path = _write(tmp_path / "b.tif", data, x0=4_000_350.0, y0=2_001_730.0)
    g = density_from_rasters([path], years=[2020])
    assert g.grid.x0 == 4_000_000.0 and g.grid.y0 == 2_002_000.0
    assert g.coca_ha.sum() == pytest.approx(data.sum() * 0.01)
    # brute force: cell of each coca pixel centre
    r, c = np.nonzero(data)
    xc = 4_000_350.0 + (c + 0.5) * 10
    yc = 2_001_730.0 - (r + 0.5) * 10
    key = np.floor((2_002_000.0 - yc) / 1000).astype(int) * g.grid.ncols + np.floor(
        (xc - 4_000_000.0) / 1000).astype(int)
    expect = np.bincount(key, minlength=g.grid.nrows * g.grid.ncols) * 0.01
    np.testing.assert_allclose(g.coca_ha[0].ravel(), expect)
    # the same map as polygons gives the same density (pixels never straddle cells here?)
    polys = [box(x - 5, y - 5, x + 5, y + 5) for x, y in zip(xc, yc, strict=True)]
    fields = gpd.GeoDataFrame(geometry=polys, crs="EPSG:9377")
    gp = density_from_polygons(fields, year=2020)
    frame_r = g.to_frame().query("coca_ha > 0").set_index("cell")["coca_ha"]
    frame_p = gp.to_frame().query("coca_ha > 0").set_index("cell")["coca_ha"]
    # a pixel straddling a cell edge is split by area (polygons) or by centre (raster)
    assert frame_p.sum() == pytest.approx(frame_r.sum())
    joined = pd.concat([frame_r, frame_p], axis=1).fillna(0)
    assert (joined.iloc[:, 0] - joined.iloc[:, 1]).abs().max() < 0.6


def test_density_from_polygons_years_and_overlaps():
    fields = gpd.GeoDataFrame(
        {"year": [2021, 2021, 2022]},
        geometry=[box(100, 100, 300, 300), box(200, 200, 400, 400), box(900, 100, 1100, 200)],
        crs="EPSG:9377",
    )
    g = density_from_polygons(fields, year_field="year")
    assert g.years == (2021, 2022)
    # 2021: two 4 ha squares overlapping by 1 ha -> 7 ha in cell E0N0
    f = g.to_frame().query("coca_ha > 0")
    got = {(r.year, r.cell): r.coca_ha for r in f.itertuples()}
    assert got == pytest.approx({(2021, "E0N0"): 7.0, (2022, "E0N0"): 1.0,
                                 (2022, "E1N0"): 1.0})
    with pytest.raises(InputError, match="year field"):
        density_from_polygons(fields, year_field="anio")


def _grid_from_presence(pres):
    pres = np.asarray(pres, dtype=float)
    n = pres.shape[0]
    spec = GridSpec("EPSG:9377", 1000.0, 0.0, 1000.0, 1, pres.shape[1])
    return DensityGrid(spec, tuple(range(2015, 2015 + n)), pres[:, None, :] * 3.0,
                       np.full((n, 1, pres.shape[1]), 100.0))


def test_permanence_rules_hand_made():
    # columns: permanent, new, abandoned, intermittent, none, intermittent (gap), new (1 yr)
    pres = np.array([
        [1, 0, 1, 1, 0, 1, 0],
        [1, 0, 1, 0, 0, 0, 0],
        [1, 0, 0, 0, 0, 0, 0],
        [1, 1, 0, 1, 0, 0, 0],
        [1, 1, 0, 0, 0, 1, 1],
    ])
    p = permanence(_grid_from_presence(pres), recent=2)
    assert p.years == (2015, 2016, 2017, 2018, 2019)
    names = [p.to_dict()] and list(
        pd.Series(p.code[0]).map({0: "none", 1: "permanent", 2: "intermittent", 3: "new",
                                  4: "abandoned"}))
    assert names == ["permanent", "new", "abandoned", "intermittent", "none", "intermittent",
                     "new"]
    assert p.years_with_coca[0].tolist() == [5, 2, 2, 2, 0, 2, 1]
    assert p.to_dict()["cells"] == {"none": 1, "permanent": 1, "intermittent": 2, "new": 2,
                                    "abandoned": 1}
    # last 3 years only: column 2 (coca 2015-16) becomes "none", column 0 still permanent
    p3 = permanence(_grid_from_presence(pres), last=3, recent=1)
    assert p3.years == (2017, 2018, 2019)
    assert p3.code[0].tolist() == [1, 2, 0, 4, 0, 3, 3]
    with pytest.raises(InputError, match="recent"):
        permanence(_grid_from_presence(pres), recent=5)


def test_permanence_unobserved_and_gaps():
    g = _grid_from_presence(np.ones((4, 2)))
    obs = g.observed_ha.copy()
    obs[1, 0, 1] = 0
    p = permanence(DensityGrid(g.grid, g.years, g.coca_ha, obs), recent=1)
    assert p.code[0].tolist() == [1, 255]
    gap = DensityGrid(g.grid, (2010, 2011, 2013, 2014), g.coca_ha, g.observed_ha)
    with pytest.raises(InputError, match="not consecutive"):
        permanence(gap)


def _gi_star_by_hand(y, nrows, ncols):
    """Ord & Getis (1995) Gi* with binary queen weights including the cell itself."""
    grid = y.reshape(nrows, ncols)
    n = y.size
    xbar = y.mean()
    s = np.sqrt((y**2).mean() - xbar**2)
    z = np.zeros(n)
    for i in range(nrows):
        for j in range(ncols):
            win = grid[max(0, i - 1):i + 2, max(0, j - 1):j + 2]
            w = win.size
            num = win.sum() - xbar * w
            den = s * np.sqrt((n * w - w * w) / (n - 1))
            z[i * ncols + j] = num / den
    return z


def test_hotspot_z_matches_formula_and_fdr():
    rng = np.random.default_rng(11)
    nrows, ncols = 12, 15
    y = rng.gamma(1.0, 2.0, size=(nrows, ncols))
    y[3:6, 4:7] += 25.0  # a planted hot cluster
    spec = GridSpec("EPSG:9377", 1000.0, 0.0, nrows * 1000.0, nrows, ncols)
    g = DensityGrid(spec, (2023,), y[None], np.full((1, nrows, ncols), 100.0))
    h = hotspots(g, alpha=0.05)
    np.testing.assert_allclose(h.table["z"].to_numpy(), _gi_star_by_hand(y.ravel(), nrows, ncols),
                               rtol=1e-9)
    hot = h.table.query("hotspot == 'hot'")
    assert {(4, 5)} <= set(zip(hot["row"], hot["col"], strict=True))
    # BH by hand: reject the k smallest p with p_(k) <= k alpha / m
    p = np.sort(h.table["p_value"].to_numpy())
    m = p.size
    ok = np.nonzero(p <= np.arange(1, m + 1) * 0.05 / m)[0]
    k = ok.max() + 1 if ok.size else 0
    assert (h.table["hotspot"] != "not significant").sum() == k
    # pure noise: FDR keeps false hotspots rare
    noise = rng.gamma(1.0, 2.0, size=(1, nrows, ncols))
    hn = hotspots(DensityGrid(spec, (2023,), noise, np.full_like(noise, 100.0)))
    assert (hn.table["hotspot"] != "not significant").sum() <= 3


def test_hotspots_permutations_and_errors():
    rng = np.random.default_rng(2)
    y = rng.gamma(1.0, 2.0, size=(1, 8, 8))
    y[0, 2:5, 2:5] += 30
    spec = GridSpec("EPSG:9377", 1000.0, 0.0, 8000.0, 8, 8)
    g = DensityGrid(spec, (2020,), y, np.full_like(y, 100.0))
    h = hotspots(g, permutations=199, seed=1)
    assert h.method == "permutation"
    assert (h.table.query("hotspot == 'hot'")["row"].between(1, 5)).all()
    with pytest.raises(InputError, match="alpha"):
        hotspots(g, alpha=1.5)
    flat = DensityGrid(spec, (2020,), np.ones_like(y), np.full_like(y, 100.0))
    with pytest.raises(InputError, match="same in every cell"):
        hotspots(flat)


def test_outputs_round_trip(tmp_path):
    data = np.zeros((200, 300), dtype="uint8")
    data[0:50, 0:50] = 1
    a = _write(tmp_path / "y1.tif", data)
    data2 = data.copy()
    data2[100:200, 200:300] = 1
    b = _write(tmp_path / "y2.tif", data2)
    g = density_from_rasters([a, b], years=[2022, 2023])
    g.write_geotiff(tmp_path / "d.tif")
    g.write_geoparquet(tmp_path / "d.parquet")
    back = read_density(tmp_path / "d.tif")
    assert back.years == (2022, 2023)
    np.testing.assert_allclose(back.density, g.density, rtol=1e-6)
    gdf = gpd.read_parquet(tmp_path / "d.parquet")
    assert len(gdf) == 2 * 6 and gdf.crs.to_epsg() == 9377
    assert gdf.geometry.area.round().eq(1e6).all()
    p = permanence(g, recent=1)
    p.write_geotiff(tmp_path / "p.tif")
    with rasterio.open(tmp_path / "p.tif") as src:
        assert src.read(1).tolist() == [[1, 0, 0], [0, 0, 3]]


def test_density_bad_input(tmp_path):
    geo = _write(tmp_path / "g.tif", np.zeros((5, 5), dtype="uint8"), x0=-74, y0=5, res=0.01,
                 crs="EPSG:4326")
    with pytest.raises(InputError, match="projected"):
        density_from_rasters([geo])
    ok = _write(tmp_path / "o.tif", np.zeros((5, 5), dtype="uint8"))
    with pytest.raises(InputError, match="year"):
        density_from_rasters([ok], years=[2020, 2021])
    fl = _write(tmp_path / "f.tif", np.zeros((5, 5), dtype="float32"))
    with pytest.raises(InputError, match="integer"):
        density_from_rasters([fl])


@pytest.mark.parametrize("years", [[2020.0, np.nan], ["2020", "abc"], [2021, 2020.5]])
def test_field_years_must_be_whole_numbers(years):
    """A blank or non-numeric year was a ValueError traceback from int()."""
    from cocamonitor.grid import density_from_polygons

    f = gpd.GeoDataFrame({"year": years}, geometry=[box(0, 0, 500, 500), box(1000, 0, 1500, 500)],
                         crs="EPSG:9377")
    with pytest.raises(InputError, match="feature 2: year .* is not a whole number"):
        density_from_polygons(f, year_field="year")


@pytest.mark.parametrize("cell", [0.0, -1000.0, float("nan")])
def test_cell_size_must_be_positive(cell, tmp_path):
    """--cell 0 / nan crashed in math.floor, a negative cell in np.bincount."""
    from cocamonitor.grid import density_from_polygons

    f = gpd.GeoDataFrame(geometry=[box(0, 0, 500, 500)], crs="EPSG:9377")
    with pytest.raises(InputError, match="cell size .* must be a positive number"):
        density_from_polygons(f, year=2023, cell=cell)
    path = tmp_path / "c.tif"
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8",
                       crs="EPSG:9377", transform=from_origin(0, 40, 10, 10)) as dst:
        dst.write(np.ones((1, 4, 4), dtype="uint8"))
    with pytest.raises(InputError, match="cell size|larger than"):
        density_from_rasters([path], cell=cell)
