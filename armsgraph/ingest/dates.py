"""Dates: datelines in page text, and event dates normalized against publication.

An event date is as precise as the text: '2024-03-03', '2024-06', '2024', or
'--04-30' when no year is stated and none can be derived. A date completed or
resolved from the publication date ("on Thursday", "April 30" in a dated
article) is flagged as derived.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from dateparser.date import DateDataParser
from spacy.tokens import Span

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_YEAR = r"(?:19|20)\d{2}"
_FULL_DATE = re.compile(
    rf"\b(?:\d{{1,2}}[ .\-/]?{_MONTHS}\.?[ .\-/,]*{_YEAR}|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}"
    rf"|{_YEAR}-\d{{2}}-\d{{2}}|\d{{1,2}}[./]\d{{1,2}}[./]{_YEAR})\b",
    re.IGNORECASE,
)
_FILLER = re.compile(
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\b\d{1,2}:\d{2}(?::\d{2})?\s*(?:am|pm)?\b|"
    r"\b(?:am|pm|gmt|utc|ist|cet|est|trt)\b|\bviews?:?\s*\d*|\blatest news\b|\blast updated?:?|"
    r"\bupdated:?|\bpublished:?|\bposted:?|[|:,.\-–—]",
    re.IGNORECASE,
)
_QUALIFIERS = re.compile(r"\b(?:late|early|mid|end of|beginning of|the|in|on|since|by|from|until)\b",
                         re.IGNORECASE)
_HAS_YEAR = re.compile(rf"\b{_YEAR}\b")
_HAS_MONTH = re.compile(rf"\b{_MONTHS}\b", re.IGNORECASE)
_HAS_DAY = re.compile(r"\b(?:[12]?\d|3[01])(?:st|nd|rd|th)?\b|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|"
                      r"\b(?:today|yesterday|tomorrow)\b", re.IGNORECASE)


def parse_dateline(line: str) -> str | None:
    """The ISO date of a line that is only a date (with time, weekday, 'Views'), else None."""
    if len(line) > 80:
        return None
    m = _FULL_DATE.search(line)
    if not m:
        return None
    rest = _FILLER.sub(" ", line[:m.start()] + " " + line[m.end():])
    if len(re.findall(r"[^\W\d_]{2,}", rest)) > 1:
        return None
    parsed = _parser(None).get_date_data(m.group(0))
    return parsed.date_obj.date().isoformat() if parsed.date_obj else None


@functools.lru_cache(maxsize=64)
def _parser(base: str | None) -> DateDataParser:
    settings: dict[str, object] = {"PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": False}
    if base:
        settings["RELATIVE_BASE"] = dt.datetime.fromisoformat(base)
    return DateDataParser(languages=["en"], settings=settings)


def normalize_date(text: str, published: str | None) -> tuple[str, bool] | None:
    """('2024-03-03', derived?) for a date expression, or None if it is not a date."""
    text = text.strip()
    if not text or re.fullmatch(r"\d+\s+(?:years?|months?|days?|weeks?)", text, re.IGNORECASE):
        return None
    has_year, has_month = bool(_HAS_YEAR.search(text)), bool(_HAS_MONTH.search(text))
    has_day = has_month and bool(_HAS_DAY.search(_HAS_YEAR.sub(" ", text)))
    relative = bool(re.search(r"\b(?:today|yesterday|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
                              r"last|next|ago)\b", text, re.IGNORECASE))
    if not (has_year or has_month or relative):
        return None
    if relative and not has_month and not published:
        return None
    unit = re.search(r"\b(year|month)\b", text, re.IGNORECASE)
    if relative and not has_month and published:
        weekday = re.search(r"\b(mon|tues|wednes|thurs|fri|satur|sun)day\b", text, re.IGNORECASE)
        base = dt.date.fromisoformat(published[:10])
        if weekday and base.strftime("%A").lower().startswith(weekday.group(1).lower()) \
                and not re.search(r"\b(last|next)\b", text, re.IGNORECASE):
            return base.isoformat(), True  # 'on Tuesday' in Tuesday's paper is that day
    data = _parser(published).get_date_data(_QUALIFIERS.sub(" ", text).strip())
    if data.date_obj is None:
        return None
    d = data.date_obj.date()
    if relative and not has_month:
        if published and unit and unit.group(1).lower() == "year":
            return f"{d.year:04d}", True
        if published and unit and unit.group(1).lower() == "month":
            return f"{d.year:04d}-{d.month:02d}", True
        return d.isoformat(), True
    if has_year:
        if has_day:
            return d.isoformat(), False
        if has_month:
            return f"{d.year:04d}-{d.month:02d}", False
        return f"{d.year:04d}", False
    if published:  # month (and day) without a year: take the publication year
        year = published[:4]
        return (f"{year}-{d.month:02d}-{d.day:02d}" if has_day else f"{year}-{d.month:02d}"), True
    return (f"--{d.month:02d}-{d.day:02d}", False) if has_day else None


_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:/|-|$)")


def date_in_url(url: str) -> str | None:
    """The publication date many sites put in their article URLs: '/2024/06/27/...' -> '2024-06-27'."""
    m = _URL_DATE.search(url)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def sentence_date(sent: Span, published: str | None) -> tuple[str, bool] | None:
    """The first date the parser tags in a sentence, normalized against the publication date."""
    for ent in sent.ents:
        if ent.label_ == "DATE":
            got = normalize_date(ent.text, published)
            if got:
                return got
    return None
