"""Helpers shared by the command-line sub-commands: output formats, printing, recording.

Tables go to stdout as a rich table, CSV or JSON records; progress and logs go to stderr, so
``--format json`` output is always one JSON document on stdout and nothing else. Estimate
commands hand their JSON document to :func:`record_result`, which keeps it in the store when
``--store`` or ``$COCAMONITOR_STORE`` is given.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "TableFormat",
    "chosen_store",
    "err_console",
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
    >>> import numpy as np
    >>> to_jsonable({"a": np.float64("nan"), "b": np.int64(3), "c": (1.5, np.inf)})
    {'a': None, 'b': 3, 'c': [1.5, None]}

    """
    # numpy and pandas objects can only exist once their module is imported: a command that
    # never used them does not pay for importing them here
    np = sys.modules.get("numpy")
    pd = sys.modules.get("pandas")
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [to_jsonable(v) for v in obj]
    if np is not None and isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if pd is not None and isinstance(obj, pd.DataFrame):
        return [to_jsonable(r) for r in obj.to_dict(orient="records")]
    if pd is not None and isinstance(obj, pd.Series):
        return to_jsonable(obj.to_dict())
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, Enum):
        return obj.value
    if np is not None and isinstance(obj, np.generic):
        obj = obj.item()
    if pd is not None and (obj is pd.NA or obj is pd.NaT):
        return None
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if pd is not None and isinstance(obj, pd.Timestamp):
        return obj.isoformat()
    return obj


def emit_json(obj: Any) -> None:
    """Print one JSON document on stdout."""
    sys.stdout.write(json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2) + "\n")


def _fmt_cell(value: Any) -> str:
    np, pd = sys.modules.get("numpy"), sys.modules.get("pandas")
    if value is None or (pd is not None and value is pd.NA):
        return ""
    if isinstance(value, float) or (np is not None and isinstance(value, np.floating)):
        v = float(value)  # any float, numpy's included (np.float32 is not a Python float)
        if math.isnan(v):
            return ""
        return f"{v:,.2f}" if abs(v) < 1e15 else f"{v:.4g}"
    return str(value)


def emit_table(
    df: pd.DataFrame | Mapping[str, Sequence[Any]],
    fmt: TableFormat | str,
    *,
    title: str | None = None,
    nowrap: tuple[str, ...] = (),
) -> None:
    """Print a DataFrame as a rich table, CSV or JSON records on stdout.

    Parameters
    ----------
    df : pandas.DataFrame or mapping of str to sequence
        The rows to print; the index is dropped (reset it first if it carries data). A
        command that prints a small fixed table may pass plain columns
        (``{"name": [...], "description": [...]}``) and so never import pandas.
    fmt : {"table", "csv", "json"}
        Output format. JSON is a list of row objects with numbers as numbers and missing
        values as ``null``.
    title : str, optional
        Title of the rich table (ignored for CSV and JSON).
    nowrap : tuple of str
        Columns the rich table prints whole, never wrapped or cut (names users type).

    """
    fmt = TableFormat(fmt)
    if isinstance(df, Mapping):
        names = [str(c) for c in df]
        rows = list(zip(*(list(v) for v in df.values()), strict=True))
        # as pandas reads it: numbers and booleans right-aligned, missing values left out
        numeric = [bool(vals) and all(isinstance(v, int | float) for v in vals)
                   for vals in ([r[i] for r in rows if r[i] is not None] for i in range(len(names)))]
        if fmt is TableFormat.json:
            emit_json([dict(zip(names, r, strict=True)) for r in rows])
        elif fmt is TableFormat.csv:
            import csv

            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(names)
            writer.writerows(rows)
        else:
            _print_table(names, numeric, rows, title=title, nowrap=nowrap)
        return
    import pandas as pd

    if fmt is TableFormat.json:
        emit_json(df)
    elif fmt is TableFormat.csv:
        df.to_csv(sys.stdout, index=False)
    else:
        numeric = [pd.api.types.is_numeric_dtype(df[col]) for col in df.columns]
        _print_table([str(c) for c in df.columns], numeric, df.itertuples(index=False), title=title,
                     nowrap=nowrap)


def _print_table(names: list[str], numeric: list[bool], rows: Any, *, title: str | None,
                 nowrap: tuple[str, ...]) -> None:
    cells = [[_fmt_cell(v) for v in row] for row in rows]
    table = Table(title=title, show_lines=False)
    for i, col in enumerate(names):
        keep = col in nowrap
        width = max((len(r[i]) for r in cells), default=0) if keep else None
        table.add_column(col, justify="right" if numeric[i] else "left", no_wrap=keep,
                         min_width=max(width or 0, len(col)) if keep else None)
    for r in cells:
        table.add_row(*r)
    Console(width=max(100, Console().width)).print(table)


# ---------------------------------------------------------------------------------------------
# recording runs in the store (``cocamonitor --store PATH ...`` or $COCAMONITOR_STORE)


@dataclass(frozen=True)
class _Recording:
    store: Path
    started_at: datetime
    argv: tuple[str, ...] | None


_RECORDING: ContextVar[_Recording | None] = ContextVar("cocamonitor_recording", default=None)


def start_recording(store: Path | None, argv: Sequence[str] | None = None) -> None:
    """Note where this command's result will be recorded (``None``: nowhere).

    Called once per command line by the root callback. A store that exists but cannot be
    used (not a cocamonitor store, a newer schema) fails here, before any work is done.
    """
    if store is None:
        _RECORDING.set(None)
        return
    from cocamonitor.store import check_store

    check_store(store)
    _RECORDING.set(_Recording(store, datetime.now(UTC), None if argv is None else tuple(argv)))


def recording() -> bool:
    """Whether this command's result will be recorded in a store."""
    return _RECORDING.get() is not None


def record_result(command: str, document: Any, *, provenance: Mapping[str, Any] | None = None) -> int | None:
    """Record a finished estimate in the store, if one was given; return its run id.

    Every estimate command calls this once, with the same document (provenance included)
    that ``--format json`` prints, whatever format is asked for, after the computation and
    before any output. A command that fails earlier records nothing.

    Parameters
    ----------
    command : str
        The command, e.g. ``"area estimate"``.
    document : dict or list
        The JSON document of the result.
    provenance : mapping, optional
        For documents without a ``provenance`` block (lists of rows).

    """
    rec = _RECORDING.get()
    if rec is None:
        return None
    from cocamonitor.store import open_store

    with open_store(rec.store) as store:
        run_id = store.record_run(
            command, to_jsonable(document), provenance=None if provenance is None else to_jsonable(provenance),
            argv=rec.argv, cwd=str(Path.cwd()), started_at=rec.started_at,
        )
    sys.stderr.write(f"recorded run {run_id} in {rec.store}\n")  # one line, never wrapped
    return run_id


def chosen_store() -> Path:
    """Return the store named by ``--store`` / ``$COCAMONITOR_STORE``, else the default path."""
    rec = _RECORDING.get()
    if rec is not None:
        return rec.store
    from cocamonitor.store import default_store_path

    return default_store_path()
