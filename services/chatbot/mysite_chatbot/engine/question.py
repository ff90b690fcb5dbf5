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
    r"|몇|얼마",
    re.IGNORECASE,
)
# "How much experience", "얼마나 잘해요": a degree, which words answer ("Advanced").
_ASKS_DEGREE = re.compile(
    r"\bhow\s+much\s+(?:experience|do\s+you\s+(?:like|enjoy|know))\b"
    r"|얼마나\s?(?:잘|능숙|좋아|자주)",
    re.IGNORECASE,
)
# "How long did you work there?", "몇 년 다녔어요?": dates answer a duration.
_ASKS_DURATION = re.compile(
    r"\bhow\s+long\b|몇\s?(?:년|개월|달)|얼마나\s?(?:오래|다니|일하|근무)", re.IGNORECASE
)
# A number that is not a year ("2019", "2015년") or a month of a date.
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b|(?:19|20)\d{2}(?=년)")
_DIGIT = re.compile(r"\d")
_ENGLISH_NUMBER_WORD = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|half|dozen|few|several|single|"
    r"once|twice)\b",
    re.IGNORECASE,
)
# Native Korean numbers before a counter ("두 잔", "세 명"); Sino-Korean ones are
# written in digits in practice.
_KOREAN_NUMBER_WORD = re.compile(
    r"(?:한|두|세|네|다섯|여섯|일곱|여덟|아홉|열|스무|서른|마흔|쉰)\s?"
    r"(?:명|잔|개|번|시간|달|살|권|곳|가지|군데|주|해)"
    r"|절반|반나절|하루|이틀|사흘|나흘|백|천|만 ?명|수십|수백|수천"
)


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
    "asks_quantity",
    "question_tokens",
    "split_sentences",
    "states_quantity",
]
