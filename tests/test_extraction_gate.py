"""The extraction score gate: Clipper may not score below its stored baseline.

Runs Clipper's pipeline over every 4th page of both corpora in ../shared/corpus and
scores it the way bench/extraction.py does (both corpus methods, title/author/date
agreement). Fails if a figure drops below bench/extraction_baseline.json by more than
the stored tolerance. Skipped when the corpus is absent (a fresh clone has none).
After an improvement, store the new figures: python bench/extraction.py --write-baseline
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import extraction  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.corpus,
    pytest.mark.skipif(not extraction.CORPUS.is_dir(), reason="no ../shared/corpus"),
]


@pytest.fixture(scope="module")
def baseline() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(extraction.BASELINE.read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def figures(baseline: dict[str, Any]) -> dict[str, float]:
    pages = extraction.corpus_pages(every=baseline["every"])
    return extraction.gate_figures(pages)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", ["aeb_f1", "wcxb_f1", "title", "author", "date"])
def test_no_figure_drops_below_the_baseline(
    name: str, figures: dict[str, float], baseline: dict[str, Any]
) -> None:
    stored = baseline["figures"][name]
    assert figures[name] >= stored - baseline["tolerance"], (
        f"{name} fell to {figures[name]:.4f} (baseline {stored:.4f})"
    )
