"""Where the chunks of a batch are worked on: in this process, in worker processes of this
machine (``--jobs N``), or on the workers of a Dask cluster (``--scheduler``).

Each hands the results back in the order of the chunks, with a bounded number of chunks in
flight, so that memory stays flat whatever the size of the batch and the output is the same
wherever it was made. The process that runs the batch reads the next chunks and writes the
finished ones while the workers compute; the first chunks of a findings table are sent while its
first pass is still reading it (:class:`pipeline.batch.run.SentEarly`).

How the model reaches the workers:

- worker processes of this machine are forked from this one on Linux, and so start with the
  model loaded: none loads it again, and a pool starts in tens of milliseconds instead of
  seconds. Elsewhere (where forking is unsafe or missing), each worker loads the model once from
  its folder, with the same checks (:func:`pipeline.learning.models.load_model`).
- a Dask worker gets the model as bytes (its card and its weights or model file, sent once to each:
  :class:`ModelFiles`) and loads it once, with the same checks. The workers need the package
  installed, not the model folder. They read report files at the paths given, so they must see
  them there (a shared disk; absolute paths when they run elsewhere); findings tables are read
  by this process and sent in chunks.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.batch.plan import BatchError
from pipeline.batch.work import ChunkResult, Job, run_chunk
from pipeline.learning.models import CARD_FILE, MODEL_FILE, LoadedModel, load_model

DASK_MISSING = "--scheduler needs Dask: pip install 'thai-findings[dask]' (or 'dask[distributed]')"


class DaskError(RuntimeError):
    """Dask workers that cannot start: Dask missing, a scheduler that cannot be reached."""


def cpu_count() -> int:
    """Cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def in_order(
    submit: Callable, chunks: Iterable, limit: int, started: Iterable = ()
) -> Iterator[ChunkResult]:
    """The results of ``submit(chunk)`` (a future) in the order of ``chunks``, after those of the
    futures ``started`` before, with at most ``limit`` submitted and not yet handed back: the next
    chunk is read only once there is room for it."""
    pending, chunks = deque(started), iter(chunks)
    while True:
        if len(pending) >= limit:
            yield pending.popleft().result()
        elif (chunk := next(chunks, None)) is not None:
            pending.append(submit(chunk))
        else:
            break
    while pending:
        yield pending.popleft().result()


class InProcess:
    """Every chunk in this process, one after the other (``--jobs 1``)."""

    limit = 0  # none sent ahead: nothing would work on them

    def __init__(self, model: LoadedModel):
        self.model = model

    def map(self, chunks: Iterable, job: Job, started: Iterable = ()) -> Iterator[ChunkResult]:
        assert not started, "none is started ahead in this process"
        return (run_chunk(chunk, job, self.model) for chunk in chunks)

    def close(self, *, abort: bool) -> None:
        pass


_worker_model: LoadedModel | None = None


def _start_worker(model: LoadedModel | str) -> None:
    """A worker process's start: the model given (inherited by fork) or loaded by name once."""
    import signal

    global _worker_model
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _worker_model = model if isinstance(model, LoadedModel) else load_model(model, estimator=False)


def _run_in_worker(chunk, job: Job) -> ChunkResult:
    return run_chunk(chunk, job, _worker_model)


#: How worker processes start: forked with the model loaded where forking is safe, else spawned
#: to load it (``benchmarks/scale.py`` measures both).
START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"


