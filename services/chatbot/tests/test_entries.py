"""Entries from the data file's templates (engine/data/answers.yaml): every template
compiles, and a profile's values are only ever quoted into them, never run as templates."""

import datetime
from collections.abc import Iterator
from typing import Any

import jinja2
import pytest

from mysite_chatbot.engine.entries import SECTIONS, build_entries
from mysite_chatbot.engine.templates import evaluate, render

_TEMPLATE_KEYS = ("title", "answer_en", "answer_ko", "line_en", "line_ko")
_EXPRESSION_KEYS = ("when", "items")


def _parts(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping of the sections' data: a section, an entry kind, an overview."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _parts(value)


def test_every_template_and_expression_of_the_data_file_compiles() -> None:
    environment = jinja2.Environment(autoescape=False)  # noqa: S701 - compile check only
    compiled = 0
    for part in _parts(SECTIONS):
        for key in _TEMPLATE_KEYS:
            if isinstance(part.get(key), str):
                environment.parse(part[key])
                compiled += 1
        for template in part.get("embedding", []):
            environment.parse(template)
        for key in _EXPRESSION_KEYS:
            if isinstance(part.get(key), str):
                environment.compile_expression(part[key])
        for expression, _ in part.get("fields", []):
            environment.compile_expression(expression)
        for _, weight in part.get("concepts", []):
            if isinstance(weight, str):
                environment.compile_expression(weight)
    assert compiled > 50


@pytest.mark.parametrize("value", ["{{ 7 * 7 }}", "{% for x in range(9) %}x{% endfor %}", "{#"])
def test_profile_values_that_look_like_templates_are_quoted_as_written(value: str) -> None:
    profile = {
        "basics": {"name": value, "label": value},
        "work": [{"name": value, "position": value, "startDate": "2020-01"}],
        "skills": [{"name": value, "keywords": [value]}],
        "awards": [{"title": value, "awarder": value}],
    }
    entries = {entry.key: entry for entry in build_entries(profile)}
    assert entries["basics.name"].answer_en == f"I'm {value}, {value}."
    assert entries["work:0"].answer_en.startswith(f"I currently work at {value} as {value}")
    assert entries["skills:0"].answer_ko == f"{value}: {value}."
    assert entries["awards:0"].title == value
    assert "49" not in " ".join(entry.full_text for entry in entries.values())


def test_a_missing_value_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render("I work at {{ company }}.", {})
    assert evaluate("0.5 if url", {"url": ""}) is None


def test_a_value_ending_in_another_scripts_digit_takes_a_particle_and_raises_nothing() -> None:
    entries = build_entries({"work": [{"name": "Acme", "position": "Engineer ٣"}]})
    assert entries[0].answer_ko.startswith("현재 Acme에서 Engineer ٣로 일하고 있습니다")


def test_answers_fit_an_owner_outside_software() -> None:
    profile = {
        "basics": {"name": "Minjae Kang", "label": "Organic Farmer"},
        "work": [
            {"name": "Sunny Farm", "position": "Owner", "startDate": "2015-03"},
            {
                "name": "Pulip Foods",
                "position": "Marketer",
                "startDate": "2008-01",
                "endDate": "2014-06",
            },
        ],
        "volunteer": [{"organization": "WWOOF", "startDate": "2014-08", "endDate": "2015-01"}],
        "certificates": [{"name": "유기농업기능사"}],
        "interests": [{"name": "목공"}, {"name": "Birdwatching"}],
    }
    entries = {
        entry.key: entry for entry in build_entries(profile, today=datetime.date(2026, 1, 1))
    }
    assert entries["basics.name"].answer_en == "I'm Minjae Kang, Organic Farmer."
    assert entries["work"].answer_en.endswith("I have been working since 2008 (about 18 years).")
    assert entries["volunteer:0"].answer_en.startswith("I volunteered at WWOOF")
    assert entries["volunteer:0"].answer_ko.startswith("WWOOF에서 봉사했습니다")
    assert entries["certificates:0"].answer_ko.startswith("유기농업기능사를 취득했습니다")
    assert entries["interests"].answer_ko == "일 외에는 목공, Birdwatching을 즐깁니다."


def test_the_current_job_is_asked_about_in_the_present_and_a_past_one_in_the_past() -> None:
    profile = {
        "work": [
            {"name": "Haneul Bakery", "position": "Owner", "startDate": "2020-01"},
            {"name": "Hotel Seoul", "position": "Pastry cook", "endDate": "2019-12"},
        ]
    }
    questions = {entry.key: entry.question_texts for entry in build_entries(profile, ())}
    assert "Where do you work? What is your job?" in questions["work:0"]
    assert "Haneul Bakery에서 무슨 일 하세요?" in questions["work:0"]
    assert "Where did you work before? What was your job?" in questions["work:1"]
    assert not any("Where do you work" in text for text in questions["work:1"])
