"""Sub-command groups of the ``cocamonitor`` command line, one module per group.

Each module exposes ``register(app)``, which adds its commands or sub-app to the root app.
"""

from cocamonitor.commands import (
    area,
    data,
    demo,
    evaluate,
    indicators,
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
    data, territory, area, production, trend, zonal, simulate, indicators, report, serve, demo, store, evaluate,
]

__all__ = ["COMMAND_MODULES"]
