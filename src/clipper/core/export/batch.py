"""Exporting many clips in any format: one file per clip into a folder, or one combined file.

The CLI and the window both call ``export_clips``; format modules are imported only
when used (PDF pulls in QtGui).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from clipper.core.errors import ClipperError
from clipper.core.export.common import ExportCancelled, Progress
from clipper.core.library import Clip, Library

FORMATS = ("md", "pdf", "html", "epub", "json")
EXTENSIONS = {"md": ".md", "pdf": ".pdf", "html": ".html", "epub": ".epub", "json": ".json"}
FORMAT_NAMES = {
    "md": "Markdown",
    "pdf": "PDF",
    "html": "HTML",
    "epub": "EPUB",
    "json": "JSON backup",
}
_CHUNK = 200  # clips loaded at a time for one-file-per-clip exports


@dataclass
class ExportRequest:
    """What to export, how, and where."""

    ids: Sequence[int]
    format: str = "md"
    folder: Path | None = None  # one file per clip here ...
    combine: Path | None = None  # ... or everything in this one file
    template: str = "{title}"
    title: str | None = None  # a combined document's title
    page_size: str | None = None  # PDF: "A4" or "Letter"; None = from the locale
    fields: Sequence[str] | None = None  # Markdown front matter; None = the default list


def _chunks(library: Library, ids: Sequence[int]) -> Iterator[list[Clip]]:
    for start in range(0, len(ids), _CHUNK):
        yield library.get_many(ids[start : start + _CHUNK], body=True)


def _offset(progress: Progress | None, done: int, total: int) -> Progress | None:
    """Progress for one chunk, reported as progress through the whole export."""
    if progress is None:
        return None
    return lambda n, _t: progress(done + n, total)


def _export_each(library: Library, req: ExportRequest, progress: Progress | None) -> list[Path]:
    from clipper.core.export import epub, html, markdown, pdf

    assert req.folder is not None
    writers = {
        "md": lambda c, p: markdown.export_markdown(
            c,
            req.folder,
            template=req.template,
            fields=req.fields or markdown.DEFAULT_FIELDS,
            progress=p,
        ),
        "pdf": lambda c, p: pdf.export_pdf(
            c, req.folder, template=req.template, page_size=req.page_size, progress=p
        ),
        "html": lambda c, p: html.export_html(c, req.folder, template=req.template, progress=p),
        "epub": lambda c, p: epub.export_epub_each(
            c, req.folder, template=req.template, progress=p
        ),
    }
    written: list[Path] = []
    for clips in _chunks(library, req.ids):
        try:
            written += writers[req.format](clips, _offset(progress, len(written), len(req.ids)))
        except ExportCancelled as stop:
            raise ExportCancelled(written + stop.written) from None
    return written


def _export_combined(library: Library, req: ExportRequest, progress: Progress | None) -> Path:
    from clipper.core.export import epub, html, jsonio, markdown, pdf

    assert req.combine is not None
    if req.format == "json":
        return jsonio.export_json(library, req.combine, ids=req.ids)
    clips = [c for chunk in _chunks(library, req.ids) for c in chunk]
    target, title = req.combine, req.title
    if req.format == "md":
        return markdown.export_markdown_combined(clips, target, title=title, progress=progress)
    if req.format == "pdf":
        return pdf.export_pdf_combined(
            clips, target, title=title, page_size=req.page_size, progress=progress
        )
    if req.format == "html":
        return html.export_html_combined(clips, target, title=title, progress=progress)
    return epub.export_epub(clips, target, title=title, progress=progress)


def export_clips(
    library: Library, request: ExportRequest, progress: Progress | None = None
) -> list[Path]:
    """Export the clips; returns the files written. ExportCancelled if progress returns False."""
    if request.format not in FORMATS:
        raise ClipperError(f"Clipper cannot export to {request.format!r}; use one of {FORMATS}.")
    if not request.ids:
        raise ClipperError("Nothing to export: no clips matched.")
    if request.combine is None and request.format == "json":
        raise ClipperError("A JSON backup is one file: give the file to write.")
    if request.combine is not None:
        return [_export_combined(library, request, progress)]
    if request.folder is None:
        raise ClipperError("Say where to export: a folder, or one file to combine everything in.")
    return _export_each(library, request, progress)
