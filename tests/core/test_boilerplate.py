"""Page furniture that trafilatura lets through: named boxes before, teaser lines after."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from lxml import html as lxml_html

from clipper.core.boilerplate import drop_placeholders, drop_teasers, prune_page
from clipper.core.extract import _SITE_PATH, _page_text_length, extract_article
from clipper.core.listings import append_listing, restore_card_titles

STORY = [
    "The harbour board met on Tuesday to decide the future of the old grain pier.",
    "Engineers told the members that the timber piles had rotted below the waterline.",
    "Repairing them would cost more than building a new pier of steel and concrete.",
    "Fishermen who still land their catch there asked for a year to find another berth.",
    "The board agreed to wait until spring before it closes the pier for good.",
]


def paragraphs(count: int = 5) -> str:
    return "".join(f"<p>{' '.join(STORY)} {STORY[i % 5]}</p>" for i in range(count))


def article_page(extra_after: str = "", extra_before: str = "") -> str:
    return (
        "<html><head><title>The grain pier</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>The grain pier</h1>{extra_before}{paragraphs()}{extra_after}</article>"
        "</body></html>"
    )


def fragment(html: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(html, create_parent="div")


def texts(root: lxml_html.HtmlElement) -> list[str]:
    return [" ".join("".join(block.itertext()).split()) for block in root]


# --- before extraction: boxes named as furniture ------------------------------------------


def test_named_furniture_boxes_go_whatever_their_case() -> None:
    tree = lxml_html.fromstring(
        "<html><body><article><h1>Pier</h1>" + paragraphs() + "</article>"
        "<div class='Newsletter'><h3>Pick Six Newsletter</h3><p>Get the big stories.</p></div>"
        "<div class='RecommendedRecirc'><a href='/a'>Another story</a></div>"
        "<ul class='latest-news-box-row'><li><a href='/b'>Latest one</a></li></ul>"
        "<div id='print-tools'>Order Reprints</div>"
        # a shop's bar of offers over the page, one slide per country
        "<div class='promo-bar hide' id='promoBar'><div class='promo-bar__carousel'>"
        "<span>Free standard shipping on orders $40+</span></div></div>"
        "<div class='site-announcement-bar'>Our stores close early on Friday.</div>"
        "<div class='content'>Kept: an ordinary box.</div>"
        "</body></html>"
    )
    prune_page(tree, _page_text_length(tree))
    text = tree.text_content()
    gone_boxes = (
        "Pick Six",
        "Another story",
        "Latest one",
        "Order Reprints",
        "Free standard",
        "close early",
    )
    for gone in gone_boxes:
        assert gone not in text
    assert "Kept: an ordinary box." in text and STORY[0] in text


def test_a_misnamed_wrapper_never_takes_the_article_with_it() -> None:
    # A wrapper named like furniture that holds the headline, or most of the page's text.
    tree = lxml_html.fromstring(
        "<html><body><div class='newsletter-layout'><h1>Pier</h1>" + paragraphs() + "</div>"
        "<div class='related-posts-wrapper'>" + paragraphs(8) + "</div></body></html>"
    )
    before = tree.text_content()
    prune_page(tree, _page_text_length(tree))
    assert tree.text_content() == before


def test_dialogs_and_customer_reviews_go_whatever_their_size() -> None:
    # Larger than the share a named box may hold, yet never the page's content.
    reviews = "".join(f"<p>Great kettle, five stars. {STORY[i % 5]}</p>" for i in range(20))
    tree = lxml_html.fromstring(
        "<html><body><main><h1>Kettle</h1><p>A steel kettle that boils a litre fast.</p></main>"
        f"<div role='dialog'><p>We use cookies.</p>{paragraphs(6)}</div>"
        f"<div aria-modal='true'><p>Verify your account.</p></div>"
        f"<section id='customer-reviews'>{reviews}</section>"
        f"<div class='ProductReviews'>{reviews}</div>"
        "<div class='product-review-card'><p>Kept: our editor's verdict.</p></div>"
        "<div class='WebcamPreview-Container'><p>Kept: a preview.</p></div>"
        "</body></html>"
    )
    prune_page(tree, _page_text_length(tree))
    text = tree.text_content()
    for gone in ("We use cookies", "Verify your account", "Great kettle"):
        assert gone not in text
    for kept in ("A steel kettle", "Kept: our editor's verdict.", "Kept: a preview."):
        assert kept in text


@pytest.mark.parametrize(
    "box",
    [
        "<section id='gdpr-banner' class='page-notice'>",
        "<div class='cookiepreferences_popup'>",
        "<div class='cookie-consent'>",
        "<div id='onetrust-banner-sdk'>",
    ],
)
def test_cookie_banners_go(box: str) -> None:
    consent = "<p>We use cookies and other technologies to provide our services.</p>" * 12
    tag = box[1 : box.index(" ")]
    tree = lxml_html.fromstring(
        f"<html><body>{box}{consent}</{tag}><main><h1>Kettle</h1>"
        "<p>A steel kettle that boils a litre fast.</p></main>"
        "<div class='chocolate-cookie-recipes'><p>Kept: the cookie recipes.</p></div>"
        "</body></html>"
    )
    prune_page(tree, _page_text_length(tree))
    assert "We use cookies" not in tree.text_content()
    assert "Kept: the cookie recipes." in tree.text_content()


def test_a_dialog_holding_the_headline_stays() -> None:
    tree = lxml_html.fromstring(
        "<html><body><div role='dialog'><h1>Pier</h1>" + paragraphs() + "</div></body></html>"
    )
    before = tree.text_content()
    prune_page(tree, _page_text_length(tree))
    assert tree.text_content() == before


def test_expanders_named_read_more_are_content() -> None:
    tree = lxml_html.fromstring(
        "<html><body><h1>Mug</h1><div class='description read-more-body'>"
        "Hand thrown stoneware, glazed in two colours and fired twice.</div>"
        + paragraphs()
        + "</body></html>"
    )
    prune_page(tree, _page_text_length(tree))
    assert "Hand thrown stoneware" in tree.text_content()


# --- after extraction: furniture by its words ---------------------------------------------


def test_read_more_lines_and_labelled_link_blocks_go() -> None:
    root = fragment(
        f"<p>{STORY[0]}</p>"
        "<p><strong>READ MORE:</strong> <a href='/x'>Harbour protest draws hundreds</a></p>"
        f"<p>{STORY[1]}</p>"
        "<p><strong>DON'T MISS</strong></p>"
        "<p><a href='/y'>Ferry fares to rise</a> [INSIGHT]</p>"
        "<ul><li><a href='/z'>Storm closes the coast road</a></li>"
        "<li><a href='/w'>Lifeboat crew honoured</a></li></ul>"
        f"<p>{STORY[2]}</p>"
    )
    drop_teasers(root)
    assert texts(root) == [STORY[0], STORY[1], STORY[2]]


def test_a_labelled_block_of_one_link_per_line_goes() -> None:
    root = fragment(
        f"<p>{STORY[0]}</p><p><strong>DON'T MISS</strong></p>"
        "<p><a href='/y'>China furious at the president for his harbour protest jibe</a> "
        "[<strong>INSIGHT]</strong><br><a href='/z'>Ferry fares to rise again as the "
        "operator blames fuel</a> [<strong>VIDEO]</strong><br><a href='/w'>Lifeboat crew "
        "honoured for the rescue</a><strong> [REACTION]</strong></p>"
        f"<p>{STORY[1]}</p>"
    )
    drop_teasers(root)
    assert texts(root) == [STORY[0], STORY[1]]


def test_a_label_and_its_links_in_one_paragraph_go() -> None:
    # The label and the links are lines of one paragraph: "DON'T MISS<br><a>...".
    root = fragment(
        f"<p>{STORY[0]}</p><p><strong>DON'T MISS</strong><br><a href='/y'>Ferry fares to "
        "rise again as the operator blames fuel</a> [WARNING]<br><a href='/z'>Lifeboat crew "
        f"honoured for the rescue</a> [INSIGHT]</p><p>{STORY[1]}</p>"
    )
    drop_teasers(root)
    assert texts(root) == [STORY[0], STORY[1]]


def test_prose_that_starts_like_a_label_stays() -> None:
    root = fragment(
        f"<p>More than forty boats used the pier last year. {STORY[3]}</p>"
        "<p>Related: the <a href='/p'>pier history</a> goes back to 1870, when the first "
        "grain ships arrived from the river ports and the town grew around the quay.</p>"
        f"<p>{STORY[4]}</p>"
    )
    before = texts(root)
    drop_teasers(root)
    assert texts(root) == before


def test_a_label_alone_with_prose_after_it_stays() -> None:
    root = fragment(f"<h2>Related stories</h2><p>{STORY[0]}</p><p>{STORY[1]}</p>")
    drop_teasers(root)
    assert texts(root)[0] == "Related stories"


def test_the_end_of_an_article_loses_its_link_lists_label_and_copyright() -> None:
    root = fragment(
        f"<p>{STORY[0]}</p><p>{STORY[4]}</p>"
        "<h3>You may also be interested in...</h3>"
        "<h3><a href='/1'>Milan Design Week: a tribute to the lamp makers</a></h3>"
        "<h3><a href='/2'>The flow of time at the Triennale</a></h3>"
        "<p>Topics: <a href='/t/harbour'>Harbour</a> · <a href='/t/council'>Council</a></p>"
        "<p>Copyright Harbour News 2019 - all rights reserved</p>"
    )
    drop_teasers(root)
    assert texts(root) == [STORY[0], STORY[4]]


def test_a_closing_list_of_sources_with_long_items_stays() -> None:
    item = "<li><a href='/r'>Report</a> on the state of the timber piles, with the divers' "
    item += "photographs and the engineers' estimate of the cost of each kind of repair</li>"
    root = fragment(f"<p>{STORY[0]}</p><ul>{item}{item}</ul>")
    drop_teasers(root)
    assert root[-1].tag == "ul"


def test_a_picture_at_the_end_is_not_furniture() -> None:
    root = fragment(
        f"<p>{STORY[0]}</p><p><a href='/big.jpg'><img src='/small.jpg' alt='The pier'></a></p>"
    )
    drop_teasers(root)
    assert root[-1].find(".//img") is not None


def test_whole_pipeline_keeps_the_story_and_drops_the_boxes() -> None:
    html = article_page(
        extra_after=(
            "<div class='newsletter-signup'><h3>Harbour Weekly</h3>"
            "<p>Get the week's harbour news in your inbox every Friday morning.</p></div>"
            "<p><strong>SEE MORE:</strong> <a href='/m'>Pier closure: what it means</a></p>"
        )
    )
    got = extract_article(html, "https://news.example/pier")
    for sentence in STORY:
        assert sentence in got.text
    assert "Harbour Weekly" not in got.text and "SEE MORE" not in got.text


# --- the link fast path ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["/x/y", "/", "/a.png", "/a/b?q=1#f", "/x/y.", "/a/b.c/d?e=f.g", "/%2e%2e/x", "/ü/ß"],
)
def test_site_paths_join_exactly_as_urljoin_does(value: str) -> None:
    base = "https://example.com/a/b/c.html?x=1"
    assert _SITE_PATH.match(value)
    assert "https://example.com" + value == urljoin(base, value)


@pytest.mark.parametrize(
    "value", ["/../x", "/./x", "/x/../y", "/x/./y", "//cdn.example/x", "/x y", "/x\\y", "x/y"]
)
def test_everything_else_goes_through_urljoin(value: str) -> None:
    assert not _SITE_PATH.match(value)


def test_related_headline_without_a_link_and_broken_teaser_blocks_go() -> None:
    root = fragment(
        f"<p>{STORY[0]}</p>"
        "<p><strong>Related: </strong><strong>Possible Water Plumes on Europa</strong></p>"
        "<p><strong>DON'T MISS</strong></p>"
        "<p><a href='/a'>China furious at the harbour plan</a> [<strong>INSIGHT]</strong></p>"
        "<p><strong>VIDEO]</strong></p>"
        "<p><a href='/b'>Hong Kong ferry strike</a></p>"
        "<p><strong>[REACTION]</strong></p>"
        f"<p>{STORY[1]}</p>"
        "<p>Related: the board will publish its report in March.</p>"
    )
    drop_teasers(root)
    assert texts(root) == [
        STORY[0],
        STORY[1],
        "Related: the board will publish its report in March.",
    ]


def test_comment_labels_and_newsletter_invitations_do_not_end_the_article() -> None:
    root = fragment(
        f"<p>{STORY[0]}</p><p>{STORY[4]}</p>"
        "<p>Click here to subscribe to The Harbour Newsletter</p>"
        "<h3>Comments</h3><p>comments</p>"
    )
    drop_teasers(root)
    assert texts(root) == [STORY[0], STORY[4]]
    # ...but only at the end, and only as a line of its own
    root = fragment(f"<h2>Comments</h2><p>{STORY[0]}</p>")
    drop_teasers(root)
    assert texts(root) == ["Comments", STORY[0]]


# --- before extraction: an article body cut in pieces -----------------------------------


def split_page(second_class: str = "body article__body") -> str:
    ad = '<div class="row full-bleed-ad"><span>Advertisement</span><div class="ad"></div></div>'
    aside = '<div class="rail"><div class="recirc">Most popular</div></div>'
    return (
        "<html><head><title>The grain pier</title></head><body><main><h1>The grain pier</h1>"
        f'<div class="grid"><div class="body article__body">{paragraphs(3)}</div>{aside}</div>'
        f'{ad}<div class="grid"><div class="{second_class}">'
        "<p>Later that week the fishermen found a berth in the next town, where the quay "
        "is older than the pier and the harbour master lets boats land before dawn.</p>"
        f"{paragraphs(2)}</div></div></main></body></html>"
    )


def test_an_article_body_split_by_advert_rows_is_one_article() -> None:
    article = extract_article(split_page(), "https://news.example.org/pier")
    assert "found a berth in the next town" in article.text
    assert article.text.index("The harbour board") < article.text.index("found a berth")
    assert "Advertisement" not in article.text


def test_containers_of_another_class_are_not_joined() -> None:
    from clipper.core.boilerplate import join_split_bodies

    tree = lxml_html.document_fromstring(split_page(second_class="body article__body wide"))
    join_split_bodies(tree)
    assert len(tree.xpath("//div[contains(@class, 'article__body')]")) == 2


# -- a listing's card titles -----------------------------------------------------------------


def listing_page(cards: int, heading: str = '<a href="/story/{i}"><h2>{title}</h2></a>') -> str:
    def card(i: int) -> str:
        title = f"Harbour story number {i} of the week"
        return (
            f'<article><time datetime="2026-03-0{i}">March {i}, 2026</time>'
            + heading.format(i=i, title=title)
            + f"<p>{STORY[i % 5]} {STORY[(i + 1) % 5]} So ends week {i}.</p>"
            '<div><a href="/tag/a">harbour</a> <a href="/tag/b">piers</a></div></article>'
        )

    posts = "".join(card(i) for i in range(1, cards + 1))
    return (
        "<html><head><title>The Harbour Blog</title></head><body>"
        f"<nav><a href='/'>Home</a></nav><main>{posts}</main></body></html>"
    )


@pytest.mark.parametrize(
    "heading",
    ['<a href="/story/{i}"><h2>{title}</h2></a>', '<h2><a href="/story/{i}">{title}</a></h2>'],
)
def test_a_listings_cards_keep_their_titles_above_their_blurbs(heading: str) -> None:
    # Trafilatura keeps each card's blurb and drops its title (it keeps the first as a
    # plain line); the clip shows every title as a heading over its blurb, with its link.
    article = extract_article(listing_page(6, heading), "https://blog.example.org/")
    text = article.text
    places = [text.find(f"Harbour story number {i} of the week") for i in range(1, 7)]
    blurbs = [text.find(f"So ends week {i}.") for i in range(1, 7)]
    assert -1 not in places and places == sorted(places)
    assert all(title < blurb for title, blurb in zip(places, blurbs, strict=True))
    assert all(text.count(f"number {i} of the week") == 1 for i in range(1, 7))
    titles = fragment(article.html).xpath("//h2")  # the one trafilatura kept, too
    assert len(titles) == 6
    assert titles[-1].xpath("a/@href") == ["https://blog.example.org/story/6"]
    assert all(title.getnext().tag == "p" for title in titles)


def test_titles_are_not_put_back_for_two_cards_or_twice() -> None:
    body = fragment(f"<p>{STORY[0]}</p><p>{STORY[1]}</p>")
    page = lxml_html.document_fromstring(
        f"<html><body><h2>One</h2><p>{STORY[0]}</p><h2>Two</h2><p>{STORY[1]}</p>"
        "<h2>Three</h2><p>Short.</p></body></html>"
    )
    assert restore_card_titles(body, page) == 0
    # An article whose section headings trafilatura kept gets none twice.
    sections = "".join(f"<h2>Part {i} of the pier story</h2>{paragraphs(2)}" for i in range(4))
    html = f"<html><body><article><h1>The grain pier</h1>{sections}</article></body></html>"
    text = extract_article(html, "https://news.example.org/pier").text
    assert [text.count(f"Part {i} of the pier story") for i in range(4)] == [1, 1, 1, 1]


# -- a listing's grid of cards ---------------------------------------------------------------

MICE = [
    "Vertical Mouse",
    "Trackball Mouse",
    "Wireless Mouse",
    "Pen Mouse",
    "Roller Bar",
    "Joystick",
]


def shop_page(grid_class: str = "product-grid", head: str = "") -> str:
    cards = "".join(
        f'<div class="card"><a href="/p/{i}">{name} {i} for the right hand</a>'
        f"<span>${30 + i}.00</span><span>In stock</span></div>"
        for i, name in enumerate(MICE * 3)
    )
    return (
        f"<html><head><title>Ergonomic mice</title>{head}</head><body><main>"
        f"<h1>Ergonomic mice</h1><p>{STORY[0]} {STORY[1]} {STORY[2]}</p>"
        f'<div class="{grid_class}">{cards}</div></main></body></html>'
    )


def test_a_shops_category_page_keeps_its_grid_of_products() -> None:
    # Trafilatura keeps the introduction and drops the eighteen short product cards.
    article = extract_article(shop_page(), "https://shop.example.org/mice")
    assert all(f"{name} {i} for the right hand" in article.text for i, name in enumerate(MICE * 3))
    assert "$41.00" in article.text
    assert article.text.index(STORY[2]) < article.text.index("Vertical Mouse 0")
    items = fragment(article.html).xpath("//ul/li")
    assert len(items) == 18
    assert items[0].xpath("a/@href") == ["https://shop.example.org/p/0"]


def test_an_articles_page_and_a_comment_list_are_not_listings() -> None:
    dated = '<meta property="article:published_time" content="2024-03-03">'
    for page in (shop_page(head=dated), shop_page(grid_class="comment-list")):
        article = extract_article(page, "https://shop.example.org/mice")
        assert "Vertical Mouse 0" not in article.text


def test_cards_the_clip_shows_in_its_own_layout_are_not_added_again() -> None:
    # The clip has each lesson as lines of a list item; the page's cards say the same in
    # one line each, with the button trafilatura dropped ("Start now").
    lessons = [f"Lesson {i} about the parts of a smartphone and what they do" for i in range(6)]
    clip = fragment(
        "<ul>"
        + "".join(
            f"<li><p>{i + 1}</p><p>{name}</p><p>6 min</p></li>" for i, name in enumerate(lessons)
        )
        + "</ul>"
    )
    cards = "".join(
        f'<li class="card"><a href="/l/{i}"><span>{i + 1}</span> {name} <span>6 min</span>'
        "<button>Start now</button></a></li>"
        for i, name in enumerate(lessons)
    )
    filler = "".join(f"<p>{line}</p>" for line in STORY * 3)
    page = lxml_html.document_fromstring(f"<html><body>{filler}<ul>{cards}</ul></body></html>")
    page_text = _page_text_length(page)
    assert append_listing(clip, page, page_text, "https://learn.example.org/") == 0
    # The same cards with other lessons are a listing the clip lacks.
    other = fragment(f"<p>{STORY[0]}</p>")
    assert append_listing(other, page, page_text, "https://learn.example.org/") == 6


def test_loading_placeholders_of_unfilled_boxes_go() -> None:
    # A shop's carousels saved before their script ran: lists of "Loading..." items.
    body = fragment(
        "<h2>Trending now</h2><ul>" + "<li>Loading...</li>" * 10 + "</ul>"
        "<p>Loading…</p><p>Loading content</p>"
        f"<p>{STORY[0]}</p><ul><li>Loading bays on the pier</li><li>Loading...</li></ul>"
    )
    assert drop_placeholders(body) == 13
    assert texts(body) == ["Trending now", STORY[0], "Loading bays on the pier"]
