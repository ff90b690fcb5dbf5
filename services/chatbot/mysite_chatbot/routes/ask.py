"""POST /api/chat/ask: a visitor's question in, the answer with its sources out."""

import asyncio
import time
import uuid
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from mysite_chatbot import service
from mysite_chatbot.answering import ChatReply, clean_question, reply_to
from mysite_chatbot.deps import (
    AnswerCacheDep,
    EngineLane,
    KnowledgeDep,
    Llm,
    Notifier,
    QuestionLogDep,
    Settings,
)
from mysite_chatbot.knowledge import EngineNotReadyError
from mysite_common.db import DbSession
from mysite_common.errors import ApiError

router = APIRouter(prefix="/api/chat", tags=["chat"])

# A bound far above any configured limit, so absurd input is refused before any work; the
# configured limit (CHATBOT_MAX_QUESTION_CHARS) gives the clear message.
_MAX_RAW_QUESTION = 20_000


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    question: StrictStr = Field(max_length=_MAX_RAW_QUESTION)


class AskResponse(BaseModel):
    answer: str
    # False: the chatbot does not know; the widget offers the "send me a message" form.
    answered: bool
    confidence: float
    # e.g. {"type": "profile", "section": "work", "index": 0, "key": "work:0", "title": "Acme"},
    # {"type": "faq", "id": 3, "key": "faq:3", "title": "..."},
    # {"type": "smalltalk", "key": "smalltalk:greeting", "title": "greeting"}; the key is the
    # entry_key of POST /api/chat/questions/{id}/entry.
    sources: list[dict[str, str | int]]
    language: str
    mode: str  # "offline" or "llm"
    # With a declined question, up to three entries that may answer it, best first, e.g.
    # {"key": "work:0", "title": "Acme", "answer": "..."}: the widget offers them to pick.
    suggestions: list[dict[str, str]] = []
    # With suggestions: the id to say which one the visitor picked (POST
    # /api/chat/replies/{reply_id}/pick), a hint for the owner's question log.
    reply_id: str | None = None


ReplyId = Annotated[str, Path(pattern="^[0-9a-f]{32}$")]


class PickRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    # One of the reply's suggestions ("work:0").
    entry_key: StrictStr = Field(min_length=1, max_length=100)


@router.post("/ask")
async def ask(
    body: AskRequest,
    response: Response,
    settings: Settings,
    knowledge: KnowledgeDep,
    llm: Llm,
    question_log: QuestionLogDep,
    notifier: Notifier,
    answer_cache: AnswerCacheDep,
    engine_lane: EngineLane,
) -> AskResponse:
    started = time.perf_counter()
    question = clean_question(body.question, settings.max_question_chars)
    try:
        engine = knowledge.engine
    except EngineNotReadyError:
        raise ApiError(
            503,
            "warming_up",
            "The chatbot is starting up; ask again in a few seconds.",
            headers={"Retry-After": "2"},
        ) from None
    answer = partial(
        reply_to,
        question,
        engine,
        llm,
        top_k=settings.llm_top_k,
        min_score=settings.llm_min_score,
    )
    reply: ChatReply | None
    if llm is None:
        # Read before answering: a rebuild meanwhile makes this entry stale, never wrong.
        generation = engine.generation
        reply = answer_cache.get(question, generation)
        if reply is None:
            reply = await asyncio.get_running_loop().run_in_executor(engine_lane, answer)
            answer_cache.put(question, generation, reply)
    else:
        # The LLM call waits on the network for seconds: the shared threadpool, not the lane.
        reply = await run_in_threadpool(answer)
    # Per reply, not per cached answer: a pick names what this visitor was offered.
    reply_id = uuid.uuid4().hex if reply.suggestions else None
    question_log.record(question, reply, (time.perf_counter() - started) * 1000, reply_id)
    if not reply.answered and notifier.enabled:
        # The owner hears about what the chatbot could not answer (to add it to the FAQ).
        notifier.notify(
            kind="declined_question", event_id=f"question-{uuid.uuid4().hex}", text=question
        )
    response.headers["Cache-Control"] = "no-store"
    return AskResponse(**reply.public(), reply_id=reply_id)


@router.post("/replies/{reply_id}/pick", status_code=status.HTTP_204_NO_CONTENT)
def pick_suggestion(
    reply_id: ReplyId,
    body: PickRequest,
    response: Response,
    db: DbSession,
) -> None:
    """The visitor picked one of the entries offered with a declined question. The owner's
    question log shows it beside the question, and the teaching picker chooses it first;
    nothing is taught until the owner says so."""
    service.pick_suggestion(db, reply_id, entry_key=body.entry_key)
    response.headers["Cache-Control"] = "no-store"
