"""Sources: whatever the user names (files, folders, archives, feeds, URLs...) expanded into leaf inputs.

A leaf input (`RawInput`) is one article's bytes with the kind of parser it needs
("text", "html") or a JSONL file ("jsonl"), where it came from, and any metadata the
container knew (URL, title, publication date). Containers are expanded here; the
readers (`readers.py`) turn leaves into documents. Every failure is yielded as an
`InputError` naming the input, so one bad input never stops the batch.

What a named input may be, and how it is named in messages (`RawInput.source`):

- a folder: every supported file below it, recursively, in sorted order (containers are expanded too);
- ``.txt``/``.text`` (text), ``.html``/``.htm`` (html), ``.jsonl``/``.ndjson`` (jsonl): one leaf;
- ``.zip``: every member with a supported suffix, ``archive.zip:dir/member.txt``, in archive order;
  members are read in memory only (never extracted), each bounded by ``max_bytes`` (zip-bomb guard),
  and members with unsafe paths, symlinks, encryption or nested zips are refused;
- ``.rss``/``.atom``/``.xml`` (or any file, URL or stdin whose content looks like a feed): one leaf per
  entry, ``feed.xml#3``, from the entry's content, else a local file it links to, else its summary;
- ``.warc``/``.warc.gz``/``.arc``/``.arc.gz``: every HTTP 200 HTML response record, ``crawl.warc.gz#12``
  (the record's position in the archive); the crawl date is never taken as the publication date;
- ``-``: standard input, its kind sniffed (zip, WARC, feed, JSONL, HTML, else plain text), ``stdin``;
- an ``http://`` or ``https://`` URL: fetched (bounded, retried on connection errors and 5xx), its kind
  taken from the Content-Type, the URL path or the content itself.
"""

from __future__ import annotations

import email.utils
import io
import json
import lzma
import os
import posixpath
import re
import stat
import sys
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import feedparser
import httpx
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from armsgraph.errors import InputError, MalformedInput, UnreadableInput

SUFFIXES = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html",
            ".jsonl": "jsonl", ".ndjson": "jsonl"}
CONTAINER_SUFFIXES = {".zip": "zip", ".rss": "feed", ".atom": "feed", ".xml": "feed",
                      ".warc": "warc", ".warc.gz": "warc", ".arc": "warc", ".arc.gz": "warc"}
SUPPORTED = ".txt, .html, .jsonl, .zip, .rss/.atom/.xml feeds or .warc/.arc(.gz) archives"

# Fetching URLs (module-level so that tests and callers can tune them).
CONNECT_TIMEOUT = 10.0  # seconds to open the connection
READ_TIMEOUT = 30.0  # seconds without data before giving up
ATTEMPTS = 3  # tries on connection errors and 5xx answers (never on 4xx)
BACKOFF = 0.5  # seconds before the second try, doubled before each further one
USER_AGENT = "armsgraph/0.1 (+https://github.com/armsgraph)"

_UTF8_BOM = b"\xef\xbb\xbf"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_FEED_ROOT = re.compile(rb"\s*(?:<\?[^>]*>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<(?:rss|feed|rdf:RDF)[\s>/]",
                        re.IGNORECASE | re.DOTALL)
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+xml",
               "application/xml", "text/xml"}
_JSONL_TYPES = {"application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines",
                "application/jsonlines"}
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError, RuntimeError,
               OSError, ValueError, OverflowError)

# A feed entry's link -> (kind, bytes) of the local file it names, None if it is not local; raises InputError.
Resolver = Callable[[str], tuple[str, bytes] | None]


@dataclass(slots=True)
class RawInput:
    """One article (or one JSONL file) as bytes, with where it came from."""

    source: str  # what to name in messages: a path, 'archive.zip:member.txt', a URL, 'feed.xml#3'
    doc_id: str
    kind: str  # text | html | jsonl
    data: bytes
    meta: dict[str, str | None] = field(default_factory=dict)  # url, title, published, author, site


def iter_inputs(paths: Iterable[str | Path], max_bytes: int) -> Iterator[RawInput | InputError]:
    """Every leaf input under the given paths, URLs and '-' (stdin), in a stable order."""
    for named in paths:
        if str(named) == "-":
            yield from _stdin(max_bytes)
        elif isinstance(named, str) and _SCHEME.match(named):
            yield from _url(named, max_bytes)
        elif Path(named).is_dir():
            yield from _folder(Path(named), max_bytes)
        else:
            yield from _file(Path(named), max_bytes)


