"""Typed dependencies the kakao routes share: each alias names what a route receives (`Dep`
only where the class has the same name), and this module is the only one that reads
app.state for a request."""

from typing import Annotated

from fastapi import Depends, Request

from mysite_kakao.config import KakaoSettings
from mysite_kakao.delivery import DeliveryWorker
from mysite_kakao.kakao import Kakao


async def _kakao(request: Request) -> Kakao:
    kakao: Kakao = request.app.state.kakao
    return kakao


async def _settings(request: Request) -> KakaoSettings:
    settings: KakaoSettings = request.app.state.settings
    return settings


async def _delivery(request: Request) -> DeliveryWorker:
    worker: DeliveryWorker = request.app.state.worker
    return worker


KakaoDep = Annotated[Kakao, Depends(_kakao)]
Settings = Annotated[KakaoSettings, Depends(_settings)]
# Woken when a message is accepted or the connection changes, so delivery starts at once.
Delivery = Annotated[DeliveryWorker, Depends(_delivery)]
