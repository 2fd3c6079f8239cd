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
    _check_port_free(host, port)  # before the banner: a busy port is one line, exit 2
    loopback = host in ("127.0.0.1", "localhost", "::1")
    if not loopback:
        err_console.print(f"warning: --host {host} serves the dashboard to every machine that can reach "
                          "this one (no login); use the default 127.0.0.1 to keep it on this machine",
                          highlight=False)
    hosts = ["127.0.0.1", "localhost", "[::1]", host] if loopback else None
    err_console.print(f"cocamonitor dashboard on http://{host}:{port}/ (API docs: /docs); Ctrl+C stops it")
    uvicorn.run(create_app(lang=lang, warm=True, allowed_hosts=hosts), host=host, port=port, log_level="warning")


def _check_port_free(host: str, port: int) -> None:
    """Refuse a port another program listens on, or an address this machine does not have."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as err:
        raise InputError(f"cannot listen on {host!r}: {err.strerror or err}", where="--host",
                         hint="give an address of this machine, e.g. 127.0.0.1") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as err:
            raise InputError(f"cannot listen on {host}:{port}: {err.strerror or err}", where="--port",
                             hint="another program uses it; give another --port, e.g. --port 8001") from None


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the root app."""
    app.command("serve")(serve)
