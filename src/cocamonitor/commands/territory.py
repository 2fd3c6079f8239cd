"""``cocamonitor territory find TEXT``: search the DIVIPOLA registry."""

from __future__ import annotations

from typing import Annotated

import typer

from cocamonitor import territory as terr
from cocamonitor.commands._common import TableFormat, emit_table

__all__ = ["register"]

territory_app = typer.Typer(help="DIVIPOLA registry: departments, municipalities, PDET.", no_args_is_help=True)


@territory_app.command("find")
def find_cmd(
    text: Annotated[str, typer.Argument(help="Name (accents and case optional) or DIVIPOLA code.")],
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="table, csv or json.")] = TableFormat.table,
) -> None:
    """Find municipalities by name or code, e.g. `cocamonitor territory find tibu`."""
    hits = terr.find_records(text)  # plain rows: this command never imports pandas
    if not hits:
        terr.lookup(text)  # raises UnknownNameError naming the closest municipalities
    cols = [
        "divipola",
        "municipality",
        "department_code",
        "department",
        "pdet",
        "pdet_subregion",
        "area_km2",
        "population_2018",
    ]
    emit_table({c: [h[c] for h in hits] for c in cols}, fmt, title=f"Territories matching {text!r}")


def register(app: typer.Typer) -> None:
    """Add the ``territory`` group to the root app."""
    app.add_typer(territory_app, name="territory")
