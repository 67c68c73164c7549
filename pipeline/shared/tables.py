"""Write and read findings tables as .jsonl, .csv (UTF-8 with BOM, for Excel) or .xlsx.

Every write goes to a temporary file beside the target and is renamed into place, so an
interrupted run never leaves a half-written output over a good one.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from pipeline.shared.schema import INTEGER_COLUMNS, KINDS

TABLE_SUFFIXES = (".jsonl", ".csv", ".xlsx")
_XLSX_MAX_WIDTH = 70
_THAI_MARKS = set("ัิีึืุู็่้๊๋์ํ")


class OutputError(ValueError):
    """An output path the writers cannot serve."""


#: Characters that make a spreadsheet cell a formula when they open it (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Control characters an .xlsx cannot hold (XML 1.0 forbids them); written as U+FFFD instead.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
REPLACEMENT = "\ufffd"


def cell_text(value, *, csv: bool = False):
    """A value as a spreadsheet cell that is data, never a formula, and holds no illegal character.

    Text that starts like a formula gets a leading apostrophe in CSV (Excel shows the rest as
    text); in .xlsx it is written as a string cell, which Excel never evaluates.
    """
    if not isinstance(value, str):
        return value
    value = _ILLEGAL.sub(REPLACEMENT, value)
    if csv and value.startswith(FORMULA_STARTS):
        value = "'" + value
    return value


def illegal_characters(frame: pd.DataFrame) -> int:
    """How many characters the spreadsheet writers will replace with U+FFFD in ``frame``."""
    return sum(
        len(_ILLEGAL.findall(value))
        for column in _text_columns(frame)
        for value in frame[column]
        if isinstance(value, str)
    )


def _text_columns(frame: pd.DataFrame) -> list:
    return [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c].dtype)]


def _safe_frame(frame: pd.DataFrame, *, csv: bool, dtypes: dict | None = None) -> pd.DataFrame:
    """``frame`` with every cell made safe (:func:`cell_text`), and its column names.

    Escaping a column infers its type anew: whole numbers with gaps become floats unless the
    column also holds text. ``dtypes`` gives the types the columns of the whole table take, when
    ``frame`` is a chunk of it, so that the chunk is written as the whole table would be.
    """
    safe = frame.copy()
    for column in _text_columns(safe):
        escaped = safe[column].map(lambda v: cell_text(v, csv=csv), na_action="ignore")
        whole = (dtypes or {}).get(column)
        if whole is not None and escaped.dtype != whole:
            missing = safe[column].isna()
            values = [v if na else cell_text(v, csv=csv) for v, na in zip(safe[column], missing)]
            escaped = pd.Series(values, index=safe.index, dtype=object).astype(whole)
        safe[column] = escaped
    safe.columns = [cell_text(str(c), csv=csv) for c in safe.columns]
    return safe


def escaped_dtypes(frame: pd.DataFrame) -> dict:
    """The types the CSV writer gives ``frame``'s text columns once escaped."""
    return _safe_frame(frame, csv=True)[_text_columns(frame)].dtypes.to_dict()


_PARTIAL = ".partial"
#: A temporary file this old is left over from a run that was killed, and is removed.
_STALE_SECONDS = 600


def _remove_stale(target: Path) -> None:
    import time

    for leftover in target.parent.glob(f".{glob_escape(target.name)}.*{_PARTIAL}"):
        try:
            if time.time() - leftover.stat().st_mtime > _STALE_SECONDS:
                leftover.unlink()
        except OSError:
            pass


def glob_escape(name: str) -> str:
    import glob

    return glob.escape(name)


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside ``target``; on success it replaces ``target``.

    The temporary file is removed on any error or interrupt; one left by a killed run (named
    ``.NAME.XXXX.partial``) is removed by the next write of the same file.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give a file name")
    _remove_stale(target)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=_PARTIAL, dir=target.parent
    )
    os.close(handle)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files
    try:
        yield Path(temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


@contextmanager
def output_set(folder: Path, names: Iterable[str]):
    """Write several outputs as one set: yield a staging folder; on success its files replace
    those of ``folder`` one after another, and outputs of ``names`` the new set lacks are removed,
    so the folder never mixes a new workbook with an old summary. On failure nothing changes.
    """
    import shutil

    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file; the outputs need a folder")
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".outputs.", suffix=_PARTIAL, dir=folder))
    try:
        yield staging
        written = sorted(p.name for p in staging.iterdir() if not p.name.startswith("."))
        for name in written:
            os.replace(staging / name, folder / name)
        for name in set(names) - set(written):
            (folder / name).unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def same_file(output: Path, inputs: Iterable[Path]) -> Path | None:
    """The input that ``output`` would overwrite, if any."""

    def resolved(path) -> Path:
        try:
            return Path(path).resolve()
        except (OSError, RuntimeError):  # a symlink loop: compare the path as given
            return Path(path).absolute()

    target = resolved(output)
    return next((p for p in inputs if resolved(p) == target), None)


