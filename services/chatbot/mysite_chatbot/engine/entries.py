"""Build answerable entries from a JSON Resume (v1.0.0) document and the owner's FAQ.

One entry per job, project, education item, skill group, language, certificate, award,
publication, volunteer role, interest, contact method, plus the bio, the name/title and
the location; sections with several items also get an overview entry ("work",
"skills"...). The profile is untrusted data: any field may be missing, of the wrong
type or contain instructions; it is only ever quoted, never followed.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from .analysis import CONCEPTS
from .models import Entry, FaqEntry, Source, TextField
from .templates import (
    COUNTRY_NAMES_EN,
    PLACE_NAMES_KO,
    eul,
    euro,
    format_date,
    join_list,
    quote_other_language,
)
from .text import DATA_DIR, Language, clean_text, detect_language

# Free text longer than this is cut in answers (the full text stays searchable).
MAX_QUOTED_CHARS = 600
MAX_HIGHLIGHTS_IN_ANSWER = 3
# "Where do you work?" means the current job; past-tense questions carry words
# ("before", "이전") that outweigh this easily.
CURRENT_JOB_PRIOR = 0.05
# A bare "any certificates?" ties every item of the section with its overview; the
# overview, which lists them all, is the better answer (smaller than the current-job prior).
OVERVIEW_PRIOR = 0.02

LANGUAGE_NAMES_KO = {
    "korean": "한국어",
    "english": "영어",
    "japanese": "일본어",
    "chinese": "중국어",
    "mandarin": "중국어",
    "spanish": "스페인어",
    "french": "프랑스어",
    "german": "독일어",
    "vietnamese": "베트남어",
}

# Networks whose profile is also where the owner's code and projects live.
_CODE_NETWORKS = ("github", "gitlab", "bitbucket", "codeberg")
_CHAT_NETWORKS = ("kakao", "telegram", "discord", "slack", "line", "whatsapp", "signal")
_BLOG_NETWORKS = ("blog", "velog", "tistory", "medium", "brunch", "substack", "naver", "hashnode")
_TALK_WORDS = (
    "talk",
    "conference",
    "keynote",
    "meetup",
    "presentation",
    "발표",
    "강연",
    "컨퍼런스",
)


def _is_open_source(project: Mapping[str, Any]) -> bool:
    """A project whose link is a public code host, or that says it is open source."""
    url = _text(project.get("url")).lower()
    text = " ".join([_text(project.get("description")), *_texts(project.get("keywords"))])
    on_code_host = any(f"{host}." in url for host in _CODE_NETWORKS)
    return (
        on_code_host
        or "open source" in text.lower()
        or "open-source" in text.lower()
        or ("오픈소스" in text)
    )


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


def _shorten(text: str, limit: int = MAX_QUOTED_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _content_language(*texts: str) -> Language | None:
    joined = " ".join(text for text in texts if text)
    if not joined.strip():
        return None
    return detect_language(joined)


def _sentence(text: str) -> str:
    text = text.strip()
    if text and text[-1] not in '.!?\u3002)"\u201d':
        return text + "."
    return text


def _period(start: str, end: str, language: Language) -> str:
    start_text = format_date(start, language) if start else ""
    end_text = format_date(end, language) if end else "현재" if language == "ko" else "present"
    if not start_text:
        return end_text if end else ""
    return f"{start_text} \u2013 {end_text}"


# How each section is introduced to the embedding model, in both languages, so a
# question in either language meets the entry ("Award / 수상: Engineer of the Year").
_SECTION_LABELS = {
    "basics": "About me / 자기소개",
    "profiles": "Online profile / 온라인 계정",
    "contact": "Contact / 연락처",
    "work": "Work experience, job / 경력, 직장",
    "education": "Education, school / 학력, 학교",
    "skills": "Skills / 기술, 스킬",
    "projects": "Project / 프로젝트",
    "languages": "Spoken language / 구사 언어",
    "certificates": "Certificate, license / 자격증",
    "awards": "Award / 수상",
    "publications": "Publication or talk / 출판, 발표",
    "volunteer": "Volunteering / 봉사 활동",
    "interests": "Hobby and interest / 취미, 관심사",
    "references": "Reference / 추천인",
}


# Questions a visitor might ask about each kind of entry, in both languages (data file):
# embedded with the entry, they let a question meet it across languages.
ENTRY_QUESTIONS: dict[str, list[str]] = {
    key: value
    for key, value in json.loads(
        (DATA_DIR / "entry_questions.json").read_text(encoding="utf-8")
    ).items()
    if not key.startswith("_")
}


def entry_questions(source: Source) -> list[str]:
    """The data file's questions for ``source``'s kind of entry, with its title filled in."""
    if source.field is not None:
        kind = f"{source.section}.{source.field}"
    else:
        kind = (source.section or "") + ("" if source.index is not None else "+")
    return [template.replace("{title}", source.title) for template in ENTRY_QUESTIONS.get(kind, [])]


def _descriptor(source: Source, fields: Sequence[TextField]) -> str:
    """A short "Section: title. key fields" line: what the entry is about, for the embedder."""
    label = _SECTION_LABELS.get(source.section or "", "")
    key_fields = [text_field.text for text_field in fields if text_field.weight >= 1.5][:4]
    return _shorten(f"{label}: {source.title}. " + " ".join(key_fields), 300)


class _Builder:
    def __init__(self, today: datetime.date) -> None:
        self.entries: list[Entry] = []
        self.today = today

    def add(
        self,
        source: Source,
        answer_en: str,
        answer_ko: str,
        fields: Iterable[tuple[str, float]],
        concepts: Iterable[tuple[str, float]] = (),
        content_language: Language | None = None,
        items: Sequence[str] = (),
        embedding_texts: Sequence[str] | None = None,
        prior: float = 0.0,
        start_date: str = "",
        end_date: str = "",
    ) -> None:
        text_fields = tuple(TextField(text, weight) for text, weight in fields if text)
        if embedding_texts is None:
            embedding_texts = (answer_en, answer_ko) if answer_en != answer_ko else (answer_en,)
        if source.type == "profile":
            embedding_texts = (_descriptor(source, text_fields), *embedding_texts)
        questions = entry_questions(source) if source.type == "profile" else []
        if source.type == "faq" and source.title:
            questions = [source.title]
        self.entries.append(
            Entry(
                source=source,
                answer_en=answer_en.strip(),
                answer_ko=answer_ko.strip(),
                fields=text_fields,
                concepts=tuple(concepts),
                embedding_texts=tuple(_shorten(text, 400) for text in embedding_texts if text),
                content_language=content_language,
                items=tuple(items),
                prior=prior,
                start_date=start_date,
                end_date=end_date,
                question_texts=tuple(_shorten(text, 400) for text in questions),
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
    basics = _mapping(profile.get("basics"))
    _add_basics(builder, basics)
    _add_work(builder, _dicts(profile.get("work")))
    _add_list_section(
        builder,
        "education",
        _dicts(profile.get("education")),
        _education_entry,
        _education_overview,
    )
    _add_list_section(
        builder, "skills", _dicts(profile.get("skills")), _skill_entry, _skills_overview
    )
    _add_list_section(
        builder, "projects", _dicts(profile.get("projects")), _project_entry, _projects_overview
    )
    _add_list_section(
        builder, "languages", _dicts(profile.get("languages")), _language_entry, _languages_overview
    )
    _add_list_section(
        builder,
        "certificates",
        _dicts(profile.get("certificates")),
        _certificate_entry,
        _certificates_overview,
    )
    _add_list_section(
        builder, "awards", _dicts(profile.get("awards")), _award_entry, _awards_overview
    )
    _add_list_section(
        builder,
        "publications",
        _dicts(profile.get("publications")),
        _publication_entry,
        _publications_overview,
    )
    _add_list_section(
        builder, "volunteer", _dicts(profile.get("volunteer")), _volunteer_entry, None
    )
    _add_list_section(
        builder, "interests", _dicts(profile.get("interests")), _interest_entry, _interests_overview
    )
    _add_list_section(
        builder, "references", _dicts(profile.get("references")), _reference_entry, None
    )
    for faq in faqs:
        _add_faq(builder, faq)
    return builder.entries


# --------------------------------------------------------------------------- basics


def _add_basics(builder: _Builder, basics: Mapping[str, Any]) -> None:
    name = _text(basics.get("name"))
    label = _text(basics.get("label"))
    if name or label:
        answer_en = f"I'm {name}" + (f", a {label}." if label else ".")
        answer_ko = (f"저는 {name}입니다." if name else "") + (
            f" {euro(label)} 일하고 있어요." if label else ""
        )
        builder.add(
            Source("profile", name or label, section="basics", field="name"),
            answer_en,
            answer_ko,
            [(name, 2.0), (label, 2.0)],
            [("name", 2.0), ("about", 0.5), ("work", 0.3)],
            content_language=_content_language(label),
        )
    summary = _text(basics.get("summary"))
    if summary:
        language = detect_language(summary)
        quoted = _shorten(summary)
        builder.add(
            Source("profile", "About me", section="basics", field="summary"),
            quote_other_language(quoted, language, "en"),
            quote_other_language(quoted, language, "ko"),
            [(summary, 1.0), (label, 0.5)],
            [("about", 2.0)],
            content_language=language,
            embedding_texts=(quoted,),
        )
    email = _text(basics.get("email"))
    if email:
        builder.add(
            Source("profile", "Email", section="basics", field="email"),
            f"You can email me at {email}.",
            f"이메일 주소는 {email}입니다.",
            [(email, 0.5)],
            [("contact", 1.0), ("email", 2.0)],
            embedding_texts=(f"Email address: {email}", f"이메일 주소: {email}"),
        )
    phone = _text(basics.get("phone"))
    if phone:
        builder.add(
            Source("profile", "Phone", section="basics", field="phone"),
            f"My phone number is {phone}.",
            f"전화번호는 {phone}입니다.",
            [],
            [("contact", 0.5), ("phone", 2.0)],
            embedding_texts=(f"Phone number: {phone}", f"전화번호: {phone}"),
        )
    url = _text(basics.get("url"))
    if url:
        builder.add(
            Source("profile", "Website", section="basics", field="url"),
            f"My website is {url}.",
            f"제 웹사이트 주소는 {url}입니다.",
            [],
            [("website", 2.0)],
            embedding_texts=(f"Personal website: {url}", f"개인 웹사이트: {url}"),
        )
    _add_location(builder, _mapping(basics.get("location")))
    profiles = _dicts(basics.get("profiles"))
    for index, profile in enumerate(profiles):
        _add_social_profile(builder, index, profile)
    _add_contact_overview(builder, email, phone, profiles)


def _add_location(builder: _Builder, location: Mapping[str, Any]) -> None:
    city = _text(location.get("city"))
    region = _text(location.get("region"))
    country_code = _text(location.get("countryCode")).upper()
    if not (city or region or country_code):
        return
    country_en = COUNTRY_NAMES_EN.get(country_code, country_code)
    places_en = (
        [city]
        + ([region] if region and region != city else [])
        + ([country_en] if country_en else [])
    )
    places_ko = [PLACE_NAMES_KO.get(place.lower(), place) for place in places_en if place]
    country_ko = PLACE_NAMES_KO.get(country_code.lower(), country_code)
    ko_order = [country_ko] + [place for place in reversed(places_ko) if place != country_ko]
    place_ko = " ".join(dict.fromkeys(place for place in ko_order if place))
    builder.add(
        Source("profile", "Location", section="basics", field="location"),
        f"I'm based in {', '.join(place for place in places_en if place)}.",
        f"{place_ko}에서 지내고 있어요.",
        [(city, 2.0), (region, 1.0), (country_en, 1.0)],
        [("location", 2.0), ("where", 1.0)],
    )


def _add_social_profile(builder: _Builder, index: int, profile: Mapping[str, Any]) -> None:
    network = _text(profile.get("network"))
    username = _text(profile.get("username"))
    url = _text(profile.get("url"))
    if not (network or url):
        return
    where = url or username
    network_lower = network.lower()
    concepts: list[tuple[str, float]] = [("contact", 0.5), ("social", 0.5)]
    if url:
        concepts.append(("website", 0.5))
    if username:
        concepts.append(("handle", 1.0))
    if network_lower.startswith(_CODE_NETWORKS):
        concepts += [("programming", 0.5), ("open_source", 0.3)]
    if network_lower.startswith(_CHAT_NETWORKS):
        concepts += [("contact", 1.0)]
    if network_lower in CONCEPTS:
        # "깃헙?" asks for the GitHub profile, not a skill group naming GitHub Actions.
        concepts.append((network_lower, 2.0))
    if network_lower.startswith(_BLOG_NETWORKS):
        # The owner's own blog, which "do you have a blog?" asks for, rather than a
        # company blog that published one of the owner's articles.
        concepts += [("blog", 2.0)]
    builder.add(
        Source("profile", network or url, section="profiles", index=index),
        f"You can find me on {network}: {where}" if network else f"You can find me at {where}",
        f"{network}에서 저를 찾을 수 있어요: {where}"
        if network
        else f"여기에서 저를 찾을 수 있어요: {where}",
        [(network, 2.0), (username, 1.0)],
        concepts,
        embedding_texts=(f"{network} profile: {where}", f"{network} 계정: {where}"),
    )


def _add_contact_overview(
    builder: _Builder, email: str, phone: str, profiles: Sequence[Mapping[str, Any]]
) -> None:
    channels_en: list[str] = []
    channels_ko: list[str] = []
    if email:
        channels_en.append(f"email ({email})")
        channels_ko.append(f"이메일({email})")
    for profile in profiles:
        network = _text(profile.get("network"))
        where = _text(profile.get("url")) or _text(profile.get("username"))
        if network and where:
            channels_en.append(f"{network} ({where})")
            channels_ko.append(f"{network}({where})")
    if not channels_en and not phone:
        return
    answer_en = "You can reach me by " + join_list(channels_en, "en") + "." if channels_en else ""
    answer_ko = join_list(channels_ko, "ko") + "로 연락하실 수 있어요." if channels_ko else ""
    if phone:
        answer_en += f" My phone number is {phone}."
        answer_ko += f" 전화번호는 {phone}입니다."
    answer_en += " Or just use the \u201cSend me a message\u201d form on this site."
    answer_ko += " 이 사이트의 \u2018메시지 보내기\u2019 양식을 써 주셔도 됩니다."
    builder.add(
        Source("profile", "Contact", section="contact"),
        answer_en.strip(),
        answer_ko.strip(),
        [],
        [("contact", 2.5)],
        embedding_texts=(
            "How to contact me: email, phone, messenger",
            "연락 방법: 이메일, 전화, 메신저",
        ),
    )


# --------------------------------------------------------------------------- work


def _add_work(builder: _Builder, jobs: Sequence[Mapping[str, Any]]) -> None:
    if not jobs:
        return
    starts = [_text(job.get("startDate")) for job in jobs]
    ends = [_text(job.get("endDate")) for job in jobs]
    dated = [start for start in starts if start]
    earliest = min(dated) if dated else ""
    # "Your previous job" is the one that ended most recently.
    latest_end = max((end for end in ends if end), default="")
    for index, job in enumerate(jobs):
        _add_job(
            builder,
            index,
            job,
            is_first=bool(earliest) and starts[index] == earliest,
            is_previous=bool(latest_end) and ends[index] == latest_end,
        )
    if len(jobs) >= 2:
        _add_work_overview(builder, jobs, earliest)


def _add_job(
    builder: _Builder, index: int, job: Mapping[str, Any], is_first: bool, is_previous: bool
) -> None:
    company = _text(job.get("name")) or _text(job.get("company"))
    position = _text(job.get("position"))
    start, end = _text(job.get("startDate")), _text(job.get("endDate"))
    summary = _text(job.get("summary"))
    highlights = _texts(job.get("highlights"))
    current = not end
    details = " ".join(
        _sentence(text)
        for text in [_shorten(summary), *highlights[:MAX_HIGHLIGHTS_IN_ANSWER]]
        if text
    )
    where_en = f"at {company}" if company else "there"
    as_en = f" as {position}" if position else ""
    if current:
        since = f" (since {format_date(start, 'en')})" if start else ""
        answer_en = f"I currently work {where_en}{as_en}{since}."
        since_ko = f" ({format_date(start, 'ko')}부터)" if start else ""
        as_ko = euro(position) + " " if position else ""
        answer_ko = f"현재 {company}에서 {as_ko}일하고 있습니다{since_ko}."
    else:
        period_en = f" ({_period(start, end, 'en')})" if start or end else ""
        answer_en = f"I worked {where_en}{as_en}{period_en}."
        period_ko = f" ({_period(start, end, 'ko')})" if start or end else ""
        answer_ko = (
            f"{company}에서 {euro(position) + ' ' if position else ''}일했습니다{period_ko}."
        )
    concepts: list[tuple[str, float]] = [
        ("work", 2.0),
        ("employer", 1.5),
        ("where", 0.5),
        ("experience", 0.5),
    ]
    concepts.append(("current", 1.0) if current else ("past", 1.0))
    if is_first:
        concepts.append(("first", 1.0))
    if is_previous:
        concepts.append(("previous", 1.0))
    if highlights:
        concepts.append(("achievement", 0.5))
    builder.add(
        Source("profile", company or position, section="work", index=index),
        f"{answer_en} {details}",
        f"{answer_ko} {details}",
        [(company, 2.0), (position, 1.5), (summary, 1.0)] + [(text, 1.0) for text in highlights],
        concepts,
        content_language=_content_language(position, summary, *highlights),
        embedding_texts=(f"{answer_en} {details}", f"{answer_ko} {_shorten(summary, 200)}"),
        prior=CURRENT_JOB_PRIOR if current else 0.0,
        start_date=start,
        end_date=end,
    )


def _add_work_overview(builder: _Builder, jobs: Sequence[Mapping[str, Any]], earliest: str) -> None:
    lines_en, lines_ko = [], []
    for job in jobs:
        company = _text(job.get("name")) or _text(job.get("company"))
        position = _text(job.get("position"))
        start, end = _text(job.get("startDate")), _text(job.get("endDate"))
        lines_en.append(f"{company} \u2014 {position} ({_period(start, end, 'en')})")
        lines_ko.append(f"{company} \u2014 {position} ({_period(start, end, 'ko')})")
    years_en = years_ko = ""
    if earliest[:4].isdigit():
        years = builder.today.year - int(earliest[:4])
        years_en = f" I have been working in software since {earliest[:4]} (about {years} years)."
        years_ko = f" {earliest[:4]}년부터 약 {years}년째 일하고 있습니다."
    builder.add(
        Source("profile", "Work experience", section="work"),
        "My work experience: " + "; ".join(lines_en) + "." + years_en,
        "제 경력은 다음과 같습니다: " + "; ".join(lines_ko) + "." + years_ko,
        [(" ".join(lines_en), 0.3)],
        [("work", 1.0), ("career_overview", 2.0), ("years", 1.5)],
        embedding_texts=("My work experience and career history: " + "; ".join(lines_en),),
    )


# --------------------------------------------------------------------------- list sections

Weighted = list[tuple[str, float]]
# (source, answer_en, answer_ko, searchable fields, concepts, named items)
MadeEntry = tuple[Source, str, str, Weighted, Weighted, list[str]]
# (source, answer_en, answer_ko, searchable fields, concepts)
MadeOverview = tuple[Source, str, str, Weighted, Weighted]
EntryFactory = Callable[[int, Mapping[str, Any]], "MadeEntry | None"]
OverviewFactory = Callable[[Sequence[Mapping[str, Any]]], "MadeOverview | None"]


def _add_list_section(
    builder: _Builder,
    section: str,
    items: Sequence[Mapping[str, Any]],
    make_entry: EntryFactory,
    make_overview: OverviewFactory | None,
) -> None:
    for index, item in enumerate(items):
        made = make_entry(index, item)
        if made is None:
            continue
        source, answer_en, answer_ko, fields, concepts, items_named = made
        builder.add(
            source,
            answer_en,
            answer_ko,
            fields,
            concepts,
            content_language=_content_language(*(text for text, weight in fields if weight >= 1.0)),
            items=items_named,
            # Talks, awards and certificates are dated by when they happened.
            start_date=_text(item.get("startDate"))
            or _text(item.get("releaseDate"))
            or _text(item.get("date")),
            end_date=_text(item.get("endDate")),
        )
    if make_overview is not None and len(items) >= 2:
        overview = make_overview(items)
        if overview is not None:
            source, answer_en, answer_ko, fields, concepts = overview
            builder.add(source, answer_en, answer_ko, fields, concepts, prior=OVERVIEW_PRIOR)


def _education_entry(index: int, item: Mapping[str, Any]) -> MadeEntry | None:
    institution = _text(item.get("institution"))
    area = _text(item.get("area"))
    study_type = _text(item.get("studyType"))
    start, end = _text(item.get("startDate")), _text(item.get("endDate"))
    score = _text(item.get("score"))
    courses = _texts(item.get("courses"))
    if not (institution or area):
        return None
    kind_en = f"{study_type}, " if study_type else ""
    period_en, period_ko = _period(start, end, "en"), _period(start, end, "ko")
    answer_en = f"I studied {area or 'there'} at {institution} ({kind_en}{period_en})."
    area_ko = eul(area) + " " if area else ""
    kind_ko = study_type + ", " if study_type else ""
    answer_ko = f"{institution}에서 {area_ko}공부했습니다 ({kind_ko}{period_ko})."
    if score:
        answer_en += f" GPA: {score}."
        answer_ko += f" 학점: {score}."
    if courses:
        answer_en += f" Courses included {join_list(courses, 'en')}."
        answer_ko += f" 주요 과목: {join_list(courses, 'ko')}."
    # The first-listed school is the main degree (JSON Resume lists newest or most important first).
    concepts = [("education", 2.0 if index == 0 else 1.5), ("where", 0.5)]
    if area:
        concepts.append(("major", 1.0 if index == 0 else 0.7))
    if score:
        concepts.append(("grade", 0.7))
    fields = [(institution, 2.0), (area, 1.5), (study_type, 1.0), (" ".join(courses), 0.5)]
    return (
        Source("profile", institution or area, section="education", index=index),
        answer_en,
        answer_ko,
        fields,
        concepts,
        [],
    )


def _education_overview(items: Sequence[Mapping[str, Any]]) -> MadeOverview | None:
    parts_en, parts_ko = [], []
    for item in items:
        institution, area, study_type = (
            _text(item.get("institution")),
            _text(item.get("area")),
            _text(item.get("studyType")),
        )
        parts_en.append(f"{institution} ({', '.join(part for part in (study_type, area) if part)})")
        parts_ko.append(f"{institution} ({', '.join(part for part in (study_type, area) if part)})")
    return (
        Source("profile", "Education", section="education"),
        "My education: " + "; ".join(parts_en) + ".",
        "학력: " + "; ".join(parts_ko) + ".",
        [],
        [("education", 2.0)],
    )


def _skill_entry(index: int, item: Mapping[str, Any]) -> MadeEntry | None:
    name = _text(item.get("name"))
    level = _text(item.get("level"))
    keywords = _texts(item.get("keywords"))
    if not (name or keywords):
        return None
    level_part = f" ({level})" if level else ""
    listed = join_list(keywords, "en")
    answer_en = f"{name}{level_part}: {listed}." if name else f"My skills include {listed}."
    answer_ko = (
        f"{name}{level_part}: {join_list(keywords, 'ko')}."
        if name
        else f"다룰 줄 아는 기술: {join_list(keywords, 'ko')}."
    )
    # Skill keywords are the canonical place a technology is listed: weigh them above
    # incidental mentions in project or job descriptions.
    fields = [(name, 2.0), (level, 0.5)] + [(keyword, 3.0) for keyword in keywords]
    concepts = [("skill", 1.0), ("tech_stack", 0.5), ("use", 0.5), ("experience", 0.5)]
    return (
        Source("profile", name or listed, section="skills", index=index),
        answer_en,
        answer_ko,
        fields,
        concepts,
        keywords,
    )


def _skills_overview(items: Sequence[Mapping[str, Any]]) -> MadeOverview | None:
    lines = []
    for item in items:
        name, keywords = _text(item.get("name")), _texts(item.get("keywords"))
        lines.append(f"{name}: {', '.join(keywords)}" if name else ", ".join(keywords))
    return (
        Source("profile", "Skills", section="skills"),
        "Here is my skill set \u2014 " + "; ".join(lines) + ".",
        "제가 다루는 기술은 다음과 같습니다 \u2014 " + "; ".join(lines) + ".",
        [],
        [("skill", 1.5), ("tech_stack", 2.0)],
    )


def _project_entry(index: int, item: Mapping[str, Any]) -> MadeEntry | None:
    name = _text(item.get("name"))
    description = _text(item.get("description"))
    highlights = _texts(item.get("highlights"))
    keywords = _texts(item.get("keywords"))
    url = _text(item.get("url"))
    roles = _texts(item.get("roles"))
    if not (name or description):
        return None
    details = " ".join(
        _sentence(text)
        for text in [_shorten(description), *highlights[:MAX_HIGHLIGHTS_IN_ANSWER]]
        if text
    )
    link = f" {url}" if url else ""
    answer_en = f"One of my projects is {name}: {details}{link}"
    answer_ko = f"제 프로젝트 {name}: {details}{link}"
    fields = [
        (name, 2.0),
        (description, 1.0),
        (" ".join(highlights), 1.0),
        (" ".join(roles), 0.5),
        (_text(item.get("entity")), 1.0),
    ]
    fields += [(keyword, 1.5) for keyword in keywords]
    concepts = [("project", 1.5)]
    if _is_open_source(item):
        concepts.append(("open_source", 1.0))
    return (
        Source("profile", name or description[:40], section="projects", index=index),
        answer_en,
        answer_ko,
        fields,
        concepts,
        keywords,
    )


def _projects_overview(items: Sequence[Mapping[str, Any]]) -> MadeOverview | None:
    lines = []
    for item in items:
        name, description = _text(item.get("name")), _shorten(_text(item.get("description")), 120)
        lines.append(f"{name} \u2014 {description}" if description else name)
    return (
        Source("profile", "Projects", section="projects"),
        "Some projects I've built: " + "; ".join(lines),
        "제가 만든 프로젝트들입니다: " + "; ".join(lines),
        [],
        [("project", 2.0), ("open_source", 1.0 if any(map(_is_open_source, items)) else 0.3)],
    )


def _language_entry(index: int, item: Mapping[str, Any]) -> MadeEntry | None:
    language = _text(item.get("language"))
    fluency = _text(item.get("fluency"))
    if not language:
        return None
    language_ko = LANGUAGE_NAMES_KO.get(language.lower(), language)
    answer_en = f"I speak {language}" + (f" ({fluency})." if fluency else ".")
    answer_ko = f"{language_ko}: {fluency}" if fluency else f"{eul(language_ko)} 할 수 있어요."
    fields = [(language, 2.0), (fluency, 1.0)]
    concepts = [("spoken_language", 1.5)]
    return (
        Source("profile", language, section="languages", index=index),
        answer_en,
        answer_ko,
        fields,
        concepts,
        [],
    )


def _languages_overview(items: Sequence[Mapping[str, Any]]) -> MadeOverview | None:
    parts_en, parts_ko = [], []
    for item in items:
        language, fluency = _text(item.get("language")), _text(item.get("fluency"))
        parts_en.append(f"{language} ({fluency})" if fluency else language)
        language_ko = LANGUAGE_NAMES_KO.get(language.lower(), language)
        parts_ko.append(f"{language_ko}({fluency})" if fluency else language_ko)
    return (
        Source("profile", "Languages", section="languages"),
        "I speak " + join_list(parts_en, "en") + ".",
        "구사하는 언어: " + join_list(parts_ko, "ko") + ".",
        [(" ".join(_text(item.get("language")) for item in items), 0.5)],
        [("spoken_language", 2.5)],
    )


def _certificate_entry(index: int, item: Mapping[str, Any]) -> MadeEntry | None:
    name = _text(item.get("name"))
    issuer = _text(item.get("issuer"))
    date = _text(item.get("date"))
    if not name:
        return None
    detail_en = ", ".join(
        part for part in (issuer, format_date(date, "en") if date else "") if part
    )
    detail_ko = ", ".join(
        part for part in (issuer, format_date(date, "ko") if date else "") if part
    )
    answer_en = f"I hold the {name} certificate" + (f" ({detail_en})." if detail_en else ".")
    answer_ko = f"{name} 자격증이 있습니다" + (f" ({detail_ko})." if detail_ko else ".")
    url = _text(item.get("url"))
    if url:
        answer_en += f" {url}"
        answer_ko += f" {url}"
    fields = [(name, 2.0), (issuer, 1.0)]
    return (
        Source("profile", name, section="certificates", index=index),
        answer_en,
        answer_ko,
        fields,
        [("certificate", 1.5)],
        [],
    )


def _certificates_overview(items: Sequence[Mapping[str, Any]]) -> MadeOverview | None:
    names = [_text(item.get("name")) for item in items]
    return (
        Source("profile", "Certificates", section="certificates"),
        "My certificates: " + join_list(names, "en") + ".",
        "보유 자격증: " + join_list(names, "ko") + ".",
        [],
        [("certificate", 2.5)],
    )


def _award_entry(index: int, item: Mapping[str, Any]) -> MadeEntry | None:
    title = _text(item.get("title"))
    awarder = _text(item.get("awarder"))
    date = _text(item.get("date"))
    summary = _text(item.get("summary"))
    if not title:
        return None
    from_en = f" from {awarder}" if awarder else ""
    when_en = f" ({format_date(date, 'en')})" if date else ""
    answer_en = f"I received \u201c{title}\u201d{from_en}{when_en}. {_shorten(summary)}"
    when_ko = f"{format_date(date, 'ko')}에 " if date else ""
    from_ko = f"{awarder}에서 " if awarder else ""
    answer_ko = (
        f"{when_ko}{from_ko}\u2018{title}\u2019{eul('상')[1:]} 받았습니다. {_shorten(summary)}"
    )
    fields = [(title, 2.0), (awarder, 1.0), (summary, 1.0)]
    return (
        Source("profile", title, section="awards", index=index),
        answer_en,
        answer_ko,
        fields,
        [("award", 1.5)],
        [],
    )


def _awards_overview(items: Sequence[Mapping[str, Any]]) -> MadeOverview | None:
    parts = []
    for item in items:
        title, awarder, date = (
            _text(item.get("title")),
            _text(item.get("awarder")),
            _text(item.get("date")),
        )
        parts.append(f"{title} ({', '.join(part for part in (awarder, date[:4]) if part)})")
    return (
        Source("profile", "Awards", section="awards"),
        "Awards I've received: " + "; ".join(parts) + ".",
        "수상 경력: " + "; ".join(parts) + ".",
        [],
        [("award", 2.5)],
    )


def _publication_entry(index: int, item: Mapping[str, Any]) -> MadeEntry | None:
    name = _text(item.get("name"))
    publisher = _text(item.get("publisher"))
    date = _text(item.get("releaseDate"))
    summary = _text(item.get("summary"))
    url = _text(item.get("url"))
    if not name:
        return None
    detail_en = ", ".join(
        part for part in (publisher, format_date(date, "en") if date else "") if part
    )
    detail_ko = ", ".join(
        part for part in (publisher, format_date(date, "ko") if date else "") if part
    )
    link = f" {url}" if url else ""
    answer_en = (
        f"I published \u201c{name}\u201d"
        + (f" ({detail_en})" if detail_en else "")
        + f". {_shorten(summary)}{link}"
    )
    answer_ko = (
        f"\u2018{name}\u2019"
        + (f"({detail_ko})" if detail_ko else "")
        + f"{eul('글')[1:]} 발표했습니다. {_shorten(summary)}{link}"
    )
    fields = [(name, 2.0), (publisher, 1.5), (summary, 1.0)]
    concepts = [("publication", 1.5)]
    if any(word in f"{name} {publisher} {summary}".lower() for word in _TALK_WORDS):
        concepts.append(("talk", 1.5))  # a talk given, listed as a publication
    return (
        Source("profile", name, section="publications", index=index),
        answer_en,
        answer_ko,
        fields,
        concepts,
        [],
    )


def _publications_overview(items: Sequence[Mapping[str, Any]]) -> MadeOverview | None:
    parts = []
    for item in items:
        name, publisher = _text(item.get("name")), _text(item.get("publisher"))
        parts.append(f"\u201c{name}\u201d ({publisher})" if publisher else f"\u201c{name}\u201d")
    return (
        Source("profile", "Publications and talks", section="publications"),
        "My publications and talks: " + "; ".join(parts) + ".",
        "제가 발표하거나 쓴 글: " + "; ".join(parts) + ".",
        [],
        [("publication", 2.0), ("talk", 0.5)],
    )


def _volunteer_entry(index: int, item: Mapping[str, Any]) -> MadeEntry | None:
    organization = _text(item.get("organization"))
    position = _text(item.get("position"))
    start, end = _text(item.get("startDate")), _text(item.get("endDate"))
    summary = _text(item.get("summary"))
    highlights = _texts(item.get("highlights"))
    if not (organization or summary):
        return None
    details = " ".join(
        _sentence(text)
        for text in [_shorten(summary), *highlights[:MAX_HIGHLIGHTS_IN_ANSWER]]
        if text
    )
    answer_en = (
        f"I volunteer at {organization}"
        + (f" as {position}" if position else "")
        + f" ({_period(start, end, 'en')}). {details}"
    )
    as_ko = euro(position) + " " if position else ""
    period_ko = _period(start, end, "ko")
    answer_ko = f"{organization}에서 {as_ko}봉사하고 있습니다 ({period_ko}). {details}"
    fields = [(organization, 2.0), (position, 1.5), (summary, 1.0), (" ".join(highlights), 1.0)]
    return (
        Source("profile", organization or position, section="volunteer", index=index),
        answer_en,
        answer_ko,
        fields,
        [("volunteer", 1.5)],
        [],
    )


def _interest_entry(index: int, item: Mapping[str, Any]) -> MadeEntry | None:
    name = _text(item.get("name"))
    keywords = _texts(item.get("keywords"))
    if not name:
        return None
    extra = f" ({', '.join(keywords)})" if keywords else ""
    # "Bouldering" reads better as "bouldering" mid-sentence; keep acronyms as written.
    lowered = name.lower() if name[:1].isupper() and name[1:2].islower() else name
    answer_en = f"One of my hobbies is {lowered}{extra}."
    answer_ko = f"제 취미 중 하나는 {name}{extra}입니다."
    fields = [(name, 2.0)] + [(keyword, 1.5) for keyword in keywords]
    return (
        Source("profile", name, section="interests", index=index),
        answer_en,
        answer_ko,
        fields,
        [("hobby", 1.5)],
        keywords,
    )


def _interests_overview(items: Sequence[Mapping[str, Any]]) -> MadeOverview | None:
    names = [_text(item.get("name")) for item in items]
    return (
        Source("profile", "Interests", section="interests"),
        "Outside work I enjoy " + join_list([name.lower() for name in names], "en") + ".",
        "일 외에는 " + join_list(names, "ko") + "을(를) 즐깁니다.",
        [],
        [("hobby", 2.5)],
    )


def _reference_entry(index: int, item: Mapping[str, Any]) -> MadeEntry | None:
    name = _text(item.get("name"))
    reference = _text(item.get("reference"))
    if not reference:
        return None
    quoted = _shorten(reference)
    answer_en = f"{name} wrote: \u201c{quoted}\u201d" if name else f"\u201c{quoted}\u201d"
    answer_ko = f"{name}님의 추천사: \u201c{quoted}\u201d" if name else f"\u201c{quoted}\u201d"
    fields = [(name, 1.0), (reference, 1.0)]
    return (
        Source("profile", name or "Reference", section="references", index=index),
        answer_en,
        answer_ko,
        fields,
        [("reference", 1.5)],
        [],
    )


# --------------------------------------------------------------------------- FAQ


def _add_faq(builder: _Builder, faq: FaqEntry) -> None:
    question = _text(faq.question)
    answer = _text(faq.answer)
    if not answer:
        return
    language = detect_language(question + " " + answer)
    quoted = _shorten(answer, 1500)
    builder.add(
        Source("faq", question or answer[:60], id=faq.id),
        quote_other_language(quoted, language, "en"),
        quote_other_language(quoted, language, "ko"),
        [(question, 2.5), (answer, 0.7)],
        [],
        content_language=language,
        embedding_texts=tuple(text for text in (question, _shorten(answer, 300)) if text),
    )


def merge_translations(
    entries: Sequence[Entry], translated: Sequence[Entry], language: Language
) -> list[Entry]:
    """``entries`` with what ``translated`` (built from the owner's translation of the
    profile into ``language``) says about the same keys: its text is searchable too, and
    it becomes the answer in ``language``, so `work:0` in Korean and in English is one
    entry that answers each visitor in their language. Keys only one side has stay as
    they are (a translation adds no entries)."""
    by_key = {entry.key: entry for entry in translated}
    merged: list[Entry] = []
    for entry in entries:
        other = by_key.get(entry.key)
        if other is None:
            merged.append(entry)
            continue
        answers = {"en": entry.answer_en, "ko": entry.answer_ko}
        answers[language] = other.answer_in(language)
        merged.append(
            replace(
                entry,
                answer_en=answers["en"],
                answer_ko=answers["ko"],
                fields=entry.fields + other.fields,
                embedding_texts=tuple(dict.fromkeys(entry.embedding_texts + other.embedding_texts)),
                question_texts=tuple(dict.fromkeys(entry.question_texts + other.question_texts)),
                # The fact now exists in the visitor's language too.
                content_language=None,
            )
        )
    return merged
