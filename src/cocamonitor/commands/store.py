"""``cocamonitor store runs | show | query``: read the recorded runs, their provenance and estimates.

Runs are recorded by ``cocamonitor --store PATH <command> ...`` (or with ``COCAMONITOR_STORE``
set); these commands read the same file (default: ``$COCAMONITOR_STORE``, else
``$XDG_DATA_HOME/cocamonitor/cocamonitor.duckdb``, else ``~/.local/share/cocamonitor/...``).
"""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer

from cocamonitor.commands._common import TableFormat, chosen_store, emit_json, emit_table, err_console
from cocamonitor.errors import UnknownNameError, suggest
from cocamonitor.store import open_store

__all__ = ["register"]

store_app = typer.Typer(
    help="Recorded runs: what was run, on which inputs (SHA-256), with which parameters and "
    "version, and the estimates. Record with `cocamonitor --store PATH <command> ...`.",
    no_args_is_help=True,
)

FormatOpt = Annotated[TableFormat, typer.Option("--format", "-f", help="table, csv or json.")]


@store_app.command(
    "runs",
    epilog="Example: cocamonitor --store runs.duckdb store runs --command 'area estimate'",
)
def runs_cmd(
    command: Annotated[
        str | None, typer.Option("--command", help="Only runs of this command, e.g. 'area estimate'.")
    ] = None,
    fmt: FormatOpt = TableFormat.table,
) -> None:
    """List the recorded runs, oldest first."""
    with open_store(chosen_store(), read_only=True) as store:
        df = store.list_runs(command)
        if command is not None and df.empty:
            known = store.commands()
            if " ".join(command.split()) not in known:
                raise UnknownNameError(f"no runs of {command!r}", where="--command",
                                       hint=suggest(command, known) if known else "the store has no runs yet")
    for col in ("started_at", "finished_at"):
        df[col] = pd.to_datetime(df[col]).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    if fmt is TableFormat.table:  # the command lines are in csv/json and `store show`
        df = df.drop(columns=["finished_at", "argv"])
    emit_table(df, fmt, title=f"Runs in {chosen_store()} (UTC)")


@store_app.command(
    "show",
    epilog="Example: cocamonitor --store runs.duckdb store show 1 --format json",
)
def show_cmd(
    run_id: Annotated[int, typer.Argument(metavar="RUN_ID", help="Number of the run (see `store runs`).")],
    fmt: FormatOpt = TableFormat.table,
) -> None:
    """One run: command line, version, inputs with SHA-256, parameters and estimates.

    JSON is the whole run (provenance, tidy estimates and the command's own JSON document);
    CSV is the tidy estimates table.
    """
    with open_store(chosen_store(), read_only=True) as store:
        run = store.get_run(run_id)
    if fmt is TableFormat.json:
        emit_json(run.to_dict())
        return
    if fmt is TableFormat.csv:
        emit_table(run.to_frame(), fmt)
        return
    about = [
        ("command", run.command),
        ("command line", " ".join(["cocamonitor", *(run.argv or [])])),
        ("started (UTC)", run.started_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("finished (UTC)", run.finished_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("version", run.version),
        ("working directory", run.cwd or ""),
    ]
    about += [(f"parameter {k}", _text(v)) for k, v in run.parameters.items()]
    emit_table(pd.DataFrame(about, columns=["field", "value"]), fmt, title=f"Run {run.run_id}")
    emit_table(pd.DataFrame(list(run.inputs.items()), columns=["input", "sha256"]), fmt, title="Inputs")
    emit_table(run.estimates, fmt, title="Estimates")


def _text(value: object) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@store_app.command(
    "query",
    epilog=(
        "Example: cocamonitor --store runs.duckdb store query \"SELECT r.run_id, e.value, e.lower, e.upper "
        "FROM runs r JOIN estimates e USING (run_id) WHERE r.command = 'area estimate' AND e.quantity = 'area'\""
    ),
)
def query_cmd(
    sql: Annotated[str, typer.Argument(metavar="SQL", help="One SELECT over runs, inputs, estimates, meta.")],
    fmt: FormatOpt = TableFormat.table,
) -> None:
    """Run one read-only SQL SELECT on the store (writes are refused)."""
    with open_store(chosen_store(), read_only=True) as store:
        df = store.query(sql)
    emit_table(df, fmt)
    if fmt is TableFormat.table:
        err_console.print(f"{len(df)} row(s)", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``store`` group to the root app."""
    app.add_typer(store_app, name="store")
