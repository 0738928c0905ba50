"""Fact queries on both backends: filters, order and paging done in SQL over the facts' summaries,
the summaries kept right by the write path, and filled for a store written before they existed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from armsgraph import Document, Entity, Event, Mention, Span, Store, query
from armsgraph.store import schema, summaries
from tests.helpers import table_rows

COUNTRIES = {"TUR": "Türkiye", "AZE": "Azerbaijan", "PAK": "Pakistan", "UKR": "Ukraine"}


def supply(doc_id: str, supplier: str, recipient: str, product: str, *, status: str | None = "completed",
           published: str | None = "2024-03-05", date: str | None = None) -> Document:
    """One article: `supplier` (ISO3) supplies `product` to `recipient` (ISO3)."""
    text = f"{COUNTRIES[supplier]} delivered {product} to {COUNTRIES[recipient]}."
    ents = []
    for eid, code in (("e1", supplier), ("e2", recipient)):
        name = COUNTRIES[code]
        at = text.index(name)
        kb_id = f"country/{code.lower()}"
        ents.append(Entity(eid, "COUNTRY", name, f"kb:{kb_id}",
                           [Mention(at, at + len(name), name, "COUNTRY", kb_id=kb_id, source="kb")],
                           kb_id=kb_id, country=code))
    ev = Event("v1", "supply", {"supplier": ["e1"], "recipient": ["e2"], "product": [product]}, status=status,
               date=date, confidence=0.9, evidence=[Span(0, len(text), text)])
    return Document(doc_id, text, source=f"{doc_id}.txt", title=text, published=published, entities=ents,
                    events=[ev])


def ids(views: list[query.FactView]) -> list[str]:
    return [v.id for v in views]


def test_status_filter_follows_the_latest_statement_and_a_rewrite(store: Store) -> None:
    store.write_document(supply("a", "TUR", "AZE", "Bayraktar TB2", status="agreed", published="2021-01-10"))
    store.write_document(supply("b", "TUR", "AZE", "Bayraktar TB2", status="completed", published="2022-06-01"))
    [fact] = query.facts(store)
    assert fact.status == "completed" and len(fact.citations) == 2
    assert ids(query.facts(store, status="completed")) == [fact.id]
    assert query.facts(store, status="agreed") == []
    # the later article is corrected: it no longer says the drones were delivered
    store.write_document(supply("b", "TUR", "AZE", "Bayraktar TB2", status=None, published="2022-06-02"))
    assert ids(query.facts(store, status="agreed")) == [fact.id]
    assert query.count_facts(store, status="completed") == 0


def test_a_fact_whose_last_statement_is_gone_is_gone(store: Store) -> None:
    store.write_document(supply("a", "TUR", "AZE", "Bayraktar TB2"))
    assert query.count_facts(store) == 1
    store.write_document(Document("a", "Nothing about arms.", source="a.txt"))
    assert query.facts(store) == [] and query.count_facts(store) == 0
    assert query.fact_counts(store) == {}


def test_facts_are_newest_first_undated_last_and_pages_add_up(store: Store) -> None:
    products = ["Akinci", "Hurjet", "Altay", "T129 ATAK", "Kirpi", "Cobra II", "Otokar Arma"]
    for k, product in enumerate(products):
        published = None if k == 3 else f"20{15 + k}-05-01"
        store.write_document(supply(f"d{k}", "TUR", "PAK", product, published=published))
    everything = query.facts(store)
    whens = [v.citations[0]["published"] for v in everything]
    assert whens == ["2021-05-01", "2020-05-01", "2019-05-01", "2017-05-01", "2016-05-01", "2015-05-01", None]
    pages = [query.facts(store, limit=3, offset=o) for o in (0, 3, 6)]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [f for p in pages for f in ids(p)] == ids(everything)
    assert query.count_facts(store) == len(everything) == 7
    assert query.fact_counts(store) == {"supply": 7}


def test_date_range_takes_iso_prefixes_both_ends_included(store: Store) -> None:
    store.write_document(supply("a", "TUR", "AZE", "Akinci", published="2020-05-17"))
    store.write_document(supply("b", "TUR", "AZE", "Hurjet", published="2021-01-02"))
    store.write_document(supply("c", "TUR", "AZE", "Altay", published=None))  # undated: never in a range
    store.write_document(supply("d", "TUR", "AZE", "Kirpi", published="2019-01-01", date="2020-12"))

    def products(**filters: str) -> set[str]:
        return {p for v in query.facts(store, **filters) for p in v.roles["product"]}  # type: ignore[arg-type]

    assert products(since="2020", until="2020") == {"Akinci", "Kirpi"}  # Kirpi by its own date, 2020-12
    assert products(since="2020-05-17", until="2020-05-17") == {"Akinci"}
    assert products(until="2020-05") == {"Akinci"}
    assert products(since="2020-06") == {"Hurjet", "Kirpi"}
    assert products(until="2019") == set()
    assert query.count_facts(store, since="2020", until="2021") == 3


def test_between_takes_facts_naming_both_countries_in_key_roles(store: Store) -> None:
    store.write_document(supply("a", "TUR", "AZE", "Akinci"))
    store.write_document(supply("b", "AZE", "TUR", "Hurjet"))
    store.write_document(supply("c", "TUR", "PAK", "Altay"))
    store.write_document(supply("d", "UKR", "PAK", "Kirpi"))
    pair = {p for v in query.facts(store, between=("Azerbaijan", "Türkiye")) for p in v.roles["product"]}
    assert pair == {"Akinci", "Hurjet"}
    assert query.count_facts(store, between=("Türkiye", "Azerbaijan")) == 2
    assert len(query.facts(store, between=("Türkiye", "Türkiye"))) == 3  # every fact naming Türkiye
    assert query.facts(store, between=("Ukraine", "Türkiye")) == []
    both = query.facts(store, between=("Türkiye", "Pakistan"), entity="Pakistan")
    assert [v.roles["product"] for v in both] == [["Altay"]]


def test_entity_filter_by_name_or_id_and_one_fact_by_id(store: Store) -> None:
    store.write_document(supply("a", "TUR", "AZE", "Akinci"))
    store.write_document(supply("b", "UKR", "PAK", "Kirpi"))
    ukraine = query.find_entity(store, "Ukraine")
    by_name = query.facts(store, entity="ukraine")
    assert ids(by_name) == ids(query.facts(store, entity_id=ukraine["id"])) and len(by_name) == 1
    assert query.count_facts(store, entity_id=ukraine["id"]) == 1
    [one] = query.facts(store, ids=[by_name[0].id])
    assert one.roles == {"supplier": ["Ukraine"], "recipient": ["Pakistan"], "product": ["Kirpi"]}
    assert query.facts(store, ids=["F-no-such-fact"]) == []


def test_a_store_written_before_the_summaries_gets_them_on_opening(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    store = Store(path)
    store.write_document(supply("a", "TUR", "AZE", "Akinci", status="agreed", published="2021-01-10"))
    store.write_document(supply("b", "TUR", "AZE", "Akinci", status="completed", published="2022-06-01"))
    store.write_document(supply("c", "UKR", "PAK", "Kirpi"))
    expected = table_rows(store)
    with store.engine.begin() as conn:  # as armsgraph before migration 5 left it
        conn.execute(update(schema.facts).values(status=None, date=None, when_key=None))
        conn.execute(update(schema.entity_names).values(variant=None, head=None, tail=None))
        conn.execute(delete(schema.fact_entities))
        conn.execute(delete(schema.fact_pairs))
        conn.execute(delete(schema.schema_migrations).where(schema.schema_migrations.c.version == 5))
    store.close()
    reopened = Store(path)
    assert table_rows(reopened) == expected
    assert [v.status for v in query.facts(reopened, between=("Azerbaijan", "Türkiye"))] == ["completed"]
    reopened.close()


@pytest.mark.parametrize("spelling", ["Kerem Altinbass", "Kerem Altnba", "KEREM ALTINBAŞ"])
def test_close_spellings_still_find_the_stored_person(store: Store, spelling: str) -> None:
    """Resolution across documents looks names up by index (folded, dropped letters, first or last
    four letters), not by reading every stored name."""
    def doc(doc_id: str, name: str) -> Document:
        text = f"{name} visited Baku."
        return Document(doc_id, text, source=f"{doc_id}.txt", entities=[Entity(
            "e1", "PERSON", name, "open:" + name.lower(), [Mention(0, len(name), name, "PERSON")])])

    store.write_document(doc("a", "Kerem Altınbaş"))
    store.write_document(doc("b", spelling))
    with store.connect() as conn:
        assert conn.execute(schema.entities.select()).all().__len__() == 1


# ------------------------------------------------------------------ full-text search over evidence
def test_search_finds_sentences_with_every_word_and_their_facts(store: Store) -> None:
    store.write_document(supply("a", "TUR", "AZE", "Akinci drones"))
    store.write_document(supply("b", "UKR", "PAK", "armoured vehicles"))
    [hit] = query.search(store, "Akinci delivered")
    assert hit["type"] == "supply" and hit["doc_id"] == "a" and hit["status"] == "completed"
    assert hit["text"] == "Türkiye delivered Akinci drones to Azerbaijan."
    assert "[" in hit["snippet"] and "]" in hit["snippet"]
    assert hit["fact_id"] == query.facts(store, entity="Azerbaijan")[0].id
    assert {h["doc_id"] for h in query.search(store, "delivered")} == {"a", "b"}
    assert query.search(store, "Akinci vehicles") == []  # every word must occur
    assert query.search(store, "  ,;  ") == []


def test_search_ranks_a_bounded_number_of_candidates(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    for k in range(6):
        store.write_document(supply(f"d{k}", "TUR", "PAK", f"batch {k} of drones", published=f"202{k}-01-01"))
    assert len(query.search(store, "drones", limit=50)) == 6
    monkeypatch.setattr("armsgraph.store.SEARCH_CANDIDATES", 3)
    hits = query.search(store, "drones", limit=50)
    assert len(hits) == 3
    if store.fts:  # SQLite: the most recently stored matches
        assert {h["doc_id"] for h in hits} == {"d3", "d4", "d5"}


def test_summaries_kept_by_the_write_path_equal_a_recomputation(store: Store) -> None:
    """Writes, rewrites and copies in a row: what the write path kept is what a full refresh gives."""
    store.write_document(supply("a", "TUR", "AZE", "Akinci", status="agreed", published="2021-01-10"))
    store.write_document(supply("b", "TUR", "AZE", "Akinci", status="completed", published="2022-06-01"))
    store.write_document(supply("c", "UKR", "PAK", "Kirpi", published=None, date="2019"))
    store.write_document(supply("a", "AZE", "TUR", "Hurjet", status="announced", published="2023-02-02"))
    store.write_document(supply("c", "UKR", "PAK", "Kirpi", published="2020-03-03"))
    store.write_document(Document("b", "Nothing about arms.", source="b.txt"))
    kept = table_rows(store)
    with store.engine.begin() as conn:
        summaries.refresh(conn, conn.scalars(select(schema.facts.c.id)).all())
    assert table_rows(store) == kept
    assert {v.roles["product"][0]: v.status for v in query.facts(store)} == {"Hurjet": "announced",
                                                                             "Kirpi": "completed"}
