"""The dashboard page, its views and downloads: bilingual, state in the URL, geometry sent once."""

import io
import json
import re
from html import unescape

import pandas as pd
import pytest

from cocamonitor.report.locale import fmt_quantity
from cocamonitor.web.i18n import catalogue, flat_keys


def _boot(html):
    m = re.search(r'<script id="boot" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def test_catalogues_have_the_same_labels():
    assert flat_keys(catalogue("es")) == flat_keys(catalogue("en"))


@pytest.mark.parametrize("lang", ["es", "en"])
def test_page_in_each_language(client, lang):
    m = catalogue(lang)
    r = client.get(f"/?lang={lang}")
    assert r.status_code == 200
    html = r.text
    assert f'<html lang="{lang}">' in html
    for label in (m.meta.title, m.controls.mode_compare, m.national.title, m.controls.search):
        assert label in html
    other = catalogue("en" if lang == "es" else "es")
    assert other.controls.mode_compare not in html
    # a Spanish view formats its numbers the Spanish way, and vice versa
    view = client.get(f"/view/map?lang={lang}&year=2024").json()
    total = client.get("/api/coca/2024").json()["total_ha"]
    assert fmt_quantity(total, "ha", lang) in view["html"]


def test_state_in_the_url_sets_the_view(client):
    r = client.get("/?lang=en&year=2019&mode=compare&from=2015&municipality=tibu")
    assert r.status_code == 200
    boot = _boot(r.text)
    assert boot["state"] == {"year": 2019, "mode": "compare", "from": 2015, "municipality": "54810", "lang": "en"}
    assert 'value="2019"' in r.text and 'value="compare" checked' in r.text
    share = re.search(r'id="share" href="([^"]+)"', r.text).group(1).replace("&amp;", "&")
    assert share == "/?lang=en&year=2019&mode=compare&from=2015&municipality=54810"
    other = re.search(r'id="other-lang" href="([^"]+)"', r.text).group(1).replace("&amp;", "&")
    assert "lang=es" in other and "municipality=54810" in other


@pytest.mark.parametrize("query,words", [
    ("year=1999", ["1999", "2001-2024"]), ("mode=diff", ["diff", "map, compare"]),
    ("lang=fr", ["fr", "es, en"]), ("from=2050&mode=compare", ["2050"]),
])
def test_bad_state_is_a_one_line_error(client, query, words):
    r = client.get(f"/?{query}")
    assert r.status_code in (404, 422)
    assert r.headers["content-type"].startswith("text/html")  # a page, not raw JSON (issue 17)
    assert 'id="map"' in r.text  # the dashboard itself, at the default in place of the bad value (issue 19)
    line = re.search(r'<p class="error notice" role="alert">(.*?)</p>', r.text).group(1)
    for w in words:
        assert w in line


def test_geometry_is_sent_once_and_views_carry_only_values(client):
    fig = client.get("/view/map-figure?lang=es")
    assert "max-age" in fig.headers["cache-control"]
    geo = fig.json()
    codes = geo["data"][1]["locations"]
    assert len(geo["data"][1]["geojson"]["features"]) == len(codes)
    for query in ("year=2010", "year=2024&mode=compare&from=2020"):
        v = client.get(f"/view/map?{query}")
        assert "coordinates" not in v.text and "geojson" not in v.text
        assert len(v.content) < len(fig.content) / 10
        assert len(v.json()["trace"]["z"]) == len(codes)
    values = pd.DataFrame(client.get("/api/coca/2010").json()["values"]).set_index("divipola").loc[codes]
    z = client.get("/view/map?year=2010").json()["trace"]["z"]
    drawn = pd.Series(z, index=codes).notna()
    assert (drawn == (values["hectares"].fillna(0) > 0)).all()
    change = pd.DataFrame(client.get("/api/compare?from=2020&to=2024").json()["values"]).set_index("divipola")
    zc = pd.Series(client.get("/view/map?year=2024&mode=compare&from=2020").json()["trace"]["z"], index=codes)
    pd.testing.assert_series_equal(zc.dropna(), change.loc[zc.dropna().index, "change_ha"], check_names=False)


def _csv(client, url):
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    return pd.read_csv(io.StringIO(r.text), dtype={"divipola": str})


def test_csv_is_what_the_view_shows(client):
    view = client.get("/view/map?year=2018&lang=en").json()
    df = _csv(client, "/download/map.csv?year=2018&lang=en")
    api = pd.DataFrame(client.get("/api/coca/2018").json()["values"])
    assert len(df) == int((api["hectares"] > 0).sum())  # every municipality coloured on the map
    shown = re.findall(r'class="pick" data-divipola="(\d{5})"', view["html"])
    assert shown == df["divipola"].head(len(shown)).tolist()  # the table is the top of the CSV
    comp = _csv(client, "/download/map.csv?year=2024&mode=compare&from=2020")
    assert (comp["change_ha"] != 0).all()
    prof = _csv(client, "/download/profile.csv?municipality=86568")
    series = client.get("/api/municipality/86568").json()["series"]
    assert prof["year"].tolist() == [r["year"] for r in series]
    nat = _csv(client, "/download/national.csv?year=2020")
    assert {"unodc_area", "us_area", "estimate_hcl_ci_low_t", "estimate_hcl_ci_high_t"} <= set(nat.columns)
    prod = _csv(client, "/download/production.csv?year=2020")
    assert set(prod["quantity"]) >= {"leaf_t", "base_t", "hydrochloride_t"}
    r = client.get("/download/profile.csv")
    assert r.status_code == 422 and "municipality" in r.json()["detail"]


def test_views_show_intervals_and_how_computed(client):
    m = catalogue("en")
    nat = client.get("/view/national?year=2020&lang=en").json()
    assert m.national.how[:40] in nat["html"] and "/provenance" in nat["html"]
    est = nat["figures"]["production"]["data"][0]
    assert est["error_y"]["array"] and min(est["error_y"]["array"]) > 0  # intervals, not only points
    prof = client.get("/view/profile?municipality=54810&lang=en").json()
    assert m.profile.how[:30] in prof["html"]
    assert prof["figure"]["data"][0]["x"][0] == 2001


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("code", ["54810", "86568", "05001"])
def test_profile_class_and_rule_in_the_page_language(client, lang, code):
    from cocamonitor.trends import CLASSIFICATION_RULES

    m = catalogue(lang)
    trend = client.get(f"/api/municipality/{code}").json()["trend"]
    html = unescape(client.get(f"/view/profile?municipality={code}&lang={lang}").json()["html"])
    if trend is None:  # never had coca in the census
        assert m.profile.no_trend in html
        return
    assert m.classes[trend["class"]] in html
    assert m.rules[trend["class"]].split("{")[0][:25] in html
    if lang == "es":
        assert CLASSIFICATION_RULES[trend["class"]].split("{")[0][:25] not in html


def test_page_is_self_contained(client):
    html = client.get("/").text
    srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert srcs and all(s.startswith(("/", "#", "data:")) for s in srcs), srcs
    csp = client.get("/").headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    from plotly.offline import get_plotlyjs

    js = client.get("/assets/plotly.min.js")
    assert js.status_code == 200 and js.text == get_plotlyjs()
    prov = client.get("/provenance?lang=en")
    assert prov.status_code == 200 and 'id="coca-municipal"' in prov.text
    assert "Coca cultivation detected by municipality" in prov.text
    prov_es = client.get("/provenance?lang=es").text
    assert "Una celda vacía significa" in prov_es and "Coca cultivation detected" not in prov_es


def test_serve_command(run_cli, monkeypatch):
    import uvicorn

    calls = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.update(app=app, **kw))
    res = run_cli("serve", "--port", "8123", "--lang", "en")
    assert res.exit_code == 0, res.stderr
    assert calls["host"] == "127.0.0.1" and calls["port"] == 8123
    assert calls["app"].state.lang == "en"
    bad = run_cli("serve", "--lang", "fr")
    assert bad.exit_code == 2 and "fr" in bad.stderr and "es, en" in bad.stderr


