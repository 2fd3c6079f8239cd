import json

import geopandas as gpd
import grid_fixtures as fx
import numpy as np
import pandas as pd
import pytest
import shapely

from cocamonitor import territories as terr
from cocamonitor import userdata
from cocamonitor.importers.simci_grid import read_simci_grid


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    return read_simci_grid(fx.write_geojson(tmp_path_factory.mktemp("g") / "grid.geojson"))


def _layer(kind):
    gdf = fx.layer(kind)
    return terr.Layer(kind, gdf["nombre"].to_numpy(dtype=object), gdf.geometry.to_numpy(), "EPSG:4326")


def _brute(geom, grid, years):
    """Coca in ``geom`` (grid CRS) by intersecting it with every cell of the grid, one by one."""
    spec = grid.lattice.grid_spec()
    mat = np.nan_to_num(grid.coca_matrix()[:, [grid.years.index(y) for y in years]])
    total = np.zeros(len(years))
    for i, (r, c) in enumerate(zip(grid.cells["row"], grid.cells["col"], strict=True)):
        box = spec.boxes(np.array([r]), np.array([c]))[0]
        frac = shapely.intersection(geom, box).area / (spec.cell * spec.cell)
        total += frac * mat[i]
    return total


def _in_grid_crs(layer, grid):
    spec = grid.lattice.grid_spec()
    return gpd.GeoSeries(layer.geometry, crs=layer.crs).to_crs(spec.crs).to_numpy()


def test_matches_brute_force_polygon_cell_intersection(grid):
    years = [2015, 2016, 2023]
    parks, resg = _layer("parks"), _layer("resguardos")
    res = terr.coca_in_territories({"parks": parks, "resguardos": resg}, grid, years=years, buffers=(1000.0, 2500.0))
    t = res.to_frame().set_index(["layer", "territory", "zone", "year"])["coca_ha"].sort_index()
    gp, gr = _in_grid_crs(parks, grid), _in_grid_crs(resg, grid)
    for name, geom in zip(parks.names, gp, strict=True):
        np.testing.assert_allclose(t.loc[("parks", name, "inside")].to_numpy(), _brute(geom, grid, years),
                                   rtol=0, atol=1e-9)
        ring1 = shapely.difference(shapely.buffer(geom, 1000.0, quad_segs=16), geom)
        ring2 = shapely.difference(shapely.buffer(geom, 2500.0, quad_segs=16),
                                   shapely.buffer(geom, 1000.0, quad_segs=16))
        np.testing.assert_allclose(t.loc[("parks", name, "0-1 km")].to_numpy(), _brute(ring1, grid, years),
                                   rtol=0, atol=1e-9)
        np.testing.assert_allclose(t.loc[("parks", name, "1-2.5 km")].to_numpy(), _brute(ring2, grid, years),
                                   rtol=0, atol=1e-9)
    # overlaps are counted once in the total of all layers, and reported
    union = shapely.union_all([*gp, *gr])
    np.testing.assert_allclose(t.loc[(terr.ALL_LAYERS, terr.ALL, "inside")].to_numpy(), _brute(union, grid, years),
                               rtol=0, atol=1e-9)
    shared = shapely.intersection(shapely.union_all(gp), shapely.union_all(gr))
    assert shared.area > 1e6  # the fixture's park lies partly in the resguardo
    ov = res.overlaps.set_index("year")["coca_ha"]
    np.testing.assert_allclose(ov.loc[years].to_numpy(), _brute(shared, grid, years), rtol=0, atol=1e-9)
    sum_layers = (t.loc[("parks", terr.ALL, "inside")] + t.loc[("resguardos", terr.ALL, "inside")]).to_numpy()
    np.testing.assert_allclose(sum_layers - ov.loc[years].to_numpy(),
                               t.loc[(terr.ALL_LAYERS, terr.ALL, "inside")].to_numpy(), rtol=0, atol=1e-9)


def test_shares_and_change(grid):
    res = terr.coca_in_territories({"parks": _layer("parks")}, grid, years=[2020, 2021])
    t = res.to_frame()
    row = t[(t.territory == terr.ALL) & (t.zone == "inside")].set_index("year")
    national = np.nansum(grid.coca_matrix()[:, [grid.years.index(2020), grid.years.index(2021)]], axis=0)
    np.testing.assert_allclose(row["share_of_national_pct"], 100 * row["coca_ha"] / national, rtol=1e-12)
    assert np.isnan(row.loc[2020, "change_ha"])
    assert row.loc[2021, "change_ha"] == pytest.approx(row.loc[2021, "coca_ha"] - row.loc[2020, "coca_ha"], abs=1e-12)


