"""The annotated corpus under corpus/: valid to the contract, as broad as its datasheet says, split by story.

`corpus/validate.py` does the checks of each document (text, names, roles, types, statuses, held-out
sources, the reference scorer's 1.0 on the gold itself); these tests run it and check what is true of
the whole corpus.
"""

from __future__ import annotations

import collections
import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
# the corpus's scripts live beside the corpus, not in the package
sys.path.insert(0, str(CORPUS))
assemble = importlib.import_module("assemble")
validate = importlib.import_module("validate")


def _jsonl(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (CORPUS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


GOLD = _jsonl("gold.jsonl")
SOURCES = _jsonl("sources.jsonl")
SPLITS = json.loads((CORPUS / "splits.json").read_text())


def test_validator_finds_no_problem() -> None:
    problems = validate.validate(CORPUS / "sources.jsonl", CORPUS / "gold.jsonl")
    assert problems == []


@pytest.mark.skipif(not (SHARED / "tools" / "heldout-check").is_file(), reason="no shared/ beside the repository")
def test_no_source_is_a_held_out_article() -> None:
    proc = subprocess.run([sys.executable, str(SHARED / "tools" / "heldout-check"), "--jsonl",
                           str(CORPUS / "sources.jsonl")], capture_output=True, text=True)
    assert proc.returncode == 0, [line for line in proc.stdout.splitlines() if line.startswith("held out")]


def test_validator_catches_what_it_is_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken gold line gets one problem per fault: the checks can fail."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "x1.txt").write_text("Chile buys frigates\n\nChile ordered two frigates from Naval Group.")
    monkeypatch.setattr(validate, "CORPUS", tmp_path)
    bad = {"doc_id": "x1", "entities": [
        {"type": "COUNTRY", "names": ["Chile"], "required": True},
        {"type": "COMPANY", "names": ["Naval Grp"], "required": True},  # not in the text
        {"type": "SHIP", "names": ["frigates"], "required": False}],  # not an ontology type
        "events": [{"type": "supply", "roles": {"supplier": ["Naval Group"], "recipient": ["Chile"]},
                    "status": ["sold"], "required": True},  # supplier not an entity name; bad status
                   {"type": "meeting", "roles": {"parties": [["Chile"]]}, "required": True}]}  # one side
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(bad) + "\n")
    problems = "\n".join(validate.validate(Path(), gold, need_sources=False))
    for expected in ["'Naval Grp' does not occur", "'SHIP' is not an ontology type", "'Naval Group' is not a name",
                     "status must be", "holds 1 fillers"]:
        assert expected in problems


def test_annotators_form_becomes_the_scorers_form() -> None:
    events = [{"type": "meeting", "roles": {"parties": [["A"], ["B"], ["C"]], "location": [["Oslo"]]}},
              {"type": "supply", "roles": {"supplier": [["S"]], "recipient": [["R1"], ["R2"]],
                                           "product": [["tanks"], ["guns"]]}},
              {"type": "supply", "roles": {"supplier": ["S"], "recipient": ["R"]}}]
    out = validate.canonical_events(events)
    meetings = [e["roles"]["parties"] for e in out if e["type"] == "meeting"]
    assert meetings == [[["A"], ["B"]], [["A"], ["C"]], [["B"], ["C"]]]
    assert {e["expanded_from"] for e in out if e["type"] == "meeting"} == {0}
    supplies = [e["roles"] for e in out if e["type"] == "supply"]
    assert supplies[0] == {"supplier": ["S"], "recipient": ["R1"], "product": ["tanks", "guns"]}
    assert supplies[1]["recipient"] == ["R2"]
    assert supplies[2] == {"supplier": ["S"], "recipient": ["R"]} and "expanded_from" not in out[-1]


def test_breadth_the_issue_asks_for() -> None:
    assert len(GOLD) >= 200
    assert len({s["outlet"] for s in SOURCES}) >= 60
    years = {int(str(s["published"])[:4]) for s in SOURCES if s.get("published")}
    assert min(years) <= 2010 and max(years) >= 2025
    assert {s["shape"] for s in SOURCES} >= {"wire", "trade", "government", "brief", "feature", "blog"}
    clutter = sum(1 for s in SOURCES if s["clutter"]) / len(SOURCES)
    assert 0.25 <= clutter <= 0.75
    per_type = collections.Counter(e["type"] for g in GOLD for e in assemble.annotated(g["events"]) if e["required"])
    assert {t: n for t, n in per_type.items() if n < 40} == {}
    assert set(per_type) == set(validate.ROLES)


def test_splits_cover_the_corpus_by_story() -> None:
    ids = {g["doc_id"] for g in GOLD}
    parts = {s: set(SPLITS.get(s, [])) for s in assemble.PARTS}
    assert set().union(*parts.values()) == ids
    assert sum(len(p) for p in parts.values()) == len(ids)  # each article in one part
    split_of = {d: s for s, docs in parts.items() for d in docs}
    for story in SPLITS["stories"]:
        assert len({split_of[d] for d in story}) == 1, f"one story across splits: {story}"
    slugs = collections.defaultdict(set)
    for s in SOURCES:
        slugs[s["story"]].add(split_of[s["id"]])
    assert {k: v for k, v in slugs.items() if len(v) > 1} == {}


def test_documents_examined_during_development_are_not_in_the_test_split() -> None:
    examined = {x.strip() for x in (CORPUS / "examined.txt").read_text().splitlines() if x.strip()
                and not x.startswith("#")}
    assert examined and not examined & set(SPLITS["test"])


def test_splits_are_balanced_by_event_type() -> None:
    """Every event type is spread over the splits as the documents are (within 10 points of the
    stratified 70/15/15); articles held back count in none."""
    golds = {g["doc_id"]: g for g in GOLD}
    docs = sum(len(SPLITS[s]) for s in assemble.SPLIT_SHARES)
    for t in validate.ROLES:
        counts = {s: sum(assemble.type_counts(golds[d])[t] for d in SPLITS[s]) for s in ("train", "dev", "test")}
        total = sum(counts.values())
        for s in assemble.SPLIT_SHARES:
            assert abs(counts[s] / total - len(SPLITS[s]) / docs) <= 0.10, f"{t}: {counts}"


def test_splits_are_reproducible_and_frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Split afresh twice: the same splits. Split again with splits.json present: nothing moves."""
    import shutil

    for name in ("sources.jsonl", "gold.jsonl", "examined.txt"):
        shutil.copy(CORPUS / name, tmp_path / name)
    (tmp_path / "docs").symlink_to(CORPUS / "docs")
    monkeypatch.setattr(assemble, "CORPUS", tmp_path)
    assemble.split()
    fresh = json.loads((tmp_path / "splits.json").read_text())
    (tmp_path / "splits.json").unlink()
    assemble.split()
    assert json.loads((tmp_path / "splits.json").read_text()) == fresh
    shutil.copy(CORPUS / "splits.json", tmp_path / "splits.json")
    assemble.split()
    assert json.loads((tmp_path / "splits.json").read_text()) == SPLITS


def test_new_stories_can_all_go_to_one_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`split --new-to held_back`: documents not yet in splits.json all go there; the rest stay."""
    import shutil

    for name in ("sources.jsonl", "gold.jsonl", "examined.txt"):
        shutil.copy(CORPUS / name, tmp_path / name)
    (tmp_path / "docs").symlink_to(CORPUS / "docs")
    new = set(SPLITS["test"][:3]) | set(SPLITS["dev"][:2])  # as if they had just been annotated
    before = {s: [d for d in SPLITS.get(s, []) if d not in new] for s in assemble.PARTS}
    (tmp_path / "splits.json").write_text(json.dumps({**before, "stories": []}))
    monkeypatch.setattr(assemble, "CORPUS", tmp_path)
    assemble.split("held_back")
    after = json.loads((tmp_path / "splits.json").read_text())
    assert new <= set(after["held_back"])
    assert all(after[s] == before[s] for s in ("train", "dev", "test"))


def test_datasheet_tables_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    """corpus/README.md holds the output of `assemble.py stats` between its markers, unedited."""
    assemble.stats()
    printed = capsys.readouterr().out.strip()
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    between = readme.split("<!-- stats:begin -->")[1].split("<!-- stats:end -->")[0].strip()
    assert between == printed, "run `python corpus/assemble.py stats` and paste its output into corpus/README.md"
