"""Build answerable entries from a JSON Resume (v1.0.0) document and the owner's FAQ.

One entry per job, project, education item, skill group, language, certificate, award,
publication, volunteer role, interest, contact method, plus the bio, the name/title and
the location; sections with several items also get an overview entry ("work",
"skills"...). What each entry says and what finds it (its answer templates, searchable
fields and concepts with their weights) is data, one part per section in
data/answers.yaml; this module reads the profile's values and decides what is logic
rather than wording (which job is current, first or previous, which project is open
source, which publication is a talk, the order of a location's places). The profile is
untrusted data: any field may be missing, of the wrong type or contain instructions; its
values are only ever quoted into our templates, never followed.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .analysis import CONCEPTS
from .models import Entry, FaqEntry, Source, TextField
from .templates import (
    ANSWERS,
    COUNTRY_NAMES_EN,
    PLACE_NAMES_KO,
    details,
    evaluate,
    quote_other_language,
    render,
    shorten,
)
from .text import DATA_DIR, Language, clean_text, detect_language

# Entry.prior, one feature of the re-ranker, which learns how much it counts: the current
# job ("Where do you work?") and a section's overview (a bare "any certificates?", which
# the overview answers with the whole list) are likelier answers to a vague question.
CURRENT_JOB_PRIOR = 0.05
OVERVIEW_PRIOR = 0.02

# Each section's part of the data file: its label, the values its items are read for,
# and the templates, fields and concepts of its item and overview entries.
SECTIONS: dict[str, dict[str, Any]] = ANSWERS["sections"]
# The sections whose every item becomes an entry the same way, in the order they are built.
_LIST_SECTIONS = (
    "education",
    "skills",
    "projects",
    "languages",
    "certificates",
    "awards",
    "publications",
    "volunteer",
    "interests",
    "references",
)
# Kinds of network ("code", "chat", "blog") -> the starts of their names.
_NETWORKS: dict[str, tuple[str, ...]] = {
    kind: tuple(names) for kind, names in ANSWERS["networks"].items()
}
_TALK_WORDS: tuple[str, ...] = tuple(ANSWERS["talk_words"])
_OPEN_SOURCE_WORDS: tuple[str, ...] = tuple(ANSWERS["open_source_words"])


def _is_open_source(project: Mapping[str, Any]) -> bool:
    """A project whose link is a public code host, or that says it is open source."""
    on_code_host = any(f"{host}." in project["url"].lower() for host in _NETWORKS["code"])
    text = " ".join([project["description"], *project["keywords"]]).lower()
    return on_code_host or any(word in text for word in _OPEN_SOURCE_WORDS)


def _is_talk(publication: Mapping[str, Any]) -> bool:
    """A talk given, listed as a publication."""
    text = f"{publication['name']} {publication['publisher']} {publication['summary']}".lower()
    return any(word in text for word in _TALK_WORDS)


def _text(value: Any) -> str:
    """A profile value as clean one-line text; numbers are fine, containers are not."""
    if isinstance(value, str):
        return clean_text(value, max_chars=5000)
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    return ""


def _texts(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [text for text in (_text(item) for item in value) if text]


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _content_language(*texts: str) -> Language | None:
    joined = " ".join(text for text in texts if text)
    if not joined.strip():
        return None
    return detect_language(joined)


# Questions a visitor might ask about each kind of entry, in both languages (data file):
# embedded with the entry, they let a question meet it across languages.
ENTRY_QUESTIONS: dict[str, list[str]] = {
    key: value
    for key, value in json.loads(
        (DATA_DIR / "entry_questions.json").read_text(encoding="utf-8")
    ).items()
    if not key.startswith("_")
}


def entry_questions(source: Source, current: bool = False) -> list[str]:
    """The data file's questions for ``source``'s kind of entry, with its title filled in:
    a current item's own where the file has them ("Where do you work?" for the job the
    owner holds, "Where did you work before?" for the others)."""
    if source.field is not None:
        kind = f"{source.section}.{source.field}"
    else:
        kind = (source.section or "") + ("" if source.index is not None else "+")
    if current and f"{kind}:current" in ENTRY_QUESTIONS:
        kind = f"{kind}:current"
    return [template.replace("{title}", source.title) for template in ENTRY_QUESTIONS.get(kind, [])]


def _descriptor(source: Source, fields: Sequence[TextField]) -> str:
    """A short "Section: title. key fields" line: what the entry is about, for the embedder.

    Each section is introduced in both languages, so a question in either language meets
    the entry ("Award / 수상: Engineer of the Year")."""
    label = SECTIONS[source.section or ""]["label"]
    key_fields = [text_field.text for text_field in fields if text_field.weight >= 1.5][:4]
    return shorten(f"{label}: {source.title}. " + " ".join(key_fields), 300)


@dataclass(frozen=True)
class _Made:
    """What one entry says and what finds it, before it becomes an ``Entry``."""

    title: str
    answer_en: str
    answer_ko: str
    fields: list[tuple[str, float]]
    concepts: list[tuple[str, float]]
    items: list[str]
    # None: embedded by its answers.
    embedding_texts: tuple[str, ...] | None


def _make(spec: Mapping[str, Any], values: Mapping[str, Any]) -> _Made:
    """An entry from its part of the data file (see data/answers.yaml) and ``values``."""
    fields: list[tuple[str, float]] = []
    for expression, weight in spec["fields"]:
        found = evaluate(expression, values)
        fields += [(text, weight) for text in (found if isinstance(found, list) else [found])]
    concepts: list[tuple[str, float]] = []
    for concept, weight in spec.get("concepts", []):
        value = evaluate(weight, values) if isinstance(weight, str) else weight
        if value is not None:
            concepts.append((concept, float(value)))
    embedding = spec.get("embedding")
    return _Made(
        title=render(spec["title"], values),
        answer_en=render(spec["answer_en"], values),
        answer_ko=render(spec["answer_ko"], values),
        fields=fields,
        concepts=concepts,
        items=evaluate(spec["items"], values) if "items" in spec else [],
        embedding_texts=None
        if embedding is None
        else tuple(render(template, values) for template in embedding),
    )


class _Builder:
    def __init__(self, today: datetime.date) -> None:
        self.entries: list[Entry] = []
        self.today = today

    def add(
        self,
        source: Source,
        made: _Made,
        content_language: Language | None = None,
        prior: float = 0.0,
        start_date: str = "",
        end_date: str = "",
        current: bool = False,
    ) -> None:
        text_fields = tuple(TextField(text, weight) for text, weight in made.fields if text)
        embedding_texts: Iterable[str] | None = made.embedding_texts
        if embedding_texts is None:
            embedding_texts = (
                (made.answer_en, made.answer_ko)
                if made.answer_en != made.answer_ko
                else (made.answer_en,)
            )
        if source.type == "profile":
            embedding_texts = (_descriptor(source, text_fields), *embedding_texts)
        questions = entry_questions(source, current) if source.type == "profile" else []
        if source.type == "faq" and source.title:
            questions = [source.title]
        self.entries.append(
            Entry(
                source=source,
                answer_en=made.answer_en.strip(),
                answer_ko=made.answer_ko.strip(),
                fields=text_fields,
                concepts=tuple(made.concepts),
                embedding_texts=tuple(shorten(text, 400) for text in embedding_texts if text),
                content_language=content_language,
                items=tuple(made.items),
                prior=prior,
                start_date=start_date,
                end_date=end_date,
                current=current,
                question_texts=tuple(shorten(text, 400) for text in questions),
            )
        )


def build_entries(
    profile: Mapping[str, Any] | None,
    faqs: Sequence[FaqEntry] = (),
    today: datetime.date | None = None,
) -> list[Entry]:
    """All entries for ``profile`` and ``faqs``; never raises on malformed input."""
    builder = _Builder(today or datetime.date.today())
    profile = _mapping(profile)
    _add_basics(builder, _mapping(profile.get("basics")))
    _add_work(builder, _dicts(profile.get("work")))
    for section in _LIST_SECTIONS:
        _add_list_section(builder, section, _dicts(profile.get(section)))
    for faq in faqs:
        _add_faq(builder, faq)
    return builder.entries


def _item_values(section: str, item: Mapping[str, Any], index: int) -> dict[str, Any]:
    """The values a section's templates read from one item, and what logic adds to them."""
    spec = SECTIONS[section]
    values: dict[str, Any] = {name: _text(item.get(name)) for name in spec["texts"]}
    values.update({name: _texts(item.get(name)) for name in spec["lists"]})
    values["index"] = index
    if section == "work":
        values["company"] = values["name"] or values["company"]
        values["current"] = not values["endDate"]
    elif section == "projects":
        values["is_open_source"] = _is_open_source(values)
    elif section == "publications":
        values["is_talk"] = _is_talk(values)
    return values


