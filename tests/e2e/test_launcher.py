"""`make up`'s launcher as a person runs it: the embedded SQLite default, Ctrl-C, crashes."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from mysite_stack.stack import free_port

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def launch(data_dir: Path, port: int, **env: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "MYSITE_ADMIN_PASSWORD": "a launcher test passphrase", **env}
    environment.pop("MYSITE_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "mysite_stack", "up", "--port", str(port),
         "--data-dir", str(data_dir)],
        cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def read_until(process: subprocess.Popen[str], marker: str, timeout: float = 120) -> str:
    assert process.stdout is not None
    seen = []
    deadline = time.monotonic() + timeout
    for line in process.stdout:
        seen.append(line)
        if marker in line or time.monotonic() > deadline:
            break
    return "".join(seen)


def children_of(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in result.stdout.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split()[2] != "Z"


def test_up_with_sqlite_then_ctrl_c_leaves_nothing_running(tmp_path: Path) -> None:
    port = free_port()
    process = launch(tmp_path / "data", port)
    output = read_until(process, "Press Ctrl-C")
    assert f"http://127.0.0.1:{port}" in output, output
    assert "SQLite" in output
    assert "ready" in output
    assert "a launcher test passphrase" not in output  # passwords are never printed
    children = children_of(process.pid)
    assert len(children) >= 5  # four services and the gateway
    login = httpx.post(
        f"http://127.0.0.1:{port}/api/auth/login",
        json={"username": "owner", "password": "a launcher test passphrase"},
    )
    assert login.status_code == 200
    # "Up" means routable: the first request to every service right after the announcement
    # reaches it, never the gateway's 503 "no available server".
    for path in ("/", "/api/site/hello", "/api/chat/info", "/api/kakao/status"):
        response = httpx.get(f"http://127.0.0.1:{port}{path}")
        assert response.status_code < 500, (path, response.status_code)
    assert sorted(p.name for p in (tmp_path / "data" / "db").glob("*.sqlite3")) == [
        "auth.sqlite3", "chatbot.sqlite3", "kakao.sqlite3", "site.sqlite3",
    ]  # fmt: skip
    process.send_signal(signal.SIGINT)
    rest = process.communicate(timeout=60)[0]
    assert process.returncode == 0
    assert "stopped" in rest
    assert not [pid for pid in children if alive(pid)]
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_children_die_with_a_killed_launcher(tmp_path: Path) -> None:
    process = launch(tmp_path / "data", free_port())
    read_until(process, "Press Ctrl-C")
    children = children_of(process.pid)
    process.kill()  # SIGKILL: the launcher cannot clean up; the kernel tells the children
    process.wait(10)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and [pid for pid in children if alive(pid)]:
        time.sleep(0.2)
    assert not [pid for pid in children if alive(pid)]


def test_a_service_that_cannot_start_is_named_with_its_reason(tmp_path: Path) -> None:
    process = launch(tmp_path / "data", free_port(), AUTH_ACCESS_TOKEN_MINUTES="600")
    output = process.communicate(timeout=120)[0]
    assert process.returncode != 0
    assert "auth" in output
    assert "access_token_minutes" in output
    assert not children_of(process.pid)
