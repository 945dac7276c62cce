"""HTML -> Article on pages written for the tests (tests/fixtures/pages)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from clipper.core.article import KIND_ARTICLE, KIND_LINK, KIND_TEXT, Article
from clipper.core.cleanhtml import SPACE_MARK, keep_spaces, lift_line_breaks, put_back_spaces
from clipper.core.errors import NoArticle
from clipper.core.extract import (
    article_from_document,
    clean_title,
    extract_article,
    link_article,
    prose_words,
    text_article,
)
from clipper.core.htmlparse import parse_page
from clipper.core.sources import document_from_paste, load_file

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
EXPECTED: dict[str, dict[str, Any]] = json.loads((PAGES / "expected.json").read_text("utf-8"))

_CACHE: dict[str, Article] = {}


def article(name: str) -> Article:
    """The fixture's Article, extracted once per test run."""
    if name not in _CACHE:
        _CACHE[name] = article_from_document(load_file(PAGES / name))
    return _CACHE[name]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def page(html: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(html, create_parent="div")


def prose(sentence: str, times: int = 6) -> str:
    return " ".join([sentence] * times)


def article_page(title: str, sentence: str, rest: str) -> str:
    """A page whose <article> is a headline, three paragraphs of ``sentence``, then ``rest``."""
    paragraphs = "".join(f"<p>{prose(sentence, 3)}</p>" for _ in range(3))
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"{paragraphs}{rest}</article></body></html>"
    )


