from typing import ClassVar, Self
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import SettingsConfigDict

from mysite_common.settings import ServiceSettings

CALLBACK_PATH = "/api/kakao/oauth/callback"
GENERATE_KEY_HINT = (
    "generate one with `python -m mysite_kakao generate-key` (`make up` writes one for "
    "development into .data/secrets/)"
)


def token_keys(raw: str) -> list[bytes]:
    """KAKAO_TOKEN_KEY: one Fernet key, or several comma-separated (the first encrypts, all
    decrypt, so a key can be rotated without losing the stored tokens)."""
    keys = [part.strip().encode() for part in raw.split(",") if part.strip()]
    for key in keys:
        Fernet(key)  # raises ValueError unless 32 url-safe base64-encoded bytes
    return keys


class KakaoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KAKAO_", extra="ignore", frozen=True)
    service_name: ClassVar[str] = "kakao"

    # The app in Kakao Developers. Empty: the service runs, accepts messages and keeps them
    # queued, and says on its status that Kakao is not configured.
    rest_api_key: str = ""
    client_secret: SecretStr = SecretStr("")
    auth_url: str = "https://kauth.kakao.com"
    api_url: str = "https://kapi.kakao.com"

    # Encrypts the tokens at rest (Fernet keys, see token_keys); required.
    token_key: SecretStr = SecretStr("")

    # The public site, for the link in each message and the default redirect URI.
    site_url: str = Field(
        default="", validation_alias=AliasChoices("KAKAO_SITE_URL", "MYSITE_PUBLIC_URL")
    )
    # Must equal a redirect URI registered for the app, character for character. Empty:
    # KAKAO_SITE_URL + /api/kakao/oauth/callback. After site_url: its default reads it.
    redirect_uri: str = Field(default="", validate_default=True)
    # Where the owner reads a whole message on the site; {id} is the message id.
    message_path: str = "/admin/messages/{id}"
    # Where the connect flow ends in the owner's browser.
    admin_path: str = "/admin"
    button_title: str = "사이트에서 읽기"
    cookie_secure: bool = Field(default=False, validation_alias="MYSITE_COOKIE_SECURE")

    # Messages.
    max_text_chars: int = Field(default=2000, ge=1, le=20000)
    rate_limit_count: int = Field(default=5, ge=1)
    rate_limit_window_seconds: int = Field(default=600, ge=1)

    # Owner notifications (guestbook entries, declined questions). Never more than this many
    # notification messages in any 24 hours (Kakao's daily quotas; a spam wave must not use
    # them up): beyond it events wait and go out later as one summary per kind.
    notification_daily_limit: int = Field(default=50, ge=1, le=10_000)
    # Digest mode: at most one message per kind per this many seconds.
    notification_digest_seconds: int = Field(default=3600, ge=60, le=86_400)
    # Where each kind's message links to on the site.
    guestbook_path: str = "/guestbook"
    questions_path: str = "/admin/chatbot"

    # Delivery.
    worker_threads: int = Field(default=2, ge=0, le=32)  # 0: this replica only accepts
    poll_seconds: float = Field(default=1.0, gt=0)
    batch_size: int = Field(default=10, ge=1, le=500)
    # A replica's claim on a message lapses after this long, so a crashed replica's messages
    # go to another. Far longer than any one send may take.
    claim_lease_seconds: float = Field(default=120.0, gt=0)
    backoff_base_seconds: float = Field(default=5.0, gt=0)
    backoff_max_seconds: float = Field(default=900.0, gt=0)
    max_attempts: int = Field(default=50, ge=1)
    connect_timeout_seconds: float = Field(default=5.0, gt=0)
    read_timeout_seconds: float = Field(default=10.0, gt=0)

    # Tokens.
    maintenance_seconds: float = Field(default=30.0, gt=0)
    # Refresh the access token (6 h) when it has less than this left.
    refresh_ahead_seconds: int = Field(default=1800, ge=0)
    # Kakao renews the refresh token only in its last month, and we refresh every few hours;
    # if it still has less than this left, Kakao is not renewing it and the owner must
    # connect again.
    reconnect_warning_days: int = Field(default=7, ge=0)
    oauth_state_seconds: int = Field(default=600, ge=30)

    @field_validator("auth_url", "api_url", "site_url", "redirect_uri")
    @classmethod
    def _http_url(cls, value: str, info: ValidationInfo) -> str:
        if info.field_name == "redirect_uri" and not value and info.data.get("site_url"):
            value = info.data["site_url"] + CALLBACK_PATH
        if value and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError(f"KAKAO_{str(info.field_name).upper()} must be an http(s) URL")
        # The redirect URI is compared with the registered one character for character.
        return value if info.field_name == "redirect_uri" else value.rstrip("/")

    @model_validator(mode="after")
    def _check(self) -> Self:
        raw_key = self.token_key.get_secret_value()
        if not raw_key.strip():
            raise ValueError(
                "KAKAO_TOKEN_KEY (or KAKAO_TOKEN_KEY_FILE) is required: it encrypts the Kakao "
                f"tokens at rest; {GENERATE_KEY_HINT}"
            )
        try:
            token_keys(raw_key)
        except ValueError as exc:
            raise ValueError(
                "KAKAO_TOKEN_KEY must be a Fernet key (32 url-safe base64-encoded bytes), or "
                f"several separated by commas; {GENERATE_KEY_HINT}"
            ) from exc
        # No KAKAO_REST_API_KEY is allowed, also in production: an owner who has not set up
        # Kakao yet still runs the site; the status says "not configured" and messages wait.
        if "{id}" not in self.message_path:
            raise ValueError("KAKAO_MESSAGE_PATH must contain {id}")
        return self

    @property
    def is_configured(self) -> bool:
        return bool(self.rest_api_key and self.redirect_uri)

    @property
    def state_cookie_name(self) -> str:
        return "__Host-mysite_kakao_oauth" if self.cookie_secure else "mysite_kakao_oauth"

    def message_url(self, message_id: int) -> str:
        return self.site_url + self.message_path.replace("{id}", str(message_id))
