"""Sub-themes: data in the taxonomy, a model that stays within a finding's category, labels in the
corpus, and statements in the B3 summary that say a sub-theme's general sentence only of the
agencies whose findings were given that sub-theme."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from pipeline.learning import subtheme
from pipeline.learning.models import load_model
from pipeline.shared.schema import col
from pipeline.shared.taxonomy import CATEGORY_IDS, SUBTHEME_OTHER, SUBTHEMES_BY_ID, subthemes_of


def test_every_category_has_sub_themes_with_thai_statements():
    for category in CATEGORY_IDS:
        themes = subthemes_of(category)
        assert len(themes) >= 2
        for theme in themes:
            assert theme.id.startswith(f"{category}.")
            assert re.search("[ก-๙]", theme.obstacle) and theme.recommendation.startswith("ควร")


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


def test_a_sub_theme_s_sentence_is_said_only_of_its_own_findings():
    from pipeline.stages.report import lines
    from pipeline.stages.summary import build_summary
    from pipeline.stages.words import tokenize

    rows = [
        ("สำนักงานเขตบางรัก", "manpower", "manpower.shortage", "นิติกรย้ายออกสองคนยังไม่มีผู้มาแทน"),
        ("สำนักงานเขตสาทร", "manpower", "manpower.shortage", "ตำแหน่งนายช่างว่างสามอัตรา"),
        ("สำนักงานเขตดุสิต", "manpower", "manpower.development", "ยังไม่มีการอบรมการใช้ระบบใหม่"),
        ("สำนักงานเขตพญาไท", "manpower", SUBTHEME_OTHER, "ลูกจ้างขอเปลี่ยนเวรบ่อย"),
    ]
    frame = pd.DataFrame(rows, columns=[col.AGENCY, col.CATEGORY, col.SUBTHEME, col.TEXT])
    frame[col.KIND], frame[col.FINDING_ID] = "obstacle", [f"f{i}" for i in range(len(frame))]
    frame[col.RECIPIENT_TYPE], frame[col.RECIPIENT_AGENCY] = None, None
    frame[col.COMMITTEE] = pd.array([1] * len(frame), dtype="Int64")
    text = [t for style, t in lines(build_summary(tokenize(frame)), "FY") if style == "item"]
    shortage = SUBTHEMES_BY_ID["manpower.shortage"].obstacle
    said = [t for t in text if shortage in t]
    assert len(said) == 1 and "เขตบางรัก และ เขตสาทร" in said[0] and "เขตดุสิต" not in said[0]
    assert any(t.endswith("ลูกจ้างขอเปลี่ยนเวรบ่อย (เขตพญาไท)") for t in text)  # other: on its own


@pytest.mark.parametrize("missing", [True, False])
def test_findings_of_a_model_without_sub_themes_have_none(missing):
    from pipeline.learning.models import KEYWORDS

    model = load_model(KEYWORDS if missing else "default")
    frame = pd.DataFrame({col.TEXT: ["งบประมาณไม่เพียงพอ"], col.CATEGORY: ["budget"]})
    out = subtheme.assign(frame, model)
    assert (out[col.SUBTHEME].iloc[0] is None) == missing
