"""Engines: parallel processing gives, document for document, what one process gives, in input order."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from armsgraph import Document, InputError, Pipeline, Settings
from armsgraph.engines import EngineError, ProcessingError, process_all
from armsgraph.ingest.readers import read_paths
from tests.helpers import SHARED

RAY_DEADLINE = 90  # seconds: a Ray test that takes longer fails instead of hanging the suite


def read(*paths: Path) -> list[Document]:
    """The documents under `paths`, as `ingest` reads them (every input must read)."""
    out = []
    for item in read_paths(paths, Settings().max_bytes):
        assert not isinstance(item, InputError), str(item)
        out.append(item)
    assert out, f"no documents under {paths}"
    return out


def single_process(pipeline: Pipeline, docs: list[Document], batch_size: int = 16) -> list[Document]:
    """The reference: the session pipeline in this process, in `ingest`'s batches."""
    docs = copy.deepcopy(docs)
    for i in range(0, len(docs), batch_size):
        pipeline.process(docs[i:i + batch_size])
    return docs


def assert_same(got: list[Document], want: list[Document]) -> None:
    """Same documents in the same order, equal field for field (entities, mentions, events, evidence)."""
    assert [d.doc_id for d in got] == [d.doc_id for d in want]
    for g, w in zip(got, want, strict=True):
        assert dataclasses.asdict(g) == dataclasses.asdict(w), f"{g.doc_id} differs from the single-process run"
    assert any(d.entities for d in want) and any(d.events for d in want)  # the comparison is not vacuous


def shared_docs() -> list[Document]:
    corpus = SHARED / "corpus"
    if not (corpus / "seeds").is_dir() or not (corpus / "dev").is_dir():
        pytest.skip(f"{corpus} not found (shared seed and dev articles)")
    return read(corpus / "seeds", corpus / "dev")


def long_document(samples: Path) -> Document:
    """A document about 30 times the size of a sample article, to be slow to process."""
    text = "\n\n".join(d.text for d in read(samples)) * 4
    return Document(doc_id="long-first", text=text, source="test:long")


@pytest.fixture
def settings(tmp_path: Path, pipeline: Pipeline) -> Settings:
    """The workers' settings: the session pipeline's components, so that the runs are comparable."""
    return Settings(db=str(tmp_path / "unused.db"), components=pipeline.settings.components)


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Raise TimeoutError in the test if it runs longer than `seconds` (SIGALRM; main thread only)."""
    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------- local engine
def test_local_two_workers_equal_single_process_on_samples(pipeline: Pipeline, settings: Settings,
                                                           samples: Path) -> None:
    docs = read(samples)
    got = list(process_all(copy.deepcopy(docs), settings, engine="local", workers=2))
    assert_same(got, single_process(pipeline, docs))


def test_local_two_workers_equal_single_process_on_shared_seeds_and_dev(pipeline: Pipeline,
                                                                        settings: Settings) -> None:
    docs = shared_docs()
    got = list(process_all(copy.deepcopy(docs), settings, engine="local", workers=2, batch_size=4))
    assert_same(got, single_process(pipeline, docs, batch_size=4))


def test_local_one_worker_is_the_single_process_run(pipeline: Pipeline, settings: Settings, samples: Path) -> None:
    docs = read(samples)
    got = list(process_all(copy.deepcopy(docs), settings, workers=1, pipeline=pipeline))
    assert_same(got, single_process(pipeline, docs))


def test_order_is_kept_when_the_first_document_is_slow(pipeline: Pipeline, settings: Settings,
                                                        samples: Path) -> None:
    # one document per batch: while one worker is busy with the long first document, the other one
    # processes all the short ones, which must still come out after it
    docs = [long_document(samples), *read(samples)]
    assert len(docs[0].text) > 20 * max(len(d.text) for d in docs[1:])
    got = list(process_all(copy.deepcopy(docs), settings, engine="local", workers=2, batch_size=1))
    assert_same(got, single_process(pipeline, docs, batch_size=1))


def test_input_is_read_lazily_with_bounded_look_ahead(settings: Settings, samples: Path) -> None:
    template = read(samples)[0]
    pulled = 0

    def endless() -> Iterator[Document]:
        nonlocal pulled
        while True:
            pulled += 1
            yield dataclasses.replace(template, doc_id=f"copy-{pulled}")

    results = process_all(endless(), settings, engine="local", workers=2, batch_size=2)
    first = next(results)
    results.close()  # stopping early shuts the pool down
    assert first.doc_id == "copy-1" and first.entities
    assert pulled <= 2 * 4 * 2 + 2 + 1  # workers * 4 batches in flight, of 2, plus the one being filled


def children_of(pid: int) -> list[int]:
    """Live (not zombie) child processes of `pid`, from /proc."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(stat.parent.name))
    return out


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


