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


Settings = Annotated[AuthSettings, Depends(_settings)]
Hashing = Annotated[PasswordHashing, Depends(_hashing)]
Revocations = Annotated[RevocationCache, Depends(_revocations)]
