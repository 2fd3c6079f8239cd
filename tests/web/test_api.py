"""The JSON API: same numbers and semantics as the bundled data and the command line."""

import json

import numpy as np
import pandas as pd
import pytest

from cocamonitor import datasets


def _one_line_error(r, status, *words):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"detail"}
    assert "\n" not in body["detail"] and "Traceback" not in body["detail"]
    for w in words:
        assert w in body["detail"], body["detail"]


def test_datasets_list_matches_the_registry(client):
    r = client.get("/api/datasets")
    assert r.status_code == 200
    assert [d["name"] for d in r.json()] == datasets.list_datasets()


@pytest.mark.parametrize("query,args", [
    ("year=2023&department=narino", ["--year", "2023", "--department", "narino"]),
    ("municipality=tibu&year=2015-2017", ["--municipality", "tibu", "--year", "2015-2017"]),
])
def test_dataset_filters_are_those_of_data_show(client, run_cli, query, args):
    api = client.get(f"/api/datasets/coca-municipal?{query}")
    cli = run_cli("data", "show", "coca-municipal", *args, "--format", "json")
    assert api.status_code == 200 and cli.exit_code == 0, (api.text, cli.stderr)
    assert api.json() == json.loads(cli.stdout)
    assert len(api.json()) > 0


def test_dataset_errors_name_the_value_and_the_choices(client):
    _one_line_error(client.get("/api/datasets/coca-nacional"), 404, "coca-nacional", "coca-national")
    _one_line_error(client.get("/api/datasets/coca-municipal?year=1990"), 422, "1990", "2001-2024")
    _one_line_error(client.get("/api/datasets/coca-municipal?municipality=Tibuu"), 404, "Tibuu", "Tibú")


def test_coca_year_values_sum_to_the_census(client):
    raw = datasets.load("coca-municipal")
    for year in (2001, 2016, 2024):
        doc = client.get(f"/api/coca/{year}").json()
        expected = raw.loc[raw["year"] == year, "hectares"]
        assert doc["total_ha"] == pytest.approx(float(expected.sum()))
        assert doc["municipalities_with_coca"] == int((expected > 0).sum())
        values = pd.DataFrame(doc["values"])
        assert values["divipola"].is_unique
        # every municipality that ever had coca is there; "no coca reported" stays null
        assert len(values) == raw.loc[raw["hectares"] > 0, "divipola"].nunique()
        assert values["hectares"].isna().sum() == len(values) - expected.notna().sum()


def test_coca_year_bad_input(client):
    _one_line_error(client.get("/api/coca/1990"), 422, "1990", "2001-2024")
    _one_line_error(client.get("/api/coca/20x4"), 422, "year", "20x4")


def test_compare_is_the_difference_of_the_two_years(client):
    doc = client.get("/api/compare?from=2020&to=2024").json()
    df = pd.DataFrame(doc["values"])
    a = client.get("/api/coca/2020").json()["total_ha"]
    b = client.get("/api/coca/2024").json()["total_ha"]
    assert df["change_ha"].sum() == pytest.approx(b - a)
    np.testing.assert_allclose(df["change_ha"], df["hectares_to"] - df["hectares_from"])


def test_national_series_are_the_published_ones(client):
    doc = client.get("/api/national").json()
    t = pd.DataFrame(doc["series"]).set_index("year")
    for source in ("unodc", "us"):
        for metric in ("area", "production"):
            pub = datasets.national_series(source, metric)
            got = t[f"{source}_{metric}"].dropna()
            pd.testing.assert_series_equal(got, pub.astype(float), check_names=False, check_index_type=False)
    raw = datasets.load("coca-municipal")
    assert t.loc[2020, "simci_municipal_sum"] == pytest.approx(raw.loc[raw.year == 2020, "hectares"].sum())
    est = pd.DataFrame(doc["production_estimate"])
    assert (est["ci_low"] < est["median"]).all() and (est["median"] < est["ci_high"]).all()


def test_trend_is_the_document_of_trend_test(client, run_cli):
    api = client.get("/api/trend?source=unodc&metric=production&skip_missing=true")
    cli = run_cli("trend", "test", "--source", "unodc", "--metric", "production", "--skip-missing",
                  "--format", "json")
    assert api.status_code == 200 and cli.exit_code == 0
    assert api.json() == json.loads(cli.stdout)
    ok = client.get("/api/trend?source=us&metric=area&years=2010-2021").json()
    assert ok["series"]["years"] == list(range(2010, 2022))
    assert set(ok) >= {"series", "mann_kendall", "theil_sen"}


def test_trend_bad_input(client):
    _one_line_error(client.get("/api/trend?source=unodcc"), 404, "unodcc", "unodc, us")
    _one_line_error(client.get("/api/trend?metric=yield"), 404, "yield", "area, production")
    _one_line_error(client.get("/api/trend?source=unodc&metric=production"), 422, "2003", "skip_missing")
    _one_line_error(client.get("/api/trend?years=2019"), 422, "2019", "years")


def test_territory(client):
    hits = client.get("/api/territory?q=tibu").json()
    assert hits[0]["divipola"] == "54810"
    _one_line_error(client.get("/api/territory?q=Tibuuu"), 404, "Tibuuu")
    _one_line_error(client.get("/api/territory"), 422, "q")


