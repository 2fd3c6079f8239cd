import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from rasterio.transform import from_origin
from shapely.geometry import Polygon, box

from cocamonitor.errors import InputError, SchemaError
from cocamonitor.zonal import tally
from cocamonitor.zonal._rasterize import overlap_layers

X0, Y0, RES = 5_000_000.0, 2_000_000.0, 10.0


def _random_zones(rng, n, shape, *, crs="EPSG:9377"):
    """Random convex-ish polygons (buffered points and triangles) that overlap each other."""
    h, w = shape
    geoms = []
    for k in range(n):
        cx = X0 + rng.uniform(-0.1, 1.1) * w * RES
        cy = Y0 - rng.uniform(-0.1, 1.1) * h * RES
        if k % 2:
            geoms.append(shapely.Point(cx, cy).buffer(rng.uniform(20, 120), quad_segs=5))
        else:
            pts = rng.uniform(-150, 150, size=(3, 2)) + [cx, cy]
            geoms.append(Polygon(pts))
    return gpd.GeoDataFrame({"code": [f"z{k:03d}" for k in range(n)]}, geometry=geoms, crs=crs)


def _brute_force(data, nodata, zones):
    """Pixel-centre rule with shapely, one zone at a time (independent of GDAL)."""
    h, w = data.shape
    xc = X0 + (np.arange(w) + 0.5) * RES
    yc = Y0 - (np.arange(h) + 0.5) * RES
    gx, gy = np.meshgrid(xc, yc)
    rows = []
    for zid, geom in zip(zones["code"], zones.geometry, strict=True):
        inside = shapely.contains_xy(geom, gx, gy)
        vals = data[inside]
        if nodata is not None:
            vals = vals[vals != nodata]
        for v, c in zip(*np.unique(vals, return_counts=True), strict=True):
            rows.append((zid, int(v), int(c)))
    return pd.DataFrame(rows, columns=["zone", "class", "pixels"])


@pytest.fixture
def landscape(raster_factory):
    rng = np.random.default_rng(42)
    data = rng.choice(np.array([0, 1, 2, 3, 7], dtype="uint8"), size=(70, 90),
                      p=[0.1, 0.4, 0.3, 0.1, 0.1])
    path = raster_factory(data, nodata=0, block=16)
    zones = _random_zones(rng, 25, data.shape)
    return path, data, zones


@pytest.mark.parametrize("window_pixels", [256, 1 << 20])
def test_center_counts_match_brute_force(landscape, window_pixels):
    path, data, zones = landscape
    assert overlap_layers(zones.geometry.to_numpy()).max() > 0  # the zones do overlap
    res = tally(path, zones, id_field="code", window_pixels=window_pixels)
    got = res.to_frame()
    expect = _brute_force(data, 0, zones)
    merged = got.merge(expect, on=["zone", "class"], how="outer", suffixes=("", "_bf"))
    assert merged["pixels"].notna().all() and merged["pixels_bf"].notna().all()
    assert (merged["pixels"] == merged["pixels_bf"]).all()
    np.testing.assert_allclose(got["area_ha"], got["pixels"] * RES * RES / 1e4)
    # nodata pixels are left out and reported per zone
    assert 0 not in got["class"].tolist()
    bf_nd = _brute_force(np.where(data == 0, 255, 0).astype("uint8"), 0, zones)
    nd = res.nodata.merge(bf_nd[["zone", "pixels"]], on="zone", suffixes=("", "_bf"))
    assert len(nd) == len(res.nodata) == len(bf_nd)
    assert (nd["pixels"] == nd["pixels_bf"]).all()


def test_counts_match_rasterstats(landscape):
    rasterstats = pytest.importorskip("rasterstats")
    path, data, zones = landscape
    got = tally(path, zones, id_field="code").to_frame()
    stats = rasterstats.zonal_stats(list(zones.geometry), path, categorical=True)
    rows = [(z, int(k), int(v)) for z, s in zip(zones["code"], stats, strict=True)
            for k, v in s.items()]
    expect = pd.DataFrame(rows, columns=["zone", "class", "pixels"])
    merged = got.merge(expect, on=["zone", "class"], how="outer", suffixes=("", "_rs"))
    assert (merged["pixels"] == merged["pixels_rs"]).all()


