"""Tokenization (Kiwi morphemes, Latin words, mixed text) and vocabulary expansion."""
# Fixtures are imported from conftest_engine and then requested by name, which
# ruff reads as redefinition.
# ruff: noqa: F811

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from conftest_engine import resources  # noqa: F401 - session fixture

from mysite_chatbot.engine import LanguageResources
from mysite_chatbot.engine.analysis import TextAnalyzer
from mysite_chatbot.engine.bm25 import LexicalIndex
from mysite_chatbot.engine.entries import build_entries


def forms(resources: LanguageResources, text: str) -> list[str]:
    return [token.form for token in resources.analyzer.tokens(text)]


def concepts(resources: LanguageResources, text: str) -> set[str]:
    return resources.analyzer.concept_names(text)


def test_korean_content_morphemes_drop_particles_and_endings(resources: LanguageResources) -> None:
    morphemes = resources.korean.content_morphemes("카카오톡으로 연락할 수 있나요?")
    assert morphemes == ["카카오톡", "연락"]


def test_registered_loanwords_stay_whole(resources: LanguageResources) -> None:
    assert "백엔드" in forms(resources, "백엔드 개발자예요")
    assert "쿠버네티스" in forms(resources, "쿠버네티스 써보셨어요?")


def test_latin_words_are_taken_by_regex_in_mixed_text(resources: LanguageResources) -> None:
    tokens = forms(resources, "Python이랑 Go 중에 뭘 더 잘해요?")
    assert tokens[:2] == ["python", "golang"]  # capitalised "Go" is the language


def test_latin_words_keep_tech_names_and_drop_contractions(resources: LanguageResources) -> None:
    units = resources.analyzer.units("I use C++, C#, Node.js and what's k8s? Don't")
    assert [unit.form for unit in units] == [
        "i",
        "use",
        "c++",
        "c#",
        "node.js",
        "and",
        "what",
        "kubernetes",  # shorthand read as the word it stands for
        "do",
    ]


def test_lowercase_go_is_the_verb(resources: LanguageResources) -> None:
    assert "tech.go" not in concepts(resources, "Where did you go to school?")
    assert "tech.go" not in concepts(resources, "Go to the park?")


def test_go_the_language_is_read_alone_and_among_korean_words(
    resources: LanguageResources,
) -> None:
    assert "tech.go" in concepts(resources, "Go")  # a skill's keyword
    assert "tech.go" in concepts(resources, "Go 써봤어요?")
    assert "tech.go" in concepts(resources, "Do you know Go?")


def test_go_as_a_verb_is_not_kept_as_a_word(resources: LanguageResources) -> None:
    assert forms(resources, "what school did u go to") == ["school"]
    assert "go" in forms(resources, "do you know go")


def test_chat_shorthand_reads_as_the_word(resources: LanguageResources) -> None:
    assert forms(resources, "where r u from") == forms(resources, "where are you from")
    assert "current" in concepts(resources, "where u working rn")
    assert forms(resources, "R or Python?")[0] == "r"  # only lower-case shorthand is rewritten


def test_colloquial_korean_reaches_the_concept(resources: LanguageResources) -> None:
    assert "work" in concepts(resources, "어디 다니세요")
    assert "award" in concepts(resources, "수상 경력 있으세요?")
    assert "programming_language" in concepts(resources, "주력 언어가 뭐예요")


def test_common_korean_typos_are_read_as_meant(resources: LanguageResources) -> None:
    assert forms(resources, "연락쳐 알려주세여") == forms(resources, "연락처 알려주세요")
    assert forms(resources, "자격증 잇어요?") == forms(resources, "자격증 있어요?")
    assert forms(resources, "취미 머에요") == forms(resources, "취미 뭐예요")


def test_short_korean_words_match_as_written(resources: LanguageResources) -> None:
    assert "previous" in concepts(resources, "전 직장은 어디였어요?")
    assert "previous" in concepts(resources, "한빛페이 전에는 어디 계셨어요?")


def test_english_stopwords_and_fillers_are_dropped(resources: LanguageResources) -> None:
    assert forms(resources, "Could you please tell me, if you can?") == []


def test_a_word_is_not_dropped_for_stemming_like_a_stopword(resources: LanguageResources) -> None:
    # "evening" less "ing" is "even", "theme" less its "e" is "them": both stopwords.
    assert forms(resources, "Do you have evening classes?") == ["evening", "class"]
    assert forms(resources, "Any themed shoots?") == ["theme", "shoot"]


