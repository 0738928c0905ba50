"""The ontology as data, the learned event extractor and its training command."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import yaml

from armsgraph import Document, Pipeline, Settings
from armsgraph.components import PRESETS, REGISTRY, check, replace
from armsgraph.errors import ArmsgraphError, KnowledgeBaseError
from armsgraph.extract import learned
from armsgraph.ontology import ONTOLOGY, ONTOLOGY_FILE
from armsgraph.train import train

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def test_ontology_file_has_no_key_the_loader_does_not_read() -> None:
    raw = yaml.safe_load(ONTOLOGY_FILE.read_text())
    assert set(raw) == {"entity_types", "statuses", "agreement_kinds", "events", "derived"}
    for spec in raw["events"].values():
        assert set(spec) <= {"label", "colour", "key", "roles", "product_in_key"}
        for role in spec["roles"].values():
            assert set(role) <= {"types", "text", "pair"}
    for status in raw["statuses"]:
        assert set(status) <= {"name", "label", "only"}
    for rule in raw["derived"]:
        assert set(rule) <= {"from", "to", "status", "status_to", "roles", "cue", "fill"}
        for how in rule["fill"].values():
            assert set(how) <= {"from", "types", "value", "weapons_in_evidence"}


def test_ontology_is_the_one_source_of_types() -> None:
    from armsgraph import model
    from armsgraph.report import TYPE_COLOURS, TYPE_LABELS

    assert tuple(ONTOLOGY.events) == model.EVENT_TYPES and set(TYPE_LABELS) == set(TYPE_COLOURS) == set(ONTOLOGY.events)
    assert ONTOLOGY.key_roles["supply"] == ("supplier", "recipient")
    assert ONTOLOGY.pair_roles["joint_production"] == "partners"
    assert ONTOLOGY.status_only["interest"] == ("supply",)
    assert "PERSON" in ONTOLOGY.role_types("meeting", "parties")
    assert "PERSON" not in ONTOLOGY.role_types("cooperation", "parties")


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The project's modules a file imports at module level (imports inside functions are lazy).
    `from pkg import sub` imports the submodule `pkg.sub`, not what pkg/__init__ defines."""
    out = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("armsgraph"):
            subs = {f"{node.module}.{a.name}" for a in node.names} & modules
            out |= subs if len(subs) == len(node.names) else {node.module, *subs}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("armsgraph")}
    return out


def _module_graph() -> dict[str, set[str]]:
    mods = {}
    for path in (ROOT / "armsgraph").rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        mods[name] = path
    return {m: {i for i in _imports(p, set(mods)) if i in mods and i != m} for m, p in mods.items()}


