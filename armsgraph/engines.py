"""Engines: documents in, processed documents out, in input order, on one or many CPUs.

    process_all(docs, settings, engine="local", workers=2)  ->  the same documents, annotated, in order

`Pipeline.process` is the only thing that runs in parallel; reading, copy detection and writing to the
store stay in the calling process, which receives the documents back in the order it sent them, so that
the store is written in input order and ends up the same as after a single-process run.

- ``local``, one worker: one `Pipeline` in this process (or the one passed in).
- ``local``, N workers: a process pool (spawn start method); each worker process loads one `Pipeline` in
  its initializer and keeps it. Documents go out in batches of ``batch_size`` with at most ``4 * N``
  batches in flight, so the whole corpus is never held in memory; results come back in order.
- ``ray``: a Ray Data job, ``from_arrow -> map_batches(PipelineActor)`` with an actor pool of N actors,
  each holding one loaded `Pipeline`, and ``preserve_order``. Ray is started on this machine when no
  address is given (no dashboard, no usage statistics, nothing downloaded) and shut down afterwards; an
  address (``auto``, ``ray://host:10001``...) joins a running cluster whose nodes have armsgraph installed.
  Documents are sent in windows of `RAY_WINDOW` documents (one Ray Data job each, actors loaded per job),
  as Arrow blocks of one batch each (``from_arrow``: ``from_items`` would cut blocks of other sizes).

A document that makes the pipeline fail stops the run with a `ProcessingError` naming it; nothing of
its batch is yielded.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import threading
import warnings
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from armsgraph.errors import ArmsgraphError
from armsgraph.model import Document
from armsgraph.pipeline import Pipeline
from armsgraph.settings import Settings

ENGINES = ("local", "ray")
IN_FLIGHT_PER_WORKER = 4  # batches sent ahead per worker process (local engine)
RAY_WINDOW = 4096  # documents per Ray Data job: bounds the driver's memory; each job loads its actors anew


class EngineError(ArmsgraphError):
    """An engine cannot run as asked (unknown engine, bad worker count, Ray missing or unreachable)."""


class ProcessingError(ArmsgraphError):
    """The pipeline failed on a document; `doc_ids` names it (or the batch, when no single one fails)."""

    def __init__(self, doc_ids: list[str], reason: str) -> None:
        self.doc_ids = list(doc_ids)
        self.reason = reason
        which = f"document {doc_ids[0]!r}" if len(doc_ids) == 1 else f"one of the documents {', '.join(doc_ids)}"
        super().__init__(f"{which} could not be processed: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:  # crosses process boundaries intact
        return (type(self), (self.doc_ids, self.reason))


def process_all(docs: Iterable[Document], settings: Settings, engine: str = "local", workers: int | None = None,
                ray_address: str | None = None, batch_size: int | None = None, *,
                pipeline: Pipeline | None = None) -> Iterator[Document]:
    """Process `docs` with `engine` on `workers` CPUs; yield every document, annotated, in input order.

    `workers` defaults to the machine's CPU count (for Ray: the cluster's CPUs), `batch_size` to
    `settings.batch_size`. `pipeline`, when given, is reused for the local engine with one worker
    instead of loading another. Arguments are checked now; the work is done as the result is iterated.
    """
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if workers is not None and workers < 1:
        raise EngineError(f"--workers must be at least 1 (got {workers})")
    size = batch_size or settings.batch_size
    if size < 1:
        raise EngineError(f"batch size must be at least 1 (got {size})")
    if ray_address and engine != "ray":
        raise EngineError("--ray-address needs --engine ray")
    if engine == "ray":
        return _ray(docs, settings, workers, ray_address, size)
    n = workers or os.cpu_count() or 1
    if n == 1:
        return _in_process(docs, pipeline, settings, size)
    return _process_pool(docs, settings, n, size)


def batches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    """Consecutive lists of `size` documents (the last one shorter), read lazily."""
    it = iter(docs)
    while batch := list(itertools.islice(it, size)):
        yield batch


def process_batch(pipeline: Pipeline, batch: list[Document]) -> list[Document]:
    """`pipeline.process(batch)`; on failure, find the document at fault and raise `ProcessingError`."""
    try:
        return pipeline.process(batch)
    except Exception as exc:
        for doc in batch:  # which one? each alone (the others' annotations are redone, then dropped)
            try:
                pipeline.process([doc])
            except Exception as single:
                raise ProcessingError([doc.doc_id], f"{type(single).__name__}: {single}") from single
        raise ProcessingError([d.doc_id for d in batch], f"{type(exc).__name__}: {exc}") from exc


# ---------------------------------------------------------------- local: this process
def _in_process(docs: Iterable[Document], pipeline: Pipeline | None, settings: Settings,
                size: int) -> Iterator[Document]:
    pipeline = pipeline or Pipeline(settings)
    for batch in batches(docs, size):
        yield from process_batch(pipeline, batch)


# ---------------------------------------------------------------- local: a pool of worker processes
_worker_pipeline: Pipeline | BaseException | None = None  # one per worker process, set by the initializer


def _exit_with_parent() -> None:
    """End this worker process as soon as its parent dies: a pool worker waits on a queue whose write end
    it holds itself, so a parent killed without shutting the pool down (SIGKILL) would leave it behind."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="armsgraph-exit-with-parent", daemon=True).start()


