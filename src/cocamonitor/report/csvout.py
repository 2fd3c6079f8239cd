"""The report's tables as CSV files in a dialect, each with its data dictionary.

Two dialects:

``es-co``
    For spreadsheets set up for Colombia (the Spanish edition's default): ``;`` between
    fields, decimal comma, UTF-8 with a byte-order mark (so Excel reads the accents), Spanish
    headers.
``en``
    ``,`` and a decimal point, UTF-8, the column names as headers (the English default).

In both, each numeric column is rounded to the decimals its dictionary states (no
``8300.849999999999``), so the two dialects hold the same numbers. Each ``<table>.csv``
has its data dictionary in ``diccionario/<table>.csv`` (``dictionary/<table>.csv`` in
English): one row per column with its header, name, unit, decimals and description.

Examples
--------
>>> import io, pandas as pd
>>> df = pd.DataFrame({"year": [2022], "hectares": [8300.849999999999]})
>>> print(table_text(df, "es-co")[1:], end="")  # after the byte-order mark
año;hectáreas
2022;8300,85
>>> print(table_text(df, "en"), end="")
year,hectares
2022,8300.85

"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from cocamonitor.errors import UnknownNameError

__all__ = [
    "CSV_DIALECTS",
    "check_csv_dialect",
    "default_dialect",
    "dictionary",
    "dictionary_path",
    "read_table",
    "table_text",
    "write_table",
]

CSV_DIALECTS: tuple[str, ...] = ("es-co", "en")
_SETTINGS = {
    "es-co": {"sep": ";", "decimal": ",", "encoding": "utf-8-sig", "lang": "es",
              "suffix": "diccionario"},
    "en": {"sep": ",", "decimal": ".", "encoding": "utf-8", "lang": "en", "suffix": "dictionary"},
}


def check_csv_dialect(dialect: str, *, where: str = "csv_dialect") -> str:
    """Return ``dialect`` if known, else raise ``UnknownNameError`` naming the choices."""
    if dialect not in CSV_DIALECTS:
        raise UnknownNameError(f"unknown CSV dialect {dialect!r}", where=where,
                               hint=f"valid choices: {', '.join(CSV_DIALECTS)}")
    return dialect


def default_dialect(lang: str) -> str:
    """Return the dialect of a report language: ``es-co`` for Spanish, ``en`` for English."""
    return "es-co" if lang == "es" else "en"


@lru_cache(maxsize=1)
def _columns() -> dict[str, Any]:
    text = resources.files("cocamonitor.report").joinpath("templates/columns.toml")
    return tomllib.loads(text.read_text(encoding="utf-8"))


def _spec(column: str) -> dict[str, Any]:
    cols = _columns()
    return cols.get(column, {})


def _decimals(column: str, series: pd.Series) -> int | None:
    """Decimals written for a numeric column (``None``: not a number column)."""
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        return 0
    return int(_spec(column).get("decimals", _columns()["default"]["decimals"]))


def dictionary(df: pd.DataFrame, dialect: str) -> pd.DataFrame:
    """Return the data dictionary of ``df`` in ``dialect``: one row per column.

    Columns (Spanish dialect in Spanish): header as written, name in cocamonitor, unit,
    decimals, description.

    Examples
    --------
    >>> import pandas as pd
    >>> dictionary(pd.DataFrame({"hectares": [1.5]}), "en").iloc[0].to_dict()["unit"]
    'ha'

    """
    s = _SETTINGS[check_csv_dialect(dialect)]
    rows = []
    for col in df.columns:
        spec = _spec(str(col))
        dec = _decimals(str(col), df[col])
        header = spec.get("es", col) if s["lang"] == "es" else col
        desc = spec.get(f"{s['lang']}_desc", "")
        rows.append((header, col, spec.get("unit", ""), "" if dec is None else dec, desc))
    names = (("columna", "nombre", "unidad", "decimales", "descripción") if s["lang"] == "es"
             else ("column", "name", "unit", "decimals", "description"))
    return pd.DataFrame(rows, columns=list(names))


def _rounded(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        dec = _decimals(str(col), out[col])
        if dec is not None and dec > 0:
            out[col] = out[col].round(dec)
        elif dec == 0 and pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(0).astype("Int64")
    return out


def _frame_text(df: pd.DataFrame, dialect: str) -> str:
    s = _SETTINGS[dialect]
    # floats: at most the stated decimals, no trailing float noise ("%.15g" after rounding)
    text = df.to_csv(index=False, sep=s["sep"], decimal=s["decimal"], lineterminator="\n",
                     float_format="%.15g")
    if s["decimal"] == ",":  # float_format bypasses pandas' decimal option
        text = _decimal_comma(df, text, s["sep"])
    return text


def _decimal_comma(df: pd.DataFrame, text: str, sep: str) -> str:
    """Rewrite the float cells of a ``;``-separated text with a decimal comma."""
    import csv
    import io

    floats = [i for i, c in enumerate(df.columns) if pd.api.types.is_float_dtype(df[c])]
    if not floats:
        return text
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    for row in rows[1:]:
        for i in floats:
            row[i] = row[i].replace(".", ",")
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def table_text(df: pd.DataFrame, dialect: str) -> str:
    """``df`` as CSV text in ``dialect`` (Spanish headers and a BOM for ``es-co``)."""
    s = _SETTINGS[check_csv_dialect(dialect)]
    out = _rounded(df)
    if s["lang"] == "es":
        out = out.rename(columns={c: _spec(str(c)).get("es", c) for c in out.columns})
    text = _frame_text(out, dialect)
    return ("\ufeff" + text) if s["encoding"] == "utf-8-sig" else text


def write_table(df: pd.DataFrame, path: str | Path, dialect: str) -> tuple[Path, Path]:
    """Write ``df`` to ``path`` and its dictionary beside it; return both paths."""
    s = _SETTINGS[check_csv_dialect(dialect)]
    path = Path(path)
    path.write_text(table_text(df, dialect), encoding="utf-8", newline="")
    dict_path = dictionary_path(path, dialect)
    dict_path.parent.mkdir(exist_ok=True)
    dict_text = _frame_text(dictionary(df, dialect), dialect)
    if s["encoding"] == "utf-8-sig":
        dict_text = "\ufeff" + dict_text
    dict_path.write_text(dict_text, encoding="utf-8", newline="")
    return path, dict_path


def dictionary_path(path: str | Path, dialect: str) -> Path:
    """Where the dictionary of the table at ``path`` goes (``diccionario/`` or ``dictionary/``)."""
    path = Path(path)
    return path.parent / _SETTINGS[check_csv_dialect(dialect)]["suffix"] / path.name


def read_table(path: str | Path, dialect: str) -> pd.DataFrame:
    """Read a table written by :func:`write_table` back with its cocamonitor column names."""
    s = _SETTINGS[check_csv_dialect(dialect)]
    path = Path(path)
    dict_path = dictionary_path(path, dialect)
    names = pd.read_csv(dict_path, sep=s["sep"], encoding=s["encoding"], dtype=str,
                        keep_default_na=False)
    df = pd.read_csv(path, sep=s["sep"], decimal=s["decimal"], encoding=s["encoding"],
                     dtype={h: str for h, n in zip(names.iloc[:, 0], names.iloc[:, 1], strict=True)
                            if n in ("divipola", "department_code")})
    return df.rename(columns=dict(zip(names.iloc[:, 0], names.iloc[:, 1], strict=True)))


