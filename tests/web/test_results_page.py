"""The dashboard's results view: every indicator with figures, its source, imports included."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from cocamonitor.importers import mindefensa as md


@pytest.fixture()
def client():
    from cocamonitor.web import create_app

    return TestClient(create_app(lang="es"))


def _rows(html: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<tr><td>([^<]*)</td><td>(\d+)</td><td class="num">([^<]*)</td>', html)


def test_results_page_shows_every_indicator_with_its_source_and_the_chart(client):
    res = client.get("/results?lang=es")
    assert res.status_code == 200
    rows = _rows(res.text)
    labels = {r[0] for r in rows}
    assert {"Área de coca (ha)", "Erradicación manual (ha)", "Incautación de heroína (kg)",
            "Muertes por sobredosis con cocaína en EE. UU."} <= labels
    assert "Observatorio de Drogas de Colombia" in res.text and "db384" in res.text  # sources beside figures
    assert 'id="results-multiples"' in res.text and 'id="results-figure"' in res.text
    assert "/static/results.js" in res.text
    en = client.get("/results?lang=en")
    assert "US overdose deaths involving cocaine" in en.text
    assert 'href="/results?lang=es"' in client.get("/?lang=es").text


def test_results_page_uses_imported_files(client, tmp_path, monkeypatch):
    from openpyxl import Workbook

    path = tmp_path / "INCAUTACIÓN DE MARIHUANA.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["FECHA HECHO", "COD_DEPTO", "DEPARTAMENTO", "COD_MUNI", "MUNICIPIO", "CANTIDAD", "UNIDADES DE MEDIDA"])
    ws.append(["2024-02-01", "19", "CAUCA", "19698", "SANTANDER DE QUILICHAO", 2.5, "TONELADA"])
    wb.save(path)
    folder = tmp_path / "data"
    monkeypatch.setenv("COCAMONITOR_DATA_DIR", str(folder))
    md.import_file(path, data_dir=folder)
    res = client.get("/results?lang=es")
    marihuana = [r for r in _rows(res.text) if r[0] == "Incautación de marihuana (t)"]
    assert marihuana == [("Incautación de marihuana (t)", "2024", "2,50 t")]
    assert "mindefensa-marijuana_seizures" in res.text and "SHA-256" in res.text