def kind_of(name: str) -> str | None:
    """The kind a file name's suffix asks for: text, html, jsonl, zip, feed, warc; None if unsupported."""
    lower = name.lower()
    for suffix in (".warc.gz", ".arc.gz"):
        if lower.endswith(suffix):
            return "warc"
    suffix = PurePosixPath(lower).suffix
    return SUFFIXES.get(suffix) or CONTAINER_SUFFIXES.get(suffix)


def sniff(data: bytes) -> str:
    """The kind of unnamed content (stdin, untyped downloads): zip, warc, feed, jsonl, html or text."""
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if _is_warc(data):
        return "warc"
    if looks_like_feed(data):
        return "feed"
    if _is_jsonl(data):
        return "jsonl"
    if data.removeprefix(_UTF8_BOM).lstrip().startswith(b"<"):
        return "html"
    return "text"


def looks_like_feed(data: bytes) -> bool:
    """Whether the document's root element (after any XML declaration, comments, doctype) is rss, feed or RDF."""
    return _FEED_ROOT.match(data[:4096].removeprefix(_UTF8_BOM)) is not None


# ------------------------------------------------------------------ folders and files
def _folder(path: Path, max_bytes: int) -> Iterator[RawInput | InputError]:
    files = sorted(p for p in path.rglob("*") if p.is_file() and kind_of(p.name))
    if not files:
        yield UnreadableInput(str(path), "folder holds no article files", "point at a folder of articles")
    for file in files:
        yield from _file(file, max_bytes)


