"""The question-answering engine: retrieve the best entry, answer from it or decline.

The engine only retrieves and fills templates; it never follows instructions found in
a question or in the profile, so prompt-injection text is just more words to match.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .analysis import TextAnalyzer, Token
from .embeddings import Embedder, Vectors, load_embedder, prepare_query
from .entries import build_entries
from .korean import KoreanAnalyzer
from .lexical import LexicalIndex, LexicalScore, QueryTerm
from .models import Answer, Entry, FaqEntry, Source
from .question import (
    Relation,
    asks_availability,
    asks_past_experience,
    asks_quantity,
    asks_years,
    focus_phrase,
    is_task_request,
    question_tokens,
    states_quantity,
    states_years,
    time_relation,
)
from .smalltalk import REPLIES, split_small_talk
from .templates import EMPTY_QUESTION, REFUSAL, eul, join_list
from .text import Language, clean_text, detect_language

logger = logging.getLogger(__name__)

RAW_TIEBREAK = 0.05
# Visitors' questions are a sentence or two; analysing more only costs time (Kiwi takes
# ~150 ms for 2,000 Korean characters) without changing what the question is about.
MAX_QUESTION_CHARS = 600

EmbeddingPolicy = Literal["always", "when_unsure", "never"]
EngineMode = Literal["hybrid", "lexical"]


@dataclass(frozen=True, slots=True)
class Tuning:
    """Retrieval and refusal constants, tuned on the tuning question sets (dev, dev_a/b/d/f
    and the second to fourth profiles); the held-out sets were only run for their totals."""

    # Fusion: normalised-score sum (not rank fusion, which throws away how *good* a match
    # is). Embedding similarities are min-max scaled per question, so the embedding
    # re-orders close lexical candidates rather than deciding alone; on the dev set it
    # is the weaker signal (about 45% top-1 alone against 90% for lexical).
    lexical_weight: float = 0.85
    embedding_weight: float = 0.15
    # Below this fused score the engine declines instead of guessing. Near misses are
    # caught by the two factors below rather than by a high threshold, which would also
    # turn away right answers to questions wrapped in chat.
    answer_threshold: float = 0.30
    # With embeddings "when_unsure": embed only when the two best lexical candidates are
    # within this relative margin (an embedding costs 15-35 ms on a small CPU).
    unsure_relative_margin: float = 0.01
    # A question for a number ("how many stars?") whose best entry states none is
    # probably about something the profile does not say: confidence is scaled by this.
    missing_quantity_factor: float = 0.35
    # Likewise when the best entry lacks the very thing a "what/which/who" question
    # names ("what was your GPA at Toronto?" and the Toronto entry gives no GPA).
    missing_focus_factor: float = 0.35


@dataclass(frozen=True, slots=True)
class RankedEntry:
    entry: Entry
    position: int  # in the index
    score: float
    lexical: LexicalScore
    embedding: float | None


@dataclass(frozen=True, slots=True)
class _Index:
    generation: int
    entries: tuple[Entry, ...]
    lexical: LexicalIndex
    # Words of the owner's name: every entry is about the owner, so "Jiwoo" in "has
    # Jiwoo worked with Go?" says nothing about which entry answers.
    owner_forms: frozenset[str] = frozenset()
    # One row per embedding text; ``vector_owner[i]`` is the entry index of row i.
    vectors: Vectors | None = None
    vector_owner: tuple[int, ...] = ()


@dataclass
class LanguageResources:
    """The heavy, shareable part of an engine: Kiwi, the vocabulary and the embedder."""

    korean: KoreanAnalyzer
    analyzer: TextAnalyzer
    embedder: Embedder | None
    embedding_status: str  # "ok", "disabled" or why embeddings are unavailable
    load_seconds: float = 0.0

    @classmethod
    def load(cls, embeddings: bool = True, num_threads: int | None = None) -> LanguageResources:
        started = time.perf_counter()
        korean = KoreanAnalyzer(TextAnalyzer.korean_user_nouns())
        analyzer = TextAnalyzer(korean)
        embedder: Embedder | None = None
        status = "disabled"
        if embeddings:
            embedder, reason = load_embedder(num_threads)
            status = "ok" if embedder is not None else reason
        return cls(korean, analyzer, embedder, status, time.perf_counter() - started)


@dataclass
class _Stats:
    embedded_questions: int = 0
    questions: int = 0


class Engine:
    """Answers visitors' questions about the site owner from their profile and FAQ.

    >>> engine = Engine.create()
    >>> engine.warm_up()
    >>> engine.load(profile, faqs)
    >>> engine.ask("어디서 일하세요?").answer
    """

    def __init__(
        self,
        language_resources: LanguageResources | None = None,
        *,
        embedding_policy: EmbeddingPolicy = "never",
        default_language: Language = "en",
        tuning: Tuning | None = None,
    ) -> None:
        self.resources = language_resources or LanguageResources.load(
            embeddings=embedding_policy != "never"
        )
        self.embedding_policy: EmbeddingPolicy = embedding_policy
        self.default_language: Language = default_language
        self.tuning = tuning or Tuning()
        self._index = _Index(0, (), LexicalIndex(self.resources.analyzer, []))
        self._load_lock = threading.Lock()
        self._embedding_done = threading.Event()
        self._embedding_done.set()
        self.stats = _Stats()

    @classmethod
    def create(cls, *, embedding_policy: EmbeddingPolicy = "never", **options: Any) -> Engine:
        """Build an engine with freshly loaded language resources (about 1-2 s).

        Lexical retrieval is the default: on the dev set it was both more accurate than
        fusing in e5 embeddings and ~20x faster (see services/chatbot/eval/README.md).
        Pass embedding_policy="when_unsure" or "always" to load and use the embedder.
        """
        resources = LanguageResources.load(embeddings=embedding_policy != "never")
        return cls(resources, embedding_policy=embedding_policy, **options)

    # ------------------------------------------------------------------ status

    @property
    def mode(self) -> EngineMode:
        """ "hybrid" when embeddings are in use for the current index, else "lexical"."""
        if self.resources.embedder is None or self.embedding_policy == "never":
            return "lexical"
        return "hybrid" if self._index.vectors is not None else "lexical"

    @property
    def embedding_status(self) -> str:
        if self.resources.embedder is None:
            return self.resources.embedding_status
        if self.embedding_policy == "never":
            return "disabled"
        return "ready" if self._index.vectors is not None else "indexing"

    @property
    def entries(self) -> tuple[Entry, ...]:
        return self._index.entries

    def warm_up(self) -> None:
        """Run Kiwi and the embedder once so the first visitor does not pay for it."""
        self.resources.korean.warm_up()
        self.resources.analyzer.tokens("What do you do? 무슨 일 하세요?")
        if self.resources.embedder is not None and self.embedding_policy != "never":
            self.resources.embedder.embed_queries(["query warm-up", "워밍업"])

    # ------------------------------------------------------------------ indexing

    def load(
        self,
        profile: Mapping[str, Any] | None,
        faqs: Sequence[FaqEntry] = (),
        *,
        wait: bool = False,
    ) -> None:
        """(Re)build the index from ``profile`` and ``faqs`` and swap it in.

        The lexical index is built synchronously (tens of milliseconds). Entry embeddings
        take ~70 ms each on a small CPU, so they are computed on a background thread
        (cached by text, so an edit re-embeds only what changed) and swapped in when done;
        until then questions are answered lexically. ``wait=True`` blocks until then.
        Concurrent ``ask`` calls always see one complete index, old or new.
        """
        entries = tuple(build_entries(profile, faqs))
        with self._load_lock:
            generation = self._index.generation + 1
            lexical = LexicalIndex(self.resources.analyzer, entries)
            owner_forms = frozenset(
                token.form
                for entry in entries
                if entry.source.field == "name"
                for token in self.resources.analyzer.tokens(entry.title)
            )
            self._index = _Index(generation, entries, lexical, owner_forms=owner_forms)
            embedder = self.resources.embedder
            if embedder is None or self.embedding_policy == "never" or not entries:
                return
            self._embedding_done.clear()
        worker = threading.Thread(
            target=self._embed_entries,
            args=(embedder, generation, entries),
            name="chatbot-embed",
            daemon=True,
        )
        worker.start()
        if wait:
            worker.join()

    def wait_until_ready(self, timeout: float | None = None) -> bool:
        """Block until the current index has its embeddings (or none are coming)."""
        return self._embedding_done.wait(timeout)

    def _embed_entries(
        self, embedder: Embedder, generation: int, entries: tuple[Entry, ...]
    ) -> None:
        try:
            texts: list[str] = []
            owners: list[int] = []
            for position, entry in enumerate(entries):
                for text in entry.embedding_texts:
                    texts.append(text)
                    owners.append(position)
            vectors_parts = []
            # Small batches keep a visitor's question from waiting long behind indexing.
            for start in range(0, len(texts), 8):
                if self._index.generation != generation:
                    return  # a newer load() superseded this one
                vectors_parts.append(embedder.embed_passages(texts[start : start + 8]))
            vectors = np.vstack(vectors_parts) if vectors_parts else None
            with self._load_lock:
                current = self._index
                if current.generation == generation and vectors is not None:
                    self._index = _Index(
                        generation,
                        current.entries,
                        current.lexical,
                        current.owner_forms,
                        vectors,
                        tuple(owners),
                    )
        except Exception:
            logger.exception("embedding the profile failed; answering lexically")
        finally:
            if self._index.generation == generation:
                self._embedding_done.set()

    # ------------------------------------------------------------------ answering

    def ask(self, question: str) -> Answer:
        """Answer ``question`` (any string) in its language, citing the entry used."""
        text = clean_text(question if isinstance(question, str) else "", MAX_QUESTION_CHARS)
        language = detect_language(text, self.default_language)
        if not text:
            return Answer(EMPTY_QUESTION[language], False, 0.0, [], language)
        small_talk = split_small_talk(text)
        if small_talk.only_small_talk and small_talk.kind is not None:
            return Answer(
                REPLIES[small_talk.kind][language],
                True,
                1.0,
                [Source("smalltalk", small_talk.kind)],
                language,
            )
        question = small_talk.remainder or text
        if is_task_request(question):
            return Answer(REFUSAL[language], False, 0.0, [], language)
        tokens = self._question_tokens(question)
        found, query = self._rank_with_query(question, tokens)
        ranked: Sequence[RankedEntry] = found
        if not ranked:
            return Answer(REFUSAL[language], False, 0.0, [], language)
        # What the question asks can change which close candidate answers it.
        asked_terms = {term for query_term in query for term, _ in query_term.terms}
        ranked = self._named_sibling_first(ranked, asked_terms)
        if asks_years(question):
            ranked = _years_stated_first(ranked)
        if asks_past_experience(question):
            ranked = _done_before_offered(ranked)
        elif asks_availability(question):
            ranked = _offered_before_done(ranked)
        confidence = self._confidence(ranked, question, query)
        best = self._follow_time_relation(ranked, asked_terms, time_relation(question))
        if confidence < self.tuning.answer_threshold:
            return Answer(REFUSAL[language], False, confidence, [], language)
        return Answer(
            self._render(best.entry, language, tokens),
            True,
            confidence,
            [best.entry.source],
            language,
        )

    def top_entries(self, question: str, k: int = 3) -> list[tuple[Entry, float]]:
        """The ``k`` best-matching entries with their fused scores (0..1), best first."""
        text = clean_text(question if isinstance(question, str) else "", MAX_QUESTION_CHARS)
        if not text:
            return []
        remainder = split_small_talk(text).remainder or text
        tokens = self._question_tokens(remainder)
        return [(item.entry, item.score) for item in self._rank(remainder, tokens)[: max(0, k)]]

    def rank(self, question: str) -> list[RankedEntry]:
        """All entries with their lexical, embedding and fused scores (for evaluation)."""
        text = clean_text(question, MAX_QUESTION_CHARS)
        remainder = split_small_talk(text).remainder or text
        return self._rank(remainder, self._question_tokens(remainder))

    def _question_tokens(self, question: str) -> list[Token]:
        """The question's tokens without the owner's name, unless that is all it says."""
        tokens = question_tokens(self.resources.analyzer, question)
        owner = self._index.owner_forms
        without_owner = [token for token in tokens if token.form not in owner]
        return without_owner or tokens

    def _rank(self, text: str, tokens: Sequence[Token]) -> list[RankedEntry]:
        return self._rank_with_query(text, tokens)[0]

    def _rank_with_query(
        self, text: str, tokens: Sequence[Token]
    ) -> tuple[list[RankedEntry], list[QueryTerm]]:
        """The ranking, and the question's terms as resolved against the same index (a
        concurrent load() may swap the index; the checks after ranking must not mix)."""
        index = self._index
        if not index.entries:
            return [], []
        self.stats.questions += 1
        query = index.lexical.resolve(tokens)
        lexical = index.lexical.score_all(query)
        lexical_votes = any(score.raw > 0 for score in lexical)
        similarities = None
        if self._should_embed(index, lexical):
            similarities = self._entry_similarities(index, text)
        tuning = self.tuning
        scaled_similarities = None
        if similarities is not None:
            spread = float(similarities.max() - similarities.min())
            scaled_similarities = (
                (similarities - similarities.min()) / spread if spread > 0 else None
            )
        ranked: list[RankedEntry] = []
        for position, entry in enumerate(index.entries):
            lexical_score = lexical[position]
            embedding = None if similarities is None else float(similarities[position])
            if scaled_similarities is None:
                fused = lexical_score.normalized
            elif lexical_votes:
                scaled = float(scaled_similarities[position])
                fused = (
                    tuning.lexical_weight * lexical_score.normalized
                    + tuning.embedding_weight * scaled
                )
            else:
                # Nothing in the question matched any word: lexical has no opinion, so it
                # must not vote (its zeros would only drag every score down equally).
                fused = tuning.embedding_weight * float(scaled_similarities[position])
            ranked.append(RankedEntry(entry, position, fused, lexical_score, embedding))
        # Ties in the 0..1 score (several entries covering the whole question) go to the
        # entry where the matched words weigh most, as plain BM25 would rank them.
        # An entry's prior (the current job for "where do you work?") only counts when
        # the question asks about what the entry is: not for "do you know Kubernetes?".
        asked = {concept for token in tokens for concept in token.concepts}

        def prior(entry: Entry) -> float:
            return entry.prior if asked & {concept for concept, _ in entry.concepts} else 0.0

        ranked.sort(
            key=lambda item: item.score + RAW_TIEBREAK * item.lexical.raw + prior(item.entry),
            reverse=True,
        )
        return ranked, query

    def _should_embed(self, index: _Index, lexical: Sequence[LexicalScore]) -> bool:
        if (
            index.vectors is None
            or self.resources.embedder is None
            or self.embedding_policy == "never"
        ):
            return False
        if self.embedding_policy == "always":
            return True
        keys = sorted(
            (score.normalized + RAW_TIEBREAK * score.raw for score in lexical), reverse=True
        )
        if len(keys) < 2 or keys[0] <= 0.0:
            # No lexical match at all: the embedding alone is too unreliable to answer from.
            return False
        return (keys[0] - keys[1]) < self.tuning.unsure_relative_margin * keys[0]

    def _entry_similarities(self, index: _Index, text: str) -> Vectors:
        embedder = self.resources.embedder
        assert embedder is not None
        assert index.vectors is not None
        self.stats.embedded_questions += 1
        query_vector = embedder.embed_queries([prepare_query(text)])[0]
        row_scores = index.vectors @ query_vector
        best = np.full(len(index.entries), -1.0, dtype=np.float32)
        np.maximum.at(best, np.asarray(index.vector_owner, dtype=np.int64), row_scores)
        return best

    def _follow_time_relation(
        self, ranked: Sequence[RankedEntry], asked_terms: set[str], relation: Relation
    ) -> RankedEntry:
        """For "where were you before Hanbit Pay?", the job dated just before the one
        named; for "what did you do after university?", the first job that started after
        it; the best entry otherwise (or when the question names no dated entry)."""
        best = ranked[0]
        if relation == "none":
            return best
        if relation == "after" and asked_terms & AFTER_STUDIES_TERMS:
            finished = [
                item.entry.end_date
                for item in ranked
                if item.entry.source.section == "education" and item.entry.end_date
            ]
            jobs = [
                item
                for item in ranked
                if item.entry.source.section == "work"
                and item.entry.source.index is not None
                and finished
                and item.entry.start_date >= max(finished)
            ]
            return min(jobs, key=lambda item: item.entry.start_date, default=best)
        named = best.entry
        if not named.start_date or named.source.index is None:
            return best
        title_terms = {"w:" + token.form for token in self.resources.analyzer.tokens(named.title)}
        if not title_terms & asked_terms:
            return best
        siblings = [
            item
            for item in ranked
            if item.entry.source.section == named.source.section
            and item.entry.source.index is not None
            and item.entry.start_date
        ]
        if relation == "before":
            earlier = [item for item in siblings if item.entry.start_date < named.start_date]
            return max(earlier, key=lambda item: item.entry.start_date, default=best)
        later = [item for item in siblings if item.entry.start_date > named.start_date]
        return min(later, key=lambda item: item.entry.start_date, default=best)

    def _named_sibling_first(
        self, ranked: Sequence[RankedEntry], asked_terms: set[str]
    ) -> Sequence[RankedEntry]:
        """When the question names one item ("seoul-bus") but another item of the same
        section ranks first (on "stars", which only kube-cost-lens mentions), the named
        one goes first: the visitor asked about it, and if it lacks what they asked,
        the near-miss checks then decline instead of answering about the wrong item."""
        best = ranked[0]
        section = best.entry.source.section
        if section is None or best.entry.source.index is None:
            return ranked
        analyzer = self.resources.analyzer
        named = [
            position
            for position, item in enumerate(ranked)
            if item.entry.source.section == section
            and item.entry.source.index is not None
            and _names_fully(analyzer, item.entry.title, asked_terms)
        ]
        if len(named) != 1 or named[0] == 0:
            return ranked
        position = named[0]
        if _names_fully(analyzer, best.entry.title, asked_terms):
            return ranked
        return [ranked[position], *ranked[:position], *ranked[position + 1 :]]

    def _confidence(
        self, ranked: Sequence[RankedEntry], question: str, query: Sequence[QueryTerm]
    ) -> float:
        """The best entry's score, lowered when it lacks what the question asks for:
        a relevant entry that does not hold the asked fact is a near miss."""
        best = ranked[0]
        confidence = max(0.0, min(1.0, best.score))
        if not states_quantity(best.entry.full_text, asks_quantity(question)):
            confidence *= self.tuning.missing_quantity_factor
        index = self._index
        focus = focus_phrase(question)
        if focus:
            focus_terms = index.lexical.resolve(self.resources.analyzer.tokens(focus))
            if not index.lexical.covers(best.position, focus_terms):
                confidence *= self.tuning.missing_focus_factor
        elif index.lexical.asks_missing_topic(query):
            confidence *= self.tuning.missing_focus_factor
        return confidence

    def _render(self, entry: Entry, language: Language, tokens: Sequence[Token]) -> str:
        """The entry's answer, led by a direct "yes" when the question names one of its items."""
        answer = entry.answer_in(language)
        if not entry.items or entry.source.section != "skills":
            return answer
        asked = {token.form for token in tokens} | {
            concept for token in tokens for concept in token.concepts
        }
        named = [item for item in entry.items if asked & _item_keys(self.resources.analyzer, item)]
        if not named:
            return answer
        if language == "ko":
            return f"네, {eul(join_list(named, 'ko'))} 다룰 수 있어요. {answer}"
        return f"Yes, I work with {join_list(named, 'en')}. {answer}"


