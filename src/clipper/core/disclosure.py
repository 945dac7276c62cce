"""Collapsed panels opened before extraction: FAQ answers, accordions, "details".

A page hides the answers of its FAQ, the sections of an accordion and the body of a
``<details>`` until the reader clicks; they are part of what the page says, and a reader
who clips it expects them. Trafilatura drops every hidden element (``aria-hidden``,
``display: none``, a "hidden" class), so :func:`open_disclosures` shows the ones that are
disclosures, the way a browser's "expand all" would:

* the panel is hidden by ``aria-hidden="true"``, the ``hidden`` attribute, an inline
  ``display: none`` or ``visibility: hidden``, or a class that means hidden ("hidden",
  "is-hidden", "d-none", "accordion--closed"...; not "collapse", which some frameworks
  use for a row without gutters, nor a word hiding a part of the box, as in
  "overflow-hidden" or a theme's "breadcrumbs-hidden" on ``<body>``);
* and it is a disclosure: named as one (accordion, collapse, FAQ, answer, tab panel,
  toggle, expander, drawer, spoiler), marked ``role="region"`` or ``"tabpanel"``, the
  target of a control (``aria-controls``, ``data-target``), inside a ``<details>``, or
  right after its toggle (a button, a summary, a heading, an element with
  ``aria-expanded``, a box marked as clickable or a line worded as a question).

Left hidden: menus (mostly links), anything named as a menu, dialog, pop-up, cookie or
sign-up box, anything inside nav/header/footer/aside/dialog/form, and any panel whose
text the page already shows (a phone layout's copy of the desktop one). A toggle button
that holds the question becomes a paragraph in bold, as trafilatura drops buttons, and an
accordion answer's lines in ``<div>``s become paragraphs, as it drops many of those.

The same walk clears what makes trafilatura drop boxes a desktop browser shows: a style
saying "hidden" ("overflow: hidden"), classes that hide a box on phones only
("hide-mobile", Tailwind's "hidden md:block"), scroll animations ("reveal-slideup",
which its "slide" for slideshows matches) and Webflow's "w-embed" blocks.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from clipper.core.cleanhtml import INLINE_TAGS
from clipper.core.metadata import scripts_set_aside, squash

__all__ = ["open_disclosures"]

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# "X-hidden" says what is hidden: the box when X names a panel ("accordion-closed",
# "faq-hidden"), a part of it or of the page otherwise ("genesis-breadcrumbs-hidden" on
# a WordPress <body>, Drupal's "field--label-hidden", "overflow-hidden"). A BEM modifier
# ("c-panel--hidden", "card--closed") is the box's own state.
_HIDDEN_CLASS = re.compile(
    r"^(?:is-|u-|js-)?(?:hidden|hide|closed?|d-none)$|(?:--|__)(?:hidden|closed?)$"
    r"|^(?:[a-z0-9]+-)*(?:accordi[oa]n|panel|faq|answer|tab|content|drawer|toggle|collapse"
    r"|expand(?:er|able)?|dropdown|details?|body|item|section)-(?:hidden|closed?)$",
    re.IGNORECASE,
)
_PANEL_NAME = re.compile(
    r"accordi[oa]n|collaps|faq|answer|tab-?pane|tab-?panel|tab-?content|toggle|expand"
    r"|disclosure|drawer|drop-?down-?(?:text|content|body)|reveal|spoiler",
    re.IGNORECASE,
)
# Class words that hide a box on small screens only, or hide a scroll bar: shown on a
# desktop; and Tailwind's "md:block" and the like, which show a "hidden" box from a width up.
_SHOWN_ON_DESKTOP = re.compile(
    r"(?:hide|hidden)[-_]?(?:on[-_]|for[-_])?(?:mobile|phone|xs|sm|small|tablet|landscape"
    r"|portrait|touch)(?:[-_][a-z]+)?$|hide[-_]?scroll(?:bar)?s?$",
    re.IGNORECASE,
)
_SHOWN_FROM = re.compile(r"(?:sm|md|lg|xl):(?:block|flex|grid|inline|inline-block|table|contents)$")
# Boxes that may be hidden or misnamed (the closer reading is _is_hidden, _looks_hidden and
# _MISREAD_CLASS); matching the attributes themselves is three times quicker than testing
# every element.
_CANDIDATES = etree.XPath(
    "//@class[contains(., 'hid') or contains(., 'clos') or contains(., 'none')"
    " or contains(., 'lide') or contains(., 'w-embed')]/.."
    "|//@style[contains(., 'none') or contains(., 'hidden')]/.."
    "|//@aria-hidden[. = 'true']/..|//@hidden/.."
)
_MISREAD_CLASS = re.compile(
    r"(?:[a-z]+[-_]+)?slide[-_]?(?:in|up|down)(?:[-_]?(?:up|down|left|right))?$|w-embed$",
    re.IGNORECASE,
)
_PANEL_ROLES = frozenset({"region", "tabpanel"})
_NOT_PANEL_ROLES = frozenset({"navigation", "menu", "dialog", "alertdialog", "tooltip"})
_NOT_PANEL_NAME = re.compile(
    r"menu|nav|modal|pop-?up|dialog|tooltip|cookie|consent|gdpr|newsletter|subscri"
    r"|sign-?up|log-?in|sign-?in|search|filter|facet|cart|basket|mega|share|overlay|banner",
    re.IGNORECASE,
)
_OUTSIDE = frozenset({"nav", "header", "footer", "aside", "dialog", "menu", "form", "select"})
# Not panels: toggles (a closed panel's button carries its state), media, form fields.
_SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "template",
        "noscript",
        "svg",
        "img",
        "figure",
        "input",
        "button",
        "summary",
    }
)
_TOGGLE_TAGS = frozenset({"button", "summary", "h2", "h3", "h4", "h5", "h6", "dt"})
_CONTROLS = "//@aria-controls|//@data-target|//@data-bs-target"
_MIN_CHARS = 20  # of text in a panel
_MAX_LINK_SHARE = 0.5  # a panel with more of its text in links is a menu
_SAME_TEXT_CHARS = 100  # a panel whose first characters the page shows elsewhere is a copy
_COPY_CHECK_CHARS = 50_000_000  # of the page's text read by those checks, at most
_QUESTION_MIN_WORDS = 2  # a toggle button with fewer words is an icon or "More"
_TOGGLE_MAX_CHARS = 300  # the text of a box holding a panel's toggle button
_BLOCKS = ".//p|.//div|.//h2|.//h3|.//h4|.//h5|.//h6"


def open_disclosures(tree: etree._Element) -> int:
    """Show a page's collapsed disclosure panels to the extractor; returns how many.

    Boxes a desktop browser shows but trafilatura would take for hidden ones lose the
    words that mislead it (:func:`_looks_hidden`), and so do boxes whose classes it reads
    as furniture by mistake (:func:`_drop_misread_classes`).
    """
    controlled: set[str] | None = None
    shown: str | None = None
    kept_hidden: set[etree._Element] = set()
    opened = checked = 0
    for element in _CANDIDATES(tree):  # in document order, outer boxes first
        if element.tag in _SKIP_TAGS:
            continue
        names = element.get("class", "")
        if "lide" in names or "w-embed" in names:
            _drop_misread_classes(element)
        hidden = _is_hidden(element)
        if not hidden and not _looks_hidden(element):
            continue
        if any(a in kept_hidden or a.tag in _OUTSIDE for a in element.iterancestors()):
            kept_hidden.add(element)
            continue
        text = _text(element)
        if hidden:
            if controlled is None:
                controlled = _controlled_ids(tree)
            if not _is_disclosure(element, controlled) or not _reads_as_content(element, text):
                kept_hidden.add(element)
                continue
        elif len(text) < _MIN_CHARS:
            continue  # nothing to show (an image's frame with "overflow: hidden")
        shown = _shown_text(tree) if shown is None else shown
        # A copy stays as it is. Each check reads the page's text: past a budget (a page of
        # thousands of panels) the rest are taken as they come, in linear time.
        checked += len(shown)
        if checked <= _COPY_CHECK_CHARS and shown.count(text[:_SAME_TEXT_CHARS]) > 1:
            kept_hidden.add(element)
        elif hidden:
            _show(element)
            opened += 1
        else:
            _unmask(element)
    return opened


def _drop_misread_classes(element: etree._Element) -> None:
    """Remove class words trafilatura reads as furniture from a box that is content.

    Its "slide" (for slideshows) also matches scroll animations ("reveal-slideup",
    "slideInUp"), which landing pages put on every section; its "embed" (for embedded
    posts) matches Webflow's "w-embed", the block that holds a page's own tables.
    """
    _drop_classes(element, _MISREAD_CLASS.match)


def _drop_classes(element: etree._Element, matches: Callable[[str], object]) -> None:
    """Remove the class words that ``matches`` accepts, leaving the others in order."""
    tokens = (element.get("class") or "").split()
    kept = [token for token in tokens if not matches(token)]
    if len(kept) != len(tokens):
        element.set("class", " ".join(kept))


def _text(element: etree._Element) -> str:
    return squash("".join(element.itertext()))


def _is_hidden(element: etree._Element) -> bool:
    if element.get("aria-hidden") == "true" or element.get("hidden") is not None:
        return True
    if _HIDDEN_STYLE.search(element.get("style") or ""):
        return True
    return any(_HIDDEN_CLASS.search(token) for token in (element.get("class") or "").split())


def _looks_hidden(element: etree._Element) -> bool:
    """Whether trafilatura would take a box a desktop browser shows for a hidden one.

    It drops any box whose style says "hidden" ("overflow: hidden") or whose class has a
    word starting with "hide" or "hidden": "hide-mobile", "hidden-xs" (hidden on phones
    only), Tailwind's "hidden md:block" (shown from tablets up), "hide-scrollbar".
    """
    if "hidden" in (element.get("style") or ""):
        return True
    tokens = (element.get("class") or "").split()
    return any(_SHOWN_ON_DESKTOP.match(token) for token in tokens) or (
        "hidden" in tokens and any(_SHOWN_FROM.match(token) for token in tokens)
    )


def _unmask(element: etree._Element) -> None:
    _drop_style_rules(element, lambda rule: "hidden" in rule)
    responsive = any(_SHOWN_FROM.match(token) for token in (element.get("class") or "").split())
    _drop_classes(
        element, lambda token: _SHOWN_ON_DESKTOP.match(token) or (responsive and token == "hidden")
    )


def _drop_style_rules(element: etree._Element, matches: Callable[[str], object]) -> None:
    style = element.get("style")
    if style is not None:
        element.set("style", ";".join(r for r in style.split(";") if r.strip() and not matches(r)))


def _names(element: etree._Element) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}"


def _controlled_ids(tree: etree._Element) -> set[str]:
    ids: set[str] = set()
    for value in tree.xpath(_CONTROLS):
        ids.update(part.lstrip("#") for part in str(value).split())
    return ids


def _is_disclosure(element: etree._Element, controlled: set[str]) -> bool:
    names = _names(element)
    if _NOT_PANEL_NAME.search(names):
        return False
    role = (element.get("role") or "").strip().lower()
    if role in _NOT_PANEL_ROLES:
        return False
    if _PANEL_NAME.search(names) or role in _PANEL_ROLES:
        return True
    if element.get("id") and element.get("id") in controlled:
        return True
    parent = element.getparent()
    if parent is not None and parent.tag == "details":
        return True
    toggle = _previous_element(element)
    return toggle is not None and (
        toggle.tag in _TOGGLE_TAGS
        or toggle.get("aria-expanded") is not None
        or _is_clickable_question(toggle)
    )


def _is_clickable_question(box: etree._Element) -> bool:
    """Whether a box is a toggle without a toggle's markup: a short line that is clicked.

    A script's accordion may be plain boxes: the question in one marked as clickable
    (``role="button"``, an ``onclick``, a pointer cursor), or just worded as a question,
    its answer hidden in the next.
    """
    text = _text(box)
    if not text or len(text) > _TOGGLE_MAX_CHARS:
        return False
    if text.endswith("?"):
        return True
    style = (box.get("style") or "").replace(" ", "").lower()
    return (
        box.get("role") == "button"
        or box.get("onclick") is not None
        or box.get("cursor") == "pointer"
        or "cursor:pointer" in style
    )


def _previous_element(element: etree._Element) -> etree._Element | None:
    previous = element.getprevious()
    while previous is not None and not isinstance(previous.tag, str):
        previous = previous.getprevious()
    return previous


def _reads_as_content(element: etree._Element, text: str) -> bool:
    """Whether a panel (whose text is ``text``) has words to show and is not a menu."""
    if len(text) < _MIN_CHARS:
        return False
    linked = sum(len(_text(a)) for a in element.iter("a"))
    return linked <= _MAX_LINK_SHARE * len(text)


def _shown_text(tree: etree._Element) -> str:
    """The page's text outside scripts and styles, white space collapsed."""
    with scripts_set_aside(tree):
        return squash("".join(tree.itertext()))


