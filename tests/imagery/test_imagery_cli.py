"""`cocamonitor map ...` on synthetic scenes: outputs, no-observation area, streaming, bad input."""

from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import pandas as pd
import pytest
import rasterio

SIZE = 128
CLOUD_ROWS = 16  # --persistent-cloud 0.125


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """Scenes, a training sample labelled from the truth, a trained model and a predicted map."""
    from cocamonitor.cli import main

    d = tmp_path_factory.mktemp("map")
    run = [
        ["map", "synthetic", "--out", str(d / "scenes"), "--size", str(SIZE), "--seed", "2", "--dates", "4",
         "--persistent-cloud", "0.125"],
        ["area", "design", "--map", str(d / "scenes/prior_map.tif"), "--n", "240", "--allocation", "equal",
         "--seed", "1", "--out", str(d / "train.gpkg")],
        ["area", "label", "--sample", str(d / "train.csv"), "--reference", str(d / "scenes/reference.tif"),
         "--out", str(d / "training.csv")],
    ]
    for argv in run:
        assert main(argv) == 0, argv
    # training points without any cloud-free observation are left out (tested apart)
    seen = np.zeros((SIZE, SIZE), dtype=int)
    for scl in (d / "scenes").glob("S2SIM_*/SCL.tif"):
        with rasterio.open(scl) as src:
            seen += ~np.isin(src.read(1), [0, 1, 3, 8, 9, 10])
    t = pd.read_csv(d / "training.csv")
    t = t[seen[t["row"], t["col"]] > 0]
    assert (t["row"] >= CLOUD_ROWS).all()
    t.to_csv(d / "training.csv", index=False)
    return d


def _train(run_cli, d, *extra):
    return run_cli("map", "train", "--catalog", str(d / "scenes/catalog.json"), "--training",
                   str(d / "training.csv"), "--reference-date", "2021-12-31", "--block-m", "320", "--folds", "3",
                   "--out", str(d / "model"), *extra)


@pytest.fixture(scope="module")
def predicted(work):
    from cocamonitor.cli import main

    d = work
    assert main(["map", "train", "--catalog", str(d / "scenes/catalog.json"), "--training", str(d / "training.csv"),
                 "--reference-date", "2021-12-31", "--block-m", "320", "--folds", "3", "--out",
                 str(d / "model")]) == 0
    assert main(["map", "predict", "--catalog", str(d / "scenes/catalog.json"), "--model", str(d / "model"),
                 "--out", str(d / "map"), "--tile", "64"]) == 0
    return d


def test_model_card_reports_blocked_cv_accuracy(predicted):
    card = json.loads((predicted / "model/model_card.json").read_text())
    cv = card["cv"]
    assert 0.8 < cv["overall_accuracy"] <= 1.0 and cv["folds"] == 3 and cv["block_m"] == 320
    assert card["imagery"]["crs"] == "EPSG:9377" and len(card["imagery"]["dates"]) == 4
    assert "NDVI" in card["features"] and "NDVI_texture" in card["features"]
    assert card["training"]["points"] == sum(card["training"]["per_class"].values())
    assert set(card["versions"]) >= {"cocamonitor", "scikit-learn", "numpy"}
    assert card["imagery"]["provenance"]["inputs"]


def test_predicted_cogs_and_no_observation_area(predicted):
    d = predicted
    mc = json.loads((d / "map/map_card.json").read_text())
    with rasterio.open(d / "map/probability.tif") as src:
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG" and src.crs.to_epsg() == 9377
        prob = src.read(1)
    with rasterio.open(d / "map/class.tif") as src:
        cls = src.read(1)
    with rasterio.open(d / "map/obs_day.tif") as src:
        day = src.read(1)
    nodata = prob == 255
    # the persistent cloud band has no observation and is nodata, never filled
    assert nodata[:CLOUD_ROWS].all()
    assert np.array_equal(nodata, cls == 255) and np.array_equal(nodata, day == -32768)
    assert mc["map"]["no_observation_pixels"] == int(nodata.sum())
    assert mc["map"]["no_observation_ha"] == pytest.approx(nodata.sum() * 0.01)
    # observation days are the acquisition offsets of the scenes
    assert set(np.unique(day[~nodata]).tolist()) <= {-15, -5, 5, 15}
    assert set(np.unique(cls[~nodata]).tolist()) <= {0, 1}
    # the class is the most probable one (probabilities rounded to per cent: 50 can go either way)
    assert (cls[prob < 50] == 0).all() and (cls[(prob > 50) & ~nodata] == 1).all() and (cls == 1).any()


