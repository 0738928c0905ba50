"""The store: one database, one write path, content-derived ids.

Every document is written by `Store.write_document` inside one transaction,
so a failure leaves the store as it was. Ids derive from content (a document's
text, an entity's resolution key, a fact's type and key roles), so writing the
same article twice changes nothing. Entities are resolved across documents
here: a new open-world entity joins an existing one whose name is the same
after folding or differs only by dropped letters or a near spelling.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Engine, and_, create_engine, delete, event, func, insert, or_, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from armsgraph.errors import StoreError
from armsgraph.ingest.dedupe import band_keys, content_key, signature, similarity
from armsgraph.model import Document, Entity, Event
from armsgraph.ontology import ONTOLOGY
from armsgraph.resolve.names import dropped_variant, fold
from armsgraph.store import schema as t
from armsgraph.store import summaries

_FUZZY_MIN = 92.0
SEARCH_CANDIDATES = 2000  # matching sentences a search ranks at most
_WRITE_ATTEMPTS = 5


def digest(*parts: object) -> str:
    return hashlib.sha1(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def database_url(url: str) -> str:
    """A SQLAlchemy URL for what the user gave: a file path means SQLite; postgresql:// uses psycopg 3."""
    if "://" not in url:
        return f"sqlite:///{url}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _engine(url: str) -> Engine:
    url = database_url(url)
    try:
        engine = create_engine(url, future=True)
    except Exception as exc:
        raise StoreError(f"cannot open database {url!r}: {exc}; give a file path or a database URL") from exc
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # in WAL mode NORMAL keeps the file consistent after any crash; only the last commits before a
            # power loss may be lost (and an ingest run again writes them): no fsync per document
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # writers take the write lock up front so that concurrent ingests queue instead of failing
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")
    return engine


