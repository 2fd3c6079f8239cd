"""`cocamonitor trend` commands (being built)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the `trend` commands to the root app."""
