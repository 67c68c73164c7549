"""Shared fixtures: where the shipped data is, the real FY2565 seed report, and builders for the
files analysts receive (each a fixture returning the builder, so a test asks for what it makes)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[1]


def pytest_generate_tests(metafunc):
    """``notebook``: one test per notebook the repository ships."""
    if "notebook" in metafunc.fixturenames:
        names = sorted(p.name for p in (_ROOT / "notebooks").glob("*.ipynb"))
        metafunc.parametrize("notebook", names)


# --- the repository's data ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def repository() -> Path:
    """The repository: the corpus, the shipped models, the notebooks, the benchmarks."""
    return _ROOT


@pytest.fixture(scope="session")
def corpus_dir(repository) -> Path:
    return repository / "corpus"


@pytest.fixture(scope="session")
def samples_dir(corpus_dir) -> Path:
    """The 77 FY2566 sample B1 reports, one per agency, in five formats."""
    return corpus_dir / "samples" / "fy2566"


@pytest.fixture(scope="session")
def fy2566_labels(corpus_dir) -> list[dict]:
    """The labelled findings of the FY2566 samples, in the order the samples give them."""
    with (corpus_dir / "fy2566" / "labels.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="session")
def seed_path(corpus_dir) -> Path:
    """The real FY2565 B3 report, OCR damage and all."""
    return corpus_dir / "fy2565" / "source" / "b3_fy2565_seed.txt"


@pytest.fixture(scope="session")
def seed_findings(seed_path):
    """``(findings, repairs, warnings)`` of the seed, parsed once; do not change them."""
    from pipeline.stages.parse import parse_file

    return parse_file(seed_path)


@pytest.fixture(scope="session")
def real_sources(repository) -> Path:
    """The public source of the real findings' texts (``FINDINGS_SOURCES``, else
    ``../shared/sources``); a test that needs it is skipped where it is not."""
    sources = Path(os.environ.get("FINDINGS_SOURCES", repository.parent / "shared" / "sources"))
    if not (sources / "thaigov_sections.jsonl.gz").exists():
        pytest.skip(f"the real source is not in {sources}")
    return sources


@pytest.fixture(scope="session")
def small_training_set() -> list[tuple[str, str]]:
    """Six short findings, two each of three categories: enough to train a model in a test."""
    return [
        ("งบประมาณที่ได้รับจัดสรรไม่เพียงพอต่อการซ่อมถนน", "budget"),
        ("การเบิกจ่ายงบประมาณล่าช้ากว่าแผน", "budget"),
        ("เครื่องคอมพิวเตอร์ชำรุดและระบบล่มบ่อย", "tools"),
        ("แอปพลิเคชันจองคิวใช้งานยาก", "tools"),
        ("บุคลากรลาออกและตำแหน่งว่างจำนวนมาก", "manpower"),
        ("เจ้าหน้าที่ขาดทักษะด้านกฎหมาย", "manpower"),
    ]


@pytest.fixture(scope="session")
def findings_of():
    """``findings_of(rows)``: a tokenized findings table of FY2566, committee 1, from rows of
    ``(agency, kind, category, text)``; ids ``f0``, ``f1``, ...; recommendations to the agency."""
    import pandas as pd

    from pipeline.shared.schema import col
    from pipeline.stages.words import tokenize

    def build(rows) -> pd.DataFrame:
        frame = pd.DataFrame(rows, columns=[col.AGENCY, col.KIND, col.CATEGORY, col.TEXT])
        frame[col.FINDING_ID] = [f"f{i}" for i in range(len(frame))]
        frame[col.RECIPIENT_TYPE] = frame[col.KIND].map({"recommendation": "agency"})
        frame[col.RECIPIENT_AGENCY] = None
        frame[col.COMMITTEE] = pd.array([1] * len(frame), dtype="Int64")
        frame[col.FISCAL_YEAR] = pd.array([2566] * len(frame), dtype="Int64")
        return tokenize(frame)

    return build


# --- builders of the files analysts receive ----------------------------------------------------


def _write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _make_docx(path: Path, paragraphs=(), table=None, numbered=()) -> Path:
    """A Word file with paragraphs, then an optional table (a list of rows of cell texts).

    ``numbered`` paragraphs use Word's automatic list numbering (their number is not text).
    """
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    for text in numbered:
        document.add_paragraph(text, style="List Number")
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                if text is not None:
                    grid.cell(r, c).text = text
    document.save(path)
    return path


def _make_xlsx(path: Path, rows, title: str | None = None) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def _make_pdf(path: Path, lines: list[str]) -> Path:
    """A text-layer PDF drawn with a Thai font (Sarabun), as a PDF library writes one."""
    import fontpkg_sarabun
    import pymupdf

    sarabun = str(Path(fontpkg_sarabun.ROOT) / "files/Sarabun-Regular.ttf")
    document = pymupdf.open()
    page = document.new_page()
    for number, line in enumerate(lines):
        page.insert_text(
            (60, 72 + 26 * number), line, fontfile=sarabun, fontname="sarabun", fontsize=14
        )
    document.save(path)
    return path


def _to_pdf(path: Path) -> Path:
    """``path`` converted to PDF beside it by LibreOffice (fails the test if it cannot)."""
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(path.parent), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return path.with_suffix(".pdf")


@pytest.fixture(scope="session")
def write_text():
    """``write_text(path, text, encoding="utf-8")``: a text file in the encoding given."""
    return _write_text


@pytest.fixture(scope="session")
def make_docx():
    """``make_docx(path, paragraphs=(), table=None, numbered=())``: a Word file."""
    return _make_docx


@pytest.fixture(scope="session")
def make_xlsx():
    """``make_xlsx(path, rows, title=None)``: a workbook of one sheet, a title row first."""
    return _make_xlsx


@pytest.fixture(scope="session")
def make_pdf():
    """``make_pdf(path, lines)``: a one-page text-layer PDF in a Thai font."""
    return _make_pdf


@pytest.fixture(scope="session")
def to_pdf():
    """``to_pdf(path)``: a Word file converted to PDF by LibreOffice; skips without it."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    return _to_pdf
