"""The Thai words of the outputs: one header per column, read back to the same column."""

from __future__ import annotations

from pipeline.shared.schema import col
from pipeline.shared.vocabulary import (
    COLUMN_FROM_TH,
    COLUMN_TH,
    KIND_FROM_TH,
    KIND_TH,
    arabic_digits,
    thai_digits,
)
from pipeline.stages.report import FINDINGS_SHEET_COLUMNS, findings_sheet


def test_every_header_names_one_column():
    assert len(set(COLUMN_TH.values())) == len(COLUMN_TH)
    assert all(COLUMN_FROM_TH[th] == name for name, th in COLUMN_TH.items())
    assert all(KIND_FROM_TH[th] == kind for kind, th in KIND_TH.items())


def test_the_findings_sheet_headers_come_from_the_vocabulary(seed_findings):
    findings = seed_findings[0]
    sheet = findings_sheet(findings)
    expected = [COLUMN_TH[c] for c in FINDINGS_SHEET_COLUMNS if c in findings.columns]
    assert list(sheet.columns) == expected
    assert COLUMN_TH[col.TEXT] == "ข้อความ" and COLUMN_TH[col.AGENCY] == "หน่วยงาน"


def test_digits_both_ways_on_a_date_line():
    line = "ปีงบประมาณ พ.ศ. 2566 ข้อ 5.1"
    assert thai_digits(line) == "ปีงบประมาณ พ.ศ. ๒๕๖๖ ข้อ ๕.๑"
    assert arabic_digits(thai_digits(line)) == line
    assert thai_digits(2565) == "๒๕๖๕"
