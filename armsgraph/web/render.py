"""The Jinja2 environment of the pages: autoescaped, with a few filters for ids, dates and labels."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

_QID = re.compile(r"Q[1-9][0-9]{0,11}")

STATUS_LABELS = {"announced": "announced", "agreed": "agreed", "in_progress": "in progress",
                 "completed": "completed", "cancelled": "cancelled", "interest": "interest"}


def _label(value: Any) -> str:
    """'joint_production' -> 'joint production'."""
    return str(value or "").replace("_", " ")


def _path(value: Any) -> str:
    """An id as one URL path segment (slashes and all else escaped)."""
    return quote(str(value), safe="")


def _css(value: Any) -> str:
    """A value as a CSS class fragment: lower-case letters, digits and '-' only."""
    return "".join(c if c.isalnum() else "-" for c in str(value or "").lower())


def _wikidata_url(qid: Any) -> str:
    """The Wikidata page of a QID ('Q43'), or '' for anything else."""
    return f"https://www.wikidata.org/wiki/{qid}" if isinstance(qid, str) and _QID.fullmatch(qid) else ""


def _http_url(url: Any) -> str:
    """`url` when it is an absolute http(s) URL (safe as a link), else ''."""
    if not isinstance(url, str):
        return ""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


templates = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters.update(label=_label, path=_path, css=_css, plural=_plural, wikidata_url=_wikidata_url,
                         http_url=_http_url)
templates.globals.update(status_labels=STATUS_LABELS)