def _add_overview(
    builder: _Builder,
    section: str,
    items: Sequence[Mapping[str, Any]],
    values: Mapping[str, Any],
    prior: float = 0.0,
) -> None:
    """The section's overview entry: one line per item in each language, and ``values``."""
    spec = SECTIONS[section]["overview"]
    made = _make(
        spec,
        {
            **values,
            "items": items,
            "lines_en": [render(spec["line_en"], item) for item in items],
            "lines_ko": [render(spec["line_ko"], item) for item in items],
        },
    )
    builder.add(Source("profile", made.title, section=section), made, prior=prior)


# --------------------------------------------------------------------------- basics


def _add_basics(builder: _Builder, basics: Mapping[str, Any]) -> None:
    specs = SECTIONS["basics"]["entries"]
    values: dict[str, Any] = {
        name: _text(basics.get(name))
        for name in ("name", "label", "summary", "email", "phone", "url")
    }
    written_in = detect_language(values["summary"])
    values["written_in"] = written_in

    def add(field: str, content_language: Language | None = None) -> None:
        made = _make(specs[field], values)
        source = Source("profile", made.title, section="basics", field=field)
        builder.add(source, made, content_language=content_language)

    if values["name"] or values["label"]:
        add("name", _content_language(values["label"]))
    if values["summary"]:
        add("summary", written_in)
    for field in ("email", "phone", "url"):
        if values[field]:
            add(field)
    _add_location(builder, _mapping(basics.get("location")))
    profiles = [
        _item_values("profiles", profile, index)
        for index, profile in enumerate(_dicts(basics.get("profiles")))
    ]
    for profile in profiles:
        if evaluate(SECTIONS["profiles"]["when"], profile):
            _add_social_profile(builder, profile)
    _add_contact_overview(builder, values["email"], values["phone"], profiles)


