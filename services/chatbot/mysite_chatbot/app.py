"""The chatbot service's FastAPI app."""

from fastapi import FastAPI

from mysite_chatbot.config import ChatbotSettings
from mysite_chatbot.routes import identity
from mysite_common.db import Database
from mysite_common.service_app import create_service_app


def create_app(settings: ChatbotSettings | None = None) -> FastAPI:
    settings = settings or ChatbotSettings.load()
    database = Database(settings.database_url)
    app = create_service_app(
        settings=settings,
        title="mysite chatbot",
        routers=[identity.router],
        readiness={"database": database.ping},
    )
    app.state.settings = settings
    app.state.database = database
    return app
