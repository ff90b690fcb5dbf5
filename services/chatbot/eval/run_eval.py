"""Evaluate the engine as a new owner meets it: leave one owner out.

    .venv/bin/python services/chatbot/eval/run_eval.py [--json out.json] [--failures]
        [--skip OWNER] [--apart OWNER] [--fresh OWNER] [--lexical]   # or: make eval ARGS="..."

For each owner in eval/ (the shipped example and every sub-folder with a profile), the
models are trained on every other owner's questions and the engine, loaded with the left
out owner's profile, answers that owner's questions. No figure comes from questions the
models were trained on. The shipped example is also asked its held-out sets with models
that learned from its development sets too, as it ships (see eval/README.md). Reported:
top-1 (answered from one expected entry), cross-language top-1, unanswerable questions
declined, wrong answers on answerable ones, answers from two entries one of which is
expected (counted neither right nor wrong), latency through ``Engine.ask``, startup and
memory; and, for the other owners and those reported apart, the answerable questions by the
section of the entry that answers them: how often the best-ranked entry was right, and how
often the engine answered right, declined or answered wrong.

Also reported: what one review of the question log gives an owner. Each set's first half is
asked first; the owner then teaches every answerable question of it the engine missed
(declined or answered wrongly) to its expected entry (POST /api/chat/questions/{id}/entry),
and the second half is asked again. The figures compare the second half before and after.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

# Startup is measured from here, before the engine (Kiwi, numpy, the encoder) is imported.
PROCESS_STARTED = time.perf_counter()

# The service's package and this folder's modules (services.chatbot.eval.training),
# importable once the path is set here (E402).
for root in Path(__file__).resolve().parents[1], Path(__file__).resolve().parents[3]:
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))

from mysite_chatbot.engine import Engine  # noqa: E402
from mysite_chatbot.engine.learned import EngineModel, section_of  # noqa: E402
from services.chatbot.eval.training import (  # noqa: E402
    EXAMPLE,
    EXAMPLE_TUNING_SETS,
    Sample,
    collect,
    fit_model,
    held_back_owners,
    is_example_held_out,
    load_owner,
    profile_folders,
    read_profile,
)


@dataclass
class Outcome:
    owner: str
    set_name: str
    id: str
    question: str
    expected: tuple[str, ...]
    cross_language: bool
    answered: bool
    top_key: str | None
    top3: list[str]
    confidence: float
    latency_ms: float
    suggested: tuple[str, ...] = ()  # the entries offered with a declined question
    second_key: str | None = None  # answered from two entries (the pair decision): the other

    @property
    def correct(self) -> bool:
        """Answered from one entry, which answers it."""
        return self.answered and self.second_key is None and self.top_key in self.expected

    @property
    def one_of_two_right(self) -> bool:
        """Answered from two entries, one of which answers it."""
        pair = {self.top_key, self.second_key}
        return self.second_key is not None and bool(pair & set(self.expected))

    @property
    def wrong(self) -> bool:
        return self.answered and not self.correct and not self.one_of_two_right

    @property
    def one_click_away(self) -> bool:
        """Declined, but the entry that answers it is among those offered."""
        return not self.answered and any(key in self.expected for key in self.suggested)


@dataclass
class Report:
    name: str
    questions: int
    answerable: int
    unanswerable: int
    cross_language_questions: int
    top1: float
    top3: float
    cross_language_top1: float
    unanswerable_declined: float
    wrong_on_answerable: float
    declined_right_one_offered: float  # answerable, declined, the answer one click away
    two_entries_one_right: float  # answerable, answered from two entries, one of them right
    two_entry_answers: int  # questions answered from two entries, answerable or not
    unanswerable_offered: float  # unanswerable, declined with entries offered all the same
    latency_p50_ms: float
    latency_p95_ms: float


def _share(items: Sequence[Outcome], test: object) -> float:
    assert callable(test)
    return sum(1 for item in items if test(item)) / len(items) if items else 0.0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summarize(name: str, outcomes: Sequence[Outcome]) -> Report:
    answerable = [o for o in outcomes if o.expected]
    unanswerable = [o for o in outcomes if not o.expected]
    cross = [o for o in answerable if o.cross_language]
    latencies = [o.latency_ms for o in outcomes]
    return Report(
        name=name,
        questions=len(outcomes),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        cross_language_questions=len(cross),
        top1=_share(answerable, lambda o: o.correct),
        top3=_share(answerable, lambda o: any(key in o.expected for key in o.top3)),
        cross_language_top1=_share(cross, lambda o: o.correct),
        unanswerable_declined=_share(unanswerable, lambda o: not o.answered),
        wrong_on_answerable=_share(answerable, lambda o: o.wrong),
        declined_right_one_offered=_share(answerable, lambda o: o.one_click_away),
        two_entries_one_right=_share(answerable, lambda o: o.one_of_two_right),
        two_entry_answers=sum(1 for o in outcomes if o.second_key is not None),
        unanswerable_offered=_share(unanswerable, lambda o: not o.answered and o.suggested),
        latency_p50_ms=statistics.median(latencies) if latencies else 0.0,
        latency_p95_ms=_percentile(latencies, 0.95),
    )


@dataclass
class SectionReport:
    """Answerable questions whose first expected entry is of one section (``faq``, ``work``,
    ``basics``...): whether the best-ranked entry answers them, and what the decision made
    of that. Finer totals that name no question: where ranking or deciding falls short."""

    name: str
    section: str
    answerable: int
    ranked_first: float  # the best-ranked entry answers it, answered or not
    top1: float
    declined: float
    wrong: float


def summarize_sections(name: str, outcomes: Sequence[Outcome]) -> list[SectionReport]:
    by_section: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        if outcome.expected:
            # The basics fields together: section_of keeps "basics.email" apart.
            section = section_of(outcome.expected[0]).split(".", 1)[0]
            by_section.setdefault(section, []).append(outcome)
    return [
        SectionReport(
            name=name,
            section=section,
            answerable=len(found),
            ranked_first=_share(found, lambda o: bool(o.top3) and o.top3[0] in o.expected),
            top1=_share(found, lambda o: o.correct),
            declined=_share(found, lambda o: not o.answered),
            wrong=_share(found, lambda o: o.wrong),
        )
        for section, found in sorted(by_section.items(), key=lambda item: -len(item[1]))
    ]


def training_samples(
    samples: Sequence[Sample], left_out: str, fresh: Collection[str] = ()
) -> list[Sample]:
    """What the models of one fold learn from: every owner's questions but the left-out
    owner's and those of the owners no model may see (``--fresh``)."""
    return [
        sample
        for sample in samples
        if sample.question.profile != left_out and sample.question.profile not in fresh
    ]


