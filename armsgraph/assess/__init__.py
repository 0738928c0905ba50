"""Assessment: what a fused fact's statements add up to.

For each fact, from the statements of every document that states it:
- history: the statements in time order (the fact's date or else the article's publication date),
  each with its status, date, outlet and quoted sentence; the fact's current status is the latest's;
- conflicts: statements that cannot all be true (a cancellation beside deliveries, a status that
  goes back after a later one), flagged and kept, never overwritten;
- corroboration: independent sources, where copies of one story (exact or near, `duplicate_of`)
  count once;
- credibility: NATO Admiralty code, the best source reliability (A–F, from `data/sources.yaml`
  or a user file) and an information credibility 1–6, with the reason in words.
"""

from __future__ import annotations

import functools
import itertools
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from armsgraph.errors import ArmsgraphError
from armsgraph.resolve.names import fold

SOURCES_ENV = "ARMSGRAPH_SOURCES"
_DATA = Path(__file__).parent / "data" / "sources.yaml"
_ORDER = {"interest": 0, "announced": 1, "agreed": 2, "in_progress": 3, "completed": 4}
_CREDIBILITY = {1: "confirmed", 2: "probably true", 3: "possibly true", 4: "doubtful", 5: "improbable",
                6: "cannot be judged"}


@dataclass(slots=True, frozen=True)
class Outlet:
    name: str
    grade: str
    why: str


def fact_time(date: str | None, published: Iterable[str | None]) -> str:
    """When a fact happened, for ordering and date filters: its date (not a bare month-day), else the
    earliest publication date of the articles that state it, else ''."""
    if date and not date.startswith("--"):
        return date
    return min((p for p in published if p), default="")


@dataclass(slots=True)
class Statement:
    """One document's statement of a fact."""

    doc_id: str
    status: str | None
    date: str | None  # the fact's date as this document states it
    published: str | None
    source: str  # path or URL the document came from
    url: str | None = None
    site: str | None = None
    duplicate_of: str | None = None
    text: str = ""
    outlet: Outlet | None = None

    @property
    def when(self) -> str:
        return fact_time(self.date, [self.published])


@dataclass(slots=True)
class Assessment:
    status: str | None
    history: list[Statement] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    corroboration: int = 0
    reliability: str = "F"
    credibility: int = 6
    reason: str = ""

    @property
    def code(self) -> str:
        return f"{self.reliability}{self.credibility}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status, "corroboration": self.corroboration, "conflicts": self.conflicts,
            "credibility": {"code": self.code, "reliability": self.reliability, "credibility": self.credibility,
                            "meaning": _CREDIBILITY[self.credibility], "reason": self.reason},
            "history": [{"doc_id": s.doc_id, "status": s.status, "date": s.date, "published": s.published,
                         "outlet": s.outlet.name if s.outlet else None,
                         "reliability": s.outlet.grade if s.outlet else None, "text": s.text}
                        for s in self.history],
        }


class SourceGrades:
    """Outlet reliability grades: the user's file first, then the shipped defaults."""

    def __init__(self, paths: list[Path]) -> None:
        self.default = "F"
        self.table: list[tuple[set[str], Outlet]] = []
        for path in paths:
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise ArmsgraphError(f"{path}: cannot read source grades ({exc}); fix or remove the file") from exc
            for raw in data.get("outlets") or []:
                grade = str(raw.get("grade", "")).upper()
                if grade not in "ABCDEF" or len(grade) != 1:
                    raise ArmsgraphError(f"{path}: outlet {raw.get('name')!r} has grade {grade!r}; use A to F")
                keys = {fold(m) for m in raw.get("match") or []} | {fold(str(raw.get("name", "")))}
                self.table.append((keys - {""}, Outlet(str(raw["name"]), grade, str(raw.get("why", "")))))
            if path == paths[-1]:
                self.default = str(data.get("default", "F"))

    def outlet(self, url: str | None, site: str | None) -> Outlet | None:
        candidates = []
        if url:
            host = urlparse(url).hostname or ""
            parts = host.removeprefix("www.").split(".")
            candidates += [fold(".".join(parts[i:])) for i in range(max(1, len(parts) - 1))]
        if site:
            candidates.append(fold(site))
        for key in candidates:
            for keys, outlet in self.table:
                if key in keys:
                    return outlet
        if url or site:
            name = site or (urlparse(url or "").hostname or "").removeprefix("www.")
            return Outlet(name, self.default, "outlet not in the source list")
        return None


