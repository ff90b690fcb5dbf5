from typing import ClassVar, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from mysite_common.settings import ServiceSettings

MIN_SECRET_BYTES = 32


class AuthSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore", frozen=True)
    service_name: ClassVar[str] = "auth"

    # HS256 key: only this service ever signs or verifies tokens (the gateway asks it).
    jwt_secret: SecretStr = SecretStr("")
    # Keys that signed earlier tokens, comma-separated: still accepted, never used to sign, so
    # the signing key can rotate without logging anyone out (docs/deploy.md, "Rotating").
    jwt_previous_secrets: SecretStr = SecretStr("")
    jwt_issuer: str = "mysite-auth"
    jwt_audience: str = "mysite"
    access_token_minutes: int = Field(default=10, ge=1, le=15)
    refresh_idle_days: int = Field(default=14, ge=1, le=90)
    session_max_days: int = Field(default=30, ge=1, le=365)
    # A refresh token used again within this many seconds is a race between two tabs, not
    # theft: it is refused without ending the session.
    refresh_reuse_grace_seconds: int = Field(default=5, ge=0, le=60)
    cookie_secure: bool = Field(default=False, validation_alias="MYSITE_COOKIE_SECURE")

    admin_username: str = Field(default="", validation_alias="MYSITE_ADMIN_USERNAME")
    admin_password: SecretStr = Field(
        default=SecretStr(""), validation_alias="MYSITE_ADMIN_PASSWORD"
    )
    admin_display_name: str = Field(default="", validation_alias="MYSITE_ADMIN_DISPLAY_NAME")

    # Argon2id with m=19 MiB: this many hashes at once bounds memory under a login flood.
    max_concurrent_hashes: int = Field(default=2, ge=1, le=64)
    login_window_minutes: int = Field(default=15, ge=1)
    max_failures_per_account_and_ip: int = Field(default=5, ge=1)
    max_failures_per_ip: int = Field(default=50, ge=1)
    max_failures_per_account: int = Field(default=100, ge=1)
    # How often every replica reads new revocations (mysite_common.sync): the longest a
    # revoked session still passes on another replica.
    sync_seconds: float = Field(default=0.5, gt=0, le=10)

    @model_validator(mode="after")
    def _secret_strong_enough(self) -> Self:
        secret = self.jwt_secret.get_secret_value()
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                f"AUTH_JWT_SECRET (or AUTH_JWT_SECRET_FILE) must hold at least {MIN_SECRET_BYTES}"
                " random bytes; `make up` generates one for development into .data/secrets/"
            )
        if any(len(key.encode()) < MIN_SECRET_BYTES for key in self.previous_jwt_secrets):
            raise ValueError(
                f"every key in AUTH_JWT_PREVIOUS_SECRETS must hold at least {MIN_SECRET_BYTES}"
                " random bytes"
            )
        return self

    @property
    def previous_jwt_secrets(self) -> list[str]:
        raw = self.jwt_previous_secrets.get_secret_value()
        return [key.strip() for key in raw.split(",") if key.strip()]

    @property
    def access_cookie_name(self) -> str:
        return "__Host-mysite_access" if self.cookie_secure else "mysite_access"

    @property
    def refresh_cookie_name(self) -> str:
        return "__Host-mysite_refresh" if self.cookie_secure else "mysite_refresh"
