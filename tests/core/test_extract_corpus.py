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