class Store:
    """The knowledge base on disk: documents, entities, mentions, facts, events, evidence."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _engine(url)
        self.fts = self.engine.dialect.name == "sqlite"
        try:
            self._migrate()
        except OperationalError as exc:
            raise StoreError(f"cannot use database {url!r}: {exc.orig}; check the path and permissions") from exc

    # ------------------------------------------------------------ schema
    def _migrate(self) -> None:
        with self.engine.execution_options(write=True).begin() as conn:
            t.schema_migrations.create(conn, checkfirst=True)
            done = set(conn.scalars(select(t.schema_migrations.c.version)))
            if done and max(done) > t.LATEST:
                raise StoreError(f"database {self.url!r} is from a newer armsgraph (schema {max(done)}); upgrade")
            for version, name, fn in t.MIGRATIONS:
                if version not in done:
                    fn(conn)
                    conn.execute(insert(t.schema_migrations).values(version=version, name=name))

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.max(t.schema_migrations.c.version))) or 0)

    # ------------------------------------------------------------ the one write path
    def has_document(self, doc: Document) -> bool:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.documents.c.content_hash).where(t.documents.c.id == doc.doc_id)).first()
        return row is not None and row[0] == self.content_hash(doc)

    @staticmethod
    def content_hash(doc: Document) -> str:
        return digest(doc.text, doc.title, doc.published)

    def write_document(self, doc: Document) -> bool:
        """Store one processed document in one transaction; False if it was already there unchanged.

        Concurrent writers may race to create the same entity or fact; the loser's transaction is
        rolled back whole and tried again, when it finds the other's rows."""
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                return self._write_document(doc)
            except StoreError as exc:
                if not isinstance(exc.__cause__, IntegrityError | OperationalError) or attempt == _WRITE_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _write_document(self, doc: Document) -> bool:
        content = self.content_hash(doc)
        try:
            with self.engine.execution_options(write=True).begin() as conn:
                old = conn.execute(select(t.documents.c.content_hash)
                                   .where(t.documents.c.id == doc.doc_id)).first()
                if old is not None and old[0] == content:
                    return False
                touched = self._delete_document(conn, doc.doc_id) if old is not None else set()
                self._insert_document(conn, doc, content)
                ids = self._entity_ids(conn, doc.entities)
                rows: dict[Any, list[dict[str, Any]]] = {table: [] for table in (
                    t.mentions, t.events, t.evidence, t.event_entities)}
                rows[t.mentions] = [dict(doc_id=doc.doc_id, entity_id=ids[e.id], local_id=e.id, start=m.start,
                                         end=m.end, text=m.text, source=m.source)
                                    for e in doc.entities for m in e.mentions]
                fact_ids, new_facts = self._facts(conn, doc.events, ids)
                for ev in doc.events:
                    self._event_rows(doc.doc_id, ev, fact_ids[ev.id], ids, rows)
                for table, batch in rows.items():  # one executemany per table
                    if batch:
                        conn.execute(insert(table), batch)
                if self.fts and rows[t.evidence]:
                    conn.execute(text("INSERT INTO evidence_fts (text, event_id, start) "
                                      "VALUES (:text, :event_id, :start)"),
                                 [{k: r[k] for k in ("text", "event_id", "start")} for r in rows[t.evidence]])
                summaries.refresh(conn, touched | set(fact_ids.values()), new=new_facts - touched)
        except (IntegrityError, OperationalError) as exc:
            raise StoreError(f"{doc.source}: could not be stored ({exc.orig}); nothing was written") from exc
        return True

    def write_copy(self, doc: Document) -> bool:
        """Store an exact copy of a stored article: its provenance only; its facts are the original's."""
        content = self.content_hash(doc)
        with self.engine.execution_options(write=True).begin() as conn:
            old = conn.execute(select(t.documents.c.content_hash).where(t.documents.c.id == doc.doc_id)).first()
            if old is not None and old[0] == content:
                return False
            if old is not None:
                summaries.refresh(conn, self._delete_document(conn, doc.doc_id))
            self._insert_document(conn, doc, content)
        return True

    def _insert_document(self, conn: Connection, doc: Document, content: str) -> None:
        minhash = signature(doc.text)
        conn.execute(insert(t.documents).values(
            id=doc.doc_id, content_hash=content, source=doc.source, url=doc.url, title=doc.title,
            published=doc.published, published_source=doc.published_source, text=doc.text,
            zones=[[z.kind, z.start, z.end] for z in doc.zones], author=doc.author, site=doc.site,
            language=doc.language, content_key=content_key(doc.text), minhash=minhash,
            duplicate_of=doc.duplicate_of))
        if doc.duplicate_of is None:  # originals are what a later near copy is matched against
            bands = band_keys(minhash)
            if bands:
                conn.execute(insert(t.document_bands), [{"band": b, "key": k, "doc_id": doc.doc_id}
                                                        for b, k in bands])

    def document_with_key(self, key: str, other_than: str) -> str | None:
        """The earliest stored original whose text is the same as `key` says (exact copy detection)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(t.documents.c.id).where(t.documents.c.content_key == key,
                                                             t.documents.c.id != other_than,
                                                             t.documents.c.duplicate_of.is_(None))
                               .order_by(t.documents.c.id)).first()
        return str(row[0]) if row else None

    def near_copy(self, sig: list[int], threshold: float, other_than: str | None = None) -> tuple[str, float] | None:
        """(id, estimated similarity) of the stored original most similar to a MinHash signature, if
        it reaches `threshold` (>= dedupe.STORE_THRESHOLD; the smallest id on a tie), else None.
        Candidates are read by band key (an index), so the cost does not grow with the store."""
        bands = band_keys(sig)
        if not bands:
            return None
        with self.engine.connect() as conn:
            ids = select(t.document_bands.c.doc_id).where(
                or_(*(and_(t.document_bands.c.band == b, t.document_bands.c.key == k) for b, k in bands)))
            rows = conn.execute(select(t.documents.c.id, t.documents.c.minhash)
                                .where(t.documents.c.id.in_(ids.scalar_subquery()))).all()
        scored = sorted((-similarity(m, sig), str(doc_id)) for doc_id, m in rows if m and doc_id != other_than)
        if not scored or -scored[0][0] < threshold:
            return None
        return scored[0][1], -scored[0][0]

    def _delete_document(self, conn: Connection, doc_id: str) -> set[str]:
        """Delete a document and what it stated; the ids of the facts it stated, to be refreshed."""
        facts = set(conn.scalars(select(t.events.c.fact_id).where(t.events.c.doc_id == doc_id)))
        ev_ids = select(t.events.c.id).where(t.events.c.doc_id == doc_id)
        if self.fts:
            conn.execute(text("DELETE FROM evidence_fts WHERE event_id IN (SELECT id FROM events WHERE doc_id = :d)"),
                         {"d": doc_id})
        conn.execute(delete(t.evidence).where(t.evidence.c.event_id.in_(ev_ids)))
        conn.execute(delete(t.event_entities).where(t.event_entities.c.event_id.in_(ev_ids)))
        conn.execute(delete(t.events).where(t.events.c.doc_id == doc_id))
        conn.execute(delete(t.mentions).where(t.mentions.c.doc_id == doc_id))
        conn.execute(delete(t.document_bands).where(t.document_bands.c.doc_id == doc_id))
        conn.execute(delete(t.documents).where(t.documents.c.id == doc_id))
        return facts

    def _entity_ids(self, conn: Connection, ents: list[Entity]) -> dict[str, str]:
        """Get or create the store entity of each document entity (cross-document resolution):
        document entity id -> store entity id. Known keys and names are read in one query each."""
        found: dict[str, str] = dict(conn.execute(select(t.entities.c.key, t.entities.c.id)  # type: ignore[arg-type]
                                                  .where(t.entities.c.key.in_({e.key for e in ents}))).all())
        have: dict[str, set[str]] = {}
        for eid, name in conn.execute(select(t.entity_names.c.entity_id, t.entity_names.c.name)
                                      .where(t.entity_names.c.entity_id.in_(set(found.values())))):
            have.setdefault(eid, set()).add(name)
        ids = {}
        for e in ents:
            eid = found.get(e.key)
            if eid is None and not e.key.startswith(("kb:", "military:", "government:")):
                eid = self._similar_entity(conn, e)
            if eid is None:
                eid = found[e.key] = "E" + digest(e.key)
                conn.execute(insert(t.entities).values(id=eid, key=e.key, type=e.type, name=e.name, kb_id=e.kb_id,
                                                       wikidata=e.wikidata, country=e.country))
                have[eid] = set()
            if eid not in have:
                have[eid] = set(conn.scalars(select(t.entity_names.c.name).where(t.entity_names.c.entity_id == eid)))
            new = sorted({e.name, *e.aliases, *(m.text for m in e.mentions)} - have[eid])
            if new:  # now, so that the next entity of this document can be resolved to this one by name
                conn.execute(insert(t.entity_names), [dict(entity_id=eid, name=n, folded=fold(n),
                                                           **summaries.name_keys(n)) for n in new])
                have[eid].update(new)
            ids[e.id] = str(eid)
        return ids

    def _similar_entity(self, conn: Connection, e: Entity) -> str | None:
        """An existing entity of the same type that this open-world entity names: the same folded name
        (or with non-ASCII letters dropped, on either side), else one close spelling (fuzzy ratio >= 92)
        among the names sharing its first or last four letters (indexed, so the store's size does not
        matter)."""
        names = {fold(n) for n in [e.name, *(m.text for m in e.mentions)]}
        names |= {fold(d) for n in [e.name] if (d := dropped_variant(n))}
        names.discard("")
        of_type = (select(t.entity_names.c.entity_id, t.entity_names.c.folded, t.entity_names.c.variant)
                   .join(t.entities, t.entities.c.id == t.entity_names.c.entity_id)
                   .where(t.entities.c.type == e.type))
        hits = {r[0] for r in conn.execute(of_type.where(
            or_(t.entity_names.c.folded.in_(names), t.entity_names.c.variant.in_(names))))} if names else set()
        if len(hits) == 1:
            return str(next(iter(hits)))
        folded = fold(e.name)
        if hits or len(folded) < 6:
            return None
        by_folded: dict[str, set[str]] = {}
        for eid, name_folded, variant in conn.execute(of_type.where(
                or_(t.entity_names.c.head == folded[:4], t.entity_names.c.tail == folded[-4:]))):
            for key in (name_folded, variant):
                if key:
                    by_folded.setdefault(key, set()).add(eid)
        best = process.extractOne(folded, list(by_folded), scorer=fuzz.ratio, score_cutoff=_FUZZY_MIN)
        if best is not None and len(by_folded[best[0]]) == 1:
            return next(iter(by_folded[best[0]]))
        return None

    def _facts(self, conn: Connection, events: list[Event], ids: dict[str, str]) -> tuple[dict[str, str], set[str]]:
        """Get or create the fact each event states: (event id -> fact id, the facts created). The facts
        are locked in id order (PostgreSQL: SELECT ... FOR UPDATE), so that concurrent writers refresh
        one fact's summary one after the other."""
        keys = {}
        for ev in events:
            roles = {r: [ids.get(v, v) for v in vals] for r, vals in ev.roles.items()}
            key_roles = ONTOLOGY.key_roles[ev.type]
            if ev.type in ONTOLOGY.pair_roles:
                key: list[Any] = [sorted(roles.get(key_roles[0], []))]
            else:
                key = [sorted(roles.get(r, [])) for r in key_roles]
            if ONTOLOGY.events[ev.type].product_in_key:
                key.append(sorted(fold(p) if p not in ids.values() else p for p in roles.get("product", [])))
            keys[ev.id] = ("F" + digest(ev.type, key), ev.type, key)
        wanted = sorted({k[0] for k in keys.values()})
        have = set(conn.scalars(select(t.facts.c.id).where(t.facts.c.id.in_(wanted))
                                .order_by(t.facts.c.id).with_for_update()))
        new = {fid: (type_, key) for fid, type_, key in keys.values() if fid not in have}
        if new:
            conn.execute(insert(t.facts), [dict(id=fid, type=type_, key=key)
                                           for fid, (type_, key) in sorted(new.items())])
        return {ev_id: k[0] for ev_id, k in keys.items()}, set(new)

    @staticmethod
    def _event_rows(doc_id: str, ev: Event, fact_id: str, ids: dict[str, str],
                    rows: dict[Any, list[dict[str, Any]]]) -> None:
        """The rows of one event, to be inserted with the document's."""
        roles = {r: [ids.get(v, v) for v in vals] for r, vals in ev.roles.items()}
        event_id = "V" + digest(doc_id, ev.id, fact_id)
        rows[t.events].append(dict(
            id=event_id, doc_id=doc_id, fact_id=fact_id, local_id=ev.id, type=ev.type, roles=roles,
            status=ev.status, date=ev.date, date_derived=ev.date_derived,
            attribution=ids.get(ev.attribution) if ev.attribution else None, confidence=ev.confidence))
        rows[t.evidence] += [dict(event_id=event_id, start=sp.start, end=sp.end, text=sp.text) for sp in ev.evidence]
        entity_ids = set(ids.values())
        rows[t.event_entities] += [dict(event_id=event_id, entity_id=v, role=role) for role, vals in roles.items()
                                   for v in dict.fromkeys(vals) if v in entity_ids]

    # ------------------------------------------------------------ reading
    def search_evidence(self, query: str, limit: int = 50) -> list[dict[str, Any]]:
        """Evidence sentences matching every word of `query`, best first, with fact and document.

        When more than `SEARCH_CANDIDATES` sentences match, the best are chosen among that many of them
        (SQLite: the most recently stored; PostgreSQL: the first the index gives), so that a common word
        costs the same at any size of store; more words narrow the search."""
        words = [w for w in re.findall(r"\w+", query) if w]
        if not words:
            return []
        with self.engine.connect() as conn:
            if self.fts:
                match = " ".join('"' + w.replace('"', "") + '"' for w in words)
                # the candidates are the matches from the cap-th newest on: one rowid range for FTS5
                low = conn.scalar(text("SELECT min(rowid) FROM (SELECT rowid FROM evidence_fts WHERE evidence_fts "
                                       "MATCH :m ORDER BY rowid DESC LIMIT :cap)"),
                                  {"m": match, "cap": SEARCH_CANDIDATES})
                rows: list[dict[str, Any]] = [dict(r) for r in conn.execute(text(
                    "SELECT event_id, start, text, snippet(evidence_fts, 0, '[', ']', ' … ', 12) AS snippet "
                    "FROM evidence_fts WHERE evidence_fts MATCH :m AND rowid >= :low ORDER BY rank LIMIT :n"),
                    {"m": match, "n": limit, "low": low or 0}).mappings()]
            elif conn.dialect.name == "postgresql":
                rows = [dict(r) for r in conn.execute(text(
                    "SELECT event_id, start, text, ts_headline('simple', text, q, 'StartSel=[,StopSel=]') AS snippet "
                    "FROM (SELECT c.event_id, c.start, c.text, q, ts_rank(c.tsv, q) AS score "
                    "      FROM (SELECT event_id, start, text, tsv FROM evidence "
                    "            WHERE tsv @@ plainto_tsquery('simple', :q) LIMIT :cap) c, "
                    "           plainto_tsquery('simple', :q) q ORDER BY score DESC LIMIT :n) best "
                    "ORDER BY score DESC"),
                    {"q": " ".join(words), "n": limit, "cap": SEARCH_CANDIDATES}).mappings()]
            else:
                q = select(t.evidence.c.event_id, t.evidence.c.start, t.evidence.c.text)
                for w in words:
                    q = q.where(t.evidence.c.text.ilike(f"%{w}%"))
                rows = [dict(r, snippet=r["text"]) for r in conn.execute(q.limit(limit)).mappings()]
            events = {r["id"]: dict(r) for r in conn.execute(
                select(t.events.c.id, t.events.c.fact_id, t.events.c.type, t.events.c.doc_id, t.events.c.status)
                .where(t.events.c.id.in_({r["event_id"] for r in rows}))).mappings()}
        return [{**{k: v for k, v in events[r["event_id"]].items() if k != "id"}, "text": r["text"],
                 "snippet": r["snippet"], "start": r["start"]} for r in rows if r["event_id"] in events]

    def connect(self) -> Connection:
        return self.engine.connect()

    def documents(self) -> Iterator[dict[str, Any]]:
        with self.engine.connect() as conn:
            for row in conn.execute(select(t.documents).order_by(t.documents.c.id)).mappings():
                yield dict(row)

    def close(self) -> None:
        self.engine.dispose()


__all__ = ["SQLAlchemyError", "Store", "StoreError"]
