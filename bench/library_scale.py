"""A library of many clips: build rate, size on disk, and search latency per query class.

Builds (or reuses, with ``--library``) a synthetic library of N clips through the real add
path (``Library.add`` of ``Article`` objects). Each clip has about 1,200 words drawn from a
Zipf-Mandelbrot distribution over a 60,000-word vocabulary (so "the" is in every clip and
most words are rare), one of 200 sites and up to four of 500 tags, both long-tailed.

Then it times the calls the front ends make, for several query classes:

- ``search``: ``Library.search(text, limit=50)``, the first page of ranked results with
  snippets and the exact total (what the CLI prints, and the window's count);
- ``window``: ``Library.search_ids(text)`` plus ``get_many`` of the first block of rows
  (what the window's list model does when the search box changes).

Prints JSON; ``--markdown`` also prints a table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clipper.core.article import Article
from clipper.core.library import Library

SEED = 20240611
VOCABULARY = 60_000
WORDS_PER_CLIP = 1_200
SITES = 200
TAGS = 500
AUTHORS = 2_000
RUNS_PER_CLASS = 40
PAGE = 50
BLOCK = 200  # rows the window's model reads at a time
# The most common English words, so that the head of the distribution reads like English.
_COMMON_TEXT = (
    "the of and to a in is it you that he was for on are with as his they be at one have "
    "this from or had by hot word but what some we can out other were all there when up use "
    "your how said an each she which do their time if will way about many then them write "
    "would like so these her long make thing see him two has look more day could go come did "
    "number sound no most people my over know water than call first who may down side been "
    "now find any new work part take get place made live where after back little only round "
    "man year came show every good me give our under name very through just form sentence "
    "great think say help low line differ turn cause much mean before move right boy old too "
    "same tell does set three want air well also play small end put home read hand port large "
    "spell add even land here must big high such follow act why ask men change went light kind"
)
COMMON = _COMMON_TEXT.split()
_ONSETS = (
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "w",
    "br",
    "cl",
    "dr",
    "fl",
    "gr",
    "pl",
    "st",
    "tr",
    "sh",
    "ch",
    "th",
    "",
)
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y")
_CODAS = ("", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck", "x")


@dataclass(frozen=True)
class Corpus:
    """The word, site, tag and author distributions a synthetic library is drawn from."""

    words: list[str]
    word_weights: list[float]
    sites: list[tuple[str, str]]  # (host, display name)
    site_weights: list[float]
    tags: list[str]
    tag_weights: list[float]
    authors: list[str]


def _zipf(n: int, s: float = 1.0, q: float = 2.7) -> list[float]:
    """Cumulative Zipf-Mandelbrot weights for ranks 1..n (q flattens the very top)."""
    return list(itertools.accumulate(1.0 / (rank + q) ** s for rank in range(1, n + 1)))


def _pseudo_words(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """Pronounceable made-up words, unique and distinct from ``taken``."""
    found: list[str] = []
    while len(found) < count:
        syllables = rng.choice((1, 2, 2, 3, 3, 4))
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
        )
        if len(word) > 2 and word not in taken:
            taken.add(word)
            found.append(word)
    return found


def make_corpus(seed: int = SEED) -> Corpus:
    """The distributions, the same for the same seed."""
    rng = random.Random(seed)
    taken = set(COMMON)
    words = list(dict.fromkeys(COMMON)) + _pseudo_words(rng, VOCABULARY - len(set(COMMON)), taken)
    hosts = _pseudo_words(rng, SITES, taken)
    sites = [(f"{h}.example.com", f"The {h.title()} Review") for h in hosts]
    tags = [
        t.replace("o", "-o", 1) if i % 7 == 0 else t
        for i, t in enumerate(_pseudo_words(rng, TAGS, taken))
    ]
    authors = [
        f"{a.title()} {b.title()}"
        for a, b in zip(
            _pseudo_words(rng, AUTHORS, taken), _pseudo_words(rng, AUTHORS, taken), strict=True
        )
    ]
    return Corpus(
        words, _zipf(len(words)), sites, _zipf(SITES, 1.1), tags, _zipf(TAGS, 1.2), authors
    )


def _sentences(rng: random.Random, words: list[str]) -> Iterator[str]:
    pos = 0
    while pos < len(words):
        size = rng.randint(8, 22)
        part = words[pos : pos + size]
        pos += size
        yield " ".join(part).capitalize() + "."


def make_article(corpus: Corpus, rng: random.Random, number: int) -> tuple[Article, list[str]]:
    """Clip number ``number`` of a synthetic library, with its tags."""
    count = max(150, int(rng.gauss(WORDS_PER_CLIP, 300)))
    words = rng.choices(corpus.words, cum_weights=corpus.word_weights, k=count)
    sentences = list(_sentences(rng, words))
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
    title_words = rng.choices(
        corpus.words[40:], cum_weights=corpus.word_weights[40:], k=rng.randint(3, 9)
    )
    host, site = rng.choices(corpus.sites, cum_weights=corpus.site_weights)[0]
    tags = rng.choices(
        corpus.tags, cum_weights=corpus.tag_weights, k=rng.choice((0, 1, 1, 2, 3, 4))
    )
    year = rng.randint(2010, 2025)
    article = Article(
        title=" ".join(title_words).capitalize(),
        html="".join(f"<p>{p}</p>\n" for p in paragraphs),
        text="\n\n".join(paragraphs),
        url=f"https://{host}/{year}/{'-'.join(title_words[:4])}-{number}",
        author=rng.choice(corpus.authors),
        date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        site=site,
        language="en",
    )
    return article, tags


def build(lib: Library, corpus: Corpus, clips: int, start: int = 0) -> float:
    """Add clips numbered start..clips-1 through Library.add; returns the seconds spent adding."""
    rng = random.Random(SEED + start)
    spent = 0.0
    for number in range(start, clips):
        article, tags = make_article(corpus, rng, number)
        t = time.perf_counter()
        lib.add(article, tags=tags)
        spent += time.perf_counter() - t
        if number % 10_000 == 9_999:
            print(f"  {number + 1} clips, {spent:.0f} s adding", file=sys.stderr, flush=True)
    return spent


# -- query classes ------------------------------------------------------------------------


def _doc_freq(corpus: Corpus, rank: int) -> float:
    """Expected share of clips that contain the word of this rank (0-based)."""
    weights = corpus.word_weights
    p = (weights[rank] - (weights[rank - 1] if rank else 0.0)) / weights[-1]
    return 1.0 - (1.0 - p) ** WORDS_PER_CLIP


def query_classes(corpus: Corpus, rng: random.Random) -> dict[str, list[str]]:
    """Queries for each class, different words each run so no cache makes them easy."""
    words = corpus.words
    by_share = [(rank, _doc_freq(corpus, rank)) for rank in range(len(words))]
    common = [words[r] for r, share in by_share if 0.80 <= share <= 0.95]
    medium = [words[r] for r, share in by_share if 0.05 <= share <= 0.30]
    rare = [words[r] for r, share in by_share if 0.0005 <= share <= 0.003]
    frequent = [words[r] for r, share in by_share if 0.4 <= share <= 0.99]
    tags = corpus.tags[20:120]
    n = RUNS_PER_CLASS
    return {
        "rare_word": rng.sample(rare, n),
        "common_word": [rng.choice(common) for _ in range(n)],
        "two_words": [f"{rng.choice(medium)} {rng.choice(medium)}" for _ in range(n)],
        "phrase": [f'"{rng.choice(frequent)} {rng.choice(frequent)}"' for _ in range(n)],
        "prefix": [f"{rng.choice(medium)[:4]}*" for _ in range(n)],
        "tag_and_word": [f"tag:{rng.choice(tags)} {rng.choice(frequent)}" for _ in range(n)],
        "site": [f"site:{rng.choice(corpus.sites[:100])[0]}" for _ in range(n)],
    }


def _percentiles(runs: list[float]) -> dict[str, float]:
    ordered = sorted(runs)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(ordered[-1], 2),
    }


def _time_class(queries: list[str], call: Callable[[str], int]) -> dict[str, Any]:
    call(queries[0])  # one untimed call: the first use of a statement compiles it
    runs: list[float] = []
    hits: list[int] = []
    for text in queries:
        t = time.perf_counter()
        hits.append(call(text))
        runs.append((time.perf_counter() - t) * 1000)
    return {**_percentiles(runs), "hits": round(statistics.median(hits))}


def page_call(lib: Library) -> Callable[[str], int]:
    """The first page of ranked results with snippets; returns the total."""

    def run(text: str) -> int:
        page = lib.search(text, limit=PAGE)
        if page.total and page.query and page.query.positive:
            assert any(c.snippet for c in page.clips), f"no snippets for {text!r}"
        return page.total

    return run


def window_call(lib: Library) -> Callable[[str], int]:
    """What the list model does on a new search: the id order, then the first block of rows."""

    def run(text: str) -> int:
        ids = lib.search_ids(text)
        lib.get_many(ids[:BLOCK])
        return len(ids)

    return run


def measure(lib: Library, corpus: Corpus) -> dict[str, dict[str, dict[str, Any]]]:
    """Latency per query class for the page call and the window call."""
    classes = query_classes(corpus, random.Random(SEED + 1))
    result: dict[str, dict[str, dict[str, Any]]] = {"search": {}, "window": {}}
    for name, queries in classes.items():
        result["search"][name] = _time_class(queries, page_call(lib))
        result["window"][name] = _time_class(queries, window_call(lib))
        print(f"  {name}: {result['search'][name]}", file=sys.stderr, flush=True)
    return result


def markdown_table(figures: dict[str, Any]) -> str:
    """The search figures as a Markdown table."""
    lines = [
        "| query class | hits | page p50 | page p95 | page max | window p50 | window p95 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, page in figures["search"].items():
        win = figures["window"][name]
        lines.append(
            f"| {name} | {page['hits']} | {page['p50_ms']} | {page['p95_ms']} | "
            f"{page['max_ms']} | {win['p50_ms']} | {win['p95_ms']} |"
        )
    return "\n".join(lines)


def default_library(clips: int) -> Path:
    """Where a library of ``clips`` synthetic clips is kept between runs (outside the repo)."""
    return Path(tempfile.gettempdir()) / "clipper-bench" / f"scale-{clips}.sqlite3"


def build_or_reuse(path: Path, clips: int) -> dict[str, Any]:
    """Open the library at ``path``, add clips until it has ``clips``; the build figures."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with Library(path) as lib:
        have = lib.count()
        built = max(0, clips - have)
        spent = build(lib, make_corpus(), clips, start=have) if built else 0.0
        stats = lib.stats()
    return {
        "clips": stats["clips"],
        "built": built,
        "build_s": round(spent, 1),
        "clips_per_s": round(built / spent, 1) if spent else None,
        "bytes_per_clip": stats["bytes"] // max(stats["clips"], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=10_000)
    parser.add_argument(
        "--library", type=Path, help="built once, reused afterwards (default: in the temp folder)"
    )
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    parser.add_argument("--no-search", action="store_true", help="only build the library")
    args = parser.parse_args()
    path = args.library or default_library(args.clips)
    figures = build_or_reuse(path, args.clips)
    if not args.no_search:
        with Library(path) as lib:
            figures.update(measure(lib, make_corpus()))
    print(json.dumps(figures, indent=2))
    if args.markdown:
        print(markdown_table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
