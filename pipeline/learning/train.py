"""Training: grouped cross-validation, calibration, frozen evaluation sets, the model card.

Evaluation never mixes a document's findings between train and test folds: the groups are the
source documents (each real page, each sample report, the seed report, each outside body of the
extra set). Real text leads: cross-validated answers are scored on the real findings apart from the
written ones, and calibration and the review threshold are fitted on the real ones.

Frozen evaluation sets are chosen once and never trained on: ``corpus/real/frozen_eval.json``
(whole real pages) and one per fiscal year in ``corpus/fyYYYY/frozen_eval.json`` (for FY2565 the
real seed's 45 heading-labelled findings; for a year of sample or submitted reports a fifth of its
reports), so models of different dates are compared on the same findings.
"""

from __future__ import annotations

import datetime
import hashlib
import platform
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.learning.corpus import load_corpus
from pipeline.learning.estimators import DEFAULT_PARAMS, build_pipeline
from pipeline.learning.evaluate import evaluate_on, metrics, ordered_proba, reliability
from pipeline.learning.models import KEYWORDS, KeywordClassifier
from pipeline.learning.weights import sharpen
from pipeline.shared.settings import CORPUS_DIR
from pipeline.shared.taxonomy import BY_ID, CATEGORY_IDS
from pipeline.stages.words import DEFAULT_ENGINE, clean_tokens

N_SPLITS = 5
REVIEW_PRECISION = 0.9  # findings the model is surer of than the threshold are right this often
RANDOM_STATE = 0


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
    """One group per source document: a report, a real page, each outside body of the extra set."""
    extra = corpus["subset"] == "extra"
    return np.where(extra, "extra:" + corpus["agency"].astype(str), corpus["source"].astype(str))


def with_tokens(corpus: pd.DataFrame, engine: str = DEFAULT_ENGINE) -> pd.DataFrame:
    return corpus.assign(tokens=[clean_tokens(text, engine=engine) for text in corpus["text"]])


def is_real(corpus: pd.DataFrame) -> np.ndarray:
    """Findings written by others (real pages and the real seed), as opposed to written for us."""
    return corpus["subset"].isin(["real", "seed"]).to_numpy()


def sample_weights(corpus: pd.DataFrame, params: dict) -> np.ndarray:
    """Real findings weigh 1; findings written for the project weigh ``written_weight``."""
    return np.where(is_real(corpus), 1.0, float(params["written_weight"]))


def fit_model(corpus: pd.DataFrame, params: dict | None = None):
    """The model fitted on ``corpus`` (texts, labels), written findings weighted down."""
    params = {**DEFAULT_PARAMS, **(params or {})}
    return build_pipeline(params, random_state=RANDOM_STATE).fit(
        corpus["text"].tolist(),
        corpus["label"].to_numpy(),
        classifier__sample_weight=sample_weights(corpus, params),
    )


def cross_validate(
    corpus: pd.DataFrame, params: dict | None = None, n_splits: int = N_SPLITS
) -> dict:
    """Grouped k-fold scores of the model and the keyword baseline, real text apart.

    The folds split documents (a real page, a report, an outside body); each fold's model is
    trained on the rest, real and written together. Out-of-fold answers are scored on the real
    findings (the figure that leads) and on the written ones (marked as such); the calibration
    temperature and the review threshold are fitted on the real findings' answers.
    """
    from sklearn.model_selection import GroupKFold

    params = {**DEFAULT_PARAMS, **(params or {})}
    y, groups = corpus["label"].to_numpy(), groups_of(corpus)
    folds = GroupKFold(n_splits=n_splits, shuffle=True, random_state=RANDOM_STATE)
    proba = np.zeros((len(y), len(CATEGORY_IDS)))
    fold_of = np.zeros(len(y), dtype=int)
    keyword_pred = np.empty(len(y), dtype=object)
    tokens = corpus["tokens"].to_numpy()
    for fold, (train, test) in enumerate(folds.split(corpus, y, groups)):
        fold_of[test] = fold
        model = fit_model(corpus.iloc[train], params)
        proba[test] = ordered_proba(model, corpus["text"].iloc[test])
        keyword_pred[test] = KeywordClassifier().fit(tokens[train], y[train]).predict(tokens[test])
    predicted = np.array(CATEGORY_IDS)[proba.argmax(axis=1)]
    real = is_real(corpus)
    # calibration on real text, cross-fitted: each fold's real answers are scaled by a temperature
    # fitted on the other folds' real answers, so the reliability table is itself held out
    # (on every finding when the real ones come from too few documents to spread over the folds)
    basis = real if len(set(groups[real])) >= n_splits else np.ones(len(y), dtype=bool)
    calibrated = np.zeros_like(proba)
    for fold in range(n_splits):
        rest = (fold_of != fold) & basis
        temperature = fit_temperature(y[rest], proba[rest], CATEGORY_IDS)
        calibrated[fold_of == fold] = sharpen(proba[fold_of == fold], temperature)

    def scores(mask) -> dict | None:
        if not mask.any():
            return None
        return {
            "findings": int(mask.sum()),
            "model": metrics(y[mask], predicted[mask]),
            KEYWORDS: metrics(y[mask], keyword_pred[mask]),
            "reliability": reliability(y[mask], calibrated[mask], CATEGORY_IDS),
            "reliability_uncalibrated": reliability(y[mask], proba[mask], CATEGORY_IDS),
        }

    return {
        "folds": n_splits,
        "real": scores(real),
        "written": scores(~real),
        "temperature": fit_temperature(y[basis], proba[basis], CATEGORY_IDS),
        "review": choose_threshold(y[basis], calibrated[basis], CATEGORY_IDS),
    }


