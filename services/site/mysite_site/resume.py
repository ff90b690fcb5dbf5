"""The profile as a JSON Resume (v1.0.0) document: validation and the shape of its sections.

The official schema ships in data/resume-schema-1.0.0.json. It is applied with one change:
unknown fields are kept rather than refused, at the top level too (the official schema closes
the top level), so an owner's extensions survive an import and an export. On top of the schema
the site refuses what it could not show safely or cheaply: links that are not http(s), control
characters, and absurd sizes.
"""

import copy
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal
from urllib.parse import urlsplit

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from mysite_common.errors import ApiError

SCHEMA_URL = "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json"
PHOTO_PATH_PREFIX = "/api/site/photo/"

MAX_STRING_LENGTH = 20_000
MAX_ITEMS = 200
MAX_DEPTH = 8
MAX_REPORTED_ERRORS = 20

Resume = dict[str, Any]
FieldKind = Literal["text", "markdown", "lines", "date", "url", "email"]


@dataclass(frozen=True)
class FieldSpec:
    key: str
    kind: FieldKind = "text"


@dataclass(frozen=True)
class SectionSpec:
    """One list section of JSON Resume: how the admin edits it and the page shows it."""

    key: str
    title_field: str
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)


def _fields(*specs: str) -> tuple[FieldSpec, ...]:
    """'name', 'summary:markdown', 'highlights:lines' ..."""
    result = []
    for spec in specs:
        key, _, kind = spec.partition(":")
        result.append(FieldSpec(key, kind or "text"))  # type: ignore[arg-type]
    return tuple(result)


BASICS_FIELDS = _fields("name", "label", "email:email", "phone", "url:url", "summary:markdown")
LOCATION_FIELDS = _fields("address", "postalCode", "city", "region", "countryCode")
PROFILE_FIELDS = _fields("network", "username", "url:url")

# In the order the home page shows them.
SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "work",
        "name",
        _fields(
            "name",
            "position",
            "location",
            "description",
            "url:url",
            "startDate:date",
            "endDate:date",
            "summary:markdown",
            "highlights:lines",
        ),
    ),
    SectionSpec(
        "projects",
        "name",
        _fields(
            "name",
            "description:markdown",
            "url:url",
            "startDate:date",
            "endDate:date",
            "roles:lines",
            "entity",
            "type",
            "highlights:lines",
            "keywords:lines",
        ),
    ),
    SectionSpec("skills", "name", _fields("name", "level", "keywords:lines")),
    SectionSpec(
        "education",
        "institution",
        _fields(
            "institution",
            "area",
            "studyType",
            "url:url",
            "startDate:date",
            "endDate:date",
            "score",
            "courses:lines",
        ),
    ),
    SectionSpec(
        "volunteer",
        "organization",
        _fields(
            "organization",
            "position",
            "url:url",
            "startDate:date",
            "endDate:date",
            "summary:markdown",
            "highlights:lines",
        ),
    ),
    SectionSpec("awards", "title", _fields("title", "awarder", "date:date", "summary:markdown")),
    SectionSpec("certificates", "name", _fields("name", "issuer", "date:date", "url:url")),
    SectionSpec(
        "publications",
        "name",
        _fields("name", "publisher", "releaseDate:date", "url:url", "summary:markdown"),
    ),
    SectionSpec("languages", "language", _fields("language", "fluency")),
    SectionSpec("interests", "name", _fields("name", "keywords:lines")),
    SectionSpec("references", "name", _fields("name", "reference:markdown")),
)
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}


