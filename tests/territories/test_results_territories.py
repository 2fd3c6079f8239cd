"""`forest` and `territories coca` give the store their results' rows (issue 20): the table the store
used to read from their JSON documents."""

import grid_fixtures as fx
from test_forest import LAG, YEARS, sim  # noqa: F401 (the fixture)
from tests.test_results import _recorded, _same_table

from cocamonitor.store import tidy_estimates


def test_forest_records_its_rows(sim, run_cli, tmp_path):  # noqa: F811
    _, coca, loss, _, _ = sim
    files = ",".join(str(coca[y]) for y in YEARS)
    run = _recorded(run_cli, tmp_path / "runs.duckdb", ("forest", "--coca", files, "--forest-loss", str(loss),
                                                        "--lag", str(LAG)))
    assert len(run.estimates) > 0
    _same_table(run.estimates, tidy_estimates(run.document))


def test_territories_coca_records_its_rows(run_cli, tmp_path):
    data = tmp_path / "data"
    gj = fx.write_geojson(tmp_path / "grid.geojson")
    assert run_cli("--data-dir", str(data), "data", "import", "simci-grid", str(gj)).exit_code == 0
    fx.layer("parks").to_crs("EPSG:9377").to_file(tmp_path / "runap.gpkg")
    assert run_cli("--data-dir", str(data), "territories", "add", "parks", str(tmp_path / "runap.gpkg"),
                   "--name-field", "nombre").exit_code == 0
    run = _recorded(run_cli, tmp_path / "runs.duckdb", ("--data-dir", str(data), "territories", "coca",
                                                        "--layer", "parks", "--years", "2021-2023",
                                                        "--buffer", "1km"))
    assert len(run.estimates) > 0
    _same_table(run.estimates, tidy_estimates(run.document))
