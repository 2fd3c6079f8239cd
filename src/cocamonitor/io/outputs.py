"""Where outputs go: folders made on demand, and one clear error when they cannot be.

Every command that writes files calls one of these *before* it does any work, so that a typo
in an output path is reported in one line at once, not as a traceback after a long computation.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> root = Path(tempfile.mkdtemp())
>>> output_file(root / "tables" / "areas.csv").parent.is_dir()
True
>>> output_dir(root / "report").is_dir()
True

"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cocamonitor.errors import InputError

__all__ = ["output_dir", "output_file"]

_HINT = "give a path in a folder you can write to"


def _make(folder: Path, target: Path, where: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file stands where a folder is needed
        raise InputError(f"cannot write {target}: {folder} is a file, not a folder", where=where,
                         hint=_HINT) from None
    except OSError as err:
        raise InputError(f"cannot write {target}: {err.strerror or err}", where=where, hint=_HINT) from None
    if not os.access(folder, os.W_OK):
        raise InputError(f"cannot write {target}: folder {folder} is not writable", where=where, hint=_HINT)
    try:  # a real file, as root in /proc or on a read-only mount os.access says yes but writes fail
        fd, probe = tempfile.mkstemp(prefix=".cocamonitor-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise InputError(f"cannot write {target}: {err.strerror or err}", where=where, hint=_HINT) from None


def output_file(path: str | Path, *, where: str = "out") -> Path:
    """Return ``path`` once its folder exists (created if missing) and it is not a folder itself.

    Raises
    ------
    InputError
        ``path`` is a folder, or its folder cannot be created or written to.

    """
    p = Path(path)
    if p.is_dir():
        raise InputError(f"cannot write {p}: it is a folder", where=where, hint="give a file name")
    _make(p.parent if str(p.parent) else Path("."), p, where)
    return p


def output_dir(path: str | Path, *, where: str = "out") -> Path:
    """Return ``path`` once it exists as a writable folder (created if missing).

    Raises
    ------
    InputError
        ``path`` is a file, or cannot be created or written to.

    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"cannot write into {p}: it is a file, not a folder", where=where,
                         hint="give a folder (it is created if missing)")
    _make(p, p, where)
    return p
