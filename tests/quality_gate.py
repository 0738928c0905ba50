"""Quality gate: extraction quality on the shared gold sets must not drop below the floors.

    python -m tests.quality_gate

1. For each set with a floor in tests/quality_floors.json: ingest it into a fresh temporary database
   through the CLI API, and export it as jsonl (and kb-json, for resolution). The shared seeds and dev
   sets (../shared/corpus/SET) are a regression gate: the rules were written on them. The sets
   `corpus:test:rules` and `corpus:test:learned` are the corpus's sealed test split (corpus/splits.json)
   read by each event extractor: the only figures that estimate unseen text.
2. Score the export with the reference scorer ../shared/eval/score.py --json.
3. Print the figures, and exit 1 if any floor is not met or any span has wrong offsets.

Exits 0 with a message when ../shared is absent. Not collected by pytest (the name has no test_ prefix).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from armsgraph import cli

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
FLOORS = HERE / "quality_floors.json"
CORPUS = HERE.parent / "corpus"
COLUMNS = ("entity_f1", "event_f1", "status_accuracy", "resolution_accuracy")


def _inputs(name: str, workdir: Path) -> tuple[list[str], Path, list[str]]:
    """What a set ingests, its gold file, and the ingest options. A shared set is a folder of
    ../shared/corpus; `corpus:SPLIT:PRESET` is one split of the project's corpus read by one of `components.PRESETS`."""
    if not name.startswith("corpus:"):
        return [str(SHARED / "corpus" / name)], SHARED / "gold" / f"{name}.jsonl", []
    _, split, extractor = name.split(":")
    ids = json.loads((CORPUS / "splits.json").read_text())[split]
    wanted = set(ids)
    gold = workdir / f"{split}.gold.jsonl"
    gold.write_text("".join(line + "\n" for line in (CORPUS / "gold.jsonl").read_text(encoding="utf-8").splitlines()
                            if line.strip() and json.loads(line)["doc_id"] in wanted), encoding="utf-8")
    return [str(CORPUS / "docs" / f"{d}.txt") for d in ids], gold, ["--components", extractor]


def run_set(name: str, workdir: Path) -> dict[str, Any]:
    """Ingest, export and score one set; the reference scorer's figures, flattened."""
    slug = name.replace(":", "-")
    db, export, kb = workdir / f"{slug}.db", workdir / f"{slug}.jsonl", workdir / f"{slug}.kb.json"
    inputs, gold, options = _inputs(name, workdir)
    code = cli.main(["ingest", *inputs, "--db", str(db), "--quiet", *options])
    if code != 0:
        raise SystemExit(f"quality gate: ingesting {name} failed (exit {code})")
    for fmt, out in (("jsonl", export), ("kb-json", kb)):
        if cli.main(["export", "--format", fmt, "--db", str(db), "-o", str(out)]) != 0:
            raise SystemExit(f"quality gate: exporting {name} as {fmt} failed")
    argv = [sys.executable, str(SHARED / "eval" / "score.py"), str(gold), str(export), "--json"]
    pairs = SHARED / "gold" / f"{name}.resolution.json"
    if pairs.is_file():
        argv += ["--kb", str(kb), "--resolution", str(pairs)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"quality gate: score.py failed on {name}: {done.stderr.strip()}")
    s = json.loads(done.stdout)
    return {
        "entity_f1": s["entity"]["f1"], "event_f1": s["event"]["f1"], "status_accuracy": s["status_accuracy"],
        "resolution_accuracy": s["resolution"]["accuracy"] if "resolution" in s else None,
        "spans": s["spans"], "bad_spans": s["bad_spans"], "missing_docs": s.get("missing_docs", []),
    }


def check(name: str, figures: dict[str, Any], floors: dict[str, float]) -> list[str]:
    problems = [f"{name}: {metric} {figures.get(metric)} < floor {floor}" for metric, floor in floors.items()
                if figures.get(metric) is None or figures[metric] < floor]
    if figures["bad_spans"]:
        problems.append(f"{name}: {figures['bad_spans']} of {figures['spans']} spans have wrong offsets")
    if figures["missing_docs"]:
        problems.append(f"{name}: documents missing from the export: {', '.join(figures['missing_docs'])}")
    return problems


def table(results: dict[str, dict[str, Any]], floors: dict[str, dict[str, float]]) -> str:
    def cell(value: float | None, floor: float | None) -> str:
        text = "-" if value is None else f"{value:.3f}"
        return text + (f" (≥{floor:.2f})" if floor is not None else "")

    head = f"{'set':<22}" + "".join(f"{c:>26}" for c in COLUMNS) + f"{'bad spans':>12}"
    rows = [head]
    for name, fig in results.items():
        rows.append(f"{name:<22}" + "".join(f"{cell(fig[c], floors[name].get(c)):>26}" for c in COLUMNS)
                    + f"{fig['bad_spans']:>6} / {fig['spans']:<4}")
    return "\n".join(rows)


def main() -> int:
    if not (SHARED / "eval" / "score.py").is_file():
        print("shared/ not found: quality gate skipped")
        return 0
    floors: dict[str, dict[str, float]] = json.loads(FLOORS.read_text(encoding="utf-8"))
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="armsgraph-gate-") as tmp:
        for name in floors:
            if not name.startswith("corpus:") and not (SHARED / "corpus" / name).is_dir():
                print(f"quality gate: ../shared/corpus/{name} not found; set skipped")
                continue
            results[name] = run_set(name, Path(tmp))
    print(table(results, floors))
    problems = [p for name, fig in results.items() for p in check(name, fig, floors[name])]
    if problems:
        print("\nquality gate FAILED:")
        print("\n".join(f"  - {p}" for p in problems))
        return 1
    print("\nquality gate passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
