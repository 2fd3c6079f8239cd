import json


def test_report_command_writes_files(run_cli, tmp_path):
    out = tmp_path / "r"
    res = run_cli("report", "--year", "2021", "--lang", "en", "--out", str(out), "--no-maps",
                  "--json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["html"] == str(out / "index.html")
    assert doc["summary"].startswith("At 31 December 2021")
    assert (out / "index.html").exists() and (out / "departments.csv").exists()


def test_bad_year_exits_2_with_choices(run_cli, tmp_path):
    res = run_cli("report", "--year", "1999", "--lang", "es", "--out", str(tmp_path))
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == [
        "error: --year: no coca census for year 1999; valid choices: 2001-2024"
    ]


def test_bad_language_exits_2_with_choices(run_cli, tmp_path):
    res = run_cli("report", "--year", "2024", "--lang", "fr", "--out", str(tmp_path))
    assert res.exit_code == 2
    assert "valid choices: es, en" in res.stderr
    assert not any(tmp_path.iterdir())
