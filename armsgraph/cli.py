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
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from armsgraph import __version__, components, evaluate, export, query, report
from armsgraph.errors import ArmsgraphError
from armsgraph.export import formats
from armsgraph.ingest.sources import SUFFIXES
from armsgraph.model import EVENT_TYPES, STATUSES
from armsgraph.pipeline import Pipeline, ingest
from armsgraph.settings import DB_ENV, Settings, default_db
from armsgraph.store import Store


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="armsgraph", description="Source-cited knowledge graph of defence cooperation.")
    p.add_argument("--version", action="version", version=f"armsgraph {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def cmd(name: str, help_: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help_, description=help_)
        c.add_argument("--db", default=None, help=f"database file or URL (default: ${DB_ENV} or armsgraph.db)")
        return c

    c = cmd("ingest", "Read articles (.txt, .html, .jsonl files or folders) into the knowledge base.")
    c.add_argument("paths", nargs="+", help="files or folders to read")
    c.add_argument("--quiet", action="store_true", help="no progress bar; print only the summary and errors")
    c.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="where the NLP runs: local processes (default) or a Ray Data job")
    c.add_argument("--workers", type=int, default=None,
                   help="worker processes (local) or actors (ray); default: all cores, or one for up to 64 documents")
    c.add_argument("--ray-address", help="a Ray cluster to join (default: start a local Ray for this ingest)")
    c.add_argument("--events", choices=["rules", "learned"], default=None,
                   help="event extractor: the rules, or the learned model over candidates (default: the one in "
                        f"the settings' components, {_event_component(Settings().components)})")
    c.add_argument("--components", default=None,
                   help="the pipeline's components in order, comma-separated, or a preset: "
                        f"{', '.join(components.PRESETS)} (default: {','.join(Settings().components)}; "
                        "see armsgraph/components.py)")
    c.add_argument("--max-bytes", type=int, default=Settings().max_bytes,
                   help="largest input file or record to read, in bytes (default: %(default)s)")
    c.add_argument("--log-json", action="store_true",
                   help="write one JSON object per event (ingested, duplicate, skipped, failed, summary) to stderr")
    c = cmd("export", "Write the knowledge base: per-document records, the fused graph, or an analyst format.")
    c.add_argument("--format", choices=EXPORT_FORMATS, default="jsonl",
                   help="jsonl: per-document records; kb-json: the fused graph; csv: supply facts as the SIPRI "
                        "trade register; graphml, gexf: the entity network; jsonld: JSON-LD with Wikidata "
                        "properties; plover: PLOVER/CAMEO event records (JSON lines); parquet: entities and "
                        "facts tables (-o names a folder)")
    c.add_argument("-o", "--output", help="output file, or folder for parquet (default: standard output)")
    c = cmd("entities", "List entities with their mention and document counts.")
    c.add_argument("--type", help="only entities of this type (COUNTRY, COMPANY, WEAPON...)")
    c = cmd("facts", "List fused facts with their citations.")
    c.add_argument("--entity", help="only facts involving this entity (any of its names)")
    c.add_argument("--type", choices=EVENT_TYPES, help="only facts of this event type")
    c.add_argument("--status", choices=STATUSES, help="only facts with this (latest) status")
    c.add_argument("--between", nargs=2, metavar=("COUNTRY", "COUNTRY"),
                   help="only facts between two countries (or their companies, bodies and people)")
    c.add_argument("--since", help="only facts dated on or after this ISO date prefix (2021, 2021-06...)")
    c.add_argument("--until", help="only facts dated on or before this ISO date prefix")
    c.add_argument("--limit", type=_count, help="at most this many facts, newest first (default: all)")
    c.add_argument("--offset", type=_count, default=0, help="skip this many facts first (default: 0)")
    c.add_argument("--json", action="store_true", help="print the facts as JSON")
    c = cmd("search", "Full-text search over the evidence sentences.")
    c.add_argument("text", help="words to find (all must occur)")
    c.add_argument("--limit", type=int, default=20, help="most results to show (default: %(default)s)")
    c = cmd("neighbours", "List the entities that share facts with one entity.")
    c.add_argument("name", help="the entity's name (any spelling it was seen under)")
    c = cmd("show", "Show what the knowledge base knows about one entity, every fact with its citations.")
    c.add_argument("name", help="the entity's name (any spelling it was seen under)")
    c = cmd("report", "Write a dossier on a country pair or an entity, as Markdown and as a self-contained HTML page.")
    c.add_argument("--between", nargs=2, metavar=("COUNTRY", "COUNTRY"), help="the country pair")
    c.add_argument("--entity", help="the entity (any spelling it was seen under)")
    c.add_argument("--since", help="only facts dated on or after this ISO date prefix")
    c.add_argument("--until", help="only facts dated on or before this ISO date prefix")
    c.add_argument("-o", "--output", required=True, help="output path without suffix; writes OUTPUT.md and OUTPUT.html")
    c = cmd("serve", "Serve the web app and the REST API over the store (read-only unless $ARMSGRAPH_TOKEN is set).")
    c.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    c.add_argument("--port", type=int, default=8000, help="port to listen on (default: %(default)s)")
    c = cmd("eval", "Score the stored extraction against a gold file by the rules of the ontology.")
    c.add_argument("gold", help="gold JSONL file")
    c.add_argument("--resolution", help="gold same/different name pairs (JSON) for cross-document resolution")
    c.add_argument("--json", action="store_true", help="print the scores as JSON")
    c = sub.add_parser("train", help="Rebuild the learned event model from the annotated corpus.",
                       description="Rebuild the learned event model from the annotated corpus (train split; "
                                   "thresholds on the dev split; the test split is never read).")
    c.add_argument("--corpus", type=Path, default=Path("corpus"), help="the corpus folder (default: ./corpus)")
    c.add_argument("--output", "-o", type=Path, default=None,
                   help="folder to write the models to (default: the one the package ships and reads)")
    c.add_argument("--limit", type=_count, default=None, help="train on the first N train documents only")
    return p


