"""`python -m mysite_chatbot serve|migrate`."""

import sys

from mysite_chatbot.config import ChatbotSettings
from mysite_common.cli import run_service_cli

if __name__ == "__main__":
    sys.exit(run_service_cli(ChatbotSettings, package="mysite_chatbot"))
