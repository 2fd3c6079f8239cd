"""Undo what a failed command wrote at its output options (``--out``, ``--plot``, ...).

Light on purpose (standard library only): the command line wraps every command in
:func:`outputs_removed_on_failure` before any heavy import.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["OUTPUT_OPTIONS", "outputs_removed_on_failure"]

#: command-line options that name a file or folder a command writes
OUTPUT_OPTIONS = ("--out", "-o", "--out-tif", "--out-parquet", "--plot")


def _named_outputs(args: list[str]) -> list[Path]:
    paths = []
    for i, a in enumerate(args):
        for opt in OUTPUT_OPTIONS:
            if a == opt and i + 1 < len(args):
                paths.append(Path(args[i + 1]))
            elif a.startswith(opt + "=") and opt.startswith("--"):
                paths.append(Path(a.split("=", 1)[1]))
    return paths


@contextmanager
def outputs_removed_on_failure(args: list[str]) -> Iterator[None]:
    """Around a whole command line: what a failing command wrote at its output options is removed.

    Each ``--out``/``--plot``/... path is watched: a folder as in :func:`removed_on_failure`; a
    file, with the files beside it sharing its stem (``sample.gpkg`` writes ``sample.csv`` too),
    is removed when it did not exist before. Nothing else is ever touched.
    """
    watched: list[tuple[Path, set[str] | None, set[str]]] = []
    for p in _named_outputs(args):
        parent = p.parent if str(p.parent) else Path(".")
        siblings = {e.name for e in parent.iterdir()} if parent.is_dir() else set()
        inside = {e.name for e in p.iterdir()} if p.is_dir() else None
        watched.append((p, inside, siblings if not p.exists() or p.is_file() else set()))
    try:
        yield
    except BaseException:
        for p, inside, siblings in watched:
            try:
                _undo(p, inside, siblings)
            except OSError:  # best effort: the error being raised matters more
                pass
        raise


def _undo(p: Path, inside: set[str] | None, siblings: set[str]) -> None:
    if inside is not None:  # a folder that existed: remove only what is new in it
        for entry in p.iterdir():
            if entry.name not in inside:
                shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        return
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        return
    if p.is_dir() and p.name not in siblings:  # a folder the command created
        shutil.rmtree(p)
        return
    for entry in parent.iterdir():  # the file and its same-stem companions, when new
        if entry.name not in siblings and entry.is_file() and (
                entry.name == p.name or entry.stem == p.stem):
            entry.unlink()