def _file(path: Path, max_bytes: int) -> Iterator[RawInput | InputError]:
    source, kind = str(path), kind_of(path.name)
    if kind is None:
        yield UnreadableInput(source, f"unsupported file type {path.suffix or '(none)'}", f"give {SUPPORTED}")
        return
    try:
        if kind in ("zip", "warc"):  # streamed from disk: the archive itself may exceed max_bytes
            with _open(path) as fh:
                if kind == "zip":
                    yield from _zip(source, fh, max_bytes)
                else:
                    yield from _warc(source, _stem(path.name), fh, os.fstat(fh.fileno()).st_size, max_bytes)
            return
        data = read_bytes(path, max_bytes)
    except InputError as exc:
        yield exc
        return
    yield from _content(source, _stem(path.name), kind, data, max_bytes, resolver=_files_next_to(path, max_bytes))


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """A file's bytes; refuses missing, unreadable and oversized files with a clear reason."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnreadableInput(str(path), f"file is {size:,} bytes, over the {max_bytes:,}-byte limit",
                                  "split it or raise the limit")
        return path.read_bytes()
    except OSError as exc:
        raise _os_error(path, exc) from None


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as exc:
        raise _os_error(path, exc) from None


def _os_error(path: Path, exc: OSError) -> UnreadableInput:
    if isinstance(exc, FileNotFoundError):
        return UnreadableInput(str(path), "no such file", "check the path")
    if isinstance(exc, IsADirectoryError):
        return UnreadableInput(str(path), "is a folder", "give the folder itself as a path")
    return UnreadableInput(str(path), f"cannot be read ({exc.strerror or exc})", "check permissions")


def _content(source: str, stem: str, kind: str, data: bytes, max_bytes: int, *,
             meta: dict[str, str | None] | None = None, resolver: Resolver | None = None,
             headers: dict[str, str] | None = None) -> Iterator[RawInput | InputError]:
    """Bytes of a known kind: a leaf, or a container (feed, zip, WARC) expanded into leaves."""
    if kind in ("text", "html") and looks_like_feed(data):
        kind = "feed"
    if kind == "feed":
        yield from _feed(source, stem, data, max_bytes, resolver, headers)
    elif kind == "zip":
        yield from _zip(source, io.BytesIO(data), max_bytes)
    elif kind == "warc":
        yield from _warc(source, stem, io.BytesIO(data), len(data), max_bytes)
    else:
        yield RawInput(source, stem, kind, data, dict(meta or {}))


def _stem(name: str) -> str:
    base = PurePosixPath(name.replace("\\", "/")).name
    for suffix in (".warc.gz", ".arc.gz"):
        if base.lower().endswith(suffix):
            return base[: -len(suffix)]
    return PurePosixPath(base).stem


def _leaf_kind(name: str, source: str) -> str:
    kind = SUFFIXES.get(PurePosixPath(name).suffix.lower())
    if kind is None:
        raise UnreadableInput(source, f"unsupported file type {PurePosixPath(name).suffix or '(none)'}",
                              "link feed entries to .txt, .html or .jsonl files")
    return kind


# ------------------------------------------------------------------ zip archives
def _zip(source: str, archive: IO[bytes], max_bytes: int) -> Iterator[RawInput | InputError]:
    """Members with a supported suffix, in archive order; read in memory, never extracted to disk."""
    try:
        zf = zipfile.ZipFile(archive)
    except _ZIP_ERRORS as exc:
        yield MalformedInput(source, f"not a readable zip archive ({exc})", "re-create the archive")
        return
    with zf:
        members = [info for info in zf.infolist() if not info.filename.endswith("/") and kind_of(info.filename)
                   and not info.filename.startswith("__MACOSX/") and not _stem(info.filename).startswith("._")]
        if not members:
            yield UnreadableInput(source, "archive holds no article files", f"put {SUPPORTED} in it")
        for info in members:
            where = f"{source}:{info.filename}"
            refusal = _member_refusal(info)
            if refusal:
                yield UnreadableInput(where, refusal, "unpack the archive and give the files instead")
                continue
            try:
                data = _read_member(zf, info, where, max_bytes)
            except InputError as exc:
                yield exc
                continue
            yield from _content(where, _stem(info.filename), str(kind_of(info.filename)), data, max_bytes,
                                resolver=_members_next_to(zf, info.filename, source, max_bytes))


def _member_refusal(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or re.match(r"[A-Za-z]:", name):
        return "unsafe member path (absolute or climbing out with '..')"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "member is a symbolic link"
    if info.flag_bits & 0x1:
        return "member is encrypted"
    if kind_of(name) == "zip":
        return "nested zip archives are not opened"
    return None


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, max_bytes: int) -> bytes:
    """A member's bytes, refusing it if its declared or its actual decompressed size passes max_bytes."""
    if info.file_size > max_bytes:
        raise UnreadableInput(where, f"member is {info.file_size:,} bytes uncompressed, over the {max_bytes:,}-byte "
                              "limit", "split it or raise the limit")
    try:
        with zf.open(info) as fh:
            data = fh.read(max_bytes + 1)
    except _ZIP_ERRORS as exc:
        raise MalformedInput(where, f"member cannot be decompressed ({exc})", "re-create the archive") from None
    if len(data) > max_bytes:
        raise UnreadableInput(where, f"member decompresses past the {max_bytes:,}-byte limit (it declares "
                              f"{info.file_size:,} bytes)", "the archive may be a zip bomb; re-create it")
    return data


def _members_next_to(zf: zipfile.ZipFile, member: str, source: str, max_bytes: int) -> Resolver:
    """Resolve a feed member's relative links to sibling members of the same archive."""
    def resolve(link: str) -> tuple[str, bytes] | None:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or not parts.path:
            return None
        name = posixpath.normpath(posixpath.join(posixpath.dirname(member), unquote(parts.path)))
        where = f"{source}:{name}"
        try:
            info = zf.getinfo(name)
        except KeyError:
            raise UnreadableInput(where, "no such member in the archive", "check the feed's links") from None
        if _member_refusal(info):
            raise UnreadableInput(where, str(_member_refusal(info)), "unpack the archive and give the files")
        return _leaf_kind(name, where), _read_member(zf, info, where, max_bytes)
    return resolve


