"""Classify stage: a category for every finding, with a confidence an analyst can act on.

Where the report files a finding under a category heading, that is its category
(``category_source = heading``) and the model's own answer is kept beside it; a disagreement sets
``needs_review``. Elsewhere the model's top category is used, and an answer less sure than the
model's review threshold sets ``needs_review``. ``evidence`` names the few tokens that pushed the
model's decision most.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from pipeline.learning.models import KeywordClassifier, LoadedModel
from pipeline.learning.weights import ModelWeights
from pipeline.shared import schema
from pipeline.shared.schema import col
from pipeline.shared.taxonomy import BY_ID, CATEGORY_IDS

REQUIRES = (col.TOKENS,)
PRODUCES = (
    col.CATEGORY,
    col.CONFIDENCE,
    col.CATEGORY_2,
    col.CONFIDENCE_2,
    col.CATEGORY_SOURCE,
    col.NEEDS_REVIEW,
    col.MODEL,
    col.MODEL_CATEGORY,
    col.MODEL_CONFIDENCE,
    col.EVIDENCE,
)
EVIDENCE_TOKENS = 3
CHUNK = 5000  # findings classified at a time (a task each, over several processes)


def predict_proba(model: LoadedModel, tokens, features=None) -> np.ndarray:
    """Calibrated probabilities over the eight categories, in taxonomy order, from tokens.

    ``features``: the tokens already through :meth:`ModelWeights.features`, to spare doing it
    twice. A trained model's estimator, on raw texts, gives the same.
    """
    if model.weights is None:  # the keyword baseline
        known, classes = model.estimator.predict_proba(list(tokens)), model.estimator.classes_
    else:
        if features is None:
            features = model.weights.features(tokens)
        known, classes = model.weights.proba(features), model.weights.classes
    proba = np.zeros((known.shape[0], len(CATEGORY_IDS)))  # a category never trained on: 0
    for column, category in enumerate(classes):
        proba[:, CATEGORY_IDS.index(category)] = known[:, column]
    return proba


def evidence(scorer, texts, predicted: np.ndarray, matrix=None) -> list[str]:
    """The tokens whose weight for the predicted category, times their value, is highest.

    Up to three different ones a finding, the strongest first. Words read better than character
    n-grams: a finding shows n-grams only when no word pushed it. A marked opening word
    (^งบประมาณ) is shown as the word itself. ``scorer``: a model's weights, or the keyword
    baseline, whose evidence is the cue words found.
    """
    if isinstance(scorer, KeywordClassifier):
        return [
            ", ".join(
                cue
                for cue in BY_ID[category].cues
                if cue.replace(" ", "") in text.replace(" ", "").lower()
            )[:120]
            for text, category in zip(texts, predicted)
        ]
    weights: ModelWeights = scorer
    if matrix is None:
        matrix = weights.features(texts)
    matrix = sp.csr_matrix(matrix)
    if not matrix.has_sorted_indices:  # of equal weights, the feature named first wins
        matrix = matrix.sorted_indices()
    target = pd.Index(weights.classes).get_indexer(np.asarray(predicted))
    target[target < 0] = 0
    out = np.full(matrix.shape[0], "", dtype=object)
    start = 0
    # the feature blocks in order of preference: words, then character n-grams
    for names, (shown, labels) in zip(weights.part_names, weights.part_labels):
        stop, pending = start + len(names), np.flatnonzero(out == "")
        block = (matrix if len(pending) == len(out) else matrix[pending])[:, start:stop]
        rows = np.repeat(np.arange(len(pending)), np.diff(block.indptr))
        pushes = weights.coef[target[pending][rows], block.indices + start] * block.data
        helps = pushes > 0
        chosen = strongest(rows[helps], pushes[helps], shown[block.indices[helps]], len(pending))
        out[pending] = joined(labels, chosen)
        start = stop
    return out.tolist()


def strongest(rows, weights, ids, n_rows: int, k: int = EVIDENCE_TOKENS) -> np.ndarray:
    """Per row, the ``ids`` of its ``k`` heaviest entries, each id once, the heaviest first.

    Entries come row by row; of equal weights the earlier entry wins. Returns ``(n_rows, k)``
    ids, -1 where a row has fewer.
    """
    chosen = np.full((n_rows, k), -1)
    if not len(rows):
        return chosen
    new_row = np.r_[True, rows[1:] != rows[:-1]]
    starts, segment = np.flatnonzero(new_row), np.cumsum(new_row) - 1
    weights = weights.astype(float)  # a copy: the chosen ids are struck out as they are taken
    for place in range(k):  # a few passes over all rows at once rather than a loop over rows
        best = np.maximum.reduceat(weights, starts)
        first = np.flatnonzero(weights == best[segment])
        first = first[np.r_[True, segment[first][1:] != segment[first][:-1]]]
        first = first[weights[first] > -np.inf]
        chosen[rows[first], place] = ids[first]
        taken = np.full(len(starts), -1)
        taken[segment[first]] = ids[first]
        weights[ids == taken[segment]] = -np.inf
    return chosen


def joined(labels: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Each row's chosen labels joined by commas (-1: none)."""
    labels = np.append(labels, "")  # so that -1 reads as nothing
    out = labels[chosen[:, 0]]
    for place in range(1, chosen.shape[1]):
        more = chosen[:, place] >= 0
        out[more] = out[more] + ", " + labels[chosen[more, place]]
    return out


