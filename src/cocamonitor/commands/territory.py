"""`cocamonitor territory` commands (being built)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the `territory` commands to the root app."""
