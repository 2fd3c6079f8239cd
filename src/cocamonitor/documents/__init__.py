"""The application layer: JSON-ready documents that the command line and the web both serve.

:mod:`~cocamonitor.documents.layers` — the dashboard's extra map layers as tables and shapes.
"""
