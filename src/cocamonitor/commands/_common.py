"""Helpers shared by the command-line sub-commands: output formats, printing, recording.

Tables go to stdout as a rich table, CSV or JSON records; progress and logs go to stderr, so
``--format json`` output is always one JSON document on stdout and nothing else. Estimate
commands hand their JSON document to :func:`record_result`; the command line keeps it in the
store (when ``--store`` or ``$COCAMONITOR_STORE`` is given) with :func:`commit_recording`, last,
once the command's output was written.
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextvars import ContextVar
from enum import Enum
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from cocamonitor._moved import moved_names
from cocamonitor._recording import (
    chosen_store,
    commit_recording,
    discard_recording,
    record_result,
    recording,
    start_recording,
)
from cocamonitor.documents.jsonable import to_jsonable as _to_jsonable

if TYPE_CHECKING:
    import pandas as pd

    from cocamonitor.errors import CocamonitorError

__all__ = [
    "CLI_MESSAGES",
    "CLI_PHRASES",
    "OPTION_NAMES",
    "ProgressBar",
    "option_names",
    "TableFormat",
    "cli_error",
    "cli_phrases",
    "cli_text",
    "cli_lang",
    "set_cli_options",
    "chosen_store",
    "commit_recording",
    "err_console",
    "discard_recording",
    "emit_json",
    "emit_table",
    "record_result",
    "recording",
    "start_recording",
]

#: Notes, progress and "wrote FILE" lines on stderr; never wrapped, so that a path stays whole
#: in a log or a terminal narrower than it.
err_console = Console(stderr=True, soft_wrap=True)


#: The CLI's own words in Spanish (the messages of the core stay in English, the language of
#: the code; the CLI frames them): chosen by ``cocamonitor --lang es`` or a Spanish locale.
CLI_MESSAGES = {
    "es": {"error": "error", "see": "consulte", "aborted": "cancelado",
           "report_written": "informe escrito", "tables": "tablas CSV", "figures": "figuras PNG",
           "unknown_columns": "columnas desconocidas", "valid_columns": "columnas válidas"},
    "en": {"error": "error", "see": "see", "aborted": "aborted",
           "report_written": "report written", "tables": "CSV tables", "figures": "PNG figures",
           "unknown_columns": "unknown columns", "valid_columns": "valid columns"},
}
_CLI_LANG: ContextVar[str | None] = ContextVar("cocamonitor_cli_lang", default=None)
_COLUMNS: ContextVar[tuple[str, ...] | None] = ContextVar("cocamonitor_columns", default=None)
#: this run's overrides of option names (:func:`option_names`); reset by :func:`set_cli_options`
_OPTION_NAMES: ContextVar[Mapping[str, str] | None] = ContextVar("cocamonitor_option_names", default=None)


def cli_lang() -> str:
    """Language of the CLI's messages: ``--lang`` of the root command, else the locale.

    ``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` starting with ``es`` (``es_CO.UTF-8``) means
    Spanish; anything else English.
    """
    import os

    chosen = _CLI_LANG.get()
    if chosen:
        return chosen
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "es" if value.lower().startswith("es") else "en"
    return "en"


def set_cli_options(lang: str | None, columns: str | None) -> None:
    """Remember the root options ``--lang`` and ``--columns`` for this run."""
    _CLI_LANG.set(lang)
    _OPTION_NAMES.set(None)
    _COLUMNS.set(tuple(c.strip() for c in columns.split(",") if c.strip()) if columns else None)


def _choose_columns(df: pd.DataFrame) -> pd.DataFrame:
    cols = _COLUMNS.get()
    if not cols:
        return df
    from cocamonitor.errors import UnknownNameError

    missing = [c for c in cols if c not in df.columns]
    if missing:
        msg = CLI_MESSAGES[cli_lang()]
        raise UnknownNameError(f"{msg['unknown_columns']}: {', '.join(missing)}", where="--columns",
                               hint=f"{msg['valid_columns']}: {', '.join(map(str, df.columns))}")
    return df[list(cols)]


def _integer_columns(df: pd.DataFrame) -> set[str]:
    """Float columns holding whole numbers only (counts read from CSV): printed without decimals."""
    import numpy as np
    import pandas as pd

    out = set()
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_float_dtype(s):
            v = s.dropna().to_numpy(dtype=float)
            if len(v) and np.all(np.isfinite(v)) and np.all(v == np.round(v)) and np.abs(v).max() < 1e15:
                out.add(str(col))
    return out


class TableFormat(str, Enum):
    """Output formats of commands that list rows."""

    table = "table"
    csv = "csv"
    json = "json"


def emit_json(obj: Any) -> None:
    """Print one JSON document on stdout."""
    sys.stdout.write(json.dumps(_to_jsonable(obj), ensure_ascii=False, indent=2) + "\n")


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

    df = _choose_columns(df)
    if fmt is TableFormat.json:
        emit_json(df)
    elif fmt is TableFormat.csv:
        df.to_csv(sys.stdout, index=False)
    else:
        numeric = [pd.api.types.is_numeric_dtype(df[col]) for col in df.columns]
        whole = [str(c) in _integer_columns(df) for c in df.columns]  # counts read as floats
        rows = [tuple(int(v) if w and v == v and v is not None else v for v, w in zip(r, whole, strict=True))
                for r in df.itertuples(index=False)]
        _print_table([str(c) for c in df.columns], numeric, rows, title=title, nowrap=nowrap)


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


@contextlib.contextmanager
def option_names(options: Mapping[str, str]) -> Iterator[None]:
    """Name core parameters by these options in the errors raised inside (this command's overrides).

    ``options`` maps a core parameter name (an error's ``where``, or a name in backticks in its
    message) to the option that sets it, where that is not the default ``--kebab-case`` of the
    name (``{"collapse": "--collapse-strata"}``). :func:`cli_error` applies them; an error raised
    inside keeps them for the error line.
    """
    token = _OPTION_NAMES.set({**(_OPTION_NAMES.get() or {}), **options})
    yield  # an error propagates with the names still set: the command line prints it last
    _OPTION_NAMES.reset(token)


#: Per command, core parameters whose option is not their ``--kebab-case`` (the overrides of
#: :func:`cli_error`; a command may add more for a block with :func:`option_names`).
OPTION_NAMES: dict[str, dict[str, str]] = {
    "area estimate": {"collapse": "--collapse-strata"},
    "production estimate": {"unit": "--area-unit"},
    "report": {"raster": "--map-raster", "cell": "--map-raster"},  # the density grid of the map raster
    "territories add": {"id_field": "--name-field"},
    "trend change": {"label": "--class"},
    "trend compare": {"source": "--sources"},
}

#: Core hints that point to a Python function or document, said with the command line's command.
CLI_PHRASES: dict[str, str] = {
    "pass the JSON document of an area estimate": "pass the JSON printed by `cocamonitor area estimate --format json`",
    "record a run in it first": "record a run first, e.g. `cocamonitor --store PATH area estimate ...`",
    "add one with add_layer()": "add one with `cocamonitor territories add KIND FILE --name-field FIELD`",
}


class ProgressBar:
    """A rich progress bar on stderr, fed by ``(done, total)`` callbacks (a core ``progress``).

    Drawn only on a terminal and erased when done, so a command that fails leaves its one
    error line and nothing else.
    """

    def __init__(self, description: str):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self._progress = Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=err_console, transient=True,
            disable=not err_console.is_terminal,
        )
        self._task: Any = None
        self._description = description

    def __enter__(self) -> ProgressBar:
        self._progress.__enter__()
        self._task = self._progress.add_task(self._description, total=None)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._progress.__exit__(*exc)

    def __call__(self, done: int, total: int) -> None:
        self._progress.update(self._task, completed=done, total=total)


def cli_error(err: CocamonitorError, options: Collection[str], command: str = "") -> CocamonitorError:
    """Return the error in the command line's words: its core parameters named by their options.

    The one place the command line renames parameters (rule: the core names its own). A core
    parameter is the option :data:`OPTION_NAMES` gives for ``command`` (or :func:`option_names`
    for the block that raised), else its ``--kebab-case`` when ``options`` (the options of the
    command that ran) has it, else it keeps its core name. A parameter of ``where`` with an
    underscore is renamed in the text as well (``rel_error_a must be ...``).

    Examples
    --------
    >>> from cocamonitor.errors import InputError
    >>> err = InputError("no figure for 2008", where="years", hint="pass `skip_missing`")
    >>> print(cli_error(err, {"--years", "--skip-missing"}))
    --years: no figure for 2008; pass --skip-missing

    """
    import re

    from cocamonitor._cli_names import option as kebab
    from cocamonitor.errors import rename_parameters

    overrides = {**OPTION_NAMES.get(command, {}), **(_OPTION_NAMES.get() or {})}

    def option(parameter: str) -> str | None:
        if parameter in overrides:
            return overrides[parameter]
        return kebab(parameter) if kebab(parameter) in options else None

    renamed = rename_parameters(err, option)
    message, hint = renamed.message, renamed.hint
    where = err.where or ""
    if "_" in where and re.fullmatch(r"[a-z][a-z0-9_]*", where) and renamed.where != where:
        # an identifier (rel_error_a), never an ordinary word of the message
        message = re.sub(rf"\b{where}\b", renamed.where or where, message)
        hint = re.sub(rf"\b{where}\b", renamed.where or where, hint) if hint else hint
    if (message, hint) == (renamed.message, renamed.hint):
        return renamed
    return type(err)(message, where=renamed.where, hint=hint)


def cli_phrases(err: CocamonitorError) -> CocamonitorError:
    """Return the error with the hints of :data:`CLI_PHRASES` said with the command line's commands.

    Before the error is translated (the catalogue knows the command line's sentences).
    """
    hint = err.hint
    for phrase, words in CLI_PHRASES.items():
        hint = hint.replace(phrase, words) if hint else hint
    return err if hint == err.hint else type(err)(err.message, where=err.where, hint=hint)


def cli_text(text: str) -> str:
    """Return a core text (a warning) in the words of the running command (`skip_missing`: ``--skip-missing``)."""
    from typer._click.globals import get_current_context

    from cocamonitor.errors import InputError

    ctx = get_current_context(silent=True)
    options: set[str] = set()
    names: list[str] = []
    while ctx is not None:
        options.update(o for p in ctx.command.params for o in (*p.opts, *p.secondary_opts) if o.startswith("--"))
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return cli_error(InputError(text), options, " ".join(reversed(names[:-1]))).message


#: names that moved to :mod:`cocamonitor.documents`, still importable from here (deprecated)
__getattr__ = moved_names(__name__, {"to_jsonable": "cocamonitor.documents"})
