"""Interface language: the visitor's choice, else Accept-Language; dates in that language."""

import pytest

from mysite_site import i18n


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, "ko-KR,ko;q=0.9,en-US;q=0.8", "ko"),
        (None, "en-US,en;q=0.9,ko;q=0.8", "en"),
        (None, "fr-FR,fr;q=0.9,ko;q=0.5,en;q=0.4", "ko"),
        (None, "en;q=0.2,ko;q=0.9", "ko"),
        (None, "ko;q=0,en", "en"),
        (None, "de", "en"),
        (None, "", "en"),
        (None, "garbage;;;q=abc,,,", "en"),
        ("ko", "en-US", "ko"),
        ("en", "ko-KR", "en"),
        ("xx", "ko-KR", "ko"),
    ],
)
def test_negotiation(cookie: str | None, header: str, expected: str) -> None:
    assert i18n.negotiate(cookie, header, "en") == expected


def test_default_is_configurable() -> None:
    assert i18n.negotiate(None, "de", "ko") == "ko"


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        ("2024", "en", "2024"),
        ("2024", "ko", "2024년"),
        ("2024-03", "en", "Mar 2024"),
        ("2024-03", "ko", "2024년 3월"),
        ("2024-03-09", "en", "Mar 9, 2024"),
        ("2024-03-09", "ko", "2024년 3월 9일"),
        ("2024-13", "en", "2024-13"),
        ("soon", "en", "soon"),
        (None, "en", ""),
    ],
)
def test_dates(value: object, language: i18n.Language, expected: str) -> None:
    assert i18n.format_date(value, language) == expected


def test_periods() -> None:
    assert i18n.format_period("2020-01", None, "en") == "Jan 2020 – Present"
    assert i18n.format_period("2020-01", "2021-02", "ko") == "2020년 1월 – 2021년 2월"
    assert i18n.format_period(None, "2021", "en") == "2021"


def test_every_message_has_both_languages_and_the_same_placeholders() -> None:
    import string

    formatter = string.Formatter()
    for key, (english, korean) in i18n.MESSAGES.items():
        assert english, key
        assert korean, key
        english_names = {name for _, name, _, _ in formatter.parse(english) if name}
        korean_names = {name for _, name, _, _ in formatter.parse(korean) if name}
        assert english_names == korean_names, key


def test_unknown_keys_show_the_key() -> None:
    assert i18n.translate("ko", "no.such.key") == "no.such.key"
