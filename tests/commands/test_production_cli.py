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
    # every factor the preset sources as uncertain has a share; the molar-mass ratio stays fixed
    assert set(doc["sensitivity"]) == {"area_factor", "leaf_yield", "base_per_leaf", "base_purity"}
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


def test_year_scenarios_implied_reproduces_unodc_2023_and_2024_widens(run_cli):
    res = run_cli("production", "estimate", "--year", "2023", "--scenario", "implied", "--draws", "20000",
                  "--sensitivity-draws", "20000", "--seed", "3", "--format", "json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    (sc,) = doc["scenarios"]
    assert sc["scenario"] == "implied" and sc["implied"]["year"] == 2023
    # UNODC published 2,664 t of hydrochloride for 2023 (2,664 t / 253,000 ha); the census area differs by 0.2 %
    assert sc["estimate"]["national"]["hydrochloride_t"]["point"] == pytest.approx(2664, rel=0.01)
    shares = sc["estimate"]["sensitivity"]
    assert sum(v > 0 for v in shares.values()) >= 4
    both = json.loads(run_cli("production", "estimate", "--year", "2024", "--draws", "20000",
                              "--sensitivity-draws", "0", "--format", "json").stdout)
    assert [s["scenario"] for s in both["scenarios"]] == ["preset", "implied"]
    # before this change the 2024 interval (leaf yield and area factor only) was 1,775-2,749 t on the
    # census area; now extraction and purity are uncertain too, and the implied scenario adds drift
    widths = {s["scenario"]: s["estimate"]["national"]["hydrochloride_t"]["ci"] for s in both["scenarios"]}
    narrow = _leaf_and_area_only_width(both["area_ha"])
    for lo, hi in widths.values():
        assert hi - lo > narrow
    assert widths["implied"][1] - widths["implied"][0] > widths["preset"][1] - widths["preset"][0]
    for s in both["scenarios"]:
        assert s["description"] and s["preset"] == "unodc-2020"


def _leaf_and_area_only_width(area_ha):
    """Interval width of the 2020 chain with only leaf yield and the area factor uncertain (the old preset)."""
    from dataclasses import replace

    from cocamonitor.production import load_preset, monte_carlo
    from cocamonitor.production.distributions import Distribution
    from cocamonitor.production.params import area_spec

    model = load_preset("unodc-2020")
    fixed = tuple(replace(p, dist=Distribution.point(p.dist.central)) if p.name in ("base_per_leaf", "base_purity")
                  else p for p in model.parameters)
    model = replace(model, parameters=fixed).with_areas((area_spec("Colombia", area_ha, None, "ha"),))
    s = monte_carlo(model, draws=20000, seed=None, sensitivity=False).national["hydrochloride_t"]
    return s.ci_high - s.ci_low


@pytest.mark.parametrize("args, msg", [
    (("--scenario", "optimistic", "--year", "2024"),
     "--scenario: unknown scenario 'optimistic'; valid: preset, implied, both"),
    (("--scenario", "implied"), "--year: --scenario and --as-of estimate a census year"),
    (("--year", "2024", "--preset", "unodc-2019"), "--preset: --preset and --year do not go together"),
    (("--year", "1990"), "--year: no census area for 1990"),
    (("--year", "2024", "--as-of", "2001-01-01"), "--as-of: 2001-01-01 is before the first release"),
    (("--year", "2024", "--as-of", "2024-13-01"), "--as-of: '2024-13-01' is not a date"),
])
def test_year_scenario_bad_input(run_cli, args, msg):
    res = run_cli("production", "estimate", *args)
    assert res.exit_code == 2 and msg in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_as_of_moves_the_implied_pair():
    from cocamonitor.production.scenarios import implied_productivity

    assert implied_productivity(as_of="2024-10-17").year == 2022  # the 2023 survey came out on 18 Oct 2024
    assert implied_productivity(as_of="2024-10-18").year == 2023


def test_params_file_distribution_without_source_is_noted(run_cli, tmp_path):
    f = tmp_path / "p.toml"
    f.write_text(
        '[areas.Colombia]\nvalue = 100000\nunit = "ha"\n'
        '[parameters]\nleaf_yield = { distribution = "triangular", min = 5, mode = 6, max = 7, unit = "t/ha/yr" }\n'
        'base_per_leaf = { value = 1.54, unit = "kg/t" }\nbase_purity = { value = 0.71, unit = "fraction" }\n'
        'hcl_per_base = { value = 1.12, unit = "kg/kg" }\n'
    )
    res = run_cli("production", "estimate", "--params", str(f), "--draws", "2000", "--sensitivity-draws", "0",
                  "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert "leaf_yield" in res.stderr and "has no source" in res.stderr
