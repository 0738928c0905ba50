#!/usr/bin/env python3
"""Assemble the corpus from its annotators' batches, split it, measure agreement, count it.

    python3 corpus/assemble.py merge       # batches/*.{sources,gold}.jsonl -> sources.jsonl, gold.jsonl
    python3 corpus/assemble.py split       # splits.json: train/dev/test by story, balanced by event type
    python3 corpus/assemble.py agreement   # agreement/*.gold.jsonl scored against gold.jsonl, per event type
    python3 corpus/assemble.py stats       # the datasheet's tables (Markdown), as corpus/README.md prints them

`merge` writes the gold in the shared gold's form (validate.canonical_events). `split` is
deterministic: the same corpus gives the same splits. `stats` resolves role fillers to countries
through armsgraph's knowledge base when armsgraph is importable (country pairs), else skips them.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate  # the corpus's own checker, beside this file

CORPUS = validate.CORPUS
EVENT_TYPES = list(validate.ROLES)
SPLIT_SHARES = {"train": 0.70, "dev": 0.15, "test": 0.15}
# annotated articles kept out of training and measurement until a consistency pass (datasheet, step 6)
HELD_BACK = "held_back"
PARTS = (*SPLIT_SHARES, HELD_BACK)
SEED = 20261204


def read(path: Path) -> list[dict[str, Any]]:
    problems: list[str] = []
    rows = validate.read_jsonl(path, problems)
    if problems:
        raise SystemExit("\n".join(problems))
    return rows


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def doc_key(doc_id: str) -> tuple[int, str]:
    m = re.search(r"\d+", doc_id)
    return (int(m.group()) if m else 0, doc_id)


# ---------------------------------------------------------------- merge
def merge() -> None:
    sources, golds = [], []
    for path in sorted((CORPUS / "batches").glob("*.sources.jsonl")):
        sources += read(path)
        golds += read(path.with_name(path.name.replace(".sources.", ".gold.")))
    golds = [{**g, "events": validate.canonical_events(g.get("events") or [])} for g in golds]
    write_jsonl(CORPUS / "sources.jsonl", sorted(sources, key=lambda r: doc_key(str(r["id"]))))
    write_jsonl(CORPUS / "gold.jsonl", sorted(golds, key=lambda g: doc_key(str(g["doc_id"]))))
    print(f"{len(sources)} sources, {len(golds)} gold documents")


# ---------------------------------------------------------------- split
def shingles(text: str, n: int = 5) -> set[str]:
    words = re.findall(r"[0-9a-z]+", text.lower())
    return {" ".join(words[i:i + n]) for i in range(max(0, len(words) - n + 1))}


def stories(sources: list[dict[str, Any]], texts: dict[str, str]) -> list[list[str]]:
    """Documents grouped by story: the same story slug, or texts sharing a fifth of their 5-grams."""
    parent = {str(s["id"]): str(s["id"]) for s in sources}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    by_story: dict[str, str] = {}
    for s in sources:
        slug = str(s.get("story") or s["id"]).lower()
        if slug in by_story:
            union(str(s["id"]), by_story[slug])
        by_story.setdefault(slug, str(s["id"]))
    grams = {d: shingles(t) for d, t in texts.items()}
    ids = sorted(grams, key=doc_key)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            ga, gb = grams[a], grams[b]
            if ga and gb and len(ga & gb) / min(len(ga), len(gb)) > 0.2:
                union(a, b)
    groups: dict[str, list[str]] = collections.defaultdict(list)
    for d in parent:
        groups[find(d)].append(d)
    return sorted((sorted(g, key=doc_key) for g in groups.values()), key=lambda g: doc_key(g[0]))


def annotated(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One event per annotated event: the pairs a many-party event was expanded into count once."""
    seen: set[int] = set()
    out = []
    for e in events:
        if "expanded_from" in e:
            if e["expanded_from"] in seen:
                continue
            seen.add(e["expanded_from"])
        out.append(e)
    return out


def type_counts(gold: dict[str, Any]) -> collections.Counter[str]:
    """Required events per type, as annotated (before many-party events are expanded into pairs)."""
    return collections.Counter(e["type"] for e in annotated(gold.get("events") or []) if e.get("required"))


