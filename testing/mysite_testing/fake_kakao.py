"""A strict local stand-in for Kakao's OAuth (kauth) and API (kapi) hosts.

One real HTTP server on 127.0.0.1 serves both hosts' paths, so the kakao service is pointed
at it with KAKAO_AUTH_URL = KAKAO_API_URL = fake.url. It follows
shared/reference/kakao-api.md and is deliberately strict where the reference says a client
must be careful: form-encoded bodies only, `template_object` must be a valid text template,
a bearer header, codes are single-use, refresh tokens are renewed only in their last month
(and the old one dies then), issue limits give KOE237, and every documented error code can be
produced. Where the reference says a behaviour is undocumented, the choice made here is
named in a comment.

Its clock is controllable (`advance(seconds)`), and it can be told to fail (`fail_next`),
slow down (`slow`) or go away (`outage` / `recover`).

In tests:

    with FakeKakao(redirect_uris=["http://testserver/api/kakao/oauth/callback"]) as kakao:
        ... KAKAO_AUTH_URL=kakao.url, KAKAO_API_URL=kakao.url ...
        kakao.delivered  # every message Kakao accepted, template decoded

For the local stack, as its own process (controlled over HTTP under /_fake/, see
`FakeKakaoControl`):

    python -m mysite_testing.fake_kakao --port 9400 --redirect-uri http://127.0.0.1:8000/api/kakao/oauth/callback
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import logging
import secrets
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from mysite_testing.fake_server import FakeServer

logger = logging.getLogger(__name__)

ACCESS_TOKEN_SECONDS = 21599  # observed REST lifetime: 6 h
REFRESH_TOKEN_SECONDS = 5183999  # observed: about 60 days
RENEWAL_WINDOW_SECONDS = 30 * 24 * 3600  # a refresh renews the refresh token in its last month
ACCESS_TOKEN_LIMIT = (20, 600)  # per user: 20 access tokens per 10 minutes
REFRESH_TOKEN_LIMIT = (30, 3600)  # per user: 30 refresh tokens per 60 minutes
MAX_TEXT_LENGTH = 200
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

# What `fail_next(n, kind)` makes the next n matching requests answer.
SEND_FAILURES: dict[str, tuple[int, dict[str, Any]]] = {
    "internal": (400, {"msg": "internal error", "code": -1}),
    "bad_parameter": (400, {"msg": "failed to parse parameter. name=template_object", "code": -2}),
    "app_consent_disabled": (
        403,
        {"msg": "App does not have the required consent item enabled.", "code": -3},
    ),
    "rate_limited": (400, {"msg": "API limit has been exceeded.", "code": -10}),
    "unauthorized": (401, {"msg": "this access token does not exist", "code": -401}),
    "insufficient_scope": (
        403,
        {
            "msg": "insufficient scopes.",
            "code": -402,
            "api_type": "TALK_MEMO_DEFAULT_SEND",
            "required_scopes": ["talk_message"],
            "allowed_scopes": ["profile_nickname"],
        },
    ),
    "maintenance": (503, {"msg": "system maintenance", "code": -9798}),
}
TOKEN_FAILURES: dict[str, tuple[int, dict[str, Any]]] = {
    "KOE320": (
        400,
        {
            "error": "invalid_grant",
            "error_description": "authorization code not found for code=",
            "error_code": "KOE320",
        },
    ),
    "KOE303": (
        400,
        {
            "error": "invalid_grant",
            "error_description": "Redirect URI mismatch.",
            "error_code": "KOE303",
        },
    ),
    "KOE322": (
        400,
        {
            "error": "invalid_grant",
            "error_description": "invalid refresh token",
            "error_code": "KOE322",
        },
    ),
    "KOE010": (
        401,
        {
            "error": "invalid_client",
            "error_description": "Bad client credentials",
            "error_code": "KOE010",
        },
    ),
    "KOE101": (
        401,
        {
            "error": "invalid_client",
            "error_description": "Not exist client_id",
            "error_code": "KOE101",
        },
    ),
    # HTTP status of KOE237 is not documented; 400 is this fake's choice.
    "KOE237": (
        400,
        {
            "error": "invalid_request",
            "error_description": "token request rate limit exceeded",
            "error_code": "KOE237",
        },
    ),
}
# Failures that are about the transport, not a Kakao answer; valid for every endpoint.
TRANSPORT_FAILURES = ("server_error", "disconnect", "hang")
OUTAGE_MODES = ("reset", "refuse", "maintenance", "server_error")


@dataclass
class Delivered:
    """One message Kakao accepted for the user's "send to me" chat."""

    text: str
    link: dict[str, Any]
    template: dict[str, Any]
    button_title: str | None
    at: datetime
    access_token_sha256: str


