"""URL normalisation, tag names, per-user folders and settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clipper.core import tags
from clipper.core.paths import library_path, user_folders
from clipper.core.settings import Settings, load_settings, save_settings
from clipper.core.urls import host_of, normalise_url, reversed_host


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://Example.COM/a", "http://example.com/a"),
        ("https://example.com:443/a/", "https://www.example.com/a"),
        ("https://example.com/a?utm_source=x&utm_medium=y", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1&fbclid=z&gclid=q", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a#section", "https://example.com/a"),
        ("https://example.com//a//b", "https://example.com/a/b"),
    ],
)
def test_same_page_normalises_the_same(a: str, b: str) -> None:
    assert normalise_url(a) == normalise_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.com/a?page=1", "https://example.com/a?page=2"),
        ("https://example.com:8080/a", "https://example.com/a"),
        ("https://example.com/A", "https://example.com/a"),
        ("https://news.example.com/a", "https://example.com/a"),
    ],
)
def test_different_pages_stay_different(a: str, b: str) -> None:
    assert normalise_url(a) != normalise_url(b)


def test_hosts() -> None:
    assert host_of("https://WWW.Example.com:8080/x") == "example.com"
    assert host_of(None) == "" and host_of("not a url") == ""
    assert reversed_host("news.example.com") == "com.example.news."


def test_tag_names() -> None:
    assert tags.clean("  Deep \n  learning\t") == "Deep learning"
    assert tags.key("ÉTÉ") == tags.key("été")
    assert tags.clean_all(["a", "A", " ", "b", "a "]) == ["a", "b"]
    assert len(tags.clean("x" * 500)) == tags.MAX_TAG_LENGTH


def test_folders_follow_xdg(isolated_home: Path) -> None:
    folders = user_folders()
    assert str(folders.data).startswith(str(isolated_home))
    assert folders.default_library.name == "library.sqlite3"
    assert library_path() == folders.default_library
    assert library_path(setting="~/x.sqlite3") == Path("~/x.sqlite3").expanduser()
    assert library_path("/tmp/explicit.sqlite3", "/tmp/setting") == Path("/tmp/explicit.sqlite3")


def test_library_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIPPER_LIBRARY", "/tmp/env.sqlite3")
    assert library_path(setting="/tmp/setting.sqlite3") == Path("/tmp/env.sqlite3")


def test_settings_round_trip_and_damage(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    assert load_settings(path) == Settings()
    s = Settings(fetch_timeout=12, library_path="/x.sqlite3", extra={"future_key": [1, 2]})
    save_settings(s, path)
    data = json.loads(path.read_text())
    assert data["version"] == 1 and data["future_key"] == [1, 2]
    assert load_settings(path) == s
    path.write_text('{"fetch_timeout": "soon", "max_page_mb": -3, "library_path": 5}')
    assert load_settings(path) == Settings()
    path.write_text("{ not json")
    assert load_settings(path) == Settings()
