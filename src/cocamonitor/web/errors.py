"""Errors as HTTP answers: one line of JSON naming the value and the valid choices.

:class:`~cocamonitor.errors.UnknownNameError` (a dataset, municipality, source... that does not
exist) becomes 404; every other :class:`~cocamonitor.errors.CocamonitorError` and every request
that fails FastAPI's own validation becomes 422. The body is always
``{"detail": "<where>: <what>; <how to fix>"}``, the same line the command line prints, and
the OpenAPI schema says so (:data:`ERROR_RESPONSES`). The line is in English, or in Spanish when
the request asks for it with ``?lang=es`` or ``Accept-Language: es`` (:mod:`cocamonitor.messages`;
the answer says which in ``Content-Language``). A page of the dashboard (a path outside
``/api``, ``/view`` and ``/download``) answers with a small HTML page carrying the same line
instead, so a mistyped dashboard address shows a page, not raw JSON.
"""

from __future__ import annotations

import html

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from cocamonitor.errors import CocamonitorError, UnknownNameError, rename_parameters

__all__ = ["ERROR_RESPONSES", "ErrorBody", "answer_lang", "install_error_handlers", "one_line", "status_for"]


class ErrorBody(BaseModel):
    """The body of every error answer of the API: one line saying what, where and how to fix it."""

    detail: str


#: error answers of the API routes, for the OpenAPI schema (replaces FastAPI's list-of-errors 422)
ERROR_RESPONSES: dict[int | str, dict] = {
    404: {"model": ErrorBody, "description": "Unknown name (dataset, municipality, ...) or path"},
    422: {"model": ErrorBody, "description": "Bad value of a parameter: what, where and how to fix it"},
    503: {"model": ErrorBody, "description": "Busy: too many heavy requests at once; retry after "
          "the seconds in Retry-After"},
}

_MACHINE = ("/api", "/view", "/download", "/static", "/openapi", "/assets")
_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>cocamonitor: {status}</title>
<link rel="stylesheet" href="/static/dashboard.css"></head>
<body><main style="max-width:46rem;margin:3rem auto;font-family:sans-serif">
<h1>{title}</h1><p>{line}</p><p><a href="/">{back}</a></p></main></body></html>
"""


def answer_lang(request: Request) -> str:
    """Return the language of an error answer.

    The API and the views: ``?lang=``, else the best of ``Accept-Language``, else English. A
    dashboard page: ``?lang=``, else the app's language, as the dashboard's own pages.
    """
    from cocamonitor.messages import request_lang

    if request.url.path.startswith(_MACHINE):
        return request_lang(request.query_params.get("lang"), request.headers.get("accept-language"), "en")
    return request_lang(request.query_params.get("lang"), None, getattr(request.app.state, "lang", "es"))


def _answer(request: Request, line: str, status: int, headers: dict[str, str] | None = None) -> Response:
    """JSON for the API and the views; a small HTML page for a dashboard page."""
    headers = {**(headers or {}), "Content-Language": answer_lang(request), "Vary": "Accept-Language"}
    if request.url.path.startswith(_MACHINE):
        return JSONResponse({"detail": line}, status_code=status, headers=headers)
    lang = answer_lang(request)
    title = {"es": {404: "Página no encontrada"}, "en": {404: "Page not found"}}[lang].get(
        status, "Dirección no válida" if lang == "es" else "Invalid address")
    back = "Volver al tablero" if lang == "es" else "Back to the dashboard"
    page = _PAGE.format(lang=lang, status=status, title=title, line=html.escape(line), back=back)
    return HTMLResponse(page, status_code=status, headers=headers)


def status_for(err: CocamonitorError) -> int:
    """HTTP status of a cocamonitor error: 404 for unknown names, 422 otherwise."""
    return 404 if isinstance(err, UnknownNameError) else 422


#: query parameters of the API named otherwise than the core parameter they set (none yet)
QUERY_NAMES: dict[str, str] = {}


def one_line(err: CocamonitorError) -> str:
    """Render an error as one line, with the core's parameters named as the API's query parameters.

    A core parameter (``where="years"``, "pass `skip_missing`") is the query parameter of the
    same name unless :data:`QUERY_NAMES` says otherwise: the names the API takes.

    Examples
    --------
    >>> from cocamonitor.errors import InputError
    >>> one_line(InputError("cannot read '20x'", where="years", hint="write 2019-2023 or pass `skip_missing`"))
    "years: cannot read '20x'; write 2019-2023 or pass skip_missing"

    """
    err = rename_parameters(err, lambda name: QUERY_NAMES.get(name, name))
    text = err.message
    if err.where:
        text = f"{err.where}: {text}"
    if err.hint:
        text = f"{text}; {err.hint}"
    return " ".join(text.split())


def _validation_line(err: RequestValidationError, lang: str = "en") -> str:
    from cocamonitor import messages

    translate_text = messages.translate_text
    parts = []
    for e in err.errors():
        loc = [str(x) for x in e.get("loc", ()) if x not in ("query", "path", "body")]
        value = e.get("input")
        shown = f" {value!r}" if value is not None and not isinstance(value, dict) else ""
        what = translate_text(f"invalid value{shown}", lang)
        parts.append(f"{'.'.join(loc) or 'request'}: {what}; {translate_text(str(e.get('msg', '')), lang)}")
    return "; ".join(parts) or translate_text("invalid request", lang)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn errors into one-line JSON answers."""
    from cocamonitor import messages

    @app.exception_handler(CocamonitorError)
    async def _cocamonitor_error(request: Request, err: CocamonitorError) -> Response:
        # first the language, then the core's parameter names become the API's
        return _answer(request, one_line(messages.translate_error(err, answer_lang(request))), status_for(err))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, err: RequestValidationError) -> Response:
        return _answer(request, _validation_line(err, answer_lang(request)), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, err: StarletteHTTPException) -> Response:
        line = str(err.detail) if err.status_code != 404 else f"no page at {request.url.path[:200]}"
        line = messages.translate_text(" ".join(line.split()), answer_lang(request))
        return _answer(request, line, err.status_code, getattr(err, "headers", None))