def _init_worker(settings: Settings) -> None:
    global _worker_pipeline
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops the pool cleanly
    _exit_with_parent()
    try:
        _worker_pipeline = Pipeline(settings)
    except BaseException as exc:  # reported with the first batch, instead of a broken pool
        _worker_pipeline = exc


def _work(batch: list[Document]) -> list[Document]:
    if isinstance(_worker_pipeline, BaseException):
        raise _worker_pipeline
    if _worker_pipeline is None:
        raise EngineError("worker process has no pipeline (initializer did not run)")
    return process_batch(_worker_pipeline, batch)


def _process_pool(docs: Iterable[Document], settings: Settings, workers: int, size: int) -> Iterator[Document]:
    in_flight: deque[tuple[list[str], Future[list[Document]]]] = deque()
    limit = workers * IN_FLIGHT_PER_WORKER
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(settings,))

    def collect(ids: list[str], future: Future[list[Document]]) -> list[Document]:
        try:
            return future.result()
        except BrokenProcessPool as exc:  # a worker died (killed, out of memory...) with this batch
            raise ProcessingError(ids, f"a worker process died ({exc})") from exc

    try:
        for batch in batches(docs, size):
            while len(in_flight) >= limit:
                yield from collect(*in_flight.popleft())
            in_flight.append(([d.doc_id for d in batch], pool.submit(_work, batch)))
        while in_flight:
            yield from collect(*in_flight.popleft())
    finally:  # also when the caller stops early or a batch failed: drop what was not started
        pool.shutdown(wait=True, cancel_futures=True)


# ---------------------------------------------------------------- ray: a Ray Data job
class PipelineActor:
    """A Ray Data callable class: one loaded `Pipeline` per actor; a batch of pickled documents in and out.

    A failure is returned in the ``error`` column of every row of its batch rather than raised, so that
    the driver raises one `ProcessingError` naming the document instead of Ray's wrapped traceback.
    """

    def __init__(self, settings: Settings, default_kb: bool = False) -> None:
        if default_kb:  # the knowledge files shipped with armsgraph where this actor runs (maybe another node)
            settings = dataclasses.replace(settings, kb_dir=Settings(db=settings.db).kb_dir)
        self.pipeline = Pipeline(settings)

    def __call__(self, table: Any) -> Any:
        import pyarrow as pa

        docs: list[Document] = [pickle.loads(b) for b in table.column("doc").to_pylist()]
        error: str | None = None
        out: list[bytes | None] = [None] * len(docs)
        try:
            out = [pickle.dumps(d, protocol=pickle.HIGHEST_PROTOCOL) for d in process_batch(self.pipeline, docs)]
        except ProcessingError as exc:
            error = json.dumps({"doc_ids": exc.doc_ids, "reason": exc.reason})
        return pa.table({"idx": table.column("idx"), "doc": pa.array(out, pa.binary()),
                         "error": pa.array([error] * len(docs), pa.string())})


