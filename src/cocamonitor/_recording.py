"""Recording a command's run in the store (given to the command line, or $COCAMONITOR_STORE).

The root callback notes the store (:func:`start_recording`); an estimate command hands its
finished JSON document over (:func:`record_result`); :func:`cocamonitor.cli.main` records it
(:func:`commit_recording`) only after the command returned and its output was written, and
forgets it otherwise (:func:`discard_recording`). Light on purpose: standard library only at
import time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "chosen_store",
    "commit_recording",
    "discard_recording",
    "record_result",
    "recording",
    "start_recording",
]


@dataclass(frozen=True)
class _Recording:
    store: Path
    started_at: datetime
    argv: tuple[str, ...] | None
    #: the finished result, kept until the command has written all its output
    pending: tuple[str, Any, Any, Any] | None = None


_RECORDING: ContextVar[_Recording | None] = ContextVar("cocamonitor_recording", default=None)


def start_recording(store: Path | None, argv: Sequence[str] | None = None) -> None:
    """Note where this command's result will be recorded (``None``: nowhere).

    Called once per command line by the root callback. A store that exists but cannot be
    used (not a cocamonitor store, a newer schema) fails here, before any work is done.
    """
    if store is None:
        _RECORDING.set(None)
        return
    from cocamonitor.store import check_store

    check_store(store)
    _RECORDING.set(_Recording(store, datetime.now(UTC), None if argv is None else tuple(argv)))


def recording() -> bool:
    """Whether this command's result will be recorded in a store."""
    return _RECORDING.get() is not None


def record_result(command: str, document: Any, *, provenance: Mapping[str, Any] | None = None,
                  result: Any = None) -> None:
    """Hand a finished estimate over for recording in the store, if one was given.

    Every estimate command calls this once, with the same document (provenance included)
    that the command prints as JSON, whatever format is asked for. Nothing is written yet: the
    command line records the run with :func:`commit_recording` only after the command has
    returned and its output (stdout, figures, files) was written, so that a command
    that fails at any point, even while writing its output, records nothing.

    Parameters
    ----------
    command : str
        The command, e.g. ``"area estimate"``.
    document : dict or list
        The JSON document of the result.
    provenance : mapping, optional
        For documents without a ``provenance`` block (lists of rows).
    result : HasEstimates, optional
        The result behind the document (:class:`cocamonitor.results.HasEstimates`): the
        store's ``estimates`` rows are its ``estimates()``.

    """
    rec = _RECORDING.get()
    if rec is None:
        return
    from cocamonitor.documents.jsonable import to_jsonable

    pending = (command, to_jsonable(document), None if provenance is None else to_jsonable(provenance), result)
    _RECORDING.set(replace(rec, pending=pending))


def commit_recording() -> int | None:
    """Record the run handed over by :func:`record_result` (if any) and return its id.

    Called by :func:`cocamonitor.cli.main` once the command succeeded and stdout was flushed.
    """
    rec = _RECORDING.get()
    _RECORDING.set(None)
    if rec is None or rec.pending is None:
        return None
    from cocamonitor.store import open_store

    command, document, provenance, result = rec.pending
    with open_store(rec.store) as store:
        run_id = store.record_run(
            command, document, provenance=provenance,
            argv=rec.argv, cwd=str(Path.cwd()), started_at=rec.started_at, result=result,
        )
    logging.getLogger(__name__).info("recorded run %s in %s", run_id, rec.store, extra={"bare": True})
    return run_id


def discard_recording() -> None:
    """Forget any result handed over for recording (the command failed)."""
    _RECORDING.set(None)


def chosen_store() -> Path:
    """Return the store given to the command line or by ``$COCAMONITOR_STORE``, else the default path."""
    rec = _RECORDING.get()
    if rec is not None:
        return rec.store
    from cocamonitor.store import default_store_path

    return default_store_path()
