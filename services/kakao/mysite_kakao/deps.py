"""Typed dependencies the kakao routes share."""

from typing import Annotated

from fastapi import Depends, Request

from mysite_kakao.config import KakaoSettings
from mysite_kakao.runtime import Runtime


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _settings(request: Request) -> KakaoSettings:
    settings: KakaoSettings = request.app.state.settings
    return settings


KakaoRuntime = Annotated[Runtime, Depends(_runtime)]
Settings = Annotated[KakaoSettings, Depends(_settings)]
