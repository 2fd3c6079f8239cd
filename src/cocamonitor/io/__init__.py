"""Reading and validating inputs at the edges: tables, rasters, vectors.

The submodules are imported on first use (``cocamonitor.io.years`` is light and used by
commands that never read a table: importing this package must not import pandas).
"""

from __future__ import annotations

from typing import Any

__all__ = ["parse_decimal_column", "read_table"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from cocamonitor.io import tables

        return getattr(tables, name)
    raise AttributeError(f"module 'cocamonitor.io' has no attribute {name!r}")