@functools.cache
def _grades(extra: str | None) -> SourceGrades:
    paths = ([Path(extra)] if extra else []) + [_DATA]
    return SourceGrades(paths)


def grades() -> SourceGrades:
    return _grades(os.environ.get(SOURCES_ENV) or None)


def assess(statements: list[Statement], source_grades: SourceGrades | None = None) -> Assessment:
    """History, conflicts, corroboration and Admiralty grading of one fact's statements."""
    table = source_grades or grades()
    for s in statements:
        s.outlet = s.outlet or table.outlet(s.url, s.site)
    history = in_time_order(statements)
    groups: dict[str, list[Statement]] = {}
    for s in statements:  # copies of one story (exact or near) form one group, led by the original
        groups.setdefault(s.duplicate_of or s.doc_id, []).append(s)
    origins = set()
    for root, members in groups.items():
        lead = next((m for m in members if m.doc_id == root), members[0])
        origins.add(lead.outlet.name if lead.outlet else root)  # one outlet twice is one source
    independent = len(origins)
    conflicts = _conflicts(history)
    grades_seen = sorted(s.outlet.grade if s.outlet else table.default for s in statements)
    reliability = grades_seen[0] if grades_seen else table.default
    latest = current_status(history)
    credibility, reason = _credibility(independent, reliability, conflicts, len(statements) - len(groups))
    return Assessment(latest, history, conflicts, independent, reliability, credibility, reason)


def in_time_order(statements: list[Statement]) -> list[Statement]:
    """Statements oldest first (undated last, then by document id, so the order is stable)."""
    return sorted(statements, key=lambda s: (s.when == "", s.when, s.doc_id))


def current_status(history: list[Statement]) -> str | None:
    """The fact's status now: the latest statement's that says one (`history` in time order)."""
    return next((s.status for s in reversed(history) if s.status), None)


def _conflicts(history: list[Statement]) -> list[str]:
    out = []
    statuses = {s.status for s in history}
    if "cancelled" in statuses and statuses & {"in_progress", "completed"}:
        said = [f"{s.doc_id} ({s.status})" for s in history if s.status in ("cancelled", "in_progress", "completed")]
        out.append("reported both cancelled and under way or done: " + ", ".join(said))
    dated = [s for s in history if s.when and s.status in _ORDER]
    for earlier, later in itertools.pairwise(dated):
        if _ORDER[later.status or ""] < _ORDER[earlier.status or ""] and later.when[:4] > earlier.when[:4]:
            out.append(f"{later.doc_id} ({later.when}) reports '{later.status}' after {earlier.doc_id} "
                       f"({earlier.when}) reported '{earlier.status}'")
    return out


def _credibility(independent: int, reliability: str, conflicts: list[str], copies: int) -> tuple[int, str]:
    copies_note = f"; {copies} cop{'y' if copies == 1 else 'ies'} of one story counted once" if copies else ""
    if conflicts:
        return 4, f"conflicting statements ({len(conflicts)}){copies_note}"
    if independent >= 2:
        return 1, f"{independent} independent sources agree{copies_note}"
    if independent == 1 and reliability in "AB":
        return 2, f"one source, usually reliable ({reliability}){copies_note}"
    if independent == 1 and reliability in "CF":
        return 3, f"one source ({'reliability not judged' if reliability == 'F' else 'fairly reliable'}){copies_note}"
    if independent == 1 and reliability == "D":
        return 4, f"one source, not usually reliable{copies_note}"
    if independent == 1:
        return 5, f"one unreliable source{copies_note}"
    return 6, "no source"
