"""The ``findings parse`` command end to end, on a folder of mixed files."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


@pytest.fixture
def mixed_folder(tmp_path, seed_path, write_text, make_docx):
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(seed_path, folder / "b3_fy2565.txt")
    write_text(folder / "b1_bang_rak.txt", "ปัญหาอุปสรรค\n1. รถเก็บขยะมีไม่เพียงพอ\n", "cp874")
    make_docx(folder / "b1_sathon.docx", paragraphs=["ข้อเสนอแนะ", "- ควรเพิ่มจุดทิ้งขยะอันตราย"])
    (folder / "broken.docx").write_bytes(b"PK\x03\x04not a zip")
    (folder / "notes.json").write_text("{}")  # not a report format: not picked up from a folder
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".xlsx"])
def test_parse_a_mixed_folder(mixed_folder, tmp_path, suffix):
    out = tmp_path / f"findings{suffix}"
    result = runner.invoke(
        app, ["parse", str(mixed_folder), "--year", "2566", "--committee", "3", "-o", str(out)]
    )
    assert result.exit_code == 1  # one file was refused
    assert "broken.docx: corrupt zip container" in result.output
    assert "Read 3 file(s), refused 1; wrote 88 finding(s)" in result.output
    if suffix == ".jsonl":
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    elif suffix == ".csv":
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Thai right
        import csv
        import io

        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(out).active
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
        header, *values = list(sheet.iter_rows(values_only=True))
        rows = [dict(zip(header, row)) for row in values]
    assert len(rows) == 88
    bang_rak = [r for r in rows if str(r["source"]).endswith("b1_bang_rak.txt")]
    assert [r["text"] for r in bang_rak] == ["รถเก็บขยะมีไม่เพียงพอ"]
    assert str(bang_rak[0]["fiscal_year"]) == "2566" and str(bang_rak[0]["committee"]) == "3"
    seed_years = {str(r["fiscal_year"]) for r in rows if str(r["source"]).endswith("b3_fy2565.txt")}
    assert seed_years == {"2565"}  # the file's own year wins over --year


def test_parse_clean_batch_exits_zero(tmp_path, write_text):
    report = write_text(tmp_path / "b1.txt", "ข้อเสนอแนะ\n- ควรเร่งรัดการเบิกจ่าย\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["parse", str(report), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["kind"] == "recommendation"


def test_unknown_output_format_is_refused_before_work(tmp_path, write_text):
    report = write_text(tmp_path / "b1.txt", "ข้อเสนอแนะ\n- ควรเร่งรัดการเบิกจ่าย\n")
    result = runner.invoke(app, ["parse", str(report), "-o", str(tmp_path / "out.pdf")])
    assert result.exit_code == 2
    assert "unknown output format" in result.output
    assert not (tmp_path / "out.pdf").exists()


def test_failed_write_keeps_the_previous_output(tmp_path, monkeypatch, write_text):
    import pipeline.shared.tables

    report = write_text(tmp_path / "b1.txt", "ข้อเสนอแนะ\n- ควรเร่งรัดการเบิกจ่าย\n")
    out = tmp_path / "out.csv"
    out.write_text("previous results")

    def crash(frame, path):
        path.write_text("half")
        raise OSError("disk full")

    monkeypatch.setitem(pipeline.shared.tables._WRITERS, ".csv", crash)
    result = runner.invoke(app, ["parse", str(report), "-o", str(out)])
    assert result.exit_code == 1 and "disk full" in result.output
    assert out.read_text() == "previous results"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_parse_reads_a_findings_table_as_it_is(tmp_path, write_text):
    """A .jsonl of findings is a table, not a report: parse takes its rows, as classify does."""
    table = write_text(
        tmp_path / "findings.jsonl",
        json.dumps({"text": "ระบบสารสนเทศล่มบ่อย", "agency": "สำนักงานเขตบางรัก"}, ensure_ascii=False)
        + "\n",
    )
    report = write_text(tmp_path / "b1.txt", "ปีงบประมาณ 2566\nปัญหาอุปสรรค\n1. รถดูดโคลนชำรุดบ่อย\n")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["parse", str(table), str(report), "-o", str(out)])
    assert result.exit_code == 0, result.output
    texts = [json.loads(line)["text"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(texts) == ["รถดูดโคลนชำรุดบ่อย", "ระบบสารสนเทศล่มบ่อย"]
    assert "Read 2 file(s)" in result.output.replace("\n", " ")
