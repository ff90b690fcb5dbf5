"""The auth service's FastAPI app."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from mysite_auth import service
from mysite_auth.config import AuthSettings
from mysite_auth.passwords import PasswordHashing
from mysite_auth.revocation import RevocationCache
from mysite_auth.routes import accounts, verify
from mysite_common.db import Database
from mysite_common.service_app import create_service_app


def create_app(settings: AuthSettings | None = None) -> FastAPI:
    settings = settings or AuthSettings.load()
    database = Database(settings.database_url)
    revocations = RevocationCache(
        database, settings.sync_seconds, housekeeping=lambda: service.housekeeping(database)
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        revocations.start()
        yield
        revocations.stop()
        database.dispose()

    app = create_service_app(
        settings=settings,
        title="mysite auth",
        routers=[accounts.router],
        readiness={"database": database.ping, "revocations": revocations.check_ready},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.hashing = PasswordHashing(settings.max_concurrent_hashes)
    app.state.revocations = revocations
    # Added last, so it runs first: verify skips the rest of the stack (see its docstring).
    app.add_middleware(verify.VerifyEndpoint, settings=settings, revocations=revocations)
    return app
