"""Articles posted to the API: a multipart file upload or a JSON object, read by the ordinary ingest.

The upload is written to a private temporary folder under a safe name and given to
`armsgraph.pipeline.ingest`, so that a posted article goes through exactly the steps of
`armsgraph ingest`. Only single articles are accepted (.txt, .html, .htm, .jsonl); archives
and feeds are refused here, because a feed may name local files to read.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import json
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from armsgraph.errors import ArmsgraphError
from armsgraph.ingest.sources import kind_of, looks_like_feed
from armsgraph.pipeline import Pipeline, ingest
from armsgraph.store import Store

ACCEPTED = {"text", "html", "jsonl"}
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UploadError(ArmsgraphError):
    """A posted article that cannot be read (HTTP 422, or 413 when too large)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


@dataclass(slots=True)
class Upload:
    filename: str  # a safe file name whose suffix says how to read it
    data: bytes


@dataclass(slots=True)
class Outcome:
    summary: dict[str, int]
    documents: list[str] = field(default_factory=list)  # ids ingested, replaced, copied or unchanged
    problems: list[str] = field(default_factory=list)  # failed and skipped inputs, one line each


def from_json(body: bytes) -> Upload:
    """{"text" or "html", "title", "id", "url", "published"} as one JSONL line."""
    try:
        rec = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise UploadError("the body is not valid JSON; send {\"text\": ..., \"title\": ..., \"id\": ...}") from None
    except RecursionError:  # arrays or objects nested thousands deep
        raise UploadError("the JSON body is nested too deeply; send one flat object {\"text\": ..., \"id\": ...}") \
            from None
    if not isinstance(rec, dict):
        raise UploadError("the JSON body must be an object with 'text' (or 'html'), 'title' and 'id'")
    text, html = rec.get("text"), rec.get("html")
    if not (isinstance(text, str) and text.strip()) and not (isinstance(html, str) and html.strip()):
        raise UploadError("the JSON body needs a non-empty 'text' (or 'html') string")
    for key in ("title", "id", "url", "published"):
        if rec.get(key) is not None and not isinstance(rec[key], str):
            raise UploadError(f"'{key}' must be a string")
    if rec.get("published") and not _DATE.fullmatch(rec["published"]):
        raise UploadError("'published' must be an ISO date: YYYY-MM-DD")
    doc_id = rec.get("id") or "web-" + hashlib.sha1(str(text or html).encode()).hexdigest()[:12]
    if not _ID.fullmatch(doc_id):
        raise UploadError("'id' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit")
    line = {k: rec[k] for k in ("title", "url", "published", "text", "html") if rec.get(k)}
    line["id"] = doc_id
    return Upload("upload.jsonl", (json.dumps(line, ensure_ascii=False) + "\n").encode())


def from_multipart(content_type: str, body: bytes) -> Upload:
    """The first file part of a multipart/form-data body (the field may have any name)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\nMIME-Version: 1.0\r\n\r\n" + body)
    if not message.is_multipart():
        raise UploadError("the multipart body could not be read; send the article as a 'file' field")
    for part in message.iter_parts():
        if part.get_content_disposition() != "form-data" or not part.get_filename():
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        return Upload(safe_filename(str(part.get_filename())), data)
    raise UploadError("no file in the multipart body; send the article as a 'file' field")


def safe_filename(name: str) -> str:
    """The base name with only safe characters, its suffix saying how to read it."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE.sub("-", stem).strip(".-_")[:100] or "upload"
    suffix = _UNSAFE.sub("", suffix).lower()[:8]
    return f"{stem}.{suffix}" if suffix else stem


def check(upload: Upload, max_bytes: int) -> None:
    kind = kind_of(upload.filename)
    if kind not in ACCEPTED:
        raise UploadError(f"{upload.filename}: only .txt, .html, .htm and .jsonl articles can be uploaded",
                          415)
    if len(upload.data) > max_bytes:
        raise UploadError(f"{upload.filename}: over the {max_bytes:,}-byte limit", 413)
    if not upload.data.strip():
        raise UploadError(f"{upload.filename}: the file is empty")
    if kind != "jsonl" and looks_like_feed(upload.data):
        raise UploadError(f"{upload.filename}: feeds cannot be uploaded; ingest them with `armsgraph ingest`")


class Ingester:
    """Runs posted articles through one lazily loaded pipeline, one upload at a time."""

    def __init__(self, store: Store, pipeline: Pipeline | None = None) -> None:
        self.store = store
        self._pipeline = pipeline
        self._lock = threading.Lock()

    def max_bytes(self) -> int:
        return self._pipeline.settings.max_bytes if self._pipeline else 20_000_000

    def run(self, upload: Upload) -> Outcome:
        check(upload, self.max_bytes())
        with self._lock:
            if self._pipeline is None:
                from armsgraph.settings import Settings
                self._pipeline = Pipeline(Settings(db=self.store.url))
            docs: list[str] = []

            def progress(event: str, details: dict[str, Any]) -> None:
                if event in ("ingested", "unchanged", "duplicate") and details.get("doc_id"):
                    docs.append(str(details["doc_id"]))

            with tempfile.TemporaryDirectory(prefix="armsgraph-upload-") as tmp:
                path = Path(tmp) / upload.filename
                path.write_bytes(upload.data)
                report = ingest([path], self.store, self._pipeline, on_progress=progress)
            # the temporary path means nothing to the user: name the upload instead
            problems = [line.replace(str(path), upload.filename) for line in [*report.failed, *report.skipped]]
            return Outcome(report.summary(), list(dict.fromkeys(docs)), problems)