# "After university / after graduating": the first job after the last school.
AFTER_STUDIES_TERMS = frozenset(["c:education", "c:graduation", "w:graduat", "w:졸업"])
# How close to the best score an entry must be to be preferred for stating what the
# question asks for (a number of years).
STATED_ANSWER_SCORE_SHARE = 0.25


# A dated entry this close to an FAQ that ranks first answers "have you ever...?" better;
# an FAQ this close to a dated entry answers "do you take...?" better.
PAST_EXPERIENCE_SCORE_SHARE = 0.8
AVAILABILITY_SCORE_SHARE = 0.7


def _promote_close(
    ranked: Sequence[RankedEntry], share: float, wanted: Callable[[Entry], bool]
) -> Sequence[RankedEntry]:
    """``ranked`` with its best-ranked entry that is ``wanted`` moved first, if that entry
    scores at least ``share`` of the best score; unchanged otherwise."""
    floor = ranked[0].score * share
    for position, item in enumerate(ranked):
        if item.score < floor:
            break
        if wanted(item.entry):
            return [item, *ranked[:position], *ranked[position + 1 :]]
    return ranked


def _done_before_offered(ranked: Sequence[RankedEntry]) -> Sequence[RankedEntry]:
    """For "have you ever given a talk?", a talk the owner gave (a dated entry) rather
    than the FAQ offering to give one ("Can you give a talk at our meetup?")."""
    if ranked[0].entry.source.type != "faq":
        return ranked
    return _promote_close(ranked, PAST_EXPERIENCE_SCORE_SHARE, lambda entry: bool(entry.start_date))


