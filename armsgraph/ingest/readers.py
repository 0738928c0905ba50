"""Readers: leaf inputs (plain text, HTML, JSONL) in, cleaned `Document`s out.

`sources.py` expands what the user names into leaf inputs; each reader here yields
either a `Document` (cleaned, offsets final) or an `InputError` naming the input
and the reason, so one bad input never stops the batch.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import charset_normalizer
import lxml.etree
import lxml.html
import trafilatura

from armsgraph.errors import InputError, MalformedInput, UnreadableInput
from armsgraph.ingest.clean import clean_text
from armsgraph.ingest.dates import date_in_url, parse_dateline
from armsgraph.ingest.sources import RawInput, iter_inputs
from armsgraph.model import Document


def read_paths(paths: Iterable[str | Path], max_bytes: int) -> Iterator[Document | InputError]:
    """Every document under the given paths (files, folders...), in a stable order."""
    for item in iter_inputs(paths, max_bytes):
        if isinstance(item, InputError):
            yield item
        else:
            yield from read_input(item)


def read_input(item: RawInput) -> Iterator[Document | InputError]:
    """The documents of one leaf input: one for text and HTML, one per line for JSONL."""
    try:
        text = decode_bytes(item.data, item.source)
        if item.kind == "jsonl":
            yield from _jsonl(item.source, item.doc_id, text)
            return
        meta = item.meta
        if item.kind == "html":
            doc = from_html(text, item.doc_id, item.source, url=meta.get("url"), published=meta.get("published"),
                            title=meta.get("title"))
        else:
            doc = from_text(text, item.doc_id, item.source, title=meta.get("title"), url=meta.get("url"),
                            published=meta.get("published"))
        doc.author = doc.author or meta.get("author")
        doc.site = doc.site or meta.get("site")
        yield doc
    except InputError as exc:
        yield exc


def decode_bytes(data: bytes, source: str) -> str:
    if not data.strip():
        raise UnreadableInput(source, "file is empty", "remove it from the batch")
    if b"\x00" in data[:8192]:
        raise UnreadableInput(source, "binary data, not text", "give the article as text, HTML or JSONL")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    candidates = [str(best)] if best is not None else []
    candidates.append(data.decode("cp1254", errors="replace"))  # Turkish pages are a common case here
    text = max(candidates, key=_plausibility)
    if "\ufffd" in text and best is None:
        raise UnreadableInput(source, "text encoding could not be detected", "convert the file to UTF-8")
    return text


_TURKISH = set("ğşıİŞĞ")
_MOJIBAKE = set("ţýđÝÞðþ\ufffd")


def _plausibility(text: str) -> int:
    """Prefer the decoding with more Turkish letters and fewer tell-tale mis-decodings."""
    return sum(c in _TURKISH for c in text) - 3 * sum(c in _MOJIBAKE for c in text)


def from_text(raw: str, doc_id: str, source: str, *, title: str | None = None,
              url: str | None = None, published: str | None = None, captions: list[str] | None = None) -> Document:
    cleaned = clean_text(raw, title=title, captions=captions)
    if not cleaned.text:
        raise UnreadableInput(source, "no article text found after cleaning", "check the file's content")
    date, date_source = (published, "metadata") if published else (cleaned.published, cleaned.published_source)
    if date is None and url and (from_url := date_in_url(url)):
        date, date_source = from_url, "url"
    return Document(
        doc_id=doc_id, text=cleaned.text, source=source, title=cleaned.title, url=url,
        published=date, published_source=date_source, zones=cleaned.zones,
    )


def from_html(html: str, doc_id: str, source: str, *, url: str | None = None,
              published: str | None = None, title: str | None = None) -> Document:
    """Main text and metadata by trafilatura, then the same cleaning as plain text."""
    try:
        result = trafilatura.bare_extraction(html, url=url, with_metadata=True,
                                             include_comments=False, include_tables=False,
                                             favor_precision=True)
    except Exception as exc:  # trafilatura raises many kinds on broken markup
        raise MalformedInput(source, f"HTML could not be parsed ({type(exc).__name__})",
                             "save the page again or give its text") from None
    text = getattr(result, "text", None)
    if result is None or not text:
        raise MalformedInput(source, "no article text found in the HTML", "check that the page holds an article")
    meta_date: str | None = getattr(result, "date", None)
    date = published or (parse_dateline(meta_date) if meta_date else None)
    if meta_date and not date and len(meta_date) >= 10:
        date = meta_date[:10]
    doc = from_text(str(text), doc_id, source, title=title or getattr(result, "title", None),
                    url=url or getattr(result, "url", None), published=date, captions=_captions(html))
    if date:
        doc.published_source = "metadata"
    doc.author = getattr(result, "author", None) or None
    doc.site = getattr(result, "sitename", None) or None
    return doc


def _captions(html: str) -> list[str]:
    """Photo captions (<figcaption>), which trafilatura leaves out but which belong to the article."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    out = []
    for node in tree.iter("figcaption"):
        text = " ".join(node.text_content().split())
        if text and text not in out:
            out.append(text)
    return out


def _jsonl(source: str, stem: str, text: str) -> Iterator[Document | InputError]:
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source}:{lineno}"
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise ValueError("not a JSON object")
            doc_id = str(rec.get("id") or f"{stem}-{lineno}")
            body_html, body_text = rec.get("html"), rec.get("text")
            if not (body_html or body_text):
                raise ValueError("has neither 'text' nor 'html'")
            published = str(rec["published"])[:10] if rec.get("published") else None
            if body_html:
                yield from_html(str(body_html), doc_id, where, url=rec.get("url"), published=published,
                                title=rec.get("title"))
            else:
                yield from_text(str(body_text), doc_id, where, title=rec.get("title"),
                                url=rec.get("url"), published=published)
        except InputError as exc:
            yield exc
        except ValueError as exc:
            yield MalformedInput(where, f"bad JSONL record ({exc})",
                                 "each line needs id, url, title, published and text or html")
