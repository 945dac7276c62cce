"""End to end: the real clipper process on a virtual X display (Xvfb).

A link from a loopback server is put on the X clipboard with xclip, Ctrl+V is
pressed with xdotool, and the clip is found with `clipper list --json`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES
from support.xvfb import wait_for

pytestmark = pytest.mark.slow


def x(env: dict[str, str], *args: str, timeout: float = 10) -> str:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout).stdout


def listed(env: dict[str, str]) -> list[dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, "-m", "clipper", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return json.loads(out)["clips"] if out.strip() else []


def test_paste_a_link_into_the_real_window(display: str, http_server: Any, tmp_path: Path) -> None:
    http_server.page("/story", (FIXTURES / "pages" / "news.html").read_bytes())
    url = http_server.url("/story")
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    app = subprocess.Popen(
        [sys.executable, "-m", "clipper"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    clipboard = None
    try:
        window = wait_for(
            lambda: x(env, "xdotool", "search", "--name", "^Clipper$").split(), 30, "the window"
        )[0]
        clipboard = subprocess.Popen(
            ["xclip", "-selection", "clipboard", "-i", "-quiet"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert clipboard.stdin is not None
        clipboard.stdin.write(url)
        clipboard.stdin.close()
        time.sleep(0.5)
        x(env, "xdotool", "windowfocus", "--sync", window)
        x(env, "xdotool", "key", "--clearmodifiers", "ctrl+v")
        clips = wait_for(lambda: listed(env), 30, "the clip to be stored")
        assert clips[0]["url"] == url
        assert clips[0]["title"]
        assert app.poll() is None, "the window closed"
    finally:
        if clipboard is not None:
            clipboard.kill()
        app.terminate()
        output = app.communicate(timeout=15)[0]
    assert "Traceback" not in output, output


def test_a_second_launch_hands_its_file_to_the_first(display: str, tmp_path: Path) -> None:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    first = subprocess.Popen(
        [sys.executable, "-m", "clipper"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(lambda: x(env, "xdotool", "search", "--name", "^Clipper$").split(), 30, "window")
        page = FIXTURES / "pages" / "docs.html"
        second = subprocess.run(
            [sys.executable, "-m", "clipper", str(page)],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert second.returncode == 0, second.stdout + second.stderr
        clips = wait_for(lambda: listed(env), 30, "the handed-over clip")
        assert clips[0]["title"] == "Configuring the cache"
        visible = x(env, "xdotool", "search", "--onlyvisible", "--name", "^Clipper$").split()
        assert len(visible) == 1, visible
        assert first.poll() is None
    finally:
        first.terminate()
        output = first.communicate(timeout=15)[0]
    assert "Traceback" not in output, output
