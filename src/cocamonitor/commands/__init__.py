"""Sub-command groups of the ``cocamonitor`` command line, one module per group.

Each module exposes ``register(app)``, which adds its commands or sub-app to the root app.
"""

from cocamonitor.commands import (
    area,
    data,
    demo,
    forest,
    indicators,
    production,
    report,
    serve,
    simulate,
    store,
    territories,
    territory,
    trend,
    zonal,
)

COMMAND_MODULES = [
    data, territory, territories, area, production, trend, zonal, forest, simulate, indicators, report, serve, demo,
    store,
]

__all__ = ["COMMAND_MODULES"]