def _offered_before_done(ranked: Sequence[RankedEntry]) -> Sequence[RankedEntry]:
    """For "do you take freelance work?", the owner's FAQ on it rather than a past job
    at an agency that did outsourcing: the visitor asks about now, the FAQ says."""
    best = ranked[0].entry
    if best.source.type == "faq" or not best.start_date:
        return ranked
    return _promote_close(
        ranked, AVAILABILITY_SCORE_SHARE, lambda entry: entry.source.type == "faq"
    )


def _names_fully(analyzer: TextAnalyzer, title: str, asked_terms: set[str]) -> bool:
    """Whether the question holds every word of ``title`` ("seoul-bus", "Dalbit Games")."""
    words = {"w:" + token.form for token in analyzer.tokens(title)}
    return bool(words) and words <= asked_terms


def _years_stated_first(ranked: Sequence[RankedEntry]) -> Sequence[RankedEntry]:
    """For "how many years of experience?", the best-ranked close candidate that states
    a number of years ("9년 차") goes first: the current job, which ranks first on
    "experience", does not say how long the owner has worked."""
    return _promote_close(
        ranked, STATED_ANSWER_SCORE_SHARE, lambda entry: states_years(entry.full_text)
    )


def _item_keys(analyzer: TextAnalyzer, item: str) -> set[str]:
    tokens = analyzer.tokens(item)
    return {token.form for token in tokens} | {
        concept for token in tokens for concept in token.concepts if concept.startswith("tech.")
    }


__all__ = ["EmbeddingPolicy", "Engine", "EngineMode", "LanguageResources", "RankedEntry", "Tuning"]
