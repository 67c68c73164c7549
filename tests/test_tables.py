"""Findings tables written and read back: Thai text and nullable integers round-trip in every
format, columns are wide enough for Thai, outputs replace each other as a set, and Markdown tables.

Formula cells, control characters, interrupted writes and tables too wide or too long are in
test_hostile_input.py."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.shared import tables
from pipeline.shared.schema import col
from pipeline.shared.tables import (
    OutputError,
    jsonl_lines,
    jsonl_text,
    markdown_table,
    numbered_records,
    output_set,
    read_findings_table,
    same_file,
    write_table,
    write_workbook,
)


@pytest.fixture
def findings(seed_findings):
    """Five findings of the real FY2565 report, a year and a committee missing on some."""
    chosen = seed_findings[0].iloc[[0, 20, 45, 70, 85]]
    return chosen[[col.FINDING_ID, col.KIND, col.COMMITTEE, col.FISCAL_YEAR, col.TEXT]].reset_index(
        drop=True
    )


def test_json_lines_hold_what_pandas_makes_of_each_row(findings):
    import json

    import numpy as np

    frame = findings.assign(
        score=[0.5, np.nan, 1e-7, 3.0, -0.0],
        flag=[True, False, True, False, True],
        count=pd.array([1, None, 3, 4, 5], dtype="Int64"),
        words=[["ก", "ข"], None, [], ["งบ"], np.nan],
        when=pd.to_datetime(["2024-01-02", None, "2023-10-01", "2024-09-30", "2024-03-15"]),
        label=pd.array(["งบ", None, "คน", "x", ""], dtype="string"),
    )
    for rows in (frame, frame.iloc[:0], frame[[]]):
        clean = rows.astype(object).where(rows.notna(), None).to_dict(orient="records")
        expected = "".join(json.dumps(row, ensure_ascii=False, default=str) + "\n" for row in clean)
        assert jsonl_text(rows) == expected
    assert '"score": null' in jsonl_text(frame) and '"count": 3' in jsonl_text(frame)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_table_reads_back_as_it_was_written(tmp_path, findings, suffix):
    path = write_table(findings, tmp_path / f"findings{suffix}")
    back = read_findings_table(path)
    assert back[col.TEXT].tolist() == findings[col.TEXT].tolist()
    assert back[col.KIND].tolist() == findings[col.KIND].tolist()
    for name in (col.COMMITTEE, col.FISCAL_YEAR):
        assert back[name].dtype == "Int64"
        assert back[name].tolist() == findings[name].tolist()  # gaps stay gaps


def test_a_workbook_reads_back_and_its_columns_fit_thai_text(tmp_path, findings):
    from openpyxl import load_workbook

    path = write_table(findings, tmp_path / "findings.xlsx")
    sheet = load_workbook(path).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert list(header) == list(findings.columns)
    assert [row[-1] for row in rows] == findings[col.TEXT].tolist()
    assert [row[2] for row in rows] == [None if pd.isna(v) else v for v in findings[col.COMMITTEE]]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:E{len(findings) + 1}"
    assert sheet.column_dimensions["B"].width == len("recommendation") + 2  # the longest value
    assert sheet.column_dimensions["E"].width == 70  # long findings: the widest column allowed


def test_a_thai_heavy_column_is_as_wide_as_its_letters(tmp_path):
    from openpyxl import load_workbook

    text = "ที่ปรึกษาด้านสิ่งแวดล้อม"  # 24 code points, 7 of them marks above or below a letter
    write_workbook({"ข้อค้นพบ": pd.DataFrame({"x": [text]})}, tmp_path / "w.xlsx")
    sheet = load_workbook(tmp_path / "w.xlsx")["ข้อค้นพบ"]
    assert sheet.column_dimensions["A"].width == (24 - 7) + 2


def test_an_unknown_format_is_refused_naming_the_ones_there_are(tmp_path, findings):
    with pytest.raises(OutputError, match=r"out\.pdf: unknown output format; use one of .jsonl"):
        write_table(findings, tmp_path / "out.pdf")
    assert list(tmp_path.iterdir()) == []


def test_what_is_not_a_findings_table_is_left_to_the_parser(tmp_path, write_text):
    report = write_text(tmp_path / "b1.csv", "หน่วยงาน,ข้อความของรายงาน\nเขตบางรัก,งบไม่พอ\n")
    assert read_findings_table(report) is None  # no text column: a report, read as one
    assert read_findings_table(write_text(tmp_path / "b1.txt", "ปัญหาอุปสรรค\n")) is None


def test_a_line_separator_inside_a_corpus_line_is_text(tmp_path, write_text):
    path = write_text(
        tmp_path / "labels.jsonl",
        '{"finding_id": "a1", "labelled_by": "ผู้ตรวจ\u2028ก"}\n\n{"finding_id": "a2"}\n',
    )
    assert [(n, r["finding_id"]) for n, r in numbered_records(path)] == [(1, "a1"), (3, "a2")]
    write_text(path, '{"finding_id": "a1"}\n[1, 2]\n')
    with pytest.raises(ValueError, match=r"labels\.jsonl:2: not a JSON object"):
        list(numbered_records(path))


def lines_one_at_a_time(path: Path, longest: int | None) -> list:
    """What ``jsonl_lines`` is: the file's lines as Python's text files end them, one ``readline``
    at a time, the blank ones skipped and a longer one than ``longest`` refused."""
    from pipeline.stages.read import InputError

    lines = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(iter(handle.readline, ""), start=1):
                line = line.removesuffix("\n")
                if longest is not None and len(line) > longest:
                    raise InputError(path, f"line {number}: over {longest:,} characters")
                if line.strip():
                    lines.append((number, line))
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None
    return lines


def pieces(path: Path, longest: int | None) -> list:
    return list(jsonl_lines(path, longest=longest))


def outcome(reader, path: Path, longest: int | None = None) -> list:
    """The lines a reader gives, or the one-line error it raises."""
    from pipeline.stages.read import InputError

    try:
        return reader(path, longest)
    except InputError as error:
        return [str(error)]


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(st.sampled_from('ก{"} \u3000\r\n\u2028'), max_size=60),
    piece=st.integers(1, 9),
    longest=st.one_of(st.none(), st.integers(0, 12)),
)
def test_lines_read_a_piece_at_a_time_are_the_lines_read_one_by_one(text, piece, longest):
    """Any line ends (\\n, \\r\\n, a lone \\r; not U+2028) and blank lines, with a line cut
    across pieces anywhere, and lines refused for length at the same line number."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.jsonl"
        path.write_bytes(text.encode("utf-8"))
        expected = outcome(lines_one_at_a_time, path, longest)
        kept, tables._PIECE = tables._PIECE, piece
        try:
            assert outcome(pieces, path, longest) == expected
        finally:
            tables._PIECE = kept


