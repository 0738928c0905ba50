"""Store at scale: a synthetic knowledge graph of 10k, 100k and 1M facts on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/store_scale.py [--sizes 10k,100k,1M] [--backends sqlite,postgresql]
                                               [--runs 50] [--budget 90]

For each size and backend: a fresh store (schema by `Store`, so exactly armsgraph's tables and indexes),
filled in bulk straight into the tables with SQLAlchemy Core executemany in batches of `BATCH` rows
(documents, entities and their names, mentions, facts, events, evidence and its full-text index, event
roles), then ANALYZEd; then the fact summaries and query rows (`fact_entities`, `fact_pairs`) by
`armsgraph.store.summaries.refresh`, the write path's own code; its size on disk (SQLite file /
pg_database_size); and the latency of the main queries of `armsgraph.query` as the API runs them (facts a
page of 50 at a time), each run up to --runs times after one warm-up run, or fewer when the runs would
take more than --budget seconds, or stopped when one run takes more than --cap seconds (said in the
output). PostgreSQL databases are named
armsgraph_bench_* and dropped afterwards; SQLite files live in a temporary folder.

The proportions (documents, events, evidence, mentions, role rows per fact) are those of an ingest of
varied sample articles (`RATIOS`, measured with `--measure-ratios`); entity popularity is skewed (Zipf),
countries are the knowledge base's, other entities have made-up names, evidence sentences are sentences
of the sample articles.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import itertools
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from _common import base_articles, percentile, print_machine, read_documents, varied_records, write_jsonl
from sqlalchemy import func, insert, select, text

from armsgraph import Settings, Store, query
from armsgraph import kb as kb_module
from armsgraph.extract.lexicon import KEY_ROLES
from armsgraph.resolve.names import fold
from armsgraph.store import digest, summaries
from armsgraph.store import schema as t

PG_ADMIN_URL = os.environ.get("ARMSGRAPH_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
BATCH = 20_000  # rows per executemany
PAGE = 50  # facts per page: the API's default

# Per fact / per event / per document, as measured by `--measure-ratios 400` (an ingest of 400 varied sample
# articles: 400 documents, 1,312 facts, 1,841 events, 2,625 evidence rows, 11,233 mentions, 624 entities).
# Entities per fact is the one assumption: that ingest measured 0.48, but its 400 articles are variants of
# 22 stories; a growing corpus meets new companies, people and systems ever more rarely, so 0.25 is used.
RATIOS = {
    "documents_per_fact": 0.30,
    "events_per_fact": 1.40,
    "evidence_per_event": 1.43,
    "mentions_per_document": 28.0,
    "names_per_entity": 2.78,
    "entities_per_fact": 0.25,
}
TYPE_SHARE = {"supply": 0.33, "cooperation": 0.20, "facility": 0.13, "agreement": 0.13, "joint_production": 0.12,
              "subsidiary": 0.045, "meeting": 0.038, "combat_use": 0.005, "modernization": 0.002}
STATUS_SHARE = {"completed": 0.40, "announced": 0.30, "agreed": 0.17, "in_progress": 0.12, "interest": 0.01}
ENTITY_SHARE = {"COMPANY": 0.35, "WEAPON": 0.25, "PERSON": 0.15, "GOVERNMENT": 0.08, "MILITARY": 0.07,
                "ORGANIZATION": 0.05, "LOCATION": 0.05}
POPULAR = ["TUR", "AZE", "UKR", "USA", "RUS", "DEU", "FRA", "GBR", "PAK", "IND", "CHN", "ISR", "POL", "KOR",
           "IDN", "SAU", "ARE", "EGY", "QAT", "JPN"]
SYLLABLES = ["ar", "bel", "cor", "dan", "el", "fer", "gal", "hel", "is", "jor", "kal", "lum", "mar", "nor", "or",
             "pel", "quin", "ros", "sar", "tal", "ul", "ver", "wes", "xan", "yor", "zel"]
SUFFIX = {"COMPANY": ["Aerospace", "Defence Systems", "Dynamics", "Industries", "Shipyards", "Electronics"],
          "WEAPON": ["drone", "howitzer", "frigate", "missile", "radar", "armoured vehicle"],
          "GOVERNMENT": ["Ministry of Defence", "Procurement Agency"], "MILITARY": ["Air Force", "Navy", "Army"],
          "ORGANIZATION": ["Institute", "Association"], "LOCATION": ["Bay", "Valley", "Port"], "PERSON": [""]}


def zipf_cum(n: int, s: float = 1.0, q: float = 5.0) -> list[float]:
    return list(itertools.accumulate(1.0 / (k + q) ** s for k in range(n)))


class Synth:
    """Streams the rows of a synthetic store of `n_facts` facts, deterministically from `seed`."""

    def __init__(self, n_facts: int, sentences: list[str], articles: list[tuple[str, str]], seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.n_facts = n_facts
        self.n_docs = max(10, round(n_facts * RATIOS["documents_per_fact"]))
        self.sentences = sentences
        self.articles = articles
        self.entities: list[dict[str, Any]] = []
        self.by_type: dict[str, list[int]] = {}
        self._entities()
        self.cum = {ty: zipf_cum(len(ix)) for ty, ix in self.by_type.items()}
        self.name_of = {e["id"]: e["name"] for e in self.entities}
        self.mention_at = [0] * self.n_docs  # next free mention offset in each document
        self.events_in = [0] * self.n_docs

    def _entities(self) -> None:
        kb = kb_module.load(Settings().kb_dir)
        countries = sorted((e for e in kb.entries.values() if e.type == "COUNTRY" and e.country),
                           key=lambda e: (e.country not in POPULAR, POPULAR.index(e.country)
                                          if e.country in POPULAR else 0, self.rng.random()))
        seen_codes: set[str] = set()
        for c in countries:
            if c.country in seen_codes:
                continue
            seen_codes.add(c.country or "")
            self._add("COUNTRY", c.name, f"kb:{c.id}", c.country, c.aliases[:2], c.id)
        codes = [e["country"] for e in self.entities]
        code_cum = zipf_cum(len(codes))
        n_other = max(500, round(self.n_facts * RATIOS["entities_per_fact"]))
        types, shares = zip(*ENTITY_SHARE.items(), strict=True)
        for k in range(n_other):
            ty = self.rng.choices(types, shares)[0]
            base = "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3))).capitalize()
            if ty == "PERSON":
                name = f"{self.rng.choice(SYLLABLES).capitalize()}{self.rng.choice(SYLLABLES)} {base}{k}"
            else:
                name = f"{base}{k} {self.rng.choice(SUFFIX[ty])}"
            country = codes[bisect.bisect(code_cum, self.rng.random() * code_cum[-1])]
            extra = RATIOS["names_per_entity"] - 1.0  # other spellings seen: mean `extra`
            variants = [f"{base}{k}", name.upper(), f"{base} {k}", f"the {name}"]
            aliases = variants[:int(extra) + (self.rng.random() < extra - int(extra))]
            self._add(ty, name, f"{ty.lower()}:{fold(name)}", country, aliases, None)

    def _add(self, ty: str, name: str, key: str, country: str | None, aliases: list[str], kb_id: str | None) -> None:
        self.by_type.setdefault(ty, []).append(len(self.entities))
        self.entities.append({"id": "E" + digest(key), "key": key, "type": ty, "name": name, "kb_id": kb_id,
                              "wikidata": None, "country": country, "aliases": aliases})

    def pick(self, *types: str) -> int:
        ty = self.rng.choice(types)
        ix, cum = self.by_type[ty], self.cum[ty]
        return ix[bisect.bisect(cum, self.rng.random() * cum[-1])]

    # ------------------------------------------------------------ rows, table by table
    def entity_rows(self) -> Iterator[tuple[Any, dict[str, Any]]]:
        for e in self.entities:
            yield t.entities, {k: v for k, v in e.items() if k != "aliases"}
            for name in dict.fromkeys([e["name"], *e["aliases"]]):
                yield t.entity_names, {"entity_id": e["id"], "name": name, "folded": fold(name),
                                       **summaries.name_keys(name)}

    def document_rows(self) -> Iterator[tuple[Any, dict[str, Any]]]:
        minhashes = [[self.rng.getrandbits(32) for _ in range(128)] for _ in range(200)]
        day0 = 16436  # 2015-01-01 in days since the epoch
        for d in range(self.n_docs):
            title, body = self.articles[d % len(self.articles)]
            published = time.strftime("%Y-%m-%d", time.gmtime(86400 * (day0 + self.rng.randrange(4000))))
            doc_id = f"D{d:08d}"
            yield t.documents, {
                "id": doc_id, "content_hash": digest(doc_id), "source": f"synthetic/{doc_id}.txt",
                "url": f"https://news.example.org/{published}/{doc_id}", "title": title, "published": published,
                "published_source": "metadata", "text": title + "\n" + body,
                "zones": [["headline", 0, len(title)], ["body", len(title) + 1, len(title) + 1 + len(body)]],
                "author": None, "site": "news.example.org", "language": "en", "content_key": digest("k", doc_id),
                "minhash": minhashes[d % len(minhashes)], "duplicate_of": None}

    def fact_rows(self) -> Iterator[tuple[Any, dict[str, Any]]]:
        types, shares = zip(*TYPE_SHARE.items(), strict=True)
        statuses, sshares = zip(*STATUS_SHARE.items(), strict=True)
        extra_events = RATIOS["events_per_fact"] - 1.0  # restatements: geometric, mean extra_events
        p_more = extra_events / (1 + extra_events)
        for f in range(self.n_facts):
            ty = self.rng.choices(types, shares)[0]
            roles = self._roles(ty)
            key_roles = KEY_ROLES[ty]
            key: list[Any] = ([sorted(roles[key_roles[0]])] if len(key_roles) == 1
                              else [sorted(roles.get(r, [])) for r in key_roles])
            if ty in ("supply", "joint_production", "facility"):
                key.append(sorted(roles.get("product", [])))
            key.append(f)  # synthetic facts are distinct even when their roles repeat
            fact_id = "F" + digest(ty, key)
            yield t.facts, {"id": fact_id, "type": ty, "key": key}
            status = self.rng.choices(statuses, sshares)[0]
            while True:
                yield from self._event(fact_id, ty, roles, status)
                if self.rng.random() >= p_more:
                    break
                if self.rng.random() < 0.3:
                    status = self.rng.choices(statuses, sshares)[0]

    def _roles(self, ty: str) -> dict[str, list[str]]:
        e = self.entities
        pick = self.pick
        pair = ("COUNTRY", "COUNTRY", "COUNTRY", "GOVERNMENT", "COMPANY")
        if ty in ("cooperation", "agreement", "meeting"):
            a, b = pick(*pair), pick(*pair)
            return {"parties": list(dict.fromkeys([e[a]["id"], e[b]["id"]]))}
        if ty == "joint_production":
            a, b = pick("COMPANY", "COUNTRY"), pick("COMPANY", "COUNTRY")
            return {"partners": list(dict.fromkeys([e[a]["id"], e[b]["id"]])), "product": [e[pick("WEAPON")]["id"]]}
        if ty == "supply":
            return {"supplier": [e[pick("COMPANY", "COUNTRY")]["id"]],
                    "recipient": [e[pick("COUNTRY", "COUNTRY", "MILITARY")]["id"]],
                    "product": [e[pick("WEAPON")]["id"]]}
        if ty == "facility":
            roles = {"builder": [e[pick("COMPANY")]["id"]], "host": [e[pick("COUNTRY")]["id"]],
                     "product": [e[pick("WEAPON")]["id"]]}
            if self.rng.random() < 0.3:
                roles["location"] = [e[pick("LOCATION")]["id"]]
            return roles
        if ty == "subsidiary":
            return {"parent": [e[pick("COMPANY")]["id"]], "host": [e[pick("COUNTRY")]["id"]],
                    "name": [e[pick("COMPANY")]["id"]]}
        if ty == "modernization":
            return {"contractor": [e[pick("COMPANY")]["id"]], "platform": [e[pick("WEAPON")]["id"]]}
        return {"user": [e[pick("MILITARY", "COUNTRY")]["id"]], "product": [e[pick("WEAPON")]["id"]]}

    def _event(self, fact_id: str, ty: str, roles: dict[str, list[str]], status: str
               ) -> Iterator[tuple[Any, dict[str, Any]]]:
        d = self.rng.randrange(self.n_docs)
        doc_id = f"D{d:08d}"
        self.events_in[d] += 1
        local = f"v{self.events_in[d]}"
        event_id = "V" + digest(doc_id, local, fact_id)
        yield t.events, {"id": event_id, "doc_id": doc_id, "fact_id": fact_id, "local_id": local, "type": ty,
                         "roles": roles, "status": status,
                         "date": str(2015 + self.rng.randrange(11)) if self.rng.random() < 0.4 else None,
                         "date_derived": False, "attribution": None, "confidence": round(self.rng.random(), 2)}
        n_evidence = 1 + (self.rng.random() < RATIOS["evidence_per_event"] - 1.0)
        start = self.rng.randrange(0, 1500)
        for _ in range(n_evidence):
            sentence = self.rng.choice(self.sentences)
            yield t.evidence, {"event_id": event_id, "start": start, "end": start + len(sentence), "text": sentence}
            start += len(sentence) + 1
        for role, ids in roles.items():
            for eid in ids:
                yield t.event_entities, {"event_id": event_id, "entity_id": eid, "role": role}
                yield from self._mention(d, doc_id, eid)

    def _mention(self, d: int, doc_id: str, eid: str) -> Iterator[tuple[Any, dict[str, Any]]]:
        at = self.mention_at[d]
        self.mention_at[d] = at + 1
        yield t.mentions, {"doc_id": doc_id, "entity_id": eid, "local_id": f"e{at}", "start": 40 * at,
                           "end": 40 * at + len(self.name_of[eid]), "text": self.name_of[eid], "source": "kb"}

    def background_mentions(self) -> Iterator[tuple[Any, dict[str, Any]]]:
        """The mentions of entities that take part in no event of their document, up to the ratio."""
        types = tuple(self.by_type)
        for d in range(self.n_docs):
            doc_id = f"D{d:08d}"
            for _ in range(max(0, round(RATIOS["mentions_per_document"]) - self.mention_at[d])):
                yield from self._mention(d, doc_id, self.entities[self.pick(*types)]["id"])


def insert_all(store: Store, rows: Iterator[tuple[Any, dict[str, Any]]]) -> dict[str, int]:
    """Insert (table, row) pairs in batches of BATCH rows per table; the evidence also into SQLite's FTS."""
    counts: dict[str, int] = {}
    pending: dict[str, tuple[Any, list[dict[str, Any]]]] = {}
    fts = store.fts

    def flush(name: str) -> None:
        table, batch = pending.pop(name)
        with store.engine.begin() as conn:
            conn.execute(insert(table), batch)
            if fts and name == "evidence":
                conn.execute(text("INSERT INTO evidence_fts (text, event_id, start) VALUES (:text, :event_id, :start)"),
                             batch)
        counts[name] = counts.get(name, 0) + len(batch)

    order = [tb.name for tb in t.metadata.sorted_tables]  # parents before children (foreign keys)

    def flush_all() -> None:
        for name in sorted(pending, key=order.index):
            flush(name)

    for table, row in rows:
        entry = pending.setdefault(table.name, (table, []))
        entry[1].append(row)
        if len(entry[1]) >= BATCH:
            flush_all()
    flush_all()
    return counts