def _show(panel: etree._Element) -> None:
    for name in ("aria-hidden", "hidden"):
        panel.attrib.pop(name, None)
    _drop_style_rules(panel, _HIDDEN_STYLE.search)
    # Trafilatura drops boxes by many class words ("expand", "slide", "hidden"...): an
    # opened panel keeps none of its classes.
    named = _PANEL_NAME.search(_names(panel)) is not None
    panel.attrib.pop("class", None)
    question = _previous_element(panel)
    if question is not None and _is_clickable_question(question):
        _divs_as_paragraphs(question)
        named = True
    if named:  # an accordion's answer, not a notice that happens to follow a heading
        _divs_as_paragraphs(panel)
    toggle = _toggle_button(panel)
    if toggle is None or len(_text(toggle).split()) < _QUESTION_MIN_WORDS:
        return
    if toggle.xpath(_BLOCKS):
        toggle.tag = "div"
    else:  # the question, in bold as the button showed it
        toggle.tag = "p"
        strong = etree.Element("strong")
        strong.text, toggle.text = toggle.text, None
        strong.extend(list(toggle))
        toggle.append(strong)
    toggle.attrib.pop("type", None)
    for element in toggle.iter():
        element.attrib.pop("class", None)  # "c-button__text": trafilatura drops "button"


def _divs_as_paragraphs(box: etree._Element) -> None:
    """Make the boxes of text in an opened panel (``<div>``s with no blocks inside) paragraphs.

    Script accordions put each line of an answer in a ``<div>``; trafilatura keeps such a
    line's text only in some layouts, and had dropped most of these answers.
    """
    for div in list(box.iter("div")):
        children = [child for child in div if isinstance(child.tag, str)]
        if any(child.tag not in INLINE_TAGS for child in children):
            continue
        if squash("".join(div.itertext())):
            div.tag = "p"


def _toggle_button(panel: etree._Element) -> etree._Element | None:
    """The button just before a panel, alone or in a small box of its own."""
    previous = _previous_element(panel)
    if previous is None or previous.tag == "button":
        return previous
    if len("".join(previous.itertext())) > _TOGGLE_MAX_CHARS:
        return None
    buttons = previous.findall(".//button")
    return buttons[-1] if len(buttons) == 1 else None