def test_hand_made_overlap_and_nodata(raster_factory):
    data = np.array([[1, 1, 2, 2],
                     [1, 9, 2, 2],
                     [3, 3, 3, 3]], dtype="uint8")
    path = raster_factory(data, nodata=9, transform=from_origin(0, 30, 10, 10))
    zones = gpd.GeoDataFrame(
        {"id": ["all", "left", "right", "outside"]},
        geometry=[box(0, 0, 40, 30), box(0, 10, 20, 30), box(20, 10, 40, 30),
                  box(500, 500, 600, 600)],
        crs="EPSG:9377",
    )
    res = tally(path, zones, id_field="id")
    got = {(r.zone, r._2): r.pixels for r in res.table.itertuples()}
    assert got == {("all", 1): 3, ("all", 2): 4, ("all", 3): 4,
                   ("left", 1): 3, ("right", 2): 4}
    assert res.nodata.to_dict("records") == [{"zone": "all", "pixels": 1},
                                             {"zone": "left", "pixels": 1}]
    assert res.empty_zones == ("outside",)
    assert any("no valid pixel" in n for n in res.notes)


def test_engines_agree(landscape):
    pytest.importorskip("distributed")
    from cocamonitor.zonal.dask_engine import dask_client

    path, data, zones = landscape
    a = tally(path, zones, id_field="code", window_pixels=300)
    with dask_client(workers=2, processes=False) as client:
        b = tally(path, zones, id_field="code", engine="dask", client=client,
                  window_pixels=512)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.nodata, b.nodata)
    assert b.engine == "dask"


def test_dask_workers_find_the_same_overlap_layers(landscape, monkeypatch):
    # the pair tests run on the workers (threshold lowered so that 25 zones use them)
    pytest.importorskip("distributed")
    from cocamonitor.zonal import dask_engine
    from cocamonitor.zonal._rasterize import ZoneIndex, candidate_pairs, colour_layers

    monkeypatch.setattr(dask_engine, "_LOCAL_PAIRS", 0)
    path, data, zones = landscape
    geoms = zones.geometry.to_numpy()
    a = tally(path, zones, id_field="code", window_pixels=300)
    with dask_engine.dask_client(workers=2, processes=False) as client:
        index = ZoneIndex(geoms)
        assert not index.has_layers
        i, j = candidate_pairs(geoms)
        futures = dask_engine._pair_tasks(client.scatter(index, broadcast=True), i, j, client,
                                          2, len(geoms))
        assert len(futures) == 2
        pairs = client.gather(futures)
        layers = colour_layers(len(geoms), np.concatenate([p[0] for p in pairs]),
                               np.concatenate([p[1] for p in pairs]))
        np.testing.assert_array_equal(layers, overlap_layers(geoms))
        assert layers.max() > 0
        b = tally(path, zones, id_field="code", engine="dask", client=client,
                  window_pixels=512)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.nodata, b.nodata)


def test_engines_agree_geographic(raster_factory):
    pytest.importorskip("distributed")
    from cocamonitor.zonal.dask_engine import dask_client

    rng = np.random.default_rng(5)
    data = rng.integers(1, 4, size=(60, 50), dtype="uint8")
    path = raster_factory(data, crs="EPSG:4326", transform=from_origin(-74, 5, 0.01, 0.01))
    zones = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[
        box(-73.95, 4.6, -73.7, 4.97), shapely.Point(-73.8, 4.7).buffer(0.1)], crs="EPSG:4326")
    with pytest.raises(InputError, match="equal-area"):
        tally(path, zones, id_field="id")
    a = tally(path, zones, id_field="id", equal_area_crs="EPSG:6933", window_pixels=256)
    with dask_client(workers=1, processes=False) as client:
        b = tally(path, zones, id_field="id", equal_area_crs="EPSG:6933", engine="dask",
                  client=client, window_pixels=1024)
    pd.testing.assert_frame_equal(a.table, b.table)
    # hectares: about 1.23 km2 per 0.01 degree cell at 4.8 N
    per_px = a.table["area_ha"] / a.table["pixels"]
    assert per_px.between(122.0, 123.5).all()


