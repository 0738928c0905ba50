"""Extraction quality on the annotated corpus, split by split, for each event extractor.

    python benchmarks/corpus_quality.py [--pipelines rules learned ...] [--splits dev test]

Ingests each split's documents into a fresh SQLite store with each pipeline's components
(`PIPELINES`: rules alone, the learned entity typer with the event rules, both learned), exports
the records and scores them with the reference scorer (../shared/eval/score.py). The train split is
what the model learned from and dev what its thresholds were chosen on: only test estimates unseen
text. Prints one line per extractor and split, and per event type for test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from armsgraph import Pipeline, Settings, Store, components, export, ingest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SCORER = ROOT.parent / "shared" / "eval" / "score.py"
PIPELINES = components.PRESETS  # rules alone, the typer alone, the event model alone, both


def score(gold: list[dict], records: list[dict], work: Path, name: str) -> dict:
    g, r = work / f"{name}.gold.jsonl", work / f"{name}.export.jsonl"
    g.write_text("".join(json.dumps(x) + "\n" for x in gold))
    r.write_text("".join(json.dumps(x) + "\n" for x in records))
    out = subprocess.run([sys.executable, str(SCORER), str(g), str(r), "--json"], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pipelines", nargs="+", default=list(PIPELINES), choices=list(PIPELINES))
    ap.add_argument("--splits", nargs="+", default=["train", "dev", "test"])
    a = ap.parse_args()
    splits = json.loads((CORPUS / "splits.json").read_text())
    golds = {g["doc_id"]: g for g in map(json.loads, (CORPUS / "gold.jsonl").read_text().splitlines())}
    print(f"{'extractor':<9} {'split':<6} {'docs':>5} {'entity F1':>10} {'event P':>8} {'event R':>8} "
          f"{'event F1':>9} {'status':>7}")
    for events in a.pipelines:
        for split in a.splits:
            with tempfile.TemporaryDirectory() as tmp:
                work = Path(tmp)
                settings = Settings(db=str(work / "kb.db"), components=PIPELINES[events])
                store = Store(settings.db)
                ingest([CORPUS / "docs" / f"{d}.txt" for d in splits[split]], store, Pipeline(settings))
                recs = list(export.records(store))
                gold = [golds[d] for d in splits[split]]
                s = score(gold, recs, work, split)
                e, v = s["entity"], s["event"]
                print(f"{events:<9} {split:<6} {len(gold):>5} {e['f1']:>10.3f} {v['precision']:>8.3f} "
                      f"{v['recall']:>8.3f} {v['f1']:>9.3f} {s['status_accuracy']:>7.3f}", flush=True)
                if split == "test":
                    by_type = {}
                    for etype in sorted({ev["type"] for g in gold for ev in g["events"]}):
                        only = [{**g, "events": [ev for ev in g["events"] if ev["type"] == etype]} for g in gold]
                        recs_t = [{**r, "events": [ev for ev in r["events"] if ev["type"] == etype]} for r in recs]
                        by_type[etype] = score(only, recs_t, work, f"{split}-{etype}")["event"]["f1"]
                    print("          test by type: " + ", ".join(f"{t} {f:.2f}" for t, f in by_type.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
