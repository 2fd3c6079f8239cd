"""``cocamonitor serve``: the web dashboard and JSON API on a local port (works offline)."""

from __future__ import annotations

from typing import Annotated

import typer

from cocamonitor.commands._common import err_console
from cocamonitor.errors import InputError

__all__ = ["register", "serve"]


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    lang: Annotated[str, typer.Option("--lang", help="Default language of the pages: es or en.")] = "es",
) -> None:
    """Serve the dashboard (map with year slider, municipality profiles, national series) and the /api.

    Example: cocamonitor serve --port 8000 --lang en, then open http://127.0.0.1:8000/
    (API documentation at /docs).
    """
    from cocamonitor.report.locale import check_lang

    lang = check_lang(lang)
    try:
        import uvicorn

        from cocamonitor.web import create_app
    except ImportError as err:  # pragma: no cover - the web extra is not installed
        raise InputError(f"the web dashboard needs {err.name}", where="serve",
                         hint="pip install 'cocamonitor[web]'") from None
    err_console.print(f"cocamonitor dashboard on http://{host}:{port}/ (API docs: /docs); Ctrl+C stops it")
    uvicorn.run(create_app(lang=lang, warm=True), host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the root app."""
    app.command("serve")(serve)
