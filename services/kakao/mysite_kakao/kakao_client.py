"""The HTTP calls to Kakao (kakao-api.md), and what each answer means for us.

Nothing here logs a token, a code or a secret; errors carry Kakao's codes and our own words.
"""

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

import httpx

from mysite_kakao.config import KakaoSettings

logger = logging.getLogger(__name__)

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded;charset=utf-8"
SEND_PATH = "/v2/api/talk/memo/default/send"


class Outcome(StrEnum):
    """What the caller does next."""

    retry = "retry"  # temporary: try again later with backoff
    refresh = "refresh"  # the access token is dead: refresh, then retry once
    reconnect = "reconnect"  # only the owner connecting again fixes it; delivery waits
    fatal = "fatal"  # this request can never succeed: do not retry
    configuration = "configuration"  # our settings are wrong: retry after they are fixed


class KakaoError(Exception):
    def __init__(
        self, outcome: Outcome, code: str, message: str, http_status: int | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.outcome = outcome
        self.code = code  # Kakao's code (KOE320, -402, http_503, timeout, ...)
        self.message = message  # plain words for the owner's admin page
        self.http_status = http_status


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    expires_in: int
    refresh_token: str | None  # a refresh answer carries one only when Kakao renews it
    refresh_token_expires_in: int | None
    scopes: frozenset[str] | None


# Plain words for the owner, by Kakao error code.
TOKEN_ERRORS: dict[str, tuple[Outcome, str]] = {
    "KOE320": (
        Outcome.fatal,
        "Kakao's sign-in code was already used or has expired: connect again.",
    ),
    "KOE303": (
        Outcome.configuration,
        "Kakao says the redirect URI differs from the one used to sign in: KAKAO_REDIRECT_URI "
        "must be exactly the URI registered for the app.",
    ),
    "KOE322": (
        Outcome.reconnect,
        "Kakao no longer accepts the saved sign-in (it expired, was replaced, or the app was "
        "unlinked): connect again.",
    ),
    "KOE010": (
        Outcome.configuration,
        "Kakao rejected the client secret: check KAKAO_CLIENT_SECRET (it is needed when the "
        "app's client secret is enabled).",
    ),
    "KOE101": (
        Outcome.configuration,
        "Kakao rejected the app key: check KAKAO_REST_API_KEY.",
    ),
    "KOE237": (
        Outcome.retry,
        "Kakao is limiting how often tokens may be requested; it will be tried again shortly.",
    ),
}

SEND_ERRORS: dict[int, tuple[Outcome, str]] = {
    -401: (Outcome.refresh, "Kakao no longer accepts the access token."),
    -402: (Outcome.reconnect, "Consent to send messages was withdrawn: connect again."),
    -3: (
        Outcome.reconnect,
        "The Kakao app does not have the 'Send KakaoTalk message' consent item enabled: turn "
        "it on in Kakao Developers, then connect again.",
    ),
    -2: (Outcome.fatal, "Kakao refused the message as malformed (a bug on our side)."),
    -10: (Outcome.retry, "Kakao's API limit was exceeded; trying again later."),
    -1: (Outcome.retry, "Kakao had an internal error; trying again."),
    -9798: (Outcome.retry, "Kakao is under maintenance; trying again later."),
}


def _json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _transport_error(exc: httpx.HTTPError) -> KakaoError:
    if isinstance(exc, httpx.ConnectTimeout | httpx.ConnectError):
        return KakaoError(Outcome.retry, "connection_failed", "Kakao could not be reached.")
    if isinstance(exc, httpx.TimeoutException):
        return KakaoError(Outcome.retry, "timeout", "Kakao did not answer in time.")
    return KakaoError(Outcome.retry, "connection_lost", "The connection to Kakao failed.")


class KakaoClient:
    """Kakao's kauth and kapi hosts. Thread-safe (one pooled httpx client)."""

    def __init__(self, settings: KakaoSettings) -> None:
        self.settings = settings
        self._http = httpx.Client(
            timeout=httpx.Timeout(
                settings.read_timeout_seconds, connect=settings.connect_timeout_seconds
            ),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def _post_form(
        self, url: str, fields: dict[str, str], *, bearer: str | None = None
    ) -> httpx.Response:
        headers = {"Content-Type": FORM_CONTENT_TYPE}
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        try:
            return self._http.post(url, content=urlencode(fields).encode(), headers=headers)
        except httpx.HTTPError as exc:
            raise _transport_error(exc) from exc

    # --- kauth ----------------------------------------------------------------------------

    def authorize_url(self, *, state: str, code_challenge: str) -> str:
        query = urlencode(
            {
                "client_id": self.settings.rest_api_key,
                "redirect_uri": self.settings.redirect_uri,
                "response_type": "code",
                "scope": "talk_message",
                "state": state,
                "code_challenge": code_challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{self.settings.auth_url}/oauth/authorize?{query}"

    def _with_client_credentials(self, fields: dict[str, str]) -> dict[str, str]:
        fields["client_id"] = self.settings.rest_api_key
        secret = self.settings.client_secret.get_secret_value()
        if secret:
            fields["client_secret"] = secret
        return fields

    def exchange_code(self, *, code: str, code_verifier: str) -> TokenSet:
        fields = self._with_client_credentials(
            {
                "grant_type": "authorization_code",
                "redirect_uri": self.settings.redirect_uri,
                "code": code,
                "code_verifier": code_verifier,
            }
        )
        return self._token_request(fields)

    def refresh(self, *, refresh_token: str) -> TokenSet:
        fields = self._with_client_credentials(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )
        return self._token_request(fields)

    def _token_request(self, fields: dict[str, str]) -> TokenSet:
        response = self._post_form(f"{self.settings.auth_url}/oauth/token", fields)
        body = _json_body(response)
        if response.status_code == 200 and isinstance(body.get("access_token"), str):
            return _token_set(body)
        error_code = str(body.get("error_code") or "")
        if error_code in TOKEN_ERRORS:
            outcome, message = TOKEN_ERRORS[error_code]
            raise KakaoError(outcome, error_code, message, response.status_code)
        if response.status_code >= 500 or response.status_code == 429:
            raise KakaoError(
                Outcome.retry,
                f"http_{response.status_code}",
                f"Kakao's sign-in server answered {response.status_code}; trying again later.",
                response.status_code,
            )
        description = str(body.get("error_description") or body.get("error") or "no details")
        raise KakaoError(
            Outcome.fatal,
            error_code or str(body.get("error") or f"http_{response.status_code}"),
            f"Kakao refused the token request ({description[:200]}).",
            response.status_code,
        )

    # --- kapi -----------------------------------------------------------------------------

    def send_to_me(self, *, access_token: str, template_object: str) -> None:
        """POST talk/memo/default/send; returns when Kakao accepted the message."""
        response = self._post_form(
            f"{self.settings.api_url}{SEND_PATH}",
            {"template_object": template_object},
            bearer=access_token,
        )
        if response.status_code == 200:
            return
        raise _api_error(response)

    def user_id(self, *, access_token: str) -> int | None:
        """The Kakao user id behind a token (GET v1/user/access_token_info), or None."""
        try:
            response = self._http.get(
                f"{self.settings.api_url}/v1/user/access_token_info",
                headers={"Authorization": f"Bearer {access_token}"},
            )
        except httpx.HTTPError:
            return None
        user_id = _json_body(response).get("id") if response.status_code == 200 else None
        return user_id if isinstance(user_id, int) else None

    def unlink(self, *, access_token: str) -> bool:
        """Ends the app's link to the Kakao account (and so every token). Best effort."""
        try:
            response = self._post_form(
                f"{self.settings.api_url}/v1/user/unlink", {}, bearer=access_token
            )
        except KakaoError:
            return False
        return response.status_code == 200


def _api_error(response: httpx.Response) -> KakaoError:
    body = _json_body(response)
    raw_code = body.get("code")
    code = raw_code if isinstance(raw_code, int) else None
    if code is not None and code in SEND_ERRORS:
        outcome, message = SEND_ERRORS[code]
        return KakaoError(outcome, str(code), message, response.status_code)
    if response.status_code == 401:
        outcome, message = SEND_ERRORS[-401]
        return KakaoError(outcome, "-401", message, 401)
    if response.status_code >= 500 or response.status_code == 429:
        return KakaoError(
            Outcome.retry,
            f"http_{response.status_code}",
            f"Kakao answered {response.status_code}; trying again later.",
            response.status_code,
        )
    detail = str(body.get("msg") or "no details")[:200]
    return KakaoError(
        Outcome.fatal,
        str(code) if code is not None else f"http_{response.status_code}",
        f"Kakao refused the message ({detail}).",
        response.status_code,
    )


def _token_set(body: dict[str, Any]) -> TokenSet:
    refresh_token = body.get("refresh_token")
    refresh_expires_in = body.get("refresh_token_expires_in")
    scope = body.get("scope")
    return TokenSet(
        access_token=str(body["access_token"]),
        expires_in=int(body.get("expires_in") or 0),
        refresh_token=refresh_token if isinstance(refresh_token, str) and refresh_token else None,
        refresh_token_expires_in=int(refresh_expires_in)
        if isinstance(refresh_expires_in, int)
        else None,
        scopes=frozenset(scope.split()) if isinstance(scope, str) else None,
    )