@dataclass
class _AccessToken:
    expires_at: float
    scopes: frozenset[str]
    replaced: bool = False


@dataclass
class _RefreshToken:
    expires_at: float
    scopes: frozenset[str]
    alive: bool = True


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    scopes: frozenset[str]
    code_challenge: str | None
    expires_at: float
    used: bool = False


@dataclass
class _Failure:
    kind: str
    endpoint: str
    remaining: int


@dataclass
class Stats:
    code_exchanges: int = 0
    refreshes: int = 0
    refresh_token_renewals: int = 0
    sends: int = 0
    send_attempts: int = 0
    # Sends made with an access token that a later refresh had already replaced: a client
    # that re-reads its token after another replica refreshed never makes one.
    stale_token_uses: int = 0
    concurrent_refreshes_max: int = 0
    token_requests: int = 0


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def s256_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class FakeKakao:
    """Kakao's kauth and kapi on one local port. Thread-safe; start()/stop() or `with`."""

    def __init__(
        self,
        *,
        client_id: str = "fake-rest-api-key",
        client_secret: str | None = None,
        redirect_uris: Iterable[str] = (),
        user_id: int = 4_200_000_001,
        app_id: int = 1_000_001,
        host: str = "127.0.0.1",
        port: int = 0,
        access_token_seconds: int = ACCESS_TOKEN_SECONDS,
        refresh_token_seconds: int = REFRESH_TOKEN_SECONDS,
        code_seconds: int = 600,
        revoke_replaced_access_tokens: bool = True,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = set(redirect_uris)
        self._configured = (client_secret, frozenset(self.redirect_uris))
        self.user_id = user_id
        self.app_id = app_id
        self.host = host
        self.port = port
        self.access_token_seconds = access_token_seconds
        self.refresh_token_seconds = refresh_token_seconds
        self.code_seconds = code_seconds
        # Undocumented whether Kakao ends the old access token on refresh; ending it makes a
        # client that keeps using a replaced token fail loudly here, which is what tests want.
        self.revoke_replaced_access_tokens = revoke_replaced_access_tokens
        # "allow": the user agrees; "deny": cancels (error=access_denied);
        # "allow_without_talk_message": agrees but unticks the optional message item.
        self.consent = "allow"
        self.talk_message_item_enabled = True  # off: sends answer -3
        self.hang_seconds = 30.0
        self.refresh_delay_seconds = 0.005
        self.delivered: list[Delivered] = []
        self.stats = Stats()
        self._lock = threading.RLock()
        self._clock_offset = 0.0
        self._slow_seconds = 0.0
        self._outage: str | None = None
        self._failures: deque[_Failure] = deque()
        self._codes: dict[str, _Code] = {}
        self._access_tokens: dict[str, _AccessToken] = {}
        self._refresh_tokens: dict[str, _RefreshToken] = {}
        self._consented_scopes: set[str] = set()
        self._access_issued: deque[float] = deque()
        self._refresh_issued: deque[float] = deque()
        self._refreshes_in_flight = 0
        self._server: FakeServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeKakao:
        handler = type("Handler", (_Handler,), {"fake": self})
        server = FakeServer((self.host, self.port), handler)
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeKakao:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- the clock ------------------------------------------------------------------------

    def time(self) -> float:
        return time.time() + self._clock_offset

    def now(self) -> datetime:
        """The fake's idea of now; give it to the service as its clock."""
        return datetime.fromtimestamp(self.time(), UTC)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._clock_offset += seconds

    # --- behaviour control ----------------------------------------------------------------

    def fail_next(self, n: int, kind: str, *, endpoint: str = "send") -> None:
        """The next n requests to `endpoint` ("send", "token", "any") fail as `kind`.

        Kinds: for "send" the keys of SEND_FAILURES; for "token" the KOE codes of
        TOKEN_FAILURES; for any endpoint "server_error" (500), "disconnect" (the connection
        closes without an answer) and "hang" (no answer for `hang_seconds`, then closed).
        """
        known = set(TRANSPORT_FAILURES)
        known |= set(SEND_FAILURES) if endpoint == "send" else set()
        known |= set(TOKEN_FAILURES) if endpoint == "token" else set()
        if endpoint not in ("send", "token", "any") or kind not in known:
            raise ValueError(f"unknown failure {kind!r} for endpoint {endpoint!r}")
        with self._lock:
            self._failures.append(_Failure(kind, endpoint, n))

    def outage(self, mode: str = "reset") -> None:
        """Kakao goes away until recover(): "reset" closes every connection unanswered,
        "refuse" stops listening (in-process only), "maintenance" answers 503 -9798,
        "server_error" answers 500. The /_fake/ control paths keep working (except "refuse")."""
        if mode not in OUTAGE_MODES:
            raise ValueError(f"unknown outage mode {mode!r}")
        with self._lock:
            self._outage = mode
        if mode == "refuse" and self._server is not None:
            self.stop()

    def recover(self) -> None:
        with self._lock:
            mode, self._outage = self._outage, None
        if mode == "refuse" and self._server is None:
            self.start()

    def slow(self, seconds: float) -> None:
        """Every Kakao answer waits this long first (0 to stop)."""
        self._slow_seconds = max(0.0, seconds)

    def withdraw_consent(self) -> None:
        """The user withdraws the talk_message consent in KakaoTalk: sends answer -402."""
        with self._lock:
            self._consented_scopes.discard("talk_message")
            for token in self._access_tokens.values():
                token.scopes = token.scopes - {"talk_message"}
            for refresh in self._refresh_tokens.values():
                refresh.scopes = refresh.scopes - {"talk_message"}

    def unlink(self) -> None:
        """The user unlinks the app: every token dies (KOE322, -401)."""
        with self._lock:
            self._consented_scopes.clear()
            self._access_tokens.clear()
            self._refresh_tokens.clear()

    def expire_access_tokens(self) -> None:
        with self._lock:
            self._access_tokens.clear()

    def reset(self) -> None:
        """Back to how it was configured: no tokens, deliveries, failures or clock offset."""
        with self._lock:
            self.client_secret = self._configured[0]
            self.redirect_uris = set(self._configured[1])
            self.delivered.clear()
            self.stats = Stats()
            self._clock_offset = 0.0
            self._slow_seconds = 0.0
            self._failures.clear()
            self._codes.clear()
            self._access_tokens.clear()
            self._refresh_tokens.clear()
            self._consented_scopes.clear()
            self._access_issued.clear()
            self._refresh_issued.clear()
            self.consent = "allow"
            self.talk_message_item_enabled = True
        if self._outage is not None:
            self.recover()

    # --- inspection -----------------------------------------------------------------------

    def live_refresh_tokens(self) -> int:
        now = self.time()
        with self._lock:
            return sum(
                1
                for token in self._refresh_tokens.values()
                if token.alive and token.expires_at > now
            )

    def authorize_url(self, **params: str) -> str:
        return f"{self.url}/oauth/authorize?{urlencode(params)}"

    # --- internals used by the handler ----------------------------------------------------

    def _take_failure(self, endpoint: str) -> str | None:
        with self._lock:
            for failure in self._failures:
                if failure.endpoint in (endpoint, "any"):
                    failure.remaining -= 1
                    if failure.remaining <= 0:
                        self._failures.remove(failure)
                    return failure.kind
        return None

    def _issue_limit_reached(self, issued: deque[float], limit: tuple[int, int]) -> bool:
        count, window = limit
        now = self.time()
        while issued and issued[0] <= now - window:
            issued.popleft()
        return len(issued) >= count

    def _new_access_token(self, scopes: frozenset[str]) -> tuple[str, int]:
        token = "fake-at-" + secrets.token_urlsafe(24)
        self._access_tokens[token] = _AccessToken(self.time() + self.access_token_seconds, scopes)
        self._access_issued.append(self.time())
        return token, self.access_token_seconds

    def _new_refresh_token(self, scopes: frozenset[str]) -> tuple[str, int]:
        token = "fake-rt-" + secrets.token_urlsafe(32)
        self._refresh_tokens[token] = _RefreshToken(
            self.time() + self.refresh_token_seconds, scopes
        )
        self._refresh_issued.append(self.time())
        return token, self.refresh_token_seconds


def _token_error(code: str, description: str | None = None) -> tuple[int, dict[str, Any]]:
    status, body = TOKEN_FAILURES[code]
    body = dict(body)
    if description is not None:
        body["error_description"] = description
    return status, body


class _HangupError(Exception):
    """Close the connection without answering."""


class _Handler(BaseHTTPRequestHandler):
    fake: FakeKakao
    protocol_version = "HTTP/1.1"
    server_version = "FakeKakao/1.0"
    # Headers and body go out in two writes; with Nagle on, the body waits for a delayed ACK
    # (40 ms on Linux) and every answer would look slow.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("fake kakao: " + format, *args)

    # --- plumbing -------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode()
        self._send(status, payload, "application/json;charset=UTF-8", {})

    def _html(self, status: int, text: str) -> None:
        self._send(status, text.encode(), "text/html;charset=UTF-8", {})

    def _redirect(self, location: str) -> None:
        self._send(302, b"", "text/plain", {"Location": location})

    def _hang_up(self, wait: float = 0.0) -> None:
        if wait:
            time.sleep(wait)
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _form(self, body: bytes) -> dict[str, str] | None:
        """The form fields, or None if the body is not a strict form encoding."""
        content_type = self.headers.get("Content-Type", "")
        if content_type.split(";")[0].strip().lower() != FORM_CONTENT_TYPE:
            return None
        try:
            parsed = parse_qs(
                body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body)
            )
        except (UnicodeDecodeError, ValueError):
            return None
        if any(len(values) != 1 for values in parsed.values()):
            return None
        return {name: values[0] for name, values in parsed.items()}

    def _bearer(self) -> str | None:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        return token.strip() if scheme == "Bearer" and token.strip() else None

    # --- dispatch -------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        fake = self.fake
        parts = urlsplit(self.path)
        body = self._read_body() if method == "POST" else b""
        try:
            if parts.path.startswith("/_fake/"):
                self._control(method, parts.path, parts.query, body)
                return
            if fake._slow_seconds:
                time.sleep(fake._slow_seconds)
            outage = fake._outage
            if outage in ("reset", "refuse"):
                raise _HangupError
            if outage == "maintenance":
                self._json(503, {"msg": "system maintenance", "code": -9798})
                return
            if outage == "server_error":
                self._html(500, "<html><body>500 Internal Server Error</body></html>")
                return
            route = (method, parts.path)
            if route == ("GET", "/oauth/authorize"):
                self._authorize(parse_qs(parts.query))
            elif route == ("POST", "/oauth/token"):
                self._token(body)
            elif route == ("POST", "/v2/api/talk/memo/default/send"):
                self._memo_send(body)
            elif route == ("GET", "/v1/user/access_token_info"):
                self._token_info()
            elif route in (("POST", "/v1/user/logout"), ("POST", "/v1/user/unlink")):
                self._logout(unlink=parts.path.endswith("unlink"))
            else:
                self._json(404, {"msg": "not found", "code": -2})
        except _HangupError:
            self._hang_up()

    def _injected_failure(self, endpoint: str) -> bool:
        """Answers with an injected failure if one is pending; True if it did."""
        kind = self.fake._take_failure(endpoint)
        if kind is None:
            return False
        if kind == "disconnect":
            raise _HangupError
        if kind == "hang":
            self._hang_up(self.fake.hang_seconds)
            return True
        if kind == "server_error":
            self._html(500, "<html><body>500 Internal Server Error</body></html>")
            return True
        status, error = (SEND_FAILURES if endpoint == "send" else TOKEN_FAILURES)[kind]
        self._json(status, error)
        return True

    # --- kauth ----------------------------------------------------------------------------

    def _authorize(self, query: dict[str, list[str]]) -> None:
        fake = self.fake
        params = {name: values[0] for name, values in query.items()}
        if params.get("client_id") != fake.client_id:
            self._html(400, "<h1>KOE101</h1><p>Invalid client_id (REST API key).</p>")
            return
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in fake.redirect_uris:
            # Kakao shows this on its own page and never redirects to an unregistered URI.
            self._html(400, "<h1>KOE006</h1><p>The redirect_uri is not registered.</p>")
            return
        if params.get("response_type") != "code":
            self._html(400, "<h1>KOE004</h1><p>response_type must be code.</p>")
            return
        challenge = params.get("code_challenge")
        if challenge is not None and params.get("code_challenge_method") != "S256":
            self._html(400, "<h1>invalid_request</h1><p>code_challenge_method must be S256.</p>")
            return
        state = params.get("state")
        scopes = frozenset((params.get("scope") or "").replace(",", " ").split())
        granted_base = frozenset({"profile_nickname"})

        def back(**answer: str) -> None:
            if state is not None:
                answer["state"] = state
            separator = "&" if "?" in redirect_uri else "?"
            self._redirect(redirect_uri + separator + urlencode(answer))

        with fake._lock:
            if params.get("prompt") == "none" and not scopes <= fake._consented_scopes:
                back(error="consent_required", error_description="user consent required")
                return
            if fake.consent == "deny":
                back(error="access_denied", error_description="User denied access")
                return
            granted = granted_base | scopes
            if fake.consent == "allow_without_talk_message":
                granted = granted - {"talk_message"}
            fake._consented_scopes |= granted
            code = secrets.token_urlsafe(48)
            fake._codes[code] = _Code(
                client_id=fake.client_id,
                redirect_uri=redirect_uri,
                scopes=frozenset(fake._consented_scopes),
                code_challenge=challenge,
                expires_at=fake.time() + fake.code_seconds,
            )
        back(code=code)

    def _token(self, body: bytes) -> None:
        fake = self.fake
        with fake._lock:
            fake.stats.token_requests += 1
        if self._injected_failure("token"):
            return
        form = self._form(body)
        if form is None:
            # Undocumented how Kakao words this; it is refused, which is what matters.
            self._json(
                400,
                {
                    "error": "invalid_request",
                    "error_description": "the body must be application/x-www-form-urlencoded",
                },
            )
            return
        if not form.get("client_id") or form["client_id"] != fake.client_id:
            self._json(*_token_error("KOE101"))
            return
        if fake.client_secret is not None and form.get("client_secret") != fake.client_secret:
            self._json(*_token_error("KOE010"))
            return
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            self._exchange_code(form)
        elif grant_type == "refresh_token":
            with fake._lock:
                fake._refreshes_in_flight += 1
                fake.stats.concurrent_refreshes_max = max(
                    fake.stats.concurrent_refreshes_max, fake._refreshes_in_flight
                )
            try:
                # A refresh takes a moment on the real service; overlapping ones show up in
                # concurrent_refreshes_max.
                time.sleep(fake.refresh_delay_seconds)
                self._refresh(form)
            finally:
                with fake._lock:
                    fake._refreshes_in_flight -= 1
        else:
            self._json(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant_type must be authorization_code or refresh_token",
                    "error_code": "KOE310",
                },
            )

    def _exchange_code(self, form: dict[str, str]) -> None:
        fake = self.fake
        with fake._lock:
            code = fake._codes.get(form.get("code", ""))
            if code is None or code.used or code.expires_at <= fake.time():
                self._json(
                    *_token_error(
                        "KOE320", f"authorization code not found for code={form.get('code', '')}"
                    )
                )
                return
            code.used = True  # single use, whatever happens next
            if form.get("redirect_uri") != code.redirect_uri:
                self._json(*_token_error("KOE303"))
                return
            if code.code_challenge is not None:
                verifier = form.get("code_verifier", "")
                if not verifier or s256_challenge(verifier) != code.code_challenge:
                    # Kakao's code for a PKCE mismatch is not documented; invalid_grant is
                    # what RFC 7636 prescribes.
                    self._json(*_token_error("KOE320", "code_verifier does not match"))
                    return
            if self._issue_limit_reached(
                fake._access_issued, ACCESS_TOKEN_LIMIT
            ) or self._issue_limit_reached(fake._refresh_issued, REFRESH_TOKEN_LIMIT):
                self._json(*_token_error("KOE237"))
                return
            access_token, expires_in = fake._new_access_token(code.scopes)
            refresh_token, refresh_expires_in = fake._new_refresh_token(code.scopes)
            fake.stats.code_exchanges += 1
        self._json(
            200,
            {
                "token_type": "bearer",
                "access_token": access_token,
                "expires_in": expires_in,
                "refresh_token": refresh_token,
                "refresh_token_expires_in": refresh_expires_in,
                "scope": " ".join(sorted(code.scopes)),
            },
        )

    def _issue_limit_reached(self, issued: deque[float], limit: tuple[int, int]) -> bool:
        return self.fake._issue_limit_reached(issued, limit)

    def _refresh(self, form: dict[str, str]) -> None:
        fake = self.fake
        with fake._lock:
            presented = form.get("refresh_token", "")
            refresh = fake._refresh_tokens.get(presented)
            now = fake.time()
            if refresh is None or not refresh.alive or refresh.expires_at <= now:
                self._json(*_token_error("KOE322"))
                return
            renew = refresh.expires_at - now < RENEWAL_WINDOW_SECONDS
            if self._issue_limit_reached(fake._access_issued, ACCESS_TOKEN_LIMIT) or (
                renew and self._issue_limit_reached(fake._refresh_issued, REFRESH_TOKEN_LIMIT)
            ):
                self._json(*_token_error("KOE237"))
                return
            if fake.revoke_replaced_access_tokens:
                for token in fake._access_tokens.values():
                    token.replaced = True
            access_token, expires_in = fake._new_access_token(refresh.scopes)
            answer: dict[str, Any] = {
                "token_type": "bearer",
                "access_token": access_token,
                "expires_in": expires_in,
            }
            if renew:
                # The only case a refresh answer carries a refresh token; the old one dies.
                refresh.alive = False
                new_refresh, refresh_expires_in = fake._new_refresh_token(refresh.scopes)
                answer["refresh_token"] = new_refresh
                answer["refresh_token_expires_in"] = refresh_expires_in
                fake.stats.refresh_token_renewals += 1
            fake.stats.refreshes += 1
        self._json(200, answer)

    # --- kapi -----------------------------------------------------------------------------

    def _authenticated(self) -> _AccessToken | None:
        """The presented access token if valid; otherwise answers -401 and returns None."""
        fake = self.fake
        token = self._bearer()
        with fake._lock:
            access = fake._access_tokens.get(token) if token else None
            if access is not None and access.replaced:
                fake.stats.stale_token_uses += 1
            if access is None or access.replaced:
                self._json(401, {"msg": "this access token does not exist", "code": -401})
                return None
            if access.expires_at <= fake.time():
                self._json(401, {"msg": "this access token is already expired", "code": -401})
                return None
            return access

    def _memo_send(self, body: bytes) -> None:
        fake = self.fake
        with fake._lock:
            fake.stats.send_attempts += 1
        if self._injected_failure("send"):
            return
        access = self._authenticated()
        if access is None:
            return
        if not fake.talk_message_item_enabled:
            self._json(*SEND_FAILURES["app_consent_disabled"])
            return
        if "talk_message" not in access.scopes:
            status, error = SEND_FAILURES["insufficient_scope"]
            self._json(status, {**error, "allowed_scopes": sorted(access.scopes)})
            return
        form = self._form(body)
        template = _parse_text_template(form)
        if isinstance(template, str):
            self._json(400, {"msg": template, "code": -2})
            return
        token = self._bearer() or ""
        with fake._lock:
            fake.delivered.append(
                Delivered(
                    text=template["text"],
                    link=template["link"],
                    template=template,
                    button_title=template.get("button_title"),
                    at=fake.now(),
                    access_token_sha256=_sha256(token),
                )
            )
            fake.stats.sends += 1
        self._json(200, {"result_code": 0})

    def _token_info(self) -> None:
        if self._injected_failure("any"):
            return
        access = self._authenticated()
        if access is None:
            return
        fake = self.fake
        self._json(
            200,
            {
                "id": fake.user_id,
                "expires_in": max(0, int(access.expires_at - fake.time())),
                "app_id": fake.app_id,
            },
        )

    def _logout(self, *, unlink: bool) -> None:
        if self._injected_failure("any"):
            return
        if self._authenticated() is None:
            return
        fake = self.fake
        if unlink:
            fake.unlink()
        else:
            fake.expire_access_tokens()
            with fake._lock:
                for refresh in fake._refresh_tokens.values():
                    refresh.alive = False
        self._json(200, {"id": fake.user_id})

    # --- control API for a fake running as its own process ---------------------------------

    def _control(self, method: str, path: str, query: str, body: bytes) -> None:
        fake = self.fake
        params = {name: values[0] for name, values in parse_qs(query).items()}
        if body:
            params.update(json.loads(body))
        command = path.removeprefix("/_fake/")
        if method == "GET" and command == "delivered":
            since = int(params.get("since", 0))
            with fake._lock:
                items = [
                    {**asdict(item), "at": item.at.isoformat()} for item in fake.delivered[since:]
                ]
            self._json(200, {"count": len(fake.delivered), "items": items})
            return
        if method == "GET" and command == "stats":
            self._json(200, {**asdict(fake.stats), "now": fake.now().isoformat()})
            return
        if method != "POST":
            self._json(405, {"error": "method_not_allowed"})
            return
        try:
            if command == "advance":
                fake.advance(float(params["seconds"]))
            elif command == "fail_next":
                fake.fail_next(
                    int(params["n"]),
                    str(params["kind"]),
                    endpoint=str(params.get("endpoint", "send")),
                )
            elif command == "outage":
                fake.outage(str(params.get("mode", "reset")))
            elif command == "recover":
                fake.recover()
            elif command == "slow":
                fake.slow(float(params["seconds"]))
            elif command == "consent":
                fake.consent = str(params["mode"])
            elif command == "withdraw_consent":
                fake.withdraw_consent()
            elif command == "unlink":
                fake.unlink()
            elif command == "reset":
                fake.reset()
            else:
                self._json(404, {"error": "unknown command"})
                return
        except (KeyError, ValueError) as exc:
            self._json(400, {"error": str(exc)})
            return
        self._json(200, {"ok": True})