def split(new_to: str | None = None) -> None:
    """Iterative stratification over story groups (after Sechidis et al., 2011): groups holding the
    scarcest event types are placed first, each in the split whose shares of the group's event types
    (and of documents) are furthest below target, so every type is spread about 70/15/15. Documents
    listed in examined.txt (their extraction errors were read during development) never go to test.
    Documents already in splits.json keep their split; delete the file to split afresh. With
    `new_to` (`--new-to train`), every new story goes to that split instead: batches added after
    the test split was measured grow the training data without changing what is measured."""
    sources = read(CORPUS / "sources.jsonl")
    golds = {str(g["doc_id"]): g for g in read(CORPUS / "gold.jsonl")}
    texts = {d: (CORPUS / "docs" / f"{d}.txt").read_text(encoding="utf-8") for d in golds}
    groups = stories(sources, texts)
    counts = [sum((type_counts(golds[d]) for d in g), collections.Counter()) for g in groups]
    total = sum(counts, collections.Counter())
    want = {s: {t: share * total[t] for t in EVENT_TYPES} for s, share in SPLIT_SHARES.items()}
    want_docs = {s: share * len(golds) for s, share in SPLIT_SHARES.items()}
    rng = random.Random(SEED)
    order = list(range(len(groups)))
    rng.shuffle(order)
    rarity = {i: sum(n / total[t] for t, n in counts[i].items()) for i in order}
    order.sort(key=lambda i: -rarity[i])
    assigned: dict[str, list[str]] = {s: [] for s in PARTS}
    # a published split is frozen: documents already in splits.json keep their split (the sealed
    # test split never changes under later corrections); only new stories are placed
    before = json.loads((CORPUS / "splits.json").read_text()) if (CORPUS / "splits.json").is_file() else {}
    kept = {d: s for s in PARTS for d in before.get(s, [])}
    for i in list(order):
        placed = {kept[d] for d in groups[i] if d in kept}
        if len(placed) == 1:
            target = placed.pop()
            assigned[target] += groups[i]
            if target in SPLIT_SHARES:
                for t, n in counts[i].items():
                    want[target][t] -= n
                want_docs[target] -= len(groups[i])
            order.remove(i)

    def need(s: str, i: int) -> float:
        """How far below its own target split `s` is, for the event types of group `i` and for documents."""
        share = SPLIT_SHARES[s]
        lack = sum(n * want[s][t] / (share * total[t]) for t, n in counts[i].items()) / max(1, sum(counts[i].values()))
        return lack + want_docs[s] / (share * len(golds))

    examined = {line.strip() for line in (CORPUS / "examined.txt").read_text().splitlines()
                if line.strip() and not line.startswith("#")} if (CORPUS / "examined.txt").is_file() else set()
    for i in order:
        if new_to is not None:
            assigned[new_to] += groups[i]
            continue
        allowed = [s for s in SPLIT_SHARES if not (s == "test" and examined & set(groups[i]))]
        target = max(allowed, key=lambda s: (need(s, i), rng.random()))
        assigned[target] += groups[i]
        for t, n in counts[i].items():
            want[target][t] -= n
        want_docs[target] -= len(groups[i])
    out: dict[str, Any] = {s: sorted(ids, key=doc_key) for s, ids in assigned.items() if ids or s in SPLIT_SHARES}
    out["stories"] = [g for g in groups if len(g) > 1]
    (CORPUS / "splits.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    for s in SPLIT_SHARES:
        c = sum((type_counts(golds[d]) for d in out[s]), collections.Counter())
        print(f"{s:<6}{len(out[s]):>5} docs  " + "  ".join(f"{t} {c[t]}" for t in EVENT_TYPES))


# ---------------------------------------------------------------- agreement
def reference_scorer() -> Any:
    path = validate.SHARED / "eval" / "score.py"
    spec = importlib.util.spec_from_file_location("reference_score", path)
    if not spec or not spec.loader:
        raise SystemExit(f"{path}: the reference scorer is needed to measure agreement")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def agreement_table(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The second annotation scored as an export against the first, overall and per event type."""
    mod = reference_scorer()
    texts = {str(g["doc_id"]): (CORPUS / "docs" / f"{g['doc_id']}.txt").read_text(encoding="utf-8") for g in first}
    by_id = {str(g["doc_id"]): g for g in second}
    table: dict[str, dict[str, Any]] = {}
    for scope in ["entities", "events", *EVENT_TYPES]:
        tally: dict[str, int] = {}
        for g in first:
            other = by_id.get(str(g["doc_id"]))
            if other is None:
                continue
            if scope in EVENT_TYPES:
                g = {**g, "events": [e for e in g["events"] if e["type"] == scope]}
                other = {**other, "events": [e for e in other["events"] if e["type"] == scope]}
            mod.score_doc(mod.GoldDoc(g), validate.gold_as_export(other, texts[str(g["doc_id"])]), tally)
        key = "e" if scope == "entities" else "v"
        table[scope] = mod.prf(tally.get(f"{key}_tp", 0), tally.get(f"{key}_fp", 0), tally.get(f"{key}_fn", 0))
        if scope == "events":
            table["status"] = {"matched": tally.get("st_n", 0), "same": tally.get("st_ok", 0)}
    return table


def disagreements(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> list[str]:
    """Per document: the events only one annotator has, and the matched events whose status differs."""
    mod = reference_scorer()
    by_id = {str(g["doc_id"]): g for g in second}
    lines: list[str] = []
    for g in first:
        doc_id = str(g["doc_id"])
        other = by_id[doc_id]
        text = (CORPUS / "docs" / f"{doc_id}.txt").read_text(encoding="utf-8")
        res = mod.score_doc(mod.GoldDoc(g), validate.gold_as_export(other, text), {})
        back = mod.score_doc(mod.GoldDoc(other), validate.gold_as_export(g, text), {})
        tuples = mod.system_tuples(validate.gold_as_export(other, text))
        gdoc = mod.GoldDoc(g)
        status = []
        for ev in g["events"]:
            if not ev.get("required") or not ev.get("status"):
                continue
            found = [t["status"] for t in tuples if mod.event_matches(ev, t, gdoc)]
            if found and not any(st in ev["status"] for st in found):
                status.append(f"{ev['type']} {json.dumps(ev['roles'], ensure_ascii=False)}: "
                              f"first {ev['status']}, second {sorted(set(found))}")
        items = ([f"only first: {x}" for x in res["missed_events"]]
                 + [f"only second: {x}" for x in back["missed_events"]] + [f"status: {x}" for x in status])
        if items:
            lines.append(f"### {doc_id}\n" + "\n".join(f"- {x}" for x in items))
    return lines


def agreement() -> None:
    golds = {str(g["doc_id"]): g for g in read(CORPUS / "gold.jsonl")}
    second: list[dict[str, Any]] = []
    for path in sorted((CORPUS / "agreement").glob("*.gold.jsonl")):
        second += [{**g, "events": validate.canonical_events(g.get("events") or [])} for g in read(path)]
    first = [golds[str(g["doc_id"])] for g in second if str(g["doc_id"]) in golds]
    table = agreement_table(first, second)
    reverse = agreement_table(second, first)
    (CORPUS / "agreement" / "scores.json").write_text(json.dumps(
        {"documents": sorted((str(g["doc_id"]) for g in first), key=doc_key), "second_against_first": table,
         "first_against_second": reverse}, indent=1) + "\n")
    print(f"{len(first)} documents annotated twice. The second annotation is scored as an export against the\n"
          "first (tp, fp, fn, F1), and the first against the second (reverse F1); fp counts events of the\n"
          "second annotation, required or not, that match nothing of the first.\n")
    print("| scope | agreed (tp) | only second (fp) | only first (fn) | F1 | reverse F1 |\n"
          "| --- | ---: | ---: | ---: | ---: | ---: |")
    for scope, r in table.items():
        if scope != "status":
            print(f"| {scope} | {r['tp']} | {r['fp']} | {r['fn']} | {r['f1']:.2f} | {reverse[scope]['f1']:.2f} |")
    st = table["status"]
    print(f"\nstatus: the same on {st['same']} of {st['matched']} matched required events")
    (CORPUS / "agreement" / "disagreements.md").write_text(
        "# Disagreements between the two annotations, as gold.jsonl stands now\n\n"
        "Written by `assemble.py agreement`: required events only one annotator has, and matched events\n"
        "whose statuses differ. Those found before adjudication, and how each was decided, are in\n"
        "ADJUDICATION.md; what is left here are the second annotations' own choices that the\n"
        "adjudication and the guidelines did not take.\n\n"
        + "\n\n".join(disagreements(first, second)) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- stats
def country_of(names: list[str], kb: Any) -> str | None:
    for name in names:
        for entry in kb.lookup(name):
            if entry.country:
                return str(entry.country)
    return None


def stats() -> None:
    sources = read(CORPUS / "sources.jsonl")
    golds = read(CORPUS / "gold.jsonl")
    splits = json.loads((CORPUS / "splits.json").read_text()) if (CORPUS / "splits.json").is_file() else {}
    split_of = {d: s for s in PARTS for d in splits.get(s, [])}
    events = [(g["doc_id"], e) for g in golds for e in annotated(g["events"])]
    scored = sum(1 for g in golds for e in g["events"] if e.get("required"))
    print(f"{len(golds)} articles, {sum(len(g['entities']) for g in golds)} entities "
          f"({sum(1 for g in golds for e in g['entities'] if e.get('required'))} required), {len(events)} events "
          f"({sum(1 for _, e in events if e.get('required'))} required; {scored} required events as the scorer "
          "counts them, many-party events expanded into pairs)\n")
    print("| event type | required | not required | required in train | dev | test | held back |\n"
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for t in EVENT_TYPES:
        req = [d for d, e in events if e["type"] == t and e.get("required")]
        opt = sum(1 for _, e in events if e["type"] == t and not e.get("required"))
        per = collections.Counter(split_of.get(d) for d in req)
        print(f"| {t} | {len(req)} | {opt} | {per['train']} | {per['dev']} | {per['test']} | {per[HELD_BACK]} |")
    print("\n| split | articles |\n| --- | ---: |")
    for s in PARTS:
        print(f"| {s} | {len(splits.get(s, []))} |")

    def table(title: str, counter: collections.Counter[str], top: int | None = None) -> None:
        print(f"\n{title}: {len(counter)} distinct\n\n| {title} | articles |\n| --- | ---: |")
        for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
            print(f"| {k} | {n} |")

    table("shape", collections.Counter(str(s.get("shape")) for s in sources))
    table("year", collections.Counter(str(s["published"])[:4] if s.get("published") else "unknown" for s in sources))
    print(f"\nwith page clutter: {sum(1 for s in sources if s.get('clutter'))} of {len(sources)}")
    table("outlet", collections.Counter(str(s.get("outlet")) for s in sources))
    try:
        from armsgraph.kb import load
        from armsgraph.settings import Settings
    except ImportError:
        print("\n(country pairs need armsgraph installed: skipped)")
        return
    kb = load(Settings().kb_dir)
    pairs: collections.Counter[str] = collections.Counter()
    for g in golds:
        names = {validate.norm(a): e["names"] for e in g["entities"] for a in e["names"]}
        seen = set()
        for ev in g["events"]:
            if not ev.get("required"):
                continue
            keys = validate.KEY_ROLES[ev["type"]]
            sides = ev["roles"][keys[0]] if len(keys) == 1 else [ev["roles"].get(k) or [] for k in keys]
            countries = [country_of(names.get(validate.norm(side[0]), side) if side else [], kb) for side in sides]
            if len(countries) == 2 and all(countries) and countries[0] != countries[1]:
                seen.add("–".join(sorted(c for c in countries if c)))
        pairs.update(seen)
    table("country pair (by the knowledge base's countries of the key role fillers)", pairs, top=60)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=["merge", "split", "agreement", "stats"])
    ap.add_argument("--new-to", choices=sorted(PARTS),
                    help="split: put every new story in this split (default: stratify them)")
    a = ap.parse_args(argv)
    if a.step == "split":
        split(a.new_to)
    else:
        {"merge": merge, "agreement": agreement, "stats": stats}[a.step]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
