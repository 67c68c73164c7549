"""Evaluation: the metrics by hand, reliability, probabilities in taxonomy order, promotion's rule,
a card's results as Markdown and a model scored on a labelled file."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline.learning.evaluate import (
    PROMOTION_TOLERANCE,
    evaluate_labelled,
    evaluate_on,
    metrics,
    ordered_proba,
    promotion_check,
    reliability,
)
from pipeline.learning.models import KEYWORDS, load_model
from pipeline.shared.taxonomy import CATEGORY_IDS
from pipeline.stages.read import InputError


def test_metrics_by_hand():
    result = metrics(
        ["budget", "budget", "tools", "policy"], ["budget", "tools", "tools", "policy"]
    )
    assert result["accuracy"] == 0.75
    per = result["per_category"]
    assert per["budget"]["precision"] == 1.0 and per["budget"]["recall"] == 0.5
    assert per["tools"]["f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert per["budget"]["support"] == 2 and per["manpower"]["support"] == 0
    # macro-F1 averages the categories that occur, not the five absent ones
    assert result["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3, abs=1e-4)
    assert result["confusion"][CATEGORY_IDS.index("budget")][CATEGORY_IDS.index("tools")] == 1


def test_reliability_of_always_right_but_unsure_answers():
    rng = np.random.default_rng(0)
    labels = rng.choice(CATEGORY_IDS, size=400)
    proba = np.full((400, 8), 0.06)
    for row, label in enumerate(labels):
        proba[row, CATEGORY_IDS.index(label)] = 0.58  # always right, but only 58 % sure
    table = reliability(labels, proba, CATEGORY_IDS)
    assert table["bins"] == [
        {"bin": "0.4-0.6", "findings": 400, "mean_confidence": 0.58, "accuracy": 1.0}
    ]
    assert table["ece"] == pytest.approx(0.42, abs=0.01)


def test_a_well_calibrated_model_has_no_calibration_error():
    # in each bin the answers are right exactly as often as the model is sure
    labels = ["budget"] * 10
    proba = np.zeros((10, 8))
    proba[:, CATEGORY_IDS.index("budget")] = 0.9
    proba[:, CATEGORY_IDS.index("tools")] = 0.1
    proba[9, CATEGORY_IDS.index("tools")] = 0.0  # one answer of ten wrong, as sure as the rest
    proba[9, CATEGORY_IDS.index("budget")] = 0.1
    proba[9, CATEGORY_IDS.index("coordination")] = 0.9
    table = reliability(labels, proba, CATEGORY_IDS)
    assert table["bins"] == [
        {"bin": "0.8-1.0", "findings": 10, "mean_confidence": 0.9, "accuracy": 0.9}
    ]
    assert table["ece"] == pytest.approx(0.0, abs=1e-9)


class _Fitted:
    """A fitted estimator whose classes come in an order of its own."""

    classes_ = np.array(["tools", "budget"])

    def predict_proba(self, texts):
        return np.array([[0.25, 0.75] for _ in texts])


def test_probabilities_come_back_in_taxonomy_order():
    proba = ordered_proba(_Fitted(), ["งบประมาณไม่เพียงพอ", "ระบบล่มบ่อย"])
    assert proba.shape == (2, len(CATEGORY_IDS))
    assert proba[0, CATEGORY_IDS.index("budget")] == 0.75
    assert proba[0, CATEGORY_IDS.index("tools")] == 0.25
    assert proba[:, CATEGORY_IDS.index("manpower")].tolist() == [0.0, 0.0]


def test_the_keyword_baseline_is_scored_on_tokens():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "text": ["งบประมาณไม่เพียงพอ", "เครื่องคอมพิวเตอร์ชำรุด"],
            "tokens": ["งบประมาณ ไม่ เพียงพอ", "เครื่อง คอมพิวเตอร์ ชำรุด"],
            "label": ["budget", "tools"],
        }
    )
    scores = evaluate_on(load_model(KEYWORDS).estimator, frame)
    assert scores["accuracy"] == 1.0 and scores["macro_f1"] == 1.0
    assert sum(b["findings"] for b in scores["reliability"]["bins"]) == 2


@pytest.mark.parametrize(
    ("new", "old", "promoted"),
    [
        (0.80, 0.80, True),
        (0.80 - PROMOTION_TOLERANCE + 0.001, 0.80, True),  # within the tolerance
        (0.80 - PROMOTION_TOLERANCE - 0.001, 0.80, False),
    ],
)
def test_a_model_worse_on_a_frozen_set_is_not_promoted(new, old, promoted):
    comparison = {
        "real": {"next": {"macro_f1": 0.70}, "default": {"macro_f1": 0.70}},
        "2566": {"next": {"macro_f1": new}, "default": {"macro_f1": old}},
    }
    ok, reasons = promotion_check("next", "default", comparison)
    assert ok is promoted
    assert reasons == (
        [] if promoted else [f"FY2566: macro-F1 {new:.3f} against 0.800 for default"]
    )


def _labelled(path, rows):
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def test_a_labelled_file_is_scored_finding_by_finding(tmp_path):
    data = _labelled(
        tmp_path / "labelled.jsonl",
        [
            {"text": "งบประมาณที่ได้รับจัดสรรไม่เพียงพอ", "label": "budget"},
            {"text": "เครื่องคอมพิวเตอร์ชำรุดและระบบล่มบ่อย", "label": "tools"},
            {"text": "ควรประสานความร่วมมือกับการไฟฟ้านครหลวงและชุมชน", "label": "manpower"},
        ],
    )
    result = evaluate_labelled(data, load_model(KEYWORDS))
    assert result["model"] == KEYWORDS and result["findings"] == 3
    assert result["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    confusion = result["confusion"][CATEGORY_IDS.index("manpower")]
    assert confusion[CATEGORY_IDS.index("coordination")] == 1


def test_a_labelled_file_without_labels_is_refused_by_name(tmp_path):
    data = _labelled(tmp_path / "texts.jsonl", [{"text": "งบประมาณไม่เพียงพอ"}])
    with pytest.raises(InputError, match=r"texts\.jsonl: missing column\(s\) label"):
        evaluate_labelled(data, load_model(KEYWORDS))
