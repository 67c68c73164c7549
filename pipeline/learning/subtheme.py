"""Sub-themes: the point a finding makes within its category (``taxonomy.SUBTHEMES``).

A second model, saved beside the category model (``subtheme.skops``, hash in the card), reads the
finding's text like the category model does (the same self-contained pipeline) and chooses among
its category's sub-themes and ``other``: it is trained on one class per sub-theme and one
``<category>.other`` per category, and at prediction only the classes of the finding's category
compete. Labels are ``corpus/subthemes.jsonl`` (finding ids and sub-theme ids, no text); figures
on the frozen sets go into the card, beside a baseline that always says the category's most
frequent sub-theme.

    findings subthemes train --model default     # fit, score, save into models/default/
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.shared.schema import col
from pipeline.shared.settings import CORPUS_DIR
from pipeline.shared.taxonomy import CATEGORY_IDS, SUBTHEME_OTHER, SUBTHEMES_BY_ID

LABELS_FILE = "subthemes.jsonl"
MODEL_FILE = "subtheme.skops"


def target(category: str, subtheme: str) -> str:
    """The class a label trains: the sub-theme's id, or ``<category>.other``."""
    return f"{category}.{SUBTHEME_OTHER}" if subtheme == SUBTHEME_OTHER else subtheme


def read_labels(corpus_dir: Path | str) -> pd.DataFrame:
    """``finding_id``, ``subtheme``, ``labeller`` of ``corpus/subthemes.jsonl`` (empty if none)."""
    path = Path(corpus_dir) / LABELS_FILE
    if not path.exists():
        return pd.DataFrame(columns=["finding_id", "subtheme", "labeller"])
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return pd.DataFrame(rows)


def labelled(corpus: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """The corpus findings that carry a sub-theme of their own category, with ``target``."""
    frame = corpus.merge(labels[["finding_id", "subtheme"]], on="finding_id")
    fits = [
        s == SUBTHEME_OTHER or SUBTHEMES_BY_ID[s].category == c
        for s, c in zip(frame["subtheme"], frame["label"])
    ]
    frame = frame[fits].reset_index(drop=True)
    frame["target"] = [target(c, s) for c, s in zip(frame["label"], frame["subtheme"])]
    return frame


def fit(frame: pd.DataFrame):
    from pipeline.learning.estimators import build_pipeline

    return build_pipeline().fit(frame["text"].tolist(), frame["target"].to_numpy())


def predict(estimator, texts: list[str], categories: list[str]) -> list[str]:
    """Each text's sub-theme among its category's (``other`` when that wins or none is known)."""
    if not texts:
        return []
    classes = np.asarray(estimator.classes_)
    proba = estimator.predict_proba(texts)
    out = []
    for row, category in zip(proba, categories):
        mine = np.flatnonzero(np.char.startswith(classes.astype(str), f"{category}."))
        if category not in CATEGORY_IDS or not len(mine):
            out.append(SUBTHEME_OTHER)
            continue
        best = str(classes[mine[np.argmax(row[mine])]])
        out.append(SUBTHEME_OTHER if best.endswith(f".{SUBTHEME_OTHER}") else best)
    return out


def evaluate(estimator, frame: pd.DataFrame, majority: dict[str, str]) -> dict:
    """Accuracy and macro-F1 of the sub-theme given the finding's true category, beside the
    baseline that says each category's most frequent sub-theme."""
    from sklearn.metrics import accuracy_score, f1_score

    truth = frame["target"].tolist()
    predicted = [
        target(c, s)
        for c, s in zip(frame["label"], predict(estimator, frame["text"].tolist(), frame["label"]))
    ]
    baseline = [majority.get(c, target(c, SUBTHEME_OTHER)) for c in frame["label"]]

    def scores(guess):
        return {
            "accuracy": round(accuracy_score(truth, guess), 3),
            "macro_f1": round(f1_score(truth, guess, average="macro", zero_division=0), 3),
        }

    return {"findings": len(frame), "model": scores(predicted), "baseline": scores(baseline)}


def agreement(corpus_dir: Path | str) -> dict | None:
    """Cohen's kappa of the sub-themes labelled twice (``subthemes_double.jsonl``), if any."""
    from sklearn.metrics import cohen_kappa_score

    path = Path(corpus_dir) / "subthemes_double.jsonl"
    if not path.exists():
        return None
    second = {
        r["finding_id"]: r["subtheme"]
        for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())
    }
    first = read_labels(corpus_dir).set_index("finding_id")["subtheme"]
    pairs = [(first[i], s) for i, s in second.items() if i in first.index]
    if not pairs:
        return None
    a, b = zip(*pairs)
    return {
        "findings": len(pairs),
        "agreed": sum(x == y for x, y in pairs),
        "kappa": round(cohen_kappa_score(a, b), 3),
    }


