"""Clean HTML -> Markdown, checked by rendering the Markdown back with markdown-it-py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from clipper.core.extract import article_from_document
from clipper.core.markdown import (
    html_to_markdown,
    html_to_text,
    markdown_title,
    markdown_to_html,
    text_to_html,
)
from clipper.core.sources import load_file

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"

_RENDERER = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def render(markdown: str) -> str:
    """Markdown back to HTML, the way a CommonMark + GFM tables reader shows it."""
    return str(_RENDERER.render(markdown))


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _own_text(element: etree._Element) -> str:
    """Text of an element without nested lists (a list item's own words)."""
    parts = [element.text or ""]
    for child in element:
        if child.tag not in ("ul", "ol"):
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return _squash(" ".join(parts))


def shape(html: str) -> list[tuple[str, ...]]:
    """What a reader sees, as data: headings, list items with depth, code, cells, quotes."""
    root = lxml_html.document_fromstring(f"<div>{html}</div>")
    out: list[tuple[str, ...]] = []
    for element in root.iter():
        tag = element.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            out.append((tag, _squash(element.text_content())))
        elif tag == "li":
            depth = len(list(element.iterancestors("ul", "ol")))
            kind = element.getparent().tag
            out.append(("li", kind, str(depth), _own_text(element)))
        elif tag == "pre":
            out.append(("pre", "".join(element.itertext())))
        elif tag in ("th", "td"):
            out.append((tag, _squash(element.text_content())))
        elif tag == "p" and not any(a.tag in ("li", "td", "th") for a in element.iterancestors()):
            quotes = len(list(element.iterancestors("blockquote")))
            out.append(("p", str(quotes), _squash(element.text_content())))
    return out


def round_trip(html: str, base_url: str | None = None) -> tuple[str, str]:
    markdown = html_to_markdown(html, base_url=base_url)
    return markdown, render(markdown)


# --- structure survives a round trip ------------------------------------------------------


def test_headings_and_paragraphs() -> None:
    html = "<h1>Title</h1><p>One  two\n three.</p><h2>Part   two</h2><p>Four.</p><h6>Small</h6>"
    markdown, back = round_trip(html)
    assert markdown == "# Title\n\nOne two three.\n\n## Part two\n\nFour.\n\n###### Small\n"
    assert shape(back) == shape(html)


def test_nested_lists() -> None:
    html = (
        "<ul><li>fruit<ul><li>apple</li><li>pear<ol><li>conference</li><li>comice</li></ol></li>"
        "</ul></li><li>vegetables</li></ul>"
        '<ol start="7"><li>seven</li><li>eight<ul><li>sub</li></ul></li></ol>'
    )
    markdown, back = round_trip(html)
    assert (
        "- fruit\n  - apple\n  - pear\n    1. conference\n    2. comice\n- vegetables" in markdown
    )
    assert "7. seven\n8. eight\n   - sub" in markdown
    assert shape(back) == shape(html)
    assert '<ol start="7">' in back


def test_loose_list_items_with_paragraphs_and_code() -> None:
    html = (
        "<ol><li><p>First step.</p><pre><code>make build\nmake test\n</code></pre></li>"
        "<li><p>Second step.</p><p>More about it.</p></li></ol>"
    )
    _, back = round_trip(html)
    assert shape(back) == shape(html)
    assert "make build\nmake test\n" in back


def test_adjacent_lists_stay_apart() -> None:
    html = "<ul><li>a</li></ul><ul><li>b</li></ul><ol><li>c</li></ol><ol><li>d</li></ol>"
    _, back = round_trip(html)
    assert back.count("<ul>") == 2 and back.count("<ol>") == 2


def test_table_with_header_and_pipes() -> None:
    html = (
        "<table><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>"
        "<tr><td>a | b</td><td><code>x|y</code></td></tr>"
        "<tr><td><strong>bold</strong></td><td>multi<br>line</td></tr></tbody></table>"
    )
    markdown, back = round_trip(html)
    assert "| Name | Value |\n| --- | --- |\n| a \\| b |" in markdown
    assert shape(back) == [
        ("th", "Name"),
        ("th", "Value"),
        ("td", "a | b"),
        ("td", "x|y"),
        ("td", "bold"),
        ("td", "multi line"),
    ]


def test_table_without_th_uses_first_row_and_pads_short_rows() -> None:
    html = "<table><tr><td>h1</td><td>h2</td></tr><tr><td>only one</td></tr></table>"
    _, back = round_trip(html)
    assert shape(back) == [("th", "h1"), ("th", "h2"), ("td", "only one"), ("td", "")]


def test_code_blocks_keep_bytes_and_language() -> None:
    code = 'def f(x):\n    """Doc."""\n    return x * 2  # `ticks` and ```fences```\n\n\n\tindent\n'
    escaped = code.replace("&", "&amp;").replace("<", "&lt;")
    html = f'<pre><code class="language-python">{escaped}</code></pre>'
    markdown, back = round_trip(html)
    assert markdown.startswith("````python\n")
    block = lxml_html.fragment_fromstring(back).find(".//code")
    assert block is not None
    assert block.get("class") == "language-python"
    assert block.text == code


def test_code_block_lang_class_and_no_language() -> None:
    markdown = html_to_markdown(
        '<pre class="lang-sql"><code>SELECT 1;</code></pre><pre>plain\n</pre>'
    )
    assert markdown == "```sql\nSELECT 1;\n```\n\n```\nplain\n```\n"


def test_nested_blockquotes() -> None:
    html = (
        "<blockquote><p>outer</p><blockquote><p>inner</p><p>inner two</p></blockquote></blockquote>"
    )
    markdown, back = round_trip(html)
    assert markdown == "> outer\n>\n> > inner\n> >\n> > inner two\n"
    assert shape(back) == shape(html)


def test_blockquote_with_bare_text() -> None:
    assert html_to_markdown("<blockquote>Just words.</blockquote>") == "> Just words.\n"


def test_links_and_images() -> None:
    html = (
        '<p>See <a href="/docs/guide.html" title="Guide">the guide</a>, '
        '<a href="https://x.example/a_(b)">parens</a>, '
        '<a href="javascript:alert(1)">no script</a> and '
        '<a href="mailto:me@example.org">mail</a>.</p>'
        '<p><img src="img/cat.png" alt="A [small] cat" title="Cat"> '
        '<img src="data:image/png;base64,AAAA" alt="inline"></p>'
    )
    markdown, back = round_trip(html, base_url="https://site.example/blog/post.html")
    assert "[the guide](https://site.example/docs/guide.html)" in markdown
    assert "Guide" not in markdown  # titles are dropped
    assert "javascript" not in markdown and "no script" in markdown
    assert "![A \\[small\\] cat](https://site.example/blog/img/cat.png)" in markdown
    assert "data:" not in markdown
    page = lxml_html.fragment_fromstring(back, create_parent="div")
    links = [(a.get("href"), a.text_content()) for a in page.iter("a")]
    assert links == [
        ("https://site.example/docs/guide.html", "the guide"),
        ("https://x.example/a_(b)", "parens"),
        ("mailto:me@example.org", "mail"),
    ]
    images = [(i.get("src"), i.get("alt")) for i in page.iter("img")]
    assert images == [("https://site.example/blog/img/cat.png", "A [small] cat")]


def test_relative_links_stay_relative_without_base() -> None:
    assert html_to_markdown('<p><a href="a b.html">x</a></p>') == "[x](<a b.html>)\n"


def test_emphasis_strong_code_and_strike() -> None:
    html = (
        "<p><strong>Bold </strong>and<em> em</em>, <b>b<i>bi</i></b>, intra<em>word</em>s, "
        "<code>a `tick`</code>, <code>``</code>, <del>gone</del>, <kbd>Ctrl</kbd></p>"
    )
    markdown, back = round_trip(html)
    assert markdown == (
        "**Bold** and *em*, **b*bi***, intra*word*s, `` a `tick` ``, ``` `` ```, ~~gone~~, `Ctrl`\n"
    )
    page = lxml_html.fragment_fromstring(back)
    assert [c.text for c in page.iter("code")] == ["a `tick`", "``", "Ctrl"]
    assert [e.text_content() for e in page.iter("em")] == ["em", "bi", "word"]
    assert page.find(".//s") is not None or page.find(".//del") is not None


def test_hard_breaks() -> None:
    markdown, back = round_trip(
        "<p>line one<br>line two<br/>  - not a list<br></p><p>a<br><br>b</p>"
    )
    assert markdown == "line one\\\nline two\\\n\\- not a list\n\na\n\nb\n"
    assert back.count("<br />") == 2 and "<li>" not in back


def test_whitespace_collapses_like_a_browser() -> None:
    html = (
        "<div>\n  <p>  lots\tof \n\n   space\u00a0here </p>\n"
        "  text <span> between </span> blocks\n</div>"
    )
    assert html_to_markdown(html) == "lots of space\u00a0here\n\ntext between blocks\n"


def test_skips_scripts_styles_and_forms() -> None:
    html = (
        "<p>Keep</p><script>alert('x')</script><style>p{}</style><p>this <button>Buy</button></p>"
    )
    assert html_to_markdown(html) == "Keep\n\nthis\n"


def test_full_document_input() -> None:
    html = "<html><head><title>T</title></head><body><h2>Hi</h2><p>there</p></body></html>"
    assert html_to_markdown(html) == "## Hi\n\nthere\n"


def test_empty_input() -> None:
    assert html_to_markdown("") == ""
    assert html_to_markdown("<p> </p><div></div>") == ""


# --- escaping ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("snake_case_name and __init__", "snake_case_name and \\_\\_init\\_\\_"),
        ("2 * 3 = 6 and 5*4", "2 * 3 = 6 and 5*4"),
        ("a*b*c", "a\\*b\\*c"),
        ("*not em*", "\\*not em\\*"),
        ("_not em_", "\\_not em\\_"),
        ("# not a heading", "\\# not a heading"),
        ("#hashtag", "#hashtag"),
        ("> not a quote", "\\> not a quote"),
        ("- not a list", "\\- not a list"),
        ("+ not a list", "\\+ not a list"),
        ("* not a list", "\\* not a list"),
        ("1. not a list", "1\\. not a list"),
        ("2024) a year", "2024\\) a year"),
        ("1.5 million", "1.5 million"),
        ("---", "\\---"),
        ("===", "\\==="),
        ("a [link](x) here", "a \\[link\\](x) here"),
        ("`code`", "\\`code\\`"),
        ("<b>not html</b> a < b", "\\<b>not html\\</b> a < b"),
        ("AT&T &amp; co", "AT&T \\&amp; co"),
        ("C:\\Users\\x\\*", "C:\\Users\\x\\\\\\*"),
        ("~~not struck~~", "\\~\\~not struck\\~\\~"),
        ("50% of 3 - 2 + 1 # x", "50% of 3 - 2 + 1 # x"),
    ],
)
def test_escaping(text: str, expected: str) -> None:
    html = f"<p>{text.replace('&', '&amp;').replace('<', '&lt;')}</p>"
    markdown = html_to_markdown(html)
    assert markdown == expected + "\n"
    rendered = lxml_html.fragment_fromstring(render(markdown))
    assert rendered.tag == "p"
    assert len(rendered) == 0, "no markup may appear"
    assert rendered.text == text


