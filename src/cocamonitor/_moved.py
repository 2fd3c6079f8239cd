"""Deprecation shims for public names that moved to another module.

A module that gave up a public name keeps it importable from its old path through a module-level
``__getattr__`` (PEP 562) that warns once per access with a :class:`DeprecationWarning` and returns
the object from its new home, imported only then (so the old module does not import the new one
at import time, and no import cycle appears).

Examples
--------
>>> import warnings
>>> __getattr__ = moved_names("old.place", {"sqrt": "math"})
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     __getattr__("sqrt")(4.0)
2.0
>>> str(caught[0].message)
'old.place.sqrt moved to math.sqrt'

"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["moved_names"]


def moved_names(module: str, moved: Mapping[str, str]) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` serving ``moved`` (name -> new module) with a warning.

    Parameters
    ----------
    module : str
        The old module's ``__name__``.
    moved : mapping
        Each moved name and the module it now lives in.

    Returns
    -------
    callable
        ``__getattr__(name)``: the moved object (after a ``DeprecationWarning``), or
        ``AttributeError`` for any other name.

    """

    def __getattr__(name: str) -> Any:
        target = moved.get(name)
        if target is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(
            f"{module}.{name} moved to {target}.{name}", DeprecationWarning, stacklevel=2
        )
        return getattr(importlib.import_module(target), name)

    return __getattr__
