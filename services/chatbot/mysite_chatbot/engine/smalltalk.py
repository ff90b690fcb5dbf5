"""Greetings, thanks and other small talk: recognised by pattern, answered briefly.

What each kind looks like and what it is answered with are data (data/smalltalk.yaml).
Small-talk phrases are also stripped from real questions ("안녕하세요! 어디서 일하세요?")
so that "안녕" does not count as an unknown word during retrieval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from .text import DATA_DIR, Language

_KINDS: list[dict[str, Any]] = yaml.safe_load((DATA_DIR / "smalltalk.yaml").read_text("utf-8"))
# Tried in the data file's order: the first kind found names the reply.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind["kind"], re.compile("|".join(kind["patterns"]), re.IGNORECASE)) for kind in _KINDS
)
REPLIES: dict[str, dict[Language, str]] = {kind["kind"]: kind["reply"] for kind in _KINDS}

# What may remain around small talk: punctuation, emoji, and Hangul jamo laughter or
# tears ("ㅎㅎ", "ㅋㅋ", "ㅠㅠ"; NFKC turns them into conjoining jamo U+1100-U+11FF).
_LEFTOVER_PUNCTUATION = re.compile(r"^[\s\W_~^\u1100-\u11ff\u3131-\u318e]*$")


@dataclass(frozen=True, slots=True)
class SmallTalk:
    kind: str | None  # the first small-talk kind found ("greeting", "thanks"...), if any
    remainder: str  # the text with small-talk phrases removed
    only_small_talk: bool  # nothing but small talk (and punctuation) was said


def split_small_talk(text: str) -> SmallTalk:
    kind: str | None = None
    remainder = text
    for pattern_kind, pattern in _PATTERNS:
        if pattern.search(remainder):
            kind = kind or pattern_kind
            remainder = pattern.sub(" ", remainder)
    only = kind is not None and _LEFTOVER_PUNCTUATION.match(remainder) is not None
    return SmallTalk(kind, remainder.strip(), only)
