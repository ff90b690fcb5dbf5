"""The labelled questions the engine is trained and evaluated on: every file is valid and
every expected key names an entry of its owner's profile (the key scheme stays stable); and
the evaluation (eval/run_eval.py) counts what it reports as its README says."""

import json
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import numpy as np
import pytest

from mysite_chatbot.engine.engine import DECISION_FEATURES, RANKING_FEATURES, QuestionSignals
from mysite_chatbot.engine.entries import build_entries
from mysite_chatbot.engine.learned import EngineModel, LogisticModel
from mysite_chatbot.engine.models import Entry
from services.chatbot.eval.run_eval import (
    FoldModels,
    Outcome,
    fresh_owners,
    main,
    summarize,
    summarize_sections,
    training_samples,
)
from services.chatbot.eval.training import (
    EXAMPLE,
    LabelledQuestion,
    Sample,
    _profile_weights,
    held_back_owners,
    judge,
    profile_folders,
    read_profile,
    read_questions,
)

FOLDERS = profile_folders()


def test_there_are_the_example_and_ten_other_owners() -> None:
    assert EXAMPLE in FOLDERS
    assert len(FOLDERS) >= 11


@pytest.mark.parametrize("owner", sorted(FOLDERS))
def test_every_question_names_entries_of_its_owner(owner: str) -> None:
    profile, faqs = read_profile(FOLDERS[owner])
    keys = {entry.key for entry in build_entries(profile, faqs)}
    questions = read_questions(owner, FOLDERS[owner])
    assert len(questions) >= 90
    assert len({(q.set_name, q.id) for q in questions}) == len(questions)
    unknown = {key for q in questions for key in q.expected if key not in keys}
    assert unknown == set()
    assert any(not q.expected for q in questions)  # some cannot be answered


def test_the_owners_held_back_from_training_are_owners_and_not_the_example() -> None:
    held_back = held_back_owners()
    assert held_back <= set(FOLDERS) - {EXAMPLE}


def test_the_held_back_list_is_one_owner_a_line_with_comments(tmp_path: Path) -> None:
    for owner in ("vet_profile", "salon_profile"):
        (tmp_path / owner).mkdir()
        (tmp_path / owner / "profile.json").write_text("{}", encoding="utf-8")
    listed = tmp_path / "held_back.txt"
    listed.write_text("# why\nvet_profile\n\n  salon_profile  # and why\n", encoding="utf-8")
    assert held_back_owners(listed) == {"vet_profile", "salon_profile"}
    assert held_back_owners(tmp_path / "missing.txt") == frozenset()
    # A misspelt owner would quietly be trained on: refused.
    listed.write_text("vet_profile\nsalon_profil\n", encoding="utf-8")
    with pytest.raises(ValueError, match="salon_profil"):
        held_back_owners(listed)


