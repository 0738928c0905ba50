"""Dates: datelines in page text; event dates as precise as the text, resolved against publication."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armsgraph.ingest.dates import date_in_url, normalize_date, parse_dateline

ISO = re.compile(r"^(?:\d{4}(?:-\d{2}(?:-\d{2})?)?|--\d{2}-\d{2})$")
PUB = "2024-05-04"  # a Saturday


@pytest.mark.parametrize(("line", "iso"), [
    ("March 3, 2024", "2024-03-03"),
    ("3 March 2024", "2024-03-03"),
    ("03 Mar 2024", "2024-03-03"),
    ("2024-03-03", "2024-03-03"),
    ("03.03.2024", "2024-03-03"),
    ("Monday, March 3, 2024 10:15", "2024-03-03"),
    ("Jan 10, 2025 08:15 AM IST", "2025-01-10"),
    ("Updated: 3 March 2024", "2024-03-03"),
    ("Published 14 March 2025, 11:42", "2025-03-14"),
    ("Views: 120 | March 3, 2024", "2024-03-03"),
    ("BAKU, March 3, 2024", "2024-03-03"),
])
def test_parse_dateline_reads_a_line_that_is_only_a_date(line: str, iso: str) -> None:
    assert parse_dateline(line) == iso


@pytest.mark.parametrize("line", [
    "",
    "hello world",
    "March 2024",  # no day: not a publication dateline
    "Roketsan opened a plant on March 3, 2024 near Baku",
    "Elections held in the north on March 3, 2024 after weeks of campaigning",
    "x" * 90 + " March 3, 2024",
    "The contract runs until 2029",
])
def test_parse_dateline_rejects_lines_that_are_more_than_a_date(line: str) -> None:
    assert parse_dateline(line) is None


@pytest.mark.parametrize(("text", "published", "expected"), [
    # explicit dates keep the precision of the text and are never derived
    ("March 3, 2024", None, ("2024-03-03", False)),
    ("March 3, 2024", PUB, ("2024-03-03", False)),
    ("3 March 2024", None, ("2024-03-03", False)),
    ("March 2024", None, ("2024-03", False)),
    ("early March 2024", None, ("2024-03", False)),
    ("January 2022", PUB, ("2022-01", False)),
    ("2024", None, ("2024", False)),
    ("late 2023", None, ("2023", False)),
    ("2022", PUB, ("2022", False)),
    # no year: the publication year completes it (derived); without one, '--MM-DD'
    ("April 30", PUB, ("2024-04-30", True)),
    ("April 30", None, ("--04-30", False)),
    ("30 April", None, ("--04-30", False)),
    ("April", PUB, ("2024-04", True)),
    # relative dates resolve against the publication date
    ("on Thursday", PUB, ("2024-05-02", True)),
    ("yesterday", PUB, ("2024-05-03", True)),
])
def test_normalize_date(text: str, published: str | None, expected: tuple[str, bool]) -> None:
    assert normalize_date(text, published) == expected


@pytest.mark.parametrize(("text", "published"), [
    ("", None),
    ("three years", PUB),
    ("5 years", PUB),
    ("10 months", None),
    ("the weekend", None),
    ("on Thursday", None),  # relative, and nothing to resolve it against
    ("yesterday", None),
    ("April", None),  # a month alone, and no year to put it in
])
def test_normalize_date_gives_none_when_no_date_can_be_stated(text: str, published: str | None) -> None:
    assert normalize_date(text, published) is None


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("last year", ("2023", True)),
    pytest.param("next year", ("2025", True)),
    pytest.param("last month", ("2024-04", True)),
])
def test_relative_dates_keep_the_precision_of_the_text(text: str, expected: tuple[str, bool]) -> None:
    assert normalize_date(text, PUB) == expected


def test_weekday_of_the_publication_day_is_that_day() -> None:
    assert normalize_date("on Tuesday", "2025-05-20") == ("2025-05-20", True)


@given(st.sampled_from(["March 3, 2024", "March 2024", "2024", "April 30", "30 April", "April", "on Thursday",
                        "yesterday", "late 2023", "May 1st, 2023", "Sept. 2021", "mid-2022"]),
       st.sampled_from([None, PUB, "2020-01-01", "2025-12-31"]))
@settings(max_examples=100, deadline=None)
def test_normalized_dates_are_iso_or_none(text: str, published: str | None) -> None:
    got = normalize_date(text, published)
    if got is not None:
        date, derived = got
        assert isinstance(date, str) and ISO.match(date), got
        assert isinstance(derived, bool)
        if published is None:
            assert not derived


@pytest.mark.parametrize(("url", "expected"), [
    ("https://www.example.com/defense/2024/06/27/azerbaijan-turkiye", "2024-06-27"),
    ("https://news.example.org/2023-10-24-rheinmetall-venture", "2023-10-24"),
    ("https://example.com/articles/12345", None),
    ("https://example.com/2024/13/40/not-a-date", None),
])
def test_publication_date_from_the_url(url: str, expected: str | None) -> None:
    assert date_in_url(url) == expected
