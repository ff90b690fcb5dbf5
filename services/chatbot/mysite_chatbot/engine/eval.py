"""Evaluate the engine on labelled questions: accuracy, refusals, latency, startup, memory.

    python -m mysite_chatbot.engine.eval                       # dev and held-out sets
    python services/chatbot/eval/run_eval.py --json out.json   # same, figures as JSON

Question files are JSON lines: {"id": "d001", "question": "...", "expected": ["work:0"]};
an empty ``expected`` list means the profile cannot answer it and the engine should
decline. Entry keys are ``Source.key`` values ("work:0", "basics.email", "faq:3").
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

EVAL_DIR = Path(__file__).resolve().parents[2] / "eval"
# Tuned on: the failures of these sets were read and the engine changed for them.
TUNING_SETS = ["dev", "dev_a", "dev_b", "dev_d", "dev_f"]
# Held out: only their totals were ever looked at. heldout4-6 were written by writers
# who saw nothing but the profile, the FAQ and the entry keys (eval/WRITERS_BRIEF.md).
HELD_OUT_SETS = ["heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6"]
# Other owners' profiles, each a folder with profile.json, faqs.json and
# questions_heldout.jsonl, asked of an engine loaded with that profile: they show how
# far what was tuned on one profile carries to another. The failures of the second to
# fourth were read (they are tuning sets, despite the file name); the fifth's were not.
OTHER_PROFILES = {
    "second_profile": "tuned on",
    "third_profile": "tuned on",
    "fourth_profile": "tuned on",
    "fifth_profile": "held out",
}
INDEPENDENT_HELD_OUT = ["heldout4", "heldout5", "heldout6", "fifth_profile"]
DEFAULT_SETS = {name: EVAL_DIR / f"questions_{name}.jsonl" for name in TUNING_SETS + HELD_OUT_SETS}


@dataclass
class Question:
    id: str
    question: str
    expected: list[str]


@dataclass
class Outcome:
    id: str
    question: str
    expected: list[str]
    language: str
    cross_language: bool
    answered: bool
    top_key: str | None
    top3: list[str]
    confidence: float
    latency_ms: float
    answer: str


@dataclass
class SetReport:
    name: str
    questions: int
    answerable: int
    unanswerable: int
    cross_language_questions: int
    korean_questions: int
    top1_accuracy: float
    top1_retrieval: float
    top3_accuracy: float
    cross_language_accuracy: float
    refusal_rate_unanswerable: float
    wrong_answer_rate_answerable: float
    latency_p50_ms: float
    latency_p95_ms: float
    latency_max_ms: float
    embedded_share: float
    failures: list[dict[str, Any]] = field(default_factory=list)


def read_questions(path: Path) -> list[Question]:
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            questions.append(Question(row["id"], row["question"], list(row.get("expected", []))))
    return questions


def read_profile(eval_dir: Path) -> tuple[dict[str, Any], list[Any]]:
    from mysite_chatbot.engine import FaqEntry

    profile = json.loads((eval_dir / "profile.json").read_text(encoding="utf-8"))
    faqs_raw = json.loads((eval_dir / "faqs.json").read_text(encoding="utf-8"))
    faqs = [FaqEntry(int(row["id"]), str(row["question"]), str(row["answer"])) for row in faqs_raw]
    return profile, faqs


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    position = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[position]


def evaluate_set(
    engine: Any, name: str, questions: list[Question]
) -> tuple[SetReport, list[Outcome]]:
    embedded_before = engine.stats.embedded_questions
    asked_before = engine.stats.questions
    outcomes = ask_all(engine, questions)
    asked = engine.stats.questions - asked_before
    embedded = engine.stats.embedded_questions - embedded_before
    report = summarize(name, outcomes)
    # ask() and top_entries() both rank; count the share of rankings that embedded.
    report.embedded_share = embedded / asked if asked else 0.0
    return report, outcomes


def ask_all(engine: Any, questions: list[Question]) -> list[Outcome]:
    from mysite_chatbot.engine.text import detect_language

    by_key = {entry.key: entry for entry in engine.entries}
    outcomes: list[Outcome] = []
    for question in questions:
        started = time.perf_counter()
        answer = engine.ask(question.question)
        latency = (time.perf_counter() - started) * 1000
        top3 = [entry.key for entry, _ in engine.top_entries(question.question, 3)]
        language = detect_language(question.question)
        first = by_key.get(question.expected[0]) if question.expected else None
        cross = bool(
            first is not None and first.content_language and first.content_language != language
        )
        top_key = answer.sources[0].key if answer.answered and answer.sources else None
        outcomes.append(
            Outcome(
                question.id,
                question.question,
                question.expected,
                language,
                cross,
                answer.answered,
                top_key,
                top3,
                answer.confidence,
                latency,
                answer.answer,
            )
        )
    return outcomes


def summarize(name: str, outcomes: list[Outcome]) -> SetReport:
    answerable = [o for o in outcomes if o.expected]
    unanswerable = [o for o in outcomes if not o.expected]
    cross_language = [o for o in answerable if o.cross_language]

    def correct(outcome: Outcome) -> bool:
        return outcome.answered and outcome.top_key in outcome.expected

    def share(items: list[Outcome], test: Any) -> float:
        return sum(1 for item in items if test(item)) / len(items) if items else 0.0

    latencies = [o.latency_ms for o in outcomes]
    failures = [
        {
            "id": o.id,
            "question": o.question,
            "expected": o.expected,
            "got": o.top_key,
            "answered": o.answered,
            "top3": o.top3,
            "confidence": round(o.confidence, 3),
        }
        for o in outcomes
        if (o.expected and not correct(o)) or (not o.expected and o.answered)
    ]
    return SetReport(
        name=name,
        questions=len(outcomes),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        cross_language_questions=len(cross_language),
        korean_questions=sum(1 for o in outcomes if o.language == "ko"),
        top1_accuracy=share(answerable, correct),
        top1_retrieval=share(answerable, lambda o: bool(o.top3) and o.top3[0] in o.expected),
        top3_accuracy=share(answerable, lambda o: any(key in o.expected for key in o.top3)),
        cross_language_accuracy=share(cross_language, correct),
        refusal_rate_unanswerable=share(unanswerable, lambda o: not o.answered),
        wrong_answer_rate_answerable=share(
            answerable, lambda o: o.answered and o.top_key not in o.expected
        ),
        latency_p50_ms=statistics.median(latencies) if latencies else 0.0,
        latency_p95_ms=_percentile(latencies, 0.95),
        latency_max_ms=max(latencies) if latencies else 0.0,
        embedded_share=0.0,
        failures=failures,
    )


def _peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _print_report(report: SetReport, show_failures: bool) -> None:
    print(
        f"\n== {report.name}: {report.questions} questions "
        f"({report.answerable} answerable, {report.unanswerable} unanswerable, "
        f"{report.cross_language_questions} cross-language, {report.korean_questions} Korean)"
    )
    print(f"  top-1 accuracy (answered and right source) {report.top1_accuracy:7.1%}")
    print(f"  top-1 retrieval (best entry right)         {report.top1_retrieval:7.1%}")
    print(f"  top-3 accuracy                             {report.top3_accuracy:7.1%}")
    print(f"  cross-language top-1 accuracy              {report.cross_language_accuracy:7.1%}")
    print(f"  refusal rate on unanswerable               {report.refusal_rate_unanswerable:7.1%}")
    print(
        f"  wrong-answer rate on answerable            {report.wrong_answer_rate_answerable:7.1%}"
    )
    print(
        f"  latency p50 / p95 / max                    {report.latency_p50_ms:6.1f} / "
        f"{report.latency_p95_ms:.1f} / {report.latency_max_ms:.1f} ms"
    )
    print(f"  questions that used embeddings             {report.embedded_share:7.1%}")
    if show_failures:
        for failure in report.failures:
            print(
                f"    x {failure['id']} {failure['question']!r} expected={failure['expected']} "
                f"got={failure['got']} answered={failure['answered']} conf={failure['confidence']} "
                f"top3={failure['top3']}"
            )


def _print_summary(reports: list[SetReport]) -> None:
    """One line per set: the figures the chatbot issue sets targets for."""
    print(
        "\n| set | questions | top-1 | top-3 | cross-language top-1 | unanswerable refused "
        "| wrong on answerable | p95 |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for report in reports:
        print(
            f"| {report.name} | {report.questions} | {report.top1_accuracy:.1%} "
            f"| {report.top3_accuracy:.1%} | {report.cross_language_accuracy:.1%} "
            f"| {report.refusal_rate_unanswerable:.1%} "
            f"| {report.wrong_answer_rate_answerable:.1%} | {report.latency_p95_ms:.1f} ms |"
        )


def main(argv: list[str] | None = None, process_started: float | None = None) -> int:
    started = process_started if process_started is not None else time.perf_counter()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--set",
        action="append",
        dest="sets",
        metavar="NAME=PATH",
        help="question set(s) to run (default: every set in the eval folder)",
    )
    parser.add_argument(
        "--eval-dir", type=Path, default=EVAL_DIR, help="folder with profile.json and faqs.json"
    )
    parser.add_argument(
        "--policy",
        choices=["always", "when_unsure", "never"],
        default="never",
        help="when to use embeddings (default: never, the engine's default)",
    )
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    parser.add_argument(
        "--failures", action="store_true", help="list the questions the engine got wrong"
    )
    args = parser.parse_args(argv)

    sets = dict(DEFAULT_SETS)
    other_profiles = list(OTHER_PROFILES) if args.eval_dir == EVAL_DIR else []
    if args.sets:
        sets = {}
        other_profiles = []
        for spec in args.sets:
            name, _, path = spec.partition("=")
            sets[name] = Path(path) if path else DEFAULT_SETS[name]

    from mysite_chatbot.engine import Engine

    engine = Engine.create(embedding_policy=args.policy)
    engine.warm_up()
    profile, faqs = read_profile(args.eval_dir)
    load_started = time.perf_counter()
    engine.load(profile, faqs)
    load_ms = (time.perf_counter() - load_started) * 1000
    engine.ask("어디서 일하세요?")
    first_answer_s = time.perf_counter() - started
    engine.wait_until_ready()
    ready_s = time.perf_counter() - started
    reload_started = time.perf_counter()
    engine.load(profile, faqs, wait=True)  # embeddings are cached by text: a re-load is cheap
    reload_ms = (time.perf_counter() - reload_started) * 1000

    print(
        f"mode: {engine.mode} (embeddings: {engine.embedding_status}, policy: {args.policy}); "
        f"{len(engine.entries)} entries"
    )
    print(
        f"startup to first answer {first_answer_s:.2f} s; "
        f"fully ready (embeddings) {ready_s:.2f} s; "
        f"load() {load_ms:.0f} ms, re-load with cached embeddings {reload_ms:.0f} ms"
    )

    reports = []
    pooled: list[Outcome] = []
    for name, path in sets.items():
        report, outcomes = evaluate_set(engine, name, read_questions(path))
        reports.append(report)
        _print_report(report, args.failures)
        if name in INDEPENDENT_HELD_OUT:
            pooled += outcomes
    for name in other_profiles:
        folder = args.eval_dir / name
        other = Engine(engine.resources, embedding_policy=args.policy)
        other.load(*read_profile(folder), wait=True)
        report, outcomes = evaluate_set(
            other, name, read_questions(folder / "questions_heldout.jsonl")
        )
        reports.append(report)
        _print_report(report, args.failures)
        if name in INDEPENDENT_HELD_OUT:
            pooled += outcomes
    if pooled:
        reports.append(summarize("independent held-out, pooled", pooled))
    peak_rss = _peak_rss_mb()
    _print_summary(reports)
    print(f"\npeak RSS {peak_rss:.0f} MB")

    if args.json:
        figures = {
            "mode": engine.mode,
            "embedding_status": engine.embedding_status,
            "embedding_policy": args.policy,
            "entries": len(engine.entries),
            "startup_to_first_answer_s": round(first_answer_s, 3),
            "startup_to_ready_s": round(ready_s, 3),
            "load_ms": round(load_ms, 1),
            "reload_ms": round(reload_ms, 1),
            "peak_rss_mb": round(peak_rss, 1),
            "sets": {report.name: asdict(report) for report in reports},
        }
        args.json.write_text(
            json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
