"""The README's satellite-image chain runs end to end on the simulator's scenes, as written."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _chain() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## From satellite images to a coca map", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```bash\n(.*?)```", section, flags=re.S)[0]
    return [shlex.split(ln.split(" # ")[0])[1:] for ln in block.replace("\\\n", " ").splitlines()
            if ln.startswith("cocamonitor ")]


def test_readme_chain_runs_and_its_interval_is_about_the_truth(run_cli, tmp_path):
    here = os.getcwd()
    os.chdir(tmp_path)  # not monkeypatch.chdir: run_cli undoes the monkeypatches after each command
    try:
        _run_chain(run_cli, tmp_path)
    finally:
        os.chdir(here)


def _run_chain(run_cli, tmp_path):
    chain = _chain()
    assert [c[:2] for c in chain] == [["map", "synthetic"], ["area", "design"], ["area", "label"], ["map", "train"],
                                      ["map", "predict"], ["map", "strata"], ["area", "design"], ["area", "label"],
                                      ["area", "estimate"]]
    for argv in chain:
        res = run_cli(*argv)
        assert res.exit_code == 0, (argv, res.stderr)
    card = json.loads((tmp_path / "model/model_card.json").read_text())
    assert 0.9 < card["cv"]["overall_accuracy"] <= 1.0  # reported on held-out blocks
    res = run_cli(*chain[-1], "--format", "json")
    est = json.loads(res.stdout)
    coca = est["classes"]["1"]
    truth = json.loads((tmp_path / "scenes/truth.json").read_text())["true_coca_ha"]
    # one seeded replicate: the estimate is within 4 standard errors of the truth (coverage is
    # tested over replicates in tests/simulate/test_classified_coverage.py)
    assert abs(coca["area"] - truth) < 4 * coca["area_se"] and coca["area_se"] > 0
    assert (tmp_path / "map/probability.tif").exists() and (tmp_path / "map/map_card.json").exists()
