"""CSV tables in two dialects (es-co for Excel in Colombia, en) with a data dictionary each."""

import re

import numpy as np
import pandas as pd
import pytest

from cocamonitor.report.csvout import dictionary, dictionary_path, read_table, table_text


def _tables(files):
    return {p.stem: p for p in files.csv}


def test_spanish_edition_writes_es_co_and_english_edition_en(reports):
    es = _tables(reports["es"])["departments"].read_bytes()
    en = _tables(reports["en"])["departments"].read_bytes()
    assert es.startswith(b"\xef\xbb\xbf") and not en.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    head_es = es[3:].decode("utf-8").splitlines()[0]
    assert head_es.split(";")[:4] == ["código_departamento", "departamento", "hectáreas",
                                      "hectáreas_año_anterior"]
    assert en.decode().splitlines()[0].startswith("department_code,department,hectares,")
    # decimal comma in Spanish, point in English; no float noise such as 8300.849999999999
    assert re.search(r";\d+,\d{1,2};", es.decode("utf-8-sig"))
    for files, sep, point in ((reports["es"], ";", ","), (reports["en"], ",", ".")):
        for path in files.csv:
            cells = pd.read_csv(path, sep=sep, dtype=str, encoding="utf-8-sig").stack()
            noisy = cells[cells.str.fullmatch(rf"-?\d+\{point}\d{{7,}}")]
            assert noisy.empty, (path.name, noisy.head().tolist())


def test_both_dialects_read_by_pandas_to_the_same_numbers(reports):
    """The issue's check: pandas with sep=";", decimal="," gives the numbers of the English file."""
    es, en = _tables(reports["es"]), _tables(reports["en"])
    assert set(es) == set(en) and len(es) >= 12
    for stem in es:
        a = pd.read_csv(es[stem], sep=";", decimal=",", encoding="utf-8-sig")
        b = pd.read_csv(en[stem])
        d = pd.read_csv(dictionary_path(es[stem], "es-co"), sep=";", decimal=",",
                        encoding="utf-8-sig")
        assert list(d["columna"]) == list(a.columns) and list(d["nombre"]) == list(b.columns), stem
        a.columns = list(b.columns)
        numeric = [c for c in b.columns if pd.api.types.is_numeric_dtype(b[c])]
        assert numeric or stem in ("provenance", "national_series_sources"), stem
        pd.testing.assert_frame_equal(a[numeric], b[numeric], check_exact=True, obj=stem)
        text = [c for c in b.columns if c not in numeric]
        pd.testing.assert_frame_equal(a[text], b[text], obj=stem)


def test_numbers_are_rounded_to_the_dictionarys_decimals(reports, report_data):
    path = _tables(reports["es"])["municipalities"]
    back = read_table(path, "es-co")
    d = pd.read_csv(dictionary_path(path, "es-co"), sep=";", encoding="utf-8-sig",
                    keep_default_na=False)
    dec = dict(zip(d["nombre"], d["decimales"], strict=True))
    assert dec["hectares"] == "2" and dec["share_of_national"] == "4"
    src = report_data.municipalities
    assert np.allclose(back["hectares"], src["hectares"].round(2), equal_nan=True, atol=0, rtol=0)
    assert back["divipola"].str.len().eq(5).all()  # codes stay text (leading zeros)
    assert back["hectares"].sum() == pytest.approx(report_data.national_area, abs=0.01 * len(back))


def test_dictionary_describes_every_column_in_the_language_of_the_dialect():
    df = pd.DataFrame({"year": [2022], "hectares": [1.25], "new_column": [0.123456789]})
    es, en = dictionary(df, "es-co"), dictionary(df, "en")
    assert list(es.columns) == ["columna", "nombre", "unidad", "decimales", "descripción"]
    assert es["columna"].tolist() == ["año", "hectáreas", "new_column"]
    assert en["column"].tolist() == ["year", "hectares", "new_column"]
    assert es.loc[1, "descripción"].startswith("Coca detectada")
    assert en["decimals"].tolist() == [0, 2, 4]  # an unknown column gets the stated default
    assert table_text(df, "en").splitlines()[1] == "2022,1.25,0.1235"


def test_report_cli_csv_dialect_option(run_cli, tmp_path):
    out = tmp_path / "r"
    res = run_cli("report", "--year", "2022", "--lang", "es", "--no-maps", "--csv-dialect", "en",
                  "--out", str(out))
    assert res.exit_code == 0, res.stderr
    assert (out / "departments.csv").read_text("utf-8").startswith("department_code,")
    assert (out / "dictionary" / "departments.csv").exists()
    res = run_cli("report", "--year", "2022", "--csv-dialect", "excel", "--out", str(tmp_path / "x"))
    assert res.exit_code == 2 and "--csv-dialect" in res.stderr and "es-co, en" in res.stderr
    assert not (tmp_path / "x").exists()
