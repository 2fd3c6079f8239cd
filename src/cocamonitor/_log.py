"""Notes and warnings for people, through :mod:`logging`.

Modules log to ``logging.getLogger(__name__)`` (all below the ``cocamonitor`` logger): ``info``
for a note ("converted 12 events from tonnes"), ``warning`` for something the user should act
on. A Python user sees warnings through logging's default handler and can configure the rest;
the command line installs :class:`OneLineHandler`, which prints each record as one line on
stderr, ``note: ...`` or ``warning: ...`` (a record logged with ``extra={"bare": True}`` has no
prefix). Errors are exceptions, never log records.

Examples
--------
>>> import io, logging
>>> from cocamonitor._log import OneLineHandler
>>> out = io.StringIO()
>>> log = logging.getLogger("cocamonitor.example")
>>> handler = OneLineHandler(stream=out)
>>> log.addHandler(handler); log.setLevel(logging.INFO)
>>> log.info("kept 3 rows without a municipality")
>>> log.removeHandler(handler)
>>> print(out.getvalue(), end="")
note: kept 3 rows without a municipality

"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

__all__ = ["OneLineHandler", "install_cli_handler"]

_PREFIX = {logging.INFO: "note", logging.WARNING: "warning"}


class OneLineHandler(logging.Handler):
    """Write each record as one line, ``<note|warning>: message``, on stderr as it is at the time.

    Parameters
    ----------
    stream : file-like, optional
        Where to write; by default ``sys.stderr`` looked up at each record, so that a caller
        that swaps stderr (a test runner, a captured run) gets the lines.

    """

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(logging.INFO)
        self._stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record's message on one line, with its prefix."""
        try:
            text = " ".join(record.getMessage().splitlines())
            if not getattr(record, "bare", False):
                text = f"{_PREFIX.get(record.levelno, record.levelname.lower())}: {text}"
            (self._stream or sys.stderr).write(text + "\n")
        except Exception:  # pragma: no cover - logging must never break the command
            self.handleError(record)


def install_cli_handler() -> None:
    """Print the package's notes and warnings as one line each on stderr (idempotent)."""
    root = logging.getLogger("cocamonitor")
    if not any(isinstance(h, OneLineHandler) for h in root.handlers):
        root.addHandler(OneLineHandler())
    root.setLevel(logging.INFO)
    root.propagate = False  # the lines are the CLI's output; not again through the root logger
    # odc-stac logs a read failure as an error and then raises it: the raised error becomes the
    # command's one error line, so its log record would only repeat it (through lastResort)
    odc = logging.getLogger("odc")
    if not any(isinstance(h, logging.NullHandler) for h in odc.handlers):
        odc.addHandler(logging.NullHandler())
    odc.propagate = False
