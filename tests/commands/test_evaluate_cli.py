import json

import numpy as np
import pandas as pd
import pytest


def _one_error_line(res, *needles):
    assert res.exit_code == 2, (res.stdout, res.stderr)
    lines = [ln for ln in res.stderr.strip().splitlines() if ln.startswith("error: ")]
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.stderr
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


def test_did_pdet_json_contract(run_cli):
    res = run_cli("evaluate", "did", "--treatment", "pdet", "--format", "json", "--n-boot", "199")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    rec = doc["att_gt"][0]
    assert {"group", "time", "att", "se", "ci_low", "ci_high"} <= set(rec)
    assert {r["group"] for r in doc["att_gt"]} == {2017}
    assert len(doc["att_gt"]) == 23  # 2002-2024, varying base period
    assert set(doc["aggregate"]) == {"simple", "event", "group", "calendar"}
    ev = doc["aggregate"]["event"]["levels"]
    assert all(r["band_low"] <= r["ci_low"] + 1e-9 for r in ev)  # simultaneous band is wider
    assert {"statistic", "df", "p_value"} <= set(doc["pretrend"])
    assert doc["honest"]["bounds"][0]["mbar"] == 0
    prov = doc["provenance"]
    assert prov["parameters"]["control"] == "never" and prov["version"]
    assert {d["dataset"] for d in prov["design"]["datasets"]} >= {"coca-municipal", "territories", "pdet"}
    assert any("PDET was not random" in n for n in doc["notes"])


def test_did_table_with_covariates_and_plot(run_cli, tmp_path):
    png = tmp_path / "event.png"
    res = run_cli("evaluate", "did", "--treatment", "pdet", "--outcome", "hectares", "--years", "2010-2024",
                  "--control", "not-yet", "--covariates", "population", "--n-boot", "199", "--plot", str(png))
    assert res.exit_code == 0, res.stderr
    assert "Event study" in res.stdout and "Pre-trend test" in res.stdout and "Honest DiD" in res.stdout
    assert png.stat().st_size > 10_000


@pytest.mark.parametrize("outcome", ["log1p", "presence", "per-km2", "per-1000", "labs"])
def test_did_outcomes(run_cli, outcome):
    res = run_cli("evaluate", "did", "--treatment", "pdet", "--outcome", outcome, "--years", "2012-2024",
                  "--n-boot", "0", "--format", "csv")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.startswith("group,time,event_time")


def test_panel_input_matches_python_api(run_cli, tmp_path):
    rng = np.random.default_rng(0)
    n, times = 200, np.arange(2000, 2006)
    g = rng.choice([2002, 2004, 0], size=n)
    rows = [{"id": i, "yr": t, "y": rng.normal() + (t >= g[i] > 0), "first": g[i]} for i in range(n) for t in times]
    f = tmp_path / "panel.csv"
    pd.DataFrame(rows).to_csv(f, sep=";", decimal=",", index=False)
    res = run_cli("evaluate", "did", "--panel", str(f), "--unit", "id", "--time", "yr", "--outcome", "y",
                  "--cohort", "first", "--format", "json", "--n-boot", "0")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    from cocamonitor.evaluate import att_gt, panel_from_long

    api = att_gt(panel_from_long(pd.DataFrame(rows), unit="id", time="yr", outcome="y", cohort="first"), n_boot=0)
    np.testing.assert_allclose([r["att"] for r in doc["att_gt"]], api.att, atol=1e-12)


def test_bacon_and_synth(run_cli):
    res = run_cli("evaluate", "bacon", "--treatment", "pdet", "--format", "json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert sum(r["weight"] for r in doc["comparisons"]) == pytest.approx(1.0)
    assert sum(r["weight"] * r["estimate"] for r in doc["comparisons"]) == pytest.approx(doc["twfe"])
    res = run_cli("evaluate", "synth", "--treated", "Norte de Santander", "--by", "department", "--from", "2019",
                  "--format", "json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["treated"] == "Norte de Santander" and 0 < doc["p_value"] <= 1
    assert sum(w["weight"] for w in doc["weights"]) == pytest.approx(1.0, abs=1e-4)
    assert doc["pre_rmspe"] > 0


def test_bad_treatment_files(run_cli, tmp_path):
    f = tmp_path / "t.csv"
    f.write_text('divipola,first_treated\n54810,2019\n99999,2019\n')
    _one_error_line(run_cli("evaluate", "did", "--treatment-file", str(f)), "line 3", "99999", "DIVIPOLA")
    f.write_text("divipola;first_treated;dose\n54810;2030;1,5\n")
    _one_error_line(run_cli("evaluate", "did", "--treatment-file", str(f)), "line 2", "2030", "outside")


def test_bad_designs(run_cli, tmp_path):
    _one_error_line(run_cli("evaluate", "did", "--treatment", "zona-futuro-arauca"), "--treatment", "catatumbo")
    _one_error_line(run_cli("evaluate", "did", "--years", "2016-2024"), "--years", "fewer than 2 pre-treatment")
    _one_error_line(run_cli("evaluate", "did", "--outcome", "per-1000", "--years", "2005-2020"), "--years")
    _one_error_line(run_cli("evaluate", "did", "--control", "sometimes"), "--control")
    rows = [{"id": i, "t": t, "y": 1.0, "g": 3 if i < 5 else 0} for i in range(10) for t in range(1, 6)]
    f = tmp_path / "const.csv"
    pd.DataFrame(rows).to_csv(f, index=False)
    args = ("evaluate", "did", "--panel", str(f), "--unit", "id", "--time", "t", "--outcome", "y", "--cohort", "g")
    _one_error_line(run_cli(*args), "constant")
    pd.DataFrame([r | {"g": 3} for r in rows]).assign(y=np.arange(50.0)).to_csv(f, index=False)
    _one_error_line(run_cli(*args), "--control", "all units are treated")


def test_warnings_go_to_stderr_and_json_stays_clean(run_cli):
    res = run_cli("evaluate", "did", "--treatment", "catatumbo", "--years", "2012-2024", "--n-boot", "0",
                  "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert "warning: controls may include municipalities of the other four Zonas Futuro" in res.stderr
    assert "fewer than 30 units" in res.stderr
    doc = json.loads(res.stdout)
    assert doc["att_gt"][0]["group"] == 2019


def test_spraying_dose_bins(run_cli):
    res = run_cli("evaluate", "did", "--treatment", "spraying", "--years", "2003-2024", "--by-dose", "3",
                  "--n-boot", "0", "--format", "json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    bins = doc["dose"]["bins"]
    assert len(bins) == 3 and all(b["n_units"] > 50 for b in bins)
    assert bins[0]["dose_high"] <= bins[1]["dose_low"]
    assert "strong parallel trends" in doc["dose"]["caveat"]
    _one_error_line(run_cli("evaluate", "did", "--treatment", "pdet", "--by-dose", "3"), "--by-dose", "no dose")


def test_placebo_timing(run_cli):
    res = run_cli("evaluate", "did", "--treatment", "pdet", "--placebo-shift", "3", "--n-boot", "0",
                  "--format", "json")
    assert res.exit_code == 0, res.stderr
    pl = json.loads(res.stdout)["placebo"]
    assert pl["shift"] == 3 and pl["years"] == [2001, 2016]
    assert pl["ci_low"] < pl["ci_high"]
    _one_error_line(run_cli("evaluate", "did", "--years", "2014-2024", "--placebo-shift", "5"), "--placebo-shift")
