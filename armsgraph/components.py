"""Pipeline components: each stage takes the annotated document and returns it, in spaCy's manner.

A component is registered by name with what it requires and what it assigns; `Settings.components`
lists the ones to run, in order, and `build` refuses a list in which a component's requirement is
not assigned by an earlier one (the annotator assigns `parse` before any component runs). A
learned component replaces a rule component by configuration: `learned_mentions` for `mentions`,
`learned_events` for `rule_events`; each assigns what the one it replaces assigns.

    parse -> mentions | learned_mentions -> entities -> stray -> rule_events | learned_events
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc

from armsgraph.errors import ArmsgraphError
from armsgraph.kb import KnowledgeBase
from armsgraph.model import Document, Mention
from armsgraph.nlp import Annotator


@dataclass(slots=True)
class Annotated:
    """One document on its way through the components: the record, its parse, its mentions."""

    doc: Document
    sdoc: Doc
    mentions: list[Mention] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class Context:
    """What a component's factory may use: the loaded knowledge base and annotator, the models folder."""

    kb: KnowledgeBase
    annotator: Annotator
    models_dir: Path


Component = Callable[[Annotated], Annotated]


@dataclass(slots=True, frozen=True)
class Registration:
    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    make: Callable[[Context], Component]
    summary: str


REGISTRY: dict[str, Registration] = {}


def component(name: str, *, requires: tuple[str, ...], assigns: tuple[str, ...]
              ) -> Callable[[Callable[[Context], Component]], Callable[[Context], Component]]:
    """Register a component factory under `name` (its docstring's first line describes it)."""
    def register(make: Callable[[Context], Component]) -> Callable[[Context], Component]:
        REGISTRY[name] = Registration(name, requires, assigns, make, (make.__doc__ or name).strip().splitlines()[0])
        return make
    return register


def check(names: tuple[str, ...]) -> None:
    """Raise when a name is unknown or a component's requirement is not assigned before it."""
    assigned = {"parse"}
    for name in names:
        reg = REGISTRY.get(name)
        if reg is None:
            raise ArmsgraphError(f"unknown pipeline component {name!r}; the registered ones are: "
                                 f"{', '.join(sorted(REGISTRY))}")
        missing = [r for r in reg.requires if r not in assigned]
        if missing:
            raise ArmsgraphError(f"pipeline component {name!r} requires {', '.join(missing)}, which no component "
                                 f"before it assigns (components: {', '.join(names)})")
        assigned.update(reg.assigns)


def build(names: tuple[str, ...], ctx: Context) -> list[tuple[str, Component]]:
    check(names)
    return [(name, REGISTRY[name].make(ctx)) for name in names]


def replace(names: tuple[str, ...], assigns: str, by: str) -> tuple[str, ...]:
    """The component list with the one that assigns `assigns` replaced by `by` (the CLI's --events)."""
    if by not in REGISTRY:
        check((by,))
    return tuple(by if assigns in REGISTRY[n].assigns else n for n in names)


# ---------------------------------------------------------------- the registered components
@component("mentions", requires=("parse",), assigns=("mentions",))
def _mentions(ctx: Context) -> Component:
    """Knowledge-base names, institution patterns and the statistical NER, typed by rules."""
    from armsgraph.nlp.mentions import find_mentions

    def run(a: Annotated) -> Annotated:
        a.mentions = find_mentions(a.sdoc, ctx.kb, ctx.annotator.matcher)
        return a
    return run


@component("learned_mentions", requires=("parse",), assigns=("mentions",))
def _learned_mentions(ctx: Context) -> Component:
    """The same, with the open-world names retyped, dropped or added by the learned entity typer."""
    from armsgraph.nlp import typer
    from armsgraph.nlp.mentions import find_mentions

    model = typer.load_model(ctx.models_dir / "entities.json")

    def run(a: Annotated) -> Annotated:
        a.mentions = find_mentions(a.sdoc, ctx.kb, ctx.annotator.matcher, model)
        return a
    return run


@component("entities", requires=("mentions",), assigns=("entities",))
def _entities(ctx: Context) -> Component:
    """The mentions resolved into one entity per thing in the document."""
    from armsgraph.resolve.entities import resolve_mentions

    def run(a: Annotated) -> Annotated:
        a.doc.entities = resolve_mentions(a.mentions, ctx.kb, a.doc.text)
        return a
    return run


@component("stray", requires=("parse",), assigns=("zones",))
def _stray(ctx: Context) -> Component:
    """A trailing run of paragraphs from another story marked as stray (never read for events)."""
    from armsgraph.extract.stray import mark_stray

    def run(a: Annotated) -> Annotated:
        mark_stray(a.doc, a.sdoc)
        return a
    return run


@component("rule_events", requires=("entities", "zones"), assigns=("events",))
def _rule_events(ctx: Context) -> Component:
    """Events from the trigger and frame rules, merged into one per fact, derived events added."""
    from armsgraph.extract.events import extract_events

    def run(a: Annotated) -> Annotated:
        a.doc.events = extract_events(a.doc, a.sdoc, ctx.kb)
        return a
    return run


@component("learned_events", requires=("entities", "zones"), assigns=("events",))
def _learned_events(ctx: Context) -> Component:
    """Events the learned model keeps among trigger-free candidates (the rules as its features)."""
    from armsgraph.extract import learned
    from armsgraph.extract.events import extract_events

    model = learned.load_model(ctx.models_dir / "events.json")

    def run(a: Annotated) -> Annotated:
        a.doc.events = extract_events(a.doc, a.sdoc, ctx.kb, model)
        return a
    return run


# ---------------------------------------------------------------- named component lists
# the ablation of benchmarks/corpus_quality.py and the quality gate: which stages are rules, which learned
PRESETS: dict[str, tuple[str, ...]] = {
    "rules": ("mentions", "entities", "stray", "rule_events"),
    "typer": ("learned_mentions", "entities", "stray", "rule_events"),
    "events": ("mentions", "entities", "stray", "learned_events"),
    "learned": ("learned_mentions", "entities", "stray", "learned_events"),
}
