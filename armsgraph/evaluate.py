"""Scoring against gold annotations, by the rules of ontology.md ("Gold files and scoring").

Entities: a gold entity is found when a system entity's name or a mention folds
to one of its names; events match one-to-one by type and key roles (pair roles
expanded to pairs; a gold product must match); statuses are compared over
matched events; resolution pairs are checked in the fused knowledge base.
Matching is a maximum bipartite matching that serves required gold items first.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

from armsgraph.errors import GoldFileError
from armsgraph.export import knowledge_base, records
from armsgraph.ontology import ONTOLOGY
from armsgraph.resolve.names import ascii_fold
from armsgraph.resolve.names import fold as name_fold
from armsgraph.store import Store

KEY_ROLES = ONTOLOGY.key_roles
PAIR_ROLES = ONTOLOGY.pair_roles


def fold(text: str) -> str:
    """The scoring rules' name key: case, diacritics, possessives and punctuation folded, ASCII only."""
    return re.sub(r"[^0-9a-z]+", "", name_fold(text))


def free_words(text: str) -> str:
    """Folded words with a plural 's' dropped, for free-text containment ('aerial bombs' ~ 'bomb')."""
    text = ascii_fold(text).casefold()
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in re.findall(r"[0-9a-z]+", text))


def _matching(edges: dict[int, list[int]], required: list[bool]) -> dict[int, int]:
    """gold -> system, maximum matching over required gold first, then the rest."""
    def run(allowed: dict[int, list[int]], taken: dict[int, int]) -> dict[int, int]:
        owner = dict(taken)  # system -> gold

        def augment(g: int, seen: set[int]) -> bool:
            for s in allowed.get(g, []):
                if s in seen:
                    continue
                seen.add(s)
                if s not in owner or augment(owner[s], seen):
                    owner[s] = g
                    return True
            return False

        for g in allowed:
            augment(g, set())
        return owner

    req = {g: ss for g, ss in edges.items() if required[g]}
    owner = run(req, {})
    opt = {g: [s for s in ss if s not in owner] for g, ss in edges.items() if not required[g]}
    owner = run(opt, owner)
    return {g: s for s, g in owner.items()}


class Gold:
    def __init__(self, rec: dict[str, Any]) -> None:
        self.id = rec["doc_id"]
        self.entities = rec["entities"]
        self.events = rec["events"]
        self.name_sets = [{fold(n) for n in e["names"]} for e in self.entities]

    def alternatives(self, names: list[str]) -> set[str]:
        out: set[str] = set()
        for n in names:
            k = fold(n)
            out |= next((s for s in self.name_sets if k in s), {k})
        return out

    def free_alternatives(self, names: list[str]) -> set[str]:
        out = {free_words(n) for n in names}
        for n in names:
            for e in self.entities:
                if fold(n) in {fold(x) for x in e["names"]}:
                    out |= {free_words(x) for x in e["names"]}
        return out - {""}


def entity_names(ent: dict[str, Any]) -> set[str]:
    names = {fold(ent.get("name") or "")} | {fold(m.get("text") or "") for m in ent.get("mentions") or []}
    names |= {fold(a) for a in ent.get("aliases") or []}
    return names - {""}


def _tuples(rec: dict[str, Any]) -> list[dict[str, Any]]:
    ents = {e["id"]: e for e in rec.get("entities", [])}

    def values(ev: dict[str, Any], role: str) -> list[set[str]]:
        return [entity_names(ents[v]) if v in ents else {fold(v)} for v in ev["roles"].get(role, [])]

    def texts(ev: dict[str, Any]) -> list[str]:
        out = []
        for v in ev["roles"].get("product", []):
            if v in ents:
                out += [free_words(ents[v]["name"])] + [free_words(m["text"]) for m in ents[v]["mentions"]]
            else:
                out.append(free_words(v))
        return [x for x in out if x]

    out = []
    for ev in rec.get("events", []):
        etype = ev.get("type")
        if etype not in KEY_ROLES:
            continue  # not an event type of the ontology: nothing to match
        if etype in PAIR_ROLES:
            keys = list(itertools.combinations(values(ev, PAIR_ROLES[etype]), 2))
        else:
            r1, r2 = KEY_ROLES[etype]
            keys = list(itertools.product(values(ev, r1), values(ev, r2)))
        out += [{"type": etype, "key": k, "status": ev.get("status"), "product": texts(ev)} for k in keys]
    return out


def _free_match(alts: set[str], values: list[str]) -> bool:
    return any(a == v or f" {a} " in f" {v} " or f" {v} " in f" {a} " for a in alts for v in values)


