"""The work on one chunk of a batch, the same wherever it runs: in this process, in a worker
process of this machine or on a Dask worker.

A chunk's findings are tokenized and classified (:func:`pipeline.stages.classify.classify`, used
as it is), then written out in the output's format and encoded, so that the process that writes
the file only appends. What the end of the run prints (counts, drift) comes back as counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import partial

import pandas as pd

from pipeline.batch.plan import Layout, ReportChunk, TableChunk, conform, layout_of
from pipeline.learning.drift import DriftCounts, count_drift, model_vocabulary
from pipeline.learning.models import LoadedModel
from pipeline.shared.schema import col
from pipeline.shared.tables import csv_text, escaped_dtypes, jsonl_text
from pipeline.stages.classify import PRODUCES


@dataclass(frozen=True)
class Job:
    """What every chunk of a run shares."""

    engine: str  # tokenizer
    suffix: str  # output format: .jsonl and .csv come back as text, .xlsx as a frame
    layout: Layout  # the whole batch's columns and dtypes before tokenizing
    escaped: dict = field(default_factory=dict)  # and its columns' dtypes once CSV-escaped

    @classmethod
    def of(cls, whole: pd.DataFrame, *, engine: str, suffix: str) -> Job:
        """The job for chunks of a batch whose ``whole`` (:meth:`Plan.whole`) is given."""
        overwritten = (col.TOKENS, *PRODUCES)  # tokenize and classify write these anew
        escaped = {c: d for c, d in escaped_dtypes(whole).items() if c not in overwritten}
        return cls(engine, suffix, layout_of(whole), escaped)


@dataclass
class ChunkResult:
    """A chunk's output rows and what the run's summary needs from them."""

    data: bytes = b""  # the rows as the output holds them (.jsonl, .csv)
    frame: pd.DataFrame | None = None  # or as a frame (.xlsx)
    columns: tuple[str, ...] = ()
    findings: int = 0
    kinds: dict = field(default_factory=dict)  # kind (None: none) → count, first seen first
    sources: Counter = field(default_factory=Counter)  # category_source → count
    needs_review: int = 0
    drift: DriftCounts = field(default_factory=DriftCounts)
    # of a group of reports, as parse_paths gives them
    files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    repairs: Counter = field(default_factory=Counter)
    with_values: set[str] = field(default_factory=set)  # columns the parsed findings fill


def run_chunk(chunk: ReportChunk | TableChunk, job: Job, model: LoadedModel) -> ChunkResult:
    """Read, tokenize and classify one chunk; its rows as the output file holds them."""
    from pipeline.stages.classify import classify
    from pipeline.stages.parse import parse_paths
    from pipeline.stages.words import tokenize

    result = ChunkResult()
    if isinstance(chunk, ReportChunk):
        parsed = parse_paths(chunk.files, **chunk.options)
        findings = parsed.findings
        result.files, result.errors = parsed.files, parsed.errors
        result.warnings, result.repairs = parsed.warnings, parsed.repairs
        result.with_values = {name for name in findings.columns if findings[name].notna().any()}
    else:
        findings = chunk.findings()
    if findings.empty:
        return result
    classified = classify(tokenize(conform(findings, job.layout), engine=job.engine), model)
    if job.suffix == ".xlsx":
        result.frame = classified
    else:
        write = jsonl_text
        if job.suffix == ".csv":
            write = partial(csv_text, header=False, dtypes=job.escaped)
        result.data = write(classified).encode("utf-8")  # here, not in the process that writes
    result.columns = tuple(classified.columns)
    result.findings = len(classified)
    for kind in classified[col.KIND]:
        kind = kind if isinstance(kind, str) else None
        result.kinds[kind] = result.kinds.get(kind, 0) + 1
    result.sources = Counter(classified[col.CATEGORY_SOURCE].value_counts().to_dict())
    result.needs_review = int(classified[col.NEEDS_REVIEW].sum())
    result.drift = count_drift(classified, _vocabulary(model))
    return result


_VOCABULARIES: dict[int, tuple[object, set[str] | None]] = {}


def _vocabulary(model: LoadedModel) -> set[str] | None:
    """The model's vocabulary, built once per process (the model is kept, so its id is)."""
    key = id(model)
    if key not in _VOCABULARIES:
        _VOCABULARIES[key] = (model, model_vocabulary(model))
    return _VOCABULARIES[key][1]
