"""HTML export: standalone pages that read well offline, one per clip or all in one file.

The clip's HTML goes through ``clip_body``, which both this module and the EPUB export
use: it keeps a small set of harmless tags and attributes, only http(s)/mailto links,
and no remote images, so an exported file never runs a script or touches the network.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Sequence
from html import escape
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from lxml import etree
from lxml import html as lxml_html

from clipper.core.cleanhtml import remove, safe_url
from clipper.core.export.common import Progress, each_clip, write_each, write_target
from clipper.core.export.markdown import file_stem
from clipper.core.library import Clip
from clipper.core.sources import file_url_to_path

MAX_IMAGE_BYTES = 10 * 1024 * 1024  # a bigger "image" is not worth bloating the page with

# Characters XML 1.0 forbids (and C1 controls, which no article needs): stripped before
# parsing, so every tree we build can also be written as XHTML.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
_DATA_IMAGE = re.compile(r"^data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")
# Anything that runs code, loads something or asks for input goes, with its content.
_DROP = frozenset(
    {"script", "noscript", "template", "style", "link", "meta", "base", "head", "title"}
    | {"iframe", "frame", "frameset", "object", "embed", "applet", "canvas", "svg", "math"}
    | {"video", "audio", "picture", "source", "track", "map", "area", "dialog"}
    | {"form", "input", "button", "select", "textarea", "option"}
)
# Harmless structure and inline markup; other tags are unwrapped (their content stays).
_KEEP = frozenset(
    {"p", "br", "hr", "div", "span", "section", "aside", "details", "summary"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figure", "figcaption"}
    | {"ul", "ol", "li", "dl", "dt", "dd", "pre", "code", "kbd", "samp", "var"}
    | {"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "a", "img"}
    | {"strong", "em", "b", "i", "u", "s", "small", "sub", "sup", "mark", "q", "cite"}
    | {"abbr", "dfn", "del", "ins", "ruby", "rt", "rp", "bdi", "wbr"}
)
_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
_COMMON_ATTRIBUTES = frozenset({"title", "lang", "dir", "class"})
_ATTRIBUTE_VALUES = {
    "colspan": re.compile(r"^[1-9]\d{0,2}$"),
    "rowspan": re.compile(r"^\d{1,3}$"),
    "start": re.compile(r"^-?\d{1,9}$"),
    "dir": re.compile(r"^(?:ltr|rtl|auto)$"),
    "scope": re.compile(r"^(?:row|col|rowgroup|colgroup)$"),
    "lang": _LANGUAGE,
}

READING_CSS = """\
:root { color-scheme: light dark; --text: #1f1f1f; --muted: #6b6b6b; --bg: #fbfaf6;
  --rule: #d9d6cc; --link: #1a5fb4; --code-bg: #f1eee6; }
@media (prefers-color-scheme: dark) {
  :root { --text: #e2e0da; --muted: #9c9a94; --bg: #1d1d1f; --rule: #45433e;
    --link: #8ab4f8; --code-bg: #2a2a2c; }
}
html { background: var(--bg); color: var(--text); }
body { max-width: 38em; margin: 0 auto; padding: 2.5em 1.25em 4em;
  font: 1.1rem/1.6 Charter, "Iowan Old Style", Georgia, "Noto Serif", serif; }
h1, h2, h3, h4, h5, h6 { font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
  line-height: 1.25; margin: 1.6em 0 0.5em; }
h1 { font-size: 1.9em; margin-top: 0; }
a { color: var(--link); }
img { max-width: 100%; height: auto; }
blockquote { margin: 1.2em 0; padding: 0.1em 1em; border-left: 0.25em solid var(--rule);
  color: var(--muted); }
code, pre, kbd { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace;
  font-size: 0.88em; }
code { background: var(--code-bg); padding: 0.1em 0.25em; border-radius: 3px; }
pre { background: var(--code-bg); padding: 0.8em 1em; overflow-x: auto; line-height: 1.45;
  border-radius: 4px; }
pre code { padding: 0; font-size: 1em; background: none; }
table { border-collapse: collapse; margin: 1.2em 0; display: block; overflow-x: auto; }
th, td { border: 1px solid var(--rule); padding: 0.3em 0.6em; text-align: left;
  vertical-align: top; }
hr { border: 0; border-top: 1px solid var(--rule); margin: 2em 0; }
.clip-header { border-bottom: 1px solid var(--rule); margin-bottom: 2em; padding-bottom: 1em; }
.byline, .source, .tags, .image-note, .contents { color: var(--muted);
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 0.9rem; }
.byline, .source { margin: 0.3em 0; }
.tags { list-style: none; padding: 0; margin: 0.6em 0 0; }
.tags li { display: inline-block; margin-right: 0.4em; padding: 0 0.5em;
  border: 1px solid var(--rule); border-radius: 1em; }
.image-note { display: block; font-style: italic; margin: 0.5em 0; }
.contents ol { padding-left: 1.5em; }
article + article { border-top: 2px solid var(--rule); margin-top: 3em; padding-top: 2em; }
"""

# No script, no remote request, whatever the clip contains.
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


# --- the clip's body -------------------------------------------------------------------


def xml_safe(text: str) -> str:
    """``text`` without the characters XML cannot carry (NUL, most controls, lone surrogates)."""
    return _NOT_XML.sub("", text)


def parse_fragment(html: str) -> lxml_html.HtmlElement:
    """Parse an HTML fragment (however broken) into the children of a new ``<div>``."""
    root = lxml_html.Element("div")
    if not html.strip():
        return root
    # A whole document around it keeps a stray </div> or <body> in the clip from
    # ending our wrapper early; the parser folds any nested <html>/<body> away.
    doc = lxml_html.document_fromstring(
        f"<!DOCTYPE html><html><body>{xml_safe(html)}</body></html>"
    )
    body = doc.find("body")
    if body is not None:
        root.text = body.text
        root.extend(list(body))
    return root


def safe_href(value: str | None, base: str | None) -> str | None:
    """An absolute http(s) or mailto URL, percent-encoded so that EPUB checkers accept it."""
    url = safe_url(value, base)
    if url is None:
        return None
    return quote(url, safe="%/:=&?~#+!$,;'@()*[]")


def sanitize(root: lxml_html.HtmlElement, base: str | None) -> None:
    """Keep only harmless tags and attributes below ``root``; links become absolute."""
    for element in list(root.iterdescendants()):
        # comments and processing instructions have a function as their tag
        if not isinstance(element.tag, str) or element.tag in _DROP:
            remove(element)
        elif element.tag not in _KEEP:
            element.drop_tag()  # an unknown wrapper: keep what it wraps
        else:
            _clean_attributes(element, base)


def _clean_attributes(element: etree._Element, base: str | None) -> None:
    allowed = _ATTRIBUTES.get(str(element.tag), set()) | _COMMON_ATTRIBUTES
    for name, value in list(element.attrib.items()):
        pattern = _ATTRIBUTE_VALUES.get(name)
        if name not in allowed or (pattern is not None and not pattern.match(value)):
            del element.attrib[name]
    if element.tag == "a" and "href" in element.attrib:
        href = safe_href(element.get("href"), base)
        if href is None:
            del element.attrib["href"]
        else:
            element.set("href", href)


def embed_local_images(html: str, folder: Path | None) -> str:
    """The HTML with images inside ``folder`` embedded as data: URIs and all others dropped.

    A dropped image with alt text leaves the text behind as a muted caption.
    """
    root = parse_fragment(html)
    _embed_images(root, folder)
    return (root.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )


def _embed_images(root: etree._Element, folder: Path | None) -> None:
    for img in list(root.iter("img")):
        src = (img.get("src") or "").strip()
        data = src if _DATA_IMAGE.match(src) else None
        if data is None and folder is not None:
            data = _local_image(src, folder)
        if data:
            img.set("src", data)
        else:
            drop_image(img)


def _local_image(src: str, folder: Path) -> str | None:
    """A data: URI for an image file inside ``folder`` named by ``src``, else None."""
    if src.lower().startswith("file:"):
        path = file_url_to_path(src)
    elif src and not _HAS_SCHEME.match(src) and not src.startswith("//"):
        path = folder / unquote(urlsplit(src).path)
    else:
        return None  # remote, or a scheme we do not read
    mime = mimetypes.guess_type(path.name if path else "")[0]
    if path is None or not mime or not mime.startswith("image/"):
        return None
    try:
        resolved = path.resolve()
        # "../" or a symlink must not let a clip pull in files from elsewhere on disk
        if not resolved.is_relative_to(folder.resolve()) or not resolved.is_file():
            return None
        if resolved.stat().st_size > MAX_IMAGE_BYTES:
            return None
        data = resolved.read_bytes()
    except OSError:
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def drop_image(img: etree._Element) -> None:
    """Replace an image by its alt text as a muted caption (or by nothing without alt text)."""
    alt = " ".join((img.get("alt") or "").split())
    parent = img.getparent()
    if alt and parent is not None:
        note = lxml_html.Element("span", {"class": "image-note"})
        note.text = f"Image: {alt}"
        note.tail = img.tail
        img.addprevious(note)
        parent.remove(img)  # removes its tail too, which the note now carries
        return
    remove(img)
    # a paragraph or figure that only held the image would be left as an empty gap
    if parent is not None and parent.tag in ("p", "figure") and not _has_content(parent):
        remove(parent)


def _has_content(element: etree._Element) -> bool:
    return bool("".join(element.itertext()).strip()) or len(element) > 0


def _drop_title_heading(root: etree._Element, title: str) -> None:
    """Drop a first heading that repeats the title (a note's "# Title"): the header has it."""
    first = root[0] if len(root) and not (root.text or "").strip() else None
    if first is None or first.tag not in ("h1", "h2"):
        return
    if " ".join(first.text_content().split()) == " ".join(title.split()):
        remove(first)


def clip_body(clip: Clip, image_folder: Path | None = None) -> lxml_html.HtmlElement:
    """The clip's HTML as a clean ``<div class="clip-body">``; a link clip shows its summary."""
    root = parse_fragment(clip.html or "")
    if not len(root) and not (root.text or "").strip() and clip.description:
        etree.SubElement(root, "p").text = xml_safe(clip.description)
    sanitize(root, clip.url)
    _drop_title_heading(root, clip.title)
    _embed_images(root, image_folder)
    root.set("class", "clip-body")
    return root


# --- header and document --------------------------------------------------------------


def language_of(clip: Clip) -> str | None:
    """The clip's language as a well-formed language tag, or None."""
    value = (clip.language or "").strip()
    return value if _LANGUAGE.match(value) else None


def byline(clip: Clip) -> str:
    """``author · site · date``, leaving out what the clip does not have."""
    authors = ", ".join(a.strip() for a in clip.author.split(";") if a.strip())
    return " · ".join(xml_safe(p) for p in (authors, clip.site, clip.date or "") if p)


def original_url(clip: Clip) -> str | None:
    """The address of the original page, when it is a web address."""
    return safe_href(clip.url or clip.canonical_url, None)


def _text(value: str) -> str:
    return escape(xml_safe(value), quote=True)


def clip_header(clip: Clip, *, level: int = 1) -> str:
    """The header block: title, byline, a link to the original and the tags (all escaped)."""
    parts = ['<header class="clip-header">', f"<h{level}>{_text(clip.title)}</h{level}>"]
    if line := byline(clip):
        parts.append(f'<p class="byline">{_text(line)}</p>')
    if url := original_url(clip):
        host = urlsplit(url).hostname or url
        parts.append(f'<p class="source">Original: <a href="{_text(url)}">{_text(host)}</a></p>')
    if clip.tags:
        items = "".join(f"<li>{_text(tag)}</li>" for tag in clip.tags)
        parts.append(f'<ul class="tags">{items}</ul>')
    parts.append("</header>")
    return "\n".join(parts)


def _body_html(clip: Clip, image_folder: Path | None) -> str:
    return str(lxml_html.tostring(clip_body(clip, image_folder), encoding="unicode"))


def _document(title: str, body: str, *, language: str | None, meta: dict[str, str]) -> str:
    lang = f' lang="{_text(language)}"' if language else ""
    metas = "".join(
        f'<meta name="{name}" content="{_text(value)}">\n' for name, value in meta.items() if value
    )
    return (
        f'<!DOCTYPE html>\n<html{lang}>\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_text(title)}</title>\n{metas}"
        f'<meta name="generator" content="Clipper">\n<style>\n{READING_CSS}</style>\n'
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def clip_to_html(clip: Clip, *, image_folder: Path | None = None) -> str:
    """A standalone HTML5 page for one clip: reading styles, header, body; no scripts.

    Images are kept only when they are files inside ``image_folder`` (embedded as
    data: URIs); remote images would need the network, so they leave a caption instead.
    """
    body = f"<article>\n{clip_header(clip)}\n{_body_html(clip, image_folder)}\n</article>"
    meta = {"author": clip.author, "description": clip.description}
    return _document(clip.title, body, language=language_of(clip), meta=meta)


def _contents(clips: Sequence[Clip]) -> str:
    items = "\n".join(
        f'<li><a href="#clip-{n}">{_text(clip.title)}</a></li>' for n, clip in enumerate(clips, 1)
    )
    return f'<nav class="contents">\n<h2>Contents</h2>\n<ol>\n{items}\n</ol>\n</nav>'


def collection_title(clips: Sequence[Clip], title: str | None) -> str:
    """The given title, else the clip's own for one clip, else "Clipper — N clips"."""
    if title and title.strip():
        return title.strip()
    if len(clips) == 1:
        return clips[0].title
    return f"Clipper — {len(clips)} clips"


# --- exports -------------------------------------------------------------------------


def export_html(
    clips: Sequence[Clip],
    folder: Path,
    *,
    template: str = "{title}",
    progress: Progress | None = None,
) -> list[Path]:
    """One ``.html`` page per clip in ``folder``; existing files get a numbered sibling instead."""
    return write_each(
        clips,
        folder,
        ".html",
        lambda c: clip_to_html(c).encode("utf-8"),
        lambda c: file_stem(c, template),
        progress,
    )


def export_html_combined(
    clips: Sequence[Clip],
    path: Path,
    *,
    title: str | None = None,
    progress: Progress | None = None,
    overwrite: bool = False,
) -> Path:
    """All clips in one page: a contents list, then each clip as ``<article id="clip-N">``.

    Nothing is written when the export is cancelled.
    """
    name = collection_title(clips, title)
    parts = [f'<header class="clip-header"><h1>{_text(name)}</h1></header>', _contents(clips)]
    for n, clip in enumerate(each_clip(clips, len(clips), progress, []), 1):
        lang = f' lang="{language}"' if (language := language_of(clip)) else ""
        article = f"{clip_header(clip, level=2)}\n{_body_html(clip, None)}"
        parts.append(f'<article id="clip-{n}"{lang}>\n{article}\n</article>')
    languages = {language_of(c) for c in clips}
    common = languages.pop() if len(languages) == 1 else None
    document = _document(name, "\n".join(parts), language=common, meta={})
    return write_target(path, document.encode("utf-8"), overwrite=overwrite)
