"""Keyword baseline, model files and the refusal to load what this project never saves."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from pipeline.learning.cards import set_default
from pipeline.learning.estimators import build_pipeline
from pipeline.learning.models import (
    ALLOWED_TYPES,
    KEYWORDS,
    OWN_TYPES,
    KeywordClassifier,
    ModelError,
    load_estimator,
    load_model,
    save_model,
    sha256,
)
from pipeline.stages.words import tokens


@pytest.fixture(scope="module")
def small_model(small_training_set):
    texts = [tokens(t) for t, _ in small_training_set]
    labels = [label for _, label in small_training_set]
    return build_pipeline({"C": 10.0}).fit(texts, labels), texts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("งบประมาณที่ได้รับไม่เพียงพอต่อการดำเนินโครงการ", "budget"),
        ("เครื่องคอมพิวเตอร์รุ่นเก่าและสัญญาณอินเทอร์เน็ตไม่เสถียร", "tools"),
        ("สถานการณ์การแพร่ระบาดของโรคโควิด 19 ทำให้ต้องเลื่อนกิจกรรม", "disaster"),
        ("ระเบียบการจัดซื้อจัดจ้างล้าสมัยและไม่เอื้ออำนวย", "regulation"),
        ("ควรประสานความร่วมมือกับการไฟฟ้านครหลวงและชุมชน", "coordination"),
        ("บุคลากรลาออกและโอนย้าย ตำแหน่งว่างไม่มีผู้มาทดแทน", "manpower"),
    ],
)
def test_keyword_baseline_on_plain_findings(text, expected):
    assert KeywordClassifier().predict([tokens(text)])[0] == expected


def test_keyword_baseline_without_a_cue_falls_back_to_the_prior():
    model = KeywordClassifier().fit(["x"] * 3, ["tools", "tools", "budget"])
    proba = model.predict_proba(["ข้อความที่ไม่มีคำสำคัญ"])[0]
    assert proba.argmax() == list(model.classes_).index("tools")
    assert np.isclose(proba.sum(), 1.0)


def test_save_and_load_give_the_same_predictions(tmp_path, small_model):
    model, texts = small_model
    save_model(model, {"name": "small", "review_threshold": 0.4}, tmp_path / "small")
    card = json.loads((tmp_path / "small" / "card.json").read_text(encoding="utf-8"))
    assert len(card["model_sha256"]) == 64
    loaded = load_model("small", models_dir=tmp_path)
    assert loaded.name == "small" and loaded.threshold == 0.4
    assert np.allclose(loaded.estimator.predict_proba(texts), model.predict_proba(texts))


def test_a_changed_model_file_is_refused(tmp_path, small_model):
    save_model(small_model[0], {"name": "small"}, tmp_path / "small")
    with (tmp_path / "small" / "model.skops").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelError, match="SHA-256 differs"):
        load_model("small", models_dir=tmp_path)


class Sneaky:
    """Any class this project did not save: skops would have to import and build it."""

    def __init__(self):
        self.payload = "os.system"


def test_a_model_file_with_an_unexpected_type_is_refused(tmp_path):
    import skops.io
    from sklearn.pipeline import Pipeline

    path = tmp_path / "model.skops"
    pipeline = Pipeline(
        [
            ("step", build_pipeline()),
        ]
    )
    pipeline.sneaky_ = Sneaky()
    skops.io.dump(pipeline, path)
    with pytest.raises(ModelError, match=r"object types this project never saves .*Sneaky"):
        load_estimator(path, expected_sha256=sha256(path))
    # a card that lists only the project's own types does not let another type in either
    own = sorted(OWN_TYPES)
    with pytest.raises(ModelError, match="not loadable with the types its card lists"):
        load_estimator(path, expected_sha256=sha256(path), audited=own)
    # and a card listing a foreign type is refused before skops reads the file
    with pytest.raises(ModelError, match=r"never saves .*Sneaky"):
        load_estimator(path, expected_sha256=sha256(path), audited=[*own, f"{__name__}.Sneaky"])


def _forged(tmp_path, small_model, swapped=None, **card_changes):
    """A saved model whose card was rewritten to match its file, which is ``swapped`` if given."""
    import skops.io

    folder = save_model(small_model[0], {"name": "forged"}, tmp_path / "forged")
    if swapped is not None:
        skops.io.dump(swapped, folder / "model.skops")
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    card.update(card_changes, model_sha256=sha256(folder / "model.skops"))
    (folder / "card.json").write_text(json.dumps(card), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "listed",
    [
        "builtins.eval",
        "os.system",
        "sklearn.ensemble.RandomForestClassifier",  # safe for skops, but never in our models
        "numpy.lib.npyio.NpzFile",
    ],
)
def test_a_card_listing_a_type_outside_the_allow_list_is_refused(
    tmp_path, small_model, listed, monkeypatch
):
    import skops.io

    folder = _forged(tmp_path, small_model, own_types=[*sorted(OWN_TYPES), listed])
    # refused from the card alone: skops never opens the file
    monkeypatch.setattr(skops.io, "load", None)
    with pytest.raises(ModelError, match=rf"never saves \({listed}\)") as error:
        load_model(str(folder))
    assert str(folder / "model.skops") in str(error.value) and "\n" not in str(error.value)


def test_a_swapped_file_with_a_matching_hash_is_still_refused(tmp_path, small_model):
    """Whoever can edit the card can fix its hash: skops's own check stops the other types."""
    folder = _forged(tmp_path, small_model, swapped={"model": Sneaky()})
    with pytest.raises(ModelError, match="not loadable with the types its card lists") as error:
        load_model(str(folder))
    assert str(folder / "model.skops") in str(error.value) and "\n" not in str(error.value)


