"""Reading a shipped learned model: a JSON file of weights written by `armsgraph train`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from armsgraph.errors import KnowledgeBaseError


def read(path: Path, what: str, keys: tuple[str, ...], instead: str) -> dict[str, Any]:
    """The model file's top-level `keys`; a missing or broken file is an error naming it, the
    command that rebuilds it and the rule component to use `instead`."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {k: raw[k] for k in keys}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KnowledgeBaseError(f"{path}: cannot read the {what} ({exc}); rebuild it with `armsgraph train`, "
                                 f"or run without it: {instead}") from exc
