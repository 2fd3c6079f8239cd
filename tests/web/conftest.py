"""Fixtures of the web tests: one app and TestClient per session, and a live server for Chromium."""

from __future__ import annotations

import socket
import threading
import time
import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)


@pytest.fixture(scope="session")
def client():
    from fastapi.testclient import TestClient

    from cocamonitor.web import create_app

    with TestClient(create_app(lang="es")) as c:
        yield c


@pytest.fixture(scope="session")
def live_server():
    """The app served by uvicorn on a free port of 127.0.0.1 (in a thread), warmed up."""
    import uvicorn

    from cocamonitor.web import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(lang="es", warm=True), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
