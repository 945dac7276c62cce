"""The clip's title: choosing between <title>, og:title, JSON-LD and the h1; the site's name."""

from __future__ import annotations

import pytest

from clipper.core.titles import choose_title, clean_title, repair_mojibake


def title(
    tag: str | None,
    *,
    og: str | None = None,
    h1: str | None = None,
    found: str | None = None,
    sites: tuple[str, ...] = ("example.com",),
    home: bool = True,
) -> str:
    return choose_title(
        title_tag=tag, og_title=og, headline=h1, found=found, sites=list(sites), home=home
    )


@pytest.mark.parametrize("separator", ["|", "-", "\u2013", "\u2014", "»", "::", "·", "•"])
def test_site_name_after_any_separator_is_removed(separator: str) -> None:
    assert title(f"Growing tomatoes indoors {separator} Kitchen Garden",
                 sites=("Kitchen Garden",)) == "Growing tomatoes indoors"  # fmt: skip


def test_site_name_before_the_headline_is_removed() -> None:
    assert title("Kitchen Garden | Growing tomatoes indoors", sites=("Kitchen Garden",)) == (
        "Growing tomatoes indoors"
    )


def test_host_name_counts_as_the_site_name() -> None:
    assert title("Growing tomatoes indoors - KitchenGarden", sites=("kitchengarden.example",)) == (
        "Growing tomatoes indoors"
    )


def test_site_spelled_out_in_full_is_removed_for_its_initials() -> None:
    raw = "Ladders - Overview | Bureau of Ladder Safety"
    assert title(raw, sites=("bls.example",)) == "Ladders - Overview"


def test_unknown_tagline_after_the_headline_is_dropped() -> None:
    # Nothing names the site, but "Headline | Whatever" is how a <title> is written.
    assert title("Top 5 HR Tools in 2026 | Peoplely") == "Top 5 HR Tools in 2026"
    assert title("Accounting Software - Start for Free") == "Accounting Software"


def test_a_site_name_first_keeps_the_second_part() -> None:
    assert title("Example | Cloud storage for teams", sites=("Example",)) == (
        "Cloud storage for teams"
    )


def test_a_one_word_name_before_a_description_is_kept_whole() -> None:
    assert title("Alma \u2014 Simplifying Access to Therapy") == (
        "Alma \u2014 Simplifying Access to Therapy"
    )


def test_colon_and_three_part_titles_are_not_taglines() -> None:
    assert title("Python: A Guide for Beginners") == "Python: A Guide for Beginners"
    assert title("Part - Chapter - Book") == "Part - Chapter - Book"


def test_h1_wins_when_it_is_the_headline() -> None:
    # it shares most of its words with the <title>: the reader sees it, so it is the title
    got = title("Growing tomatoes indoors | Kitchen Garden",
                h1="Growing Tomatoes Indoors: A Guide", sites=("Kitchen Garden",))  # fmt: skip
    assert got == "Growing Tomatoes Indoors: A Guide"


def test_h1_that_is_the_logo_is_ignored() -> None:
    got = title("Growing tomatoes indoors | Kitchen Garden", h1="Kitchen Garden",
                sites=("Kitchen Garden",))  # fmt: skip
    assert got == "Growing tomatoes indoors"


def test_h1_unrelated_to_the_title_loses() -> None:
    got = title("Growing tomatoes indoors | Kitchen Garden", h1="Subscribe to our newsletter",
                sites=("Kitchen Garden",))  # fmt: skip
    assert got == "Growing tomatoes indoors"


def test_og_title_is_preferred_to_the_title_tag() -> None:
    got = title("Home | Kitchen Garden", og="Growing tomatoes indoors", sites=("Kitchen Garden",))
    assert got == "Growing tomatoes indoors"


def test_json_ld_headline_shows_the_short_form() -> None:
    raw = "Build your first app | Get started | Widget Developers"
    got = title(raw, found="Build your first app", sites=("Widget Developers",))
    assert got == "Build your first app"


def test_found_title_is_used_without_title_or_og_title() -> None:
    assert title(None, found="A headline from elsewhere") == "A headline from elsewhere"


