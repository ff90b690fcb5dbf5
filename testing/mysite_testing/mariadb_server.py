"""A private MariaDB server in a temporary folder, for tests that stop and restart it.

The shared server on 3306 is never restarted by tests; this one is theirs alone.
"""

import shutil
import socket
import subprocess
import time
from pathlib import Path

MARIADBD = "/usr/sbin/mariadbd"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PrivateMariaDB:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.datadir = directory / "data"
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def admin_url(self) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}"

    @staticmethod
    def available() -> bool:
        return Path(MARIADBD).exists() and shutil.which("mariadb-install-db") is not None

    def install(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "mariadb-install-db", "--no-defaults", f"--datadir={self.datadir}", "--user=root",
                "--auth-root-authentication-method=normal", "--skip-test-db",
            ],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def start(self, timeout: float = 30.0) -> None:
        log = (self.directory / "server.log").open("ab")
        self.process = subprocess.Popen(
            [
                MARIADBD, "--no-defaults", f"--datadir={self.datadir}", "--user=root",
                f"--port={self.port}", "--bind-address=127.0.0.1",
                f"--socket={self.directory / 'mysqld.sock'}",
                f"--pid-file={self.directory / 'mysqld.pid'}", "--skip-log-bin",
                "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
            ],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"private MariaDB did not start; see {self.directory / 'server.log'}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(30)
            self.process = None
