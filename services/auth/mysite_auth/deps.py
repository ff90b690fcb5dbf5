"""Typed dependencies the auth routes share."""

from typing import Annotated

from fastapi import Depends, Request

from mysite_auth.config import AuthSettings
from mysite_auth.passwords import PasswordHashing
from mysite_auth.revocation import RevocationCache


def _settings(request: Request) -> AuthSettings:
    settings: AuthSettings = request.app.state.settings
    return settings


def _hashing(request: Request) -> PasswordHashing:
    hashing: PasswordHashing = request.app.state.hashing
    return hashing


def _revocations(request: Request) -> RevocationCache:
    cache: RevocationCache = request.app.state.revocations
    return cache


def client_ip(request: Request) -> str:
    # The gateway sets X-Real-Ip from the connection it accepted; services are reachable
    # only through it.
    return request.headers.get("x-real-ip") or (request.client.host if request.client else "-")


Settings = Annotated[AuthSettings, Depends(_settings)]
Hashing = Annotated[PasswordHashing, Depends(_hashing)]
Revocations = Annotated[RevocationCache, Depends(_revocations)]
ClientIp = Annotated[str, Depends(client_ip)]