def _add_location(builder: _Builder, location: Mapping[str, Any]) -> None:
    city = _text(location.get("city"))
    region = _text(location.get("region"))
    country_code = _text(location.get("countryCode")).upper()
    if not (city or region or country_code):
        return
    country_en = COUNTRY_NAMES_EN.get(country_code, country_code)
    places_en = [place for place in [city, region if region != city else "", country_en] if place]
    # Korean names a place from the country down: 대한민국 서울.
    places_ko = [PLACE_NAMES_KO.get(place.lower(), place) for place in places_en]
    country_ko = PLACE_NAMES_KO.get(country_code.lower(), country_code)
    ko_order = [country_ko] + [place for place in reversed(places_ko) if place != country_ko]
    values = {
        "city": city,
        "region": region,
        "country_en": country_en,
        "places_en": places_en,
        "places_ko": list(dict.fromkeys(place for place in ko_order if place)),
    }
    made = _make(SECTIONS["basics"]["entries"]["location"], values)
    builder.add(Source("profile", made.title, section="basics", field="location"), made)


def _add_social_profile(builder: _Builder, profile: Mapping[str, Any]) -> None:
    made = _make(SECTIONS["profiles"]["item"], profile)
    source = Source("profile", made.title, section="profiles", index=profile["index"])
    builder.add(source, replace(made, concepts=_social_profile_concepts(profile)))