_EVENT_COMPONENTS = {"rules": "rule_events", "learned": "learned_events"}


def _event_component(names: tuple[str, ...]) -> str:
    return next((k for k, v in _EVENT_COMPONENTS.items() if v in names), "none")


def _pipeline_options(args: argparse.Namespace) -> dict[str, Any]:
    """Settings from the ingest options: the byte bound and the components (--events swaps the event one)."""
    options: dict[str, Any] = {}
    if getattr(args, "max_bytes", None):
        options["max_bytes"] = args.max_bytes
    names = Settings().components
    if getattr(args, "components", None):
        names = components.PRESETS.get(args.components) or tuple(n.strip() for n in args.components.split(",")
                                                                  if n.strip())
    if getattr(args, "events", None):
        names = components.replace(names, "events", _EVENT_COMPONENTS[args.events])
    components.check(names)
    options["components"] = names
    return options


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
    if args.command == "serve":
        from armsgraph.web.app import serve  # the web stack loads only when serving

        serve(args.db or default_db(), host=args.host, port=args.port, token=os.environ.get(TOKEN_ENV) or None)
        return 0
    if args.command == "train":
        from armsgraph.train import train  # scikit-learn loads only when training

        out = args.output or Settings().models_dir
        meta = train(args.corpus, out, limit=args.limit)
        ev, en = meta["events"], meta["entities"]
        print(f"trained on {ev['train_documents']} train and {ev['dev_documents']} dev documents -> {out}")
        print(f"  entity typer      {en['train_names']} names; dev F1 {en['dev_scores']['f1']:.3f} "
              f"(rules alone {en['dev_scores_rules_alone']['f1']:.3f})")
        print(f"  event model       {ev['train_facts']} possible facts; cuts by {ev['folds']}-fold cross-validation")
        for etype, sc in ev["cv_scores"].items():
            print(f"  {etype:<17} {ev['folds']}-fold F1 {sc['f1']:.3f} (P {sc['precision']:.3f} R {sc['recall']:.3f})")
        return 0
    settings = Settings(db=args.db or default_db(), **_pipeline_options(args))
    store = Store(settings.db)
    if args.command == "ingest":
        return _ingest(args, settings, store)
    if args.command == "export":
        return _export(args, store)
    if args.command == "entities":
        for e in query.entities(store, args.type):
            qid = f"  {e['wikidata']}" if e["wikidata"] else ""
            print(f"{e['type']:<13}{e['name']:<45}{e['mentions']:>4} mentions {e['documents']:>3} docs{qid}")
        return 0
    if args.command == "facts":
        found = query.facts(store, args.entity, args.type, args.status,
                            tuple(args.between) if args.between else None, args.since, args.until,
                            limit=args.limit, offset=args.offset)
        if args.json:
            print(json.dumps([f.as_dict() for f in found], ensure_ascii=False, indent=1))
        for f in [] if args.json else found:
            _print_fact(f)
        return 0
    if args.command == "search":
        for hit in query.search(store, args.text, args.limit):
            print(f"[{hit['type']}] {hit['doc_id']}: {hit['snippet'].strip()}  (fact {hit['fact_id']})")
        return 0
    if args.command == "neighbours":
        for n in query.neighbours(store, args.name):
            print(f"{n['type']:<13}{n['name']:<45}{n['facts']:>3} facts: {', '.join(n['fact_types'])}")
        return 0
    if args.command == "show":
        info = query.show(store, args.name)
        print(f"{info['name']} ({info['type']}){'  wikidata:' + info['wikidata'] if info['wikidata'] else ''}")
        print(f"  also: {', '.join(a for a in info['aliases'] if a != info['name'])}")
        print(f"  in {len(info['documents'])} documents: {', '.join(info['documents'])}")
        if info["knowledge"]:
            print("  knowledge base: " + "; ".join(f"{k} {', '.join(v) if isinstance(v, list) else v}"
                                                  for k, v in info["knowledge"].items()))
        for f in info["facts"]:
            _print_fact(f)
        return 0
    if args.command == "report":
        if not (args.between or args.entity):
            raise ArmsgraphError("give --between COUNTRY COUNTRY or --entity NAME")
        doc = report.dossier(store, between=tuple(args.between) if args.between else None, entity=args.entity,
                             since=args.since, until=args.until)
        for path in doc.write(Path(args.output)):
            print(f"wrote {path}")
        return 0
    if args.command == "eval":
        scores = evaluate.score_store(store, Path(args.gold), Path(args.resolution) if args.resolution else None)
        print(json.dumps(scores, indent=1) if args.json else evaluate.render(scores))
        return 0
    raise AssertionError(args.command)


