"""The command line: a thin layer over the Python API.

    armsgraph ingest PATH... [--db FILE]
    armsgraph export --format jsonl|kb-json [--db FILE] [-o OUT]
    armsgraph entities [--type T] [--db FILE]
    armsgraph facts [--entity NAME] [--type T] [--status S] [--db FILE]
    armsgraph show NAME [--db FILE]
    armsgraph eval GOLD [--resolution PAIRS] [--db FILE]

The database is `--db`, else $ARMSGRAPH_DB, else ./armsgraph.db.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.exc import SQLAlchemyError

from armsgraph import evaluate, export, query
from armsgraph.errors import ArmsgraphError
from armsgraph.model import EVENT_TYPES, STATUSES
from armsgraph.pipeline import Pipeline, ingest
from armsgraph.settings import DB_ENV, Settings, default_db
from armsgraph.store import Store


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="armsgraph", description="Source-cited knowledge graph of defence cooperation.")
    sub = p.add_subparsers(dest="command", required=True)

    def cmd(name: str, help_: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help_, description=help_)
        c.add_argument("--db", default=None, help=f"database file or URL (default: ${DB_ENV} or armsgraph.db)")
        return c

    c = cmd("ingest", "Read articles (.txt, .html, .jsonl files or folders) into the knowledge base.")
    c.add_argument("paths", nargs="+", help="files or folders to read")
    c.add_argument("--quiet", action="store_true", help="print only the summary and errors")
    c = cmd("export", "Write the knowledge base as per-document records (jsonl) or the fused graph (kb-json).")
    c.add_argument("--format", choices=["jsonl", "kb-json"], default="jsonl", help="output format")
    c.add_argument("-o", "--output", help="output file (default: standard output)")
    c = cmd("entities", "List entities with their mention and document counts.")
    c.add_argument("--type", help="only entities of this type (COUNTRY, COMPANY, WEAPON...)")
    c = cmd("facts", "List fused facts with their citations.")
    c.add_argument("--entity", help="only facts involving this entity (any of its names)")
    c.add_argument("--type", choices=EVENT_TYPES, help="only facts of this event type")
    c.add_argument("--status", choices=STATUSES, help="only facts with this status")
    c = cmd("show", "Show what the knowledge base knows about one entity, every fact with its citations.")
    c.add_argument("name", help="the entity's name (any spelling it was seen under)")
    c = cmd("eval", "Score the stored extraction against a gold file by the rules of the ontology.")
    c.add_argument("gold", help="gold JSONL file")
    c.add_argument("--resolution", help="gold same/different name pairs (JSON) for cross-document resolution")
    c.add_argument("--json", action="store_true", help="print the scores as JSON")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except ArmsgraphError as exc:
        print(f"armsgraph: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"armsgraph: database error ({type(exc).__name__}: {getattr(exc, 'orig', exc)}); "
              "check --db and that no other process holds a write lock", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


def _run(args: argparse.Namespace) -> int:
    settings = Settings(db=args.db or default_db())
    store = Store(settings.db)
    if args.command == "ingest":
        return _ingest(args, settings, store)
    if args.command == "export":
        with _output(args.output) as out:
            if args.format == "jsonl":
                for rec in export.records(store):
                    out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            else:
                json.dump(export.knowledge_base(store), out, ensure_ascii=False, indent=1)
                out.write("\n")
        return 0
    if args.command == "entities":
        for e in query.entities(store, args.type):
            qid = f"  {e['wikidata']}" if e["wikidata"] else ""
            print(f"{e['type']:<13}{e['name']:<45}{e['mentions']:>4} mentions {e['documents']:>3} docs{qid}")
        return 0
    if args.command == "facts":
        for f in query.facts(store, args.entity, args.type, args.status):
            _print_fact(f)
        return 0
    if args.command == "show":
        info = query.show(store, args.name)
        print(f"{info['name']} ({info['type']}){'  wikidata:' + info['wikidata'] if info['wikidata'] else ''}")
        print(f"  also: {', '.join(a for a in info['aliases'] if a != info['name'])}")
        print(f"  in {len(info['documents'])} documents: {', '.join(info['documents'])}")
        for f in info["facts"]:
            _print_fact(f)
        return 0
    if args.command == "eval":
        scores = evaluate.score_store(store, Path(args.gold), Path(args.resolution) if args.resolution else None)
        print(json.dumps(scores, indent=1) if args.json else evaluate.render(scores))
        return 0
    raise AssertionError(args.command)


def _ingest(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    pipeline = Pipeline(settings)

    def progress(doc_id: str) -> None:
        if not args.quiet:
            print(f"ingested {doc_id}", file=sys.stderr)

    report = ingest(args.paths, store, pipeline, on_progress=progress)
    for line in report.failed:
        print(f"armsgraph: skipped {line}", file=sys.stderr)
    print(f"{report.ingested} ingested, {report.unchanged} unchanged, {len(report.failed)} failed "
          f"-> {settings.db}")
    return 0 if report.ok else 1


def _print_fact(f: query.FactView) -> None:
    roles = "; ".join(f"{r}: {', '.join(v)}" for r, v in f.roles.items())
    print(f"[{f.type}] {roles}  status={f.status} date={f.date or '-'}")
    for c in f.citations:
        when = f", {c['published']}" if c["published"] else ""
        print(f"    - {c['doc_id']}{when}: \"{c['text'].strip()}\"")


class _output:
    def __init__(self, path: str | None) -> None:
        self.path = path
        self.fh: TextIO | Any = None

    def __enter__(self) -> TextIO:
        self.fh = open(self.path, "w", encoding="utf-8") if self.path else sys.stdout
        return self.fh

    def __exit__(self, *exc: object) -> None:
        if self.path and self.fh:
            self.fh.close()


if __name__ == "__main__":
    sys.exit(main())