def build(store: Store, synth: Synth) -> dict[str, int]:
    counts: dict[str, int] = {}
    # parents before children (foreign keys are on in SQLite): entities, documents, then facts and their rows
    for rows in (synth.entity_rows(), synth.document_rows(), synth.fact_rows(), synth.background_mentions()):
        for name, n in insert_all(store, rows).items():
            counts[name] = counts.get(name, 0) + n
    return counts


def summarize(store: Store) -> dict[str, int]:
    """The fact summaries and query rows, by the write path's own code (as migration 5 fills them)."""
    with store.connect() as conn:
        ids = list(conn.scalars(select(t.facts.c.id)))
    for k in range(0, len(ids), 20_000):
        with store.engine.begin() as conn:
            summaries.refresh(conn, ids[k:k + 20_000])
    with store.connect() as conn:
        return {tb.name: int(conn.scalar(select(func.count()).select_from(tb)) or 0)
                for tb in (t.fact_entities, t.fact_pairs)}


# ---------------------------------------------------------------- backends
@contextlib.contextmanager
def sqlite_store(folder: Path, label: str) -> Iterator[tuple[Store, Callable[[], int]]]:
    path = folder / f"bench-{label}.db"
    store = Store(str(path))

    def size() -> int:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in folder.glob(path.name + "*"))

    try:
        yield store, size
    finally:
        store.close()
        for p in folder.glob(path.name + "*"):
            p.unlink()


