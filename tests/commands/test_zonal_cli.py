import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import box


def _raster(path, data, *, x0=0.0, y0=40.0, res=10.0, nodata=None, crs="EPSG:9377"):
    data = np.asarray(data)
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0],
                       count=1, dtype=data.dtype, crs=crs, nodata=nodata,
                       transform=from_origin(x0, y0, res, res)) as dst:
        dst.write(data, 1)
    return str(path)


@pytest.fixture
def inputs(tmp_path):
    data = np.array([[1, 1, 2, 2],
                     [1, 9, 2, 2],
                     [3, 3, 3, 3],
                     [3, 3, 1, 1]], dtype="uint8")
    raster = _raster(tmp_path / "map.tif", data, nodata=9)
    zones = gpd.GeoDataFrame({"code": ["w", "e"], "n": [1, 2]},
                             geometry=[box(0, 0, 20, 40), box(20, 0, 40, 40)], crs="EPSG:9377")
    gpkg = tmp_path / "zones.gpkg"
    zones.to_file(gpkg)
    return raster, str(gpkg), tmp_path


def test_zonal_json_contract(run_cli, inputs):
    raster, gpkg, _ = inputs
    res = run_cli("zonal", "--raster", raster, "--zones", gpkg, "--id-field", "code",
                  "--format", "json")
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert rows == [
        {"zone": "w", "class": 1, "pixels": 3, "area_ha": 0.03},
        {"zone": "w", "class": 3, "pixels": 4, "area_ha": 0.04},
        {"zone": "e", "class": 1, "pixels": 2, "area_ha": 0.02},
        {"zone": "e", "class": 2, "pixels": 4, "area_ha": 0.04},
        {"zone": "e", "class": 3, "pixels": 2, "area_ha": 0.02},
    ]
    assert "1 nodata pixel(s) inside zones were left out" in res.stderr
    # numeric ids come out as text
    res = run_cli("zonal", "--raster", raster, "--zones", gpkg, "--id-field", "n",
                  "--format", "json")
    assert {r["zone"] for r in json.loads(res.stdout)} == {"1", "2"}


def test_zonal_exact_csv_and_parquet(run_cli, inputs):
    raster, gpkg, tmp = inputs
    res = run_cli("zonal", "--raster", raster, "--zones", gpkg, "--id-field", "code",
                  "--coverage", "exact", "--format", "csv")
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert lines[0] == "zone,class,pixels,area_ha"
    out = tmp / "t.parquet"
    res = run_cli("zonal", "--raster", raster, "--zones", gpkg, "--id-field", "code",
                  "--format", "parquet", "--out", str(out))
    assert res.exit_code == 0, res.stderr
    df = pd.read_parquet(out)
    assert df["pixels"].sum() == 15
    import pyarrow.parquet as pq

    meta = json.loads(pq.read_schema(out).metadata[b"cocamonitor"])
    assert set(meta) == {"inputs", "parameters", "version"}
    res = run_cli("zonal", "--raster", raster, "--zones", gpkg, "--id-field", "code",
                  "--format", "parquet")
    assert res.exit_code == 2 and "--out" in res.stderr


def test_zonal_dask_workers(run_cli, inputs):
    pytest.importorskip("distributed")
    raster, gpkg, _ = inputs
    a = run_cli("zonal", "--raster", raster, "--zones", gpkg, "--id-field", "code",
                "--format", "json")
    b = run_cli("zonal", "--raster", raster, "--zones", gpkg, "--id-field", "code",
                "--format", "json", "--engine", "dask", "--workers", "1")
    assert b.exit_code == 0, b.stderr
    assert json.loads(a.stdout) == json.loads(b.stdout)


def test_zonal_municipalities(run_cli, tmp_path):
    # 20 x 20 km around Tibú (Norte de Santander) in MAGNA-SIRGAS Origen Nacional
    data = np.ones((100, 100), dtype="uint8")
    raster = _raster(tmp_path / "tibu.tif", data, x0=5_010_000, y0=2_530_000, res=200.0)
    res = run_cli("zonal", "--raster", raster, "--municipalities", "--format", "json")
    assert res.exit_code == 0, res.stderr
    rows = pd.DataFrame(json.loads(res.stdout))
    assert "54810" in set(rows["zone"])
    assert rows["zone"].str.fullmatch(r"\d{5}").all()
    assert "reprojected from EPSG:4326" in res.stderr
    # every pixel centre falls in one municipality at most (no double counting)
    assert rows["pixels"].sum() <= 100 * 100
    assert rows["area_ha"].sum() == pytest.approx(rows["pixels"].sum() * 4.0)