_POOL_MIN_DOCUMENTS = 64
TOKEN_ENV = "ARMSGRAPH_TOKEN"  # the bearer token that enables POST /api/ingest
EXPORT_FORMATS = ["jsonl", "kb-json", "csv", "graphml", "gexf", "jsonld", "plover", "parquet"]


def _export(args: argparse.Namespace, store: Store) -> int:
    fmt = args.format
    if fmt in ("graphml", "gexf", "parquet", "csv") and not args.output:
        raise ArmsgraphError(f"--format {fmt} writes files: give -o FILE (a folder for parquet)")
    if fmt == "jsonl":
        with _output(args.output) as out:
            for rec in export.records(store):
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return 0
    kb = export.knowledge_base(store)
    if fmt in ("kb-json", "jsonld", "plover"):
        with _output(args.output) as out:
            if fmt == "plover":
                for rec in formats.plover(kb):
                    out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            else:
                json.dump(kb if fmt == "kb-json" else formats.jsonld(kb), out, ensure_ascii=False, indent=1)
                out.write("\n")
        return 0
    writer = {"csv": formats.sipri_csv, "graphml": formats.graphml, "gexf": formats.gexf, "parquet": formats.parquet}
    written = writer[fmt](kb, Path(args.output))
    for path in written if isinstance(written, tuple) else (written,):
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _ingest(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    expected = estimate_documents(args.paths)
    # worker processes each load the model (~2 s): worth it only beyond a few batches
    small = expected is not None and expected <= _POOL_MIN_DOCUMENTS and args.engine == "local"
    workers = args.workers or (1 if small else os.cpu_count() or 1)
    pipeline = Pipeline(settings) if args.engine == "local" and workers == 1 else None
    bar = None if args.quiet or args.log_json else tqdm(
        total=expected, unit="doc", desc="ingest", file=sys.stderr, dynamic_ncols=True)

    def progress(event: str, details: dict[str, object]) -> None:
        if args.log_json:
            print(json.dumps({"event": event, **details}, ensure_ascii=False, default=str), file=sys.stderr)
            return
        if event in ("failed", "skipped"):
            line = f"armsgraph: {event} {details.get('source')}: {details.get('reason')}"
            hint = details.get("hint")
            message = line + (f" ({hint})" if hint else "")
            if bar is not None:
                bar.write(message, file=sys.stderr)
            else:
                print(message, file=sys.stderr)
        if bar is not None and event != "summary":
            bar.update(1)

    report = ingest(args.paths, store, pipeline, on_progress=progress, settings=settings, engine=args.engine,
                    workers=workers, ray_address=args.ray_address)
    if bar is not None:
        bar.close()
    counts = report.summary()
    if not args.log_json:
        print(", ".join(f"{n} {k}" for k, n in counts.items()) + f" -> {settings.db}")
    return 0 if report.ok else 1


def estimate_documents(paths: Sequence[str]) -> int | None:
    """How many documents an ingest will see, for the progress bar's ETA (JSONL: its lines)."""
    total = 0
    for raw in paths:
        path = Path(raw)
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if not f.is_file():
                if not path.is_dir():
                    return None  # standard input or a URL: unknown
                continue
            if f.suffix.lower() in (".jsonl", ".ndjson"):
                with f.open("rb") as fh:
                    total += sum(1 for line in fh if line.strip())
            elif f.suffix.lower() in SUFFIXES or not path.is_dir():
                total += 1
    return total


def _count(value: str) -> int:
    """A whole number, 0 or more (for argparse)."""
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number (0 or more)")
    return int(value)


def _print_fact(f: query.FactView) -> None:
    roles = "; ".join(f"{r}: {', '.join(v)}" for r, v in f.roles.items())
    a = f.assessment
    print(f"[{f.type}] {roles}  status={f.status} date={f.date or '-'}  "
          f"credibility={a.code} ({a.reason}; {a.corroboration} independent)")
    for conflict in a.conflicts:
        print(f"    ! conflict: {conflict}")
    for c in f.citations:
        when = f", {c['published']}" if c["published"] else ""
        outlet = f", {c['outlet']}" if c.get("outlet") else ""
        print(f"    - {c['doc_id']}{when}{outlet} [{c['status']}]: \"{c['text'].strip()}\"")


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
