"""Text helpers: cleaning, language detection, Latin words, stemming, Korean particles, dates."""

import pytest

from mysite_chatbot.engine.templates import eul, format_date, i_ga, join_list, josa
from mysite_chatbot.engine.text import clean_text, detect_language


def test_clean_text_removes_lone_surrogates_and_controls() -> None:
    raw = "hello\ud800 wor\x00ld\u200b\t\n  again"
    assert clean_text(raw) == "hello wor ld again"


def test_clean_text_normalises_full_width_and_limits_length() -> None:
    assert clean_text("ＡＢＣ　１２３") == "ABC 123"
    assert len(clean_text("가" * 5000)) == 2000


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("어디서 일하세요?", "ko"),
        ("Where do you work?", "en"),
        ("Kubernetes 써보셨어요?", "ko"),
        ("Do you like 김치?", "en"),
        ("Python이랑 Go 중에 뭘 더 잘해요?", "ko"),
        ("🙂🙂", "en"),
        ("", "en"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_detect_language_default_for_text_without_letters() -> None:
    assert detect_language("???", default="ko") == "ko"


def test_other_particles() -> None:
    assert eul("Python") == "Python을"
    assert eul("Go") == "Go를"
    assert i_ga("프로젝트") == "프로젝트가"
    assert josa("책", "은", "는") == "책은"


def test_format_date_in_both_languages() -> None:
    assert format_date("2021-03", "en") == "March 2021"
    assert format_date("2021-03-15", "ko") == "2021년 3월"
    assert format_date("2019", "ko") == "2019년"
    assert format_date("someday", "en") == "someday"


def test_join_list() -> None:
    assert join_list(["Go", "Python", "SQL"], "en") == "Go, Python, and SQL"
    assert join_list(["Go", "Python"], "en") == "Go and Python"
    assert join_list(["Go", "Python"], "ko") == "Go, Python"
