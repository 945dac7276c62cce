"""What PDF export hands to Qt, built in plain Python: settings, fonts, CSS and HTML.

Qt runs "offscreen" where there is no display, the paper size follows the locale, font
families are listed in fallback order per script, and clips and the contents page become
HTML in Qt's rich-text subset. pdf.py (the one core module that imports Qt) measures, lays
out and paints it; nothing here imports Qt.
"""

from __future__ import annotations

import html
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

from lxml import html as lxml_html

from clipper.core.article import long_date
from clipper.core.cleanhtml import remove
from clipper.core.export.pdf_meta import clip_count
from clipper.core.library import Clip

__all__ = [
    "CODE_BACKGROUND",
    "DPI",
    "MUTED",
    "RULE",
    "TEXT",
    "Placed",
    "body_html",
    "contents_html",
    "css_families",
    "gui_arguments",
    "image_to_caption",
    "local_file",
    "paper_for",
    "paper_from_environment",
    "plan",
    "right_to_left",
    "stylesheet_css",
    "territory",
    "title_block",
    "wanted_families",
]

DPI = 1200  # QPdfWriter's device units; fine enough that rounding never shows
TEXT, MUTED, RULE, CODE_BACKGROUND = "#1b1b1b", "#6b6b6b", "#c8c8c8", "#f4f3ef"

# Territories whose paper is US Letter (glibc's LC_PAPER data); everywhere else uses A4.
_LETTER_TERRITORIES = frozenset(
    {"US", "CA", "MX", "PH", "CL", "CO", "VE", "PR", "GT", "CR", "PA", "SV", "NI", "DO", "BZ"}
)

_SERIF = ("Noto Serif", "DejaVu Serif")
_SANS = ("Noto Sans", "DejaVu Sans")
_MONO = ("DejaVu Sans Mono", "Noto Sans Mono", "Liberation Mono")
# Fallbacks for scripts the Latin faces lack; Qt tries them in order for each missing glyph.
_ARABIC = ("Noto Naskh Arabic", "Noto Sans Arabic")
_HEBREW_SERIF = ("Noto Serif Hebrew", "Noto Sans Hebrew")
_HEBREW_SANS = ("Noto Sans Hebrew",)
# Han characters are shared by Chinese, Japanese and Korean but drawn differently in each.
_CJK_REGION = {"ja": "JP", "ko": "KR", "zh-tw": "TC", "zh-hk": "HK", "zh-hant": "TC"}


# --- platform and paper ------------------------------------------------------------------


def gui_arguments() -> list[str]:
    """The arguments for a QGuiApplication of our own: "offscreen" when there is no display."""
    args = [sys.argv[0] if sys.argv and sys.argv[0] else "clipper"]
    if _needs_offscreen():
        args += ["-platform", "offscreen"]
    return args


def _needs_offscreen() -> bool:
    if os.environ.get("QT_QPA_PLATFORM") or sys.platform in ("win32", "darwin"):
        return False  # the user chose a platform, or the system always has one
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def paper_from_environment() -> str | None:
    """The paper the first locale variable with a territory calls for; None if none has one."""
    for name in ("LC_ALL", "LC_PAPER", "LANG"):
        found = territory(os.environ.get(name, ""))
        if found:
            return paper_for(found)
    return None


def paper_for(territory: str) -> str:
    """Letter for a territory that uses it (US, Canada, Mexico...), else A4."""
    return "Letter" if territory in _LETTER_TERRITORIES else "A4"


def territory(locale_name: str) -> str:
    """``en_US.UTF-8@euro`` -> ``US``; empty for ``C``, ``POSIX`` or nothing."""
    match = re.match(r"^[A-Za-z]{2,3}[_-]([A-Za-z]{2})\b", locale_name)
    return match.group(1).upper() if match else ""


# --- fonts and style ---------------------------------------------------------------------


def _cjk(language: str, style: str) -> tuple[str, ...]:
    """Noto CJK families in the order that suits the clip's language (Chinese first)."""
    lang = language.lower()
    first = _CJK_REGION.get(lang) or _CJK_REGION.get(lang.split("-")[0]) or "SC"
    regions = [first, *(r for r in ("SC", "TC", "JP", "KR", "HK") if r != first)]
    return tuple(f"Noto {style} CJK {r}" for r in regions[:2])


