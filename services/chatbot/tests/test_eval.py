"""`make eval` runs: a small question file in, figures (and the summary table) out."""

import json
from pathlib import Path

import pytest

from mysite_chatbot.engine.eval import DEFAULT_SETS, EVAL_DIR, OTHER_PROFILES, main


def test_every_shipped_question_set_exists_and_is_valid() -> None:
    others = {name: EVAL_DIR / name / "questions_heldout.jsonl" for name in OTHER_PROFILES}
    for name, path in {**DEFAULT_SETS, **others}.items():
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        assert len(rows) >= 60, name
        assert len({row["id"] for row in rows}) == len(rows), name
        assert all(isinstance(row["expected"], list) for row in rows), name


def test_the_eval_prints_and_writes_its_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "questions.jsonl"
    questions.write_text(
        "\n".join(
            json.dumps(row, ensure_ascii=False)
            for row in [
                {"id": "t1", "question": "어디서 일하세요?", "expected": ["work:0"]},
                {"id": "t2", "question": "Are you married?", "expected": []},
            ]
        ),
        encoding="utf-8",
    )
    figures_file = tmp_path / "figures.json"
    assert main(["--set", f"tiny={questions}", "--json", str(figures_file)]) == 0
    figures = json.loads(figures_file.read_text(encoding="utf-8"))
    tiny = figures["sets"]["tiny"]
    assert tiny["top1_accuracy"] == 1.0
    assert tiny["refusal_rate_unanswerable"] == 1.0
    assert "| tiny | 2 | 100.0%" in capsys.readouterr().out