# --- the fixture pages ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metadata(name: str) -> None:
    expected, got = EXPECTED[name], article(name)
    for field in ("title", "date", "author", "site", "language", "url"):
        assert getattr(got, field) == expected[field], field
    assert got.kind == KIND_ARTICLE


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_body_starts_and_ends_with_the_article(name: str) -> None:
    expected, text = EXPECTED[name], squash(article(name).text)
    assert text.startswith(squash(expected["first_paragraph"]))
    assert text.endswith(squash(expected["last_paragraph"]))
    assert article(name).word_count >= 50


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_boilerplate_is_gone(name: str) -> None:
    got = article(name)
    for form in (got.text, got.html, got.markdown):
        found = [s for s in EXPECTED[name]["absent"] if s in form]
        assert not found


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_html_is_clean(name: str) -> None:
    html = article(name).html
    assert not re.search(r"<(script|style|iframe|form|input|button|nav|svg)\b", html)
    assert not re.search(r"\s(on\w+|style|class|id)=", html.replace('class="language-', ""))
    assert "javascript:" not in html.lower()
    for element in page(html).iter():
        for attribute in ("href", "src"):
            value = element.get(attribute)
            assert value is None or value.startswith(("https://", "http://", "mailto:"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_title_is_not_repeated_as_first_heading(name: str) -> None:
    got = article(name)
    first = page(got.html)[0]
    assert not (first.tag.startswith("h") and squash(first.text_content()) == got.title)


def test_news_keeps_the_lead_image_and_structure() -> None:
    got = article("news.html")
    assert got.image == "https://static.dailyexample.co.uk/img/2024/03/barrier-model-1200.jpg"
    assert got.canonical_url == EXPECTED["news.html"]["url"]
    tree = page(got.html)
    assert [h.text_content() for h in tree.iter("h2")] == [
        "How the barrier will work",
        "Who pays",
        "What happens next",
    ]
    assert tree.find(".//strong").text == "£212m"
    assert got.description and got.description.startswith("Councillors voted 31 to 9")


def test_blog_code_blocks_keep_language_and_bytes() -> None:
    got = article("blog-code.html")
    source = lxml_html.fromstring((PAGES / "blog-code.html").read_bytes())
    want = {c.get("class"): c.text_content() for c in source.iter("code") if c.get("class")}
    blocks = {
        c.get("class"): c.text_content() for c in page(got.html).iter("code") if c.get("class")
    }
    assert blocks == want
    assert set(blocks) == {"language-python", "language-bash"}
    # ... and through Markdown and back
    rendered = page(MarkdownIt("commonmark").render(got.markdown))
    assert {
        c.get("class"): c.text_content() for c in rendered.iter("code") if c.get("class")
    } == want
    assert "```python\nimport random\n" in got.markdown
    assert 'echo "giving up on $1" >&2\nexit 1\n```' in got.markdown


def test_blog_table_lists_and_quote_survive() -> None:
    got = article("blog-code.html")
    tree = page(got.html)
    rows = [[squash(c.text_content()) for c in tr] for tr in tree.iter("tr")]
    assert rows[0] == ["Strategy", "Requests in first second", "Median wait (s)"]
    assert rows[3] == ["Exponential, full jitter", "118", "11.6"]
    assert [c.tag for c in tree.find(".//tr")] == ["th", "th", "th"]
    assert "| Exponential, full jitter | 118 | 11.6 |" in got.markdown
    nested = tree.xpath("//ul/li/ul/li")
    assert [squash(li.text_content()) for li in nested][:2] == [
        "the connection was refused or reset",
        "the read timed out before any byte arrived",
    ]
    assert tree.xpath("//ol/li/ol/li")[1].text_content() == "an overall deadline"
    assert "  - the connection was refused or reset" in got.markdown
    assert "   2. an overall deadline" in got.markdown
    assert squash(tree.find(".//blockquote").text_content()) == (
        "The best retry policy is the one your server operators never notice."
    )
    assert "- Retry on connection errors and timeouts:\n  - the connection" in got.text


def test_a_table_that_lays_out_the_page_is_not_kept_as_a_table() -> None:
    # Older sites set the whole article in one cell: as a table its sections would run
    # together on one line of text and one row of Markdown.
    line = "The lantern keepers of the northern coast worked long nights all year."
    html = (
        "<html><head><title>Lantern keepers</title></head><body><table><tr>"
        '<td><a href="/">Home</a></td><td><h2>Lantern keepers</h2>'
        f"<p>{prose(line, 2)}</p><h3>The first winter</h3><p>{prose(line, 3)}</p>"
        f"<h3>The long watch</h3><p>{prose(line, 4)}</p></td></tr></table></body></html>"
    )
    got = extract_article(html, "https://example.com/lanterns")
    assert page(got.html).find(".//table") is None
    assert [h.text for h in page(got.html).iter("h3")] == ["The first winter", "The long watch"]
    assert "\n\nThe long watch\n\n" in got.text
    assert "### The first winter" in got.markdown


def test_a_data_table_inside_a_layout_table_is_kept_once() -> None:
    line = "The lantern keepers of the northern coast worked long nights all year."
    data = "".join(f"<tr><td>Keeper {n}</td><td>{1900 + n}</td></tr>" for n in range(1, 4))
    html = (
        "<html><head><title>Lantern keepers</title></head><body><table><tr><td>"
        f"<h2>Lantern keepers</h2><p>{prose(line, 2)}</p><h3>The roll</h3>"
        f"<table><tr><th>Keeper</th><th>Year</th></tr>{data}</table>"
        f"<p>{prose(line, 4)}</p></td></tr></table></body></html>"
    )
    got = extract_article(html, "https://example.com/lanterns")
    assert len(page(got.html).findall(".//table")) == 1
    assert got.text.count("Keeper 2") == 1 and "| Keeper 2 | 1902 |" in got.markdown


def test_docs_code_language_comes_from_the_highlight_wrapper() -> None:
    got = article("docs.html")
    languages = [c.get("class") for c in page(got.html).iter("code") if c.get("class")]
    assert languages == ["language-toml", "language-python", "language-console"]
    assert '```toml\n[cache]\nbackend = "redis"\n' in got.markdown
    assert '@cached(prefix="profile", timeout=600)\ndef load_profile(user_id):\n' in got.text
    headings = [h.text_content() for h in page(got.html).iter("h2")]
    assert headings == [
        "Choosing a backend",
        "Expiry and invalidation",
        "Clearing the cache on deploy",
    ]


@pytest.mark.parametrize(
    ("wrapper", "pre", "language"),
    [
        ('<div class="highlight notranslate">', "<pre>", None),
        ('<div class="highlight-source-rust">', "<pre>", "rust"),
        ("<div>", '<pre class="brush: php">', "php"),
        ("<div>", '<pre><code class="lang-Go hljs">', "go"),
        ('<div class="highlight-default">', "<pre>", None),
    ],
)
def test_code_language_hints(wrapper: str, pre: str, language: str | None) -> None:
    body = prose("Code blocks carry their language in many different class conventions.")
    closing = "</code></pre>" if "<code" in pre else "</pre>"
    html = (
        f"<html><body><article><p>{body}</p>{wrapper}{pre}x = 1\ny = 2\n{closing}</div>"
        f"<p>{body}</p></article></body></html>"
    )
    code = page(extract_article(html).html).find(".//pre/code")
    assert code is not None and code.text == "x = 1\ny = 2\n"
    assert code.get("class") == (f"language-{language}" if language else None)


def test_mhtml_links_resolve_against_the_saved_address() -> None:
    links = [a.get("href") for a in page(article("saved.mhtml").html).iter("a")]
    assert links == ["https://www.kitchen-notes.example.com/recipes/cold-brew"]
    images = [i.get("src") for i in page(article("saved.mhtml").html).iter("img")]
    assert images == ["https://www.kitchen-notes.example.com/media/pour-over-cone.png"]


def test_login_page_has_no_article() -> None:
    html = (PAGES / "login.html").read_text("utf-8")
    with pytest.raises(NoArticle) as caught:
        extract_article(html, "https://members.example.net/login")
    assert str(caught.value) == "No article found at https://members.example.net/login."
    with pytest.raises(NoArticle, match=r"^No article found at this page\.$"):
        article_from_document(load_file(PAGES / "login.html"))


@pytest.mark.parametrize("html", ["", "   ", "<html><body></body></html>", "<p>Hello there.</p>"])
def test_empty_or_tiny_pages_have_no_article(html: str) -> None:
    with pytest.raises(NoArticle):
        extract_article(html)


# --- behaviour on small pages -----------------------------------------------------------


def test_relative_links_resolve_against_the_page_not_the_site_root() -> None:
    body = prose("Relative links in an article must keep pointing where the author meant.")
    html = (
        f"<html><head><title>Links</title></head><body><article><h1>Links</h1><p>{body}</p>"
        '<p>Read <a href="setup.html">the setup guide</a>, <a href="../faq/">the FAQ</a>, '
        '<a href="javascript:void(0)">a script</a> and <a href="#top">the top</a>. '
        f'{body}</p><p><img src="img/diagram.png" alt="Diagram"> {body}</p>'
        f'<p><img src="data:image/gif;base64,R0lGOD" alt="pixel"> {body}</p>'
        "</article></body></html>"
    )
    got = extract_article(html, "https://docs.example.org/v2/guide/index.html")
    tree = page(got.html)
    assert [(a.get("href"), a.text) for a in tree.iter("a")] == [
        ("https://docs.example.org/v2/guide/setup.html", "the setup guide"),
        ("https://docs.example.org/v2/faq/", "the FAQ"),
        ("https://docs.example.org/v2/guide/index.html#top", "the top"),
    ]
    assert "a script" in got.text and "javascript" not in got.html
    assert [i.get("src") for i in tree.iter("img")] == [
        "https://docs.example.org/v2/guide/img/diagram.png"
    ]


def test_base_href_and_canonical_without_url() -> None:
    body = prose("A pasted page still knows where it came from through its own metadata.")
    html = (
        '<html lang="pt-BR"><head><base href="https://cdn.example.com/static/">'
        '<link rel="canonical" href="https://news.example.com/a/1"><title>T</title></head>'
        f'<body><article><p>{body}</p><p><a href="more.html">More</a> {body}</p>'
        "</article></body></html>"
    )
    got = extract_article(html)
    assert got.url == got.canonical_url == "https://news.example.com/a/1"
    assert got.language == "pt"
    assert got.site == "news.example.com"
    assert page(got.html).find(".//a").get("href") == "https://cdn.example.com/static/more.html"


def test_pasted_fragment_is_extracted() -> None:
    text = prose("Clipboard HTML is usually a fragment without a head or a body element.", 5)
    doc = document_from_paste(f"<p>{text}</p><p>{text}</p>", url="https://blog.example.net/post")
    got = article_from_document(doc)
    assert got.url == "https://blog.example.net/post"
    assert got.text.startswith("Clipboard HTML is usually a fragment")
    assert got.site == "blog.example.net"


@pytest.mark.parametrize(
    "head",
    [
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>',  # a str that names its encoding
        "<!DOCTYPE html>\x0b\x0c",  # control characters libxml2 refuses
        "",
    ],
)
def test_pages_parse_whatever_their_first_line(head: str) -> None:
    first = prose("A page read from disk keeps the declaration its editor wrote at the top.")
    second = prose("Its second paragraph is read like the first one, whatever came before.")
    html = (
        f"{head}<html><head><title>Declared</title></head><body><article><h1>Declared</h1>"
        f"<p>{first}</p><p>{second}</p></article></body></html>"
    )
    got = extract_article(html)
    assert got.title == "Declared"
    assert got.text == f"{first}\n\n{second}"


def test_a_page_with_forms_is_read_with_plain_elements() -> None:
    """Form fields are ordinary elements here: lxml's per-element class callback (form,
    input and label get classes of their own) cost a seventh of the extraction time."""
    first = prose("A newsletter form in the middle of a post must not change what is read.")
    second = prose("The paragraph after the form is part of the same post as the one before.")
    html = (
        f"<html><body><article><h1>Forms</h1><p>{first}</p>"
        '<form action="/s"><label for="e">Email</label><input id="e" name="e">'
        '<select name="c"><option>Daily</option></select><textarea>Hi</textarea></form>'
        f"<p>{second}</p></article></body></html>"
    )
    tree = parse_page(html)
    assert tree is not None
    assert {type(e) for e in tree.iter("form", "input", "label", "select", "textarea")} == {
        lxml_html.HtmlElement
    }
    got = extract_article(html)
    assert got.text == f"{first}\n\n{second}"


def test_canonical_must_be_http() -> None:
    body = prose("An odd canonical link must not leak into the clip as its address.")
    html = (
        '<html><head><link rel="canonical" href="javascript:alert(1)">'
        f"</head><body><article><p>{body}</p><p>{body}</p></article></body></html>"
    )
    got = extract_article(html)
    assert got.canonical_url is None and got.url is None


def test_prose_words_counts_sentences_not_labels() -> None:
    assert prose_words("Email address\nPassword\nForgot your password?\nSign in") == 0
    assert prose_words("This is a sentence of quite a few words.") == 9
    assert prose_words("山あいを走る小さなローカル線") == 14


# --- titles -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "site", "h1", "og_title", "expected"),
    [
        ("Headline - The Daily Example", "The Daily Example", None, None, "Headline"),
        ("Headline | Daily Example", "The Daily Example", None, None, "Headline"),
        ("Headline — Site", "Site", None, None, "Headline"),
        ("Headline \u2013 Site", "Site", None, None, "Headline"),
        ("Headline » Wayfarer Weekly", "Wayfarer Weekly", None, None, "Headline"),
        ("Headline :: Site", "Site", None, None, "Headline"),
        # a name before a colon is part of the title ("Figma: The ... Design Tool") ...
        ("Site: Headline", "Site", None, None, "Site: Headline"),
        # ... unless the h1 shows the short form
        ("Site: Headline", "Site", "Headline", None, "Headline"),
        ("Site | Headline", "Site", None, None, "Headline"),
        ("Headline | wayfarerweekly.com", "wayfarerweekly.com", None, None, "Headline"),
        ("Headline - WayfarerWeekly", "wayfarerweekly.example.com", None, None, "Headline"),
        ("A: B - C", "Site", None, None, "A: B - C"),  # nothing matches: kept whole
        ("Python: A Guide", None, None, None, "Python: A Guide"),
        ("Pour-over coffee - Kitchen Notes", "Kitchen Notes", None, None, "Pour-over coffee"),
        ("Configuring the cache — Larkspur 2.4 documentation", None, "Configuring the cache", None,
         "Configuring the cache"),
        ("News | Headline: With Colon | Paper", None, None, "Headline: With Colon",
         "Headline: With Colon"),
        ("Headline - Section - Site", "Unrelated", "Headline", None, "Headline"),
        ("Exact og", "Site", None, "Exact og", "Exact og"),
        ("  Spaced \n  out  -  Site ", "Site", None, None, "Spaced out"),
        ("Heading¶", None, None, None, "Heading"),
        ("Learn C# - Site", "Site", None, None, "Learn C#"),
        ("Site", "Site", None, None, "Site"),
        ("", "Site", None, None, ""),
        ("Year in review - 2023 - Site", "Site", None, None, "Year in review - 2023"),
        # og:title often repeats the full title, site name included
        ("What is Cloud Computing? | Google Cloud", "Google Cloud", None,
         "What is Cloud Computing? | Google Cloud", "What is Cloud Computing?"),
        # an h1 holding the site's logo text is not the headline
        ("Reviews of our classes — Yoga With Olivia", "Yoga With Olivia", "Yoga With Olivia", None,
         "Reviews of our classes"),
        # a site name with a separator of its own
        ("Guide: Everything - Urge Fitness | Gyms Near Me", "Urge Fitness | Gyms Near Me", None,
         None, "Guide: Everything"),
        # an h1 that shows the whole title means the separator belongs to the headline
        ("Headline - Site", "Site", "Headline - Site", None, "Headline - Site"),
    ],
)  # fmt: skip
def test_clean_title(
    title: str, site: str | None, h1: str | None, og_title: str | None, expected: str
) -> None:
    assert clean_title(title, site=site, h1=h1, og_title=og_title) == expected


def test_title_falls_back_to_the_title_tag() -> None:
    body = prose("A page without headings still has a title in its head element.")
    html = (
        "<html><head><title>Plain page | Example Site</title>"
        '<meta property="og:site_name" content="Example Site"></head>'
        f"<body><div><p>{body}</p><p>{body}</p></div></body></html>"
    )
    assert extract_article(html, "https://www.example.com/p").title == "Plain page"


# --- text and Markdown notes, links ------------------------------------------------------


def test_text_note_fixture() -> None:
    got = article("note.txt")
    source = (PAGES / "note.txt").read_text("utf-8")
    assert (got.kind, got.title, got.text) == (KIND_TEXT, "Ideas for the garden shed", source)
    assert got.html.startswith("<p>Ideas for the garden shed</p>\n<p>Replace the roof felt")
    assert "leaks<br>\nwhen the wind" in got.html
    assert got.html.count("<p>") == 4


def test_markdown_note_fixture() -> None:
    got = article("note.md")
    assert (got.kind, got.title) == (KIND_TEXT, "Reading list for the winter")
    assert got.text == (PAGES / "note.md").read_text("utf-8")
    tree = page(got.html)
    assert [h.text_content() for h in tree.iter("h2")] == ["Fiction", "Non-fiction"]
    assert [c.text_content() for c in tree.iter("td")][:3] == [
        "The Shape of Rivers",
        "geography",
        "312",
    ]
    assert tree.find(".//code[@class='language-python']") is not None
    assert tree.xpath("//ol/li/ul/li")[0].text_content() == "read one story per trip"
    assert "<script>" not in got.html and "&lt;script&gt;" in got.html
    assert "# Reading list for the winter\n" in got.markdown


def test_text_article_titles() -> None:
    long_line = "word " * 40
    assert text_article(long_line).title.endswith("…")
    assert len(text_article(long_line).title) <= 101
    assert text_article("\n\n  First line  \nsecond").title == "First line"
    assert text_article("---\n", markdown=True, title="shed-notes").title == "shed-notes"
    assert text_article("Some *emphasis* here", markdown=True).title == "Some emphasis here"
    with pytest.raises(NoArticle):
        text_article(" \n ")


def test_link_article_with_page_metadata() -> None:
    html = (PAGES / "news.html").read_text("utf-8")
    got = link_article("https://www.dailyexample.co.uk/x", html)
    assert got.kind == KIND_LINK
    assert (got.html, got.text) == ("", "")
    assert got.title == EXPECTED["news.html"]["title"]
    assert got.site == "The Daily Example"
    assert got.description and got.description.startswith("Councillors voted")
    assert got.image == "https://static.dailyexample.co.uk/img/2024/03/barrier-model-1200.jpg"
    assert got.date == "2024-03-14"
    assert got.reading_time == 0


def test_link_article_without_page() -> None:
    got = link_article("https://www.example.org/some/page")
    assert (got.kind, got.title, got.site, got.html) == (
        KIND_LINK,
        "https://www.example.org/some/page",
        "example.org",
        "",
    )


# --- captions -----------------------------------------------------------------------------


def _captions_detached(body: str) -> lxml_html.HtmlElement:
    from clipper.core.cleanhtml import detach_captions

    tree = lxml_html.document_fromstring(f"<html><body>{body}</body></html>")
    detach_captions(tree)
    return tree


def test_a_caption_becomes_its_pictures_alt_text() -> None:
    tree = _captions_detached(
        '<div class="photo"><img src="a.jpg"><p class="wp-caption-text">The harbour at dawn.</p>'
        "</div>"
    )
    assert tree.find(".//img").get("alt") == "The harbour at dawn."
    assert "harbour" not in tree.find("body").text_content()


def test_a_product_cards_caption_box_is_not_a_picture_caption() -> None:
    card = (
        '<li><a href="/p/1"><img src="bag.jpg"></a><div class="product-caption">'
        '<h3><a href="/p/1">Gear Bag, Large</a></h3><span class="price">$21.00</span>'
        "<button>Quick view</button></div></li>"
    )
    tree = _captions_detached(card)
    assert tree.find(".//img").get("alt") is None
    assert "Gear Bag, Large" in tree.find("body").text_content()


def test_pictures_between_words_do_not_glue_the_words() -> None:
    from clipper.core.cleanhtml import body_to_html
    from clipper.core.markdown import html_to_text
    from clipper.core.pictures import Picture

    body = etree.fromstring("<doc><p>Order one now\nZqPic0qZ ZqPic1qZ VIBRAM sole</p></doc>")
    pictures = [
        Picture("https://shop.example/a.jpg", ""),
        Picture("https://shop.example/b.jpg", ""),
    ]
    root = body_to_html(body, "https://shop.example/", pictures)
    assert len(root.findall(".//img")) == 2
    assert html_to_text(root) == "Order one now VIBRAM sole"


def test_a_sentence_said_twice_goes_but_a_repeated_list_line_stays() -> None:
    from clipper.core.cleanhtml import body_to_html
    from clipper.core.markdown import html_to_text

    teaser = "Sign up for our weekly letter and never miss a story from the newsroom again."
    portion = "Portion containers: 1 Green, 1 Red, 1 Yellow, 1 tsp."
    body = etree.fromstring(
        f"<doc><p>Breakfast</p><p>{portion}</p><p>{teaser}</p><p>Lunch</p><p>{portion}</p>"
        f"<p>{teaser}</p></doc>"
    )
    text = html_to_text(body_to_html(body, None))
    assert text.count(portion) == 2
    assert text.count(teaser) == 1


def test_a_gallery_shares_one_marker_and_keeps_every_picture_in_order() -> None:
    from clipper.core.cleanhtml import body_to_html
    from clipper.core.pictures import mark_pictures

    slides = "".join(f'<div class="slide"><img src="/g/{n}.jpg"></div>' for n in range(6))
    tree = lxml_html.document_fromstring(
        f'<html><body><div class="gallery">{slides}</div><p>Six photos of the pier.</p></body>'
        "</html>"
    )
    pictures = mark_pictures(tree)
    words = tree.find(".//p").text.split()
    assert words[0].startswith("ZqPic") and words[1:] == ["Six", "photos", "of", "the", "pier."]
    body = etree.fromstring(f"<doc><p>{tree.find('.//p').text}</p></doc>")
    root = body_to_html(body, "https://news.example.org/", pictures)
    sources = [image.get("src") for image in root.iter("img")]
    assert sources == [f"https://news.example.org/g/{n}.jpg" for n in range(6)]


# --- forum threads -------------------------------------------------------------------------

REPLIES = [
    "I had the same trouble with the dubbed audio track and switched to desktop mode.",
    "Clearing the site data fixed it for me, though it came back after the next update.",
    "A filter list entry hides the dubbed videos until the browser offers a real switch.",
]


def _post(number: int, author: str, text: str, reply: bool) -> str:
    scope = "itemprop='comment' itemscope itemtype='http://schema.org/Comment' " if reply else ""
    return (
        f"<div id='post_{number}' {scope}class='topic-body crawler-post'>"
        f"<div class='crawler-post-meta'><span itemprop='author'>{author}</span>"
        f"<time datetime='2025-05-0{number}'>May {number}, 2025</time></div>"
        f"<div class='post' itemprop='text'><p>{text}</p>"
        + (
            "<aside class='onebox'><h3><a href='https://example.org/'>Example Domain - Home"
            "</a></h3><p>This domain is for use in illustrative examples in documents.</p></aside>"
            if number == 2
            else ""
        )
        + "</div></div>"
    )


def thread_page(*, noscript: bool) -> str:
    question = (
        "Whenever I watch videos in the mobile browser the audio plays in a dubbed version, "
        "and the audio track menu is missing. Is there a setting that brings it back? "
    ) * 2
    posts = _post(1, "alice", question, False) + "".join(
        _post(number, f"user{number}", text, True) for number, text in enumerate(REPLIES, 2)
    )
    thread = (
        "<div id='main-outlet'><div itemscope itemtype='http://schema.org/DiscussionForumPosting'>"
        f"<h1>Dubbed audio on mobile</h1>{posts}</div></div>"
    )
    if noscript:  # a script app: only a loading line shows; the thread is for crawlers
        thread = f"<div id='app'>Loading…</div><noscript>{thread}</noscript>"
    return (
        "<html><head><title>Dubbed audio on mobile - Community</title></head>"
        f"<body>{thread}</body></html>"
    )


@pytest.mark.parametrize("noscript", [False, True])
def test_a_thread_keeps_its_replies_without_link_previews(noscript: bool) -> None:
    article = extract_article(thread_page(noscript=noscript), "https://forum.example/t/1")
    assert "audio track menu is missing" in article.text
    for number, reply in enumerate(REPLIES, 2):  # each reply under who wrote it and when
        assert f"user{number} · May {number}, 2025\n\n{reply}" in article.text
    assert "illustrative examples" not in article.text


def test_a_noscript_thread_of_side_by_side_posts_keeps_them_all() -> None:
    # Flarum's view without JavaScript: one <article> per post, no microdata; trafilatura
    # alone takes the first <article> for the whole body.
    opening = "".join(
        f"<p>Point {n}: I wonder whether a forum has to look like a bulletin board at all, "
        "or whether a thread could be a blog post, a chat or a question with answers.</p>"
        for n in range(1, 13)
    )
    posts = "".join(
        f"<article><div class='PostUser'><h3 class='PostUser-name'>{name}</h3></div>"
        f"<div class='Post-body'>{text}</div></article>"
        for name, text in [
            ("antonjw", opening),
            *zip(("toby", "franz", "ibrahim"), (f"<p>{r}</p>" for r in REPLIES), strict=True),
        ]
    )
    html = (
        "<html><head><title>Types of threads - Discuss</title></head><body>"
        "<div id='app'>Loading…</div><noscript><div class='container'>"
        f"<h1>Types of threads</h1><div>{posts}</div></div></noscript></body></html>"
    )
    text = extract_article(html, "https://discuss.example/d/2068").text
    assert "look like a bulletin board" in text
    for reply in REPLIES:
        assert reply in text


def test_a_noscript_notice_on_an_ordinary_page_stays_hidden() -> None:
    html = (
        "<html><head><title>The grain pier</title></head><body><article><h1>The grain pier</h1>"
        + "".join(
            f"<p>On day {day} the harbour board met again to decide the future of the pier.</p>"
            for day in range(1, 9)
        )
        + "</article><noscript><p>Please enable JavaScript to read the comments.</p></noscript>"
        "</body></html>"
    )
    assert "enable JavaScript" not in extract_article(html).text


def _sidebar() -> str:
    # Long threads sit beside sidebars of paragraphs (rules, "about this forum"): with
    # that much <p> text on the page trafilatura drops a <div>'s own text.
    return (
        "<aside class='p-body-sidebar'>"
        + "".join(
            f"<p>Forum rule {n}: be kind to other members, stay on topic, search first.</p>"
            for n in range(1, 15)
        )
        + "</aside>"
    )


def _xf_post(number: int, author: str, lines: list[str], *, marked: bool) -> str:
    scope = "itemscope itemtype='https://schema.org/Comment' " if marked else ""
    name = f"<span itemprop='name'>{author}</span>" if marked else author
    return (
        f"<article class='message {'' if marked else 'message--first '}message--post js-post' "
        f"data-author='{author}' {scope}>"
        "<div class='message-inner'><div class='message-cell message-cell--user'>"
        f"<section class='message-user' {'itemprop=author' if marked else ''}>"
        f"<h4 class='message-name'><a href='/members/{author}.{number}/'>{name}</a></h4>"
        "<dl><dt>Joined</dt><dd>Feb 8, 2017</dd><dt>Messages</dt><dd>5,421</dd></dl>"
        "</section></div><div class='message-cell message-cell--main'>"
        f"<ul class='message-attribution'><li><time datetime='2023-12-3{number % 2}'>"
        f"Dec 3{number % 2}, 2023</time></li><li>#{number}</li></ul>"
        f"<div class='message-userContent'{' itemprop=text' if marked else ''}>"
        f"<div class='bbWrapper'>{'<br/><br/>'.join(lines)}</div></div>"
        "<div class='reactionsBar'>Like Reply Report</div></div></div></article>"
    )


def test_a_thread_of_comment_items_keeps_each_post_whole_and_signed() -> None:
    # XenForo: the replies are schema.org Comment items side by side, the opening post a
    # box of the same kind (one class more) without microdata; each post's text is lines
    # split by <br>.
    posts = [
        ("pippin", ["Do you plan on having a monthly budget for fragrance in 2024, or on limiting "
                    "what you spend on new bottles?",
                    "Mine will be mostly samples and decants, with a few exceptions for new "
                    "bottles, to save money as a new retiree."]),
        ("smellsharpe", ["I will spend a lot less in 2024 than I did in 2022 and 2023, that much "
                         "I already know.",
                         "I will be travelling, so I will very likely buy a few while away, and "
                         "a gift here and there."]),
        ("fiveoaks", ["Nah, no special budget: I replenish favourites when they run low and "
                      "try to buy during the seasonal promotions."]),
        ("colbourne", ["With a collection approaching a thousand bottles I will be trimming it "
                       "rather than adding to it.",
                       "March and June will be no-buy months for me, and my want list is down "
                       "to twenty bottles."]),
        ("tea_lilly", ["I am making a list of the things I have wanted for a while and will "
                       "focus on those alone.",
                       "Then I will buy some nicer bottles as gifts for the people I love, "
                       "which I enjoy more anyway."]),
        ("sakecat", ["I still have a lot to sniff that has not been touched yet, so there is "
                     "no hurry at all.",
                     "This year is for playing with what I have and for layering, not for "
                     "buying anything new."]),
    ]  # fmt: skip
    thread = "".join(
        _xf_post(number, author, lines, marked=number > 1)
        for number, (author, lines) in enumerate(posts, 1)
    )
    html = (
        "<html><head><title>Fragrance budget for 2024? | Basenotes</title></head><body>"
        "<div class='p-body'><h1>Fragrance budget for 2024?</h1><div class='block-body'>"
        f"{thread}</div>{_sidebar()}</div></body></html>"
    )
    text = extract_article(html, "https://forum.example/threads/budget.1/").text
    for number, (author, lines) in enumerate(posts, 1):
        assert f"{author} · Dec 3{number % 2}, 2023\n\n" + "\n".join(lines) in text
    assert "Messages" not in text and "5,421" not in text  # the poster's card
    assert "Report" not in text and "Forum rule" not in text


def test_a_list_of_comment_items_becomes_signed_posts() -> None:
    # vBulletin: an <ol> of Comment items inside a UserComments list; the author is a
    # <strong>, the date a <span>, and a reply's words are the tail of the box it quotes.
    def post(number: int, author: str, words: str) -> str:
        quote = (
            "<div class='bbcode_container'><div class='bbcode_postedby'>Originally Posted by "
            "<strong>hostlar</strong></div><div class='message'>What matters most to you?</div>"
            "</div>"
            if number > 1
            else ""
        )
        return (
            f"<li class='postbit postcontainer' itemscope itemtype='http://schema.org/Comment'>"
            f"<div class='posthead'><span class='postdate' itemprop='datePublished'>"
            f"11-29-2024, 0{number}:50 PM</span><a class='postcounter'>#{number}</a></div>"
            f"<div class='userinfo'><a class='username'><strong itemprop='author'>{author}"
            "</strong></a><dl class='userstats'><dt>Join Date</dt><dd>Aug 2004</dd></dl></div>"
            f"<div class='postbody'><blockquote class='postcontent'><span itemprop='text'>"
            f"{quote}{words}</span></blockquote></div></li>"
        )

    words = [
        "What do you look at before you buy a web hosting service for your sites?",
        "Phone support, and a real person at the other end of the line at night.",
        "Response time by email and phone, then the quality of the answer you get.",
    ]
    names = ("hostlar", "ali", "uh")
    items = "".join(
        post(n, name, w) for n, (name, w) in enumerate(zip(names, words, strict=True), 1)
    )
    html = (
        "<html><head><title>Choosing a web host - Forum</title></head><body>"
        "<div id='postlist'><ol id='posts' itemscope itemtype='http://schema.org/UserComments'>"
        f"{items}</ol></div>{_sidebar()}</body></html>"
    )
    text = extract_article(html, "https://forum.example/showthread.php?t=1").text
    for number, (name, said) in enumerate(zip(names, words, strict=True), 1):
        assert f"{name} · 11-29-2024, 0{number}:50 PM" in text
        assert said in text
    assert "Join Date" not in text
    assert not re.search(r"^\s*\d+\.\s", text, re.M)  # the <ol> of posts is not a list


def test_a_phpbb_thread_keeps_each_post_signed_and_in_order() -> None:
    # phpBB: no microdata; each post is a div.post with the poster's profile beside a
    # postbody whose "content" box is the text. Trafilatura alone took the first post
    # twice and lost who wrote what.
    said = [
        ("b.scherer", "Sun Dec 17, 2023 11:23 am",
         "I just got a new board and want to turn off all of its lights.<br>The steps for "
         "the older model are not working, and the green one flickers all night long."),
        ("jahboater", "Wed Dec 27, 2023 10:00 am",
         "This works on the new board to turn off the bright power and activity lights:"
         "<br>set both triggers to none and reboot, then check the firmware version."),
        ("sgbeal", "Wed Dec 27, 2023 11:04 am",
         "I lay a bandana over mine and the drives for that reason, and it works well."),
        ("bensimmo", "Thu Dec 28, 2023 6:40 pm",
         "Update the firmware first: the old options only came back in the January "
         "release, and they did nothing on the first firmware the board shipped with."),
    ]  # fmt: skip
    posts = "".join(
        f"<div id='p{n}' class='post has-profile bg{n % 2 + 1}'><div class='inner'>"
        f"<dl class='postprofile'><dt><a href='./memberlist.php?u={n}' class='username'>{name}"
        "</a></dt><dd class='profile-posts'><strong>Posts:</strong> 2</dd>"
        "<dd class='profile-joined'><strong>Joined:</strong> Dec 2023</dd></dl>"
        f"<div class='postbody'><div id='post_content{n}'><h3><a href='#p{n}'>Re: Lights off"
        f"</a></h3><p class='author'><a href='./viewtopic.php?p={n}#p{n}'>{when}</a></p>"
        f"<div class='content'>{text}</div></div></div></div></div><hr class='divider'>"
        for n, (name, when, text) in enumerate(said, 1)
    )
    html = (
        "<html><head><title>Turning off all lights - Forums</title></head><body>"
        f"<div id='page-body'><h2 class='topic-title'>Turning off all lights</h2>{posts}</div>"
        f"{_sidebar()}</body></html>"
    )
    text = extract_article(html, "https://forums.example/viewtopic.php?t=1").text
    found = [
        text.find(f"{name} · {when}\n\n" + words.split("<br>")[0]) for name, when, words in said
    ]
    assert -1 not in found and found == sorted(found)
    assert "Joined" not in text and "Posts:" not in text


def test_a_threads_date_is_the_day_its_first_post_was_written() -> None:
    # A phpBB thread declares no date: the shown dates around it are a later post's and
    # the posters' join dates ("Founded: Dec 11, 2021").
    said = [("Outer", "Tue Aug 27, 2019 1:47 am"), ("Minoa", "Wed Dec 11, 2024 5:58 am")]
    posts = "".join(
        f"<div class='post bg{n}'><dl class='postprofile'><dt><a class='username'>{name}</a>"
        f"</dt><dd><strong>Founded:</strong> Dec 11, 2021</dd></dl><div class='postbody'>"
        f"<p class='author'>by <strong><a class='username'>{name}</a></strong> &raquo; {when}"
        f"</p><div class='content'>{prose('The season opens with the usual chaos.', 4)} {n}"
        "</div></div></div>"
        for n, (name, when) in enumerate(said, 1)
    )
    html = (
        "<html><head><title>Football season - Forums</title></head><body><h2>Football "
        f"season</h2><div id='page-body'>{posts}</div></body></html>"
    )
    assert extract_article(html, "https://forum.example/viewtopic.php?t=2").date == "2019-08-27"
    declared = html.replace(
        "<head>", "<head><meta property='article:published_time' content='2019-08-26'>"
    )
    assert extract_article(declared, "https://forum.example/viewtopic.php?t=2").date == (
        "2019-08-26"
    )


def test_an_invision_thread_keeps_each_post_signed() -> None:
    # Invision Community: article.ipsComment boxes, the author pane beside the text.
    said = [
        ("Payam Montie", "March 5, 2024",
         "<p>I do not like the new look of the app; the previous interface was calmer.</p>"
         "<p>They say this one is modern too, but the old one was modern as well.</p>"),
        ("Soapm", "March 5, 2024",
         "<p>I agree: I chose this app years ago for its trim interface and no fuss.</p>"),
        ("Dave-in-Decatur", "March 10, 2024",
         "<p>I think the post is about the interface that came with version ten a few "
         "weeks ago, not about the one before it, which most of us liked.</p>"),
    ]  # fmt: skip
    posts = "".join(
        f"<article id='elComment_{n}' class='cPost ipsBox ipsComment ipsComment_parent'>"
        "<aside class='ipsComment_author cAuthorPane'><h3 class='cAuthorPane_author'>"
        f"<strong><a href='/profile/{n}/'>{name}</a></strong></h3><ul><li>Members</li>"
        "<li>1,204 posts</li></ul></aside><div class='ipsColumn'><div class='ipsComment_meta'>"
        f"Posted <time datetime='2024-03-0{n}'>{when}</time></div>"
        f"<div data-role='commentContent' class='ipsType_richText'>{text}</div>"
        "<ul class='ipsComment_controls'><li>Quote</li></ul></div></article>"
        for n, (name, when, text) in enumerate(said, 1)
    )
    html = (
        "<html><head><title>New UI 2024 - Forums</title></head><body><h1>New UI 2024</h1>"
        f"<form data-role='moderationTools'>{posts}</form>{_sidebar()}</body></html>"
    )
    text = extract_article(html, "https://forum.example/topic/150745-new-ui/").text
    for name, when, _ in said:
        assert f"{name} · {when}\n\n" in text
    assert "previous interface was calmer" in text and "which most of us liked" in text
    assert "1,204 posts" not in text and "Quote" not in text


def test_a_question_page_keeps_every_answer_signed_without_comments() -> None:
    # A schema.org QAPage as Stack Exchange marks it up: trafilatura kept the question
    # and dropped the answers (all ten of them on one Stack Overflow page).
    said = [
        ("Basj", "2018-06-08", "<p>Is it possible to show how async and await work with "
         "only these two keywords and a loop, and no other asyncio function at all?</p>"),
        ("Levon", "2018-11-21", "<p>I will give three solutions to the same problem.</p>"
         "<pre><code>async def sum_(name, numbers):\n    await sleep()\n</code></pre>"
         "<p>The first runs the tasks one after the other, the last lets them overlap.</p>"),
        ("Martijn", "2019-02-03", "<p>Every coroutine yields to the event loop at each "
         "await; the loop then runs whichever other task is ready to go on.</p>"),
    ]  # fmt: skip

    def post(number: int, name: str, when: str, text: str) -> str:
        comment = (
            "<ul class='comments-list'><li class='comment' itemscope "
            "itemtype='https://schema.org/Comment'><div itemprop='text'>Nice, thanks for "
            "this one</div><span itemprop='author' itemscope itemtype='http://schema.org/Person'>"
            "<a>someone</a></span></li></ul>"
        )
        return (
            f"<div class='votecell'><div class='js-vote-count'>{40 - number}</div></div>"
            f"<div class='s-prose js-post-body' itemprop='text'>{text}</div>"
            f"<div class='user-info'><time itemprop='dateCreated' datetime='{when} 09:28:03Z'>"
            "7 years ago</time><div class='user-details' itemprop='author' itemscope "
            f"itemtype='http://schema.org/Person'><a href='/users/{number}'>{name}</a>"
            f"<meta itemprop='name' content='{name}'><span>12.4k</span></div></div>{comment}"
        )

    answers = "".join(
        f"<div id='answer-{n}' class='answer' itemprop='{'acceptedAnswer' if n == 1 else ''}"
        f"{'suggestedAnswer' if n > 1 else ''}' itemscope itemtype='https://schema.org/Answer'>"
        f"{post(n, *said[n])}</div>"
        for n in (1, 2)
    )
    html = (
        "<html itemscope itemtype='https://schema.org/QAPage'><head><title>Simplest async/"
        "await example - Stack Overflow</title></head><body><h1>Simplest async/await "
        "example</h1><div id='mainbar'><div itemprop='mainEntity' itemscope "
        f"itemtype='https://schema.org/Question'><div id='question'>{post(0, *said[0])}</div>"
        f"<div id='answers'><h2>2 Answers</h2>{answers}<form><h2>Your Answer</h2>"
        "<textarea>Thanks for contributing</textarea></form></div></div></div>"
        f"{_sidebar()}</body></html>"
    )
    text = extract_article(html, "https://stackoverflow.com/questions/1/simplest").text
    found = [text.find(f"{name} · {when}\n\n") for name, when, _ in said]
    assert -1 not in found and found == sorted(found)
    assert "await sleep()" in text and "whichever other task" in text
    assert "Nice, thanks" not in text and "Your Answer" not in text and "12.4k" not in text


@pytest.mark.parametrize("wrapper", ["FAQPage", "WebPage"])
def test_an_articles_faq_marked_as_questions_is_not_a_question_page(wrapper: str) -> None:
    # An FAQ block marks each entry as a Question with an acceptedAnswer: the article
    # around it stays the clip.
    line = "Moving a household across the state takes planning, boxes and a good crew."
    faq = "".join(
        f"<div itemscope itemprop='mainEntity' itemtype='https://schema.org/Question'>"
        f"<h3 itemprop='name'>Question {n}?</h3><p itemprop='text'>Asked by movers.</p>"
        "<div itemscope itemprop='acceptedAnswer' "
        f"itemtype='https://schema.org/Answer'><div itemprop='text'>Answer {n} is short "
        "and to the point for every reader.</div></div></div>"
        for n in (1, 2)
    )
    html = (
        "<html><head><title>Moving across New York</title></head><body><article>"
        f"<h1>Moving across New York</h1><p>{prose(line, 4)}</p><p>{prose(line, 3)} Twice.</p>"
        f"<div itemscope itemtype='https://schema.org/{wrapper}'>{faq}</div></article>"
        "</body></html>"
    )
    text = extract_article(html, "https://movers.example/ny/").text
    assert text.startswith(line) and text.count("planning, boxes and a good crew") == 7


def test_a_line_break_inside_bold_text_does_not_glue_words_or_cut_the_paragraph() -> None:
    # Trafilatura cut a paragraph with a <br> inside an inline element into one piece per
    # element, trimmed: "<b>Spence </b>to get" became "Spenceto get" on a line of its own.
    html = article_page(
        "Squad 2024",
        "The club confirmed its squad for the season ahead.",
        "<p><b><span>Players in - Gray and Bergvall</span><br><span>Players out - Rodon"
        "</span></b><br><br>With the current squad we needed to omit two players, "
        "<b>Reguilon, </b>and <b>Spence </b>to get to a compliant squad size.</p>",
    )
    text = extract_article(html).text
    assert "Players in - Gray and Bergvall\nPlayers out - Rodon" in text
    assert "omit two players, Reguilon, and Spence to get to a compliant squad size." in text


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("<p>x <b>in<br>out</b> y</p>", "<p>x <b>in</b><br><b>out</b> y</p>"),
        ("<p><a href='/a'>one<br>two<br></a> tail</p>",
         "<p><a href=\"/a\">one</a><br><a href=\"/a\">two</a><br> tail</p>"),
        # a box of blocks, or a post's text box, is not a line of text: it stays whole
        ("<div><span itemprop='text'>a<br>b</span></div>",
         "<div><span itemprop=\"text\">a<br>b</span></div>"),
        ("<div><span>a<br>b<div>quote</div></span></div>",
         "<div><span>a<br>b<div>quote</div></span></div>"),
    ],
)  # fmt: skip
def test_inline_elements_split_at_their_line_breaks(before: str, after: str) -> None:
    tree = lxml_html.fromstring(f"<html><body>{before}</body></html>")
    lift_line_breaks(tree)
    body = tree.find("body")
    assert "".join(lxml_html.tostring(child, encoding="unicode") for child in body) == after


