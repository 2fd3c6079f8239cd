def test_evaluation_view_in_both_languages(client):
    for lang, title in (("es", "¿Funcionaron los programas?"), ("en", "Did the programmes work?")):
        res = client.get(f"/view/evaluation?lang={lang}")
        assert res.status_code == 200
        doc = res.json()
        assert title in doc["html"]
        assert set(doc["figures"]) == {"evaluation_pdet", "evaluation_spraying"}
        assert 'id="fig-evaluation_pdet"' in doc["html"]
        assert doc["figures"]["evaluation_pdet"]["data"]


def test_dashboard_page_loads_the_view(client):
    html = client.get("/").text
    assert 'id="evaluation-panel"' in html and "/static/evaluation.js" in html
    assert client.get("/static/evaluation.js").status_code == 200
