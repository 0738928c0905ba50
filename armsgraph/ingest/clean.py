"""Cleaning: keep the article (headline, body, captions), drop the page around it.

Works line by line on plain text (HTML is reduced to text by trafilatura first).
Every rule is a pattern in `data/boilerplate.yaml`; this module only applies
them. The cleaned text is what is stored, so all offsets point into it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from armsgraph.ingest.dates import parse_dateline
from armsgraph.model import Zone

_DATA = Path(__file__).parent / "data" / "boilerplate.yaml"
_GLUED_SENTENCE = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")
_GLUED_WORDS = re.compile(r"(?<=[a-z]{3})(?=(In|The|According|Under|This|Indirectly)\b)")
_MIN_WORDS = 3
_MAX_HEADLINE_WORDS = 30


@dataclass(slots=True)
class Cleaned:
    text: str
    zones: list[Zone] = field(default_factory=list)
    title: str | None = None
    published: str | None = None
    published_source: str | None = None


@dataclass(slots=True, frozen=True)
class _Rules:
    drop: re.Pattern[str]
    end: re.Pattern[str]
    image: re.Pattern[str]
    caption: re.Pattern[str]


@functools.cache
def _rules() -> _Rules:
    data = yaml.safe_load(_DATA.read_text(encoding="utf-8"))

    def alternation(patterns: list[str]) -> re.Pattern[str]:
        return re.compile("^(?:" + "|".join(f"(?:{p})" for p in patterns) + ")$", re.IGNORECASE)

    return _Rules(
        drop=alternation(data["drop_line"]),
        end=alternation(data["end_marker"]),
        image=re.compile(data["image_token"], re.IGNORECASE),
        caption=re.compile(data["caption_credit"], re.IGNORECASE),
    )


def _normalize_line(line: str) -> str:
    line = line.replace("\u00a0", " ").replace("\t", " ")
    line = re.sub(r" {2,}", " ", line).strip()
    line = _GLUED_SENTENCE.sub(" ", line)
    return line


def _words(line: str) -> int:
    return len(re.findall(r"[^\W\d_]{2,}", line))


def clean_text(raw: str, title: str | None = None, captions: list[str] | None = None) -> Cleaned:
    """Reduce scraped text to the article.

    1. Normalize each line (spaces, glued sentences "contract.Under"); rejoin hard-wrapped lines.
    2. Take the headline: the known title, else the first line with words.
    3. Drop clutter lines (menus, bylines, widgets, image tokens, stray tokens),
       take a top dateline as the publication date.
    4. Stop at an end marker ("Related news", "Tags:", comment widgets) or at a
       list of dated headlines once the body has begun.
    5. Lines repeating the headline are dropped; a headline glued to a caption
       or to the first paragraph is cut off the line.
    """
    rules = _rules()
    lines = _unwrap([_normalize_line(x) for x in raw.splitlines()])
    lines = [x for x in lines if x]
    out: list[tuple[str, str]] = []  # (kind, text)
    published: str | None = None
    headline = _normalize_line(title) if title else None
    if headline:
        out.append(("headline", headline))
    body_lines = 0
    for i, line in enumerate(lines):
        stripped = rules.image.sub("", line, count=1) if rules.image.match(line) else line
        if headline is None:
            if date := parse_dateline(stripped):
                published = published or date
                continue
            if _words(stripped) < _MIN_WORDS or rules.drop.match(stripped):
                continue
            headline = ""  # the article has begun; only a short first line is a headline
            if _words(stripped) <= _MAX_HEADLINE_WORDS:
                headline = stripped
                out.append(("headline", stripped))
                continue
        if headline and stripped.casefold() == headline.casefold():
            continue
        if headline and headline.casefold() in stripped.casefold():
            at = stripped.casefold().index(headline.casefold())
            stripped = stripped[at + len(headline):].strip(" -–—:|")
            stripped = _GLUED_WORDS.sub(" ", stripped, count=1) if stripped else stripped
            if not stripped:
                continue
        if rules.end.match(stripped) and body_lines >= 1:
            break
        if body_lines >= 1 and _is_dated_list(lines, i):
            break
        date = parse_dateline(stripped)
        if date:
            if published is None and body_lines == 0:
                published = date
            continue
        if rules.drop.match(stripped):
            continue
        if _words(stripped) < _MIN_WORDS:
            continue
        kind = "caption" if rules.caption.search(stripped) else "body"
        out.append((kind, stripped))
        body_lines += kind == "body"
    kept = {text for _, text in out}
    out += [("caption", c) for c in map(_normalize_line, captions or []) if c and c not in kept]
    return _assemble(out, headline or None, published)


def _unwrap(lines: list[str]) -> list[str]:
    """Rejoin hard-wrapped paragraphs: a line that stops mid-sentence continues on the next
    line when that one starts in lower case ('agree-' + 'ment between ...')."""
    out: list[str] = []
    for line in lines:
        prev = out[-1] if out else ""
        if prev and line[:1].islower() and re.search(r"[\w,;]$|[a-z]-$", prev):
            out[-1] = prev[:-1] + line if re.search(r"[a-z]-$", prev) else f"{prev} {line}"
        else:
            out.append(line)
    return out


def _is_dated_list(lines: list[str], i: int) -> bool:
    """True where this line and the next few alternate headline / date: a related-news list."""
    window = lines[i:i + 4]
    return len(window) == 4 and all(parse_dateline(x) for x in window[1::2]) \
        and not any(parse_dateline(x) for x in window[0::2])


def _assemble(parts: list[tuple[str, str]], title: str | None, published: str | None) -> Cleaned:
    text = ""
    zones: list[Zone] = []
    for kind, line in parts:
        if text:
            text += "\n"
        zones.append(Zone(kind, len(text), len(text) + len(line)))
        text += line
    return Cleaned(text=text, zones=zones, title=title, published=published,
                   published_source="dateline" if published else None)
