"""Train the engine's models on the labelled questions of every owner in eval/.

    python -m services.chatbot.eval.training      # make train: writes engine/data/model.json

It lives beside the labelled questions it reads, outside the served package: a replica
only loads what it writes.

Each owner's folder holds profile.json, faqs.json and question files (JSON lines
``{"id", "question", "expected": [entry keys]}``, an empty list meaning "cannot be
answered"); the shipped example lives in eval/ itself. Owners count equally, however many
questions they have. The decision is trained on rankings of owners the re-ranker and
section classifier had not seen (inner leave-one-owner-out), so that its probabilities say
how sure to be about a new owner, not about its training data.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mysite_chatbot.engine.engine import (
    DECISION_FEATURES,
    LEARNED_COLUMNS,
    LEXICAL_DECISION_FEATURES,
    LEXICAL_RANKING_FEATURES,
    Engine,
    QuestionSignals,
    decision_features,
    entry_facts,
    ranking_features,
    set_learned_features,
    set_section_features,
)
from mysite_chatbot.engine.learned import (
    UNANSWERABLE,
    EngineModel,
    LogisticModel,
    Matrix,
    SimilarityModel,
    SoftmaxModel,
    Variant,
    section_of,
    with_concepts,
)
from mysite_chatbot.engine.models import Entry, FaqEntry
from mysite_chatbot.engine.smalltalk import split_small_talk
from mysite_chatbot.engine.text import Language, clean_text, detect_language
from mysite_common.text import MAX_QUESTION_CHARS

EVAL_DIR = Path(__file__).resolve().parent
EXAMPLE = "example"
# Owners `make train` leaves out: those written after the shipped model was last measured,
# kept out of it until a run of the eval measures them in training (eval/README.md). The
# eval reads them fresh by default, so that it measures what ships.
HELD_BACK_FILE = EVAL_DIR / "held_back.txt"
# The example ships with the product: its development sets were always used for tuning
# and train every model; its held-out sets ("heldout", "heldout2"...) never train one,
# so their figures stay comparable with the earlier engine's (see eval/README.md).
EXAMPLE_TUNING_SETS = ("dev", "dev_a", "dev_b", "dev_d", "dev_f")
# The example weighs as this share of all the other owners together: it is the profile
# every new site starts with, and its five development sets hold more kinds of questions
# than any other owner's. It weighed as 4 owners beside 34 others when the eval measured
# that best (fifteenth round); as a fixed count, 50 other owners diluted it and its
# held-out sets fell (89.6 -> 88.3%), as a share they did not (89.8%; sixteenth round,
# docs/performance.md).
EXAMPLE_SHARE_OF_OTHERS = 4 / 34
# The re-ranker learns how far to trust the learned similarity from values computed by
# similarities that never saw the question's owner: fitted with this many groups of owners
# left out in turn (one group per owner would be exact, and twelve fits per model).
SIMILARITY_GROUPS = 3
# A wrong answer (another entry's, or one to a question the profile cannot answer) costs
# this many right answers. The decision's probability p is fitted on out-of-owner rankings,
# so answering pays where p - (1 - p) * WRONG_ANSWER_COST > 0: above ANSWER_THRESHOLD.
# (Searched on those same rankings instead, the best threshold lay anywhere in a flat
# stretch from 0.56 to 0.72, so it depended on the machine's floating point: 0.58 where
# the eleventh round trained, 0.66 on the next machine. See docs/performance.md.)
WRONG_ANSWER_COST = 2.0
ANSWER_THRESHOLD = WRONG_ANSWER_COST / (1.0 + WRONG_ANSWER_COST)
# Where the decision declines, an answer from the two best entries, one of which answers,
# is worth this share of a right answer (the visitor reads two facts to find theirs); it
# pays where the pair decision's p * PAIR_ANSWER_VALUE > (1 - p) * WRONG_ANSWER_COST.
PAIR_ANSWER_VALUE = 0.5
PAIR_THRESHOLD = WRONG_ANSWER_COST / (PAIR_ANSWER_VALUE + WRONG_ANSWER_COST)


@dataclass(frozen=True)
class LabelledQuestion:
    profile: str
    set_name: str
    id: str
    question: str
    expected: tuple[str, ...]


def is_example_held_out(question: LabelledQuestion) -> bool:
    """A question of the example's held-out sets, which no model may be trained on."""
    return question.profile == EXAMPLE and question.set_name not in EXAMPLE_TUNING_SETS


