"""The HTTP server under every fake third party (the site, Kakao, an LLM endpoint).

A fake that is stopped must look like a process that is gone. `ThreadingHTTPServer` alone
does not: `shutdown()` and `server_close()` stop accepting, but a client that holds an
HTTP/1.1 keep-alive connection (httpx and requests pool them) is still answered on it by
the handler's thread. So a test that stops a fake to check "the third party is down" passed
or failed on whether the client happened to reuse a pooled connection. This server
remembers the connections it holds and drops them when it is closed.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import ThreadingHTTPServer
from typing import Any


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._open_connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._open_connections.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        with self._connections_lock:
            still_open, self._open_connections = self._open_connections, set()
        for connection in still_open:
            # The handler's thread then reads end-of-stream and closes the socket itself.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
