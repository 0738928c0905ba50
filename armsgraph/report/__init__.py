"""Dossiers: what the store knows about a country pair or an entity, as a document to send on.

    d = dossier(store, between=("Türkiye", "Azerbaijan"))
    d.markdown(); d.html(); d.write("out/tr-az")   # -> out/tr-az.md, out/tr-az.html

A dossier has a header (title, period, when generated, counts), a summary written from the facts,
a timeline (an inline SVG chart in HTML, a dated list in Markdown, undated facts listed apart), one
table per event type, the flagged conflicts, and numbered sources. Every statement of every fact
shown is footnoted once; identical (document, sentence) pairs share a number. Everything taken from
the articles is untrusted text: the HTML template autoescapes it and only http(s) URLs become links.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import jinja2

from armsgraph import query
from armsgraph.errors import ArmsgraphError
from armsgraph.model import EVENT_TYPES
from armsgraph.ontology import ONTOLOGY
from armsgraph.query import FactView
from armsgraph.store import Store

__all__ = ["Dossier", "Fact", "Footnote", "Sentence", "dossier"]

_TEMPLATES = Path(__file__).parent / "templates"
_QUOTE_MAX = 400  # characters of an evidence sentence shown before it is cut with an ellipsis

# labels, colours (Okabe–Ito based), role columns in reading order and status words: the ontology's
TYPE_LABELS = {t.name: t.label for t in ONTOLOGY.events.values()}
TYPE_COLOURS = {t.name: t.colour for t in ONTOLOGY.events.values()}
_OTHER_COLOUR = "#999999"
# Table columns per event type: the roles in reading order; roles met in the data but not listed
# are appended after these.
ROLE_COLUMNS: dict[str, tuple[str, ...]] = {t.name: tuple(t.roles) for t in ONTOLOGY.events.values()}
STATUS_WORDS = ONTOLOGY.status_labels
RELIABILITY = {"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
               "D": "not usually reliable", "E": "unreliable", "F": "reliability cannot be judged"}
CREDIBILITY = {1: "confirmed", 2: "probably true", 3: "possibly true", 4: "doubtful", 5: "improbable",
               6: "cannot be judged"}
_KINDS = {"mou": "a memorandum of understanding", "contract": "a contract", "declaration": "a declaration",
          "treaty": "a treaty"}
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_MONTH_DAY = re.compile(r"^--(\d{2})-(\d{2})")


# ---------------------------------------------------------------------------------------------- dates
@dataclass(slots=True, frozen=True)
class When:
    """A date as precise as the source gives it: a day, a month or a year."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: str | None) -> When | None:
        m = _DATE.match(value or "")
        if not m:
            return None
        year, month, day = int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None
        if month is not None and not 1 <= month <= 12:
            return cls(year)
        if month is not None and day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
            return cls(year, month)
        return cls(year, month, day)

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last(self) -> dt.date:
        if self.day and self.month:
            return self.first
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def __str__(self) -> str:
        if self.day and self.month:
            return f"{self.day} {calendar.month_name[self.month]} {self.year}"
        if self.month:
            return f"{calendar.month_name[self.month]} {self.year}"
        return str(self.year)


def _month_day(value: str | None) -> str | None:
    """'--04-30' (a day the article gives without its year) in words."""
    m = _MONTH_DAY.match(value or "")
    if not m or not 1 <= int(m[1]) <= 12:
        return None
    return f"{int(m[2])} {calendar.month_name[int(m[1])]}, year not stated"


def _human_date(value: str | dt.date | None) -> str:
    if isinstance(value, dt.date):
        value = value.isoformat()
    when = When.parse(value)
    return str(when) if when else (value or "")


# ------------------------------------------------------------------------------------------ the model
@dataclass(slots=True)
class Footnote:
    """One quoted sentence of one document."""

    number: int
    doc_id: str
    outlet: str | None
    grade: str | None  # the outlet's reliability letter, when the outlet is known
    grade_why: str | None
    published: str | None
    title: str | None
    url: str | None  # kept only when http(s); anything else is shown as text, never linked
    raw_url: str | None
    quote: str  # the evidence sentence, trimmed (cut with "…" when very long)
    copy_of: str | None = None

    @property
    def source(self) -> str:
        return self.outlet or self.doc_id

    @property
    def date(self) -> str:
        return _human_date(self.published) if self.published else "publication date unknown"


