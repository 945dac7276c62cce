"""A PDF's document properties: the information dictionary and the XMP metadata packet.

Plain Python, no Qt: the caller passes in the Qt version named as the PDF's producer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from xml.sax.saxutils import escape as xml_escape

from clipper.core.export.pdf_file import pdf_text
from clipper.core.library import Clip

__all__ = ["Meta", "clip_count", "default_title", "info_entries", "xmp"]

_XMP_TEMPLATE = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq>{authors}</rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
<dc:subject><rdf:Bag>{tags}</rdf:Bag></dc:subject>
<pdf:Keywords>{keywords}</pdf:Keywords>
<pdf:Producer>Clipper (Qt {qt})</pdf:Producer>
<xmp:CreatorTool>Clipper</xmp:CreatorTool>
<xmp:CreateDate>{now}</xmp:CreateDate>
<xmp:ModifyDate>{now}</xmp:ModifyDate>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


@dataclass(frozen=True)
class Meta:
    """What goes into the PDF's document properties."""

    title: str
    authors: list[str]
    subject: str
    keywords: list[str]
    language: str

    @staticmethod
    def of(clips: Sequence[Clip], title: str | None) -> Meta:
        authors = _unique(a.strip() for c in clips for a in c.author.split(";"))
        keywords = _unique(tag for clip in clips for tag in clip.tags)
        languages = _unique(clip.language for clip in clips)
        if len(clips) == 1 and title is None:
            clip = clips[0]
            subject = clip.url or clip.canonical_url or ""
            return Meta(clip.title, authors, subject, keywords, clip.language or "")
        sites = ", ".join(_unique(clip.site for clip in clips))
        subject = f"{clip_count(len(clips))} from {sites}" if sites else clip_count(len(clips))
        language = languages[0] if len(languages) == 1 else ""
        return Meta(title or default_title(len(clips)), authors, subject, keywords, language)


def _unique(values: Iterable[str | None]) -> list[str]:
    """Non-empty values in first-seen order, without repeats."""
    return list(dict.fromkeys(value for value in values if value))


def clip_count(count: int) -> str:
    return f"{count} clip{'' if count == 1 else 's'}"


def default_title(count: int) -> str:
    return f"Clipper export — {clip_count(count)} — {date.today().isoformat()}"


def xmp(meta: Meta, qt_version: str) -> bytes:
    """XMP metadata: title, authors, subject (dc:description) and tags (dc:subject, keywords)."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    items = "".join
    return _XMP_TEMPLATE.format(
        title=xml_escape(meta.title),
        authors=items(f"<rdf:li>{xml_escape(a)}</rdf:li>" for a in meta.authors),
        subject=xml_escape(meta.subject),
        tags=items(f"<rdf:li>{xml_escape(t)}</rdf:li>" for t in meta.keywords),
        keywords=xml_escape(", ".join(meta.keywords)),
        qt=xml_escape(qt_version),
        now=now,
    ).encode("utf-8")


def info_entries(meta: Meta, qt_version: str) -> list[str]:
    """The document information dictionary's entries (what most viewers show)."""
    stamp = datetime.now(UTC).strftime("D:%Y%m%d%H%M%SZ")
    entries = {
        "Title": meta.title,
        "Author": "; ".join(meta.authors),
        "Subject": meta.subject,
        "Keywords": ", ".join(meta.keywords),
        "Creator": "Clipper",
        "Producer": f"Clipper (Qt {qt_version})",
    }
    fields = [f"/{key} {pdf_text(value)}" for key, value in entries.items() if value]
    return [*fields, f"/CreationDate ({stamp})", f"/ModDate ({stamp})"]
