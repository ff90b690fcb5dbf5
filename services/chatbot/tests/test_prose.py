"""The owner's own words in answers: Markdown read as plain text, and a text written in
both languages cut to the visitor's half (the engine's side is in test_engine.py)."""

import pytest

from mysite_chatbot.engine.prose import language_halves, plain_text, read_markdown


def always(_first: str, _second: str) -> bool:
    return True


def never(_first: str, _second: str) -> bool:
    return False


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("I am a **software engineer**.", "I am a software engineer."),
        ("*Small* and ~~big~~ `code`.", "Small and big code."),
        ("See [my blog](https://blog.example.com).", "See my blog (https://blog.example.com)."),
        ("[https://example.com](https://example.com)", "https://example.com"),
        ("[me@example.com](mailto:me@example.com)", "me@example.com"),
        ("First paragraph.\n\nSecond paragraph.", "First paragraph.\nSecond paragraph."),
        ("Likes:\n\n- coffee\n- running", "Likes:\ncoffee\nrunning"),
        ("## Now\nBuilding things", "Now\nBuilding things"),
        ("<b>raw html</b> is text", "<b>raw html</b> is text"),
    ],
)
def test_markdown_is_read_as_the_text_a_reader_sees(markdown: str, text: str) -> None:
    assert plain_text(markdown) == text


@pytest.mark.parametrize(
    "text",
    [
        "C++ & Go, 3 * 4 = 12, snake_case_names and 100% uptime.",
        "안녕하세요! 웹 서비스를 만듭니다.",
        "Seoul · 서울 (2019 – 2022)",
        "https://github.com/minji-example/mysite",
    ],
)
def test_text_without_markdown_stays_as_written(text: str) -> None:
    assert plain_text(text) == text


def test_only_the_markdown_fields_are_read_as_markdown() -> None:
    profile = {
        "basics": {"name": "**Kim**", "summary": "**Hi**"},
        "work": [
            {"name": "_Acme_", "summary": "[Acme](https://acme.example)", "highlights": ["*x*"]}
        ],
        "references": [{"name": "Lee", "reference": "*Great* to work with"}],
    }
    assert read_markdown(profile) == {
        "basics": {"name": "**Kim**", "summary": "Hi"},
        "work": [
            {"name": "_Acme_", "summary": "Acme (https://acme.example)", "highlights": ["*x*"]}
        ],
        "references": [{"name": "Lee", "reference": "Great to work with"}],
    }


def test_a_text_and_its_translation_are_two_halves() -> None:
    english_first = (
        "Builds the billing API. Used by 20,000 teams. 과금 API를 만듭니다. 2만 개 팀이 씁니다."
    )
    assert language_halves(english_first, always) == {
        "en": "Builds the billing API. Used by 20,000 teams.",
        "ko": "과금 API를 만듭니다. 2만 개 팀이 씁니다.",
    }
    # An emoji ends a sentence and stays with it.
    korean_first = "안녕하세요! 좋은 커피를 좋아합니다 ☕ Hi! I like good coffee."
    assert language_halves(korean_first, always) == {
        "ko": "안녕하세요! 좋은 커피를 좋아합니다 ☕",
        "en": "Hi! I like good coffee.",
    }


def test_each_sentence_must_say_what_its_counterpart_says() -> None:
    pairs: list[tuple[str, str]] = []

    def only_the_first_pair(first: str, second: str) -> bool:
        pairs.append((first, second))
        return len(pairs) == 1

    text = "과금 API를 만듭니다. 주말에는 피아노를 칩니다. Builds the billing API. Runs a team."
    assert language_halves(text, only_the_first_pair) is None
    assert pairs == [
        ("과금 API를 만듭니다.", "Builds the billing API."),
        ("주말에는 피아노를 칩니다.", "Runs a team."),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Builds the billing API. Used by 20,000 teams.",  # one language
        "Example Cloud (예시 클라우드)",  # one sentence naming both
        "Builds the API. 과금 API를 만듭니다. Cut costs.",  # three blocks: not a pair
        # A Korean introduction, then an English line that adds a fact: not a translation.
        "세무사입니다. 인천에서 일합니다. I also help foreign residents with their taxes.",
        "",
    ],
)
def test_anything_else_is_not_split(text: str) -> None:
    assert language_halves(text, always) is None


def test_halves_that_do_not_mean_the_same_are_not_split() -> None:
    assert language_halves("Builds the billing API. 주말에는 피아노를 칩니다.", never) is None
