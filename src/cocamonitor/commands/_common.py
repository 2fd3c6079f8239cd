"""Helpers shared by the command-line sub-commands: output formats, printing, recording.

Tables go to stdout as a rich table, CSV or JSON records; progress and logs go to stderr, so
``--format json`` output is always one JSON document on stdout and nothing else. Estimate
commands hand their JSON document to :func:`record_result`; the command line keeps it in the
store (when ``--store`` or ``$COCAMONITOR_STORE`` is given) with :func:`commit_recording`, last,
once the command's output was written.
"""

from __future__ import annotations

import json
import math
import sys
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from cocamonitor._recording import (
    chosen_store,
    commit_recording,
    discard_recording,
    record_result,
    recording,
    start_recording,
)

__all__ = [
    "TableFormat",
    "chosen_store",
    "commit_recording",
    "err_console",
    "discard_recording",
    "emit_json",
    "emit_table",
    "record_result",
    "recording",
    "start_recording",
    "to_jsonable",
]

#: Notes, progress and "wrote FILE" lines on stderr; never wrapped, so that a path stays whole
#: in a log or a terminal narrower than it.
err_console = Console(stderr=True, soft_wrap=True)


class TableFormat(str, Enum):
    """Output formats of commands that list rows."""

    table = "table"
    csv = "csv"
    json = "json"


def to_jsonable(obj: Any) -> Any:
    """Convert numpy/pandas scalars and containers to plain JSON types; NaN becomes ``None``.

    Examples
    --------
    >>> to_jsonable({"a": np.float64("nan"), "b": np.int64(3), "c": (1.5, np.inf)})
    {'a': None, 'b': 3, 'c': [1.5, None]}

    """
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, pd.DataFrame):
        return [to_jsonable(r) for r in obj.to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return to_jsonable(obj.to_dict())
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, np.generic):
        obj = obj.item()
    if obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, pd.Timestamp):
        return obj.isoformat()
    return obj


def emit_json(obj: Any) -> None:
    """Print one JSON document on stdout."""
    sys.stdout.write(json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2) + "\n")


def _fmt_cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isnan(v):  # NaN of any float type (np.float32 is not a Python float)
            return ""
        return f"{v:,.2f}" if abs(v) < 1e15 else f"{v:.4g}"
    if isinstance(value, int | np.integer):
        return str(value)
    return str(value)


def emit_table(
    df: pd.DataFrame, fmt: TableFormat | str, *, title: str | None = None, nowrap: tuple[str, ...] = ()
) -> None:
    """Print a DataFrame as a rich table, CSV or JSON records on stdout.

    Parameters
    ----------
    df : pandas.DataFrame
        The rows to print; the index is dropped (reset it first if it carries data).
    fmt : {"table", "csv", "json"}
        Output format. JSON is a list of row objects with numbers as numbers and missing
        values as ``null``.
    title : str, optional
        Title of the rich table (ignored for CSV and JSON).
    nowrap : tuple of str
        Columns the rich table prints whole, never wrapped or cut (names users type).

    """
    fmt = TableFormat(fmt)
    if fmt is TableFormat.json:
        emit_json(df)
    elif fmt is TableFormat.csv:
        df.to_csv(sys.stdout, index=False)
    else:
        table = Table(title=title, show_lines=False)
        for col in df.columns:
            numeric = pd.api.types.is_numeric_dtype(df[col])
            keep = col in nowrap
            width = int(df[col].map(_fmt_cell).str.len().max()) if keep and len(df) else None
            table.add_column(str(col), justify="right" if numeric else "left", no_wrap=keep,
                             min_width=max(width or 0, len(str(col))) if keep else None)
        for row in df.itertuples(index=False):
            table.add_row(*(_fmt_cell(v) for v in row))
        Console(width=max(100, Console().width)).print(table)

