"""Readers: report files on disk to :class:`Document` objects, whatever the format and encoding.

One reader per format, all producing the same thing: a list of :class:`Block` (a paragraph, a line
of a table cell, or a spreadsheet row) in document order, with hints the layout gives (the kind of a
table column, the factor of a table row, the agency of a spreadsheet row). The format is detected
from the bytes, and the encoding of text files from their content, never from the extension.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

#: Files larger than this are refused without being read.
MAX_INPUT_BYTES = 64 * 1024 * 1024
#: A .docx/.xlsx whose parts unpack to more than this is refused (zip bombs), counted while
#: unpacking, never taken from the sizes the zip's headers claim.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
#: One XML part parsed whole (a Word document, a workbook's shared strings) may unpack to at
#: most this; worksheets are streamed and held only by the total and the cell count.
MAX_XML_PART_BYTES = 48 * 1024 * 1024
#: A line (a paragraph, a cell) longer than this is refused: no report has one.
MAX_LINE_CHARS = 20_000
#: A sheet with more cells holding a value than this is refused.
MAX_SHEET_CELLS = 1_000_000
#: A document with more lines, or more characters in all, is refused: no report comes near, and
#: the segmenter's time grows with both (a shared string repeated in 40,000 cells is 700 M).
MAX_LINES = 50_000
#: A table (CSV, sheet) with more columns than this is refused.
MAX_COLUMNS = 1_000
MAX_DOCUMENT_CHARS = 16_000_000

TEXT_SUFFIXES = {".txt", ".md", ".text", ""}
TABLE_SUFFIXES = {".csv", ".tsv"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | TABLE_SUFFIXES | {".docx", ".xlsx", ".pdf"}


class InputError(Exception):
    """A file that cannot be read; the message is one line naming the file and the problem."""

    def __init__(self, path: Path | str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


@dataclass(frozen=True)
class Block:
    """One paragraph or line of a document.

    ``hints`` carries what the layout says about it (keys: kind, heading_category, agency,
    committee, fiscal_year, recipient_type, recipient_agency) and ``single`` marks a block that is
    one finding by construction (a spreadsheet row), which the segmenter does not split or join.
    """

    raw: str
    line: int
    text: str = ""
    hints: dict = field(default_factory=dict)
    single: bool = False
    repairs: tuple[str, ...] = ()
    #: the line goes on the paragraph of the line before: a line break inside a Word paragraph,
    #: or a flush-left line under an indented first line, with no blank line between, in text
    continues: bool = False


@dataclass(frozen=True)
class Document:
    source: str
    format: str
    blocks: list[Block]
    encoding: str | None = None
    warnings: tuple[str, ...] = ()


def check_regular_file(path: Path) -> None:
    """Refuse what is not a regular file (a FIFO, a device, a symlink to one): never block on it."""
    import stat

    try:
        mode = path.stat().st_mode  # follows symlinks: a link to /dev/zero is a device
    except (OSError, RuntimeError) as error:  # missing, unreadable, a symlink loop
        reason = getattr(error, "strerror", None) or error
        raise InputError(path, f"cannot open ({reason})") from None
    if stat.S_ISDIR(mode):
        raise InputError(path, "a folder, not a file")
    if not stat.S_ISREG(mode):
        raise InputError(path, "not a regular file (a pipe, a device or a link to one)")


def read_document(path: Path | str) -> Document:
    """Read one report file; raise :class:`InputError` with a one-line reason if it cannot."""
    path = Path(path)
    check_regular_file(path)
    size = path.stat().st_size
    if size == 0:
        raise InputError(path, "empty file")
    if size > MAX_INPUT_BYTES:
        raise InputError(
            path, f"file is {size / 2**20:.0f} MiB, over the {MAX_INPUT_BYTES // 2**20} MiB limit"
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot read ({error.strerror or error})") from None
    kind = sniff_format(path, data)
    reader = {
        "text": _read_text,
        "table": _read_table,
        "docx": _read_docx,
        "xlsx": _read_xlsx,
        "pdf": _read_pdf,
    }
    document = reader[kind](path, data)
    if len(document.blocks) > MAX_LINES:
        raise InputError(
            path, f"{len(document.blocks):,} lines, over the {MAX_LINES:,} a report may have"
        )
    total = 0
    for block in document.blocks:
        total += len(block.raw)
        if total > MAX_DOCUMENT_CHARS:
            raise InputError(path, f"over {MAX_DOCUMENT_CHARS:,} characters of text; not a report?")
        if len(block.raw) > MAX_LINE_CHARS:
            raise InputError(
                path,
                f"line {block.line} has {len(block.raw):,} characters, over the "
                f"{MAX_LINE_CHARS:,} limit (not a report?)",
            )
    return document


def sniff_format(path: Path, data: bytes) -> str:
    """Which reader a file needs, from its first bytes (and the extension only for CSV)."""
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            raise InputError(path, "corrupt zip container (damaged .docx/.xlsx?)") from None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise InputError(path, "a zip archive that is neither a Word (.docx) nor an Excel file")
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(path, "old binary .doc/.xls format; save it as .docx or .xlsx in Office")
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x7fELF", b"MZ")):
        raise InputError(path, "binary file (an image or a program), not a report")
    return "table" if path.suffix.lower() in TABLE_SUFFIXES else "text"


_THAI = re.compile("[\u0e01-\u0e5b]")


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """Decode a text file: BOMs, then UTF-8, UTF-16 without BOM, Windows Thai, then a detector."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise InputError(
                    path, f"starts with a {encoding} mark but does not decode"
                ) from None
    head = data[:4096]
    # UTF-16 without a BOM: the high byte of Thai (0x0E) or ASCII (0x00) in every other position
    for encoding, high in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
        if len(high) > 8 and sum(b in (0x00, 0x0E) for b in high) >= 0.9 * len(high):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    if 0 in head:
        raise InputError(path, "binary file (contains NUL bytes), not a text report")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp874")
    except UnicodeDecodeError:
        text = None
    if text is not None and _THAI.search(text):
        return text, "cp874"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise InputError(path, "cannot decode: not UTF-8, UTF-16 or Windows Thai (cp874) text")
    return str(best), best.encoding


