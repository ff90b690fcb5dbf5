"""Bilingual phrasing: the answer templates of data/answers.yaml and the helpers they use
(Korean particles, dates, periods, lists), and the engine's fixed replies.

The engine speaks as the site owner, in the first person ("I work at...", "저는...").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jinja2
import yaml

from .prose import sentence_languages
from .text import DATA_DIR, WORDS, Language

# What the engine says, per profile section and for fixed replies (a data file).
ANSWERS: dict[str, Any] = yaml.safe_load((DATA_DIR / "answers.yaml").read_text(encoding="utf-8"))

# Final Latin letters/digits that a Korean reader pronounces with a final consonant
# (받침): "Slack" -> 슬랙, "Team" -> 팀, "Kubernetes" -> 쿠버네티스 (no 받침).
_LATIN_FINAL_CONSONANT = {"b", "c", "k", "l", "m", "n", "p", "t", "g"}
# Digits read with one (영, 일, 삼, 육, 칠, 팔) and those where it is ㄹ (일, 칠, 팔); other
# scripts' digits are read as having none.
_DIGITS_WITH_FINAL_CONSONANT = "013678"
_DIGITS_WITH_FINAL_RIEUL = "178"


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
        return last in _DIGITS_WITH_FINAL_CONSONANT, last in _DIGITS_WITH_FINAL_RIEUL
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


_MONTHS_EN: tuple[str, ...] = tuple(ANSWERS["months_en"])
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

REFUSAL: dict[str, str] = ANSWERS["refusal"]
REFUSAL_WITH_SUGGESTIONS: dict[str, str] = ANSWERS["refusal_with_suggestions"]
PAIR_LEAD: dict[str, str] = ANSWERS["pair_lead"]

EMPTY_QUESTION: dict[str, str] = ANSWERS["empty_question"]


_NAMED_ITEMS: dict[str, str] = ANSWERS["named_items"]
_NOT_MENTIONED: dict[str, str] = ANSWERS["not_mentioned"]


def named_items(items: list[str], language: Language) -> str:
    listed = join_list(items, language)
    return _NAMED_ITEMS[language].format(items=listed, items_eul=eul(listed))


def not_mentioned(things: list[str], language: Language) -> str:
    return _NOT_MENTIONED[language].format(things=join_list(things, language))


LANGUAGE_NAMES_KO: dict[str, str] = ANSWERS["language_names_ko"]

# Free text longer than this is cut in answers (the full text stays searchable).
MAX_QUOTED_CHARS = 600
MAX_HIGHLIGHTS_IN_ANSWER = 3


def quote_other_language(text: str, written_in: Language, asked_in: Language) -> str:
    """Free text is quoted as written; say so when none of it is in the visitor's language
    (a text in both languages is mostly one of them, but needs no note)."""
    if written_in == asked_in or asked_in in sentence_languages(text):
        return text
    prefix: str = ANSWERS["quoted_from_other_language"][asked_in]
    return prefix + text


def shorten(text: str, limit: int = MAX_QUOTED_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _sentence(text: str) -> str:
    text = text.strip()
    if text and text[-1] not in '.!?\u3002)"\u201d':
        return text + "."
    return text


def details(summary: str, highlights: Sequence[str]) -> str:
    """The summary and the first highlights as sentences, to follow an answer's own."""
    texts = [shorten(summary), *highlights[:MAX_HIGHLIGHTS_IN_ANSWER]]
    return " ".join(_sentence(text) for text in texts if text)


def period(start: str, end: str, language: Language) -> str:
    """ "March 2021 \u2013 present" / "2021년 3월 \u2013 현재"; empty without dates."""
    start_text = format_date(start, language) if start else ""
    end_text = format_date(end, language) if end else "현재" if language == "ko" else "present"
    if not start_text:
        return end_text if end else ""
    return f"{start_text} \u2013 {end_text}"


def mid_sentence(name: str) -> str:
    """ "Bouldering" reads better as "bouldering" mid-sentence; acronyms stay as written."""
    return name.lower() if name[:1].isupper() and name[1:2].islower() else name


def language_ko(language: str) -> str:
    """A spoken language's Korean name ("English" -> 영어), or the name as written."""
    return LANGUAGE_NAMES_KO.get(language.lower(), language)


# Answers are plain text (the site escapes them when it renders them), and profile values
# are only ever values passed to these templates, never template source.
_ENVIRONMENT = jinja2.Environment(
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # noqa: S701 - plain text, escaped by the site
)
_ENVIRONMENT.filters.update(
    eul=eul,
    euro=euro,
    i_ga=i_ga,
    format_date=format_date,
    join_list=join_list,
    period=period,
    shorten=shorten,
    mid_sentence=mid_sentence,
    language_ko=language_ko,
)
_ENVIRONMENT.globals.update(details=details, quote=quote_other_language)


@functools.cache
def _template(source: str) -> jinja2.Template:
    return _ENVIRONMENT.from_string(source)


@functools.cache
def _expression(source: str) -> Callable[..., Any]:
    return _ENVIRONMENT.compile_expression(source, undefined_to_none=True)


def render(template: str, values: Mapping[str, Any]) -> str:
    """``template`` (Jinja2 source from the data file) filled with ``values``."""
    return _template(template).render(values)


def evaluate(expression: str, values: Mapping[str, Any]) -> Any:
    """A Jinja2 expression of the data file over ``values``; None when it yields nothing."""
    return _expression(expression)(**values)
