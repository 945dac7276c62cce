"""Pictures through trafilatura: marked as words before, turned back into <img> after.

Asked to keep images, trafilatura also keeps the figures around them, and pictures
change which part of a page it takes for the article: galleries and image cards win
over the prose next to them. So trafilatura runs without images, and each picture is
first replaced by a marker word where it stood; the markers that survive in the
article become <img> elements again. A picture is therefore in the clip exactly when
the text around it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

# The space after a marker stays: it may be all that parts the words on either side.
# One marker may stand for several pictures ("ZqPic3-4-5qZ"): a gallery's pictures all go
# to the text after it, and forty marker words there would look like text to trafilatura.
_MARKER = re.compile(r"\s?ZqPic(\d+(?:-\d+)*)qZ")
_LEADING_MARKER = re.compile(r"^ ZqPic(\d+(?:-\d+)*)qZ ")
_SKIPPED_CONTAINERS = frozenset({"pre", "code", "script", "style", "noscript", "template"})
# Lazy-loading pages keep the real address in one of these and a placeholder in src.
_LAZY_SOURCES = ("data-src", "data-lazy-src", "data-original", "data-url", "data-srcset", "srcset")


@dataclass(frozen=True)
class Picture:
    src: str
    alt: str


ImageMaker = Callable[[Picture], "etree._Element | None"]


def mark_pictures(tree: etree._Element) -> list[Picture]:
    """Replace each picture of the page by a marker word; the pictures, by marker number.

    A picture standing alone (a figure between paragraphs) is marked at the start of the
    next text instead, since trafilatura drops a block that is a single word; pictures
    that land on the same text share one marker.
    <figure> and <picture> become plain containers: trafilatura drops them otherwise.
    """
    for element in tree.iter("figure", "picture"):
        element.tag = "div" if element.tag == "figure" else "span"
    pictures: list[Picture] = []
    for image in list(tree.iter("img")):
        src = picture_source(image)
        if not src or _in_code(image):
            continue
        if not _place_marker(image, len(pictures)):
            continue
        alt = " ".join((image.get("alt") or "").split())
        pictures.append(Picture(src, alt))
    return pictures


def _place_marker(image: etree._Element, number: int) -> bool:
    marker = f" ZqPic{number}qZ "
    box = image
    parent = box.getparent()
    while parent is not None and parent.tag != "body" and not _has_text(parent):
        box, parent = parent, parent.getparent()
    if box is image:  # in a paragraph: right where it is
        image.tail = marker + (image.tail or "")
        return True
    for sibling in box.itersiblings():
        target = _first_text_element(sibling)
        if target is not None:
            text = target.text or ""
            shared = _LEADING_MARKER.match(text)
            if shared:  # the gallery's earlier pictures are here already
                marker = f" ZqPic{shared.group(1)}-{number}qZ "
                text = text[shared.end() :]
            target.text = marker + text
            return True
    return False


def _has_text(element: etree._Element) -> bool:
    return bool(_MARKER.sub("", element.text_content()).strip())


def _first_text_element(element: etree._Element) -> etree._Element | None:
    """The first element (element itself or a descendant) whose own text is not blank."""
    if not isinstance(element.tag, str) or element.tag in _SKIPPED_CONTAINERS:
        return None
    for item in element.iter():
        # a marker placed there earlier is not text
        if isinstance(item.tag, str) and item.text and _MARKER.sub("", item.text).strip():
            return item if item.tag not in _SKIPPED_CONTAINERS else None
    return None


def picture_source(image: etree._Element) -> str | None:
    """The address of a picture, looking past lazy-loading placeholders (data: URLs)."""
    src = (image.get("src") or "").strip()
    if src and not src.startswith("data:"):
        return src
    for name in _LAZY_SOURCES:
        value = (image.get(name) or "").strip()
        if value and not value.startswith("data:"):
            return value.split(",")[0].split()[0]
    return None


def _in_code(element: etree._Element) -> bool:
    return any(a.tag in _SKIPPED_CONTAINERS for a in element.iterancestors())


def strip_markers(text: str | None) -> str | None:
    """Text (e.g. a title trafilatura read from a heading with a logo) without markers."""
    return " ".join(_MARKER.sub(" ", text).split()) if text else text


def restore_pictures(root: etree._Element, pictures: list[Picture], make: ImageMaker) -> None:
    """Turn the markers left in root's text back into images made by ``make(picture)``."""
    for element in list(root.iter()):
        if element.text and "ZqPic" in element.text:
            element.text, images = _split(element.text, pictures, make)
            for offset, image in enumerate(images):
                element.insert(offset, image)
        parent = element.getparent()
        if element.tail and "ZqPic" in element.tail and parent is not None:
            element.tail, images = _split(element.tail, pictures, make)
            position = parent.index(element) + 1
            for offset, image in enumerate(images):
                parent.insert(position + offset, image)


def _split(
    text: str, pictures: list[Picture], make: ImageMaker
) -> tuple[str, list[etree._Element]]:
    """The text before the first marker, and an image for each marker carrying the text after it."""
    pieces = _MARKER.split(text)
    lead, images = pieces[0], []
    for index in range(1, len(pieces), 2):
        after = pieces[index + 1]
        made = [
            make(pictures[number])
            for number in map(int, pieces[index].split("-"))
            if number < len(pictures)
        ]
        group = [image for image in made if image is not None]
        for image in group:
            image.tail = None
        if group:
            group[-1].tail = after
            images.extend(group)
        elif images:  # no usable address: the text flows on
            images[-1].tail = f"{images[-1].tail or ''} {after}"
        else:
            lead = f"{lead} {after}"
    return lead, images