def fresh_owners(
    named: Collection[str], apart: Collection[str], held_back: Collection[str]
) -> set[str]:
    """The owners no fold trains on: those named with --fresh, and those the shipped model
    is not trained on (eval/held_back.txt), so that a plain run measures what ships, unless
    --apart names them (trained on for the others: how the model would do with them)."""
    return set(named) | (set(held_back) - set(apart))


class FoldModels:
    """Fits each fold's models. Every fresh owner's fold learns from the same owners (all
    but the fresh ones), so that model is fitted once; every other fold fits its own."""

    def __init__(self, fresh: Collection[str]) -> None:
        self.fresh = fresh
        self._fresh_model: EngineModel | None = None

    def fit(self, trained_on: Sequence[Sample], left_out: str) -> EngineModel:
        if left_out not in self.fresh:
            return fit_model(trained_on)
        if self._fresh_model is None:
            self._fresh_model = fit_model(trained_on)
        return self._fresh_model


def evaluate_owner(
    engine: Engine,
    folder: Path,
    samples: Sequence[Sample],
    taught: dict[str, tuple[str, ...]] | None = None,
) -> list[Outcome]:
    """Ask every question of one owner through ``engine.ask``, as a visitor would."""
    load_owner(engine, folder, taught)
    outcomes = []
    for sample in samples:
        question = sample.question
        started = time.perf_counter()
        answer = engine.ask(question.question)
        latency = (time.perf_counter() - started) * 1000
        top3 = [entry.key for entry, _ in engine.top_entries(question.question, 3)]
        outcomes.append(
            Outcome(
                question.profile,
                question.set_name,
                question.id,
                question.question,
                question.expected,
                sample.cross_language,
                answer.answered,
                answer.sources[0].key if answer.answered and answer.sources else None,
                top3,
                answer.confidence,
                latency,
                tuple(suggestion.source.key for suggestion in answer.suggestions),
                answer.sources[1].key if answer.answered and len(answer.sources) > 1 else None,
            )
        )
    return outcomes


