"""Classify stage: the columns, the heading's authority, the review flag, the evidence, and the
saved model giving the same answers on its own."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.learning.estimators import build_pipeline
from pipeline.learning.models import KeywordClassifier, LoadedModel, save_model
from pipeline.learning.weights import sharpen
from pipeline.shared.schema import SchemaError, col
from pipeline.stages.classify import PRODUCES, classify
from pipeline.stages.words import tokenize, tokens


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
    loaded = load_model(str(folder))
    classified = classify(tokenize(findings), loaded)
    alone = loaded.estimator
    proba = alone.predict_proba(list(findings[col.RAW_TEXT].str.replace(r"^\S+\s", "", regex=True)))
    assert list(alone.classes_[proba.argmax(1)]) == list(classified[col.MODEL_CATEGORY])
    assert proba.max(1).round(4).tolist() == classified[col.MODEL_CONFIDENCE].tolist()


def evidence_row_by_row(estimator, matrix, predicted) -> list[str]:
    """Evidence as it was read before it was vectorized, one finding at a time: positive
    weights, heaviest first (ties: the column named first), words before character n-grams,
    three different words shown without their head mark."""
    classifier = estimator.named_steps["classifier"]
    names = estimator.named_steps["features"].get_feature_names_out()
    out = []
    for row, category in zip(matrix.tocsr(), predicted):
        weights = classifier.coef_[list(classifier.classes_).index(category), row.indices]
        text = ""
        for block in ("words__", "chars__"):
            ranked = sorted(
                (-w, j)
                for w, j in zip(weights * row.data, row.indices)
                if w > 0 and names[j].startswith(block)
            )
            shown = dict.fromkeys(names[j][len(block) :].replace("^", "") for _, j in ranked)
            text = ", ".join(list(shown)[:3])
            if text:
                break
        out.append(text)
    return out


def test_evidence_is_what_reading_row_by_row_gives(corpus_dir):
    import numpy as np

    from pipeline.learning.corpus import load_corpus
    from pipeline.learning.models import load_model
    from pipeline.shared.taxonomy import CATEGORY_IDS
    from pipeline.stages.classify import evidence, predict_proba

    model = load_model()
    texts = tokenize(load_corpus(corpus_dir, real=False).sample(400, random_state=0))
    no_known_word = ["ฮฮงบประมาณฮฮ", "ฮฮเจ้าหน้าที่ฮฮ ฮฮระบบฮฮ"]  # their character n-grams speak
    texts = [*texts[col.TOKENS], *no_known_word, "", "ก"]
    matrix = model.weights.features(texts)
    predicted = np.array(CATEGORY_IDS)[predict_proba(model, texts, matrix).argmax(axis=1)]
    expected = evidence_row_by_row(model.estimator, matrix, predicted)
    assert evidence(model.weights, texts, predicted, matrix) == expected
    assert evidence(model.weights, texts, predicted) == expected  # featurized inside
    assert all(expected[-4:-2]) and expected[-2] == ""  # character n-grams; nothing
    assert len(set(expected)) > 300
