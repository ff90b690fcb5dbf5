"""The question-answering engine: hybrid retrieval, a learned re-ranker, a learned
answer-or-decline decision.

For a question the engine gathers signals (BM25 over words and vocabulary concepts, the
cosine of multilingual sentence vectors and a similarity learned over them, what kind of
fact the question asks for), scores every entry with the re-ranker and answers from the
best one when the decision model is confident enough; otherwise it declines and points to
the owner, offering the likeliest entries to pick when it was close. The models are small
linear ones trained on labelled questions of many owners (see learned.py).

The engine only retrieves and fills templates; it never follows instructions found in
a question or in the profile, so prompt-injection text is just more words to match.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from mysite_common.text import MAX_QUESTION_CHARS

from .analysis import TextAnalyzer, Token
from .bm25 import LexicalIndex, LexicalScore
from .embeddings import SentenceEmbedder, Vectors, load_embedder
from .entries import add_taught_questions, answers_from, build_entries, merge_translations
from .korean import KoreanAnalyzer, has_korean_grammar, has_past_ending
from .learned import MODEL_PATH, UNANSWERABLE, EngineModel, Matrix, Variant, section_of
from .models import Answer, Entry, FaqEntry, Source, Suggestion
from .prose import SAME_MEANING_COSINE, read_markdown, split_languages
from .smalltalk import REPLIES, split_small_talk
from .templates import (
    EMPTY_QUESTION,
    PAIR_LEAD,
    REFUSAL,
    REFUSAL_WITH_SUGGESTIONS,
    named_items,
    not_mentioned,
)
from .text import WORDS, Language, clean_text, count_hangul, detect_language, same_question_key

EngineMode = Literal["hybrid", "lexical"]

# Sections whose items are held all at once, so that a question about the section as a
# whole wants all of them (see _overview_instead).
WHOLE_LIST_SECTIONS = frozenset(WORDS["whole_list_sections"])
# The section whose answers lead with a direct "yes" when the question names one of its
# items ("Yes, I work with Python."); its items' names are read once per load.
YES_LEAD_SECTION = "skills"
# ... and the re-ranker found the overview at least this share as likely as the item: the
# eval's labels take the item for some general questions. Set before its eval run.
OVERVIEW_SHARE = 0.9
# English words that put a question in the past (QuestionSignals.past_tense; the Korean
# endings are korean.has_past_ending's).
PAST_TENSE_WORDS = frozenset(WORDS["past_tense_words"])
_LATIN_WORDS = re.compile(r"[A-Za-z]+")

# A declined question the decision was at least SUGGESTION_SHARE as sure of as it needs to
# be to answer is offered up to SUGGESTIONS entries, each one the re-ranker gives at least
# SUGGESTION_MIN_SCORE. Set as product choices before any eval run, not tuned on it.
SUGGESTIONS = 3
SUGGESTION_SHARE = 0.5
SUGGESTION_MIN_SCORE = 0.1

# What the re-ranker sees for each (question, entry) pair. The lexical-only variant
# (embeddings unavailable) uses the first LEXICAL_RANKING_FEATURES of them.
RANKING_FEATURES = (
    "lexical_coverage",
    "lexical_relative",
    "lexical_reciprocal_rank",
    "lexical_coverage_gap",
    "prior",
    "is_item",
    "is_faq",
    "dense_cosine",
    "dense_gap",
    "dense_reciprocal_rank",
    "section_probability",
    "section_log_probability",
    "lexical_coverage_x_section",
    "dense_cosine_x_section",
    "question_cosine",
    "question_gap",
    "question_reciprocal_rank",
    "learned_similarity",
    "learned_gap",
    "learned_reciprocal_rank",
    "cross_language",
    "cross_language_x_dense_cosine",
    "cross_language_x_learned_similarity",
    "is_current",
    "is_current_x_past_question",
)
LEXICAL_RANKING_FEATURES = 7
_COLUMN = {name: position for position, name in enumerate(RANKING_FEATURES)}


def _columns(*names: str) -> tuple[int, ...]:
    return tuple(_COLUMN[name] for name in names)


# The entry is written only in the other language than the question's: no word can match,
# so the re-ranker needs to know when to weigh the sentence vectors instead.
CROSS_COLUMN = _COLUMN["cross_language"]
# Each similarity as its value, its gap to the best entry's and its reciprocal rank.
_DENSE_COLUMNS = _columns("dense_cosine", "dense_gap", "dense_reciprocal_rank")
_QUESTION_COLUMNS = _columns("question_cosine", "question_gap", "question_reciprocal_rank")
_LEARNED_SIMILARITY_COLUMNS = _columns(
    "learned_similarity", "learned_gap", "learned_reciprocal_rank"
)
# Every column set_learned_features fills: training fills them per model, from
# similarities fitted without the question's owner.
LEARNED_COLUMNS = (
    *_LEARNED_SIMILARITY_COLUMNS,
    _COLUMN["cross_language_x_learned_similarity"],
)
# The columns of entry_facts: the first three are ranking features as they are.
_FACTS = ("prior", "is_item", "is_faq", "content_language", "is_current")
_FACT_COLUMNS = _columns(*_FACTS[:3])
_LANGUAGE_FACT = _FACTS.index("content_language")
_CURRENT_FACT = _FACTS.index("is_current")
_LANGUAGE_SIGN: dict[Language | None, float] = {"en": 1.0, "ko": -1.0, None: 0.0}
# What the decision sees about the question and its best and second-best entries.
_BASE_DECISION_FEATURES = (
    "top_logit",
    "logit_margin",
    "top_probability",
    "top_lexical_coverage",
    "max_lexical_coverage",
    "top_lexical_reciprocal_rank",
    "question_words",
    "top_dense_cosine",
    "max_dense_cosine",
    "top_dense_reciprocal_rank",
    "top_section_probability",
    "max_section_probability",
    "unanswerable_probability",
    "top_question_cosine",
    "max_question_cosine",
    "top_learned_similarity",
    "top_learned_gap",
    "top_learned_reciprocal_rank",
    "max_learned_similarity",
    "top_cross_language",
)
# Products of these pairs let the linear decision weigh one signal by another (a margin
# means more when the section is likely): it answered 5 more questions in 100 at the same
# rate of wrong answers on the leave-one-owner-out eval.
_CROSSED = (
    "top_logit",
    "logit_margin",
    "top_lexical_coverage",
    "top_dense_cosine",
    "top_section_probability",
    "unanswerable_probability",
    "top_question_cosine",
    "top_cross_language",
)
_CROSSED_POSITIONS = tuple(_BASE_DECISION_FEATURES.index(name) for name in _CROSSED)
DECISION_FEATURES = _BASE_DECISION_FEATURES + tuple(
    f"{_CROSSED[i]}*{_CROSSED[j]}" for i in range(len(_CROSSED)) for j in range(i, len(_CROSSED))
)
LEXICAL_DECISION_FEATURES = 7


@dataclass(frozen=True)
class QuestionSignals:
    """What retrieval found for one question, before any learned model is applied."""

    lexical: tuple[LexicalScore, ...]
    similarities: Vectors | None  # cosine per entry, or None without embeddings
    vector: Vectors | None  # the question's sentence vector
    words: int  # content tokens in the question
    # cosine per entry with the questions it answers (Entry.question_texts), or None
    question_similarities: Vectors | None = None
    # the learned similarity per entry (best of its texts), or None
    learned_similarities: Vectors | None = None
    language: Language = "en"  # the question's
    concepts: frozenset[str] = frozenset()  # of its tokens, in the vocabulary
    # asked in the past tense ("어디서 일했어요?", "where did you work?"), which a
    # current item does not answer the way it answers the present tense
    past_tense: bool = False


@dataclass(frozen=True, slots=True)
class RankedEntry:
    entry: Entry
    position: int  # in the index
    score: float  # the re-ranker's probability that this entry answers (0..1)
    lexical: LexicalScore
    embedding: float | None


@dataclass(frozen=True)
class SectionItems:
    """Which entries are the items of a section with an overview, by position."""

    overview: Mapping[int, int]  # item -> its section's overview
    items: Mapping[int, tuple[int, ...]]  # overview -> its items

    @classmethod
    def of(cls, entries: Sequence[Entry]) -> SectionItems:
        positions = {entry.key: position for position, entry in enumerate(entries)}
        overview = {
            position: positions[section_of(entry.key)]
            for position, entry in enumerate(entries)
            if entry.source.index is not None and section_of(entry.key) in positions
        }
        items: dict[int, list[int]] = {}
        for item, section in overview.items():
            items.setdefault(section, []).append(item)
        return cls(overview, {section: tuple(found) for section, found in items.items()})


@dataclass(frozen=True)
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
    facts: Matrix = field(default_factory=lambda: np.zeros((0, len(_FACTS))))
    sections: tuple[str, ...] = ()
    # Each item's section overview ("languages" for "languages:0") and each overview's
    # items, by position (see _overview_instead).
    sections_of_items: SectionItems = field(default_factory=lambda: SectionItems({}, {}))
    # What each item of YES_LEAD_SECTION names, as _names gives it: read once here, not
    # for every answer.
    skill_names: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # The same for the questions each entry answers (Entry.question_texts).
    question_vectors: Vectors | None = None
    question_owner: tuple[int, ...] = ()
    # Both kinds of rows mapped by the model's learned similarity, and their entries.
    learned_vectors: Vectors | None = None
    learned_owner: tuple[int, ...] = ()
    # The questions the owner taught (same_question_key of each) and the entry that
    # answers each: asked again, they are answered from it without a decision.
    taught: Mapping[str, int] = field(default_factory=dict)
    # Their sentence vectors and entries, for the questions worded like them.
    taught_vectors: Vectors | None = None
    taught_owner: tuple[int, ...] = ()


@dataclass
class LanguageResources:
    """The heavy, shareable part of an engine: Kiwi, the vocabulary and the embedder."""

    korean: KoreanAnalyzer
    analyzer: TextAnalyzer
    embedder: SentenceEmbedder | None
    embedding_status: str  # "ok", "disabled" or why embeddings are unavailable

    @classmethod
    def load(cls, embeddings: bool = True) -> LanguageResources:
        """Kiwi and the sentence encoder, loaded side by side (each takes a second or two)."""
        loaded: dict[str, tuple[SentenceEmbedder | None, str]] = {}
        loader = threading.Thread(
            target=lambda: loaded.setdefault("embedder", load_embedder()), daemon=True
        )
        if embeddings:
            loader.start()
        korean = KoreanAnalyzer(TextAnalyzer.korean_user_nouns())
        analyzer = TextAnalyzer(korean)
        embedder: SentenceEmbedder | None = None
        status = "disabled"
        if embeddings:
            loader.join()
            embedder, reason = loaded.get("embedder", (None, "the loader failed"))
            status = "ok" if embedder is not None else reason
        return cls(korean, analyzer, embedder, status)


@dataclass
class _Scored:
    ranked: list[RankedEntry]
    answer_probability: float
    # That one of the two best entries answers (Variant.pair_decision); 0 with one entry.
    pair_probability: float = 0.0


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
        model: EngineModel | None = None,
        default_language: Language = "en",
    ) -> None:
        self.resources = language_resources or LanguageResources.load()
        # None only while collecting signals to train the first model (training.py).
        self.model = model if model is not None else _shipped_model()
        self.default_language: Language = default_language
        self._index = _Index(0, (), LexicalIndex(self.resources.analyzer, []))
        self._load_lock = threading.Lock()

    @classmethod
    def create(cls, *, embeddings: bool = True, **options: Any) -> Engine:
        """An engine with freshly loaded language resources (a few seconds)."""
        return cls(LanguageResources.load(embeddings=embeddings), **options)

    # ------------------------------------------------------------------ status

    @property
    def mode(self) -> EngineMode:
        """ "hybrid" when sentence vectors are in use, "lexical" otherwise."""
        return "hybrid" if self.resources.embedder is not None else "lexical"

    @property
    def embedding_status(self) -> str:
        return "ready" if self.resources.embedder is not None else self.resources.embedding_status

    @property
    def entries(self) -> tuple[Entry, ...]:
        return self._index.entries

    @property
    def generation(self) -> int:
        """Grows by one at every ``load``: answers cached under an older one are stale."""
        return self._index.generation

    def warm_up(self) -> None:
        """Run Kiwi and the encoder once so the first visitor does not pay for it."""
        self.resources.korean.warm_up()
        self.resources.analyzer.tokens("What do you do? 무슨 일 하세요?")
        if self.resources.embedder is not None:
            self.resources.embedder.embed(["warm-up", "워밍업"])

    def forget_vectors(self) -> None:
        """Make the next load embed the profile as a replica's first load does, whatever
        profiles this engine loaded before (the eval and training load many owners)."""
        if self.resources.embedder is not None:
            self.resources.embedder.forget()

    # ------------------------------------------------------------------ indexing

    def load(
        self,
        profile: Mapping[str, Any] | None,
        faqs: Sequence[FaqEntry] = (),
        *,
        translations: Mapping[str, Mapping[str, Any]] | None = None,
        taught: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """(Re)build the index from ``profile``, its ``translations`` (language code ->
        the profile in that language, same list positions), ``faqs`` and the questions
        the owner ``taught`` entries to answer (entry key -> visitors' wordings), then
        swap it in.

        Entry vectors are computed here, once per profile change (and cached by text, so
        an edit re-embeds only what changed). Concurrent ``ask`` calls always see one
        complete index, old or new.
        """
        profile = read_markdown(profile) if isinstance(profile, Mapping) else None
        entries = build_entries(profile, faqs)
        halves = split_languages(profile, self._same_meaning) if profile else None
        for half_language, half_profile in (halves or {}).items():
            entries = answers_from(entries, build_entries(half_profile, ()), half_language)
        for code, translated in (translations or {}).items():
            # Answers are written in Korean and English; other translations are not used.
            language: Language | None = "ko" if code == "ko" else "en" if code == "en" else None
            if language is not None and isinstance(translated, Mapping):
                translated_entries = build_entries(read_markdown(translated), ())
                entries = merge_translations(entries, translated_entries, language)
        taught = taught or {}
        entries = add_taught_questions(entries, taught)
        taught_pairs = [
            (text, position)
            for position, entry in enumerate(entries)
            for text in taught.get(entry.key, ())
            if same_question_key(text)
        ]
        taught_positions = {same_question_key(text): position for text, position in taught_pairs}
        analyzer = self.resources.analyzer
        lexical = LexicalIndex(analyzer, entries)
        owner_forms = frozenset(
            token.form
            for entry in entries
            if entry.source.field == "name"
            for token in analyzer.tokens(entry.title)
        )
        vectors: Vectors | None = None
        question_vectors: Vectors | None = None
        taught_vectors: Vectors | None = None
        owners: list[int] = []
        question_owners: list[int] = []
        embedder = self.resources.embedder
        if embedder is not None and entries:
            texts: list[str] = []
            questions: list[str] = []
            for position, entry in enumerate(entries):
                for text in entry.embedding_texts:
                    texts.append(text)
                    owners.append(position)
                # An entry without questions is met by its content instead.
                for text in entry.question_texts or entry.embedding_texts:
                    questions.append(text)
                    question_owners.append(position)
            vectors = embedder.embed(texts)
            question_vectors = embedder.embed(questions)
            if taught_pairs:
                taught_vectors = embedder.embed([text for text, _ in taught_pairs])
        learned_vectors: Vectors | None = None
        if self.model is not None and vectors is not None and question_vectors is not None:
            learned_vectors = self.model.similarity.transform(
                np.vstack([vectors, question_vectors]).astype(np.float64)
            ).astype(np.float32)
        with self._load_lock:
            generation = self._index.generation + 1
            self._index = _Index(
                generation,
                tuple(entries),
                lexical,
                owner_forms,
                vectors,
                tuple(owners),
                *entry_facts(entries),
                SectionItems.of(entries),
                self._skill_names(entries),
                question_vectors,
                tuple(question_owners),
                learned_vectors,
                tuple(owners + question_owners),
                taught_positions,
                taught_vectors,
                tuple(position for _, position in taught_pairs),
            )

    def _skill_names(self, entries: Sequence[Entry]) -> dict[str, frozenset[str]]:
        analyzer = self.resources.analyzer
        return {
            item: frozenset().union(*(_names(token) for token in analyzer.tokens(item)))
            for entry in entries
            if entry.source.section == YES_LEAD_SECTION
            for item in entry.items
        }

    def text_vectors(self) -> tuple[Vectors, tuple[int, ...]] | None:
        """The sentence vectors of every entry text (contents, then questions) and the
        entry of each, as the learned similarity sees them before its mapping; None
        without embeddings. For training."""
        index = self._index
        if index.vectors is None or index.question_vectors is None:
            return None
        return (
            np.vstack([index.vectors, index.question_vectors]),
            index.vector_owner + index.question_owner,
        )

    # ------------------------------------------------------------------ answering

    def ask(self, question: str) -> Answer:
        """Answer ``question`` (any string) in its language, citing the entry used."""
        text = clean_text(question if isinstance(question, str) else "", MAX_QUESTION_CHARS)
        language = self._question_language(text)
        if not text:
            return Answer(EMPTY_QUESTION[language], False, 0.0, [], language)
        index = self._index
        taught = index.taught.get(same_question_key(text))
        if taught is not None:  # the owner said which entry answers this question
            tokens = self._question_tokens(index, text)
            return self._taught_answer(index, index.entries[taught], 1.0, language, tokens)
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
        tokens = self._question_tokens(index, question)
        signals = self.signals(question, index, tokens)
        paraphrased = self._taught_paraphrase(index, signals)
        if paraphrased is not None:
            return self._taught_answer(index, *paraphrased, language, tokens)
        scored = self._score(index, signals)
        variant = self._variant()
        threshold = variant.threshold
        probability = scored.answer_probability
        if probability < threshold and scored.pair_probability >= variant.pair_threshold:
            return self._answer_from_two(index, scored, language, tokens)
        ranked = tuple((item.entry, item.score) for item in scored.ranked)
        if not scored.ranked or probability < threshold:
            offered = (
                scored.ranked[:SUGGESTIONS] if probability >= SUGGESTION_SHARE * threshold else []
            )
            suggestions = [
                Suggestion(item.entry.source, self._render(index, item.entry, language, tokens))
                for item in offered
                if item.score >= SUGGESTION_MIN_SCORE
            ]
            refusal = REFUSAL_WITH_SUGGESTIONS if suggestions else REFUSAL
            return Answer(
                refusal[language], False, probability, [], language, False, suggestions, ranked
            )
        best = scored.ranked[0].entry
        unmentioned = index.lexical.unmentioned(tokens)
        overview = _overview_instead(index, scored.ranked, tokens, unmentioned)
        if overview is not None:
            best = overview
        rendered = self._render(index, best, language, tokens)
        if unmentioned:
            written = clean_text(question)
            things = list(dict.fromkeys(written[slice(*token.span)] for token in unmentioned))
            rendered = f"{not_mentioned(things, language)} {rendered}"
        return Answer(
            rendered,
            True,
            probability,
            [best.source],
            language,
            ranked=ranked,
        )

    def top_entries(self, question: str, k: int = 3) -> list[tuple[Entry, float]]:
        """The ``k`` best-matching entries with the re-ranker's scores (0..1), best first."""
        return [(item.entry, item.score) for item in self.rank(question)[: max(0, k)]]

    def rank(self, question: str) -> list[RankedEntry]:
        """All entries, best first, with their lexical, embedding and re-ranker scores."""
        text = clean_text(question if isinstance(question, str) else "", MAX_QUESTION_CHARS)
        if not text:
            return []
        remainder = split_small_talk(text).remainder or text
        index = self._index
        tokens = self._question_tokens(index, remainder)
        return self._score(index, self.signals(remainder, index, tokens)).ranked

    # ------------------------------------------------------------------ internals

    def _question_language(self, text: str) -> Language:
        """The language to answer in: by its letters (detect_language), and Korean whenever
        Korean grammar joins the words, even mostly Latin ones (has_korean_grammar)."""
        language = detect_language(text, self.default_language)
        if language == "ko" or not count_hangul(text):
            return language
        return "ko" if has_korean_grammar(self.resources.korean.morphemes(text)) else "en"

    def _same_meaning(self, first: str, second: str) -> bool:
        """Whether two texts say the same (prose.language_halves); never without the
        sentence encoder."""
        embedder = self.resources.embedder
        if embedder is None:
            return False
        vectors = embedder.embed([first, second])
        return float(vectors[0] @ vectors[1]) >= SAME_MEANING_COSINE

    def _question_tokens(self, index: _Index, question: str) -> list[Token]:
        """The question's tokens without the owner's name, unless that is all it says."""
        tokens = self.resources.analyzer.tokens(question)
        without_owner = [token for token in tokens if token.form not in index.owner_forms]
        return without_owner or tokens

    def signals(
        self, question: str, index: _Index | None = None, tokens: Sequence[Token] | None = None
    ) -> QuestionSignals:
        """Lexical scores and sentence-vector similarities of every entry."""
        index = index or self._index
        if tokens is None:
            tokens = self._question_tokens(index, question)
        lexical = tuple(index.lexical.score_all(tokens)) if index.entries else ()
        embedder = self.resources.embedder
        language = detect_language(question)
        past_tense = self._past_tense(question)
        if embedder is None or index.vectors is None:
            return QuestionSignals(
                lexical, None, None, len(tokens), language=language, past_tense=past_tense
            )
        vector = embedder.embed([question], cache=False)[0]
        similarities = _best_per_entry(index.vectors, index.vector_owner, vector, index)
        questions = None
        if index.question_vectors is not None:
            questions = _best_per_entry(index.question_vectors, index.question_owner, vector, index)
        learned = None
        if index.learned_vectors is not None:
            learned = _best_per_entry(index.learned_vectors, index.learned_owner, vector, index)
        concepts = frozenset[str]().union(*(token.concepts for token in tokens))
        return QuestionSignals(
            lexical,
            similarities,
            vector,
            len(tokens),
            questions,
            learned,
            language,
            concepts,
            past_tense,
        )

    def _past_tense(self, question: str) -> bool:
        """Whether the question asks in the past tense: a Korean past ending or an English
        word that marks the past (data/words.json)."""
        if count_hangul(question) and has_past_ending(self.resources.korean.morphemes(question)):
            return True
        return any(word.lower() in PAST_TENSE_WORDS for word in _LATIN_WORDS.findall(question))

    def _taught_paraphrase(
        self, index: _Index, signals: QuestionSignals
    ) -> tuple[Entry, float] | None:
        """The entry of the taught question closest to this one, and their cosine, when it
        is close enough to be the same question worded otherwise (EngineModel.
        paraphrase_cosine, learned from labelled pairs)."""
        if index.taught_vectors is None or signals.vector is None or self.model is None:
            return None
        cosines = index.taught_vectors @ signals.vector
        closest = int(np.argmax(cosines))
        if float(cosines[closest]) < self.model.paraphrase_cosine:
            return None
        return index.entries[index.taught_owner[closest]], float(cosines[closest])

    def _taught_answer(
        self,
        index: _Index,
        entry: Entry,
        confidence: float,
        language: Language,
        tokens: Sequence[Token],
    ) -> Answer:
        rendered = self._render(index, entry, language, tokens)
        return Answer(rendered, True, confidence, [entry.source], language, taught=True)

    def _answer_from_two(
        self, index: _Index, scored: _Scored, language: Language, tokens: Sequence[Token]
    ) -> Answer:
        """Doubtful between the two best entries but sure it is one of them ("어디서
        일하세요?": the workplace or the place): both, best first, rather than a refusal."""
        pair = [item.entry for item in scored.ranked[:2]]
        rendered = " ".join(self._render(index, entry, language, tokens) for entry in pair)
        return Answer(
            f"{PAIR_LEAD[language]} {rendered}",
            True,
            scored.pair_probability,
            [entry.source for entry in pair],
            language,
            ranked=tuple((item.entry, item.score) for item in scored.ranked),
        )

    def _variant(self) -> Variant:
        if self.model is None:
            raise RuntimeError("no trained model: run `make train`")
        return self.model.hybrid if self.mode == "hybrid" else self.model.lexical

    def _score(self, index: _Index, signals: QuestionSignals) -> _Scored:
        if not index.entries:
            return _Scored([], 0.0)
        section_probabilities: dict[str, float] = {}
        variant = self._variant()
        assert self.model is not None
        if signals.vector is not None:
            probabilities = self.model.sections.probabilities(
                signals.vector.astype(np.float64)[None, :], [signals.concepts]
            )[0]
            section_probabilities = dict(
                zip(self.model.sections.classes, probabilities.tolist(), strict=True)
            )
        features = ranking_features(index.facts, index.sections, signals, section_probabilities)
        columns = len(RANKING_FEATURES) if signals.vector is not None else LEXICAL_RANKING_FEATURES
        logits = variant.ranker.logits(features[:, :columns])
        order = np.argsort(-logits, kind="stable")
        ranked = [
            RankedEntry(
                index.entries[position],
                int(position),
                float(1 / (1 + math.exp(-logits[position]))),
                signals.lexical[position],
                None if signals.similarities is None else float(signals.similarities[position]),
            )
            for position in order
        ]
        chosen = decision_features(features, logits, order, signals, section_probabilities)
        if signals.vector is None:
            chosen = chosen[:LEXICAL_DECISION_FEATURES]
        rows = np.asarray([chosen])
        logit = float(variant.decision.logits(rows)[0])
        pair = 0.0
        if len(ranked) > 1:
            pair = 1 / (1 + math.exp(-float(variant.pair_decision.logits(rows)[0])))
        return _Scored(ranked, 1 / (1 + math.exp(-logit)), pair)

    def _render(
        self, index: _Index, entry: Entry, language: Language, tokens: Sequence[Token]
    ) -> str:
        """The entry's answer, led by a direct "yes" when the question names one of its items."""
        answer = entry.answer_in(language)
        if not entry.items or entry.source.section != YES_LEAD_SECTION:
            return answer
        asked = set().union(*(_names(token) for token in tokens))
        named = [item for item in entry.items if asked & index.skill_names.get(item, frozenset())]
        if not named:
            return answer
        return f"{named_items(named, language)} {answer}"


def _names(token: Token) -> set[str]:
    """What a token names, as index terms: its words and its own concepts, in either
    language ("파이썬" and "Python" both name tech.python), not the kinds it belongs to.
    A phrase names its words too: "speak english" names English."""
    words = {"w:" + word for word in (token.form, *token.form.split())}
    return words | {"c:" + concept for concept in token.concepts - token.broad}


def _overview_instead(
    index: _Index,
    ranked: Sequence[RankedEntry],
    tokens: Sequence[Token],
    unmentioned: Sequence[Token],
) -> Entry | None:
    """The overview to answer with instead of the best-ranked item, when the question
    picks out none of the items, naming nothing that one item has and another lacks, and
    either names a thing no entry has ("Do you know Rust?") or asks about a list as
    a whole ("어떤 기술 쓰세요?", "What languages do you speak?"). The latter for lists of
    things held at once only (WHOLE_LIST_SECTIONS): a job or a school is one of a
    sequence, where "where do you work?" means the current one. And only where the
    re-ranker found the overview nearly as likely (OVERVIEW_SHARE of the item's score)."""
    position = ranked[0].position
    overview = index.sections_of_items.overview.get(position)
    if overview is None:
        return None
    if not unmentioned:
        if index.sections[position] not in WHOLE_LIST_SECTIONS:
            return None
        overview_score = next(item.score for item in ranked if item.position == overview)
        if overview_score < OVERVIEW_SHARE * ranked[0].score:
            return None
    siblings = index.sections_of_items.items[overview]
    for token in tokens:
        for name in _names(token):
            if index.lexical.has_term(position, name) and not all(
                index.lexical.has_term(sibling, name) for sibling in siblings
            ):
                return None
    return index.entries[overview]


def _best_per_entry(
    vectors: Vectors, owners: Sequence[int], vector: Vectors, index: _Index
) -> Vectors:
    """The best cosine of ``vector`` with each entry's rows of ``vectors``."""
    best = np.full(len(index.entries), -1.0, dtype=np.float32)
    np.maximum.at(best, np.asarray(owners, dtype=np.int64), vectors @ vector)
    return best


def _shipped_model() -> EngineModel | None:
    return EngineModel.load() if MODEL_PATH.is_file() else None


def entry_facts(entries: Sequence[Entry]) -> tuple[Matrix, tuple[str, ...]]:
    """What the re-ranker knows of each entry regardless of the question: its prior,
    whether it is one item or an overview, whether it is an FAQ, the one language it is
    written in (1 English, -1 Korean, 0 both or neither), whether the owner still holds
    it (a job without an end date); and its section."""
    facts = np.asarray(
        [
            [
                entry.prior,
                entry.source.index is not None,
                entry.source.type == "faq",
                _LANGUAGE_SIGN[entry.content_language],
                entry.current,
            ]
            for entry in entries
        ],
        dtype=np.float64,
    ).reshape(len(entries), len(_FACTS))
    return facts, tuple(section_of(entry.key) for entry in entries)


def ranking_features(
    facts: Matrix,
    sections: Sequence[str],
    signals: QuestionSignals,
    section_probabilities: Mapping[str, float],
) -> Matrix:
    """One row of RANKING_FEATURES per entry."""
    count = len(sections)
    raw = np.asarray([score.raw for score in signals.lexical], dtype=np.float64)
    coverage = np.asarray([score.coverage for score in signals.lexical], dtype=np.float64)
    best_raw = float(raw.max()) if count else 0.0
    lexical_rank = _ranks(raw + 1e-6 * coverage)
    rows = np.zeros((count, len(RANKING_FEATURES)))
    rows[:, _COLUMN["lexical_coverage"]] = coverage
    rows[:, _COLUMN["lexical_relative"]] = raw / best_raw if best_raw > 0 else 0.0
    rows[:, _COLUMN["lexical_reciprocal_rank"]] = np.where(raw > 0, 1.0 / (1.0 + lexical_rank), 0.0)
    rows[:, _COLUMN["lexical_coverage_gap"]] = coverage - (coverage.max() if count else 0.0)
    rows[:, _FACT_COLUMNS] = facts[:, :3]
    current = facts[:, _CURRENT_FACT]
    rows[:, _COLUMN["is_current"]] = current
    rows[:, _COLUMN["is_current_x_past_question"]] = current * signals.past_tense
    written_in = facts[:, _LANGUAGE_FACT]
    rows[:, CROSS_COLUMN] = (written_in != 0) & (written_in != _LANGUAGE_SIGN[signals.language])
    if signals.similarities is not None:
        similarities = signals.similarities.astype(np.float64)
        _set_value_gap_rank(rows, _DENSE_COLUMNS, similarities)
        rows[:, _COLUMN["cross_language_x_dense_cosine"]] = rows[:, CROSS_COLUMN] * similarities
        set_section_features(rows, sections, section_probabilities)
        questions = (
            similarities
            if signals.question_similarities is None
            else signals.question_similarities.astype(np.float64)
        )
        _set_value_gap_rank(rows, _QUESTION_COLUMNS, questions)
        if signals.learned_similarities is not None:
            set_learned_features(rows, signals.learned_similarities.astype(np.float64))
    return rows


def set_learned_features(rows: Matrix, learned: Matrix) -> None:
    """Fill the learned similarity's columns of ``rows``: its value, its gap to the best
    entry's, its rank, and its value where the entry is in the other language."""
    _set_value_gap_rank(rows, _LEARNED_SIMILARITY_COLUMNS, learned)
    rows[:, _COLUMN["cross_language_x_learned_similarity"]] = rows[:, CROSS_COLUMN] * learned


def _set_value_gap_rank(rows: Matrix, columns: tuple[int, ...], values: Matrix) -> None:
    """A similarity of every entry as three columns: the value, its gap to the best entry's
    and its reciprocal rank (1 for the best)."""
    value, gap, rank = columns
    rows[:, value] = values
    rows[:, gap] = values - values.max()
    rows[:, rank] = 1.0 / (1.0 + _ranks(values))


def set_section_features(
    rows: Matrix, sections: Sequence[str], section_probabilities: Mapping[str, float]
) -> None:
    """Fill the section columns of ``rows``: how likely the question asks about each
    entry's section, alone and with the lexical and dense evidence."""
    probabilities = np.asarray([section_probabilities.get(name, 0.0) for name in sections])
    rows[:, _COLUMN["section_probability"]] = probabilities
    rows[:, _COLUMN["section_log_probability"]] = np.log(probabilities + 1e-3)
    rows[:, _COLUMN["lexical_coverage_x_section"]] = (
        rows[:, _COLUMN["lexical_coverage"]] * probabilities
    )
    rows[:, _COLUMN["dense_cosine_x_section"]] = rows[:, _COLUMN["dense_cosine"]] * probabilities


def decision_features(
    features: Matrix,
    logits: Matrix,
    order: np.ndarray[Any, Any],
    signals: QuestionSignals,
    section_probabilities: Mapping[str, float],
) -> list[float]:
    """DECISION_FEATURES for a ranked question."""
    top = int(order[0])
    second = float(logits[order[1]]) if len(order) > 1 else float(logits[top]) - 5.0
    answerable = [p for name, p in section_probabilities.items() if name != UNANSWERABLE]
    coverage = _COLUMN["lexical_coverage"]
    dense = _COLUMN["dense_cosine"]
    question = _COLUMN["question_cosine"]
    learned, learned_gap, learned_rank = _LEARNED_SIMILARITY_COLUMNS
    base = [
        float(logits[top]),
        float(logits[top]) - second,
        1 / (1 + math.exp(-float(logits[top]))),
        float(features[top, coverage]),
        float(features[:, coverage].max()),
        float(features[top, _COLUMN["lexical_reciprocal_rank"]]),
        math.log1p(signals.words),
        float(features[top, dense]),
        float(features[:, dense].max()),
        float(features[top, _COLUMN["dense_reciprocal_rank"]]),
        float(features[top, _COLUMN["section_probability"]]),
        max(answerable, default=0.0),
        section_probabilities.get(UNANSWERABLE, 0.0),
        float(features[top, question]),
        float(features[:, question].max()),
        float(features[top, learned]),
        float(features[top, learned_gap]),
        float(features[top, learned_rank]),
        float(features[:, learned].max()),
        float(features[top, CROSS_COLUMN]),
    ]
    crossed = [base[position] for position in _CROSSED_POSITIONS]
    products = [
        crossed[i] * crossed[j] for i in range(len(crossed)) for j in range(i, len(crossed))
    ]
    return base + products


def _ranks(values: Matrix) -> Matrix:
    """0 for the largest value, 1 for the next..."""
    ranks = np.empty(len(values))
    ranks[np.argsort(-values, kind="stable")] = np.arange(len(values))
    return ranks


__all__ = ["Engine", "EngineMode", "LanguageResources", "QuestionSignals", "RankedEntry"]
