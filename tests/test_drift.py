"""Drift: a new year's category mix and vocabulary against the model's training data."""

from __future__ import annotations

import pandas as pd

from pipeline.learning.drift import describe, drift, model_vocabulary
from pipeline.learning.models import load_model
from pipeline.stages.classify import classify
from pipeline.stages.words import tokenize


def test_unseen_words_and_a_shifted_mix_call_for_retraining():
    model = load_model("default")
    vocabulary = model_vocabulary(model)
    assert "งบประมาณ" in vocabulary and len(vocabulary) > 1000
    familiar = tokenize(pd.DataFrame({"text": ["งบประมาณไม่เพียงพอต่อการดำเนินโครงการ"] * 3}))
    report = drift(classify(familiar, model), model)
    assert report["unseen_token_share"] == 0.0
    table = report["categories"].set_index("หมวด")
    assert table.loc["งบประมาณ", "สัดส่วนปีนี้"] == 1.0
    assert report["retrain"]  # every finding in one category: the mix has moved
    strange = tokenize(pd.DataFrame({"text": ["ควอนตัมบล็อกเชนเมตาเวิร์สไฮเปอร์ลูป"]}))
    assert drift(classify(strange, model), model)["unseen_token_share"] > 0.5


def test_the_keyword_baseline_has_no_vocabulary():
    assert model_vocabulary(load_model("keywords")) is None


def test_a_year_like_the_training_data_needs_no_retraining():
    model = load_model("default")
    per_category = model.card["training_data"]["per_category"]
    same_mix = pd.DataFrame(
        {
            "model_category": [c for c, n in per_category.items() for _ in range(n)],
            "tokens": "งบประมาณ ไม่ เพียงพอ",
        }
    )
    report = drift(same_mix, model)
    assert report["unseen_token_share"] == 0.0 and report["retrain"] is False
    assert describe(report) == (
        "Drift from the training data: 0.0% of tokens unseen by the model; "
        "category mix as in training"
    )


def test_the_one_line_names_the_categories_that_moved():
    model = load_model("default")
    budget_only = pd.DataFrame({"model_category": ["budget"] * 4, "tokens": "งบประมาณ"})
    line = describe(drift(budget_only, model))
    assert "งบประมาณ +" in line and "อัตรากำลัง -" in line
    assert describe(drift(budget_only, load_model("keywords"))).startswith(
        "Drift from the training data: unknown of tokens unseen by the model;"
    )
