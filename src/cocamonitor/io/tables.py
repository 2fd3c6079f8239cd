"""Read tables (CSV, Parquet) and check them, with errors that name file, row and column.

Real tables are messy: the SIMCI municipal table writes ``1.088,88`` in one column and
``1088.88`` in the others. :func:`parse_decimal_column` detects the convention of each column
from its values and refuses to guess when the values do not settle it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from cocamonitor.errors import DataError, InputError, SchemaError, clip, shown
from cocamonitor.io.text import check_text_file

__all__ = ["DecimalConvention", "location", "parse_decimal_column", "read_table"]

DecimalConvention = Literal["dot", "comma"]

# "1.088,88" "61,45" "1.088" ; comma decimal, optional dot thousands
_COMMA_DECIMAL = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*,\d+$|^[+-]?\d+,\d+$")
# "1088.88" "0.5" "12.3456" ; dot decimal without thousands separator
_DOT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$|^[+-]?\d+\.?$")
# "1,088.88" : comma thousands with dot decimal
# (a grouped number never starts with a 0 group: "0,007" and "0.007" are decimals)
_DOT_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$")
# "1.088" or "12.345.678": dot thousands OR three decimals -- ambiguous on its own
_AMBIGUOUS = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_SCIENTIFIC = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$")


def location(source: str | None, row: int | None = None, column: str | None = None) -> str:
    """Format where a problem is: ``"file.csv line 5, column 'area'"``.

    ``row`` is the 0-based data row; the reported line counts the header as line 1.
    """
    parts = [source or "<table>"]
    if row is not None:
        parts.append(f"line {int(row) + 2}")
    text = " ".join(parts)
    if column is not None:
        text += f", column '{column}'"
    return text


def parse_decimal_column(
    values: pd.Series,
    *,
    column: str | None = None,
    source: str | None = None,
) -> tuple[pd.Series, DecimalConvention]:
    """Parse a column of numbers written as text, detecting its decimal convention.

    Blank cells become NaN. A column is *comma-decimal* when a value such as ``61,45`` or
    ``1.088,88`` appears in it, and *dot-decimal* when a value such as ``1088.88`` or
    ``1,088.88`` appears; a column with both kinds of evidence, or whose only evidence is
    ambiguous (``1.088`` alone could be 1088 or 1.088), raises :class:`DataError`.

    Parameters
    ----------
    values : pandas.Series
        The raw cells (strings, numbers or NaN).
    column, source : str, optional
        Used in error messages.

    Returns
    -------
    parsed : pandas.Series of float
    convention : {"dot", "comma"}

    Examples
    --------
    >>> s, conv = parse_decimal_column(pd.Series(["1.088,88", "61,45", None, "12"]))
    >>> conv, s.tolist()[:2]
    ('comma', [1088.88, 61.45])
    >>> parse_decimal_column(pd.Series(["1088.88", ""]))[0].tolist()
    [1088.88, nan]

    """
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float), "dot"
    index = values.index
    values = values.reset_index(drop=True)  # positions, so errors report the right line
    text = values.astype("string").str.strip()
    text = text.where(text.notna() & (text != ""), None)
    present = text.dropna()
    comma = present.str.match(_COMMA_DECIMAL)
    dot = present.str.match(_DOT_DECIMAL) & ~present.str.match(_AMBIGUOUS) & ~present.str.match(_INTEGER)
    dot_thousands = present.str.match(_DOT_THOUSANDS)
    # "1,088" is 1.088 with a decimal comma or 1088 with a thousands comma: evidence for neither
    ambiguous = present.str.match(_AMBIGUOUS) | (comma & dot_thousands)
    comma &= ~ambiguous
    dot_thousands &= ~ambiguous
    integer = present.str.match(_INTEGER) | present.str.match(_SCIENTIFIC)
    unknown = ~(comma | dot | dot_thousands | ambiguous | integer)
    if unknown.any():
        idx = unknown.idxmax()
        raise DataError(
            f"cannot read {shown(present[idx])} as a number",
            where=location(source, idx, column),
            hint="write numbers like 1088.88 or 1.088,88",
        )
    has_comma = bool(comma.any())
    has_dot = bool(dot.any() or dot_thousands.any())
    if has_comma and has_dot:
        i_c, i_d = comma.idxmax(), (dot | dot_thousands).idxmax()
        raise DataError(
            f"mixes decimal conventions ({shown(present[i_c])} on line {int(i_c) + 2} "
            f"but {shown(present[i_d])} on line {int(i_d) + 2})",
            where=location(source, None, column),
            hint="use one convention per column",
        )
    if not has_comma and not has_dot and ambiguous.any():
        idx = ambiguous.idxmax()
        raise DataError(
            f"{shown(present[idx])} could be a thousands separator or a decimal point, and no other "
            "value in the column settles it",
            where=location(source, idx, column),
            hint="write it without thousands separators",
        )
    convention: DecimalConvention = "comma" if has_comma else "dot"
    if convention == "comma":
        normal = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        normal = text.str.replace(",", "", regex=False)
    parsed = pd.to_numeric(normal, errors="coerce").astype(float)
    parsed.index = index
    return parsed, convention


def _read_csv_strict(path: Path) -> pd.DataFrame:
    """Read a CSV as text, the header from its first line; ``;`` is used when the header has it.

    Read without a header and then named, so that a data line with more fields than the header
    is an error (pandas would otherwise take an extra first field as a row index).
    """
    check_text_file(path, kind="CSV")
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        first = fh.readline()
    sep = ";" if first.count(";") > first.count(",") else ","
    raw = pd.read_csv(
        path, sep=sep, dtype=str, header=None, keep_default_na=False, na_values=[""],
        skipinitialspace=True, encoding="utf-8-sig", index_col=False,
    )
    if raw.empty:
        return pd.DataFrame()
    header = raw.iloc[0].fillna("").astype(str).tolist()
    df = raw.iloc[1:].reset_index(drop=True)
    df.columns = header
    return df


def read_table(
    path: str | Path,
    *,
    required: Sequence[str] = (),
    numeric: Sequence[str] = (),
    non_negative: Sequence[str] = (),
    allow_missing: Sequence[str] = (),
    name: str | None = None,
) -> pd.DataFrame:
    """Read a CSV or Parquet table and check its columns and values.

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.txt`` (any decimal convention, detected per column) or ``.parquet`` file.
    required : sequence of str
        Columns that must be present.
    numeric : sequence of str
        Columns parsed as numbers (present ones only; required ones must be present).
    non_negative : sequence of str
        Numeric columns that may not be negative.
    allow_missing : sequence of str
        Required columns that may have blank cells; every other required column may not.
    name : str, optional
        How to call the file in messages (defaults to the path).

    Returns
    -------
    pandas.DataFrame
        String columns are kept as text exactly as written (labels are never re-typed).

    Raises
    ------
    InputError
        The file is missing or unreadable.
    SchemaError
        A required column is missing.
    DataError
        A blank required cell, an unreadable number or a negative value (with line and column).

    """
    path = Path(path)
    label = name or str(path)
    if not path.exists():
        raise InputError(f"file not found: {path}", hint="check the path")
    if path.is_dir():
        raise InputError("is a folder, not a table", where=label, hint="give a CSV or Parquet file")
    try:
        if path.suffix.lower() in {".parquet", ".pq"}:
            df = pd.read_parquet(path)
            df = df.astype({c: "string" for c in df.columns if df[c].dtype == object})
        else:
            df = _read_csv_strict(path)
    except pd.errors.ParserError as err:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
        if found:
            want, line, saw = found.groups()
            raise InputError(
                f"line {line} has {saw} fields but the header has {want}",
                where=label,
                hint='quote values that contain the delimiter (e.g. "1,5") or use ";" as the delimiter',
            ) from err
        raise InputError(f"cannot read table: {err}".splitlines()[0], where=label) from err
    except UnicodeDecodeError as err:  # past the first MiB that check_text_file looked at
        raise InputError(f"is not UTF-8 text (byte 0x{err.object[err.start]:02x})", where=label,
                         hint="save it as a UTF-8 CSV file (in a spreadsheet: Save as > CSV UTF-8)") from None
    except InputError:
        raise
    except (OSError, ValueError) as err:
        raise InputError(clip(f"cannot read table: {err}".splitlines()[0]), where=label) from err
    df.columns = [str(c).strip() for c in df.columns]
    seen: set[str] = set()
    twice = [c for c in df.columns if c in seen or seen.add(c)]  # type: ignore[func-returns-value]
    if twice:
        raise SchemaError(
            f"column {shown(twice[0])} appears more than once in the header",
            where=label,
            hint="give each column a different name, or remove the copy",
        )
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise SchemaError(
            f"missing column(s) {', '.join(map(repr, missing))}",
            where=label,
            hint=f"columns present: {', '.join(df.columns)}",
        )
    for col in numeric:
        if col in df.columns:
            df[col], _ = parse_decimal_column(df[col], column=col, source=label)
    for col in required:
        if col in allow_missing:
            continue
        blank = df[col].isna()
        if blank.any():
            idx = int(np.flatnonzero(blank.to_numpy())[0])
            raise DataError("blank value", where=location(label, idx, col), hint="fill it in or drop the row")
    for col in non_negative:
        if col in df.columns:
            neg = df[col].to_numpy(dtype=float) < 0
            if neg.any():
                idx = int(np.flatnonzero(neg)[0])
                raise DataError(
                    f"negative value {df[col].iloc[idx]}",
                    where=location(label, idx, col),
                    hint="values must be >= 0",
                )
    return df
