"""Sub-command groups of the ``cocamonitor`` command line, one module per group.

The root app does not import these modules: :data:`COMMANDS` names each top-level command
or group, the module that implements it and the one-line help that ``cocamonitor --help``
shows. The module is imported only when its command runs or its own ``--help`` is asked
for, so a command pays for the libraries it uses (scipy, geopandas, rasterio, plotly, duckdb,
dask) and no other.

Adding a command group is one line in :data:`COMMANDS`::

    "map": ("cocamonitor.commands.map", "Imagery maps: ..."),

where ``cocamonitor/commands/map.py`` defines ``register(app)``, which adds the group (or
command) named ``map`` to ``app`` as usual (``app.add_typer(map_app, name="map")`` or
``app.command("map")(map_cmd)``). One module may register several names (``zonal`` and
``grid``): give each its own line. Keep the help line equal to the first line of the
group's own help (``tests/test_cli_lazy.py`` checks it). Top-level commands are listed in
the table's order; heavy imports belong inside the command functions or in the modules
they call, never at the top of ``cocamonitor.cli`` or ``cocamonitor.commands._common``.
"""

from __future__ import annotations

__all__ = ["COMMANDS"]

#: name -> (module defining ``register(app)``, one-line help shown by ``cocamonitor --help``)
COMMANDS: dict[str, tuple[str, str]] = {
    "zonal": ("cocamonitor.commands.zonal", "Hectares of every map class in every zone."),
    "report": ("cocamonitor.commands.report",
               "Write the annual report for YEAR in LANG: index.html (opens offline), CSVs and PNGs."),
    "serve": ("cocamonitor.commands.serve", "Serve the dashboard (map with year slider, municipality "
              "profiles, national series) and the /api."),
    "demo": ("cocamonitor.commands.demo",
             "Print the UNODC vs US series and the top municipalities; write the annual report (es, en)."),
    "data": ("cocamonitor.commands.data",
             "Bundled real datasets (SIMCI, UNODC, US, DANE, MinDefensa) and their provenance."),
    "territory": ("cocamonitor.commands.territory", "DIVIPOLA registry: departments, municipalities, PDET."),
    "area": ("cocamonitor.commands.area",
             "Sample-based area estimation and map accuracy: design a sample, label it, estimate."),
    "production": ("cocamonitor.commands.production",
                   "Potential cocaine production: the chain with uncertainty, presets, and the UNODC/US gap."),
    "trend": ("cocamonitor.commands.trend",
              "Trends and changes that say what is statistically real; UNODC vs US side by side."),
    "grid": ("cocamonitor.commands.zonal",
             "The 1 km coca grid: density (ha/km2), permanence classes, Gi* hotspots."),
    "territories": ("cocamonitor.commands.territories",
                    "Special territories (RUNAP parks, ANT resguardos and consejos comunitarios, SIAC Ley 2a "
                    "reserves): register the layers you download and tally the SIMCI 1 km grid inside them."),
    "forest": ("cocamonitor.commands.forest",
               "Coca on land that was forest k years before (Hansen lossyear or forest masks)."),
    "simulate": ("cocamonitor.commands.simulate", "Methodology testbed: synthetic landscapes with known truth, "
                 "measured by the census, the sample survey and good practice."),
    "indicators": ("cocamonitor.commands.indicators",
                   "Counternarcotics results (coca area, spraying, eradication, seizures, labs) and targets."),
    "store": ("cocamonitor.commands.store", "Recorded runs: what was run, on which inputs (SHA-256), with which "
              "parameters and version, and the estimates. Record with `cocamonitor --store PATH <command> ...`."),
    "evaluate": ("cocamonitor.commands.evaluate", "Programme evaluation: staggered DiD (Callaway & Sant'Anna), "
                 "TWFE decomposition, synthetic control."),
    "map": ("cocamonitor.commands.map", "Coca maps from Sentinel-2 imagery (STAC): train a classifier on labelled "
            "points, predict a probability map, turn it into strata for `area design`."),
}
