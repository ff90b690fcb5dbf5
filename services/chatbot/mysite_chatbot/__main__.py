"""`python -m mysite_chatbot serve|migrate`."""

import os

# Before numpy is imported: one BLAS thread. The engine's matrices are small; on a 2-core
# machine a team of BLAS threads per product only spins against the request threads
# (an encoder call measured 53 ms with two BLAS threads under load, 4 ms with one).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import sys  # noqa: E402

from mysite_chatbot.config import ChatbotSettings  # noqa: E402
from mysite_common.cli import run_service_cli  # noqa: E402

if __name__ == "__main__":
    sys.exit(run_service_cli(ChatbotSettings, package="mysite_chatbot"))