# ------------------------------------------------------------------ RSS and Atom feeds
def _feed(source: str, stem: str, data: bytes, max_bytes: int, resolver: Resolver | None,
          headers: dict[str, str] | None) -> Iterator[RawInput | InputError]:
    """One leaf per entry, ``source#n``; parsed from a stream so feedparser never fetches or opens anything."""
    try:
        parsed = feedparser.parse(io.BytesIO(data), response_headers=headers or {})
    except Exception as exc:  # feedparser is lenient, but hostile bytes can still trip it
        yield MalformedInput(source, f"not a readable RSS or Atom feed ({type(exc).__name__})", "check the file")
        return
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo") or not parsed.get("version"):
            why = parsed.get("bozo_exception") or "no rss, feed or RDF root element"
            yield MalformedInput(source, f"not an RSS or Atom feed ({why})", "check that it is a feed")
        else:
            yield MalformedInput(source, "feed holds no entries", "check that it is the right feed")
        return
    site = parsed.get("feed", {}).get("title")
    seen: set[str] = set()
    for n, entry in enumerate(entries, 1):
        where = f"{source}#{n}"
        link = entry.get("link") or None
        try:
            kind, body = _entry_body(entry, where, max_bytes, resolver)
        except InputError as exc:
            yield exc
            continue
        doc_id = _unique(_url_slug(entry.get("id") or link or "", f"{stem}-{n}"), seen)
        yield RawInput(where, doc_id, kind, body, {
            "title": entry.get("title") or None,
            "url": link if link and urlsplit(link).scheme in ("http", "https") else None,
            "published": _entry_date(entry),
            "author": entry.get("author_detail", {}).get("name") or entry.get("author") or None,
            "site": site or None,
        })


def _entry_body(entry: Any, where: str, max_bytes: int, resolver: Resolver | None) -> tuple[str, bytes]:
    """An entry's text: its inline content, else the local file its link names, else its summary."""
    found: tuple[str, bytes] | None = None
    content = next((c for c in entry.get("content") or [] if c.get("value")), None)
    link = entry.get("link")
    if content is not None:
        found = _typed(content)
    elif link and resolver is not None:
        try:
            found = resolver(str(link))
        except InputError as exc:
            raise type(exc)(where, f"linked file {exc.source}: {exc.reason}", exc.hint) from None
    if found is None and entry.get("summary"):
        found = _typed(entry.get("summary_detail") or {"value": entry.get("summary")})
    if found is None:
        raise UnreadableInput(where, "entry has no content, no summary and no local file link",
                              "give the article pages themselves or a full-content feed")
    if len(found[1]) > max_bytes:
        raise UnreadableInput(where, f"entry is {len(found[1]):,} bytes, over the {max_bytes:,}-byte limit",
                              "raise the limit")
    return found


def _typed(detail: Any) -> tuple[str, bytes]:
    """Inline entry text; HTML fragments are wrapped in a page, as the HTML extractor needs one."""
    value = str(detail.get("value"))
    if detail.get("type") == "text/plain":
        return "text", value.encode("utf-8")
    if not re.search(r"<(html|body)[\s>]", value[:2000], re.IGNORECASE):
        value = f"<html><body><article>{value}</article></body></html>"
    return "html", value.encode("utf-8")


def _files_next_to(feed: Path, max_bytes: int) -> Resolver:
    """Resolve a local feed's links that are file:// URLs or relative paths (next to the feed) to files."""
    def resolve(link: str) -> tuple[str, bytes] | None:
        parts = urlsplit(link)
        if parts.scheme == "file":  # feedparser turns file:///a/b into file://a/b
            path = parts.path if parts.netloc in ("", "localhost") else f"/{parts.netloc}{parts.path}"
            target = Path(url2pathname(path))
        elif parts.scheme or parts.netloc or not parts.path:
            return None
        else:
            target = feed.parent / url2pathname(parts.path)
        return _leaf_kind(target.name, str(target)), read_bytes(target, max_bytes)
    return resolve


def _entry_date(entry: Any) -> str | None:
    """YYYY-MM-DD of the entry's published (else updated) date, as written (the publisher's local day);
    feedparser's *_parsed fields, normalised to UTC, are the fallback for formats parsed here."""
    for key in ("published", "updated"):
        raw = str(entry.get(key) or "").strip()
        if not raw:
            continue
        if iso := re.match(r"(\d{4})-(\d{2})-(\d{2})", raw):
            return "-".join(iso.groups())
        if (rfc := email.utils.parsedate_tz(raw)) and rfc[0] > 0:
            return f"{rfc[0]:04d}-{rfc[1]:02d}-{rfc[2]:02d}"
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}"
    return None


