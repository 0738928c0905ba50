"""Ingest throughput: the full pipeline (Pipeline.process, then writing to SQLite) against bare spaCy.

    .venv/bin/python benchmarks/throughput.py [--articles 500] [--rounds 3] [--profile-articles 150]

On the same texts, in one run, alternating: bare `nlp.pipe` of the same spaCy model, and our pipeline
(`Pipeline.process` with the components of `--components`, in batches of settings.batch_size, then
`Store.write_document` into a fresh temporary SQLite store). Prints articles/s and words/s (median of
the rounds, wall and CPU time), the throughput ratio (bare spaCy's time / ours; the target is 0.7),
the time of the parse, of each component and of the store (checked to give the same documents as
Pipeline.process), and a cProfile of one pass: inclusive time of each stage's entry point and self
time grouped by module.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from _common import print_machine, read_documents, varied_records, words, write_jsonl

from armsgraph import Document, Pipeline, Settings, Store
from armsgraph.components import PRESETS, Annotated
from armsgraph.engines import batches

PARSE, STORE = "parse (spaCy + line breaks)", "store"


class Clock:
    """Wall and CPU seconds of a block."""

    def __enter__(self) -> Clock:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall0, time.process_time() - self.cpu0


def bare_spacy(nlp: object, docs: list[Document], size: int) -> None:
    for batch in batches(docs, size):
        list(nlp.pipe([d.text for d in batch], batch_size=size))  # type: ignore[attr-defined]


def ours(pipeline: Pipeline, docs: list[Document], store: Store, size: int) -> None:
    for batch in batches(docs, size):
        for doc in pipeline.process(batch):
            store.write_document(doc)


def ours_by_stage(pipeline: Pipeline, docs: list[Document], store: Store, size: int) -> dict[str, float]:
    """`ours`, with the body of Pipeline.annotate spelled out and a timer around the parse, each
    component (by its registered name) and the store's write."""
    spent: dict[str, float] = defaultdict(float)
    for batch in batches(docs, size):
        t = time.perf_counter()
        parsed = pipeline.annotator([d.text for d in batch], batch_size=size)
        spent[PARSE] += time.perf_counter() - t
        for doc, sdoc in zip(batch, parsed, strict=True):
            annotated = Annotated(doc, sdoc)
            for name, run in pipeline.components:
                t = time.perf_counter()
                annotated = run(annotated)
                spent[name] += time.perf_counter() - t
        for doc in batch:
            t = time.perf_counter()
            store.write_document(doc)
            spent[STORE] += time.perf_counter() - t
    return dict(spent)


def group_of(filename: str) -> str:
    f = filename.replace("\\", "/")
    if "/armsgraph/" in f:
        part = f.split("/armsgraph/", 1)[1]
        names = {"nlp/mentions.py": "armsgraph mentions", "nlp/__init__.py": "armsgraph nlp (line breaks)",
                 "extract/stray.py": "armsgraph stray", "pipeline.py": "armsgraph pipeline"}
        if part in names:
            return names[part]
        return "armsgraph " + part.split("/", 1)[0].removesuffix(".py")
    for lib in ("spacy", "thinc", "numpy", "blis", "sqlalchemy", "rapidfuzz", "srsly", "yaml", "json", "sqlite3"):
        if f"/{lib}/" in f or f.startswith(f"{lib}/") or f.endswith(f"/{lib}.py"):  # Cython files: "spacy/x.pyx"
            return lib
    if filename.startswith("~") or filename == "":
        return "builtins (C calls: sqlite, regex, Cython...)"
    return "other Python"


