"""The engine's public data types."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .text import Language

SourceType = Literal["profile", "faq", "smalltalk"]


@dataclass(frozen=True, slots=True)
class FaqEntry:
    """One of the owner's own question-and-answer pairs, in Korean or English."""

    id: int
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class Source:
    """Where an answer comes from: a profile entry, an FAQ entry or small talk.

    ``to_dict`` gives the wire form, e.g. {"type": "profile", "section": "work",
    "index": 0, "key": "work:0", "title": "Acme Corp"} or {"type": "faq", "id": 3,
    "key": "faq:3", "title": "..."}: ``key`` is what the owner's teaching routes take.
    """

    type: SourceType
    title: str
    section: str | None = None
    index: int | None = None
    field: str | None = None
    id: int | None = None

    @property
    def key(self) -> str:
        """Stable short id: "work:0", "basics.email", "profiles:2", "faq:3", "skills"."""
        if self.type == "faq":
            return f"faq:{self.id}"
        if self.type == "smalltalk":
            return f"smalltalk:{self.title}"
        if self.field is not None:
            return f"{self.section}.{self.field}"
        if self.index is not None:
            return f"{self.section}:{self.index}"
        return str(self.section)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type}
        for name in ("section", "index", "field", "id"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        data["key"] = self.key
        data["title"] = self.title
        return data


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An entry offered with a declined question ("maybe one of these"): the visitor
    picks it to read its answer, so the engine's doubt costs a click, not the answer."""

    source: Source
    answer: str  # in the question's language

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.source.key, "title": self.source.title, "answer": self.answer}


@dataclass(frozen=True, slots=True)
class Answer:
    answer: str
    answered: bool
    confidence: float
    sources: list[Source]
    language: Language
    # From a question the owner taught (or one worded like it): the owner chose the entry.
    taught: bool = False
    # With a declined question: the entries most likely to answer it, best first.
    suggestions: list[Suggestion] = field(default_factory=list)
    # The entries as the re-ranker ordered them for this answer, with its scores (0..1),
    # best first; empty when nothing was ranked (a taught question, small talk). LLM mode
    # phrases its answer from these, so a question is ranked once.
    ranked: tuple[tuple[Entry, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "answered": self.answered,
            "confidence": round(self.confidence, 3),
            "sources": [source.to_dict() for source in self.sources],
            "language": self.language,
            "suggestions": [suggestion.to_dict() for suggestion in self.suggestions],
        }


@dataclass(frozen=True, slots=True)
class TextField:
    """A piece of an entry's searchable text and how much a match in it counts."""

    text: str
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Entry:
    """One answerable unit: a profile item (a job, a skill group, the email...) or an FAQ.

    ``answer_en``/``answer_ko`` are complete answers in each language (templates for
    structured data, quoted free text otherwise). ``fields`` and ``concepts`` are what
    retrieval matches against; ``embedding_texts`` what the embedding model sees.
    ``content_language`` is the language the owner wrote the entry's text in, or
    None when the entry is language-neutral (an email address, a URL).
    """

    source: Source
    answer_en: str
    answer_ko: str
    fields: tuple[TextField, ...]
    concepts: tuple[tuple[str, float], ...] = ()
    embedding_texts: tuple[str, ...] = ()
    content_language: Language | None = None
    # Named items of the entry (skill keywords, tech of a project) so an answer can
    # say "Yes, I use Kubernetes" when the question names one of them.
    items: tuple[str, ...] = field(default=())
    # What the re-ranker reads as the entry's prior, one of its features: a small value
    # for the current job and for a section's overview (entries.CURRENT_JOB_PRIOR,
    # OVERVIEW_PRIOR), whatever the question.
    prior: float = 0.0
    # ISO dates of a dated item (a job, a school), for "before X" / "after X".
    start_date: str = ""
    end_date: str = ""
    # An item the owner still holds (a job without an end date).
    current: bool = False
    # Questions a visitor might ask that this entry answers (the FAQ's own question, the
    # data file's questions for its kind of entry), embedded apart from its content.
    question_texts: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.source.key

    @property
    def title(self) -> str:
        return self.source.title

    @property
    def full_text(self) -> str:
        """Everything the entry says, for checks such as "does it state a number?"."""
        return " ".join([self.answer_en, self.answer_ko, *(field.text for field in self.fields)])

    def answer_in(self, language: Language) -> str:
        return self.answer_ko if language == "ko" else self.answer_en
