"""Classify stage: the columns, the heading's authority, the review flag, the evidence."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.learning.models import KeywordClassifier, LoadedModel, build_pipeline, save_model
from pipeline.shared.schema import SchemaError, col
from pipeline.stages.classify import PRODUCES, classify, sharpen
from pipeline.stages.words import tokenize, tokens

runner = CliRunner()


@pytest.fixture(scope="module")
def trained(small_training_set):
    texts, labels = zip(*small_training_set)
    estimator = build_pipeline().fit([tokens(t) for t in texts], list(labels))
    return LoadedModel("small", estimator, {"review_threshold": 0.5})


def _findings(*rows):
    frame = pd.DataFrame(rows, columns=[col.TEXT, col.HEADING_CATEGORY])
    return tokenize(frame)


def test_classify_adds_every_column(trained):
    out = classify(_findings(("งบประมาณไม่เพียงพอ", None)), trained)
    assert set(PRODUCES) <= set(out.columns)
    row = out.iloc[0]
    assert row[col.CATEGORY] == "budget" and row[col.CATEGORY_SOURCE] == "model"
    assert row[col.CONFIDENCE] >= row[col.CONFIDENCE_2] and row[col.CATEGORY_2] != "budget"
    assert row[col.MODEL] == "small" and row[col.MODEL_CATEGORY] == "budget"
    assert "งบประมาณ" in row[col.EVIDENCE].split(", ")


def test_a_heading_wins_and_a_disagreement_is_flagged(trained):
    out = classify(
        _findings(
            ("เครื่องคอมพิวเตอร์ชำรุด", "tools"),
            ("เครื่องคอมพิวเตอร์ชำรุด", "budget"),
        ),
        trained,
    )
    assert list(out[col.CATEGORY]) == ["tools", "budget"]
    assert list(out[col.CATEGORY_SOURCE]) == ["heading", "heading"]
    assert list(out[col.MODEL_CATEGORY]) == ["tools", "tools"]
    assert list(out[col.NEEDS_REVIEW]) == [False, True]
    assert out[col.CATEGORY_2].iloc[1] == "tools"  # the model's own answer is the runner-up


def test_unsure_answers_are_flagged():
    model = LoadedModel("keywords", KeywordClassifier(), {"review_threshold": 0.9})
    out = classify(_findings(("ข้อความที่ไม่มีคำสำคัญใดเลย", None), ("งบประมาณ งบประมาณ", None)), model)
    assert list(out[col.NEEDS_REVIEW]) == [True, False]
    assert out[col.EVIDENCE].iloc[1] == "งบประมาณ, งบ"


def test_classify_needs_tokens_and_keeps_empty_tables(trained):
    with pytest.raises(SchemaError, match="classify: missing column"):
        classify(pd.DataFrame({col.TEXT: ["ก"]}), trained)
    empty = classify(tokenize(pd.DataFrame({col.TEXT: []})), trained)
    assert empty.empty and set(PRODUCES) <= set(empty.columns)


def test_temperature_sharpens_without_changing_the_order():
    import numpy as np

    proba = np.array([[0.5, 0.3, 0.2]])
    sharp = sharpen(proba, 0.5)
    assert sharp.argmax() == 0 and sharp[0, 0] > 0.5 and np.isclose(sharp.sum(), 1)


def test_classify_and_evaluate_commands(tmp_path, trained, small_training_set):
    save_model(trained.estimator, {"name": "small", "review_threshold": 0.5}, tmp_path / "small")
    report = tmp_path / "b1.txt"
    report.write_text("ปัญหาอุปสรรค\n1. งบประมาณไม่เพียงพอ\n2. ระบบล่มบ่อย\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["classify", str(report), "--model", str(tmp_path / "small"), "-o", str(out)]
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
        ["evaluate", str(table), "--model", str(tmp_path / "small"), "--json", str(metrics_file)],
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


def test_the_saved_model_alone_gives_what_classify_gives(tmp_path, small_training_set):
    """Tokenizing, the opening-words marks and the calibration live inside the model file."""
    from pipeline.learning.models import load_model
    from pipeline.stages.parse import parse_file

    texts, labels = zip(*small_training_set)
    estimator = build_pipeline().fit(list(texts), list(labels))
    estimator.named_steps["classifier"].temperature = 0.6
    folder = save_model(estimator, {"name": "alone", "review_threshold": 0.5}, tmp_path / "alone")
    report = tmp_path / "b1.txt"
    report.write_text(
        "ปัญหาอุปสรรค\n๑. งบประมาณ​ซ่อมถนนได้รับ ๕๐% ของคำขอ\n"
        "2. เจ้าหน้าที่พัสดุยังไม่คุ้นกับระบบ e-GP\n3. รถดูดโคลนชำรุดบ่อย\n",
        encoding="utf-8",
    )
    findings, _, _ = parse_file(report)
    classified = classify(tokenize(findings), load_model(str(folder)))
    import skops.io

    from pipeline.learning.models import OWN_TYPES

    alone = skops.io.load(folder / "model.skops", trusted=sorted(OWN_TYPES))
    proba = alone.predict_proba(list(findings[col.RAW_TEXT].str.replace(r"^\S+\s", "", regex=True)))
    assert list(alone.classes_[proba.argmax(1)]) == list(classified[col.MODEL_CATEGORY])
    assert proba.max(1).round(4).tolist() == classified[col.MODEL_CONFIDENCE].tolist()
