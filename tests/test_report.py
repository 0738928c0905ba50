"""The dossier over the sample corpus: every fact footnoted, every footnote quoting its document verbatim,
a self-contained HTML page with an SVG timeline, untrusted article text kept inert, helpful errors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from sqlalchemy import select

import armsgraph.report as report_module
from armsgraph import ArmsgraphError, Pipeline, Store, ingest
from armsgraph.query import FactView
from armsgraph.report import Dossier, dossier, md_cell, md_escape, ref_text
from armsgraph.store import schema

GENERATED = "2025-06-01"
YEAR_DATE = re.compile(r"^\d{4}")
EVIL_SCRIPT = "<script>alert(1)</script>"
EVIL_IMG = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def sample_store(samples: Path, pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    s = Store(str(tmp_path_factory.mktemp("report") / "samples.db"))
    assert ingest([samples], s, pipeline).ok
    yield s
    s.close()


@pytest.fixture(scope="module")
def tr_az(sample_store: Store) -> Dossier:
    return dossier(sample_store, between=("Azerbaijan", "Türkiye"), generated=GENERATED)


@pytest.fixture(scope="module")
def tr_az_html(tr_az: Dossier) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(tr_az.html())


def doc_texts(store: Store) -> dict[str, str]:
    with store.connect() as conn:
        return {r.id: r.text for r in conn.execute(select(schema.documents.c.id, schema.documents.c.text))}


def expand(refs: str) -> list[int]:
    """'1–3, 5' -> [1, 2, 3, 5]."""
    out: list[int] = []
    for part in re.findall(r"\d+(?:–\d+)?", refs):
        a, _, b = part.partition("–")
        out += range(int(a), int(b or a) + 1)
    return out


def verbatim(quote: str, text: str) -> bool:
    return quote.removesuffix("…") in text


# ------------------------------------------------------------------ content
def test_header_names_the_pair_the_period_and_the_counts(tr_az: Dossier) -> None:
    md = tr_az.markdown()
    assert md.startswith("# Azerbaijan–Türkiye defence cooperation\n")
    assert "1 June 2025" in md
    assert f"**Facts:** {len(tr_az.facts)}" in md
    assert tr_az.documents == 1 and tr_az.independent_sources == 1  # every Azerbaijan–Türkiye fact is from tr-az-uav
    assert "2020 to 20 May 2025" in tr_az.period
    assert [t.type for t in tr_az.tables] == ["cooperation", "meeting", "supply", "facility", "joint_production"]


def test_every_statement_is_footnoted_once_and_shared_sentences_share_a_number(tr_az: Dossier) -> None:
    pairs = {(c["doc_id"], c["text"].strip()) for f in tr_az.facts for c in f.view.citations}
    assert len(tr_az.footnotes) == len(pairs)
    assert [fn.number for fn in tr_az.footnotes] == list(range(1, len(pairs) + 1))
    by_pair = {(fn.doc_id, fn.quote): fn.number for fn in tr_az.footnotes}
    for f in tr_az.facts:
        assert f.footnotes
        assert sorted(f.footnotes) == sorted({by_pair[(c["doc_id"], c["text"].strip())] for c in f.view.citations})
    # the sentence about munitions and the cooperation protocol supports two facts under one number
    shared = [n for n in range(1, len(pairs) + 1) if sum(n in f.footnotes for f in tr_az.facts) > 1]
    assert shared


def test_html_rows_cite_footnotes_that_quote_their_document_verbatim(
        tr_az: Dossier, tr_az_html: lxml.html.HtmlElement, sample_store: Store) -> None:
    texts = doc_texts(sample_store)
    sources = {int(li.get("value")): li for li in tr_az_html.xpath("//ol[@class='sources']/li")}
    assert sorted(sources) == list(range(1, len(tr_az.footnotes) + 1))
    rows = tr_az_html.xpath("//table[@class='facts']/tbody/tr[@class='fact']")
    assert len(rows) == len(tr_az.facts)
    for row in rows:
        refs = expand(row.xpath("./td[@class='notes']")[0].text_content())
        assert refs, lxml.html.tostring(row)
        for n in refs:
            assert n in sources
    for n, li in sources.items():
        assert li.get("id") == f"fn-{n}"
        quote = li.xpath(".//blockquote[@class='quote']")[0].text_content().strip()
        assert quote and verbatim(quote, texts[li.get("data-doc")]), (n, quote)
        assert li.xpath(".//span[@class='src']")[0].text_content().strip()


def test_markdown_rows_cite_footnotes_that_quote_their_document_verbatim(
        tr_az: Dossier, sample_store: Store) -> None:
    texts = doc_texts(sample_store)
    md = tr_az.markdown()
    facts_part = md.split("## Facts by type", 1)[1].split("## Conflicts", 1)[0]
    rows = [line for line in facts_part.splitlines() if line.startswith("| ") and not line.startswith("| Parties")
            and "Status | Date" not in line]
    assert len(rows) == len(tr_az.facts)
    numbers = {fn.number for fn in tr_az.footnotes}
    for row in rows:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
        refs = expand(cells[-1])
        assert refs and set(refs) <= numbers, row
        assert re.match(r"^[A-F][1-6] \(", cells[-2]), row  # the code, then its meaning in words
    sources = md.split("## Sources", 1)[1]
    for fn in tr_az.footnotes:
        entry = re.search(rf"^{fn.number}\. .*\n   > (.*)$", sources, re.M)
        assert entry, fn.number
        assert verbatim(fn.quote, texts[fn.doc_id])
        assert entry[1] == md_escape(fn.quote)


def test_summary_is_three_to_six_sentences_and_cites_every_fact_it_states(tr_az: Dossier) -> None:
    assert 3 <= len(tr_az.summary) <= 6
    descriptions = {f.description for f in tr_az.facts}
    for sentence in tr_az.summary:
        for seg in sentence.segments:
            if any(d in seg.text for d in descriptions):
                assert seg.refs, seg.text
    text = " ".join(s.text for s in tr_az.summary)
    assert "single source" in text  # one article: nothing is corroborated, and the summary says so
    assert "earliest dated fact" in text and "(2020)" in text and "(20 May 2025)" in text
    assert "No conflicting reports" in text


def test_html_is_self_contained_with_one_svg_mark_per_dated_fact(
        tr_az: Dossier, tr_az_html: lxml.html.HtmlElement) -> None:
    html = tr_az.html()

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.seen.append(tag)

    parser = Tags()
    parser.feed(html)
    parser.close()
    assert parser.seen.count("svg") == 1 and "script" not in parser.seen
    assert not tr_az_html.xpath("//script | //link | //img | //iframe | //@src")
    dated = [f for f in tr_az.facts if f.view.date and YEAR_DATE.match(f.view.date)]
    assert len(dated) == 3  # the 2020 supply, the 19 May meeting, the 20 May facility
    marks = tr_az_html.xpath("//svg//a[contains(concat(' ', @class, ' '), ' mark ')]")
    assert len(marks) == len(dated)
    assert {m.get("href") for m in marks} == {f"#fact-{f.id}" for f in dated}
    assert all(tr_az_html.xpath(f"//tr[@id='fact-{f.id}']") for f in dated)
    legend = {t.text_content() for t in tr_az_html.xpath("//svg//text")}
    assert {"Supply", "Meeting", "Facility"} <= legend
    codes = tr_az_html.xpath("//td/abbr[@title]")
    assert len(codes) == len(tr_az.facts) and all("possibly true" in a.get("title") for a in codes)


def test_undated_facts_are_listed_apart_with_their_reported_date(tr_az: Dossier) -> None:
    undated = [f for f in tr_az.facts if not (f.view.date and YEAR_DATE.match(f.view.date))]
    assert undated and all(f.reported and str(f.reported) == "20 May 2025" for f in undated)
    md = tr_az.markdown()
    timeline = md.split("### Undated", 1)[1].split("## Facts by type", 1)[0]
    assert "**Reported 20 May 2025**" in timeline
    assert timeline.count("\n- ") == len(undated)
    assert "no date; reported 20 May 2025" in md


def test_entity_dossier(sample_store: Store) -> None:
    d = dossier(sample_store, entity="baykar", generated=GENERATED)
    assert d.title == "Baykar"
    assert d.facts and all(any("Baykar" in names for names in f.view.roles.values()) for f in d.facts)
    assert d.documents == 2  # the Baku story and the Pakistan–Türkiye feed item
    assert "<h1>Baykar</h1>" in d.html()


def test_period_bounds_filter_the_facts(sample_store: Store) -> None:
    d = dossier(sample_store, between=("Türkiye", "Azerbaijan"), until="2024", generated=GENERATED)
    assert [f.view.date for f in d.facts] == ["2020"]
    assert d.title == "Türkiye–Azerbaijan defence cooperation"
    assert d.period == "the earliest report to 2024"


def test_unknown_or_wrong_parties_raise_helpful_errors(sample_store: Store) -> None:
    with pytest.raises(ArmsgraphError, match="no entity named 'Atlantis'"):
        dossier(sample_store, between=("Atlantis", "Türkiye"))
    with pytest.raises(ArmsgraphError, match="not a country"):
        dossier(sample_store, between=("Baykar", "Türkiye"))
    with pytest.raises(ArmsgraphError, match="no entity named"):
        dossier(sample_store, entity="Nonexistent Dynamics")
    with pytest.raises(ArmsgraphError, match=r"no facts .* since 2090"):
        dossier(sample_store, between=("Türkiye", "Azerbaijan"), since="2090")


def test_conflicts_are_listed_with_their_footnotes(sample_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    real = report_module.query.facts

    def with_conflict(*args: Any, **kwargs: Any) -> list[FactView]:
        views = real(*args, **kwargs)
        supply = next(v for v in views if v.type == "supply" and v.date == "2020")
        supply.assessment.conflicts.append("tr-az-uav (2025-05-20) reports 'announced' after an earlier 'completed'")
        return views

    monkeypatch.setattr(report_module.query, "facts", with_conflict)
    d = dossier(sample_store, between=("Azerbaijan", "Türkiye"), generated=GENERATED)
    assert len(d.conflicts) == 1
    conflict = d.conflicts[0]
    assert conflict.refs and conflict.refs == conflict.fact.footnotes
    assert "Sources conflict on one fact" in d.summary[-1].text and d.summary[-1].refs
    md = d.markdown().split("## Conflicts", 1)[1].split("## Sources", 1)[0]
    assert f"reports 'announced' after an earlier 'completed' [{ref_text(conflict.refs)}]" in md
    items = lxml.html.fromstring(d.html()).xpath("//section[@id='conflicts']//li")
    assert len(items) == 1 and items[0].xpath(".//a[starts-with(@href, '#fn-')]")


def test_write_gives_markdown_and_html(tr_az: Dossier, tmp_path: Path) -> None:
    paths = tr_az.write(tmp_path / "out" / "tr-az")
    assert [p.name for p in paths] == ["tr-az.md", "tr-az.html"]
    assert paths[0].read_text(encoding="utf-8") == tr_az.markdown()
    assert paths[1].read_text(encoding="utf-8") == tr_az.html()
    assert [p.name for p in tr_az.write(tmp_path / "again.html")] == ["again.md", "again.html"]


# ------------------------------------------------------------------ untrusted text
def test_article_markup_stays_text(pipeline: Pipeline, store: Store, tmp_path: Path) -> None:
    record = {
        "id": "evil-0001", "url": "javascript:alert(1)", "published": "2025-03-02",
        "title": f"Baykar | drones {EVIL_IMG} for Azerbaijan",
        "text": (f"BAKU, March 2 -- Turkish drone maker Baykar delivered six Bayraktar TB2 drones to Azerbaijan "
                 f"on March 1, 2025 {EVIL_SCRIPT} the defence ministry said.\n\n"
                 f"Baykar is building a maintenance centre in Azerbaijan {EVIL_IMG} near Baku, the company said."),
    }
    path = tmp_path / "evil.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert ingest([path], store, pipeline).ok
    d = dossier(store, entity="Baykar", generated=GENERATED)
    quotes = [fn.quote for fn in d.footnotes]
    assert any(EVIL_SCRIPT in q for q in quotes) and any(EVIL_IMG in q for q in quotes)

    html = d.html()
    tree = lxml.html.fromstring(html)
    assert not tree.xpath("//script") and not tree.xpath("//img") and not tree.xpath("//@onerror")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    shown = [q.text_content() for q in tree.xpath("//blockquote[@class='quote']")]
    assert any(EVIL_SCRIPT in q for q in shown) and any(EVIL_IMG in q for q in shown)
    assert EVIL_IMG in tree.xpath("//cite")[0].text_content()
    assert not [h for h in tree.xpath("//@href") if not h.startswith(("#", "http://", "https://"))]
    assert "javascript:alert(1)" in tree.xpath("//span[contains(@class, 'url')]")[0].text_content()

    md = d.markdown()
    assert EVIL_SCRIPT not in md and EVIL_IMG not in md
    assert "\\<script\\>alert(1)\\</script\\>" in md
    assert "(javascript:" not in md


def test_markdown_escaping() -> None:
    assert md_cell("Smith | Wesson") == "Smith \\| Wesson"
    assert md_escape("a *b* [c](d) <e> `f` &amp;\nnext") == "a \\*b\\* \\[c\\](d) \\<e\\> \\`f\\` \\&amp; next"
    assert ref_text([7, 1, 2, 3, 5, 8]) == "1–3, 5, 7, 8"
    assert ref_text([4]) == "4"
