"""Korean morphological analysis with Kiwi, reduced to the content morphemes retrieval needs."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from kiwipiepy import Kiwi

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
KOREAN_STOP_MORPHEMES = frozenset(
    [
        "하",
        "가",
        "오",
        "개",
        "링크",
        "있",
        "없",
        "되",
        "이",
        "아니",
        "보",
        "주",
        "드리",
        "알리",
        "알",
        "궁금하",
        "궁금",
        "말씀",
        "말하다",
        "싶",
        "같",
        "들",
        "가지",
        "계시",
        "계세",
        "드세",
        "좀",
        "혹시",
        "뭐",
        "무엇",
        "무슨",
        "어떻",
        "어떤",
        "어느",
        "그",
        "저",
        "제",
        "나",
        "너",
        "우리",
        "저희",
        "님",
        "씨",
        "분",
        "거",
        "것",
        "수",
        "등",
        "때",
        "적",
        "중",
        "정도",
        "많이",
        "더",
        "그냥",
        "진짜",
        "정말",
        "너무",
        "보통",
        "주로",
        "대충",
        "부탁",
        "질문",
        "답",
        "답변",
        "또",
        "그리고",
        "그럼",
        "근데",
        "혹",
        "요",
        "어떠",
        "그렇",
        "이렇",
        "저렇",
        "여쭈",
        "여쭙",
        "물어보",
        "묻",
        "물",
        "얘기",
        "이야기",
        "설명",
        "소개하",
        "뭘",
        "왜",
        "어떻게",
        "얼마",
        "줄",
        "다녀오",
        "받",
        "가능하",
        "활동",
        "생각",
        "관련",
        "대하",
        "관하",
        "갖",
        "가지",
        # Chat around the question ("들었는데", "참고하고 싶어서요", "쭉 알려줘"),
        # question words ("몇", "얼마나") and list words ("목록", "순서").
        "듣",
        "지내",
        "이거",
        "거기",
        "여기",
        "저기",
        "그거",
        "저거",
        "이것",
        "그것",
        "몇",
        "얼마나",
        "뭐뭐",
        "쭉",
        "조심",
        "조심스럽",
        "참고",
        "필요",
        "순서",
        "목록",
        "이쁘",
        "예쁘",
        "멋지",
        "멋있",
        "감사",
        "거치",
        "대략",
        "간단하",
        "간단히",
        "자세히",
        "한번",
        "번",
        "다름",
        "실례",
    ]
)


@dataclass(frozen=True, slots=True)
class Morpheme:
    form: str
    tag: str
    start: int


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
        return [Morpheme(token.form, token.tag, token.start) for token in tokens]

    def content_morphemes(self, text: str) -> list[str]:
        """Forms of the content morphemes of ``text``, in order, stopwords removed."""
        return [
            morpheme.form
            for morpheme in self.morphemes(text)
            if is_content(morpheme) and morpheme.form not in KOREAN_STOP_MORPHEMES
        ]


def is_content(morpheme: Morpheme) -> bool:
    """True for morphemes that can carry meaning (nouns, verb and adjective stems...)."""
    if morpheme.tag.startswith("VX"):
        return morpheme.form not in AUXILIARY_VERBS
    return morpheme.tag.startswith(CONTENT_TAG_PREFIXES)