def test_lines_of_a_file_that_is_not_utf8_are_refused(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_bytes('{"text": "งบ"}\n'.encode() * 3 + b"\xff\n")
    assert (
        outcome(pieces, path) == outcome(lines_one_at_a_time, path) == [f"{path}: not UTF-8 text"]
    )


def test_an_output_set_replaces_the_last_one_whole(tmp_path, write_text):
    folder = tmp_path / "out"
    folder.mkdir()
    write_text(folder / "findings.xlsx", "last year's")
    write_text(folder / "chart_heatmap.png", "last year's")
    write_text(folder / "notes.txt", "the analyst's own")
    with output_set(folder, ["findings.xlsx", "chart_heatmap.png"]) as staging:
        write_text(staging / "findings.xlsx", "this year's")
    assert sorted(p.name for p in folder.iterdir()) == ["findings.xlsx", "notes.txt"]
    assert (folder / "findings.xlsx").read_text() == "this year's"


def test_an_output_that_is_an_input_under_another_name_is_found(tmp_path, write_text, monkeypatch):
    report = write_text(tmp_path / "b1.csv", "text\nงบไม่พอ\n")
    os.symlink(report, tmp_path / "link.csv")
    monkeypatch.chdir(tmp_path)
    inputs = [tmp_path / "a.txt", report]
    assert same_file(tmp_path / "sub" / ".." / "b1.csv", inputs) == report
    assert same_file(tmp_path / "link.csv", inputs) == report
    assert same_file(tmp_path / "b2.csv", inputs) is None


def test_markdown_tables_show_counts_as_counts_and_scores_to_three_places():
    frame = pd.DataFrame(
        {"ข้อค้นพบ": [1124.0, 86.0], "macro-F1": [0.8812, 0.5]}, index=["FY2566", "FY2565"]
    )
    assert markdown_table(frame, "ปีงบประมาณ").splitlines() == [
        "| ปีงบประมาณ | ข้อค้นพบ | macro-F1 |",
        "|---|---|---|",
        "| FY2566 | 1124 | 0.881 |",
        "| FY2565 | 86 | 0.500 |",
    ]
    assert markdown_table(frame).splitlines()[2] == "| 1124 | 0.881 |"
