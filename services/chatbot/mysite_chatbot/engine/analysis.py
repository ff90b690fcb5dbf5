"""Turn text (a question or a profile field) into tokens: surface forms plus concepts.

Korean goes through Kiwi (content morphemes), Latin-script words through a regex and
a small English stemmer. The bilingual vocabulary then tags each token (or phrase of
tokens) with concept ids, which is what lets "경력" match "work experience".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .korean import KOREAN_STOP_MORPHEMES, KoreanAnalyzer, is_content
from .text import DATA_DIR, ENGLISH_STOPWORDS, WORDS, clean_text, has_hangul, stem_english


def _data_lines(name: str) -> list[str]:
    """The non-empty, non-comment lines of a data file shipped with the engine."""
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def load_concepts() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """The bilingual vocabulary (data/concepts.tsv): concept -> terms, concept -> parents."""
    concepts: dict[str, tuple[str, ...]] = {}
    parents: dict[str, tuple[str, ...]] = {}
    for line in _data_lines("concepts.tsv"):
        concept, parent_list, terms = line.split("\t")
        concepts[concept] = tuple(term for term in terms.split("|") if term)
        if parent_list:
            parents[concept] = tuple(parent_list.split(","))
    return concepts, parents


CONCEPTS, CONCEPT_PARENTS = load_concepts()
EXTRA_KOREAN_USER_NOUNS = tuple(_data_lines("korean_nouns.txt"))

# Latin-script words, keeping the punctuation that belongs to tech names: "C++", "C#",
# "Node.js", "HTML/CSS" (split on "/"), "e-mail", "k8s".
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[.\-'][A-Za-z0-9]+)*(?:\+\+|#)?")
_CONTRACTION_SUFFIXES = ("n't", "'s", "'re", "'ve", "'ll", "'d", "'m")
_HANGUL_ONLY = re.compile(r"^[\uac00-\ud7a3]+$")
# "ㅋㅋ", "ㅎㅎ", "ㅠㅠ": laughter and tears, never a question's content.
_JAMO_ONLY = re.compile(r"^[\u1100-\u11ff\u3130-\u318f]+$")
_MAX_PHRASE_UNITS = 4
_GO_VERB_CONTEXT = re.compile(r"go\s+(?:to|there|back|out|for|abroad|home)\b", re.IGNORECASE)
# Chat shorthand visitors type ("where r u working rn"), read as the word it stands for.
# Only lower-case words are rewritten, so "R" the language stays itself.
_CHAT_SPEAK: dict[str, str] = WORDS["chat_speak"]


@dataclass(frozen=True, slots=True)
class Unit:
    """One normalised word before vocabulary lookup."""

    form: str
    start: int
    is_stop: bool
    end: int  # where the word ends in the text


@dataclass(frozen=True, slots=True)
class Token:
    """A query or document token: its normalised form and the concepts it stands for."""

    form: str
    concepts: frozenset[str]
    is_stop: bool = False
    # How much the token counts in a question: less in a sentence that only gives
    # context ("I'm a recruiter at a fintech.") than in the one that asks.
    weight: float = 1.0
    # The concepts it reaches only as a parent of its own ("infrastructure" for
    # "Kubernetes"): an entry met only through one of them is about the field, not the thing.
    broad: frozenset[str] = frozenset()
    # Where it stands in the analysed text (start, end), to quote it as written.
    span: tuple[int, int] = (0, 0)


class TextAnalyzer:
    """Analyse Korean/English text into vocabulary-tagged tokens (thread-safe)."""

    def __init__(
        self,
        korean: KoreanAnalyzer,
        concepts: Mapping[str, Sequence[str]] = CONCEPTS,
        parents: Mapping[str, Sequence[str]] = CONCEPT_PARENTS,
    ) -> None:
        self._korean = korean
        # Phrase -> its concepts, and those of them it reaches only as parents.
        self._phrases: dict[tuple[str, ...], tuple[frozenset[str], frozenset[str]]] = {}
        own: dict[tuple[str, ...], set[str]] = {}
        inherited: dict[tuple[str, ...], set[str]] = {}
        self._concepts = concepts
        for concept, terms in concepts.items():
            for term in terms:
                for key, _ in self._term_keys(term):
                    own.setdefault(key, set()).add(concept)
                    inherited.setdefault(key, set()).update(parents.get(concept, ()))
        self._phrases = {
            key: (frozenset(ids | inherited[key]), frozenset(inherited[key] - ids))
            for key, ids in own.items()
        }

    def _term_keys(self, term: str) -> list[tuple[tuple[str, ...], bool]]:
        """The word sequences a vocabulary term is looked up by, each with whether
        tokens() can ever find it: not longer than a phrase may be, and not one word that
        does not stand alone."""
        units = self.units(term)
        keys = []
        if units:
            findable = len(units) <= _MAX_PHRASE_UNITS and (
                len(units) > 1 or _stands_alone(units[0])
            )
            keys.append((tuple(unit.form for unit in units), findable))
        if _HANGUL_ONLY.match(term) and [unit.form for unit in units] != [term]:
            # Out of context Kiwi may read a short word otherwise ("전" as 저+ㄴ); in a
            # question it usually comes out as written.
            as_written = Unit(term, 0, term in KOREAN_STOP_MORPHEMES, len(term))
            keys.append(((term,), _stands_alone(as_written)))
        return keys

    def unfindable_terms(self) -> list[tuple[str, str]]:
        """(concept, term) for every term of the vocabulary that tokens() can never find:
        it only misleads whoever reads the vocabulary."""
        return [
            (concept, term)
            for concept, terms in self._concepts.items()
            for term in terms
            if not any(findable for _, findable in self._term_keys(term))
        ]

    @staticmethod
    def korean_user_nouns(concepts: Mapping[str, Sequence[str]] = CONCEPTS) -> list[str]:
        """Korean single-word nouns of the vocabulary, to register with Kiwi before first use.

        Verbs are written in dictionary form ("다니다") and skipped; one-syllable words
        are skipped too, because as user words they make Kiwi split longer words.
        """
        nouns = set(EXTRA_KOREAN_USER_NOUNS)
        for terms in concepts.values():
            for term in terms:
                if _HANGUL_ONLY.match(term) and len(term) >= 2 and not term.endswith("다"):
                    nouns.add(term)
        return sorted(nouns)

    def units(self, text: str) -> list[Unit]:
        """Normalised words of ``text`` in reading order, stopwords flagged, not removed."""
        text = clean_text(text)
        if not text:
            return []
        units: list[Unit] = []
        for match in _LATIN_WORD.finditer(text.replace("\u2019", "'")):
            original = _strip_contraction(match.group(0))
            if not original:
                continue
            lowered = original.lower()
            # "Go" the language is capitalised mid-sentence, written alone (a skill's
            # keyword) or among Korean words; "go" is the verb.
            if original in ("Go", "GO") and (
                match.start() > 0 or text == original or has_hangul(text)
            ):
                units.append(Unit("golang", match.start(), False, match.end()))
                continue
            if original == lowered:
                lowered = _CHAT_SPEAK.get(lowered, lowered)
            form = stem_english(lowered)
            is_stop = lowered in ENGLISH_STOPWORDS or form in ENGLISH_STOPWORDS
            if is_stop and len(original) > 1 and original.isupper() and match.start() > 0:
                # "CAN bus", "IT": an acronym, not the word "can" or "it". ("US" stays a
                # stopword: "to the US or Europe" is about moving abroad, said elsewhere.)
                is_stop = original == "US"
            # "did you go to", "go there": the verb, which says nothing about the language.
            if original == "go" and _GO_VERB_CONTEXT.match(text, match.start()):
                is_stop = True
            units.append(Unit(form, match.start(), is_stop, match.end()))
        if has_hangul(text):
            fixed, written_at = fix_korean_typos(text)
            for morpheme in self._korean.morphemes(fixed):
                if is_content(morpheme) and not _JAMO_ONLY.match(morpheme.form):
                    units.append(
                        Unit(
                            morpheme.form,
                            written_at[morpheme.start],
                            morpheme.form in KOREAN_STOP_MORPHEMES,
                            written_at[morpheme.end],
                        )
                    )
        units.sort(key=lambda unit: unit.start)
        return units

    def tokens(self, text: str) -> list[Token]:
        """Tokens of ``text``: the longest vocabulary phrase at each position wins; other
        stopwords are dropped, other words kept with no concepts."""
        units = self.units(text)
        tokens: list[Token] = []
        position = 0
        while position < len(units):
            matched = False
            for length in range(min(_MAX_PHRASE_UNITS, len(units) - position), 0, -1):
                window = tuple(unit.form for unit in units[position : position + length])
                phrase = self._phrases.get(window)
                if phrase is None:
                    continue
                if length == 1 and not _stands_alone(units[position]):
                    break
                concepts, broad = phrase
                span = (units[position].start, units[position + length - 1].end)
                tokens.append(Token(" ".join(window), concepts, broad=broad, span=span))
                position += length
                matched = True
                break
            if matched:
                continue
            unit = units[position]
            if not unit.is_stop:
                tokens.append(Token(unit.form, frozenset(), span=(unit.start, unit.end)))
            position += 1
        return tokens

    def concept_names(self, text: str) -> set[str]:
        return {concept for token in self.tokens(text) for concept in token.concepts}


# Stopwords that still tell what is asked when the vocabulary knows them
# ("where", "who are you", "yourself"); other stopwords in the vocabulary are ignored
# on their own so that e.g. "about" does not pull every question toward the bio.
_MEANINGFUL_STOPS = frozenset(stem_english(word) for word in WORDS["meaningful_stopwords"])

# Everyday Korean misspellings, rewritten before Kiwi sees them: "잇어요" for 있어요,
# "머예요" for 뭐예요, "-세여" for -세요, "전 직장" (read as 저+는) for 이전 직장.
_KOREAN_TYPOS = tuple(
    (re.compile(pattern), replacement) for pattern, replacement in WORDS["korean_typos"]
)


def fix_korean_typos(text: str) -> tuple[str, list[int]]:
    """The text with its misspellings rewritten, and for each position of it (and its
    end) the position in ``text`` it was written at, so that a word is quoted as the
    visitor wrote it ("전 직장" is read as "이전 직장")."""
    written_at = list(range(len(text) + 1))
    for pattern, replacement in _KOREAN_TYPOS:
        pieces: list[str] = []
        positions: list[int] = []
        kept_from = 0
        for match in pattern.finditer(text):
            pieces += [text[kept_from : match.start()], replacement]
            positions += written_at[kept_from : match.start()]
            positions += [written_at[match.start()]] * len(replacement)
            kept_from = match.end()
        if pieces:
            pieces.append(text[kept_from:])
            positions += written_at[kept_from:]
            text, written_at = "".join(pieces), positions
    return text, written_at


def _stands_alone(unit: Unit) -> bool:
    """Whether a word found alone tells what is asked: no stopword, or a meaningful one."""
    return not unit.is_stop or unit.form in _MEANINGFUL_STOPS


def _strip_contraction(word: str) -> str:
    lowered = word.lower()
    for suffix in _CONTRACTION_SUFFIXES:
        if lowered.endswith(suffix):
            return word[: -len(suffix)]
    return word.strip("'")
