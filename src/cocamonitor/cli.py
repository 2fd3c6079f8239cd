"""Command-line interface: ``cocamonitor <group> <command>``.

Each sub-command group lives in :mod:`cocamonitor.commands` and is listed, without being
imported, in :data:`cocamonitor.commands.COMMANDS`; :class:`LazyGroup` imports a group's
module only when that group runs or shows its own help, so ``cocamonitor --help`` and the
light commands start without scipy, pandas, geopandas, rasterio, plotly, duckdb or dask. Errors
that come from bad input (:class:`~cocamonitor.errors.CocamonitorError`) are printed as one line
on stderr with exit code 2; anything else is an internal error (exit code 1).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from cocamonitor.commands import COMMANDS
from cocamonitor.errors import CocamonitorError

__all__ = ["LazyGroup", "app", "main"]


class LazyGroup(TyperGroup):
    """The root click group: commands of :data:`~cocamonitor.commands.COMMANDS`, imported on use.

    ``cocamonitor --help`` lists them from the table (name and help line) without importing
    anything; ``cocamonitor NAME ...`` imports NAME's module, lets its ``register(app)`` add it
    to a scratch app, and runs the click command built from that.
    """

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        """Return the names of the table, in its order, then any command added to the root app."""
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """Return the click command ``cmd_name``, importing its module on first use (a stub while listing)."""
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        if self._listing:  # the root help only needs the name and the help line
            return typer.core.TyperCommand(name=cmd_name, help=COMMANDS[cmd_name][1])
        self.commands[cmd_name] = _load_command(cmd_name)
        return self.commands[cmd_name]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """Print the root help from the table alone."""
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def _load_command(name: str) -> Any:
    """Import the module of command ``name`` and return its click command (or group)."""
    module = importlib.import_module(COMMANDS[name][0])
    scratch = typer.Typer(rich_markup_mode="rich", add_completion=False, pretty_exceptions_enable=False)
    module.register(scratch)
    return typer.main.get_group(scratch).commands[name]


app = typer.Typer(
    name="cocamonitor",
    cls=LazyGroup,
    help="Measure coca cultivation and cocaine production in Colombia, with honest uncertainty.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version_callback(value: bool) -> None:
    if value:
        from cocamonitor import __version__

        typer.echo(f"cocamonitor {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version."),
    ] = False,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            envvar="COCAMONITOR_STORE",
            metavar="PATH",
            help="Record each estimate run (inputs with SHA-256, parameters, version, results) in this "
            "DuckDB file, and read it with `cocamonitor store`. Nothing is recorded unless --store or "
            "COCAMONITOR_STORE is given; without either, `cocamonitor store` reads "
            "$XDG_DATA_HOME/cocamonitor/cocamonitor.duckdb (~/.local/share/... by default).",
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="COCAMONITOR_DATA_DIR",
            metavar="DIR",
            help="Folder of the datasets you import (`cocamonitor data import ...`), used by every command, "
            "the report and the dashboard beside the bundled data. Default: $XDG_DATA_HOME/cocamonitor/data "
            "(~/.local/share/cocamonitor/data).",
        ),
    ] = None,
) -> None:
    """Measure coca cultivation and cocaine production in Colombia, with honest uncertainty."""
    from cocamonitor import userdata
    from cocamonitor.commands._common import start_recording

    userdata.set_default(data_dir)

    start_recording(store, argv=(ctx.obj or {}).get("argv"))


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 2 bad input, 1 internal error)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        app(args=args, standalone_mode=False, obj={"argv": args})
    except CocamonitorError as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    except typer.Exit as ex:
        return int(ex.exit_code or 0)
    except typer.Abort:
        sys.stderr.write("aborted\n")
        return 1
    except typer.TyperException as ex:  # usage errors from the (vendored) click layer, exit 2
        if type(ex).__name__ != "NoArgsIsHelpError":  # that one has already printed the help
            sys.stderr.write(_usage_line(ex))
        return int(getattr(ex, "exit_code", 2) or 2)
    return 0


def _usage_line(ex: Exception) -> str:
    """One ``error: ...`` line for a usage error (bad option value, unknown option or command).

    Click would print a usage block and a framed message over several lines; every bad input
    gets exactly one line here, naming the command whose ``--help`` lists the valid choices.
    """
    fmt = getattr(ex, "format_message", None)
    message = " ".join(str(fmt() if callable(fmt) else ex).split()).rstrip(".")
    names: list[str] = []
    ctx = getattr(ex, "ctx", None)
    while ctx is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    command = " ".join(["cocamonitor", *[n for n in reversed(names[:-1]) if n]])
    return f"error: {message}; see `{command} --help`\n"


def _entry() -> None:  # pragma: no cover - console script
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    _entry()
