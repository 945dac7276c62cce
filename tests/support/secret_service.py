"""A real Secret Service for tests: a private D-Bus session bus with gnome-keyring on it.

Registered from conftest.py as a pytest plugin. Nothing here touches the user's own
session bus or keyring: the bus is a fresh ``dbus-daemon`` with a config of our own (no
service activation, so nothing else can start on it), and ``gnome-keyring-daemon`` runs
with HOME and the XDG folders in a temporary folder, its "login" keyring created and
unlocked with a throwaway password read from stdin. Both are child processes of the test
run, stopped by their own process ids (and sent SIGTERM by the kernel should the test run
itself die first).

Fixtures:

``secret_service``
    For one test: DBUS_SESSION_BUS_ADDRESS points at a shared test bus (started once per
    test session), HOME at the test's temporary home, PYTHON_KEYRING_BACKEND is unset, and
    the keyring library picks its backend afresh. Every ``clipper`` item is deleted from
    the keyring after the test. Yields the :class:`SecretService`.
``private_secret_service``
    The same with a bus and keyring of the test's own, for tests that lock the keyring or
    stop the daemon.

``members_only(server, path, body, cookie=|basic=|bearer=)`` makes a loopback-server page
that only a request with the right login gets (others: a redirect to a sign-in page, or 401).

Without gnome-keyring-daemon or dbus-daemon the tests that use them are skipped, except
under CI (``CI`` set), where that is an error: ``make test`` installs both.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

SERVICE_NAME = "org.freedesktop.secrets"
KEYRING_PASSWORD = b"clipper-test-keyring-password"
START_TIMEOUT = 15.0
_PR_SET_PDEATHSIG = 1
PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class SecretService:
    """A dbus-daemon and a gnome-keyring-daemon, both children of this process."""

    def __init__(self, folder: Path | None = None) -> None:
        # A unix socket path may not exceed 107 bytes: fall back to a short one in /tmp.
        if folder is None or len(str(folder / "bus")) > 100:
            folder = Path(tempfile.mkdtemp(prefix="clipper-ss-"))
        self.root = folder
        self.home = self.root / "home"
        self.address = ""
        self._bus: subprocess.Popen[bytes] | None = None
        self._keyring: subprocess.Popen[bytes] | None = None

    @property
    def keyring_folder(self) -> Path:
        """Where gnome-keyring keeps its (encrypted) keyring files."""
        return self.home / ".local" / "share" / "keyrings"

    def start(self) -> SecretService:
        """Start the bus, then the keyring daemon; return once the keyring answers."""
        try:
            self._start_bus()
            self._start_keyring()
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop both daemons (by their own pids) and delete their folder."""
        for proc in (self._keyring, self._bus):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
        for proc in (self._keyring, self._bus):
            if proc is not None and proc.stdout is not None:
                proc.stdout.close()
        self._keyring = self._bus = None
        shutil.rmtree(self.root, ignore_errors=True)

    # -- starting ----------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        runtime = self.root / "run"
        runtime.mkdir(mode=0o700, exist_ok=True)
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(self.home),
            "XDG_RUNTIME_DIR": str(runtime),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
        }

    def _start_bus(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)  # inside self.root
        config = self.root / "bus.conf"
        config.write_text(_BUS_CONFIG.format(socket=self.root / "bus"))
        self._bus = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=self._env(),
            preexec_fn=_die_with_parent,
        )
        assert self._bus.stdout is not None
        self.address = self._bus.stdout.readline().decode().strip()
        if not self.address:
            raise RuntimeError("dbus-daemon did not start")

    def _start_keyring(self) -> None:
        env = {**self._env(), "DBUS_SESSION_BUS_ADDRESS": self.address}
        log = (self.root / "gnome-keyring.log").open("wb")
        with log:
            self._keyring = subprocess.Popen(
                ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=log,
                env=env,
                preexec_fn=_die_with_parent,
            )
        assert self._keyring.stdin is not None
        self._keyring.stdin.write(KEYRING_PASSWORD)
        self._keyring.stdin.close()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not self._ready():
            if self._keyring is not None and self._keyring.poll() is not None:
                raise RuntimeError(f"gnome-keyring-daemon exited: {self.daemon_log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the test keyring did not start: {self.daemon_log()}")
            time.sleep(0.05)

    def _ready(self) -> bool:
        """Whether the keyring daemon is on the bus with an unlocked default collection."""
        import secretstorage

        try:
            with self.connection() as conn:
                return not secretstorage.Collection(conn).is_locked()
        except Exception:  # not on the bus yet, or still creating its keyring
            return False

    def daemon_log(self) -> str:
        """What gnome-keyring-daemon printed."""
        path = self.root / "gnome-keyring.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- using ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def connection(self) -> Iterator[object]:
        """A jeepney connection to this bus (not the one in the environment)."""
        from jeepney.io.blocking import open_dbus_connection

        conn = open_dbus_connection(bus=self.address)
        try:
            yield conn
        finally:
            conn.close()

    def items(self, service: str = "clipper") -> dict[str, str]:
        """{user name: secret} of every item the keyring library saved for ``service``."""
        import secretstorage

        with self.connection() as conn:
            collection = secretstorage.Collection(conn)
            return {
                item.get_attributes()["username"]: item.get_secret().decode()
                for item in collection.search_items({"service": service})
            }

    def clear(self, service: str = "clipper") -> None:
        """Delete every item saved for ``service``."""
        import secretstorage

        with self.connection() as conn:
            collection = secretstorage.Collection(conn)
            if collection.is_locked():
                return
            for item in collection.search_items({"service": service}):
                item.delete()

    def lock(self) -> None:
        """Lock the default collection (unlocking it would need a prompt: there is none)."""
        import secretstorage

        with self.connection() as conn:
            secretstorage.Collection(conn).lock()


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the test run ends, even if it crashes (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: stop() still ends the daemons after a normal run


def _require_tools() -> None:
    missing = [t for t in ("dbus-daemon", "gnome-keyring-daemon") if not shutil.which(t)]
    if not missing:
        return
    message = f"{', '.join(missing)} not installed (scripts/system-deps.sh test installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _use(
    service: SecretService, monkeypatch: pytest.MonkeyPatch, home: Path
) -> Iterator[SecretService]:
    from clipper.core.secrets import redetect_keyring

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", service.address)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    redetect_keyring()
    yield service