def test_languages_do_not_leak_into_each_other(client):
    total = client.get("/api/coca/2024").json()["total_ha"]
    en = client.get("/view/map?lang=en&year=2024").json()["html"]
    es = client.get("/view/map?lang=es&year=2024").json()["html"]
    en_again = client.get("/view/map?lang=en&year=2024").json()["html"]
    assert fmt_quantity(total, "ha", "es") in es and fmt_quantity(total, "ha", "en") not in es
    assert fmt_quantity(total, "ha", "en") in en and en == en_again


@pytest.mark.parametrize("lang", ["es", "en"])
def test_noscript_notice_in_the_page_language(client, lang):
    html = client.get(f"/?lang={lang}").text
    notice = re.search(r"<noscript>(.*?)</noscript>", html, re.S).group(1)
    assert catalogue(lang).meta.noscript in notice and 'href="/docs"' in notice
    if lang == "es":
        assert "JavaScript is required" not in html


@pytest.mark.parametrize("lang", ["es", "en"])
def test_tiny_p_values_read_p_less_than(client, lang):
    # Tibú's trend has p < 0.0001: the sentence must not read "p = < 0,0001"
    html = unescape(client.get(f"/view/profile?municipality=54810&lang={lang}").json()["html"])
    assert "= <" not in html
    assert "p < 0" in html and "q = 0" in html
