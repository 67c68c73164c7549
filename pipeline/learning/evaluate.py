"""Evaluation: metrics, frozen-set comparisons of models, and promotion.

Training (:mod:`pipeline.learning.train`) scores its models with these; ``findings evaluate``,
``findings models compare/promote`` call them as they are.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.learning.models import KeywordClassifier
from pipeline.shared.settings import CORPUS_DIR
from pipeline.shared.taxonomy import CATEGORY_IDS


def metrics(y_true, y_pred) -> dict:
    """Accuracy, macro-F1, per-category precision/recall/F1 and the confusion matrix."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=list(CATEGORY_IDS), zero_division=0
    )
    # macro over the categories that occur (in truth or prediction), as scikit-learn does
    present = [c in set(y_true) | set(y_pred) for c in CATEGORY_IDS]
    return {
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "macro_f1": round(float(np.mean(f1[present])), 4),
        "per_category": {
            c: {
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
                "support": int(s),
            }
            for c, p, r, f, s in zip(CATEGORY_IDS, precision, recall, f1, support)
        },
        "labels": list(CATEGORY_IDS),
        "confusion": confusion_matrix(y_true, y_pred, labels=list(CATEGORY_IDS)).tolist(),
    }


def reliability(y_true, proba: np.ndarray, classes, bins: int = 5) -> dict:
    """Confidence of the top answer against how often it is right, in bins; and the ECE."""
    y_true = np.asarray(y_true)
    confidence = proba.max(axis=1)
    correct = np.asarray(classes)[proba.argmax(axis=1)] == y_true
    edges = np.linspace(0, 1, bins + 1)
    table, ece = [], 0.0
    for low, high in itertools.pairwise(edges):
        inside = (confidence > low) & (confidence <= high)
        if not inside.any():
            continue
        mean_confidence, accuracy = confidence[inside].mean(), correct[inside].mean()
        ece += inside.mean() * abs(mean_confidence - accuracy)
        table.append(
            {
                "bin": f"{low:.1f}-{high:.1f}",
                "findings": int(inside.sum()),
                "mean_confidence": round(float(mean_confidence), 3),
                "accuracy": round(float(accuracy), 3),
            }
        )
    return {"bins": table, "ece": round(float(ece), 4)}


def ordered_proba(estimator, texts) -> np.ndarray:
    """A fitted pipeline's probabilities on raw texts, in taxonomy order."""
    known = estimator.predict_proba(list(texts))
    proba = np.zeros((known.shape[0], len(CATEGORY_IDS)))
    for column, category in enumerate(estimator.classes_):
        proba[:, CATEGORY_IDS.index(category)] = known[:, column]
    return proba


def evaluate_on(estimator, frame: pd.DataFrame) -> dict:
    """Metrics of a trained pipeline (on texts) or the keyword baseline (on tokens), with ECE."""
    if isinstance(estimator, KeywordClassifier):
        proba = estimator.predict_proba(frame["tokens"])
    else:
        proba = ordered_proba(estimator, frame["text"])
    scores = metrics(frame["label"], np.array(CATEGORY_IDS)[proba.argmax(axis=1)])
    scores["reliability"] = reliability(frame["label"], proba, CATEGORY_IDS)
    return scores


PROMOTION_TOLERANCE = 0.01  # macro-F1 a new model may lose on a frozen set and still be promoted


