"""`cocamonitor area design | label | estimate` end to end."""

from __future__ import annotations

import contextlib
import json
import re
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin

from cocamonitor.area import estimate_stratified
from cocamonitor.provenance import sha256_file

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "src" / "cocamonitor" / "data" / "examples"
SAMPLE = EX / "olofsson2013_sample.csv"
AREAS = EX / "olofsson2013_areas.csv"


def _error_line(res) -> str:
    assert res.exit_code == 2, (res.exit_code, res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    return lines[0]


def test_help_example_runs_as_written(run_cli, monkeypatch):
    res = run_cli("area", "estimate", "--help")
    assert res.exit_code == 0
    text = " ".join(res.stdout.split())
    m = re.search(r"(cocamonitor area estimate --sample \S+ --strata-areas \S+ --format table)", text)
    assert m, text
    monkeypatch.chdir(ROOT)
    args = shlex.split(m.group(1))[1:]
    out = run_cli(*args)
    assert out.exit_code == 0, out.stderr
    assert "45,112" in out.stdout


def test_estimate_json_contract(run_cli):
    res = run_cli(
        "area",
        "estimate",
        "--sample",
        str(SAMPLE),
        "--strata-areas",
        str(AREAS),
        "--format",
        "json",
        "--confidence",
        "0.9",
    )
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert list(doc) == [
        "method",
        "confidence",
        "unit",
        "total_area",
        "classes",
        "overall_accuracy",
        "overall_accuracy_se",
        "error_matrix",
        "provenance",
    ]
    assert doc["method"] == "stratified" and doc["confidence"] == 0.9 and doc["unit"] == "pixels"
    assert list(doc["classes"]) == ["1", "2", "3"]
    api = estimate_stratified(pd.read_csv(SAMPLE, dtype=str), {"1": 22353, "2": 1122543, "3": 610228}, confidence=0.9)
    assert doc["classes"]["1"]["area"] == pytest.approx(api.classes["1"].area)
    assert doc["classes"]["1"]["area_ci"] == pytest.approx(list(api.classes["1"].area_ci))
    prov = doc["provenance"]
    assert prov["inputs"] == {str(SAMPLE): sha256_file(SAMPLE), str(AREAS): sha256_file(AREAS)}
    assert prov["parameters"]["method"] == "stratified"
    assert doc["error_matrix"]["proportions"][0][1] is None  # not observed


def test_by_domain_column(run_cli, tmp_path):
    df = pd.read_csv(SAMPLE, dtype=str)
    df["dept"] = np.where(np.arange(len(df)) % 3 == 0, "Nariño", "Cauca")
    path = tmp_path / "s.csv"
    df.to_csv(path, index=False)
    res = run_cli(
        "area", "estimate", "--sample", str(path), "--strata-areas", str(AREAS), "--by", "dept", "--format", "json"
    )
    doc = json.loads(res.stdout)
    assert set(doc["domains"]) == {"Nariño", "Cauca"}
    assert set(doc["domains"]["Cauca"]["1"]) == {"area", "area_se", "area_ci"}
    csv = run_cli(
        "area", "estimate", "--sample", str(path), "--strata-areas", str(AREAS), "--by", "dept", "--format", "csv"
    )
    assert csv.stdout.splitlines()[0] == "domain,class,area,area_se,area_ci_low,area_ci_high"


def test_by_department_from_divipola(run_cli, tmp_path):
    df = pd.read_csv(SAMPLE, dtype=str)
    df["divipola"] = np.where(np.arange(len(df)) % 2 == 0, "54810", "86568")
    path = tmp_path / "s.csv"
    df.to_csv(path, index=False)
    res = run_cli(
        "area",
        "estimate",
        "--sample",
        str(path),
        "--strata-areas",
        str(AREAS),
        "--by",
        "department",
        "--format",
        "json",
    )
    assert res.exit_code == 0, res.stderr
    assert set(json.loads(res.stdout)["domains"]) == {"Norte de Santander", "Putumayo"}


def test_design_label_estimate(run_cli, tmp_path):
    out = tmp_path / "sample.gpkg"
    res = run_cli(
        "area",
        "design",
        "--map",
        str(EX / "coca_map.tif"),
        "--n",
        "200",
        "--allocation",
        "floor",
        "--floor",
        "40",
        "--seed",
        "5",
        "--out",
        str(out),
        "--format",
        "json",
    )
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["allocation"]["n"] == {"0": 160, "1": 40} and doc["seed"] == 5
    assert out.exists() and (tmp_path / "sample.csv").exists()
    lab = tmp_path / "labelled.csv"
    res = run_cli(
        "area",
        "label",
        "--sample",
        str(tmp_path / "sample.csv"),
        "--reference",
        str(EX / "coca_reference.tif"),
        "--out",
        str(lab),
    )
    assert res.exit_code == 0, res.stderr
    res = run_cli("area", "estimate", "--sample", str(lab), "--map", str(EX / "coca_map.tif"), "--format", "json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["unit"] == "ha"
    assert doc["total_area"] == pytest.approx(31328.64)
    lo, hi = doc["classes"]["1"]["area_ci"]
    assert lo < 1419.84 < hi  # true coca area of the example reference map


def test_same_seed_same_sample(run_cli, tmp_path):
    for name in ("a", "b"):
        run_cli(
            "area",
            "design",
            "--map",
            str(EX / "coca_map.tif"),
            "--n",
            "50",
            "--seed",
            "9",
            "--floor",
            "10",
            "--out",
            str(tmp_path / f"{name}.gpkg"),
        )
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()


def test_geographic_map_needs_equal_area_crs(run_cli, tmp_path):
    path = tmp_path / "geo.tif"
    data = np.zeros((20, 20), dtype=np.uint8)
    data[5:9, 5:9] = 1
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=20,
        height=20,
        count=1,
        dtype="uint8",
        crs="EPSG:4326",
        transform=from_origin(-76, 1, 0.001, 0.001),
    ) as dst:
        dst.write(data, 1)
    line = _error_line(
        run_cli("area", "design", "--map", str(path), "--n", "10", "--floor", "4", "--out", str(tmp_path / "s.gpkg"))
    )
    assert "equal" in line.lower()
    s = pd.DataFrame({"stratum": ["0", "0", "1", "1"], "reference_class": ["0", "1", "1", "1"]})
    s.to_csv(tmp_path / "s.csv", index=False)
    line = _error_line(run_cli("area", "estimate", "--sample", str(tmp_path / "s.csv"), "--map", str(path)))
    assert "equal" in line.lower()
    ok = run_cli(
        "area",
        "estimate",
        "--sample",
        str(tmp_path / "s.csv"),
        "--map",
        str(path),
        "--equal-area-crs",
        "EPSG:6933",
        "--format",
        "json",
    )
    assert ok.exit_code == 0, ok.stderr


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    ("sample", "areas", "expect"),
    [
        (
            "stratum,reference_class\na,a\na,b\nc,a\n",
            "stratum,area\na,10\nb,5\n",
            r"s\.csv line 4, column 'stratum': stratum 'c' has no area",
        ),
        (
            "stratum,reference_class\na,a\na,b\n",
            "stratum,area\na,10\nb,5\n",
            r"stratum 'b' has an area but no sample units",
        ),
        (
            "stratum,reference_class\na,a\na,b\nb,a\n",
            "stratum,area\na,10\nb,5\n",
            r"stratum 'b' has only 1 sample unit;.*--collapse-strata b=",
        ),
        (
            "stratum,reference_class\na,a\na,z\nb,a\nb,b\n",
            "stratum,area\na,10\nb,5\n",
            r"s\.csv line 3, column 'reference_class': class 'z' is not a known class",
        ),
        (
            "stratum,reference_class\na,a\na,\nb,a\nb,b\n",
            "stratum,area\na,10\nb,5\n",
            r"line 3, column 'reference_class': blank value",
        ),
        (
            "stratum,reference_class\na,a\na,b\nb,a\nb,b\n",
            "stratum,area\na,10\nb,-5\n",
            r"a\.csv line 3, column 'area': area of stratum 'b' is -5",
        ),
        (
            "stratum,reference_class\na,a\na,b\nb,a\nb,b\n",
            "stratum,area\na,10\nb,0\n",
            r"a\.csv line 3, column 'area'.*> 0",
        ),
        (
            "stratum,reference_class\na,a\na,b\nb,a\nb,b\n",
            "stratum,area\na,10\na,5\nb,3\n",
            r"stratum 'a' appears twice",
        ),
        ("stratum,ref\na,a\n", "stratum,area\na,10\n", r"missing column"),
    ],
)
def test_bad_input_exit_2(run_cli, tmp_path, sample, areas, expect):
    s = _write(tmp_path, "s.csv", sample)
    a = _write(tmp_path, "a.csv", areas)
    line = _error_line(run_cli("area", "estimate", "--sample", str(s), "--strata-areas", str(a)))
    assert re.search(expect, line), line