def test_a_load_whose_card_holds_the_audit_does_not_audit_again(tmp_path, small_model, monkeypatch):
    import skops.io

    save_model(small_model[0], {"name": "small"}, tmp_path / "small")
    monkeypatch.setattr(skops.io, "get_untrusted_types", None)  # calling it would fail
    assert load_model("small", models_dir=tmp_path).name == "small"


def _types_in(path) -> set[str]:
    """Every type a skops file names, read from its schema."""
    with zipfile.ZipFile(path) as saved:
        schema = json.loads(saved.read("schema.json"))
    found, todo = set(), [schema]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if "__module__" in node and "__class__" in node:
                found.add(f"{node['__module__']}.{node['__class__']}")
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return found


def test_every_type_of_a_saved_model_is_on_the_allow_list(tmp_path, small_model):
    """A new kind of step in ``build_pipeline`` must be added to ``ALLOWED_TYPES`` too."""
    save_model(small_model[0], {"name": "small"}, tmp_path / "small")
    assert _types_in(tmp_path / "small" / "model.skops") <= ALLOWED_TYPES


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    path = tmp_path / "model.skops"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(ModelError, match="not a readable skops model file"):
        load_estimator(path, expected_sha256=sha256(path))


def test_default_and_unknown_models(tmp_path, small_model):
    with pytest.raises(ModelError, match=f"no default model: {tmp_path / 'DEFAULT'} not found"):
        load_model(models_dir=tmp_path)  # never a silent switch to the keyword baseline
    assert load_model(KEYWORDS, models_dir=tmp_path).name == KEYWORDS  # when asked for
    save_model(small_model[0], {"name": "small"}, tmp_path / "small")
    set_default("small", tmp_path)
    assert load_model(models_dir=tmp_path).name == "small"
    with pytest.raises(ModelError, match="unknown model 'big'; expected one of keywords, small"):
        load_model("big", models_dir=tmp_path)


def test_a_model_saved_when_its_steps_were_named_in_this_module_still_loads(
    tmp_path, small_model, monkeypatch
):
    """Files saved before ``estimators`` existed name ``pipeline.learning.models.FindingText``."""
    from pipeline.learning import estimators

    for step in (estimators.FindingText, estimators.CalibratedLogistic):
        monkeypatch.setattr(step, "__module__", "pipeline.learning.models")
    save_model(small_model[0], {"name": "old"}, tmp_path / "old")
    monkeypatch.undo()
    assert "pipeline.learning.models.FindingText" in _types_in(tmp_path / "old" / "model.skops")
    model, texts = small_model
    loaded = load_model("old", models_dir=tmp_path)
    assert isinstance(loaded.estimator.steps[0][1], estimators.FindingText)
    assert np.array_equal(loaded.estimator.predict_proba(texts), model.predict_proba(texts))
