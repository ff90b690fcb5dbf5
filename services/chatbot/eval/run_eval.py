"""Run the chatbot engine's leave-one-owner-out evaluation (mysite_chatbot/engine/eval.py).

Usage, from the repository root (or `make eval ARGS="..."`):
    .venv/bin/python services/chatbot/eval/run_eval.py [--json out.json] [--failures]
        [--skip OWNER] [--lexical]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# Startup is measured from here, before the engine (Kiwi, numpy, the encoder) is imported.
PROCESS_STARTED = time.perf_counter()

SERVICE_ROOT = Path(__file__).resolve().parents[1]
if str(SERVICE_ROOT) not in sys.path:
    sys.path.insert(0, str(SERVICE_ROOT))

from mysite_chatbot.engine.eval import main  # noqa: E402 - needs the path set above

if __name__ == "__main__":
    sys.exit(main(process_started=PROCESS_STARTED))
