"""The boosted trees that correct the re-ranker (learned.TreeModel): the engine's numpy
walk gives what LightGBM's own prediction gives, through model.json and back."""

import json

import lightgbm
import numpy as np

from mysite_chatbot.engine.learned import TreeModel
from services.chatbot.eval.training import TREE_PARAMETERS, flat_trees


def _fitted() -> tuple[lightgbm.Booster, np.ndarray]:
    generator = np.random.default_rng(7)
    rows = generator.normal(size=(3000, 6))
    # A label no line separates: the trees must split on one feature beside another.
    labels = ((rows[:, 0] > 0) ^ (rows[:, 1] * rows[:, 2] > 0.3)).astype(float)
    parameters = TREE_PARAMETERS | {"min_child_samples": 20}
    data = lightgbm.Dataset(rows, labels, init_score=rows[:, 3], params=parameters)
    return lightgbm.train(parameters, data, num_boost_round=40), rows


def test_the_walk_gives_lightgbm_s_raw_scores() -> None:
    booster, rows = _fitted()
    trees = flat_trees(booster.dump_model())
    assert len(trees.roots) == 40
    assert np.allclose(trees.logits(rows), booster.predict(rows, raw_score=True), atol=1e-9)
    # Rows on a threshold go left, as in LightGBM.
    on_threshold = rows[:50].copy()
    first_split = int(trees.roots[0])
    on_threshold[:, trees.feature[first_split]] = trees.threshold[first_split]
    assert np.allclose(
        trees.logits(on_threshold), booster.predict(on_threshold, raw_score=True), atol=1e-9
    )


def test_the_trees_survive_the_model_file() -> None:
    booster, rows = _fitted()
    trees = flat_trees(booster.dump_model())
    again = TreeModel.from_dict(json.loads(json.dumps(trees.to_dict())))
    for name in ("feature", "threshold", "left", "right", "value", "roots"):
        assert np.array_equal(getattr(again, name), getattr(trees, name))
    assert np.array_equal(again.logits(rows), trees.logits(rows))


def test_a_tree_of_one_leaf_adds_its_value_to_every_row() -> None:
    stump = TreeModel(
        np.array([-1], np.int32),
        np.zeros(1),
        np.array([-1], np.int32),
        np.array([-1], np.int32),
        np.array([0.25]),
        np.array([0, 0], np.int32),
    )
    assert stump.logits(np.zeros((3, 2))).tolist() == [0.5, 0.5, 0.5]
    assert stump.logits(np.zeros((0, 2))).tolist() == []
