"""A virtual X display for tests that run the real app (Xvfb, started and stopped per test)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

TOOLS = ("Xvfb", "xdotool", "xclip")


@pytest.fixture
def display() -> Iterator[str]:
    """The DISPLAY of a fresh Xvfb; skipped without the tools, failed without them in CI."""
    if not all(shutil.which(t) for t in TOOLS):
        if os.environ.get("CI"):
            pytest.fail("Xvfb, xdotool and xclip are needed (make test installs them)")
        pytest.skip("needs Xvfb, xdotool and xclip (make test installs them)")
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    xvfb.terminate()
    xvfb.wait(10)


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll until predicate returns something true; fail naming what never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
