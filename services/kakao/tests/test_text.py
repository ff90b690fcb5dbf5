"""The KakaoTalk text: at most 200 characters, cut between whole characters."""

import json
import unicodedata

import pytest

from mysite_kakao.text import (
    KAKAO_TEXT_LIMIT,
    cut_to_fit,
    message_text,
    text_template,
    utf16_length,
)


def test_short_text_is_left_alone() -> None:
    assert cut_to_fit("안녕하세요", 10) == "안녕하세요"
    assert cut_to_fit("x" * 10, 10) == "x" * 10


@pytest.mark.parametrize(
    "grapheme",
    [
        "가",
        "🙂",  # outside the BMP: 2 UTF-16 units
        "👍🏽",  # with a skin tone
        "👨‍👩‍👧‍👦",  # ZWJ family, 11 units
        "🇰🇷",  # a flag: two regional indicators
        "e\u0301",  # e + combining acute
        "\u1100\u1161\u11a8",  # a Hangul syllable typed as jamo
    ],
)
def test_cutting_never_splits_a_character(grapheme: str) -> None:
    text = grapheme * 100
    for limit in range(5, 60):
        cut = cut_to_fit(text, limit)
        assert utf16_length(cut) <= limit
        assert cut.endswith("…")
        body = cut.removesuffix("…")
        assert body == grapheme * (len(body) // len(grapheme))


def test_message_text_fits_and_names_the_sender() -> None:
    long_name = "이름" * 40
    text = message_text(sender_display_name=long_name, sender_username="visitor", text="가" * 500)
    assert utf16_length(text) <= KAKAO_TEXT_LIMIT
    first_line, body = text.split("\n", 1)
    assert "@visitor" in first_line
    assert "…" in first_line  # the long name was shortened too
    assert body.startswith("가")


def test_text_is_normalised_to_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "한국어")
    text = message_text(sender_display_name="a", sender_username="a", text=decomposed)
    assert text.endswith("한국어")


def test_template_is_a_text_template_with_the_read_link() -> None:
    template = json.loads(
        text_template(
            sender_display_name="Visitor",
            sender_username="visitor",
            text="hi",
            read_url="https://example.test/admin/messages/7",
            button_title="Read",
        )
    )
    assert template == {
        "object_type": "text",
        "text": "✉️ Visitor (@visitor)\nhi",
        "link": {
            "web_url": "https://example.test/admin/messages/7",
            "mobile_web_url": "https://example.test/admin/messages/7",
        },
        "button_title": "Read",
    }


def test_bidi_overrides_are_removed_from_names_and_text() -> None:
    text = message_text(
        sender_display_name="\u202eowner\u202c", sender_username="a", text="pay \u2066me\u2069"
    )
    assert "\u202e" not in text
    assert "\u2066" not in text
    assert text.endswith("pay me")
