"""Typed settings shared by every service.

Each service subclasses `ServiceSettings` with its own `env_prefix` (AUTH_, SITE_, ...).
A secret may come from the environment or from a file named by `<PREFIX><NAME>_FILE`
(Docker and Compose secrets, ECS secrets mounted as files); the file wins.
"""

import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, Self

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)


class SecretFileError(ValueError):
    """A `*_FILE` variable names a file that cannot be read."""


def read_secret_file(env: Mapping[str, str], name: str) -> str | None:
    """The content of the file that `<name>_FILE` names (without its trailing newline), or
    None when that variable is not set. The one place a secret file is read."""
    file_name = env.get(f"{name}_FILE")
    if not file_name:
        return None
    try:
        return Path(file_name).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SecretFileError(
            f"{name}_FILE names {file_name!r}, which cannot be read: {exc}"
        ) from exc


class SecretFilesSource(InitSettingsSource):
    """The settings source for `<PREFIX><FIELD>_FILE`: each field whose variable is set gets
    the file's content. Built as init values so aliased fields (MYSITE_ADMIN_PASSWORD) take
    it under the name pydantic validates them by."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        prefix = str(settings_cls.model_config.get("env_prefix", ""))
        values: dict[str, object] = {}
        for name in settings_cls.model_fields:
            secret = read_secret_file(os.environ, f"{prefix}{name.upper()}")
            if secret is not None:
                values[name] = secret
        super().__init__(settings_cls, values)


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


def default_data_dir() -> Path:
    return Path(os.environ.get("MYSITE_DATA_DIR", ".data")).resolve()


def normalize_database_url(url: str) -> str:
    """Accept the URL forms people write and pick the driver we ship (PyMySQL)."""
    for prefix in ("mysql://", "mariadb://", "mariadb+pymysql://"):
        if url.startswith(prefix):
            return "mysql+pymysql://" + url[len(prefix) :]
    return url


class ServiceSettings(BaseSettings):
    """Settings every service has. Subclasses set `service_name` and `env_prefix`."""

    # populate_by_name: overrides and secret files name aliased fields by their field name.
    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)
    service_name: ClassVar[str] = "service"

    environment: Environment = Field(default=Environment.development, validation_alias="MYSITE_ENV")
    data_dir: Path = Field(default_factory=default_data_dir, validation_alias="MYSITE_DATA_DIR")
    log_level: str = Field(default="INFO", validation_alias="MYSITE_LOG_LEVEL")
    # Empty: a SQLite file of the service's own in data_dir (see _database_url).
    database_url: str = Field(default="", validate_default=True)
    max_body_bytes: int = 64 * 1024
    # Trusted proxies in front of the gateway (1 behind the AWS load balancer); the gateway's
    # rate limits read the same variable. See mysite_common.client_address.
    client_ip_depth: int = Field(default=0, ge=0, le=5, validation_alias="MYSITE_CLIENT_IP_DEPTH")
    # How `serve` listens and stops (mysite_common.cli); --host and --port override the first two.
    host: str = Field(default="127.0.0.1", validation_alias="MYSITE_HOST")
    service_port: int = Field(default=8080, ge=1, le=65535, validation_alias="MYSITE_SERVICE_PORT")
    # Only the gateway reaches a service, so its X-Forwarded-* are the truth; on AWS the task
    # definitions narrow this to the private ranges.
    forwarded_allow_ips: str = Field(default="*", validation_alias="MYSITE_FORWARDED_ALLOW_IPS")
    # After SIGTERM, how long /readyz says "draining" before the server shuts down.
    drain_seconds: float = Field(default=2.0, ge=0, validation_alias="MYSITE_DRAIN_SECONDS")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, url: str, info: ValidationInfo) -> str:
        if not url:
            data_dir = info.data.get("data_dir")
            if data_dir is None:  # data_dir itself was refused; that error is the one to show
                return url
            url = f"sqlite:///{data_dir / 'db' / f'{cls.service_name}.sqlite3'}"
        return normalize_database_url(url)

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.production

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """First wins: arguments, then `*_FILE` secret files, then the environment."""
        return init_settings, SecretFilesSource(settings_cls), env_settings

    @classmethod
    def load(cls, **overrides: object) -> Self:
        """The settings from the environment and its secret files; `overrides` win."""
        return cls(**overrides)  # type: ignore[arg-type]
