"""GET /api/chat/status: what this replica knows and how it answers (for the owner)."""

from typing import Any

from fastapi import APIRouter

from mysite_chatbot.deps import AnswerCacheDep, KnowledgeDep, Llm, Settings
from mysite_common.identity import OwnerUser

router = APIRouter(prefix="/api/chat", tags=["chat"])


@router.get("/status")
def chat_status(
    _owner: OwnerUser,
    knowledge: KnowledgeDep,
    llm: Llm,
    settings: Settings,
    answer_cache: AnswerCacheDep,
) -> dict[str, Any]:
    return {
        **knowledge.status(),
        "answer_cache": answer_cache.status(),
        "llm": llm.status() if llm is not None else {"enabled": False},
        "max_question_chars": settings.max_question_chars,
    }


@router.get("/info")
async def chat_info(knowledge: KnowledgeDep, settings: Settings) -> dict[str, Any]:
    """What the widget needs before the first question (public)."""
    return {"ready": knowledge.is_ready, "max_question_chars": settings.max_question_chars}
