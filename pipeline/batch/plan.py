"""What a batch is made of, read a chunk at a time, in the order its findings are written.

The findings of the reports come first, file after file, then those of each findings table, row
after row: the order :func:`pipeline.stages.parse.read_inputs` gives. Reports are parsed a group
of files at a time. A findings table is read twice. The first pass holds no rows: it finds the
problem the whole-table reader would name, if any, and what pandas would make of each column
(:class:`TableScan`). The second pass reads a chunk of rows at a time, and each chunk is given
the columns and types its rows have in the whole table (:func:`conform`), so that a chunk is
written exactly as the same rows of the whole table would be.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.shared.schema import FINDING_COLUMNS, INTEGER_COLUMNS, findings_frame
from pipeline.shared.tables import (
    ROW_CHECKS,
    csv_chunks,
    csv_records,
    json_record,
    jsonl_lines,
    records_frame,
    table_suffix,
)
from pipeline.stages.parse import expand_paths, table_findings
from pipeline.stages.read import MAX_INPUT_BYTES, InputError, check_regular_file

#: Columns in output order with the dtype each has in the whole table.
Layout = tuple[tuple[str, object], ...]
#: Given each chunk of a table as its first pass reads it, with the columns and dtypes of the rows
#: read so far (and their :attr:`TableScan.frame`); answers whether it wants the next.
Early = Callable[["TableChunk", pd.DataFrame], bool]

#: A group of report files is closed at this many bytes, so that a group's findings stay small.
GROUP_BYTES = 16 * 2**20
#: Findings a report holds, for sizing groups of files like chunks of rows (reports vary).
FINDINGS_PER_REPORT = 100


class BatchError(RuntimeError):
    """A batch that cannot go on (an input changed under it, an output too long for its format)."""


@dataclass(frozen=True)
class ReportChunk:
    """A group of report files, parsed together."""

    files: tuple[str, ...]
    options: dict  # agency, committee and fiscal year of reports that do not give theirs

    def __len__(self) -> int:
        return len(self.files)


@dataclass(frozen=True)
class TableChunk:
    """Consecutive rows of a findings table, as read: JSON lines, or a CSV's cells as text."""

    path: str
    lines: tuple[tuple[int, str], ...] = ()
    cells: pd.DataFrame | None = None
    layout: Layout = ()  # the whole table's columns, before its rows become findings

    def __len__(self) -> int:
        return len(self.lines) if self.cells is None else len(self.cells)

    def findings(self) -> pd.DataFrame:
        """The rows as findings, with the types they have in the whole table."""
        if self.cells is not None:
            records = csv_records(self.cells)
        else:
            try:
                path = Path(self.path)
                records = [json_record(path, n, line) for n, line in self.lines]
            except InputError:  # it was checked whole in the first pass
                raise BatchError(_changed(self.path)) from None
        return table_findings(conform(records_frame(records), self.layout, records))


def layout_of(frame: pd.DataFrame) -> Layout:
    return tuple(frame.dtypes.items())


def conform(frame: pd.DataFrame, layout: Layout, records: list[dict] | None = None):
    """``frame`` with the columns (in order) and the dtypes of ``layout``.

    A chunk's own dtypes can differ from the whole table's: whole numbers with a gap somewhere
    else are floats in the whole table, and a column that holds text further on holds objects.
    An object column is rebuilt from ``records`` when given, as pandas builds it from them.
    """
    columns = {}
    for name, dtype in layout:
        if name not in frame.columns:
            columns[name] = pd.Series(np.nan, index=frame.index, dtype=dtype)
        elif frame[name].dtype == dtype:
            columns[name] = frame[name]
        elif records is not None and pd.api.types.is_object_dtype(dtype):
            values = [record.get(name, np.nan) for record in records]
            columns[name] = pd.Series(values, index=frame.index, dtype=object)
        else:
            columns[name] = frame[name].astype(dtype)
    return pd.DataFrame(columns, index=frame.index)


_MISSING = object()


