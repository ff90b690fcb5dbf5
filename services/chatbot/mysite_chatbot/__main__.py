"""`python -m mysite_chatbot serve|migrate|prepare-cache`."""

import os

# Before numpy is imported: one BLAS thread. The engine's matrices are small; on a 2-core
# machine a team of BLAS threads per product only spins against the request threads
# (an encoder call measured 53 ms with two BLAS threads under load, 4 ms with one).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import sys  # noqa: E402

from mysite_chatbot import malloc  # noqa: E402

# Before any thread starts: at most two malloc arenas, not one per thread allocating at once
# (up to 16 on two cores), each keeping what it freed. With the trim once the engine is
# ready (knowledge.py): 402 MB instead of 405 when ready after a warm start
# (docs/performance.md, chatbot **Memory**).
malloc.limit_arenas(2)

from mysite_chatbot.config import ChatbotSettings  # noqa: E402
from mysite_common.cli import ExtraCommand, run_service_cli  # noqa: E402


def _prepare_cache(_arguments: argparse.Namespace) -> int:
    """Unpacks the encoder into the data folder's cache, as the first start would: run where
    an image is built, every replica started from it skips that second or two."""
    from mysite_chatbot.app import CACHE_FOLDER
    from mysite_chatbot.engine.embeddings import load_embedder, use_cache_dir

    folder = ChatbotSettings.load().data_dir / CACHE_FOLDER
    use_cache_dir(folder)
    embedder, reason = load_embedder()
    if embedder is None:
        print(f"the encoder could not be loaded: {reason}", file=sys.stderr)
        return 1
    print(f"encoder cache ready in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(
        run_service_cli(
            ChatbotSettings,
            package="mysite_chatbot",
            extra_commands={
                "prepare-cache": ExtraCommand(
                    "unpack the sentence encoder into the data folder's cache", _prepare_cache
                )
            },
        )
    )
