"""One-letter typos in English words ("progamming", "expereince"), corrected against the
words the engine knows: the vocabulary's and the profile's own.

A symmetric-delete index: a word and every form of it with one letter removed point back
to it, so a typo one insertion, deletion, substitution or swap away shares a key with
the word it misspells. Short words are left alone ("bus" and "bug" are both words).
"""

from __future__ import annotations

from collections.abc import Iterable

MIN_CORRECTED_LENGTH = 5


def _deletions(word: str) -> set[str]:
    return {word[:position] + word[position + 1 :] for position in range(len(word))}


def _within_one_edit(first: str, second: str) -> bool:
    if first == second:
        return True
    if abs(len(first) - len(second)) > 1:
        return False
    if len(first) == len(second):
        differences = [i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
        if len(differences) == 1:
            return True
        return (
            len(differences) == 2
            and differences[1] == differences[0] + 1
            and first[differences[0]] == second[differences[1]]
            and first[differences[1]] == second[differences[0]]
        )
    longer, shorter = (first, second) if len(first) > len(second) else (second, first)
    return shorter in _deletions(longer)


class SpellingIndex:
    def __init__(self, words: Iterable[str]) -> None:
        self._words = {
            word
            for word in words
            if len(word) >= MIN_CORRECTED_LENGTH and word.isascii() and word.isalpha()
        }
        self._by_key: dict[str, set[str]] = {}
        for word in self._words:
            for key in {word} | _deletions(word):
                self._by_key.setdefault(key, set()).add(word)

    def correct(self, word: str) -> str | None:
        """The one known word ``word`` misspells, or None (unknown, known, or ambiguous)."""
        if len(word) < MIN_CORRECTED_LENGTH or not (word.isascii() and word.isalpha()):
            return None
        if word in self._words:
            return None
        candidates: set[str] = set()
        for key in {word} | _deletions(word):
            candidates |= self._by_key.get(key, set())
        matches = {candidate for candidate in candidates if _within_one_edit(word, candidate)}
        return next(iter(matches)) if len(matches) == 1 else None


__all__ = ["SpellingIndex"]
