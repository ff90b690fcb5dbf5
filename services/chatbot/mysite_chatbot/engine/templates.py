"""Bilingual phrasing helpers: Korean particles, dates, lists, fixed replies.

The engine speaks as the site owner, in the first person ("I work at...", "저는...").
"""

from __future__ import annotations

import re

from .text import WORDS, Language

# Final Latin letters/digits that a Korean reader pronounces with a final consonant
# (받침): "Slack" -> 슬랙, "Team" -> 팀, "Kubernetes" -> 쿠버네티스 (no 받침).
_LATIN_FINAL_CONSONANT = {"b", "c", "k", "l", "m", "n", "p", "t", "g"}
_DIGIT_FINAL_CONSONANT = {
    "0": True,
    "1": True,
    "2": False,
    "3": True,
    "4": False,
    "5": False,
    "6": True,
    "7": True,
    "8": True,
    "9": False,
}
_DIGIT_FINAL_RIEUL = {"1", "7", "8"}


def _last_sound(word: str) -> tuple[bool, bool]:
    """(has a final consonant, that consonant is ㄹ) for the last pronounced letter of ``word``."""
    stripped = re.sub(r"[\s)\]\"'”’.,!?]+$", "", word)
    if not stripped:
        return False, False
    last = stripped[-1]
    code = ord(last)
    if 0xAC00 <= code <= 0xD7A3:
        final = (code - 0xAC00) % 28
        return final != 0, final == 8
    if last.isdigit():
        return _DIGIT_FINAL_CONSONANT[last], last in _DIGIT_FINAL_RIEUL
    lowered = stripped.lower()
    if lowered.endswith(("ng", "ck")):
        return True, False
    if lowered[-1] == "l":
        return True, True
    if lowered.endswith(("er", "or", "ar")):
        return False, False
    return lowered[-1] in _LATIN_FINAL_CONSONANT, False


def josa(word: str, with_final: str, without_final: str) -> str:
    """``word`` followed by the particle form its last sound needs: josa("서울", "은", "는")."""
    has_final, is_rieul = _last_sound(word)
    if with_final == "으로":
        # "서울로", "Engineer로", "팀으로": ㄹ behaves like no final consonant here.
        return word + ("으로" if has_final and not is_rieul else "로")
    return word + (with_final if has_final else without_final)


def eul(word: str) -> str:
    return josa(word, "을", "를")


def i_ga(word: str) -> str:
    return josa(word, "이", "가")


def euro(word: str) -> str:
    return josa(word, "으로", "로")


def ida(word: str) -> str:
    """ "Go입니다" / "Python입니다": the copula form does not change for formal speech."""
    return word + "입니다"


_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def format_date(value: str, language: Language) -> str:
    """ "2021-03" -> "March 2021" / "2021년 3월"; anything else is returned as written."""
    match = _DATE.match(value.strip())
    if not match:
        return value.strip()
    year, month = match.group(1), match.group(2)
    if month and 1 <= int(month) <= 12:
        if language == "ko":
            return f"{year}년 {int(month)}월"
        return f"{_MONTHS_EN[int(month) - 1]} {year}"
    return f"{year}년" if language == "ko" else year


def join_list(items: list[str], language: Language) -> str:
    items = [item for item in items if item]
    if language == "ko":
        return ", ".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


# A few place names visitors write in Korean; anything else is shown as written.
PLACE_NAMES_KO: dict[str, str] = WORDS["place_names_ko"]

COUNTRY_NAMES_EN: dict[str, str] = WORDS["country_names_en"]

REFUSAL = {
    "en": (
        "I don't have anything about that in my profile, so I'd rather not guess. "
        "You can ask me directly with the \u201cSend me a message\u201d form."
    ),
    "ko": (
        "그 내용은 제 프로필에 없어서 추측으로 답하지 않을게요. "
        "\u2018메시지 보내기\u2019 양식으로 직접 물어봐 주세요."
    ),
}

EMPTY_QUESTION = {
    "en": "Ask me anything about my work, skills, projects or how to reach me.",
    "ko": "제 경력, 기술, 프로젝트, 연락 방법 등 궁금한 것을 물어봐 주세요.",
}


def quote_other_language(text: str, written_in: Language, asked_in: Language) -> str:
    """Free text is quoted as written; say so when it is in the other language."""
    if written_in == asked_in:
        return text
    if asked_in == "en":
        return f"(I wrote this in Korean) {text}"
    return f"(영어로 작성한 답변입니다) {text}"