def test_zonal_bad_input(run_cli, inputs, tmp_path):
    raster, gpkg, _ = inputs
    res = run_cli("zonal", "--raster", raster, "--zones", gpkg, "--id-field", "cod")
    assert res.exit_code == 2
    assert "no id field 'cod'" in res.stderr and "did you mean: code" in res.stderr
    far = tmp_path / "far.gpkg"
    gpd.GeoDataFrame({"code": ["x"]}, geometry=[box(9e5, 9e5, 9e5 + 10, 9e5 + 10)],
                     crs="EPSG:9377").to_file(far)
    res = run_cli("zonal", "--raster", raster, "--zones", str(far), "--id-field", "code")
    assert res.exit_code == 2 and "overlaps" in res.stderr
    fl = _raster(tmp_path / "f.tif", np.zeros((4, 4), dtype="float32"))
    res = run_cli("zonal", "--raster", fl, "--zones", gpkg, "--id-field", "code")
    assert res.exit_code == 2 and "not integer classes" in res.stderr
    res = run_cli("zonal", "--raster", raster, "--zones", gpkg)
    assert res.exit_code == 2 and "--id-field" in res.stderr
    res = run_cli("zonal", "--raster", raster, "--zones", gpkg, "--id-field", "code",
                  "--workers", "2")
    assert res.exit_code == 2 and "--engine dask" in res.stderr
    assert res.stdout == ""


