"""A page's metadata read from small hand-written pages: JSON-LD, meta tags, bylines, dates."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from lxml import html as lxml_html

from clipper.core import metadata
from clipper.core.pagemeta import PageInfo, read_page

URL = "https://news.example.org/2024/growing-tomatoes"
PROSE = "<p>" + "The article's own prose begins here and goes on for a while. " * 6 + "</p>"


def read(head: str = "", body: str = "", url: str | None = URL) -> PageInfo:
    html = f"<html><head>{head}</head><body>{body}{PROSE}</body></html>"
    return read_page(lxml_html.document_fromstring(html), url)


def ld(data: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def meta(name: str, content: str, attribute: str = "name") -> str:
    return f'<meta {attribute}="{name}" content="{content}">'


# --- authors ---------------------------------------------------------------------------


def test_json_ld_graph_with_an_author_reference() -> None:
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "@id": "#site", "name": "Example News"},
        {"@type": "Person", "@id": "#jane", "name": "Jane Doe"},
        {"@type": "NewsArticle", "headline": "Growing tomatoes", "author": {"@id": "#jane"},
         "datePublished": "2024-03-03T08:00:00+00:00"},
    ]}  # fmt: skip
    page = read(ld(graph))
    assert (page.author, page.date) == ("Jane Doe", "2024-03-03")


def test_json_ld_array_of_objects_and_several_authors() -> None:
    data = [
        {"@type": "BreadcrumbList", "itemListElement": []},
        {"@type": "BlogPosting", "author": [{"@type": "Person", "name": "Jane Doe"},
                                            {"@type": "Person", "name": "John Roe"}]},
    ]  # fmt: skip
    assert read(ld(data)).author == "Jane Doe; John Roe"


def test_person_beats_organisation_in_json_ld() -> None:
    data = {"@type": "Article", "author": [{"@type": "Organization", "name": "Example Media"}]}
    head = ld(data) + meta("author", "Jane Doe")
    assert read(head).author == "Jane Doe"
    assert read(ld(data)).author == "Example Media"  # nothing better: the organisation


def test_meta_author_tags() -> None:
    assert read(meta("author", "Jane Doe and John Roe")).author == "Jane Doe; John Roe"
    assert read(meta("article:author", "Jane Doe", "property")).author == "Jane Doe"
    assert read(meta("author", "https://example.org/jane")).author is None


def test_twitter_written_by() -> None:
    head = meta("twitter:label1", "Written by") + meta("twitter:data1", "Jane Doe")
    assert read(head).author == "Jane Doe"


def test_byline_under_the_headline() -> None:
    page = read(body="<h1>Growing tomatoes</h1><p>By Jane Doe</p>")
    assert page.author == "Jane Doe"


def test_site_name_is_an_author_only_as_a_last_resort() -> None:
    head = meta("og:site_name", "Example News", "property") + meta("author", "Example News")
    assert read(head, "<h1>Growing tomatoes</h1><p>By Jane Doe</p>").author == "Jane Doe"


# --- dates -----------------------------------------------------------------------------


def test_published_meta_beats_modified_and_json_ld() -> None:
    head = (
        meta("article:modified_time", "2024-05-01T00:00:00Z", "property")
        + meta("article:published_time", "2024-03-03T00:00:00Z", "property")
        + ld({"@type": "Article", "datePublished": "2024-03-02", "dateModified": "2024-05-01"})
    )
    assert read(head).date == "2024-03-03"


def test_json_ld_published_beats_modified() -> None:
    data = {"@type": "Article", "dateModified": "2024-05-01", "datePublished": "2024-03-03"}
    assert read(ld(data)).date == "2024-03-03"


def test_time_element_marked_as_published() -> None:
    body = '<h1>Title</h1><time class="entry-date published" datetime="2024-03-03">3/3</time>'
    assert read(body=body).date == "2024-03-03"
    assert read(body='<span itemprop="datePublished" content="2024-03-03"></span>').date == (
        "2024-03-03"
    )


def test_date_shown_under_the_headline() -> None:
    assert read(body="<h1>Title</h1><p>Published March 3, 2024</p>").date == "2024-03-03"


def test_shown_date_beats_json_ld_but_not_the_published_meta_tag() -> None:
    data = ld({"@type": "Article", "datePublished": "2022-05-26"})
    body = "<h1>Title</h1><p>March 3, 2024</p>"
    assert read(data, body).date == "2024-03-03"
    tagged = data + meta("article:published_time", "2022-05-26", "property")
    assert read(tagged, body).date == "2022-05-26"


def test_shown_update_date_when_the_page_shows_no_other() -> None:
    data = ld({"@type": "Article", "datePublished": "2024-11-22"})
    body = "<h1>Title</h1><p>Last updated: October 8, 2025</p>"
    assert read(data, body).date == "2025-10-08"


def test_future_and_pre_1990_dates_are_rejected() -> None:
    head = meta("article:published_time", "2999-01-01", "property")
    assert read(head, url=None).date is None
    data = {"@type": "Article", "datePublished": "1970-01-01T00:00:00Z"}
    assert read(ld(data), url=None).date is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-03T10:00:00+02:00", "2024-03-03"),
        ("20240303", "2024-03-03"),
        ("1989-12-31", None),
        ("1990-01-01", "1990-01-01"),
        ("2024-02-30", None),
        ("2024-03-05", "2024-03-05"),  # tomorrow: time zones
        ("2024-03-06", None),
        ("not a date", None),
    ],
)
def test_valid_date(value: str, expected: str | None) -> None:
    assert metadata.valid_date(value, today=date(2024, 3, 4)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("March 3rd, 2024", "2024-03-03"),
        ("3 Mar 2024 · 5 min read", "2024-03-03"),
        ("Posted on 2024/03/03", "2024-03-03"),
        ("03/03/2024", "2024-03-03"),
        ("the 3rd of March, 2024", "2024-03-03"),
        ("04/03/2024", "2024-04-03"),  # month first when either way is a date
        ("28/11/2025", "2025-11-28"),  # day first when the first number is no month
        ("11-29-2024, 09:03 AM", "2024-11-29"),
        ("29-11-2024", "2024-11-29"),
        ("02-12-2025", None),  # December 2 in Europe, February 12 in the US: no telling
        ("Updated 2025-12-02", "2025-12-02"),
        ("no date here", None),
    ],
)
def test_text_date(text: str, expected: str | None) -> None:
    assert metadata.text_date(text) == expected


# --- titles and site -------------------------------------------------------------------


def test_title_from_og_title_without_the_site_name() -> None:
    head = (
        "<title>Growing tomatoes | Example News</title>"
        + meta("og:title", "Growing tomatoes | Example News", "property")
        + meta("og:site_name", "Example News", "property")
    )
    page = read(head)
    assert (page.title, page.site) == ("Growing tomatoes", "Example News")


def test_title_falls_back_to_the_host() -> None:
    assert read().title == "news.example.org"


def test_split_authors() -> None:
    assert metadata.split_authors("Jane Doe, John Roe & Ann Poe") == [
        "Jane Doe", "John Roe", "Ann Poe"
    ]  # fmt: skip
    assert metadata.split_authors("Doe, Jane") == ["Doe, Jane"]
    assert metadata.split_authors("By Jane Doe") == ["Jane Doe"]


@pytest.mark.parametrize(
    "junk", ["wp-block-co-authors-plus-coauthors is-layout-flow", "262588213843476", "Name"]
)
def test_class_lists_account_numbers_and_labels_are_not_names(junk: str) -> None:
    assert metadata.plausible_name(junk) is None


# --- the headline ------------------------------------------------------------------------


def test_a_block_inside_the_h1_is_set_apart_from_the_next_words() -> None:
    body = (
        '<h1><div><a href="/bershka/"><span>Bershka</span></a></div>'
        "<span>Faux leather jacket</span></h1>"
    )
    assert read(body=body).h1 == "Bershka Faux leather jacket"


def test_inline_parts_of_the_h1_are_not_split() -> None:
    assert read(body="<h1><b>Gr</b>owing <em>tomatoes</em></h1>").h1 == "Growing tomatoes"


def test_comments_in_the_h1_are_not_part_of_it() -> None:
    body = "<h1><!--F#f_1--><span>Silver Proof Set</span><!--<span>87</span>--></h1>"
    page = read("<title>Silver Proof Set | Shop</title>", body)
    assert page.h1 == "Silver Proof Set" and page.title == "Silver Proof Set"


def test_an_inner_page_with_the_front_pages_title_takes_its_h1() -> None:
    head = "<title>Reddit - The heart of the internet</title>" + meta("og:site_name", "Reddit")
    body = "<h1>Enameled cast iron pan and metal</h1>"
    page = read(head, body, url="https://www.reddit.com/r/castiron/comments/1rl0/enameled/")
    assert page.title == "Enameled cast iron pan and metal"
    assert read(head, body, url="https://www.reddit.com/").title == "The heart of the internet"


def test_a_headline_set_in_a_paragraph_gives_the_byline_but_not_the_title() -> None:
    head = "<title>Counting sheep on Example</title>"
    body = '<p class="display">Counting sheep</p><p>By Jane Doe</p><p>Dec 17, 2025</p>'
    page = read(head, body)
    assert (page.author, page.date) == ("Jane Doe", "2025-12-17")
    assert page.h1 is None and page.title == "Counting sheep on Example"


def test_a_shown_date_either_way_round_is_read_as_the_markup_has_it() -> None:
    body = "<h1>Title</h1><p>By Block Renovation 09.10.2024</p>"
    assert read(body=body).date == "2024-10-09"  # day first, as most of the world writes
    marked = ld({"@type": "Article", "datePublished": "2024-09-10T16:07:00Z"})
    assert read(marked, body).date == "2024-09-10"
    assert read(marked, "<h1>Title</h1><p>By Block 23.10.2024</p>").date == "2024-10-23"


def test_a_date_the_page_labels_as_its_own_is_the_last_resort() -> None:
    body = (
        "<p>The park's webcams show the valley, the falls and the high country in turn.</p>"
        "<p style='text-align:right'>Last updated: November 13, 2025</p>"
    )
    page = read_page(
        lxml_html.fromstring(
            f"<html><head><title>Webcams</title></head><body>{body}</body></html>"
        ),
        "https://parks.example/valley/webcams.htm",
    )
    assert page.date == "2025-11-13"
    # A sentence that only mentions an update is no date line.
    prose = (
        "<p>The webcams were updated on the morning of November 13, 2025 after the storm had"
        " passed over the valley and the crews could reach the towers again.</p>"
    )
    page = read_page(
        lxml_html.fromstring(
            f"<html><head><title>Webcams</title></head><body>{prose}</body></html>"
        ),
        "https://parks.example/valley/webcams.htm",
    )
    assert page.date is None
