"""Command-line interface: ``cocamonitor <group> <command>``.

Each sub-command group lives in :mod:`cocamonitor.commands` and is listed, without being
imported, in :data:`cocamonitor.commands.COMMANDS`; :class:`LazyGroup` imports a group's
module only when that group runs or shows its own help, so ``cocamonitor --help`` and the
light commands start without scipy, pandas, geopandas, rasterio, plotly, duckdb or dask. Errors
that come from bad input (:class:`~cocamonitor.errors.CocamonitorError`) are printed as one line
on stderr with exit code 2; anything else is an internal error (exit code 1).
"""

from __future__ import annotations

import errno
import importlib
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from cocamonitor.commands import COMMANDS
from cocamonitor.errors import CocamonitorError, UnknownNameError

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
    lang: Annotated[
        str | None,
        typer.Option("--lang", metavar="es|en",
                     help="Language of the command line's messages (default: from LANG, e.g. es_CO.UTF-8)."),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option("--columns", metavar="A,B,...",
                     help="Print only these columns of a command's table (tables fit 80-100 columns).",
                     ),
    ] = None,
) -> None:
    """Measure coca cultivation and cocaine production in Colombia, with honest uncertainty."""
    from cocamonitor import userdata
    from cocamonitor.commands._common import set_cli_options, start_recording

    if lang is not None and lang not in ("es", "en"):
        raise UnknownNameError(f"unknown language {lang!r}", where="--lang", hint="valid choices: es, en")
    set_cli_options(lang, columns)

    userdata.set_default(data_dir)

    start_recording(store, argv=(ctx.obj or {}).get("argv"))


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code.

    0 ok, 2 bad input (one ``error:`` line on stderr), 75 the store is locked by another
    process (try again later), 141 stdout was closed by its reader, 1 internal error.
    """
    from cocamonitor._recording import commit_recording, discard_recording
    from cocamonitor.commands._cleanup import outputs_removed_on_failure

    args = list(sys.argv[1:] if argv is None else argv)
    from cocamonitor.commands._common import set_cli_options

    set_cli_options(_root_lang(args), None)  # a fresh run (in-process callers run main more than once)
    from cocamonitor._log import install_cli_handler

    install_cli_handler()  # notes and warnings of the package: one line each on stderr
    _name_options_in_notes()
    if sys.stdout is None:  # started with stdout closed (``>&-``): nothing could be printed
        sys.stderr.write("error: standard output is closed; run the command with stdout open "
                         "(redirect it to a file or /dev/null)\n")
        return 2
    try:
        with outputs_removed_on_failure(args):  # a failed command leaves no half-written output
            app(args=args, standalone_mode=False, obj={"argv": args})
            sys.stdout.flush()  # a full disk or a closed pipe shows here, before anything is recorded
            commit_recording()  # last: only a command whose output was all written is recorded
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly, record nothing
        _silence_stdout()
        return 141  # 128 + SIGPIPE, as a command killed by the broken pipe
    except SystemExit as ex:  # click turns a broken pipe inside a command into exit 1
        if isinstance(ex.__context__, OSError) and ex.__context__.errno == errno.EPIPE:
            _silence_stdout()
            return 141
        raise
    except CocamonitorError as err:
        from cocamonitor.commands._common import cli_phrases

        err = _localized(cli_phrases(err))  # first the language, then the core's names become options
        sys.stderr.write(_one_line(f"{_word('error')}: {_as_typed(err, args)}"))
        return err.exit_code
    except MemoryError:  # a size the estimates of memory did not catch: still one line, no record
        sys.stderr.write("error: not enough memory for this input; give smaller sizes "
                         "(--draws, --size, fewer years or zones)\n")
        return 2
    except OSError as err:
        if err.filename is None and err.errno in _OUTPUT_ERRNOS:  # writing stdout failed (/dev/full)
            sys.stderr.write(f"error: cannot write the output: {err.strerror}; "
                             "free space or give another destination\n")
            return 2
        if err.filename is not None:  # a path the user gave that cannot be read or written
            sys.stderr.write(_one_line(f"error: {err.filename}: {err.strerror or err}; "
                                       "check the path, its folder and permissions"))
            return 2
        raise
    except typer.Exit as ex:
        return int(ex.exit_code or 0)
    except typer.Abort:
        sys.stderr.write(_word("aborted") + "\n")
        return 1
    except typer.TyperException as ex:  # usage errors from the (vendored) click layer, exit 2
        if type(ex).__name__ != "NoArgsIsHelpError":  # that one has already printed the help
            sys.stderr.write(_usage_line(ex))
        return int(getattr(ex, "exit_code", 2) or 2)
    finally:
        discard_recording()
    return 0


_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EBADF, errno.EIO, errno.EDQUOT, errno.EFBIG})


def _as_typed(err: CocamonitorError, args: list[str]) -> str:
    """Render the error with the options of the command that ran (``target_se`` -> ``--target-se``)."""
    from cocamonitor.commands._common import cli_error

    try:
        command, options = _command_options(args)
    except Exception:  # pragma: no cover - naming options must never turn an error line into a traceback
        command, options = "", set()
    return str(cli_error(err, options, command))


def _command_options(args: list[str]) -> tuple[str, set[str]]:
    """Return the command ``args`` ran (``"area estimate"``) and its long options with its groups' (``--store``)."""
    import typer.main
    from typer import _click as click

    cmd = typer.main.get_command(app)
    ctx = click.Context(cmd)
    path: list[str] = []
    options: set[str] = set()
    words = iter(args)
    while True:
        params = {o: p for p in cmd.params for o in (*p.opts, *p.secondary_opts)}
        options.update(o for o in params if o.startswith("--"))
        for word in words:
            if word == "--":
                return " ".join(path), options
            if word.startswith("-"):
                param = params.get(word.split("=", 1)[0])
                takes_value = not (getattr(param, "is_flag", False) or getattr(param, "count", False))
                if param is not None and "=" not in word and takes_value:
                    for _ in range(max(param.nargs, 1)):
                        next(words, None)  # the option's value
                continue
            sub = cmd.get_command(ctx, word) if isinstance(cmd, TyperGroup) else None
            if sub is not None:
                cmd = sub
                path.append(word)
                break
        else:
            return " ".join(path), options


