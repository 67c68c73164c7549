"""Training and evaluation: grouped cross-validation, frozen evaluation sets, model cards.

Evaluation never mixes a report's findings between train and test folds: the groups are the source
documents (each sample report, the seed report, each outside body of the extra set).

Each fiscal year has a frozen evaluation set, chosen once and recorded in
``corpus/fyYYYY/frozen_eval.json``: for FY2565 the real seed's 45 heading-labelled findings, for a
year of sample or submitted reports a fifth of its reports. Frozen findings never train a model, so
models of different dates are compared on the same findings, and real text is scored apart.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import platform
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.classify import sharpen
from pipeline.corpus import load_corpus
from pipeline.models import (
    DEFAULT_PARAMS,
    KEYWORDS,
    KeywordClassifier,
    build_pipeline,
    head_of,
    model_input,
)
from pipeline.taxonomy import BY_ID, CATEGORY_IDS
from pipeline.tokenize import DEFAULT_ENGINE, clean_tokens

N_SPLITS = 5
REVIEW_PRECISION = 0.9  # findings the model is surer of than the threshold are right this often
RANDOM_STATE = 0


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


def choose_threshold(y_true, proba: np.ndarray, classes, precision: float = REVIEW_PRECISION):
    """Lowest confidence above which the top answer is right at least ``precision`` of the time."""
    confidence = proba.max(axis=1)
    correct = np.asarray(classes)[proba.argmax(axis=1)] == np.asarray(y_true)
    for threshold in np.round(np.arange(0.05, 1.0, 0.05), 2):
        kept = confidence >= threshold
        if kept.any() and correct[kept].mean() >= precision:
            wrong = ~correct
            return {
                "threshold": float(threshold),
                "precision_above": round(float(correct[kept].mean()), 4),
                "share_above": round(float(kept.mean()), 4),
                # what reviewing only the flagged findings buys: the share of all errors among them
                "errors_flagged": round(float(wrong[~kept].sum() / max(1, wrong.sum())), 4),
            }
    return {"threshold": 1.0, "precision_above": None, "share_above": 0.0, "errors_flagged": 1.0}


def fit_temperature(y_true, proba: np.ndarray, classes) -> float:
    """The temperature that minimises the log-loss of held-out probabilities (grid search)."""
    index = np.array([list(classes).index(label) for label in y_true])
    rows = np.arange(len(index))

    def loss(t: float) -> float:
        return float(-np.log(np.clip(sharpen(proba, t)[rows, index], 1e-12, 1)).mean())

    return float(min(np.round(np.arange(0.2, 2.01, 0.05), 2), key=loss))


def groups_of(corpus: pd.DataFrame) -> np.ndarray:
    """One group per source document; each outside body of the extra set is a document."""
    extra = corpus["subset"] == "extra"
    return np.where(extra, "extra:" + corpus["agency"].astype(str), corpus["source"].astype(str))


def with_tokens(corpus: pd.DataFrame, engine: str = DEFAULT_ENGINE) -> pd.DataFrame:
    return corpus.assign(tokens=[clean_tokens(text, engine=engine) for text in corpus["text"]])


def cross_validate(
    corpus: pd.DataFrame, params: dict | None = None, n_splits: int = N_SPLITS
) -> dict:
    """Grouped k-fold scores of the trained model and the keyword baseline on the same folds."""
    from sklearn.model_selection import GroupKFold

    X, y, groups = corpus["tokens"].to_numpy(), corpus["label"].to_numpy(), groups_of(corpus)
    inputs = np.array(model_input(X, {**DEFAULT_PARAMS, **(params or {})}["head_tokens"]))
    folds = GroupKFold(n_splits=n_splits, shuffle=True, random_state=RANDOM_STATE)
    model_f1, keyword_f1 = [], []
    proba = np.zeros((len(y), len(CATEGORY_IDS)))
    fold_of = np.zeros(len(y), dtype=int)
    keyword_pred = np.empty(len(y), dtype=object)
    for fold, (train, test) in enumerate(folds.split(X, y, groups)):
        fold_of[test] = fold
        model = build_pipeline(params, random_state=RANDOM_STATE).fit(inputs[train], y[train])
        keywords = KeywordClassifier().fit(X[train], y[train])
        fold_proba = model.predict_proba(inputs[test])
        order = [list(model.classes_).index(c) for c in CATEGORY_IDS]
        proba[test] = fold_proba[:, order]
        keyword_pred[test] = keywords.predict(X[test])
        model_f1.append(metrics(y[test], np.array(CATEGORY_IDS)[fold_proba[:, order].argmax(1)]))
        keyword_f1.append(metrics(y[test], keyword_pred[test]))
    predicted = np.array(CATEGORY_IDS)[proba.argmax(axis=1)]
    # calibration, cross-fitted: each fold's probabilities are scaled by a temperature fitted on
    # the other folds' held-out probabilities, so the reliability table is itself held out
    calibrated = np.zeros_like(proba)
    for fold in range(n_splits):
        rest = fold_of != fold
        temperature = fit_temperature(y[rest], proba[rest], CATEGORY_IDS)
        calibrated[~rest] = sharpen(proba[~rest], temperature)
    return {
        "folds": n_splits,
        "model": {
            **metrics(y, predicted),
            "fold_macro_f1": [m["macro_f1"] for m in model_f1],
        },
        KEYWORDS: {
            **metrics(y, keyword_pred),
            "fold_macro_f1": [m["macro_f1"] for m in keyword_f1],
        },
        "temperature": fit_temperature(y, proba, CATEGORY_IDS),
        "reliability_uncalibrated": reliability(y, proba, CATEGORY_IDS),
        "reliability": reliability(y, calibrated, CATEGORY_IDS),
        "review": choose_threshold(y, calibrated, CATEGORY_IDS),
    }


def cross_style(corpus: pd.DataFrame, params: dict | None = None) -> dict | None:
    """Train on the BMA reports and score on the other bodies' findings, then the other way round.

    The two sets were written by different writers in different registers: the closest the shipped
    data comes to "text in a style the model has never seen".
    """
    params = {**DEFAULT_PARAMS, **(params or {})}
    bma = corpus["subset"] != "extra"
    other = corpus["subset"] == "extra"
    if not bma.any() or not other.any():
        return None
    out = {}
    for name, train_on, test_on in (("bma_to_others", bma, other), ("others_to_bma", other, bma)):
        train, test = corpus[train_on], corpus[test_on]
        model = build_pipeline(params, random_state=RANDOM_STATE).fit(
            model_input(train["tokens"], params["head_tokens"]), train["label"]
        )
        keywords = KeywordClassifier().fit(train["tokens"], train["label"])
        out[name] = {
            "train": len(train),
            "test": len(test),
            "model": evaluate_on(model, test, params["head_tokens"])["macro_f1"],
            KEYWORDS: evaluate_on(keywords, test)["macro_f1"],
        }
    return out


FROZEN_FILE = "frozen_eval.json"
FROZEN_SHARE = 0.2


def frozen_sets(corpus_dir: Path | str, corpus: pd.DataFrame) -> dict[int, list[str]]:
    """The frozen evaluation set of every fiscal year in ``corpus``; chosen and saved if new."""
    import json

    from pipeline.tables import atomic_path

    sets = {}
    for year in sorted(int(y) for y in corpus["fiscal_year"].dropna().unique()):
        path = Path(corpus_dir) / f"fy{year}" / FROZEN_FILE
        if path.exists():
            sets[year] = json.loads(path.read_text(encoding="utf-8"))["finding_ids"]
            continue
        rows = corpus[corpus["fiscal_year"] == year]
        seed = rows[(rows["subset"] == "seed") & (rows["label_source"] == "heading")]
        if len(seed):
            chosen, rule = seed, "the real report's heading-labelled findings"
        else:
            sources = sorted(rows["source"].unique())
            rng = np.random.default_rng(year)
            picked = rng.choice(
                sources, size=max(1, round(FROZEN_SHARE * len(sources))), replace=False
            )
            chosen, rule = rows[rows["source"].isin(picked)], f"{FROZEN_SHARE:.0%} of the reports"
        record = {
            "fiscal_year": year,
            "chosen": datetime.date.today().isoformat(),
            "rule": rule,
            "sources": sorted(chosen["source"].unique()),
            "finding_ids": sorted(chosen["finding_id"]),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as temporary:
            temporary.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", "utf-8")
        sets[year] = record["finding_ids"]
    return sets


def evaluate_on(estimator, frame: pd.DataFrame, head: int = 0) -> dict:
    """Metrics of a trained pipeline (or the keyword baseline) on labelled, tokenized findings."""
    from pipeline.classify import predict_proba
    from pipeline.models import LoadedModel

    card = {"params": {"head_tokens": head}}
    proba = predict_proba(LoadedModel("", estimator, card), frame["tokens"])
    return metrics(frame["label"], np.array(CATEGORY_IDS)[proba.argmax(axis=1)])


def _ids_hash(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def frozen_evaluation(
    corpus: pd.DataFrame, sets: dict[int, list[str]], model, keywords, head: int = 0
) -> dict:
    """Scores of a model and the keyword baseline on every frozen set."""
    out = {}
    for year, ids in sets.items():
        frame = corpus[corpus["finding_id"].isin(ids)]
        if frame.empty:
            continue
        out[str(year)] = {
            "findings": len(frame),
            "model": evaluate_on(model, frame, head),
            KEYWORDS: evaluate_on(keywords, frame),
        }
        differ = frame["rule_label"] != frame["label"]
        if differ.any():  # also score against the guidelines where the report's headings differ
            by_rules = frame.assign(label=frame["rule_label"])
            out[str(year)].update(
                relabelled=int(differ.sum()),
                model_by_guidelines=evaluate_on(model, by_rules, head),
                keywords_by_guidelines=evaluate_on(keywords, by_rules),
            )
    return out


def data_summary(corpus: pd.DataFrame) -> dict:
    """What a model was trained on, with a hash that changes when any finding or label does."""
    digest = hashlib.sha256()
    for row in corpus.sort_values("finding_id").itertuples():
        digest.update(f"{row.finding_id}\x1f{row.label}\x1f{row.text}\n".encode())
    years = sorted(int(y) for y in corpus["fiscal_year"].dropna().unique())
    return {
        "fiscal_years": years,
        "subsets": corpus["subset"].value_counts().sort_index().to_dict(),
        "findings": len(corpus),
        "per_category": {c: int((corpus["label"] == c).sum()) for c in CATEGORY_IDS},
        "sha256": digest.hexdigest(),
    }


def library_versions() -> dict:
    from importlib.metadata import version

    names = ("scikit-learn", "skops", "numpy", "scipy", "pythainlp", "nlpo3", "thai-findings")
    return {"python": platform.python_version(), **{n: version(n) for n in names}}


def train(
    corpus_dir: Path | str = "corpus",
    *,
    name: str,
    years: list[int] | None = None,
    extra: bool = True,
    params: dict | None = None,
    engine: str = DEFAULT_ENGINE,
    evaluate: bool = True,
):
    """Fit the model on the corpus selection less the frozen sets; return it with its card."""
    corpus = with_tokens(load_corpus(corpus_dir, years=years, extra=extra), engine)
    sets = frozen_sets(corpus_dir, corpus)
    frozen = corpus["finding_id"].isin([i for ids in sets.values() for i in ids])
    training = corpus[~frozen].reset_index(drop=True)
    params = {**DEFAULT_PARAMS, **(params or {})}
    card = {
        "name": name,
        "created": datetime.date.today().isoformat(),
        "kind": "tfidf-words-chars+logistic-regression",
        "tokenizer": engine,
        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
        "random_state": RANDOM_STATE,
        "training_data": data_summary(training),
        "frozen_sets": {
            str(year): {"findings": len(ids), "sha256": _ids_hash(ids)}
            for year, ids in sets.items()
        },
        "libraries": library_versions(),
        "categories": {c: {"th": BY_ID[c].th, "en": BY_ID[c].en} for c in CATEGORY_IDS},
    }
    head = params["head_tokens"]
    model = build_pipeline(params, random_state=RANDOM_STATE).fit(
        model_input(training["tokens"], head), training["label"]
    )
    if evaluate:
        card["cross_validation"] = cross_validate(training, params)
        card["cross_style"] = cross_style(training, params)
        card["review_threshold"] = card["cross_validation"]["review"]["threshold"]
        card["temperature"] = card["cross_validation"]["temperature"]
        keywords = KeywordClassifier().fit(training["tokens"], training["label"])
        card["frozen_evaluation"] = frozen_evaluation(corpus, sets, model, keywords, head)
    return model, card


def tune(corpus_dir: Path | str = "corpus", grid: list[dict] | None = None) -> pd.DataFrame:
    """Grouped cross-validated macro-F1 of each setting in ``grid``, frozen sets left out."""
    corpus = with_tokens(load_corpus(corpus_dir))
    frozen = [i for ids in frozen_sets(corpus_dir, corpus).values() for i in ids]
    corpus = corpus[~corpus["finding_id"].isin(frozen)].reset_index(drop=True)
    grid = grid or [
        {"C": c, "char_ngrams": chars} for c in (1.0, 3.0, 10.0, 30.0) for chars in ((2, 4), (1, 3))
    ]
    rows = []
    for params in grid:
        result = cross_validate(corpus, params)
        rows.append(
            {**params, "macro_f1": result["model"]["macro_f1"], "ece": result["reliability"]["ece"]}
        )
    return pd.DataFrame(rows)


PROMOTION_TOLERANCE = 0.01  # macro-F1 a new model may lose on a frozen set and still be promoted


def compare_models(names: list[str], corpus_dir: Path | str = "corpus", models_dir=None) -> dict:
    """Every model's metrics on the same frozen sets, recomputed: ``{set: {model: metrics}}``."""
    import json

    from pipeline.models import MODELS_DIR, load_model

    models_dir = Path(models_dir or MODELS_DIR)
    corpus = with_tokens(load_corpus(corpus_dir, extra=False))
    results: dict[str, dict] = {}
    loaded = [load_model(name, models_dir) for name in names]
    for path in sorted(Path(corpus_dir).glob(f"fy*/{FROZEN_FILE}")):
        ids = json.loads(path.read_text(encoding="utf-8"))["finding_ids"]
        frame = corpus[corpus["finding_id"].isin(ids)]
        if frame.empty:
            continue
        year = path.parent.name.removeprefix("fy")
        results[year] = {m.name: evaluate_on(m.estimator, frame, head_of(m.card)) for m in loaded}
        results[year]["_findings"] = len(frame)
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