def split_log(samples: Sequence[Sample]) -> tuple[list[int], list[int]]:
    """The positions of each set's first half (asked before the owner reviews the log) and
    of its second half (asked after)."""
    first: list[int] = []
    later: list[int] = []
    by_set: dict[str, list[int]] = {}
    for position, sample in enumerate(samples):
        by_set.setdefault(sample.question.set_name, []).append(position)
    for positions in by_set.values():
        half = len(positions) // 2
        first += positions[:half]
        later += positions[half:]
    return first, later


def taught_from(outcomes: Sequence[Outcome]) -> dict[str, tuple[str, ...]]:
    """What an owner teaches from the log: each answerable question that was missed, to
    the first entry that answers it."""
    taught: dict[str, list[str]] = {}
    for outcome in outcomes:
        if outcome.expected and not outcome.correct:
            taught.setdefault(outcome.expected[0], []).append(outcome.question)
    return {key: tuple(questions) for key, questions in taught.items()}


def after_one_review(
    engine: Engine, folder: Path, samples: Sequence[Sample], outcomes: Sequence[Outcome]
) -> tuple[list[Outcome], list[Outcome], int]:
    """The second halves' outcomes before and after the owner taught the first halves'
    misses, and how many questions were taught."""
    first, later = split_log(samples)
    taught = taught_from([outcomes[position] for position in first])
    after = evaluate_owner(engine, folder, [samples[position] for position in later], taught)
    before = [outcomes[position] for position in later]
    return before, after, sum(len(questions) for questions in taught.values())


