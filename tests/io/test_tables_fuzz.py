"""Hypothesis feeds the table readers CSV bytes as people save them (issue 17).

Encodings (UTF-8 with and without BOM, UTF-16, Latin-1, Windows-1252), separators, quoting,
ragged rows, blank lines and odd cells: a reader returns a table or raises one
:class:`~cocamonitor.errors.CocamonitorError`; never another exception. Through the command
line the same bytes give exit 0 or exit 2 with exactly one ``error:`` line.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocamonitor.errors import CocamonitorError
from cocamonitor.io.tables import read_table

CELLS = st.one_of(
    st.integers(-10**6, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", " ", "0.007", "1.088", "1.088,88", "61,45", "1,088.88", "2010", "NA", "-", "ñandú",
                     "Tibú", '"quoted, cell"', '"unclosed', "1e400", "0x1F", "\u00a0", "١٢٣"]),
    st.text(max_size=12),
)


@st.composite
def csv_bytes(draw) -> bytes:
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    header = draw(st.sampled_from([["year", "value"], ["year", "value", "se"], ["year", "year"],
                                   ["Year", "Value"], ["year"], []]))
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        width = len(header) + draw(st.sampled_from([0, 0, 0, -1, 1]))
        rows.append([draw(CELLS) for _ in range(max(width, 0))])
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(sep.join(r) for r in [header, *rows]) + draw(st.sampled_from(["", newline, newline * 3]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    return text.encode(encoding, errors="replace")


@given(data=csv_bytes())
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_read_table_returns_a_table_or_one_cocamonitor_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "series.csv"
        path.write_bytes(data)
        try:
            df = read_table(path, required=["year", "value"], numeric=["year", "value", "se"])
        except CocamonitorError as err:
            assert "\n" not in str(err) and len(str(err)) < 2000
        else:
            assert {"year", "value"} <= set(df.columns)


@given(data=csv_bytes())
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_trend_test_file_is_a_result_or_one_line(data):
    import io
    import sys

    from cocamonitor.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "series.csv"
        path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        try:
            code = main(["--store", str(Path(tmp) / "s.duckdb"), "trend", "test", "--file", str(path),
                         "--format", "json"])
        finally:
            sys.stdout, sys.stderr = saved
        assert code in (0, 2), err.getvalue()
        if code == 2:
            lines = err.getvalue().splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), err.getvalue()
            assert not (Path(tmp) / "s.duckdb").exists()
