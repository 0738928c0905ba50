"""Sources: zips, stdin, URLs, RSS/Atom feeds and WARC/ARC archives expanded into leaf inputs, failures named."""

from __future__ import annotations

import gzip
import http.server
import io
import json
import socket
import struct
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from armsgraph.errors import InputError, MalformedInput, UnreadableInput
from armsgraph.ingest import sources
from armsgraph.ingest.readers import read_paths
from armsgraph.ingest.sources import RawInput, iter_inputs
from armsgraph.model import Document

MAX = 1_000_000
HEADLINE = "Roketsan opens missile plant in Azerbaijan"
P1 = "The Turkish missile maker Roketsan has opened a production plant near Baku, the company said on Tuesday."
P2 = "The plant will assemble artillery rockets for the Azerbaijani army and employ about three hundred workers."
P3 = "Officials from both countries said further projects in ammunition and air defence were under discussion."
HTML = (f"<html><head><title>{HEADLINE}</title></head><body><article><h1>{HEADLINE}</h1>"
        f"<p>{P1}</p><p>{P2}</p><p>{P3}</p></article></body></html>")
TEXT = f"{HEADLINE}\n\n{P1}\n\n{P2}\n"
CRAWL_DATE = "2023-01-02T03:04:05Z"


def inputs(*paths: str | Path, max_bytes: int = MAX) -> tuple[list[RawInput], list[InputError]]:
    items = list(iter_inputs(list(paths), max_bytes))
    assert all(isinstance(x, RawInput | InputError) for x in items)
    return [x for x in items if isinstance(x, RawInput)], [x for x in items if isinstance(x, InputError)]


def docs_and_errors(*paths: str | Path, max_bytes: int = MAX) -> tuple[list[Document], list[InputError]]:
    items = list(read_paths(list(paths), max_bytes))
    return [x for x in items if isinstance(x, Document)], [x for x in items if isinstance(x, InputError)]


