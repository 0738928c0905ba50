"""The quality gate's own logic (the gate itself runs as `python -m tests.quality_gate`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import quality_gate


def test_floors_file_names_the_required_floors() -> None:
    floors = json.loads(quality_gate.FLOORS.read_text(encoding="utf-8"))
    assert set(floors["seeds"]) == {"entity_f1", "event_f1", "status_accuracy", "resolution_accuracy"}
    assert set(floors["dev"]) == {"entity_f1", "event_f1", "status_accuracy"}
    assert all(0 < v <= 1 for f in floors.values() for v in f.values())


def test_gate_is_skipped_without_shared(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(quality_gate, "SHARED", tmp_path / "no-shared")
    assert quality_gate.main() == 0
    assert capsys.readouterr().out.strip() == "shared/ not found: quality gate skipped"


FIGURES = {"entity_f1": 0.9, "event_f1": 0.6, "status_accuracy": 0.8, "resolution_accuracy": None,
           "spans": 10, "bad_spans": 0, "missing_docs": []}


@pytest.mark.parametrize(("changes", "problems"), [
    ({}, []),
    ({"event_f1": 0.49}, ["dev: event_f1 0.49 < floor 0.5"]),
    ({"bad_spans": 2}, ["dev: 2 of 10 spans have wrong offsets"]),
    ({"missing_docs": ["dev-02"]}, ["dev: documents missing from the export: dev-02"]),
])
def test_check_lists_every_unmet_floor(changes: dict[str, object], problems: list[str]) -> None:
    floors = {"entity_f1": 0.6, "event_f1": 0.5, "status_accuracy": 0.5}
    assert quality_gate.check("dev", {**FIGURES, **changes}, floors) == problems


def test_a_floor_on_a_missing_figure_is_not_met() -> None:
    assert quality_gate.check("seeds", FIGURES, {"resolution_accuracy": 0.8}) == [
        "seeds: resolution_accuracy None < floor 0.8"]
