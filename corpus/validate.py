#!/usr/bin/env python3
"""Check the annotated corpus against the ontology's contract (standard library only).

    python3 corpus/validate.py                 # the merged corpus: sources.jsonl, gold.jsonl, docs/
    python3 corpus/validate.py --batch b3      # one annotator's batch under corpus/batches/
    python3 corpus/validate.py --gold FILE     # any gold file whose documents are in docs/

Checks, for every document:
  1. its text exists under docs/, is UTF-8 and not empty; it has one sources line and one gold line;
  2. every entity has an ontology type and a list of names; a required entity's first name occurs
     verbatim in the text;
  3. every event has an ontology type, only that type's roles, its key roles, statuses from the
     ontology (``interest`` only for supply); pair roles (parties, partners) hold exactly two fillers,
     as the reference scorer reads them; every entity-role name is one of the document's entity names;
  4. ids are unique (documents, sources);
  5. no source is a held-out evaluation article (``../shared/tools/heldout.sha256``, when present) and
     no text holds an 8-word run of the shared seed and dev articles;
  6. the reference scorer (``../shared/eval/score.py``, when present) gives 1.0 on an export built
     from the gold itself: the gold is self-consistent and every event can be matched.

Prints one line per problem and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import itertools
import json
import re
import sys
import unicodedata
import urllib.parse
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent
SHARED = CORPUS.parent.parent / "shared"

# The ontology's types, roles and statuses (ontology.md). Extraction v2 moves these into one data
# file that this validator will read; until then they are stated here, once.
ENTITY_TYPES = {"COUNTRY", "COMPANY", "GOVERNMENT", "MILITARY", "ORGANIZATION", "PERSON", "WEAPON",
                "LOCATION", "AGREEMENT", "EVENT"}
ROLES = {
    "cooperation": {"parties"},
    "agreement": {"parties", "kind", "name"},
    "meeting": {"parties", "location"},
    "supply": {"supplier", "recipient", "product"},
    "facility": {"builder", "host", "location", "product"},
    "subsidiary": {"parent", "host", "name"},
    "joint_production": {"partners", "product"},
    "modernization": {"contractor", "platform", "operator", "equipment"},
    "combat_use": {"user", "product", "conflict"},
}
KEY_ROLES = {"cooperation": ("parties",), "agreement": ("parties",), "meeting": ("parties",),
             "joint_production": ("partners",), "supply": ("supplier", "recipient"),
             "facility": ("builder", "host"), "subsidiary": ("parent", "host"),
             "modernization": ("contractor", "platform"), "combat_use": ("user", "product")}
PAIR_ROLES = {"parties", "partners"}
FREE_TEXT_ROLES = {"product", "kind", "name", "equipment", "conflict"}
STATUSES = {"announced", "agreed", "in_progress", "completed", "cancelled", "interest"}
AGREEMENT_KINDS = {"mou", "contract", "declaration", "treaty", "other"}
SHAPES = {"wire", "trade", "government", "brief", "feature", "blog", "news"}
SOURCE_FIELDS = ("id", "url", "outlet", "headline", "published", "shape", "clutter", "story")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def norm(s: str) -> str:
    """The reference scorer's name folding (case, diacritics, possessives, punctuation)."""
    s = s.replace("ı", "i").replace("İ", "I")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = re.sub(r"['’`]s\b", "", s)
    s = re.sub(r"^the\s+", "", s.strip())
    return re.sub(r"[^0-9a-z]+", "", s)


def read_jsonl(path: Path, problems: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if not path.is_file():
        problems.append(f"{path}: missing")
        return rows
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            problems.append(f"{path}:{n}: not JSON ({exc})")
            continue
        if isinstance(row, dict):
            rows.append(row)
        else:
            problems.append(f"{path}:{n}: not a JSON object")
    return rows


def doc_text(doc_id: str, problems: list[str]) -> str | None:
    path = CORPUS / "docs" / f"{doc_id}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{doc_id}: cannot read {path.name} ({exc})")
        return None
    if not text.strip():
        problems.append(f"{doc_id}: {path.name} is empty")
        return None
    return text


def check_entities(doc_id: str, gold: dict[str, Any], text: str, problems: list[str]) -> set[str]:
    names: set[str] = set()
    for i, ent in enumerate(gold.get("entities") or []):
        where = f"{doc_id} entity {i}"
        if ent.get("type") not in ENTITY_TYPES:
            problems.append(f"{where}: type {ent.get('type')!r} is not an ontology type")
        alts = ent.get("names")
        if not isinstance(alts, list) or not alts or not all(isinstance(a, str) and a.strip() for a in alts):
            problems.append(f"{where}: names must be a non-empty list of strings")
            continue
        if not isinstance(ent.get("required"), bool):
            problems.append(f"{where} ({alts[0]}): required must be true or false")
        if ent.get("required") and alts[0] not in text:
            problems.append(f"{where}: first name {alts[0]!r} does not occur in the text")
        names |= {norm(a) for a in alts}
    return names