def test_heading_ending_in_hash() -> None:
    _, back = round_trip("<h2>Learn C#</h2><h3>Issue #</h3>")
    assert shape(back) == [("h2", "Learn C#"), ("h3", "Issue #")]


def test_output_ends_with_one_newline() -> None:
    markdown = html_to_markdown("<p>a</p>\n\n\n<pre><code>x\n\n\n</code></pre>\n\n")
    assert markdown.endswith("```\n") and not markdown.endswith("\n\n")


# --- plain text and notes ---------------------------------------------------------------


def test_html_to_text() -> None:
    html = (
        "<h2>Head</h2><p>Para  one<br>next line</p><ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>"
        "<ol><li>x</li></ol><pre><code>  code\n    kept</code></pre>"
        "<table><tr><th>k</th><th>v</th></tr><tr><td>1</td><td>2</td></tr></table>"
        "<blockquote><p>quoted</p></blockquote>loose <em>text</em>"
    )
    assert html_to_text(html) == (
        "Head\n\nPara one\nnext line\n\n- a\n  - b\n- c\n\n1. x\n\n  code\n    kept\n\n"
        "k\tv\n1\t2\n\nquoted\n\nloose text"
    )
    assert html_to_text("") == ""


def test_blocks_in_a_table_cell_are_kept_apart() -> None:
    html = (
        "<table><tr><td><h3>Fixture installation</h3><p>$132.33 fixed fee</p>"
        '<a href="/pros">Free estimates from local pros</a><h3>Panel upgrade</h3></td>'
        "<td>Marietta</td></tr></table>"
    )
    assert html_to_text(html) == (
        "Fixture installation $132.33 fixed fee Free estimates from local pros Panel upgrade"
        "\tMarietta"
    )


