"""What a paste or a drop holds, as clip requests.

Browsers and file managers put several formats on the clipboard or in a drag at once; this
module picks the most useful one, in this order: local files, an HTML selection (with the
page it came from), web links, and finally plain text.
"""

from __future__ import annotations

from html.parser import HTMLParser

from PySide6.QtCore import QMimeData

from clipper.core.fetch import is_http_url
from clipper.gui.jobs import ClipRequest

PLAIN_TEXT = "text/plain"
URI_LIST = "text/uri-list"
MOZ_URL = "text/x-moz-url"  # Firefox: UTF-16 "url\ntitle"
SOURCE_URL_FORMATS = ("chromium/x-source-url", "text/x-chromium-source-url")

# A dragged link's HTML is a few hundred bytes; anything longer is a real selection.
_BARE_LINK_MAX_CHARS = 4096
# Tags that are content in their own right: HTML with one of these is more than a link.
_CONTENT_TAGS = frozenset(
    {"img", "picture", "video", "audio", "svg", "iframe", "table", "pre", "code", "math"}
)


def requests_from_mime(mime: QMimeData) -> list[ClipRequest]:
    """The clip requests in a paste or a drop, most useful format first; [] if none."""
    for reader in (_file_requests, _html_requests, _link_requests, _text_requests):
        requests = reader(mime)
        if requests:
            return requests
    return []


def accepts(mime: QMimeData) -> bool:
    """Whether a drag carries anything Clipper can clip (for dragEnterEvent)."""
    return bool(requests_from_mime(mime))


# -- the four kinds, in order of preference ----------------------------------------------------


def _file_requests(mime: QMimeData) -> list[ClipRequest]:
    # Every local file becomes a request, not only .html/.mhtml/.txt/.md ones: for the
    # others the core gives a clear message saying what it can clip.
    paths = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
    return [ClipRequest("file", path) for path in _unique(paths) if path]


def _html_requests(mime: QMimeData) -> list[ClipRequest]:
    if not mime.hasHtml():
        return []
    html = mime.html()
    if not html.strip():
        return []
    href = _bare_link(html)
    if href is not None and href in _link_evidence(mime):
        return [ClipRequest("url", href)]
    return [ClipRequest("html", html, _source_url(mime))]


def _link_requests(mime: QMimeData) -> list[ClipRequest]:
    return [ClipRequest("url", url) for url in _http_links(mime)]


def _text_requests(mime: QMimeData) -> list[ClipRequest]:
    text = _plain_text(mime)
    if not text.strip():
        return []
    links = _text_links(text)
    if links:
        return [ClipRequest("url", url) for url in links]
    return [ClipRequest("text", text)]


# -- where links and source addresses hide ------------------------------------------------------


def _http_links(mime: QMimeData) -> list[str]:
    """http(s) links from text/uri-list (comment lines skipped), else from ``mime.urls()``."""
    # Qt's urls() is read from the same uri-list where there is one; reading the raw list
    # keeps each link exactly as the other program wrote it.
    links = _uri_list(mime) or [bytes(url.toEncoded().data()).decode() for url in mime.urls()]
    return _unique([url for url in links if is_http_url(url)])


def _uri_list(mime: QMimeData) -> list[str]:
    if not mime.hasFormat(URI_LIST):
        return []
    lines = _format_text(mime, URI_LIST).splitlines()
    # RFC 2483: lines starting with # are comments.
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _text_links(text: str) -> list[str]:
    """The links if the text is one http(s) link or one per line; else []."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if lines and all(is_http_url(line) for line in lines):
        return _unique(lines)
    return []


def _moz_url(mime: QMimeData) -> str | None:
    if not mime.hasFormat(MOZ_URL):
        return None
    first = _format_text(mime, MOZ_URL).strip().split("\n", 1)[0].strip()
    return first if is_http_url(first) else None


def _chromium_source_url(mime: QMimeData) -> str | None:
    for name in SOURCE_URL_FORMATS:
        if mime.hasFormat(name):
            url = _format_text(mime, name).strip()
            if is_http_url(url):
                return url
    return None


def _plain_text(mime: QMimeData) -> str:
    """The text/plain part only: Qt's text() would offer the uri-list when there is none."""
    return mime.text() if mime.hasFormat(PLAIN_TEXT) else ""


def _plain_text_url(mime: QMimeData) -> str | None:
    text = _plain_text(mime).strip()
    return text if is_http_url(text) else None


def _source_url(mime: QMimeData) -> str | None:
    """The page an HTML selection was copied from, if the clipboard says."""
    return _moz_url(mime) or _chromium_source_url(mime) or _plain_text_url(mime)


def _link_evidence(mime: QMimeData) -> set[str]:
    """Links the drag or paste says it is about (a dragged or copied link)."""
    found = set(_http_links(mime))
    found.update(url for url in (_moz_url(mime), _plain_text_url(mime)) if url)
    return found


def _format_text(mime: QMimeData, name: str) -> str:
    return _decode(bytes(mime.data(name).data()))


def _decode(data: bytes) -> str:
    """Text of a clipboard format: UTF-16 (Firefox) or UTF-8 (everyone else)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if len(data) >= 2 and data[1::2].count(0) > len(data) // 4:
        # Mostly zero high bytes: UTF-16 little-endian without a byte order mark.
        return data.decode("utf-16-le", errors="replace").rstrip("\x00")
    return data.decode("utf-8", errors="replace").rstrip("\x00")


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# -- is this HTML just a link? -----------------------------------------------------------------


class _LinkFinder(HTMLParser):
    """Collects the links in a fragment and whether it holds anything besides one link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.other_content = False
        self._depth = 0  # how many <a> elements we are inside

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._depth += 1
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href.strip())
        elif tag in _CONTENT_TAGS and self._depth == 0:
            self.other_content = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth == 0 and data.strip():
            self.other_content = True


def _bare_link(html: str) -> str | None:
    """The href if the HTML is one link and nothing else (as when a link is dragged)."""
    if len(html) > _BARE_LINK_MAX_CHARS:
        return None
    finder = _LinkFinder()
    finder.feed(html)
    finder.close()
    if len(finder.hrefs) != 1 or finder.other_content:
        return None
    return finder.hrefs[0] if is_http_url(finder.hrefs[0]) else None