def _records(frame: pd.DataFrame) -> list[dict]:
    """The rows as dicts of Python values, a missing value as None: what
    ``frame.astype(object).where(frame.notna(), None).to_dict("records")`` gives, a column at a
    time rather than a cell at a time."""
    columns = []
    for name in frame.columns:
        values = frame[name].to_numpy(dtype=object, copy=True)
        values[pd.isna(values)] = None
        columns.append(values.tolist())
    names = list(frame.columns)
    if not names:
        return [{} for _ in range(len(frame))]
    return [dict(zip(names, row)) for row in zip(*columns)]


def jsonl_text(frame: pd.DataFrame) -> str:
    """The rows of ``frame`` as the JSON Lines writer writes them."""
    return "".join(
        json.dumps(record, ensure_ascii=False, default=str) + "\n" for record in _records(frame)
    )


def csv_text(frame: pd.DataFrame, *, header: bool, dtypes: dict | None = None) -> str:
    """The rows of ``frame`` (and its header line, if asked) as the CSV writer writes them;
    ``dtypes``: see :func:`_safe_frame`."""
    return _safe_frame(frame, csv=True, dtypes=dtypes).to_csv(index=False, header=header)


def _write_jsonl(frame: pd.DataFrame, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for start in range(0, len(frame), 5000):  # a slice at a time: memory stays flat
            out.write(jsonl_text(frame.iloc[start : start + 5000]))


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    _safe_frame(frame, csv=True).to_csv(path, index=False, encoding="utf-8-sig")


def _display_width(text: str) -> int:
    """Columns a text takes: Thai vowels and tone marks above or below a letter take none."""
    return sum(1 for ch in text if not unicodedata.combining(ch) and ch not in _THAI_MARKS)


def _cell_value(value):
    """A frame's value as openpyxl takes it: missing → empty, NumPy scalars → Python ones."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value if isinstance(value, (str, int, float, bool)) else str(value)


def _write_sheets(sheets: dict[str, pd.DataFrame], path: Path) -> None:
    """Sheets of one .xlsx: frozen header, filters, column widths that fit Thai text.

    Written in openpyxl's streaming mode, a row at a time, so a large table costs little memory;
    every string is a string cell (Excel never evaluates it), whatever it starts with.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    for name, frame in sheets.items():
        frame = _safe_frame(frame, csv=False)
        sheet = workbook.create_sheet(title=name)
        for index, column in enumerate(frame.columns, start=1):
            values = [str(column), *map(str, frame[column].head(300))]
            width = max(_display_width(v) for v in values) + 2
            sheet.column_dimensions[get_column_letter(index)].width = min(
                max(8, width), _XLSX_MAX_WIDTH
            )
        sheet.freeze_panes = "A2"
        if len(frame.columns):
            last = get_column_letter(len(frame.columns))
            sheet.auto_filter.ref = f"A1:{last}{len(frame) + 1}"

        def cells(values, sheet=sheet):
            row = []
            for value in values:
                cell = WriteOnlyCell(sheet, value=_cell_value(value))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text that looks like a formula stays text
                row.append(cell)
            return row

        sheet.append(cells(map(str, frame.columns)))
        for values in frame.itertuples(index=False, name=None):
            sheet.append(cells(values))
    workbook.save(path)


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    _write_sheets({"findings": frame}, path)


def write_workbook(sheets: dict[str, pd.DataFrame], path: Path | str) -> Path:
    """Several tables as the sheets of one .xlsx, atomically."""
    path = Path(path)
    with atomic_path(path) as temporary:
        _write_sheets(sheets, temporary)
    return path


_WRITERS: dict[str, Callable[[pd.DataFrame, Path], None]] = {
    ".jsonl": _write_jsonl,
    ".csv": _write_csv,
    ".xlsx": _write_xlsx,
}


def write_table(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write ``frame`` in the format its extension names, atomically."""
    path = Path(path)
    writer = _WRITERS.get(path.suffix.lower())
    if writer is None:
        raise OutputError(f"{path}: unknown output format; use one of {', '.join(TABLE_SUFFIXES)}")
    with atomic_path(path) as temporary:
        writer(frame, temporary)
    return path


#: Rows a worksheet holds below its header.
XLSX_MAX_ROWS = 1_048_575


class TableStream:
    """A findings table written a chunk at a time, in order (see :func:`streamed_table`)."""

    def __init__(self, temporary: Path, target: Path):
        self.target, self.suffix, self.rows = target, target.suffix.lower(), 0
        self._temporary = temporary
        self._frames: list[pd.DataFrame] = []
        self._handle = None
        if self.suffix in (".csv", ".jsonl"):  # bytes: where the rows were made, they were encoded
            self._handle = temporary.open("wb")
        if self.suffix == ".csv":  # the BOM once, then lines as pandas writes them
            self._handle.write(codecs.BOM_UTF8)

    def write(self, data: bytes, columns: Iterable[str], rows: int) -> None:
        """Append rows serialized by :func:`jsonl_text` or :func:`csv_text` (no header), encoded
        as UTF-8."""
        if self.suffix == ".csv" and not self.rows:
            header = csv_text(pd.DataFrame(columns=list(columns)), header=True)
            self._handle.write(header.encode("utf-8"))
        self._handle.write(data)
        self.rows += rows

    def add(self, frame: pd.DataFrame) -> None:
        """Append rows as a frame (.xlsx, which is written whole at the end)."""
        self.check_rows(self.rows + len(frame))
        self._frames.append(frame)
        self.rows += len(frame)

    def check_rows(self, rows: int) -> None:
        """OutputError if ``rows`` findings would not fit the output's format."""
        if self.suffix == ".xlsx" and rows > XLSX_MAX_ROWS:
            raise OutputError(
                f"{self.target}: {rows:,} findings are more than the {XLSX_MAX_ROWS:,} rows a "
                "worksheet holds; write .jsonl or .csv"
            )

    def finish(self, empty: pd.DataFrame) -> None:
        """Write what is left: the .xlsx, or ``empty`` (its header) if no row came."""
        if self.suffix == ".xlsx":
            frame = pd.concat(self._frames) if self._frames else empty
            _write_xlsx(frame, self._temporary)
        elif self.suffix == ".csv" and not self.rows:
            self._handle.write(csv_text(empty, header=True).encode("utf-8"))

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


@contextmanager
def streamed_table(path: Path | str, empty: pd.DataFrame):
    """Yield a :class:`TableStream` whose rows go, in order, to the temporary file that replaces
    ``path`` once all are written: what :func:`write_table` writes for the same rows.

    .jsonl and .csv rows are appended as they come; .xlsx, capped at a worksheet's rows, is
    written whole at the end. ``empty``, a frame without rows, gives the header if none came.
    """
    path = Path(path)
    if path.suffix.lower() not in _WRITERS:
        raise OutputError(f"{path}: unknown output format; use one of {', '.join(TABLE_SUFFIXES)}")
    with atomic_path(path) as temporary:
        stream = TableStream(temporary, path)
        try:
            yield stream
            stream.finish(empty)
        finally:
            stream.close()


def numbered_records(path: Path | str):
    """``(line number, object)`` for each non-empty line of a corpus JSON Lines file.

    Lines are split at newlines only: a U+2028 inside a string is text, not a line end. A line that
    is not a JSON object raises ``ValueError`` naming the file and the line.
    """
    path = Path(path)
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line, parse_constant=_no_constant)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: not JSON ({error.msg})") from None
        except ValueError as error:
            raise ValueError(f"{path}:{number}: not usable JSON ({error})") from None
        if not isinstance(record, dict):
            raise ValueError(f"{path}:{number}: not a JSON object")
        yield number, record


def read_jsonl(path: Path | str) -> pd.DataFrame:
    """A findings table written by :func:`write_table` as JSON Lines."""
    return read_findings_table(Path(path), suffix=".jsonl")


#: A finding longer than this is refused: no report has one, and classifying it costs minutes.
MAX_FINDING_CHARS = 20_000


def _check_regular(path: Path) -> None:
    from pipeline.stages.read import MAX_INPUT_BYTES, InputError, check_regular_file

    check_regular_file(path)
    if path.stat().st_size > MAX_INPUT_BYTES:
        raise InputError(path, f"over the {MAX_INPUT_BYTES // 2**20} MiB limit")


def _no_constant(name: str):
    raise ValueError(f"{name} is not a value a finding can hold")


#: ``json.loads(line, parse_constant=_no_constant)``, without building a decoder every line.
_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def _text_problem(value) -> str | None:
    """Why a ``text`` cell cannot be a finding's text, or None."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            return "text holds a broken character (lone surrogate)"
        if len(value) > MAX_FINDING_CHARS:
            return f"a finding of {len(value):,} characters, over the {MAX_FINDING_CHARS:,} limit"
        return None
    if value is None or (isinstance(value, float) and value != value):
        return None
    return f"text is {type(value).__name__}, not text"


def _kind_problem(value) -> str | None:
    if value is not None and value == value and value not in KINDS:
        return f"kind {str(value)[:40]!r}; expected {', '.join(KINDS)}"
    return None


def _integer_problem(name: str):
    def problem(value) -> str | None:
        if _whole_number(value):
            return None
        return f"{name} is {str(value)[:40]!r}, not a whole number"

    return problem


#: What every row of a findings table is checked for, column by column, in the order the first
#: problem found is reported: text first, then the whole numbers, then the kind.
ROW_CHECKS: tuple[tuple[str, Callable[[object], str | None]], ...] = (
    ("text", _text_problem),
    *((name, _integer_problem(name)) for name in INTEGER_COLUMNS),
    ("kind", _kind_problem),
)


def records_frame(records: list[dict]) -> pd.DataFrame:
    """A table's checked records as a frame: the whole-number columns as nullable integers."""
    return _whole_numbers(pd.DataFrame.from_records(records))


def _whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    for name in INTEGER_COLUMNS:
        if name in frame.columns:
            frame[name] = pd.array(
                [None if v is None or v != v else int(v) for v in frame[name]], dtype="Int64"
            )
    return frame


def _table_frame(path: Path, records: list[dict]) -> pd.DataFrame:
    """Records of a findings table, checked: text is text, integers are integers."""
    from pipeline.stages.read import InputError

    frame = pd.DataFrame.from_records(records)
    if "text" not in frame.columns:
        raise InputError(path, "a findings table needs a text column")
    for name, problem_of in ROW_CHECKS:
        if name in frame.columns:
            for number, value in enumerate(frame[name], start=1):
                if problem := problem_of(value):
                    raise InputError(path, f"row {number}: {problem}")
    return _whole_numbers(frame)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _whole_number(value) -> bool:
    """An empty cell or a whole number of at most 9 digits (years, committees, lines)."""
    if value is None or (isinstance(value, float) and value != value):
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) < 10**9
    if isinstance(value, float):
        return value.is_integer() and abs(value) < 10**9
    return bool(re.fullmatch(r"\s*-?\d{1,9}\s*", str(value)))


