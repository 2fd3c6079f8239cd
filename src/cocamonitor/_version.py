from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cocamonitor")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.1.0"
