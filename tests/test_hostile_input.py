"""Hostile and careless input: no live formulas, bounded memory, one-line errors, safe corpus.

Each test builds its small hostile file here; the memory tests run the real command in a
process whose address space is capped, so a regression is killed instead of passing slowly.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.shared import tables
from pipeline.shared.schema import col
from pipeline.shared.tables import atomic_path, read_findings_table, write_table
from pipeline.shared.vocabulary import COLUMN_TH
from pipeline.stages.parse import parse_file
from pipeline.stages.read import InputError, read_document

runner = CliRunner()
FINDINGS = Path(sys.executable).with_name("findings")
#: The address-space cap of the memory tests: the unfixed workbook grew to 23 GB.
MEMORY_CAP = 3 * 2**30

ANALYST = COLUMN_TH[col.ANALYST_CATEGORY]  # the column the analyst fills in


def _capped(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    return subprocess.run(
        [str(FINDINGS), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "COLUMNS": "200"},
    )


# --- 1. formulas ---------------------------------------------------------------------------------

ATTACKS = ['=HYPERLINK("http://evil.example","คลิก")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)"]


def test_cells_that_look_like_formulas_are_written_as_text(tmp_path):
    from openpyxl import load_workbook

    frame = pd.DataFrame({col.TEXT: [*ATTACKS, "-เจ้าหน้าที่ไม่เพียงพอ"], col.LINE: range(5)})
    write_table(frame, tmp_path / "out.xlsx")
    cells = [c for c in load_workbook(tmp_path / "out.xlsx").active["A"][1:]]
    assert [c.value for c in cells] == list(frame[col.TEXT])
    assert {c.data_type for c in cells} == {"s"}  # strings, none of them a formula
    write_table(frame, tmp_path / "out.csv")
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    assert all(re.match(r"^\"?'", line) for line in lines), lines


def test_a_report_line_starting_with_equals_reaches_excel_as_text(tmp_path, write_text):
    from openpyxl import load_workbook

    report = write_text(tmp_path / "b1.txt", 'ปัญหาอุปสรรค\n1. =HYPERLINK("http://x","งบ")\n')
    result = runner.invoke(app, ["parse", str(report), "-o", str(tmp_path / "f.xlsx")])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(tmp_path / "f.xlsx").active
    texts = [c for c in sheet[2] if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert texts and texts[0].data_type == "s"


def test_control_characters_excel_cannot_hold_are_replaced_visibly(tmp_path):
    from openpyxl import load_workbook

    from pipeline.shared.tables import illegal_characters

    frame = pd.DataFrame({col.TEXT: ["งบ\x00ไม่พอ", "รถ\x07เสีย"]})
    assert illegal_characters(frame) == 2
    write_table(frame, tmp_path / "out.xlsx")
    values = [c.value for c in load_workbook(tmp_path / "out.xlsx").active["A"][1:]]
    assert values == ["งบ\ufffdไม่พอ", "รถ\ufffdเสีย"]


# --- 2. memory ---------------------------------------------------------------------------------


def _claims_the_whole_sheet(path: Path) -> Path:
    """A 5 KB workbook whose sheet claims A1:XFD1048576, with a cell in each far corner."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ข้อความ", "ประเภท"])
    sheet.append(["รถดูดโคลนมีไม่พอ", "ปัญหาอุปสรรค"])
    sheet["XFD1"] = "x"
    sheet["A1048576"] = "ควรจัดหารถดูดโคลนเพิ่ม"
    workbook.save(path)
    assert path.stat().st_size < 10_000
    with zipfile.ZipFile(path) as archive:
        assert b'ref="A1:XFD1048576"' in archive.read("xl/worksheets/sheet1.xml")
    return path


def test_a_workbook_that_claims_a_million_rows_is_read_by_its_real_cells(tmp_path):
    path = _claims_the_whole_sheet(tmp_path / "claims.xlsx")
    findings, _, _ = parse_file(path)
    assert list(findings[col.TEXT]) == ["รถดูดโคลนมีไม่พอ", "ควรจัดหารถดูดโคลนเพิ่ม"]
    assert findings[col.LINE].tolist() == [2, 1048576]  # the rows' own numbers


