"""Issue 6's faults, each under steady load from a second process, with failed requests
counted: a killed replica, a graceful stop, auth down, chatbot and kakao down, and a
MariaDB restart (on a private MariaDB server of the benchmark's own)."""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mysite_stack.stack import Stack, StackOptions, free_port
from mysite_testing.mariadb_server import PrivateMariaDB

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "benchmark owner passphrase 2026"


class Load:
    """bench.loadgen in its own process for `seconds`."""

    def __init__(self, url: str, seconds: float, connections: int = 4) -> None:
        command = [
            sys.executable, "-m", "bench.loadgen", "--url", url, "--seconds", str(seconds),
            "--connections", str(connections),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)

    def summary(self) -> dict[str, Any]:
        output, _ = self.process.communicate(timeout=180)
        result = json.loads(output.strip().splitlines()[-1])
        failed = sum(count for status, count in result["statuses"].items() if status != "200")
        return {"requests": result["requests"], "failed": failed, "statuses": result["statuses"]}


def _under_load(url: str, fault: object, recover: object, seconds: float = 8.0) -> dict[str, Any]:
    load = Load(url, seconds)
    time.sleep(2)
    fault()  # type: ignore[operator]
    time.sleep(seconds / 2)
    recover()  # type: ignore[operator]
    return load.summary()


def run(seconds: float = 8.0) -> dict[str, object]:
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as directory:
        database = PrivateMariaDB(Path(directory) / "mariadb")
        database.install()
        database.start()
        stack = Stack(
            StackOptions(
                data_dir=Path(directory) / "stack",
                port=free_port(),
                scale={"site": 2, "chatbot": 2},
                mariadb_admin_url=database.admin_url,
                extra_env={"MYSITE_ADMIN_PASSWORD": PASSWORD},
            )
        )
        stack.prepare()
        stack.start()
        try:
            whoami = f"{stack.url}/api/chat/whoami"
            home = f"{stack.url}/"
            results["kill_one_chatbot_replica"] = _under_load(
                whoami,
                lambda: stack.stop_replica("chatbot", 0, kill=True),
                lambda: stack.start_replica("chatbot", 0),
                seconds,
            )
            results["sigterm_one_site_replica"] = _under_load(
                home,
                lambda: stack.stop_replica("site", 0),
                lambda: stack.start_replica("site", 0),
                seconds,
            )
            results["auth_down_public_page"] = _under_load(
                home,
                lambda: stack.stop_replica("auth"),
                lambda: stack.start_replica("auth"),
                seconds,
            )
            for service in ("chatbot", "kakao"):

                def stop_all(name: str = service) -> None:
                    for index in range(len(stack.replicas[name])):
                        stack.stop_replica(name, index)

                def start_all(name: str = service) -> None:
                    for index in range(len(stack.replicas[name])):
                        stack.start_replica(name, index)

                results[f"{service}_down_home_page"] = _under_load(
                    home, stop_all, start_all, seconds
                )
            results["mariadb_restart_home_page"] = _under_load(
                home, database.stop, database.start, seconds
            )
            results["services_restarted_by_mariadb_restart"] = [
                replica.process.name
                for replicas in stack.replicas.values()
                for replica in replicas
                if not replica.process.running
            ]
        finally:
            stack.stop()
            database.stop()
    return results
