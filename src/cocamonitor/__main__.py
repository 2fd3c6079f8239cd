from cocamonitor.cli import _entry

_entry()