def _social_profile_concepts(profile: Mapping[str, Any]) -> list[tuple[str, float]]:
    """What a profile on this kind of network is about (its network names a concept too)."""
    network = profile["network"].lower()
    concepts: list[tuple[str, float]] = [("contact", 0.5), ("social", 0.5)]
    if profile["url"]:
        concepts.append(("website", 0.5))
    if profile["username"]:
        concepts.append(("handle", 1.0))
    if network.startswith(_NETWORKS["code"]):
        concepts += [("programming", 0.5), ("open_source", 0.3)]
    if network.startswith(_NETWORKS["chat"]):
        concepts += [("contact", 1.0)]
    if network in CONCEPTS:
        # "깃헙?" asks for the GitHub profile, not a skill group naming GitHub Actions.
        concepts.append((network, 2.0))
    if network.startswith(_NETWORKS["blog"]):
        # The owner's own blog, which "do you have a blog?" asks for, rather than a
        # company blog that published one of the owner's articles.
        concepts += [("blog", 2.0)]
    return concepts


def _add_contact_overview(
    builder: _Builder, email: str, phone: str, profiles: Sequence[Mapping[str, Any]]
) -> None:
    # The ways to reach the owner: the email (no network), then each named profile.
    channels = [{"network": "", "where": email}] if email else []
    for profile in profiles:
        where = profile["url"] or profile["username"]
        if profile["network"] and where:
            channels.append({"network": profile["network"], "where": where})
    if channels or phone:
        _add_overview(builder, "contact", channels, {"phone": phone})


# --------------------------------------------------------------------------- work


def _add_work(builder: _Builder, raw_jobs: Sequence[Mapping[str, Any]]) -> None:
    jobs = [_item_values("work", job, index) for index, job in enumerate(raw_jobs)]
    if not jobs:
        return
    dated = [job["startDate"] for job in jobs if job["startDate"]]
    earliest = min(dated) if dated else ""
    # "Your previous job" is the one that ended most recently.
    latest_end = max((job["endDate"] for job in jobs if job["endDate"]), default="")
    for job in jobs:
        job["is_first"] = bool(earliest) and job["startDate"] == earliest
        job["is_previous"] = bool(latest_end) and job["endDate"] == latest_end
        _add_job(builder, job)
    if len(jobs) >= 2:
        since_year = earliest[:4] if earliest[:4].isdigit() else ""
        years = builder.today.year - int(since_year) if since_year else 0
        _add_overview(builder, "work", jobs, {"since_year": since_year, "years": years})


def _add_job(builder: _Builder, job: Mapping[str, Any]) -> None:
    made = _make(SECTIONS["work"]["item"], job)
    # The job's own words follow the sentence that places it.
    job_details = details(job["summary"], job["highlights"])
    answer_en, answer_ko = f"{made.answer_en} {job_details}", f"{made.answer_ko} {job_details}"
    builder.add(
        Source("profile", made.title, section="work", index=job["index"]),
        replace(
            made,
            answer_en=answer_en,
            answer_ko=answer_ko,
            embedding_texts=(answer_en, f"{made.answer_ko} {shorten(job['summary'], 200)}"),
        ),
        content_language=_content_language(job["position"], job["summary"], *job["highlights"]),
        prior=CURRENT_JOB_PRIOR if job["current"] else 0.0,
        start_date=job["startDate"],
        end_date=job["endDate"],
        current=job["current"],
    )


# --------------------------------------------------------------------------- list sections


