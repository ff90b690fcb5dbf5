"""Language-neutral text helpers: cleaning, language detection, English stems.

Everything here is pure Python and total: any ``str`` (control characters, lone
surrogates, emoji, very long input) goes in, something sensible comes out.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any, Literal

Language = Literal["ko", "en"]

DATA_DIR = Path(__file__).with_name("data")
# Stopwords, irregular stems, chat shorthand, place names: word lists, kept as data.
WORDS: dict[str, Any] = json.loads((DATA_DIR / "words.json").read_text(encoding="utf-8"))

# Visitors' questions are short; anything past this is noise we do not need to analyse
# (the caller already limits length, this only bounds our own work).
MAX_ANALYSED_CHARS = 2000

_HANGUL_SYLLABLE = re.compile(r"[\uac00-\ud7a3]")
_HANGUL_ANY = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_WHITESPACE = re.compile(r"\s+")


def clean_text(raw: str, max_chars: int = MAX_ANALYSED_CHARS) -> str:
    """Return ``raw`` made safe to analyse: NFKC, no surrogates or control chars, one-spaced."""
    if not raw:
        return ""
    text = raw[: max_chars * 2]
    # Lone surrogates cannot be encoded to UTF-8 (Kiwi and the embedder would raise).
    text = "".join(ch for ch in text if not 0xD800 <= ord(ch) <= 0xDFFF)
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if _is_control(ch) else ch for ch in text)
    text = _WHITESPACE.sub(" ", text).strip()
    return text[:max_chars]


def same_question_key(raw: str) -> str:
    """What two wordings of one question share when they differ only in case, spacing or
    the closing punctuation: "Do you teach online?" and "do you teach online" match."""
    return clean_text(raw).casefold().rstrip(" ?!.。？！~")


def _is_control(ch: str) -> bool:
    category = unicodedata.category(ch)
    # Cc: control characters, Cf: zero-width and bidi formatting, Co/Cn: private/unassigned.
    return category in ("Cc", "Cf", "Co", "Cn")


def count_hangul(text: str) -> int:
    return len(_HANGUL_ANY.findall(text))


def count_latin(text: str) -> int:
    return len(_LATIN_LETTER.findall(text))


def has_hangul(text: str) -> bool:
    return _HANGUL_SYLLABLE.search(text) is not None


def detect_language(text: str, default: Language = "en") -> Language:
    """Guess whether ``text`` is Korean or English.

    A Hangul syllable carries about as much as two or three Latin letters, so Korean
    wins when its syllables outweigh half the Latin letters: "Kubernetes 써보셨어요?"
    is Korean (the grammar is), "Do you like 김치?" is English.
    """
    hangul = count_hangul(text)
    latin = count_latin(text)
    if hangul == 0 and latin == 0:
        return default
    if hangul >= 1 and hangul * 2 >= latin:
        return "ko"
    return "en"


# Irregular forms a suffix stripper gets wrong but visitors use a lot.
_IRREGULAR_STEMS: dict[str, str] = WORDS["english_irregular_stems"]

# Short words and words ending in these letters keep their final "s" (bus, gas, kubernetes).
_KEEP_FINAL_S = ("ss", "us", "is", "os", "ys", "as", "es")


def stem_english(word: str) -> str:
    """A deliberately small suffix stripper; index and query use the same one, so
    consistency matters more than linguistic precision."""
    return _drop_silent_e(_strip_suffix(word.lower()))


def _drop_silent_e(stem: str) -> str:
    """ "relocate" -> "relocat", as "relocating" and "relocated" become; short words,
    function words ("where", "there") and words that would become one ("theme") keep theirs."""
    silent = stem.endswith("e") and not stem.endswith(("ee", "ye", "oe"))
    if silent and len(stem) >= 5 and not {stem, stem[:-1]} & ENGLISH_STOPWORDS:
        return stem[:-1]
    return stem


def _strip_suffix(word: str) -> str:
    if word in _IRREGULAR_STEMS:
        return _IRREGULAR_STEMS[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ing") and len(word) > 5:
        return _undouble(word[:-3])
    if word.endswith("ied") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ed") and len(word) > 4:
        return _undouble(word[:-2])
    if word.endswith("es") and word[:-2].endswith(("sh", "ch", "x", "ss")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(_KEEP_FINAL_S):
        return word[:-1]
    if word.endswith("es") and len(word) > 4 and not word.endswith(("ses", "ues", "yes")):
        return word[:-1]
    return word


def _undouble(stem: str) -> str:
    """ "running" -> "runn" -> "run"; "coded" -> "cod" stays (rare, and consistent)."""
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
        return stem[:-1]
    return stem


# Function words and question fillers that say nothing about what is being asked.
ENGLISH_STOPWORDS = frozenset(WORDS["english_stopwords"])