def test_no_import_cycles_and_the_store_does_not_import_the_extractor() -> None:
    graph = _module_graph()
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for n in graph[m]:
            if state.get(n) == 1 and not cycle:
                cycle.extend([*stack[stack.index(n):], n] if n in stack else [m, n])
            elif n not in state:
                visit(n, [*stack, n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycle == []
    reach, todo = set(), ["armsgraph.store"]
    while todo:
        for n in graph[todo.pop()]:
            if n not in reach:
                reach.add(n)
                todo.append(n)
    assert not any(m.startswith("armsgraph.extract") for m in reach)


@pytest.fixture(scope="module")
def rules_pipeline() -> Pipeline:
    return Pipeline(Settings(components=PRESETS["rules"]))


def _doc(text: str) -> Document:
    return Document(doc_id="t1", text=text, published="2024-05-01")


def test_candidates_pair_entities_of_one_sentence_and_skip_one_state(rules_pipeline: Pipeline) -> None:
    from armsgraph.extract.events import rule_events

    doc = _doc("Chile orders frigates\n\nChile has ordered two frigates from Naval Group of France.\n"
               "The Chilean Navy thanked Chile.")
    [sdoc] = rules_pipeline.annotator([doc.text])
    from armsgraph.nlp.mentions import find_mentions
    from armsgraph.resolve.entities import resolve_mentions

    doc.entities = resolve_mentions(find_mentions(sdoc, rules_pipeline.kb, rules_pipeline.annotator.matcher),
                                    rules_pipeline.kb, doc.text)
    rules = rule_events(doc, sdoc, rules_pipeline.kb)
    cands = learned.prepare(doc, sdoc, rules)
    names = {(c.type, c.first.name, c.second.name) for c in cands}
    assert ("supply", "Naval Group", "Chile") in names
    assert not any({c.first.country, c.second.country} == {"CHL"} for c in cands)  # Chile with its own navy
    stated = [c for c in cands if c.rule is not None]
    assert stated and all(c.features.get("rule") == 1.0 for c in stated)
    assert all("path=" in " ".join(c.features) for c in cands)


def test_model_keeps_by_its_thresholds() -> None:
    model = learned.Model(types={"supply": {"bias": 0.0, "weights": {"x": 2.0}, "threshold": 0.8,
                                            "drop_rule_below": 0.3}}, status={}, meta={})
    p = model.probability("supply", {"x": 1.0})
    assert 0.87 < p < 0.89 and model.keeps("supply", p)
    assert not model.keeps("supply", model.probability("supply", {}))  # 0.5: a new candidate needs 0.8
    assert model.keeps("supply", 0.5, stated_by_rule=True) and not model.keeps("supply", 0.2, stated_by_rule=True)
    assert model.keeps("meeting", 0.0, stated_by_rule=True) and not model.keeps("meeting", 0.99)


def test_missing_model_names_the_file_and_the_command(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as err:
        learned.load_model(tmp_path / "none.json")
    assert "none.json" in str(err.value) and "armsgraph train" in str(err.value)
    assert "--events rules" in str(err.value)
    from armsgraph.nlp import typer

    (tmp_path / "broken.json").write_text("{\"weights\": {}}", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as err:
        typer.load_model(tmp_path / "broken.json")
    assert "broken.json" in str(err.value) and "--components rules" in str(err.value)


def test_settings_list_the_components_and_a_learned_one_replaces_a_rule_one() -> None:
    rules = Pipeline(Settings(components=PRESETS["rules"]))
    learned_pipeline = Pipeline(Settings(components=PRESETS["learned"]))
    assert [n for n, _ in rules.components] == ["mentions", "entities", "stray", "rule_events"]
    assert [n for n, _ in learned_pipeline.components] == ["learned_mentions", "entities", "stray", "learned_events"]
    for a, b in zip(PRESETS["rules"], PRESETS["learned"], strict=True):  # each learned one assigns what it replaces
        assert REGISTRY[a].assigns == REGISTRY[b].assigns and REGISTRY[a].requires == REGISTRY[b].requires
    text = "Chile has ordered two frigates from Naval Group of France, the navy said on Monday."
    by_rules = rules.process([_doc(text)])[0]
    by_model = learned_pipeline.process([_doc(text)])[0]
    assert by_rules.entities and by_model.entities
    assert all(0.0 <= (e.confidence or 0.0) <= 1.0 for e in by_model.events)


def test_the_default_pipeline_is_the_learned_preset() -> None:
    assert Settings().components == PRESETS["learned"]
    assert Settings().models_dir.is_dir() and (Settings().models_dir / "events.json").is_file()


def test_a_component_list_that_breaks_a_requirement_is_refused() -> None:
    with pytest.raises(ArmsgraphError, match="requires entities"):
        Pipeline(Settings(components=("mentions", "stray", "rule_events")))
    with pytest.raises(ArmsgraphError, match="unknown pipeline component 'magic'"):
        Pipeline(Settings(components=("magic",)))
    with pytest.raises(ArmsgraphError, match="requires mentions"):
        check(("entities",))
    assert replace(PRESETS["rules"], "events", "learned_events") == ("mentions", "entities", "stray", "learned_events")


def test_every_registered_component_is_documented_and_reachable() -> None:
    assert set(REGISTRY) == {n for preset in PRESETS.values() for n in preset}
    assert all(reg.summary and reg.summary != reg.name for reg in REGISTRY.values())


def test_train_on_a_small_sample_is_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`armsgraph train` works, is seeded (the same corpus gives the same files), and never reads the test split."""
    import armsgraph.train as train_module

    read: list[str] = []
    real = train_module.read_paths

    def recording(paths, *args, **kwargs):  # type: ignore[no-untyped-def]
        read.extend(Path(p).stem for p in paths)
        return real(paths, *args, **kwargs)

    monkeypatch.setattr(train_module, "read_paths", recording)
    first, second = tmp_path / "a", tmp_path / "b"
    meta = train(CORPUS, first, limit=8)
    train(CORPUS, second, limit=8)
    for name in ("events.json", "entities.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    model = json.loads((first / "events.json").read_text())
    typer_model = json.loads((first / "entities.json").read_text())
    events_meta = meta["events"]
    assert events_meta["train_documents"] == 8 and events_meta["train_facts"] > 0
    assert len(events_meta["corpus_sha256"]) == 64 and meta["entities"]["corpus_sha256"] == events_meta["corpus_sha256"]
    assert model["types"] and all({"bias", "weights", "threshold", "drop_rule_below"} <= set(t)
                                  for t in model["types"].values())
    assert "NONE" in typer_model["weights"] and set(typer_model["cuts"]) == {"add_above", "drop_above", "retype_above"}
    # the trained folder is a models folder the pipeline reads
    trained = Pipeline(Settings(components=PRESETS["learned"], models_dir=first))
    assert trained.process([_doc("Chile has ordered two frigates from Naval Group of France.")])
    test_ids = set(json.loads((CORPUS / "splits.json").read_text())["test"])
    assert read and not test_ids & set(read)


def test_shipped_models_record_what_they_were_trained_on() -> None:
    from armsgraph.nlp import typer
    from armsgraph.train import corpus_hash

    splits = json.loads((CORPUS / "splits.json").read_text())
    for meta in (learned.load_model().meta, typer.load_model().meta):
        assert meta["train_documents"] == len(splits["train"]) and meta["dev_documents"] == len(splits["dev"])
        assert meta["corpus_sha256"] == corpus_hash(CORPUS, splits["train"] + splits["dev"]), \
            "the corpus changed since the models were trained: run `armsgraph train`"


def _annotated(pipeline: Pipeline, text: str) -> tuple[Document, object, list[learned.Fact]]:
    from armsgraph.extract.events import rule_events
    from armsgraph.nlp.mentions import find_mentions
    from armsgraph.resolve.entities import resolve_mentions

    doc = _doc(text)
    [sdoc] = pipeline.annotator([doc.text])
    doc.entities = resolve_mentions(find_mentions(sdoc, pipeline.kb, pipeline.annotator.matcher), pipeline.kb, doc.text)
    return doc, sdoc, learned.facts(doc, learned.prepare(doc, sdoc, rule_events(doc, sdoc, pipeline.kb)))


def test_the_lexicon_s_trigger_words_are_features_of_every_type(rules_pipeline: Pipeline) -> None:
    _, _, facts = _annotated(rules_pipeline, "Rheinmetall's new factory in Hungary opened on Monday.")
    fact = next(f for f in facts if f.type == "facility" and f.first.name == "Rheinmetall")
    assert fact.features.get("trig_s=facility") == 1.0
    assert fact.features.get("trig_path=facility") == 1.0  # 'factory' joins the builder to the host
    assert "trig_s=meeting" not in fact.features
    supply = next(f for f in facts if f.type == "supply")
    assert supply.features.get("trig_path=facility") == 1.0 and "trig_s=supply" not in supply.features


def test_products_are_the_weapons_and_product_phrases_of_the_sentence(rules_pipeline: Pipeline) -> None:
    doc, sdoc, _ = _annotated(rules_pipeline, "Hanwha will build K9 howitzers and tracked armoured vehicles in "
                                              "Australia.\n\nThe plant will also offer maintenance and repair.")
    art = learned._Article.of(doc, sdoc, learned.token_entities(doc, sdoc))
    first, second = art.sents[:2]
    k9 = next(e for e in doc.entities if e.type == "WEAPON")
    assert learned._products(art, first, "supply") == [k9.id, "howitzers", "armoured vehicles"]
    assert learned._products(art, second, "facility") == ["maintenance", "repair"]
    assert "maintenance" not in learned._products(art, second, "supply")  # a facility's product only


def test_one_side_joins_firms_acting_together_and_keeps_separate_recipients(rules_pipeline: Pipeline) -> None:
    doc, sdoc, facts = _annotated(rules_pipeline, "Airbus and Tata Advanced Systems opened a plant in India.")
    token_entity = learned.token_entities(doc, sdoc)
    facility = [f for f in facts if f.type == "facility" and f.second.name == "India"]
    assert {f.first.name for f in facility} >= {"Airbus", "Tata Advanced Systems"}
    kept = learned._one_side([(f, f.cands[0], 0.9 - 0.1 * i) for i, f in enumerate(facility)], token_entity)
    assert len(kept) == 1 and kept[0][3]  # one fact, the other's sentence kept as more evidence

    doc, sdoc, facts = _annotated(rules_pipeline, "South Korea exported K9 howitzers to Poland and Norway.")
    supply = [f for f in facts if f.type == "supply" and f.first.name == "South Korea"]
    assert {f.second.name for f in supply} >= {"Poland", "Norway"}
    kept = learned._one_side([(f, f.cands[0], 0.9) for f in supply], learned.token_entities(doc, sdoc))
    assert len(kept) == len(supply)  # two recipients are two facts


def test_a_fact_s_cut_comes_from_a_model_that_never_saw_its_article() -> None:
    from armsgraph.model import Entity
    from armsgraph.train import events as train_events

    a, b = Entity("e1", "COMPANY", "A", "a"), Entity("e2", "COUNTRY", "B", "b")

    def example(doc: str, label: bool, x: float) -> train_events.Example:
        fact = learned.Fact("supply", a, b, [], {"x": x, "bias_type": 1.0})
        return train_events.Example(doc, fact, label, None)

    examples = [example(f"d{i}", i % 2 == 0, float(i % 2 == 0)) for i in range(20)]
    prob = train_events.out_of_fold(examples)
    assert set(prob) == {id(e) for e in examples}
    assert all(p > 0.5 for e in examples if e.label for p in [prob[id(e)]])
    # flipping the labels of one article changes nothing in that article's own probability
    flipped = [train_events.Example(e.doc_id, e.fact, not e.label if e.doc_id == "d0" else e.label, None)
               for e in examples]
    again = train_events.out_of_fold(flipped)
    assert again[id(flipped[0])] == pytest.approx(prob[id(examples[0])])


def test_a_planned_fact_is_not_reported_completed() -> None:
    model = learned.Model(types={}, status={"completed": {"__bias__": 2.0}, "announced": {"__bias__": 0.0}}, meta={})
    allowed = ("announced", "completed")
    assert learned._status(model, {"cue=announced": 1.0}, allowed) == "announced"  # "plans to build"
    assert learned._status(model, {"cue=announced": 1.0, "cue=completed": 1.0}, allowed) == "completed"
    assert learned._status(model, {}, allowed) == "completed"
    assert learned._status(model, {"cue=announced": 1.0}, ("completed",)) == "completed"  # no other choice