def test_collapse_strata_option(run_cli, tmp_path):
    s = _write(tmp_path, "s.csv", "stratum,reference_class\na,a\na,b\nb,a\nc,c\nc,a\n")
    a = _write(tmp_path, "a.csv", "stratum,area\na,10\nb,5\nc,85\n")
    res = run_cli(
        "area", "estimate", "--sample", str(s), "--strata-areas", str(a), "--collapse-strata", "b=a", "--format", "json"
    )
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["provenance"]["parameters"]["collapse_strata"] == {"b": "a"}
    assert doc["total_area"] == 100


def test_point_outside_map(run_cli, tmp_path):
    pts = pd.DataFrame(
        {
            "stratum": ["0", "0", "1", "1"],
            "reference_class": ["0", "0", "1", "0"],
            "x": [4.6e6 + 3000, 4.6e6 + 3030, 4.6e6 + 9000, 0.0],
            "y": [1.63e6, 1.63e6, 1.63e6, 0.0],
        }
    )
    pts.to_csv(tmp_path / "p.csv", index=False)
    line = _error_line(
        run_cli("area", "estimate", "--sample", str(tmp_path / "p.csv"), "--map", str(EX / "coca_map.tif"))
    )
    assert "p.csv line 5, column 'x'" in line and "outside the map" in line


