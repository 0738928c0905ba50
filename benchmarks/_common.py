"""What the benchmark scripts share: the corpus they read, the machine they ran on, small timing helpers.

The corpus: the bundled sample articles and, when present, the shared seed and dev articles
(`../shared/corpus`, read in place, never copied), varied into as many distinct articles as asked:
each variant keeps its base article's lede first, shuffles and drops some later paragraphs, moves its
date, and swaps the countries it names (names and demonyms) for other countries of the knowledge base,
so that variants are distinct documents with new country pairs, as a stream of real news would be.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import platform
import random
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "corpus"
SHARED_CORPUS = Path(os.environ.get("ARMSGRAPH_SHARED_CORPUS", REPO.parent / "shared" / "corpus"))

sys.path.insert(0, str(REPO))  # run from anywhere as `.venv/bin/python benchmarks/NAME.py`

from armsgraph import Document, InputError, Settings  # noqa: E402
from armsgraph import kb as kb_module  # noqa: E402
from armsgraph.ingest.dedupe import content_key  # noqa: E402
from armsgraph.ingest.readers import read_paths  # noqa: E402


def base_sources() -> list[Path]:
    """The folders the base articles come from: samples, then shared seeds and dev when present."""
    out = [SAMPLES]
    out += [SHARED_CORPUS / s for s in ("seeds", "dev") if (SHARED_CORPUS / s).is_dir()]
    return out


def read_documents(paths: Iterable[Path]) -> list[Document]:
    docs = []
    for item in read_paths(list(paths), Settings().max_bytes):
        if isinstance(item, InputError):
            raise SystemExit(f"cannot read a base article: {item}")
        docs.append(item)
    return docs


def base_articles() -> list[Document]:
    return read_documents(base_sources())


def _headline_and_paragraphs(doc: Document) -> tuple[str, list[str]]:
    head = next((doc.text[z.start:z.end] for z in doc.zones if z.kind == "headline"), doc.title or "")
    paras = [doc.text[z.start:z.end].strip() for z in doc.zones if z.kind != "headline"]
    return head.strip(), [p for p in paras if p]


class CountrySwapper:
    """Replaces the countries an article names (names, aliases, demonyms) by other countries."""

    def __init__(self) -> None:
        kb = kb_module.load(Settings().kb_dir)
        self.countries = [e for e in kb.entries.values()
                          if e.type == "COUNTRY" and e.demonyms and e.name.isascii() and " " not in e.name]
        self.form_of: dict[str, tuple[str, str]] = {}  # surface form -> (country id, "name" | "demonym")
        for c in self.countries:
            for name in c.names:
                self.form_of.setdefault(name, (c.id, "name"))
            for dem in c.demonyms:
                self.form_of.setdefault(dem, (c.id, "demonym"))
        forms = sorted(self.form_of, key=len, reverse=True)
        self.pattern = re.compile(r"\b(" + "|".join(re.escape(f) for f in forms) + r")\b")
        self.by_id = {c.id: c for c in self.countries}

    def swap(self, texts: Sequence[str], rng: random.Random) -> list[str]:
        named = {self.form_of[m.group(0)][0] for t in texts for m in self.pattern.finditer(t)}
        others = [c.id for c in self.countries if c.id not in named]
        target = dict(zip(sorted(named), rng.sample(others, len(named)), strict=True))

        def replace(m: re.Match[str]) -> str:
            cid, kind = self.form_of[m.group(0)]
            new = self.by_id[target[cid]]
            return new.name if kind == "name" else new.demonyms[0]

        return [self.pattern.sub(replace, t) for t in texts]


def varied_records(n: int, seed: int = 0, bases: list[Document] | None = None) -> list[dict[str, str]]:
    """`n` distinct articles as JSONL records (id, title, published, text), varied from the base articles."""
    return list(iter_varied_records(n, seed, bases))


def iter_varied_records(n: int, seed: int = 0, bases: list[Document] | None = None) -> Iterator[dict[str, str]]:
    """`varied_records`, one at a time."""
    bases = bases if bases is not None else base_articles()
    swapper = CountrySwapper()
    parts = [_headline_and_paragraphs(d) for d in bases]
    keys: set[str] = set()
    made = i = 0
    while made < n:
        rng = random.Random(seed * 1_000_003 + i)
        head, paras = parts[i % len(parts)]
        i += 1
        if i > len(parts):  # the first round is the base articles as they are
            rest = paras[1:]
            rng.shuffle(rest)
            keep = max(2, round(len(rest) * rng.uniform(0.75, 1.0)))
            head, *paras = swapper.swap([head, *paras[:1], *rest[:keep]], rng)
        text = "\n\n".join(paras)
        if (key := content_key(head + " " + text)) in keys:
            continue
        keys.add(key)
        published = date(2015, 1, 1) + timedelta(days=rng.randrange(11 * 365))
        yield {"id": f"bench-{made:06d}", "title": head, "published": published.isoformat(), "text": text}
        made += 1


def write_jsonl(records: Iterable[dict[str, str]], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def words(docs: Iterable[Document]) -> int:
    return sum(len(d.text.split()) for d in docs)


# ---------------------------------------------------------------- the machine
def machine() -> dict[str, str]:
    """nproc, memory, CPU model, Python and spaCy versions, date."""
    import spacy

    def run(*argv: str) -> str:
        try:
            return subprocess.run(argv, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "?"

    cpu = "?"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    mem = run("free", "-h").splitlines()
    return {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "nproc": run("nproc"), "cpu": cpu,
            "memory": mem[1].split()[1] if len(mem) > 1 else "?", "python": platform.python_version(),
            "spacy": spacy.__version__, "platform": platform.platform()}


def print_machine() -> None:
    m = machine()
    print(f"# {m['date']}  nproc={m['nproc']}  cpu={m['cpu']}  mem={m['memory']}  "
          f"python={m['python']}  spacy={m['spacy']}")


def _burn(seconds_hint: int) -> float:
    start = time.process_time()
    x = 0
    for i in range(seconds_hint * 8_000_000):
        x += i * i
    return time.process_time() - start


def cpu_parallelism(work: int = 2) -> float:
    """How much faster two processes finish two equal pure-Python loops than one process finishes one
    of them twice over: 2.0 when the machine really gives two cores, 1.0 when it gives one."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        pool.apply(_burn, (0,))
        t = time.perf_counter()
        pool.apply(_burn, (work,))
        one = time.perf_counter() - t
    with ctx.Pool(2) as pool:
        pool.map(_burn, [0, 0])
        t = time.perf_counter()
        pool.map(_burn, [work, work])
        two = time.perf_counter() - t
    return 2 * one / two


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), linear between closest ranks."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)
