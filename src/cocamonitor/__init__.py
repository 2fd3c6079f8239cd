"""cocamonitor: measure coca cultivation and cocaine production in Colombia, with honest uncertainty."""

from __future__ import annotations

from typing import Any

__all__ = ["__version__"]


def __getattr__(name: str) -> Any:
    # the version is read from the installed metadata on first use: importing
    # importlib.metadata costs every command line ~50 ms otherwise
    if name == "__version__":
        from cocamonitor._version import __version__

        return __version__
    raise AttributeError(f"module 'cocamonitor' has no attribute {name!r}")
