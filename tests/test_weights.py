"""A model's weights file: the estimator's probabilities to the bit, without scikit-learn."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from pipeline.learning.estimators import build_pipeline
from pipeline.learning.models import ModelError, load_model, save_model, sha256
from pipeline.learning.weights import WEIGHTS_FILE, ModelWeights
from pipeline.stages.words import clean_tokens, tokens


@pytest.fixture(scope="module")
def corpus_texts(corpus_dir) -> list[str]:
    from pipeline.learning.corpus import load_corpus

    texts = load_corpus(corpus_dir, real=False).sample(600, random_state=1)["text"].tolist()
    return [*texts, "", "ก", "ฮฮงบประมาณฮฮ", "ระบบ GPS ๕ เครื่อง ชำรุด!!"]


def test_the_default_models_weights_give_its_estimators_probabilities(corpus_texts):
    model = load_model()
    weights = model.weights
    matrix = weights.features([clean_tokens(text) for text in corpus_texts])
    expected = model.estimator.predict_proba(corpus_texts)
    assert np.array_equal(weights.proba(matrix), expected)  # to the last bit
    assert list(weights.predict(corpus_texts)) == list(model.estimator.predict(corpus_texts))


def test_loading_the_weights_alone_gives_the_same_probabilities(corpus_texts):
    whole, alone = load_model(), load_model(estimator=False)
    assert alone.estimator is None and alone.name == whole.name
    matrix = whole.weights.features([clean_tokens(text) for text in corpus_texts])
    assert np.array_equal(alone.weights.proba(matrix), whole.weights.proba(matrix))
    assert list(alone.weights.part_names[0][:50]) == list(whole.weights.part_names[0][:50])


def test_classifying_imports_neither_scikit_learn_nor_skops(repository):
    script = (
        "import sys, pandas as pd\n"
        "from pipeline.learning.models import load_model\n"
        "from pipeline.stages.classify import classify\n"
        "from pipeline.stages.words import tokenize\n"
        "model = load_model(estimator=False)\n"
        "out = classify(tokenize(pd.DataFrame({'text': ['งบประมาณไม่เพียงพอ']})), model)\n"
        "print(out['category'].iloc[0], sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sklearn', 'skops')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=repository, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["budget", "[]"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory, small_training_set):
    texts = [tokens(t) for t, _ in small_training_set]
    estimator = build_pipeline().fit(texts, [label for _, label in small_training_set])
    folder = save_model(estimator, {"name": "small"}, tmp_path_factory.mktemp("m") / "small")
    return estimator, folder, texts


def test_saved_weights_load_as_they_were(saved):
    estimator, folder, texts = saved
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    assert card["weights_sha256"] == sha256(folder / WEIGHTS_FILE)
    loaded = load_model(str(folder), estimator=False)
    matrix = loaded.weights.features(texts)
    assert np.array_equal(loaded.weights.proba(matrix), estimator.predict_proba(texts))
    assert list(loaded.weights.classes) == list(estimator.classes_)


def test_two_categories_are_scored_as_the_estimator_scores_them(small_training_set, tmp_path):
    pairs = [(t, label) for t, label in small_training_set if label != "manpower"]
    texts = [tokens(t) for t, _ in pairs]
    estimator = build_pipeline().fit(texts, [label for _, label in pairs])
    weights = ModelWeights.of(estimator)
    weights.save(tmp_path / WEIGHTS_FILE)
    again = ModelWeights.load(tmp_path / WEIGHTS_FILE)
    unseen = [*texts, tokens("ซ่อมระบบคอมพิวเตอร์ไม่ทันเพราะงบไม่พอ")]
    assert np.array_equal(again.proba(again.features(unseen)), estimator.predict_proba(unseen))


def test_a_changed_weights_file_is_refused(saved, tmp_path):
    import shutil

    folder = shutil.copytree(saved[1], tmp_path / "small")
    with (folder / WEIGHTS_FILE).open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelError, match="SHA-256 differs") as error:
        load_model(str(folder), estimator=False)
    assert str(folder / WEIGHTS_FILE) in str(error.value)


def _rewritten(folder, **arrays):
    """The folder's weights file with ``arrays`` changed, and the card's hash fixed to match."""
    path = folder / WEIGHTS_FILE
    with np.load(path, allow_pickle=False) as stored:
        values = {name: stored[name] for name in stored.files}
    values.update(arrays)
    with open(path, "wb") as out:
        np.savez(out, **values)
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    card["weights_sha256"] = sha256(path)
    (folder / "card.json").write_text(json.dumps(card), encoding="utf-8")


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"coef": np.zeros((3, 2))}, "weights of shape"),
        ({"intercept": np.zeros(9)}, "intercepts"),
        ({"classes": np.array(["budget"], dtype=object)}, "not a readable weights file"),
        ({"vocabulary": np.array([1.5, 2.5])}, "its words"),
    ],
)
def test_weights_that_do_not_fit_together_or_hold_objects_are_refused(
    saved, tmp_path, arrays, message
):
    import shutil

    folder = shutil.copytree(saved[1], tmp_path / "small")
    _rewritten(folder, **arrays)
    with pytest.raises(ModelError, match=message) as error:
        load_model(str(folder), estimator=False)
    assert "\n" not in str(error.value)


def test_a_card_from_before_weights_files_still_loads_for_classifying(saved, tmp_path):
    import shutil

    folder = shutil.copytree(saved[1], tmp_path / "small")
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    del card["weights_file"], card["weights_sha256"]
    (folder / "card.json").write_text(json.dumps(card), encoding="utf-8")
    (folder / WEIGHTS_FILE).unlink()
    loaded = load_model(str(folder), estimator=False)
    assert loaded.estimator is not None and loaded.weights is not None
