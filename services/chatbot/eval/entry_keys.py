"""Print the answerable entries of an eval profile: key, section, start of the answer.

What a question writer needs to label questions, without reading the engine. Usage, from
the repository root:
    .venv/bin/python services/chatbot/eval/entry_keys.py services/chatbot/eval/nurse_profile
"""

from __future__ import annotations

import sys
from pathlib import Path

# The service's package and this folder's modules, importable once the path is set here.
for root in Path(__file__).resolve().parents[1], Path(__file__).resolve().parents[3]:
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))

from mysite_chatbot.engine.entries import build_entries  # noqa: E402 - needs the path set above
from services.chatbot.eval.training import read_profile  # noqa: E402


def main(eval_dir: Path) -> None:
    profile, faqs = read_profile(eval_dir)
    for entry in build_entries(profile, faqs):
        answer = (entry.answer_ko or entry.answer_en).replace("\n", " ").replace("\t", " ")
        print(f"{entry.key}\t{entry.source.section}\t{answer[:90]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
