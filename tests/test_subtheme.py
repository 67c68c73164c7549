"""The sub-theme model: labels in the corpus that fit their findings' categories, a model that
stays within a finding's category, training scored on the frozen sets, and a model without one."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.learning import subtheme
from pipeline.learning.models import load_model
from pipeline.shared.schema import col
from pipeline.shared.taxonomy import SUBTHEME_OTHER, subthemes_of


def test_shipped_labels_name_sub_themes_of_the_finding_s_own_category(corpus_dir):
    from pipeline.learning.corpus import load_corpus

    labels = subtheme.read_labels(corpus_dir)
    corpus = load_corpus(corpus_dir)
    frame = subtheme.labelled(corpus, labels)
    assert len(labels) >= 2500
    # every label of a finding the corpus holds fits its category (real texts when built)
    held = labels[labels["finding_id"].isin(corpus["finding_id"])]
    assert len(frame) == len(held) and set(frame["subset"]) >= {"samples", "seed"}
    assert labels["finding_id"].str.startswith("real:").sum() >= 1400
    agreement = subtheme.agreement(corpus_dir)
    assert agreement["findings"] >= 150 and agreement["kappa"] > 0.8


def test_the_default_model_chooses_among_the_category_s_own_sub_themes():
    estimator = subtheme.load(load_model("default"))
    texts = [
        "ตำแหน่งนายช่างโยธาว่าง ๔ อัตรา และผู้ที่มีอยู่ย้ายไปสำนักงานเขตอื่น",
        "ผลการเบิกจ่ายงบประมาณต่ำกว่าแผนเพราะต้องประกวดราคาใหม่สองครั้ง",
        "ผลการเบิกจ่ายงบประมาณต่ำกว่าแผนเพราะต้องประกวดราคาใหม่สองครั้ง",
    ]
    found = subtheme.predict(estimator, texts, ["manpower", "budget", "tools"])
    assert found[0] == "manpower.shortage" and found[1] == "budget.disbursement"
    assert found[2] in {t.id for t in subthemes_of("tools")} | {SUBTHEME_OTHER}


def test_training_on_a_small_labelled_corpus_scores_the_frozen_sets(
    tmp_path, corpus_dir, fy2566_labels
):
    labels = {r["finding_id"]: r for r in subtheme.read_labels(corpus_dir).to_dict("records")}
    chosen = [r for r in fy2566_labels if r["finding_id"] in labels][:400]
    (tmp_path / "fy2566").mkdir()
    (tmp_path / "fy2566" / "labels.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chosen), encoding="utf-8"
    )
    (tmp_path / subtheme.LABELS_FILE).write_text(
        "".join(json.dumps(labels[r["finding_id"]]) + "\n" for r in chosen), encoding="utf-8"
    )
    _, card = subtheme.train(tmp_path)
    scores = card["frozen_evaluation"]["2566"]
    assert card["training_findings"] + scores["findings"] == len(chosen)
    assert scores["model"]["accuracy"] > scores["baseline"]["accuracy"]


@pytest.mark.parametrize("missing", [True, False])
def test_findings_of_a_model_without_sub_themes_have_none(missing):
    from pipeline.learning.models import KEYWORDS

    model = load_model(KEYWORDS if missing else "default")
    frame = pd.DataFrame({col.TEXT: ["งบประมาณไม่เพียงพอ"], col.CATEGORY: ["budget"]})
    out = subtheme.assign(frame, model)
    assert (out[col.SUBTHEME].iloc[0] is None) == missing
