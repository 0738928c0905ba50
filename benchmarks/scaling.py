"""Scaling: articles/s with 1 and 2 worker processes (local engine) and with Ray at 1 and 2 workers.

    .venv/bin/python benchmarks/scaling.py [--articles 400] [--repeats 2] [--no-store] [--no-ray]

Each run processes the same articles with `armsgraph.engines.process_all` and (unless --no-store) writes
every document, in order, to a fresh temporary SQLite store in this process, as `ingest` does. Printed
for each run: the end-to-end time (worker start-up and model loading included) and the steady rate
(from the 64th article to the last, once every worker is loaded). The runs are repeated in rotated order,
and before each repeat the script measures how parallel the machine itself is (two equal pure-Python
loops in two processes against one: 2.0x on two free cores), since on a shared VM that varies.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from _common import cpu_parallelism, print_machine, read_documents, varied_records, words, write_jsonl

from armsgraph import Document, Settings, Store
from armsgraph.engines import process_all

WARM = 64  # the steady rate is measured from this article on


def run(docs: list[Document], settings: Settings, engine: str, workers: int, db: Path | None) -> dict[str, float]:
    store = Store(str(db)) if db else None
    writing = 0.0
    start = time.perf_counter()
    t_warm = start
    for i, doc in enumerate(process_all(copy.deepcopy(docs), settings, engine=engine, workers=workers)):
        if i == WARM:
            t_warm = time.perf_counter()
        if store is not None:
            t = time.perf_counter()
            store.write_document(doc)
            writing += time.perf_counter() - t
    end = time.perf_counter()
    if store is not None:
        store.close()
    return {"total": end - start, "rate": len(docs) / (end - start), "steady": (len(docs) - WARM) / (end - t_warm),
            "writing": writing}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=400)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--no-store", action="store_true", help="process only; do not write to a store")
    ap.add_argument("--no-ray", action="store_true")
    args = ap.parse_args()
    print_machine()
    configs = [("local", 1), ("local", 2)] + ([] if args.no_ray else [("ray", 1), ("ray", 2)])
    with tempfile.TemporaryDirectory(prefix="armsgraph-bench-") as tmpdir:
        tmp = Path(tmpdir)
        docs = read_documents([write_jsonl(varied_records(args.articles), tmp / "corpus.jsonl")])
        print(f"corpus: {len(docs)} articles, {words(docs)} words; "
              f"{'processing only' if args.no_store else 'processing + writing to SQLite in order'}")
        settings = Settings(db=str(tmp / "unused.db"))
        results: dict[tuple[str, int], list[dict[str, float]]] = defaultdict(list)
        machine: list[float] = []
        for r in range(args.repeats):
            machine.append(cpu_parallelism())
            print(f"repeat {r + 1}: machine's own 2-process parallelism {machine[-1]:.2f}x", flush=True)
            for k in range(len(configs)):
                engine, workers = configs[(k + r) % len(configs)]
                db = None if args.no_store else tmp / f"{engine}-{workers}-{r}.db"
                res = run(docs, settings, engine, workers, db)
                results[(engine, workers)].append(res)
                print(f"  {engine:<6}{workers} worker(s): {res['total']:6.1f} s end to end, {res['rate']:5.2f} "
                      f"articles/s; steady {res['steady']:5.2f} articles/s; writing {res['writing']:.1f} s",
                      flush=True)
        machine.append(cpu_parallelism())
        print(f"after: machine's own 2-process parallelism {machine[-1]:.2f}x")

        def med(cfg: tuple[str, int], key: str) -> float:
            return statistics.median(x[key] for x in results[cfg])

        print(f"\nmedian of {args.repeats} ({len(docs)} articles):")
        print(f"{'engine':<8}{'workers':>8}{'end-to-end s':>14}{'articles/s':>12}{'steady art/s':>14}")
        for cfg in configs:
            print(f"{cfg[0]:<8}{cfg[1]:>8}{med(cfg, 'total'):>14.1f}{med(cfg, 'rate'):>12.2f}"
                  f"{med(cfg, 'steady'):>14.2f}")
        for engine in ("local", "ray"):
            if (engine, 2) in results:
                print(f"speed-up of 2 workers over 1 ({engine}): end to end "
                      f"{med((engine, 2), 'rate') / med((engine, 1), 'rate'):.2f}x, steady "
                      f"{med((engine, 2), 'steady') / med((engine, 1), 'steady'):.2f}x   (target: at least 1.7x)")
        if ("ray", 2) in results:
            print(f"ray 2 workers against local 1 worker: end to end "
                  f"{med(('ray', 2), 'rate') / med(('local', 1), 'rate'):.2f}x, steady "
                  f"{med(('ray', 2), 'steady') / med(('local', 1), 'steady'):.2f}x")
        print(f"machine's own 2-process parallelism during the runs: {', '.join(f'{m:.2f}x' for m in machine)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