def test_text_to_html() -> None:
    assert text_to_html("First <line>\nsecond & more\n\n\nNext para\r\n") == (
        "<p>First &lt;line&gt;<br>\nsecond &amp; more</p>\n<p>Next para</p>"
    )


def test_markdown_to_html_escapes_raw_html() -> None:
    html = markdown_to_html("# Hi\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_markdown_to_html_tables() -> None:
    assert "<table>" in markdown_to_html("| a | b |\n| --- | --- |\n| 1 | 2 |\n")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("intro line\n\n# The *Heading*\n", "The Heading"),
        ("Setext\n======\n", "Setext"),
        ("Some **bold** start\nsecond line\n", "Some bold start"),
        ("---\n\n", None),
    ],
)
def test_markdown_title(text: str, title: str | None) -> None:
    assert markdown_title(text) == title


# --- the fixture articles -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["news.html", "blog-code.html", "docs.html", "aggregator.html", "saved.mhtml"]
)
def test_fixture_articles_round_trip(name: str) -> None:
    """Markdown of real articles reads back as the same headings, lists, code, cells and words."""
    article = article_from_document(load_file(PAGES / name))
    assert shape(render(article.markdown)) == shape(article.html)
    assert html_to_text(render(article.markdown)).split() == html_to_text(article.html).split()


def test_spaces_at_the_edges_of_a_link_stay_outside_it() -> None:
    md = html_to_markdown('<p>announced on<a href="https://e.com/a"> Sept. 30 </a>that it</p>')
    assert md == "announced on [Sept. 30](https://e.com/a) that it\n"
