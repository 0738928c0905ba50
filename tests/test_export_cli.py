"""The command line over the sample corpus: ingest, export, entities, facts, show, eval; and its documentation."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from armsgraph import cli
from armsgraph.model import ENTITY_TYPES, EVENT_TYPES, STATUSES
from armsgraph.store import Store
from tests.helpers import REPO, record_spans

SAMPLE_DOCS = ["de-ua-jv", "feed-0001", "feed-0002", "id-tr-kaplan", "in-ph-brahmos", "pl-kr-k9", "tr-az-uav"]
FREE_TEXT_ROLES = {"product", "kind", "name"}
ISO_DATE = re.compile(r"^(?:\d{4}(?:-\d{2}(?:-\d{2})?)?|--\d{2}-\d{2})$")


@pytest.fixture(scope="module")
def sample_db(samples: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("samples") / "samples.db")
    assert cli.main(["ingest", str(samples), "--db", db, "--quiet"]) == 0
    return db


@pytest.fixture(scope="module")
def exported(sample_db: str, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("export") / "records.jsonl"
    assert cli.main(["export", "--format", "jsonl", "--db", sample_db, "-o", str(out)]) == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def fail_fast_on_locks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make a lock wait fail after 0.2 s instead of 30 s, so that a lock bug fails the test quickly."""
    def quick_store(url: str) -> Store:
        s = Store(url)

        @event.listens_for(s.engine, "connect")
        def _short_wait(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.execute("PRAGMA busy_timeout=200")

        s.engine.dispose()
        return s

    monkeypatch.setattr(cli, "Store", quick_store)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ ingest
def test_ingest_stores_every_sample_article(sample_db: str, exported: list[dict[str, Any]]) -> None:
    assert [r["doc_id"] for r in exported] == SAMPLE_DOCS


def test_ingest_again_changes_nothing(sample_db: str, samples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "ingest", str(samples), "--db", sample_db)
    assert code == 0
    assert out.startswith(f"0 ingested, 0 duplicate, {len(SAMPLE_DOCS)} unchanged, 0 skipped, 0 failed")
    assert "ingested " not in err


def test_ingest_reports_progress_unless_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("Roketsan opens plant in Azerbaijan\nRoketsan is building a missile "
                                    "factory in Azerbaijan.\nThe plant will employ three hundred workers.\n",
                                    encoding="utf-8")
    code, out, err = run(capsys, "ingest", str(tmp_path / "a.txt"), "--db", str(tmp_path / "x.db"))
    assert code == 0
    assert "1/1" in err and "doc/s" in err  # a progress bar with its count and rate
    assert out.strip().endswith(str(tmp_path / "x.db"))


def test_ingest_with_one_bad_file_stores_the_good_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, sentence in [("good-1", "Roketsan is building a missile factory in Azerbaijan."),
                           ("good-2", "Hyundai Rotem will deliver K2 tanks to Poland.")]:
        (corpus / f"{name}.txt").write_text(f"{sentence[:30]}\n{sentence}\nOfficials confirmed the plan today.\n",
                                            encoding="utf-8")
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02binary garbage\x00")
    db = str(tmp_path / "x.db")
    code, out, err = run(capsys, "ingest", str(corpus), "--db", db, "--quiet")
    assert code == 1
    assert out.startswith("2 ingested, 0 duplicate, 0 unchanged, 0 skipped, 1 failed")
    [line] = [x for x in err.splitlines() if "broken.txt" in x]
    assert "binary" in line
    assert "Traceback" not in err
    code, out, _ = run(capsys, "export", "--db", db)
    assert [json.loads(x)["doc_id"] for x in out.splitlines()] == ["good-1", "good-2"]


def test_ingest_with_an_empty_article_goes_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a-menu.txt").write_text("Skip to content\nAdvertisement\nShare\n", encoding="utf-8")
    (corpus / "b-good.txt").write_text("Roketsan opens plant\nRoketsan is building a missile factory in "
                                       "Azerbaijan.\nOfficials confirmed the plan today.\n", encoding="utf-8")
    code, out, err = run(capsys, "ingest", str(corpus), "--db", str(tmp_path / "x.db"), "--quiet")
    assert (code, out.split(",")[0]) == (1, "1 ingested")
    assert "a-menu.txt" in err


def test_ingest_of_a_missing_path_fails_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "ingest", str(tmp_path / "nowhere"), "--db", str(tmp_path / "x.db"))
    assert code == 1
    assert "nowhere" in err and "Traceback" not in err


def test_database_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "env.db"
    monkeypatch.setenv("ARMSGRAPH_DB", str(db))
    code, out, _ = run(capsys, "entities")
    assert (code, out) == (0, "")
    assert db.exists()