def test_question_files_are_json_lines_with_the_three_fields() -> None:
    for folder in FOLDERS.values():
        for path in folder.glob("questions_*.jsonl"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    assert isinstance(row["id"], str)
                    assert isinstance(row["question"], str)
                    assert isinstance(row["expected"], list)


def test_the_evaluation_counts_right_wrong_and_declined() -> None:
    def outcome(expected: tuple[str, ...], answered: bool, key: str | None) -> Outcome:
        return Outcome("o", "s", "1", "q", expected, False, answered, key, [key or ""], 0.5, 1.0)

    report = summarize(
        "t",
        [
            outcome(("work:0",), True, "work:0"),
            outcome(("work:0",), True, "work:1"),
            outcome(("work:0",), False, None),
            outcome((), False, None),
        ],
    )
    assert report.top1 == pytest.approx(1 / 3)
    assert report.wrong_on_answerable == pytest.approx(1 / 3)
    assert report.unanswerable_declined == 1.0


def test_an_answer_from_two_entries_is_neither_top_1_nor_wrong_when_one_is_right() -> None:
    def outcome(expected: tuple[str, ...], first: str, second: str) -> Outcome:
        return Outcome(
            "o", "s", "1", "q", expected, False, True, first, [first], 0.9, 1.0, (), second
        )

    report = summarize(
        "t",
        [
            outcome(("work:0",), "work:0", "basics.location"),  # the first is right
            outcome(("work:0",), "basics.location", "work:0"),  # the second is
            outcome(("work:0",), "basics.location", "skills"),  # neither: wrong
            outcome((), "basics.location", "work:0"),  # nothing answers it: not declined
        ],
    )
    assert report.top1 == 0.0
    assert report.two_entries_one_right == pytest.approx(2 / 3)
    assert report.wrong_on_answerable == pytest.approx(1 / 3)
    assert report.unanswerable_declined == 0.0
    assert report.two_entry_answers == 4


def test_the_sections_show_ranking_and_deciding_apart() -> None:
    def outcome(expected: tuple[str, ...], answered: bool, ranked: str) -> Outcome:
        key = ranked if answered else None
        return Outcome("o", "s", "1", "q", expected, False, answered, key, [ranked], 0.5, 1.0)

    sections = summarize_sections(
        "t",
        [
            outcome(("faq:1",), True, "faq:1"),
            outcome(("faq:2",), False, "faq:2"),  # ranked right, declined
            outcome(("faq:1",), True, "work:0"),  # ranked wrong, answered
            outcome(("basics.email", "faq:3"), True, "basics.email"),
            outcome((), True, "faq:1"),  # unanswerable: in no section's row
        ],
    )
    by_section = {report.section: report for report in sections}
    assert list(by_section) == ["faq", "basics"]  # the larger section first
    faq = by_section["faq"]
    assert faq.answerable == 3
    assert faq.ranked_first == pytest.approx(2 / 3)
    assert (faq.top1, faq.declined, faq.wrong) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert (by_section["basics"].answerable, by_section["basics"].top1) == (1, 1.0)


def test_held_back_owners_are_fresh_unless_named_apart() -> None:
    held_back = {"vet_profile", "salon_profile"}
    assert fresh_owners([], [], held_back) == held_back
    assert fresh_owners(["chef_profile"], ["vet_profile"], held_back) == {
        "chef_profile",
        "salon_profile",
    }


def test_a_fold_learns_from_neither_its_owner_nor_a_fresh_one() -> None:
    def sample(owner: str) -> Sample:
        question = LabelledQuestion(owner, "heldout", f"{owner}1", "q", ())
        return cast(Sample, SimpleNamespace(question=question))

    samples = [sample(owner) for owner in ("a", "b", "c", "d")]

    def owners(trained_on: list[Sample]) -> list[str]:
        return [s.question.profile for s in trained_on]

    assert owners(training_samples(samples, "a")) == ["b", "c", "d"]
    assert owners(training_samples(samples, "a", fresh={"c"})) == ["b", "d"]
    # A fresh owner's own fold learns from the others, never from itself.
    assert owners(training_samples(samples, "c", fresh={"c"})) == ["a", "b", "d"]


def test_the_fresh_owners_folds_share_one_model(monkeypatch: pytest.MonkeyPatch) -> None:
    fits: list[list[Sample]] = []

    def fit(trained_on: list[Sample]) -> EngineModel:
        fits.append(trained_on)
        return cast(EngineModel, object())

    monkeypatch.setattr("services.chatbot.eval.run_eval.fit_model", fit)
    fold_models = FoldModels(fresh={"c", "d"})
    # Both fresh folds learn from a and b alone: one fit serves both.
    first = fold_models.fit([], "c")
    assert fold_models.fit([], "d") is first
    # The other owners' folds each learn from different owners: each fits its own.
    assert fold_models.fit([], "a") is not fold_models.fit([], "b")
    assert len(fits) == 3


@pytest.mark.parametrize(
    "arguments",
    [["--fresh", "vet"], ["--apart", "nobody_profile"], ["--skip", "typo"], ["--fresh", EXAMPLE]],
)
def test_the_evaluation_refuses_an_owner_it_cannot_keep_apart(arguments: list[str]) -> None:
    # Refused before the engine loads: a misspelt --fresh owner would be trained on.
    with pytest.raises(SystemExit) as refused:
        main(arguments)
    assert refused.value.code == 2


def test_the_example_weighs_as_a_share_of_the_other_owners() -> None:
    """4 owners beside 34 others, as in the model the eval measured best; the same share of
    50 others; never less than one owner."""

    def weights(others: int) -> list[float]:
        owners = [EXAMPLE] + [f"owner{number}" for number in range(others)]
        samples = [
            cast(Sample, SimpleNamespace(question=LabelledQuestion(owner, "s", "1", "q", ())))
            for owner in owners
        ]
        return _profile_weights(samples).tolist()

    assert weights(34)[0] == pytest.approx(4.0)
    assert weights(50)[0] == pytest.approx(50 * 4 / 34)
    assert weights(2)[0] == 1.0
    assert set(weights(34)[1:]) == {1.0}


@pytest.mark.parametrize(
    ("expected", "correct", "pair_correct"),
    [(("a",), True, True), (("b",), False, True), (("c",), False, False), ((), False, False)],
)
def test_the_decisions_learn_whether_the_best_entry_and_the_best_two_answer(
    expected: tuple[str, ...], correct: bool, pair_correct: bool
) -> None:
    columns = len(RANKING_FEATURES)
    features = np.zeros((3, columns))
    features[:, 0] = [3.0, 2.0, 1.0]  # ranks a, b, c
    ranker = LogisticModel(np.eye(columns)[0], 0.0, np.zeros(columns), np.ones(columns))
    sample = Sample(
        LabelledQuestion("o", "s", "1", "q", expected),
        tuple(cast(Entry, SimpleNamespace(key=key)) for key in "abc"),
        ("a", "b", "c"),
        QuestionSignals((), None, None, 2),
        features,
        np.zeros(3),
        "en",
        False,
        None,
    )
    [judged] = judge([sample], None, ranker, columns, len(DECISION_FEATURES))
    assert (judged.correct, judged.pair_correct) == (correct, pair_correct)
