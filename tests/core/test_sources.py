"""Inputs before extraction: decoding, files, saved pages (MHTML), pastes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clipper.core import sources
from clipper.core.encoding import decode_html, decode_text, normalize_charset
from clipper.core.errors import SourceError
from clipper.core.sources import (
    HTML,
    MARKDOWN,
    MHTML,
    TEXT,
    document_from_bytes,
    document_from_paste,
    document_from_text,
    file_url_to_path,
    html_of,
    load_file,
    parse_mhtml,
    text_of,
)

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
MHTML_URL = "https://www.kitchen-notes.example.com/coffee/pour-over-basics"
JAPANESE = (
    "鉄道会社の担当者は「速さではなく、時間そのものを楽しんでもらう列車にしたかった」と話す。"
)
RUSSIAN = "Сейчас в городе уже больше тридцати таких дворов."


# --- encoding ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("ISO-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("US-ASCII", "cp1252"),
        ("Shift_JIS", "cp932"),
        ("x-sjis", "cp932"),
        ("windows-1251", "cp1251"),
        ("UTF8", "utf-8"),
        (" 'utf-8' ", "utf-8"),
        ("gb2312", "gb18030"),
        ("no-such-charset", None),
        ("base64", None),  # a bytes-to-bytes codec is not a text encoding
        ("utf-7", None),  # refused, as browsers do
        ("", None),
        (None, None),
    ],
)
def test_charset_labels_map_the_whatwg_way(label: str | None, codec: str | None) -> None:
    assert normalize_charset(label) == codec


def test_meta_charset_is_used() -> None:
    body = '<html><head><meta charset="windows-1251"></head><p>Привет, мир</p>'.encode("cp1251")
    assert decode_html(body) == (
        '<html><head><meta charset="windows-1251"></head><p>Привет, мир</p>',
        "cp1251",
    )


def test_http_equiv_charset_is_used() -> None:
    html = (
        '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"><p>日本語の文章</p>'
    )
    text, codec = decode_html(html.encode("cp932"))
    assert codec == "cp932" and "日本語の文章" in text


def test_http_charset_wins_over_meta() -> None:
    body = '<meta charset="iso-8859-1"><p>Grüße aus Köln</p>'.encode()
    assert decode_html(body, "utf-8") == (
        '<meta charset="iso-8859-1"><p>Grüße aus Köln</p>',
        "utf-8",
    )


def test_bom_wins_over_contradicting_meta_and_is_not_kept() -> None:
    body = b"\xef\xbb\xbf" + '<meta charset="windows-1252"><p>café \u2013 crème</p>'.encode()
    text, codec = decode_html(body, "iso-8859-1")
    assert codec == "utf-8"
    assert text == '<meta charset="windows-1252"><p>café \u2013 crème</p>'


def test_utf16_bom() -> None:
    body = "\ufeff<p>naïve</p>".encode("utf-16-le")
    assert decode_html(body) == ("<p>naïve</p>", "utf-16-le")


def test_latin1_label_decodes_as_windows_1252() -> None:
    # 0x93/0x94 are curly quotes in windows-1252 but C1 controls in real ISO-8859-1.
    text, _ = decode_html(b'<meta charset="iso-8859-1"><p>\x93Hello\x94</p>')
    assert "“Hello”" in text


def test_a_page_saved_after_its_utf8_was_read_as_latin1_is_read_as_written() -> None:
    written = "<p>Don\u2019t \u2013 caf\u00e9 for \u20ac5 \U0001f600</p>"
    for misread in ("latin-1", "cp1252"):  # "Donâ\x80\x99t" and "Donâ€™t"
        assert decode_html(written.encode().decode(misread).encode(), "utf-8")[0] == written


def test_a_stray_accented_pair_is_not_taken_for_misread_utf8() -> None:
    body = "<p>\u00c2\u00a9 \u00c3cme 2024, S\u00c3O PAULO \u2013 caf\u00e9</p>".encode()
    assert decode_html(body, "utf-8")[0] == body.decode()


def test_meta_charset_inside_a_comment_is_ignored() -> None:
    body = '<!-- <meta charset="koi8-r"> --><p>Ünïcödé</p>'.encode()
    assert decode_html(body)[1] == "utf-8"


def test_utf16_meta_means_utf8() -> None:
    assert decode_html('<meta charset="utf-16"><p>é</p>'.encode())[1] == "utf-8"


def test_undeclared_page_is_guessed() -> None:
    text = "В городе появились новые сады, и жители рады переменам. " * 8  # noqa: RUF001
    decoded, codec = decode_html(f"<p>{text}</p>".encode("cp1251"))
    assert codec == "cp1251"
    assert text in decoded


@pytest.mark.parametrize(
    "junk",
    [b"", b"\x00\xff\xfe\x80\x81", bytes(range(256)), b"\xff\xfe\x00", b"<meta charset=\xff\xfe>"],
)
def test_junk_bytes_never_raise(junk: bytes) -> None:
    text, codec = decode_html(junk, "utf-16")
    assert isinstance(text, str) and codec
    assert isinstance(decode_html(junk)[0], str)
    assert isinstance(decode_text(junk, "bogus"), str)


def test_decode_text_order() -> None:
    assert decode_text("Grüße\n".encode("utf-16"), None) == "Grüße\n"
    assert decode_text("Grüße\n".encode(), "latin-1") == "GrÃ¼ÃŸe\n"  # declared wins
    assert decode_text("Grüße\n".encode()) == "Grüße\n"
    russian = "Это обычный русский текст для проверки кодировки. " * 5
    assert decode_text(russian.encode("cp1251")) == russian


def test_shift_jis_fixture_decodes() -> None:
    text, codec = decode_html((PAGES / "shift_jis.html").read_bytes())
    assert codec == "cp932"
    assert JAPANESE in text


def test_windows_1251_fixture_decodes_from_meta_only() -> None:
    text, codec = decode_html((PAGES / "windows-1251.html").read_bytes())
    assert codec == "cp1251"
    assert RUSSIAN in text


# --- documents --------------------------------------------------------------------------


def test_document_from_bytes_reads_content_type_parameters() -> None:
    doc = document_from_bytes(b"<p>x</p>", "Text/HTML; charset=Shift_JIS", url="https://a.example/")
    assert (doc.content_type, doc.charset, doc.url, doc.origin) == (
        HTML,
        "Shift_JIS",
        "https://a.example/",
        "url",
    )
    assert document_from_bytes(b"<p/>", "application/xhtml+xml").content_type == HTML
    assert document_from_bytes(b"# x", "text/x-markdown").content_type == MARKDOWN


def test_document_from_bytes_refuses_other_types() -> None:
    with pytest.raises(SourceError, match="application/pdf"):
        document_from_bytes(b"%PDF-1.7", "application/pdf")
    with pytest.raises(SourceError, match="application/octet-stream"):
        document_from_bytes(b"\x00\x01binary", "application/octet-stream")


@pytest.mark.parametrize("content_type", ["", "application/octet-stream"])
def test_document_from_bytes_sniffs_untyped_pages(content_type: str) -> None:
    doc = document_from_bytes(b"<!doctype html><html><body><p>x</p></body></html>", content_type)
    assert doc.content_type == HTML


def test_paste_and_text_are_utf8() -> None:
    doc = document_from_paste("<p>Grüße</p>", url="https://a.example/p")
    assert (doc.body, doc.charset, doc.origin, doc.content_type) == (
        "<p>Grüße</p>".encode(),
        "utf-8",
        "paste",
        HTML,
    )
    assert html_of(doc) == "<p>Grüße</p>"
    note = document_from_text("Ein kurzer Text")
    assert (note.content_type, text_of(note), note.url) == (TEXT, "Ein kurzer Text", None)


def test_paste_ignores_a_contradicting_meta_charset() -> None:
    doc = document_from_paste('<meta charset="windows-1251"><p>Grüße</p>')
    assert "Grüße" in html_of(doc)


def test_html_of_and_text_of_refuse_the_wrong_kind() -> None:
    with pytest.raises(ValueError):
        html_of(document_from_text("x"))
    with pytest.raises(ValueError):
        text_of(document_from_paste("<p>x</p>"))


# --- files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("page.html", HTML),
        ("PAGE.HTM", HTML),
        ("page.xhtml", HTML),
        ("page.mht", MHTML),
        ("notes.TXT", TEXT),
        ("notes.md", MARKDOWN),
        ("notes.markdown", MARKDOWN),
    ],
)
def test_load_file_by_extension(tmp_path: Path, name: str, kind: str) -> None:
    path = tmp_path / name
    data = (PAGES / "saved.mhtml").read_bytes() if kind == MHTML else b"<p>hello</p>"
    path.write_bytes(data)
    doc = load_file(path)
    assert (doc.content_type, doc.origin, doc.name, doc.body) == (kind, "file", name, data)


def test_load_file_sniffs_html_without_extension(tmp_path: Path) -> None:
    page = tmp_path / "download"
    page.write_bytes(
        b"\n  <!DOCTYPE html>\n<html><head><title>x</title></head><body></body></html>"
    )
    assert load_file(page).content_type == HTML
    fragment = tmp_path / "fragment.php"
    fragment.write_bytes(b"<div><p>One</p><p>Two</p></div>")
    assert load_file(fragment).content_type == HTML


def test_load_file_refuses_other_files(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    with pytest.raises(SourceError) as caught:
        load_file(pdf)
    assert str(caught.value) == (
        "Clipper can clip web pages (.html, .mhtml) and text (.txt, .md); "
        "report.pdf is not one of them."
    )


def test_load_file_missing(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        load_file(tmp_path / "gone.html")
    assert str(caught.value) == f"{tmp_path / 'gone.html'} does not exist."


def test_load_file_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        load_file(tmp_path)
    assert str(caught.value) == f"{tmp_path} is a folder, not a file."


def test_load_file_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 2 * 1024 * 1024)
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>" + b"x" * (3 * 1024 * 1024))
    with pytest.raises(
        SourceError, match=r"big\.html is too large to clip \(3 MB; the limit is 2 MB\)"
    ):
        load_file(big)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_load_file_unreadable(tmp_path: Path) -> None:
    locked = tmp_path / "locked.html"
    locked.write_bytes(b"<p>secret</p>")
    locked.chmod(0)
    with pytest.raises(SourceError, match="not allowed to read"):
        load_file(locked)


def test_saved_from_comment_gives_the_url(tmp_path: Path) -> None:
    page = tmp_path / "saved.html"
    page.write_bytes(
        b"<!DOCTYPE html>\r\n"
        b"<!-- saved from url=(0041)https://blog.example.org/posts/hello.html -->\r\n"
        b"<html><body><p>hi</p></body></html>"
    )
    assert load_file(page).url == "https://blog.example.org/posts/hello.html"
    assert load_file(PAGES / "news.html").url is None  # canonical is read by extraction


def test_load_text_fixtures() -> None:
    note = load_file(PAGES / "note.txt")
    assert (note.content_type, note.name) == (TEXT, "note.txt")
    assert text_of(note).startswith("Ideas for the garden shed\n")
    assert text_of(load_file(PAGES / "note.md")).startswith("# Reading list")


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("file:///home/x/a%20b.html", "/home/x/a b.html"),
        ("file:///home/x/caf%C3%A9%20%E6%97%A5%E6%9C%AC.html", "/home/x/café 日本.html"),
        ("file:///home/x/café.html", "/home/x/café.html"),
        ("file://localhost/tmp/page.mhtml", "/tmp/page.mhtml"),
        ("FILE:///tmp/100%25.txt", "/tmp/100%.txt"),
    ],
)
@pytest.mark.skipif(os.name != "posix", reason="POSIX paths")
def test_file_url_to_path(url: str, path: str) -> None:
    assert file_url_to_path(url) == Path(path)


@pytest.mark.parametrize(
    "url", ["https://example.org/a.html", "about:blank", "/home/x/a.html", "file://server/share/a"]
)
@pytest.mark.skipif(os.name != "posix", reason="POSIX paths")
def test_file_url_to_path_other_urls(url: str) -> None:
    assert file_url_to_path(url) is None


# --- MHTML ------------------------------------------------------------------------------


def test_mhtml_fixture() -> None:
    doc = load_file(PAGES / "saved.mhtml")
    assert (doc.content_type, doc.url) == (MHTML, MHTML_URL)
    html = html_of(doc)
    assert html.startswith("<!DOCTYPE html>")
    assert "Chloé Durand" in html  # quoted-printable UTF-8 decoded with the meta charset
    assert "five things that matter \u2013 Kitchen Notes" in html
    assert "font-family" not in html  # the CSS part is not the page


def test_parse_mhtml_returns_the_page_part() -> None:
    html, charset, location = parse_mhtml((PAGES / "saved.mhtml").read_bytes())
    assert location == MHTML_URL
    assert charset is None  # Chrome declares it in the page's <meta>, not the part
    assert b"Chlo\xc3\xa9 Durand" in html
    assert b"=3D" not in html


def _mhtml(parts: list[tuple[str, str, str]], snapshot: str) -> bytes:
    boundary = "----MultipartBoundary--test----"
    head = (
        f"From: <Saved by Blink>\r\nSnapshot-Content-Location: {snapshot}\r\n"
        f'MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype="text/html";\r\n'
        f'\tboundary="{boundary}"\r\n\r\n'
    )
    body = "".join(
        f"--{boundary}\r\nContent-Type: {kind}\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        f"Content-Location: {location}\r\n\r\n{payload}\r\n"
        for kind, location, payload in parts
    )
    return (head + body + f"--{boundary}--\r\n").encode()


def test_mhtml_root_is_the_snapshot_location_not_the_first_frame() -> None:
    data = _mhtml(
        [
            ("text/html", "https://ads.example/frame.html", "<p>an ad frame</p>"),
            ("text/html; charset=windows-1251", "https://a.example/main", "<p>=D0=F3=F1=FC</p>"),
        ],
        snapshot="https://a.example/main",
    )
    html, charset, location = parse_mhtml(data)
    assert (html, charset, location) == (
        b"<p>\xd0\xf3\xf1\xfc</p>",
        "windows-1251",
        "https://a.example/main",
    )
    doc = document_from_bytes(data, "multipart/related")
    assert doc.url == "https://a.example/main"
    assert html_of(doc) == "<p>Русь</p>"


def test_mhtml_without_a_page_is_refused() -> None:
    data = _mhtml([("image/png", "https://a.example/x.png", "abc")], snapshot="https://a.example/")
    with pytest.raises(SourceError, match="no web page"):
        parse_mhtml(data)
    with pytest.raises(SourceError, match="damaged"):
        parse_mhtml(b"this is not an archive at all")
