import json

import pytest


@pytest.fixture
def areas_csv(tmp_path):
    p = tmp_path / "areas.csv"
    p.write_text(
        "region,area_ha,area_se\nPacifico,60000,4000\nCentral,50000,3000\nPutumayo,33000,\n"
    )
    return p


def test_estimate_preset_json_contract_and_published_point(run_cli):
    res = run_cli(
        "production",
        "estimate",
        "--preset",
        "unodc-2020",
        "--draws",
        "20000",
        "--seed",
        "7",
        "--sensitivity-draws",
        "2000",
        "--format",
        "json",
    )
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["preset"] == "unodc-2020" and doc["draws"] == 20000 and doc["seed"] == 7
    assert doc["confidence"] == 0.95
    for q in ("area_ha", "leaf_t", "base_t", "hydrochloride_t"):
        Q = doc["national"][q]
        assert set(Q) >= {"point", "mean", "median", "ci"} and len(Q["ci"]) == 2
        assert Q["ci"][0] <= Q["median"] <= Q["ci"][1]
    assert doc["national"]["hydrochloride_t"]["point"] == pytest.approx(1228, rel=0.01)
    assert doc["national"]["leaf_t"]["point"] == pytest.approx(997_300, rel=0.01)
    assert doc["national"]["base_t"]["point"] == pytest.approx(1536, rel=0.01)
    assert list(doc["regions"]) == ["Colombia"]
    assert set(doc["sensitivity"]) == {"area_factor", "leaf_yield"}
    assert doc["provenance"]["parameters"]["seed"] == 7


def test_estimate_same_seed_same_output(run_cli, areas_csv):
    args = (
        "production",
        "estimate",
        "--areas",
        str(areas_csv),
        "--draws",
        "5000",
        "--seed",
        "1",
        "--sensitivity-draws",
        "500",
        "--format",
        "json",
    )
    a, b = run_cli(*args), run_cli(*args)
    assert a.exit_code == 0 and a.stdout == b.stdout
    doc = json.loads(a.stdout)
    assert list(doc["regions"]) == ["Pacifico", "Central", "Putumayo"]
    assert doc["national"]["area_ha"]["point"] == 143000


def test_estimate_table_csv_and_plots(run_cli, areas_csv, tmp_path):
    png, html = tmp_path / "s.png", tmp_path / "s.html"
    res = run_cli(
        "production",
        "estimate",
        "--areas",
        str(areas_csv),
        "--draws",
        "2000",
        "--seed",
        "1",
        "--sensitivity-draws",
        "500",
        "--plot",
        str(png),
    )
    assert res.exit_code == 0 and "hydrochloride" in res.stdout and png.stat().st_size > 1000
    res = run_cli(
        "production",
        "estimate",
        "--areas",
        str(areas_csv),
        "--draws",
        "2000",
        "--seed",
        "1",
        "--sensitivity-draws",
        "500",
        "--plot",
        str(html),
        "--format",
        "csv",
    )
    assert res.exit_code == 0
    assert res.stdout.splitlines()[0] == "region,quantity,point,mean,median,ci_low,ci_high"
    assert "<html" in html.read_text()[:500].lower()


def test_estimate_params_file_and_area_estimate_json(run_cli, tmp_path):
    params = tmp_path / "p.toml"
    params.write_text("""
[parameters.leaf_yield]
unit = "t/ha/yr"
distribution = "pert"
min = 4
mode = 6
max = 8
[parameters.base_per_leaf]
unit = "kg/t"
value = 1.5
[parameters.base_purity]
unit = "fraction"
value = 0.7
[parameters.hcl_per_base]
unit = "kg/kg"
value = 1.12
""")
    est = tmp_path / "est.json"
    est.write_text(
        json.dumps({"unit": "ha", "classes": {"coca": {"area": 10000.0, "area_se": 500.0}}})
    )
    res = run_cli(
        "production",
        "estimate",
        "--params",
        str(params),
        "--areas",
        str(est),
        "--draws",
        "4000",
        "--seed",
        "2",
        "--format",
        "json",
    )
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["preset"] is None
    assert doc["national"]["hydrochloride_t"]["point"] == pytest.approx(
        10000 * 6 * 1.5e-3 * 0.7 * 1.12
    )


