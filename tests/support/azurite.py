"""Azurite, the official local Azure Storage emulator (Blob service only), for tests and benchmarks.

`Azurite().start()` installs the pinned Azurite if needed (``npm ci --prefix tools/azurite``, from the
committed package.json + package-lock.json), starts ``azurite-blob`` on 127.0.0.1 on a free port with
a temporary folder as its workspace, waits until it answers, and offers the well-known
``devstoreaccount1`` connection string for that port. `stop()` ends it (its whole process group) and
removes the folder; the process also gets SIGTERM when the process that started it dies (Linux
parent-death signal), so a killed test run leaves no emulator behind.

Pytest: the session-scoped fixture ``azurite`` yields the connection string. Register it in a
conftest.py or test module by importing it::

    from tests.support.azurite import azurite  # noqa: F401  (a pytest fixture)

Without npm/node (or when the install or start fails) the fixture FAILS with the reason: a blob
test that silently skips would hide that the shared store was never tested.
"""

from __future__ import annotations

import atexit
import ctypes
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOL_DIR = ROOT / "tools" / "azurite"
BLOB_SCRIPT = TOOL_DIR / "node_modules" / ".bin" / "azurite-blob"

# The emulator's fixed development account (documented by Microsoft; not a secret).
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


class AzuriteUnavailable(RuntimeError):
    """Azurite could not be installed or started; the message says why and what to do."""


def connection_string(port: int, host: str = "127.0.0.1") -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
        f"BlobEndpoint=http://{host}:{port}/{ACCOUNT};"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pinned_version() -> str:
    return json.loads((TOOL_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]["azurite"]


def installed_version() -> str | None:
    manifest = TOOL_DIR / "node_modules" / "azurite" / "package.json"
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None


def ensure_installed() -> Path:
    """The pinned azurite-blob, installed with `npm ci` when missing or of another version."""
    if installed_version() == pinned_version() and BLOB_SCRIPT.exists():
        return BLOB_SCRIPT
    npm = shutil.which("npm")
    if npm is None:
        raise AzuriteUnavailable(
            "npm is not installed, so Azurite (the Azure Storage emulator the BlobStore tests run against) "
            "cannot be installed. Install Node.js 20+ with npm (Debian: apt-get install nodejs npm), then run "
            "`npm ci --prefix tools/azurite` or `make install`."
        )
    # One installer at a time (parallel test sessions on one checkout).
    lock_path = Path(tempfile.gettempdir()) / f"poolster-azurite-{hashlib.sha1(bytes(TOOL_DIR)).hexdigest()[:12]}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed_version() != pinned_version() or not BLOB_SCRIPT.exists():
            result = subprocess.run(
                [npm, "ci", "--prefix", str(TOOL_DIR), "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if result.returncode != 0 or not BLOB_SCRIPT.exists():
                raise AzuriteUnavailable(
                    f"`npm ci --prefix tools/azurite` failed ({result.returncode}):\n"
                    f"{(result.stderr or result.stdout)[-2000:]}"
                )
    return BLOB_SCRIPT


try:
    _LIBC = ctypes.CDLL(None, use_errno=True)  # loaded here: the child after fork only calls into it
except OSError:
    _LIBC = None


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the process that started it dies (Linux)."""
    if _LIBC is not None and hasattr(_LIBC, "prctl"):
        _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Azurite:
    """One azurite-blob process on loopback with its own temporary workspace."""

    def __init__(self, *, in_memory: bool = False) -> None:
        self.in_memory = in_memory
        self.port = 0
        self.location: Path | None = None
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def connection_string(self) -> str:
        return connection_string(self.port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{ACCOUNT}"

    def start(self, timeout: float = 30.0) -> Azurite:
        script = ensure_installed()
        node = shutil.which("node")
        if node is None:
            raise AzuriteUnavailable("node is not installed: Azurite needs Node.js 20+.")
        self.location = Path(tempfile.mkdtemp(prefix="poolster-azurite-"))
        self._log = open(self.location.parent / f"{self.location.name}.log", "w+b")  # noqa: SIM115 - closed in stop
        for _ in range(3):  # a free port can be taken between the probe and Azurite's bind: try another
            self.port = free_port()
            command = [
                node,
                str(script),
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                str(self.port),
                "--location",
                str(self.location),
                "--silent",
                "--skipApiVersionCheck",
                "--disableTelemetry",
            ]
            if self.in_memory:
                command.append("--inMemoryPersistence")
            self.process = subprocess.Popen(
                command,
                cwd=self.location,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=self._log,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
            atexit.register(self.stop)
            if self._wait_until_ready(timeout):
                return self
            if "EADDRINUSE" not in self._log_tail():
                break
        log = self._log_tail()
        self.stop()
        raise AzuriteUnavailable(f"Azurite did not start on 127.0.0.1:{self.port}:\n{log}")

    def _wait_until_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                # Any HTTP answer (an unauthenticated request gets 403) means the service is up.
                with urllib.request.urlopen(f"{self.url}?comp=list", timeout=1):
                    return True
            except urllib.error.HTTPError:
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def _log_tail(self) -> str:
        if self._log is None or self._log.closed:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-2000:]

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                pass
        if process is not None:
            atexit.unregister(self.stop)
        if self._log is not None and not self._log.closed:
            self._log.close()
            Path(self._log.name).unlink(missing_ok=True)
        if self.location is not None:
            shutil.rmtree(self.location, ignore_errors=True)
            self.location = None

    def __enter__(self) -> Azurite:
        return self.start()

    def __exit__(self, *_) -> None:
        self.stop()


@pytest.fixture(scope="session")
def azurite():
    """The connection string of an Azurite blob service that lives for the whole test session."""
    server = Azurite()
    try:
        server.start()
        problem = ""
    except AzuriteUnavailable as error:
        problem = str(error)
    if problem:
        pytest.fail(f"Azurite (the Azure Blob Storage emulator) is unavailable: {problem}", pytrace=False)
    try:
        yield server.connection_string
    finally:
        server.stop()
