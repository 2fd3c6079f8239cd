"""Sub-command groups of the ``cocamonitor`` command line, one module per group.

Each module exposes ``register(app)``, which adds its commands or sub-app to the root app.
"""

from cocamonitor.commands import (
    area,
    data,
    demo,
    indicators,
    map,
    production,
    report,
    serve,
    simulate,
    store,
    territory,
    trend,
    zonal,
)

COMMAND_MODULES = [
    data, territory, area, production, trend, zonal, simulate, indicators, report, serve, demo, store, map,
]

__all__ = ["COMMAND_MODULES"]
