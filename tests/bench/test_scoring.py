"""The two extraction scorers (bench/scoring.py) on tiny hand-made examples."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import scoring

# --- Scrapinghub (AEB): 4-token shingles -------------------------------------------------


def test_shingles_are_four_token_runs_with_counts() -> None:
    assert scoring.shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert scoring.shingles("x y z w x y z w")[("x", "y", "z", "w")] == 2


def test_short_text_is_one_shingle_and_empty_text_none() -> None:
    assert scoring.shingles("only two") == {("only", "two"): 1}
    assert scoring.shingles("") == {}
    assert scoring.shingles("... ---") == {}


def test_tokens_are_unicode_words_and_case_is_kept() -> None:
    assert scoring.shingles("Grüße, naïve café! Ünd") == {("Grüße", "naïve", "café", "Ünd"): 1}
    assert scoring.aeb_counts("The cat sat down", "the cat sat down") == scoring.Counts(0, 0.5, 0.5)


def test_counts_are_scaled_to_sum_to_one() -> None:
    # reference shingles: abcd bcde; prediction: abcd bcdx -> TP 1, FP 1, FN 1
    counts = scoring.aeb_counts("a b c d e", "a b c d x")
    assert counts == pytest.approx(scoring.Counts(1 / 3, 1 / 3, 1 / 3))
    assert scoring.aeb_page_precision(counts) == pytest.approx(0.5)
    assert scoring.aeb_page_recall(counts) == pytest.approx(0.5)


def test_repeated_shingles_count_each_time() -> None:
    counts = scoring.aeb_counts("a b c d", "a b c d a b c d")
    # prediction shingles: abcd x2, bcda, cdab, dabc; reference: abcd -> TP 1, FP 4, FN 0
    assert counts == pytest.approx(scoring.Counts(0.2, 0.8, 0.0))


def test_page_with_no_false_positives_or_negatives_scores_one() -> None:
    same = scoring.aeb_counts("one two three four five", "one two three four five")
    assert same == scoring.Counts(1.0, 0.0, 0.0)
    assert scoring.aeb_page_precision(same) == scoring.aeb_page_recall(same) == 1.0
    both_empty = scoring.aeb_counts("", "")
    assert both_empty == scoring.Counts(0.0, 0.0, 0.0)
    assert scoring.aeb_page_precision(both_empty) == 1.0


def test_empty_prediction_costs_recall_only() -> None:
    empty = scoring.aeb_counts("a b c d e", "")
    assert empty == scoring.Counts(0.0, 0.0, 1.0)
    perfect = scoring.aeb_counts("a b c d e", "a b c d e")
    scores = scoring.aeb_scores([empty, perfect])
    # precision is averaged over the one page with output, recall over both
    assert scores.precision == 1.0
    assert scores.recall == 0.5
    assert scores.f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)


def test_empty_reference_costs_precision_only() -> None:
    extra = scoring.aeb_counts("", "a b c d e")
    assert extra == scoring.Counts(0.0, 1.0, 0.0)
    assert scoring.aeb_page_precision(extra) == 0.0
    scores = scoring.aeb_scores([extra, scoring.aeb_counts("a b c d", "a b c d")])
    assert scores.precision == 0.5
    assert scores.recall == 1.0


def test_every_page_weighs_the_same() -> None:
    long_good = scoring.aeb_counts(" ".join(f"w{i}" for i in range(1000)),
                                   " ".join(f"w{i}" for i in range(1000)))  # fmt: skip
    short_bad = scoring.aeb_counts("a b c d e", "a b c d x")
    scores = scoring.aeb_scores([long_good, short_bad])
    assert scores.precision == pytest.approx((1.0 + 0.5) / 2)
    assert scores.pages == 2


# --- WCXB: lower-cased bag of words ---------------------------------------------------------


def test_wcxb_bag_of_words_overlap() -> None:
    page = scoring.wcxb_page("The cat sat on the mat", "the CAT sat; a dog")
    # reference: the x2, cat, sat, on, mat (6); prediction: the, cat, sat, a, dog (5)
    assert page.precision == pytest.approx(3 / 5)
    assert page.recall == pytest.approx(3 / 6)
    assert page.f1 == pytest.approx(2 * 0.6 * 0.5 / 1.1)


def test_wcxb_repeats_count_up_to_the_reference() -> None:
    page = scoring.wcxb_page("spam eggs", "spam spam spam eggs")
    assert page.precision == pytest.approx(2 / 4)
    assert page.recall == 1.0


@pytest.mark.parametrize(
    ("reference", "prediction", "expected"),
    [("", "", 1.0), ("", "text", 0.0), ("text", "", 0.0), ("a b", "c d", 0.0)],
)
def test_wcxb_empty_texts(reference: str, prediction: str, expected: float) -> None:
    page = scoring.wcxb_page(reference, prediction)
    assert (page.precision, page.recall, page.f1) == (expected, expected, expected)


def test_wcxb_scores_are_means_over_pages() -> None:
    pages = [scoring.wcxb_page("a b", "a b"), scoring.wcxb_page("a b", "")]
    scores = scoring.wcxb_scores(pages)
    assert (scores.f1, scores.precision, scores.recall, scores.pages) == (0.5, 0.5, 0.5, 2)


# --- metadata agreement ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "ours", "agrees"),
    [
        ("Hello  World", "hello world", True),
        ("“Quoted headline”", "Quoted headline.", True),
        ("Is it? Yes!", "is it? yes", True),
        ("A Beginner's Guide", "A Beginner\u2019s Guide", True),
        ("Now \u2013 then", "now - then", True),
        ("Headline", "Headline | Site", False),
        ("Headline", None, False),
        ("", "", False),
    ],
)
def test_title_agreement(reference: str, ours: str | None, agrees: bool) -> None:
    assert scoring.title_agrees(reference, ours) is agrees


@pytest.mark.parametrize(
    ("reference", "ours", "agrees"),
    [
        ("Jane Doe", "Jane Doe", True),
        ("Jane Doe", "jane doe; John Roe", True),
        ("Dr. Jane Doe, MD", "Jane Doe", True),
        ("Jane Doe and John Roe", "John Roe", True),
        ("Jane Doe", "Jane", True),  # ours contained in the reference
        ("Jane Doe", "Janet Doer", False),  # whole words only
        ("Jane Doe", None, False),
    ],
)
def test_author_agreement(reference: str, ours: str | None, agrees: bool) -> None:
    assert scoring.author_agrees(reference, ours) is agrees


@pytest.mark.parametrize(
    ("reference", "ours", "agrees"),
    [
        ("2024-03-05", "2024-03-05", True),
        ("2024-03-05", "2024-03-05T10:00:00+01:00", True),
        ("2024-03-05", "2024-03-06", False),
        ("2015-11", "2015-11-01", False),
        ("2024-03-05", None, False),
    ],
)
def test_date_agreement(reference: str, ours: str | None, agrees: bool) -> None:
    assert scoring.date_agrees(reference, ours) is agrees


def test_wcxb_set_of_words_counts_each_word_once() -> None:
    page = scoring.wcxb_set_page("spam eggs", "spam spam spam eggs")
    assert (page.precision, page.recall, page.f1) == (1.0, 1.0, 1.0)
    bag = scoring.wcxb_page("spam eggs", "spam spam spam eggs")
    assert bag.precision == 0.5
    assert scoring.wcxb_set_page("", "").f1 == 1.0
    assert scoring.wcxb_set_page("spam", "").f1 == 0.0
