"""The command line's spelling of core parameters: ``skip_missing`` is the option ``--skip-missing``.

One rule, used by the command line to name core parameters in its error lines
(:func:`cocamonitor.commands._common.cli_error`) and by the report to print the command that
reproduces a figure. Standard library only: the command line imports it when an error is shown.

Examples
--------
>>> option("skip_missing")
'--skip-missing'
>>> command_line("trend test", source="us", years="2010-2020", skip_missing=True)
'cocamonitor trend test --source us --years 2010-2020 --skip-missing'

"""

from __future__ import annotations

from typing import Any

__all__ = ["command_line", "option"]

def option(parameter: str) -> str:
    """Return the command line's option for a core parameter: ``--`` and kebab-case."""
    return "--" + parameter.replace("_", "-")


def command_line(command: str, **parameters: Any) -> str:
    """Return ``cocamonitor COMMAND`` with each parameter as its option (``True``: a flag alone)."""
    words = ["cocamonitor", command]
    for name, value in parameters.items():
        if value is None or value is False:
            continue
        words.append(option(name) if value is True else f"{option(name)} {value}")
    return " ".join(words)