def canonical_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The annotators' form (every role a list of fillers, each a list of names) in the shared gold's form.

    The reference scorer reads a pair role (parties, partners) as exactly two fillers and any other
    role as one filler's list of acceptable names. So three parties become three pair events, two
    recipients two events, and several products one list of acceptable products. A role already in
    the shared form (a flat list of names) is kept as it is. The events that one annotated event
    became carry its index as ``expanded_from`` (the scorer ignores the key).
    """
    out: list[dict[str, Any]] = []
    for index, ev in enumerate(events):
        roles = ev.get("roles")
        if not isinstance(roles, dict):
            out.append(ev)
            continue
        variants: list[dict[str, Any]] = [{}]
        for role, value in roles.items():
            nested = isinstance(value, list) and value and all(isinstance(f, list) for f in value)
            if not nested:
                options = [value]
            elif role in PAIR_ROLES:
                options = [[a, b] for a, b in itertools.combinations(value, 2)] if len(value) > 2 else [value]
            elif role in FREE_TEXT_ROLES:
                options = [list(dict.fromkeys(a for f in value for a in f))]
            else:
                options = list(value)
            variants = [{**v, role: o} for v in variants for o in options]
        # events expanded from one annotated event keep its index, so that counts can be per annotation
        out += [{**ev, "roles": v, **({"expanded_from": index} if len(variants) > 1 else {})} for v in variants]
    return out


def check_events(doc_id: str, gold: dict[str, Any], names: set[str], problems: list[str]) -> None:
    for i, ev in enumerate(gold.get("events") or []):
        t = ev.get("type")
        where = f"{doc_id} event {i} ({t})"
        if t not in ROLES:
            problems.append(f"{where}: not an ontology event type")
            continue
        roles = ev.get("roles")
        if not isinstance(roles, dict):
            problems.append(f"{where}: roles must be an object")
            continue
        for role in sorted(set(roles) - ROLES[t]):
            problems.append(f"{where}: role {role!r} is not a role of {t}")
        for role in KEY_ROLES[t]:
            if not roles.get(role):
                problems.append(f"{where}: key role {role!r} is missing")
        for role, value in roles.items():
            fillers = value if role in PAIR_ROLES else [value]
            if not isinstance(value, list) or not all(
                    isinstance(f, list) and f and all(isinstance(a, str) and a.strip() for a in f) for f in fillers):
                shape = "two fillers, each a list of names" if role in PAIR_ROLES else "a list of acceptable names"
                problems.append(f"{where}: role {role!r} must be {shape}")
                continue
            if role in PAIR_ROLES and len(fillers) != 2:
                problems.append(f"{where}: {role} holds {len(fillers)} fillers; the scorer reads exactly two")
            if role not in FREE_TEXT_ROLES:
                for alt in (a for f in fillers for a in f):
                    if norm(alt) not in names:
                        problems.append(f"{where}: {role} name {alt!r} is not a name of an entity of the document")
            if role == "kind" and value[0] not in AGREEMENT_KINDS:
                problems.append(f"{where}: kind {value[0]!r} is not one of {sorted(AGREEMENT_KINDS)}")
        status = ev.get("status")
        if status is not None:
            if not isinstance(status, list) or not status or not set(status) <= STATUSES:
                problems.append(f"{where}: status must be a list of {sorted(STATUSES)}")
            elif "interest" in status and t != "supply":
                problems.append(f"{where}: status 'interest' is for supply only")
        if not isinstance(ev.get("required"), bool):
            problems.append(f"{where}: required must be true or false")


def check_source(row: dict[str, Any], problems: list[str]) -> None:
    where = f"sources {row.get('id')}"
    for field in SOURCE_FIELDS:
        if field not in row:
            problems.append(f"{where}: field {field!r} is missing")
    if row.get("shape") not in SHAPES:
        problems.append(f"{where}: shape {row.get('shape')!r} is not one of {sorted(SHAPES)}")
    if row.get("published") is not None and not DATE.match(str(row.get("published"))):
        problems.append(f"{where}: published {row.get('published')!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    if not isinstance(row.get("clutter"), bool):
        problems.append(f"{where}: clutter must be true or false")
    if not str(row.get("url", "")).startswith(("http://", "https://")):
        problems.append(f"{where}: url must be an http(s) address")


def heldout_hashes() -> set[str]:
    path = SHARED / "tools" / "heldout.sha256"
    return set(path.read_text().split()) if path.is_file() else set()


def is_held_out(value: str, hashes: set[str]) -> bool:
    """The held-out check's own normalisation (shared/tools/heldout-check)."""
    if re.match(r"^[a-z]+://", value.strip(), re.I):
        p = urllib.parse.urlsplit(value.strip().lower())
        host = p.netloc.split("@")[-1].split(":")[0]
        host = host[4:] if host.startswith("www.") else host
        key = "url:" + host + urllib.parse.unquote(p.path).rstrip("/")
    else:
        key = "headline:" + " ".join(re.findall(r"[0-9a-z]+", value.lower()))
    return hashlib.sha256(key.encode()).hexdigest() in hashes