def test_two_stage_and_post_stratified_methods(run_cli, tmp_path):
    rng = np.random.default_rng(0)
    n = 120
    df = pd.DataFrame(
        {
            "stratum": np.repeat(["1", "2"], n // 2),
            "cluster": np.repeat(np.arange(24), 5).astype(str),
            "reference_class": rng.choice(["1", "2"], n),
        }
    )
    df.to_csv(tmp_path / "c.csv", index=False)
    a = _write(tmp_path, "a.csv", "stratum,area,unit\n1,100,ha\n2,900,ha\n")
    res = run_cli("area", "estimate", "--sample", str(tmp_path / "c.csv"), "--strata-areas", str(a), "--format", "json")
    doc = json.loads(res.stdout)
    assert doc["method"] == "two_stage" and doc["unit"] == "ha"
    res = run_cli(
        "area",
        "estimate",
        "--sample",
        str(tmp_path / "c.csv"),
        "--strata-areas",
        str(a),
        "--method",
        "post-stratified",
        "--variance",
        "unconditional",
        "--format",
        "json",
    )
    assert json.loads(res.stdout)["method"] == "post_stratified"


README_LINES = [
    "cocamonitor area design --map src/cocamonitor/data/examples/coca_map.tif --n 300 "
    "--allocation floor --floor 50 --seed 7 --out sample.gpkg",
    "cocamonitor area label --sample sample.csv "
    "--reference src/cocamonitor/data/examples/coca_reference.tif --out labelled.csv",
    "cocamonitor area estimate --sample labelled.csv "
    "--map src/cocamonitor/data/examples/coca_map.tif --format table",
]


def test_readme_example_runs_as_written(run_cli, tmp_path):
    """The three README lines, run in a directory where src/ is the repository's."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in README_LINES:  # the lines run here are the lines the README shows
        assert line in readme.splitlines(), line
    (tmp_path / "src").symlink_to(ROOT / "src")
    for line in README_LINES:
        with contextlib.chdir(tmp_path):  # run_cli undoes monkeypatch.chdir after each call
            res = run_cli(*shlex.split(line)[1:])
        assert res.exit_code == 0, (line, res.stderr)
    assert "Area by class (ha), stratified" in res.stdout
    assert (tmp_path / "sample.gpkg").exists()


def test_design_from_target_se(run_cli, tmp_path):
    res = run_cli("area", "design", "--map", str(EX / "coca_map.tif"), "--target-se", "0.02",
                  "--users-accuracy", "1=0.8,0=0.95", "--allocation", "proportional", "--seed", "1",
                  "--out", str(tmp_path / "s.gpkg"), "--format", "json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    from cocamonitor.sampling import sample_size_stratified

    areas = {"0": 30232.80, "1": 1095.84}
    n = sample_size_stratified(areas, users_accuracy={"0": 0.95, "1": 0.8}, target_se=0.02)
    assert doc["allocation"]["total"] == n
    assert min(doc["allocation"]["n"].values()) >= 2
    line = _error_line(run_cli("area", "design", "--map", str(EX / "coca_map.tif"), "--target-se",
                               "0.02", "--users-accuracy", "1=high", "--out", str(tmp_path / "t.gpkg")))
    assert "--users-accuracy" in line and "'high' is not a number" in line
    line = _error_line(run_cli("area", "design", "--map", str(EX / "coca_map.tif"), "--n", "100",
                               "--classes", "1,7", "--out", str(tmp_path / "u.gpkg")))
    assert "class 7 is not in the map" in line


def test_garbage_tables_exit_2_never_1(run_cli):
    """Any sample/areas text gives exit code 0 or 2 (one error line), never an internal error."""
    import tempfile

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    cell = st.sampled_from(["a", "b", "1", "2", "", "-3", "0", "1,5", "x y", "1.088", "NaN"])
    header = st.lists(st.sampled_from(["stratum", "reference_class", "map_class", "area", "cluster",
                                       "unit", "q"]), min_size=1, max_size=4, unique=True)

    @st.composite
    def table(draw):
        cols = draw(header)
        rows = draw(st.lists(st.lists(cell, min_size=len(cols), max_size=len(cols)), max_size=6))
        return "\n".join([",".join(cols)] + [",".join(r) for r in rows]) + "\n"

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(table(), table(), st.sampled_from(["auto", "stehman2014", "post-stratified", "two-stage"]))
    def check(sample_text, areas_text, method):
        with tempfile.TemporaryDirectory() as tmp:
            s, a = Path(tmp) / "s.csv", Path(tmp) / "a.csv"
            s.write_text(sample_text)
            a.write_text(areas_text)
            res = run_cli("area", "estimate", "--sample", str(s), "--strata-areas", str(a), "--method", method,
                          "--format", "json")
            assert res.exit_code in (0, 2), res.stderr
            if res.exit_code == 2:
                _error_line(res)
            else:
                json.loads(res.stdout)

    check()


def test_negative_seed_is_bad_input(run_cli, tmp_path):
    """A negative --seed was a ValueError traceback from numpy (exit 1)."""
    res = run_cli(
        "area", "design", "--map", str(EX / "coca_map.tif"), "--n", "50", "--seed", "-1",
        "--out", str(tmp_path / "s.gpkg"),
    )
    line = _error_line(res)
    assert "--seed" in line and "whole number >= 0, got -1" in line
    assert not (tmp_path / "s.gpkg").exists()


def test_estimator_warning_is_one_line_on_stderr(run_cli, tmp_path):
    """Small post-strata warn in one 'warning: ...' line, not Python's two-line echo."""
    s = _write(tmp_path, "s.csv", "stratum,reference_class\n1,1\n1,2\n2,2\n2,2\n2,1\n")
    a = _write(tmp_path, "a.csv", "stratum,area\n1,100\n2,900\n")
    res = run_cli(
        "area", "estimate", "--sample", str(s), "--strata-areas", str(a),
        "--method", "post-stratified", "--format", "json",
    )
    assert res.exit_code == 0, res.stderr
    json.loads(res.stdout)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert lines and all(ln.startswith("warning: post-stratum") for ln in lines), lines


def test_map_errors_name_the_map_option(run_cli, tmp_path):
    """Errors about --map said '--raster', an option `area estimate` does not have."""
    line = _error_line(
        run_cli("area", "estimate", "--sample", str(SAMPLE), "--map", str(tmp_path / "none.tif"))
    )
    assert line.startswith("error: --map:") and "--raster" not in line
    fl = tmp_path / "f.tif"
    with rasterio.open(fl, "w", driver="GTiff", width=2, height=2, count=1, dtype="float32",
                       crs="EPSG:9377", transform=from_origin(0, 20, 10, 10)) as dst:
        dst.write(np.zeros((1, 2, 2), dtype="float32"))
    line = _error_line(run_cli("area", "design", "--map", str(fl), "--n", "10", "--seed", "1",
                               "--out", str(tmp_path / "s.gpkg")))
    assert line.startswith("error: --map:") and "not integer classes" in line


def test_duplicated_stratum_names_both_lines(run_cli, tmp_path):
    a = _write(tmp_path, "a.csv", "stratum,area\n1,22353\n2,1122543\n1,5\n3,610228\n")
    line = _error_line(run_cli("area", "estimate", "--sample", str(SAMPLE), "--strata-areas", str(a)))
    assert "a.csv line 4, column 'stratum'" in line and "first on line 2" in line
    assert "<table>" not in line


def test_missing_post_stratum_column_named_once(tmp_path):
    from cocamonitor.area import estimate_post_stratified
    from cocamonitor.errors import SchemaError

    sample = pd.DataFrame({"stratum": ["1", "2"], "reference_class": ["1", "2"]})
    with pytest.raises(SchemaError) as err:
        estimate_post_stratified(sample, {"1": 1.0, "2": 1.0})
    assert "missing column(s) 'map_class';" in str(err.value)


def _one_unit_strata(tmp_path):
    s = _write(tmp_path, "s.csv", "stratum,reference_class\na,a\na,b\nb,a\nc,a\nc,c\nd,a\n")
    a = _write(tmp_path, "a.csv", "stratum,area\na,10\nb,20\nc,30\nd,40\n")
    return s, a


def test_collapse_variance_option(run_cli, tmp_path):
    s, a = _one_unit_strata(tmp_path)
    res = run_cli(
        "area", "estimate", "--sample", str(s), "--strata-areas", str(a),
        "--collapse-variance", "b=a", "--collapse-variance", "d=c", "--format", "json",
    )
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    # hand-computed in tests/area/test_collapse_variance.py: area 80, variance 1550
    assert doc["classes"]["a"]["area"] == pytest.approx(80.0)
    assert doc["classes"]["a"]["area_se"] == pytest.approx(np.sqrt(1550.0))
    assert doc["variance_groups"] == {"a": ["a", "b"], "c": ["c", "d"]}
    params = doc["provenance"]["parameters"]
    assert params["collapse_variance"] == {"b": "a", "d": "c"}
    assert params["variance_groups"] == {"a": ["a", "b"], "c": ["c", "d"]}
    assert params["collapse_strata"] is None
    # comma-separated form, table output
    res = run_cli("area", "estimate", "--sample", str(s), "--strata-areas", str(a), "--collapse-variance", "b=a,d=c")
    assert res.exit_code == 0, res.stderr
    assert "variance with collapsed strata: a + b; c + d" in res.stderr


def test_collapse_variance_two_stage(run_cli, tmp_path):
    s = _write(
        tmp_path,
        "s.csv",
        "stratum,cluster,reference_class\na,1,a\na,1,b\na,2,a\nb,1,a\nb,1,a\nc,1,b\nc,2,a\nc,2,b\n",
    )
    a = _write(tmp_path, "a.csv", "stratum,area\na,10\nb,20\nc,30\n")
    res = run_cli(
        "area", "estimate", "--sample", str(s), "--strata-areas", str(a),
        "--collapse-variance", "b=a", "--format", "json",
    )
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["method"] == "two_stage"
    assert doc["variance_groups"] == {"a": ["a", "b"]}


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--collapse-variance", "bb=a"], r"^error: --collapse-variance: .*'bb'.*did you mean: b\?"),
        (["--collapse-variance", "b=a,d=x"], r"^error: --collapse-variance: .*'x'.*not a stratum"),
        (["--collapse-variance", "b"], r"^error: --collapse-variance: cannot read 'b'"),
        (["--collapse-variance", "b=a"], r"stratum 'd' has only 1 sample unit.*--collapse-variance d=OTHER"),
        (
            ["--collapse-variance", "b=a,d=c", "--method", "post-stratified", "--variance", "unconditional"],
            r"^error: --variance: collapse_variance works with the conditional variance only",
        ),
        (
            ["--collapse-strata", "b=a", "--collapse-variance", "b=c"],
            r"^error: --collapse-variance: stratum 'b' was merged into 'a'",
        ),
    ],
)
def test_collapse_variance_bad_input(run_cli, tmp_path, args, expect):
    s, a = _one_unit_strata(tmp_path)
    line = _error_line(run_cli("area", "estimate", "--sample", str(s), "--strata-areas", str(a), *args))
    assert re.search(expect, line), line


