"""What the chatbot's tests share: identities, a small profile, a real HTTP server playing the
site service, and small helpers. (Imported by name; conftest puts this folder on sys.path.)"""

import copy
import hashlib
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fastapi.testclient import TestClient

from mysite_common.identity import Identity, Role

OWNER = Identity(1, "owner", Role.owner, "김주인").to_headers()
MEMBER = Identity(2, "visitor", Role.member, "방문자").to_headers()

# A small JSON Resume of the tests' own (the eval set belongs to the engine's evaluation).
PROFILE: dict[str, Any] = {
    "basics": {
        "name": "Minji Park",
        "label": "Backend Engineer",
        "email": "minji@example.dev",
        "summary": "Backend engineer who builds payment systems in Go and Python.",
        "location": {"city": "Seoul", "countryCode": "KR"},
        "profiles": [
            {"network": "GitHub", "username": "minji", "url": "https://github.com/minji"},
        ],
    },
    "work": [
        {
            "name": "Acme Payments",
            "position": "Senior Backend Engineer",
            "startDate": "2021-03",
            "summary": "Builds the settlement platform.",
        }
    ],
    "skills": [{"name": "Languages", "keywords": ["Go", "Python", "SQL"]}],
    "languages": [{"language": "Korean", "fluency": "Native"}],
}


def profile_with_employer(employer: str) -> dict[str, Any]:
    profile = copy.deepcopy(PROFILE)
    profile["work"][0]["name"] = employer
    return profile


class FakeSite:
    """The site service's GET /api/site/profile, as a real HTTP server with ETags.

    `behaviour` makes it misbehave: "ok", "error" (HTTP 500), "garbage" (not JSON),
    "not_object" (a JSON list), "huge" (over the size limit), "slow" (sleeps 5 s).
    `shape` is "plain" (the JSON Resume itself) or "wrapped" ({"version", "profile"}).
    `stop()` takes it off the network entirely; `start()` brings it back on the same port.
    """

    def __init__(self, profile: dict[str, Any] | None = None) -> None:
        self.profile: dict[str, Any] = copy.deepcopy(profile or PROFILE)
        self.version = 1
        self.behaviour = "ok"
        self.shape = "plain"
        # Language -> the profile in that language, sent (as a site supporting issue 14
        # does) when the chatbot asks for ?translations=true.
        self.translations: dict[str, dict[str, Any]] = {}
        self.full_responses = 0
        self.not_modified_responses = 0
        self._server: ThreadingHTTPServer | None = None
        self._port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def publish(self, profile: dict[str, Any]) -> None:
        self.profile = copy.deepcopy(profile)
        self.version += 1

    def _body(self, with_translations: bool = False) -> bytes:
        if with_translations and self.translations:
            document = {
                "version": self.version,
                "profile": self.profile,
                "translations": self.translations,
            }
            return json.dumps(document, ensure_ascii=False).encode()
        if self.shape == "wrapped":
            return json.dumps({"version": self.version, "profile": self.profile}).encode()
        return json.dumps(self.profile).encode()

    def start(self) -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                if path != "/api/site/profile":
                    self._send(404, b'{"error": "not_found"}', {})
                    return
                behaviour = site.behaviour
                if behaviour == "slow":
                    time.sleep(5)
                if behaviour == "error":
                    self._send(500, b'{"error": "internal_error"}', {})
                    return
                if behaviour == "garbage":
                    self._send(200, b"<html>oops</html>", {"Content-Type": "text/html"})
                    return
                if behaviour == "not_object":
                    self._send(200, b'["basics", "work"]', {"ETag": '"list"'})
                    return
                if behaviour == "huge":
                    body = json.dumps({"basics": {"summary": "x" * 3_000_000}}).encode()
                    self._send(200, body, {"Content-Type": "application/json"})
                    return
                body = site._body(with_translations="translations=true" in query)
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    site.not_modified_responses += 1
                    self._send(304, b"", {"ETag": etag})
                    return
                site.full_responses += 1
                self._send(200, body, {"Content-Type": "application/json", "ETag": etag})

        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._server.daemon_threads = True
        self._port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def ask(client: TestClient, question: str) -> dict[str, Any]:
    response = client.post("/api/chat/ask", json={"question": question})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Polls `check` until it holds ("within seconds" is the contract, not a timing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def logged_questions(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    client.app.state.question_log.flush()
    response = client.get("/api/chat/questions", params=params, headers=OWNER)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