def test_exact_coverage(raster_factory):
    data = np.array([[1, 2], [3, 4]], dtype="uint8")
    path = raster_factory(data, transform=from_origin(0, 20, 10, 10))
    # covers half of each left pixel and all of each right pixel
    zones = gpd.GeoDataFrame({"id": [7]}, geometry=[box(5, 0, 20, 20)], crs="EPSG:9377")
    res = tally(path, zones, id_field="id", coverage="exact")
    got = dict(zip(res.table["class"], res.table["pixels"], strict=True))
    assert got == pytest.approx({1: 0.5, 2: 1.0, 3: 0.5, 4: 1.0})
    assert res.table["zone"].tolist() == ["7"] * 4
    np.testing.assert_allclose(res.table["area_ha"], res.table["pixels"] * 0.01)


def test_exact_coverage_totals_and_nodata(landscape):
    path, data, zones = landscape
    res = tally(path, zones, id_field="code", coverage="exact")
    center = tally(path, zones, id_field="code")
    # per zone: valid + nodata pixels = area of the zone inside the raster, in pixels
    raster_box = box(X0, Y0 - 70 * RES, X0 + 90 * RES, Y0)
    inside = shapely.area(shapely.intersection(zones.geometry.to_numpy(), raster_box)) / RES**2
    tot = res.table.groupby("zone")["pixels"].sum().reindex(zones["code"], fill_value=0)
    nd = res.nodata.set_index("zone")["pixels"].reindex(zones["code"], fill_value=0)
    np.testing.assert_allclose(tot + nd, inside, rtol=1e-9, atol=1e-6)
    # close to the pixel-centre counts overall
    assert res.table["pixels"].sum() == pytest.approx(center.table["pixels"].sum(), rel=0.05)


def test_reprojects_zones_and_notes(landscape):
    path, data, zones = landscape
    a = tally(path, zones, id_field="code")
    b = tally(path, zones.to_crs("EPSG:4326"), id_field="code")
    assert any("reprojected from EPSG:4326" in n for n in b.notes)
    merged = a.table.merge(b.table, on=["zone", "class"], how="outer")
    # reprojection round-trips vertices to ~1e-9 m: counts are unchanged
    assert (merged["pixels_x"] == merged["pixels_y"]).all()


def test_invalid_geometry_repaired(raster_factory):
    data = np.ones((4, 4), dtype="uint8")
    path = raster_factory(data, transform=from_origin(0, 40, 10, 10))
    bowtie = Polygon([(1, 0), (39, 38), (39, 0), (1, 38)])  # no pixel centre on an edge
    zones = gpd.GeoDataFrame({"id": ["bow", "ok"]}, geometry=[bowtie, box(0, 0, 40, 40)],
                             crs="EPSG:9377")
    res = tally(path, zones, id_field="id")
    assert any("1 invalid geometry repaired" in n for n in res.notes)
    got = dict(zip(res.table["zone"], res.table["pixels"], strict=True))
    assert got["ok"] == 16
    # bow tie = two triangles meeting at the centre: pixel centres strictly inside them
    xc = (np.arange(4) + 0.5) * 10
    gx, gy = np.meshgrid(xc, 40 - xc)
    assert got["bow"] == int(shapely.contains_xy(shapely.make_valid(bowtie), gx, gy).sum())


def test_bad_input(raster_factory, tmp_path):
    data = np.ones((4, 4), dtype="uint8")
    path = raster_factory(data, transform=from_origin(0, 40, 10, 10))
    zones = gpd.GeoDataFrame({"id": ["a"]}, geometry=[box(0, 0, 40, 40)], crs="EPSG:9377")
    with pytest.raises(SchemaError, match="no id field 'code'.*did you mean|no id field"):
        tally(path, zones, id_field="code")
    far = gpd.GeoDataFrame({"id": ["a"]}, geometry=[box(1e6, 1e6, 1e6 + 5, 1e6 + 5)],
                           crs="EPSG:9377")
    with pytest.raises(InputError, match="no zone .* overlaps raster"):
        tally(path, far, id_field="id")
    fpath = raster_factory(data.astype("float32"), transform=from_origin(0, 40, 10, 10))
    with pytest.raises(InputError, match="not integer classes"):
        tally(fpath, zones, id_field="id")
    with pytest.raises(InputError, match="unknown engine"):
        tally(path, zones, id_field="id", engine="spark")
    nocrs = gpd.GeoDataFrame({"id": ["a"]}, geometry=[box(0, 0, 40, 40)])
    with pytest.raises(InputError, match="no coordinate reference system"):
        tally(path, nocrs, id_field="id")


