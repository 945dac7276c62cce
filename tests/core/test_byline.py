"""The byline and the date shown around the headline."""

from __future__ import annotations

from lxml import html as lxml_html

from clipper.core import byline

PROSE = "<p>" + "This is where the article's own prose begins and goes on. " * 6 + "</p>"


def page(body: str) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(f"<html><body>{body}</body></html>")


def headline(body: str, title: str | None = None) -> lxml_html.HtmlElement:
    found = byline.headline_element(page(body), title)
    assert found is not None
    return found


def test_headline_is_the_h1_matching_the_title() -> None:
    tree = page("<h1>Site Logo</h1><h1>Growing tomatoes</h1>")
    found = byline.headline_element(tree, "Growing tomatoes")
    assert found is not None and found.text == "Growing tomatoes"


def test_headline_is_the_first_h1_when_none_matches() -> None:
    assert headline("<h1>First</h1><h1>Second</h1>", "Unrelated").text == "First"


def test_without_an_h1_a_heading_matching_the_title_is_the_headline() -> None:
    tree = page("<h2>Menu</h2><h2>Growing tomatoes</h2>")
    found = byline.headline_element(tree, "Growing tomatoes - Site")
    assert found is not None and found.text == "Growing tomatoes"
    assert byline.headline_element(page("<h2>Menu</h2>"), "Growing tomatoes") is None


def test_without_heading_markup_the_element_showing_the_title_is_the_headline() -> None:
    tree = page('<div><p>Menu</p></div><p class="big">Growing tomatoes</p><p>By Jane</p>')
    found = byline.headline_element(tree, "Growing tomatoes | Garden Site")
    assert found is not None and found.get("class") == "big"
    # A word of the title is not the title.
    assert byline.headline_element(page("<p>Tomatoes</p>"), "Growing tomatoes in pots") is None


def test_by_line_under_the_headline() -> None:
    h1 = headline(f"<h1>Title</h1><div><span>By Jane Doe</span> · 5 min read</div>{PROSE}")
    assert byline.byline_authors(h1) == ["Jane Doe"]


def test_via_before_the_name_of_who_posted_a_link() -> None:
    h1 = headline(f'<h1>T</h1><div class="byline"><span>via</span> <a>scvalex</a></div>{PROSE}')
    assert byline.byline_authors(h1) == ["scvalex"]


def test_by_with_a_colon() -> None:
    assert byline.byline_authors(headline(f"<h1>T</h1><p>By: Jane Doe</p>{PROSE}")) == ["Jane Doe"]


def test_author_class_and_author_link() -> None:
    h1 = headline(f'<h1>T</h1><span class="post-author">Jane Doe</span>{PROSE}')
    assert byline.byline_authors(h1) == ["Jane Doe"]
    h1 = headline(f'<h1>T</h1><a href="/authors/jdoe/">Jane Doe</a>{PROSE}')
    assert byline.byline_authors(h1) == ["Jane Doe"]


def test_byline_above_the_headline() -> None:
    h1 = headline(f'<header><div class="meta">by Jane Doe</div><h1>Title</h1></header>{PROSE}')
    assert byline.byline_authors(h1) == ["Jane Doe"]


def test_names_after_the_prose_starts_are_not_the_byline() -> None:
    h1 = headline(f"<h1>Title</h1>{PROSE}<p>By Someone Else</p>")
    assert byline.byline_authors(h1) == []


def test_junk_is_not_a_name() -> None:
    h1 = headline(f'<h1>T</h1><span class="author">View all posts</span>{PROSE}')
    assert byline.byline_authors(h1) == []


def test_date_under_the_headline() -> None:
    h1 = headline(f"<h1>Title</h1><p>March 3, 2024 · 5 min read</p>{PROSE}")
    assert byline.headline_dates(h1) == ("2024-03-03", None)


def test_date_in_bare_text_after_the_headline() -> None:
    h1 = headline(f"<h1>Blog</h1><fieldset><legend>T</legend> 20 December 2025 {PROSE}</fieldset>")
    assert byline.headline_dates(h1) == ("2025-12-20", None)
    h1 = headline(f"<h1>T</h1><div><b>Last updated:</b> 1 May 2024</div>{PROSE}")
    assert byline.headline_dates(h1) == (None, "2024-05-01")


def test_time_element_datetime_is_read() -> None:
    h1 = headline(f'<h1>Title</h1><time datetime="2024-03-03T10:00:00Z">Sunday</time>{PROSE}')
    assert byline.headline_dates(h1) == ("2024-03-03", None)


def test_a_comment_before_the_date_is_passed_over() -> None:
    date = '<!-- date --><time datetime="2024-03-03">3 March</time>'
    h1 = headline(f"<h1>T</h1><div>{date}</div>{PROSE}")
    assert byline.headline_dates(h1) == ("2024-03-03", None)


def test_updated_date_is_kept_apart() -> None:
    h1 = headline(f"<h1>T</h1><p>Published 3 March 2024</p><p>Updated: May 1, 2024</p>{PROSE}")
    assert byline.headline_dates(h1) == ("2024-03-03", None)
    h1 = headline(f"<h1>T</h1><p>Last updated: May 1, 2024</p>{PROSE}")
    assert byline.headline_dates(h1) == (None, "2024-05-01")


def test_date_above_the_headline() -> None:
    h1 = headline(f'<div class="kicker">OCTOBER 13, 2025</div><h1>Title</h1>{PROSE}')
    assert byline.headline_dates(h1) == ("2025-10-13", None)


def test_dates_in_the_prose_are_not_the_headline_date() -> None:
    h1 = headline(f"<h1>Title</h1>{PROSE}<p>March 3, 2024</p>")
    assert byline.headline_dates(h1) == (None, None)


def test_microdata_author() -> None:
    tree = page('<div itemprop="author"><span itemprop="name">Jane Doe</span></div>')
    assert byline.microdata_authors(tree) == ["Jane Doe"]
    assert byline.microdata_authors(page('<article data-author="Jane Doe"></article>')) == [
        "Jane Doe"
    ]


def test_labelled_author_in_a_facts_panel() -> None:
    tree = page(f"<h1>T</h1>{PROSE}<div><h3>Author</h3><p> Lisa D. Ellis</p></div>")
    assert byline.labelled_authors(tree) == ["Lisa D. Ellis"]


def test_labelled_author_in_the_label_tail_and_after_a_split_by() -> None:
    tail = page(f"{PROSE}<div><strong>Contributors:</strong> Janet Loughrey </div>")
    assert byline.labelled_authors(tail) == ["Janet Loughrey"]
    split = page(f"{PROSE}<div><span>by </span><p><a href='/a/sg'>Shannon Grilli</a></p></div>")
    assert byline.labelled_authors(split) == ["Shannon Grilli"]


def test_labels_that_are_not_bylines() -> None:
    powered = page(f"{PROSE}<small>Powered <span>by</span> <a>Tsun</a></small>")
    column = page("<table><tr><th>Author</th><th>Replies</th></tr></table>")
    comment = page(f"{PROSE}<div class='comments'><span>Posted by</span><b>Sam Low</b></div>")
    form = page(f"{PROSE}<div><h4>Author</h4><input placeholder='Name'></div>")
    for tree in (powered, column, comment, form):
        assert byline.labelled_authors(tree) == []