def compare_models(names: list[str], corpus_dir: Path | str = CORPUS_DIR, models_dir=None) -> dict:
    """Every model's metrics on the same frozen sets, recomputed: ``{set: {model: metrics}}``."""
    import json

    from pipeline.learning.corpus import load_corpus
    from pipeline.learning.models import load_model
    from pipeline.learning.train import FROZEN_FILE, REAL_FROZEN, with_tokens
    from pipeline.shared.settings import models_dir as shipped

    models_dir = Path(models_dir) if models_dir is not None else shipped()
    corpus = with_tokens(load_corpus(corpus_dir, extra=False))
    results: dict[str, dict] = {}
    loaded = [load_model(name, models_dir) for name in names]
    paths = [Path(corpus_dir) / REAL_FROZEN, *sorted(Path(corpus_dir).glob(f"fy*/{FROZEN_FILE}"))]
    for path in paths:
        if not path.exists():
            continue
        ids = json.loads(path.read_text(encoding="utf-8"))["finding_ids"]
        frame = corpus[corpus["finding_id"].isin(ids)]
        if frame.empty:
            continue
        key = "real" if path.parent.name == "real" else path.parent.name.removeprefix("fy")
        results[key] = {m.name: evaluate_on(m.estimator, frame) for m in loaded}
        results[key]["_findings"] = len(frame)
    return results


def promotion_check(
    candidate: str, current: str, comparison: dict, tolerance: float = PROMOTION_TOLERANCE
) -> tuple[bool, list[str]]:
    """Whether ``candidate`` is not worse than ``current`` on every frozen set, and why not."""
    reasons = []
    for year, scores in comparison.items():
        new, old = scores[candidate]["macro_f1"], scores[current]["macro_f1"]
        if new < old - tolerance:
            reasons.append(f"FY{year}: macro-F1 {new:.3f} against {old:.3f} for {current}")
    return not reasons, reasons


def evaluate_labelled(path: Path, model, engine: str = "nlpo3") -> dict:
    """Metrics of a loaded model on a .jsonl of findings with ``text`` and ``label``.

    A file without those columns, or with a label outside the taxonomy, is an ``InputError``
    naming it.
    """
    from pipeline.shared.tables import read_jsonl
    from pipeline.stages.classify import predict_proba
    from pipeline.stages.read import InputError
    from pipeline.stages.words import clean_tokens

    frame = read_jsonl(path)
    missing = [c for c in ("text", "label") if c not in frame.columns]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}")
    unknown = sorted(set(frame["label"]) - set(CATEGORY_IDS))
    if unknown:
        raise InputError(
            path,
            f"unknown label(s) {', '.join(map(str, unknown))}; "
            f"expected one of {', '.join(CATEGORY_IDS)}",
        )
    tokens = [clean_tokens(t, engine=engine) for t in frame["text"]]
    predicted = np.array(CATEGORY_IDS)[predict_proba(model, tokens).argmax(axis=1)]
    return {
        "model": model.name,
        "data": str(path),
        "findings": len(frame),
        **metrics(frame["label"], predicted),
    }


def promote(
    name: str,
    corpus_dir: Path | str = CORPUS_DIR,
    models_dir: Path | None = None,
    *,
    tolerance: float = PROMOTION_TOLERANCE,
    force: bool = False,
) -> dict:
    """Make ``name`` the default if it is not worse than the current default on every frozen set.

    Returns the promotion record (also written into the new default's card), with ``promoted``
    and, when it is worse, the ``reasons``. A worse model is promoted only with ``force``.
    """
    import datetime

    from pipeline.learning.cards import default_name, set_default, update_card
    from pipeline.shared.settings import models_dir as shipped

    models_dir = Path(models_dir) if models_dir is not None else shipped()
    current = default_name(models_dir)
    if current == name:
        return {"promoted": False, "replaced": current, "reasons": [], "frozen_macro_f1": {}}
    comparison = compare_models([name, current], corpus_dir, models_dir)
    for scores in comparison.values():
        scores.pop("_findings")
    ok, reasons = promotion_check(name, current, comparison, tolerance)
    record = {
        "date": datetime.date.today().isoformat(),
        "replaced": current,
        "forced": bool(force and not ok),
        "tolerance": tolerance,
        "frozen_macro_f1": {
            year: {m: s["macro_f1"] for m, s in scores.items()}
            for year, scores in comparison.items()
        },
    }
    if not ok:
        record["reasons"] = reasons
    if ok or force:
        update_card(models_dir / name, promotion=record)
        set_default(name, models_dir)
    return {**record, "promoted": ok or force, "reasons": reasons}
