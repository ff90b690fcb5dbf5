"""Greetings, thanks and other small talk: recognised by pattern, answered briefly.

Small-talk phrases are also stripped from real questions ("안녕하세요! 어디서 일하세요?")
so that "안녕" does not count as an unknown word during retrieval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .text import Language

SmallTalkKind = Literal["greeting", "thanks", "goodbye", "how_are_you", "bot"]

_PATTERNS: tuple[tuple[SmallTalkKind, re.Pattern[str]], ...] = (
    (
        "bot",
        re.compile(
            r"\b(?:are|r) (?:you|u) (?:a |an )?"
            r"(?:bot|robot|human|real|real person|ai|chatbot|machine)\b"
            r"|\bam i (?:talking|chatting) (?:to|with) (?:a )?(?:bot|human|real person|ai)\b"
            r"|(?<![가-힣])(?:너|넌|당신)?\s*(?:챗봇|봇|로봇|사람|인공지능|AI|ai)"
            r"(?:이야|야|인가요|이에요|예요|이니|임|인가|니)(?![가-힣])",
            re.IGNORECASE,
        ),
    ),
    (
        "how_are_you",
        re.compile(
            r"\bhow are (?:you|u)(?: doing)?\b|\bhow(?:'s| is) it going\b"
            r"|\bwhat'?s up\b|\bhow have you been\b"
            r"|(?<![가-힣])(?:잘\s*지내(?:셨어요|세요|요|니|셨나요)?"
            r"|요즘 어떻게 지내(?:세요|요)?|기분 어때(?:요)?)(?![가-힣])",
            re.IGNORECASE,
        ),
    ),
    (
        "thanks",
        re.compile(
            r"\b(?:thanks a lot|thanks|thank you(?: so much| very much)?|thx|ty|cheers"
            r"|much appreciated|appreciate it)\b"
            r"|(?<![가-힣])(?:감사(?:합니다|해요|드려요|드립니다)?|고마워(?:요)?|고맙습니다"
            r"|땡큐|ㄱㅅ|ㄳ)(?![가-힣])",
            re.IGNORECASE,
        ),
    ),
    (
        "goodbye",
        re.compile(
            r"\b(?:good ?bye|bye(?: bye)?|see (?:you|ya)(?: later| soon)?|cya|good night"
            r"|take care|have a (?:good|nice) (?:day|one))\b"
            r"|(?<![가-힣])(?:안녕히\s*(?:계세요|가세요)|잘\s*(?:가|있어)(?:요)?"
            r"|다음에\s*(?:봐요|봬요|또 올게요)|수고(?:하세요|하셨습니다)|빠이|바이바이)"
            r"(?![가-힣])",
            re.IGNORECASE,
        ),
    ),
    (
        "greeting",
        re.compile(
            r"\b(?:hello there|hello|hi there|hi|hey there|hey|hiya|howdy|yo|greetings"
            r"|good (?:morning|afternoon|evening)|nice to meet you)\b"
            r"|(?<![가-힣])(?:안녕(?:하세요|하십니까|하세여)?|하이(?:요)?|반가워(?:요)?|반갑습니다"
            r"|처음 뵙겠습니다|헬로)(?![가-힣])",
            re.IGNORECASE,
        ),
    ),
)

# What may remain around small talk: punctuation, emoji, and Hangul jamo laughter or
# tears ("ㅎㅎ", "ㅋㅋ", "ㅠㅠ"; NFKC turns them into conjoining jamo U+1100-U+11FF).
_LEFTOVER_PUNCTUATION = re.compile(r"^[\s\W_~^\u1100-\u11ff\u3131-\u318e]*$")

REPLIES: dict[SmallTalkKind, dict[Language, str]] = {
    "greeting": {
        "en": "Hi! Ask me anything about my work, skills, projects, or how to get in touch.",
        "ko": "안녕하세요! 제 경력, 기술, 프로젝트, 연락 방법 등 궁금한 걸 물어보세요.",
    },
    "thanks": {
        "en": "You're welcome! Anything else you'd like to know?",
        "ko": "천만에요! 더 궁금한 게 있으면 편하게 물어보세요.",
    },
    "goodbye": {
        "en": "Thanks for stopping by. Have a great day!",
        "ko": "들러 주셔서 감사해요. 좋은 하루 보내세요!",
    },
    "how_are_you": {
        "en": "Doing well, thanks for asking! What would you like to know about me?",
        "ko": "덕분에 잘 지내고 있어요! 저에 대해 궁금한 게 있으신가요?",
    },
    "bot": {
        "en": (
            "I'm an automated assistant that answers from my published profile and Q&A. "
            "For anything else, the \u201cSend me a message\u201d form reaches me directly."
        ),
        "ko": (
            "저는 공개된 프로필과 Q&A를 바탕으로 답하는 자동 응답 도우미예요. "
            "그 밖의 내용은 \u2018메시지 보내기\u2019 양식으로 직접 보내 주세요."
        ),
    },
}


@dataclass(frozen=True, slots=True)
class SmallTalk:
    kind: SmallTalkKind | None  # the first small-talk phrase found, if any
    remainder: str  # the text with small-talk phrases removed
    only_small_talk: bool  # nothing but small talk (and punctuation) was said


def split_small_talk(text: str) -> SmallTalk:
    kind: SmallTalkKind | None = None
    remainder = text
    for pattern_kind, pattern in _PATTERNS:
        if pattern.search(remainder):
            kind = kind or pattern_kind
            remainder = pattern.sub(" ", remainder)
    only = kind is not None and _LEFTOVER_PUNCTUATION.match(remainder) is not None
    return SmallTalk(kind, remainder.strip(), only)
