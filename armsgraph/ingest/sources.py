"""Sources: whatever the user names (files, folders, ...) expanded into leaf inputs.

A leaf input (`RawInput`) is one article's bytes with the kind of parser it needs
("text", "html") or a JSONL file ("jsonl"), where it came from, and any metadata the
container knew (URL, title, publication date). Containers are expanded here; the
readers (`readers.py`) turn leaves into documents. Every failure is yielded as an
`InputError` naming the input, so one bad input never stops the batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from armsgraph.errors import InputError, UnreadableInput

SUFFIXES = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html",
            ".jsonl": "jsonl", ".ndjson": "jsonl"}


@dataclass(slots=True)
class RawInput:
    """One article (or one JSONL file) as bytes, with where it came from."""

    source: str  # what to name in messages: a path, 'archive.zip:member.txt', a URL, 'feed.xml#3'
    doc_id: str
    kind: str  # text | html | jsonl
    data: bytes
    meta: dict[str, str | None] = field(default_factory=dict)  # url, title, published, author, site


def iter_inputs(paths: Iterable[str | Path], max_bytes: int) -> Iterator[RawInput | InputError]:
    """Every leaf input under the given paths, in a stable order."""
    for path in map(Path, paths):
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            if not files:
                yield UnreadableInput(str(path), "folder holds no article files", "point at a folder of articles")
            for file in files:
                yield from _file(file, max_bytes)
        else:
            yield from _file(path, max_bytes)


def _file(path: Path, max_bytes: int) -> Iterator[RawInput | InputError]:
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        yield UnreadableInput(str(path), f"unsupported file type {path.suffix or '(none)'}",
                              "give .txt, .html or .jsonl files")
        return
    try:
        yield RawInput(str(path), path.stem, kind, read_bytes(path, max_bytes))
    except InputError as exc:
        yield exc


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """A file's bytes; refuses missing, unreadable and oversized files with a clear reason."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnreadableInput(str(path), f"file is {size:,} bytes, over the {max_bytes:,}-byte limit",
                                  "split it or raise the limit")
        return path.read_bytes()
    except FileNotFoundError:
        raise UnreadableInput(str(path), "no such file", "check the path") from None
    except IsADirectoryError:
        raise UnreadableInput(str(path), "is a folder", "give the folder itself as a path") from None
    except OSError as exc:
        raise UnreadableInput(str(path), f"cannot be read ({exc.strerror})", "check permissions") from None
