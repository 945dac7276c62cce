"""The one path every clip takes: source -> raw document -> article -> library.

The CLI and the window both call these functions; neither extracts or stores
anything on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from clipper.core.article import Article
from clipper.core.errors import ClipperError, NoArticle, SourceError
from clipper.core.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, CancelToken, fetch, is_http_url
from clipper.core.library import AddResult, Library
from clipper.core.sources import (
    HTML,
    MHTML,
    RawDocument,
    document_from_bytes,
    file_url_to_path,
    html_of,
    load_file,
)

# "example.com/page" typed without a scheme: a browser would open it, so do we.
_BARE_DOMAIN = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?$", re.IGNORECASE)


@dataclass
class ClipOptions:
    """How to fetch and what to do with pages that have no article."""

    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    keep_as_link: bool = False
    tags: list[str] = field(default_factory=list)
    cancel: CancelToken | None = None
    # Headers that log in to a URL (a site login), asked for each hop of a fetch.
    auth_for: Callable[[str], dict[str, str]] | None = None


def load_source(source: str, options: ClipOptions | None = None) -> RawDocument:
    """A URL, a file: URL or a file path -> the raw document (fetched or read)."""
    options = options or ClipOptions()
    text = source.strip()
    if is_http_url(text):
        resp = fetch(
            text,
            timeout=options.timeout,
            max_bytes=options.max_bytes,
            cancel=options.cancel,
            auth_for=options.auth_for,
        )
        return document_from_bytes(resp.body, resp.content_type, resp.url, resp.charset, "url")
    if text.lower().startswith("file:"):
        path = file_url_to_path(text)
        if path is None:
            raise SourceError(f"Clipper cannot read this file link: {text}")
        return load_file(path)
    path = Path(text).expanduser()
    if not path.exists() and _BARE_DOMAIN.match(text):
        return load_source(f"https://{text}", options)
    if not path.exists() and "://" in text:
        scheme = text.split("://", 1)[0]
        raise SourceError(f"Only http and https links can be clipped, not {scheme}: links.")
    return load_file(path)


def extract(doc: RawDocument, keep_as_link: bool = False) -> Article:
    """The article in a raw document; a bookmark instead when asked and there is none."""
    from clipper.core.extract import article_from_document, link_article

    try:
        return article_from_document(doc)
    except NoArticle:
        if keep_as_link and doc.url:
            is_page = doc.content_type in (HTML, MHTML)
            return link_article(doc.url, html_of(doc) if is_page else None)
        raise


def clip_document(
    library: Library, doc: RawDocument, options: ClipOptions | None = None
) -> AddResult:
    """Extract and store a document already in hand (a paste, a drop, a file)."""
    options = options or ClipOptions()
    article = extract(doc, options.keep_as_link)
    return library.add(article, doc, tags=options.tags)


def clip_source(library: Library, source: str, options: ClipOptions | None = None) -> AddResult:
    """Fetch or read ``source``, extract its article and store it."""
    options = options or ClipOptions()
    return clip_document(library, load_source(source, options), options)


@dataclass
class ReextractReport:
    updated: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # no stored page (e.g. older clips)
    failed: dict[int, str] = field(default_factory=dict)


def reextract(library: Library, ids: Iterable[int]) -> ReextractReport:
    """Rebuild clips from their stored pages with the current extractor, offline."""
    report = ReextractReport()
    for clip_id in ids:
        doc = library.page(clip_id)
        if doc is None:
            report.skipped.append(clip_id)
            continue
        try:
            library.replace_article(clip_id, extract(doc, keep_as_link=True))
        except ClipperError as exc:
            report.failed[clip_id] = str(exc)
        else:
            report.updated.append(clip_id)
    return report
