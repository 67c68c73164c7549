"""Classify a batch of any size into one findings table, a chunk at a time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import pandas as pd

from pipeline.batch.plan import Layout, TableChunk, sort_inputs, whole_of
from pipeline.batch.work import ChunkResult, Job
from pipeline.batch.workers import open_workers
from pipeline.learning.drift import DriftCounts
from pipeline.learning.models import LoadedModel
from pipeline.shared.schema import FINDING_COLUMNS, findings_frame
from pipeline.shared.tables import streamed_table

#: Findings read, classified and written at a time. A chunk of this size costs about 30 MB in
#: a worker; smaller ones add per-chunk overhead, larger ones memory.
CHUNK_ROWS = 2000


@dataclass
class BatchResult:
    """What a batch read and wrote, for the command's summary: the files read and refused (as
    :class:`pipeline.stages.parse.ParseResult` lists them), and counts of the findings written."""

    files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    repairs: Counter = field(default_factory=Counter)
    findings: int = 0
    kinds: dict = field(default_factory=dict)  # kind (None: none given) → count, first seen first
    sources: Counter = field(default_factory=Counter)  # category_source → count
    needs_review: int = 0
    drift: DriftCounts = field(default_factory=DriftCounts)
    with_values: set[str] = field(default_factory=set)  # columns the reports' findings fill
    chunks: int = 0  # written so far

    def add(self, chunk: ChunkResult) -> None:
        self.files += chunk.files
        self.errors += chunk.errors
        self.warnings += chunk.warnings
        self.repairs.update(chunk.repairs)
        self.findings += chunk.findings
        for kind, count in chunk.kinds.items():
            self.kinds[kind] = self.kinds.get(kind, 0) + count
        self.sources.update(chunk.sources)
        self.needs_review += chunk.needs_review
        self.drift += chunk.drift
        self.with_values |= chunk.with_values

    def kind_counts(self) -> pd.Series:
        """Findings per kind, as ``value_counts(dropna=False)`` of the whole table orders them."""
        counts = pd.Series(self.kinds, dtype="int64")
        return counts.sort_values(ascending=False, kind="stable")


def classify_batch(
    paths: Iterable[Path | str],
    output: Path | str,
    model: LoadedModel,
    *,
    engine: str = "nlpo3",
    jobs: int = 1,
    scheduler: str | None = None,
    rows: int = CHUNK_ROWS,
    agency: str | None = None,
    committee: int | None = None,
    fiscal_year: int | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Parse, tokenize and classify reports and findings tables into ``output`` a chunk at a time.

    ``output`` gets, byte for byte, what ``write_table`` writes for the whole batch classified in
    memory (``classify(tokenize(read_inputs(paths).findings))``), with memory that depends on
    ``rows``, not on the batch. Its temporary file replaces ``output`` only when all is written;
    inputs that cannot be read are named in the result's ``errors``, as ``read_inputs`` names them.

    ``jobs``: processes of this machine (-1: one per core), for a batch of more than one chunk;
    ``scheduler``: ``tcp://HOST:PORT`` of a Dask cluster, or ``local`` for one started for the
    run (``jobs`` workers, or one per core).
    ``on_chunk(done, total)`` is called after each chunk is written.
    """
    options = {"agency": agency, "committee": committee, "fiscal_year": fiscal_year}
    suffix = Path(output).suffix.lower()
    result = BatchResult()
    with streamed_table(output, empty=findings_frame([])) as table:  # a bad output: refused now
        inputs = sort_inputs(paths)
        if not scheduler and not inputs.may_be_chunks(rows):  # a pool would only cost its start
            jobs = 1
        with open_workers(
            model, jobs=jobs, scheduler=scheduler, parses_reports=bool(inputs.reports)
        ) as workers:
            early = None
            if workers.limit and not inputs.reports and len(inputs.readable_tables) == 1:
                early = SentEarly(workers, engine=engine, suffix=suffix)
            plan = inputs.plan(rows, early)
            table.check_rows(plan.table_rows)  # before any work is written
            # a report's row is written the same whatever the types of the tables' columns
            job = Job.of(plan.whole(set(FINDING_COLUMNS)), engine=engine, suffix=suffix)
            for chunk in workers.map(plan.report_chunks(options), job):
                _write(chunk, table, result, on_chunk, plan.chunk_count)
            # a table's are not: its whole numbers become floats beside the reports' empty cells
            parsed = result.with_values if result.findings else None
            job = Job.of(plan.whole(parsed), engine=engine, suffix=suffix)
            chunks, started = plan.table_chunks(), []
            if early is not None:
                started = early.kept(plan.tables[0].layout if plan.tables else None, job)
                chunks = islice(chunks, len(started), None)
            for chunk in workers.map(chunks, job, started):
                _write(chunk, table, result, on_chunk, plan.chunk_count)
    result.files += plan.table_files
    result.errors += plan.table_errors
    return result


class SentEarly:
    """Chunks of a table sent to the workers while its first pass is still reading it, so that
    they work from the start; each goes with the columns and dtypes of the rows read until then,
    and its result is kept only if the whole table's are the same (as when every row holds the
    same fields, of the same types). Up to as many as the workers hold in flight."""

    def __init__(self, workers, *, engine: str, suffix: str):
        self.workers, self.engine, self.suffix = workers, engine, suffix
        self.sent = []  # (the chunk's layout, its job, the future of its result)

    def __call__(self, chunk: TableChunk, so_far: pd.DataFrame) -> bool:
        job = Job.of(whole_of([so_far], None), engine=self.engine, suffix=self.suffix)
        self.sent.append((chunk.layout, job, self.workers.submit(chunk, job)))
        return len(self.sent) < self.workers.limit

    def kept(self, layout: Layout | None, job: Job) -> list:
        """The futures of the chunks sent, if all were sent as the whole table would send them
        (``layout``: its first pass's, None if it was refused); else none, the others cancelled."""
        if all(sent_layout == layout and sent_job == job for sent_layout, sent_job, _ in self.sent):
            return [future for _, _, future in self.sent]
        for _, _, future in self.sent:
            future.cancel()
        return []


def _write(chunk: ChunkResult, table, result: BatchResult, on_chunk, total: int) -> None:
    if chunk.frame is not None:
        table.add(chunk.frame)
    elif chunk.findings:
        table.write(chunk.data, chunk.columns, chunk.findings)
    result.add(chunk)
    result.chunks += 1
    if on_chunk:
        on_chunk(result.chunks, total)