@dataclass(frozen=True)
class OwnerTexts:
    """One owner's entry texts as the learned similarity sees them, padded per entry."""

    vectors: Matrix  # (entries, most texts of an entry, dimensions)
    mask: Matrix  # (entries, most texts): True where a real text is

    @classmethod
    def of(cls, vectors: Matrix, owners: Sequence[int], entries: int) -> OwnerTexts:
        counts = np.bincount(np.asarray(owners, dtype=np.int64), minlength=entries)
        padded = np.zeros((entries, max(1, int(counts.max())), vectors.shape[1]))
        mask = np.zeros(padded.shape[:2], dtype=bool)
        filled = np.zeros(entries, dtype=np.int64)
        for vector, owner in zip(vectors, owners, strict=True):
            padded[owner, filled[owner]] = vector
            mask[owner, filled[owner]] = True
            filled[owner] += 1
        return cls(padded, mask)

    def similarities(self, similarity: SimilarityModel, questions: Matrix) -> Matrix:
        """The learned similarity of each of ``questions`` (n, dimensions) with each entry,
        its best text: (n, entries). The texts are mapped once for all the questions."""
        entries, most, dimensions = self.vectors.shape
        mapped = similarity.transform(self.vectors.reshape(entries * most, dimensions))
        scores = (questions @ mapped.T).reshape(len(questions), entries, most)
        best: Matrix = np.where(self.mask[None], scores, -np.inf).max(axis=2)
        return best


@dataclass
class Sample:
    """A labelled question with what retrieval found for it in its owner's index."""

    question: LabelledQuestion
    entries: tuple[Entry, ...]
    sections: tuple[str, ...]  # each entry's section
    signals: QuestionSignals
    features: Matrix  # ranking features, section columns filled per model
    positives: Matrix  # 1.0 for the entries that answer it
    language: Language
    cross_language: bool
    texts: OwnerTexts | None  # None without embeddings


def profile_folders(eval_dir: Path = EVAL_DIR) -> dict[str, Path]:
    """Owner name -> folder: the example first, then every sub-folder with a profile."""
    folders = {EXAMPLE: eval_dir}
    for folder in sorted(eval_dir.iterdir()):
        if folder.is_dir() and (folder / "profile.json").is_file():
            folders[folder.name] = folder
    return folders


def read_profile(folder: Path) -> tuple[dict[str, object], list[FaqEntry]]:
    profile = json.loads((folder / "profile.json").read_text(encoding="utf-8"))
    faqs_path = folder / "faqs.json"
    rows = json.loads(faqs_path.read_text(encoding="utf-8")) if faqs_path.is_file() else []
    faqs = [FaqEntry(int(row["id"]), str(row["question"]), str(row["answer"])) for row in rows]
    return profile, faqs


def read_questions(profile: str, folder: Path) -> list[LabelledQuestion]:
    questions = []
    for path in sorted(folder.glob("questions_*.jsonl")):
        set_name = path.stem.removeprefix("questions_")
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                questions.append(
                    LabelledQuestion(
                        profile,
                        set_name,
                        str(row["id"]),
                        str(row["question"]),
                        tuple(row.get("expected", [])),
                    )
                )
    return questions


def load_owner(
    engine: Engine, folder: Path, taught: Mapping[str, Sequence[str]] | None = None
) -> None:
    """Load one eval owner as a replica's first load does, whatever owners this engine
    loaded before (Engine.forget_vectors): training and the eval load them all in turn."""
    engine.forget_vectors()
    engine.load(*read_profile(folder), taught=taught)


def question_text(question: str) -> str:
    """What the engine ranks for a question: small talk around it taken off."""
    text = clean_text(question, MAX_QUESTION_CHARS)
    return split_small_talk(text).remainder or text