def _check_text(path: Path, text: str) -> None:
    if not text.strip():
        raise InputError(path, "no text in the file")
    odd = sum(1 for ch in text if (ch < " " and ch not in "\n\r\t\f\v") or ch == "\ufffd")
    if odd > max(8, len(text) // 100):
        raise InputError(path, "binary or garbled content: too many control characters")


def _read_text(path: Path, data: bytes) -> Document:
    text, encoding = decode_text(path, data)
    _check_text(path, text)
    blocks: list[Block] = []
    indented = False  # the paragraph the line before belongs to opened with an indent
    previous_blank = True
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            previous_blank = True
            continue
        opens = line[:1].isspace()
        continues = not previous_blank and indented and not opens and not _LIST_START.match(line)
        blocks.append(Block(raw=line, line=number, continues=continues))
        indented = indented if continues else opens
        previous_blank = False
    return Document(source=str(path), format="text", blocks=blocks, encoding=encoding)


# --- tables: .csv and .xlsx, one row a finding -----------------------------------------------

#: Column names analysts use, Thai or English, for each field a row may carry.
COLUMN_ALIASES = {
    "text": ("ข้อความ", "text", "รายละเอียด", "ประเด็น", "finding", "ปัญหาอุปสรรค/ข้อเสนอแนะ"),
    "agency": ("หน่วยงาน", "agency", "ชื่อหน่วยงาน", "หน่วยงานผู้รับการประเมิน"),
    "committee": ("คณะ", "committee", "คณะที่", "คณะกรรมการ"),
    "fiscal_year": ("ปีงบประมาณ", "fiscal_year", "ปี", "year", "พ.ศ."),
    "kind": ("ประเภท", "kind", "ชนิด", "type"),
    "heading_category": ("หมวด", "category", "ปัจจัย", "ด้าน", "หมวดหมู่"),
    "recipient_type": (
        "ผู้รับข้อเสนอแนะ",
        "recipient_type",
        "recipient",
        "ข้อเสนอแนะถึง",
        "เสนอต่อ",
        "ถึง",
    ),
    "recipient_agency": ("หน่วยงานที่รับข้อเสนอแนะ", "recipient_agency"),
}


#: Columns that carry nothing a finding needs and are dropped without a warning.
_IGNORED_COLUMNS = {"ลำดับ", "ลำดับที่", "ที่", "no", "no.", "#", "หมายเหตุ", "note"}


def _column_key(name: object) -> str:
    """A header as compared with the aliases: no spaces, no gloss in parentheses."""
    key = re.sub(r"\([^()]*\)", "", str(name or ""))
    return re.sub(r"\s+", "", key).strip(":").lower()


def _map_columns(header: list[object]) -> dict[str, int]:
    keys = [_column_key(name) for name in header]
    mapping: dict[str, int] = {}
    for field_name, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if _column_key(alias) in keys:
                mapping[field_name] = keys.index(_column_key(alias))
                break
    return mapping


def _rows_to_document(
    path: Path, rows: list[list[object]], fmt: str, encoding=None, numbers: list[int] | None = None
) -> Document:
    """Rows of a sheet (header first, possibly below a title) to one single-finding block a row.

    ``numbers`` are the rows' numbers in the file (a sheet's empty rows are not passed).
    """
    numbers = numbers or list(range(1, len(rows) + 1))
    widest = max((len(row) for row in rows[:10]), default=0)
    if widest > MAX_COLUMNS:
        raise InputError(path, f"{widest:,} columns, over the {MAX_COLUMNS:,} a table may have")
    header_index = None
    for index, header in enumerate(rows[:10]):
        columns = _map_columns(header)
        names = [str(h or "") for h in header]
        factor = [
            i for i, h in enumerate(names) if _FACTOR_HEADER.search(h) and not _column_kind(h)
        ]
        # the B1 grid: columns of one kind each, beside a factor column or under heading rows;
        # a "text" header here can only be the factor column's (ประเด็น)
        text_column = columns.get("text")
        if (
            any(_column_kind(h) for h in names)
            and "kind" not in columns
            and (text_column is None or text_column == (factor or [None])[0])
        ):
            return _wide_rows(path, rows, index, fmt, encoding, numbers)
        if "text" in columns:
            header_index = index
            break
        if len(columns) >= 2:  # a header, but without a text column: the rows below are data
            break
    if header_index is None:
        # a sheet laid out as a report: a section heading stands alone in its row
        if any(
            len(filled := [c for c in row if c is not None and str(c).strip()]) == 1
            and _SECTION_WORDS.search(str(filled[0]))
            for row in rows
        ):
            return Document(str(path), fmt, _outline_rows(rows, numbers), encoding=encoding)
        expected = " / ".join(COLUMN_ALIASES["text"][:2])
        raise InputError(
            path, f"no text column in the first 10 rows (expected a header {expected})"
        )
    # lines above the header (the form's title, the agency, the year) are the report's head
    blocks = _outline_rows(rows[:header_index], numbers[:header_index])
    blocks += _finding_rows(rows, header_index, columns, numbers)
    named = [str(h) for h in rows[header_index] if str(h or "").strip()]
    known = {str(rows[header_index][i]) for i in columns.values()}
    extra = [h for h in named if h not in known and _column_key(h) not in _IGNORED_COLUMNS]
    warnings = (f"{path}: ignored column(s) {', '.join(extra)}",) if extra else ()
    return Document(str(path), fmt, blocks, encoding=encoding, warnings=warnings)


def _finding_rows(rows, header_index: int, columns: dict[str, int], numbers) -> list[Block]:
    """The rows below a header, one finding a row, with what the other columns say as hints."""
    blocks = []
    for offset, row in zip(numbers[header_index + 1 :], rows[header_index + 1 :]):
        cells = {name: row[i] if i < len(row) else None for name, i in columns.items()}
        text = str(cells.pop("text") or "").strip()
        if not text:
            continue
        hints = {k: str(v).strip() for k, v in cells.items() if v is not None and str(v).strip()}
        blocks.append(Block(raw=text, line=offset, hints=hints, single=True))
    return blocks


#: Words of a report's sections: a sheet laid out as a report holds at least one.
_SECTION_WORDS = re.compile(r"ปัญหา|อุปสรรค|ข้อเสนอแนะ|ข้อสังเกต")


def _outline_rows(rows, numbers) -> list[Block]:
    """A sheet laid out as a report (headings and items in rows), read as its lines."""
    return [
        Block(raw=text, line=offset)
        for offset, row in zip(numbers, rows)
        for text in row_lines([str(cell) for cell in row if cell is not None])
    ]


def _wide_rows(path: Path, rows, header_index: int, fmt: str, encoding, numbers) -> Document:
    """The B1 form as a sheet, read by :func:`grid_blocks` as a Word or PDF grid is; a row with
    only its first cell filled is a heading across the grid, as a merged row is in Word."""
    grid = []
    for row in rows[header_index:]:
        cells = ["" if cell is None else str(cell) for cell in row]
        filled = [i for i, cell in enumerate(cells) if cell.strip()]
        grid.append(cells[:1] if filled == [0] else cells)
    # lines above the header (the form's title, the agency, the year) are read as the report's head
    blocks = _outline_rows(rows[:header_index], numbers[:header_index])
    blocks += grid_blocks(grid, 0, numbers=numbers[header_index:])
    return Document(str(path), fmt, blocks, encoding=encoding)


def _read_table(path: Path, data: bytes) -> Document:
    text, encoding = decode_text(path, data)
    _check_text(path, text)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as error:
        raise InputError(path, f"malformed CSV ({error})") from None
    return _rows_to_document(path, rows, "csv", encoding)


def check_zip(path: Path, data: bytes) -> None:
    """Unpack every part in chunks, counting what really comes out, before any reader sees it.

    A zip's headers can lie about sizes, so the caps are held on the bytes unpacked. An XML part
    that declares a DTD is refused: Office never writes one, and entities are how XML attacks
    (billion laughs, external entities) and silent loss of text come in.
    """
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                part = 0
                dtd = False
                tail = b""
                xml = info.filename.endswith((".xml", ".rels"))
                # a worksheet is streamed cell by cell; every other XML part is parsed whole
                streamed = info.filename.startswith("xl/worksheets/")
                with archive.open(info) as member:
                    while chunk := member.read(1 << 20):
                        part += len(chunk)
                        total += len(chunk)
                        if xml and not dtd:
                            window = tail + chunk
                            dtd = b"<!DOCTYPE" in window or b"<!ENTITY" in window
                            tail = chunk[-16:]
                        if total > MAX_UNPACKED_BYTES:
                            raise InputError(
                                path,
                                f"unpacks to over {MAX_UNPACKED_BYTES // 2**20} MiB (a zip bomb?)",
                            )
                        if xml and not streamed and part > MAX_XML_PART_BYTES:
                            raise InputError(
                                path,
                                f"part {info.filename} unpacks to over "
                                f"{MAX_XML_PART_BYTES // 2**20} MiB",
                            )
                if dtd:
                    raise InputError(
                        path, f"part {info.filename} declares a DTD or entities; refusing it"
                    )
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        raise InputError(path, f"corrupt zip container ({type(error).__name__})") from None


def _sheet_cells(workbook, sheet, *, data_only: bool) -> dict[int, dict[int, object]]:
    """The cells a sheet really holds, ``{row: {column: value}}``, streamed from its XML.

    openpyxl's row iterator pads rows to the sheet's declared dimension (or to their last
    column), so a 5 KB file that claims ``A1:XFD1048576`` would cost gigabytes; its parser gives
    the cells one by one, and only those with a value are kept.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    cells: dict[int, dict[int, object]] = {}
    count = chars = 0
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, row in parser.parse():
            for cell in row:
                value = cell["value"]
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                count += 1
                chars += len(value) if isinstance(value, str) else 0
                if count > MAX_SHEET_CELLS:
                    raise ValueError(f"more than {MAX_SHEET_CELLS:,} cells with a value")
                if chars > MAX_DOCUMENT_CHARS:
                    raise ValueError(f"more than {MAX_DOCUMENT_CHARS:,} characters of text")
                cells.setdefault(number, {})[cell["column"]] = value
    return cells


def _dense_rows(cells: dict[int, dict[int, object]]) -> tuple[list[list], list[int]]:
    """Rows with a value, each over the columns that have one anywhere; and their row numbers."""
    columns = sorted({column for row in cells.values() for column in row})
    position = {column: index for index, column in enumerate(columns)}
    numbers = sorted(cells)
    rows = []
    for number in numbers:
        row = [None] * len(columns)
        for column, value in cells[number].items():
            row[position[column]] = value
        rows.append(row)
    return rows, numbers


def _read_xlsx(path: Path, data: bytes) -> Document:
    check_zip(path, data)
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas_book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for damaged files
        raise InputError(path, f"corrupt Excel file ({type(error).__name__})") from None
    try:
        blocks: list[Block] = []
        warnings: list[str] = []
        for sheet in workbook.worksheets:
            try:
                cells = _sheet_cells(workbook, sheet, data_only=True)
                formulas = _sheet_cells(formulas_book, formulas_book[sheet.title], data_only=False)
            except ValueError as error:
                raise InputError(path, f"sheet '{sheet.title}' has {error}") from None
            except Exception as error:  # a damaged sheet part
                raise InputError(
                    path, f"corrupt sheet '{sheet.title}' ({type(error).__name__})"
                ) from None
            uncached = [
                f"{get_column_letter(column)}{number}"
                for number, row in formulas.items()
                for column, value in row.items()
                if isinstance(value, str)
                and value.startswith("=")
                and column not in cells.get(number, {})
            ]
            if uncached:
                shown = ", ".join(uncached[:5]) + (" ..." if len(uncached) > 5 else "")
                warnings.append(
                    f"{path}: sheet '{sheet.title}': {len(uncached)} formula cell(s) without a "
                    f"saved value ({shown}); open and save the file in Excel to keep them"
                )
            if not cells:
                continue
            rows, numbers = _dense_rows(cells)
            try:
                document = _rows_to_document(path, rows, "xlsx", numbers=numbers)
            except InputError:
                warnings.append(f"{path}: sheet '{sheet.title}' has no text column; skipped")
                continue
            blocks.extend(document.blocks)
            warnings.extend(document.warnings)
    finally:
        workbook.close()
        formulas_book.close()
    if not blocks and warnings:
        raise InputError(path, "no sheet has a text column (expected a header ข้อความ / text)")
    return Document(str(path), "xlsx", blocks, warnings=tuple(warnings))


# --- Word ------------------------------------------------------------------------------------

_KIND_WORDS = (
    ("obstacle", re.compile("ปัญหา|อุปสรรค|obstacle", re.I)),
    ("recommendation", re.compile("ข้อเสนอแนะ|แนวทาง(?:การ)?แก้ไข|recommend", re.I)),
    ("observation", re.compile("ข้อสังเกต|ข้อคิดเห็น|observation", re.I)),
)
_RECIPIENT_HEADER = re.compile("เจ้าภาพ|ผู้ประเมิน|ผู้รับข้อเสนอ|^หน่วยงาน")
_FACTOR_HEADER = re.compile("ปัจจัย|ด้าน|ประเด็น|หมวด|factor|category", re.I)
_LIST_MARKERS = ("•", "◦", "▪")


def _column_kind(header: str) -> str | None:
    """The kind a table column holds, from its header (a mixed header names two: not a kind)."""
    kinds = [kind for kind, words in _KIND_WORDS if words.search(header)]
    return kinds[0] if len(kinds) == 1 else None


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _run_text(p_element) -> str:
    """Every character a paragraph shows: runs inside hyperlinks, fields, tracked insertions and
    content controls too (python-docx's ``text`` sees only some of these); never deleted text.
    A text box's own paragraphs are read where they stand, not folded into this one.
    """
    parts = []
    for node in p_element.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        owner = next(node.iterancestors(f"{_W}p"), None)
        if owner is not p_element:  # inside a text box nested in this paragraph
            continue
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        else:
            parts.append("\t" if node.tag == f"{_W}tab" else "\n")
    return "".join(parts)


def _paragraph_text(paragraph) -> str:
    """Paragraph text, with a bullet for Word's automatic numbering (whose number is not text)."""
    text = _run_text(paragraph._p)
    p_pr = paragraph._p.pPr
    if text.strip() and p_pr is not None and p_pr.numPr is not None:
        level = p_pr.numPr.ilvl.val if p_pr.numPr.ilvl is not None else 0
        text = f"{_LIST_MARKERS[min(level, 2)]} {text}"
    return text


def _cell_paragraphs(cell):
    """A cell's paragraphs in order, those of tables nested in it at any depth included."""
    from docx.text.paragraph import Paragraph

    for element in cell._tc.iter(f"{_W}p"):
        yield Paragraph(element, cell)


def _unique_cells(row) -> list:
    seen, cells = set(), []
    for cell in row.cells:  # a merged cell comes back once per grid column it spans
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            cells.append(cell)
    return cells


def _table_blocks(table, first_line: int) -> list[Block]:
    """A Word table, read by :func:`grid_blocks` from its cells' lines."""
    rows = [_unique_cells(row) for row in table.rows]
    return grid_blocks([["\n".join(_cell_lines(cell)) for cell in row] for row in rows], first_line)


def grid_blocks(
    rows: list[list[str]],
    first_line: int,
    category: str | None = None,
    ending: dict | None = None,
    numbers: list[int] | None = None,
) -> list[Block]:
    """A table as rows of cell texts (a cell merged across columns appears once).

    The B1 grid (a factor column and columns of obstacles / recommendations; a line of a cell a
    finding) gives blocks that carry their kind, category and recipient; a row merged across the
    grid is a heading whose category holds for the rows under it. A table that lists findings
    one a row (a text column and others) gives one finding a row; any other table is read row by
    row (:func:`row_lines`). ``category`` is the one in force above the table (a grid
    going on from the page before); ``ending["category"]`` gets the one in force below it.
    ``numbers``: each row's line in its file (a sheet's row numbers); by default the lines are
    counted from ``first_line``.
    """
    from pipeline.shared.taxonomy import category_from_label

    if not rows:
        return []
    # the header is the first row naming a kind in a column of its own (a row merged across the
    # table is a heading, not a header); a form may put a title row above it
    kinds: list[str | None] = []
    for header_index, row in enumerate(rows[:3]):  # noqa: B007 - used after the loop
        header = [text.strip() for text in row]
        kinds = [_column_kind(h) for h in header] if len(row) > 1 else []
        if any(kinds):
            break
    sheet_rows = numbers is not None
    numbers = numbers or list(range(first_line + 1, first_line + len(rows) + 1))
    if not any(kinds):
        for index, header in enumerate(rows[:3]):
            columns = _map_columns(header)
            if "text" in columns and len(columns) > 1:  # a list of findings, one a row
                return _finding_rows(rows, index, columns, numbers)
        lines = [text for row in rows for text in row_lines(row)]  # any other table
        return [Block(raw=text, line=first_line + i) for i, text in enumerate(lines, start=1)]
    factor_col = next(
        (i for i, h in enumerate(header) if _FACTOR_HEADER.search(h) and not kinds[i]), None
    )
    # a first column of agencies (หน่วยงานเจ้าภาพตัวชี้วัด): who the recommendations are for
    recipient_col = next(
        (i for i, h in enumerate(header) if _RECIPIENT_HEADER.search(h) and not kinds[i]), None
    )
    if factor_col is None and recipient_col is None and kinds[0] is None:
        factor_col = 0
    blocks: list[Block] = []
    line = first_line
    carried = category  # the category of the last heading row
    for row_index, row in enumerate(rows[header_index + 1 :], start=header_index + 1):
        if len(row) == 1 and len(kinds) > 1:  # merged across the grid: a heading
            if _FACTOR_ONLY.match(row[0].strip()):
                continue
            carried = category_from_label(_bare_heading(row[0]), lenient=True)
            if carried is None:  # a section heading (ข้อเสนอแนะต่อ...): the segmenter reads it
                for text in row[0].splitlines():
                    line += 1
                    if text.strip():
                        where = numbers[row_index] if sheet_rows else line
                        blocks.append(Block(raw=text, line=where))
            continue
        category, recipient = carried, None
        if factor_col is not None and factor_col < len(row):
            category = category_from_label(_bare_heading(row[factor_col]), lenient=True) or carried
        if recipient_col is not None and recipient_col < len(row):
            recipient = row[recipient_col].strip() or None
        for index, cell in enumerate(row):
            kind = kinds[index] if index < len(kinds) else None
            if kind is None:
                continue
            # "cell" keeps cells apart: the segmenter starts afresh in each one
            hints = {"kind": kind, "cell": f"{first_line}:{row_index}:{index}"}
            if category:
                hints["heading_category"] = category
            if recipient and kind == "recommendation":
                hints["recipient_type"] = recipient
            for text in cell.splitlines():
                line += 1
                if text.strip():
                    where = numbers[row_index] if sheet_rows else line
                    blocks.append(Block(raw=text, line=where, hints=dict(hints)))
    if ending is not None:
        ending["category"] = carried
    return blocks


_FACTOR_ONLY = re.compile(r"^ปัจจัย(?:ภายใน|ภายนอก)\s*[:：]?$")


def _bare_heading(text: str) -> str:
    """A heading cell without its number or its factor (``ปัจจัยภายใน : ด้านงบประมาณ``)."""
    text = re.sub(r"^[\d๐-๙.)\s]+", "", text.strip())
    return re.sub(r"^ปัจจัย(?:ภายใน|ภายนอก)\s*[:：\-–]?\s*", "", text)


_ROW_NUMBER = re.compile(r"^[\d๐-๙]{1,3}(?:\.[\d๐-๙]{1,3})*[.)]?$")
_ROW_LABEL_MAX = 40


def row_lines(texts: list[str]) -> list[str]:
    """The lines of a table row that is not a findings grid: a number and a text make a numbered
    item (``1 | text`` → ``1. text``, ``๑.๒ | text`` → ``๑.๒ text``), a short label and a value
    make a ``label : value`` line (``หน่วยงาน | สำนักสิ่งแวดล้อม``), other cells give their lines."""
    filled = [t.strip() for t in texts if t and t.strip()]
    if len(filled) == 2 and "\n" not in filled[0] and len(filled[0]) <= _ROW_LABEL_MAX:
        label, value = filled
        if _ROW_NUMBER.match(label):
            number = label if label[-1] in ".)" or "." in label else f"{label}."
            first, *rest = [line for line in value.splitlines() if line.strip()]
            return [f"{number} {first}", *rest]
        if "\n" not in value:
            return [f"{label.rstrip(' :：')} : {value}"]
    return [line for text in filled for line in text.splitlines() if line.strip()]


def _cell_lines(cell) -> list[str]:
    return [
        text
        for paragraph in _cell_paragraphs(cell)
        for text in _paragraph_text(paragraph).splitlines()
        if text.strip()
    ]


def _body_items(document):
    """Paragraphs and tables of the body in order, also those inside content controls (w:sdt),
    and the paragraphs of text boxes after the paragraph that holds them."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    def walk(parent):
        for child in parent.iterchildren():
            if child.tag == f"{_W}p":
                yield Paragraph(child, document)
                for box in child.iter(f"{_W}txbxContent"):
                    yield from walk(box)
            elif child.tag == f"{_W}tbl":
                yield Table(child, document)
            elif child.tag == f"{_W}sdt":
                for content in child.iterchildren(f"{_W}sdtContent"):
                    yield from walk(content)

    yield from walk(document.element.body)


def _read_docx(path: Path, data: bytes) -> Document:
    check_zip(path, data)
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises KeyError, ValueError, lxml errors ...
        raise InputError(path, f"corrupt Word file ({type(error).__name__})") from None
    blocks: list[Block] = []
    line = 0
    for item in _body_items(document):
        if isinstance(item, Table):
            table_blocks = _table_blocks(item, line)
            blocks.extend(table_blocks)
            line = table_blocks[-1].line if table_blocks else line
            continue
        for index, text in enumerate(_paragraph_text(item).splitlines() or [""]):
            line += 1
            if text.strip():  # after a line break inside the paragraph, it goes on
                blocks.append(Block(raw=text, line=line, continues=index > 0))
    if not blocks:
        raise InputError(path, "the Word file has no text")
    return Document(str(path), "docx", blocks)


# --- PDF ---------------------------------------------------------------------------------------

_BULLET_MARKS = frozenset("-–•●○◦▪■")
_PAGE_NUMBER = re.compile(r"^\s*[-–(]?\s*[0-9๐-๙]{1,3}\s*[-–)]?\s*$")
_LIST_START = re.compile(r"^\s*(?:\(?[0-9๐-๙]{1,3}[.)]|[0-9๐-๙]+(?:\.[0-9๐-๙]+)+|[-–•●○◦▪■]\s)")


_THAI_MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")


def _pdf_lines(page) -> list[tuple[float, float, float, float, str]]:
    """Visual lines of a page as ``(x0, y0, x1, y1, text)``, top to bottom.

    Built from the characters, not PyMuPDF's own lines: when a report's Thai font is missing,
    LibreOffice draws the spaces with another font and they come out as lines of their own.
    Each base character keeps the vowels and tone marks that follow it in the text, and the
    clusters of a line are put in order by their position.
    """
    clusters = []  # [baseline, x, size, text, bbox]
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                for char in span["chars"]:
                    text = char["c"]
                    if clusters and _THAI_MARKS.fullmatch(text) and clusters[-1][5] is span:
                        clusters[-1][3] += text
                        continue
                    x, y = char["origin"]
                    clusters.append([y, x, span["size"], text, char["bbox"], span])
    rows: list[list] = []
    for cluster in sorted(clusters, key=lambda c: (c[0], c[1])):
        if rows and abs(cluster[0] - rows[-1][0][0]) <= 0.3 * cluster[2]:
            rows[-1].append(cluster)
        else:
            rows.append([cluster])
    lines = []
    for row in rows:
        row.sort(key=lambda c: c[1])
        text = "".join(c[3] for c in row)
        if not text.strip() or _PAGE_NUMBER.match(text):
            continue
        boxes = [c[4] for c in row if c[3].strip()]
        lines.append(
            (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
                re.sub(" {2,}", " ", text),
            )
        )
    return lines


def _inside(line, rect) -> bool:
    """Whether the middle of a visual line ``(x0, y0, x1, y1, text)`` lies in ``rect``."""
    x, y = (line[0] + line[2]) / 2, (line[1] + line[3]) / 2
    return rect.x0 <= x <= rect.x1 and rect.y0 <= y <= rect.y1


def _pdf_cell_text(page, rect) -> str:
    """A table cell's text: its lines joined, a new line only where an item starts."""
    text = ""
    for line in page.get_text("text", clip=rect).splitlines():
        if not line.strip():
            continue
        text += ("\n" if text and _LIST_START.match(line) else _joiner(text, line)) + line
    return text


def _joiner(before: str, after: str) -> str:
    """What joins a line to the next of its paragraph: nothing between Thai letters (Thai
    writes no space between words), a space between Latin words or numbers."""
    return " " if before[-1:].isascii() and before[-1:].isalnum() and after[:1].isascii() else ""


def _pdf_tables(page, carried: list) -> list:
    """The ruled tables of a page, top first, as ``(rect, blocks)`` read by :func:`grid_blocks`.

    A table that goes on from the page before without repeating its header row gets that
    header back (``carried`` holds the last grid header seen, and is updated).
    """
    import pymupdf

    found = []
    grids = [
        (table.bbox, [[cell for cell in row.cells if cell is not None] for row in table.rows])
        for table in page.find_tables().tables
    ]
    if not grids and carried:  # one ruled row going on from the page before
        grids = _ruled_box(page, len(carried[0]))
    for bbox, cells in sorted(grids, key=lambda g: g[0][1]):
        if len(cells) < 2 and not carried:
            continue
        rows = [[_pdf_cell_text(page, pymupdf.Rect(cell)) for cell in row] for row in cells]
        width = max(len(row) for row in rows)
        category = None
        if any(_column_kind(text) for text in rows[0]) and len(rows[0]) > 1:
            carried[:] = [rows[0], None]
        elif carried and len(carried[0]) == width:
            rows, category = [carried[0], *rows], carried[1]
        ending: dict = {}
        blocks = grid_blocks(rows, 0, category=category, ending=ending)
        if carried:  # the category in force at the table's end goes on over the page
            carried[1] = ending.get("category")
        found.append((pymupdf.Rect(bbox), blocks))
    return found


def _ruled_box(page, columns: int) -> list:
    """A box of two horizontal rules and ``columns + 1`` vertical ones, as one table row
    (PyMuPDF's table finder wants two rows): ``[(bbox, [[cell, ...]])]`` or ``[]``."""
    across, down = set(), set()
    for drawing in page.get_drawings():
        rect = drawing["rect"]
        if rect.height < 1.5 and rect.width > 20:
            across.add(round(rect.y0, 1))
        elif rect.width < 1.5 and rect.height > 20:
            down.add(round(rect.x0, 1))
    if len(across) != 2 or len(down) != columns + 1:
        return []
    (top, bottom), xs = sorted(across), sorted(down)
    cells = [(x0, top, x1, bottom) for x0, x1 in itertools.pairwise(xs)]
    return [((xs[0], top, xs[-1], bottom), [cells])]


def _read_pdf(path: Path, data: bytes) -> Document:
    """A PDF with a text layer (as Word exports it): one block per paragraph, in reading order.

    A line is the next line of the same paragraph when the line before it runs to the right
    margin from near the left one, it starts near the left margin (a centred title, a header set
    to the right do not), follows closely below,
    and it does not start with a number or bullet; it is joined
    without adding a space, since Thai lines break between words that have none.
    """
    import pymupdf

    try:
        document = pymupdf.open(stream=data, filetype="pdf")
    except Exception as error:  # PyMuPDF raises its own error types for damaged files
        raise InputError(path, f"corrupt PDF ({type(error).__name__})") from None
    if document.needs_pass:
        raise InputError(path, "the PDF is password-protected")
    paragraphs: list[str | list[Block]] = []  # text, or the blocks of a table
    images = 0
    carried: list = []  # the header of the last grid, for a grid that goes on over a page
    with document:
        for page in document:
            images += len(page.get_images())
            tables = _pdf_tables(page, carried)
            found = [
                line
                for line in _pdf_lines(page)
                if not any(_inside(line, rect) for rect, _ in tables)
            ]
            if not found and not tables:
                continue
            left = min((b[0] for b in found), default=0)
            right = max((b[2] for b in found), default=0)
            previous = None
            for x0, y0, x1, y1, text in found:
                while tables and tables[0][0].y0 < y0:  # a table above this line comes first
                    paragraphs.append(tables.pop(0)[1])
                    previous = None
                wrapped = (
                    previous is not None
                    and previous[2] >= right - 0.12 * (right - left)  # it ran to the margin
                    and previous[0] <= left + 0.25 * (right - left)  # not a right-set header
                    and x0 <= left + 0.12 * (right - left)  # and this one starts at the left
                    and y0 - previous[3] < 1.2 * (previous[3] - previous[1])
                    and not _LIST_START.match(text)
                )
                if previous is not None and paragraphs[-1].strip() in _BULLET_MARKS:
                    paragraphs[-1] = f"{paragraphs[-1].strip()} {text.strip()}"  # a bullet alone
                elif wrapped:
                    paragraphs[-1] += _joiner(paragraphs[-1], text) + text
                else:
                    paragraphs.append(text)
                previous = (x0, y0, x1, y1)
            paragraphs.extend(blocks for _, blocks in tables)
    blocks = []
    for item in paragraphs:
        for block in [Block(raw=item.strip(), line=0)] if isinstance(item, str) else item:
            if block.raw.strip():
                blocks.append(replace(block, line=len(blocks) + 1))
    if not blocks:
        problem = "a scanned PDF with no text layer; run OCR on it first (or send the Word file)"
        raise InputError(path, problem if images else "the PDF has no text")
    return Document(str(path), "pdf", blocks)