@pytest.mark.parametrize(
    "args, needle",
    [
        (("--params", "P", "--preset", "unodc-2020"), "not both"),
        (("--preset", "unodc-2021"), "unknown preset"),
        (("--areas", "missing.csv"), "not found"),
        (("--preset", "unodc-2020", "--seed", "-1"), "--seed"),
        (("--plot", "fig.txt"), ".png, .svg, .pdf or .html"),
        (("--plot", "F/fig.png"), "cannot write"),  # a folder path that is a file
    ],
)
def test_estimate_bad_options_exit_2(run_cli, tmp_path, args, needle):
    args = tuple(str(tmp_path / "p.toml") if a == "P" else str(tmp_path / a) if a.startswith("F/") else a
                 for a in args)
    (tmp_path / "p.toml").write_text("")
    (tmp_path / "F").write_text("a file, not a folder")
    res = run_cli("production", "estimate", *args)
    assert res.exit_code == 2
    assert needle in res.stderr and res.stderr.count("\n") == 1 and "Traceback" not in res.stderr


def test_estimate_bad_parameter_file_names_line(run_cli, tmp_path, areas_csv):
    p = tmp_path / "p.toml"
    p.write_text(
        '[parameters.leaf_yield]\nunit = "t/ha/yr"\nvalue = 6\n\n[parameters.base_purity]\n'
        'unit = "fraction"\nvalue = 1.3\n'
    )
    res = run_cli("production", "estimate", "--params", str(p), "--areas", str(areas_csv))
    assert res.exit_code == 2
    assert "p.toml line 7" in res.stderr and "base_purity" in res.stderr and "(0, 1]" in res.stderr
    p.write_text('[regions.Amazonia.leaf_yield]\nunit = "t/ha/yr"\nvalue = 6\n')
    res = run_cli("production", "estimate", "--params", str(p), "--areas", str(areas_csv))
    assert res.exit_code == 2 and "line 1" in res.stderr and "Amazonia" in res.stderr


def test_presets_list_and_show(run_cli):
    res = run_cli("production", "presets", "--format", "json")
    assert res.exit_code == 0
    rows = json.loads(res.stdout)
    row = {r["name"]: r for r in rows}["unodc-2020"]
    assert row["hydrochloride_t_published"] == 1228 and abs(row["max_relative_difference"]) < 0.01
    res = run_cli("production", "presets", "unodc-2020", "--format", "json")
    rows = json.loads(res.stdout)
    assert {r["parameter"] for r in rows} == {
        "area",
        "area_factor",
        "leaf_yield",
        "base_per_leaf",
        "base_purity",
        "hcl_per_base",
    }
    assert all(r["source"] in ("published", "derived") for r in rows)
    res = run_cli("production", "presets", "unodc-2020")
    assert res.exit_code == 0 and "1,228" in res.stdout


def test_explain_unodc_us_adds_up_exactly(run_cli, tmp_path):
    png = tmp_path / "gap.png"
    res = run_cli(
        "production",
        "explain",
        "--series",
        "unodc,us",
        "--years",
        "2017-2021",
        "--format",
        "json",
        "--plot",
        str(png),
    )
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [r["year"] for r in rows] == [2017, 2018, 2019, 2020, 2021]
    for r in rows:
        assert r["area_effect_t"] + r["yield_effect_t"] == pytest.approx(
            r["difference_t"], rel=1e-12
        )
        assert r["difference_t"] == r["production_us"] - r["production_unodc"]
    r2020 = {r["year"]: r for r in rows}[2020]
    assert (r2020["area_us"], r2020["production_us"]) == (245_000, 1010)
    assert (r2020["area_unodc"], r2020["production_unodc"]) == (143_000, 1228)
    assert r2020["area_effect_t"] > 0 > r2020["yield_effect_t"]
    assert png.stat().st_size > 1000


@pytest.mark.parametrize(
    "args, needle",
    [
        (("--series", "unodc,usa"), "unknown series 'usa'"),
        (("--series", "unodc"), "need 2 different series"),
        (("--years", "2021-2017"), "runs backwards"),
        (("--years", "1990"), "no value for 1990"),
        (("--years", "20x"), "cannot read"),
        (("--plot", "gap.jpg"), ".png, .svg, .pdf or .html"),
    ],
)
def test_explain_bad_input_exit_2(run_cli, args, needle):
    res = run_cli("production", "explain", *args)
    assert res.exit_code == 2 and needle in res.stderr
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr


def test_us_implied_yields(run_cli):
    res = run_cli("production", "yields", "--series", "us", "--format", "json")
    assert res.exit_code == 0, res.stderr
    rows = {r["year"]: r for r in json.loads(res.stdout)}
    assert {2017, 2018, 2019, 2020, 2021} <= set(rows)
    assert rows[2020]["t_per_ha"] == pytest.approx(1010 / 245_000)
    assert all(r["area_ha"] > 0 and r["production_t"] > 0 for r in rows.values())
