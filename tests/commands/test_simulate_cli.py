from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

ARGS = ("--size", "200", "--years", "2019-2021", "--seed", "3")


@pytest.fixture
def cfg_file(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[dynamics]\ninitial_fields_per_km2 = 20.0\n"
                 "[sample_survey]\nsegment_size_m = 200.0\nhigh_density_ha = 1.0\n"
                 "[good_practice]\nbuffer_m = 200.0\n", encoding="utf-8")
    return p


def test_run_writes_truth_maps_and_samples(run_cli, tmp_path, cfg_file):
    import pyogrio
    import rasterio

    out = tmp_path / "sim"
    res = run_cli("simulate", "run", "--config", str(cfg_file), *ARGS, "--out", str(out),
                  "--format", "csv")
    assert res.exit_code == 0, res.stderr
    table = pd.read_csv(__import__("io").StringIO(res.stdout))
    assert table.columns.tolist() == ["year", "dec31_ha", "harvested_ha", "census",
                                      "good_practice", "sample_survey"]
    truth = pd.read_csv(out / "truth.csv")
    assert truth["year"].tolist() == [2019, 2020, 2021]
    for year, dec31 in zip(truth["year"], truth["dec31_ha"], strict=True):
        with rasterio.open(out / "maps" / f"landcover_{year}.tif") as src:
            assert src.crs.to_epsg() == 9377 and src.crs.is_projected
            assert src.shape == (200, 200) and src.res == (10.0, 10.0)
            lc = src.read(1)
        assert (lc == 2).sum() * 0.01 == pytest.approx(dec31)
        assert (out / "maps" / f"census_{year}.tif").is_file()
        ref = pd.read_csv(out / f"reference_{year}.csv")
        areas = pd.read_csv(out / f"strata_areas_{year}.csv")
        assert set(ref["stratum"]) <= set(areas["stratum"])
        assert areas["area"].sum() == pytest.approx(400.0)  # 2 x 2 km in ha
    layers = dict(pyogrio.list_layers(out / "samples.gpkg"))
    assert layers == {"sample_survey": "Polygon", "good_practice": "Point"}
    est = pd.read_csv(out / "estimates.csv")
    assert set(est["method"]) == {"census", "sample_survey", "good_practice"}
    run = json.loads((out / "run.json").read_text())
    assert run["seed"] == 3 and run["provenance"]["inputs"]
    assert "simulate run" in res.stderr  # progress bar on stderr


def test_run_is_reproducible_bit_for_bit(run_cli, tmp_path):
    import rasterio

    outs = []
    for name in ("a", "b"):
        res = run_cli("simulate", "run", *ARGS, "--out", str(tmp_path / name))
        assert res.exit_code == 0, res.stderr
        outs.append(tmp_path / name)
    for f in ("truth.csv", "estimates.csv", "eradication.csv", "fields.csv",
              "reference_2020.csv"):
        assert (outs[0] / f).read_bytes() == (outs[1] / f).read_bytes()
    for f in ("maps/landcover_2021.tif", "maps/census_2021.tif"):
        with rasterio.open(outs[0] / f) as a, rasterio.open(outs[1] / f) as b:
            assert np.array_equal(a.read(), b.read())


