"""Typed settings shared by every service.

Each service subclasses `ServiceSettings` with its own `env_prefix` (AUTH_, SITE_, ...).
A secret may come from the environment or from a file named by `<PREFIX><NAME>_FILE`
(Docker and Compose secrets, ECS secrets mounted as files).
"""

import os
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, Self

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    # populate_by_name: load() passes file secrets by field name, also for aliased fields.
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
    def load(cls, **overrides: object) -> Self:
        """Read the environment, plus `<PREFIX><FIELD>_FILE` secret files."""
        prefix = str(cls.model_config.get("env_prefix", ""))
        values: dict[str, object] = {}
        for name in cls.model_fields:
            file_variable = f"{prefix}{name.upper()}_FILE"
            secret_path = os.environ.get(file_variable)
            if secret_path:
                values[name] = Path(secret_path).read_text(encoding="utf-8").strip()
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
