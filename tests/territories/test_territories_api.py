import grid_fixtures as fx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from cocamonitor.web.app import create_app


@pytest.fixture
def client():
    with TestClient(create_app(lang="en")) as c:
        yield c


def test_grid_and_territories_api(tmp_path, monkeypatch, client):
    from cocamonitor.importers.simci_grid import import_simci_grid
    from cocamonitor.territories import add_layer

    monkeypatch.setenv("COCAMONITOR_DATA_DIR", str(tmp_path / "data"))
    r = client.get("/api/grid/2022")
    assert r.status_code == 422 and "cocamonitor data import simci-grid" in r.json()["detail"]
    import_simci_grid(fx.write_geojson(tmp_path / "grid.geojson"))
    fx.layer("parks").to_file(tmp_path / "p.gpkg")
    add_layer("parks", tmp_path / "p.gpkg", name_field="nombre")
    doc = client.get("/api/grid/2022").json()
    _, _, _, ha, missing = fx.truth()
    col = fx.YEARS.index(2022)
    assert doc["total_ha"] == pytest.approx(float(np.where(missing, 0, ha)[:, col].sum()), abs=1e-9)
    assert len(doc["cells"]) == int(((ha[:, col] > 0) & ~missing[:, col]).sum())
    assert all(-80 < c["lon"] < -66 and 0 < c["lat"] < 13 for c in doc["cells"])
    doc = client.get("/api/territories/2022").json()
    assert {r["territory"] for r in doc["territories"]} >= {"PNN Catatumbo Barí"}
    assert client.get("/api/territories/1990").status_code == 422