def collect(
    engine: Engine, folders: dict[str, Path], only: Iterable[str] | None = None
) -> list[Sample]:
    """Signals for every labelled question of the chosen owners."""
    samples: list[Sample] = []
    for name, folder in folders.items():
        if only is not None and name not in only:
            continue
        load_owner(engine, folder)
        entries = engine.entries
        facts, sections = entry_facts(entries)
        by_key = {entry.key: entry for entry in entries}
        text_vectors = engine.text_vectors()
        texts = (
            None
            if text_vectors is None
            else OwnerTexts.of(text_vectors[0].astype(np.float64), text_vectors[1], len(entries))
        )
        for question in read_questions(name, folder):
            signals = engine.signals(question_text(question.question))
            language = detect_language(question.question)
            first = by_key.get(question.expected[0]) if question.expected else None
            cross = bool(first and first.content_language and first.content_language != language)
            positives = np.asarray([entry.key in question.expected for entry in entries], float)
            features = ranking_features(facts, sections, signals, {})
            # Set per model from similarities that never saw this owner (fit_variant).
            features[:, LEARNED_COLUMNS] = 0.0
            samples.append(
                Sample(
                    question,
                    entries,
                    sections,
                    signals,
                    features,
                    positives,
                    language,
                    cross,
                    texts,
                )
            )
    return samples


def _profile_weights(samples: Sequence[Sample]) -> Matrix:
    """Per-sample weights under which every owner weighs the same in total, and the example
    EXAMPLE_SHARE_OF_OTHERS of all the others together (at least as much as one owner)."""
    counts = Counter(sample.question.profile for sample in samples)
    mean = len(samples) / len(counts)
    other_owners = len(counts) - (1 if EXAMPLE in counts else 0)
    example_weight = max(1.0, EXAMPLE_SHARE_OF_OTHERS * other_owners)
    return np.asarray(
        [
            mean
            / counts[sample.question.profile]
            * (example_weight if sample.question.profile == EXAMPLE else 1.0)
            for sample in samples
        ]
    )


def _label(sample: Sample) -> str:
    expected = sample.question.expected
    return section_of(expected[0]) if expected else UNANSWERABLE


def _vectors(samples: Sequence[Sample]) -> Matrix:
    rows = [sample.signals.vector for sample in samples if sample.signals.vector is not None]
    return np.vstack(rows).astype(np.float64)


def fit_sections(samples: Sequence[Sample]) -> SoftmaxModel:
    usable = [sample for sample in samples if sample.signals.vector is not None]
    vectors = _vectors(usable)
    return fit_softmax(
        vectors,
        [sample.signals.concepts for sample in usable],
        [_label(sample) for sample in usable],
        sample_weights=_profile_weights(usable),
    )


def _with_sections(
    samples: Sequence[Sample], sections: SoftmaxModel | None
) -> list[dict[str, float]]:
    """Fill each sample's section columns from ``sections``; the probabilities by class."""
    result: list[dict[str, float]] = []
    if sections is None:
        return [{} for _ in samples]
    vectors = _vectors(samples)
    concepts = [sample.signals.concepts for sample in samples]
    for sample, row in zip(samples, sections.probabilities(vectors, concepts), strict=True):
        probabilities = dict(zip(sections.classes, row.tolist(), strict=True))
        set_section_features(sample.features, sample.sections, probabilities)
        result.append(probabilities)
    return result


def fit_similarity_on(samples: Sequence[Sample]) -> SimilarityModel:
    """The learned similarity, fitted on the answerable questions of ``samples``."""
    weights = _profile_weights(samples)
    by_owner: dict[str, list[tuple[Sample, float]]] = {}
    for sample, weight in zip(samples, weights, strict=True):
        if sample.question.expected and sample.texts is not None:
            by_owner.setdefault(sample.question.profile, []).append((sample, float(weight)))
    groups = []
    for found in by_owner.values():
        texts = found[0][0].texts
        assert texts is not None
        targets = np.vstack([sample.positives for sample, _ in found])
        groups.append(
            (
                _vectors([sample for sample, _ in found]),
                targets / targets.sum(axis=1, keepdims=True),
                np.asarray([weight for _, weight in found]),
                texts.vectors,
                texts.mask,
            )
        )
    return fit_similarity(groups)


