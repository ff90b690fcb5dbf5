"""ForwardAuth: the gateway asks this before every request it routes to a service.

    GET /internal/verify?require=none|member|owner[&page=true]

- valid token: 200 with the identity headers, which the gateway copies onto the request;
- no or bad token and require=none: 200 without identity (the request goes on anonymous);
- otherwise 401 JSON for APIs, or a redirect to /login?next=... for pages; 403 when a member
  asks for an owner's route.

It runs on every request the gateway routes, so it is a bare ASGI endpoint in front of the
FastAPI stack: one HMAC check and two dictionary look-ups, no database, no routing, no
per-request log line (the gateway's access log has the request). Not routed to the public:
the gateway has no route to /internal/.
"""

import json
import re
import time
import uuid
from urllib.parse import parse_qsl, quote

from prometheus_client import Counter
from starlette.types import ASGIApp, Receive, Scope, Send

from mysite_auth.config import AuthSettings
from mysite_auth.revocation import RevocationCache
from mysite_auth.tokens import (
    LEEWAY_SECONDS,
    AccessClaims,
    InvalidTokenError,
    decode_access_token,
    presented_token,
)
from mysite_common.errors import error_body

VERIFY_PATH = "/internal/verify"
VERIFICATIONS = Counter("mysite_auth_verifications_total", "Verify answers", ["outcome"])
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_REQUIREMENTS = frozenset({"none", "member", "owner"})
# Signed tokens never change, so a decoded one can be remembered until it expires; a
# browser presents the same token on every request for minutes. Bounded: cleared when full.
_DECODED_CACHE_SIZE = 10_000


class VerifyEndpoint:
    def __init__(self, app: ASGIApp, settings: AuthSettings, revocations: RevocationCache):
        self.app = app
        self.settings = settings
        self.revocations = revocations
        self._decoded: dict[str, AccessClaims] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != VERIFY_PATH:
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, bytes] = dict(scope["headers"])
        query = dict(parse_qsl(scope["query_string"].decode("latin-1")))
        require = query.get("require", "none")
        if require not in _REQUIREMENTS:
            require = "owner"  # a typo in the gateway configuration must fail closed
        page = query.get("page") in ("1", "true")
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")
        if not _REQUEST_ID.match(request_id):
            request_id = uuid.uuid4().hex
        status, response_headers, body = self.decide(headers, require, page)
        VERIFICATIONS.labels(str(status)).inc()
        response_headers.append((b"x-request-id", request_id.encode()))
        response_headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})

    def authenticate(self, headers: dict[bytes, bytes]) -> tuple[AccessClaims | None, str]:
        token = presented_token(
            headers.get(b"authorization", b"").decode("latin-1"),
            headers.get(b"cookie", b"").decode("latin-1"),
            self.settings.access_cookie_name,
        )
        if not token:
            return None, "missing"
        claims = self._decoded.get(token)
        if claims is None or claims.expires_at + LEEWAY_SECONDS < time.time():
            try:
                claims = decode_access_token(self.settings, token)
            except InvalidTokenError as exc:
                self._decoded.pop(token, None)
                return None, exc.reason
            if len(self._decoded) >= _DECODED_CACHE_SIZE:
                self._decoded.clear()
            self._decoded[token] = claims
        if self.revocations.is_revoked(claims):
            return None, "revoked"
        return claims, "ok"

    def decide(
        self, headers: dict[bytes, bytes], require: str, page: bool
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        claims, reason = self.authenticate(headers)
        if claims is None:
            if require == "none":
                return 200, [], b""
            if page:
                return 302, [(b"location", _login_location(headers))], b""
            message = (
                "Your session expired; log in again." if reason == "expired" else "Log in first."
            )
            return (
                401,
                [
                    (b"content-type", b"application/json"),
                    (
                        b"www-authenticate",
                        f'Bearer error="invalid_token", reason="{reason}"'.encode(),
                    ),
                ],
                json.dumps(error_body("unauthorized", message)).encode(),
            )
        identity = claims.identity
        if require == "owner" and not identity.is_owner:
            body = error_body("forbidden", "Only the site's owner can do this.")
            return 403, [(b"content-type", b"application/json")], json.dumps(body).encode()
        identity_headers = [
            (name.lower().encode(), value.encode("latin-1"))
            for name, value in identity.to_headers().items()
        ]
        return 200, identity_headers, b""


_HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def _login_location(headers: dict[bytes, bytes]) -> bytes:
    """An absolute URL on the site the visitor is on: Traefik resolves a relative Location
    from ForwardAuth against the auth server's own address, which the visitor cannot reach."""
    original = headers.get(b"x-forwarded-uri", b"/").decode("latin-1")
    if not original.startswith("/") or original.startswith("//"):
        original = "/"
    path = f"/login?next={quote(original, safe='')}"
    host = headers.get(b"x-forwarded-host", b"").decode("latin-1")
    proto = headers.get(b"x-forwarded-proto", b"http").decode("latin-1")
    if not _HOST.match(host) or proto not in ("http", "https"):
        return path.encode()
    return f"{proto}://{host}{path}".encode()
