"""The ``findings`` commands as an analyst types them: parse on a folder of mixed files, classify
and evaluate with a model folder, the model list and cards, and a help that starts at once."""

from __future__ import annotations

import json
import shutil

import pandas as pd
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


# --- classify, evaluate, models ------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_model(tmp_path_factory, small_training_set):
    """A model folder trained on the six findings of ``small_training_set``."""
    from pipeline.learning.estimators import build_pipeline
    from pipeline.learning.models import save_model

    texts, labels = zip(*small_training_set)
    estimator = build_pipeline().fit(list(texts), list(labels))
    card = {"name": "small", "created": "2024-01-01", "review_threshold": 0.5}
    return save_model(estimator, card, tmp_path_factory.mktemp("models") / "small")


def test_classify_and_evaluate_commands(tmp_path, small_model, small_training_set):
    report = tmp_path / "b1.txt"
    report.write_text("ปัญหาอุปสรรค\n1. งบประมาณไม่เพียงพอ\n2. ระบบล่มบ่อย\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["classify", str(report), "--model", str(small_model), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["category"] for r in rows] == ["budget", "tools"]
    # a findings table is classified as it is, other columns kept
    table = tmp_path / "findings.jsonl"
    table.write_text(
        "\n".join(
            json.dumps({"text": t, "label": c, "note": i}, ensure_ascii=False)
            for i, (t, c) in enumerate(small_training_set)
        )
        + "\n",
        encoding="utf-8",
    )
    out2 = tmp_path / "out2.csv"
    result = runner.invoke(app, ["classify", str(table), "--model", "keywords", "-o", str(out2)])
    assert result.exit_code == 0, result.output
    classified = pd.read_csv(out2, encoding="utf-8-sig")
    assert list(classified["note"]) == list(range(6)) and classified["category"].notna().all()
    metrics_file = tmp_path / "metrics.json"
    result = runner.invoke(
        app,
        ["evaluate", str(table), "--model", str(small_model), "--json", str(metrics_file)],
    )
    assert result.exit_code == 0, result.output
    assert "macro-F1 1.000" in result.output and "อัตรากำลัง" in result.output
    assert json.loads(metrics_file.read_text(encoding="utf-8"))["accuracy"] == 1.0


def test_evaluate_refuses_unknown_labels(tmp_path):
    data = tmp_path / "bad.jsonl"
    data.write_text(json.dumps({"text": "งบ", "label": "money"}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(data), "--model", "keywords"])
    assert result.exit_code == 1 and "unknown label(s) money" in result.output


def test_a_findings_table_is_repaired_like_parsed_text(tmp_path):
    table = tmp_path / "findings.jsonl"
    table.write_text(
        json.dumps({"text": "งบประมาณ\u200bไม่พอ ๒ โครงการ"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["classify", str(table), "--model", "keywords", "-o", str(out)])
    assert result.exit_code == 0, result.output
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["text"] == "งบประมาณไม่พอ 2 โครงการ"
    assert row["raw_text"] == "งบประมาณ\u200bไม่พอ ๒ โครงการ"
    assert row["tokens"].split() == ["งบประมาณ", "ไม่", "พอ", "2", "โครงการ"]


def test_models_are_listed_with_the_default_marked(tmp_path, small_model):
    from pipeline.learning.cards import set_default

    models = tmp_path / "models"
    shutil.copytree(small_model, models / "small")
    set_default("small", models)
    result = runner.invoke(app, ["models", "--models-dir", str(models)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if " small " in line)
    assert "*" in row and "2024-01-01" in row and "0.500" in row


def test_models_show_prints_the_card_s_results(repository):
    from pipeline.learning.models import read_card

    result = runner.invoke(app, ["models", "show", "default"])
    assert result.exit_code == 0, result.output
    card = read_card(repository / "models" / "default")
    assert result.output.startswith(f"Model `default` ({card['created']}), trained on")
    assert "**Real text: the frozen real set**" in result.output


def test_models_show_names_a_folder_without_a_card(tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["models", "show", "empty", "--models-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'empty' / 'card.json'}: no model card" in result.output.replace("\n", "")


# --- the rest ------------------------------------------------------------------------------------


def test_parse_verbose_prints_what_it_read_per_file(tmp_path, write_text):
    report = write_text(
        tmp_path / "b1.txt",
        "หน่วยงาน: สำนักงานเขตบางรัก\nปีงบประมาณ 2566\nปัญหาอุปสรรค\n1. ด้านงบประมาณ\n"
        "1.1 งบซ่อมถนนได้รับล่าช้า\n",
    )
    out = str(tmp_path / "out.jsonl")
    result = runner.invoke(app, ["parse", str(report), "-v", "-o", out], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:4] == [
        f"{report}: 1 obstacle",
        "  agency สำนักงานเขตบางรัก, committee None, fiscal year 2566",
        "  line 3: section obstacle ← ปัญหาอุปสรรค",
        "  line 4: category budget (words) ← ด้านงบประมาณ",
    ]


def test_domain_words_says_how_many_the_default_dictionary_cuts():
    from pipeline.stages.words import domain_words, split_domain_terms

    result = runner.invoke(app, ["domain-words"])
    assert result.exit_code == 0, result.output
    cut = split_domain_terms("newmm")
    assert result.output.startswith(f"{len(cut)} of {len(domain_words())} domain words are cut")
    assert "  ตัวชี้วัด → ตัว|ชี้|วัด" in result.output.splitlines()


def test_help_starts_without_loading_the_heavy_libraries():
    """``findings --help`` must be instant: no stage, model or data library is imported for it."""
    import subprocess
    import sys

    code = (
        "import sys; from typer.testing import CliRunner; from pipeline.cli import app; "
        "result = CliRunner().invoke(app, ['--help']); assert result.exit_code == 0; "
        "heavy = ('pandas', 'numpy', 'sklearn', 'pythainlp', 'matplotlib', 'docx', 'openpyxl', "
        "'spacy', 'pymupdf', 'pipeline.stages', 'pipeline.learning'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
