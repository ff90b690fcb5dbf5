"""A stand-in for kakao's `POST /internal/notifications`: a real HTTP server on 127.0.0.1
that records what the site and the chatbot report, and can fail on demand.

    with NotificationRecorder() as kakao:
        ... SITE_KAKAO_URL=kakao.url
        kakao.fail_next(3)            # the next three answers: 503 (kakao restarting)
        kakao.fail_next(1, "hang_up") # closes the connection without an answer
        kakao.wait_for(1)             # the events it stored, as JSON bodies

Like the real endpoint it answers 202 once per (kind, event_id) and marks a repeat with
`Idempotent-Replayed: true`, so a test can tell how many distinct events arrived.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from mysite_testing.fake_server import FakeServer

PATH = "/internal/notifications"
KINDS = ("guestbook_entry", "declined_question")
EVENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class NotificationRecorder:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []  # distinct events, in arrival order
        self.requests = 0
        self.request_ids: list[str] = []
        self._failures: list[str] = []
        self._lock = threading.Lock()
        self._server: FakeServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> NotificationRecorder:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                recorder._handle(self)

        self._server = FakeServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> NotificationRecorder:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def fail_next(self, count: int, mode: str = "unavailable") -> None:
        """`unavailable` answers 503; `hang_up` closes the connection without an answer."""
        with self._lock:
            self._failures.extend([mode] * count)

    def reset(self) -> None:
        with self._lock:
            self.events.clear()
            self._failures.clear()
            self.requests = 0
            self.request_ids.clear()

    def wait_for(self, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if len(self.events) >= count:
                    return list(self.events)
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.events)} events arrived, expected {count}")
            time.sleep(0.02)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length)
        with self._lock:
            self.requests += 1
            failure = self._failures.pop(0) if self._failures else None
        if failure == "hang_up":
            handler.close_connection = True
            handler.connection.close()
            return
        if failure == "unavailable":
            self._answer(handler, 503, {"error": "unavailable", "message": "restarting"})
            return
        if handler.path != PATH:
            self._answer(handler, 404, {"error": "not_found", "message": "No such route."})
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self._answer(handler, 422, {"error": "invalid_request", "message": "Not JSON."})
            return
        if (
            not isinstance(body, dict)
            or body.get("kind") not in KINDS
            or not EVENT_ID.fullmatch(str(body.get("event_id")))
            or not isinstance(body.get("text"), str)
            or not body["text"].strip()
        ):
            self._answer(handler, 422, {"error": "invalid_request", "message": "Bad event."})
            return
        with self._lock:
            self.request_ids.append(handler.headers.get("X-Request-Id") or "")
            replayed = any(
                event["kind"] == body["kind"] and event["event_id"] == body["event_id"]
                for event in self.events
            )
            if not replayed:
                self.events.append(body)
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        self._answer(handler, 202, {"status": "queued", "reason": None}, headers)

    @staticmethod
    def _answer(
        handler: BaseHTTPRequestHandler,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