class Survey:
    """What the first pass keeps of a table's rows, whatever their number.

    Per column, one value of each type seen (the smallest and largest whole numbers), and how
    many rows have the column: all that pandas' type inference looks at, so that a small frame
    of those values (:meth:`representatives`) has the whole table's dtypes. And the first row
    failing each check.
    """

    def __init__(self):
        self.rows = 0
        self.values: dict[str, dict[str, object]] = {}
        self.present: dict[str, int] = {}
        self.first_bad: dict[str, tuple[int, object]] = {}

    def add(self, records: list[dict]) -> None:
        """Take in a chunk of rows, a column at a time (as one by one they leave the same)."""
        before = self.rows
        self.rows += len(records)
        columns = {}
        for key in dict.fromkeys(chain.from_iterable(records)):  # in the order first seen
            values = columns[key] = [record[key] for record in records if key in record]
            self.present[key] = self.present.get(key, 0) + len(values)
            seen = self.values.setdefault(key, {})
            for kind in dict.fromkeys(map(type, values)):  # bool, int, float, str, ...
                if kind is int:  # the range decides int64, uint64 or object
                    whole = [value for value in values if type(value) is int]
                    low, high = min(whole), max(whole)
                    if "int<" not in seen or low < seen["int<"]:
                        seen["int<"] = low
                    if "int>" not in seen or high > seen["int>"]:
                        seen["int>"] = high
                elif kind.__name__ not in seen:
                    seen[kind.__name__] = next(v for v in values if type(v) is kind)
        for name, problem_of in ROW_CHECKS:  # an absent value passes every check
            if name in columns and name not in self.first_bad:
                if any(map(problem_of, columns[name])):
                    row = next(
                        row
                        for row, record in enumerate(records, start=before + 1)
                        if name in record and problem_of(record[name])
                    )
                    self.first_bad[name] = (row, records[row - before - 1][name])

    def representatives(self) -> list[dict]:
        """A few rows that hold every value kept, and lack a column where some rows lack it."""
        columns = {}
        for name, seen in self.values.items():
            values = list(seen.values())
            if self.present[name] < self.rows:
                values.append(_MISSING)
            columns[name] = values
        width = max((len(values) for values in columns.values()), default=0)
        return [
            {
                name: values[i % len(values)]
                for name, values in columns.items()
                if values[i % len(values)] is not _MISSING
            }
            for i in range(width)
        ]


class TableScan:
    """One pass over a findings table that holds no rows (:class:`Survey`): the whole table's
    columns and dtypes (:attr:`frame`), and the problem the whole-table reader would name.

    ``early`` is given the chunks as they are read, for work that may start before the pass ends
    and is kept if the whole table has the columns and dtypes of the rows read until then.
    """

    def __init__(self, path: Path, suffix: str, rows: int, early: Early | None = None):
        self.path, self.suffix, self.chunk_rows = path, suffix, rows
        self.survey = Survey()
        self._stamp = self._stat()
        for records, part in self._record_chunks():
            self.survey.add(records)
            if early is not None:
                so_far = records_frame(self.survey.representatives())
                chunk = TableChunk(str(path), **part, layout=layout_of(so_far))
                if not early(chunk, so_far):
                    early = None
        self.rows = self.survey.rows
        self._raise_first_problem()
        self.frame = records_frame(self.survey.representatives())
        self.layout = layout_of(self.frame)

    def _stat(self) -> tuple[int, int]:
        status = self.path.stat()
        return status.st_size, status.st_mtime_ns

    def _record_chunks(self) -> Iterator[tuple[list[dict], dict]]:
        """The rows a chunk at a time, as records and as read (a chunk's ``lines`` or ``cells``)."""
        if self.suffix == ".csv":
            for cells in csv_chunks(self.path, self.chunk_rows):
                yield csv_records(cells), {"cells": cells}
            return
        for lines in self._line_chunks():
            records = [json_record(self.path, number, line) for number, line in lines]
            yield records, {"lines": tuple(lines)}

    def _line_chunks(self) -> Iterator[list[tuple[int, str]]]:
        lines = []
        for numbered in jsonl_lines(self.path, longest=MAX_INPUT_BYTES):
            lines.append(numbered)
            if len(lines) == self.chunk_rows:
                yield lines
                lines = []
        if lines:
            yield lines

    def _raise_first_problem(self) -> None:
        if self.suffix == ".jsonl" and not self.rows:
            raise InputError(self.path, "no findings in the table")
        survey = self.survey
        if "text" not in survey.values:
            raise InputError(self.path, "a findings table needs a text column")
        for name, problem_of in ROW_CHECKS:
            if name in survey.first_bad:
                row, value = survey.first_bad[name]
                # the problem is named by the value as the whole table holds it (5 as 5.0 when
                # the column's whole numbers have gaps), so the message is the whole reader's
                inferred = pd.DataFrame.from_records([*survey.representatives(), {name: value}])
                raise InputError(self.path, f"row {row}: {problem_of(inferred[name].iloc[-1])}")

    def chunks(self) -> Iterator[TableChunk]:
        """The second pass: the rows a chunk at a time; BatchError if the file has changed."""
        changed = BatchError(_changed(self.path))
        if self._stat() != self._stamp:
            raise changed
        count = 0
        try:
            if self.suffix == ".csv":
                for cells in csv_chunks(self.path, self.chunk_rows):
                    count += len(cells)
                    yield TableChunk(str(self.path), cells=cells, layout=self.layout)
            else:
                for lines in self._line_chunks():
                    count += len(lines)
                    yield TableChunk(str(self.path), lines=tuple(lines), layout=self.layout)
        except InputError:
            raise changed from None
        if count != self.rows or self._stat() != self._stamp:
            raise changed


def _changed(path) -> str:
    return f"{path}: changed while it was being read; run again"