def _import_ray() -> Any:
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # before ray is imported or started: no usage reporting
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise EngineError(f"engine 'ray' needs Ray Data ({exc}); install it: pip install 'armsgraph[ray]' "
                          "(in a clone of the repository: pip install -e '.[ray]')") from exc
    return ray


def _ray(docs: Iterable[Document], settings: Settings, workers: int | None, address: str | None,
         size: int) -> Iterator[Document]:
    ray = _import_ray()
    import pyarrow as pa
    from ray.data import ActorPoolStrategy, DataContext

    started = False
    if not ray.is_initialized():
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                   "logging_level": logging.ERROR}
        target = address or None
        if not address and not os.environ.get("RAY_ADDRESS"):
            # a new local Ray, even when another one runs on this machine; room for as many actors as asked
            target = "local"
            options["num_cpus"] = max(os.cpu_count() or 1, workers or 1)
        try:
            ray.init(address=target, **options)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            hint = ("; check the address (`ray status --address ADDRESS` answers there) and, for a cluster with "
                    "token authentication (Ray's default), set RAY_AUTH_MODE=token and RAY_AUTH_TOKEN (or "
                    "RAY_AUTH_TOKEN_PATH) as on the cluster's nodes") if address else ""
            raise EngineError(f"cannot start or reach Ray at {address or 'this machine'!r}: {exc}{hint}") from exc
        started = True
    ctx = DataContext.get_current()
    saved = (ctx.execution_options.preserve_order, ctx.enable_progress_bars, ctx.enable_auto_log_stats)
    data_log = logging.getLogger("ray.data")
    saved_level = data_log.level
    try:
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False
        ctx.enable_auto_log_stats = False
        data_log.setLevel(logging.ERROR)
        n = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        default_kb = settings.kb_dir == Settings(db=settings.db).kb_dir
        for window in batches(docs, RAY_WINDOW):
            # one block per batch of exactly `size` documents (rows: position, pickled document), so that
            # every actor call gets the very batches a single-process run would process
            blocks = [pa.table({"idx": pa.array(range(start, start + len(batch)), pa.int64()),
                                "doc": pa.array([pickle.dumps(d, protocol=pickle.HIGHEST_PROTOCOL) for d in batch],
                                                pa.binary())})
                      for start, batch in zip(itertools.count(0, size), batches(window, size), strict=False)]
            with warnings.catch_warnings():
                # max_restarts=0: a dead actor fails the job (reported below) instead of Ray restarting it
                # with constructor arguments it may have lost (and logging an error about that on stderr);
                # Ray 2.60 accepts it only through the deprecated **ray_remote_args
                warnings.simplefilter("ignore", DeprecationWarning)
                ds = ray.data.from_arrow(blocks).map_batches(
                    PipelineActor, fn_constructor_args=(settings, default_kb), compute=ActorPoolStrategy(size=n),
                    batch_size=size, batch_format="pyarrow", num_cpus=1, max_restarts=0)
            yield from _ordered(ds, window)
    except ArmsgraphError:
        raise
    except Exception as exc:  # Ray's own failures: actors that died, a cluster that went away...
        raise EngineError(f"the Ray job failed: {type(exc).__name__}: {exc}") from exc
    finally:
        ctx.execution_options.preserve_order, ctx.enable_progress_bars, ctx.enable_auto_log_stats = saved
        data_log.setLevel(saved_level)
        if started:
            ray.shutdown()


def _ordered(ds: Any, window: list[Document]) -> Iterator[Document]:
    """The window's processed documents in input order (Ray preserves it; a buffer makes sure)."""
    pending: dict[int, Document] = {}
    following = 0
    for table in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
        errors = table.column("error").to_pylist()
        for i, payload, error in zip(table.column("idx").to_pylist(), table.column("doc").to_pylist(), errors,
                                     strict=True):
            if error is not None:
                failed = json.loads(error)
                raise ProcessingError(failed["doc_ids"], failed["reason"])
            pending[i] = pickle.loads(payload)
        while following in pending:
            yield pending.pop(following)
            following += 1
    if following != len(window):
        raise EngineError(f"Ray returned {following} of {len(window)} documents; "
                          f"the first missing is {window[following].doc_id!r}")
