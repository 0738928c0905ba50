"""Fact history, conflict flags, corroboration and Admiralty grades, on documents built by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from armsgraph import Document, Entity, Event, Mention, Span, Store, query
from armsgraph.assess import SourceGrades, Statement, assess
from armsgraph.export import knowledge_base

SENTENCE = "Roketsan builds a missile plant in Azerbaijan."


def facility_doc(doc_id: str, status: str, date: str | None, published: str | None, *,
                 url: str | None = None, site: str | None = None, duplicate_of: str | None = None) -> Document:
    """One article stating the facility Roketsan -> Azerbaijan with a given status."""
    text = SENTENCE + f" ({doc_id})"
    roketsan = Entity("e1", "COMPANY", "Roketsan", "kb:company/roketsan",
                      [Mention(0, 8, "Roketsan", "COMPANY", kb_id="company/roketsan")], kb_id="company/roketsan",
                      country="TUR")
    azerbaijan = Entity("e2", "COUNTRY", "Azerbaijan", "kb:country/aze",
                        [Mention(35, 45, "Azerbaijan", "COUNTRY", kb_id="country/aze")], kb_id="country/aze",
                        country="AZE")
    event = Event("v1", "facility", {"builder": ["e1"], "host": ["e2"]}, status=status, date=date,
                  confidence=0.8, evidence=[Span(0, len(SENTENCE), SENTENCE)])
    return Document(doc_id, text, source=f"{doc_id}.txt", url=url, site=site, published=published,
                    duplicate_of=duplicate_of, entities=[roketsan, azerbaijan], events=[event])


def the_fact(store: Store) -> query.FactView:
    [fact] = query.facts(store, type_="facility")
    return fact


def test_history_is_in_time_order_and_the_latest_status_is_current(store: Store) -> None:
    store.write_document(facility_doc("c", "completed", "2025", "2025-06-01"))
    store.write_document(facility_doc("a", "announced", "2021", "2021-03-01"))
    store.write_document(facility_doc("b", "in_progress", None, "2023-09-10"))
    fact = the_fact(store)
    assert [(s.doc_id, s.status) for s in fact.assessment.history] == [
        ("a", "announced"), ("b", "in_progress"), ("c", "completed")]
    assert fact.status == "completed"
    assert fact.assessment.conflicts == []


def test_a_status_going_back_in_a_later_report_is_flagged_not_overwritten(store: Store) -> None:
    store.write_document(facility_doc("a", "completed", "2022", "2022-05-01"))
    store.write_document(facility_doc("b", "announced", "2024", "2024-05-01"))
    fact = the_fact(store)
    assert len(fact.assessment.conflicts) == 1 and "b (2024)" in fact.assessment.conflicts[0]
    assert [s.status for s in fact.assessment.history] == ["completed", "announced"]
    assert fact.assessment.credibility == 4


def test_cancelled_beside_completed_is_a_conflict(store: Store) -> None:
    store.write_document(facility_doc("a", "completed", "2023", "2023-01-01"))
    store.write_document(facility_doc("b", "cancelled", "2023", "2023-02-01"))
    assert "cancelled" in the_fact(store).assessment.conflicts[0]


def test_copies_of_one_story_count_once(store: Store) -> None:
    store.write_document(facility_doc("wire", "announced", None, "2024-01-01", url="https://www.aa.com.tr/en/x"))
    store.write_document(facility_doc("copy", "announced", None, "2024-01-01",
                                      url="https://www.dailysabah.com/x", duplicate_of="wire"))
    fact = the_fact(store)
    assert fact.assessment.corroboration == 1
    assert "1 copy of one story counted once" in fact.assessment.reason
    store.write_document(facility_doc("other", "announced", None, "2024-01-02", url="https://www.reuters.com/x"))
    fact = the_fact(store)
    assert fact.assessment.corroboration == 2
    assert fact.assessment.code == "B1"  # the best source is usually reliable; two independent sources agree


@pytest.mark.parametrize(("url", "code"), [
    ("https://www.reuters.com/world/x", "B2"),
    ("https://en.yna.co.kr/view/x", "B2"),
    ("https://www.aa.com.tr/en/x", "C3"),
    ("https://unknown-blog.example/x", "F3"),
    (None, "F3"),
])
def test_one_source_is_graded_by_its_outlet(url: str | None, code: str) -> None:
    a = assess([Statement("d", "completed", None, "2024-01-01", "d.txt", url=url)])
    assert a.code == code


def test_outlet_grades_are_configurable(tmp_path: Path) -> None:
    mine = tmp_path / "sources.yaml"
    mine.write_text("default: C\noutlets:\n"
                    "  - {name: Anadolu Agency, match: [aa.com.tr], grade: A, why: trusted here}\n")
    grades = SourceGrades([mine, Path(__file__).parents[1] / "armsgraph/assess/data/sources.yaml"])
    assert assess([Statement("d", "completed", None, None, "d", url="https://aa.com.tr/x")], grades).code == "A2"
    bad = tmp_path / "bad.yaml"
    bad.write_text("outlets:\n  - {name: X, match: [x.com], grade: Z}\n")
    with pytest.raises(Exception, match="grade 'Z'"):
        SourceGrades([bad])


def test_the_fused_export_carries_history_and_grade(store: Store) -> None:
    store.write_document(facility_doc("a", "announced", "2021", "2021-03-01"))
    store.write_document(facility_doc("b", "completed", "2025", "2025-06-01", url="https://www.janes.com/x"))
    [fact] = [e for e in knowledge_base(store)["events"] if e["type"] == "facility"]
    assert fact["status"] == "completed"
    assert [h["doc_id"] for h in fact["history"]] == ["a", "b"]
    assert fact["credibility"]["code"] == "B1" and fact["corroboration"] == 2
    assert {s["outlet"] for s in fact["sources"]} == {"Janes", None}