def table_suffix(path: Path, *, suffix: str | None = None) -> str | None:
    """``.jsonl`` or ``.csv`` if ``path`` is a findings table (any .jsonl, a .csv with a ``text``
    column), None for a report; raises InputError for a table too wide to read."""
    from pipeline.stages.read import MAX_COLUMNS, InputError

    suffix = suffix or path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            header = next(csv.reader([handle.readline()]), [])
        if "text" not in header:
            return None
        if len(header) > MAX_COLUMNS:
            raise InputError(path, f"{len(header):,} columns, over the {MAX_COLUMNS:,} allowed")
    return suffix if suffix in (".jsonl", ".csv") else None


def csv_chunks(path: Path, rows: int | None = None):
    """The cells of a findings CSV as text (empty cells ``""``): one frame, or frames of
    ``rows`` rows; a malformed file raises InputError naming the problem."""
    from pipeline.stages.read import InputError

    options = {"encoding": "utf-8-sig", "dtype": str, "keep_default_na": False}
    try:
        if rows is None:
            yield pd.read_csv(path, **options)
        else:
            with pd.read_csv(path, **options, chunksize=rows) as chunks:
                yield from chunks
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise InputError(path, f"malformed CSV ({str(error).splitlines()[0]})") from None


def csv_records(cells: pd.DataFrame) -> list[dict]:
    """Records of CSV cells, an empty cell as None."""
    return cells.replace({"": None}).to_dict("records")


