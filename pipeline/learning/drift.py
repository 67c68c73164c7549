"""Drift: how a newly classified year differs from what the model was trained on.

Two signs that a model is due for retraining: the category mix moves (the shares of the model's
categories in the new year against the training data's label shares), and the words move (the share
of the new findings' tokens the model has never seen).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from pipeline.learning.models import LoadedModel
from pipeline.shared.schema import col
from pipeline.shared.taxonomy import CATEGORY_IDS, category_th

#: Past these, the report suggests retraining.
UNSEEN_TOKEN_ALERT = 0.15
SHARE_CHANGE_ALERT = 0.05


def model_vocabulary(model: LoadedModel) -> set[str] | None:
    """The word unigrams a trained pipeline knows; None for the keyword baseline."""
    if model.weights is None:
        return None
    return {term for term in model.weights.part_names[0] if " " not in term}


@dataclass
class DriftCounts:
    """What drift is computed from, summed over the chunks of a batch: findings per model
    category, and tokens, of which unseen by the model (None without a vocabulary)."""

    categories: Counter = field(default_factory=Counter)
    tokens: int = 0
    unseen: int | None = None

    def __iadd__(self, other: DriftCounts) -> DriftCounts:
        self.categories.update(other.categories)
        self.tokens += other.tokens
        if other.unseen is not None:
            self.unseen = (self.unseen or 0) + other.unseen
        return self


def count_drift(classified: pd.DataFrame, vocabulary: set[str] | None) -> DriftCounts:
    """The counts drift needs, of one table (or chunk) of classified findings."""
    counts = DriftCounts(Counter(classified[col.MODEL_CATEGORY].value_counts().to_dict()))
    if vocabulary is not None:
        words = " ".join(classified[col.TOKENS].fillna("").astype(str)).split()
        counts.tokens = len(words)
        counts.unseen = len(words) - sum(map(vocabulary.__contains__, words))
    return counts


def drift(classified: pd.DataFrame, model: LoadedModel) -> dict:
    """Category shares against training, unseen-token share, and whether to retrain."""
    return drift_of_counts(count_drift(classified, model_vocabulary(model)), model)


def drift_of_counts(counts: DriftCounts, model: LoadedModel) -> dict:
    """:func:`drift` from the counts of a whole batch."""
    trained = model.card.get("training_data", {}).get("per_category")
    total = sum(counts.categories.values())
    rows = []
    for category in CATEGORY_IDS:
        before = trained[category] / sum(trained.values()) if trained else None
        after = counts.categories.get(category, 0) / total if total else 0.0
        rows.append(
            {
                "หมวด": category_th(category),
                "สัดส่วนในข้อมูลฝึก": None if before is None else round(before, 3),
                "สัดส่วนปีนี้": round(after, 3),
                "เปลี่ยนแปลง": None if before is None else round(after - before, 3),
            }
        )
    table = pd.DataFrame(rows)
    unseen = None if counts.unseen is None else round(counts.unseen / max(1, counts.tokens), 3)
    shifted = table["เปลี่ยนแปลง"].abs().max() if trained else 0
    retrain = bool(
        (unseen is not None and unseen > UNSEEN_TOKEN_ALERT)
        or (shifted is not None and shifted > SHARE_CHANGE_ALERT)
    )
    return {"categories": table, "unseen_token_share": unseen, "retrain": retrain}


def describe(report: dict, *, least_change: float = 0.03) -> str:
    """The drift report in one line: unseen tokens, then the categories whose share moved."""
    moved = report["categories"].dropna()
    moved = moved[moved["เปลี่ยนแปลง"].abs() >= least_change]
    unseen = report["unseen_token_share"]
    changes = ", ".join(f"{r['หมวด']} {r['เปลี่ยนแปลง']:+.1%}" for _, r in moved.iterrows())
    seen = "unknown" if unseen is None else f"{unseen:.1%}"
    return f"Drift from the training data: {seen} of tokens unseen by the model; " + (
        changes or "category mix as in training"
    )
