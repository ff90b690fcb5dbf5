"""`python -m mysite_kakao serve|migrate|generate-key`."""

import argparse
import sys

from mysite_common.cli import ExtraCommand, run_service_cli
from mysite_kakao.config import KakaoSettings
from mysite_kakao.crypto import generate_key


def _generate_key(_arguments: argparse.Namespace) -> int:
    print(generate_key())
    return 0


def main() -> int:
    if sys.argv[1:2] == ["generate-key"]:
        # Needs no settings (there is no key yet to load them with).
        return _generate_key(argparse.Namespace())
    return run_service_cli(
        KakaoSettings,
        package="mysite_kakao",
        extra_commands={
            "generate-key": ExtraCommand("print a new KAKAO_TOKEN_KEY", _generate_key),
        },
    )


if __name__ == "__main__":
    sys.exit(main())
