"""Exceptions and warnings raised by cocamonitor.

Every error that bad input can cause is a subclass of :class:`CocamonitorError`, so that a
script can catch all of them with one ``except`` clause and the command line can turn them
into one line on stderr and exit code 2. Errors also subclass the builtin they replace
(``ValueError``, ``LookupError``), so code written against the builtins keeps working.

Messages say *what* is wrong, *where* (file, row, column, parameter) and *how to fix it*.

A parameter is named by its Python name: ``where="skip_missing"``, and in backticks in the
message or hint ("pass `skip_missing`"). Each edge renames them to its own vocabulary in one
place with :func:`rename_parameters`: the command line to its options, the web API to its
query parameters.

Examples
--------
>>> from cocamonitor.errors import InputError
>>> try:
...     raise InputError("unknown year 1990", where="year", hint="use 2001-2024 or pass `skip_missing`")
... except InputError as err:
...     print(err)
year: unknown year 1990; use 2001-2024 or pass `skip_missing`

"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from difflib import get_close_matches

__all__ = [
    "CocamonitorError",
    "CocamonitorWarning",
    "DataError",
    "DesignError",
    "InputError",
    "ParameterError",
    "SchemaError",
    "StoreError",
    "StoreLockedError",
    "UnknownNameError",
    "clip",
    "rename_parameters",
    "shown",
    "suggest",
]


class CocamonitorError(Exception):
    """Base class of every error cocamonitor raises on purpose.

    Parameters
    ----------
    message : str
        What is wrong.
    where : str, optional
        Where it is: a file with row and column, or a parameter's Python name (``"years"``; two
        parameters as ``"zones/grid"``), which the edges rename (:func:`rename_parameters`).
    hint : str, optional
        How to fix it. Message and hint name parameters in backticks: ``"pass `skip_missing`"``.

    """

    #: exit code of the command line when this error stops a command (2: bad input)
    exit_code: int = 2

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        text = self.message
        if self.where:
            text = f"{self.where}: {text}"
        if self.hint:
            text = f"{text}; {self.hint}"
        return text

    def __reduce__(self):  # keep pickling (multiprocessing, dask) working with keyword args
        return (_rebuild, (type(self), self.message, self.where, self.hint))


def _rebuild(cls, message, where, hint):  # pragma: no cover - exercised through pickle
    return cls(message, where=where, hint=hint)


class InputError(CocamonitorError, ValueError):
    """Input that cannot be used as given: a bad value, file, option or table."""


class SchemaError(InputError):
    """A table lacks a column, has the wrong type in it, or has duplicated keys."""


class DataError(InputError):
    """Values in a table are impossible (negative areas, missing values, unparseable numbers)."""


class ParameterError(InputError):
    """A model parameter is unknown, out of range or inconsistent."""


class DesignError(InputError):
    """A sampling design cannot support the estimate asked for (e.g. a stratum with one unit)."""


class UnknownNameError(InputError, LookupError):
    """A name (dataset, territory, preset, source) that is not known; the message lists close matches."""


class StoreError(InputError):
    """The results store cannot be used: locked by another process, not a store, or no such run."""


class StoreLockedError(StoreError):
    """Another process is writing the store: not bad input, try again (command-line exit code 75)."""

    exit_code = 75  # EX_TEMPFAIL (sysexits.h): a temporary failure, the user is invited to retry


class CocamonitorWarning(UserWarning):
    """Something the user should know about, with what to do, that does not stop the run."""


#: a parameter named in a message or hint: its Python name in backticks (`skip_missing`)
_PARAMETER = re.compile(r"`([a-z][a-z0-9_]*)`")
_WHERE = re.compile(r"[a-z][a-z0-9_]*(?:/[a-z][a-z0-9_]*)*")


def rename_parameters(err: CocamonitorError, name: Callable[[str], str | None]) -> CocamonitorError:
    """Return ``err`` with its parameters named in an edge's vocabulary (the one place an edge renames).

    ``where``, when it is a parameter name (or several joined by ``/``), and every parameter
    named in backticks in the message and the hint become ``name(parameter)``. A parameter
    for which ``name`` returns ``None`` keeps its Python name (in backticks in the text).

    Parameters
    ----------
    err : CocamonitorError
        An error raised by the core.
    name : callable
        The edge's name of a core parameter (the command line's option, the API's query
        parameter), or ``None`` for a parameter the edge does not have.

    Returns
    -------
    CocamonitorError
        A new error of the same type (``err`` itself when nothing was renamed).

    Examples
    --------
    >>> err = InputError("no figure for 2008", where="years", hint="pass `skip_missing`")
    >>> print(rename_parameters(err, lambda p: p.upper()))
    YEARS: no figure for 2008; pass SKIP_MISSING
    >>> print(rename_parameters(err, lambda p: None))
    years: no figure for 2008; pass `skip_missing`

    """

    def text(value: str | None) -> str | None:
        if not value:
            return value
        return _PARAMETER.sub(lambda m: name(m.group(1)) or m.group(0), value)

    where = err.where
    if where and _WHERE.fullmatch(where):
        where = "/".join(name(p) or p for p in where.split("/"))
    renamed = (text(err.message) or "", where, text(err.hint))
    if renamed == (err.message, err.where, err.hint):
        return err
    new = type(err)(renamed[0], where=renamed[1], hint=renamed[2])
    new.__cause__, new.__context__ = err.__cause__, err.__context__
    return new


def suggest(value: str, choices: Iterable[str], *, n: int = 5) -> str:
    """Return a short "did you mean" phrase for ``value`` among ``choices``.

    Parameters
    ----------
    value : str
        What the user typed.
    choices : iterable of str
        The valid values.
    n : int, default 5
        How many suggestions at most.

    Returns
    -------
    str
        ``"did you mean: a, b?"`` when there are close matches, else ``"valid: a, b, c"``
        (truncated to ``n`` items).

    Examples
    --------
    >>> suggest("coca-nacional", ["coca-national", "coca-municipal", "labs"])
    'did you mean: coca-national, coca-municipal?'

    """
    pool: Sequence[str] = sorted(set(map(str, choices)))
    close = get_close_matches(str(value)[:200], pool, n=n, cutoff=0.6)
    if close:
        return "did you mean: " + ", ".join(close) + "?"
    shown = ", ".join(pool[:n])
    more = f", ... ({len(pool)} in all)" if len(pool) > n else ""
    return f"valid: {shown}{more}"


def clip(text: str, limit: int = 200) -> str:
    r"""Cut a message part (a parser's text, a path) to ``limit`` characters on one line.

    >>> clip("a\nb" * 3, limit=5)
    'a ba…'
    """
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value: object, limit: int = 60) -> str:
    """``repr`` of a value typed or read by a user, cut to ``limit`` characters for messages.

    Examples
    --------
    >>> shown("x" * 100, limit=12)
    "'xxxxxxxx…' (100 characters)"
    >>> shown("61,45")
    "'61,45'"

    """
    text = str(value)
    if len(text) <= limit:
        return repr(text) if isinstance(value, str) else text
    return f"{text[: max(limit - 4, 1)]!r}"[:-1] + "…' " + f"({len(text)} characters)"
