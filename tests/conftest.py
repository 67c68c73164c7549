"""Shared fixtures: the real FY2565 seed report and builders for the files analysts receive."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Six short findings, two each of three categories: enough to train a model in a test.
SMALL_TRAINING_SET = [
    ("งบประมาณที่ได้รับจัดสรรไม่เพียงพอต่อการซ่อมถนน", "budget"),
    ("การเบิกจ่ายงบประมาณล่าช้ากว่าแผน", "budget"),
    ("เครื่องคอมพิวเตอร์ชำรุดและระบบล่มบ่อย", "tools"),
    ("แอปพลิเคชันจองคิวใช้งานยาก", "tools"),
    ("บุคลากรลาออกและตำแหน่งว่างจำนวนมาก", "manpower"),
    ("เจ้าหน้าที่ขาดทักษะด้านกฎหมาย", "manpower"),
]
SEED = ROOT / "corpus" / "fy2565" / "source" / "b3_fy2565_seed.txt"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def seed_findings():
    from pipeline.stages.parse import parse_file

    findings, repairs, warnings = parse_file(SEED)
    return findings, repairs, warnings


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def make_docx(path: Path, paragraphs=(), table=None, numbered=()) -> Path:
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


def to_pdf(path: Path) -> Path:
    """``path`` converted to PDF beside it by LibreOffice (fails the test if it cannot)."""
    import subprocess

    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(path.parent), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return path.with_suffix(".pdf")


def make_xlsx(path: Path, rows, title: str | None = None) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path
