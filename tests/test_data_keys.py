"""Every key of every data file the package ships is read by the code that loads it.

Each loader is run on files parsed into mappings that record which keys were asked for (by
subscript, `get`, `in`, or by walking the mapping); a key that no loader asks for is a setting
that does nothing, and the test names it with its file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import armsgraph
from armsgraph import assess, kb, ontology
from armsgraph.export import formats
from armsgraph.extract import lexicon
from armsgraph.ingest import clean
from armsgraph.nlp import mentions
from armsgraph.settings import Settings

PACKAGE = Path(armsgraph.__file__).parent


class Tracked(dict):  # type: ignore[type-arg]
    """A mapping that notes each key read, as 'path.key' (list items are '[]')."""

    def __init__(self, data: dict[Any, Any], path: str, seen: set[str]) -> None:
        super().__init__({k: _track(v, f"{path}.{k}", seen) for k, v in data.items()})
        self._path, self._seen = path, seen

    def _note(self, key: object) -> None:
        self._seen.add(f"{self._path}.{key}")

    def __getitem__(self, key: Any) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._note(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return super().__contains__(key)

    def _all(self) -> None:
        for k in dict.keys(self):
            self._note(k)

    def __iter__(self) -> Iterator[Any]:
        self._all()
        return super().__iter__()

    def items(self):  # type: ignore[no-untyped-def, override]
        self._all()
        return super().items()

    def keys(self):  # type: ignore[no-untyped-def, override]
        self._all()
        return super().keys()

    def values(self):  # type: ignore[no-untyped-def, override]
        self._all()
        return super().values()


def _track(value: Any, path: str, seen: set[str]) -> Any:
    if isinstance(value, dict):
        return Tracked(value, path, seen)
    if isinstance(value, list):
        return [_track(v, f"{path}.[]", seen) for v in value]
    return value


def _keys(value: Any, path: str) -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(f"{path}.{k}")
            out |= _keys(v, f"{path}.{k}")
    elif isinstance(value, list):
        for v in value:
            out |= _keys(v, f"{path}.[]")
    return out


def _clear_caches() -> None:
    for loader in (lexicon.load, kb.load, formats.plover_table, clean._rules, mentions.rules, assess.grades,
                   assess._grades, ontology.load):
        cache_clear = getattr(loader, "cache_clear", None)
        if cache_clear is not None:
            cache_clear()


def test_every_key_of_every_shipped_data_file_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: set[str] = set()
    real_load = yaml.safe_load
    files: dict[str, Path] = {}

    def tracking_load(stream: Any) -> Any:
        text = stream if isinstance(stream, str) else stream.read()
        data = real_load(text)
        path = next((str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.yaml")
                     if p.read_text(encoding="utf-8") == text), "?")
        files[path] = PACKAGE / path
        return _track(data, path, seen)

    monkeypatch.setattr(yaml, "safe_load", tracking_load)
    _clear_caches()
    try:
        lexicon.load()
        kb.load(Settings().kb_dir)
        formats.plover_table()
        clean._rules()
        mentions.rules()
        assess.grades()
        ontology.load()
    finally:
        _clear_caches()
    shipped = {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.yaml")}
    assert shipped <= set(files), f"data files no loader read: {sorted(shipped - set(files))}"
    unread = sorted(k for name, path in files.items()
                    for k in _keys(real_load(path.read_text(encoding="utf-8")), name) if k not in seen)
    assert not unread, "keys no code reads (remove them, or read them): " + ", ".join(unread[:20])
