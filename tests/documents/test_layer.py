"""The application layer: light to import, one source for both edges, the old names still work (deprecated)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ["pandas", "numpy", "scipy", "fastapi", "plotly", "typer", "rich"]


def test_importing_the_layer_and_its_light_modules_loads_no_heavy_library():
    code = ("import json, sys\n"
            "import cocamonitor.documents as d\n"
            "import cocamonitor.documents.jsonable, cocamonitor.documents.narratives, cocamonitor.documents.trend\n"
            "d.to_jsonable({'a': 1}); d.narrate('none')\n"
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []


def test_package_names_resolve_to_their_modules():
    import cocamonitor.documents as d
    from cocamonitor.documents.tables import filter_table

    assert d.filter_table is filter_table
    assert set(d.__all__) <= set(dir(d))
    with pytest.raises(AttributeError):
        d.no_such_name  # noqa: B018


def test_old_import_places_warn_and_still_work():
    from cocamonitor.documents import to_jsonable

    with pytest.warns(DeprecationWarning, match="cocamonitor.documents.to_jsonable"):
        from cocamonitor.commands._common import to_jsonable as old
    assert old is to_jsonable

    import pandas as pd

    from cocamonitor.errors import InputError

    with pytest.warns(DeprecationWarning, match="cocamonitor.documents.filter_table"):
        from cocamonitor.commands.data import filter_table
    df = pd.DataFrame({"year": [2020, 2021], "hectares": [1.0, 2.0]})
    assert filter_table("coca-municipal", df, year="2021")["hectares"].tolist() == [2.0]
    with pytest.raises(InputError, match="^--year: year 1990"):  # as before: named as the command line's option
        filter_table("coca-municipal", df, year="1990")

    with pytest.warns(DeprecationWarning, match="cocamonitor.documents.indicators_document"):
        from cocamonitor.commands.indicators import indicators_document
    with pytest.raises(InputError, match="^years: "):
        indicators_document("20x4", option={"years": "years"})


def test_errors_name_the_callers_parameters():
    from cocamonitor import datasets
    from cocamonitor.documents import filter_table, indicators_document
    from cocamonitor.errors import InputError, UnknownNameError

    df = datasets.load("coca-municipal")
    with pytest.raises(InputError, match="^year: year 3000 is outside"):
        filter_table("coca-municipal", df, year="3000")
    with pytest.raises(InputError, match=r"^--yr: year 3000 is outside"):
        filter_table("coca-municipal", df, year="3000", names={"year": "--yr"})
    with pytest.raises(UnknownNameError, match="^by: unknown level"):
        indicators_document(None, by="planet")


def test_the_api_and_the_command_line_serve_one_national_trend_document(run_cli):
    from cocamonitor.documents import trend_test_document

    doc = trend_test_document("unodc", "area", "2015-2020")
    cli = json.loads(run_cli("trend", "test", "--source", "unodc", "--years", "2015-2020", "--format", "json").stdout)
    assert doc["mann_kendall"] == cli["mann_kendall"] and doc["theil_sen"] == cli["theil_sen"]