#: Characters read at a time from a JSON Lines file, split into lines in one call.
_PIECE = 2**16


def jsonl_lines(path: Path, *, longest: int | None = None):
    """``(line number, line)`` for each non-empty line of a findings JSON Lines file.

    ``longest`` caps the characters of a line, so that a file read a piece at a time never holds
    more; a longer line raises InputError, as does text that is not UTF-8. Lines end where
    Python's text files end them (``\\n``, ``\\r\\n`` or ``\\r``), and are given without it.
    """
    try:
        with path.open(encoding="utf-8") as handle:
            number, parts, size = 0, [], 0  # the line being read, in pieces
            while piece := handle.read(_PIECE):
                *ended, tail = piece.split("\n")
                if ended:
                    if parts:
                        ended[0] = "".join(parts) + ended[0]
                    for line in ended:
                        number += 1
                        if longest is not None and len(line) > longest:
                            raise _line_too_long(path, number, longest)
                        if line.strip():
                            yield number, line
                    parts, size = [], 0
                parts.append(tail)
                size += len(tail)
                if longest is not None and size > longest:
                    raise _line_too_long(path, number + 1, longest)
            if last := "".join(parts):
                if last.strip():
                    yield number + 1, last
    except UnicodeDecodeError:
        from pipeline.stages.read import InputError

        raise InputError(path, "not UTF-8 text") from None