@cache
def official_schema() -> dict[str, Any]:
    text = (
        resources.files("mysite_site")
        .joinpath("data/resume-schema-1.0.0.json")
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


def _open_every_object(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                True
                if key == "additionalProperties" and value is False
                else _open_every_object(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_open_every_object(item) for item in node]
    return node


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_web_url(value: str) -> bool:
    """An absolute http(s) link: the only kind the site writes into an href."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _check_email(value: object) -> bool:
    return not isinstance(value, str) or value == "" or bool(_EMAIL.match(value))


def _check_uri(value: object) -> bool:
    return not isinstance(value, str) or value == "" or is_web_url(value)


@cache
def _validator() -> Draft7Validator:
    checker = FormatChecker(formats=())
    checker.checks("email")(_check_email)
    checker.checks("uri")(_check_uri)
    schema = _open_every_object(copy.deepcopy(official_schema()))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=checker)


def _path(parts: Any) -> str:
    return ".".join(str(part) for part in parts) or "resume"


def _describe(error: ValidationError) -> str:
    if error.validator == "type":
        expected = error.validator_value
        names = {"string": "text", "array": "a list", "object": "an object"}
        if isinstance(expected, str):
            return f"must be {names.get(expected, expected)}"
        return "has the wrong type"
    if error.validator == "pattern":
        return "must be a date like 2024, 2024-05 or 2024-05-31"
    if error.validator == "format" and error.validator_value == "email":
        return "must be an email address like name@example.com"
    if error.validator == "format" and error.validator_value == "uri":
        return "must be a full web address starting with https:// or http://"
    return "is not valid here"


def _limits_problems(node: Any, path: tuple[Any, ...], depth: int) -> dict[str, str]:
    """Sizes and characters the schema does not bound."""
    problems: dict[str, str] = {}
    if depth > MAX_DEPTH:
        return {_path(path): f"is nested more than {MAX_DEPTH} levels deep"}
    if isinstance(node, str):
        if len(node) > MAX_STRING_LENGTH:
            problems[_path(path)] = f"is longer than {MAX_STRING_LENGTH} characters"
        elif any(
            unicodedata.category(character) == "Cc" and character not in "\n\r\t"
            for character in node
        ):
            problems[_path(path)] = "contains control characters"
    elif isinstance(node, list):
        if len(node) > MAX_ITEMS:
            problems[_path(path)] = f"has more than {MAX_ITEMS} items"
        else:
            for index, item in enumerate(node):
                problems.update(_limits_problems(item, (*path, index), depth + 1))
    elif isinstance(node, dict):
        if len(node) > MAX_ITEMS:
            problems[_path(path)] = f"has more than {MAX_ITEMS} fields"
        else:
            for key, value in node.items():
                if len(key) > 200:
                    problems[_path(path)] = "has a field name longer than 200 characters"
                    continue
                problems.update(_limits_problems(value, (*path, key), depth + 1))
    return problems


def _image_problem(resume: Resume) -> dict[str, str]:
    basics = resume.get("basics")
    image = basics.get("image") if isinstance(basics, dict) else None
    if not isinstance(image, str) or image == "":
        return {}
    if is_web_url(image) or is_own_photo(image):
        return {}
    return {"basics.image": "must be a full web address or a photo uploaded here"}


def is_own_photo(url: str) -> bool:
    return url.startswith(PHOTO_PATH_PREFIX) and bool(
        re.fullmatch(r"[0-9a-f]{64}", url[len(PHOTO_PATH_PREFIX) :])
    )


def validate_resume(document: Any) -> Resume:
    """Returns the document unchanged if it is a valid resume; otherwise a 422 that names
    each offending field (path like work.0.startDate) and stores nothing."""
    if not isinstance(document, dict):
        raise ApiError(
            422,
            "invalid_resume",
            "A profile must be a JSON Resume document: a JSON object with basics, work, ...",
        )
    problems = _limits_problems(document, (), 0)
    if not problems:
        for error in sorted(_validator().iter_errors(document), key=lambda e: list(e.path)):
            problems.setdefault(_path(error.absolute_path), _describe(error))
            if len(problems) >= MAX_REPORTED_ERRORS:
                break
        problems.update(_image_problem(document))
    if problems:
        listed = "; ".join(f"{path} {message}" for path, message in list(problems.items())[:5])
        more = "" if len(problems) <= 5 else f" (and {len(problems) - 5} more)"
        raise ApiError(
            422,
            "invalid_resume",
            f"The profile was not saved: {listed}{more}.",
            fields=problems,
        )
    return document


def parse_resume_json(text: str | bytes) -> Resume:
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(422, "invalid_json", "The profile is not valid JSON.") from exc
    return validate_resume(document)


def dump_resume(resume: Resume) -> str:
    return json.dumps(resume, ensure_ascii=False, separators=(",", ":"))


def empty_resume() -> Resume:
    return {"$schema": SCHEMA_URL, "basics": {"name": ""}}
