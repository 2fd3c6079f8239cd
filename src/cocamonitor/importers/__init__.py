"""Importers: read the official files users download and store them in the user data folder.

One module per publisher and format: :mod:`cocamonitor.importers.mindefensa` for the Ministry of
Defence's event files, :mod:`cocamonitor.importers.results_csv` for a user's own results table,
:mod:`cocamonitor.importers.simci_grid` for the SIMCI 1 km grid. Each reads, validates and tidies
a file into a table, and writes it with :func:`cocamonitor.userdata.store_table` only once every
check has passed.
"""

__all__: list[str] = []