def test_vocabulary_links_korean_and_english(resources: LanguageResources) -> None:
    assert "work" in concepts(resources, "경력")
    assert "work" in concepts(resources, "career")
    assert "tech.kubernetes" in concepts(resources, "쿠버네티스")
    assert "tech.kubernetes" in concepts(resources, "k8s")
    assert "contact" in concepts(resources, "연락처")
    assert "contact" in concepts(resources, "get in touch")
    assert "freelance" in concepts(resources, "외주")
    assert "freelance" in concepts(resources, "freelancing")


def test_phrases_win_over_single_words(resources: LanguageResources) -> None:
    tokens = resources.analyzer.tokens("What do you do in your free time?")
    assert [token.form for token in tokens] == ["free time"]
    assert "hobby" in tokens[0].concepts


def test_every_vocabulary_term_can_match(resources: LanguageResources) -> None:
    """No term reads as more words than a phrase may have ("how much do you make") or as
    one stopword that says nothing alone ("why", "visit", 얼마)."""
    assert resources.analyzer.unfindable_terms() == []


def test_a_term_that_cannot_match_is_found_out(resources: LanguageResources) -> None:
    analyzer = TextAnalyzer(
        resources.korean,
        {"reason": ["why", "reason", "why so"], "salary": ["how much do you make"]},
        {},
    )
    assert analyzer.unfindable_terms() == [("reason", "why"), ("salary", "how much do you make")]
    assert "reason" not in analyzer.concept_names("Why?")
    assert "reason" in analyzer.concept_names("Why so?")


def test_korean_phrases_match_across_particles(resources: LanguageResources) -> None:
    assert "hobby" in concepts(resources, "쉬는 날엔 뭐 해요?")


def test_named_technologies_carry_their_category(resources: LanguageResources) -> None:
    assert {"tech.postgres", "database"} <= concepts(resources, "PostgreSQL")
    assert {"tech.aws", "cloud"} <= concepts(resources, "AWS")


def test_a_named_thing_knows_which_of_its_concepts_are_only_its_kind(
    resources: LanguageResources,
) -> None:
    [token] = resources.analyzer.tokens("Kubernetes?")
    assert token.broad == {"infrastructure"}
    assert "tech.kubernetes" in token.concepts - token.broad
    [korean] = resources.analyzer.tokens("러스트")
    assert korean.broad == {"programming_language"}
    # A word of the kind itself is not broad: "devops" asks about infrastructure.
    assert resources.analyzer.tokens("devops")[0].broad == frozenset()


def test_a_token_knows_where_it_was_written(resources: LanguageResources) -> None:
    text = "Have you used Kubernetes or 러스트 at work?"
    written = [text[slice(*token.span)] for token in resources.analyzer.tokens(text)]
    assert "Kubernetes" in written
    assert "러스트" in written


def test_a_word_after_a_rewritten_misspelling_is_quoted_as_written(
    resources: LanguageResources,
) -> None:
    # "전 직장" is read as "이전 직장", one letter longer: the words after it keep their
    # places in what the visitor wrote, and a verb read as its stem is quoted whole.
    text = "전 직장에서 러스트 썼어요?"
    written = {token.form: text[slice(*token.span)] for token in resources.analyzer.tokens(text)}
    assert written == {"이전": "전", "직장": "직장", "러스트": "러스트", "쓰": "썼"}


def test_a_thing_only_its_kind_of_which_the_profile_has_is_unmentioned(
    resources: LanguageResources,
) -> None:
    entries = build_entries({"skills": [{"name": "Operations", "keywords": ["Terraform"]}]})
    index = LexicalIndex(resources.analyzer, entries)
    kubernetes = resources.analyzer.tokens("Kubernetes")  # infrastructure, like Terraform
    assert index.unmentioned(kubernetes) == kubernetes
    assert index.unmentioned(resources.analyzer.tokens("Terraform")) == []
    assert index.unmentioned(resources.analyzer.tokens("devops")) == []  # the kind itself


def test_odd_input_does_not_crash(resources: LanguageResources) -> None:
    for text in ["", "   ", "\x00\x01", "\ud800", "🙂" * 50, "가" * 2000, "a" * 2000, "ㅋㅋㅋ"]:
        resources.analyzer.tokens(text)