def test_help_explains_both_collapse_options(run_cli):
    res = run_cli("area", "estimate", "--help")
    text = " ".join(res.stdout.replace("\u2502", " ").split())  # drop the box's vertical bars
    assert "--collapse-variance" in text and "variance only" in text
    assert "--collapse-strata" in text and "prefer --collapse-variance" in text


@pytest.mark.parametrize("name", ["areas.png", "areas.html"])
def test_estimate_plot(run_cli, tmp_path, name):
    out = tmp_path / ("a-directory-name-long-enough-to-pass-the-width-of-any-terminal-" * 2) / name
    res = run_cli("area", "estimate", "--sample", str(SAMPLE), "--strata-areas", str(AREAS),
                  "--plot", str(out), "--format", "json")
    assert res.exit_code == 0, res.stderr
    json.loads(res.stdout)  # the JSON document is still alone on stdout
    assert f"wrote {out}\n" in res.stderr  # one line, never wrapped inside the path
    head = out.read_bytes()[:64]
    assert head.startswith(b"\x89PNG") if name.endswith(".png") else b"<html" in out.read_bytes()[:4000]


def test_estimate_plot_bad_extension(run_cli, tmp_path):
    res = run_cli("area", "estimate", "--sample", str(SAMPLE), "--strata-areas", str(AREAS),
                  "--plot", str(tmp_path / "areas.txt"))
    line = _error_line(res)
    assert "--plot" in line and ".png" in line
    assert not (tmp_path / "areas.txt").exists()


