"""POST /api/chat/ask: a visitor's question in, the answer with its sources out."""

import time
import uuid

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from mysite_chatbot.answering import clean_question, reply_to
from mysite_chatbot.deps import KnowledgeDep, Llm, Notifier, QuestionLogDep, Settings
from mysite_chatbot.knowledge import EngineNotReadyError
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
    # e.g. {"type": "profile", "section": "work", "index": 0, "title": "Acme"},
    # {"type": "faq", "id": 3, "title": "..."}, {"type": "smalltalk", "title": "greeting"}
    sources: list[dict[str, str | int]]
    language: str
    mode: str  # "offline" or "llm"


# A plain `def`: retrieval is CPU work and the LLM call blocks, so it runs in the threadpool.
@router.post("/ask")
def ask(
    body: AskRequest,
    response: Response,
    settings: Settings,
    knowledge: KnowledgeDep,
    llm: Llm,
    question_log: QuestionLogDep,
    notifier: Notifier,
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
    reply = reply_to(
        question, engine, llm, top_k=settings.llm_top_k, min_score=settings.llm_min_score
    )
    question_log.record(question, reply, (time.perf_counter() - started) * 1000)
    if not reply.answered:
        # The owner hears about what the chatbot could not answer (to add it to the FAQ).
        notifier.notify(
            kind="declined_question", event_id=f"question-{uuid.uuid4().hex}", text=question
        )
    response.headers["Cache-Control"] = "no-store"
    return AskResponse(**reply.public())