@contextlib.contextmanager
def postgres_store(label: str) -> Iterator[tuple[Store, Callable[[], int]]]:
    import psycopg

    name = f"armsgraph_bench_{label.lower()}_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    store = Store(url)

    def size() -> int:
        return int(admin.execute("SELECT pg_database_size(%s)", (name,)).fetchone()[0])  # type: ignore[index]

    try:
        yield store, size
    finally:
        store.close()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def analyze(store: Store) -> None:
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


# ---------------------------------------------------------------- queries
class Stopped(Exception):
    pass


@contextlib.contextmanager
def cap(seconds: float) -> Iterator[None]:
    """Stop the block (SIGALRM) when it runs longer than `seconds`."""
    def expire(_signum: int, _frame: Any) -> None:
        raise Stopped

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def measure(fn: Callable[[int], object], runs: int, budget: float, limit: float) -> tuple[list[float], str]:
    """Latencies of `fn(i)`: one warm-up run, then up to `runs` runs within `budget` seconds; a first run
    longer than `limit` seconds is stopped (the latency is then more than `limit`)."""
    t0 = time.perf_counter()
    try:
        with cap(limit):
            fn(0)
    except Stopped:
        return [], f"stopped: one run takes more than {limit:.0f} s"
    warm = time.perf_counter() - t0
    if warm > budget / 2:
        return [warm], "1 run only (cold; too slow to repeat)"
    times: list[float] = []
    for i in range(1, runs + 1):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
        if sum(times) + warm > budget and i < runs:
            return times, f"{len(times)} runs (budget {budget:.0f} s)"
    return times, f"{len(times)} runs"


