"""The /docs page of the JSON API in Spanish and English, by ?lang= or Accept-Language."""

from __future__ import annotations

import re


def test_every_text_of_the_schema_has_its_spanish(client):
    from cocamonitor.web.apidocs import missing_spanish

    missing = missing_spanish(client.get("/openapi.json").json())
    assert not missing, ("add these to web/templates/api_docs_es.toml:\n" + "\n".join(missing))


def test_docs_in_spanish_by_query_or_header_and_english_on_request(client):
    by_query = client.get("/docs?lang=es")
    by_header = client.get("/docs", headers={"Accept-Language": "es-CO,es;q=0.9"})
    english = client.get("/docs?lang=en", headers={"Accept-Language": "es"})
    english_header = client.get("/docs", headers={"Accept-Language": "en-GB,en;q=0.9,es;q=0.1"})
    for r, lang in ((by_query, "es"), (by_header, "es"), (english, "en"), (english_header, "en")):
        assert r.status_code == 200 and r.headers["content-language"] == lang
        assert f'<html lang="{lang}' in r.text
    assert by_query.text == by_header.text and english.text == english_header.text
    es, en = by_query.text, english.text
    # summaries, descriptions and parameter descriptions
    assert "Hectáreas de coca por municipio en un año de censo (valores del mapa)" in es
    assert "Coca hectares by municipality in one census year (map values)" in en
    assert "Año de censo, p. ej. 2024." in es and "Census year, e.g. 2024." in en
    assert "<code>hectares</code> es <code>null</code> donde el censo no reportó coca" in es
    # the same operations and parameters in both
    ops = re.findall(r'<section class="op" id="([^"]+)">', es)
    assert ops and ops == re.findall(r'<section class="op" id="([^"]+)">', en)
    assert re.findall(r"<td><code>(\w+)</code></td>", es) == re.findall(r"<td><code>(\w+)</code></td>", en)
    # nothing of the English descriptions is left in the Spanish page
    for english_text in ("Census year, e.g.", "Earlier year.", "List the bundled datasets", "Find municipalities"):
        assert english_text not in es


def test_docs_default_is_the_app_language_and_a_bad_lang_is_one_line(client):
    assert client.get("/docs").headers["content-language"] == "es"  # the test app is Spanish
    r = client.get("/docs?lang=fr")
    assert r.status_code in (404, 422) and "fr" in r.text
