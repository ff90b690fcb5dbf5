"""The chatbot service's FastAPI app."""

import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI

from mysite_chatbot.answering import AnswerCache
from mysite_chatbot.config import ChatbotSettings
from mysite_chatbot.engine import LanguageResources
from mysite_chatbot.engine.embeddings import use_cache_dir
from mysite_chatbot.knowledge import Knowledge
from mysite_chatbot.llm import LlmClient
from mysite_chatbot.question_log import QuestionLogWriter
from mysite_chatbot.routes import ask, identity, questions, status, taught
from mysite_common.db import Database
from mysite_common.notifications import NotificationSender
from mysite_common.service_app import create_service_app

# httpx logs every request at INFO: a poll of the site every 2 s would drown the service's log.
logging.getLogger("httpx").setLevel(logging.WARNING)

# In the data folder: the encoder's unpacked weights and the entry vectors, kept between
# starts (`python -m mysite_chatbot prepare-cache` fills it ahead, e.g. in an image).
CACHE_FOLDER = "chatbot-cache"

# A question is a few hundred characters: 16 KB is generous even as \u-escaped JSON.
ASK_BODY_LIMIT = 16 * 1024


def create_app(
    settings: ChatbotSettings | None = None,
    *,
    language_resources: LanguageResources | None = None,
) -> FastAPI:
    """`language_resources` (Kiwi and the embedder, the slow part) may be shared between
    apps in one process, as the tests do; the server builds its own in the background."""
    settings = settings or ChatbotSettings.load()
    database = Database(settings.database_url)
    if language_resources is None:
        # The encoder's unpacked weights and the entry vectors, kept between starts.
        use_cache_dir(settings.data_dir / CACHE_FOLDER)
    knowledge = Knowledge(settings, database, language_resources)
    question_log = QuestionLogWriter(database, keep_days=settings.question_log_days)
    llm = LlmClient(settings) if settings.llm_enabled else None
    notifier = NotificationSender(settings.kakao_url)
    # Offline answers run on one thread of their own, one question after another: the
    # engine is CPU work under the GIL (Kiwi and the encoder also take locks), so more
    # threads would only take turns at the GIL with each other and with the event loop.
    engine_lane = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatbot-engine")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The engine is built on a background thread: /healthz answers at once, /readyz
        # once the engine is warm and the profile was fetched (or found unreachable).
        knowledge.start()
        question_log.start()
        notifier.start()
        yield
        knowledge.stop()
        question_log.stop()
        notifier.stop()
        engine_lane.shutdown(wait=False, cancel_futures=True)
        if llm is not None:
            llm.close()
        database.dispose()

    app = create_service_app(
        settings=settings,
        title="mysite chatbot",
        routers=[identity.router, ask.router, questions.router, taught.router, status.router],
        readiness={"database": database.ping, "knowledge": knowledge.check_ready},
        lifespan=lifespan,
        body_limits={"/api/chat/ask": ASK_BODY_LIMIT},
    )
    app.state.settings = settings
    app.state.database = database
    app.state.knowledge = knowledge
    app.state.question_log = question_log
    app.state.llm = llm
    app.state.notifier = notifier
    app.state.answer_cache = AnswerCache(settings.answer_cache_size)
    app.state.engine_lane = engine_lane
    return app