def _parse_text_template(form: dict[str, str] | None) -> dict[str, Any] | str:
    """The decoded text template, or the -2 message explaining what is wrong with it."""
    bad = "failed to parse parameter. name=template_object"
    if form is None or set(form) != {"template_object"}:
        return bad
    try:
        template = json.loads(form["template_object"])
    except ValueError:
        return bad
    if not isinstance(template, dict):
        return bad
    if template.get("object_type") != "text":
        return "invalid template_object: object_type must be text"
    text = template.get("text")
    if not isinstance(text, str) or not text:
        return "invalid template_object: text is required"
    # Kakao documents 200 characters and not its behaviour beyond; the fake refuses anything
    # over 200 UTF-16 code units (its Java servers count so), the strictest reading.
    if _utf16_length(text) > MAX_TEXT_LENGTH:
        return f"invalid template_object: text is longer than {MAX_TEXT_LENGTH} characters"
    link = template.get("link")
    if not isinstance(link, dict) or not all(
        isinstance(link.get(key, ""), str) for key in ("web_url", "mobile_web_url")
    ):
        return "invalid template_object: link is required"
    if "button_title" in template and not isinstance(template["button_title"], str):
        return "invalid template_object: button_title must be a string"
    buttons = template.get("buttons")
    if buttons is not None and (
        not isinstance(buttons, list)
        or len(buttons) > 2
        or not all(isinstance(b, dict) and isinstance(b.get("title"), str) for b in buttons)
    ):
        return "invalid template_object: at most 2 buttons with a title and link"
    return template


