"""Korean morphological analysis with Kiwi, reduced to the content morphemes retrieval needs."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from kiwipiepy import Kiwi

from .text import WORDS, count_hangul

# Content-bearing parts of speech. Particles (J*), endings (E*), suffixes (XS*),
# copulas (VCP) and punctuation (S*) are dropped. Latin-script words (SL) are
# skipped here because Kiwi splits them oddly; the caller handles them by regex.
CONTENT_TAG_PREFIXES = (
    "NNG",
    "NNP",
    "NR",
    "NP",
    "VV",
    "VA",
    "XR",
    "MAG",
    "MM",
    "SN",
    "SH",
    "NNB",
    "XPN",
)

# Auxiliary verbs ("써 보다", "알려 주다") only mark aspect or politeness.
AUXILIARY_VERBS = frozenset(
    ["보", "주", "하", "있", "싶", "드리", "오", "가", "버리", "놓", "두", "내"]
)

# Content morphemes that carry no topic: generic verbs, fillers, politeness and
# question words that do not narrow down the answer. ("어디", "누구", "언제"
# stay: they tell what kind of fact is asked for.)
KOREAN_STOP_MORPHEMES = frozenset(WORDS["korean_stop_morphemes"])

# Pre-final endings that put a sentence in the past ("일했어요": Kiwi reads 했 as 하 + 었).
PAST_TENSE_ENDINGS = frozenset(WORDS["past_tense_endings"])


@dataclass(frozen=True, slots=True)
class Morpheme:
    form: str
    tag: str
    start: int
    end: int  # in the text, which the form may differ from ("했" is read as 하+었)


class KoreanAnalyzer:
    """Kiwi with a small memory footprint and the vocabulary's loanwords registered.

    Construction takes about a second and the first analysis another second or two;
    both happen once per process (see ``warm_up``). ``add_user_word`` rebuilds Kiwi's
    internal model, so every user word is registered here, before the first use.
    """

    def __init__(self, user_nouns: Iterable[str] = ()) -> None:
        with warnings.catch_warnings():
            # num_workers=0 means "single thread" since kiwipiepy 0.21 and warns about it.
            warnings.simplefilter("ignore", DeprecationWarning)
            # The default and multi-word dictionaries are Wikipedia proper nouns: they
            # double Kiwi's memory (~515 MB vs ~264 MB) and add nothing for our questions.
            self._kiwi = Kiwi(
                num_workers=0,
                load_default_dict=False,
                load_multi_dict=False,
                load_typo_dict=False,
            )
        for noun in sorted(set(user_nouns)):
            if noun and " " not in noun:
                self._kiwi.add_user_word(noun, "NNP")
        # Kiwi objects are not documented as thread-safe; analyses are ~0.5 ms, so a lock is cheap.
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        self.morphemes("안녕하세요, 어디서 일하세요?")

    def morphemes(self, text: str) -> list[Morpheme]:
        """All morphemes of ``text`` (Kiwi's analysis), no filtering."""
        if not text.strip():
            return []
        with self._lock:
            tokens = self._kiwi.tokenize(text)
        return [
            Morpheme(token.form, token.tag, token.start, token.start + token.len)
            for token in tokens
        ]

    def content_morphemes(self, text: str) -> list[str]:
        """Forms of the content morphemes of ``text``, in order, stopwords removed."""
        return [
            morpheme.form
            for morpheme in self.morphemes(text)
            if is_content(morpheme) and morpheme.form not in KOREAN_STOP_MORPHEMES
        ]


# Morphemes only Korean grammar has: particles, endings, suffixes, the copula.
GRAMMAR_TAG_PREFIXES = ("J", "E", "XS", "VCP")


def has_korean_grammar(morphemes: Iterable[Morpheme]) -> bool:
    """Whether a particle or an ending is written in Hangul: the sentence is Korean, however
    many Latin letters its words have ("hangul-slug가 뭐예요?"); a Korean word alone in
    an English sentence has none ("Do you like 김치?")."""
    return any(
        morpheme.tag.startswith(GRAMMAR_TAG_PREFIXES) and count_hangul(morpheme.form) > 0
        for morpheme in morphemes
    )


def has_past_ending(morphemes: Iterable[Morpheme]) -> bool:
    """Whether a past-tense ending is among the morphemes ("전에 어디서 일했어요?")."""
    return any(
        morpheme.tag == "EP" and morpheme.form in PAST_TENSE_ENDINGS for morpheme in morphemes
    )


def is_content(morpheme: Morpheme) -> bool:
    """True for morphemes that can carry meaning (nouns, verb and adjective stems...)."""
    if morpheme.tag.startswith("VX"):
        return morpheme.form not in AUXILIARY_VERBS
    return morpheme.tag.startswith(CONTENT_TAG_PREFIXES)