def runs(text: str) -> set[str]:
    words = re.findall(r"[0-9a-zA-Z]+", text.lower())
    return {" ".join(words[i:i + 8]) for i in range(len(words) - 7)}


def gold_as_export(gold: dict[str, Any], text: str) -> dict[str, Any]:
    """An export record that states exactly the gold: one entity per gold entity, one event per gold event."""
    entities, by_name = [], {}
    for i, ent in enumerate(gold.get("entities") or []):
        eid = f"e{i}"
        mentions = [{"text": a, "start": text.find(a), "end": text.find(a) + len(a)}
                    for a in ent["names"] if a in text]
        entities.append({"id": eid, "type": ent["type"], "name": ent["names"][0], "aliases": ent["names"],
                         "mentions": mentions})
        for a in ent["names"]:
            by_name.setdefault(norm(a), eid)
    events = []
    for i, ev in enumerate(gold.get("events") or []):
        roles = {role: [f[0] if role in FREE_TEXT_ROLES else by_name.get(norm(f[0]), f[0])
                        for f in (value if role in PAIR_ROLES else [value])]
                 for role, value in ev["roles"].items()}
        events.append({"id": f"v{i}", "type": ev["type"], "roles": roles,
                       "status": (ev.get("status") or [None])[0], "evidence": []})
    return {"doc_id": gold["doc_id"], "text": text, "entities": entities, "events": events}


def score_self(golds: list[dict[str, Any]], texts: dict[str, str], problems: list[str]) -> None:
    scorer = SHARED / "eval" / "score.py"
    if not scorer.is_file():
        return
    spec = importlib.util.spec_from_file_location("reference_score", scorer)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    tally: dict[str, int] = {}
    for g in golds:
        if g["doc_id"] not in texts:
            continue
        res = mod.score_doc(mod.GoldDoc(g), gold_as_export(g, texts[g["doc_id"]]), tally)
        for part in ("entities", "events"):
            if res[part]["tp"] + res[part]["fn"] and res[part]["f1"] < 1.0:
                problems.append(f"{g['doc_id']}: the reference scorer gives {part} F1 {res[part]['f1']} on the gold "
                                f"itself (missed {res['missed_events']}, spurious {res['spurious_events']})")


def validate(sources_path: Path, gold_path: Path, need_sources: bool = True,
             annotators_form: bool = False) -> list[str]:
    problems: list[str] = []
    golds = read_jsonl(gold_path, problems)
    if annotators_form:
        golds = [{**g, "events": canonical_events(g.get("events") or [])} for g in golds]
    sources = read_jsonl(sources_path, problems) if need_sources else []
    seen: set[str] = set()
    for g in golds:
        if g.get("doc_id") in seen:
            problems.append(f"{g.get('doc_id')}: two gold lines")
        seen.add(str(g.get("doc_id")))
    source_ids = [str(s.get("id")) for s in sources]
    for sid in sorted({s for s in source_ids if source_ids.count(s) > 1}):
        problems.append(f"{sid}: two sources lines")
    if need_sources:
        for missing in sorted(seen - set(source_ids)):
            problems.append(f"{missing}: gold but no sources line")
        for missing in sorted(set(source_ids) - seen):
            problems.append(f"{missing}: sources line but no gold")
    hashes = heldout_hashes()
    for s in sources:
        check_source(s, problems)
        for field in ("url", "headline"):
            if s.get(field) and is_held_out(str(s[field]), hashes):
                problems.append(f"{s.get('id')}: its {field} is a held-out evaluation article: remove it")
    shared_runs: set[str] = set()
    for p in (SHARED / "corpus").rglob("*.txt") if (SHARED / "corpus").is_dir() else []:
        shared_runs |= runs(p.read_text(encoding="utf-8", errors="replace"))
    texts: dict[str, str] = {}
    for g in golds:
        doc_id = str(g.get("doc_id"))
        text = doc_text(doc_id, problems)
        if text is None:
            continue
        texts[doc_id] = text
        if shared_runs and (n := len(runs(text) & shared_runs)):
            problems.append(f"{doc_id}: holds {n} 8-word runs of the shared seed/dev articles")
        names = check_entities(doc_id, g, text, problems)
        check_events(doc_id, g, names, problems)
    if not problems:
        score_self(golds, texts, problems)
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", help="validate corpus/batches/BATCH.{sources,gold}.jsonl")
    ap.add_argument("--gold", type=Path, help="validate this gold file only (no sources needed)")
    ap.add_argument("--annotators-form", action="store_true",
                    help="the gold writes every role as a list of fillers (as the batches do)")
    a = ap.parse_args(argv)
    if a.gold:
        problems = validate(Path(), a.gold, need_sources=False, annotators_form=a.annotators_form)
    elif a.batch:
        batch = CORPUS / "batches" / a.batch
        problems = validate(batch.with_suffix(".sources.jsonl"), batch.with_suffix(".gold.jsonl"), annotators_form=True)
    else:
        problems = validate(CORPUS / "sources.jsonl", CORPUS / "gold.jsonl")
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
