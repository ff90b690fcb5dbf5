"""Text helpers: cleaning, language detection, Latin words, stemming, Korean particles, dates."""

import pytest

from mysite_chatbot.engine.templates import eul, euro, format_date, i_ga, join_list, josa
from mysite_chatbot.engine.text import clean_text, detect_language, stem_english


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


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("languages", "languag"),
        ("language", "languag"),
        ("relocating", "relocat"),
        ("relocate", "relocat"),
        ("there", "there"),
        ("studied", "study"),
        ("working", "work"),
        ("worked", "work"),
        ("hobbies", "hobby"),
        ("kubernetes", "kubernetes"),
        ("bus", "bus"),
        ("built", "build"),
        ("running", "run"),
        # Words whose stripped form would be a stopword ("even", "them", "found"), and so
        # dropped from every question and entry, keep a stem of their own.
        ("evening", "evening"),
        ("evenings", "evening"),
        ("theme", "theme"),
        ("themed", "theme"),
        ("founded", "founded"),
        ("goods", "goods"),
    ],
)
def test_stem_english(word: str, stem: str) -> None:
    assert stem_english(word) == stem


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("서울", "서울로"),  # ㄹ final: 로
        ("팀", "팀으로"),
        ("회사", "회사로"),
        ("Engineer", "Engineer로"),
        ("Slack", "Slack으로"),
        ("2021", "2021로"),  # 일: ㄹ
        ("2023", "2023으로"),  # 삼: ㅁ
    ],
)
def test_euro_particle(word: str, expected: str) -> None:
    assert euro(word) == expected


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