@dataclass(slots=True)
class Fact:
    """One fact as the dossier shows it."""

    view: FactView
    description: str
    cells: list[str]
    footnotes: list[int]
    when: When | None  # the fact's own date
    reported: When | None  # the first report's publication date, for facts without a date
    date_text: str
    sources: int
    code: str
    code_words: str
    code_title: str

    @property
    def id(self) -> str:
        return self.view.id

    @property
    def type(self) -> str:
        return self.view.type

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.view.type, self.view.type.replace("_", " ").capitalize())

    @property
    def colour(self) -> str:
        return TYPE_COLOURS.get(self.view.type, _OTHER_COLOUR)

    @property
    def status(self) -> str:
        return STATUS_WORDS.get(self.view.status or "", self.view.status or "status not stated")

    @property
    def partial_date(self) -> str | None:
        """A day the article gives without its year, in words."""
        return None if self.when else _month_day(self.view.date)

    @property
    def conflicts(self) -> list[str]:
        return self.view.assessment.conflicts

    def sort_key(self) -> tuple[Any, ...]:
        rank = EVENT_TYPES.index(self.type) if self.type in EVENT_TYPES else len(EVENT_TYPES)
        if self.when:
            return (0, self.when.key, rank, self.description)
        if self.reported:
            return (1, self.reported.key, rank, self.description)
        return (2, (0, 0, 0), rank, self.description)


@dataclass(slots=True)
class Segment:
    text: str
    refs: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Sentence:
    """A summary sentence: text segments, each maybe followed by its footnote numbers."""

    segments: list[Segment]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    @property
    def refs(self) -> list[int]:
        return [n for s in self.segments for n in s.refs]


@dataclass(slots=True)
class Table:
    type: str
    label: str
    colour: str
    columns: list[str]
    rows: list[Fact]


@dataclass(slots=True)
class Conflict:
    fact: Fact
    text: str
    refs: list[int]


@dataclass(slots=True)
class Mark:
    """One dated fact on the SVG time axis."""

    fact: Fact
    x0: float
    x1: float
    y: float
    tip: str


