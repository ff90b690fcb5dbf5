"""What an attacker sends at the gateway, shared by the end-to-end tests of every way mysite
runs (local processes, Compose): forged identity headers and forged or stolen tokens."""

import base64
import json
import time

import jwt

# Identity headers a client may try to set itself; the gateway must delete every one.
SPOOFED_IDENTITY = {
    "X-User-Id": "1",
    "X-User-Name": "owner",
    "X-User-Role": "owner",
    "X-User-Display-Name": "owner",
}
# Other spellings of the same headers, which some servers fold into the real ones.
ALIASED_IDENTITY = {
    "X_User_Id": "1",
    "X.User.Role": "owner",
    "X_User_Role": "owner",
    "x-user-id": "1",
}

# Long enough for HS256, and not the stack's secret.
WRONG_KEY = "not-the-real-secret-but-long-enough-0123456789"


def _base64url_json(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def forged_tokens(
    access_token: str, refresh_token: str, *, signing_key: str | None = None
) -> dict[str, str]:
    """Tokens built from a real member's pair that must all be refused, by attack name.

    With the stack's real `signing_key`, the expired token is signed with it, so only its
    expiry can refuse it; without, it is signed with a wrong key too."""
    header, _payload, signature = access_token.split(".")
    claims = jwt.decode(access_token, options={"verify_signature": False})
    real_header = jwt.get_unverified_header(access_token)  # typ and kid as auth issues them
    real_header.pop("alg", None)
    now = int(time.time())
    as_owner = {**claims, "role": "owner", "sub": "1"}
    unsigned_header = _base64url_json({"alg": "none", "typ": "JWT"})
    return {
        "alg none": f"{unsigned_header}.{_base64url_json(as_owner)}.",
        "wrong key": jwt.encode(as_owner, WRONG_KEY, algorithm="HS256", headers=real_header),
        "expired": jwt.encode(
            {**claims, "iat": now - 3600, "exp": now - 1800},
            signing_key or WRONG_KEY,
            algorithm="HS256",
            headers=real_header,
        ),
        "tampered": f"{header}.{_base64url_json(as_owner)}.{signature}",
        "refresh token as access": refresh_token,
        "garbage": "a.b.c",
    }
