"""The KakaoTalk text template of a message, cut to Kakao's 200-character limit."""

import json

import regex

from mysite_common.text import clean_text

# Kakao's documented limit for a text template. Its servers are Java, which counts UTF-16
# code units (an emoji outside the BMP is 2), so that is what is counted: it is never more
# than the number of code points, so the text fits either way.
KAKAO_TEXT_LIMIT = 200
ELLIPSIS = "…"
_GRAPHEME = regex.compile(r"\X")
_SENDER_NAME_LIMIT = 30


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def cut_to_fit(text: str, limit: int, *, marker: str = ELLIPSIS) -> str:
    """`text` if it fits in `limit` UTF-16 units; otherwise its longest prefix of whole
    characters (grapheme clusters: a Hangul syllable from jamo, an emoji with its skin tone
    or ZWJ family, a flag) followed by `marker`, all within `limit`."""
    if utf16_length(text) <= limit:
        return text
    budget = limit - utf16_length(marker)
    kept: list[str] = []
    used = 0
    for match in _GRAPHEME.finditer(text):
        grapheme = match.group()
        size = utf16_length(grapheme)
        if used + size > budget:
            break
        kept.append(grapheme)
        used += size
    return "".join(kept).rstrip() + marker


def normalize_text(text: str) -> str:
    """The shared cleaner: NFC, tidy line ends, no bidi overrides (mysite_common.text)."""
    return clean_text(text)


def message_text(*, sender_display_name: str, sender_username: str, text: str) -> str:
    name = cut_to_fit(normalize_text(sender_display_name) or sender_username, _SENDER_NAME_LIMIT)
    header = f"✉️ {name} (@{sender_username})\n"
    body_budget = KAKAO_TEXT_LIMIT - utf16_length(header)
    return header + cut_to_fit(normalize_text(text), body_budget)


def text_template(
    *,
    sender_display_name: str,
    sender_username: str,
    text: str,
    read_url: str,
    button_title: str,
) -> str:
    """The `template_object` form value: a JSON text template (kakao-api.md section 3)."""
    template: dict[str, object] = {
        "object_type": "text",
        "text": message_text(
            sender_display_name=sender_display_name, sender_username=sender_username, text=text
        ),
        "link": {"web_url": read_url, "mobile_web_url": read_url} if read_url else {},
    }
    if read_url:
        template["button_title"] = button_title
    return json.dumps(template, ensure_ascii=False, separators=(",", ":"))


def notification_template(*, text: str, read_url: str, button_title: str) -> str:
    """The `template_object` of a notification: its text as composed, cut to fit."""
    template: dict[str, object] = {
        "object_type": "text",
        "text": cut_to_fit(normalize_text(text), KAKAO_TEXT_LIMIT),
        "link": {"web_url": read_url, "mobile_web_url": read_url} if read_url else {},
    }
    if read_url:
        template["button_title"] = button_title
    return json.dumps(template, ensure_ascii=False, separators=(",", ":"))
