"""The app served by uvicorn in a thread on a free local port, for tests that need a real HTTP server (a
browser, or a client at a URL)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn

from api.app import GraphiQLSetup, create_app
from api.context import Services
from domain.db.engine import make_engine
from domain.shared.clock import SystemClock


@contextmanager
def serving(database_url: str, setup: GraphiQLSetup | None = None) -> Iterator[str]:
    """Serve the app on 127.0.0.1 at a free port, with an engine of its own (the server's thread runs its own
    event loop); yield its base URL."""
    app = create_app(Services(make_engine(database_url), SystemClock()), setup)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                pytest.fail("uvicorn did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