class FakeKakaoControl:
    """Drives a fake running as its own process (the local stack, bench) over /_fake/."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def _call(self, method: str, command: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - a local http URL we were given
            f"{self.url}/_fake/{command}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())

    def delivered(self, since: int = 0) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self._call("GET", f"delivered?since={since}")["items"]
        return items

    def delivered_count(self) -> int:
        return int(self._call("GET", "delivered?since=1000000000")["count"])

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "stats")
        return result

    def advance(self, seconds: float) -> None:
        self._call("POST", "advance", {"seconds": seconds})

    def fail_next(self, n: int, kind: str, *, endpoint: str = "send") -> None:
        self._call("POST", "fail_next", {"n": n, "kind": kind, "endpoint": endpoint})

    def outage(self, mode: str = "reset") -> None:
        self._call("POST", "outage", {"mode": mode})

    def recover(self) -> None:
        self._call("POST", "recover", {})

    def slow(self, seconds: float) -> None:
        self._call("POST", "slow", {"seconds": seconds})

    def reset(self) -> None:
        self._call("POST", "reset", {})

    def wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.stats()
                return
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mysite_testing.fake_kakao",
        description="A local fake of Kakao's kauth and kapi hosts for the stack and bench.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9400)
    parser.add_argument("--client-id", default="fake-rest-api-key")
    parser.add_argument("--client-secret", default=None)
    parser.add_argument(
        "--redirect-uri", action="append", default=[], help="a registered redirect URI (repeat)"
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    fake = FakeKakao(
        client_id=arguments.client_id,
        client_secret=arguments.client_secret,
        redirect_uris=arguments.redirect_uri,
        host=arguments.host,
        port=arguments.port,
    ).start()
    logger.info("fake kakao listening on %s", fake.url)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