def test_compare_json_contract(run_cli, tmp_path, cfg_file):
    plot = tmp_path / "cmp.png"
    res = run_cli("simulate", "compare", "--config", str(cfg_file), *ARGS,
                  "--replicates", "3", "--format", "json", "--plot", str(plot))
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert {"config", "replicates", "truth", "methods"} <= set(doc)
    assert doc["replicates"] == 3
    assert doc["config"]["landscape"]["size"] == 200
    assert doc["config"]["dynamics"]["initial_fields_per_km2"] == 20.0
    assert sorted(doc["truth"]) == ["2019", "2020", "2021"]
    assert set(doc["truth"]["2020"]) == {"dec31_ha", "harvested_ha"}
    assert set(doc["methods"]) == {"census", "sample_survey", "good_practice"}
    for name, m in doc["methods"].items():
        assert {"bias_ha", "rmse_ha", "coverage", "sign_agreement", "coverage_ci", "bias_mcse",
                "degenerate_share", "target", "truths"} <= set(m)
        assert m["rmse_ha"] >= abs(m["bias_ha"])
        assert 0 <= m["sign_agreement"] <= 1
        assert (m["coverage"] is None) == (name == "census")
        assert (m["coverage_ci"] is None) == (name == "census")
        if m["coverage"] is not None:
            lo, hi = m["coverage_ci"]
            assert lo <= m["coverage"] <= hi and 0 <= m["degenerate_share"] <= 1
        assert set(m["truths"]) == {"dec31", "harvested"}
        assert m["truths"]["dec31"]["bias_ha"] == m["bias_ha"]
        assert m["target"] == {"sample_survey": "harvested"}.get(name, "dec31")
        assert set(doc["verdict"][name]) == {"es", "en"}
    bought = doc["budget"]["methods"]
    assert doc["budget"]["hours_per_year"] is None
    assert bought["good_practice"]["unit"] == "points" and bought["good_practice"]["units_per_year"] > 0
    assert bought["sample_survey"]["hours_per_year"] > 0
    assert plot.stat().st_size > 1000
    assert "simulate compare" in res.stderr


def test_compare_table_and_csv(run_cli):
    res = run_cli("simulate", "compare", *ARGS, "--replicates", "2", "--format", "csv")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.splitlines()[0] == (
        "method,target,bias_ha,bias_mcse_ha,rmse_ha,coverage,coverage_low,coverage_high,"
        "degenerate_share,sign_agreement,hours_per_year,units_per_year,estimates")
    res = run_cli("simulate", "compare", *ARGS, "--replicates", "2")
    assert res.exit_code == 0 and "census" in res.stdout
    # the verdict, one sentence per method, and in Spanish on request
    assert "Sample survey (measures the area harvested in the year)" in res.stdout + res.stderr
    res = run_cli("simulate", "compare", *ARGS, "--replicates", "2", "--lang", "es")
    assert "Buenas prácticas (mide el área al 31 de diciembre)" in res.stdout + res.stderr


@pytest.mark.parametrize("toml, args, match", [
    ("[dynamics]\neradication_rte = 0.1\n", (), "unknown key 'eradication_rte'"),
    ("[dynamics]\nabandonment_rate = -0.1\n", (), "negative value"),
    ("", ("--years", "2024-2015"), "runs backwards"),
    ("", ("--size", "5"), "--size"),
    ("", ("--replicates", "0"), "--replicates"),
    ("", ("--plot", "chart.txt"), "--plot"),
    ("", ("--plot", "chart.html"), ".png, .svg, .pdf"),
    ("", ("--plot", "bad.toml/chart.png"), "cannot write"),  # a folder path that is a file
    ("", ("--seed", "-3"), "--seed"),
    ("", ("--budget", "20"), "--budget"),  # not two segments per stratum
    ("", ("--budget", "-5"), "--budget"),
    ("[cost]\nhours_per_point = 0\n", (), "[cost] hours_per_point"),
    ("[cost]\nhours_per_segment = -1\n", (), "negative value"),
])
def test_bad_input_exit_2_one_line(run_cli, tmp_path, toml, args, match):
    p = tmp_path / "bad.toml"
    p.write_text(toml, encoding="utf-8")
    args = tuple(str(tmp_path / a) if a.startswith("bad.toml/") else a for a in args)
    res = run_cli("simulate", "compare", "--config", str(p), "--size", "200",
                  "--years", "2019-2020", *args)
    assert res.exit_code == 2
    assert res.stderr.startswith("error: ") and match in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and res.stdout == ""


def test_run_into_a_file_exit_2(run_cli, tmp_path):
    """--out under a file was a NotADirectoryError traceback (exit 1)."""
    (tmp_path / "f").write_text("x")
    for out in (tmp_path / "f", tmp_path / "f" / "sim"):
        res = run_cli("simulate", "run", "--size", "200", "--years", "2019-2020", "--out", str(out))
        assert res.exit_code == 2 and res.stderr.startswith("error: --out:"), res.stderr
        assert len(res.stderr.strip().splitlines()) == 1