def profile(pipeline: Pipeline, docs: list[Document], size: int, tmp: Path) -> None:
    store = Store(str(tmp / "profile.db"))
    prof = cProfile.Profile()
    prof.enable()
    ours(pipeline, docs, store, size)
    prof.disable()
    store.close()
    stats = pstats.Stats(prof)
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    entry = {("nlp/__init__.py", "__call__"): "parse: Annotator.__call__",
             ("nlp/mentions.py", "find_mentions"): "mentions: find_mentions",
             ("nlp/typer.py", "apply"): "learned typer: typer.apply",
             ("resolve/entities.py", "resolve_mentions"): "resolve: resolve_mentions",
             ("extract/stray.py", "mark_stray"): "stray: mark_stray",
             ("extract/events.py", "extract_events"): "events: extract_events",
             ("extract/learned.py", "extract"): "learned events: learned.extract",
             ("store/__init__.py", "write_document"): "store: Store.write_document"}
    print(f"\ncProfile of one pass over {len(docs)} articles ({total:.1f} s profiled; cProfile slows Python code)")
    print("  inclusive time of each stage's entry point:")
    for (fn, _line, name), v in raw.items():
        for (suffix, func), label in entry.items():
            if fn.endswith("armsgraph/" + suffix) and name == func:
                print(f"    {label:<34}{v[3]:8.2f} s  {100 * v[3] / total:5.1f} %")
    groups: dict[str, float] = defaultdict(float)
    for (fn, _line, _name), v in raw.items():
        groups[group_of(fn)] += v[2]
    print("  self time by module:")
    for g, s in sorted(groups.items(), key=lambda kv: -kv[1]):
        if s / total >= 0.005:
            print(f"    {g:<48}{s:8.2f} s  {100 * s / total:5.1f} %")
    print("  our functions with the most self time:")
    ours_only = [(v[2], v[3], v[1], fn, name) for (fn, _l, name), v in raw.items() if "/armsgraph/" in fn]
    for tt, ct, calls, fn, name in sorted(ours_only, reverse=True)[:15]:
        print(f"    {fn.split('/armsgraph/', 1)[1] + ':' + name:<52}self {tt:6.2f} s  incl {ct:6.2f} s  "
              f"{calls:>9} calls")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--profile-articles", type=int, default=150)
    ap.add_argument("--components", default="learned", choices=list(PRESETS),
                    help="the pipeline measured (default: learned, the default settings' one)")
    args = ap.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory(prefix="armsgraph-bench-") as tmpdir:
        tmp = Path(tmpdir)
        docs = read_documents([write_jsonl(varied_records(args.articles), tmp / "corpus.jsonl")])
        n, w = len(docs), words(docs)
        print(f"corpus: {n} articles, {w} words ({w / n:.0f} per article)")
        settings = Settings(db=str(tmp / "unused.db"), components=PRESETS[args.components])
        print(f"components: {', '.join(settings.components)}")
        size = settings.batch_size
        with Clock() as c:
            pipeline = Pipeline(settings)
        print(f"loading the pipeline (model + knowledge base + matcher): {c.wall:.1f} s")
        import spacy

        nlp = spacy.load(settings.model)
        warm = copy.deepcopy(docs[:32])
        bare_spacy(nlp, warm, size)
        pipeline.process(warm)

        results: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for r in range(args.rounds):
            with Clock() as c:
                bare_spacy(nlp, docs, size)
            results["spacy"].append((c.wall, c.cpu))
            mine = copy.deepcopy(docs)
            store = Store(str(tmp / f"round-{r}.db"))
            with Clock() as c:
                ours(pipeline, mine, store, size)
            store.close()
            results["ours"].append((c.wall, c.cpu))
            print(f"  round {r + 1}: spaCy {results['spacy'][-1][0]:.1f} s, ours {c.wall:.1f} s", flush=True)

        staged = copy.deepcopy(docs)
        store = Store(str(tmp / "staged.db"))
        with Clock() as c:
            spent = ours_by_stage(pipeline, staged, store, size)
        store.close()
        reference = pipeline.process(copy.deepcopy(docs[:64]))
        assert staged[:64] == reference, "the staged run must give what Pipeline.process gives"
        results["ours (staged)"].append((c.wall, c.cpu))

        def med(key: str, i: int) -> float:
            return statistics.median(x[i] for x in results[key])

        print(f"\n{'':<22}{'articles/s':>12}{'words/s':>10}{'wall s':>9}{'CPU s':>8}   (median of {args.rounds})")
        for key in ("spacy", "ours"):
            print(f"{key:<22}{n / med(key, 0):>12.1f}{w / med(key, 0):>10.0f}{med(key, 0):>9.1f}{med(key, 1):>8.1f}")
        spacy_wall, ours_wall = med("spacy", 0), med("ours", 0)
        print(f"\nthroughput ratio (ours / bare spaCy nlp.pipe, articles per second): "
              f"wall {spacy_wall / ours_wall:.2f}, CPU {med('spacy', 1) / med('ours', 1):.2f}"
              "   (target: at least 0.70)")
        stage_total = sum(spent.values())
        print(f"\nwhere the time goes (timers around each stage, one pass, {stage_total:.1f} s; "
              f"bare spaCy pass {spacy_wall:.1f} s):")
        for stage in (PARSE, *(name for name, _ in pipeline.components), STORE):
            s = spent.get(stage, 0.0)
            print(f"  {stage:<30}{s:8.2f} s  {100 * s / stage_total:5.1f} %  {1000 * s / n:7.1f} ms/article")
        print(f"  our stages beyond the parse: {stage_total - spent[PARSE]:.1f} s = "
              f"{(stage_total - spent[PARSE]) / spacy_wall:.0%} of bare spaCy's time")
        profile(pipeline, copy.deepcopy(docs[:args.profile_articles]), size, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
