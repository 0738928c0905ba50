"""Memory: peak RSS of an ingest of N synthetic-but-realistic articles.

    .venv/bin/python benchmarks/memory.py [--articles 10000] [--engine ingest|local|ray] [--workers N]

The articles are the sample (and shared seed and dev) articles varied as in `_common.py`: distinct texts,
new country pairs, ~220 words each, written to one JSONL file. A child process then ingests the file
into a fresh SQLite store, so that generating the corpus does not count:

- ``--engine ingest`` (default): `armsgraph.ingest`, as `armsgraph ingest FILE` runs today (one process);
- ``--engine local|ray --workers N``: the same reading, then `armsgraph.engines.process_all` and
  `Store.write_document` in order (copy detection left out), as `ingest` will run once wired to engines.

Prints articles, time, and peak RSS (getrusage ru_maxrss) of the ingesting process and of the largest of
its own children (worker processes; Ray's are not its children), and of everything this script waited for.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import iter_varied_records, print_machine, write_jsonl

from armsgraph import InputError, Pipeline, Settings, Store, ingest

MB = 1024  # ru_maxrss is in KiB on Linux


def child(corpus: Path, db: Path, engine: str, workers: int) -> None:
    """Ingest `corpus` into `db`; print one JSON line with counts, time and this process's peaks."""
    settings = Settings(db=str(db))
    store = Store(str(db))
    start = time.perf_counter()
    done = 0
    if engine == "ingest":
        report = ingest([corpus], store, Pipeline(settings))
        done = report.ingested
    else:
        from armsgraph.engines import process_all
        from armsgraph.ingest.readers import read_paths

        docs = (d for d in read_paths([corpus], settings.max_bytes) if not isinstance(d, InputError))
        for doc in process_all(docs, settings, engine=engine, workers=workers):
            done += store.write_document(doc)
    elapsed = time.perf_counter() - start
    store.close()
    print(json.dumps({"ingested": done, "seconds": elapsed,
                      "self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MB,
                      "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / MB,
                      "db_mb": sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 2**20}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--engine", choices=["ingest", "local", "ray"], default="ingest")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--child", nargs=2, metavar=("CORPUS", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.engine, args.workers)
        return 0
    print_machine()
    with tempfile.TemporaryDirectory(prefix="armsgraph-bench-") as tmpdir:
        tmp = Path(tmpdir)
        corpus = write_jsonl(iter_varied_records(args.articles), tmp / "corpus.jsonl")
        print(f"corpus: {args.articles} articles, {corpus.stat().st_size / 2**20:.1f} MiB of JSONL; "
              f"engine {args.engine}" + (f", {args.workers} workers" if args.engine != "ingest" else ""), flush=True)
        done = subprocess.run([sys.executable, __file__, "--engine", args.engine, "--workers", str(args.workers),
                               "--child", str(corpus), str(tmp / "memory.db")],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        r = json.loads(done.stdout.strip().splitlines()[-1])
        tree = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / MB
        print(f"articles {r['ingested']}  time {r['seconds']:.0f} s ({r['ingested'] / r['seconds']:.2f} articles/s)  "
              f"peak RSS: ingesting process {r['self_mb']:.0f} MB, its largest child {r['children_mb']:.0f} MB, "
              f"largest process overall {tree:.0f} MB; store {r['db_mb']:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