def _print_table(reports: Sequence[Report]) -> None:
    print(
        "\n| set | questions | top-1 | top-3 | cross-language top-1 | unanswerable declined "
        "| wrong on answerable | declined, the right entry offered "
        "| two entries, one right (answers from two) "
        "| unanswerable, entries offered | p95 |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in reports:
        print(
            f"| {r.name} | {r.questions} | {r.top1:.1%} | {r.top3:.1%} "
            f"| {r.cross_language_top1:.1%} ({r.cross_language_questions}) "
            f"| {r.unanswerable_declined:.1%} ({r.unanswerable}) "
            f"| {r.wrong_on_answerable:.1%} | {r.declined_right_one_offered:.1%} "
            f"| {r.two_entries_one_right:.1%} ({r.two_entry_answers}) "
            f"| {r.unanswerable_offered:.1%} | {r.latency_p95_ms:.1f} ms |"
        )


def _print_sections(sections: Sequence[SectionReport]) -> None:
    if not sections:
        return
    print(
        "\n| owners | section of the answering entry | answerable | best-ranked right "
        "| top-1 | declined | wrong |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in sections:
        print(
            f"| {r.name} | {r.section} | {r.answerable} | {r.ranked_first:.1%} | {r.top1:.1%} "
            f"| {r.declined:.1%} | {r.wrong:.1%} |"
        )


def _print_failures(outcomes: Sequence[Outcome]) -> None:
    for o in outcomes:
        if (o.expected and not o.correct) or (not o.expected and o.answered):
            print(
                f"    x {o.owner}/{o.id} {o.question!r} expected={list(o.expected)} "
                f"got={o.top_key} conf={o.confidence:.2f} top3={o.top3}"
            )


def main(argv: list[str] | None = None, process_started: float | None = None) -> int:
    started = process_started if process_started is not None else time.perf_counter()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    parser.add_argument(
        "--failures", action="store_true", help="list the questions the engine got wrong"
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="OWNER",
        help="leave an owner out of the report (still trained on for the others)",
    )
    parser.add_argument(
        "--apart",
        action="append",
        default=[],
        metavar="OWNER",
        help="report an owner apart from the pooled figures (still trained on for the others)",
    )
    parser.add_argument(
        "--fresh",
        action="append",
        default=[],
        metavar="OWNER",
        help="an owner no model is trained on, reported apart: how owners added after the "
        "engine was built meet it (the owners of eval/held_back.txt are, unless --apart)",
    )
    parser.add_argument(
        "--lexical", action="store_true", help="without the sentence encoder (the fallback)"
    )
    args = parser.parse_args(argv)
    folders = profile_folders()
    # A misspelt owner would be trained on where --fresh meant it not to be: refuse it.
    unknown = sorted(set(args.skip + args.apart + args.fresh) - set(folders))
    if unknown:
        parser.error(f"no such owner in eval/: {', '.join(unknown)}")
    if EXAMPLE in args.apart + args.fresh:
        parser.error("the example is always reported on its own rows")
    try:
        held_back = held_back_owners()
    except ValueError as error:
        parser.error(str(error))

    engine = Engine.create(embeddings=not args.lexical)
    engine.warm_up()
    profile, faqs = read_profile(folders[EXAMPLE])
    engine.load(profile, faqs)
    if engine.model is not None:
        engine.ask("어디서 일하세요?")
    first_answer_s = time.perf_counter() - started
    print(f"mode: {engine.mode}; startup to first answer {first_answer_s:.2f} s")

    samples = collect(engine, folders)
    fresh = fresh_owners(args.fresh, args.apart, held_back)
    # Owners reported apart are left out of the pooled figures (and the review's), so that
    # the same owners' pooled figures can be compared between runs with and without them in
    # training.
    apart_owners = fresh | set(args.apart)
    reports: list[Report] = []
    others: list[Outcome] = []
    apart: list[Outcome] = []
    example_held_out: list[Outcome] = []
    example_strict: list[Outcome] = []
    review_before: list[Outcome] = []
    review_after: list[Outcome] = []
    taught_questions = 0
    fold_models = FoldModels(fresh)
    for owner, folder in folders.items():
        if owner in args.skip:
            continue
        trained_on = training_samples(samples, owner, fresh)
        asked = [sample for sample in samples if sample.question.profile == owner]
        engine.model = fold_models.fit(trained_on, owner)
        outcomes = evaluate_owner(engine, folder, asked)
        if args.failures:
            # The example's held-out sets are totals only: never list their failures.
            _print_failures(
                [o for o in outcomes if owner != EXAMPLE or o.set_name in EXAMPLE_TUNING_SETS]
            )
        if owner in apart_owners:
            apart += outcomes
            reports.append(summarize(f"{owner} (apart)", outcomes))
            continue
        if owner != EXAMPLE:
            others += outcomes
            reports.append(summarize(owner, outcomes))
            before, after, taught = after_one_review(engine, folder, asked, outcomes)
            review_before += before
            review_after += after
            taught_questions += taught
            continue
        # Strictly left out: the example's every set, with models that saw none of it.
        example_strict = outcomes
        # As shipped: the models also learn from the example's development sets (never
        # from its held-out sets); only the held-out sets are reported.
        engine.model = fit_model(
            trained_on + [sample for sample in asked if not is_example_held_out(sample.question)]
        )
        held_out = [sample for sample in asked if is_example_held_out(sample.question)]
        example_held_out = evaluate_owner(engine, folder, held_out)
        before, after, taught = after_one_review(engine, folder, held_out, example_held_out)
        review_before += before
        review_after += after
        taught_questions += taught
        for set_name in sorted({o.set_name for o in example_held_out}):
            reports.append(
                summarize(
                    f"example {set_name}", [o for o in example_held_out if o.set_name == set_name]
                )
            )
        reports.append(summarize("example, held-out sets", example_held_out))
        reports.append(
            summarize(
                "example strictly left out, held-out sets",
                [o for o in example_strict if o.set_name not in EXAMPLE_TUNING_SETS],
            )
        )
        reports.append(summarize("example strictly left out, all sets", example_strict))
    if apart:
        reports.append(summarize("owners reported apart, pooled", apart))
    if others:
        reports.append(summarize("other owners, pooled", others))
    if others or example_held_out:
        # Pooled: every other owner, and the example's held-out sets as shipped.
        reports.append(summarize("all owners, pooled", others + example_held_out))
    if example_strict:
        reports.append(
            summarize(
                "all owners, pooled, example strictly left out (all sets)", others + example_strict
            )
        )
    if review_before:
        reports.append(summarize("all owners, second halves, before the review", review_before))
        reports.append(
            summarize(
                f"all owners, second halves, after teaching {taught_questions} missed questions",
                review_after,
            )
        )
    sections = summarize_sections("other owners", others) + summarize_sections(
        "owners reported apart", apart
    )
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _print_table(reports)
    _print_sections(sections)
    print(f"\npeak RSS {peak_rss:.0f} MB (the evaluation holds every owner's signals)")
    if args.json:
        figures = {
            "mode": engine.mode,
            "startup_to_first_answer_s": round(first_answer_s, 3),
            "peak_rss_mb": round(peak_rss, 1),
            "reports": [asdict(report) for report in reports],
            "sections": [asdict(section) for section in sections],
        }
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(process_started=PROCESS_STARTED))
