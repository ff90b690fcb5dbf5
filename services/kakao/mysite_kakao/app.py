"""The kakao service's FastAPI app."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from mysite_common.db import Database, utcnow
from mysite_common.service_app import create_service_app
from mysite_kakao.config import KakaoSettings
from mysite_kakao.connection import ensure_connection_row
from mysite_kakao.crypto import TokenCipher
from mysite_kakao.delivery import DeliveryWorker
from mysite_kakao.kakao import Clock, Kakao
from mysite_kakao.kakao_client import KakaoClient
from mysite_kakao.locks import TokenGuard
from mysite_kakao.notifications import ensure_settings_row
from mysite_kakao.routes import messages, notifications, oauth, status


def create_app(settings: KakaoSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or KakaoSettings.load()
    # httpx logs every request at INFO: one line per send, and noise nobody reads.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    database = Database(settings.database_url)
    kakao = Kakao(
        settings=settings,
        database=database,
        client=KakaoClient(settings),
        cipher=TokenCipher(settings.token_key.get_secret_value()),
        token_guard=TokenGuard.for_database(settings.database_url),
        clock=clock or utcnow,
    )
    worker = DeliveryWorker(kakao)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        ensure_connection_row(database)
        ensure_settings_row(database)
        worker.start()
        yield
        # Finishes the sends in flight and hands the rest back for the next replica.
        worker.stop()
        kakao.client.close()
        database.dispose()

    app = create_service_app(
        settings=settings,
        title="mysite kakao",
        routers=[
            oauth.router,
            status.router,
            messages.router,
            notifications.router,
            notifications.internal_router,
        ],
        readiness={"database": database.ping},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.kakao = kakao
    app.state.database = database
    app.state.worker = worker
    return app
