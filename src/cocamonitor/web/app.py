"""The FastAPI application: dashboard pages, view fragments, CSV downloads and the JSON API.

Examples
--------
>>> from fastapi.testclient import TestClient
>>> client = TestClient(create_app(lang="en"))
>>> client.get("/api/coca/2020").json()["total_ha"] > 0
True
>>> r = client.get("/api/coca/1990")
>>> r.status_code, r.json()["detail"]
(422, 'year: no coca census for year 1990; valid choices: 2001-2024')

"""

from __future__ import annotations

from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from cocamonitor import __version__
from cocamonitor.report.locale import check_lang
from cocamonitor.web.errors import install_error_handlers

__all__ = ["BUSY_LIMIT", "CONTENT_SECURITY_POLICY", "create_app"]

#: requests to /api, /view and /download served at once; more get 503 with Retry-After at once
#: (a server that queues them answers every client late; one that refuses some answers the rest)
BUSY_LIMIT = 24

#: Everything comes from the server itself: no CDN, no tiles, no third-party request.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'self'"
)


def create_app(lang: str = "es", *, warm: bool = False, busy_limit: int = BUSY_LIMIT,
               allowed_hosts: list[str] | None = None) -> FastAPI:
    """Build the dashboard application.

    Parameters
    ----------
    lang : {"es", "en"}
        Default language of the pages (a page's ``?lang=`` overrides it).
    warm : bool
        Compute every cached result (trend panel, production Monte Carlo of every year, map
        geometry) at start-up instead of on first use.
    busy_limit : int
        Data requests (``/api``, ``/view``, ``/download``) served at once; one more is answered
        503 with ``Retry-After: 1`` instead of waiting in a queue.
    allowed_hosts : list of str, optional
        Host headers accepted (others get 400): ``cocamonitor serve`` on 127.0.0.1 accepts only
        its own names, so a web page elsewhere cannot reach it by DNS rebinding. Default: any.

    Raises
    ------
    UnknownNameError
        ``lang`` is not ``es`` or ``en``.

    """
    lang = check_lang(lang, where="lang")

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if warm:
            from cocamonitor.web.state import warm as _warm

            _warm()
        yield

    app = FastAPI(
        title="cocamonitor",
        version=__version__,
        description="Coca cultivation and cocaine production in Colombia: bundled official tables, "
        "trend tests and production estimates with their uncertainty.",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's Swagger UI and ReDoc load their scripts from a CDN:
        redoc_url=None,  # /docs is rendered on the server from the OpenAPI schema instead
    )
    app.state.lang = lang
    install_error_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    if allowed_hosts:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        app.add_middleware(TrustedHostMiddleware, allowed_hosts=[h.strip("[]") for h in allowed_hosts])

    in_flight = 0

    @app.middleware("http")
    async def _security_headers(request, call_next):
        nonlocal in_flight
        heavy = request.url.path.startswith(("/api/", "/view/", "/download/"))
        if heavy and in_flight >= busy_limit:
            from fastapi.responses import JSONResponse

            return JSONResponse({"detail": f"busy: {in_flight} requests in progress; retry in a second"},
                                status_code=503, headers={"Retry-After": "1"})
        in_flight += heavy
        try:
            response = await call_next(request)
        finally:
            in_flight -= heavy
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    from cocamonitor.web.routes import api, evaluation, layers, pages, views

    app.include_router(api.router)
    app.include_router(views.router)
    app.include_router(evaluation.router)
    app.include_router(layers.router)
    app.include_router(pages.router)
    static = resources.files("cocamonitor.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app
