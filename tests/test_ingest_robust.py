"""Ingest never breaks on bad input, never half-writes, and recognizes copies and foreign articles."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from armsgraph import Pipeline, Store, ingest
from armsgraph.cli import main
from armsgraph.ingest.dedupe import signature
from armsgraph.store import schema
from tests.helpers import postgres_database

ARTICLE = """Roketsan to build missile plant in Azerbaijan
Turkish missile maker Roketsan is building a missile production plant in Baku, the company said on Monday.
The plant will assemble guided rockets for the Azerbaijani Army, Roketsan added.
Roketsan already supplies rockets to Azerbaijan under a contract signed in 2021.
"""
OTHER = """Hanwha Aerospace to deliver K9 howitzers to Poland
Hanwha Aerospace will deliver 152 K9 howitzers to Poland under a contract signed on Friday.
The Polish Army already operates more than 200 K9 howitzers, the Polish defence ministry said.
Hanwha Aerospace also plans to build a howitzer plant in Poland with PGZ.
"""
WIRE = ARTICLE + """Construction of the plant began in March; the first rockets are due to leave the line next year.
The facility will employ about four hundred engineers and technicians, most of them recruited in Azerbaijan.
Officials in Baku said the project would reduce the country's reliance on imported munitions over the decade.
The two governments signed a defence industry cooperation agreement last year that covers joint research.
Roketsan has delivered rocket artillery systems to several export customers in Asia and Africa since 2018.
Analysts expect the Baku plant to serve other customers in Central Asia once production reaches full rate.
"""
FRENCH = """L'armée de terre belge attend ses nouveaux blindés
Selon le ministère, les premiers véhicules seront livrés au printemps prochain et les équipages suivront
une formation de plusieurs mois dans un camp près de la frontière, avant une mise en service complète.
"""


def bad_inputs(folder: Path) -> dict[str, str]:
    """Bad files next to good ones; returns file name -> a word its error line must contain."""
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 50)
    (folder / "empty.txt").write_text("")
    (folder / "huge.txt").write_text("Roketsan builds missiles. " * 200_000)  # ~5 MB, over the limit below
    (folder / "nested.html").write_text("<html><body>" + "<div>" * 20000 + "</div>" * 20000 + "</body></html>")
    (folder / "broken.jsonl").write_text('{"id": "ok-1", "title": "t", "text": "' + ARTICLE.replace("\n", " ")
                                         + '"}\n{not json\n')
    return {"binary.txt": "binary", "empty.txt": "empty", "huge.txt": "limit", "nested.html": "article",
            "broken.jsonl:2": "JSONL"}


def test_bad_inputs_are_reported_and_the_batch_goes_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good-1.txt").write_text(ARTICLE)
    (folder / "good-2.txt").write_text(OTHER)
    expected = bad_inputs(folder)
    db = tmp_path / "kb.db"
    code = main(["ingest", str(folder), "--db", str(db), "--quiet", "--max-bytes", "1000000"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    for name, word in expected.items():
        line = next((x for x in err.splitlines() if name in x), "")
        assert line and word.lower() in line.lower(), f"no clear error line for {name}: {err}"
    stored = {r["id"] for r in Store(str(db)).documents()}
    assert {"good-1", "good-2", "ok-1"} <= stored


def test_exact_copy_is_kept_as_provenance_and_near_copy_is_linked(pipeline: Pipeline, store: Store,
                                                                  tmp_path: Path) -> None:
    (tmp_path / "site-a.txt").write_text(WIRE)
    (tmp_path / "site-b.txt").write_text(WIRE.upper().replace("ROKETSAN", "Roketsan"))
    (tmp_path / "site-c.txt").write_text(near_copy_of_wire())
    report = ingest([tmp_path], store, pipeline)
    docs = {r["id"]: r for r in store.documents()}
    assert report.duplicates == 1
    assert docs["site-b"]["duplicate_of"] == "site-a"
    assert docs["site-c"]["duplicate_of"] == "site-a"
    assert docs["site-a"]["duplicate_of"] is None


def near_copy_of_wire() -> str:
    near = WIRE.replace("on Monday", "on Monday, according to the Anadolu Agency report")
    return "Roketsan plans Baku missile plant\n" + near.split("\n", 1)[1]


def test_a_near_copy_is_linked_to_an_original_stored_by_an_earlier_run(pipeline: Pipeline, store: Store,
                                                                        tmp_path: Path) -> None:
    """The original is found in the store (by its band keys), not in a memory of earlier runs."""
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "site-a.txt").write_text(WIRE)
    (tmp_path / "two" / "site-c.txt").write_text(near_copy_of_wire())
    (tmp_path / "two" / "other.txt").write_text(OTHER)
    ingest([tmp_path / "one"], store, pipeline)
    ingest([tmp_path / "two"], store, pipeline)
    docs = {r["id"]: r for r in store.documents()}
    assert docs["site-c"]["duplicate_of"] == "site-a"
    assert docs["other"]["duplicate_of"] is None


def test_near_copy_lookup_in_the_store(pipeline: Pipeline, store: Store, tmp_path: Path) -> None:
    (tmp_path / "site-a.txt").write_text(WIRE)
    (tmp_path / "site-d.txt").write_text(WIRE.replace("Roketsan plans", "Roketsan is planning"))
    ingest([tmp_path], store, pipeline)
    sig = signature(near_copy_of_wire())
    found = store.near_copy(sig, 0.7)
    assert found is not None and found[0] == "site-a" and 0.7 <= found[1] < 1.0
    assert store.near_copy(sig, 0.99) is None
    assert store.near_copy(signature(WIRE), 0.7, other_than="site-a") is None  # site-d is itself a copy
    assert store.near_copy(signature(OTHER), 0.5) is None
    assert store.near_copy(signature(""), 0.5) is None


def test_a_store_written_before_band_keys_gets_them_on_opening(pipeline: Pipeline, tmp_path: Path) -> None:
    db = str(tmp_path / "old.db")
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "site-a.txt").write_text(WIRE)
    store = Store(db)
    ingest([tmp_path / "one"], store, pipeline)
    with store.engine.begin() as conn:  # as armsgraph before migration 7 left it
        conn.execute(schema.document_bands.delete())
        conn.execute(schema.schema_migrations.delete().where(schema.schema_migrations.c.version == 7))
    store.close()
    reopened = Store(db)
    with reopened.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(schema.document_bands)) > 0
    assert reopened.near_copy(signature(near_copy_of_wire()), 0.7) is not None
    reopened.close()


def test_non_english_article_is_skipped_and_reported(pipeline: Pipeline, store: Store, tmp_path: Path) -> None:
    (tmp_path / "fr.txt").write_text(FRENCH)
    (tmp_path / "en.txt").write_text(ARTICLE)
    report = ingest([tmp_path], store, pipeline)
    assert [r["id"] for r in store.documents()] == ["en"]
    assert len(report.skipped) == 1 and "fr.txt" in report.skipped[0] and "'fr'" in report.skipped[0]


def _corpus(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        body = (ARTICLE if i % 2 else OTHER).replace("Monday", f"day {i}").replace("Friday", f"day {i}")
        (folder / f"a{i:02d}.txt").write_text(body.replace("\n", f" Item {i}.\n", 1))


def _run(args: list[str], **kw: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "armsgraph.cli", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, **kw)  # type: ignore[call-overload]


def _export(db: Path) -> list[dict[str, object]]:
    out = subprocess.run([sys.executable, "-m", "armsgraph.cli", "export", "--db", str(db)],
                         capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def _documents(db: Path) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_killed_ingest_resumes_to_the_same_store(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus, 24)
    clean, killed = tmp_path / "clean.db", tmp_path / "killed.db"
    assert _run(["ingest", str(corpus), "--db", str(clean), "--quiet"]).wait(timeout=300) == 0
    proc = _run(["ingest", str(corpus), "--db", str(killed), "--quiet"])
    deadline = time.monotonic() + 120
    while _documents(killed) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the ingest finished before it could be killed; give it more documents"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < _documents(killed) < 24
    with sqlite3.connect(killed) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _run(["ingest", str(corpus), "--db", str(killed), "--quiet"]).wait(timeout=300) == 0
    assert _export(killed) == _export(clean)


def test_concurrent_ingests_into_one_postgres_store(tmp_path: Path) -> None:
    """Two processes write the same entities and facts at once into one PostgreSQL database."""
    a, b = tmp_path / "a", tmp_path / "b"
    _corpus(a, 6)
    b.mkdir()
    for f in a.iterdir():
        (b / f"b-{f.name}").write_text(f.read_text().replace("Item", "Entry"))
    with postgres_database() as url:
        Store(url).close()
        procs = [_run(["ingest", str(folder), "--db", url, "--quiet"]) for folder in (a, b)]
        assert [p.wait(timeout=300) for p in procs] == [0, 0]
        store = Store(url)
        try:
            with store.connect() as conn:
                assert conn.execute(select(func.count()).select_from(schema.documents)).scalar() == 12
                dup = conn.execute(select(schema.entities.c.key).group_by(schema.entities.c.key)
                                   .having(func.count() > 1)).all()
            assert dup == []
        finally:
            store.close()


def test_concurrent_ingests_into_one_store(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _corpus(a, 6)
    b.mkdir()
    for f in a.iterdir():  # the same stories under other names: both writers touch shared entities
        (b / f"b-{f.name}").write_text(f.read_text().replace("Item", "Entry"))
    db = tmp_path / "kb.db"
    Store(str(db)).close()
    procs = [_run(["ingest", str(folder), "--db", str(db), "--quiet"]) for folder in (a, b)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 12
        keys = conn.execute("SELECT key, count(*) FROM entities GROUP BY key HAVING count(*) > 1").fetchall()
    assert keys == []