def test_municipality_profile_uses_the_trend_panel(client, run_cli):
    doc = client.get("/api/municipality/54810").json()
    assert doc["territory"]["municipality"] == "Tibú"
    assert [r["year"] for r in doc["series"]] == list(range(2001, 2025))
    cli = run_cli("trend", "panel", "--years", f"{doc['trend']['years'][0]}-{doc['trend']['years'][1]}",
                  "--format", "json")
    panel = pd.DataFrame(json.loads(cli.stdout)).set_index("divipola")
    row = panel.loc["54810"]
    assert doc["trend"]["class"] == row["class"]
    assert doc["trend"]["slope"] == pytest.approx(row["slope"])
    assert doc["trend"]["slope_ci"] == pytest.approx([row["slope_low"], row["slope_high"]])
    _one_line_error(client.get("/api/municipality/99999"), 404, "99999")


def test_production_quotes_the_reports_scenario_and_interval(client):
    d2020 = client.get("/api/production/2020").json()
    assert d2020["preset"] == "unodc-2020" and d2020["scenario"] == "preset" and d2020["area_source"] == "census"
    area = client.get("/api/coca/2020").json()["total_ha"]
    assert d2020["national"]["hydrochloride_t"]["point"] == pytest.approx(1228 * area / 143000, rel=1e-3)
    d2024 = client.get("/api/production/2024").json()
    assert d2024["scenario"] == "implied" and d2024["scenario_reason"] == "newer_pair"
    assert d2024["area_ha"] == pytest.approx(client.get("/api/coca/2024").json()["total_ha"])
    lo, hi = d2024["national"]["hydrochloride_t"]["ci"]
    assert lo < d2024["national"]["hydrochloride_t"]["median"] < hi
    assert set(d2024["other_scenarios"]) == {"preset"}
    assert client.get("/api/production/2001").json()["preset"] == "unodc-2018"


def test_report_and_dashboard_quote_the_same_interval(client):
    from cocamonitor.production.scenarios import SHARED_DRAWS, SHARED_SEED
    from cocamonitor.report.build import ReportInputs
    from cocamonitor.report.sections import production_section
    from cocamonitor.web import state

    assert (state.PRODUCTION_DRAWS, state.PRODUCTION_SEED) == (SHARED_DRAWS, SHARED_SEED)
    summary = production_section(2024, ReportInputs.from_datasets(maps=False))["summary"]
    api = client.get("/api/production/2024").json()
    assert api["scenario"] == summary["scenario"]
    hcl = api["national"]["hydrochloride_t"]
    assert (hcl["point"], hcl["ci"][0], hcl["ci"][1]) == (summary["point"], summary["lo"], summary["hi"])
    _one_line_error(client.get("/api/production/2030"), 422, "2030")


def test_openapi_documents_every_api_route(client):
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/api/datasets", "/api/datasets/{name}", "/api/coca/{year}", "/api/national", "/api/trend",
            "/api/territory", "/api/indicators"} <= paths
    assert all(p.startswith("/api/") for p in paths)  # pages and views are not part of the API
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/trend" in docs.text
    assert "cdn" not in docs.text.lower()


def test_indicators_are_the_document_of_indicators_show(client, run_cli):
    api = client.get("/api/indicators?years=2023-2024&indicator=labs_destroyed,labs_per_1000_ha_coca")
    cli = run_cli("indicators", "show", "--years", "2023-2024", "--indicator",
                  "labs_destroyed,labs_per_1000_ha_coca", "--format", "json")
    assert api.status_code == 200 and cli.exit_code == 0, (api.text, cli.stderr)
    a, c = api.json(), json.loads(cli.stdout)
    assert a["indicators"] == c["indicators"] and a["notes"] == c["notes"]
    assert a["provenance"]["inputs"] == c["provenance"]["inputs"]
    labs = {r["year"]: r["value"] for r in a["indicators"] if r["indicator"] == "labs_destroyed"}
    assert labs[2024] == float(datasets.load("labs").query("year == 2024")["quantity"].sum())


def test_indicators_bad_input(client):
    _one_line_error(client.get("/api/indicators?indicator=labs_destroid"), 404, "labs_destroid", "labs_destroyed")
    _one_line_error(client.get("/api/indicators?years=20x4"), 422, "years")
    _one_line_error(client.get("/api/indicators?by=zona-futuro"), 422, "zona")


def test_national_and_trend_as_of(client):
    doc = client.get("/api/national?as_of=2021-06-30").json()
    row = {r["year"]: r for r in doc["series"]}[2020]
    assert row["unodc_area"] == 143_000 and row["us_area"] == 245_000
    assert doc["releases"]["unodc_area"]["released"]["2020"] == "2021-06"
    assert doc["citations"]["us_area"]["2020"].startswith("ONDCP")  # publication first, link second
    assert {r["year"]: r for r in client.get("/api/national?as_of=2021-06-20").json()["series"]}[2020][
        "us_area"] is None
    tr = client.get("/api/trend?source=unodc&metric=production&years=2014-2016&as_of=2018-09-18").json()
    assert tr["series"]["values"][-1] == 866.0
    _one_line_error(client.get("/api/national?as_of=yesterday"), 422, "as_of", "YYYY-MM-DD")
    rows = client.get("/api/datasets/coca-national?as_of=2021-06-30&year=2020").json()
    assert any(r["source_key"] == "us" and r["value"] == 245_000 for r in rows)
