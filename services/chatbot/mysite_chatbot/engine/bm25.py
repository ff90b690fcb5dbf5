"""Lexical retrieval: BM25 over the words and vocabulary concepts of each entry.

A question's token (a word, or a vocabulary phrase such as "work experience") matches an
entry through its form or any of its concepts, so "경력" meets an entry that says
"work experience". Each token counts once, with its best-matching term.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .analysis import TextAnalyzer, Token
from .models import Entry

# Standard BM25 constants: term-frequency saturation and length normalisation.
K1 = 1.2
B = 0.3


@dataclass(frozen=True, slots=True)
class LexicalScore:
    """How well one entry matches a question's words.

    ``raw`` is the BM25 score; ``coverage`` the share (0..1) of the question's
    weight, by idf, that the entry matches at all.
    """

    raw: float
    coverage: float


def token_terms(token: Token) -> tuple[str, ...]:
    """The index terms a token can match: its form and its concepts."""
    return ("w:" + token.form, *("c:" + concept for concept in sorted(token.concepts)))


class LexicalIndex:
    def __init__(self, analyzer: TextAnalyzer, entries: Sequence[Entry]) -> None:
        self._frequencies: list[dict[str, float]] = []
        lengths: list[float] = []
        for entry in entries:
            counts: dict[str, float] = {}  # term -> weighted frequency
            for text_field in entry.fields:
                for token in analyzer.tokens(text_field.text):
                    for term in token_terms(token):
                        counts[term] = counts.get(term, 0.0) + text_field.weight
            for concept, weight in entry.concepts:
                counts["c:" + concept] = counts.get("c:" + concept, 0.0) + weight
            self._frequencies.append(counts)
            lengths.append(sum(counts.values()))
        self._average_length = (sum(lengths) / len(lengths)) if lengths else 1.0
        self._lengths = lengths
        documents: Counter[str] = Counter()
        for counts in self._frequencies:
            documents.update(counts.keys())
        total = max(1, len(entries))
        self._idf = {
            term: math.log(1 + (total - count + 0.5) / (count + 0.5))
            for term, count in documents.items()
        }
        # A term no entry has tells nothing about which entry answers, but it still says
        # the question asks something the profile may not hold: it weighs like a rare term.
        self._unknown_idf = math.log(1 + (total + 0.5) / 0.5)

    def idf(self, term: str) -> float:
        return self._idf.get(term, 0.0)

    def has_term(self, position: int, term: str) -> bool:
        """Whether the entry at ``position`` has ``term`` (see token_terms)."""
        return term in self._frequencies[position]

    def unmentioned(self, tokens: Sequence[Token]) -> list[Token]:
        """The tokens that name one thing of a broader kind ("Rust", a programming
        language) that no entry has, by its word or its own concepts."""
        return [
            token
            for token in tokens
            if token.broad
            and not any(
                term in self._idf for term in token_terms(token) if term[2:] not in token.broad
            )
        ]

    def score_all(self, tokens: Sequence[Token]) -> list[LexicalScore]:
        """One score per entry, in index order."""
        groups = [token_terms(token) for token in tokens]
        weights = [
            max((self._idf.get(term, 0.0) for term in terms), default=0.0) or self._unknown_idf
            for terms in groups
        ]
        total_weight = sum(
            weight * token.weight for weight, token in zip(weights, tokens, strict=True)
        )
        scores: list[LexicalScore] = []
        for counts, length in zip(self._frequencies, self._lengths, strict=True):
            raw = 0.0
            covered = 0.0
            norm = K1 * (1 - B + B * length / self._average_length)
            for terms, weight, token in zip(groups, weights, tokens, strict=True):
                best = 0.0
                for term in terms:
                    frequency = counts.get(term)
                    if frequency:
                        idf = self._idf[term]
                        best = max(best, idf * frequency * (K1 + 1) / (frequency + norm))
                if best > 0:
                    raw += best * token.weight
                    covered += weight * token.weight
            coverage = covered / total_weight if total_weight > 0 else 0.0
            scores.append(LexicalScore(raw, coverage))
        return scores
