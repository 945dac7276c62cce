"""`clipper login` end to end: a real CLI process, a real Secret Service, loopback servers."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import pty
import select
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

import pytest

from clipper.core.paths import user_folders
from support.secret_service import PAGES, SecretService, members_only

COOKIE = "member_session=Zm9vYmFy-SECRET-cookie-31337"
USER, PASSWORD = "alice", "correct-horse-SECRET-battery"
TOKEN = "eyJhbGciOi.SECRET-token.xyz"
NEWS = (PAGES / "news.html").read_bytes()
TITLE = "Riverside Flood Barrier Approved After a Decade of Debate"
UNAVAILABLE = "Clipper keeps site logins only in your system keyring, and none is available"


def run(
    *args: str, stdin: str | None = "", check: int | None = 0, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "clipper", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    if check is not None:
        assert result.returncode == check, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result


def hosts_file() -> Path:
    return user_folders().config / "login_hosts.json"


def saved_hosts() -> list[str] | None:
    """The hosts in the list of logins (None: there is no list)."""
    path = hosts_file()
    return json.loads(path.read_text())["hosts"] if path.exists() else None


def secret_forms() -> list[bytes]:
    """Every spelling of the test secrets that must never reach a file Clipper writes."""
    basic = base64.b64encode(f"{USER}:{PASSWORD}".encode())
    return [COOKIE.encode(), PASSWORD.encode(), TOKEN.encode(), basic, b"SECRET"]


def files_holding_a_secret(*folders: Path) -> list[str]:
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                found += [f"{path}: {s!r}" for s in secret_forms() if s in data]
    return found


# --- the whole story ------------------------------------------------------------------------


def test_cookie_login_clips_a_members_page_and_writes_no_secret(
    secret_service: SecretService, http_server: Any, isolated_home: Path, tmp_path: Path
) -> None:
    members_only(http_server, "/article", NEWS, cookie=COOKIE)
    url = http_server.url("/article")
    # A visitor is sent to the sign-in page, which has no article.
    assert "no article" in run("add", url, check=1).stderr.lower()
    out = run("login", "add", "127.0.0.1", "--cookie", stdin=COOKIE + "\n").stdout
    assert out == "Saved a login for 127.0.0.1: Cookie.\n"
    assert run("login", "list").stdout == "127.0.0.1  Cookie\n"
    assert json.loads(run("login", "list", "--json").stdout) == [
        {"host": "127.0.0.1", "kind": "cookie", "user": None}
    ]
    clip = json.loads(run("add", url, "--json").stdout)
    assert clip["title"] == TITLE
    assert http_server.requests[-1][2]["cookie"] == COOKIE
    # The secret is in the keyring, and nowhere else: not the settings, the library, the
    # log, nor exports.
    assert json.loads(secret_service.items()["127.0.0.1"])["secret"] == COOKIE
    assert saved_hosts() == ["127.0.0.1"]
    exports = tmp_path / "exports"
    run("export", "--all", "--format", "md", "--out", str(exports / "md"))
    run("export", "--all", "--format", "json", "--out", str(exports / "json"))
    assert len(list(exports.rglob("*.*"))) == 2
    assert user_folders().log_file.exists()
    assert files_holding_a_secret(isolated_home, exports) == []
    assert files_holding_a_secret(secret_service.keyring_folder) == []  # encrypted there


def test_basic_and_bearer_logins(
    secret_service: SecretService, http_server: Any, isolated_home: Path
) -> None:
    members_only(http_server, "/report", NEWS, basic=(USER, PASSWORD))
    members_only(http_server, "/api/report", NEWS, bearer=TOKEN)
    report = http_server.url("/report")
    assert "HTTP 401" in run("extract", report, check=1).stderr
    out = run("login", "add", "127.0.0.1", "--basic", USER, stdin=PASSWORD + "\n").stdout
    assert "Saved a login for 127.0.0.1: HTTP Basic (alice)." in out
    assert "sent in clear over plain http://" in out
    assert json.loads(run("extract", report, "--format", "json").stdout)["title"] == TITLE
    # The bearer login belongs to "localhost": the same server under another name.
    api = f"http://localhost:{http_server.port}/api/report"
    run("login", "add", "LOCALHOST", "--bearer", stdin=f"Bearer {TOKEN}")
    assert run("login", "list").stdout == "127.0.0.1  HTTP Basic (alice)\nlocalhost  Bearer token\n"
    assert json.loads(run("add", api, "--json").stdout)["title"] == TITLE
    assert http_server.requests[-1][2]["authorization"] == f"Bearer {TOKEN}"
    assert files_holding_a_secret(isolated_home) == []


def test_a_login_never_follows_a_redirect_to_another_host(
    secret_service: SecretService, http_server: Any
) -> None:
    members_only(http_server, "/article", NEWS, cookie=COOKIE)
    http_server.redirect("/to-localhost", f"http://localhost:{http_server.port}/article")
    run("login", "add", "127.0.0.1", "--cookie", stdin=COOKIE)
    run("add", http_server.url("/to-localhost"), check=1)  # ends on the sign-in page
    sent = [(p, h["host"].split(":")[0], h.get("cookie")) for _, p, h in http_server.requests]
    assert sent == [
        ("/to-localhost", "127.0.0.1", COOKIE),
        ("/article", "localhost", None),
        ("/login", "localhost", None),
    ]


def test_remove_and_mistakes(secret_service: SecretService) -> None:
    run("login", "add", "https://Example.com/paper", "--cookie", stdin=COOKIE)
    assert (
        "Replaced the login for example.com: Cookie."
        in run("login", "add", "example.com", "--cookie", stdin=COOKIE).stdout
    )
    assert run("login", "rm", "EXAMPLE.COM.").stdout == "Removed the login for example.com.\n"
    assert secret_service.items() == {}
    assert saved_hosts() is None
    assert run("login", "list").stdout == "No saved logins.\n"
    err = run("login", "rm", "example.com", check=1).stderr
    assert err == "clipper: There is no saved login for example.com.\n"
    err = run("login", "add", "not a host", "--cookie", stdin=COOKIE, check=1).stderr
    assert "is not a host name or an IP address" in err
    err = run("login", "add", "example.com", "--cookie", stdin="", check=1).stderr
    assert "cannot be empty" in err
    err = run("login", "add", "example.com", "--basic", "a:b", stdin="pw", check=1).stderr
    assert "colon" in err
    assert run("login", "add", "example.com", check=2).stderr.startswith("usage:")
    assert "clipper login add HOST" in run("login", check=2).stderr
    assert secret_service.items() == {}


def test_the_secret_prompt_on_a_terminal_does_not_echo(secret_service: SecretService) -> None:
    output = _run_on_terminal(["login", "add", "127.0.0.1", "--bearer"], TOKEN + "\n")
    assert "Bearer token for 127.0.0.1: " in output
    assert TOKEN not in output
    assert "Saved a login for 127.0.0.1: Bearer token." in output
    assert json.loads(secret_service.items()["127.0.0.1"])["secret"] == TOKEN


def _run_on_terminal(args: list[str], typed: str) -> str:
    """Run clipper with a pseudo-terminal as its controlling terminal; type, then read."""
    main, child = pty.openpty()

    def take_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [sys.executable, "-m", "clipper", *args],
        stdin=child,
        stdout=child,
        stderr=child,
        start_new_session=True,
        preexec_fn=take_terminal,  # after setsid: make the pty our controlling terminal
    )
    os.close(child)
    output = _read_until(main, b": ", 30)
    os.write(main, typed.encode())
    output += _read_until(main, None, 30)
    proc.wait(timeout=30)
    os.close(main)
    assert proc.returncode == 0, output
    return output.decode(errors="replace")


def _read_until(fd: int, marker: bytes | None, timeout: float) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (marker is None or marker not in data):
        ready, _, _ = select.select([fd], [], [], 0.1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        data += chunk
    return data


# --- without a usable keyring ---------------------------------------------------------------


def _no_keyring_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/clipper-test-bus"
    return env


def test_without_a_keyring_logins_are_refused_and_clipping_still_works(
    http_server: Any,
) -> None:
    env = _no_keyring_env()
    http_server.page("/public", NEWS)
    err = run("login", "add", "example.com", "--cookie", stdin=COOKIE, check=1, env=env).stderr
    assert err.startswith(f"clipper: {UNAVAILABLE}: no keyring service is installed or running")
    assert saved_hosts() is None
    assert run("login", "list", env=env).stdout == "No saved logins.\n"
    assert "Councillors voted" in run("extract", http_server.url("/public"), env=env).stdout
    # Logins saved earlier (the keyring has gone since): one warning, then clip without them.
    hosts_file().parent.mkdir(parents=True, exist_ok=True)
    hosts_file().write_text(json.dumps({"version": 1, "hosts": ["127.0.0.1"]}))
    result = run("add", http_server.url("/public"), http_server.url("/public?2"), env=env)
    warnings = result.stderr.splitlines()
    assert len(warnings) == 1 and warnings[0].startswith(f"clipper: {UNAVAILABLE}")
    assert warnings[0].endswith("Clipping without site logins.")
    assert result.stdout.count("Added") + result.stdout.count("Updated") == 2
    assert all("cookie" not in h and "authorization" not in h for _, _, h in http_server.requests)
    listed = run("login", "list", check=1, env=env)
    assert listed.stdout == "127.0.0.1\n" and UNAVAILABLE in listed.stderr


def test_a_locked_keyring(private_secret_service: SecretService, http_server: Any) -> None:
    members_only(http_server, "/article", NEWS, cookie=COOKIE)
    http_server.page("/public", NEWS)
    run("login", "add", "127.0.0.1", "--cookie", stdin=COOKIE)
    private_secret_service.lock()
    result = run("add", http_server.url("/public"))
    assert "locked" in result.stderr and "Clipping without site logins." in result.stderr
    assert "Added" in result.stdout
    assert "locked" in run("login", "add", "example.com", "--cookie", stdin=COOKIE, check=1).stderr
    assert saved_hosts() == ["127.0.0.1"]


@pytest.mark.parametrize("command", ["add", "extract"])
def test_no_logins_means_no_keyring_at_all(command: str, http_server: Any) -> None:
    http_server.page("/public", NEWS)
    # A keyring configuration that would fail loudly if Clipper asked it for anything.
    env = _no_keyring_env()
    env["PYTHON_KEYRING_BACKEND"] = "no.such.Backend"
    result = run(command, http_server.url("/public"), env=env)
    assert result.stderr == ""
