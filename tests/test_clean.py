"""Cleaning scraped text down to the article: headline, body, captions; nothing of the page around it."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armsgraph.errors import InputError
from armsgraph.ingest.clean import clean_text
from armsgraph.ingest.readers import decode_bytes
from armsgraph.model import Zone

HEADLINE = "Roketsan opens missile plant in Azerbaijan"
P1 = "The Turkish company Roketsan opened a missile plant near Baku on Monday, officials said."
P2 = "The plant will produce artillery rockets for the Azerbaijani army and employ 300 workers."
P3 = "Officials expect the first rockets to leave the assembly line early next year."
RELATED = [
    "Elections held in the northern provinces of the country",
    "March 1, 2024",
    "Football club wins the regional cup after extra time",
    "February 28, 2024",
    "Weather turns cold over the long weekend",
    "February 27, 2024",
]


def page(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def lines_of(text: str) -> list[str]:
    return text.split("\n")


@pytest.mark.parametrize("clutter", [
    "Skip to content",
    "Skip to main content Skip to menu",
    "By John Smith",
    "Written by: Ayşe Yılmaz",
    "Advertisement",
    "Share this article",
    "Views: 1520",
    "#defence",
    "Subscribe to our newsletter for the latest defence news",
    "Accept all cookies",
    "This website uses cookies to improve your experience.",
    "Tags: Roketsan, Azerbaijan, missiles",
    "Home | News | Defence | Opinion | Contact",
    "Share: Facebook | X | LinkedIn | Email",
])
def test_clutter_line_is_dropped(clutter: str) -> None:
    cleaned = clean_text(page(HEADLINE, clutter, P1, P2, P3))
    assert clutter not in cleaned.text
    assert lines_of(cleaned.text) == [HEADLINE, P1, P2, P3]


@pytest.mark.parametrize("clutter", ["Back to top", "Advertisement", "Share this article", "By John Smith"])
def test_clutter_between_paragraphs_is_dropped(clutter: str) -> None:
    cleaned = clean_text(page(HEADLINE, P1, clutter, P2, P3))
    assert lines_of(cleaned.text) == [HEADLINE, P1, P2, P3]


@pytest.mark.parametrize("caption", [
    "Workers assemble a rocket at the new plant near Baku (AA)",
    "Defence ministers shake hands in Ankara (Reuters)",
    "A Bayraktar TB2 drone at an airbase near Baku / AFP",
    "The new assembly hall of the plant (Photo: Ministry of Defence)",
])
def test_caption_is_kept_as_a_caption_zone(caption: str) -> None:
    cleaned = clean_text(page(HEADLINE, P1, caption, P2, P3))
    assert lines_of(cleaned.text) == [HEADLINE, P1, caption, P2, P3]
    kinds = [z.kind for z in cleaned.zones]
    assert kinds == ["headline", "body", "caption", "body", "body"]


def test_headline_is_the_first_zone_and_the_title() -> None:
    cleaned = clean_text(page("", "   ", HEADLINE, P1, P2))
    assert cleaned.title == HEADLINE
    assert cleaned.zones[0] == Zone("headline", 0, len(HEADLINE))


DATELINES = [
    ("March 3, 2024", "2024-03-03"),
    ("3 March 2024", "2024-03-03"),
    ("Jan 10, 2025 08:15 AM IST", "2025-01-10"),
    ("Monday, March 3, 2024 10:15", "2024-03-03"),
    ("Published 14 March 2025, 11:42", "2025-03-14"),
]


@pytest.mark.parametrize(("dateline", "iso"), DATELINES)
def test_dateline_before_the_headline_is_the_publication_date(dateline: str, iso: str) -> None:
    cleaned = clean_text(page(dateline, HEADLINE, P1, P2))
    assert (cleaned.published, cleaned.published_source) == (iso, "dateline")
    assert lines_of(cleaned.text) == [HEADLINE, P1, P2]


@pytest.mark.parametrize(("dateline", "iso"), DATELINES)
def test_dateline_after_the_headline_is_the_publication_date(dateline: str, iso: str) -> None:
    cleaned = clean_text(page(HEADLINE, "By John Smith", dateline, P1, P2))
    assert (cleaned.published, cleaned.published_source) == (iso, "dateline")
    assert lines_of(cleaned.text) == [HEADLINE, P1, P2]


def test_date_inside_a_paragraph_is_not_a_dateline() -> None:
    body = "Roketsan signed the contract with Azerbaijan on March 3, 2024 in Baku, officials said."
    cleaned = clean_text(page(HEADLINE, body, P2))
    assert cleaned.published is None
    assert body in cleaned.text


@pytest.mark.parametrize("heading", [None, "Related news", "More stories", "You may also like"])
def test_related_list_is_cut_and_never_gives_the_date(heading: str | None) -> None:
    related = ([heading] if heading else []) + RELATED
    cleaned = clean_text(page(HEADLINE, P1, P2, *related))
    assert cleaned.published is None
    assert lines_of(cleaned.text) == [HEADLINE, P1, P2]


def test_last_paragraph_before_a_related_list_is_kept() -> None:
    cleaned = clean_text(page(HEADLINE, P1, P2, P3, "Related news", *RELATED))
    assert lines_of(cleaned.text) == [HEADLINE, P1, P2, P3]


def test_related_list_after_a_one_paragraph_article_is_cut() -> None:
    cleaned = clean_text(page(HEADLINE, P1, "Related news", *RELATED))
    assert lines_of(cleaned.text) == [HEADLINE, P1]
    assert cleaned.published is None


@pytest.mark.parametrize("warning", [
    "Leave a reply",
    "Leave a comment",
])
def test_comment_widget_ends_the_article(warning: str) -> None:
    cleaned = clean_text(page(HEADLINE, P1, P2, warning, "Ali wrote: great news for our army and country"))
    assert lines_of(cleaned.text) == [HEADLINE, P1, P2]


def test_repeated_headline_is_removed() -> None:
    cleaned = clean_text(page(HEADLINE, "By John Smith", HEADLINE, P1, P2))
    assert lines_of(cleaned.text) == [HEADLINE, P1, P2]


@pytest.mark.parametrize("separator", ["", " ", " - ", ": "])
def test_headline_glued_to_first_paragraph_is_cut(separator: str) -> None:
    cleaned = clean_text(page(HEADLINE, HEADLINE + separator + P1, P2))
    assert lines_of(cleaned.text) == [HEADLINE, P1, P2]


def test_known_title_glued_to_first_paragraph_is_cut() -> None:
    cleaned = clean_text(page(HEADLINE + P1, P2), title=HEADLINE)
    assert cleaned.title == HEADLINE
    assert lines_of(cleaned.text) == [HEADLINE, P1, P2]


def test_glued_sentences_are_separated() -> None:
    cleaned = clean_text(page(HEADLINE, "Roketsan signed the contract.Under the deal it will build a plant.", P2))
    assert "contract. Under the deal" in cleaned.text


def test_spaces_are_normalized() -> None:
    cleaned = clean_text(page(HEADLINE, "The   plant\tuses a 105\u00a0mm gun and employs many local workers.", P2))
    assert "The plant uses a 105 mm gun and employs many local workers." in lines_of(cleaned.text)


def test_hard_wrapped_paragraph_is_rejoined() -> None:
    wrapped = page(HEADLINE,
                   "The Kaplan MT was developed jointly by FNSS and Pindad under a 2015 agree-",
                   "ment between the defence ministries of Indonesia and Turkey, with a turret",
                   "by John Cockerill.",
                   P2)
    cleaned = clean_text(wrapped)
    assert "agreement between the defence ministries" in cleaned.text
    assert "John Cockerill" in cleaned.text


def test_zones_tile_the_text_line_by_line() -> None:
    cleaned = clean_text(page("Skip to content", HEADLINE, "March 3, 2024", P1,
                              "Workers at the plant (AA)", P2, "Related news", *RELATED))
    lines = lines_of(cleaned.text)
    assert [cleaned.text[z.start:z.end] for z in cleaned.zones] == lines
    assert all(z.kind in ("headline", "body", "caption", "stray") for z in cleaned.zones)


def test_text_without_article_is_empty() -> None:
    cleaned = clean_text(page("Skip to content", "Advertisement", "Views: 12", "Share"))
    assert cleaned.text == ""
    assert cleaned.zones == []


@given(st.text(max_size=400))
@settings(max_examples=200, deadline=None)
def test_clean_text_never_raises_and_keeps_zones_consistent(raw: str) -> None:
    try:
        cleaned = clean_text(raw)
    except InputError:
        return
    assert [cleaned.text[z.start:z.end] for z in cleaned.zones] == (cleaned.text.split("\n") if cleaned.text else [])


@given(st.lists(st.sampled_from(["\n", " ", "|", ":", "-", "a", "B", "2024", "March 3, 2024", "Related news", "By ",
                                 "1. resim", "(AA)", "Views", "Skip to content", ".", HEADLINE, P1]), max_size=60)
       .map("".join))
@settings(max_examples=200, deadline=None)
def test_clean_text_never_raises_on_clutter_like_text(raw: str) -> None:
    with contextlib.suppress(InputError):
        clean_text(raw)


@given(st.binary(max_size=400))
@settings(max_examples=200, deadline=None)
def test_decode_bytes_never_raises_anything_but_input_error(data: bytes) -> None:
    try:
        text = decode_bytes(data, "random.bin")
    except InputError as exc:
        assert "random.bin" in str(exc)
    else:
        assert isinstance(text, str)
