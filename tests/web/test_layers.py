"""The map layers' endpoints: shapes cached for good, values per year, legends in both languages, CSV."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from cocamonitor import datasets
from cocamonitor.documents.layers import capitals, layer_table

GZ = {"Accept-Encoding": "gzip"}


@pytest.mark.parametrize("name,n", [("departments", 33), ("labs", None), ("spraying", None), ("pdet", 16),
                                    ("basemap", 33 + 32)])
def test_shapes_are_sent_once_under_an_immutable_url(client, name, n):
    view = client.get(f"/view/layer/{name}?year=2020&lang=es").json()
    r = client.get(view["geometry"], headers=GZ)
    assert r.headers["content-encoding"] == "gzip" and "immutable" in r.headers["cache-control"]
    assert client.get(view["geometry"], headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    feats = r.json()["features"]
    if n is not None:
        assert len(feats) == n
    ids = {f["id"] for f in feats}
    for trace in view["traces"]:
        assert "geojson" not in trace  # values only: the page joins them to the cached shapes
        assert set(trace["locations"]) <= ids


def test_labs_and_spraying_share_their_shapes():
    from fastapi.testclient import TestClient

    from cocamonitor.web import create_app

    c = TestClient(create_app(lang="en"))
    a = c.get("/view/layer/labs?year=2012").json()["geometry"]
    b = c.get("/view/layer/spraying?year=2012").json()["geometry"]
    assert a == b


def test_layer_values_match_the_bundled_data(client):
    labs = datasets.load("labs")
    t, year = layer_table("labs", 2021)
    assert year == 2021
    known = set(datasets.load("territories")["divipola"])
    rows = labs[(labs["year"] == 2021) & labs["divipola"].isin(known)]
    assert t["value"].sum() == rows["quantity"].sum() and len(t) == (rows["quantity"] > 0).sum()
    assert labs.loc[labs["year"] == 2021, "quantity"].sum() == 5779  # SOURCES.md §4: located or not
    deps, _ = layer_table("departments", 2024)
    coca = datasets.load("coca-municipal")
    assert deps["hectares"].sum() == pytest.approx(coca.loc[coca["year"] == 2024, "hectares"].sum())
    nariño = deps.set_index("department_code").loc["52", "hectares"]
    in_narino = (coca["year"] == 2024) & coca["divipola"].str.startswith("52")
    assert nariño == pytest.approx(coca.loc[in_narino, "hectares"].sum())
    pdet, _ = layer_table("pdet", 2024)
    assert pdet["municipalities"].sum() == 170 and len(pdet) == 16
    caps = capitals().set_index("department_code")
    assert caps.loc["86", "municipality"] == "Mocoa" and "25" not in caps.index  # Cundinamarca: Bogotá (11)


def test_spraying_after_2015_names_the_year_it_shows(client):
    es = client.get("/view/layer/spraying?year=2024&lang=es").json()
    assert es["year"] == 2015 and "se muestra 2015" in es["legend"]
    en = client.get("/view/layer/spraying?year=2024&lang=en").json()
    assert "it shows 2015" in en["legend"] and "Source" in en["legend"]
    assert "Rivers are not included" in client.get("/view/layer/basemap?lang=en").json()["legend"]


def test_layer_csv_is_what_the_layer_draws(client):
    r = client.get("/download/layer/spraying.csv?year=2010&lang=es")
    assert r.headers["content-disposition"].endswith('filename="layer-spraying-2010.csv"')
    df = pd.read_csv(io.StringIO(r.text), dtype={"divipola": str})
    view = client.get("/view/layer/spraying?year=2010").json()
    assert sorted(df["divipola"]) == sorted(view["traces"][0]["locations"])
    assert (df["year"] == 2010).all() and df["value"].sum() == pytest.approx(101_940, abs=1)  # SOURCES.md §3


def test_bad_layer_requests_are_one_line_errors(client):
    r = client.get("/view/layer/rivers")
    assert r.status_code == 404 and "basemap" in r.json()["detail"]
    r = client.get("/view/layer/labs?year=2030")
    assert r.status_code == 422 and "2001-2024" in r.json()["detail"]
    r = client.get("/view/layer/grid?year=2020")
    assert r.status_code == 422 and "cocamonitor data import simci-grid" in r.json()["detail"]
    assert 'value="grid" disabled' in client.get("/?lang=es").text


def test_every_view_has_its_csv(client):
    for url in ("/download/map.csv", "/download/national.csv", "/download/trends.csv",
                "/download/production.csv", "/download/profile.csv?municipality=54810",
                "/download/evaluation.csv", "/download/results.csv", "/download/layer/pdet.csv"):
        r = client.get(url)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), url
        assert len(pd.read_csv(io.StringIO(r.text))) > 0, url
    trends = pd.read_csv(io.StringIO(client.get("/download/trends.csv").text))
    assert ("simci", "area") in set(zip(trends["source"], trends["metric"], strict=True))


@pytest.mark.parametrize("lang", ["es", "en"])
def test_missing_grid_hint_shows_the_command_as_code(client, lang, tmp_path, monkeypatch):
    monkeypatch.setenv("COCAMONITOR_DATA_DIR", str(tmp_path))  # an empty user data folder: no grid imported
    html = client.get(f"/?lang={lang}").text
    assert "<code>cocamonitor data import simci-grid" in html
    assert "`cocamonitor data import" not in html
