"""Collapsed FAQ answers, accordions and tab panels are part of a clip (core/disclosure.py)."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from clipper.core.disclosure import open_disclosures
from clipper.core.extract import extract_article

INTRO = (
    "<p>We repair and restore wooden boats of every size at our yard on the river, from"
    " dinghies to old motor launches. Our shipwrights have worked on boats for thirty years"
    " and they still learn something new from every hull that comes through the gate.</p>"
    "<p>Most repairs begin with a survey: we lift the boat, dry it, and tap every plank to"
    " find the soft ones. The survey tells you what the work will cost before it starts,"
    " and you decide what we do and in which order, so there are no surprises.</p>"
)
QUESTIONS = [
    ("How long does a repair take?",
     "A small repair takes two weeks; a full restoration of a launch can take a winter, as"
     " the planks must dry slowly before they are fitted and painted."),
    ("Do you collect boats?",
     "Yes. Our trailer collects boats up to eight metres long within a day's drive of the"
     " yard, and we bring them back on the same trailer when the work is done."),
    ("Can I visit while you work?",
     "Owners are welcome at the yard on Saturdays, when the shipwrights show what they did"
     " during the week and answer every question about the boat."),
]  # fmt: skip


def page(faq: str, after: str = "") -> str:
    return (
        "<html><head><title>Wooden boat repair</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/yard'>The yard</a></nav>"
        f"<main><h1>Wooden boat repair</h1>{INTRO}<h2>Questions</h2>{faq}{after}</main>"
        "<footer><p>River Boatyard, Mill Lane</p></footer></body></html>"
    )


def extracted(html: str) -> str:
    return extract_article(html, "https://boats.example/repair").text


@pytest.mark.parametrize(
    "item",
    [
        # a button controlling a panel hidden by the attribute and aria-hidden
        "<button aria-controls='a{n}' aria-expanded='false'>{q}</button>"
        "<div id='a{n}' hidden aria-hidden='true'><p>{a}</p></div>",
        # a heading over a region hidden by a class (Tailwind's "hidden")
        "<h3>{q}</h3><div role='region' class='text-sm hidden'><p>{a}</p></div>",
        # an accordion panel hidden by its style, its button inside a box of its own
        "<div class='acc-controls'><button class='c-button'><span class='c-button__text'>"
        "{q}</span></button></div>"
        "<div class='c-accordion__panel' style='display: none;'><p>{a}</p></div>",
        # <details>, its body hidden by a class and for screen readers until opened
        "<details><summary>{q}</summary>"
        "<div class='body hidden' aria-hidden='true'><p>{a}</p></div></details>",
        # a script's accordion of plain boxes: the question in a clickable one
        "<div cursor='pointer' class='sc-64912480-0 dYjwFA'><div>{q}</div></div>"
        "<div height='0' style='visibility:hidden' class='sc-64912480-0'><div class='md'>"
        "<div>{a}</div><div>Read more about <a href='/prices'>our prices</a>.</div></div></div>",
        # ... or in a box that is only worded as a question
        "<div class='sc-1'><div>{q}</div></div><div style='display:none'><p>{a}</p></div>",
    ],
    ids=["aria-controls", "region", "accordion", "details", "clickable", "question"],
)
def test_a_collapsed_faq_keeps_its_questions_and_answers(item: str) -> None:
    faq = "".join(item.format(n=n, q=q, a=a) for n, (q, a) in enumerate(QUESTIONS))
    article = extract_article(page(f"<div class='faq'>{faq}</div>"), "https://boats.example/")
    text = article.text
    for question, answer in QUESTIONS:
        assert answer in text
        assert question in text
        assert text.index(question) < text.index(answer)
    if "<button" in item:  # the button's question stands out, as it did on the page
        assert f"<strong>{QUESTIONS[0][0]}</strong>" in article.html


def test_hidden_boxes_that_are_not_disclosures_stay_hidden() -> None:
    answer = QUESTIONS[0][1]
    boxes = (
        # a menu that opens on hover: mostly links
        "<div class='submenu' aria-hidden='true'><a href='/a'>Dinghies and small boats</a>"
        " <a href='/b'>Motor launches and cruisers</a></div>"
        # a shop's filters, folded like an accordion
        "<div class='filter-accordion__panel' hidden><p>Colour: mahogany, oak, teak, larch"
        " and painted finishes in twelve colours</p></div>"
        # a sign-up pop-up
        f"<div class='newsletter-popup hidden' role='region'><p>{answer} Sign up now.</p></div>"
        # a hidden copy of text the page shows (a phone layout of the same panel)
        f"<p>{QUESTIONS[1][1]}</p><div class='faq-mobile' style='display:none'><p>"
        f"{QUESTIONS[1][1]}</p></div>"
    )
    tree = lxml_html.fromstring(page(boxes))
    assert open_disclosures(tree) == 0
    text = extracted(page(boxes))
    assert "Sign up now" not in text and "Dinghies and small boats" not in text
    assert text.count(QUESTIONS[1][1]) == 1


def test_a_hidden_panel_in_the_site_header_stays_hidden() -> None:
    html = page("").replace(
        "<nav>",
        f"<header><div class='accordion-panel' hidden><p>{QUESTIONS[2][1]}</p></div></header><nav>",
    )
    assert open_disclosures(lxml_html.fromstring(html)) == 0


@pytest.mark.parametrize(
    ("box", "phrase"),
    [
        # hidden on phones only
        ("<div class='reviews hide-mobile'><p>The yard rebuilt the transom of our launch and"
         " matched the old mahogany so well that nobody can see where the new wood is.</p></div>",
         "matched the old mahogany"),
        # Tailwind: hidden, then shown from tablets up
        ("<div class='text-base hidden md:block'><p>Every boat leaves the yard with a written"
         " record of the work, the timber used and the paint, for the next owner.</p></div>",
         "a written record of the work"),
        ("<div style='overflow: hidden'><p>Winter storage is available in the covered shed"
         " for boats that are waiting for their repair or that are done for the season.</p></div>",
         "Winter storage is available"),
        # scroll animations, which trafilatura's "slide" (for slideshows) matches
        ("<section class='reveal-slideup reveal-fadein'><h2>Our shed</h2><p>The covered shed"
         " holds twelve boats on cradles, heated in winter so that the glue and the varnish"
         " cure properly whatever the weather outside is doing.</p></section>",
         "heated in winter"),
        ("<div class='animate__animated animate__slideInUp'><p>Every plank we fit is cut from"
         " timber that has dried for at least two years in the loft above the workshop.</p></div>",
         "dried for at least two years"),
        # Webflow's embed block, which trafilatura's "embed" (for embedded posts) matches
        ("<div class='w-embed'><table><tr><th>Boat</th><th>Days</th></tr>"
         "<tr><td>Dinghy refit</td><td>Ten working days</td></tr></table></div>",
         "Dinghy refit"),
    ],
    ids=["hide-mobile", "md:block", "overflow", "reveal-slideup", "slideInUp", "w-embed"],
)  # fmt: skip
def test_boxes_a_desktop_shows_are_content(box: str, phrase: str) -> None:
    assert phrase in extracted(page("", after=box))


def test_only_animation_words_leave_a_class() -> None:
    tree = lxml_html.fromstring(
        "<div><div id='a' class='card reveal-slideup'>x</div>"
        "<div id='b' class='slider slide-out-menu'>y</div></div>"
    )
    open_disclosures(tree)
    assert tree.get_element_by_id("a").get("class") == "card"
    assert tree.get_element_by_id("b").get("class") == "slider slide-out-menu"


@pytest.mark.parametrize(
    "wrapper",
    [
        "rounded overflow-hidden",
        "field field--label-hidden",
        "wp-singular genesis-breadcrumbs-hidden",
        "main-content js-focus-hidden",
    ],
)
def test_a_box_hiding_a_part_of_it_is_shown_and_its_panels_open(wrapper: str) -> None:
    # "overflow-hidden" hides what sticks out, Drupal's "field--label-hidden" the field's
    # label, a WordPress theme's body class its breadcrumbs: the box itself shows, and so
    # the collapsed answers in it are opened.
    faq = "".join(f"<h3>{q}</h3><div class='answer' hidden><p>{a}</p></div>" for q, a in QUESTIONS)
    tree = lxml_html.fromstring(page(f"<section class='{wrapper}'>{faq}</section>"))
    assert open_disclosures(tree) == len(QUESTIONS)
    assert tree.xpath("//section/@class") == [wrapper]


def test_only_an_accordions_answers_have_their_lines_made_paragraphs() -> None:
    # An accordion's answer, line by line in <div>s, becomes paragraphs (trafilatura drops
    # many such lines); a notice after a page's heading opens as it is, so that it does
    # not pass for the page's article.
    notice, answer = (f"<div>{QUESTIONS[n][1]}</div>" for n in (1, 0))
    tree = lxml_html.fromstring(
        "<html><body><h2>Investment review, 2024</h2>"
        f"<div id='notice' style='display: none'>{notice}</div>"
        f"<h3>{QUESTIONS[0][0]}</h3>"
        f"<div id='answer' class='accordion__content' hidden>{answer}</div>"
        "</body></html>"
    )
    assert open_disclosures(tree) == 2
    assert [child.tag for child in tree.get_element_by_id("notice")] == ["div"]
    assert [child.tag for child in tree.get_element_by_id("answer")] == ["p"]