def _line_too_long(path: Path, number: int, longest: int) -> Exception:
    from pipeline.stages.read import InputError

    return InputError(path, f"line {number}: over {longest:,} characters")


def json_record(path: Path, number: int, line: str) -> dict:
    """One line of a findings JSON Lines file as an object; InputError names the line."""
    text = line.removeprefix("\ufeff")
    try:
        if text.startswith("\ufeff"):  # as json.loads refuses it
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        record = _DECODER.decode(text)
    except json.JSONDecodeError as error:
        problem = f"not JSON ({error.msg})"
    except (ValueError, RecursionError) as error:  # NaN, huge numbers, deep nesting
        reason = "nested too deeply" if isinstance(error, RecursionError) else error
        problem = f"not usable JSON ({reason})"
    else:
        if isinstance(record, dict):
            return record
        problem = "not a JSON object"
    from pipeline.stages.read import InputError  # only on the way out: this runs for every line

    raise InputError(path, f"line {number}: {problem}")


def read_findings_table(path: Path, *, suffix: str | None = None) -> pd.DataFrame | None:
    """A findings table to classify as it is: any .jsonl, or a .csv with a ``text`` column.

    Returns None for anything else (a report, which the parser reads). A table that cannot be read
    raises :class:`pipeline.stages.read.InputError` naming the file and the line.
    """
    from pipeline.stages.read import InputError

    if (suffix or path.suffix.lower()) not in (".jsonl", ".csv"):
        return None
    _check_regular(path)
    suffix = table_suffix(path, suffix=suffix)
    if suffix == ".csv":
        return _table_frame(path, csv_records(next(csv_chunks(path))))
    if suffix is None:
        return None
    records = [json_record(path, number, line) for number, line in jsonl_lines(path)]
    if not records:
        raise InputError(path, "no findings in the table")
    return _table_frame(path, records)


def number_cell(value) -> str:
    """Floats to three decimals; whole floats above 1 (counts made into floats) as counts."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and value > 1 else f"{value:.3f}"
    return str(value)


def markdown_table(frame: pd.DataFrame, index_name: str | None = None, cell=number_cell) -> str:
    """A table in Markdown (pandas' own needs the tabulate package).

    ``index_name`` None leaves the index out; a name puts it first. ``cell`` renders each value.
    """
    header = list(map(str, frame.columns))
    if index_name is not None:
        header.insert(0, index_name)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for values in frame.itertuples(index=index_name is not None):  # keeps each column's type
        index = [str(values[0])] if index_name is not None else []
        row = values[1:] if index_name is not None else values
        lines.append("| " + " | ".join([*index, *map(cell, row)]) + " |")
    return "\n".join(lines)
