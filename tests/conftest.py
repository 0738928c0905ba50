"""Shared fixtures: one loaded pipeline per session, fresh stores, the sample and shared corpora."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from armsgraph import Document, Pipeline, Settings, Store
from armsgraph.components import PRESETS
from tests.helpers import SAMPLES, SHARED, postgres_database


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    """The spaCy model and knowledge base, loaded once (about two seconds), with the rule components:
    the tests that use it check the rules' machinery and what is built on stored facts, so they must
    not move when the learned models are retrained (tests/test_learned.py covers the default)."""
    db = tmp_path_factory.mktemp("pipeline") / "unused.db"
    return Pipeline(Settings(db=str(db), components=PRESETS["rules"]))


@pytest.fixture(params=["sqlite", "postgresql"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Store]]:
    """A factory of fresh stores on each backend; every store it made is closed (and dropped) after."""
    with contextlib.ExitStack() as stack:
        made: list[Store] = []

        def new() -> Store:
            if request.param == "sqlite":
                s = Store(str(tmp_path / f"store-{len(made)}.db"))
            else:
                s = Store(stack.enter_context(postgres_database()))
            made.append(s)
            stack.callback(s.close)
            return s

        yield new


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh store on each backend: a SQLite file, and a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        s = Store(str(tmp_path / "test.db"))
        yield s
        s.close()
        return
    with postgres_database() as url:
        s = Store(url)
        yield s
        s.close()


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared relative to the repository root (corpus, gold, reference scorer); skips when absent."""
    if not (SHARED / "eval" / "score.py").is_file():
        pytest.skip("../shared not found (reference corpus, gold and scorer)")
    return SHARED


@pytest.fixture(scope="session")
def samples() -> Path:
    """The repository's sample corpus (invented articles)."""
    if not SAMPLES.is_dir():
        pytest.skip("samples/corpus not found")
    return SAMPLES


@pytest.fixture
def annotate(pipeline: Pipeline) -> Callable[[str], Document]:
    """Process one hand-written text with the session pipeline."""
    counter = iter(range(1_000_000))

    def run(text: str) -> Document:
        doc = Document(doc_id=f"t{next(counter)}", text=text)
        pipeline.process([doc])
        return doc

    return run

