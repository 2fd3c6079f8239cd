"""Errors as HTTP answers: one line of JSON naming the value and the valid choices.

:class:`~cocamonitor.errors.UnknownNameError` (a dataset, municipality, source... that does not
exist) becomes 404; every other :class:`~cocamonitor.errors.CocamonitorError` and every request
that fails FastAPI's own validation becomes 422. The body is always
``{"detail": "<where>: <what>; <how to fix>"}``, the same line the command line prints.
"""

from __future__ import annotations

import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from cocamonitor.errors import CocamonitorError, UnknownNameError

__all__ = ["install_error_handlers", "one_line", "status_for"]


def status_for(err: CocamonitorError) -> int:
    """HTTP status of a cocamonitor error: 404 for unknown names, 422 otherwise."""
    return 404 if isinstance(err, UnknownNameError) else 422


def one_line(err: CocamonitorError) -> str:
    """Render an error as one line, with command-line options shown as query parameters.

    ``--years`` in ``where`` or in the hint becomes ``years``, ``--skip-missing`` becomes
    ``skip_missing``: the names the API takes.

    Examples
    --------
    >>> from cocamonitor.errors import InputError
    >>> one_line(InputError("cannot read '20x'", where="--years", hint="write 2019-2023"))
    "years: cannot read '20x'; write 2019-2023"

    """
    text = err.message
    if err.where:
        text = f"{err.where.lstrip('-')}: {text}"
    if err.hint:
        text = f"{text}; {err.hint}"
    text = re.sub(r"--([a-z][a-z-]*)", lambda mt: mt.group(1).replace("-", "_"), text)
    return " ".join(text.split())


def _validation_line(err: RequestValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = [str(x) for x in e.get("loc", ()) if x not in ("query", "path", "body")]
        value = e.get("input")
        shown = f" {value!r}" if value is not None and not isinstance(value, dict) else ""
        parts.append(f"{'.'.join(loc) or 'request'}: invalid value{shown}; {e.get('msg', '')}")
    return "; ".join(parts) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn errors into one-line JSON answers."""

    @app.exception_handler(CocamonitorError)
    async def _cocamonitor_error(_request: Request, err: CocamonitorError) -> JSONResponse:
        return JSONResponse({"detail": one_line(err)}, status_code=status_for(err))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, err: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_line(err)}, status_code=422)
