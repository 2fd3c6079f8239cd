import json

import grid_fixtures as fx
import numpy as np
import pandas as pd
import pytest

from cocamonitor import userdata
from cocamonitor.errors import DataError, InputError, SchemaError
from cocamonitor.importers.simci_grid import load_imported_grid, parse_simci_grid, read_simci_grid


def _expected():
    rows, cols, ids, ha, missing = fx.truth()
    return rows, cols, ids, np.where(missing, np.nan, ha)


@pytest.mark.parametrize("writer", [fx.write_geojson, fx.write_csv])
def test_reads_the_real_schema_into_a_tidy_table(tmp_path, writer):
    path = writer(tmp_path / ("grid.geojson" if writer is fx.write_geojson else "grid.csv"))
    g = read_simci_grid(path)
    rows, cols, ids, ha = _expected()
    assert g.years == tuple(fx.YEARS)
    assert g.columns[2004] == "areacoca2004" and g.columns[2022] == "coca2022_" and g.columns[2023] == "areacoca_2023"
    assert (g.lattice.crs, g.lattice.cell) == ("EPSG:3116", 1000.0)
    # positions on the lattice reproduce the cells' true rows and columns (up to the grid's own origin)
    order = pd.Index(g.cells["cell"]).get_indexer(ids.astype(str))
    assert np.array_equal(g.cells["row"].to_numpy()[order] - g.cells["row"].min(), rows - rows.min())
    assert np.array_equal(g.cells["col"].to_numpy()[order] - g.cells["col"].min(), cols - cols.min())
    np.testing.assert_array_equal(g.coca_matrix()[order], ha)
    assert list(g.table.columns) == ["cell", "year", "coca_ha"] and len(g.table) == ids.size * len(fx.YEARS)
    assert g.notes == ("3 empty cell-year value(s) kept as missing (not read as 0 ha)",)


def test_import_then_grid_commands_use_it(tmp_path, run_cli):
    path = fx.write_geojson(tmp_path / "grid.geojson")
    data = tmp_path / "data"
    r = run_cli("--data-dir", str(data), "data", "import", "simci-grid", str(path))
    assert r.exit_code == 0, r.stderr
    assert "72 cells x 23 years (2001-2023)" in r.stderr
    entry = userdata.entry("simci-grid", data_dir=data)
    assert entry.meta["dataset"] == "v3rx-q7t3" and entry.meta["licence"] == "CC BY-SA 4.0"
    assert entry.source_sha256 == userdata.file_sha256(path)
    r = run_cli("--data-dir", str(data), "grid", "density", "--format", "json")
    assert r.exit_code == 0, r.stderr
    out = pd.DataFrame(json.loads(r.stdout))
    _, _, _, ha = _expected()
    np.testing.assert_allclose(out["coca_ha"], np.nansum(ha, axis=0), rtol=0, atol=1e-9)
    assert out["year"].tolist() == fx.YEARS
    r = run_cli("--data-dir", str(data), "grid", "permanence", "--years", "2019-2023", "--format", "json")
    assert r.exit_code == 0, r.stderr
    classes = {d["class"]: d["cells"] for d in json.loads(r.stdout)}
    sub = ha[:, -5:]
    seen = np.isfinite(sub).all(axis=1)
    assert classes["permanent"] == int(((sub > 0).all(axis=1) & seen).sum())
    assert sum(classes.values()) == int(seen.sum())
    r = run_cli("--data-dir", str(data), "grid", "hotspots", "--year", "2020", "--format", "json")
    assert r.exit_code == 0, r.stderr
    g = load_imported_grid(data_dir=data)
    assert g is not None and g.density_grid().coca_ha.shape == (23, fx.NROWS, fx.NCOLS)


def test_same_numbers_from_geojson_and_csv(tmp_path):
    a = read_simci_grid(fx.write_geojson(tmp_path / "g.geojson"))
    b = read_simci_grid(fx.write_csv(tmp_path / "g.csv"))
    pd.testing.assert_frame_equal(a.table, b.table)


def test_bad_grid_files_are_refused(tmp_path):
    gdf = fx.grid_gdf()
    dup = pd.concat([gdf, gdf.iloc[[3]]], ignore_index=True)
    with pytest.raises(DataError, match="appears twice"):
        parse_simci_grid(dup)
    odd = gdf.rename(columns={"areacoca_2010": "areacoca"})
    with pytest.raises(SchemaError, match="names no year"):
        parse_simci_grid(odd)
    two = gdf.assign(areacoca2023="1")
    with pytest.raises(SchemaError, match="year 2023 is in two columns"):
        parse_simci_grid(two)
    text = gdf.copy()
    text.loc[5, "areacoca_2015"] = "n/a"
    with pytest.raises(DataError, match="row 6, column 'areacoca_2015'"):
        parse_simci_grid(text)
    big = gdf.copy()
    big.loc[2, "coca2022_"] = "150"
    with pytest.raises(DataError, match="outside 0-100 ha"):
        parse_simci_grid(big)
    with pytest.raises(InputError, match="no coordinate reference system"):
        parse_simci_grid(gdf.set_crs(None, allow_override=True))
    noid = gdf.drop(columns="grilla1")
    with pytest.raises(SchemaError, match="no cell id column 'grilla1'"):
        parse_simci_grid(noid)
    moved = gdf.copy()
    moved.geometry = moved.geometry.translate(0.001)  # no longer on any projected lattice
    moved.loc[0, "geometry"] = moved.geometry.iloc[0].buffer(0.01)
    with pytest.raises(InputError, match="not squares of one size"):
        parse_simci_grid(moved)


def test_extra_columns_are_named_not_silently_dropped():
    g = parse_simci_grid(fx.grid_gdf().assign(departamento="Norte de Santander", OBJECTID=1))
    assert "column(s) not read: departamento" in g.notes


def test_cli_errors_are_one_line_and_nothing_is_written(tmp_path, run_cli):
    gdf = fx.grid_gdf()
    gdf.loc[4, "areacoca_2001"] = "-3"
    path = tmp_path / "bad.geojson"
    gdf.to_file(path)
    data = tmp_path / "data"
    r = run_cli("--data-dir", str(data), "data", "import", "simci-grid", str(path))
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "row 5, column 'areacoca_2001'" in r.stderr
    assert not userdata.entries(data_dir=data)
    # a shapefile cuts column names at 10 characters, so the years are lost: said, not guessed
    shp = tmp_path / "grid.shp"
    with pytest.warns(UserWarning, match="truncated"):
        fx.grid_gdf().to_file(shp)
    r = run_cli("--data-dir", str(data), "data", "import", "simci-grid", str(shp))
    assert r.exit_code == 2 and "shapefile cuts names at 10 characters" in r.stderr


def test_shapefile_with_whole_names_imports(tmp_path, run_cli):
    gdf = fx.grid_gdf()[["grilla1", "coca2022_", "geometry"]]
    shp = tmp_path / "grid.shp"
    gdf.to_file(shp)
    g = read_simci_grid(shp)
    assert g.years == (2022,) and g.lattice.crs == "EPSG:3116"
