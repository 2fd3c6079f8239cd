"""The API names its own query parameters in errors (not the command line's options)."""

from __future__ import annotations


def test_dataset_filters_are_named_as_query_parameters(client):
    r = client.get("/api/datasets/coca-municipal?year=3000")
    assert r.status_code == 422
    assert r.json()["detail"].startswith("year: year 3000 is outside the data of 'coca-municipal'")
    r = client.get("/api/datasets/pdet?year=2020")
    assert r.status_code == 422 and r.json()["detail"] == "year: dataset 'pdet' has no years; drop year"
    r = client.get("/api/datasets/coca-national?municipality=tibu")
    assert r.status_code == 422 and r.json()["detail"].startswith("department/municipality: dataset 'coca-national'")


def test_indicators_errors_name_query_parameters(client):
    r = client.get("/api/indicators?by=planet")
    assert r.status_code in (404, 422) and r.json()["detail"].startswith("by: unknown level 'planet'")