def test_words_beside_a_link_or_bold_word_in_a_box_stay_apart() -> None:
    # Trafilatura trims the text and tail of an inline element straight in a <div>:
    # "<a>Pet Insurance</a> helps" came out "Pet Insurancehelps".
    html = article_page(
        "Pets",
        "Owners told us how they care for their animals.",
        "<div><a href='/insurance'>Pet Insurance</a> helps you pay the vet when your pet "
        "falls ill or has an accident far from home.</div>"
        "<div><i>Back on 1 April there was a set of <a href='/p'>45 patches</a> by an "
        "engineer to begin converting the whole kernel.</i></div>"
        "<pre><code>if  x:\n    <b>y</b>  = 1</code></pre>",
    )
    text = extract_article(html).text
    assert "Pet Insurance helps you pay the vet" in text
    assert "a set of 45 patches by an engineer" in text
    assert "if  x:\n    y  = 1" in text  # code keeps its spaces as they were
    assert SPACE_MARK not in text


def test_marking_spaces_is_undone_exactly_and_skipped_on_pages_that_show_the_mark() -> None:
    source = "<html><body><div>a <b> b </b> c<a href='/'>d</a>  e</div></body></html>"
    tree = lxml_html.fromstring(source)
    before = lxml_html.tostring(tree)
    edits = keep_spaces(tree, source)
    assert edits and SPACE_MARK in tree.text_content()
    put_back_spaces(edits)
    assert lxml_html.tostring(tree) == before
    shown = f"<html><body><p>Type {SPACE_MARK} for a space: <b>a</b> b</p></body></html>"
    assert keep_spaces(lxml_html.fromstring(shown), shown) == []


