"""Typed dependencies the chatbot routes share.

All `async def`: they only read app.state, and FastAPI runs a plain `def` dependency in its
threadpool, one thread hop per dependency per request (five on POST /api/chat/ask).
"""

from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

from fastapi import Depends, Request

from mysite_chatbot.answering import AnswerCache
from mysite_chatbot.config import ChatbotSettings
from mysite_chatbot.knowledge import Knowledge
from mysite_chatbot.llm import LlmClient
from mysite_chatbot.question_log import QuestionLogWriter
from mysite_common.notifications import NotificationSender


async def _settings(request: Request) -> ChatbotSettings:
    settings: ChatbotSettings = request.app.state.settings
    return settings


async def _knowledge(request: Request) -> Knowledge:
    knowledge: Knowledge = request.app.state.knowledge
    return knowledge


async def _llm(request: Request) -> LlmClient | None:
    llm: LlmClient | None = request.app.state.llm
    return llm


async def _question_log(request: Request) -> QuestionLogWriter:
    writer: QuestionLogWriter = request.app.state.question_log
    return writer


async def _notifier(request: Request) -> NotificationSender:
    notifier: NotificationSender = request.app.state.notifier
    return notifier


async def _answer_cache(request: Request) -> AnswerCache:
    cache: AnswerCache = request.app.state.answer_cache
    return cache


async def _engine_lane(request: Request) -> ThreadPoolExecutor:
    lane: ThreadPoolExecutor = request.app.state.engine_lane
    return lane


Settings = Annotated[ChatbotSettings, Depends(_settings)]
KnowledgeDep = Annotated[Knowledge, Depends(_knowledge)]
Llm = Annotated[LlmClient | None, Depends(_llm)]
QuestionLogDep = Annotated[QuestionLogWriter, Depends(_question_log)]
Notifier = Annotated[NotificationSender, Depends(_notifier)]
AnswerCacheDep = Annotated[AnswerCache, Depends(_answer_cache)]
EngineLane = Annotated[ThreadPoolExecutor, Depends(_engine_lane)]