def _with_learned(samples: Sequence[Sample], similarity: SimilarityModel) -> None:
    """Fill each sample's learned-similarity columns from ``similarity``, owner by owner
    (an owner's samples share its texts)."""
    by_owner: dict[str, list[Sample]] = {}
    for sample in samples:
        if sample.texts is not None and sample.signals.vector is not None:
            by_owner.setdefault(sample.question.profile, []).append(sample)
    for found in by_owner.values():
        texts = found[0].texts
        assert texts is not None
        learned = texts.similarities(similarity, _vectors(found))
        for sample, row in zip(found, learned, strict=True):
            set_learned_features(sample.features, row)


def _learned_out_of_owner(samples: Sequence[Sample]) -> None:
    """Every sample's learned-similarity columns from a similarity fitted without its owner
    (SIMILARITY_GROUPS groups of owners, each left out in turn)."""
    owners = sorted({sample.question.profile for sample in samples})
    for group_number in range(SIMILARITY_GROUPS):
        group = set(owners[group_number::SIMILARITY_GROUPS])
        if not group:
            continue
        similarity = fit_similarity_on([s for s in samples if s.question.profile not in group])
        _with_learned([s for s in samples if s.question.profile in group], similarity)


def fit_ranker(samples: Sequence[Sample], columns: int) -> LogisticModel:
    answerable = [sample for sample in samples if sample.question.expected]
    weights = _profile_weights(answerable)
    rows = np.vstack([sample.features[:, :columns] for sample in answerable])
    labels = np.concatenate([sample.positives for sample in answerable])
    row_weights = np.concatenate(
        [
            np.full(len(sample.entries), weight)
            for sample, weight in zip(answerable, weights, strict=True)
        ]
    )
    return fit_logistic(rows, labels, sample_weights=row_weights, l2=1.0)


@dataclass(frozen=True)
class Judged:
    """A question ranked and judged by models that never saw its owner."""

    sample: Sample
    correct: bool  # the best entry answers it
    features: list[float]  # the decision's
    pair_correct: bool  # one of the two best entries answers it


def judge(
    samples: Sequence[Sample],
    sections: SoftmaxModel | None,
    ranker: LogisticModel,
    ranking_columns: int,
    decision_columns: int,
) -> list[Judged]:
    by_class = _with_sections(samples, sections)
    judged = []
    for sample, probabilities in zip(samples, by_class, strict=True):
        logits = ranker.logits(sample.features[:, :ranking_columns])
        order = np.argsort(-logits, kind="stable")
        features = decision_features(sample.features, logits, order, sample.signals, probabilities)
        best_two = {sample.entries[int(position)].key for position in order[:2]}
        correct = sample.entries[int(order[0])].key in sample.question.expected
        pair_correct = bool(best_two & set(sample.question.expected))
        judged.append(Judged(sample, correct, features[:decision_columns], pair_correct))
    return judged


def fit_variant(samples: Sequence[Sample], hybrid: bool) -> tuple[Variant, SoftmaxModel | None]:
    """A re-ranker and a decision trained on out-of-owner rankings. With
    ``hybrid``, the samples' learned-similarity columns must hold out-of-owner values
    (_learned_out_of_owner)."""
    ranking_columns = len(samples[0].features[0]) if hybrid else LEXICAL_RANKING_FEATURES
    decision_columns = len(DECISION_FEATURES) if hybrid else LEXICAL_DECISION_FEATURES
    owners = sorted({sample.question.profile for sample in samples})
    out_of_owner: list[Judged] = []
    for owner in owners:
        inner = [sample for sample in samples if sample.question.profile != owner]
        left_out = [sample for sample in samples if sample.question.profile == owner]
        sections = fit_sections(inner) if hybrid else None
        _with_sections(inner, sections)
        ranker = fit_ranker(inner, ranking_columns)
        out_of_owner += judge(left_out, sections, ranker, ranking_columns, decision_columns)
    weights = _profile_weights([item.sample for item in out_of_owner])
    features = np.asarray([item.features for item in out_of_owner])
    decision = fit_logistic(
        features,
        np.asarray([item.correct for item in out_of_owner], float),
        sample_weights=weights,
        l2=1.0,
    )
    pair_decision = fit_logistic(
        features,
        np.asarray([item.pair_correct for item in out_of_owner], float),
        sample_weights=weights,
        l2=1.0,
    )
    sections = fit_sections(samples) if hybrid else None
    _with_sections(samples, sections)
    ranker = fit_ranker(samples, ranking_columns)
    return Variant(ranker, decision, ANSWER_THRESHOLD, pair_decision, PAIR_THRESHOLD), sections


