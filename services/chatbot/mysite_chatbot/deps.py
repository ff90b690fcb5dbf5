"""Typed dependencies the chatbot routes share."""

from typing import Annotated

from fastapi import Depends, Request

from mysite_chatbot.config import ChatbotSettings
from mysite_chatbot.knowledge import Knowledge
from mysite_chatbot.llm import LlmClient
from mysite_chatbot.question_log import QuestionLogWriter
from mysite_common.notifications import NotificationSender


def _settings(request: Request) -> ChatbotSettings:
    settings: ChatbotSettings = request.app.state.settings
    return settings


def _knowledge(request: Request) -> Knowledge:
    knowledge: Knowledge = request.app.state.knowledge
    return knowledge


def _llm(request: Request) -> LlmClient | None:
    llm: LlmClient | None = request.app.state.llm
    return llm


def _question_log(request: Request) -> QuestionLogWriter:
    writer: QuestionLogWriter = request.app.state.question_log
    return writer


def _notifier(request: Request) -> NotificationSender:
    notifier: NotificationSender = request.app.state.notifier
    return notifier


Settings = Annotated[ChatbotSettings, Depends(_settings)]
KnowledgeDep = Annotated[Knowledge, Depends(_knowledge)]
Llm = Annotated[LlmClient | None, Depends(_llm)]
QuestionLogDep = Annotated[QuestionLogWriter, Depends(_question_log)]
Notifier = Annotated[NotificationSender, Depends(_notifier)]
