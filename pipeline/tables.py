"""Write and read findings tables as .jsonl, .csv (UTF-8 with BOM, for Excel) or .xlsx.

Every write goes to a temporary file beside the target and is renamed into place, so an
interrupted run never leaves a half-written output over a good one.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from pipeline.schema import INTEGER_COLUMNS

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


def _safe_frame(frame: pd.DataFrame, *, csv: bool) -> pd.DataFrame:
    safe = frame.copy()
    for column in _text_columns(safe):
        safe[column] = safe[column].map(lambda v: cell_text(v, csv=csv), na_action="ignore")
    safe.columns = [cell_text(str(c), csv=csv) for c in safe.columns]
    return safe


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside ``target``; on success it replaces ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
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


def _records(frame: pd.DataFrame) -> list[dict]:
    clean = frame.astype(object).where(frame.notna(), None)
    return clean.to_dict(orient="records")


def _write_jsonl(frame: pd.DataFrame, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for start in range(0, len(frame), 5000):  # a slice at a time: memory stays flat
            for record in _records(frame.iloc[start : start + 5000]):
                out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    _safe_frame(frame, csv=True).to_csv(path, index=False, encoding="utf-8-sig")


def _display_width(text: str) -> int:
    """Columns a text takes: Thai vowels and tone marks above or below a letter take none."""
    return sum(1 for ch in text if not unicodedata.combining(ch) and ch not in _THAI_MARKS)


def _write_sheets(sheets: dict[str, pd.DataFrame], path: Path) -> None:
    """Sheets of one .xlsx: frozen header, filters, column widths that fit Thai text."""
    from openpyxl.utils import get_column_letter

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame = _safe_frame(frame, csv=False)
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            for row in sheet.iter_rows(min_row=1):
                for cell in row:
                    if cell.data_type == "f":  # text that looks like a formula stays text
                        cell.data_type = "s"
            sheet.freeze_panes = "A2"
            if len(frame.columns):
                sheet.auto_filter.ref = sheet.dimensions
            for index, column in enumerate(frame.columns, start=1):
                values = [str(column), *map(str, frame[column].head(300))]
                width = max(_display_width(v) for v in values) + 2
                sheet.column_dimensions[get_column_letter(index)].width = min(
                    max(8, width), _XLSX_MAX_WIDTH
                )


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


def read_jsonl(path: Path | str) -> pd.DataFrame:
    """A findings table written by :func:`write_table` as JSON Lines."""
    frame = pd.read_json(path, lines=True, dtype=False)
    for name in INTEGER_COLUMNS:
        if name in frame.columns:
            frame[name] = pd.array(frame[name], dtype="Int64")
    return frame


def read_findings_table(path: Path) -> pd.DataFrame | None:
    """A findings table to classify as it is: any .jsonl, or a .csv with a ``text`` column.

    Returns None for anything else (a report, which the parser reads).
    """
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return read_jsonl(path)
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            header = handle.readline().strip().split(",")
        if "text" in header:
            return pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    return None


def markdown_table(frame: pd.DataFrame, index_name: str | None = None, cell=str) -> str:
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