def test_cell_fractions_are_double_precision():
    from cocamonitor.grid import GridSpec

    spec = GridSpec("EPSG:9377", 1000.0, 0.0, 3000.0, 3, 4)
    poly = shapely.box(500.0, 500.0, 1700.0, 1200.0)
    zone, cell, frac = terr.cell_fractions(np.array([poly]), spec)
    got = dict(zip(cell.tolist(), frac.tolist(), strict=True))
    assert got == {4: 0.1, 5: 0.14, 8: 0.25, 9: 0.35}  # exact, not exactextract's float32 0.34999999


def test_cli_add_and_coca(tmp_path, run_cli):
    data = tmp_path / "data"
    gj = fx.write_geojson(tmp_path / "grid.geojson")
    assert run_cli("--data-dir", str(data), "data", "import", "simci-grid", str(gj)).exit_code == 0
    parks = fx.layer("parks").to_crs("EPSG:9377")
    bow = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])  # a self-intersecting ring far away
    parks = pd.concat([parks, gpd.GeoDataFrame({"nombre": ["Bowtie"]}, geometry=[bow], crs="EPSG:9377")],
                      ignore_index=True)
    parks.to_file(tmp_path / "runap.gpkg")
    fx.layer("resguardos").to_file(tmp_path / "ant.geojson")
    r = run_cli("--data-dir", str(data), "territories", "add", "parks", str(tmp_path / "runap.gpkg"),
                "--name-field", "nombre")
    assert r.exit_code == 0, r.stderr
    assert "1 invalid geometry repaired" in r.stderr
    r = run_cli("--data-dir", str(data), "territories", "add", "resguardos", str(tmp_path / "ant.geojson"),
                "--name-field", "nombre")
    assert r.exit_code == 0, r.stderr
    r = run_cli("--data-dir", str(data), "territories", "coca", "--layer", "parks,resguardos", "--years",
                "2021-2023", "--buffer", "1km,2km", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert "parks and resguardos overlap on" in r.stderr
    doc = json.loads(r.stdout)
    rows = pd.DataFrame(doc["territories"])
    assert set(rows["zone"]) == {"inside", "0-1 km", "1-2 km"}
    assert "PNN Catatumbo Barí" in set(rows["territory"])
    assert doc["provenance"]["layers"]["parks"]["source_sha256"] == userdata.file_sha256(tmp_path / "runap.gpkg")
    r = run_cli("--data-dir", str(data), "territories", "list", "--format", "json")
    assert [d["layer"] for d in json.loads(r.stdout)] == ["parks", "resguardos"]


def test_cli_bad_input(tmp_path, run_cli):
    data = tmp_path / "data"
    pts = gpd.GeoDataFrame({"nombre": ["a"]}, geometry=[shapely.Point(-73, 8)], crs=4326)
    pts.to_file(tmp_path / "pts.gpkg")
    r = run_cli("--data-dir", str(data), "territories", "add", "parks", str(tmp_path / "pts.gpkg"),
                "--name-field", "nombre")
    assert r.exit_code == 2 and "is a Point, not a polygon" in r.stderr and r.stderr.count("\n") == 1
    r = run_cli("--data-dir", str(data), "territories", "add", "parks", str(tmp_path / "pts.gpkg"),
                "--name-field", "nom")
    assert r.exit_code == 2 and "--name-field" in r.stderr
    nocrs = fx.layer("parks").set_crs(None, allow_override=True)
    nocrs.to_parquet(tmp_path / "nocrs.parquet")
    r = run_cli("--data-dir", str(data), "territories", "add", "parks", str(tmp_path / "nocrs.parquet"),
                "--name-field", "nombre")
    assert r.exit_code == 2 and "no coordinate reference system" in r.stderr
    r = run_cli("--data-dir", str(data), "territories", "coca", "--layer", "parks")
    assert r.exit_code == 2 and "simci-grid" in r.stderr
    assert not userdata.entries(data_dir=data)
    gj = fx.write_geojson(tmp_path / "grid.geojson")
    run_cli("--data-dir", str(data), "data", "import", "simci-grid", str(gj))
    r = run_cli("--data-dir", str(data), "territories", "coca", "--layer", "parks")
    assert r.exit_code == 2 and "no territory layer 'parks'" in r.stderr
    fx.layer("parks").to_file(tmp_path / "p.gpkg")
    run_cli("--data-dir", str(data), "territories", "add", "parks", str(tmp_path / "p.gpkg"), "--name-field", "nombre")
    r = run_cli("--data-dir", str(data), "territories", "coca", "--layer", "parks", "--years", "1999")
    assert r.exit_code == 2 and "year 1999 is not in the imported SIMCI grid" in r.stderr
    r = run_cli("--data-dir", str(data), "territories", "coca", "--layer", "parks", "--buffer", "20km,10km")
    assert r.exit_code == 2 and "not increasing" in r.stderr


def test_tiling_large_geometries_changes_no_fraction(grid):
    spec = grid.lattice.grid_spec()
    geoms = np.concatenate([_in_grid_crs(_layer("parks"), grid), _in_grid_crs(_layer("resguardos"), grid)])
    geoms = np.append(geoms, shapely.union_all(geoms).buffer(700.0, quad_segs=32))
    whole = terr.cell_fractions(geoms, spec, max_vertices=1_000_000)
    tiled = terr.cell_fractions(geoms, spec, max_vertices=8)  # forces cutting into one-cell tiles
    assert np.array_equal(whole[0], tiled[0]) and np.array_equal(whole[1], tiled[1])
    np.testing.assert_allclose(tiled[2], whole[2], rtol=0, atol=1e-12)
    rows, cols = np.divmod(tiled[1], spec.ncols)
    brute = shapely.area(shapely.intersection(geoms[tiled[0]], spec.boxes(rows, cols))) / spec.cell**2
    np.testing.assert_allclose(tiled[2], brute, rtol=0, atol=1e-12)


def test_from_coca_maps_matches_brute_force(tmp_path, run_cli):
    import rasterio
    from rasterio.transform import from_origin

    rng = np.random.default_rng(5)
    px = 100.0  # 100 m pixels over the fixture grid, in its CRS
    nr, nc = fx.NROWS * 10, fx.NCOLS * 10
    maps, arrays = {}, {}
    for y in (2022, 2023):
        arr = (rng.random((nr, nc)) < 0.2).astype("uint8")
        arr[:3, :] = 255  # nodata strip
        path = tmp_path / f"coca_{y}.tif"
        with rasterio.open(path, "w", driver="GTiff", width=nc, height=nr, count=1, dtype="uint8", nodata=255,
                           crs=fx.GRID_CRS, transform=from_origin(fx.X0, fx.Y0, px, px)) as dst:
            dst.write(arr, 1)
        maps[y], arrays[y] = path, arr
    parks = _layer("parks")
    res = terr.coca_in_territories_from_maps({"parks": parks}, maps, buffers=(1000.0,))
    t = res.to_frame().set_index(["layer", "territory", "zone", "year"])["coca_ha"].sort_index()
    rows, cols = np.nonzero(np.ones((nr, nc), bool))
    boxes = shapely.box(fx.X0 + cols * px, fx.Y0 - (rows + 1) * px, fx.X0 + (cols + 1) * px, fx.Y0 - rows * px)
    geom = gpd.GeoSeries(parks.geometry, crs=parks.crs).to_crs(fx.GRID_CRS).to_numpy()[0]
    frac = shapely.area(shapely.intersection(geom, boxes)) / px**2
    for y in (2022, 2023):
        coca = (arrays[y] == 1).ravel()
        want = float((frac * coca).sum()) * px * px / 1e4
        # exactextract keeps pixel coverage in single precision: 1e-7 relative
        assert t.loc[("parks", parks.names[0], "inside", y)] == pytest.approx(want, rel=1e-6)
        assert res.national[y] == pytest.approx(float(coca.sum()) * px * px / 1e4, rel=1e-12)
    data = tmp_path / "data"
    fx.layer("parks").to_file(tmp_path / "p.gpkg")
    run_cli("--data-dir", str(data), "territories", "add", "parks", str(tmp_path / "p.gpkg"), "--name-field", "nombre")
    r = run_cli("--data-dir", str(data), "territories", "coca", "--layer", "parks", "--raster", str(maps[2022]),
                "--raster", str(maps[2023]), "--format", "json")
    assert r.exit_code == 0, r.stderr
    got = pd.DataFrame(json.loads(r.stdout)["territories"])
    assert set(got["year"]) == {2022, 2023} and got["cells_without_value"].max() > 0
