"""From a visitor's raw question to the reply: clean it, answer offline, optionally let the
LLM phrase it from the same entries, and fall back to the offline answer whenever the LLM's
answer cannot be trusted."""

import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any, Literal

from mysite_chatbot.engine import Answer, Engine
from mysite_chatbot.llm import LlmClient, LlmError
from mysite_common.errors import ApiError

Mode = Literal["offline", "llm"]


@dataclass(frozen=True)
class ChatReply:
    answer: str
    answered: bool
    confidence: float
    sources: list[dict[str, Any]]
    language: str
    mode: Mode
    fallback_reason: str | None = None
    # With a declined question: entries the visitor may pick ({key, title, answer}).
    suggestions: tuple[dict[str, str], ...] = ()

    def public(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "answered": self.answered,
            "confidence": round(self.confidence, 3),
            "sources": self.sources,
            "language": self.language,
            "mode": self.mode,
            "suggestions": list(self.suggestions),
        }


def clean_question(raw: str, max_chars: int) -> str:
    """The question as it will be answered and logged: NFC, control characters gone,
    whitespace collapsed; a clear 422 when it is empty, too long or not text."""
    if any(0xD800 <= ord(character) <= 0xDFFF for character in raw):
        raise ApiError(
            422,
            "invalid_question",
            "The question contains characters that are not valid text.",
            fields={"question": "invalid characters"},
        )
    text = unicodedata.normalize("NFC", raw)
    text = "".join(
        " " if character.isspace() else character
        for character in text
        if character.isspace() or unicodedata.category(character) not in ("Cc", "Cf")
    )
    text = " ".join(text.split())
    if not text:
        raise ApiError(
            422,
            "empty_question",
            "Type a question first.",
            fields={"question": "empty"},
        )
    if len(text) > max_chars:
        raise ApiError(
            422,
            "question_too_long",
            f"Questions can be at most {max_chars} characters long; this one has {len(text)}.",
            fields={"question": f"at most {max_chars} characters"},
        )
    return text


def _offline_reply(answer: Answer) -> ChatReply:
    return ChatReply(
        answer=answer.answer,
        answered=answer.answered,
        confidence=answer.confidence,
        sources=[source.to_dict() for source in answer.sources],
        language=answer.language,
        mode="offline",
        suggestions=tuple(suggestion.to_dict() for suggestion in answer.suggestions),
    )


def _is_small_talk(answer: Answer) -> bool:
    return any(source.type == "smalltalk" for source in answer.sources)


def reply_to(
    question: str,
    engine: Engine,
    llm: LlmClient | None,
    *,
    top_k: int,
    min_score: float = 0.0,
) -> ChatReply:
    offline = engine.ask(question)
    reply = _offline_reply(offline)
    # The owner chose the entry for a taught question: its own answer, not the model's.
    if llm is None or _is_small_talk(offline) or offline.taught:
        return reply
    ranked = [
        (entry, score)
        for entry, score in offline.ranked[:top_k]
        if score > 0 and score >= min_score
    ]
    if not ranked:
        return reply
    try:
        result = llm.answer(question, offline.language, [entry for entry, _ in ranked])
    except LlmError as failure:
        return replace(reply, fallback_reason=failure.reason)
    cited = [ranked[position] for position in result.cited]
    return ChatReply(
        answer=result.text,
        answered=True,
        confidence=max(score for _, score in cited),
        sources=[entry.source.to_dict() for entry, _ in cited],
        language=offline.language,
        mode="llm",
    )


class AnswerCache:
    """Offline replies to questions this replica answered before, newest kept.

    Visitors of one site ask the same few questions again and again ("안녕하세요", "what do
    you do?"); a repeat costs a dictionary look-up instead of the engine's few milliseconds
    of CPU. The key is the cleaned question (NFC, whitespace collapsed: `clean_question`),
    exactly as the engine receives it, so a hit is the answer the engine would give; the
    reply's language is a function of that text. Every entry also carries the engine's
    index generation, which grows at every rebuild (profile or FAQ changed), so nothing
    is answered from an older document. LLM replies are not cached (the model may phrase
    them differently, and its calls are what the owner pays for). Size 0: off.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._replies: OrderedDict[str, tuple[int, ChatReply]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, question: str, generation: int) -> ChatReply | None:
        if self.size <= 0:
            return None
        with self._lock:
            found = self._replies.get(question)
            if found is None or found[0] != generation:
                self.misses += 1
                return None
            self._replies.move_to_end(question)
            self.hits += 1
            return found[1]

    def put(self, question: str, generation: int, reply: ChatReply) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._replies[question] = (generation, reply)
            self._replies.move_to_end(question)
            while len(self._replies) > self.size:
                self._replies.popitem(last=False)

    def status(self) -> dict[str, int]:
        return {
            "size": self.size,
            "entries": len(self._replies),
            "hits": self.hits,
            "misses": self.misses,
        }
