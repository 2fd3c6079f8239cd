"""Tables at terminal width: --columns, whole numbers as integers, no repeated rows; Spanish framing."""

import pandas as pd
import pytest

from cocamonitor.commands._common import emit_table, set_cli_options


@pytest.fixture(autouse=True)
def _reset():
    yield
    set_cli_options(None, None)


def test_counts_print_as_integers_and_columns_are_chosen(capsys):
    df = pd.DataFrame({"department": ["Nariño", "Putumayo"], "labs": [1203.0, 88.0],
                       "hectares": [1234.5, 88.25]})
    emit_table(df, "table")
    out = capsys.readouterr().out
    assert "1203" in out and "1203.00" not in out and "1,234.50" in out
    set_cli_options(None, "department,labs")
    emit_table(df, "csv")
    assert capsys.readouterr().out.splitlines() == ["department,labs", "Nariño,1203.0", "Putumayo,88.0"]


def test_unknown_column_is_one_line_naming_the_valid_ones(run_cli):
    res = run_cli("--columns", "quantity,nope", "production", "estimate", "--draws", "200",
                  "--sensitivity-draws", "0", "--format", "csv")
    assert res.exit_code == 2
    assert res.stderr.startswith("error: --columns: unknown columns: nope; valid columns: ")
    assert len(res.stderr.strip().splitlines()) == 1


def test_production_estimate_prints_each_row_once(run_cli):
    res = run_cli("production", "estimate", "--draws", "500", "--sensitivity-draws", "0")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.count("hydrochloride_t") == 1 and "(Colombia)" in res.stdout
    res = run_cli("--columns", "quantity,point", "production", "estimate", "--draws", "500",
                  "--sensitivity-draws", "0", "--format", "csv")
    assert res.stdout.splitlines()[0] == "quantity,point" and len(res.stdout.splitlines()) == 6


def test_spanish_messages_from_the_locale_or_lang(run_cli, monkeypatch):
    res = run_cli("--lang", "es", "territory", "nope")
    assert res.exit_code == 2 and "consulte `cocamonitor territory --help`" in res.stderr
    monkeypatch.setenv("LANG", "es_CO.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    res = run_cli("territory", "nope")
    assert "consulte `cocamonitor territory --help`" in res.stderr
    monkeypatch.setenv("LANG", "C.UTF-8")
    res = run_cli("territory", "nope")
    assert "see `cocamonitor territory --help`" in res.stderr
    res = run_cli("--lang", "fr", "territory")
    assert res.exit_code == 2 and "--lang" in res.stderr
