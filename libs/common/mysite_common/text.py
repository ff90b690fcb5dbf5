"""The one cleaner for text people write (display names, guestbook entries, messages), so
every service shows and stores it the same way (issue 12's "one text cleaner").

- NFC: Korean typed as separate jamo becomes syllables; the same text compares equal.
- Line ends: Windows' and old Mac's become "\\n".
- Bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) are removed: they
  make text display in an order other than the one it is stored in ("Trojan Source"), so a
  name or an entry could look like something it is not. Ordinary right-to-left text needs
  none of them.
- Leading and trailing white space is trimmed.

Length and what a field may contain (control characters, say) stay each caller's rules,
except a visitor's question, bounded the same everywhere (MAX_QUESTION_CHARS).
"""

import unicodedata

# The longest question a visitor may ask the chatbot: longer ones are refused with a 422,
# the site's question fields stop there, and an FAQ question may be as long (so every
# unanswered question can become an FAQ entry). The engine reads no more of a question.
MAX_QUESTION_CHARS = 500

BIDI_CONTROLS = frozenset(chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_REMOVE_BIDI = str.maketrans(dict.fromkeys(BIDI_CONTROLS))


def clean_text(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    return text.translate(_REMOVE_BIDI).strip()
