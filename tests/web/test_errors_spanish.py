"""API errors in Spanish by ``Accept-Language`` or ``?lang=`` (cocamonitor.messages at the web edge)."""

from __future__ import annotations

import pytest

from cocamonitor.messages import collect_untranslated

#: requests the API refuses (404 or 422), each with a value its answer must keep in both languages
BAD = [
    ("/api/datasets/coca-nacional", "coca-nacional"),
    ("/api/datasets/coca-municipal?year=1990", "1990"),
    ("/api/datasets/coca-municipal?municipality=Tibuu", "Tibuu"),
    ("/api/datasets/labs?as_of=2021-06-30", "labs"),
    ("/api/coca/1990", "1990"),
    ("/api/coca/20x4", "20x4"),
    ("/api/indicators?by=zona-futuro", "Catatumbo"),
    ("/api/indicators?indicator=labs_destroid", "labs_destroid"),
    ("/api/indicators?years=20x4", "20x4"),
    ("/api/municipality/99999", "99999"),
    ("/api/national?as_of=yesterday", "yesterday"),
    ("/api/production/2030", "2030"),
    ("/api/territory?q=Tibuuu", "Tibuuu"),
    ("/api/trend?metric=yield", "yield"),
    ("/api/trend?source=unodcc", "unodcc"),
    ("/api/trend?years=2019", "2019"),
    ("/api/no-such-route", "/api/no-such-route"),
]


@pytest.mark.parametrize(("url", "kept"), BAD, ids=[b[0] for b in BAD])
def test_api_errors_in_spanish_keep_every_value(client, url, kept):
    english = client.get(url)
    with collect_untranslated("es") as missing:
        by_header = client.get(url, headers={"Accept-Language": "es-CO,es;q=0.9,en;q=0.5"})
    by_query = client.get(url + ("&" if "?" in url else "?") + "lang=es")
    assert english.status_code == by_header.status_code == by_query.status_code in (404, 422)
    en, es = english.json()["detail"], by_header.json()["detail"]
    assert english.headers["content-language"] == "en" and by_header.headers["content-language"] == "es"
    assert "accept-language" in by_header.headers["vary"].lower()
    assert es != en and kept in es and kept in en
    assert not missing, f"not in the Spanish catalogue (data/errors_es.toml): {missing}"
    if "lang=" not in url:
        assert by_query.json()["detail"] == es


def test_one_spanish_answer_word_for_word(client):
    r = client.get("/api/datasets/coca-municipal?year=1990", headers={"Accept-Language": "es"})
    assert r.json() == {"detail": "year: el año 1990 está fuera de los datos de 'coca-municipal'; "
                                  "años válidos: 2001-2024"}
    r = client.get("/api/coca/20x4?lang=es")
    assert r.json()["detail"].startswith("year: valor no válido '20x4'; debe ser un número entero")
    # an explicit ?lang=en wins over the header; an unknown language is English
    r = client.get("/api/coca/1990?lang=en", headers={"Accept-Language": "es"})
    assert "no coca census" in r.json()["detail"] or "outside" in r.json()["detail"]
    assert client.get("/api/coca/1990", headers={"Accept-Language": "fr"}).headers["content-language"] == "en"


def test_error_pages_follow_the_page_language(client):
    r = client.get("/no-such-page?lang=es")
    assert r.status_code == 404 and "no hay ninguna página en /no-such-page" in r.text
    r = client.get("/no-such-page?lang=en", headers={"Accept-Language": "es"})
    assert "no page at /no-such-page" in r.text
