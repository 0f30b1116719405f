"""Real services for tests: a redis-server a test can stop and start, free loopback ports."""

import shutil
import socket
import subprocess
import time

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A real redis-server on a free loopback port, which a test may stop and start again."""

    def __init__(self, tmp_path) -> None:  # type: ignore[no-untyped-def]
        self.port = free_port()
        self.dir = tmp_path
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def redis_server(tmp_path):  # type: ignore[no-untyped-def]
    if shutil.which("redis-server") is None:
        pytest.fail(
            "redis-server is not installed: scripts/services.sh installs it (apt-get install redis-server)"
        )
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


class EmbeddedServer:
    """The product as `scripts/run.sh` runs it (uvicorn, in-server due loop, SQLite, demo data),
    on a free loopback port with its own data directory."""

    def __init__(self, var_dir, *, interval: float = 0.5) -> None:  # type: ignore[no-untyped-def]
        import os
        import sys
        from pathlib import Path

        self.root = Path(__file__).resolve().parent.parent
        self.python = sys.executable
        self.env = {**os.environ, "VAR_DIR": str(var_dir), "DATABASE_URL": "", "REDIS_URL": "", "DEBUG": "1",
                    "DJANGO_SETTINGS_MODULE": "config.settings"}  # fmt: skip
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.interval = interval
        self.proc: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        done = subprocess.run([self.python, "manage.py", *args], cwd=self.root, env=self.env, check=True,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        return done.stdout

    def start(self) -> "EmbeddedServer":
        import urllib.error
        import urllib.request

        self.manage("migrate", "-v0")
        self.manage("load_demo")
        self.proc = subprocess.Popen(
            [self.python, "manage.py", "run_embedded", f"127.0.0.1:{self.port}", "--interval", str(self.interval)],
            cwd=self.root, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=1)  # noqa: S310
                return self
            except urllib.error.HTTPError:
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the embedded server did not come up")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


CHROMIUM_ARGS = [
    # what a headless Chromium needs on a machine with no network beyond loopback
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip


def launch_chromium(playwright):  # type: ignore[no-untyped-def]
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