def test_the_claiming_workbook_parses_under_a_memory_cap(tmp_path):
    path = _claims_the_whole_sheet(tmp_path / "claims.xlsx")
    done = _capped("parse", str(path), "-o", str(tmp_path / "out.jsonl"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").open(encoding="utf-8")]
    assert len(rows) == 2


def _docx_with_document_of(path: Path, size: int, make_docx) -> Path:
    """A .docx whose document.xml unpacks to ``size`` bytes of real WordprocessingML."""
    make_docx(path, ["ปัญหาอุปสรรค"])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    body = parts["word/document.xml"]
    paragraph = "<w:p><w:r><w:t>งบประมาณไม่เพียงพอ</w:t></w:r></w:p>".encode()
    filler = paragraph * (size // len(paragraph))
    parts["word/document.xml"] = body.replace(b"<w:body>", b"<w:body>" + filler, 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _lie_about_sizes(path: Path) -> Path:
    """Make every header of the zip claim its members unpack to 100 bytes."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset : start + offset + 4] = (100).to_bytes(4, "little")
            start += 4
    path.write_bytes(bytes(data))
    return path


def test_a_docx_part_too_large_to_parse_is_refused_by_what_it_unpacks_to(tmp_path, make_docx):
    path = _docx_with_document_of(tmp_path / "huge.docx", 60 * 2**20, make_docx)
    assert path.stat().st_size < 3 * 2**20
    with pytest.raises(InputError, match=r"word/document\.xml unpacks to over 48 MiB"):
        read_document(path)


def test_a_docx_whose_zip_headers_lie_about_sizes_is_refused(tmp_path, make_docx):
    path = _lie_about_sizes(_docx_with_document_of(tmp_path / "liar.docx", 8 * 2**20, make_docx))
    with pytest.raises(InputError, match="corrupt zip container"):
        read_document(path)


def test_lying_and_oversized_docx_files_are_refused_under_a_memory_cap(tmp_path, make_docx):
    _docx_with_document_of(tmp_path / "huge.docx", 60 * 2**20, make_docx)
    _lie_about_sizes(_docx_with_document_of(tmp_path / "liar.docx", 8 * 2**20, make_docx))
    done = _capped("parse", str(tmp_path), "-o", str(tmp_path / "out.jsonl"), cwd=tmp_path)
    assert done.returncode == 1
    assert "huge.docx: part word/document.xml unpacks to over 48 MiB" in done.stderr
    assert "liar.docx: corrupt zip container" in done.stderr


def test_a_line_longer_than_any_report_has_is_refused(tmp_path, write_text):
    path = write_text(tmp_path / "long.txt", "ปัญหาอุปสรรค\n1. " + "ก" * 30_000 + "\n")
    with pytest.raises(InputError, match=r"long\.txt: line 2 has 30,003 characters, over"):
        read_document(path)
    table = tmp_path / "long.jsonl"
    table.write_text(json.dumps({"text": "ข" * 25_000}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 1: a finding of 25,000 characters"):
        read_findings_table(table)


# --- 3. the corpus -----------------------------------------------------------------------------


def _review_workbook(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    from pipeline.learning.review import REVIEW_SHEET

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = REVIEW_SHEET
    sheet.append(["รหัส", "ปีงบประมาณ", "ประเภท", "ข้อความ", ANALYST])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _strict_rows(path: Path) -> list[dict]:
    def refuse(name):
        raise ValueError(f"{path}: {name} is not JSON")

    return [json.loads(line, parse_constant=refuse) for line in path.open(encoding="utf-8")]


@pytest.fixture
def labels(tmp_path) -> Path:
    path = tmp_path / "corpus" / "fy2567" / "labels.jsonl"
    path.parent.mkdir(parents=True)
    row = {"finding_id": "a1b2c3d4e5f6", "text": "งบซ่อมถนนไม่พอ", "label": "budget"}
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (["new000000001", 2567, "ปัญหาอุปสรรค", "=A1", "งบประมาณ"], "holds a formula"),
        ([None, 2567, "ปัญหาอุปสรรค", "รถเสีย", "เครื่องมือทางการบริหาร"], "blank or malformed"),
        (["   ", 2567, "ปัญหาอุปสรรค", "รถเสีย", "เครื่องมือทางการบริหาร"], "blank or malformed"),
        (["a1b2c3d4e5f6", 2567, "ปัญหาอุปสรรค", "งบซ่อมถนนพอ", "งบประมาณ"], "was edited"),
        (["new000000002", 2567, "ปัญหาอุปสรรค", "รถเสีย", "งบ"], "unknown category 'งบ'"),
    ],
)
def test_a_bad_review_row_imports_nothing_at_all(tmp_path, labels, row, problem):
    from pipeline.learning.review import ReviewError, import_review

    good = ["new000000009", 2567, "ข้อเสนอแนะ", "ควรจัดหารถดูดโคลน", "tools"]
    path = _review_workbook(tmp_path / "review.xlsx", [good, row])
    before = labels.read_bytes()
    with pytest.raises(ReviewError) as error:
        import_review(path, year=2567, corpus_dir=tmp_path / "corpus")
    assert any(problem in line and "row 3" in line for line in error.value.problems)
    assert labels.read_bytes() == before  # the good row was not written either


def test_an_import_keeps_the_corpus_strict_json(tmp_path, labels):
    from pipeline.learning.review import import_review

    rows = [["new000000009", 2567, "ข้อเสนอแนะ", "ควรจัดหารถดูดโคลน", "tools"]]
    import_review(
        _review_workbook(tmp_path / "r.xlsx", rows), year=2567, corpus_dir=labels.parents[1]
    )
    read_back = _strict_rows(labels)
    assert [r["finding_id"] for r in read_back] == ["a1b2c3d4e5f6", "new000000009"]
    assert read_back[1]["text"] == "ควรจัดหารถดูดโคลน" and read_back[1]["label"] == "tools"


def test_a_corrupt_labels_file_is_named_with_its_line(tmp_path, labels):
    from pipeline.learning.review import ReviewError, import_review

    labels.write_text(labels.read_text(encoding="utf-8") + '{"finding_id": \n', encoding="utf-8")
    rows = [["new000000009", 2567, "ข้อเสนอแนะ", "ควรจัดหารถดูดโคลน", "tools"]]
    with pytest.raises(ReviewError, match=rf"{re.escape(str(labels))}:2: not JSON"):
        import_review(
            _review_workbook(tmp_path / "r.xlsx", rows), year=2567, corpus_dir=labels.parents[1]
        )


@pytest.mark.parametrize("damage", ["renamed_docx", "truncated"])
def test_review_import_of_a_file_that_is_not_a_workbook_is_one_line(
    tmp_path, labels, damage, make_docx
):
    path = tmp_path / "review.xlsx"
    if damage == "renamed_docx":
        make_docx(path, ["ข้อเสนอแนะ"])
    else:
        rows = [["new000000009", 2567, "ข้อเสนอแนะ", "ควรจัดหารถดูดโคลน", "tools"]]
        data = _review_workbook(path, rows).read_bytes()
        path.write_bytes(data[: len(data) // 2])
    result = runner.invoke(
        app, ["review", "import", str(path), "--year", "2567", "--corpus", str(labels.parents[1])]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output and f"{path}:" in result.output


# --- 4. one-line errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"text": "งบไม่พอ"}\n{"text": \n', "line 2: not JSON"),
        ('["งบไม่พอ"]\n', "line 1: not a JSON object"),
        ('{"text": ["งบ", "ไม่พอ"]}\n', "row 1: text is list, not text"),
        (
            '{"text": "งบไม่พอ", "fiscal_year": "สองห้าหก"}\n',
            "row 1: fiscal_year is 'สองห้าหก', not a whole number",
        ),
    ],
)
def test_malformed_findings_tables_get_one_line_and_the_batch_goes_on(tmp_path, content, problem):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"text": "รถดูดโคลนมีไม่พอ"}, ensure_ascii=False) + "\n", "utf-8")
    result = runner.invoke(
        app,
        ["classify", str(bad), str(good), "-o", str(tmp_path / "out.jsonl"), "--model", "keywords"],
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{bad}: {problem}" in result.output.replace("\n", "")
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 1


def test_a_findings_csv_without_kind_is_summarized(tmp_path):
    table = tmp_path / "f.csv"
    pd.DataFrame({"text": ["งบประมาณไม่เพียงพอ", "ควรอบรมเจ้าหน้าที่ใหม่"]}).to_csv(table, index=False)
    result = runner.invoke(
        app, ["summarize", str(table), "-o", str(tmp_path / "out"), "--model", "keywords"]
    )
    assert result.exit_code == 0, result.output
    summary = (tmp_path / "out" / "b3_summary.md").read_text(encoding="utf-8")
    # counted as obstacles in the workbook, so listed as obstacles in the summary: none lost
    overall = pd.read_excel(tmp_path / "out" / "findings.xlsx", sheet_name="ภาพรวม")
    assert overall.set_index("หมวด").loc["รวม", "ปัญหาอุปสรรค"] == 2
    assert "งบประมาณไม่เพียงพอ" in summary and "ควรอบรมเจ้าหน้าที่ใหม่" in summary


def test_summarize_onto_a_file_or_an_unwritable_place_is_one_line(tmp_path, write_text):
    report = write_text(tmp_path / "b1.txt", "ปัญหาอุปสรรค\n1. งบประมาณไม่เพียงพอ\n")
    occupied = write_text(tmp_path / "occupied", "keep me")
    result = runner.invoke(
        app, ["summarize", str(report), "-o", str(occupied), "--model", "keywords"]
    )
    assert result.exit_code == 2 and "is a file" in result.output
    assert occupied.read_text() == "keep me"
    below_a_file = occupied / "out"
    result = runner.invoke(
        app, ["summarize", str(report), "-o", str(below_a_file), "--model", "keywords"]
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{below_a_file}: cannot write" in result.output.replace("\n", "")
    result = runner.invoke(
        app,
        [
            "review",
            "export",
            str(report),
            "-o",
            str(below_a_file / "r.xlsx"),
            "--model",
            "keywords",
        ],
    )
    assert result.exit_code == 1 and "cannot write" in result.output


def test_a_full_disk_is_one_line_and_the_old_output_stays(tmp_path, monkeypatch, write_text):
    import errno

    report = write_text(tmp_path / "b1.txt", "ปัญหาอุปสรรค\n1. งบประมาณไม่เพียงพอ\n")
    output = write_text(tmp_path / "f.csv", "old")

    def full(frame, path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setitem(tables._WRITERS, ".csv", full)
    result = runner.invoke(app, ["parse", str(report), "-o", str(output)])
    assert result.exit_code == 1
    assert f"{output}: cannot write (No space left on device)" in result.output
    assert output.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# --- 5. what is not a regular file -------------------------------------------------------------


def test_a_fifo_named_like_a_table_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "findings.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_findings_table(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_document(fifo)


def test_a_link_to_an_endless_device_is_refused(tmp_path):
    link = tmp_path / "findings.jsonl"
    link.symlink_to("/dev/zero")
    result = runner.invoke(
        app, ["classify", str(link), "-o", str(tmp_path / "o.jsonl"), "--model", "keywords"]
    )
    assert result.exit_code == 1 and "not a regular file" in result.output


# --- 6. outputs that belong together -----------------------------------------------------------


def test_a_failed_summary_leaves_the_last_set_of_outputs_as_it_was(
    tmp_path, monkeypatch, write_text
):
    report = write_text(tmp_path / "b1.txt", "ปัญหาอุปสรรค\n1. งบประมาณไม่เพียงพอ\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["summarize", str(report), "-o", str(out), "--model", "keywords"])
    assert result.exit_code == 0, result.output
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pipeline.stages.report.write_charts", broken)
    write_text(report, "ปัญหาอุปสรรค\n1. รถดูดโคลนมีไม่พอ\n")
    result = runner.invoke(app, ["summarize", str(report), "-o", str(out), "--model", "keywords"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert {
        p.name: p.read_bytes() for p in out.iterdir()
    } == before  # no new workbook, no leftovers


def test_an_output_that_is_an_input_is_refused(tmp_path):
    table = tmp_path / "r.csv"
    pd.DataFrame({"text": ["งบประมาณไม่เพียงพอ"]}).to_csv(table, index=False)
    before = table.read_bytes()
    for command in (["parse"], ["classify", "--model", "keywords"]):
        result = runner.invoke(app, [*command, str(table), "-o", str(table)])
        assert result.exit_code == 2 and "is also an input" in result.output
    assert table.read_bytes() == before


def test_an_interrupted_write_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out.jsonl"
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as temporary:
        temporary.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
    leftover = tmp_path / ".out.jsonl.abcd1234.partial"  # what a killed (SIGKILL) run leaves
    leftover.write_text("half")
    os.utime(leftover, (0, 0))
    write_table(pd.DataFrame({col.TEXT: ["งบไม่พอ"]}), target)
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


# --- 7. model files ----------------------------------------------------------------------------


def _model_folder(tmp_path: Path, training_set, **card_changes) -> Path:
    from pipeline.learning.estimators import build_pipeline
    from pipeline.learning.models import save_model
    from pipeline.stages.words import tokens

    texts, labels_ = zip(*training_set)
    model = build_pipeline().fit([" ".join(tokens(t)) for t in texts], list(labels_))
    folder = save_model(model, {"name": "m"}, tmp_path / "m")
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    card.update(card_changes)
    card = {k: v for k, v in card.items() if v is not None}
    (folder / "card.json").write_text(json.dumps(card), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"model_sha256": None}, "has no model_sha256"),
        ({"model_file": "../elsewhere.skops"}, "points outside the model's folder"),
    ],
)
def test_model_cards_without_a_hash_or_pointing_outside_are_refused(
    tmp_path, changes, problem, small_training_set
):
    from pipeline.learning.models import ModelError, load_model

    folder = _model_folder(tmp_path, small_training_set, **changes)
    with pytest.raises(ModelError, match=problem):
        load_model(str(folder))


# --- 8. nothing lost silently ------------------------------------------------------------------


def test_findings_in_a_nested_word_table_are_read(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("หน่วยงาน: สำนักงานเขตบางรัก")
    outer = document.add_table(rows=2, cols=2)
    outer.cell(0, 0).text, outer.cell(0, 1).text = "ปัจจัย", "ปัญหาอุปสรรค"
    outer.cell(1, 0).text = "งบประมาณ"
    inner = outer.cell(1, 1).add_table(rows=2, cols=1)
    inner.cell(0, 0).text = "งบซ่อมถนนในซอยได้รับเพียงครึ่งหนึ่ง"
    inner.cell(1, 0).text = "งบจ้างเหมาทำความสะอาดล่าช้า"
    document.save(tmp_path / "nested.docx")
    findings, _, _ = parse_file(tmp_path / "nested.docx")
    assert list(findings[col.TEXT]) == [
        "งบซ่อมถนนในซอยได้รับเพียงครึ่งหนึ่ง",
        "งบจ้างเหมาทำความสะอาดล่าช้า",
    ]
    assert set(findings[col.HEADING_CATEGORY]) == {"budget"}


def test_formula_cells_without_a_saved_value_are_reported(tmp_path, make_xlsx):
    path = make_xlsx(
        tmp_path / "f.xlsx", [["ข้อความ"], ["งบประมาณไม่เพียงพอ"], ['=CONCAT("รถ","เสีย")']]
    )
    findings, _, warnings = parse_file(path)
    assert list(findings[col.TEXT]) == ["งบประมาณไม่เพียงพอ"]
    assert any("1 formula cell(s) without a saved value (A3)" in w for w in warnings)


def test_a_word_file_that_declares_entities_is_refused(tmp_path, make_docx):
    path = make_docx(tmp_path / "xxe.docx", ["หน่วยงาน: สำนักงานเขตบางรัก", "ปัญหาอุปสรรค"])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    declaration = b'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"?>", b"?>" + declaration, 1)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(InputError, match="declares a DTD or entities"):
        read_document(path)


def test_bidi_controls_are_removed_and_counted(tmp_path, write_text):
    path = write_text(tmp_path / "b1.txt", "ปัญหาอุปสรรค\n1. งบประมาณ\u202eไม่เพียงพอ\u200f\n")
    findings, repairs, _ = parse_file(path)
    assert list(findings[col.TEXT]) == ["งบประมาณไม่เพียงพอ"]
    assert repairs["bidi_controls"] == 2


# --- rules added after a blind probe (hostile files written by someone who never saw the code) ---


def test_an_untouched_review_row_with_thai_digits_imports(tmp_path, labels):
    from pipeline.learning.review import import_review

    row = {"finding_id": "b2c3d4e5f6a7", "text": "งบซ่อมถนนได้ ๕๐%", "label": "budget"}
    with labels.open("a", encoding="utf-8") as out:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    # the export shows the repaired text (Arabic digits): that is not an edit
    rows = [["b2c3d4e5f6a7", 2567, "ปัญหาอุปสรรค", "งบซ่อมถนนได้ 50%", "การจัดการ"]]
    result = import_review(
        _review_workbook(tmp_path / "r.xlsx", rows), year=2567, corpus_dir=labels.parents[1]
    )
    assert result.applied == 1


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ([["a1b2c3d4e5f6\u200b", 2567, "ปัญหาอุปสรรค", "รถเสีย", "tools"]], "blank or malformed"),
        ([["ffffffffffff", 2567, "ปัญหาอุปสรรค", "งบซ่อมถนนไม่พอ", "tools"]], "already in the corpus"),
        (
            [
                ["new000000001", 2567, "ปัญหาอุปสรรค", "รถเสีย", "tools"],
                ["new000000001", 2567, "ปัญหาอุปสรรค", "รถเสีย", "budget"],
            ],
            "also on row 2",
        ),
    ],
)
def test_ids_that_would_duplicate_a_finding_are_refused(tmp_path, labels, rows, problem):
    from pipeline.learning.review import ReviewError, import_review

    before = labels.read_bytes()
    with pytest.raises(ReviewError) as error:
        import_review(
            _review_workbook(tmp_path / "r.xlsx", rows), year=2567, corpus_dir=labels.parents[1]
        )
    assert any(problem in line for line in error.value.problems)
    assert labels.read_bytes() == before


def test_a_line_separator_in_a_name_never_breaks_the_corpus(tmp_path, labels):
    from pipeline.learning.review import import_review

    rows = [["new000000009", 2567, "ข้อเสนอแนะ", "ควรจัดหารถดูดโคลน", "tools"]]
    path = _review_workbook(tmp_path / "r.xlsx", rows)
    import_review(path, year=2567, corpus_dir=labels.parents[1], who="ผู้ตรวจ\u2028ก")
    read_back = _strict_rows(labels)
    assert read_back[1]["labelled_by"] == "ผู้ตรวจก"
    import_review(path, year=2567, corpus_dir=labels.parents[1])  # and the corpus reads again


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"text": "งบไม่พอ", "line": NaN}\n', "line 1: not usable JSON"),
        ('{"text": "งบไม่พอ", "committee": ' + "9" * 5000 + "}\n", "line 1: not usable JSON"),
        ('{"text": ' + "[" * 100_000 + "]" * 100_000 + "}\n", "line 1: not usable JSON"),
        ('{"text": "งบ\\ud800ไม่พอ"}\n', "row 1: text holds a broken character"),
        ('{"text": "งบไม่พอ", "kind": "+obstacle"}\n', "row 1: kind '+obstacle'"),
        ('{"text": "งบไม่พอ", "committee": 4.5}\n', "row 1: committee is '4.5'"),
    ],
)
def test_findings_tables_with_values_no_finding_holds_are_one_line(tmp_path, content, problem):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(problem)):
        read_findings_table(bad)


def test_a_symlink_loop_and_bad_options_are_one_line(tmp_path, write_text):
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    result = runner.invoke(app, ["parse", str(loop), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1 and "cannot open" in result.output
    report = write_text(tmp_path / "b1.txt", "ปัญหาอุปสรรค\n1. งบประมาณไม่เพียงพอ\n")
    for option in (["--jobs", "0"], ["--year", "99999999999"], ["--committee", "-1"]):
        result = runner.invoke(
            app, ["parse", str(report), "-o", str(tmp_path / "o.jsonl"), *option]
        )
        assert result.exit_code == 2 and "Traceback" not in result.output, option


def test_error_lines_show_control_characters_escaped(tmp_path):
    weird = tmp_path / "a\nerror: forged\x1b[2J.docx"
    weird.write_bytes(b"PK\x03\x04broken")
    result = runner.invoke(app, ["parse", str(weird), "-o", str(tmp_path / "o.jsonl")])
    assert "\\nerror: forged\\x1b[2J.docx" in result.output
    assert "\x1b" not in result.output


def test_a_good_output_is_kept_when_no_input_could_be_read(tmp_path, write_text):
    output = write_text(tmp_path / "kept.jsonl", '{"text": "งบไม่พอ"}\n')
    (tmp_path / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["parse", str(tmp_path / "empty.txt"), "-o", str(output)])
    assert result.exit_code == 1 and "left as it was" in result.output
    assert output.read_text(encoding="utf-8") == '{"text": "งบไม่พอ"}\n'


def test_word_text_in_links_insertions_controls_and_text_boxes_is_read(tmp_path, make_docx):
    path = make_docx(tmp_path / "fields.docx", ["ปัญหาอุปสรรค", "PLACEHOLDER"])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    run = "<w:r><w:t>{}</w:t></w:r>"
    items = (
        f'<w:p><w:hyperlink r:id="x">{run.format("1. งบประมาณไม่เพียงพอ")}</w:hyperlink></w:p>'
        f'<w:p><w:ins w:id="1" w:author="a">{run.format("2. รถดูดโคลนชำรุด")}</w:ins></w:p>'
        f"<w:sdt><w:sdtContent><w:p>{run.format('3. เจ้าหน้าที่ขาดความรู้')}</w:p></w:sdtContent></w:sdt>"
    )
    body = parts["word/document.xml"].decode()
    start = body.rindex("<w:p>", 0, body.index("PLACEHOLDER"))
    end = body.index("</w:p>", body.index("PLACEHOLDER")) + len("</w:p>")
    parts["word/document.xml"] = (body[:start] + items + body[end:]).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    findings, _, _ = parse_file(path)
    assert list(findings[col.TEXT]) == ["งบประมาณไม่เพียงพอ", "รถดูดโคลนชำรุด", "เจ้าหน้าที่ขาดความรู้"]


def test_a_table_nested_sixty_deep_loses_nothing(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("ปัญหาอุปสรรค")
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    for _ in range(60):
        cell = cell.add_table(rows=1, cols=1).cell(0, 0)
    cell.text = "1. งบประมาณไม่เพียงพอ"
    document.save(tmp_path / "deep.docx")
    findings, _, _ = parse_file(tmp_path / "deep.docx")
    assert list(findings[col.TEXT]) == ["งบประมาณไม่เพียงพอ"]


def test_caps_on_lines_characters_and_joined_findings(tmp_path, write_text):
    many = write_text(tmp_path / "many.txt", "ปัญหาอุปสรรค\n" + "- ก\n" * 60_000)
    with pytest.raises(InputError, match="60,001 lines, over the 50,000"):
        read_document(many)
    items = "\n".join(f"({n}) งบประมาณไม่เพียงพอ" for n in range(1, 2000))
    numbered = write_text(tmp_path / "items.txt", "ปัญหาอุปสรรค\n" + items + "\n")
    with pytest.raises(InputError, match="the finding at line 1000 runs to"):
        parse_file(numbered)


@pytest.mark.slow
def test_a_shared_string_repeated_in_every_cell_is_refused(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ข้อความ"])
    long_text = "งบประมาณไม่เพียงพอ" * 1000
    for _ in range(1000):
        sheet.append([long_text])
    workbook.save(tmp_path / "sst.xlsx")
    import pipeline.stages.read

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline.stages.read, "MAX_DOCUMENT_CHARS", 10_000_000)
        with pytest.raises(InputError, match="more than 10,000,000 characters"):
            read_document(tmp_path / "sst.xlsx")


def test_tables_too_wide_or_too_long_for_a_workbook_stay_bounded(tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text("text," + ",".join(f"c{i}" for i in range(5000)) + "\nงบไม่พอ\n", "utf-8")
    with pytest.raises(InputError, match="5,001 columns, over the 1,000"):
        read_findings_table(wide)
    with pytest.raises(InputError, match="5,001 columns"):
        read_document(wide)
    # a long table is written to .xlsx a row at a time, formulas still text
    from openpyxl import load_workbook

    frame = pd.DataFrame({col.TEXT: ["=1+1", *["งบประมาณไม่เพียงพอ"] * 20_000]})
    write_table(frame, tmp_path / "long.xlsx")
    sheet = load_workbook(tmp_path / "long.xlsx", read_only=True).active
    first = next(sheet.iter_rows(min_row=2, max_row=2))[0]
    assert first.value == "=1+1" and first.data_type == "s"
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == 20_002
