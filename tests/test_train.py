"""Training on a small labelled set: the card, reproducibility, folds that never split a document,
the review threshold and temperature, frozen sets chosen once."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pipeline.learning.train import (
    choose_threshold,
    fit_temperature,
    groups_of,
    train,
    with_tokens,
)
from pipeline.shared.taxonomy import CATEGORY_IDS


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory, fy2566_labels):
    """20 findings a category from the shipped FY2566 labels, as a corpus of its own."""
    chosen = []
    for category in CATEGORY_IDS:
        chosen += [r for r in fy2566_labels if r["label"] == category][:20]
    root = tmp_path_factory.mktemp("corpus")
    (root / "fy2566").mkdir()
    with (root / "fy2566" / "labels.jsonl").open("w", encoding="utf-8") as out:
        for row in chosen:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return root


@pytest.fixture(scope="module")
def trained(small_corpus):
    """``(model, card)`` of the small corpus, trained once for the module."""
    return train(small_corpus, name="small", extra=False)


@pytest.mark.slow
def test_training_a_small_set_gives_a_model_and_a_card(small_corpus, trained):
    model, card = trained
    frozen = card["frozen_sets"]["2566"]["findings"]
    assert card["training_data"]["findings"] == 160 - frozen
    cv = card["cross_validation"]
    assert cv["folds"] == 5 and cv["real"] is None  # no real findings in this corpus
    assert cv["written"]["findings"] == card["training_data"]["findings"]
    assert cv["written"]["model"]["macro_f1"] > 0.5  # eight categories: chance is 0.125
    assert 0 < card["review_threshold"] <= 1
    # a fifth of the year's reports were frozen once, kept out of training, and scored
    frozen = json.loads((small_corpus / "fy2566" / "frozen_eval.json").read_text(encoding="utf-8"))
    assert card["frozen_sets"]["2566"]["findings"] == len(frozen["finding_ids"]) > 0
    assert card["frozen_evaluation"]["2566"]["findings"] == len(frozen["finding_ids"])
    assert card["libraries"]["scikit-learn"] and card["tokenizer"] == "nlpo3"
    assert set(model.classes_) == set(CATEGORY_IDS)


@pytest.mark.slow
def test_same_data_and_seed_give_the_same_model_and_metrics(small_corpus, trained):
    first_model, first = trained
    second_model, second = train(small_corpus, name="small", extra=False)
    first, second = dict(first), dict(second)
    first.pop("created"), second.pop("created")  # a run across midnight must not fail
    assert first == second
    texts = ["งบประมาณ ไม่ เพียงพอ", "ระบบ ล่ม บ่อย"]
    assert np.array_equal(first_model.predict_proba(texts), second_model.predict_proba(texts))


def test_cross_validation_folds_never_split_a_document(small_corpus, corpus_dir, monkeypatch):
    """The folds cross_validate builds: each finding scored once, by a model trained without
    any finding of its document (a sample report; an outside body of the extra set)."""
    import shutil

    from pipeline.learning import train as training
    from pipeline.learning.corpus import load_corpus

    root = small_corpus.parent / "with_extra"
    if not root.exists():
        shutil.copytree(small_corpus, root)
        shutil.copytree(corpus_dir / "extra", root / "extra")
    corpus = with_tokens(load_corpus(root, real=False))
    folds = []

    def fit_model(part, params=None):  # what each fold trains on, instead of training
        folds.append({"train": set(part.index)})
        return None

    def ordered_proba(model, texts):  # what each fold's model is scored on
        folds[-1]["test"] = set(texts.index)
        return np.full((len(texts), len(CATEGORY_IDS)), 1 / len(CATEGORY_IDS))

    monkeypatch.setattr(training, "fit_model", fit_model)
    monkeypatch.setattr(training, "ordered_proba", ordered_proba)
    training.cross_validate(corpus)

    groups = groups_of(corpus)
    assert len(folds) == training.N_SPLITS
    assert sorted(i for fold in folds for i in fold["test"]) == list(range(len(corpus)))
    for fold in folds:
        assert fold["train"] | fold["test"] == set(range(len(corpus)))
        crossing = {groups[i] for i in fold["train"]} & {groups[i] for i in fold["test"]}
        assert crossing == set()
    # the groups are the documents: a report each, an outside body each (not the extra file)
    extra = corpus["subset"] == "extra"
    bodies, files = corpus.loc[extra, "agency"].nunique(), corpus.loc[extra, "source"].nunique()
    assert len(set(groups[extra])) == bodies > files
    assert len(set(groups[~extra])) == corpus.loc[~extra, "source"].nunique() > training.N_SPLITS


def test_threshold_and_temperature_of_underconfident_answers():
    rng = np.random.default_rng(0)
    labels = rng.choice(CATEGORY_IDS, size=400)
    proba = np.full((400, 8), 0.06)
    for row, label in enumerate(labels):
        proba[row, CATEGORY_IDS.index(label)] = 0.58  # always right, but only 58 % sure
    assert fit_temperature(labels, proba, CATEGORY_IDS) < 1.0  # sharpen
    assert choose_threshold(labels, proba, CATEGORY_IDS)["precision_above"] == 1.0


@pytest.mark.slow
def test_training_on_a_small_real_subset_freezes_whole_pages(
    small_corpus, tmp_path, corpus_dir, real_sources
):
    """Real findings from their standoff labels train beside written ones; pages never split."""
    import shutil

    from pipeline.learning.corpus import REAL_LABELS, REAL_TEXTS
    from pipeline.learning.standoff import build_texts

    root = tmp_path / "corpus"
    shutil.copytree(small_corpus, root)
    labels = [
        json.loads(line)
        for line in (corpus_dir / REAL_LABELS).read_text(encoding="utf-8").splitlines()
    ]
    (root / "real").mkdir()
    (root / REAL_LABELS).write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in labels[:400]), "utf-8"
    )
    build_texts(root / REAL_LABELS, root / REAL_TEXTS, real_sources)
    model, card = train(root, name="real-small", extra=False)
    frozen = json.loads((root / "real" / "frozen_eval.json").read_text(encoding="utf-8"))
    real_findings = [r for r in labels[:400] if r["kind"] != "none"]
    assert 0 < len(frozen["finding_ids"]) <= len(real_findings) // 3
    assert card["training_data"]["subsets"]["real"] == len(real_findings) - len(
        frozen["finding_ids"]
    )
    assert card["frozen_evaluation"]["real"]["findings"] == len(frozen["finding_ids"])
    assert card["cross_validation"]["real"]["findings"] > 0
    assert "written_only" in card["frozen_evaluation"]["real"]
    # the saved model reads raw text: the frozen pages' own spans are classified as they are
    assert set(model.classes_) <= set(CATEGORY_IDS)


def test_frozen_real_pages_take_in_findings_labelled_later(tmp_path):
    """The frozen real set is chosen by page: a finding labelled later on a frozen page is in it."""
    from pipeline.learning.train import REAL_FROZEN, real_frozen_set

    def corpus(pages):
        rows = [
            {"finding_id": f"{page}-{n}", "source": page, "subset": "real", "label": label}
            for page, count in pages.items()
            for n, label in zip(range(count), CATEGORY_IDS * 3, strict=False)
        ]
        return pd.DataFrame(rows)

    first = corpus({f"thaigov:{n}": 2 for n in range(30)})
    chosen = real_frozen_set(tmp_path, first)
    record = json.loads((tmp_path / REAL_FROZEN).read_text(encoding="utf-8"))
    assert chosen and set(chosen) == set(record["finding_ids"])
    frozen_page = record["pages"][0]
    later = corpus({**{f"thaigov:{n}": 2 for n in range(30)}, frozen_page: 4})
    again = real_frozen_set(tmp_path, later)
    assert f"{frozen_page}-3" in again and set(chosen) < set(again)
    assert {i.rsplit("-", 1)[0] for i in again} == set(record["pages"])
