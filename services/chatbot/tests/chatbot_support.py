"""What the chatbot's tests share: identities, a small profile, a real HTTP server playing the
site service, and small helpers. (Imported by name; conftest puts this folder on sys.path.)"""

import copy
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from fastapi.testclient import TestClient

from mysite_common.identity import Identity, Role
from mysite_testing.fake_server import FakeServer
from mysite_testing.waiting import eventually as eventually

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
    """The site service as the chatbot sees it, a real HTTP server: GET /api/site/knowledge
    with ETags (the profile, its translations and the owner's FAQ), and the FAQ hand-over
    (POST /internal/faq, once per key) and legacy import (POST /internal/faq/import, once
    per legacy id) with the site's limits.

    `behaviour` makes it misbehave: "ok", "error" (HTTP 500), "garbage" (not JSON),
    "not_object" (a JSON list), "huge" (over the size limit), "slow" (sleeps 5 s).
    `stop()` takes it off the network entirely; `start()` brings it back on the same port.
    """

    MAX_QUESTION = 500
    MAX_ANSWER = 4000

    def __init__(self, profile: dict[str, Any] | None = None) -> None:
        self.profile: dict[str, Any] | None = copy.deepcopy(profile or PROFILE)
        self.version = 1
        self.behaviour = "ok"
        # Language -> the profile in that language.
        self.translations: dict[str, dict[str, Any]] = {}
        self.faqs: dict[int, dict[str, Any]] = {}
        self.faq_keys: dict[str, int] = {}
        self.max_faq_entries = 500
        self.full_responses = 0
        self.not_modified_responses = 0
        self.import_calls = 0
        self._next_faq_id = 1
        self._lock = threading.Lock()
        self._server: FakeServer | None = None
        self._port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def publish(self, profile: dict[str, Any] | None) -> None:
        self.profile = copy.deepcopy(profile)
        self.version += 1

    # --- the owner's FAQ, as /api/site/faq changes it ----------------------------------------

    def add_faq(self, question: str, answer: str, key: str | None = None) -> dict[str, Any]:
        with self._lock:
            entry = {"id": self._next_faq_id, "question": question, "answer": answer}
            self._next_faq_id += 1
            self.faqs[entry["id"]] = entry
            if key is not None:
                self.faq_keys[key] = entry["id"]
            return dict(entry)

    def update_faq(self, faq_id: int, question: str, answer: str) -> None:
        with self._lock:
            self.faqs[faq_id] = {"id": faq_id, "question": question, "answer": answer}

    def delete_faq(self, faq_id: int) -> None:
        with self._lock:
            self.faqs.pop(faq_id, None)

    def _document(self) -> bytes:
        with self._lock:
            faqs = [self.faqs[faq_id] for faq_id in sorted(self.faqs)]
        document = {
            "version": self.version if self.profile is not None else 0,
            "language": "en",
            "profile": self.profile,
            "translations": self.translations if self.profile is not None else {},
            "faq_revision": len(faqs),
            "faq": faqs,
        }
        return json.dumps(document).encode()

    def _hand_over(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        question, answer, key = body.get("question"), body.get("answer"), body.get("key")
        if not (isinstance(question, str) and isinstance(answer, str) and isinstance(key, str)):
            return 422, {"error": "invalid_request", "message": "Bad entry."}
        question, answer = " ".join(question.split()), answer.strip()
        if not question or not answer:
            return 422, {"error": "empty_text", "message": "The answer cannot be empty."}
        if len(question) > self.MAX_QUESTION or len(answer) > self.MAX_ANSWER:
            return 422, {"error": "text_too_long", "message": "Too long."}
        with self._lock:
            known = self.faq_keys.get(key)
            if known is not None and known in self.faqs:
                return 200, {**self._public(self.faqs[known]), "created": False}
            if len(self.faqs) >= self.max_faq_entries:
                return 409, {"error": "faq_full", "message": "The FAQ is full."}
        entry = self.add_faq(question, answer, key)
        return 201, {**self._public(entry), "created": True}

    def _import(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.import_calls += 1
        imported, refused = [], []
        for item in body.get("entries", []):
            key = f"chatbot-faq:{item['legacy_id']}"
            if len(item["question"]) > self.MAX_QUESTION:
                refused.append({"legacy_id": item["legacy_id"], "error": "text_too_long"})
                continue
            with self._lock:
                known = self.faq_keys.get(key)
            if known is None:
                known = self.add_faq(item["question"], item["answer"], key)["id"]
            imported.append({"legacy_id": item["legacy_id"], "id": known})
        return 200, {"imported": imported, "refused": refused}

    @staticmethod
    def _public(entry: dict[str, Any]) -> dict[str, Any]:
        now = "2026-12-05T00:00:00Z"
        return {**entry, "created_at": now, "updated_at": now}

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

            def _misbehave(self) -> bool:
                behaviour = site.behaviour
                if behaviour == "slow":
                    time.sleep(5)
                if behaviour == "error":
                    self._send(500, b'{"error": "internal_error"}', {})
                    return True
                return False

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self._misbehave():
                    return
                if self.path == "/internal/faq":
                    status, answer = site._hand_over(body)
                elif self.path == "/internal/faq/import":
                    status, answer = site._import(body)
                else:
                    status, answer = 404, {"error": "not_found", "message": "Not found."}
                payload = json.dumps(answer, ensure_ascii=False).encode()
                self._send(status, payload, {"Content-Type": "application/json"})

            def do_GET(self) -> None:
                path, _, _query = self.path.partition("?")
                if path != "/api/site/knowledge":
                    self._send(404, b'{"error": "not_found"}', {})
                    return
                if self._misbehave():
                    return
                behaviour = site.behaviour
                if behaviour == "garbage":
                    self._send(200, b"<html>oops</html>", {"Content-Type": "text/html"})
                    return
                if behaviour == "not_object":
                    self._send(200, b'["basics", "work"]', {"ETag": '"list"'})
                    return
                if behaviour == "huge":
                    body = json.dumps({"profile": {"summary": "x" * 3_000_000}}).encode()
                    self._send(200, body, {"Content-Type": "application/json"})
                    return
                body = site._document()
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    site.not_modified_responses += 1
                    self._send(304, b"", {"ETag": etag})
                    return
                site.full_responses += 1
                self._send(200, body, {"Content-Type": "application/json", "ETag": etag})

        self._server = FakeServer(("127.0.0.1", self._port), Handler)
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


def logged_questions(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    client.app.state.question_log.flush()
    response = client.get("/api/chat/questions", params=params, headers=OWNER)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