class Processes:
    """A pool of ``workers`` processes of this machine, each holding the model once."""

    def __init__(self, model: LoadedModel, workers: int):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        forked = START_METHOD == "fork"
        given = model if forked else str(model.folder or model.name)
        self.pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context(START_METHOD),
            initializer=_start_worker,
            initargs=(given,),
        )
        self.limit = 2 * workers  # one computing and one waiting per worker

    def submit(self, chunk, job: Job):
        """The chunk's :class:`ChunkResult` to come (a future)."""
        return self.pool.submit(_run_in_worker, chunk, job)

    def map(self, chunks: Iterable, job: Job, started: Iterable = ()) -> Iterator[ChunkResult]:
        """The results of the futures ``started`` (by :meth:`submit`), then of ``chunks``."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            yield from in_order(lambda c: self.submit(c, job), chunks, self.limit, started)
        except BrokenProcessPool:
            raise BatchError("a worker process stopped (out of memory?)") from None

    def close(self, *, abort: bool) -> None:
        if not abort:
            self.pool.shutdown()
        elif hasattr(self.pool, "terminate_workers"):  # Python 3.14
            self.pool.terminate_workers()
        else:  # stop the chunks being computed, not wait for them (shutdown forgets the workers)
            processes = list((getattr(self.pool, "_processes", None) or {}).values())
            self.pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()


@dataclass(frozen=True)
class ModelFiles:
    """A model as the bytes of its card and weights (or model file): how it travels to Dask."""

    folder_name: str  # the model's name for the keyword baseline, which has no files
    files: dict[str, bytes] = field(default_factory=dict)
    digest: str = ""  # of the files: a worker loads each model once

    @classmethod
    def of(cls, model: LoadedModel) -> ModelFiles:
        import hashlib

        if model.folder is None:
            return cls(model.name, digest=model.name)
        card = model.card  # and what classifying loads: the weights, or a model's from before
        kept = card.get("weights_file") or card.get("model_file", MODEL_FILE)
        names = [CARD_FILE, str(kept)]
        files = {name: (model.folder / name).read_bytes() for name in names}
        digest = hashlib.sha256(b"".join(files.values())).hexdigest()
        return cls(model.folder.name, files, digest)

    def load(self) -> LoadedModel:
        """The model, loaded once per process from a private copy of its folder."""
        import tempfile

        key = self.digest
        if key not in _loaded_files:
            if not self.files:
                _loaded_files[key] = load_model(self.folder_name)
            else:
                with tempfile.TemporaryDirectory() as temporary:
                    folder = Path(temporary) / self.folder_name  # the name a card may lack
                    folder.mkdir()
                    for name, data in self.files.items():
                        (folder / name).write_bytes(data)
                    _loaded_files[key] = load_model(str(folder), estimator=False)
        return _loaded_files[key]


_loaded_files: dict[str, LoadedModel] = {}


def _run_on_dask(chunk, job: Job, model: ModelFiles) -> ChunkResult:
    return run_chunk(chunk, job, model.load())


def import_distributed():
    """``dask.distributed``, or DaskError saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise DaskError(DASK_MISSING) from None
    return distributed


class Dask:
    """The workers of a Dask cluster: one at ``tcp://HOST:PORT``, or a ``LocalCluster`` of
    ``workers`` processes started for the run (``local``; one per core if not given)."""

    def __init__(self, model: LoadedModel, scheduler: str, workers: int | None = None):
        import logging

        distributed = import_distributed()
        self.cluster = None
        try:
            if scheduler == "local":
                self.cluster = distributed.LocalCluster(
                    n_workers=workers or cpu_count(),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            self.client = distributed.Client(self.cluster or scheduler)
        except Exception as error:  # an address that answers nothing, workers that cannot start
            if self.cluster is not None:
                self.cluster.close()
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise DaskError(f"cannot start on the Dask scheduler {scheduler} ({reason})") from None
        self.model = self.client.scatter(ModelFiles.of(model), broadcast=True, hash=False)
        self.limit = 2 * max(1, sum(self.client.nthreads().values()))

    def submit(self, chunk, job: Job):
        """The chunk's :class:`ChunkResult` to come (a Dask future)."""
        return self.client.submit(_run_on_dask, chunk, job, self.model, pure=False)

    def map(self, chunks: Iterable, job: Job, started: Iterable = ()) -> Iterator[ChunkResult]:
        """The results of the futures ``started`` (by :meth:`submit`), then of ``chunks``."""
        return in_order(lambda c: self.submit(c, job), chunks, self.limit, started)

    def close(self, *, abort: bool) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


@contextmanager
def open_workers(
    model: LoadedModel, *, jobs: int = 1, scheduler: str | None = None, parses_reports: bool = False
):
    """The workers ``jobs`` and ``scheduler`` ask for, stopped on the way out.

    ``jobs`` -1 is one process per core; with ``scheduler`` ``local`` it is the number of Dask
    workers (1, the default, meaning one per core).
    """
    count = cpu_count() if jobs == -1 else jobs
    if scheduler:
        workers = Dask(model, scheduler, count if count > 1 else None)
    elif count > 1:
        if parses_reports:  # forked workers then share the model that reads headings
            from pipeline.stages.parse import load_heading_model

            load_heading_model()
        workers = Processes(model, count)
    else:
        workers = InProcess(model)
    try:
        yield workers
    except BaseException:
        workers.close(abort=True)
        raise
    workers.close(abort=False)