def wanted_families(language: str, kind: str) -> list[str]:
    """Font families for body ("serif"), headings ("sans") or code ("mono"), best first."""
    chains = {
        "serif": (*_SERIF, *_cjk(language, "Serif"), *_cjk(language, "Sans"), *_ARABIC),
        "sans": (*_SANS, *_cjk(language, "Sans"), *_ARABIC),
        "mono": (*_MONO, *(f"Noto Sans Mono CJK {r[-2:]}" for r in _cjk(language, "Sans"))),
    }
    hebrew = _HEBREW_SERIF if kind == "serif" else _HEBREW_SANS
    return [*chains[kind], *hebrew]


def css_families(families: Sequence[str]) -> str:
    return ", ".join(f"'{family}'" for family in families)


def stylesheet_css(
    sans_families: Sequence[str], mono_families: Sequence[str], body: int, heading: int
) -> str:
    """The CSS (Qt's rich-text subset) for clip bodies; px are 1/96 inch.

    ``body`` and ``heading`` are line-height percentages, measured from the fonts by Qt.
    """
    sans_css, mono = css_families(sans_families), css_families(mono_families)
    # Qt scales vertical margins from 96 dpi to the PDF's resolution, but not side margins.
    indent = round(24 * DPI / 96)
    return f"""
body {{ color: {TEXT}; }}
p, li, dd, dt, blockquote {{ line-height: {body}%; }}
p {{ margin-top: 0px; margin-bottom: 9px; }}
h1, h2, h3, h4, h5, h6 {{ font-family: {sans_css}; font-weight: 600; color: #111111;
  margin-bottom: 6px; line-height: {heading}%; }}
h1 {{ font-size: 17pt; margin-top: 22px; }}
h2 {{ font-size: 14pt; margin-top: 20px; }}
h3 {{ font-size: 12pt; margin-top: 16px; }}
h4, h5, h6 {{ font-size: 11pt; margin-top: 14px; }}
h5, h6 {{ color: {MUTED}; }}
ul, ol {{ margin-top: 0px; margin-bottom: 9px; }}
li {{ margin-bottom: 3px; }}
blockquote {{ color: #4a4a4a; font-style: italic;
  margin-left: {indent}px; margin-right: {indent}px; }}
pre {{ font-family: {mono}; font-size: 8.5pt; white-space: pre-wrap; margin: 0px; }}
table.code {{ margin-top: 2px; margin-bottom: 12px; }}
td.code {{ border: 0px; padding: 7px; }}
code {{ font-family: {mono}; font-size: 9pt; }}
a {{ color: #1f4e8c; text-decoration: none; }}
table {{ border-collapse: collapse; margin-bottom: 11px; }}
th, td {{ border: 1px solid {RULE}; padding: 4px; }}
th {{ background-color: #f0efeb; font-weight: 600; }}
.doc-title {{ font-size: 21pt; font-weight: 700; margin-top: 0px; margin-bottom: 8px; }}
.byline {{ font-family: {sans_css}; font-size: 10pt; color: #333333; margin-bottom: 2px; }}
.source {{ font-family: {sans_css}; font-size: 8.5pt; margin-bottom: 2px; }}
.clipped {{ font-family: {sans_css}; font-size: 8pt; color: {MUTED}; margin-bottom: 4px; }}
.img-alt {{ font-family: {sans_css}; font-size: 8.5pt; color: {MUTED}; font-style: italic; }}
.contents td {{ border: 0px; padding-left: 0px; padding-right: 0px; padding-top: 5px;
  padding-bottom: 5px; }}
.page-number {{ font-family: {sans_css}; color: #333333; }}
.entry-meta {{ font-family: {sans_css}; font-size: 8.5pt; color: {MUTED}; }}
"""