# ------------------------------------------------------------------ export
def test_export_jsonl_records_follow_the_ontology(exported: list[dict[str, Any]]) -> None:
    for rec in exported:
        assert {"doc_id", "title", "published", "text", "entities", "events"} <= set(rec)
        ids = [e["id"] for e in rec["entities"]]
        assert ids == [f"e{i}" for i in range(1, len(ids) + 1)]
        for ent in rec["entities"]:
            assert {"id", "type", "name", "wikidata", "country", "mentions"} <= set(ent)
            assert ent["type"] in ENTITY_TYPES and ent["mentions"]
        assert [ev["id"] for ev in rec["events"]] == [f"v{i}" for i in range(1, len(rec["events"]) + 1)]
        for ev in rec["events"]:
            assert {"id", "type", "roles", "status", "date", "attribution", "confidence", "evidence"} <= set(ev)
            assert ev["type"] in EVENT_TYPES
            assert ev["status"] is None or ev["status"] in STATUSES
            assert ev["date"] is None or ISO_DATE.match(ev["date"]), ev["date"]
            assert ev["attribution"] is None or ev["attribution"] in ids
            assert 0 <= ev["confidence"] <= 1 and ev["evidence"]
            for role, values in ev["roles"].items():
                assert isinstance(values, list) and values
                assert role in FREE_TEXT_ROLES or all(v in ids for v in values), (rec["doc_id"], role, values)


def test_export_jsonl_spans_point_at_their_text(exported: list[dict[str, Any]]) -> None:
    for rec in exported:
        bad = [x for x in record_spans(rec) if rec["text"][x["start"]:x["end"]] != x["text"]]
        assert bad == [], rec["doc_id"]


def test_export_to_stdout_equals_export_to_file(sample_db: str, exported: list[dict[str, Any]],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "export", "--db", sample_db)
    assert code == 0
    assert [json.loads(x) for x in out.splitlines()] == exported


def test_export_kb_json_fuses_entities_and_cites_every_fact(sample_db: str, exported: list[dict[str, Any]],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "export", "--format", "kb-json", "--db", sample_db)
    assert code == 0
    kb = json.loads(out)
    texts = {r["doc_id"]: r["text"] for r in exported}
    ids = {e["id"] for e in kb["entities"]}
    assert len(ids) == len(kb["entities"])
    for ent in kb["entities"]:
        assert ent["type"] in ENTITY_TYPES and ent["name"] in ent["aliases"]
        for m in ent["mentions"]:
            assert texts[m["doc_id"]][m["start"]:m["end"]] == m["text"]
    turkey = [e for e in kb["entities"] if e["name"] == "Türkiye"]
    assert len(turkey) == 1 and len({m["doc_id"] for m in turkey[0]["mentions"]}) > 1
    assert kb["events"]
    for fact in kb["events"]:
        assert fact["type"] in EVENT_TYPES and fact["documents"] and fact["evidence"]
        for x in fact["evidence"]:
            assert texts[x["doc_id"]][x["start"]:x["end"]] == x["text"]
        for role, values in fact["roles"].items():
            assert role in FREE_TEXT_ROLES or all(v in ids for v in values), (role, values)
    statements = sum(len(f["statements"]) for f in kb["events"])
    assert statements == sum(len(r["events"]) for r in exported)


# ------------------------------------------------------------------ queries
def test_entities_lists_each_entity_once(sample_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "entities", "--db", sample_db)
    assert code == 0
    lines = out.splitlines()
    assert lines and all(line.split()[0] in ENTITY_TYPES for line in lines)
    counts = [int(re.search(r"(\d+) mentions", line).group(1)) for line in lines]  # type: ignore[union-attr]
    assert counts == sorted(counts, reverse=True)
    assert sum("Türkiye" in line for line in lines) == 1


@pytest.mark.parametrize("etype", ["COUNTRY", "company"])
def test_entities_filtered_by_type(sample_db: str, capsys: pytest.CaptureFixture[str], etype: str) -> None:
    code, out, _ = run(capsys, "entities", "--type", etype, "--db", sample_db)
    assert code == 0 and out
    assert {line.split()[0] for line in out.splitlines()} == {etype.upper()}


def test_facts_filtered_by_type(sample_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "facts", "--type", "supply", "--db", sample_db)
    assert code == 0
    heads = [line for line in out.splitlines() if not line.startswith("    - ")]
    cites = [line for line in out.splitlines() if line.startswith("    - ")]
    assert heads and all(h.startswith("[supply] ") for h in heads)
    assert len(cites) >= len(heads)
    assert any("Poland" in h for h in heads)


def test_facts_filtered_by_status(sample_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "facts", "--status", "agreed", "--db", sample_db)
    assert code == 0
    heads = [line for line in out.splitlines() if not line.startswith("    - ")]
    assert heads and all(" status=agreed " in h for h in heads)