def query_plan(store: Store, synth: Synth) -> list[tuple[str, Callable[[int], object]]]:
    rng = random.Random(11)
    with store.connect() as conn:
        # entities that take part in facts, other than countries, drawn uniformly: the typical lookup
        in_facts = sorted(conn.scalars(select(t.entities.c.name)
                                       .where(t.entities.c.type != "COUNTRY",
                                              t.entities.c.id.in_(select(t.event_entities.c.entity_id)))))
        top = conn.execute(select(t.entities.c.name, func.count().label("n"))
                           .join(t.event_entities, t.event_entities.c.entity_id == t.entities.c.id)
                           .group_by(t.entities.c.id, t.entities.c.name).order_by(text("n DESC")).limit(1)).first()
        fact_ids = list(conn.scalars(select(t.facts.c.id).order_by(t.facts.c.id).limit(5000)))
    sample = rng.sample(in_facts, min(50, len(in_facts)))
    countries = [synth.entities[i]["name"] for i in synth.by_type["COUNTRY"][:12]]  # the most popular ones
    pairs = rng.sample(list(itertools.combinations(countries, 2)), 20)
    kinds = [("supply", "completed"), ("facility", "in_progress"), ("agreement", "agreed"),
             ("joint_production", "announced"), ("cooperation", "announced")]
    words = ["maintenance centre", "joint venture", "drones", "frigate", "memorandum of understanding",
             "armoured vehicles", "defence industry", "delivered", "production line", "howitzers"]
    assert top is not None
    ids = rng.sample(fact_ids, min(50, len(fact_ids)))
    years = [(str(y), str(y + 1)) for y in range(2015, 2025)]
    page = PAGE
    return [  # what the API's and CLI's main requests run; facts as the API gives them, a page at a time
        ("facts(entity=<an entity>)", lambda i: query.facts(store, entity=sample[i % len(sample)], limit=page)),
        ("facts(between=<two countries>)",
         lambda i: query.facts(store, between=pairs[i % len(pairs)], limit=page)),
        ("facts(type_=, status=)",
         lambda i: query.facts(store, type_=kinds[i % 5][0], status=kinds[i % 5][1], limit=page)),
        ("facts(between=, since=, until=)",
         lambda i: query.facts(store, between=pairs[i % len(pairs)], since=years[i % 10][0],
                               until=years[i % 10][1], limit=page)),
        (f"facts(entity=<most connected: {top[0]}, {top[1]} roles>)",
         lambda i: query.facts(store, entity=top[0], limit=page)),
        ("facts(ids=[<one fact>])  (the fact page)", lambda i: query.facts(store, ids=[ids[i % len(ids)]])),
        ("count_facts(between=<two countries>)  (the page's total)",
         lambda i: query.count_facts(store, between=pairs[i % len(pairs)])),
        ("count_facts(type_=, status=)",
         lambda i: query.count_facts(store, type_=kinds[i % 5][0], status=kinds[i % 5][1])),
        ("search(<words>)", lambda i: query.search(store, words[i % len(words)])),
        ("neighbours(<an entity>)", lambda i: query.neighbours(store, sample[i % len(sample)])),
        ("show(<an entity>)  (all its facts)", lambda i: query.show(store, sample[i % len(sample)])),
    ]


