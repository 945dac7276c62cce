"""A clip's title: the page's headline, without the site's name around it.

A page names itself several times: the <title> (often "Headline | Site"), og:title, the
JSON-LD headline and the visible h1. The h1 is what the reader sees, so it wins when it
is the headline (it shares most of its words with the other titles); a site logo, a
slogan or a section name in an h1 does not, and the <title> without the site's name
is used instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from clipper.core.encoding import repair_double_encoding

# " - ", " | ", " — ", " » ", " :: " and the like between a headline and a site name.
_TITLE_SEPARATOR = re.compile(r"(\s+(?:[-|\u2013\u2014»·•/]|::)\s+|(?<=\w):\s+)")
# Between a headline and a tagline or unrecognised brand: not a colon, not a slash.
_TAGLINE_SEPARATOR = re.compile(r"(\s+(?:[-|\u2013\u2014»·•]|::)\s+)")
_TAGLINE_MIN_WORDS = 2
# Between the parts of a breadcrumb title: the tagline separators, a slash, an arrow.
_CRUMB_SEPARATOR = re.compile(r"(\s+(?:[-|\u2013\u2014»·•/>]|::)\s+)")
_SMALL_WORDS = frozenset({"and", "of", "the", "for", "in", "on", "at", "to", "a", "an"})
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_PERMALINK_TAIL = "¶§🔗⚓"

# "Title: ...", "Thread: ..." and the like label a heading rather than being part of it.
_LABEL = re.compile(r"^(?:title|thread|topic|collection|category|subject|re)\s*:\s+", re.I)
# "3.1 Git Branching", "15 - Tutorial: ...": a section or chapter number before a heading.
_SECTION_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)+\.?\s+|\d+\s+[-\u2013\u2014]\s+)(?=\w)")

# "Dec 18 2025 Preparing a transition", "2024-03-03 - Notes": a post's date before its heading.
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_PREFIX = re.compile(
    rf"^(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}|"
    r"\d{4}-\d\d-\d\d)\s*(?:[-|\u2013\u2014:\u00b7\u2022]\s*)?(?=\w)",
    re.IGNORECASE,
)
# A title that names no page in particular: the page's h1 says more.
_GENERIC_TITLES = frozenset(
    {"home", "homepage", "home page", "index", "welcome", "shop", "untitled", "blog"}
)
_LEADING_SEPARATORS = "|/-\u2013\u2014»·•: "

# A trailing title part of at most this many words may be the site's brand.
_BRAND_MAX_WORDS = 4
_HOST_NOISE = frozenset({"www", "com", "co", "org", "net", "blog", "shop", "store", "en", "m"})

# An h1 is the headline when this share of its words are in the page's <title>/og:title.
HEADLINE_OVERLAP = 0.5


def choose_title(
    *,
    title_tag: str | None,
    og_title: str | None,
    headline: str | None,
    found: str | None = None,
    sites: list[str],
    home: bool = True,
) -> str:
    """The clip's title from the page's titles and its h1 (``headline``).

    ``found`` is another extractor's guess, used when the page has no <title> or og:title;
    ``sites`` are names the site goes by (og:site_name, host name, ...); ``home``: the
    page is (or may be) the site's front page, whose title is the site's own.
    """
    heading = _tidy_heading(repair_mojibake(headline or ""))
    title_tag, og_title, found = (
        repair_mojibake(t or "") or None for t in (title_tag, og_title, found)
    )
    # A logo in the h1 ("Arch Linux", "example.com") is no evidence for the headline, nor
    # is an h1 that is the last part of "Page - Book Title": it names the site or book.
    if heading and (_names_site(heading, sites) or _is_title_tail(heading, title_tag)):
        heading = ""
    raw = (og_title or title_tag or found or "").lstrip(_LEADING_SEPARATORS)
    base = _without_site(raw, sites, heading, og_title, found)
    if not base and title_tag:
        raw = title_tag.lstrip(_LEADING_SEPARATORS)
        base = _without_site(raw, sites, heading, og_title, found)
    return _without_section(_pick(raw, base, heading, sites, home), raw)


def _pick(raw: str, base: str, heading: str, sites: list[str], home: bool) -> str:
    """The h1 or the title without its site name (``base``)."""
    if heading and (
        (not home and _site_and_slogan(raw, base, heading, sites))
        or _is_headline(heading, base)
        or _says_nothing(base, heading, sites)
    ):
        return _without_site(heading, sites, None, None, None)
    if base == squash(raw):  # no site name found: "Headline | Tagline" is still likely
        base = _without_tagline(base, sites)
    return base or heading


def _site_and_slogan(raw: str, base: str, heading: str, sites: list[str]) -> bool:
    """Whether the title is the site's own ("Reddit - The heart of the internet") on an inner page.

    Pages served before their script runs often carry the front page's title; an h1 that
    shares no word with the slogan is then the page's real title.
    """
    parts = _TITLE_SEPARATOR.split(squash(raw))
    if len(parts) != 3 or not any(_same_site(parts[0], site) for site in sites):
        return False
    words = set(_words(heading))
    return len(words) >= 2 and not (words - _SMALL_WORDS) & set(_words(base))


def _without_section(title: str, raw: str) -> str:
    """ "Headline | Section" -> "Headline", when the page's title was "Headline | Section | Site".

    A title of three or more parts with one kind of separator reads like a breadcrumb:
    once the site is gone, the part after the headline names the section ("Patient
    Education", "Identity and Access Management (IAM)"), not the page. Numbers stay
    ("Squad 2024 - 2025"), and so does a one-word first part ("Alma | ...").
    """
    found = _CRUMB_SEPARATOR.findall(squash(raw))
    separators = {sep.strip() for sep in found}
    if len(found) < 2 or len(separators) != 1:
        return title
    parts = _CRUMB_SEPARATOR.split(title)
    if len(parts) != 3 or parts[1].strip() not in separators:
        return title
    first, section = parts[0].strip(), parts[2].strip()
    if len(first.split()) < _TAGLINE_MIN_WORDS or not re.search(r"[^\W\d_]", section):
        return title
    return first


def repair_mojibake(text: str) -> str:
    """UTF-8 that was read as Latin-1 or Windows-1252, read again ("cafÃ©" -> "café").

    A title is short: one misread character in it is enough to tell.
    """
    return repair_double_encoding(text, minimum=1)


def _is_title_tail(heading: str, title: str | None) -> bool:
    parts = _TITLE_SEPARATOR.split(squash(title or ""))
    return len(parts) >= 3 and _key(parts[-1]) == _key(heading)


def _is_headline(heading: str, title: str) -> bool:
    words, title_words = set(_words(heading)), set(_words(title))
    if len(words) < 2:
        return False
    if not title_words:
        return True
    return len(words & title_words) >= HEADLINE_OVERLAP * len(words)


def _says_nothing(title: str, heading: str, sites: list[str]) -> bool:
    """Whether a title is a generic word, or the heading with the site's name added.

    "Home Page", "Shop"; "BBC Technology" or "searching [Zotero Documentation]" for the h1
    "Technology" or "Searching". A title that is only the site's name is kept: on a home
    page it is the page's name, and the h1 a slogan.
    """
    key = title.casefold().strip(" .!")
    if not key or key in _GENERIC_TITLES:
        return True
    words, heading_words = _words(title), set(_words(heading))
    rest = [word for word in words if word not in heading_words]
    if not heading_words <= set(words) or len(rest) > _BRAND_MAX_WORDS:
        return False
    return any(_names_site(word, sites) for word in rest)


def _tidy_heading(text: str) -> str:
    text = squash(text).lstrip(_LEADING_SEPARATORS)
    text = _DATE_PREFIX.sub("", _LABEL.sub("", text))
    return _SECTION_NUMBER.sub("", text).strip()


def _without_site(
    raw: str, sites: list[str], h1: str | None, og_title: str | None, headline: str | None
) -> str:
    """The title without the site's name, trying each name the site goes by.

    ``h1``, ``og_title`` and ``headline`` (JSON-LD) are the page's other titles.
    """
    title = squash(raw)
    names: list[str | None] = [*sites] or [None]
    for site in names:
        cleaned = clean_title(raw, site=site, h1=h1, og_title=og_title, headline=headline)
        if cleaned != title or not sites:
            return cleaned
    return _without_brand_tail(title, sites)


def _without_tagline(title: str, sites: list[str]) -> str:
    """ "Headline | Tagline" -> "Headline": the short part after the headline is the site's.

    Only a title of exactly two parts: "Part - Chapter - Book" is left to the site match.
    A first part that names the site ("Brand | What we do") leaves the second.
    """
    parts = _TAGLINE_SEPARATOR.split(title)
    if len(parts) != 3:
        return title
    first, last = parts[0].strip(), parts[2].strip()
    # "Alma — Simplifying Access to Therapy", "grep(1) — Linux manual page": a name first.
    if len(first.split()) < _TAGLINE_MIN_WORDS or not last:
        return title
    return last if _names_site(first, sites) else first


def _without_brand_tail(title: str, sites: list[str]) -> str:
    """ "Headline | Brand Name" without the last part when it looks like the site's brand.

    Looser than clean_title's match: "Raspberry Pi Forums" on forums.raspberrypi.com,
    "WFA" for "World Future Awards", "Liberty University" for "Liberty University Online".
    Only a short last part is removed, never the first: "Stripe Payments | ..." stays.
    """
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 3 or ":" in parts[-2]:
        return title
    tail = parts[-1]
    short = len(_words(tail)) <= _BRAND_MAX_WORDS
    if any((short and _like_site(tail, site)) or _spells_site(tail, site) for site in sites):
        return "".join(parts[:-2]).strip()
    return title


def _names_site(text: str, sites: list[str]) -> bool:
    """Whether text is exactly a name of the site: its name, its host or the host's label."""
    key = _key(text).removeprefix("the")
    return any(key in _site_names(site) for site in sites)


def _site_names(site: str) -> set[str]:
    names = {_key(site).removeprefix("the")}
    if "." in site and " " not in site:  # a host name: its labels without www and the TLD
        names |= {_key(label) for label in site.split(".")[:-1] if label not in _HOST_NOISE}
    return {name for name in names if len(name) >= 3}


def _like_site(part: str, site: str) -> bool:
    key = _key(part).removeprefix("the")
    if len(key) < 3:
        return False
    names = _site_names(site)
    words = _words(site)
    if len(words) >= 2:
        names.add(_acronym(site))  # "World Future Awards" -> "wfa"
    for name in (n for n in names if len(n) >= 3):
        if key == name or name.startswith(key) or (len(name) >= 4 and key.startswith(name)):
            return True
        if len(name) >= 5 and name in key:
            return True
    return False


def _spells_site(part: str, site: str) -> bool:
    """Whether the site's name is the initials of part ("Bureau of Labor Statistics", bls.gov)."""
    initials = _acronym(part)
    return len(initials) >= 3 and initials in _site_names(site)


def _acronym(text: str) -> str:
    """The initials of a name's words, small words left out ("Bureau of Labor" -> "bl")."""
    return "".join(word[0] for word in _words(text) if word not in _SMALL_WORDS)


_HEADING_BLOCKS = frozenset(
    {"div", "p", "li", "ul", "ol", "section", "header", "figure", "h1", "h2"}
)


def heading_text(element: etree._Element) -> str:
    """The text of a heading as shown: a <br> is a space; scripts, styles and comments are
    not text.

    A block inside the heading (a brand's name in its own <div> above the product's) is
    set apart by a space too: the browser shows it on a line of its own.
    """
    parts = [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):  # a comment ("<!--F#f_1-->") is not shown
            pass
        elif child.tag in ("script", "style", "noscript", "svg") or child.tag == "br":
            parts.append(" ")
        elif child.tag in _HEADING_BLOCKS:
            parts.extend((" ", heading_text(child), " "))
        else:
            parts.append(heading_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


# --- removing the site's name -----------------------------------------------------------


def clean_title(
    title: str,
    *,
    site: str | None,
    h1: str | None,
    og_title: str | None,
    headline: str | None = None,
) -> str:
    """Remove the site name from a page title ("Headline - Site" -> "Headline").

    A part is removed when it matches the site name, or when the page's own h1,
    og:title or JSON-LD ``headline`` shows the shorter form. Anything else is left alone:
    a colon or a dash inside a headline is part of the headline.
    """
    title = squash(title)
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 3 or (h1 and _key(h1) == _key(title)):
        return title
    # og:title often carries the site name too, so only a shorter form is evidence.
    short_forms = {_key(s) for s in (h1, og_title, headline) if s} - {"", _key(title)}
    for candidate in _title_candidates(parts):
        # Many sites put their name in an h1 (the logo): that is never the headline.
        if _key(candidate) in short_forms and not (site and _same_site(candidate, site)):
            return candidate
    return _strip_site(parts, site) if site else title


def _strip_site(parts: list[str], site: str) -> str:
    """The title without a leading or trailing run of parts that names the site."""
    count = (len(parts) + 1) // 2
    for removed in range(1, count):
        kept = 2 * (count - removed)
        if _same_site("".join(parts[kept:]), site):
            return "".join(parts[: kept - 1]).strip()
        # "Figma: The Collaborative Interface Design Tool" keeps its name: a colon makes
        # the name part of the title, where "Figma | ..." only labels the page.
        leading = parts[2 * removed - 1].strip() != ":"
        if leading and _same_site("".join(parts[: 2 * removed - 1]), site):
            return "".join(parts[2 * removed :]).strip()
    return "".join(parts).strip()


def _title_candidates(parts: list[str]) -> Iterator[str]:
    """Runs of whole parts of a split title, longest first (parts alternate with separators)."""
    count = (len(parts) + 1) // 2
    for size in range(count - 1, 0, -1):
        for start in range(count - size + 1):
            yield "".join(parts[2 * start : 2 * (start + size) - 1]).strip()


def _same_site(part: str, site: str) -> bool:
    """Whether a title part names the site ("The Daily Example", "dailyexample.com", ...)."""
    names = {_key(site), _key(site.removeprefix("www.").split(".")[0])}
    names |= {name.removeprefix("the") for name in names}
    key = _key(part)
    return bool(key) and (key in names or key.removeprefix("the") in names)


def title_key(text: str) -> str:
    """Text reduced to lower-case letters and digits, for comparing titles."""
    return re.sub(r"[\W_]+", "", squash(text).casefold())


_key = title_key


def _words(text: str) -> list[str]:
    return [word.casefold() for word in _WORD.findall(text)]


def squash(text: str) -> str:
    """Whitespace collapsed, and a heading's permalink sign ("¶") dropped."""
    text = _SPACES.sub(" ", text).strip()
    return text.rstrip(_PERMALINK_TAIL).strip()
