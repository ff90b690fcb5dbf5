"""BM25 over surface forms and vocabulary concepts, normalised so scores mean something.

Each query token counts once, through whichever of its forms matches best: the word
itself ("kubernetes") or one of its concepts ("#tech.kubernetes", which the Korean
"쿠버네티스" shares). The sum is divided by what a document matching every query
token once would score, so 1.0 means "everything asked about is in this entry" and
words found nowhere in the profile pull the score down: that is the main signal for
saying "I don't know".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .analysis import TextAnalyzer, Token
from .models import Entry
from .spelling import SpellingIndex
from .text import has_hangul, stem_english
from .transliteration import NameMatcher
from .vocabulary import PERSONAL_TOPICS

# Standard BM25 saturation; b is lowered because entry lengths differ by design
# (an email entry is one line, an FAQ answer a paragraph) and short is not "better".
BM25_K1 = 1.2
BM25_B = 0.4

# A word the vocabulary knows is matched through its concepts only: the Korean and
# English words for one thing must score the same, or questions asked in the other
# language than the profile's text would lose to incidental same-language words.
CONCEPT_MATCH_FACTOR = 1.0
# Concepts found in an entry's running text count half as much as concepts in its
# title-like fields or assigned from the profile's structure (a work item *is* about work).
TEXT_CONCEPT_FACTOR = 0.5
TITLE_FIELD_WEIGHT = 1.5
# Concepts that only hint at the kind of answer ("where", "now", "use") weigh less
# in a question than the things asked about.
WEAK_CONCEPTS = frozenset(
    [
        "where",
        "current",
        "past",
        "when",
        "use",
        "skill",
        "availability",
        "favorite",
        "programming",
        "first",
        "years",
        "experience",
    ]
)
WEAK_TOKEN_WEIGHT = 0.5
# Asked-for things that every entry has: its name or title ("what's the name of the
# company", "발표 주제가 뭐예요"), and the weak hints above.
FOCUS_ANSWERED_BY_ANY_ENTRY = WEAK_CONCEPTS | frozenset(
    stem_english(word)
    for word in [
        *["name", "title", "topic", "subject", "part", "area", "kind", "type", "way", "thing"],
        *["one", "이름", "제목", "주제", "명칭"],
        # "the best way", "your main language": how the asker ranks answers, not a fact.
        *["good", "best", "fast", "easy", "quick", "main", "usual", "primary"],
    ]
)
# Concepts that say which section an entry belongs to. Found in a title of an entry of
# another section ("Pusan National University Mobile Lab", a job), they count as running
# text does: the entry's structure says what it is, its name only hints.
SECTION_CONCEPTS = frozenset(
    [
        *["work", "education", "project", "award", "certificate", "publication"],
        *["volunteer", "hobby", "skill", "spoken_language", "talk"],
    ]
)
# Korean one-syllable leftovers that match nothing are usually analysis debris.
DEBRIS_TOKEN_WEIGHT = 0.4
# A question about a topic the vocabulary knows (salary, age, family) that appears
# nowhere in the profile is strong evidence the profile cannot answer it.
MISSING_TOPIC_WEIGHT = 4.0
# Any other concept the vocabulary knows but no entry has ("US" in "would you move to
# the US?") still says the profile may not cover the question, less strongly.
MISSING_CONCEPT_WEIGHT = 2.0


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """A query token resolved against the index: its candidate index terms and weight."""

    token: Token
    terms: tuple[tuple[str, float], ...]  # (index term, match factor)
    weight: float  # query weight times the best idf it can reach
    known: bool


@dataclass(frozen=True, slots=True)
class LexicalScore:
    raw: float  # BM25-style sum over the query's total weight, for ranking (may exceed 1)
    normalized: float  # 0..1, raw over the best score a fully matching entry would get
    coverage: float  # share of the query's weight found in this entry at all


class LexicalIndex:
    def __init__(self, analyzer: TextAnalyzer, entries: Sequence[Entry]) -> None:
        self._analyzer = analyzer
        self._doc_terms: list[dict[str, float]] = []
        self._names: set[str] = set()
        lengths: list[float] = []
        for entry in entries:
            terms, length = self._entry_terms(entry)
            self._doc_terms.append(terms)
            lengths.append(length)
        self._avg_length = (sum(lengths) / len(lengths)) if lengths else 1.0
        self._lengths = lengths
        document_frequency: Counter[str] = Counter()
        for terms in self._doc_terms:
            document_frequency.update(terms.keys())
        count = len(self._doc_terms)
        self._idf = {term: _idf(count, df) for term, df in document_frequency.items()}
        self._unknown_idf = _idf(count, 0)
        self._name_matcher = NameMatcher(self._names)
        self._spelling = SpellingIndex(
            [term[2:] for term in self._idf if term.startswith("w:")] + analyzer.vocabulary_words()
        )

    @property
    def unknown_idf(self) -> float:
        return self._unknown_idf

    def _entry_terms(self, entry: Entry) -> tuple[dict[str, float], float]:
        """The entry's weighted terms, and its length for BM25's length normalisation.

        Only running text counts toward the length: a skill group listing seven tools
        is not "diluted" the way a long paragraph is.
        """
        terms: dict[str, float] = {}
        length = 1.0
        own_sections = {concept for concept, _ in entry.concepts} & SECTION_CONCEPTS
        for text_field in entry.fields:
            # Concepts in titles, names and keywords describe the entry; in running text
            # they are often incidental ("data work" in an answer about languages).
            concept_weight = text_field.weight * (
                1.0 if text_field.weight >= TITLE_FIELD_WEIGHT else TEXT_CONCEPT_FACTOR
            )
            for token in self._analyzer.tokens(text_field.text):
                if text_field.weight >= TITLE_FIELD_WEIGHT and token.form.isascii():
                    self._names.add(token.form)
                key = "w:" + token.form
                terms[key] = terms.get(key, 0.0) + text_field.weight
                if text_field.weight < TITLE_FIELD_WEIGHT:
                    length += text_field.weight
                for concept in token.concepts:
                    if concept in PERSONAL_TOPICS and text_field.weight < TITLE_FIELD_WEIGHT:
                        # "비 오는 날" in an answer about weekends does not make it an
                        # answer about the weather; an FAQ *asking* about it does.
                        continue
                    ckey = "c:" + concept
                    terms[ckey] = terms.get(ckey, 0.0) + concept_weight
        for concept, weight in entry.concepts:
            ckey = "c:" + concept
            terms[ckey] = terms.get(ckey, 0.0) + weight
        if own_sections:
            for concept in SECTION_CONCEPTS - own_sections:
                ckey = "c:" + concept
                if ckey in terms:
                    terms[ckey] = min(terms[ckey], TEXT_CONCEPT_FACTOR)
        return terms, length

    def resolve(self, tokens: Sequence[Token]) -> list[QueryTerm]:
        resolved: list[QueryTerm] = []
        for token in tokens:
            resolved.extend(self._resolve_token(token, respell=True))
        return resolved

    def _resolve_token(self, token: Token, respell: bool) -> list[QueryTerm]:
        if token.concepts:
            candidates = [
                ("c:" + concept, CONCEPT_MATCH_FACTOR) for concept in sorted(token.concepts)
            ]
        else:
            candidates = [("w:" + token.form, 1.0)]
        present = [(term, factor) for term, factor in candidates if term in self._idf]
        if not present and not token.concepts and respell:
            respelled = self._respelled(token)
            if respelled:
                return respelled
        weak = bool(token.concepts) and token.concepts <= WEAK_CONCEPTS
        base = (WEAK_TOKEN_WEIGHT if weak else 1.0) * token.weight
        if present:
            best = max(self._idf[term] * factor for term, factor in present)
            return [QueryTerm(token, tuple(present), base * best, True)]
        if weak:
            return []  # "when", "now": no entry has them, and they say little anyway
        if token.concepts & PERSONAL_TOPICS:
            base = MISSING_TOPIC_WEIGHT * token.weight
        elif token.concepts:
            base = MISSING_CONCEPT_WEIGHT * token.weight
        elif len(token.form) == 1 and not token.form.isascii():
            base = DEBRIS_TOKEN_WEIGHT * token.weight
        return [QueryTerm(token, (), base * self._unknown_idf, False)]

    def _respelled(self, token: Token) -> list[QueryTerm]:
        """An unknown word read another way: a name spelled in Hangul, the parts of a
        hyphenated word ("scooter-sharing"), or a one-letter typo ("progamming")."""
        if has_hangul(token.form):
            return self._hangul_spelled_names(token)
        if "-" in token.form:
            parts = self._analyzer.tokens(token.form.replace("-", " "))
            return [
                term
                for part in parts
                for term in self._resolve_token(replace(part, weight=token.weight), respell=False)
            ]
        corrected = self._spelling.correct(token.form)
        if corrected is None:
            return []
        fixed = Token(corrected, self._analyzer.word_concepts(corrected), weight=token.weight)
        return self._resolve_token(fixed, respell=False)

    def _hangul_spelled_names(self, token: Token) -> list[QueryTerm]:
        """ "달빛게임즈" as the profile's "Dalbit" and "Games" (see transliteration.py)."""
        names = [name for name in self._name_matcher.match(token.form) if "w:" + name in self._idf]
        # One word of the question, however many words of the profile it spells.
        share = token.weight / len(names) if names else 0.0
        return [
            QueryTerm(token, (("w:" + name, 1.0),), share * self._idf["w:" + name], True)
            for name in names
        ]

    def covers(self, position: int, query: Sequence[QueryTerm]) -> bool:
        """Whether entry ``position`` has the head of ``query``, the phrase naming what a
        question asks for: its last word that names a thing ("GPA", "fee" of "speaking
        fee", "팀장" of "팀장님 이름"), as names and titles are had by every entry."""
        terms = self._doc_terms[position]
        for query_term in reversed(query):
            token = query_term.token
            if token.is_stop or token.concepts & FOCUS_ANSWERED_BY_ANY_ENTRY:
                continue
            if token.form in FOCUS_ANSWERED_BY_ANY_ENTRY:
                continue
            return any(term in terms for term, _ in query_term.terms)
        return True

    def asks_missing_topic(self, query: Sequence[QueryTerm]) -> bool:
        """Whether the asking part of a question names a personal topic (salary, family,
        why someone quit) that nothing in the profile mentions."""
        return any(
            not term.known and term.token.weight >= 1.0 and term.token.concepts & PERSONAL_TOPICS
            for term in query
        )

    def score_all(self, query: Sequence[QueryTerm]) -> list[LexicalScore]:
        total_weight = sum(term.weight for term in query)
        scores: list[LexicalScore] = []
        for terms, length in zip(self._doc_terms, self._lengths, strict=True):
            length_norm = BM25_K1 * (1.0 - BM25_B + BM25_B * length / self._avg_length)
            raw = 0.0
            capped = 0.0
            covered = 0.0
            for query_term in query:
                best = 0.0
                best_unnormalised = 0.0
                for term, factor in query_term.terms:
                    tf = terms.get(term)
                    if not tf:
                        continue
                    saturation = tf * (BM25_K1 + 1.0) / (tf + length_norm)
                    best = max(best, self._idf[term] * factor * saturation)
                    # The 0..1 score ignores entry length: a rich entry that mentions
                    # the thing asked about answers it as well as a one-liner does.
                    plain = tf * (BM25_K1 + 1.0) / (tf + BM25_K1)
                    best_unnormalised = max(best_unnormalised, self._idf[term] * factor * plain)
                if best > 0.0:
                    # Scale the token's contribution to its query weight (weak words count less).
                    reachable = max(self._idf[term] * factor for term, factor in query_term.terms)
                    raw += best / reachable * query_term.weight
                    # For the 0..1 score a token counts at most once: repeating a word
                    # ranks an entry higher but does not make the answer surer.
                    capped += min(1.0, best_unnormalised / reachable) * query_term.weight
                    covered += query_term.weight
            if total_weight > 0:
                scores.append(
                    LexicalScore(raw / total_weight, capped / total_weight, covered / total_weight)
                )
            else:
                scores.append(LexicalScore(0.0, 0.0, 0.0))
        return scores


def _idf(count: int, df: int) -> float:
    return math.log(1.0 + (count - df + 0.5) / (df + 0.5))