@dataclass(slots=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    axis_y: float
    lanes: list[dict[str, Any]]
    ticks: list[dict[str, Any]]
    marks: list[Mark]
    legend: list[dict[str, Any]]
    legend_y: float


@dataclass(slots=True)
class Dossier:
    """A dossier, ready to render as Markdown or HTML."""

    title: str
    scope: str
    period: str
    period_note: str
    generated: dt.date
    facts: list[Fact]
    footnotes: list[Footnote]
    summary: list[Sentence]
    tables: list[Table]
    conflicts: list[Conflict]
    chart: Chart | None
    documents: int
    independent_sources: int

    @property
    def dated(self) -> list[Fact]:
        return sorted((f for f in self.facts if f.when), key=Fact.sort_key)

    @property
    def undated(self) -> list[Fact]:
        return sorted((f for f in self.facts if not f.when), key=Fact.sort_key)

    @property
    def undated_groups(self) -> list[tuple[str, list[Fact]]]:
        """The undated facts by the date of their first report, then those with none."""
        groups: dict[str, list[Fact]] = {}
        for f in self.undated:
            label = f"Reported {f.reported}" if f.reported else "No date and no dated report"
            groups.setdefault(label, []).append(f)
        return list(groups.items())

    def _context(self) -> dict[str, Any]:
        return {"d": self, "generated": _human_date(self.generated), "reliability": RELIABILITY,
                "credibility": CREDIBILITY}

    def markdown(self) -> str:
        return _environment(html=False).get_template("dossier.md.j2").render(self._context())

    def html(self) -> str:
        return _environment(html=True).get_template("dossier.html.j2").render(self._context())

    def write(self, path: str | Path) -> list[Path]:
        """Write `path`.md and `path`.html (a trailing .md or .html on `path` is dropped)."""
        base = Path(path)
        if base.suffix.lower() in (".md", ".html", ".htm"):
            base = base.with_suffix("")
        out = [Path(f"{base}.md"), Path(f"{base}.html")]
        try:
            base.parent.mkdir(parents=True, exist_ok=True)
            out[0].write_text(self.markdown(), encoding="utf-8")
            out[1].write_text(self.html(), encoding="utf-8")
        except OSError as exc:
            raise ArmsgraphError(f"cannot write the dossier to {base}.md/.html: {exc}; "
                                 "choose a writable folder") from exc
        return out


# ---------------------------------------------------------------------------------------- rendering
def ref_groups(numbers: list[int]) -> list[tuple[int, int]]:
    """Footnote numbers as runs: [1, 2, 3, 5] -> [(1, 3), (5, 5)]."""
    runs: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def ref_text(numbers: list[int]) -> str:
    """'1–3, 5' for [1, 2, 3, 5]."""
    return ", ".join(str(a) if a == b else f"{a}{'–' if b > a + 1 else ', '}{b}" for a, b in ref_groups(numbers))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")


def md_escape(text: object) -> str:
    """Untrusted text for Markdown: no emphasis, links, code or raw HTML; one line."""
    s = re.sub(r"\s+", " ", str(text))
    return _MD_ENTITY.sub(r"\\&", _MD_SPECIAL.sub(r"\\\1", s))


def md_cell(text: object) -> str:
    """Untrusted text for a Markdown table cell: escaped, pipes too."""
    return md_escape(text).replace("|", "\\|")


def md_url(url: str) -> str:
    return "".join(quote(c, safe="") if c in " ()<>[]\\" else c for c in url)


def _environment(html: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=md_escape, cell=md_cell, mdurl=md_url, refs=ref_text, groups=ref_groups,
                       human=_human_date)
    return env


# ------------------------------------------------------------------------------------------ building
def _a(word: str) -> str:
    """'a' or 'an' before a word, by its first letter (good enough for names)."""
    return "an" if word[:1].upper() in "AEIOUÂÄÖÜİÍÓÚÉ" else "a"


_NUMBER_WORDS = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")


def _count_word(n: int) -> str:
    """A count that opens a sentence, in words up to ten."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def _join(names: list[str]) -> str:
    names = [n for n in names if n]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def describe(view: FactView) -> str:
    """The fact in a few words, from its roles only: 'the supply of Bayraktar TB2 by Baykar to Azerbaijan'."""
    r = {k: [v for v in vs if v] for k, vs in view.roles.items()}

    def g(role: str) -> str:
        return _join(r.get(role, []))

    t = view.type
    if t == "cooperation":
        parties = r.get("parties", [])
        return (f"defence cooperation between {g('parties')}" if len(parties) > 1
                else f"defence cooperation involving {g('parties') or 'unnamed parties'}")
    if t == "agreement":
        name = g("name")
        kinds = r.get("kind", [])
        if name:
            what = name if name.lower().startswith("the ") else f"the {name}"
        else:
            what = _KINDS.get(kinds[0] if kinds else "", "an agreement")
        return f"{what} between {g('parties')}" if g("parties") else what
    if t == "meeting":
        s = f"a meeting of {g('parties')}" if len(r.get("parties", [])) > 1 else f"a meeting with {g('parties')}"
        return s + (f" in {g('location')}" if g("location") else "")
    if t == "supply":
        s = f"the supply of {g('product')}" if g("product") else "supplies"
        s += f" by {g('supplier')}" if g("supplier") else ""
        return s + (f" to {g('recipient')}" if g("recipient") else "")
    if t == "facility":
        s = f"{_a(g('builder'))} {g('builder')} facility" if g("builder") else "a facility"
        place = ", ".join(x for x in (g("location"), g("host")) if x)
        s += f" in {place}" if place else ""
        return s + (f"{',' if ',' in place else ''} for {g('product')}" if g("product") else "")
    if t == "subsidiary":
        s = f"{_a(g('parent'))} {g('parent')} subsidiary" if g("parent") else "a subsidiary"
        s += f" in {g('host')}" if g("host") else ""
        return s + (f" ({g('name')})" if g("name") else "")
    if t == "joint_production":
        s = f"joint production of {g('product')}" if g("product") else "joint production"
        return s + (f" by {g('partners')}" if g("partners") else "")
    if t == "modernization":
        s = f"the modernization of {g('platform')}" if g("platform") else "a modernization"
        s += f" for {g('operator')}" if g("operator") else ""
        return s + (f" by {g('contractor')}" if g("contractor") else "")
    if t == "combat_use":
        s = f"combat use of {g('product')}" if g("product") else "combat use"
        return s + (f" by {g('user')}" if g("user") else "")
    parts = "; ".join(f"{k}: {_join(v)}" for k, v in r.items())
    return f"{t.replace('_', ' ')} ({parts})"


def _trim(text: str) -> str:
    s = text.strip()
    if len(s) <= _QUOTE_MAX:
        return s
    cut = s[:_QUOTE_MAX]
    space = cut.rfind(" ")
    return (cut[:space] if space > _QUOTE_MAX // 2 else cut).rstrip(" ,;:") + "…"


def _http(url: str | None) -> str | None:
    if not url:
        return None
    try:
        parsed = urlparse(url.strip())
    except ValueError:
        return None
    return url.strip() if parsed.scheme.lower() in ("http", "https") and parsed.netloc else None


def _country(store: Store, name: str) -> str:
    ent = query.find_entity(store, name)
    if ent["type"] != "COUNTRY" or not ent["country"]:
        raise ArmsgraphError(f"{name!r} is {ent['name']!r}, a {ent['type'].lower()}, not a country; "
                             "a dossier between two parties takes two countries (use entity= for anything else)")
    return str(ent["name"])


def dossier(store: Store, *, between: tuple[str, str] | None = None, entity: str | None = None,
            since: str | None = None, until: str | None = None,
            generated: dt.date | dt.datetime | str | None = None) -> Dossier:
    """A dossier on the facts between two countries, or on one entity, or both; since/until bound the
    fact's date (else its first report's), as ISO prefixes ('2024', '2024-06')."""
    pair = (_country(store, between[0]), _country(store, between[1])) if between else None
    ent_name = str(query.find_entity(store, entity)["name"]) if entity else None
    views = query.facts(store, entity=entity, between=between, since=since, until=until)
    if pair and ent_name:
        title = f"{ent_name}: {pair[0]}–{pair[1]} defence cooperation"
    elif pair:
        title = f"{pair[0]}–{pair[1]} defence cooperation"
    elif ent_name:
        title = ent_name
    else:
        title = "Defence cooperation: all facts"
    scope = ("facts whose key parties are " + " and ".join(pair) + " or their companies, bodies and people"
             if pair else "")
    if ent_name:
        scope = (scope + "; " if scope else "") + f"facts that name {ent_name}"
    if not views:
        bounds = "".join(f" {w} {v}" for w, v in (("since", since), ("until", until)) if v)
        raise ArmsgraphError(f"no facts for {title!r}{bounds} in {store.url}; ingest articles that report them"
                             + (" or widen the period" if bounds else ""))
    if isinstance(generated, dt.datetime):
        generated = generated.date()
    elif isinstance(generated, str):
        try:
            generated = dt.date.fromisoformat(generated[:10])
        except ValueError as exc:
            raise ArmsgraphError(f"generated={generated!r} is not a date; give it as YYYY-MM-DD") from exc
    return _build(views, title, scope, since, until, generated or dt.date.today())


def _build(views: list[FactView], title: str, scope: str, since: str | None, until: str | None,
           generated: dt.date) -> Dossier:
    type_rank = {t: i for i, t in enumerate(EVENT_TYPES)}
    outlets: dict[str, Any] = {}
    copies: dict[str, str | None] = {}
    for v in views:
        for s in v.assessment.history:
            outlets.setdefault(s.doc_id, s.outlet)
            copies.setdefault(s.doc_id, s.duplicate_of)
    facts: list[Fact] = []
    for v in views:
        when = When.parse(v.date)
        published = [c["published"] for c in v.citations if c.get("published")]
        reported = None if when else When.parse(min(published)) if published else None
        if when:
            date_text = str(when)
        else:
            date_text = _month_day(v.date) or "no date"
            if reported:
                date_text += f"; reported {reported}"
        a = v.assessment
        meaning = f"{RELIABILITY.get(a.reliability, a.reliability)}; {CREDIBILITY.get(a.credibility, '')}"
        facts.append(Fact(
            view=v, description=describe(v), cells=[], footnotes=[], when=when, reported=reported,
            date_text=date_text, sources=a.corroboration, code=a.code, code_words=meaning,
            code_title=f"{a.code}: source {meaning} ({a.reason})" if a.reason else f"{a.code}: {meaning}"))
    facts.sort(key=lambda f: (type_rank.get(f.type, len(type_rank)), f.type, f.sort_key()))

    # footnotes, numbered in table order; one per (document, sentence)
    numbers: dict[tuple[str, str], int] = {}
    footnotes: list[Footnote] = []
    for f in facts:
        for c in f.view.citations:
            key = (c["doc_id"], c["text"].strip())
            if key not in numbers:
                numbers[key] = len(footnotes) + 1
                outlet = outlets.get(c["doc_id"])
                footnotes.append(Footnote(
                    number=numbers[key], doc_id=c["doc_id"], outlet=(c.get("outlet") or None),
                    grade=outlet.grade if outlet and outlet.name else None,
                    grade_why=outlet.why if outlet and outlet.name else None,
                    published=c.get("published"), title=(c.get("title") or "").strip() or None,
                    url=_http(c.get("url")), raw_url=c.get("url"), quote=_trim(c["text"]),
                    copy_of=copies.get(c["doc_id"])))
            if numbers[key] not in f.footnotes:
                f.footnotes.append(numbers[key])

    tables = []
    for type_ in dict.fromkeys(f.type for f in facts):
        rows = [f for f in facts if f.type == type_]
        columns = list(ROLE_COLUMNS.get(type_, ()))
        columns += [r for f in rows for r in f.view.roles if r not in columns]
        columns = list(dict.fromkeys(columns))
        for f in rows:
            f.cells = [", ".join(f.view.roles.get(col, [])) for col in columns]
        tables.append(Table(type_, rows[0].type_label, rows[0].colour, [c.replace("_", " ").capitalize()
                                                                       for c in columns], rows))

    conflicts = []
    for f in facts:
        for text in f.conflicts:
            named = [n for n, fn in ((n, footnotes[n - 1]) for n in f.footnotes) if fn.doc_id in text]
            conflicts.append(Conflict(f, text, named or f.footnotes))

    docs = {fn.doc_id for fn in footnotes}
    origins = set()
    for doc in docs:
        root = copies.get(doc) or doc
        outlet = outlets.get(root) if root in outlets else outlets.get(doc)
        origins.add(outlet.name if outlet and outlet.name else root)
    whens = [w for w in (f.when or f.reported for f in facts) if w]
    if since or until:
        period = f"{_human_date(since) if since else 'the earliest report'} to " \
                 f"{_human_date(until) if until else 'the latest report'}"
    elif whens:
        lo, hi = min(whens, key=lambda w: w.key), max(whens, key=lambda w: w.key)
        period = str(lo) if lo == hi else f"{lo} to {hi}"
    else:
        period = "no dates reported"
    period_note = ""
    if len(whens) < len(facts):
        period_note = f"{_n(len(facts) - len(whens), 'fact has', 'facts have')} no date and no dated report"
    return Dossier(
        title=title, scope=scope, period=period, period_note=period_note, generated=generated, facts=facts,
        footnotes=footnotes,
        summary=_summary(facts, footnotes, len(docs), len(origins)), tables=tables, conflicts=conflicts,
        chart=_chart([f for f in facts if f.when]), documents=len(docs), independent_sources=len(origins))


# -------------------------------------------------------------------------------------------- summary
def _n(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _first_per_doc(fact: Fact, footnotes_doc: dict[int, str]) -> list[int]:
    seen: dict[str, int] = {}
    for n in fact.footnotes:
        seen.setdefault(footnotes_doc[n], n)
    return sorted(seen.values())


def _summary(facts: list[Fact], footnotes: list[Footnote], documents: int, sources: int) -> list[Sentence]:
    doc_of = {fn.number: fn.doc_id for fn in footnotes}

    def listed(items: list[Fact], limit: int = 3, extra: str = "") -> list[Segment]:
        segs: list[Segment] = []
        shown = items[:limit]
        for i, f in enumerate(shown):
            sep = "" if i == 0 else (" and " if i == len(shown) - 1 and len(items) <= limit else ", ")
            note = extra.format(f=f) if extra else ""
            segs.append(Segment(f"{sep}{f.description}{note}", _first_per_doc(f, doc_of)))
        if len(items) > limit:
            segs.append(Segment(f" and {len(items) - limit} more"))
        return segs

    out: list[Sentence] = []
    counts = Counter(f.type for f in facts)
    order = {t: i for i, t in enumerate(EVENT_TYPES)}
    kinds = [f"{TYPE_LABELS.get(t, t).lower()} {n}" for t, n in
             sorted(counts.items(), key=lambda kv: (-kv[1], order.get(kv[0], 99)))]
    out.append(Sentence([Segment(
        f"The dossier holds {_n(len(facts), 'fact')} drawn from {_n(documents, 'document')} "
        f"({_n(sources, 'independent source')}); by type: {', '.join(kinds)}.")]))

    corroborated = sorted((f for f in facts if f.sources >= 2), key=lambda f: (-f.sources, f.sort_key()))
    if corroborated:
        head = ("Only one fact is" if len(corroborated) == 1 else f"{_count_word(len(corroborated))} facts are") \
            if len(corroborated) < len(facts) else ("The fact is" if len(facts) == 1 else "All facts are")
        segs = [Segment(f"{head} reported by more than one independent source, the best corroborated being ")]
        segs += listed(corroborated, 2, " ({f.sources} sources, graded {f.code})")
        rest = len(facts) - len(corroborated)
        segs.append(Segment(f"; the other {_n(rest, 'fact rests', 'facts rest')} on a single source." if rest
                            else "."))
        out.append(Sentence(segs))
    else:
        out.append(Sentence([Segment(
            ("The fact rests" if len(facts) == 1 else f"Each of the {len(facts)} facts rests")
            + " on a single source, so none is corroborated"
            + ("; treat them as reported, not confirmed." if len(facts) > 1 else "; treat it as reported, "
               "not confirmed."))]))

    def by_weight(items: list[Fact]) -> list[Fact]:
        return sorted(items, key=lambda f: (-f.sources, -(f.when or f.reported or When(0)).year, f.description))

    going = by_weight([f for f in facts if f.view.status == "in_progress"])
    cancelled = by_weight([f for f in facts if f.view.status == "cancelled"])
    if going or cancelled:
        segs = []
        if going:
            segs += [Segment("Reported as under way: "), *listed(going)]
        if cancelled:
            segs += [Segment("; reported as cancelled: " if going else "Reported as cancelled: "), *listed(cancelled)]
        segs.append(Segment("."))
        out.append(Sentence(segs))
    planned = by_weight([f for f in facts if f.view.status in ("announced", "interest", "agreed")])
    if planned:
        said = [w for st, w in (("announced", "announced"), ("agreed", "agreed"), ("interest", "sought"))
                if any(f.view.status == st for f in planned)]
        segs = [Segment(f"{' or '.join(said).capitalize()} but not yet reported as under way: "), *listed(planned)]
        segs.append(Segment("."))
        out.append(Sentence(segs))

    dated = sorted((f for f in facts if f.when), key=Fact.sort_key)
    undated = len(facts) - len(dated)
    tail = (f"; {_n(undated, 'other fact carries no date of its own', 'other facts carry no date of their own')}"
            if undated and dated else "")
    if len(dated) >= 2:
        first, last = dated[0], dated[-1]
        out.append(Sentence([
            Segment(f"The earliest dated fact is {first.description} ({first.when})", _first_per_doc(first, doc_of)),
            Segment(f" and the latest {last.description} ({last.when})", _first_per_doc(last, doc_of)),
            Segment(tail + "."),
        ]))
    elif dated:
        only = dated[0]
        out.append(Sentence([Segment(f"The only dated fact is {only.description} ({only.when})",
                                     _first_per_doc(only, doc_of)), Segment(tail + ".")]))
    else:
        reported = sorted((f.reported for f in facts if f.reported), key=lambda w: w.key)
        if reported:
            span = str(reported[0]) if reported[0] == reported[-1] else f"between {reported[0]} and {reported[-1]}"
            out.append(Sentence([Segment(f"No fact carries a date of its own; they were first reported {span}.")]))
        else:
            out.append(Sentence([Segment("No fact carries a date of its own, and their reports carry no "
                                         "publication date.")]))

    conflicted = [f for f in facts if f.conflicts]
    if conflicted:
        segs = [Segment("Sources conflict on " + ("one fact: " if len(conflicted) == 1
                                                  else f"{len(conflicted)} facts: "))]
        segs += listed(conflicted)
        segs.append(Segment(" (see Conflicts)."))
        out.append(Sentence(segs))
    else:
        out.append(Sentence([Segment("No conflicting reports were flagged.")]))
    return out


# ---------------------------------------------------------------------------------------------- chart
_LANE_ROW = 16.0
_LANE_PAD = 12.0


def _chart(dated: list[Fact]) -> Chart | None:
    if not dated:
        return None
    width, left, right = 960, 150, 24
    starts = [f.when.first for f in dated if f.when]
    ends = [f.when.last for f in dated if f.when]
    lo, hi = min(starts), max(ends)
    span = (hi - lo).days
    if span < 90:  # a single day or a few weeks: show at least three months around them
        lo -= dt.timedelta(days=(90 - span) // 2)
        hi += dt.timedelta(days=(90 - span) - (90 - span) // 2)
        span = (hi - lo).days
    pad = max(7, span // 25)
    lo, hi = lo - dt.timedelta(days=pad), hi + dt.timedelta(days=pad)
    span = (hi - lo).days
    inner = width - left - right

    def x(d: dt.date) -> float:
        return round(left + (d - lo).days / span * inner, 1)

    # lanes: one per event type present, marks packed into rows so that none overlaps another
    types = sorted({f.type for f in dated}, key=lambda t: (EVENT_TYPES.index(t) if t in EVENT_TYPES else 99, t))
    lanes: list[dict[str, Any]] = []
    marks: list[Mark] = []
    y = 8.0
    for t in types:
        rows_end: list[float] = []
        placed: list[tuple[Fact, float, float, int]] = []
        for f in sorted((f for f in dated if f.type == t), key=Fact.sort_key):
            assert f.when is not None
            x0 = x(f.when.first)
            x1 = x0 if f.when.precision == "day" else x(f.when.last + dt.timedelta(days=1))
            lo_edge, hi_edge = x0 - 6, x1 + 6
            row = next((i for i, end in enumerate(rows_end) if end + 3 < lo_edge), None)
            if row is None:
                rows_end.append(hi_edge)
                row = len(rows_end) - 1
            else:
                rows_end[row] = hi_edge
            placed.append((f, x0, x1, row))
        height = _LANE_PAD * 2 + _LANE_ROW * max(1, len(rows_end)) - 4
        lanes.append({"type": t, "label": TYPE_LABELS.get(t, t), "colour": TYPE_COLOURS.get(t, _OTHER_COLOUR),
                      "y": y, "height": height, "mid": y + height / 2})
        for f, x0, x1, row in placed:
            tip = f"{f.when} · {f.type_label} · {f.status} · {f.code} — {f.description} [{ref_text(f.footnotes)}]"
            marks.append(Mark(f, x0, x1, y + _LANE_PAD + row * _LANE_ROW + 4, tip))
        y += height
    axis_y = y + 4

    ticks: list[dict[str, Any]] = []
    years = span / 365.25
    if years > 2.5:
        step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if years / s <= 10)
        year = lo.year + 1 if lo.month > 1 or lo.day > 1 else lo.year
        year += (-year) % step
        while dt.date(year, 1, 1) <= hi:
            ticks.append({"x": x(dt.date(year, 1, 1)), "label": str(year)})
            year += step
    else:
        months = span / 30.44
        step = next(s for s in (1, 2, 3, 6, 12) if months / s <= 12)
        m = dt.date(lo.year, lo.month, 1)
        if m < lo:
            m = _add_months(m, 1)
        while (m.month - 1) % step:
            m = _add_months(m, 1)
        last_year = None
        while m <= hi:
            label = calendar.month_abbr[m.month] + (f" {m.year}" if m.year != last_year else "")
            ticks.append({"x": x(m), "label": label})
            last_year = m.year
            m = _add_months(m, step)

    legend = []
    lx, ly = float(left), axis_y + 44
    for t in types:
        label = TYPE_LABELS.get(t, t)
        w = 26 + 7.2 * len(label)
        if lx + w > width - right:
            lx, ly = float(left), ly + 20
        legend.append({"kind": "type", "x": lx, "y": ly, "label": label, "colour": TYPE_COLOURS.get(t, _OTHER_COLOUR)})
        lx += w + 18
    lx, ly = float(left), ly + 22
    present = {f.when.precision for f in dated if f.when}
    for kind, label in (("day", "exact day"), ("month", "month given"), ("year", "year given")):
        if kind not in present:
            continue
        legend.append({"kind": kind, "x": lx, "y": ly, "label": label, "colour": "#444444"})
        lx += 40 + 7.2 * len(label)
    return Chart(width, int(ly + 16), left, right, axis_y, lanes, ticks, marks, legend, axis_y + 44)


def _add_months(d: dt.date, n: int) -> dt.date:
    month = d.month - 1 + n
    return dt.date(d.year + month // 12, month % 12 + 1, 1)