def test_label_and_section_number_come_off_the_h1() -> None:
    assert title("Branching | Git Book", h1="3.1 Git Branching",
                 sites=("Git Book",)) == "Git Branching"  # fmt: skip
    assert title(None, h1="Thread: Which lathe to buy?") == "Which lathe to buy?"


def test_clean_title_uses_the_headline_as_evidence() -> None:
    got = clean_title("A - B - C", site=None, h1=None, og_title=None, headline="A - B")
    assert got == "A - B"


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("A DIY Investor\u00e2\u0080\u0099s Guide", "A DIY Investor\u2019s Guide"),
        ("It\u00e2\u20ac\u2122s here", "It\u2019s here"),
        ("caf\u00c3\u00a9", "caf\u00e9"),
    ],
)
def test_mojibake_is_repaired(broken: str, fixed: str) -> None:
    assert repair_mojibake(broken) == fixed
    assert title(f"{broken} | Site", sites=("Site",)) == fixed


@pytest.mark.parametrize(
    "text", ["Café Français", "naïve résumé", "Zürich \u2013 Genève", "Ärger über Öl", "日本語"]
)
def test_correct_text_is_left_alone(text: str) -> None:
    assert repair_mojibake(text) == text


def test_a_date_before_the_h1_comes_off() -> None:
    h1 = "Dec 18 2025 Preparing a transition in Debusine"
    assert title("Preparing a transition in Debusine", h1=h1) == (
        "Preparing a transition in Debusine"
    )
    assert title("Notes on tomatoes - Example", h1="2024-03-03 - Notes on tomatoes") == (
        "Notes on tomatoes"
    )


def test_generic_title_or_title_that_adds_only_the_site_name_gives_way_to_the_h1() -> None:
    assert title("Home Page", h1="Welcome to Best Sharpening Stones") == (
        "Welcome to Best Sharpening Stones"
    )
    assert title("BBC Technology", h1="Technology", sites=("bbc.com",)) == "Technology"
    assert title("searching [Zotero Documentation]", h1="Searching",
                 sites=("zotero.org",)) == "Searching"  # fmt: skip


def test_a_title_that_is_the_site_name_beats_a_slogan_h1() -> None:
    assert title("Plausible Analytics", h1="Easy to use and privacy-friendly analytics",
                 sites=("plausible.io",)) == "Plausible Analytics"  # fmt: skip


def test_leading_separators_come_off() -> None:
    assert title("| Creative agency portfolio") == "Creative agency portfolio"
    assert title("Agency portfolio", h1="/ CREATIVE AGENCY PORTFOLIO") == (
        "CREATIVE AGENCY PORTFOLIO"
    )


def test_the_section_of_a_breadcrumb_title_comes_off() -> None:
    assert title("How to help babies sleep | Patient Education | UC Davis Health",
                 sites=("UC Davis Health",)) == "How to help babies sleep"  # fmt: skip
    assert title("IAM overview | Identity and Access Management | Google Cloud",
                 sites=("Google Cloud",)) == "IAM overview"  # fmt: skip
    assert title("Forum software like these? / GNU/Linux Discussion / Arch Linux Forums",
                 sites=("Arch Linux Forums",)) == "Forum software like these?"  # fmt: skip
    # mixed separators, a number range: left alone
    assert title("Functions - JavaScript | MDN", sites=("MDN",)) == "Functions - JavaScript"
    assert title("Player Squad 2024 - 2025 - Forum", sites=("Forum",)) == (
        "Player Squad 2024 - 2025"
    )


def test_the_sites_own_title_on_an_inner_page_gives_way_to_the_h1() -> None:
    tag, h1, sites = "Reddit - The heart of the internet", "Enameled cast iron pan", ("Reddit",)
    assert title(tag, h1=h1, sites=sites, home=False) == "Enameled cast iron pan"
    # on the front page the h1 is the first post's, the title is the page's
    assert title(tag, h1=h1, sites=sites, home=True) == "The heart of the internet"