def test_zonal_reprojects_and_repairs(run_cli, inputs, tmp_path):
    raster, gpkg, _ = inputs
    zones = gpd.read_file(gpkg).to_crs("EPSG:4326")
    from shapely.geometry import Polygon

    zones.loc[len(zones)] = ["bow", 3, Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])]
    path = tmp_path / "z4326.gpkg"
    zones.set_crs("EPSG:4326", allow_override=True).to_file(path)
    res = run_cli("zonal", "--raster", raster, "--zones", str(path), "--id-field", "code",
                  "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert "reprojected from EPSG:4326 to the raster CRS" in res.stderr
    assert "1 invalid geometry repaired" in res.stderr
    assert {r["zone"] for r in json.loads(res.stdout)} == {"w", "e"}


def test_grid_commands(run_cli, tmp_path):
    rng = np.random.default_rng(0)
    paths = []
    for k, year in enumerate(range(2019, 2024)):
        data = (rng.random((300, 300)) < 0.02).astype("uint8")
        data[0:100, 0:100] = 1 if k >= 2 else 0        # a cell that becomes coca
        data[100:150, 100:200] = 1                       # a permanent dense cell
        paths.append(_raster(tmp_path / f"c{year}.tif", data, x0=0, y0=3000))
    args = [a for p in paths for a in ("--raster", p)]
    tif = tmp_path / "density.tif"
    res = run_cli("grid", "density", *args, "--years", "2019-2023", "--out-tif", str(tif),
                  "--out-parquet", str(tmp_path / "density.parquet"), "--format", "json")
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [r["year"] for r in rows] == [2019, 2020, 2021, 2022, 2023]
    assert rows[0]["max_density_ha_km2"] >= 50
    res = run_cli("grid", "permanence", "--density", str(tif), "--recent", "3",
                  "--format", "json", "--out-tif", str(tmp_path / "perm.tif"))
    assert res.exit_code == 0, res.stderr
    counts = {r["class"]: r["cells"] for r in json.loads(res.stdout)}
    # noise puts coca in every other cell every year: 8 permanent, 1 new
    assert counts == {"none": 0, "permanent": 8, "intermittent": 0, "new": 1, "abandoned": 0}
    with rasterio.open(tmp_path / "perm.tif") as src:
        perm = src.read(1)
    assert perm[1, 1] == 1  # the dense cell: permanent
    assert perm[0, 0] == 3  # no coca in 2019-2020, coca 2021-2023: new
    res = run_cli("grid", "hotspots", "--density", str(tif), "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert "hot and" in res.stderr
    res = run_cli("grid", "density", "--format", "json")
    assert res.exit_code == 2 and "exactly one of" in res.stderr
    res = run_cli("grid", "permanence", "--density", str(tif), "--recent", "9")
    assert res.exit_code == 2


def test_zonal_dask_scheduler_address(run_cli, inputs):
    distributed = pytest.importorskip("distributed")
    raster, gpkg, _ = inputs
    a = run_cli("zonal", "--raster", raster, "--zones", gpkg, "--id-field", "code",
                "--format", "json")
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cl:
        b = run_cli("zonal", "--raster", raster, "--zones", gpkg, "--id-field", "code",
                    "--format", "json", "--engine", "dask", "--scheduler", cl.scheduler_address)
    assert b.exit_code == 0, b.stderr
    assert json.loads(a.stdout) == json.loads(b.stdout)
    res = run_cli("zonal", "--raster", raster, "--zones", gpkg, "--id-field", "code",
                  "--engine", "dask", "--scheduler", "tcp://x:1", "--workers", "2")
    assert res.exit_code == 2 and "not both" in res.stderr


def test_zonal_grid_option(run_cli, tmp_path):
    data = np.ones((200, 300), dtype="uint8")
    raster = _raster(tmp_path / "g.tif", data, x0=4_000_000, y0=2_002_000)
    res = run_cli("zonal", "--raster", raster, "--grid", "1000", "--format", "json")
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [r["zone"] for r in rows] == ["E4000N2001", "E4001N2001", "E4002N2001",
                                         "E4000N2000", "E4001N2000", "E4002N2000"]
    assert all(r["pixels"] == 10_000 and r["area_ha"] == 100.0 for r in rows)
    res = run_cli("zonal", "--raster", raster, "--grid", "1000", "--municipalities")
    assert res.exit_code == 2


def test_unwritable_outputs_fail_before_any_work(run_cli, inputs, tmp_path):
    """--out in a missing directory was an OSError traceback (exit 1) after the tally; now a
    missing folder is created, and one that cannot be (a file stands there) is refused at once."""
    raster, gpkg, _ = inputs
    ok = run_cli("zonal", "--raster", raster, "--zones", gpkg, "--id-field", "code",
                 "--format", "csv", "--out", str(tmp_path / "new_dir" / "t.csv"))
    assert ok.exit_code == 0 and (tmp_path / "new_dir" / "t.csv").exists(), ok.stderr
    missing = tmp_path / "a_file"
    missing.write_text("not a folder")
    res = run_cli("zonal", "--raster", raster, "--zones", gpkg, "--id-field", "code",
                  "--format", "csv", "--out", str(missing / "t.csv"))
    assert res.exit_code == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --out:"), res.stderr
    assert "is a file, not a folder" in lines[0]
    res = run_cli("zonal", "--raster", raster, "--zones", gpkg, "--id-field", "code",
                  "--format", "parquet")
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 2 and len(lines) == 1 and "--out" in lines[0], res.stderr
    res = run_cli("grid", "density", "--raster", raster, "--coca-class", "1", "--cell", "20",
                  "--out-tif", str(missing / "d.tif"))
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 2 and len(lines) == 1 and "--out-tif" in lines[0], res.stderr


@pytest.mark.parametrize("size", ["0", "-5", "nan"])
def test_grid_cell_size_must_be_positive(run_cli, inputs, size):
    raster, _, _ = inputs
    res = run_cli("zonal", "--raster", raster, "--grid", size)
    assert res.exit_code == 2
    assert "must be a positive number of metres" in res.stderr


@pytest.mark.parametrize("args", [("zonal",), ("grid", "density"), ("grid", "permanence"),
                                  ("grid", "hotspots")])
def test_help_example_runs_as_written(run_cli, monkeypatch, args):
    """Each --help shows an example that runs from the repository root."""
    import re
    import shlex
    from pathlib import Path

    res = run_cli(*args, "--help")
    assert res.exit_code == 0
    text = " ".join(res.stdout.replace("│", " ").split())
    m = re.search(r"Example \(from the repository root\): (cocamonitor .*?)(?: ╰|$)", text)
    assert m, text
    line = m.group(1).strip()
    assert line.startswith("cocamonitor " + " ".join(args))
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    out = run_cli(*shlex.split(line)[1:])
    assert out.exit_code == 0, (line, out.stderr)
    assert out.stdout.strip()


def test_coca_class_hint_shows_classes_not_years(run_cli, inputs):
    raster, _, _ = inputs
    res = run_cli("grid", "density", "--raster", raster, "--coca-class", "x", "--cell", "20")
    assert res.exit_code == 2
    assert "--coca-class" in res.stderr and "e.g. 1 or 1,3" in res.stderr
    assert "2019" not in res.stderr
