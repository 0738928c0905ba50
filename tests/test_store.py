"""The store: one transactional write path, content-derived ids, cross-document resolution, migrations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from armsgraph import Document, Entity, Event, Mention, Pipeline, Span, Store, StoreError
from armsgraph.export import knowledge_base, records
from armsgraph.store import schema, summaries
from tests.helpers import row_counts, table_rows

Annotate = Callable[[str], Document]


def person(eid: str, text: str, at: str, name: str | None = None) -> Entity:
    start = at.index(text)
    key = "open:" + "".join(c for c in (name or text).lower() if c.isalnum())
    return Entity(eid, "PERSON", name or text, key, [Mention(start, start + len(text), text, "PERSON")])


def company(eid: str, text: str, at: str, kb_id: str) -> Entity:
    start = at.index(text)
    return Entity(eid, "COMPANY", text, f"kb:{kb_id}",
                  [Mention(start, start + len(text), text, "COMPANY", kb_id=kb_id, source="kb")], kb_id=kb_id)


def country(eid: str, text: str, at: str, iso3: str) -> Entity:
    start = at.index(text)
    kb_id = f"country/{iso3.lower()}"
    return Entity(eid, "COUNTRY", text, f"kb:{kb_id}",
                  [Mention(start, start + len(text), text, "COUNTRY", kb_id=kb_id, source="kb")],
                  kb_id=kb_id, country=iso3)


def sentence(text: str) -> list[Span]:
    return [Span(0, len(text), text)]


def facility_doc(doc_id: str = "doc-a") -> Document:
    """Two events: a facility by Roketsan in Azerbaijan, and a meeting of an open-world person with Roketsan."""
    text = "Roketsan is building a missile factory in Azerbaijan.\nKerem Altınbaş met Roketsan officials."
    first, second = text.split("\n")
    ents = [company("e1", "Roketsan", text, "company/roketsan"), country("e2", "Azerbaijan", text, "AZE"),
            person("e3", "Kerem Altınbaş", text, "Kerem Altinbas")]
    ents[0].mentions.append(Mention(text.rindex("Roketsan"), text.rindex("Roketsan") + 8, "Roketsan", "COMPANY",
                                    kb_id="company/roketsan", source="kb"))
    at = len(first) + 1
    events = [
        Event("v1", "facility", {"builder": ["e1"], "host": ["e2"], "product": ["missiles"]}, status="in_progress",
              confidence=0.9, evidence=sentence(first)),
        Event("v2", "meeting", {"parties": ["e3", "e1"]}, status="completed", confidence=0.7,
              evidence=[Span(at, at + len(second), second)]),
    ]
    return Document(doc_id, text, source=f"{doc_id}.txt", title=first, published="2024-03-05",
                    entities=ents, events=events)


# ------------------------------------------------------------------ idempotence and rewrites
def test_schema_is_at_the_latest_version(store: Store) -> None:
    assert store.schema_version() == schema.LATEST >= 1


def test_writing_the_same_document_twice_changes_nothing(store: Store) -> None:
    doc = facility_doc()
    assert store.write_document(doc) is True
    after_first = table_rows(store)
    assert store.write_document(facility_doc()) is False
    assert table_rows(store) == after_first
    assert store.has_document(doc)


def test_a_fresh_store_is_empty_but_for_its_migrations(store: Store) -> None:
    counts = row_counts(store)
    assert counts.pop("schema_migrations") == len(schema.MIGRATIONS)
    assert set(counts.values()) == {0}


def test_rows_written_for_one_document(store: Store) -> None:
    store.write_document(facility_doc())
    counts = row_counts(store)
    assert counts["documents"] == 1
    assert counts["entities"] == 3
    assert counts["mentions"] == 4
    assert counts["events"] == 2 and counts["facts"] == 2 and counts["evidence"] == 2
    assert counts["event_entities"] == 4  # builder, host, and the meeting's two parties


def test_rewriting_a_changed_document_replaces_its_rows(store: Store) -> None:
    store.write_document(facility_doc())
    text = "Kerem Altınbaş visited Baku."
    changed = Document("doc-a", text, source="doc-a.txt",
                       entities=[person("e1", "Kerem Altınbaş", text, "Kerem Altinbas")])
    assert not store.has_document(changed)
    assert store.write_document(changed) is True
    counts = row_counts(store)
    assert (counts["documents"], counts["mentions"], counts["events"], counts["evidence"],
            counts["event_entities"]) == (1, 1, 0, 0, 0)
    [rec] = list(records(store))
    assert rec["text"] == text
    assert [m["text"] for e in rec["entities"] for m in e["mentions"]] == ["Kerem Altınbaş"]


def test_other_documents_survive_a_rewrite(store: Store) -> None:
    store.write_document(facility_doc("doc-a"))
    store.write_document(facility_doc("doc-b"))
    text = "Kerem Altınbaş visited Baku."
    store.write_document(Document("doc-a", text, entities=[person("e1", "Kerem Altınbaş", text)]))
    recs = {r["doc_id"]: r for r in records(store)}
    assert len(recs["doc-b"]["events"]) == 2
    assert len(recs["doc-a"]["events"]) == 0


# ------------------------------------------------------------------ failures leave the store as it was
def fail_at_the_end_of_the_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """The write fails at its last step, when every row of the document has been inserted."""
    original = summaries.refresh

    def flaky(*args: Any, **kwargs: Any) -> None:
        original(*args, **kwargs)
        raise RuntimeError("disk went away")

    monkeypatch.setattr(summaries, "refresh", flaky)


def test_failure_mid_write_leaves_the_store_as_before(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.write_document(facility_doc("doc-a"))
    before = table_rows(store)
    fail_at_the_end_of_the_write(monkeypatch)
    with pytest.raises(Exception, match="disk went away"):
        store.write_document(facility_doc("doc-b"))
    assert table_rows(store) == before
    assert not store.has_document(facility_doc("doc-b"))


def test_failed_rewrite_keeps_the_old_version(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    old = facility_doc("doc-a")
    store.write_document(old)
    before = table_rows(store)
    new = facility_doc("doc-a")
    new.published = "2024-03-06"  # changed content, same id
    fail_at_the_end_of_the_write(monkeypatch)
    with pytest.raises(Exception, match="disk went away"):
        store.write_document(new)
    assert table_rows(store) == before
    assert store.has_document(old)


def test_integrity_error_is_a_store_error_naming_the_source(store: Store) -> None:
    doc = facility_doc()
    doc.entities[0].mentions.append(doc.entities[0].mentions[0])  # the same span twice
    with pytest.raises(StoreError, match=r"doc-a\.txt"):
        store.write_document(doc)
    assert set(row_counts(store).values()) <= {0, len(schema.MIGRATIONS)}


# ------------------------------------------------------------------ content-derived ids, facts
def test_one_fact_stated_by_two_documents_is_one_fact_with_both_citations(store: Store) -> None:
    store.write_document(facility_doc("doc-a"))
    store.write_document(facility_doc("doc-b"))
    counts = row_counts(store)
    assert counts["facts"] == 2 and counts["events"] == 4 and counts["entities"] == 3
    kb = knowledge_base(store)
    facility = next(f for f in kb["events"] if f["type"] == "facility")
    assert facility["documents"] == ["doc-a", "doc-b"]
    assert [e["doc_id"] for e in facility["evidence"]] == ["doc-a", "doc-b"]


def test_ids_do_not_depend_on_write_order(make_store: Callable[[], Store]) -> None:
    stores = [make_store(), make_store()]
    stores[0].write_document(facility_doc("doc-a"))
    stores[0].write_document(facility_doc("doc-b"))
    stores[1].write_document(facility_doc("doc-b"))
    stores[1].write_document(facility_doc("doc-a"))
    assert table_rows(stores[0]) == table_rows(stores[1])


@given(st.lists(st.sampled_from(["doc-a", "doc-b", "doc-c"]), min_size=1, max_size=6))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_sequence_of_rewrites_ends_in_the_same_store(tmp_path_factory: pytest.TempPathFactory,
                                                         order: list[str]) -> None:
    """Writing documents in any order, any number of times, gives the store of writing each once."""
    path = tmp_path_factory.mktemp("seq")
    once, many = Store(str(path / "once.db")), Store(str(path / "many.db"))
    try:
        for doc_id in dict.fromkeys(order):
            once.write_document(facility_doc(doc_id))
        for doc_id in order:
            many.write_document(facility_doc(doc_id))
        assert table_rows(many) == table_rows(once)
    finally:
        once.close()
        many.close()


# ------------------------------------------------------------------ cross-document resolution
def test_open_world_name_with_and_without_a_dropped_letter_is_one_entity(store: Store) -> None:
    a = "Mehmet Yılmazer met Roketsan officials."
    b = "Mehmet Ylmazer visited Baku."
    store.write_document(Document("doc-a", a, entities=[person("e1", "Mehmet Yılmazer", a, "Mehmet Yılmazer")]))
    store.write_document(Document("doc-b", b, entities=[person("e1", "Mehmet Ylmazer", b)]))
    kb = knowledge_base(store)
    assert len(kb["entities"]) == 1
    assert set(kb["entities"][0]["aliases"]) >= {"Mehmet Yılmazer", "Mehmet Ylmazer"}
    assert {m["doc_id"] for m in kb["entities"][0]["mentions"]} == {"doc-a", "doc-b"}


def test_dropped_letter_spelling_first_then_the_full_one_is_one_entity(store: Store) -> None:
    a = "Mehmet Ylmazer visited Baku."
    b = "Mehmet Yılmazer met Roketsan officials."
    store.write_document(Document("doc-a", a, entities=[person("e1", "Mehmet Ylmazer", a)]))
    store.write_document(Document("doc-b", b, entities=[person("e1", "Mehmet Yılmazer", b, "Mehmet Yılmazer")]))
    assert len(knowledge_base(store)["entities"]) == 1


@pytest.mark.parametrize(("first", "second"), [
    ("Kerem Altınbaş", "Deniz Altınbaş"),
    ("Ali Veli", "Ali Deli"),  # too short for a near spelling
])
def test_different_open_world_names_stay_apart(store: Store, first: str, second: str) -> None:
    store.write_document(Document("doc-a", f"{first} spoke.", entities=[person("e1", first, f"{first} spoke.")]))
    store.write_document(Document("doc-b", f"{second} spoke.", entities=[person("e1", second, f"{second} spoke.")]))
    assert len(knowledge_base(store)["entities"]) == 2


def test_pipeline_documents_resolve_across_documents(store: Store, annotate: Annotate) -> None:
    docs = [annotate("ROKETSAN opened a missile plant in Azerbaijan, officials in Baku said."),
            annotate("Roketsan will build a second missile plant in Azerbaijan."),
            annotate("ASELSAN and Roketsan showed radars and missiles in Ankara.")]
    for i, doc in enumerate(docs):
        doc.doc_id = f"doc-{i}"
        store.write_document(doc)
    kb = knowledge_base(store)
    holders = [e for e in kb["entities"] if {"roketsan", "rocketsan"} & {a.lower() for a in e["aliases"]}]
    assert len(holders) == 1
    assert {m["doc_id"] for m in holders[0]["mentions"]} == {"doc-0", "doc-1", "doc-2"}
    assert len([e for e in kb["entities"] if e["type"] == "COUNTRY" and e["name"] == "Azerbaijan"]) == 1


# ------------------------------------------------------------------ opening and migrations
def test_reopening_keeps_the_content_and_runs_no_migration_twice(tmp_path: Path) -> None:
    path = str(tmp_path / "kept.db")
    first = Store(path)
    first.write_document(facility_doc())
    before = table_rows(first)
    first.close()
    again = Store(path)
    try:
        assert table_rows(again) == before
        assert again.schema_version() == schema.LATEST
    finally:
        again.close()


def test_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = str(tmp_path / "newer.db")
    s = Store(path)
    with s.engine.begin() as conn:
        conn.execute(insert(schema.schema_migrations).values(version=schema.LATEST + 1, name="from the future"))
    s.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_store_in_a_missing_folder_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no-such-folder"):
        Store(str(tmp_path / "no-such-folder" / "x.db"))


def test_documents_lists_what_was_written(store: Store) -> None:
    store.write_document(facility_doc("doc-b"))
    store.write_document(facility_doc("doc-a"))
    docs = list(store.documents())
    assert [d["id"] for d in docs] == ["doc-a", "doc-b"]
    assert docs[0]["text"] == facility_doc().text
    assert docs[0]["published"] == "2024-03-05"


def test_pipeline_processed_document_round_trips_through_export(store: Store, pipeline: Pipeline) -> None:
    doc = Document("rt", "Hyundai Rotem will deliver K2 tanks to Poland.\nPoland's army said so.", title="K2 tanks")
    pipeline.process([doc])
    store.write_document(doc)
    [rec] = list(records(store))
    assert rec["text"] == doc.text
    assert len(rec["entities"]) == len(doc.entities)
    assert sorted(m["text"] for e in rec["entities"] for m in e["mentions"]) == sorted(
        m.text for e in doc.entities for m in e.mentions)
    assert [ev["type"] for ev in rec["events"]] == [ev.type for ev in doc.events]
    with store.connect() as conn:
        assert conn.scalar(select(schema.documents.c.title)) == "K2 tanks"
