"""Language-neutral text helpers: cleaning, language detection, Latin words, English stems.

Everything here is pure Python and total: any ``str`` (control characters, lone
surrogates, emoji, very long input) goes in, something sensible comes out.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Language = Literal["ko", "en"]

# Visitors' questions are short; anything past this is noise we do not need to analyse
# (the caller already limits length, this only bounds our own work).
MAX_ANALYSED_CHARS = 2000

_HANGUL_SYLLABLE = re.compile(r"[\uac00-\ud7a3]")
_HANGUL_ANY = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_WHITESPACE = re.compile(r"\s+")

# Latin-script words, keeping the punctuation that belongs to tech names:
# "C++", "C#", "Node.js", "Next.js", "HTML/CSS" (split on "/"), "e-mail", "k8s".
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[.\-'][A-Za-z0-9]+)*(?:\+\+|#)?")


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


def _is_control(ch: str) -> bool:
    category = unicodedata.category(ch)
    # Cc: control characters, Cf: zero-width and bidi formatting, Co/Cn: private/unassigned.
    return category in ("Cc", "Cf", "Co", "Cn")


def count_hangul(text: str) -> int:
    return len(_HANGUL_ANY.findall(text))


def has_hangul(text: str) -> bool:
    return _HANGUL_SYLLABLE.search(text) is not None


def detect_language(text: str, default: Language = "en") -> Language:
    """Guess whether ``text`` is Korean or English.

    A Hangul syllable carries about as much as two or three Latin letters, so Korean
    wins when its syllables outweigh half the Latin letters: "Kubernetes 써보셨어요?"
    is Korean (the grammar is), "Do you like 김치?" is English.
    """
    hangul = count_hangul(text)
    latin = len(_LATIN_LETTER.findall(text))
    if hangul == 0 and latin == 0:
        return default
    if hangul >= 1 and hangul * 2 >= latin:
        return "ko"
    return "en"


def latin_words(text: str) -> list[str]:
    """Latin-script words of ``text`` in order, lower-cased ("Node.js" -> "node.js"),
    with English contractions taken off ("what's" -> "what", "don't" -> "do")."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    words = []
    for match in _LATIN_WORD.finditer(text):
        word = _strip_contraction(match.group(0).lower())
        if word:
            words.append(word)
    return words


_CONTRACTION_SUFFIXES = ("n't", "'s", "'re", "'ve", "'ll", "'d", "'m")


def _strip_contraction(word: str) -> str:
    for suffix in _CONTRACTION_SUFFIXES:
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word.strip("'")


# Irregular forms a suffix stripper gets wrong but visitors use a lot.
_IRREGULAR_STEMS = {
    "did": "do",
    "does": "do",
    "done": "do",
    "doing": "do",
    "was": "be",
    "were": "be",
    "been": "be",
    "am": "be",
    "is": "be",
    "are": "be",
    "has": "have",
    "had": "have",
    "having": "have",
    "went": "go",
    "gone": "go",
    "goes": "go",
    "made": "make",
    "built": "build",
    "wrote": "write",
    "written": "write",
    "spoke": "speak",
    "spoken": "speak",
    "taught": "teach",
    "won": "win",
    "got": "get",
    "gotten": "get",
    "studies": "study",
    "studied": "study",
    "given": "give",
    "gave": "give",
    "taken": "take",
    "took": "take",
    "led": "lead",
    "ran": "run",
    "lived": "live",
    "living": "live",
    "lives": "live",
    "children": "child",
    "people": "person",
    "women": "woman",
    "men": "man",
    "better": "good",
    "best": "good",
    # Names that only look plural.
    "kubernetes": "kubernetes",
    "redis": "redis",
    "analytics": "analytics",
    "devops": "devops",
}

# Short words and words ending in these letters keep their final "s" (bus, gas, kubernetes).
_KEEP_FINAL_S = ("ss", "us", "is", "os", "ys", "as", "es")


def stem_english(word: str) -> str:
    """A deliberately small suffix stripper; index and query use the same one, so
    consistency matters more than linguistic precision."""
    return _drop_silent_e(_strip_suffix(word.lower()))


def _drop_silent_e(stem: str) -> str:
    """ "relocate" -> "relocat", as "relocating" and "relocated" become; short words and
    function words ("where", "there") keep theirs."""
    silent = stem.endswith("e") and not stem.endswith(("ee", "ye", "oe"))
    if silent and len(stem) >= 5 and stem not in ENGLISH_STOPWORDS:
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
ENGLISH_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "then",
        "than",
        "so",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "without",
        "into",
        "onto",
        "about",
        "as",
        "up",
        "down",
        "out",
        "over",
        "under",
        "again",
        "further",
        "once",
        "here",
        "there",
        "this",
        "that",
        "these",
        "those",
        "i",
        "me",
        "my",
        "mine",
        "myself",
        "we",
        "us",
        "our",
        "ours",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "she",
        "her",
        "it",
        "its",
        "they",
        "them",
        "their",
        "what",
        "which",
        "whom",
        "whose",
        "why",
        "how",
        "be",
        "do",
        "have",
        "can",
        "could",
        "would",
        "should",
        "shall",
        "will",
        "may",
        "might",
        "must",
        "any",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "too",
        "very",
        "just",
        "also",
        "even",
        "ever",
        "still",
        "yet",
        "really",
        "please",
        "tell",
        "know",
        "let",
        "say",
        "give",
        "show",
        "share",
        "ask",
        "want",
        "wonder",
        "wondering",
        "curious",
        "found",
        "quick",
        "asking",
        "visit",
        "visited",
        "saw",
        "question",
        "see",
        "look",
        "find",
        "check",
        "ca",
        "wo",
        "who",
        "take",
        "hold",
        "personal",
        "consider",
        "mind",
        "usually",
        "typically",
        "generally",
        "actually",
        "exactly",
        "around",
        "there's",
        "what's",
        "where's",
        "who's",
        "how's",
        "it's",
        "that's",
        "i'm",
        "you're",
        "i've",
        "you've",
        "i'd",
        "you'd",
        "hey",
        "hi",
        "hello",
        "ok",
        "okay",
        "oh",
        "um",
        "uh",
        "well",
        "thanks",
        "thank",
        "maybe",
        "like",
        "kind",
        "sort",
        "bit",
        "lot",
        "lots",
        "much",
        "many",
        "get",
        "got",
        "one",
        "thing",
        "things",
        "something",
        "anything",
        "stuff",
        # Chat around the question ("I heard you...", "lol nice site", "so far",
        # "walk me through"): it says how the visitor feels or came here, not what
        # they want to know, and as unknown words it would read as "not answerable".
        "think",
        "heard",
        "hear",
        "guess",
        "mean",
        "sure",
        "love",
        "nice",
        "cool",
        "great",
        "awesome",
        "amazing",
        "lol",
        "lmao",
        "haha",
        "btw",
        "anyway",
        "already",
        "somewhere",
        "anywhere",
        "total",
        "overall",
        "far",
        "walk",
        "put",
        "together",
        "came",
        "across",
        "couple",
        "other",
        "follow",
        "interested",
        "happen",
        "sorry",
        "excuse",
        "briefly",
        # Quantifiers: "in a few sentences", "every day" say how much, not what.
        "few",
        "several",
        "every",
        "each",
        "day",
        "days",
        # "The best way to", "walk me through": how to ask, not what.
        "way",
        "ways",
        "good",
        "through",
        # Aspect: "have you completed", "right after finishing": when, not what.
        "right",
        "after",
        "complete",
        "completed",
        "finish",
        "finished",
        "finishing",
        "done",
        "detail",
        "details",
    ]
)