# ------------------------------------------------------------------ WARC and ARC archives
def _warc(source: str, stem: str, stream: IO[bytes], size: int, max_bytes: int) -> Iterator[RawInput | InputError]:
    """HTTP 200 HTML responses, ``source#n`` (n counts every record); stops at the first damaged record."""
    if size == 0:
        yield UnreadableInput(source, "archive is empty", "remove it from the batch")
        return
    head = stream.read(4096)
    stream.seek(0)
    records = ArchiveIterator(stream, arc2warc=True)
    seen: set[str] = set()
    found = started = done = 0  # inputs and errors yielded, records begun, records read through
    truncated = "the records before it were read; fetch the archive again"
    try:
        for started, record in enumerate(records, 1):
            item = _warc_item(record, f"{source}#{started}", stem, started, seen, max_bytes)
            records.read_to_end()
            if record.length is None or getattr(record.raw_stream, "limit", 0) > 0:
                yield MalformedInput(source, f"truncated at record {started} (it ends before its declared length)",
                                     truncated)
                return
            done = started
            if item is not None:
                found += 1
                yield item
    except Exception as exc:  # warcio raises many kinds on damaged archives
        why = str(exc).strip().splitlines()[0] if isinstance(exc, ArchiveLoadFailed) and str(exc).strip() else (
            "a damaged or cut-off record")
        if started == 0 and not _is_warc(head):
            yield MalformedInput(source, f"not a WARC or ARC archive ({why})", "give a .warc, .warc.gz or .arc file")
        else:
            yield MalformedInput(source, f"truncated at record {done + 1} (unreadable: {why})", truncated)
        return
    finally:
        records.close()
    if records.offset < size:
        yield MalformedInput(source, f"truncated at record {done + 1} (it ends inside the record's header)", truncated)
    elif found == 0:
        yield UnreadableInput(source, "archive holds no HTTP 200 HTML responses", "check that it is a crawl of pages")


def _warc_item(record: Any, where: str, stem: str, n: int, seen: set[str], max_bytes: int,
               ) -> RawInput | InputError | None:
    """The HTML page in a response record; None for other records (requests, metadata, non-HTML, non-200)."""
    http = record.http_headers
    if record.rec_type != "response" or http is None or http.get_statuscode() != "200":
        return None
    content_type = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type not in _HTML_TYPES:
        return None
    if record.length is not None and record.length > max_bytes:
        return UnreadableInput(where, f"record is {record.length:,} bytes, over the {max_bytes:,}-byte limit",
                               "raise the limit")
    data = record.content_stream().read(max_bytes + 1)
    if len(data) > max_bytes:
        return UnreadableInput(where, f"page decompresses past the {max_bytes:,}-byte limit", "raise the limit")
    url = record.rec_headers.get_header("WARC-Target-URI") or None
    doc_id = _unique(_url_slug(url or "", f"{stem}-{n}"), seen)
    return RawInput(where, doc_id, "html", bytes(data), {"url": url})  # WARC-Date is the crawl date: not used


# ------------------------------------------------------------------ standard input
def _stdin(max_bytes: int) -> Iterator[RawInput | InputError]:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        yield UnreadableInput("stdin", "no standard input to read", "pipe the article into the command")
        return
    try:
        data = stream.read(max_bytes + 1)
    except (OSError, ValueError) as exc:
        yield UnreadableInput("stdin", f"cannot be read ({exc})", "pipe the article into the command")
        return
    if len(data) > max_bytes:
        yield UnreadableInput("stdin", f"input passes the {max_bytes:,}-byte limit", "split it or raise the limit")
    elif not data.strip():
        yield UnreadableInput("stdin", "standard input is empty", "pipe the article into the command")
    else:
        yield from _content("stdin", "stdin", sniff(data), data, max_bytes)


def _is_warc(data: bytes) -> bool:
    if data.startswith(b"\x1f\x8b"):
        try:
            data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[:4096], 64)
        except zlib.error:
            return False
    return data.startswith((b"WARC/", b"filedesc://"))


def _is_jsonl(data: bytes) -> bool:
    lines = [line for line in data.splitlines() if line.strip()]
    for line in lines:
        try:
            if not isinstance(json.loads(line), dict):
                return False
        except (ValueError, RecursionError):
            return False
    return bool(lines)


# ------------------------------------------------------------------ URLs
class _Retryable(Exception):
    """A failure worth another attempt (connection trouble, 5xx)."""


