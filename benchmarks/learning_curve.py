"""Learning curve: the learned pipeline trained on 25, 50 and 100% of the train split, scored on test.

    python benchmarks/learning_curve.py [--fractions 0.25 0.5 1.0]

Each run trains both models (`armsgraph.train.train`, with the whole dev split) into a temporary
folder, ingests the sealed test split with `components.PRESETS["learned"]` reading that folder, and
scores it with the reference scorer. Whether the figures still rise from 50 to 100% says whether
more annotated data would help.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from armsgraph import Pipeline, Settings, Store, components, export, ingest
from armsgraph.train import train

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_quality import CORPUS, score


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fractions", nargs="+", type=float, default=[0.25, 0.5, 1.0])
    a = ap.parse_args()
    splits = json.loads((CORPUS / "splits.json").read_text())
    golds = {g["doc_id"]: g for g in map(json.loads, (CORPUS / "gold.jsonl").read_text().splitlines())}
    gold = [golds[d] for d in splits["test"]]
    print(f"{'train docs':>10} {'entity F1':>10} {'event P':>8} {'event R':>8} {'event F1':>9} {'status':>7}")
    for fraction in a.fractions:
        n = max(1, round(len(splits["train"]) * fraction))
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            train(CORPUS, work / "models", limit=n, full_dev=True)
            settings = Settings(db=str(work / "kb.db"), components=components.PRESETS["learned"],
                                models_dir=work / "models")
            store = Store(settings.db)
            ingest([CORPUS / "docs" / f"{d}.txt" for d in splits["test"]], store, Pipeline(settings))
            s = score(gold, list(export.records(store)), work, "test")
        e, v = s["entity"], s["event"]
        print(f"{n:>10} {e['f1']:>10.3f} {v['precision']:>8.3f} {v['recall']:>8.3f} {v['f1']:>9.3f} "
              f"{s['status_accuracy']:>7.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
