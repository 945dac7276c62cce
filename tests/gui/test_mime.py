"""Pastes and drops, built the way browsers and file managers build them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QUrl

from clipper.gui.jobs import ClipRequest
from clipper.gui.mime import accepts, requests_from_mime

SELECTION = "<p>The river town kept its <b>old mills</b> running.</p><p>Second paragraph.</p>"
PAGE = "https://news.example.com/2024/mills?ref=home"
LINK = "https://blog.example.org/posts/wheels"


def mime_with(
    *,
    html: str | None = None,
    text: str | None = None,
    urls: list[QUrl] | None = None,
    **formats: bytes,
) -> QMimeData:
    mime = QMimeData()
    if urls is not None:
        mime.setUrls(urls)
    if html is not None:
        mime.setHtml(html)
    if text is not None:
        mime.setText(text)
    for name, data in formats.items():
        mime.setData(name.replace("__", "/").replace("_", "-"), data)
    return mime


def moz_url(url: str, title: str, *, bom: bool = False) -> bytes:
    """Firefox's text/x-moz-url: UTF-16 "url\\ntitle"."""
    return ("\ufeff" if bom else "").encode("utf-16-le") + f"{url}\n{title}".encode("utf-16-le")


@pytest.fixture(autouse=True)
def _app(qapp: Any) -> None:
    """QMimeData needs no window, but Qt's types want an application object."""


def test_dropped_files_become_file_requests(tmp_path: Path) -> None:
    files = [tmp_path / "saved page.html", tmp_path / "notes.md", tmp_path / "scan.pdf"]
    mime = mime_with(
        urls=[QUrl.fromLocalFile(str(f)) for f in files],
        text="\n".join(str(f) for f in files),
    )
    requests = requests_from_mime(mime)
    # The PDF is handed over too: the core explains that it cannot clip it.
    assert requests == [ClipRequest("file", str(f)) for f in files]
    assert accepts(mime)


@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
def test_firefox_selection_keeps_its_page_address(bom: bool) -> None:
    mime = mime_with(
        html=SELECTION,
        text="The river town kept its old mills running.\n\nSecond paragraph.",
        **{"text__x_moz_url": moz_url(PAGE, "Mills of the valley", bom=bom)},
    )
    assert requests_from_mime(mime) == [ClipRequest("html", SELECTION, PAGE)]


@pytest.mark.parametrize("name", ["chromium/x-source-url", "text/x-chromium-source-url"])
def test_chromium_selection_keeps_its_page_address(name: str) -> None:
    html = '<meta http-equiv="content-type" content="text/html; charset=utf-8">' + SELECTION
    mime = QMimeData()
    mime.setHtml(html)
    mime.setText("The river town kept its old mills running.")
    mime.setData(name, PAGE.encode())
    assert requests_from_mime(mime) == [ClipRequest("html", html, PAGE)]


def test_selection_whose_plain_text_is_a_url_uses_it_as_source() -> None:
    mime = mime_with(html=SELECTION, text=f"  {PAGE}\n")
    assert requests_from_mime(mime) == [ClipRequest("html", SELECTION, PAGE)]


def test_selection_without_an_address() -> None:
    mime = mime_with(html=SELECTION, text="The river town kept its old mills running.")
    assert requests_from_mime(mime) == [ClipRequest("html", SELECTION, None)]


def test_dragged_link_becomes_a_url_request() -> None:
    html = f'<meta charset="utf-8"><a href="{LINK}">Wheels, <b>explained</b></a>'
    mime = mime_with(
        html=html,
        text=LINK,
        urls=[QUrl(LINK)],
        **{"text__x_moz_url": moz_url(LINK, "Wheels, explained")},
    )
    assert requests_from_mime(mime) == [ClipRequest("url", LINK)]
    assert accepts(mime)


def test_a_link_inside_a_real_selection_does_not_replace_it() -> None:
    html = f'<p>Read <a href="{LINK}">this post</a> about wheels.</p>'
    mime = mime_with(html=html, urls=[QUrl(LINK)])
    assert requests_from_mime(mime) == [ClipRequest("html", html, None)]


def test_a_copied_link_from_another_page_is_still_a_selection() -> None:
    # Only the link was selected on PAGE: the clipboard names PAGE, not the link.
    html = f'<a href="{LINK}">this post</a>'
    mime = mime_with(html=html, **{"chromium__x_source_url": PAGE.encode()})
    assert requests_from_mime(mime) == [ClipRequest("html", html, PAGE)]


def test_uri_list_with_comments_and_several_links() -> None:
    mime = QMimeData()
    mime.setData(
        "text/uri-list",
        f"# dragged from the bookmarks\r\n{LINK}\r\n{PAGE}\r\nftp://old.example/file\r\n"
        f"{LINK}\r\n".encode(),
    )
    assert requests_from_mime(mime) == [ClipRequest("url", LINK), ClipRequest("url", PAGE)]


def test_urls_set_by_qt() -> None:
    mime = mime_with(urls=[QUrl(LINK), QUrl("mailto:someone@example.com")])
    assert requests_from_mime(mime) == [ClipRequest("url", LINK)]


def test_plain_text_that_is_one_url() -> None:
    mime = mime_with(text=f"\n  {LINK}  \n")
    assert requests_from_mime(mime) == [ClipRequest("url", LINK)]


def test_plain_text_with_a_url_on_each_line() -> None:
    mime = mime_with(text=f"{LINK}\n\n{PAGE}\n")
    assert requests_from_mime(mime) == [ClipRequest("url", LINK), ClipRequest("url", PAGE)]


@pytest.mark.parametrize(
    "text",
    [
        "Remember to read about the mills.",
        f"Read this: {LINK}",
        f"{LINK}\nand also the other one",
        "www.example.com",
    ],
)
def test_other_plain_text_is_a_text_request(text: str) -> None:
    assert requests_from_mime(mime_with(text=text)) == [ClipRequest("text", text)]


def test_nothing_to_clip() -> None:
    for mime in (
        QMimeData(),
        mime_with(text="   \n "),
        mime_with(html="  "),
        mime_with(**{"image__png": b"\x89PNG\r\n\x1a\n"}),
        mime_with(urls=[QUrl("mailto:someone@example.com")]),
    ):
        assert requests_from_mime(mime) == []
        assert not accepts(mime)


def test_accepts_every_kind(tmp_path: Path) -> None:
    for mime in (
        mime_with(urls=[QUrl.fromLocalFile(str(tmp_path / "a.txt"))]),
        mime_with(html=SELECTION),
        mime_with(urls=[QUrl(LINK)]),
        mime_with(text="a note"),
    ):
        assert accepts(mime)
