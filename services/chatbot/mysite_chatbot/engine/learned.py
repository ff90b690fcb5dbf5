"""The engine's learned parts, small linear models in numpy: how close a question is to an
entry's texts (a similarity learned over the sentence vectors), what a question asks about
(a section classifier over its sentence vector and vocabulary concepts), which entry
answers it (a re-ranker) and whether to answer at all (the decision, with its calibrated
threshold).

They are trained by services/chatbot/eval/training.py (``make train``) on the labelled
questions beside it and shipped as data/model.json; inference is a few dot products.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]

MODEL_PATH = Path(__file__).with_name("data") / "model.json"
# The class of a question no entry answers, next to the sections ("work", "basics.email").
UNANSWERABLE = "none"


@dataclass(frozen=True)
class LogisticModel:
    """Binary logistic regression over standardised features."""

    weights: Matrix
    bias: float
    mean: Matrix
    scale: Matrix

    def logits(self, features: Matrix) -> Matrix:
        result: Matrix = ((features - self.mean) / self.scale) @ self.weights + self.bias
        return result

    def to_dict(self) -> dict[str, Any]:
        return {
            "weights": self.weights.round(5).tolist(),
            "bias": round(self.bias, 5),
            "mean": self.mean.round(5).tolist(),
            "scale": self.scale.round(5).tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LogisticModel:
        return cls(
            np.asarray(data["weights"], dtype=np.float64),
            float(data["bias"]),
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
        )


# How much a question's vocabulary concepts weigh beside its sentence vector (unit length)
# in the section classifier: their indicators together are this long. Set before its
# eval run; 0.35 and 0.7 measured beside it (docs/performance.md, "Twelfth round").
CONCEPT_INPUT_WEIGHT = 0.5


def with_concepts(
    vectors: Matrix, concepts: Sequence[frozenset[str]], columns: Mapping[str, int]
) -> Matrix:
    """Each question's sentence vector followed by an indicator of its concepts, one input
    per concept of ``columns`` (concept -> its position among them). The vocabulary's
    concepts carry a question's topic across owners and languages: "price" in 가격 and
    "cost" alike."""
    indicators = np.zeros((len(vectors), len(columns)))
    for row, found in enumerate(concepts):
        positions = [columns[name] for name in found if name in columns]
        if positions:
            indicators[row, positions] = CONCEPT_INPUT_WEIGHT / math.sqrt(len(positions))
    return np.hstack([vectors, indicators])


@dataclass(frozen=True)
class SoftmaxModel:
    """Multinomial logistic regression: a question's vector and concepts -> P(class)."""

    classes: tuple[str, ...]
    weights: Matrix  # (dimensions, classes)
    bias: Matrix
    concepts: tuple[str, ...] = ()  # the concept inputs' names, after the vector's

    @cached_property
    def _concept_columns(self) -> dict[str, int]:
        return {name: position for position, name in enumerate(self.concepts)}

    def probabilities(self, vectors: Matrix, concepts: Sequence[frozenset[str]]) -> Matrix:
        inputs = with_concepts(vectors, concepts, self._concept_columns)
        logits = inputs @ self.weights + self.bias
        logits -= logits.max(axis=-1, keepdims=True)
        exp = np.exp(logits)
        result: Matrix = exp / exp.sum(axis=-1, keepdims=True)
        return result

    def to_dict(self) -> dict[str, Any]:
        return {
            "classes": list(self.classes),
            "weights": self.weights.round(4).tolist(),
            "bias": self.bias.round(4).tolist(),
            "concepts": list(self.concepts),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SoftmaxModel:
        return cls(
            tuple(data["classes"]),
            np.asarray(data["weights"], dtype=np.float64),
            np.asarray(data["bias"], dtype=np.float64),
            tuple(data.get("concepts", ())),
        )


@dataclass(frozen=True)
class SimilarityModel:
    """A similarity between a question's sentence vector q and an entry text's t learned
    from labelled questions: q . (I + delta) t instead of the plain cosine q . t.

    The encoder places a question near texts on the same topic; which of an owner's entries
    answers it is a narrower thing ("what do you charge?" should meet a menu with prices
    more than a text about pricing work). ``delta`` is trained so that, over every owner's
    labelled questions, the entry that answers scores above the owner's other entries.
    """

    delta: Matrix  # (dimensions, dimensions)

    def transform(self, texts: Matrix) -> Matrix:
        """Entry-text vectors mapped once per profile change: a question's learned
        similarity with them is then one product, like the plain cosine."""
        result: Matrix = texts + texts @ self.delta.T
        return result

    def to_dict(self) -> dict[str, Any]:
        # 512 x 512 numbers: half-precision bytes keep model.json small (the entries of
        # delta are a few hundredths; float16 keeps them to about 1e-5).
        data = np.ascontiguousarray(self.delta, dtype="<f2").tobytes()
        return {"dimensions": int(self.delta.shape[0]), "float16": base64.b64encode(data).decode()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SimilarityModel:
        size = int(data["dimensions"])
        raw = np.frombuffer(base64.b64decode(data["float16"]), dtype="<f2")
        return cls(raw.astype(np.float64).reshape(size, size))


@dataclass(frozen=True)
class Variant:
    """A re-ranker and a decision, for one set of signals (with or without embeddings)."""

    ranker: LogisticModel
    decision: LogisticModel
    # Answer when the decision's probability reaches this (calibrated on questions of
    # profiles the decision was not trained on).
    threshold: float
    # Whether one of the two best entries answers, over the decision's features: where the
    # decision declines, both entries are given when this reaches pair_threshold.
    pair_decision: LogisticModel
    pair_threshold: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "ranker": self.ranker.to_dict(),
            "decision": self.decision.to_dict(),
            "threshold": self.threshold,
            "pair_decision": self.pair_decision.to_dict(),
            "pair_threshold": self.pair_threshold,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Variant:
        return cls(
            LogisticModel.from_dict(data["ranker"]),
            LogisticModel.from_dict(data["decision"]),
            float(data["threshold"]),
            LogisticModel.from_dict(data["pair_decision"]),
            float(data["pair_threshold"]),
        )


@dataclass(frozen=True)
class EngineModel:
    sections: SoftmaxModel
    similarity: SimilarityModel
    hybrid: Variant  # with sentence vectors (the default)
    lexical: Variant  # when the sentence encoder is unavailable
    # Two questions of one owner whose sentence vectors are at least this close are
    # answered by the same entry (in 98% of the labelled pairs): a question this close to
    # one the owner taught is answered from the taught entry.
    paraphrase_cosine: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "sections": self.sections.to_dict(),
            "similarity": self.similarity.to_dict(),
            "hybrid": self.hybrid.to_dict(),
            "lexical": self.lexical.to_dict(),
            "paraphrase_cosine": round(self.paraphrase_cosine, 4),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EngineModel:
        return cls(
            SoftmaxModel.from_dict(data["sections"]),
            SimilarityModel.from_dict(data["similarity"]),
            Variant.from_dict(data["hybrid"]),
            Variant.from_dict(data["lexical"]),
            float(data["paraphrase_cosine"]),
        )

    def save(self, path: Path = MODEL_PATH) -> None:
        path.write_text(json.dumps(self.to_dict(), separators=(",", ":")) + "\n", "utf-8")

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> EngineModel:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def section_of(key: str) -> str:
    """The class of an entry key: "work:0" and "work" -> "work", "basics.email" stays,
    "faq:3" -> "faq"."""
    return key.split(":", 1)[0]