def _add_list_section(
    builder: _Builder, section: str, raw_items: Sequence[Mapping[str, Any]]
) -> None:
    spec = SECTIONS[section]
    items = [_item_values(section, item, index) for index, item in enumerate(raw_items)]
    for values, item in zip(items, raw_items, strict=True):
        if not evaluate(spec["when"], values):
            continue
        made = _make(spec["item"], values)
        builder.add(
            Source("profile", made.title, section=section, index=values["index"]),
            made,
            content_language=_content_language(
                *(text for text, weight in made.fields if weight >= 1.0)
            ),
            # Talks, awards and certificates are dated by when they happened.
            start_date=_text(item.get("startDate"))
            or _text(item.get("releaseDate"))
            or _text(item.get("date")),
            end_date=_text(item.get("endDate")),
        )
    if "overview" in spec and len(items) >= 2:
        _add_overview(builder, section, items, {}, prior=OVERVIEW_PRIOR)


# --------------------------------------------------------------------------- FAQ


def _add_faq(builder: _Builder, faq: FaqEntry) -> None:
    question = _text(faq.question)
    answer = _text(faq.answer)
    if not answer:
        return
    language = detect_language(question + " " + answer)
    quoted = shorten(answer, 1500)
    title = question or answer[:60]
    made = _Made(
        title=title,
        answer_en=quote_other_language(quoted, language, "en"),
        answer_ko=quote_other_language(quoted, language, "ko"),
        fields=[(question, 2.5), (answer, 0.7)],
        concepts=[],
        items=[],
        embedding_texts=tuple(text for text in (question, shorten(answer, 300)) if text),
    )
    builder.add(Source("faq", title, id=faq.id), made, content_language=language)


def answers_from(
    entries: Sequence[Entry], rebuilt: Sequence[Entry], language: Language
) -> list[Entry]:
    """``entries`` answering in ``language`` as ``rebuilt`` does for the same keys (the
    profile each text the owner wrote in both languages cut to its ``language`` half:
    prose.split_languages); what finds an entry stays as it was."""
    by_key = {entry.key: entry for entry in rebuilt}
    answered: list[Entry] = []
    for entry in entries:
        other = by_key.get(entry.key)
        if other is None:
            answered.append(entry)
        elif language == "ko":
            answered.append(replace(entry, answer_ko=other.answer_ko))
        else:
            answered.append(replace(entry, answer_en=other.answer_en))
    return answered


def merge_translations(
    entries: Sequence[Entry], translated: Sequence[Entry], language: Language
) -> list[Entry]:
    """``entries`` with what ``translated`` (built from the owner's translation of the
    profile into ``language``) says about the same keys: it becomes the answer in
    ``language`` (answers_from) and its text is searchable too, so `work:0` in Korean and
    in English is one entry that answers each visitor in their language. Keys only one
    side has stay as they are (a translation adds no entries)."""
    by_key = {entry.key: entry for entry in translated}
    merged: list[Entry] = []
    for entry in answers_from(entries, translated, language):
        other = by_key.get(entry.key)
        if other is None:
            merged.append(entry)
            continue
        merged.append(
            replace(
                entry,
                fields=entry.fields + other.fields,
                embedding_texts=tuple(dict.fromkeys(entry.embedding_texts + other.embedding_texts)),
                question_texts=tuple(dict.fromkeys(entry.question_texts + other.question_texts)),
                # The fact now exists in the visitor's language too.
                content_language=None,
            )
        )
    return merged


def add_taught_questions(
    entries: Sequence[Entry], taught: Mapping[str, Sequence[str]]
) -> list[Entry]:
    """``entries`` with the questions the owner taught each one to answer (entry key ->
    the visitors' wordings, from the question log) added to its own questions, so their
    paraphrases find it too. Keys no entry has any more are left out."""
    return [
        replace(
            entry,
            question_texts=tuple(
                dict.fromkeys(
                    entry.question_texts
                    + tuple(shorten(text, 400) for text in taught.get(entry.key, ()))
                )
            ),
        )
        if entry.key in taught
        else entry
        for entry in entries
    ]