@pytest.fixture(scope="session")
def _shared_secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretService]:
    _require_tools()
    service = SecretService(tmp_path_factory.mktemp("keyring")).start()
    yield service
    service.stop()


@pytest.fixture
def secret_service(
    _shared_secret_service: SecretService,
    monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
) -> Iterator[SecretService]:
    """The shared test keyring, on this test's environment; emptied afterwards."""
    _shared_secret_service.clear()
    yield from _use(_shared_secret_service, monkeypatch, isolated_home)
    _shared_secret_service.clear()


@pytest.fixture
def private_secret_service(
    monkeypatch: pytest.MonkeyPatch, isolated_home: Path, tmp_path: Path
) -> Iterator[SecretService]:
    """A bus and keyring for this test alone (it may lock or stop them)."""
    _require_tools()
    service = SecretService(tmp_path / "keyring").start()
    try:
        yield from _use(service, monkeypatch, isolated_home)
    finally:
        service.stop()


# --- pages behind a login, for the loopback server ----------------------------------------


def members_only(
    server: Any,
    path: str,
    body: bytes,
    *,
    cookie: str | None = None,
    basic: tuple[str, str] | None = None,
    bearer: str | None = None,
) -> None:
    """Serve ``body`` at ``path`` only to a request that carries the right login.

    With ``cookie`` (e.g. "session=abc"), the Cookie header must hold it, else the page
    redirects to /login, a sign-in form; with ``basic`` or ``bearer`` a request without the
    right Authorization header gets 401 and a WWW-Authenticate challenge.
    """
    expected_auth = None
    if basic is not None:
        pair = f"{basic[0]}:{basic[1]}".encode()
        expected_auth = "Basic " + base64.b64encode(pair).decode()
    elif bearer is not None:
        expected_auth = f"Bearer {bearer}"

    def respond(handler: BaseHTTPRequestHandler) -> None:
        if cookie is not None and cookie not in (handler.headers.get("Cookie") or ""):
            _answer(handler, 302, b"", {"Location": "/login"})
        elif expected_auth is not None and handler.headers.get("Authorization") != expected_auth:
            scheme = "Basic" if basic is not None else "Bearer"
            challenge = {"WWW-Authenticate": f'{scheme} realm="members"'}
            _answer(handler, 401, b"<html><body>Members only</body></html>", challenge)
        else:
            _answer(handler, 200, body, {})

    server.route(path, respond)
    server.page("/login", (PAGES / "login.html").read_bytes())


def _answer(
    handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body)
