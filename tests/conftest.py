"""Shared fixtures: isolated per-user folders, a loopback HTTP server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.corpus import CORPUS as CORPUS  # the tests import it from here

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# secret_service: a real test keyring on D-Bus; xvfb: a virtual display for the real app
pytest_plugins = ["support.secret_service", "support.xvfb"]

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own XDG folders, so nothing touches the real user's library."""
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        (home / sub).mkdir(parents=True)
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.delenv("CLIPPER_LIBRARY", raising=False)
    return home


@pytest.fixture
def http_server() -> Iterator[object]:
    """A real HTTP server on 127.0.0.1, started and stopped by the test."""
    from support.server import LoopbackServer

    with LoopbackServer() as server:
        yield server
