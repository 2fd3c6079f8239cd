"""cocamonitor: measure coca cultivation and cocaine production in Colombia, with honest uncertainty."""

from cocamonitor._version import __version__

__all__ = ["__version__"]