def corpus_material() -> tuple[list[str], list[tuple[str, str]]]:
    docs = base_articles()
    sentences = sorted({s.strip() for d in docs for s in re.split(r"(?<=[.!?])\s+|\n+", d.text)
                        if 40 <= len(s.strip()) <= 400})
    articles = [(d.title or d.text.split("\n", 1)[0], d.text) for d in docs]
    return sentences, articles


def measure_ratios(n: int) -> None:
    """Ingest `n` varied articles and print the per-fact proportions that RATIOS holds."""
    from armsgraph import Pipeline, ingest

    with tempfile.TemporaryDirectory(prefix="armsgraph-bench-") as tmpdir:
        tmp = Path(tmpdir)
        path = write_jsonl(varied_records(n), tmp / "corpus.jsonl")
        store = Store(str(tmp / "ratios.db"))
        ingest([path], store, Pipeline(Settings(db=str(tmp / "ratios.db"))))
        with store.connect() as conn:
            c = {tb.name: int(conn.scalar(select(func.count()).select_from(tb)) or 0)
                 for tb in t.metadata.sorted_tables}
            types = dict(conn.execute(select(t.facts.c.type, func.count()).group_by(t.facts.c.type)).all())
            statuses = dict(conn.execute(select(t.events.c.status, func.count()).group_by(t.events.c.status)).all())
        store.close()
        assert read_documents  # (imported for symmetry with the other scripts)
    f = c["facts"]
    print(json.dumps({"rows": c, "documents_per_fact": c["documents"] / f, "events_per_fact": c["events"] / f,
                      "evidence_per_event": c["evidence"] / c["events"],
                      "roles_per_event": c["event_entities"] / c["events"],
                      "mentions_per_document": c["mentions"] / c["documents"],
                      "names_per_entity": c["entity_names"] / c["entities"],
                      "entities_per_fact": c["entities"] / f,
                      "fact_types": {k: v / f for k, v in types.items()},
                      "statuses": {str(k): v / c["events"] for k, v in statuses.items()}}, indent=1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10k,100k,1M")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--budget", type=float, default=90.0, help="seconds of measuring per query (default 90)")
    ap.add_argument("--cap", type=float, default=900.0, help="longest single run of a query (default 900 s)")
    ap.add_argument("--measure-ratios", type=int, metavar="N", help="ingest N varied articles, print proportions")
    args = ap.parse_args()
    if args.measure_ratios:
        measure_ratios(args.measure_ratios)
        return 0
    print_machine()
    sentences, articles = corpus_material()
    print(f"material: {len(sentences)} evidence sentences and {len(articles)} article texts from the samples")
    with tempfile.TemporaryDirectory(prefix="armsgraph-bench-") as tmpdir:
        for label in args.sizes.split(","):
            n = SIZES.get(label) or int(label)
            for backend in args.backends.split(","):
                ctx = sqlite_store(Path(tmpdir), label) if backend == "sqlite" else postgres_store(label)
                with ctx as (store, size):
                    synth = Synth(n, sentences, articles)
                    t0 = time.perf_counter()
                    counts = build(store, synth)
                    built = time.perf_counter() - t0
                    t0 = time.perf_counter()
                    analyze(store)
                    analyzed = time.perf_counter() - t0
                    rows = sum(counts.values())
                    print(f"\n== {label} facts on {backend}: {rows:,} rows inserted in {built:.0f} s "
                          f"({rows / built:,.0f} rows/s), ANALYZE {analyzed:.0f} s", flush=True)
                    t0 = time.perf_counter()
                    query_rows = summarize(store)
                    summarized = time.perf_counter() - t0
                    analyze(store)
                    counts.update(query_rows)
                    print(f"   fact summaries and query rows built in {summarized:.0f} s; "
                          f"size {size() / 2**20:,.1f} MiB", flush=True)
                    print("   " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
                    for name, fn in query_plan(store, synth):
                        times, note = measure(fn, args.runs, args.budget, args.cap)
                        if times:
                            p50, p95 = percentile(times, 50) * 1000, percentile(times, 95) * 1000
                            figures = f"p50 {p50:10.1f} ms  p95 {p95:10.1f} ms"
                        else:
                            figures = f"p50 and p95 > {args.cap * 1000:,.0f} ms".ljust(36)
                        print(f"   {name:<62} {figures}  {note}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
