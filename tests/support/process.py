"""The bot as a real process (python app.py), for crash and multi-instance tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.support.harness import ADMIN
from tests.support.teams import TENANT

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen | None) -> None:
    """SIGTERM, and SIGKILL when it has not ended after 10 s."""
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class BotProcess:
    def __init__(self, data_dir: Path, port: int | None = None, **env: str):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.env = {
            **os.environ,
            "POOLSTER_DATA_DIR": str(data_dir),
            "POOLSTER_PORT": str(self.port),
            "POOLSTER_ALLOWED_TENANTS": TENANT,
            "POOLSTER_ADMINS": ADMIN.email,
            "POOLSTER_LOG_LEVEL": "WARNING",
            "POOLSTER_SUMMARY_UPDATE_INTERVAL": "0.2",
            **env,
        }
        self.process: subprocess.Popen | None = None
        self.log_path = data_dir.parent / f"bot-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> BotProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the bot exited with {self.process.returncode}: {self.log_path.read_text()[-2000:]}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"the bot did not start: {self.log_path.read_text()[-2000:]}")

    def kill(self) -> None:
        """kill -9: no chance to flush or clean up."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        stop_process(self.process)