def test_an_opening_post_without_microdata_or_data_author_is_signed_like_the_replies() -> None:
    def post(name: str, words: str, *, reply: bool) -> str:
        scope = "itemscope itemtype='https://schema.org/Comment' " if reply else ""
        author = "itemprop='author'" if reply else ""
        named = f"<span itemprop='name'>{name}</span>" if reply else name
        wrapper = ("<div class='postbit'>", "</div>") if reply else ("", "")
        return (
            f"<article class='message message--post js-post' {scope}><div class='message-inner'>"
            f"<section class='message-user' {author}>{wrapper[0]}<h4 class='message-name'>"
            f"<a class='username' href='/members/{name}/'>{named}</a></h4>{wrapper[1]}</section>"
            f"<time datetime='2022-10-21'>Oct 21, 2022</time>"
            f"<div class='message-userContent'{' itemprop=text' if reply else ''}>"
            f"<div class='bbWrapper'>{words}</div></div></div></article>"
        )

    said = [
        ("perseus", "I want a wearable that measures oxygen, heart rate and sleep on Android, "
         "and I would rather not pay for a subscription to see my own numbers."),
        ("mike", "The watch from the phone maker does all of that and the sleep tracking is "
         "good, though the battery lasts two days at most when you use it every night."),
        ("ana", "A ring is worth a look if you mostly care about sleep: it lasts a week and "
         "you forget you wear it, but the heart rate readings during exercise are rough."),
    ]  # fmt: skip
    thread = "".join(post(n, w, reply=i > 0) for i, (n, w) in enumerate(said))
    html = (
        "<html><head><title>Best wearable? - Forums</title></head><body><h1>Best wearable?</h1>"
        f"<div class='block-body'>{thread}</div>{_sidebar()}</body></html>"
    )
    text = extract_article(html, "https://forums.example/threads/wearable.1/").text
    for name, words in said:
        assert f"{name} · Oct 21, 2022\n\n{words}" in text


def test_a_body_without_lists_on_a_page_of_bulleted_points_has_lost_them() -> None:
    from clipper.core.extract import _lost_lists

    points = "".join(f"<li>Point number {n} says something</li>" for n in range(5))
    links = "".join(f'<li><a href="/{n}">Link number {n} goes somewhere</a></li>' for n in range(9))
    short = "".join(f"<li>Point {n}</li>" for n in range(9))
    paragraphs = etree.fromstring("<body><p>Text</p><p>More text</p></body>")
    with_list = etree.fromstring("<body><p>Text</p><list><item>Point</item></list></body>")
    for items, body, lost in [
        (points, paragraphs, True),
        (points, with_list, False),  # the pass kept a list: it saw them
        (links + short, paragraphs, False),  # a menu, labels
        (points[: points.rindex("<li>")], paragraphs, False),  # four are not enough
    ]:
        page = lxml_html.document_fromstring(f"<html><body><ul>{items}</ul></body></html>")
        assert _lost_lists(body, page) is lost
