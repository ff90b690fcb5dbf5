"""What a visitor's question asks, beyond its words: which sentence asks, and for what kind
of answer.

Visitors wrap questions in context ("I'm a recruiter at a fintech company. Could you walk
me through your background?"). The context helps find the entry but is not what they
want to know, so words of a sentence that does not ask count for less. And a question
for a quantity ("how many stars does it have?", "몇 점이었어요?") is only answered by
an entry that states one: an entry about the right project that gives no number is
a near miss, and a near miss must not be answered as if it were a hit.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Literal

from .analysis import TextAnalyzer, Token

# Tokens of sentences that only give context weigh this much against the asking one.
CONTEXT_SENTENCE_WEIGHT = 0.4

# A sentence ends at ?, ! or . followed by a space (not "Node.js"), or at a line break.
_SENTENCE_END = re.compile(r"(?<=[?!？！])\s*|(?<=\.)\s+|\n+")

_ASKS_QUANTITY = re.compile(
    r"\bhow\s+(?:many|much|big|large|long|fast|quickly|old|tall)\b"
    r"|\bwhat\s+(?:percentage|percent|score|grade|level|number\s+of)\b"
    r"|\bscor(?:e|ed|es)\b|점수|몇|얼마",
    re.IGNORECASE,
)
# "How much experience", "얼마나 잘해요": a degree, which words answer ("Advanced").
_ASKS_DEGREE = re.compile(
    r"\bhow\s+much\s+(?:experience|do\s+you\s+(?:like|enjoy|know))\b"
    r"|얼마나\s?(?:잘|능숙|좋아|자주|하)",
    re.IGNORECASE,
)
# "How long did you work there?", "몇 년 다녔어요?": dates answer a duration.
_ASKS_DURATION = re.compile(
    r"\bhow\s+long\b|몇\s?(?:년|개월|달)|얼마나\s?(?:오래|다니|일하|근무)", re.IGNORECASE
)
# A number that is not a year ("2019", "2015년") or a month of a date ("9월").
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b|(?:19|20)\d{2}(?=년)|(?<!\d)\d{1,2}\s*월")
_DIGIT = re.compile(r"\d")
_ENGLISH_NUMBER_WORD = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|half|dozen|few|several|single|"
    r"twice)\b",
    re.IGNORECASE,
)
# Native Korean numbers before a counter ("두 잔", "세 명"); Sino-Korean ones are
# written in digits in practice.
_KOREAN_NUMBER_WORD = re.compile(
    r"(?:한|두|세|네|다섯|여섯|일곱|여덟|아홉|열|스무|서른|마흔|쉰)\s?"
    r"(?:명|잔|개|번|시간|달|살|권|곳|가지|군데|주|해)"
    r"|절반|반나절|하루|이틀|사흘|나흘|백|천|만 ?명|수십|수백|수천"
)


# "What was your GPA at Toronto?", "what score did you get", "which startups use it",
# "who was your team lead": the words after the question word name what is asked.
_ENGLISH_FOCUS = re.compile(
    r"\b(?:what|which)(?:'s|s|\s+is|\s+was|\s+are|\s+were)?\s+"
    r"|\bwho(?:'s|\s+is|\s+was|\s+are|\s+were)\s+"
    r"|\bhow\s+many\s+",
    re.IGNORECASE,
)
_ENGLISH_FOCUS_SKIP = frozenset(["your", "ur", "yr", "the", "a", "an", "his", "her", "their", "my"])
# Words that end the phrase naming what is asked: prepositions, verbs, pronouns.
_ENGLISH_FOCUS_END = frozenset(
    [
        "at",
        "in",
        "on",
        "for",
        "of",
        "with",
        "during",
        "from",
        "to",
        "by",
        "about",
        "do",
        "did",
        "does",
        "have",
        "has",
        "had",
        "is",
        "was",
        "are",
        "were",
        "can",
        "could",
        "would",
        "will",
        "should",
        "you",
        "u",
        "i",
        "it",
        "that",
        "this",
        "these",
        "those",
        "like",
        "and",
        "or",
        "when",
        "where",
        "how",
        "why",
        "kind",
        "type",
        "sort",
    ]
)
_ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'\-]*|[가-힣]+|[^\sA-Za-z가-힣]")
# "팀장님 이름이 뭐였어요?", "논문 주제가 뭐예요?": the words before 뭐/누구.
_KOREAN_FOCUS = re.compile(
    r"((?:[가-힣A-Za-z0-9\-]+\s+)?[가-힣A-Za-z0-9\-]+?)(?:이|가|은|는)?\s*"
    r"(?:뭐|무엇|뭔|누구|어떻게\s?되|어땠|어떠셨|어떤가)"
)
# "the name of your manager": the manager is what is asked about.
_NAME_OF = re.compile(
    r"\b(?:the\s+)?(?:name|title)s?\s+of\s+(?:your\s+|the\s+|ur\s+)?", re.IGNORECASE
)
MAX_FOCUS_WORDS = 3


def focus_phrase(text: str) -> str:
    """The words naming what a "what/which/who" question asks for ("GPA", "team lead",
    "이름"), or "" when the question has none (yes/no questions, "where", "how")."""
    text = _NAME_OF.sub("", text)
    match = _ENGLISH_FOCUS.search(text)
    if match:
        words: list[str] = []
        for word in _ENGLISH_WORD.findall(text[match.end() :]):
            lowered = word.lower()
            if not words and lowered in _ENGLISH_FOCUS_SKIP:
                continue
            acronym = len(word) > 1 and word.isupper()  # "IT", not "it"
            if (lowered in _ENGLISH_FOCUS_END and not acronym) or not word[0].isalnum():
                break
            words.append(word)
            if len(words) == MAX_FOCUS_WORDS:
                break
        if words:
            return " ".join(words)
    match = _KOREAN_FOCUS.search(text)
    if match:
        return match.group(1)
    return ""


# "Where were you before Hanbit Pay?", "한빛페이 전에는 어디 계셨어요?": the entry
# asked about is the one dated just before (or after) the one named.
_BEFORE = re.compile(
    r"\b(?:before|prior\s+to)\s+(?!that\b|then\b|now\b)[A-Za-z가-힣]"
    r"|[A-Za-z가-힣]\s*(?<!예)(?<!오래\s)(?<!오래)(?:이전|전)(?:에|엔)"
    # "달빛게임즈 들어가기 (바로) 전 직장", "입사하기 전"
    r"|기\s*(?:바로\s*)?전(?:\s|에|엔|$)",
    re.IGNORECASE,
)
_AFTER = re.compile(
    r"\b(?:after|since)\s+(?!that\b|then\b|now\b)[A-Za-z가-힣]"
    r"|[A-Za-z가-힣]\s*(?:다음|이후|후)(?:에|엔)"
    # "졸업하고 나서", "졸업 후"
    r"|고\s*나서|(?:졸업|퇴사|입사)\s*(?:하고|한\s*뒤|후)",
    re.IGNORECASE,
)
# "2년 전에", "3 years ago": a time ago, not "before the thing named".
_AGO = re.compile(r"\d+\s*(?:년|개월|달|주|일|시간)\s*(?:전|후)")
Relation = Literal["before", "after", "none"]


def time_relation(text: str) -> Relation:
    """Whether the question asks about what came before or after something it names."""
    if _AGO.search(text):
        return "none"
    if _BEFORE.search(text):
        return "before"
    if _AFTER.search(text):
        return "after"
    return "none"


# "Write me a sorting algorithm in Python", "계산기 코드 짜줘": work for the bot, not a
# question about the owner. Answering with the owner's Python skills would be wrong.
_TASK_REQUEST = re.compile(
    r"\b(?:write|code|implement|generate|make|build|create|solve|translate|fix|debug)\s+"
    r"(?:me|us)\b"
    r"|\b(?:fix|debug|solve|check)\s+(?:my|our|this)\s+(?:\w+\s+)?"
    r"(?:code|bug|homework|program|script|assignment|error)"
    r"|^(?:please\s+|pls\s+)?(?:write|implement|generate|solve|translate|debug)\b"
    r"|(?:짜|작성해|구현해|풀어|고쳐|번역해)\s*(?:줘|주세요|줄래|주실\s*수)"
    r"|(?:코드|함수|알고리즘|프로그램|스크립트|계산기|쿼리|정규식|크롤러|봇)\S*\s*(?:좀\s*)?"
    r"(?:만들어|써)\s*(?:줘|주세요|줄래)",
    re.IGNORECASE,
)


def is_task_request(text: str) -> bool:
    """Whether the visitor asks the bot to do a piece of work (write code, an essay)."""
    return _TASK_REQUEST.search(text) is not None


# "How many years of experience?", "몇 년차세요?": answered by "9년 차", "about 10 years".
_ASKS_YEARS = re.compile(
    r"\bhow\s+many\s+(?:years|yrs)\b|\bhow\s+long\s+have\s+you\s+been\b|몇\s?년\s?차|연차",
    re.IGNORECASE,
)
_STATES_YEARS = re.compile(r"(?<!\d)\d{1,2}\s*\+?\s*(?:년|years?\b|yrs?\b)", re.IGNORECASE)


def asks_years(text: str) -> bool:
    return _ASKS_YEARS.search(text) is not None


def states_years(text: str) -> bool:
    """Whether ``text`` gives a number of years ("9년 차", "about 10 years"), not a year."""
    return _STATES_YEARS.search(text) is not None


# "Have you ever given a talk?", "발표해 본 적 있으세요?": about what the owner has
# done, which a dated entry (a talk given, a job held) answers better than an FAQ that
# offers to do it ("Can you give a talk at our meetup?").
_ASKS_PAST = re.compile(
    r"\bhave\s+you\s+(?:ever\s+)?(?:given|done|worked|written|spoken|presented|published|won|"
    r"built|made|led)\b|\bhas\s+\w+\s+ever\b|\bdid\s+you\s+ever\b|\bever\s+(?:given|spoken)\b"
    r"|[본한]\s*적|해\s*보셨|해\s*봤",
    re.IGNORECASE,
)


def asks_past_experience(text: str) -> bool:
    return _ASKS_PAST.search(text) is not None


# "Do you take freelance work?", "외주 받으세요?": whether the owner would do something
# now, which the owner's own FAQ answers better than a past job that did it.
_ASKS_AVAILABILITY = re.compile(
    r"\b(?:can|could|would|will)\s+you\b"
    r"|\bdo\s+you\s+(?:take|accept|offer|provide|do)\b"
    r"|\bare\s+you\s+(?:open|available|willing|interested|up\s+for)\b"
    r"|받으시|받으세|받나요|받아요|받아\?|가능하신|가능할까|가능한가|가능해|해\s*주실|해\s*주시|해\s*줄\s*수",
    re.IGNORECASE,
)


def asks_availability(text: str) -> bool:
    return _ASKS_AVAILABILITY.search(text) is not None


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def question_tokens(analyzer: TextAnalyzer, text: str) -> list[Token]:
    """Tokens of ``text``, those of sentences that do not ask weighted down.

    Only when some sentences end with a question mark and others do not can we tell
    which is which; otherwise every word counts fully.
    """
    sentences = split_sentences(text)
    asking = [sentence.endswith(("?", "？")) for sentence in sentences]
    if len(sentences) < 2 or all(asking) or not any(asking):
        return analyzer.tokens(text)
    tokens: list[Token] = []
    for sentence, asks in zip(sentences, asking, strict=True):
        weight = 1.0 if asks else CONTEXT_SENTENCE_WEIGHT
        tokens.extend(
            token if weight == 1.0 else replace(token, weight=weight)
            for token in analyzer.tokens(sentence)
        )
    return tokens


QuantityAsked = Literal["none", "number", "duration"]


def asks_quantity(text: str) -> QuantityAsked:
    """Whether the question asks for a number ("몇 명", "how big") or a duration
    ("how long", "몇 년"), which dates can answer too."""
    if _ASKS_DURATION.search(text):
        return "duration"
    if _ASKS_QUANTITY.search(text) and not _ASKS_DEGREE.search(text):
        return "number"
    return "none"


def states_quantity(text: str, asked: QuantityAsked = "number") -> bool:
    """Whether ``text`` answers that kind of question: a number other than a year
    ("five-person team", "두 잔", "3 million", "GPA 3.8"), or for a duration any number."""
    if asked == "none":
        return True
    checked = text if asked == "duration" else _YEAR.sub(" ", text)
    return bool(
        _DIGIT.search(checked)
        or _ENGLISH_NUMBER_WORD.search(checked)
        or _KOREAN_NUMBER_WORD.search(checked)
    )


__all__ = [
    "CONTEXT_SENTENCE_WEIGHT",
    "QuantityAsked",
    "Relation",
    "asks_availability",
    "asks_past_experience",
    "asks_quantity",
    "asks_years",
    "focus_phrase",
    "is_task_request",
    "question_tokens",
    "split_sentences",
    "states_quantity",
    "states_years",
    "time_relation",
]