def test_tiles_do_not_change_the_map(predicted, run_cli):
    d = predicted
    res = run_cli("map", "predict", "--catalog", str(d / "scenes/catalog.json"), "--model", str(d / "model"),
                  "--out", str(d / "map512"), "--tile", "512", "--format", "json")
    assert res.exit_code == 0, res.stderr
    for name in ("probability.tif", "class.tif", "obs_day.tif"):
        with rasterio.open(d / "map" / name) as a, rasterio.open(d / "map512" / name) as b:
            assert np.array_equal(a.read(1), b.read(1)), name


def test_tiles_read_without_a_halo_give_the_whole_image_map(predicted):
    """The map (tiles without halo, seams completed) equals one read of the whole image."""
    import datetime as dt

    from cocamonitor.imagery import load_model, open_stack

    d = predicted
    stack = open_stack(d / "scenes/catalog.json", reference_date=dt.date(2021, 12, 31), window_days=60)
    model = load_model(d / "model")
    f, nobs, _ = stack.features(0, SIZE, 0, SIZE)
    ok = nobs > 0
    p = model.predict_proba(f.reshape(f.shape[0], -1).T[ok.reshape(-1)])[:, model.classes.index("1")]
    whole = np.full((SIZE, SIZE), 255, dtype=np.uint8)
    whole[ok] = np.round(p * 100).astype(np.uint8)
    with rasterio.open(d / "map/probability.tif") as src:
        assert np.array_equal(src.read(1), whole)
    # the seams matter: without completing them the 64 px tiles' rings would differ
    g, _, _ = stack.features(0, 64, 0, 64, halo=False)
    assert not np.array_equal(g[-1, -1], f[-1, 63, :64], equal_nan=True)


def test_point_features_equal_the_whole_image_on_and_off_the_seams(predicted):
    import datetime as dt

    from cocamonitor.imagery import open_stack, point_features

    stack = open_stack(predicted / "scenes/catalog.json", reference_date=dt.date(2021, 12, 31), window_days=60)
    f, nobs, _ = stack.features(0, SIZE, 0, SIZE)
    rows = np.array([20, 47, 48, 95, 96, 100, 0, 127, 60])  # 48 px tiles: seams at 47|48 and 95|96
    cols = np.array([20, 30, 47, 48, 96, 127, 5, 64, 95])
    t = stack.transform
    x, y = t.c + (cols + 0.5) * t.a, t.f + (rows + 0.5) * t.e
    X, n = point_features(stack, x, y, tile=48, workers=2)
    assert np.array_equal(X, f[:, rows, cols].T, equal_nan=True) and np.array_equal(n, nobs[rows, cols])


def test_odc_stac_reading_gives_the_same_map(predicted, tmp_path):
    import dataclasses
    import datetime as dt

    from cocamonitor.imagery import load_model, open_stack, predict_map

    d = predicted
    stack = open_stack(d / "scenes/catalog.json", reference_date=dt.date(2021, 12, 31), window_days=60)
    assert stack.layout is not None
    predict_map(load_model(d / "model"), dataclasses.replace(stack, layout=None), tmp_path / "odc", tile=48)
    for name in ("probability.tif", "class.tif", "obs_day.tif"):
        with rasterio.open(d / "map" / name) as a, rasterio.open(tmp_path / "odc" / name) as b:
            assert np.array_equal(a.read(1), b.read(1)), name


def test_parallel_tiles_give_the_same_map_and_workers_is_checked(predicted, tmp_path):
    import datetime as dt

    from cocamonitor.errors import ParameterError
    from cocamonitor.imagery import load_model, open_stack, predict_map

    d = predicted
    stack = open_stack(d / "scenes/catalog.json", reference_date=dt.date(2021, 12, 31), window_days=60)
    model = load_model(d / "model")
    seen = []
    for workers in (1, 3):
        s = predict_map(model, stack, tmp_path / f"w{workers}", tile=48, workers=workers,
                        progress=lambda i, n: seen.append((i, n)))
        assert s.no_observation_pixels == json.loads((d / "map/map_card.json").read_text())["map"][
            "no_observation_pixels"]
        for name in ("probability.tif", "class.tif", "obs_day.tif"):
            with rasterio.open(d / "map" / name) as a, rasterio.open(tmp_path / f"w{workers}" / name) as b:
                assert np.array_equal(a.read(1), b.read(1)), (workers, name)
    assert seen == [(i, 9) for i in range(10)] * 2  # 128 px in 48 px tiles, the total known from the start
    with pytest.raises(ParameterError) as err:
        predict_map(model, stack, tmp_path / "w0", workers=0)
    assert err.value.where == "workers"
    with pytest.raises(ParameterError, match="unknown engine 'spark'") as err:
        predict_map(model, stack, tmp_path / "w0", engine="spark")
    assert err.value.where == "engine"
    with pytest.raises(ParameterError, match="needs the dask engine"):
        predict_map(model, stack, tmp_path / "w0", scheduler="tcp://127.0.0.1:1")
    assert not (tmp_path / "w0").exists()