def test_zone_files(raster_factory, tmp_path, landscape):
    path, data, zones = landscape
    gpkg = tmp_path / "z.gpkg"
    zones.to_file(gpkg)
    pq = tmp_path / "z.parquet"
    zones.to_parquet(pq)
    a = tally(path, gpkg, id_field="code").table
    b = tally(path, pq, id_field="code").table
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(InputError, match="not found"):
        tally(path, tmp_path / "missing.gpkg", id_field="code")


def test_sliver_overlaps_do_not_make_layers():
    # two neighbours whose shared edge differs by floating-point noise
    a = Polygon([(0, 0), (50, 0), (50 + 1e-9, 30), (0, 30)])
    b = Polygon([(50, 0), (100, 0), (100, 30), (50, 30)])
    c = box(40, 0, 60, 30)  # a real overlap
    geoms = np.array([a, b])
    assert overlap_layers(geoms).max() == 1  # strictly, the sliver is an overlap
    assert overlap_layers(geoms, min_overlap_area=1e-4).max() == 0
    layers = overlap_layers(np.array([a, b, c]), min_overlap_area=1e-4)
    assert layers[0] == layers[1] != layers[2]


def test_grid_tally_matches_cell_polygons(raster_factory):
    pytest.importorskip("distributed")
    from cocamonitor.grid import GridSpec, cell_ids
    from cocamonitor.zonal.dask_engine import dask_client

    rng = np.random.default_rng(9)
    data = rng.integers(0, 4, size=(57, 83), dtype="uint8")
    # origin off the 200 m grid
    path = raster_factory(data, nodata=0, transform=from_origin(4_000_130, 2_000_070, 10, 10))
    res = tally(path, grid=200, window_pixels=300)
    spec = GridSpec.covering((4_000_130, 2_000_070 - 570, 4_000_130 + 830, 2_000_070), 200.0,
                             "EPSG:9377")
    r, c = np.divmod(np.arange(spec.nrows * spec.ncols), spec.ncols)
    cells = gpd.GeoDataFrame({"code": cell_ids(spec, r, c)}, geometry=spec.boxes(r, c),
                             crs="EPSG:9377")
    expect = _brute_force_at(data, 0, cells, 4_000_130, 2_000_070)
    got = res.table.sort_values(["zone", "class"]).reset_index(drop=True)
    expect = expect.sort_values(["zone", "class"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got[["zone", "class", "pixels"]], expect)
    assert res.nodata["pixels"].sum() == int((data == 0).sum())
    with dask_client(workers=1, processes=False) as client:
        d = tally(path, grid=200, engine="dask", client=client, window_pixels=1000)
    pd.testing.assert_frame_equal(res.table, d.table)
    with pytest.raises(InputError, match="one of them"):
        tally(path)


def _brute_force_at(data, nodata, zones, x0, y0):
    h, w = data.shape
    gx, gy = np.meshgrid(x0 + (np.arange(w) + 0.5) * RES, y0 - (np.arange(h) + 0.5) * RES)
    rows = []
    for zid, geom in zip(zones["code"], zones.geometry, strict=True):
        vals = data[shapely.contains_xy(geom, gx, gy)]
        vals = vals[vals != nodata]
        for v, n in zip(*np.unique(vals, return_counts=True), strict=True):
            rows.append((str(zid), int(v), int(n)))
    return pd.DataFrame(rows, columns=["zone", "class", "pixels"])


def test_memory_does_not_grow_with_raster_size(raster_factory):
    import tracemalloc

    rng = np.random.default_rng(4)
    peaks = []
    for n in (1600, 4800):
        data = rng.integers(0, 5, size=(n, n), dtype="uint8")
        path = raster_factory(data, block=64)
        del data
        zones = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[
            box(X0, Y0 - n * RES, X0 + n * RES / 2, Y0),
            box(X0 + n * RES / 2, Y0 - n * RES, X0 + n * RES, Y0)], crs="EPSG:9377")
        tracemalloc.start()
        res = tally(path, zones, id_field="id", window_pixels=1 << 16)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert res.table["pixels"].sum() == n * n
    # 9 times the pixels, about the same peak (windows of 65,536 pixels)
    assert peaks[1] < 1.3 * peaks[0], peaks