def _url(url: str, max_bytes: int) -> Iterator[RawInput | InputError]:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        yield UnreadableInput(url, f"unsupported URL scheme '{scheme}:'", "give an http:// or https:// URL")
        return
    try:
        final, content_type, data = _fetch(url, max_bytes)
        kind = _kind_of_download(url, final, content_type, data)
    except InputError as exc:
        yield exc
        return
    yield from _content(url, _url_slug(url, _slug(urlsplit(url).hostname or "") or "url"), kind, data, max_bytes,
                        meta={"url": final}, headers={"content-location": final, "content-type": content_type})


def _fetch(url: str, max_bytes: int) -> tuple[str, str, bytes]:
    """(final URL, Content-Type, body) of a GET, retried with backoff; raises UnreadableInput naming the URL."""
    timeout = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)
    with httpx.Client(timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT}) as client:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return _get(client, url, max_bytes)
            except _Retryable as exc:
                if attempt == ATTEMPTS:
                    raise UnreadableInput(url, f"{exc} (after {ATTEMPTS} attempts)", "try again later") from None
                time.sleep(BACKOFF * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # pragma: no cover


def _get(client: httpx.Client, url: str, max_bytes: int) -> tuple[str, str, bytes]:
    too_large = f"too large: over the {max_bytes:,}-byte limit"
    try:
        with client.stream("GET", url) as response:
            status = response.status_code
            if status >= 500:
                raise _Retryable(f"HTTP {status} {response.reason_phrase}")
            if status >= 400:
                raise UnreadableInput(url, f"HTTP {status} {response.reason_phrase}", "check the URL")
            if status != 200:
                raise UnreadableInput(url, f"HTTP {status} {response.reason_phrase}", "give the article's own URL")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise UnreadableInput(url, f"{too_large} (the server announces {int(declared):,} bytes)",
                                      "raise the limit")
            chunks, total = [], 0
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise UnreadableInput(url, too_large, "raise the limit")
                chunks.append(chunk)
            return str(response.url), response.headers.get("Content-Type", ""), b"".join(chunks)
    except (httpx.ConnectTimeout, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        kind = "connection timed out" if isinstance(exc, httpx.ConnectTimeout) else "connection failed"
        raise _Retryable(f"{kind} ({exc or type(exc).__name__})") from None
    except httpx.TimeoutException:
        raise UnreadableInput(url, f"timeout: no answer within {READ_TIMEOUT:g} s", "try again later") from None
    except httpx.TooManyRedirects:
        raise UnreadableInput(url, "too many redirects", "give the article's final URL") from None
    except httpx.UnsupportedProtocol as exc:
        raise UnreadableInput(url, f"redirected to an unsupported URL ({exc})", "give an http(s) URL") from None
    except (httpx.HTTPError, httpx.InvalidURL, UnicodeError, ValueError) as exc:
        raise UnreadableInput(url, f"request failed ({exc or type(exc).__name__})", "check the URL") from None


def _kind_of_download(url: str, final: str, content_type: str, data: bytes) -> str:
    mime = content_type.split(";")[0].strip().lower()
    by_path = kind_of(urlsplit(final).path) or kind_of(urlsplit(url).path)
    if mime in _JSONL_TYPES or by_path == "jsonl":
        return "jsonl"
    if mime in _FEED_TYPES or mime.endswith(("+rss", "rss+xml", "atom+xml")) or looks_like_feed(data):
        return "feed"
    if mime in _HTML_TYPES:
        return "html"
    if mime == "text/plain":
        return "text"
    if mime in ("application/zip", "application/x-zip-compressed"):
        return "zip"
    if mime in ("application/warc", "application/x-warc"):
        return "warc"
    if mime in ("", "application/octet-stream", "binary/octet-stream"):
        return by_path or sniff(data)
    raise UnreadableInput(url, f"unsupported content type {mime}", "give a page, a feed, text or JSONL")


# ------------------------------------------------------------------ naming
def _slug(text: str) -> str:
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-")[:80].strip("-")


def _url_slug(url: str, fallback: str) -> str:
    """A slug of the URL path's last segment (without a short extension), else the fallback."""
    last = unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2])
    suffix = PurePosixPath(last).suffix
    if re.fullmatch(r"\.[A-Za-z0-9]{1,5}", suffix) and len(last) > len(suffix):
        last = last[: -len(suffix)]
    return _slug(last) or fallback


def _unique(doc_id: str, seen: set[str]) -> str:
    candidate, n = doc_id, 1
    while candidate in seen:
        n += 1
        candidate = f"{doc_id}-{n}"
    seen.add(candidate)
    return candidate
