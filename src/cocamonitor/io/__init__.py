"""Reading and validating inputs at the edges: tables, rasters, vectors."""

from cocamonitor.io.tables import parse_decimal_column, read_table

__all__ = ["parse_decimal_column", "read_table"]
