"""Tests of the container images, Compose files and AWS deployment (no Docker engine, no AWS
account: each file is checked by the real tool that understands it)."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

# The deploy packages are not installed in the development venv; import them from the tree.
for path in (HERE, REPO / "deploy" / "container", REPO / "deploy" / "aws"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