def test_facts_are_paged_with_limit_and_offset(sample_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    def heads(*argv: str) -> list[str]:
        code, out, _ = run(capsys, "facts", *argv, "--db", sample_db)
        assert code == 0
        return [line for line in out.splitlines() if not line.startswith("    - ")]

    everything = heads()
    assert len(everything) > 4
    assert heads("--limit", "3") + heads("--offset", "3", "--limit", "2") == everything[:5]
    assert heads("--offset", str(len(everything))) == []


@pytest.mark.parametrize("argv", [["facts", "--type", "alliance"], ["facts", "--status", "rumoured"],
                                  ["facts", "--limit", "-1"], ["export", "--format", "xlsx"], ["frobnicate"]])
def test_bad_arguments_exit_with_usage(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err


@pytest.mark.usefixtures("fail_fast_on_locks")
@pytest.mark.parametrize("name", ["Turkey", "türkiye"])
def test_show_an_entity_by_any_of_its_names(sample_db: str, capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, _ = run(capsys, "show", name, "--db", sample_db)
    assert code == 0
    first, also, docs, *facts = out.splitlines()
    assert first.startswith("Türkiye (COUNTRY)")
    assert "Turkey" in also
    assert docs.startswith("  in ") and "tr-az-uav" in docs
    assert any(line.startswith("[") for line in facts)


@pytest.mark.usefixtures("fail_fast_on_locks")
def test_facts_filtered_by_entity(sample_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "facts", "--entity", "Poland", "--db", sample_db)
    assert code == 0
    heads = [line for line in out.splitlines() if not line.startswith("    - ")]
    assert heads and all("Poland" in h or "Polish" in h for h in heads)


def test_show_an_unknown_name_says_so(sample_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "Atlantis", "--db", sample_db)
    assert (code, out) == (2, "")
    assert "no entity named 'Atlantis'" in err


# ------------------------------------------------------------------ eval
def gold_line(doc_id: str, entities: list[tuple[str, list[str]]], events: list[dict[str, Any]]) -> str:
    return json.dumps({"doc_id": doc_id, "entities": [{"type": t, "names": n, "required": True} for t, n in entities],
                       "events": [{**e, "required": True} for e in events]})


def test_eval_scores_against_a_gold_file(sample_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(gold_line("pl-kr-k9", [("COUNTRY", ["Poland", "Polish"]), ("COMPANY", ["Hanwha Aerospace"]),
                                           ("CITY", ["Atlantis"])],
                              [{"type": "supply", "roles": {"supplier": ["Hanwha Aerospace", "Hanwha"],
                                                            "recipient": ["Poland", "Polish Army"]},
                                "status": ["agreed", "completed"]}]) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "eval", str(gold), "--db", sample_db, "--json")
    assert code == 0
    scores = json.loads(out)
    assert scores["docs"] == 1
    assert (scores["entity"]["tp"], scores["entity"]["fn"]) == (2, 1)
    assert scores["event"]["tp"] == 1 and scores["status_accuracy"] == 1.0
    assert scores["bad_spans"] == 0
    code, out, _ = run(capsys, "eval", str(gold), "--db", sample_db)
    assert code == 0
    assert out.splitlines()[0].split()[:2] == ["doc", "ent"]
    assert any(line.startswith("pl-kr-k9") for line in out.splitlines())


@pytest.mark.parametrize(("content", "flag"), [(None, None), ("not json\n", None), (None, "--resolution")])
def test_eval_with_an_unreadable_gold_file_says_what_to_do(
        sample_db: str, tmp_path: Path, content: str | None, flag: str | None,
        capsys: pytest.CaptureFixture[str]) -> None:
    gold = tmp_path / "gold.jsonl"
    argv = ["eval", str(gold), "--db", sample_db]
    if flag:
        gold.write_text(gold_line("pl-kr-k9", [], []) + "\n", encoding="utf-8")
        argv += [flag, str(tmp_path / "missing-pairs.json")]
    elif content is not None:
        gold.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("armsgraph: ") and "Traceback" not in err
    assert ("missing-pairs.json" if flag else "gold.jsonl") in err


# ------------------------------------------------------------------ documentation
def cli_surface() -> dict[str, list[str]]:
    parser = cli._parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    out = {}
    for name, p in sub.choices.items():
        opts = [max(a.option_strings, key=len) for a in p._actions if a.option_strings and a.dest != "help"]
        out[name] = opts
    return out


def test_every_subcommand_and_option_is_documented_in_the_readme() -> None:
    readme = REPO / "README.md"
    if not readme.is_file():
        pytest.skip("README.md does not exist yet")
    text = readme.read_text(encoding="utf-8")
    missing = [f"armsgraph {cmd}" for cmd in cli_surface() if not re.search(rf"armsgraph {cmd}\b", text)]
    missing += [f"{cmd} {opt}" for cmd, opts in cli_surface().items() for opt in opts
                if not re.search(rf"{re.escape(opt)}\b", text)]
    assert missing == [], "undocumented in README.md: " + ", ".join(missing)

