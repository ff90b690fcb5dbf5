"""A stopped fake is gone, also for a client that holds a keep-alive connection to it."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest

from mysite_testing.fake_server import FakeServer


class Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the fakes answer

    def log_message(self, *_args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")


def test_a_stopped_server_does_not_answer_on_a_pooled_connection() -> None:
    server = FakeServer(("127.0.0.1", 0), Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    with httpx.Client(timeout=5) as client:
        assert client.get(url).text == "hello"  # the connection now waits in the pool
        server.shutdown()
        server.server_close()
        with pytest.raises(httpx.TransportError):
            client.get(url)