class _OptionNames(logging.Filter):
    """Notes and warnings name core parameters in backticks: the command line says its options."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "`" in text:
            from cocamonitor.commands._common import cli_text

            record.msg, record.args = cli_text(text), None
        return True


def _name_options_in_notes() -> None:
    """Put :class:`_OptionNames` on the handlers of the package's notes (idempotent)."""
    for handler in logging.getLogger("cocamonitor").handlers:
        if not any(isinstance(f, _OptionNames) for f in handler.filters):
            handler.addFilter(_OptionNames())


def _one_line(text: str, limit: int = 2000) -> str:
    """Return the message as exactly one line, cut to ``limit`` characters (an echoed 10 MB field)."""
    from cocamonitor.errors import clip

    return clip(text, limit) + "\n"


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's flush at exit does not fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # in-process runs replace stdout by a buffer
        pass


def _usage_line(ex: Exception) -> str:
    """One ``error: ...`` line for a usage error (bad option value, unknown option or command).

    Click would print a usage block and a framed message over several lines; every bad input
    gets exactly one line here, naming the command whose ``--help`` lists the valid choices.
    """
    fmt = getattr(ex, "format_message", None)
    message = _localized(" ".join(str(fmt() if callable(fmt) else ex).split()).rstrip("."))
    names: list[str] = []
    ctx = getattr(ex, "ctx", None)
    while ctx is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    command = " ".join(["cocamonitor", *[n for n in reversed(names[:-1]) if n]])
    return f"{_word('error')}: {message}; {_word('see')} `{command} --help`\n"


def _root_lang(args: list[str]) -> str | None:
    """Return the root ``--lang`` of ``args``, read before click parses them (an unknown command is told in it)."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        name, eq, value = args[i].partition("=")
        if name == "--lang":
            value = value if eq else (args[i + 1] if i + 1 < len(args) else "")
            return value if value in ("es", "en") else None
        i += 1 if eq or name not in ("--store", "--data-dir", "--columns") else 2
    return None


def _localized(err: Any) -> Any:
    """Return the error (or usage line) in the CLI's language, through :mod:`cocamonitor.messages`."""
    from cocamonitor import messages
    from cocamonitor.commands._common import cli_lang

    lang = cli_lang()
    return messages.translate_text(err, lang) if isinstance(err, str) else messages.translate_error(err, lang)


def _word(key: str) -> str:
    from cocamonitor.commands._common import CLI_MESSAGES, cli_lang

    return CLI_MESSAGES[cli_lang()][key]


def _entry() -> None:  # pragma: no cover - console script
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    _entry()
