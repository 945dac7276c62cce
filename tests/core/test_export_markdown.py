"""Markdown export: front matter, body, file names, never overwriting."""

from __future__ import annotations

import os
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from clipper.core.article import Article
from clipper.core.export.filenames import safe_filename, unique_path
from clipper.core.export.markdown import clip_to_markdown, export_markdown, yaml_scalar
from clipper.core.library import Library

HTML = (
    "<h2>Background</h2><p>The <em>snake_case_name</em> stays and <strong>bold</strong> text.</p>"
    "<ul><li>one</li><li>two</li></ul><pre><code class='language-python'>print('hi')</code></pre>"
)


def make_clip(tmp_path: Path, title: str = "Title: with colon", **kw: object):  # type: ignore[no-untyped-def]
    lib = Library(tmp_path / "lib.sqlite3")
    art = Article(
        title=title,
        html=HTML,
        text="Background\n\nThe snake_case_name stays and bold text.",
        url="https://example.com/a",
        author="Ann Lee",
        date="2024-03-01",
        site="Example",
        description='She said "hi"',
        **kw,  # type: ignore[arg-type]
    )
    clip = lib.add(art, tags=["research", "to read"]).clip
    lib.close()
    return clip


def parse_front_matter(text: str) -> dict[str, object]:
    """Read back the YAML subset we write (scalars and one-level lists) without PyYAML."""
    head = text.split("---\n")[1]
    out: dict[str, object] = {}
    key = ""
    for line in head.splitlines():
        if line.startswith("  - "):
            out.setdefault(key, []).append(line[4:])  # type: ignore[union-attr]
        else:
            key, _, value = line.partition(": ")
            key = key.rstrip(":")
            if value:
                out[key] = value
    return out


def test_front_matter_and_body(tmp_path: Path) -> None:
    md = clip_to_markdown(make_clip(tmp_path))
    assert md.startswith("---\n")
    fm = parse_front_matter(md)
    assert fm["title"] == '"Title: with colon"'
    assert fm["url"] == '"https://example.com/a"'
    assert fm["date"] == "2024-03-01"
    assert fm["author"] == "Ann Lee"
    assert fm["tags"] == ["research", "to read"]
    assert fm["description"] == '"She said \\"hi\\""'
    assert re.search(r"^clipped: \"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\"$", md, re.M)
    body = md.split("---\n", 2)[2]
    assert "## Background" in body
    assert "snake_case_name" in body and "\\_" not in body
    assert "```python\nprint('hi')\n```" in body


def test_yaml_scalars_are_unambiguous() -> None:
    assert yaml_scalar("plain words") == "plain words"
    for tricky in ("yes", "null", "123", "1e5", "- x", "a: b", "#tag", "[x]", "{y}", "trailing "):
        assert yaml_scalar(tricky).startswith('"')


def test_export_never_overwrites(tmp_path: Path) -> None:
    clip = make_clip(tmp_path, title="Same")
    out = tmp_path / "out"
    first = export_markdown([clip], out)
    second = export_markdown([clip, clip], out)
    assert [p.name for p in first + second] == ["Same.md", "Same (2).md", "Same (3).md"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files left


def test_template(tmp_path: Path) -> None:
    clip = make_clip(tmp_path, title="A/B test")
    [path] = export_markdown([clip], tmp_path / "o", template="{date} {title} {nonsense}")
    assert path.name == "2024-03-01 A B test.md"


@given(st.text(max_size=400))
@settings(max_examples=400, deadline=None)
def test_safe_filename_is_always_safe(name: str) -> None:
    safe = safe_filename(name)
    assert safe and safe == safe.strip(" .")
    assert len(safe.encode("utf-8")) <= 200
    assert not re.search(r'[<>:"/\\|?*\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]', safe)
    assert safe.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}
    assert safe not in (".", "..")


def test_safe_filename_examples(tmp_path: Path) -> None:
    assert safe_filename("../../etc/passwd") == "etc passwd"
    assert safe_filename("CON") == "_CON"
    assert safe_filename("con.txt") == "_con.txt"
    assert safe_filename("\u202egpj.exe") == "gpj.exe"
    assert safe_filename("   ") == "Untitled"
    long = safe_filename("日本語" * 200)
    assert len(long.encode()) <= 200
    (tmp_path / f"{long}.md").write_text("ok")  # really creatable here
    assert unique_path(tmp_path, long, ".md").name == f"{long} (2).md"
    assert os.path.exists(tmp_path / f"{long}.md")


def test_front_matter_fields_come_from_the_request(tmp_path: Path) -> None:
    from clipper.core.export.batch import ExportRequest, export_clips

    clip = make_clip(tmp_path, title="Chosen fields")
    lib = Library(tmp_path / "lib.sqlite3")
    request = ExportRequest(ids=[clip.id], folder=tmp_path / "o", fields=["title", "tags", "id"])
    [path] = export_clips(lib, request)
    lib.close()
    head = path.read_text().split("---\n")[1]
    assert [line.split(":")[0] for line in head.splitlines() if not line.startswith(" ")] == [
        "title",
        "tags",
        "id",
    ]