def event_match(g: dict[str, Any], s: dict[str, Any], gold: Gold) -> bool:
    if g["type"] != s["type"]:
        return False
    a, b = s["key"]
    roles = g["roles"]
    if g["type"] in PAIR_ROLES:
        x, y = (gold.alternatives(side) for side in roles[PAIR_ROLES[g["type"]]])
        if not ((a & x and b & y) or (a & y and b & x)):
            return False
    else:
        r1, r2 = KEY_ROLES[g["type"]]
        if not a & gold.alternatives(roles[r1]):
            return False
        if r2 == "product":
            if not _free_match(gold.free_alternatives(roles[r2]), s["product"]):
                return False
        elif not b & gold.alternatives(roles[r2]):
            return False
    if "product" in roles and "product" not in KEY_ROLES[g["type"]]:
        return _free_match(gold.free_alternatives(roles["product"]), s["product"])
    return True


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def score(gold_records: list[dict[str, Any]], system: dict[str, dict[str, Any]],
          kb: dict[str, Any] | None = None, pairs: dict[str, Any] | None = None) -> dict[str, Any]:
    tally = dict.fromkeys(("etp", "efp", "efn", "vtp", "vfp", "vfn", "st_n", "st_ok", "spans", "bad"), 0)
    per_doc = []
    for grec in gold_records:
        gold, rec = Gold(grec), system.get(grec["doc_id"], {})
        sys_ents = rec.get("entities", [])
        edges = {g: [i for i, se in enumerate(sys_ents) if entity_names(se) & gold.name_sets[g]]
                 for g in range(len(gold.entities))}
        m = _matching(edges, [e["required"] for e in gold.entities])
        etp = sum(1 for g in m if gold.entities[g]["required"])
        efn = sum(1 for g, e in enumerate(gold.entities) if e["required"] and g not in m)
        efp = len(sys_ents) - len(m)
        tuples = _tuples(rec)
        vedges = {g: [i for i, s in enumerate(tuples) if event_match(ge, s, gold)]
                  for g, ge in enumerate(gold.events)}
        vm = _matching(vedges, [e["required"] for e in gold.events])
        vtp = sum(1 for g in vm if gold.events[g]["required"])
        vfn = sum(1 for g, e in enumerate(gold.events) if e["required"] and g not in vm)
        vfp = len(tuples) - len(vm)
        for g, i in vm.items():
            ge = gold.events[g]
            if ge["required"] and ge.get("status"):
                tally["st_n"] += 1
                tally["st_ok"] += tuples[i]["status"] in ge["status"]
        text = rec.get("text", "")
        spans = [x for e in sys_ents for x in e.get("mentions", [])]
        spans += [x for ev in rec.get("events", []) for x in ev.get("evidence", [])]
        tally["spans"] += len(spans)
        tally["bad"] += sum(1 for x in spans if text[x["start"]:x["end"]] != x["text"])
        for k, v in {"etp": etp, "efp": efp, "efn": efn, "vtp": vtp, "vfp": vfp, "vfn": vfn}.items():
            tally[k] += v
        per_doc.append({"doc_id": gold.id, "entity": _prf(etp, efp, efn), "event": _prf(vtp, vfp, vfn),
                        "missed_events": [f"{e['type']} {json.dumps(e['roles'], ensure_ascii=False)}"
                                          for g, e in enumerate(gold.events) if e["required"] and g not in vm]})
    out: dict[str, Any] = {
        "docs": len(gold_records),
        "entity": _prf(tally["etp"], tally["efp"], tally["efn"]),
        "event": _prf(tally["vtp"], tally["vfp"], tally["vfn"]),
        "status_accuracy": round(tally["st_ok"] / tally["st_n"], 4) if tally["st_n"] else 0.0,
        "spans": tally["spans"], "bad_spans": tally["bad"], "per_doc": per_doc,
    }
    if kb is not None and pairs is not None:
        out["resolution"] = _resolution(kb, pairs)
    return out


def _resolution(kb: dict[str, Any], pairs: dict[str, Any]) -> dict[str, Any]:
    index = [entity_names(e) for e in kb["entities"]]

    def holders(name: str) -> set[int]:
        return {i for i, names in enumerate(index) if fold(name) in names}

    ok, failed = 0, []
    for a, b in pairs.get("same", []):
        if holders(a) & holders(b):
            ok += 1
        else:
            failed.append(f"same {a} / {b}")
    for a, b in pairs.get("different", []):
        if holders(a) and holders(b) and not holders(a) & holders(b):
            ok += 1
        else:
            failed.append(f"different {a} / {b}")
    n = len(pairs.get("same", [])) + len(pairs.get("different", []))
    return {"accuracy": round(ok / n, 4) if n else 0.0, "pairs": n, "failed": failed}


def _load_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        raise GoldFileError(f"{path}: cannot read gold file ({exc}); give a JSONL gold file") from exc


def score_store(store: Store, gold_path: Path, resolution_path: Path | None = None) -> dict[str, Any]:
    gold = _load_jsonl(gold_path)
    system = {r["doc_id"]: r for r in records(store)}
    pairs = None
    if resolution_path is not None:
        try:
            pairs = json.loads(resolution_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise GoldFileError(f"{resolution_path}: cannot read resolution pairs ({exc})") from exc
    return score(gold, system, knowledge_base(store) if pairs is not None else None, pairs)


def render(s: dict[str, Any]) -> str:
    lines = [f"{'doc':<16}{'ent P':>7}{'ent R':>7}{'ent F1':>8}{'evt P':>7}{'evt R':>7}{'evt F1':>8}"]
    for d in s["per_doc"] + [{"doc_id": "ALL", "entity": s["entity"], "event": s["event"]}]:
        e, v = d["entity"], d["event"]
        lines.append(f"{d['doc_id']:<16}{e['precision']:>7.2f}{e['recall']:>7.2f}{e['f1']:>8.2f}"
                     f"{v['precision']:>7.2f}{v['recall']:>7.2f}{v['f1']:>8.2f}")
    lines.append(f"status accuracy {s['status_accuracy']:.2f} · spans {s['spans']} ({s['bad_spans']} wrong offsets)")
    if "resolution" in s:
        r = s["resolution"]
        lines.append(f"resolution accuracy {r['accuracy']:.2f} over {r['pairs']} pairs")
        lines += [f"  failed: {f}" for f in r["failed"]]
    for d in s["per_doc"]:
        lines += [f"  missed {d['doc_id']}: {m}" for m in d["missed_events"]]
    return "\n".join(lines)
