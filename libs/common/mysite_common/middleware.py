"""Pure ASGI middlewares every service runs (pure ASGI: they sit on every request's hot path)."""

import json
import logging
import re
import time
import uuid
from urllib.parse import urlsplit

from prometheus_client import Counter, Histogram
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mysite_common.identity import HEADER_USER_ID
from mysite_common.logs import request_id_var

logger = logging.getLogger("mysite.access")

REQUESTS = Counter(
    "mysite_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
LATENCY = Histogram(
    "mysite_http_request_duration_seconds",
    "Time to serve a request",
    ["service", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def _send_json(send: Send, status: int, body: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def add_default_headers(headers: MutableHeaders, *, personal: bool) -> None:
    """What every response has unless its route chose otherwise.

    - An answer to an identified request (the gateway vouched for a user) is personal: no
      browser or proxy may keep it, unless the route says how it may be cached.
    - The referrer policy is set here and not at the gateway, which would replace whatever
      a service chose; same-origin, as the site's pages have it: links out tell nothing.
    """
    if personal and "cache-control" not in headers:
        headers["Cache-Control"] = "no-store"
    if "referrer-policy" not in headers:
        headers["Referrer-Policy"] = "same-origin"


class RequestContextMiddleware:
    """Gives every request an id (the gateway's, or a new one), echoes it, logs one line."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = headers.get("x-request-id", "")
        if not _REQUEST_ID.match(request_id):
            request_id = uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        personal = HEADER_USER_ID in headers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = MutableHeaders(scope=message)
                response_headers["X-Request-Id"] = request_id
                add_default_headers(response_headers, personal=personal)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            REQUESTS.labels(self.service, method, route, str(status)).inc()
            LATENCY.labels(self.service, route).observe(elapsed)
            if scope["path"] not in _QUIET_PATHS:
                # Path only: query strings can carry one-time codes.
                logger.info(
                    "request",
                    extra={
                        "method": method,
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                        "user_id": headers.get(HEADER_USER_ID),
                    },
                )
            request_id_var.reset(token)


class HeadAsGetMiddleware:
    """Answers HEAD for every GET route: the GET response's status and headers, no body.

    Uptime monitors, crawlers and link checkers send HEAD; FastAPI routes declared with GET
    would answer 405. Content-Length stays the GET body's length, as RFC 9110 allows.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        body_sent = False

        async def send_without_body(message: Message) -> None:
            nonlocal body_sent
            if message["type"] == "http.response.body":
                if body_sent:
                    return
                body_sent = True
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)


class BodySizeLimitMiddleware:
    """Refuses bodies over the limit with 413, whether or not Content-Length is declared."""

    def __init__(self, app: ASGIApp, max_bytes: int, overrides: dict[str, int] | None = None):
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = overrides or {}

    def _limit_for(self, path: str) -> int:
        for prefix, limit in self.overrides.items():
            if path.startswith(prefix):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope["path"])
        declared = Headers(scope=scope).get("content-length")
        too_large_message = {
            "error": "payload_too_large",
            "message": f"The request body is larger than {limit} bytes.",
        }
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_json(send, 413, too_large_message)
            return
        received = 0
        response_started = False
        rejected = False

        async def counting_receive() -> Message:
            # Past the limit, answer 413 ourselves and tell the app the client went away:
            # whatever the app then does (or raises) never reaches the client.
            nonlocal received, rejected
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not rejected:
                    rejected = True
                    if not response_started:
                        await _send_json(send, 413, too_large_message)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if rejected:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not rejected:
                raise


# Far deeper than any body a service accepts, far shallower than what makes Python's JSON
# parser (or pydantic after it) raise RecursionError.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_nesting_depth(body: bytes) -> int:
    """How deeply arrays and objects nest in `body` (brackets inside strings do not count).
    Malformed JSON gets some number; the parser refuses it afterwards anyway."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub(b'""', body)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class JsonDepthLimitMiddleware:
    """Refuses JSON bodies nested deeper than MAX_JSON_DEPTH with 400, before any parser.

    Runs inside the body size limit, so the body it buffers is already bounded.
    """

    def __init__(self, app: ASGIApp, max_depth: int = MAX_JSON_DEPTH) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        content_type = Headers(scope=scope).get("content-type", "")
        if "json" not in content_type.lower():
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away (or was too big)
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if json_nesting_depth(body) > self.max_depth:
            await _send_json(
                send,
                400,
                {
                    "error": "too_deeply_nested",
                    "message": f"JSON nested deeper than {self.max_depth} levels is refused.",
                },
            )
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body}], receive), send)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    """A receive() that gives `messages` first, then defers to `then`."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return replayed


class CsrfMiddleware:
    """Blocks cross-site state changes using Fetch Metadata, with an Origin fallback (OWASP).

    Browsers send Sec-Fetch-Site on every request and Origin on every POST; a request from a
    browser on another site is refused before it can ride on the visitor's cookies. Clients
    that are not browsers (curl, other services) send neither header and carry no ambient
    cookies worth stealing, so they pass.
    """

    def __init__(self, app: ASGIApp, exempt_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.exempt_paths = exempt_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in _UNSAFE_METHODS
            and not scope["path"].startswith(self.exempt_paths or ("\0",))
            and not is_same_origin_request(Headers(scope=scope))
        ):
            await _send_json(
                send,
                403,
                {
                    "error": "csrf_rejected",
                    "message": "This request came from another site and was refused.",
                },
            )
            return
        await self.app(scope, receive, send)


def is_same_origin_request(headers: Headers) -> bool:
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None:
        return True
    host = headers.get("x-forwarded-host") or headers.get("host", "")
    return origin != "null" and urlsplit(origin).netloc == host
