"""Extraction behaviour on real pages from ../shared/corpus (skipped when it is absent).

Pages whose shape is hard to reproduce in a hand-written fixture: what matters is the
behaviour, the page is only the witness.
"""

from __future__ import annotations

import pytest

from clipper.core.extract import extract_article
from conftest import CORPUS
from support.corpus import wcxb_page as wcxb

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not (CORPUS / "wcxb").is_dir(), reason="../shared/corpus is not here"),
]


def test_a_page_of_link_cards_keeps_its_cards() -> None:
    # A store's front page: every tile is a link, and with links kept trafilatura
    # drops them all (264 characters of headings were left).
    article = extract_article(*wcxb("3069"))
    assert article.word_count > 1000
    assert "MacBook Air" in article.text


def test_a_shops_product_caption_boxes_stay_in_the_body() -> None:
    # Product cards whose text sits in a class="product-caption" box.
    article = extract_article(*wcxb("4544"))
    assert article.word_count > 300
    assert "Gear Bag" in article.text


@pytest.mark.parametrize(
    ("page", "last_reply"),
    [("0508", "t that serious. And don"), ("0506", "s Starter Vault I mentioned")],
)
def test_a_forum_thread_keeps_its_replies(page: str, last_reply: str) -> None:
    # Discourse threads: the posts are in the <noscript> view, each in a class="post" box
    # that trafilatura takes the first of; only the question was left (a third of the words).
    article = extract_article(*wcxb(page))
    assert last_reply in article.text
    assert article.word_count > 800


def test_a_dump_of_the_whole_page_never_replaces_a_found_post() -> None:
    # A Reddit link post: the recall pass fell back to every text of the page, menus and
    # all ("Skip to main content", "Log In"), and was longer than the post it had found.
    article = extract_article(*wcxb("0561"))
    assert "FCC Chair to Europe" in article.text
    assert "Skip to main content" not in article.text


def test_a_blogs_front_page_keeps_each_posts_title() -> None:
    # A blog's front page: trafilatura kept the posts' blurbs and dropped every title
    # (an <h1> inside the card's link), leaving sentences about nothing.
    article = extract_article(*wcxb("2903"))
    title = "Mind the gap: Closing the AI trust gap for developers"
    assert f'">{title}</a></h1>' in article.html
    assert article.text.index(title) < article.text.index("Developer trust is synonymous")


def test_a_shops_category_page_keeps_its_products() -> None:
    # Trafilatura kept the category's introduction and none of its 48 product cards.
    article = extract_article(*wcxb("4468"))
    assert "SitOnIt Wit High Back WFH Mesh Task Chair" in article.text
    assert article.text.index("ergonomic mesh office chairs") < article.text.index("SitOnIt Wit")
    assert article.html.count("<li>") >= 40


def test_a_list_article_keeps_its_list() -> None:
    # A dated, signed "Michelin stars in New York" article: trafilatura kept its 97-word
    # introduction and none of the 90 restaurants, which hold 50 times more text.
    article = extract_article(*wcxb("4340"))
    assert article.author == "Resy Staff"
    assert "Agi's Counter" in article.text
    assert article.word_count > 3000


@pytest.mark.parametrize(
    ("page", "heading"), [("4708", "Snake Plant (Sansevieria"), ("4007", "Building Raised Beds")]
)
def test_an_article_flattened_by_the_fallback_keeps_its_sections(page: str, heading: str) -> None:
    # Trafilatura's balanced pass fell back to the <article>'s text as one run-on
    # paragraph, breadcrumbs and all; the recall pass had found its headings and lists.
    article = extract_article(*wcxb(page))
    lines = article.text.splitlines()
    assert max(len(line.split()) for line in lines) < 300
    assert any(line.strip().startswith(heading) for line in lines)


@pytest.mark.parametrize(
    ("page", "point"),
    [
        ("0317", "Unified Control Panel: Users manage their infrastructure"),
        ("0488", "Few projects / resources means less people learn it"),
    ],
)
def test_an_article_keeps_its_bulleted_points(page: str, point: str) -> None:
    # Trafilatura's balanced pass kept every paragraph of these and none of their lists
    # (a third of the words of an explainer), while holding over half the page's text.
    article = extract_article(*wcxb(page))
    assert point in article.text
