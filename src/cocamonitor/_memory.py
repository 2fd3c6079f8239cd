"""How much memory a request needs against what the machine has: refuse before allocating.

Sizes typed by a user (Monte Carlo draws, a simulated landscape's side, a span of years)
decide how much memory a command allocates. :func:`check_memory` compares an estimate of the
bytes needed with the memory available (``MemAvailable`` of ``/proc/meminfo``, bounded by a
cgroup limit) and raises :class:`~cocamonitor.errors.ParameterError` naming the parameter,
so a typo such as ``draws=100000000000`` is one clear line, never a ``MemoryError`` or a
machine that swaps.

Examples
--------
>>> check_memory(8 * 1000, where="draws", what="1000 draws")  # a few kB: fine
>>> try:
...     check_memory(10**18, where="draws", what="10**17 draws")
... except ParameterError as err:
...     print(str(err).split(" of memory")[0])
draws: 10**17 draws need about 1 EB

"""

from __future__ import annotations

import os
from pathlib import Path

from cocamonitor.errors import ParameterError

__all__ = ["available_memory", "check_memory", "format_bytes"]

#: share of the available memory one request may take (the rest: Python, other programs)
SHARE = 0.5


def format_bytes(n: float) -> str:
    """``1536`` -> ``'1.5 kB'`` (powers of 1000, as the hint says "about").

    >>> format_bytes(3.2e9)
    '3.2 GB'
    """
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1000:
            return f"{n:.3g} {unit}"
        n /= 1000
    return f"{n:.3g} EB"


def _cgroup_limit() -> int | None:
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:
            return int(text)
    return None


def available_memory() -> int:
    """Bytes of memory this process could still use (physical, not swap).

    >>> available_memory() > 0
    True
    """
    avail = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                avail = int(line.split()[1]) * 1024
                break
    except (OSError, ValueError, IndexError):
        pass
    if avail is None:
        try:
            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):  # not POSIX: assume 4 GB free
            avail = 4 * 10**9
    limit = _cgroup_limit()
    return min(avail, limit) if limit is not None else avail


def check_memory(nbytes: float, *, where: str, what: str, hint: str | None = None) -> None:
    """Raise :class:`ParameterError` when ``nbytes`` is over half the memory available.

    Parameters
    ----------
    nbytes : float
        Estimate of the peak memory the request needs.
    where : str
        The parameter that sets the size (the command line names its option instead).
    what : str
        The request in words, e.g. ``"30000 x 30000 pixels"``.
    hint : str, optional
        How to fix it (default: give a smaller value).

    """
    avail = available_memory()
    if nbytes > SHARE * avail:
        raise ParameterError(
            f"{what} need about {format_bytes(nbytes)} of memory, more than half of the "
            f"{format_bytes(avail)} available",
            where=where, hint=hint or "give a smaller value",
        )