def test_dask_engine_gives_the_same_map(predicted, run_cli, tmp_path):
    d = predicted
    res = run_cli("map", "predict", "--catalog", str(d / "scenes/catalog.json"), "--model", str(d / "model"),
                  "--out", str(tmp_path / "dask"), "--tile", "64", "--engine", "dask", "--workers", "2",
                  "--format", "json")
    assert res.exit_code == 0, res.stderr
    for name in ("probability.tif", "class.tif", "obs_day.tif"):
        with rasterio.open(d / "map" / name) as a, rasterio.open(tmp_path / "dask" / name) as b:
            assert np.array_equal(a.read(1), b.read(1)), name
    card = json.loads((tmp_path / "dask/map_card.json").read_text())
    assert card["provenance"]["parameters"]["engine"] == "dask"
    _one_line_error(run_cli("map", "predict", "--catalog", str(d / "scenes/catalog.json"), "--model",
                            str(d / "model"), "--out", str(tmp_path / "x"), "--scheduler", "tcp://127.0.0.1:1"),
                    "--engine", "--scheduler needs --engine dask")
    assert not (tmp_path / "x" / "probability.tif").exists()


def test_strata_codes_and_no_observation_stratum(predicted, run_cli):
    d = predicted
    res = run_cli("map", "strata", "--probability", str(d / "map/probability.tif"), "--out", str(d / "strata.tif"),
                  "--buffer-m", "30", "--format", "json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    with rasterio.open(d / "strata.tif") as s, rasterio.open(d / "map/probability.tif") as p:
        st, prob = s.read(1), p.read(1)
    assert np.array_equal(st == 4, prob == 255) and np.array_equal(st == 1, (prob >= 50) & (prob != 255))
    assert doc["pixels"]["no_observation"] == int((prob == 255).sum())
    assert sum(doc["pixels"].values()) == SIZE * SIZE


def _one_line_error(res, *needles):
    assert res.exit_code == 2, res.stdout + res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    for n in needles:
        assert n in lines[0], lines[0]


def test_point_outside_the_imagery(work, run_cli, tmp_path):
    t = pd.read_csv(work / "training.csv")
    t.loc[5, "x"] = 4_000_000.0
    t.to_csv(tmp_path / "bad.csv", index=False)
    res = run_cli("map", "train", "--catalog", str(work / "scenes/catalog.json"), "--training",
                  str(tmp_path / "bad.csv"), "--reference-date", "2021-12-31", "--out", str(tmp_path / "m"))
    _one_line_error(res, "outside the imagery", "row 7")
    assert not (tmp_path / "m" / "model.joblib").exists()


def test_class_with_fewer_than_ten_points(work, run_cli, tmp_path):
    t = pd.read_csv(work / "training.csv")
    t.loc[t.index[:6], "reference_class"] = 7
    t.to_csv(tmp_path / "few.csv", index=False)
    res = run_cli("map", "train", "--catalog", str(work / "scenes/catalog.json"), "--training",
                  str(tmp_path / "few.csv"), "--reference-date", "2021-12-31", "--out", str(tmp_path / "m"))
    _one_line_error(res, "class 7 has 6 training points", "few.csv")


def test_points_without_observation_are_left_out_with_a_warning(work, run_cli, tmp_path):
    t = pd.read_csv(work / "training.csv")
    t.loc[t.index[:3], "y"] = 1_850_000.0 - 25.0  # second row of pixels: under the persistent cloud
    t.to_csv(tmp_path / "cloudy.csv", index=False)
    res = run_cli("map", "train", "--catalog", str(work / "scenes/catalog.json"), "--training",
                  str(tmp_path / "cloudy.csv"), "--reference-date", "2021-12-31", "--block-m", "320",
                  "--folds", "2", "--out", str(tmp_path / "m"), "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert "warning: 3 of" in res.stderr and "no cloud-free observation" in res.stderr
    assert json.loads(res.stdout)["imagery"]["points_without_observation"] == 3


def test_cloud_probability_band_is_kept_for_predict(predicted, run_cli, tmp_path):
    work = predicted
    cat = str(work / "scenes/catalog.json")
    args = ("--training", str(work / "training.csv"), "--reference-date", "2021-12-31", "--block-m", "320",
            "--folds", "2")
    res = run_cli("map", "train", "--catalog", cat, *args, "--cloud-band", "CLD", "--cloud-max", "50",
                  "--out", str(tmp_path / "m"), "--format", "json")
    assert res.exit_code == 0, res.stderr
    card = json.loads(res.stdout)
    assert card["imagery"]["cloud_band"] == "CLD" and card["imagery"]["cloud_max"] == 50
    res = run_cli("map", "predict", "--catalog", cat, "--model", str(tmp_path / "m"), "--out", str(tmp_path / "map"),
                  "--format", "json")
    assert res.exit_code == 0, res.stderr
    with rasterio.open(work / "map/probability.tif") as a, rasterio.open(tmp_path / "map/probability.tif") as b:
        assert ((a.read(1) == 255) == (b.read(1) == 255)).all()  # no haze here: the same pixels observed
    _one_line_error(run_cli("map", "train", "--catalog", cat, *args, "--cloud-band", "CLD", "--cloud-max", "0",
                            "--out", str(tmp_path / "m0")), "--cloud-max", "per cent")
    _one_line_error(run_cli("--lang", "es", "map", "train", "--catalog", cat, *args, "--cloud-band", "CLD",
                            "--cloud-max", "120", "--out", str(tmp_path / "m0")), "--cloud-max",
                    "el umbral de probabilidad de nube va en por ciento", "120")
    assert not (tmp_path / "m0" / "model.joblib").exists()


def test_items_without_a_band_and_missing_files(predicted, run_cli, tmp_path):
    work = predicted
    scenes = tmp_path / "scenes"
    shutil.copytree(work / "scenes", scenes)
    item = sorted(scenes.glob("S2SIM_*/S2SIM_*.json"))[0]
    doc = json.loads(item.read_text())
    del doc["assets"]["B11"]
    item.write_text(json.dumps(doc))
    args = ("--training", str(work / "training.csv"), "--reference-date", "2021-12-31", "--out", str(tmp_path / "m"))
    res = run_cli("map", "train", "--catalog", str(scenes / "catalog.json"), *args)
    _one_line_error(res, "--catalog", f"item {doc['id']} has no band B11")
    shutil.rmtree(scenes)
    shutil.copytree(work / "scenes", scenes)
    (sorted(scenes.glob("S2SIM_*"))[1] / "B04.tif").unlink()
    res = run_cli("map", "train", "--catalog", str(scenes / "catalog.json"), *args)
    _one_line_error(res, "--catalog", "cannot read the imagery", "B04.tif")
    (sorted(scenes.glob("S2SIM_*"))[1] / "B04.tif").write_bytes(b"not a tiff")  # there but unreadable
    res = run_cli("map", "train", "--catalog", str(scenes / "catalog.json"), *args)
    _one_line_error(res, "--catalog", "cannot read the imagery", "B04.tif")
    # the same in `map predict`, whose errors come while its progress bar runs: still one line
    res = run_cli("map", "predict", "--catalog", str(scenes / "catalog.json"), "--model", str(work / "model"),
                  "--out", str(tmp_path / "p"))
    _one_line_error(res, "--catalog", "cannot read the imagery", "B04.tif")
    assert not (tmp_path / "p" / "probability.tif").exists()
    res = run_cli("map", "predict", "--catalog", str(work / "scenes/catalog.json"), "--model", str(work / "model"),
                  "--out", str(tmp_path / "p"), "--workers", "0")
    _one_line_error(res, "--workers", "at least 1")
    # a model saved from Python without its imagery settings: one line, in both languages
    from cocamonitor.imagery import TrainedModel, load_model

    bare = load_model(work / "model")
    TrainedModel(bare.estimator, dataclasses.replace(bare.card, imagery={})).save(tmp_path / "bare")
    for lang, text in (("en", "does not say how its imagery was read"), ("es", "no dice cómo se leyeron")):
        res = run_cli("--lang", lang, "map", "predict", "--catalog", str(work / "scenes/catalog.json"), "--model",
                      str(tmp_path / "bare"), "--out", str(tmp_path / "p"))
        _one_line_error(res, "--model", text, "window_days")
    assert not (tmp_path / "p" / "probability.tif").exists()


def test_window_without_images_crs_in_degrees_and_bad_strata_input(work, run_cli, tmp_path):
    cat = str(work / "scenes/catalog.json")
    base = ("--training", str(work / "training.csv"), "--out", str(tmp_path / "m"))
    _one_line_error(run_cli("map", "train", "--catalog", cat, "--reference-date", "2019-12-31", *base),
                    "no item within 60 days of 2019-12-31")
    _one_line_error(run_cli("map", "train", "--catalog", cat, "--reference-date", "2021-12-31", "--crs", "EPSG:4326",
                            *base), "--crs", "not a projected CRS")
    _one_line_error(run_cli("map", "train", "--catalog", str(tmp_path / "nope.json"), "--reference-date",
                            "2021-12-31", *base), "--catalog", "no such file")
    _one_line_error(run_cli("map", "strata", "--probability", str(work / "scenes/reference.tif"), "--out",
                            str(tmp_path / "s.tif")), "--probability", "not a probability map")
    _one_line_error(run_cli("map", "strata", "--probability", str(work / "scenes/reference.tif"), "--out",
                            str(tmp_path / "s.tif"), "--low", "0.6"), "--low/--high")
    assert not (tmp_path / "s.tif").exists()