FROZEN_FILE = "frozen_eval.json"
FROZEN_SHARE = 0.2


def frozen_sets(corpus_dir: Path | str, corpus: pd.DataFrame) -> dict[int, list[str]]:
    """The frozen evaluation set of every fiscal year in ``corpus``; chosen and saved if new."""
    import json

    from pipeline.shared.tables import atomic_path

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


REAL_FROZEN = Path("real") / FROZEN_FILE
#: The frozen real set is at least this many findings, with at least this many per category.
REAL_FROZEN_MIN, REAL_FROZEN_PER_CATEGORY = 520, 45


def real_frozen_set(corpus_dir: Path | str, corpus: pd.DataFrame) -> list[str]:
    """The frozen real-text evaluation set: the findings of whole pages, chosen once and recorded.

    Pages are drawn in a fixed random order until the set holds ``REAL_FROZEN_MIN`` findings and
    ``REAL_FROZEN_PER_CATEGORY`` of each category (or the pages run out); no page is on both sides.
    """
    import json

    from pipeline.shared.tables import atomic_path

    path = Path(corpus_dir) / REAL_FROZEN
    real = corpus[corpus["subset"] == "real"]
    if path.exists():  # every finding of the recorded pages, also those labelled since
        pages = set(json.loads(path.read_text(encoding="utf-8"))["pages"])
        return sorted(real.loc[real["source"].isin(pages), "finding_id"])
    if real.empty:
        return []
    pages = sorted(real["source"].unique())
    np.random.default_rng(2566).shuffle(pages)
    chosen: list[str] = []
    counts = dict.fromkeys(CATEGORY_IDS, 0)
    by_page = {page: rows for page, rows in real.groupby("source")}
    # a small corpus keeps most of its pages for training: at most a third is frozen
    target, cap = min(REAL_FROZEN_MIN, len(real) // 4), len(real) // 3
    frozen_count = 0
    for page in pages:
        if frozen_count >= cap or (
            frozen_count >= target and min(counts.values()) >= REAL_FROZEN_PER_CATEGORY
        ):
            break
        labels = by_page[page]["label"]
        if frozen_count + len(labels) > cap:
            continue
        if frozen_count < target or any(counts[x] < REAL_FROZEN_PER_CATEGORY for x in labels):
            chosen.append(page)
            frozen_count += len(labels)
            for label in labels:
                counts[label] += 1
    frozen = real[real["source"].isin(chosen)]
    record = {
        "set": "real",
        "chosen": datetime.date.today().isoformat(),
        "rule": (
            f"whole pages in a fixed random order (seed 2566) until {target} findings and "
            f"{REAL_FROZEN_PER_CATEGORY} of each category, at most a third of the real findings"
        ),
        "pages": sorted(chosen),
        "finding_ids": sorted(frozen["finding_id"]),
    }
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return record["finding_ids"]


def _ids_hash(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def frozen_evaluation(corpus: pd.DataFrame, sets: dict, model, keywords, written_only=None) -> dict:
    """Scores of a model, the keyword baseline and the written-only model on every frozen set."""
    out = {}
    for name, ids in sets.items():
        frame = corpus[corpus["finding_id"].isin(ids)]
        if frame.empty:
            continue
        out[str(name)] = {
            "findings": len(frame),
            "model": evaluate_on(model, frame),
            KEYWORDS: evaluate_on(keywords, frame),
        }
        if written_only is not None:
            out[str(name)]["written_only"] = evaluate_on(written_only, frame)
        differ = frame["rule_label"] != frame["label"]
        if differ.any():  # also score against the guidelines where the report's headings differ
            by_rules = frame.assign(label=frame["rule_label"])
            out[str(name)].update(
                relabelled=int(differ.sum()),
                model_by_guidelines=evaluate_on(model, by_rules),
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


def all_frozen_sets(corpus_dir: Path | str, corpus: pd.DataFrame) -> dict:
    """Every frozen set: ``real`` first, then each fiscal year's."""
    sets: dict = {}
    real = real_frozen_set(corpus_dir, corpus)
    if real:
        sets["real"] = real
    sets.update(frozen_sets(corpus_dir, corpus))
    return sets


def train(
    corpus_dir: Path | str = CORPUS_DIR,
    *,
    name: str,
    years: list[int] | None = None,
    extra: bool = True,
    real: bool | None = None,
    params: dict | None = None,
    engine: str = DEFAULT_ENGINE,
    evaluate: bool = True,
):
    """Fit the model on the corpus selection less the frozen sets; return it with its card."""
    corpus = with_tokens(load_corpus(corpus_dir, years=years, extra=extra, real=real), engine)
    sets = all_frozen_sets(corpus_dir, corpus)
    frozen = corpus["finding_id"].isin([i for ids in sets.values() for i in ids])
    training = corpus[~frozen].reset_index(drop=True)
    params = {**DEFAULT_PARAMS, **(params or {})}
    card = {
        "name": name,
        "created": datetime.date.today().isoformat(),
        "kind": "self-contained pipeline: text → nlpo3 words → TF-IDF words+chars → "
        "logistic regression → temperature",
        "tokenizer": engine,
        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
        "random_state": RANDOM_STATE,
        "guidelines": "corpus/GUIDELINES.md version 2",
        "training_data": data_summary(training),
        "frozen_sets": {
            str(key): {"findings": len(ids), "sha256": _ids_hash(ids)} for key, ids in sets.items()
        },
        "libraries": library_versions(),
        "categories": {c: {"th": BY_ID[c].th, "en": BY_ID[c].en} for c in CATEGORY_IDS},
    }
    model = fit_model(training, params)
    if evaluate:
        card["cross_validation"] = cross_validate(training, params)
        card["review_threshold"] = card["cross_validation"]["review"]["threshold"]
        card["temperature"] = card["cross_validation"]["temperature"]
        model.named_steps["classifier"].temperature = card["temperature"]
        keywords = KeywordClassifier().fit(training["tokens"], training["label"])
        written = training[~is_real(training)]
        written_only = None
        if len(written) < len(training) and written["label"].nunique() > 1:
            written_only = fit_model(written, params)
            written_only.named_steps["classifier"].temperature = card["temperature"]
        card["frozen_evaluation"] = frozen_evaluation(corpus, sets, model, keywords, written_only)
    return model, card


def tune(corpus_dir: Path | str = CORPUS_DIR, grid: list[dict] | None = None) -> pd.DataFrame:
    """Cross-validated macro-F1 on real text of each setting in ``grid``, frozen sets left out."""
    corpus = with_tokens(load_corpus(corpus_dir))
    frozen = [i for ids in all_frozen_sets(corpus_dir, corpus).values() for i in ids]
    corpus = corpus[~corpus["finding_id"].isin(frozen)].reset_index(drop=True)
    grid = grid or [
        {"C": c, "written_weight": w} for c in (3.0, 10.0, 30.0) for w in (0.25, 0.5, 1.0)
    ]
    rows = []
    for params in grid:
        result = cross_validate(corpus, params)
        scored = result["real"] or result["written"]
        rows.append(
            {
                **params,
                "real_macro_f1": scored["model"]["macro_f1"],
                "real_ece": scored["reliability"]["ece"],
                "written_macro_f1": (result["written"] or scored)["model"]["macro_f1"],
            }
        )
    return pd.DataFrame(rows)