WORKER_SCRIPT = """
import sys
from armsgraph import Settings
from armsgraph.engines import process_all
from armsgraph.ingest.readers import read_paths

if __name__ == "__main__":
    docs = [d for d in read_paths([sys.argv[1]], 10**7)] * 50
    for i, _ in enumerate(process_all(docs, Settings(db=sys.argv[2]), workers=2, batch_size=2)):
        if i == 0:
            print("running", flush=True)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the worker processes")
def test_workers_exit_when_the_parent_is_killed(tmp_path: Path, samples: Path) -> None:
    # a killed ingest (SIGKILL: no clean-up) must not leave its worker processes behind
    script = tmp_path / "run.py"
    script.write_text(WORKER_SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), str(samples), str(tmp_path / "unused.db")],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "running"
        workers = children_of(proc.pid)
        assert len(workers) >= 2  # two workers (and multiprocessing's resource tracker)
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    deadline = time.monotonic() + 15
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [w for w in workers if alive(w)], "worker processes outlived their killed parent"


def failing_batch(samples: Path) -> list[Document]:
    ok = read(samples)[:2]
    too_long = Document(doc_id="too-long", text="word " * 250_000, source="test:too-long")  # > spaCy's max_length
    return [ok[0], too_long, ok[1]]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_document_is_named(settings: Settings, samples: Path, workers: int) -> None:
    with pytest.raises(ProcessingError, match="too-long") as caught:
        list(process_all(failing_batch(samples), settings, engine="local", workers=workers))
    assert caught.value.doc_ids == ["too-long"]


def test_bad_arguments_are_refused_at_once(settings: Settings) -> None:
    with pytest.raises(EngineError, match="unknown engine"):
        process_all([], settings, engine="spark")
    with pytest.raises(EngineError, match="at least 1"):
        process_all([], settings, workers=0)
    with pytest.raises(EngineError, match="--engine ray"):
        process_all([], settings, ray_address="auto")


# ---------------------------------------------------------------- ray engine
@pytest.fixture
def ray_module() -> object:
    return pytest.importorskip("ray.data", reason="ray[data] is not installed (pip install -e '.[ray]')")


@contextlib.contextmanager
def ray_cluster(env: dict[str, str]) -> Iterator[str]:
    """A real Ray cluster: a head node started with `ray start --head` (token authentication on, as Ray
    starts clusters by default), stopped afterwards; yields its address."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ray_bin = str(Path(sys.executable).parent / "ray")
    head = subprocess.Popen([ray_bin, "start", "--head", f"--port={port}", "--num-cpus=2", "--include-dashboard=false",
                             "--disable-usage-stats", "--block"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    address = f"127.0.0.1:{port}"
    try:
        for _ in range(RAY_DEADLINE):
            if subprocess.run([ray_bin, "status", "--address", address], env=env, capture_output=True).returncode == 0:
                break
            assert head.poll() is None, "the Ray head node did not start"
            time.sleep(1)
        else:
            pytest.fail(f"the Ray head node did not answer within {RAY_DEADLINE} s")
        yield address
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait()


def cli(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "armsgraph.cli", *argv], env=env, capture_output=True, text=True,
                          timeout=RAY_DEADLINE * 3)


def test_ingest_on_a_ray_cluster_by_address_equals_a_local_ingest(ray_module: object, tmp_path: Path,
                                                                   samples: Path) -> None:
    """`armsgraph ingest --engine ray --ray-address` against a running cluster: the same export as one process.
    (It runs before the tests of a local Ray on purpose: a stopped cluster leaves its address behind in
    /tmp/ray, and an ingest without --ray-address must still start a Ray of its own.)"""
    inputs = [str(samples)]
    if (SHARED / "corpus" / "seeds").is_dir() and (SHARED / "corpus" / "dev").is_dir():
        inputs += [str(SHARED / "corpus" / "seeds"), str(SHARED / "corpus" / "dev")]
    env = dict(os.environ, RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(32))
    env.pop("RAY_ADDRESS", None)
    exports = {}
    with ray_cluster(env) as address:
        for name, engine in (("cluster", ["--engine", "ray", "--workers", "2", "--ray-address", address]),
                             ("local", ["--workers", "1"])):
            db = str(tmp_path / f"{name}.db")
            run = cli(env, "ingest", "--quiet", *engine, "--db", db, *inputs)
            assert run.returncode == 0, run.stderr
            out = tmp_path / f"{name}.jsonl"
            assert cli(env, "export", "--db", db, "-o", str(out)).returncode == 0
            exports[name] = out.read_text(encoding="utf-8")
        # a client without the cluster's token is refused with a message that says what to set
        refused = cli({k: v for k, v in env.items() if not k.startswith("RAY_AUTH")}, "ingest", "--quiet",
                      "--engine", "ray", "--ray-address", address, "--db", str(tmp_path / "refused.db"), *inputs)
    assert exports["cluster"] == exports["local"]
    assert exports["local"].count("\n") >= 5 and '"events": [{' in exports["local"]
    assert refused.returncode != 0
    assert f"cannot start or reach Ray at {address!r}" in refused.stderr and "RAY_AUTH_TOKEN" in refused.stderr


def test_ray_two_workers_equal_single_process_in_order(ray_module: object, pipeline: Pipeline, settings: Settings,
                                                       samples: Path) -> None:
    # samples, then the shared seeds and dev articles when present, behind a slow first document
    import ray

    docs = [long_document(samples), *read(samples)]
    if (SHARED / "corpus" / "seeds").is_dir() and (SHARED / "corpus" / "dev").is_dir():
        docs += shared_docs()
    started = time.monotonic()
    with deadline(RAY_DEADLINE):
        got = list(process_all(copy.deepcopy(docs), settings, engine="ray", workers=2, batch_size=2))
    assert not ray.is_initialized(), "Ray was started by process_all and must be shut down by it"
    assert_same(got, single_process(pipeline, docs, batch_size=2))
    assert time.monotonic() - started < RAY_DEADLINE


def test_ray_a_failing_document_is_named(ray_module: object, settings: Settings, samples: Path) -> None:
    import ray

    with deadline(RAY_DEADLINE), pytest.raises(ProcessingError, match="too-long") as caught:
        list(process_all(failing_batch(samples), settings, engine="ray", workers=2, batch_size=1))
    assert caught.value.doc_ids == ["too-long"]
    assert not ray.is_initialized()