def report_groups(files: list[Path], per_group: int) -> list[tuple[str, ...]]:
    """Report files in groups of ``per_group``, a group closed early past :data:`GROUP_BYTES`."""
    groups, group, size = [], [], 0
    for path in files:
        try:
            size += path.stat().st_size
        except OSError:  # the parser names the problem
            pass
        group.append(str(path))
        if len(group) == per_group or size >= GROUP_BYTES:
            groups.append(tuple(group))
            group, size = [], 0
    if group:
        groups.append(tuple(group))
    return groups


@dataclass
class Plan:
    """The inputs of a batch: report groups, then the findings tables read in the first pass."""

    groups: list[tuple[str, ...]]
    tables: list[TableScan]
    table_files: list[str]
    table_errors: list[str]
    rows: int  # rows per table chunk

    @property
    def chunk_count(self) -> int:
        return len(self.groups) + sum(math.ceil(t.rows / self.rows) for t in self.tables)

    @property
    def table_rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def report_chunks(self, options: dict) -> Iterator[ReportChunk]:
        return (ReportChunk(group, options) for group in self.groups)

    def table_chunks(self) -> Iterator[TableChunk]:
        for table in self.tables:
            yield from table.chunks()

    def whole(self, parsed: set[str] | None) -> pd.DataFrame:
        """A few rows with the columns and dtypes of the whole batch's findings (before
        tokenizing), and a value of each type its columns hold.

        ``parsed``: the columns the reports' findings give values in, or None if the reports gave
        no findings (their rows then take no part, as in ``read_inputs``).
        """
        return whole_of([table.frame for table in self.tables], parsed)


def whole_of(tables: list[pd.DataFrame], parsed: set[str] | None) -> pd.DataFrame:
    """:meth:`Plan.whole` of tables whose first pass gave ``tables`` (their :attr:`frame`)."""
    frames = [table_findings(frame) for frame in tables]
    if parsed is not None or not frames:
        frames.insert(0, _parsed_like(parsed or set()))
    return pd.concat(frames, ignore_index=True)


def _parsed_like(with_values: set[str]) -> pd.DataFrame:
    """A row shaped as the parser's findings, with a value in the columns that have one."""
    record = {
        name: (1 if name in INTEGER_COLUMNS else "x") if name in with_values else None
        for name in FINDING_COLUMNS
    }
    return findings_frame([record])


@dataclass
class Inputs:
    """The inputs of a batch sorted, before the tables are read: report files, and the findings
    tables (path and format) or the error that refused each, in the order given."""

    reports: list[Path]
    tables: list[tuple[Path, str] | str]

    @property
    def readable_tables(self) -> list[tuple[Path, str]]:
        return [table for table in self.tables if not isinstance(table, str)]

    def may_be_chunks(self, rows: int) -> bool:
        """Whether the batch may be more than one chunk of ``rows``, from the number of files and
        a table's line ends (never fewer than its rows less one), read no further than needed."""
        count = len(report_groups(self.reports, _per_group(rows)))
        found = self.readable_tables
        if count or len(found) != 1:
            return count + len(found) > 1
        return _line_ends_reach(found[0][0], rows)

    def plan(self, rows: int, early: Early | None = None) -> Plan:
        """The first pass over each table (``early``: see :class:`TableScan`); a table that
        cannot be read is an error of the batch, named as ``read_inputs`` names it."""
        tables, table_files, errors = [], [], []
        for table in self.tables:
            if isinstance(table, str):
                errors.append(table)
                continue
            path, suffix = table
            try:
                tables.append(TableScan(path, suffix, rows, early))
                table_files.append(str(path))
            except InputError as error:
                errors.append(str(error))
            except OSError as error:
                errors.append(_cannot_read(path, error))
        groups = report_groups(self.reports, _per_group(rows))
        return Plan(groups, tables, table_files, errors, rows)


def _per_group(rows: int) -> int:
    return max(1, rows // FINDINGS_PER_REPORT)


def _cannot_read(path: Path, error: OSError) -> str:
    return str(InputError(path, f"cannot read ({error.strerror or error})"))


def _line_ends_reach(path: Path, count: int) -> bool:
    """Whether the file holds at least ``count`` line ends (True if it cannot be read: the
    first pass names the problem)."""
    seen = 0
    try:
        with path.open("rb") as handle:
            while seen < count and (block := handle.read(2**20)):
                seen += block.count(b"\n") + block.count(b"\r")
    except OSError:
        return True
    return seen >= count


def sort_inputs(paths) -> Inputs:
    """Sort the inputs into report files and findings tables (a CSV's header read), no more."""
    reports, tables = [], []
    for path in expand_paths(paths):
        try:
            if path.suffix.lower() in (".jsonl", ".csv"):
                check_regular_file(path)  # no size limit: a table is read a chunk at a time
            suffix = table_suffix(path)
            if suffix is None:
                reports.append(path)
            else:
                tables.append((path, suffix))
        except InputError as error:
            tables.append(str(error))
        except OSError as error:
            tables.append(_cannot_read(path, error))
    return Inputs(reports, tables)


def plan_batch(paths, *, rows: int) -> Plan:
    """Sort the inputs and read the tables' first pass (:class:`Inputs`)."""
    return sort_inputs(paths).plan(rows)
