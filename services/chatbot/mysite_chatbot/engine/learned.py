"""The engine's learned parts, small linear models in numpy: what a question asks about
(a section classifier over its sentence vector), which entry answers it (a re-ranker)
and whether to answer at all (the decision, with its calibrated threshold).

They are trained by ``mysite_chatbot.engine.training`` (``make train``) on the labelled
questions in services/chatbot/eval and shipped as data/model.json; inference is a few
dot products.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
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


@dataclass(frozen=True)
class SoftmaxModel:
    """Multinomial logistic regression: a question's vector -> P(class)."""

    classes: tuple[str, ...]
    weights: Matrix  # (dimensions, classes)
    bias: Matrix

    def probabilities(self, vectors: Matrix) -> Matrix:
        logits = vectors @ self.weights + self.bias
        logits -= logits.max(axis=-1, keepdims=True)
        exp = np.exp(logits)
        result: Matrix = exp / exp.sum(axis=-1, keepdims=True)
        return result

    def to_dict(self) -> dict[str, Any]:
        return {
            "classes": list(self.classes),
            "weights": self.weights.round(4).tolist(),
            "bias": self.bias.round(4).tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SoftmaxModel:
        return cls(
            tuple(data["classes"]),
            np.asarray(data["weights"], dtype=np.float64),
            np.asarray(data["bias"], dtype=np.float64),
        )


@dataclass(frozen=True)
class Variant:
    """A re-ranker and a decision, for one set of signals (with or without embeddings)."""

    ranker: LogisticModel
    decision: LogisticModel
    # Answer when the decision's probability reaches this (calibrated on questions of
    # profiles the decision was not trained on).
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "ranker": self.ranker.to_dict(),
            "decision": self.decision.to_dict(),
            "threshold": round(self.threshold, 4),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Variant:
        return cls(
            LogisticModel.from_dict(data["ranker"]),
            LogisticModel.from_dict(data["decision"]),
            float(data["threshold"]),
        )


@dataclass(frozen=True)
class EngineModel:
    sections: SoftmaxModel
    hybrid: Variant  # with sentence vectors (the default)
    lexical: Variant  # when the sentence encoder is unavailable

    def to_dict(self) -> dict[str, Any]:
        return {
            "sections": self.sections.to_dict(),
            "hybrid": self.hybrid.to_dict(),
            "lexical": self.lexical.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EngineModel:
        return cls(
            SoftmaxModel.from_dict(data["sections"]),
            Variant.from_dict(data["hybrid"]),
            Variant.from_dict(data["lexical"]),
        )

    def save(self, path: Path = MODEL_PATH) -> None:
        path.write_text(json.dumps(self.to_dict(), separators=(",", ":")) + "\n", "utf-8")

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> EngineModel:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


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
    labels: list[str],
    *,
    sample_weights: Matrix | None = None,
    l2: float = 1.0,
    temperature: float = 8.0,
) -> SoftmaxModel:
    """A linear classifier fitted in closed form (ridge regression onto one-hot classes,
    fast enough to refit for every fold of a cross-validation), read as probabilities
    through a softmax at ``temperature``. The sentence vectors are L2-normalised."""
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
    return SoftmaxModel(classes, solution[:-1], solution[-1])


def section_of(key: str) -> str:
    """The class of an entry key: "work:0" and "work" -> "work", "basics.email" stays,
    "faq:3" -> "faq"."""
    return key.split(":", 1)[0]