def test_run_bad_config_exit_2(run_cli, tmp_path):
    res = run_cli("simulate", "run", "--config", str(tmp_path / "missing.toml"),
                  "--out", str(tmp_path / "o"))
    assert res.exit_code == 2 and "not found" in res.stderr


def test_run_default_config_on_a_few_segments(run_cli, tmp_path):
    # 3 x 3 one-km segments: survey strata with a single segment are merged, not an error
    for seed in ("1", "2"):
        res = run_cli("simulate", "run", "--size", "300", "--years", "2018-2020", "--seed", seed,
                      "--out", str(tmp_path / seed), "--format", "json")
        assert res.exit_code == 0, res.stderr
        rows = json.loads(res.stdout)
        assert [r["year"] for r in rows] == [2018, 2019, 2020]
        assert all(r["sample_survey"] is not None and r["sample_survey"] >= 0 for r in rows)


def test_outputs_feed_area_estimate(run_cli, tmp_path):
    # without the smoothing of empty strata, good practice's estimate and SE are those of
    # `area estimate` on the files it wrote (Olofsson's stratified estimator)
    out = tmp_path / "sim"
    cfg = tmp_path / "c.toml"
    cfg.write_text("[good_practice]\nsmooth_variance = false\n", encoding="utf-8")
    assert run_cli("simulate", "run", "--size", "300", "--years", "2019-2020", "--seed", "1",
                   "--config", str(cfg), "--out", str(out)).exit_code == 0
    res = run_cli("area", "estimate", "--sample", str(out / "reference_2020.csv"),
                  "--strata-areas", str(out / "strata_areas_2020.csv"), "--format", "json")
    assert res.exit_code == 0, res.stderr
    coca = json.loads(res.stdout)["classes"]["coca"]
    est = pd.read_csv(out / "estimates.csv").set_index(["method", "year"])
    gp = est.loc[("good_practice", 2020)]
    assert coca["area"] == pytest.approx(gp["area_ha"])
    assert coca["area_se"] == pytest.approx(gp["se_ha"])


def test_run_negative_seed_exit_2_one_line(run_cli, tmp_path):
    res = run_cli("simulate", "run", "--size", "200", "--years", "2019-2020", "--seed", "-1",
                  "--out", str(tmp_path / "o"))
    assert res.exit_code == 2 and res.stderr.startswith("error: --seed")
    assert len(res.stderr.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


def test_experiment_writes_table_json_and_chart(run_cli, tmp_path, cfg_file):
    out = tmp_path / "exp"
    res = run_cli("simulate", "experiment", "--grid", "clouds=0.1,0.4", "--grid", "fields=small",
                  "--config", str(cfg_file), "--size", "200", "--years", "2019-2020",
                  "--replicates", "2", "--workers", "1", "--out", str(out), "--format", "csv")
    assert res.exit_code == 0, res.stderr
    table = pd.read_csv(__import__("io").StringIO(res.stdout))
    assert len(table) == 2 * 3 and set(table["clouds"]) == {0.1, 0.4}
    doc = json.loads((out / "experiment.json").read_text())
    assert doc["grid"] == {"clouds": ["0.1", "0.4"], "fields": ["small"]} and len(doc["cells"]) == 6
    assert (out / "experiment.png").stat().st_size > 1000
    assert (out / "experiment.csv").is_file()


@pytest.mark.parametrize("grid, match", [
    ("clouds=0.1 colour=red", "unknown factor 'colour'"),
    ("clouds=0.1,2", "out of range"),
    ("fields", "cannot read grid item"),
])
def test_experiment_bad_grid_exit_2_one_line(run_cli, tmp_path, grid, match):
    res = run_cli("simulate", "experiment", "--grid", grid, "--size", "200",
                  "--out", str(tmp_path / "e"))
    assert res.exit_code == 2, res.stderr
    assert res.stderr.startswith("error: --grid") and match in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and not (tmp_path / "e").exists()
