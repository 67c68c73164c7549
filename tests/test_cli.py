"""The ``findings parse`` command end to end, on a folder of mixed files."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import make_docx, write_text
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


@pytest.fixture
def mixed_folder(tmp_path, seed_path):
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


def test_parse_clean_batch_exits_zero(tmp_path):
    report = write_text(tmp_path / "b1.txt", "ข้อเสนอแนะ\n- ควรเร่งรัดการเบิกจ่าย\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["parse", str(report), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["kind"] == "recommendation"


def test_unknown_output_format_is_refused_before_work(tmp_path):
    report = write_text(tmp_path / "b1.txt", "ข้อเสนอแนะ\n- ควรเร่งรัดการเบิกจ่าย\n")
    result = runner.invoke(app, ["parse", str(report), "-o", str(tmp_path / "out.pdf")])
    assert result.exit_code == 2
    assert "unknown output format" in result.output
    assert not (tmp_path / "out.pdf").exists()


def test_failed_write_keeps_the_previous_output(tmp_path, monkeypatch):
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


def test_parse_reads_a_findings_table_as_it_is(tmp_path):
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


def _commands(group, prefix=()):
    """Every command of the ``findings`` app, as the words that call it."""
    for name, command in group.commands.items():
        yield (*prefix, name)
        if hasattr(command, "commands"):  # a group of commands (findings models ...)
            yield from _commands(command, (*prefix, name))


def test_help_shows_no_python_type_labels():
    """Help reads as a command line's (PATH, INTEGER), never as Python annotations."""
    import typer

    group = typer.main.get_command(app)
    commands = list(_commands(group))
    assert ("classify",) in commands and ("models", "promote") in commands
    for words in [(), *commands]:
        result = runner.invoke(app, [*words, "--help"], terminal_width=120)
        assert result.exit_code == 0, words
        for noise in ("<bool>", "<list[", "<str>", "<path>", "{"):
            assert noise not in result.output, (words, noise)


@pytest.mark.parametrize(
    ("arguments", "not_imported"),
    [
        (["--help"], {"pandas", "sklearn", "skops"}),
        (["models"], {"pandas", "sklearn", "skops"}),
        (["models", "show", "default"], {"sklearn", "skops"}),
    ],
)
def test_commands_that_load_no_model_import_no_scikit_learn(arguments, not_imported):
    """Reading a card is instant; scikit-learn and skops cost a second and a half to import."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom pipeline.cli import app\ntry:\n    app(sys.argv[1:])\n"
        "except SystemExit:\n    pass\nprint(' '.join(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *arguments], capture_output=True, text=True, check=True
    )
    imported = set(done.stdout.splitlines()[-1].split())
    assert not imported & not_imported
