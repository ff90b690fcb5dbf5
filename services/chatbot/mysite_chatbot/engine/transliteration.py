"""Match names written in Hangul against the same names written in Latin letters.

Korean visitors write the owner's English-spelled names in Hangul: "달빛게임즈" for
Dalbit Games, "한빛페이" for Hanbit Pay, "고퍼콘" for GopherCon, "토론토" for Toronto.
No vocabulary can list every company or school, but both spellings sound alike, so
both are reduced to a consonant skeleton (vowels dropped, consonants grouped the way
Korean borrows them: b/p/f/v are all ㅂ/ㅍ, s/z/j/ch are ㅅ/ㅈ/ㅊ, an r before a
consonant is silent) and compared. Only for Hangul words the index does not know, and
only against names (title-like fields), so ordinary words are never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# One letter per jamo, in Unicode order: the 19 initial consonants (ㅇ is silent, "_")
# and the 27 final ones (ㅇ is "N", as in "ng"; a final ㅊ sounds "t", as in 빛/bit).
_INITIALS = "kknttlmppss_sssktph"
_FINALS = "kkknnntlkmpllllmppttNttktpt"
_MEDIAL_COUNT = 21
_FINAL_COUNT = 28
_VOWELS = frozenset("aeiouy")
_LATIN_NAME = re.compile(r"^[a-z][a-z]{3,}$")
# Fewer consonants than this say too little: "여친" (yeochin) would be "senior".
MIN_SKELETON = 3


def hangul_skeleton(word: str) -> str:
    """Consonant skeleton of a Hangul word: "달빛게임즈" -> "tlptkms"."""
    parts: list[str] = []
    for char in word:
        code = ord(char) - 0xAC00
        if not 0 <= code < 11172:
            return ""
        initial = _INITIALS[code // (_MEDIAL_COUNT * _FINAL_COUNT)]
        final_index = code % _FINAL_COUNT
        final = _FINALS[final_index - 1] if final_index else ""
        parts.append(("" if initial == "_" else initial) + final)
    return _collapse("".join(parts))


def latin_skeleton(word: str) -> str:
    """Consonant skeleton of a Latin-letter word as Korean would borrow it:
    "gophercon" -> "kpkn", "sungkyunkwan" -> "sNknkn", "toronto" -> "tlnt"."""
    text = word.lower()
    out: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        following = text[position + 1] if position + 1 < len(text) else ""
        pair = char + following
        if pair in ("ph", "ch", "sh", "th", "ck", "ng", "dj"):
            after = text[position + 2] if position + 2 < len(text) else ""
            if pair == "ng":
                out.append("Nk" if after in _VOWELS and after else "N")
            else:
                out.append({"ph": "p", "ch": "s", "sh": "s", "th": "s", "ck": "k", "dj": "s"}[pair])
            position += 2
            continue
        if char in _VOWELS or char == "w":
            pass
        elif char in "bpfv":
            out.append("p")
        elif char in "kgq":
            out.append("k")
        elif char == "c":
            out.append("s" if following in ("e", "i", "y") else "k")
        elif char in "szj":
            out.append("s")
        elif char in "dt":
            out.append("t")
        elif char == "x":
            out.append("ks")
        elif char == "r":
            # Non-rhotic borrowing: "gopher" is 고퍼, but "toronto" is 토론토.
            if following in _VOWELS and following:
                out.append("l")
        elif char == "h":
            if following in _VOWELS and following:
                out.append("h")
        elif char in "lmn":
            out.append(char)
        position += 1
    return _collapse("".join(out))


def _collapse(skeleton: str) -> str:
    """Doubled consonants sound once ("kakao" and "카카오" both give "k")."""
    collapsed: list[str] = []
    for char in skeleton:
        if not collapsed or collapsed[-1] != char:
            collapsed.append(char)
    return "".join(collapsed)


class NameMatcher:
    """Finds the Latin-spelled names an unknown Hangul word may stand for."""

    def __init__(self, latin_names: Iterable[str]) -> None:
        self._by_skeleton: dict[str, set[str]] = {}
        for name in latin_names:
            if _LATIN_NAME.match(name):
                skeleton = latin_skeleton(name)
                if len(skeleton) >= 2:
                    self._by_skeleton.setdefault(skeleton, set()).add(name)
        self._lengths = sorted({len(key) for key in self._by_skeleton}, reverse=True)

    def match(self, hangul_word: str) -> list[str]:
        """Names spelled out, left to right, by ``hangul_word`` ("달빛게임즈" ->
        ["dalbit", "game"]); empty unless the first name has 3 consonants or more."""
        skeleton = hangul_skeleton(hangul_word)
        if len(hangul_word) < 2 or len(skeleton) < MIN_SKELETON:
            return []
        names: list[str] = []
        rest = skeleton
        while rest:
            found = self._longest_prefix(rest, first=not names)
            if found is None:
                break
            matched_skeleton, candidates = found
            names.append(min(candidates))
            rest = rest[len(matched_skeleton) :]
        return names

    def _longest_prefix(self, skeleton: str, first: bool) -> tuple[str, set[str]] | None:
        for length in self._lengths:
            if length > len(skeleton):
                continue
            prefix = skeleton[:length]
            if first and length < MIN_SKELETON:
                return None
            candidates = self._by_skeleton.get(prefix)
            if candidates:
                return prefix, candidates
        return None


__all__ = ["NameMatcher", "hangul_skeleton", "latin_skeleton"]
