"""The analysts' export formats of `armsgraph.export.formats`, as downloadable bodies.

jsonl and kb-json are served by the API itself; the formats here exist when the
`formats` module is installed (it is optional for the web app). Each is rendered into a
private temporary folder and returned as bytes; parquet's two tables come as one zip.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from armsgraph import export
from armsgraph.store import Store
from armsgraph.store import schema as t

try:
    from armsgraph.export import formats
except ImportError:  # pragma: no cover - the formats module is optional
    formats = None  # type: ignore[assignment]

Rendered = tuple[bytes, str, str]  # body, media type, file suffix


def _kb(store: Store) -> dict[str, Any]:
    kb = export.knowledge_base(store)
    with store.connect() as conn:  # publication dates let the formats date facts by their first report
        kb["documents"] = [{"doc_id": r[0], "published": r[1]} for r in conn.execute(
            select(t.documents.c.id, t.documents.c.published).where(t.documents.c.published.is_not(None)))]
    return kb


def _to_file(write: Callable[[dict[str, Any], Path], object], name: str) -> Callable[[dict[str, Any]], bytes]:
    def render(kb: dict[str, Any]) -> bytes:
        with tempfile.TemporaryDirectory(prefix="armsgraph-export-") as tmp:
            path = Path(tmp) / name
            write(kb, path)
            return path.read_bytes()
    return render


def _parquet(kb: dict[str, Any]) -> bytes:
    assert formats is not None
    with tempfile.TemporaryDirectory(prefix="armsgraph-export-") as tmp:
        paths = formats.parquet(kb, tmp)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in paths:
                zf.write(path, path.name)
        return buf.getvalue()


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode()


def _table() -> dict[str, tuple[Callable[[dict[str, Any]], bytes], str, str]]:
    if formats is None:
        return {}
    return {
        "csv": (_to_file(formats.sipri_csv, "sipri.csv"), "text/csv; charset=utf-8", "csv"),
        "graphml": (_to_file(formats.graphml, "graph.graphml"), "application/graphml+xml", "graphml"),
        "gexf": (_to_file(formats.gexf, "graph.gexf"), "application/gexf+xml", "gexf"),
        "jsonld": (lambda kb: _json(formats.jsonld(kb)), "application/ld+json", "jsonld"),
        "plover": (lambda kb: _json(formats.plover(kb)), "application/json", "plover.json"),
        "parquet": (_parquet, "application/zip", "parquet.zip"),
    }


FORMATS = _table()


def extra_names() -> list[str]:
    return list(FORMATS)


def render(store: Store, fmt: str) -> Rendered | None:
    """The export in `fmt`, or None when there is no such format."""
    entry = FORMATS.get(fmt)
    if entry is None:
        return None
    make, media_type, suffix = entry
    return make(_kb(store)), media_type, suffix
