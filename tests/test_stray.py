"""A paragraph from another story at the end of an article is marked stray and yields no events."""

from __future__ import annotations

from armsgraph import Pipeline
from armsgraph.ingest.readers import from_text

ARTICLE = "\n".join([
    "Roketsan to build missile plant in Azerbaijan",
    "Turkish missile maker Roketsan is building a missile production plant in Baku, the company said.",
    "The plant will assemble guided rockets for the Azerbaijani Army, Roketsan added on Monday.",
    "Roketsan already supplies rockets to Azerbaijan under a 2021 contract.",
])
STRAY = ("Chile and Argentina have agreed on a new fishing quota in the South Atlantic, "
         "President Gabriel Boric said after talks in Santiago.")
ON_TOPIC_CLOSE = ("Hungary and Serbia have also held talks with Roketsan on the missile, "
                  "officials in Budapest said.")


def stray_zones(pipeline: Pipeline, text: str) -> list[str]:
    doc = from_text(text, "t", "t")
    pipeline.process([doc])
    return [doc.text[z.start:z.end] for z in doc.zones if z.kind == "stray"]


def test_paragraph_from_another_story_is_stray(pipeline: Pipeline) -> None:
    assert stray_zones(pipeline, ARTICLE + "\n" + STRAY) == [STRAY]


def test_closing_paragraph_of_the_article_is_not_stray(pipeline: Pipeline) -> None:
    assert stray_zones(pipeline, ARTICLE + "\n" + ON_TOPIC_CLOSE) == []


def test_stray_paragraph_yields_no_events(pipeline: Pipeline) -> None:
    doc = from_text(ARTICLE + "\n" + STRAY, "t", "t")
    pipeline.process([doc])
    stray_start = doc.text.index(STRAY)
    assert doc.events, "the article itself states events"
    assert all(sp.start < stray_start for ev in doc.events for sp in ev.evidence)
    assert any(e.name == "Chile" for e in doc.entities), "entities of the stray text are still entities"