def classify(findings: pd.DataFrame, model: LoadedModel, *, jobs: int = 1) -> pd.DataFrame:
    """Add the category columns of DESIGN.md section 4 to a tokenized findings table.

    With ``jobs`` above 1, large tables are classified in chunks over processes; the result is
    the same.
    """
    schema.require(findings, REQUIRES, stage="classify")
    if len(findings) > CHUNK:  # chunks keep the feature matrix, and so memory, bounded
        chunks = [findings.iloc[i : i + CHUNK] for i in range(0, len(findings), CHUNK)]
        if jobs == 1:
            parts = [_classify(chunk, model) for chunk in chunks]
        else:
            from joblib import Parallel, delayed

            # a model from a folder travels as its path: each worker loads it once
            reference = model.folder or model
            parts = Parallel(n_jobs=jobs)(delayed(_in_worker)(c, reference) for c in chunks)
        return pd.concat(parts)
    return _classify(findings, model)


def _in_worker(findings: pd.DataFrame, reference) -> pd.DataFrame:
    from pipeline.learning.models import load_model

    model = load_model(str(reference)) if isinstance(reference, Path) else reference
    return _classify(findings, model)


def _classify(findings: pd.DataFrame, model: LoadedModel) -> pd.DataFrame:
    texts = findings[col.TOKENS].fillna("").astype(str).tolist()
    categories = np.array(CATEGORY_IDS)
    if not texts:
        return findings.assign(**{name: pd.Series(dtype=object) for name in PRODUCES})
    matrix = None
    if model.weights is not None:  # featurize once, for the answer and its evidence
        matrix = model.weights.features(texts)
    proba = predict_proba(model, texts, matrix)
    ranked = np.argsort(-proba, axis=1)
    top, second = ranked[:, 0], ranked[:, 1]
    rows = np.arange(len(texts))
    model_category = categories[top]
    model_confidence = proba[rows, top]
    heading = (
        findings[col.HEADING_CATEGORY]
        if col.HEADING_CATEGORY in findings.columns
        else pd.Series([None] * len(findings), index=findings.index)
    )
    has_heading = heading.isin(CATEGORY_IDS).to_numpy()
    heading_index = np.array(
        [CATEGORY_IDS.index(h) if ok else 0 for h, ok in zip(heading, has_heading)]
    )
    # the runner-up beside a heading is the model's best category other than the heading's
    other = np.where(top == heading_index, second, top)
    category = np.where(has_heading, heading.to_numpy(dtype=object), model_category)
    confidence = np.where(has_heading, 1.0, model_confidence)
    category_2 = np.where(has_heading, categories[other], categories[second])
    confidence_2 = np.where(has_heading, proba[rows, other], proba[rows, second])
    needs_review = np.where(
        has_heading, model_category != category, model_confidence < model.threshold
    )
    return findings.assign(
        **{
            col.CATEGORY: category,
            col.CONFIDENCE: np.round(confidence, 4),
            col.CATEGORY_2: category_2,
            col.CONFIDENCE_2: np.round(confidence_2, 4),
            col.CATEGORY_SOURCE: np.where(has_heading, "heading", "model"),
            col.NEEDS_REVIEW: needs_review.astype(bool),
            col.MODEL: model.name,
            col.MODEL_CATEGORY: model_category,
            col.MODEL_CONFIDENCE: np.round(model_confidence, 4),
            col.EVIDENCE: evidence(model.weights or model.estimator, texts, model_category, matrix),
        }
    )