def train(corpus_dir: Path | str = CORPUS_DIR) -> tuple[object, dict]:
    """Fit on the labelled findings outside every frozen set; score on each frozen set."""
    from pipeline.learning.corpus import load_corpus
    from pipeline.learning.train import all_frozen_sets

    corpus = load_corpus(corpus_dir)
    frame = labelled(corpus, read_labels(corpus_dir))
    if frame.empty:
        raise ValueError(f"{Path(corpus_dir) / LABELS_FILE}: no sub-theme labels to train on")
    sets = all_frozen_sets(corpus_dir, corpus)
    frozen_ids = {i for ids in sets.values() for i in ids}
    training = frame[~frame["finding_id"].isin(frozen_ids)]
    estimator = fit(training)
    majority = training.groupby("label")["target"].agg(lambda t: t.value_counts().index[0])
    card = {
        "labels": LABELS_FILE,
        "training_findings": len(training),
        "classes": sorted(training["target"].unique()),
        "frozen_evaluation": {},
        "agreement": agreement(corpus_dir),
    }
    for name, ids in sets.items():
        held = frame[frame["finding_id"].isin(ids)]
        if len(held):
            card["frozen_evaluation"][str(name)] = evaluate(estimator, held, majority.to_dict())
    return estimator, card


def save(estimator, card: dict, folder: Path) -> dict:
    """Write ``subtheme.skops`` into a model's folder and its figures and hash into the card."""
    from pipeline.learning.cards import update_card
    from pipeline.learning.models import dump_estimator
    from pipeline.shared.tables import atomic_path

    with atomic_path(folder / MODEL_FILE) as temporary:
        digest, audited = dump_estimator(estimator, temporary)
    return update_card(
        folder,
        subthemes={**card, "model_file": MODEL_FILE, "sha256": digest, "own_types": audited},
    )


def load(model) -> object | None:
    """The sub-theme estimator saved beside a loaded category model, or None if it has none."""
    from pipeline.learning.models import ModelError

    info = model.card.get("subthemes") if model.folder else None
    if not info:
        return None
    path = (model.folder / str(info.get("model_file", MODEL_FILE))).resolve()
    if path.parent != Path(model.folder).resolve():
        raise ModelError(f"{model.folder}: the sub-theme model points outside the model's folder")
    audited = tuple(info["own_types"]) if "own_types" in info else None
    return _load(path, str(info.get("sha256", "")), audited)


@lru_cache(maxsize=4)
def _load(path: Path, digest: str, audited: tuple | None):
    from pipeline.learning.models import load_estimator

    return load_estimator(path, digest, list(audited) if audited is not None else None)


def assign(findings: pd.DataFrame, model) -> pd.DataFrame:
    """Add ``subtheme`` to classified findings (None for all when the model has no sub-themes).

    The reports do this (``report.with_subthemes``), not ``classify``, whose speed it would halve.
    """
    estimator = load(model)
    if estimator is None or findings.empty:
        return findings.assign(**{col.SUBTHEME: None})
    found = predict(estimator, findings[col.TEXT].fillna("").tolist(), list(findings[col.CATEGORY]))
    return findings.assign(**{col.SUBTHEME: found})


def card_markdown(card: dict) -> str:
    """The sub-theme figures of a card, real text first."""
    lines = [
        f"Sub-theme model: trained on {card['training_findings']:,} labelled findings "
        f"({len(card['classes'])} classes: the sub-themes and each category's other).",
        "",
        "| frozen set | findings | model accuracy | model macro-F1 | baseline accuracy "
        "| baseline macro-F1 |",
        "|---|---|---|---|---|---|",
    ]
    for name, scores in card["frozen_evaluation"].items():
        model, baseline = scores["model"], scores["baseline"]
        lines.append(
            f"| {name} | {scores['findings']} | {model['accuracy']:.3f} | {model['macro_f1']:.3f} "
            f"| {baseline['accuracy']:.3f} | {baseline['macro_f1']:.3f} |"
        )
    if agreement := card.get("agreement"):
        lines += [
            "",
            f"Labelled twice, independently: {agreement['findings']} findings, "
            f"{agreement['agreed']} agreed, Cohen's kappa {agreement['kappa']:.3f}.",
        ]
    lines.append("The baseline says each category's most frequent sub-theme.")
    return "\n".join(lines)