def test_estimate_plot_unwritable(run_cli, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    res = run_cli("area", "estimate", "--sample", str(SAMPLE), "--strata-areas", str(AREAS),
                  "--plot", str(blocker / "areas.png"))
    line = _error_line(res)
    assert "--plot" in line and "cannot write" in line


def test_design_and_label_into_a_blocked_folder_fail_before_any_work(run_cli, tmp_path):
    """A file where the output folder should be was a FileExistsError traceback (exit 1)."""
    blocker = tmp_path / "f"
    blocker.write_text("x")
    res = run_cli("area", "design", "--map", str(EX / "coca_map.tif"), "--n", "100", "--seed", "1",
                  "--out", str(blocker / "s.gpkg"))
    assert "--out" in _error_line(res) and "is a file, not a folder" in res.stderr
    res = run_cli("area", "label", "--sample", str(SAMPLE), "--reference", str(EX / "coca_reference.tif"),
                  "--out", str(blocker / "l.csv"))
    assert "--out" in _error_line(res)  # refused before the sample is even read


def test_design_from_last_years_sample_target_se_and_neyman(run_cli, tmp_path):
    # last year's labelled sample: class 1 right 40 times in 50, class 0 right 198 in 200
    prev = tmp_path / "last_year.csv"
    rows = ["map_class,reference_class"] + ["1,1"] * 40 + ["1,0"] * 10 + ["0,0"] * 198 + ["0,1"] * 2
    prev.write_text("\n".join(rows) + "\n", encoding="utf-8")
    res = run_cli("area", "design", "--map", str(EX / "coca_map.tif"), "--target-se", "0.01",
                  "--anticipated-ua", str(prev), "--allocation", "neyman", "--seed", "1",
                  "--out", str(tmp_path / "s.gpkg"), "--format", "json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    from cocamonitor.sampling import allocate, sample_size_stratified

    areas = {"0": 30232.80, "1": 1095.84}
    ua = {"0": 198.5 / 201, "1": 40.5 / 51}  # Jeffreys-smoothed shares right
    n = sample_size_stratified(areas, users_accuracy=ua, target_se=0.01)
    assert doc["allocation"]["total"] == n and doc["allocation"]["method"] == "neyman"
    assert doc["allocation"]["n"] == allocate(n, areas, method="neyman", users_accuracy=ua).n
    # bad files: one line, exit 2
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    line = _error_line(run_cli("area", "design", "--map", str(EX / "coca_map.tif"), "--target-se",
                               "0.01", "--anticipated-ua", str(bad), "--out", str(tmp_path / "b.gpkg")))
    assert "cannot read anticipated user's accuracies" in line
    part = tmp_path / "part.csv"
    part.write_text("class,users_accuracy\n1,0.8\n", encoding="utf-8")
    line = _error_line(run_cli("area", "design", "--map", str(EX / "coca_map.tif"), "--target-se",
                               "0.01", "--anticipated-ua", str(part), "--out", str(tmp_path / "c.gpkg")))
    assert "no anticipated user's accuracy for map class 0" in line