def test_class_areas_projected_with_equal_area_crs(raster_factory):
    from cocamonitor.zonal import class_areas

    # 10 m pixels in UTM 18N near its central meridian and 3 degrees east of it
    data = np.ones((50, 50), dtype="uint8")
    near = raster_factory(data, crs="EPSG:32618", transform=from_origin(500_000, 500_000, 10, 10))
    far = raster_factory(data, crs="EPSG:32618", transform=from_origin(830_000, 500_000, 10, 10))
    nominal = class_areas(near)["area_ha"].iloc[0]
    assert nominal == pytest.approx(25.0)
    a_near = class_areas(near, equal_area_crs="EPSG:6933")["area_ha"].iloc[0]
    a_far = class_areas(far, equal_area_crs="EPSG:6933")["area_ha"].iloc[0]
    # UTM scale factor 0.9996 at the central meridian (area x 1.0008), larger away from it
    assert a_near == pytest.approx(25.0 / 0.9996**2, rel=2e-4)
    assert a_far < a_near


def test_class_areas_match_their_footprints_measured_in_the_equal_area_crs(raster_factory):
    """A raster 600 km wide in eastern Colombia in CTM12, class 1 in its western half and 2 in
    its eastern half: with --equal-area-crs each class has the area of its footprint measured
    in EPSG:6933. The true area of a pixel shrinks by ~0.7 % from west to east (CTM12's scale
    grows away from its meridian); one area per row (the mean along the row) made the west
    about 0.4 % too small and the east 0.4 % too large."""
    import pyproj
    import shapely

    from cocamonitor.zonal import class_areas

    data = np.ones((300, 600), dtype="uint8")
    data[:, 300:] = 2
    x0, y0, size = 5.2e6, 2.3e6, 1000.0
    path = raster_factory(data, crs="EPSG:9377", transform=from_origin(x0, y0, size, size))
    got = class_areas(path, equal_area_crs="EPSG:6933", window_pixels=5000).set_index("class")
    tr = pyproj.Transformer.from_crs("EPSG:9377", "EPSG:6933", always_xy=True)

    def footprint_ha(xa, xb):
        outline = shapely.segmentize(box(xa, y0 - 300 * size, xb, y0), size / 4)
        projected = shapely.transform(outline, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
        return projected.area / 1e4

    west, east = footprint_ha(x0, x0 + 300 * size), footprint_ha(x0 + 300 * size, x0 + 600 * size)
    assert got.loc[1, "area_ha"] == pytest.approx(west, rel=1e-6)
    assert got.loc[2, "area_ha"] == pytest.approx(east, rel=1e-6)
    assert abs(east / west - 1) > 0.005  # what a per-row area cannot represent


def test_engines_agree_with_per_pixel_areas(raster_factory):
    pytest.importorskip("distributed")
    from cocamonitor.zonal.dask_engine import dask_client

    rng = np.random.default_rng(8)
    data = rng.integers(1, 4, size=(90, 120), dtype="uint8")
    x0, y0 = 4.6e6, 2.2e6
    path = raster_factory(data, crs="EPSG:9377", transform=from_origin(x0, y0, 2000, 2000))
    zones = gpd.GeoDataFrame({"id": ["w", "e"]}, geometry=[
        box(x0, y0 - 150_000, x0 + 100_000, y0), box(x0 + 90_000, y0 - 180_000, x0 + 240_000, y0 - 10_000)],
        crs="EPSG:9377")
    a = tally(path, zones, id_field="id", equal_area_crs="EPSG:6933", window_pixels=700)
    with dask_client(workers=1, processes=False) as client:
        b = tally(path, zones, id_field="id", equal_area_crs="EPSG:6933", engine="dask",
                  client=client, window_pixels=2500)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.table["area_ha"].sum() > 0
