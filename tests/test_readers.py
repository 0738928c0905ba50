"""Readers: .txt, .html and .jsonl files in, Documents or named InputErrors out; one bad file never stops a batch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from armsgraph.errors import InputError, MalformedInput, UnreadableInput
from armsgraph.ingest.readers import read_paths
from armsgraph.model import Document

MAX = 1_000_000
HEADLINE = "Roketsan opens missile plant in Azerbaijan"
P1 = "The Turkish missile maker Roketsan has opened a production plant near Baku, the company said on Tuesday."
P2 = "The plant will assemble artillery rockets for the Azerbaijani army and employ about three hundred workers."
P3 = "Officials from both countries said further projects in ammunition and air defence were under discussion."
CAPTION = "Workers at the new Roketsan plant near Baku (AA)"

HTML = f"""<!DOCTYPE html>
<html><head><title>{HEADLINE} | Example Defence News</title>
<meta property="article:published_time" content="2024-03-05T09:00:00Z">
<script>var promo = "Subscribe to the tracking newsletter for every reader";</script></head>
<body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World politics desk today</a></li>
<li><a href="/defence">Defence and security desk</a></li></ul></nav></header>
<div class="cookie-banner">We use cookies to improve your experience on this website. Accept all cookies</div>
<article><h1>{HEADLINE}</h1>
<p>{P1}</p>
<p>{P2}</p>
<figure><img src="plant.jpg" alt="plant"><figcaption>{CAPTION}</figcaption></figure>
<p>{P3}</p>
</article>
<aside><h3>Related news</h3><ul>
<li><a href="/a">Football club wins the national championship after a dramatic final</a> March 1, 2024</li>
<li><a href="/b">Heavy snow closes mountain roads across the northern provinces</a> February 28, 2024</li>
</ul></aside>
<section class="comments"><h3>Comments</h3><form><textarea>Write your comment here please</textarea></form></section>
<footer>Copyright 2024 Example Defence News. All rights reserved. Privacy policy and terms of use.</footer>
<script>console.log("analytics loaded for the reader of this page");</script>
</body></html>
"""


def docs_and_errors(paths: list[Path], max_bytes: int = MAX) -> tuple[list[Document], list[InputError]]:
    items = list(read_paths(paths, max_bytes))
    assert all(isinstance(x, Document | InputError) for x in items)
    return [x for x in items if isinstance(x, Document)], [x for x in items if isinstance(x, InputError)]


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# ------------------------------------------------------------------ good inputs
def test_txt_file_becomes_one_cleaned_document(tmp_path: Path) -> None:
    f = write(tmp_path / "az-plant.txt", f"Skip to content\n{HEADLINE}\nBy John Smith\nMarch 4, 2024\n\n{P1}\n\n{P2}\n")
    docs, errors = docs_and_errors([f])
    assert errors == []
    [doc] = docs
    assert doc.doc_id == "az-plant"
    assert doc.source == str(f)
    assert doc.title == HEADLINE
    assert doc.published == "2024-03-04"
    assert doc.text == f"{HEADLINE}\n{P1}\n{P2}"


def test_html_file_keeps_the_article_and_drops_the_page(tmp_path: Path) -> None:
    [doc], errors = docs_and_errors([write(tmp_path / "page.html", HTML)])
    assert errors == []
    assert doc.doc_id == "page"
    assert doc.title == HEADLINE
    assert doc.published == "2024-03-05"
    assert doc.text.split("\n")[0] == HEADLINE
    for p in (P1, P2, P3):
        assert p in doc.text
    for junk in ("Home", "World politics", "cookies", "Football", "snow", "comment", "Copyright", "analytics",
                 "promo", "Example Defence News"):
        assert junk not in doc.text


def test_html_figure_caption_is_kept(tmp_path: Path) -> None:
    [doc], _ = docs_and_errors([write(tmp_path / "page.html", HTML)])
    assert CAPTION in doc.text
    assert doc.zone_at(doc.text.index(CAPTION)) == "caption"


def test_jsonl_records_with_text_and_with_html(tmp_path: Path) -> None:
    lines = [
        {"id": "rec-1", "url": "https://news.example.org/1", "title": HEADLINE, "published": "2024-03-05T10:00:00",
         "text": f"{P1}\n\n{P2}"},
        {"id": "rec-2", "url": "https://news.example.org/2", "title": HEADLINE, "published": "2024-03-06",
         "html": HTML},
    ]
    f = write(tmp_path / "feed.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    docs, errors = docs_and_errors([f])
    assert errors == []
    assert [d.doc_id for d in docs] == ["rec-1", "rec-2"]
    first, second = docs
    assert first.text == f"{HEADLINE}\n{P1}\n{P2}"
    assert (first.title, first.url, first.published, first.published_source) == (
        HEADLINE, "https://news.example.org/1", "2024-03-05", "metadata")
    assert P1 in second.text and "Football" not in second.text
    assert (second.url, second.published) == ("https://news.example.org/2", "2024-03-06")


def test_jsonl_html_record_takes_its_title_from_the_record(tmp_path: Path) -> None:
    fragment = f"<div><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>"
    rec = {"id": "rec-3", "title": HEADLINE, "published": "2024-03-06", "html": fragment}
    [doc], _ = docs_and_errors([write(tmp_path / "feed.jsonl", json.dumps(rec) + "\n")])
    assert doc.title == HEADLINE
    assert doc.text.split("\n")[0] == HEADLINE


def test_jsonl_without_id_numbers_records_by_line(tmp_path: Path) -> None:
    f = write(tmp_path / "feed.jsonl", "\n" + json.dumps({"text": f"{P1}\n{P2}"}) + "\n")
    [doc], _ = docs_and_errors([f])
    assert doc.doc_id == "feed-2"


@pytest.mark.parametrize(("bad_line", "why"), [
    ('{"id": "broken", "text": "unterminated', "bad JSONL record"),
    ("[1, 2, 3]", "not a JSON object"),
    ('{"id": "empty", "title": "No body here"}', "neither 'text' nor 'html'"),
])
def test_bad_jsonl_line_is_an_error_for_that_line_only(tmp_path: Path, bad_line: str, why: str) -> None:
    good = [json.dumps({"id": f"ok-{i}", "text": f"{P1}\n{P2}"}) for i in (1, 2)]
    f = write(tmp_path / "feed.jsonl", "\n".join([good[0], bad_line, good[1]]) + "\n")
    docs, errors = docs_and_errors([f])
    assert [d.doc_id for d in docs] == ["ok-1", "ok-2"]
    [err] = errors
    assert isinstance(err, MalformedInput)
    assert f"{f}:2" in str(err)
    assert why in str(err)


@pytest.mark.parametrize("encoding", [
    "utf-8", "utf-8-sig",
    "cp1254",
])
def test_turkish_text_decodes_in_common_encodings(tmp_path: Path, encoding: str) -> None:
    body = ("Türkiye'nin savunma sanayii şirketi ASELSAN, Azerbaycan'da yeni bir üretim tesisi kuracağını "
            "açıkladı. Şirket yöneticisi, tesisin gelecek yıl faaliyete geçeceğini söyledi.")
    text = f"ASELSAN Azerbaycan'da tesis kuruyor\n{body}\n{body}\n"
    [doc], errors = docs_and_errors([write(tmp_path / "tr.txt", text.encode(encoding))])
    assert errors == []
    assert body in doc.text


def test_folder_is_read_recursively_in_a_stable_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    write(tmp_path / "b" / "z.txt", f"{HEADLINE}\n{P1}\n{P2}")
    write(tmp_path / "a.txt", f"{HEADLINE}\n{P2}\n{P3}")
    write(tmp_path / "notes.pdf", "not an article")
    docs, errors = docs_and_errors([tmp_path])
    assert errors == []
    assert [d.doc_id for d in docs] == ["a", "z"]


# ------------------------------------------------------------------ bad inputs
@pytest.mark.parametrize(("name", "content", "reason"), [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b" \n\t\n  ", "empty"),
    ("binary.txt", b"PK\x03\x04\x00\x00\x08\x00" + bytes(range(256)), "binary"),
    ("huge.txt", b"Roketsan builds plants. " * 100, "limit"),
    ("scan.pdf", b"%PDF-1.7 a scanned article", "unsupported file type"),
    ("menu.txt", b"Skip to content\nAdvertisement\nShare\n", "no article text"),
    ("broken.html", b"<html><body><nav>Home</nav></body></html>", "no article text"),
])
def test_bad_file_is_an_error_naming_it_and_the_batch_goes_on(tmp_path: Path, name: str, content: bytes,
                                                              reason: str) -> None:
    good1 = write(tmp_path / "good1.txt", f"{HEADLINE}\n{P1}\n{P2}")
    bad = write(tmp_path / name, content)
    good2 = write(tmp_path / "good2.txt", f"{HEADLINE}\n{P2}\n{P3}")
    docs, errors = docs_and_errors([good1, bad, good2], max_bytes=1000)
    assert [d.doc_id for d in docs] == ["good1", "good2"]
    [err] = errors
    assert isinstance(err, UnreadableInput | MalformedInput)
    assert name in str(err)
    assert reason in str(err)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    docs, [err] = docs_and_errors([tmp_path / "nowhere.txt"])
    assert docs == []
    assert isinstance(err, UnreadableInput)
    assert "nowhere.txt" in str(err)


def test_folder_without_articles_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "image.png", b"\x89PNG")
    docs, [err] = docs_and_errors([tmp_path])
    assert docs == []
    assert str(tmp_path) in str(err)


def test_error_message_ends_with_what_to_do(tmp_path: Path) -> None:
    [err] = docs_and_errors([write(tmp_path / "empty.txt", b"")])[1]
    assert err.source == str(tmp_path / "empty.txt")
    assert err.hint and f"({err.hint})" in str(err)


def test_invalid_utf8_is_decoded_not_rejected(tmp_path: Path) -> None:
    raw = f"{HEADLINE}\n{P1}\n{P2}\n".encode() + b"Caf\xe9 owners near the plant welcomed the new jobs.\n"
    [doc], errors = docs_and_errors([write(tmp_path / "latin.txt", raw)])
    assert errors == []
    assert P1 in doc.text
