"""`cocamonitor simulate` commands (being built)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the `simulate` commands to the root app."""
