"""Scoring: armsgraph.evaluate follows the rules of ontology.md and agrees with the reference scorer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from armsgraph import Pipeline, Store, evaluate, ingest
from armsgraph.errors import GoldFileError
from armsgraph.export import knowledge_base, records

FIGURES = ("entity", "event")


# ------------------------------------------------------------------ building records by hand
def gold(doc_id: str = "d1", entities: list[dict[str, Any]] | None = None,
         events: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"doc_id": doc_id, "published": None, "entities": entities or [], "events": events or []}


def g_ent(etype: str, *names: str, required: bool = True) -> dict[str, Any]:
    return {"type": etype, "names": list(names), "required": required}


def g_ev(etype: str, roles: dict[str, Any], status: list[str] | None = None, required: bool = True) -> dict[str, Any]:
    return {"type": etype, "roles": roles, "status": status, "required": required}


def system(doc_id: str = "d1", names: list[str] | None = None, events: list[dict[str, Any]] | None = None,
           text: str | None = None) -> dict[str, Any]:
    """A system record whose entities e1, e2... are `names`, each mentioned once in `text`."""
    names = names or []
    text = text if text is not None else " ".join(names)
    ents, at = [], 0
    for i, name in enumerate(names, 1):
        at = text.index(name, at)
        ents.append({"id": f"e{i}", "type": "COUNTRY", "name": name, "wikidata": None, "country": None,
                     "mentions": [{"text": name, "start": at, "end": at + len(name)}]})
        at += len(name)
    return {"doc_id": doc_id, "text": text, "entities": ents, "events": events or []}


def s_ev(etype: str, roles: dict[str, list[str]], status: str | None = "completed") -> dict[str, Any]:
    return {"id": "v1", "type": etype, "roles": roles, "status": status, "evidence": []}


def counts(part: dict[str, Any]) -> tuple[int, int, int]:
    return part["tp"], part["fp"], part["fn"]


COUNTRIES = ["Azerbaijan", "Israel", "Bulgaria", "Turkey"]
GOLD_COUNTRIES = [g_ent("COUNTRY", "Azerbaijan"), g_ent("COUNTRY", "Israel"), g_ent("COUNTRY", "Bulgaria"),
                  g_ent("COUNTRY", "Türkiye", "Turkey")]

# (id, gold records, system records, expected (tp, fp, fn) for events, for entities or None)
CASES: list[Any] = [
    pytest.param(
        [gold(entities=GOLD_COUNTRIES, events=[
            g_ev("cooperation", {"parties": [["Azerbaijan"], [c]]}) for c in ("Israel", "Bulgaria", "Türkiye")])],
        [system(names=COUNTRIES, events=[s_ev("cooperation", {"parties": ["e1", "e2"]}),
                                         s_ev("cooperation", {"parties": ["e1", "e3"]}),
                                         s_ev("cooperation", {"parties": ["e1", "e4"]})])],
        (3, 0, 0), (4, 0, 0), id="one-pair-per-event"),
    pytest.param(
        [gold(entities=GOLD_COUNTRIES[:3], events=[
            g_ev("cooperation", {"parties": [["Azerbaijan"], ["Israel"]]}),
            g_ev("cooperation", {"parties": [["Azerbaijan"], ["Bulgaria"]]}),
            g_ev("cooperation", {"parties": [["Israel"], ["Bulgaria"]]})])],
        [system(names=COUNTRIES[:3], events=[s_ev("cooperation", {"parties": ["e1", "e2", "e3"]})])],
        (3, 0, 0), (3, 0, 0), id="pair-expansion-A-B-C-gives-three-pairs"),
    pytest.param(
        [gold(entities=GOLD_COUNTRIES[:3], events=[
            g_ev("cooperation", {"parties": [["Azerbaijan"], ["Israel"]]})])],
        [system(names=COUNTRIES[:3], events=[s_ev("cooperation", {"parties": ["e1", "e2", "e3"]})])],
        (1, 2, 0), (3, 0, 0), id="pair-expansion-extra-pairs-cost-precision"),
    pytest.param(
        [gold(events=[g_ev("supply", {"supplier": ["Turkey"], "recipient": ["Azerbaijan"]}),
                      g_ev("supply", {"supplier": ["Turkey"], "recipient": ["Israel"]})])],
        [system(names=["Turkey", "Azerbaijan", "Israel"],
                events=[s_ev("supply", {"supplier": ["e1"], "recipient": ["e2", "e3"]})])],
        (2, 0, 0), None, id="keyed-roles-expand-to-every-combination"),
    pytest.param(
        [gold(events=[g_ev("supply", {"supplier": ["Turkey"], "recipient": ["Azerbaijan"],
                                      "product": ["aerial bombs"]})])],
        [system(names=["Turkey", "Azerbaijan"], events=[s_ev("supply", {"supplier": ["e1"], "recipient": ["e2"]})])],
        (0, 1, 1), None, id="gold-product-requires-a-system-product"),
    pytest.param(
        [gold(events=[g_ev("supply", {"supplier": ["Turkey"], "recipient": ["Azerbaijan"],
                                      "product": ["aerial bombs"]})])],
        [system(names=["Turkey", "Azerbaijan"],
                events=[s_ev("supply", {"supplier": ["e1"], "recipient": ["e2"], "product": ["Bombs"]})])],
        (1, 0, 0), None, id="product-matches-by-word-containment"),
    pytest.param(
        [gold(events=[g_ev("supply", {"supplier": ["Turkey"], "recipient": ["Azerbaijan"],
                                      "product": ["aerial bombs"]})])],
        [system(names=["Turkey", "Azerbaijan"],
                events=[s_ev("supply", {"supplier": ["e1"], "recipient": ["e2"], "product": ["tanks"]})])],
        (0, 1, 1), None, id="wrong-product-does-not-match"),
    pytest.param(
        [gold(events=[g_ev("supply", {"supplier": ["Turkey"], "recipient": ["Azerbaijan"]})])],
        [system(names=["Turkey", "Azerbaijan"],
                events=[s_ev("supply", {"supplier": ["e1"], "recipient": ["e2"], "product": ["tanks"]})])],
        (1, 0, 0), None, id="system-product-is-free-when-gold-names-none"),
    pytest.param(
        [gold(events=[g_ev("combat_use", {"user": ["Azerbaijan"], "product": ["Bayraktar TB2", "TB2"]})])],
        [system(names=["Azerbaijan", "TB2"], events=[s_ev("combat_use", {"user": ["e1"], "product": ["e2"]})])],
        (1, 0, 0), None, id="combat-use-product-is-a-key-role"),
    pytest.param(
        [gold(entities=[g_ent("LOCATION", "Ankara", required=False), g_ent("LOCATION", "Ankara", "Ankara city")])],
        [system(names=["Ankara"])],
        None, (1, 0, 0), id="required-entity-served-first"),
    pytest.param(
        [gold(events=[g_ev("meeting", {"parties": [["Turkey"], ["Azerbaijan"]]}, required=False),
                      g_ev("meeting", {"parties": [["Turkey"], ["Azerbaijan"]]})])],
        [system(names=["Turkey", "Azerbaijan"], events=[s_ev("meeting", {"parties": ["e1", "e2"]})])],
        (1, 0, 0), None, id="required-event-served-first"),
    pytest.param(
        [gold(entities=[g_ent("LOCATION", "Ankara", required=False)],
              events=[g_ev("meeting", {"parties": [["Turkey"], ["Azerbaijan"]]}, required=False)])],
        [system(names=["Ankara", "Turkey", "Azerbaijan"], events=[s_ev("meeting", {"parties": ["e2", "e3"]})])],
        (0, 0, 0), (0, 2, 0), id="optional-gold-is-neither-missed-nor-a-false-positive"),
    pytest.param(
        [gold(entities=[g_ent("COUNTRY", "Türkiye", "Turkey", "Turkish")],
              events=[g_ev("supply", {"supplier": ["Turkey"], "recipient": ["Azerbaijan"]})])],
        [system(names=["TÜRKİYE'S", "azerbaijan"], events=[s_ev("supply", {"supplier": ["e1"], "recipient": ["e2"]})])],
        (1, 0, 0), (1, 1, 0), id="names-fold-and-expand-to-the-gold-entity"),
    pytest.param(
        [gold(entities=[g_ent("COUNTRY", "Azerbaijan")], events=[
            g_ev("supply", {"supplier": ["Turkey"], "recipient": ["Azerbaijan"]})])],
        [],
        (0, 0, 1), (0, 0, 1), id="document-missing-from-the-export"),
]


@pytest.mark.parametrize(("gold_recs", "sys_recs", "events", "entities"), CASES)
def test_scoring_rules(gold_recs: list[dict[str, Any]], sys_recs: list[dict[str, Any]],
                       events: tuple[int, int, int] | None, entities: tuple[int, int, int] | None) -> None:
    scores = evaluate.score(gold_recs, {r["doc_id"]: r for r in sys_recs})
    if events is not None:
        assert counts(scores["event"]) == events
    if entities is not None:
        assert counts(scores["entity"]) == entities


@pytest.mark.parametrize(("status", "gold_status", "accuracy"), [
    ("agreed", ["agreed"], 1.0),
    ("completed", ["agreed"], 0.0),
    ("completed", ["agreed", "completed"], 1.0),
])
def test_status_accuracy_over_matched_events(status: str, gold_status: list[str], accuracy: float) -> None:
    g = [gold(events=[g_ev("supply", {"supplier": ["Turkey"], "recipient": ["Azerbaijan"]}, status=gold_status),
                      g_ev("supply", {"supplier": ["Turkey"], "recipient": ["Israel"]}, status=["agreed"])])]
    s = system(names=["Turkey", "Azerbaijan"],
               events=[s_ev("supply", {"supplier": ["e1"], "recipient": ["e2"]}, status=status)])
    assert evaluate.score(g, {"d1": s})["status_accuracy"] == accuracy


def test_wrong_offsets_are_counted() -> None:
    rec = system(names=["Turkey", "Azerbaijan"], text="Turkey and Azerbaijan")
    rec["entities"][1]["mentions"].append({"text": "Azerbaijan", "start": 0, "end": 10})
    rec["events"] = [{**s_ev("meeting", {"parties": ["e1", "e2"]}),
                      "evidence": [{"text": "Turkey and Azerbaijan", "start": 0, "end": 21}]}]
    scores = evaluate.score([gold()], {"d1": rec})
    assert (scores["spans"], scores["bad_spans"]) == (4, 1)


RES_KB = {"entities": [
    {"id": "E1", "name": "Roketsan", "aliases": ["ROCKETSAN", "Roketsan"], "mentions": []},
    {"id": "E2", "name": "ASELSAN", "aliases": ["ASELSAN", "HAVELSAN"], "mentions": []},
    {"id": "E3", "name": "Baykar", "aliases": ["Baykar"], "mentions": [{"text": "BAYKAR"}]},
]}


@pytest.mark.parametrize(("pairs", "accuracy", "failed"), [
    ({"same": [["ROCKETSAN", "roketsan"]]}, 1.0, []),
    ({"same": [["Roketsan", "Baykar"]]}, 0.0, ["same Roketsan / Baykar"]),
    ({"different": [["Roketsan", "BAYKAR"]]}, 1.0, []),
    ({"different": [["ASELSAN", "HAVELSAN"]]}, 0.0, ["different ASELSAN / HAVELSAN"]),
    ({"different": [["Roketsan", "TUSAS"]]}, 0.0, ["different Roketsan / TUSAS"]),  # a missing name is a failure
    ({"same": [["ROCKETSAN", "Roketsan"]], "different": [["Roketsan", "Baykar"], ["ASELSAN", "HAVELSAN"]]},
     0.6667, ["different ASELSAN / HAVELSAN"]),
])
def test_resolution_pairs(pairs: dict[str, Any], accuracy: float, failed: list[str]) -> None:
    res = evaluate.score([], {}, RES_KB, pairs)["resolution"]
    assert (res["accuracy"], res["failed"]) == (accuracy, failed)


def test_unreadable_gold_file_is_a_gold_file_error(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(GoldFileError, match=r"gold\.jsonl"):
        evaluate.score_store(store, path)


def test_render_shows_every_document_and_the_totals() -> None:
    g = [gold("d1", [g_ent("COUNTRY", "Turkey")]), gold("d2", [g_ent("COUNTRY", "Israel")])]
    text = evaluate.render(evaluate.score(g, {"d1": system("d1", ["Turkey"])}, RES_KB, {"same": []}))
    lines = text.splitlines()
    assert [line.split()[0] for line in lines[1:4]] == ["d1", "d2", "ALL"]
    assert "status accuracy" in text and "resolution accuracy" in text


# ------------------------------------------------------------------ agreement with the reference scorer
def reference(shared: Path, tmp_path: Path, gold_recs: list[dict[str, Any]], sys_recs: list[dict[str, Any]],
              kb: dict[str, Any] | None = None, pairs: dict[str, Any] | None = None) -> dict[str, Any]:
    gold_path, export_path = tmp_path / "gold.jsonl", tmp_path / "export.jsonl"
    gold_path.write_text("".join(json.dumps(r) + "\n" for r in gold_recs), encoding="utf-8")
    export_path.write_text("".join(json.dumps(r) + "\n" for r in sys_recs), encoding="utf-8")
    argv = [sys.executable, str(shared / "eval" / "score.py"), str(gold_path), str(export_path), "--json"]
    if kb is not None and pairs is not None:
        (tmp_path / "kb.json").write_text(json.dumps(kb), encoding="utf-8")
        (tmp_path / "pairs.json").write_text(json.dumps(pairs), encoding="utf-8")
        argv += ["--kb", str(tmp_path / "kb.json"), "--resolution", str(tmp_path / "pairs.json")]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def assert_same_figures(ours: dict[str, Any], ref: dict[str, Any]) -> None:
    for part in FIGURES:
        assert ours[part] == ref[part], part
    assert ours["status_accuracy"] == ref["status_accuracy"]
    assert (ours["spans"], ours["bad_spans"]) == (ref["spans"], ref["bad_spans"])
    if "resolution" in ref:
        assert ours["resolution"]["accuracy"] == ref["resolution"]["accuracy"]
        assert sorted(ours["resolution"]["failed"]) == sorted(ref["resolution"]["failed"])


EDGE_CASES = [
    pytest.param(
        [gold(events=[g_ev("supply", {"supplier": ["Assan"], "recipient": ["Azerbaijan"],
                                      "product": ["Assan's bombs"]})])],
        [system(names=["Assan", "Azerbaijan"],
                events=[s_ev("supply", {"supplier": ["e1"], "recipient": ["e2"], "product": ["Assan bombs"]})])],
        id="possessive-in-a-product"),
    pytest.param(
        [gold(events=[g_ev("meeting", {"parties": [["Turkey"], ["Azerbaijan"]]})])],
        [system(names=["Turkey", "Azerbaijan"], events=[s_ev("meeting", {"parties": ["e1", "e2"]}),
                                                        s_ev("rumour", {"parties": ["e1", "e2"]})])],
        id="event-type-outside-the-ontology"),
]


@pytest.mark.parametrize(("gold_recs", "sys_recs"), [pytest.param(*p.values[:2], id=p.id) for p in CASES] + EDGE_CASES)
def test_hand_made_cases_agree_with_the_reference(shared: Path, tmp_path: Path, gold_recs: list[dict[str, Any]],
                                                  sys_recs: list[dict[str, Any]]) -> None:
    ours = evaluate.score(gold_recs, {r["doc_id"]: r for r in sys_recs})
    assert_same_figures(ours, reference(shared, tmp_path, gold_recs, sys_recs))


def test_resolution_agrees_with_the_reference(shared: Path, tmp_path: Path) -> None:
    pairs = {"same": [["ROCKETSAN", "roketsan"], ["Roketsan", "Baykar"]],
             "different": [["Roketsan", "BAYKAR"], ["ASELSAN", "HAVELSAN"], ["Roketsan", "TUSAS"]]}
    ours = evaluate.score([gold()], {"d1": system()}, RES_KB, pairs)
    assert_same_figures(ours, reference(shared, tmp_path, [gold()], [system()], RES_KB, pairs))


@pytest.fixture(scope="module")
def scored_sets(pipeline: Pipeline, shared: Path,
                tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """The seeds and dev corpora of ../shared ingested with the session pipeline and exported."""
    out: dict[str, dict[str, Path]] = {}
    for name in ("seeds", "dev"):
        folder = tmp_path_factory.mktemp(name)
        store = Store(str(folder / f"{name}.db"))
        try:
            report = ingest([shared / "corpus" / name], store, pipeline)
            assert report.ok, report.failed
            export = folder / "export.jsonl"
            export.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(store)),
                              encoding="utf-8")
            kb = folder / "kb.json"
            kb.write_text(json.dumps(knowledge_base(store), ensure_ascii=False), encoding="utf-8")
        finally:
            store.close()
        out[name] = {"db": folder / f"{name}.db", "export": export, "kb": kb,
                     "gold": shared / "gold" / f"{name}.jsonl"}
    return out


@pytest.mark.parametrize("name", ["seeds", "dev"])
def test_evaluate_agrees_with_the_reference_on_the_shared_corpus(shared: Path, scored_sets: dict[str, Any],
                                                                 name: str) -> None:
    files = scored_sets[name]
    pairs_path = shared / "gold" / f"{name}.resolution.json"
    argv = [sys.executable, str(shared / "eval" / "score.py"), str(files["gold"]), str(files["export"]), "--json"]
    pairs = None
    if pairs_path.is_file():
        argv += ["--kb", str(files["kb"]), "--resolution", str(pairs_path)]
        pairs = json.loads(pairs_path.read_text(encoding="utf-8"))
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    ref = json.loads(done.stdout)
    gold_recs = [json.loads(x) for x in files["gold"].read_text(encoding="utf-8").splitlines() if x.strip()]
    system_recs = {r["doc_id"]: r for r in map(json.loads, files["export"].read_text(encoding="utf-8").splitlines())}
    kb = json.loads(files["kb"].read_text(encoding="utf-8")) if pairs is not None else None
    ours = evaluate.score(gold_recs, system_recs, kb, pairs)
    assert_same_figures(ours, ref)
    assert ref["missing_docs"] == []
    # and the store-level entry point gives the same figures
    store = Store(str(files["db"]))
    try:
        assert_same_figures(evaluate.score_store(store, files["gold"], pairs_path if pairs else None), ref)
    finally:
        store.close()
