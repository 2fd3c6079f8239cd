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
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

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


# ---------------------------------------------------------------------------------------------
# recording runs in the store (``cocamonitor --store PATH ...`` or $COCAMONITOR_STORE)


@dataclass(frozen=True)
class _Recording:
    store: Path
    started_at: datetime
    argv: tuple[str, ...] | None
    #: the finished result, kept until the command has written all its output
    pending: tuple[str, Any, Any] | None = None


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


def record_result(command: str, document: Any, *, provenance: Mapping[str, Any] | None = None) -> None:
    """Hand a finished estimate over for recording in the store, if one was given.

    Every estimate command calls this once, with the same document (provenance included)
    that ``--format json`` prints, whatever format is asked for. Nothing is written yet: the
    command line records the run with :func:`commit_recording` only after the command has
    returned and its output (stdout, ``--plot``, ``--out``) was written, so that a command
    that fails at any point, even while writing its output, records nothing.

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
        return
    pending = (command, to_jsonable(document), None if provenance is None else to_jsonable(provenance))
    _RECORDING.set(replace(rec, pending=pending))


def commit_recording() -> int | None:
    """Record the run handed over by :func:`record_result` (if any) and return its id.

    Called by :func:`cocamonitor.cli.main` once the command succeeded and stdout was flushed.
    """
    rec = _RECORDING.get()
    _RECORDING.set(None)
    if rec is None or rec.pending is None:
        return None
    from cocamonitor.store import open_store

    command, document, provenance = rec.pending
    with open_store(rec.store) as store:
        run_id = store.record_run(
            command, document, provenance=provenance,
            argv=rec.argv, cwd=str(Path.cwd()), started_at=rec.started_at,
        )
    sys.stderr.write(f"recorded run {run_id} in {rec.store}\n")  # one line, never wrapped
    return run_id


def discard_recording() -> None:
    """Forget any result handed over for recording (the command failed)."""
    _RECORDING.set(None)


def chosen_store() -> Path:
    """Return the store named by ``--store`` / ``$COCAMONITOR_STORE``, else the default path."""
    rec = _RECORDING.get()
    if rec is not None:
        return rec.store
    from cocamonitor.store import default_store_path

    return default_store_path()