# How often two questions at least paraphrase_cosine apart must share their entry.
PARAPHRASE_PRECISION = 0.98


def fit_paraphrase_cosine(samples: Sequence[Sample]) -> float:
    """The lowest cosine (in steps of 0.01 from 0.70) at which at least PARAPHRASE_PRECISION
    of the pairs of one owner's questions that close are answered by the same entry; a
    pair with an unanswerable question never is. 0.95 when no step is that precise."""
    cosines: list[Matrix] = []
    same: list[Matrix] = []
    owners = {sample.question.profile for sample in samples}
    for owner in sorted(owners):
        asked = [
            sample
            for sample in samples
            if sample.question.profile == owner and sample.signals.vector is not None
        ]
        if len(asked) < 2:
            continue
        vectors = _vectors(asked)
        upper = np.triu_indices(len(asked), 1)
        expected = [set(sample.question.expected) for sample in asked]
        first, second = upper
        answerable = np.array([bool(keys) for keys in expected])
        # Two unanswerable questions teach nothing: the owner teaches answerable ones.
        keep = answerable[first] | answerable[second]
        cosines.append((vectors @ vectors.T)[upper][keep])
        same.append(
            np.array(
                [
                    bool(expected[i] & expected[j])
                    for i, j in zip(first[keep].tolist(), second[keep].tolist(), strict=True)
                ]
            )
        )
    if not cosines:
        return 0.95
    all_cosines, all_same = np.concatenate(cosines), np.concatenate(same)
    for step in range(70, 96):
        close = all_cosines >= step / 100
        if close.any() and all_same[close].mean() >= PARAPHRASE_PRECISION:
            return step / 100
    return 0.95


def fit_model(samples: Sequence[Sample]) -> EngineModel:
    _learned_out_of_owner(samples)
    hybrid, sections = fit_variant(samples, hybrid=True)
    lexical, _ = fit_variant(samples, hybrid=False)
    assert sections is not None
    return EngineModel(
        sections,
        fit_similarity_on(samples),
        hybrid,
        lexical,
        fit_paraphrase_cosine(samples),
    )


# ------------------------------------------------------------------ the fitting