def right_to_left(text: str) -> bool:
    """Whether the first strongly directional letter of a text is Hebrew, Arabic or the like."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("L", "R", "AL"):
            return direction != "L"
    return False


# --- clips -------------------------------------------------------------------------------


def title_block(clip: Clip) -> str:
    """Title, byline (authors · site · published), the source link and when it was clipped."""
    authors = ", ".join(a.strip() for a in clip.author.split(";") if a.strip())
    byline = " · ".join(part for part in (authors, clip.site, long_date(clip.date)) if part)
    url = clip.url or clip.canonical_url or ""
    parts = [f'<h1 class="doc-title">{html.escape(clip.title or "Untitled")}</h1>']
    if byline:
        parts.append(f'<p class="byline">{html.escape(byline)}</p>')
    if url:
        parts.append(f'<p class="source"><a href="{html.escape(url)}">{html.escape(url)}</a></p>')
    parts.append(f'<p class="clipped">Clipped {html.escape(long_date(clip.created))}</p><hr/>')
    return "".join(parts)


def body_html(clip: Clip, fit_image: Callable[[lxml_html.HtmlElement], None]) -> str:
    """The clip's HTML made printable: images given to ``fit_image``, code blocks boxed."""
    if not (clip.html or "").strip():
        return "".join(f"<p>{html.escape(p)}</p>" for p in (clip.text or "").split("\n\n"))
    root = lxml_html.fragment_fromstring(clip.html, create_parent="div")
    for image in list(root.iter("img")):
        fit_image(image)
    for pre in list(root.iter("pre")):
        _box_code(pre)
    return str(lxml_html.tostring(root, encoding="unicode"))


def local_file(folder: Path | None, src: str) -> Path | None:
    """The file a relative image source names inside ``folder`` (resolved), if it exists."""
    if folder is None or not src or re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I):
        return None
    path = (folder / src).resolve()
    inside = path.is_relative_to(folder)
    return path if inside and path.is_file() else None


def image_to_caption(image: lxml_html.HtmlElement) -> None:
    """Replace an image that cannot be shown by its alt text (or by nothing, without one)."""
    alt = (image.get("alt") or "").strip()
    if alt:
        caption = lxml_html.Element("span", {"class": "img-alt"})
        caption.text = f"[Image: {alt}]"
        caption.tail, image.tail = image.tail, None
        image.addprevious(caption)
    remove(image)


def _box_code(pre: lxml_html.HtmlElement) -> None:
    """Put a code block in a shaded one-cell table: Qt pads table cells, not paragraphs."""
    last = pre[-1] if len(pre) else pre
    if len(last) == 0 and last.text:  # a trailing newline would print as an empty line
        last.text = last.text.rstrip("\n")
    elif len(last) and last[-1].tail:
        last[-1].tail = last[-1].tail.rstrip("\n")
    table = lxml_html.Element("table", {"class": "code", "width": "100%", "cellspacing": "0"})
    cell = lxml_html.Element("td", {"class": "code", "bgcolor": CODE_BACKGROUND})
    pre.addprevious(table)
    table.append(lxml_html.Element("tr"))
    table[0].append(cell)
    table.tail, pre.tail = pre.tail, None
    cell.append(pre)


# --- page numbers and the contents page --------------------------------------------------


class Placed(Protocol):
    """A laid-out document as numbering sees it: its first page (1-based) and its length."""

    first_page: int

    @property
    def pages(self) -> int: ...


def plan(contents: Placed | None, laid: Sequence[Placed]) -> int:
    """Number every document's first page; the total page count."""
    page = 1 + (contents.pages if contents else 0)
    for item in laid:
        item.first_page = page
        page += item.pages
    return page - 1


def contents_html(title: str, laid: Sequence[Placed], clips: Sequence[Clip]) -> str:
    """A contents page: the export's title, then each clip with the page it starts on."""
    rows = []
    for item, clip in zip(laid, clips, strict=True):
        authors = ", ".join(a.strip() for a in clip.author.split(";") if a.strip())
        meta = " · ".join(part for part in (authors, clip.site) if part)
        rows.append(
            f"<tr><td><b>{html.escape(clip.title or 'Untitled')}</b><br/>"
            f'<span class="entry-meta">{html.escape(meta)}</span></td>'
            f'<td class="page-number" align="right" width="12%">{item.first_page}</td></tr>'
        )
    pages = laid[-1].first_page + laid[-1].pages - 1 if laid else 1
    today = long_date(date.today().isoformat())
    count = f"{clip_count(len(clips))} · {pages} pages · exported {today}"
    return (
        f'<h1 class="doc-title">{html.escape(title)}</h1><p class="clipped">{count}</p><hr/>'
        f'<table class="contents" width="100%">{"".join(rows)}</table>'
    )