def make_zip(path: Path, members: dict[str, bytes | str], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, content in members.items():
            zf.writestr(zipfile.ZipInfo(name) if name.endswith("/") else name, content)
    return path


def rss(*items: str, title: str = "Defence Wire") -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>{title}</title><link>https://wire.example.org/</link>{''.join(items)}</channel></rss>")


def item(title: str, link: str, *, content: str | None = None, description: str | None = None,
         guid: str | None = None, date: str = "Tue, 05 Mar 2024 09:00:00 GMT", author: str | None = None) -> str:
    parts = [f"<title>{title}</title>", f"<link>{link}</link>", f"<pubDate>{date}</pubDate>"]
    if guid:
        parts.append(f"<guid>{guid}</guid>")
    if author:
        parts.append(f"<author>{author}</author>")
    if description is not None:
        parts.append(f"<description><![CDATA[{description}]]></description>")
    if content is not None:
        parts.append(f"<content:encoded><![CDATA[{content}]]></content:encoded>")
    return f"<item>{''.join(parts)}</item>"


def atom(*entries: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Atom Wire</title><id>urn:atom-wire</id><updated>2024-03-07T00:00:00Z</updated>"
            f"{''.join(entries)}</feed>")


# ------------------------------------------------------------------ zip archives
def test_zip_members_of_every_kind_in_archive_order(tmp_path: Path) -> None:
    records = "\n".join(json.dumps({"id": f"rec-{i}", "text": TEXT}) for i in (1, 2)) + "\n"
    archive = make_zip(tmp_path / "batch.zip", {
        "a/": b"", "a/first.txt": TEXT, "a/second.html": HTML, "notes.pdf": b"%PDF", "lines.jsonl": records,
        "wire.rss": rss(item("From the feed", "https://wire.example.org/x", content=f"<p>{P1}</p>")),
    })
    leaves, errors = inputs(archive)
    assert errors == []
    assert [(x.source, x.doc_id, x.kind) for x in leaves] == [
        (f"{archive}:a/first.txt", "first", "text"),
        (f"{archive}:a/second.html", "second", "html"),
        (f"{archive}:lines.jsonl", "lines", "jsonl"),
        (f"{archive}:wire.rss#1", "x", "html"),
    ]
    assert leaves[0].data == TEXT.encode()
    docs, errors = docs_and_errors(archive)
    assert errors == []
    assert [d.doc_id for d in docs] == ["first", "second", "rec-1", "rec-2", "x"]
    assert docs[4].title == "From the feed"


def test_corrupt_zip_is_one_malformed_input(tmp_path: Path) -> None:
    good = make_zip(tmp_path / "good.zip", {"a.txt": TEXT}).read_bytes()
    bad = tmp_path / "bad.zip"
    bad.write_bytes(good[: len(good) // 2])
    leaves, [err] = inputs(bad)
    assert leaves == []
    assert isinstance(err, MalformedInput)
    assert str(bad) in str(err) and "zip" in str(err)


def test_zip_member_over_the_limit_is_refused_and_the_rest_is_read(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "big.zip", {"a.txt": TEXT, "huge.txt": "x" * 5000, "b.txt": TEXT})
    leaves, [err] = inputs(archive, max_bytes=1000)
    assert [x.doc_id for x in leaves] == ["a", "b"]
    assert isinstance(err, UnreadableInput)
    assert f"{archive}:huge.txt" in str(err) and "limit" in str(err)


def test_zip_bomb_is_refused_without_inflating_it(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "bomb.zip", {"zeros.txt": b"\0" * 20_000_000})
    assert archive.stat().st_size < 100_000
    _, [err] = inputs(archive, max_bytes=1_000_000)
    assert isinstance(err, UnreadableInput)
    assert "20,000,000 bytes uncompressed" in str(err)


def test_zip_member_lying_about_its_size_is_an_error(tmp_path: Path) -> None:
    """The declared size is patched down to 1,000 bytes in both headers; the member inflates to far more."""
    data = bytearray(make_zip(tmp_path / "src.zip", {"liar.txt": b"a" * 200_000}).read_bytes())
    for signature, size_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        at = data.find(signature)
        (name_len,) = struct.unpack_from("<H", data, at + name_len_at)
        assert data[at + name_at: at + name_at + name_len] == b"liar.txt"
        struct.pack_into("<I", data, at + size_at, 1000)
    liar = tmp_path / "liar.zip"
    liar.write_bytes(bytes(data))
    leaves, [err] = inputs(liar, max_bytes=10_000)
    assert leaves == []
    assert f"{liar}:liar.txt" in str(err)


def test_zip_path_tricks_symlinks_and_nested_zips_are_refused(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("link.txt")
    link.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(tmp_path / "tricks.zip", "w") as zf:
        zf.writestr("../escape.txt", TEXT)
        zf.writestr("/etc/abs.txt", TEXT)
        zf.writestr(link, "/etc/passwd")
        zf.writestr("inner.zip", b"PK\x05\x06" + b"\0" * 18)
        zf.writestr("ok.txt", TEXT)
    leaves, errors = inputs(tmp_path / "tricks.zip")
    assert [x.doc_id for x in leaves] == ["ok"]
    assert [e.reason.split(" (")[0] for e in errors] == [
        "unsafe member path", "unsafe member path", "member is a symbolic link", "nested zip archives are not opened"]
    assert not (tmp_path.parent / "escape.txt").exists()


def test_zip_without_article_files_is_an_error(tmp_path: Path) -> None:
    leaves, [err] = inputs(make_zip(tmp_path / "pics.zip", {"a.png": b"\x89PNG"}))
    assert leaves == [] and "no article files" in str(err)


# ------------------------------------------------------------------ standard input
@pytest.fixture
def set_stdin(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[bytes], None]]:
    """`set_stdin(data)` makes sys.stdin (a text stream with a .buffer) read those bytes."""
    opened: list[io.TextIOWrapper] = []

    def replace(data: bytes) -> None:
        opened.append(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
        monkeypatch.setattr(sys, "stdin", opened[-1])

    yield replace
    for stream in opened:
        stream.close()


@pytest.mark.parametrize(("data", "kind"), [
    (TEXT.encode(), "text"),
    (b"\n  " + HTML.encode(), "html"),
    (b'{"id": "a", "text": "x"}\n\n{"id": "b", "text": "y"}\n', "jsonl"),
    (b'{"id": "a", "text": "x"}\nnot json at all\n', "text"),
    (b'["a list", "is not an object"]\n', "text"),
])
def test_stdin_kind_is_sniffed(set_stdin: Callable[[bytes], None], data: bytes, kind: str) -> None:
    set_stdin(data)
    [leaf], errors = inputs("-")
    assert errors == []
    assert (leaf.source, leaf.doc_id, leaf.kind, leaf.data) == ("stdin", "stdin", kind, data)


def test_stdin_feed_is_expanded(set_stdin: Callable[[bytes], None]) -> None:
    set_stdin(rss(item("One", "https://wire.example.org/one", content=HTML),
                  item("Two", "https://wire.example.org/two", description=HTML)).encode())
    leaves, errors = inputs("-")
    assert errors == []
    assert [(x.source, x.doc_id, x.kind) for x in leaves] == [("stdin#1", "one", "html"), ("stdin#2", "two", "html")]


def test_stdin_end_to_end(set_stdin: Callable[[bytes], None]) -> None:
    set_stdin(TEXT.encode())
    [doc], errors = docs_and_errors("-")
    assert errors == []
    assert (doc.doc_id, doc.source, doc.title) == ("stdin", "stdin", HEADLINE)


@pytest.mark.parametrize(("data", "reason"), [(b"", "empty"), (b" \n\t", "empty"), (b"x" * 2000, "limit")])
def test_bad_stdin_is_one_error(set_stdin: Callable[[bytes], None], data: bytes, reason: str) -> None:
    set_stdin(data)
    leaves, [err] = inputs("-", max_bytes=1000)
    assert leaves == []
    assert isinstance(err, UnreadableInput)
    assert err.source == "stdin" and reason in str(err)


# ------------------------------------------------------------------ URLs (a real local server)
class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # keep the test output quiet
        pass

    def do_GET(self) -> None:
        srv, path = self.server, self.path.split("?")[0]
        srv.hits[path] = srv.hits.get(path, 0) + 1
        srv.agents.append(self.headers.get("User-Agent", ""))
        hits = srv.hits[path]
        try:
            if path == "/news/roketsan-plant.html":
                self._send(200, "text/html; charset=utf-8", HTML.encode())
            elif path == "/moved":
                self._send(302, "text/plain", b"", [("Location", "/news/roketsan-plant.html")])
            elif path.startswith("/flaky/"):
                self._send(500, "text/plain", b"oops") if hits == 1 else self._send(200, "text/plain", TEXT.encode())
            elif path == "/broken":
                self._send(503, "text/plain", b"down")
            elif path == "/big":
                self._send(200, "text/plain", b"x" * 5000)
            elif path == "/big-stream":  # no Content-Length: the body ends when the connection closes
                self._send(200, "text/plain", b"x" * 5000, length=False)
            elif path == "/slow":
                srv.release.wait(5)
                self._send(200, "text/plain", TEXT.encode())
            elif path == "/wire.rss":
                body = rss(item("Feed story", "/stories/feed-story", content=HTML, author="desk@example.org (Desk)"),
                           item("Teaser only", "/stories/teaser"))
                self._send(200, "application/rss+xml", body.encode())
            elif path == "/records":
                self._send(200, "application/x-ndjson", json.dumps({"id": "r1", "text": TEXT}).encode())
            elif path == "/":
                self._send(200, "text/plain; charset=utf-8", TEXT.encode())
            elif path == "/scan.pdf":
                self._send(200, "application/pdf", b"%PDF-1.7")
            else:
                self._send(404, "text/plain", b"no such page")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)

    def _send(self, status: int, ctype: str, body: bytes, headers: list[tuple[str, str]] = [],  # noqa: B006
              length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: dict[str, int] = {}
        self.agents: list[str] = []
        self.release = threading.Event()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.release.set()
    srv.shutdown()
    srv.server_close()
    thread.join(5)


@pytest.fixture(autouse=True)
def no_proxy_no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sources, "BACKOFF", 0.0)


def test_url_article_is_fetched_as_html(server: _Server) -> None:
    url = f"{server.base}/news/roketsan-plant.html"
    [leaf], errors = inputs(url)
    assert errors == []
    assert (leaf.source, leaf.doc_id, leaf.kind, leaf.meta["url"]) == (url, "roketsan-plant", "html", url)
    assert server.agents[-1] == "armsgraph/0.1 (+https://github.com/armsgraph)"
    [doc], _ = docs_and_errors(url)
    assert (doc.title, doc.url, doc.source) == (HEADLINE, url, url)
    assert P1 in doc.text


def test_url_redirect_keeps_the_final_url(server: _Server) -> None:
    [leaf], _ = inputs(f"{server.base}/moved")
    assert leaf.meta["url"] == f"{server.base}/news/roketsan-plant.html"
    assert leaf.source == f"{server.base}/moved" and leaf.doc_id == "moved"


def test_url_kind_from_content_type_and_host_as_doc_id(server: _Server) -> None:
    [plain], _ = inputs(f"{server.base}/")
    [records], _ = inputs(f"{server.base}/records")
    assert (plain.kind, plain.doc_id) == ("text", "127-0-0-1")
    assert records.kind == "jsonl"
    _, [err] = inputs(f"{server.base}/scan.pdf")
    assert "unsupported content type application/pdf" in str(err)


def test_url_404_is_not_retried(server: _Server) -> None:
    url = f"{server.base}/gone"
    leaves, [err] = inputs(url)
    assert leaves == []
    assert isinstance(err, UnreadableInput)
    assert err.source == url and "HTTP 404" in str(err)
    assert server.hits["/gone"] == 1


def test_url_500_then_200_succeeds_on_retry(server: _Server) -> None:
    [leaf], errors = inputs(f"{server.base}/flaky/a")
    assert errors == []
    assert leaf.data == TEXT.encode()
    assert server.hits["/flaky/a"] == 2


def test_url_lasting_5xx_gives_up_after_three_attempts(server: _Server) -> None:
    _, [err] = inputs(f"{server.base}/broken")
    assert "HTTP 503" in str(err) and "3 attempts" in str(err)
    assert server.hits["/broken"] == 3


@pytest.mark.parametrize("path", ["/big", "/big-stream"])
def test_url_too_large_is_refused(server: _Server, path: str) -> None:
    _, [err] = inputs(f"{server.base}{path}", max_bytes=1000)
    assert isinstance(err, UnreadableInput)
    assert err.source == f"{server.base}{path}" and "too large" in str(err)


def test_url_timeout_is_one_error(server: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "READ_TIMEOUT", 0.2)
    _, [err] = inputs(f"{server.base}/slow")
    assert "timeout" in str(err) and f"{server.base}/slow" in str(err)
    assert server.hits["/slow"] == 1


def test_url_connection_refused_is_retried_then_one_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x"
    _, [err] = inputs(url)
    assert err.source == url and "connection failed" in str(err) and "3 attempts" in str(err)


def test_url_feed_is_expanded_with_absolute_links(server: _Server) -> None:
    url = f"{server.base}/wire.rss"
    [leaf], [err] = inputs(url)
    assert (leaf.source, leaf.doc_id, leaf.kind) == (f"{url}#1", "feed-story", "html")
    assert leaf.meta == {"title": "Feed story", "url": f"{server.base}/stories/feed-story", "published": "2024-03-05",
                         "author": "Desk", "site": "Defence Wire"}
    assert err.source == f"{url}#2" and "no content" in str(err)  # remote links are never fetched


@pytest.mark.parametrize("url", ["ftp://example.org/a.txt", "file:///etc/passwd"])
def test_only_http_urls(url: str) -> None:
    _, [err] = inputs(url)
    assert err.source == url and "unsupported URL scheme" in str(err)


# ------------------------------------------------------------------ RSS and Atom feeds
def test_rss_with_inline_content_summary_and_local_files(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "saved.html").write_text(HTML, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text(TEXT, encoding="utf-8")
    feed = tmp_path / "wire.rss"
    feed.write_text(rss(
        item("Inline", "https://wire.example.org/2024/inline-story.html", content=HTML, description="teaser",
             guid="https://wire.example.org/?p=1", author="desk@example.org (Desk)"),
        item("Summary", "https://wire.example.org/2024/summary-story", description=f"<p>{P1}</p>"),
        item("Saved", "articles/saved.html", description="teaser", date="Thu, 07 Mar 2024 01:30:00 +0300"),
        item("By file URL", elsewhere.as_uri()),
    ), encoding="utf-8")
    leaves, errors = inputs(feed)
    assert errors == []
    assert [(x.source, x.doc_id, x.kind) for x in leaves] == [
        (f"{feed}#1", "wire-1", "html"), (f"{feed}#2", "summary-story", "html"),
        (f"{feed}#3", "saved", "html"), (f"{feed}#4", "elsewhere", "text"),
    ]
    inline, summary, saved, by_uri = leaves
    assert inline.meta == {"title": "Inline", "url": "https://wire.example.org/2024/inline-story.html",
                           "published": "2024-03-05", "author": "Desk", "site": "Defence Wire"}
    assert P1.encode() in inline.data and b"teaser" not in inline.data
    assert summary.data == f"<html><body><article><p>{P1}</p></article></body></html>".encode()
    assert saved.data == HTML.encode() and saved.meta["url"] is None and saved.meta["published"] == "2024-03-07"
    assert by_uri.data == TEXT.encode()


def test_atom_with_inline_content_and_local_file(tmp_path: Path) -> None:
    (tmp_path / "two.txt").write_text(TEXT, encoding="utf-8")
    feed = tmp_path / "wire.atom"
    feed.write_text(atom(
        '<entry><id>tag:wire.example.org,2024:one</id><title>One</title>'
        '<link href="https://wire.example.org/one"/><updated>2024-03-06T10:00:00Z</updated>'
        f'<author><name>Bob</name></author><content type="html"><![CDATA[{HTML}]]></content></entry>',
        '<entry><id>urn:uuid:1234</id><title>Two</title><link rel="alternate" href="two.txt"/>'
        "<published>2024-03-07T01:00:00+03:00</published><updated>2024-03-08T00:00:00Z</updated></entry>",
        f'<entry><title>Three</title><content type="text">{P3}</content></entry>',
    ), encoding="utf-8")
    leaves, errors = inputs(feed)
    assert errors == []
    assert [(x.source, x.doc_id, x.kind, x.meta["published"]) for x in leaves] == [
        (f"{feed}#1", "wire-example-org-2024-one", "html", "2024-03-06"),
        (f"{feed}#2", "uuid-1234", "text", "2024-03-07"),  # the publisher's day, though it is still the 6th in UTC
        (f"{feed}#3", "wire-3", "text", None),
    ]
    assert leaves[0].meta["author"] == "Bob" and leaves[0].meta["url"] == "https://wire.example.org/one"
    assert leaves[1].data == TEXT.encode()
    assert leaves[2].data == P3.encode()


def test_feed_entry_linking_a_missing_file_is_an_error_for_that_entry(tmp_path: Path) -> None:
    feed = tmp_path / "wire.xml"
    feed.write_text(rss(item("Gone", "missing.html"), item("Here", "https://x.example/here", content=HTML)),
                    encoding="utf-8")
    [leaf], [err] = inputs(feed)
    assert leaf.doc_id == "here"
    assert err.source == f"{feed}#1" and "missing.html" in str(err) and "no such file" in str(err)


def test_file_whose_content_is_a_feed_is_expanded(tmp_path: Path) -> None:
    feed = tmp_path / "saved.html"
    feed.write_text(rss(item("One", "https://x.example/one", content=HTML)), encoding="utf-8")
    [leaf], _ = inputs(feed)
    assert leaf.source == f"{feed}#1"


def test_zip_feed_links_to_sibling_members(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "site.zip", {"feed/wire.rss": rss(item("A", "../pages/a.html"),
                                                                     item("B", "../../outside.txt")),
                                               "pages/a.html": HTML})
    leaves, [err] = inputs(archive)
    assert [(x.source, x.doc_id) for x in leaves] == [(f"{archive}:feed/wire.rss#1", "a"), (f"{archive}:pages/a.html",
                                                                                          "a")]
    assert leaves[0].data == HTML.encode()
    assert err.source == f"{archive}:feed/wire.rss#2"


@pytest.mark.parametrize(("content", "reason"), [
    ("this is not XML at all", "not an RSS or Atom feed"),
    ("<html><body><p>A web page</p></body></html>", "not an RSS or Atom feed"),
    ('<?xml version="1.0"?><rss version="2.0"><channel><title>Empty</title></channel></rss>', "no entries"),
])
def test_bad_feed_is_one_malformed_input(tmp_path: Path, content: str, reason: str) -> None:
    feed = tmp_path / "bad.xml"
    feed.write_text(content, encoding="utf-8")
    leaves, [err] = inputs(feed)
    assert leaves == []
    assert isinstance(err, MalformedInput)
    assert err.source == str(feed) and reason in str(err)


def test_feed_end_to_end(tmp_path: Path) -> None:
    feed = tmp_path / "wire.rss"
    feed.write_text(rss(item(HEADLINE, "https://wire.example.org/roketsan", content=f"<p>{P1}</p><p>{P2}</p>")),
                    encoding="utf-8")
    [doc], errors = docs_and_errors(feed)
    assert errors == []
    assert (doc.doc_id, doc.title, doc.url, doc.published) == (
        "roketsan", HEADLINE, "https://wire.example.org/roketsan", "2024-03-05")
    assert P1 in doc.text


# ------------------------------------------------------------------ WARC and ARC archives
def write_warc(path: Path, *, gz: bool, big: bool = False) -> Path:
    """One HTML response, one PDF response, one request record (and optionally a large HTML response)."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gz)

        def response(url: str, ctype: str, body: bytes, status: str = "200 OK") -> None:
            http_headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=http_headers,
                                                          warc_headers_dict={"WARC-Date": CRAWL_DATE}))

        response("https://news.example.org/2024/roketsan-plant", "text/html; charset=utf-8", HTML.encode())
        response("https://news.example.org/report.pdf", "application/pdf", b"%PDF-1.7 " * 100)
        writer.write_record(writer.create_warc_record(
            "https://news.example.org/2024/roketsan-plant", "request",
            payload=io.BytesIO(b"GET /2024/roketsan-plant HTTP/1.1\r\nHost: news.example.org\r\n\r\n")))
        if big:
            response("https://news.example.org/big", "text/html", b"<p>" + b"x" * 50_000 + b"</p>")
        response("https://news.example.org/missing", "text/html", HTML.encode(), status="404 Not Found")
    return path


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_yields_only_ok_html_responses(tmp_path: Path, name: str) -> None:
    warc = write_warc(tmp_path / name, gz=name.endswith(".gz"))
    [leaf], errors = inputs(warc)
    assert errors == []
    assert (leaf.source, leaf.doc_id, leaf.kind) == (f"{warc}#1", "roketsan-plant", "html")
    assert leaf.meta == {"url": "https://news.example.org/2024/roketsan-plant"}  # no published: WARC-Date is not it
    assert leaf.data == HTML.encode()


def record_offsets(path: Path) -> list[tuple[int, int]]:
    with path.open("rb") as fh:
        it = ArchiveIterator(fh)
        out = []
        for _ in it:
            out.append((it.get_record_offset(), it.get_record_length()))
        return out


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
@pytest.mark.parametrize("where", ["header", "body"])
def test_truncated_warc_yields_what_it_could_read_then_one_error(tmp_path: Path, name: str, where: str) -> None:
    whole = write_warc(tmp_path / f"whole-{name}", gz=name.endswith(".gz"))
    offset, length = record_offsets(whole)[1]
    cut = tmp_path / name
    cut.write_bytes(whole.read_bytes()[: offset + (40 if where == "header" else length - 20)])
    leaves, [err] = inputs(cut)
    assert [x.source for x in leaves] == [f"{cut}#1"]
    assert isinstance(err, MalformedInput)
    assert err.source == str(cut) and "truncated at record 2" in str(err)


def test_warc_record_over_the_limit_is_one_error(tmp_path: Path) -> None:
    warc = write_warc(tmp_path / "crawl.warc.gz", gz=True, big=True)
    leaves, [err] = inputs(warc, max_bytes=20_000)
    assert [x.source for x in leaves] == [f"{warc}#1"]
    assert err.source == f"{warc}#4" and "limit" in str(err)


def test_not_a_warc_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "junk.warc").write_text("hello, not an archive\n", encoding="utf-8")
    _, [err] = inputs(tmp_path / "junk.warc")
    assert isinstance(err, MalformedInput) and "not a WARC or ARC archive" in str(err)


@pytest.mark.parametrize("name", ["old.arc", "old.arc.gz"])
def test_arc_archive(tmp_path: Path, name: str) -> None:
    def record(url: str, ctype: str, block: bytes) -> bytes:
        return f"{url} 10.0.0.1 20240101000000 {ctype} {len(block)}\n".encode() + block + b"\n"

    version = b"1 0 armsgraph\nURL IP-address Archive-date Content-type Archive-length\n"
    parts = [f"filedesc://old.arc 0.0.0.0 20240101000000 text/plain {len(version)}\n".encode() + version + b"\n",
             record("http://old.example.org/news/plant.html", "text/html",
                    b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + HTML.encode()),
             record("http://old.example.org/logo.png", "image/png",
                    b"HTTP/1.0 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG")]
    arc = tmp_path / name
    arc.write_bytes(b"".join(gzip.compress(p) for p in parts) if name.endswith(".gz") else b"".join(parts))
    [leaf], errors = inputs(arc)
    assert errors == []
    assert (leaf.source, leaf.doc_id, leaf.meta["url"]) == (f"{arc}#2", "plant", "http://old.example.org/news/plant.html")


def test_warc_end_to_end_does_not_take_the_crawl_date(tmp_path: Path) -> None:
    [doc], errors = docs_and_errors(write_warc(tmp_path / "crawl.warc.gz", gz=True))
    assert errors == []
    assert (doc.doc_id, doc.title, doc.url) == ("roketsan-plant", HEADLINE, "https://news.example.org/2024/roketsan-plant")
    assert doc.published is None


# ------------------------------------------------------------------ folders of everything
def test_folder_expands_containers_in_sorted_order(tmp_path: Path) -> None:
    write_warc(tmp_path / "c.warc.gz", gz=True)
    make_zip(tmp_path / "b.zip", {"inner.txt": TEXT})
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "wire.atom").write_text(
        atom(f'<entry><id>urn:x:e1</id><title>E</title><content type="html"><![CDATA[{HTML}]]></content></entry>'),
        encoding="utf-8")
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "skip.pdf").write_bytes(b"%PDF")
    leaves, errors = inputs(tmp_path)
    assert errors == []
    assert [x.doc_id for x in leaves] == ["a", "inner", "roketsan-plant", "x-e1"]


# ------------------------------------------------------------------ robustness
_SUFFIXES = [".txt", ".html", ".jsonl", ".zip", ".rss", ".atom", ".xml", ".warc", ".warc.gz", ".arc", ".arc.gz"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(_SUFFIXES))
def test_arbitrary_bytes_never_raise(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        for item in iter_inputs([path], 1500):
            assert isinstance(item, RawInput | InputError)


def _valid_archives() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        return {
            ".zip": make_zip(base / "a.zip", {"a.txt": TEXT, "b.html": HTML, "c.rss": rss(item("x", "a.txt"))})
            .read_bytes(),
            ".warc": write_warc(base / "a.warc", gz=False).read_bytes(),
            ".warc.gz": write_warc(base / "a.warc.gz", gz=True).read_bytes(),
            ".rss": rss(item("One", "https://x.example/1", content=HTML)).encode(),
        }


_ARCHIVES = _valid_archives()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(suffix=st.sampled_from(sorted(_ARCHIVES)), data=st.data())
def test_damaged_archives_never_raise(suffix: str, data: st.DataObject) -> None:
    blob = bytearray(_ARCHIVES[suffix])
    for _ in range(data.draw(st.integers(1, 8))):
        blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    blob = blob[: data.draw(st.integers(1, len(blob)))]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"damaged{suffix}"
        path.write_bytes(bytes(blob))
        for item in iter_inputs([path], MAX):
            assert isinstance(item, RawInput | InputError)