def fit_logistic(
    features: Matrix,
    labels: Matrix,
    *,
    l2: float = 1.0,
    sample_weights: Matrix | None = None,
    iterations: int = 25,
) -> LogisticModel:
    """L2-regularised logistic regression by Newton's method (a handful of features)."""
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-9] = 1.0
    x = np.hstack([(features - mean) / scale, np.ones((len(features), 1))])
    weights = np.ones(len(x)) if sample_weights is None else sample_weights
    beta = np.zeros(x.shape[1])
    penalty = np.eye(x.shape[1]) * l2
    penalty[-1, -1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ beta, -30, 30)))
        gradient = x.T @ (weights * (p - labels)) + penalty @ beta
        hessian = (x * (weights * p * (1 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-6:
            break
    return LogisticModel(beta[:-1], float(beta[-1]), mean, scale)


def fit_softmax(
    vectors: Matrix,
    concepts: Sequence[frozenset[str]],
    labels: list[str],
    *,
    sample_weights: Matrix | None = None,
    l2: float = 1.0,
    temperature: float = 8.0,
) -> SoftmaxModel:
    """A linear classifier over questions' sentence vectors (L2-normalised) and concepts,
    fitted in closed form (ridge regression onto one-hot classes, fast enough to refit for
    every fold of a cross-validation), read as probabilities through a softmax at
    ``temperature``. Its concept inputs are those the questions have."""
    names = tuple(sorted(frozenset[str]().union(*concepts)))
    vectors = with_concepts(vectors, concepts, {name: column for column, name in enumerate(names)})
    classes = tuple(sorted(set(labels)))
    position = {name: index for index, name in enumerate(classes)}
    targets = np.zeros((len(labels), len(classes)))
    targets[np.arange(len(labels)), [position[label] for label in labels]] = 1.0
    weights = np.ones(len(labels)) if sample_weights is None else sample_weights
    x = np.hstack([vectors, np.ones((len(vectors), 1))]) * np.sqrt(weights)[:, None]
    y = targets * np.sqrt(weights)[:, None]
    penalty = np.eye(x.shape[1]) * l2
    penalty[-1, -1] = 0.0
    solution = np.linalg.solve(x.T @ x + penalty, x.T @ y) * temperature
    return SoftmaxModel(classes, solution[:-1], solution[-1], names)


def fit_similarity(
    questions: Sequence[tuple[Matrix, Matrix, Matrix, Matrix, Matrix]],
    *,
    scale: float = 20.0,
    l2: float = 1e-3,
    learning_rate: float = 0.002,
    iterations: int = 100,
) -> SimilarityModel:
    """Fit SimilarityModel's delta by Adam on a listwise loss: for every question, a softmax
    (at ``scale``) over its owner's entries, each scored by its best text, pulled towards
    the entries that answer it.

    ``questions`` holds one group per owner: question vectors (n, d), the share of each
    entry in the right answer (n, entries; rows sum to 1), the questions' weights (n), and
    the owner's entry texts padded per entry (entries, most texts, d) with the mask of the
    real ones (entries, most texts).
    """
    dimensions = questions[0][0].shape[1]
    delta = np.zeros((dimensions, dimensions))
    first_moment = np.zeros_like(delta)
    second_moment = np.zeros_like(delta)
    total = sum(float(weights.sum()) for _, _, weights, _, _ in questions)
    for step in range(1, iterations + 1):
        gradient = 2 * l2 * delta
        for vectors, targets, weights, texts, mask in questions:
            entries, most, _ = texts.shape
            flat = texts.reshape(entries * most, dimensions)
            mapped = vectors + vectors @ delta  # q^T (I + delta)
            products = (mapped @ flat.T).reshape(len(vectors), entries, most)
            scores = np.where(mask[None], products, -1e9)
            best_text = scores.argmax(axis=2)
            logits = scale * scores.max(axis=2)
            logits -= logits.max(axis=1, keepdims=True)
            probabilities = np.exp(logits)
            probabilities /= probabilities.sum(axis=1, keepdims=True)
            # d loss / d score of each entry's best text, spread back onto the texts
            by_text = np.zeros((len(vectors), entries * most))
            rows = np.arange(len(vectors))[:, None]
            by_text[rows, np.arange(entries)[None, :] * most + best_text] = (
                scale * (probabilities - targets) * weights[:, None] / total
            )
            gradient += vectors.T @ (by_text @ flat)
        first_moment = 0.9 * first_moment + 0.1 * gradient
        second_moment = 0.999 * second_moment + 0.001 * gradient**2
        corrected_first = first_moment / (1 - 0.9**step)
        corrected_second = second_moment / (1 - 0.999**step)
        delta -= learning_rate * corrected_first / (np.sqrt(corrected_second) + 1e-8)
    return SimilarityModel(delta)


def held_back_owners(path: Path = HELD_BACK_FILE) -> frozenset[str]:
    """The owner folders named in ``path`` (one a line, ``#`` starts a comment), each a
    folder with a profile beside it; ValueError for a name that is none, which would
    otherwise quietly be trained on."""
    if not path.is_file():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    names = frozenset(line.split("#", 1)[0].strip() for line in lines) - {""}
    owners = set(profile_folders(path.parent)) - {EXAMPLE}
    if unknown := sorted(names - owners):
        raise ValueError(f"{path.name} names no owner folder: {', '.join(unknown)}")
    return names


def main() -> int:
    folders = profile_folders()
    try:
        held_back = held_back_owners()
    except ValueError as error:
        sys.exit(str(error))
    engine = Engine.create()
    trained_on = {owner: folder for owner, folder in folders.items() if owner not in held_back}
    samples = [
        sample for sample in collect(engine, trained_on) if not is_example_held_out(sample.question)
    ]
    model = fit_model(samples)
    model.save()
    owners = Counter(sample.question.profile for sample in samples)
    print(
        f"trained on {len(samples)} questions of {len(owners)} owners "
        f"({len(held_back)} held back); "
        f"thresholds hybrid {model.hybrid.threshold:.2f}, lexical {model.lexical.threshold:.2f}; "
        f"a taught question's paraphrase within cosine {model.paraphrase_cosine:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
