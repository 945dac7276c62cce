"""Pages of ../shared/corpus for the tests that use it (they skip when it is absent)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def wcxb_page(page_id: str) -> tuple[str, str | None]:
    """A WCXB page's HTML (decoded as the benchmark does) and its URL."""
    html = gzip.decompress((CORPUS / "wcxb" / "html" / f"{page_id}.html.gz").read_bytes())
    truth = json.loads((CORPUS / "wcxb" / "ground-truth" / f"{page_id}.json").read_text())
    return html.decode("utf-8", "replace"), truth.get("url")
