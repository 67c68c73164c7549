"""Classifiers and model files.

Two kinds of model answer the same calls (``predict_proba`` over the categories, ``classes_``):

- ``keywords``: the floor every trained model must beat, built from the taxonomy's cue words; it
  needs no training and no file.
- a trained scikit-learn ``Pipeline`` (:mod:`pipeline.learning.estimators`), self-contained from
  a finding's text to calibrated probabilities.

A trained model lives in ``models/NAME/`` as ``model.skops``, ``weights.npz`` and ``card.json``.
``weights.npz`` is the fitted arrays alone (:mod:`pipeline.learning.weights`): what classifying
loads, without scikit-learn or skops. ``model.skops`` is the whole estimator, for evaluating and
retraining; this module does not import scikit-learn until it is loaded. The types a file
holds beyond those skops trusts by itself are audited once, when it is written, and recorded in
the card (``own_types``) beside the file's SHA-256. Loading checks the hash and hands skops that
list as its trusted types, after refusing any type not on :data:`ALLOWED_TYPES` (the scikit-learn
and NumPy types the pipeline is made of, and this package's own steps, whose code is the installed
package's), so a model file passed between analysts cannot run code of its own.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.learning.cards import (
    CARD_FILE,
    KEYWORDS,
    MODEL_FILE,
    MODELS_DIR,
    ModelError,
    default_name,
    models_root,
    read_card,
)
from pipeline.learning.weights import WEIGHTS_FILE, ModelWeights
from pipeline.shared.taxonomy import CATEGORIES, CATEGORY_IDS

#: Names this module gave before the estimators had their own, for model files saved then.
_MOVED = ("DEFAULT_PARAMS", "FindingText", "CalibratedLogistic", "build_pipeline")


def __getattr__(name: str):
    if name in _MOVED:  # imported on demand: scikit-learn is slow to import
        from pipeline.learning import estimators

        return getattr(estimators, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class KeywordClassifier:
    """Scores each category by the cue words of the taxonomy found in a finding's text.

    Longer cues weigh more (they are more specific); a finding with no cue gets the category
    distribution of the training data, or a uniform one before ``fit``.
    """

    def __init__(self, smoothing: float = 0.1):
        self.smoothing = smoothing
        self.classes_ = np.array(CATEGORY_IDS)
        self.prior_ = np.full(len(CATEGORY_IDS), 1 / len(CATEGORY_IDS))
        self._cues = [
            [(re.compile(re.escape(cue.replace(" ", ""))), 1 + len(cue) / 8) for cue in c.cues]
            for c in CATEGORIES
        ]

    def fit(self, texts, labels) -> KeywordClassifier:
        counts = np.array([list(labels).count(c) for c in CATEGORY_IDS], dtype=float)
        self.prior_ = (counts + 1) / (counts + 1).sum()
        return self

    def _scores(self, text: str) -> np.ndarray:
        joined = text.replace(" ", "").lower()  # tokens or raw text: cues match either way
        return np.array(
            [sum(w * len(p.findall(joined)) for p, w in cues) for cues in self._cues], dtype=float
        )

    def predict_proba(self, texts) -> np.ndarray:
        rows = []
        for text in texts:
            scores = self._scores(text)
            if scores.sum() == 0:
                rows.append(self.prior_)
            else:
                smoothed = scores + self.smoothing * self.prior_
                rows.append(smoothed / smoothed.sum())
        return np.vstack(rows) if rows else np.empty((0, len(CATEGORY_IDS)))

    def predict(self, texts) -> np.ndarray:
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]


#: The project's own steps of a saved model: trusted by name, their code is this package's
#: (files saved before the estimators had their module name them in this one).
OWN_TYPES = frozenset(
    {
        "pipeline.learning.estimators.FindingText",
        "pipeline.learning.estimators.CalibratedLogistic",
        "pipeline.learning.models.FindingText",
        "pipeline.learning.models.CalibratedLogistic",
        "pipeline.learning.features.NgramUnion",
        "pipeline.learning.features.WordNgrams",
        "pipeline.learning.features.CharNgrams",
    }
)
#: Every type a saved model may hold: the pipeline's scikit-learn steps, the NumPy types of
#: their parameters and fitted attributes, the builtins skops writes, and :data:`OWN_TYPES`. A
#: card that lists a type outside it is refused; a new kind of step needs adding here (a test
#: checks that every type of a freshly trained model is on it).
ALLOWED_TYPES = OWN_TYPES | frozenset(
    {
        "sklearn.pipeline.Pipeline",
        "numpy.ndarray",
        "numpy.float64",
        "builtins.bool",
        "builtins.dict",
        "builtins.float",
        "builtins.int",
        "builtins.list",
        "builtins.str",
        "builtins.tuple",
    }
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class LoadedModel:
    """A model ready to classify, with its name, card and review threshold.

    ``estimator``: the keyword baseline or the trained pipeline (None when only the weights were
    loaded); ``weights``: a trained model's fitted arrays, which classify (from the estimator
    when not given).
    """

    name: str
    estimator: object
    card: dict
    folder: Path | None = None  # where it was loaded from, so that worker processes load it too
    weights: ModelWeights | None = None

    def __post_init__(self):
        if self.weights is None and hasattr(self.estimator, "named_steps"):
            self.weights = ModelWeights.of(self.estimator)

    @property
    def threshold(self) -> float:
        return float(self.card.get("review_threshold", 0.5))


def dump_estimator(estimator, path: Path) -> tuple[str, list[str]]:
    """Write ``estimator`` to ``path`` as skops; its SHA-256 and the types audited in it.

    The audit (the types skops does not trust by itself) is done here, once, for the card: with
    the hash it lets every later load skip it.
    """
    import skops.io

    skops.io.dump(estimator, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    return sha256(path), own_types(path)


def save_model(estimator, card: dict, folder: Path) -> Path:
    """Write ``model.skops``, ``weights.npz`` and ``card.json`` (with the files' SHA-256) into
    ``folder``."""
    from pipeline.shared.tables import atomic_path

    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder / MODEL_FILE) as temporary:
        digest, audited = dump_estimator(estimator, temporary)
    card = {**card, "model_file": MODEL_FILE, "model_sha256": digest, "own_types": audited}
    with atomic_path(folder / WEIGHTS_FILE) as temporary:
        ModelWeights.of(estimator).save(temporary)
    card.update(weights_file=WEIGHTS_FILE, weights_sha256=sha256(folder / WEIGHTS_FILE))
    with atomic_path(folder / CARD_FILE) as temporary:
        temporary.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return folder


def own_types(path: Path) -> list[str]:
    """The types of a saved model that skops does not trust by itself (audited at save time)."""
    import skops.io

    try:
        return sorted(skops.io.get_untrusted_types(file=path))
    except Exception as error:  # a damaged or foreign file
        raise ModelError(
            f"{path}: not a readable skops model file ({type(error).__name__})"
        ) from None


def load_estimator(path: Path, expected_sha256: str, audited: list[str] | None = None):
    """Load a ``.skops`` file only if its hash matches and every type in it is allowed.

    ``audited`` is the list of types the card recorded when the file was written (see
    :func:`dump_estimator`): the hash ties the file to it, so the slow audit is not repeated.
    skops is given that list, once checked against :data:`ALLOWED_TYPES`, as the types to
    trust, and refuses any other type it does not trust by itself. A card from before audits
    were recorded has the file audited now.
    """
    import skops.io
    from skops.io.exceptions import UntrustedTypesFoundException

    if not path.exists():
        raise ModelError(f"{path}: model file not found")
    if not expected_sha256 or sha256(path) != expected_sha256:
        raise ModelError(f"{path}: SHA-256 differs from the card's; the file was changed, refusing")
    if audited is None:
        audited = own_types(path)
    foreign = sorted(set(audited) - ALLOWED_TYPES)
    if foreign:
        raise ModelError(
            f"{path}: contains object types this project never saves ({', '.join(foreign)}); "
            "refusing to load it"
        )
    try:
        estimator = skops.io.load(path, trusted=sorted(audited))
    except UntrustedTypesFoundException:
        raise ModelError(
            f"{path}: not loadable with the types its card lists (it holds others); refusing it"
        ) from None
    except Exception as error:  # a damaged file
        raise ModelError(
            f"{path}: not a readable skops model file ({type(error).__name__})"
        ) from None
    return estimator


def load_model(
    name: str | None = None, models_dir: Path | None = MODELS_DIR, *, estimator: bool = True
) -> LoadedModel:
    """A model by name (a folder under ``models_dir``, a folder path, or ``keywords``); the
    shipped models wherever the command runs when ``models_dir`` is not given.

    ``estimator=False``: what classifying needs, the weights alone, when the card has them (a
    model saved before weights files has its estimator loaded as before).
    """
    models_dir = models_root(models_dir)
    name = name or default_name(models_dir)
    if name == KEYWORDS:
        return LoadedModel(
            KEYWORDS, KeywordClassifier(), {"name": KEYWORDS, "review_threshold": 0.5}
        )
    try:
        folder = Path(name) if Path(name).is_dir() else models_dir / name
        found = folder.is_dir()
    except (OSError, ValueError):  # a name too long for the file system, a NUL in it
        found = False
    if not found:
        known = ", ".join(sorted(p.name for p in models_dir.glob("*") if p.is_dir()))
        raise ModelError(f"unknown model {name[:80]!r}; expected one of {KEYWORDS}, {known}")
    folder = folder.resolve()
    stamp = tuple((p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*")))
    return _load_folder(folder, stamp, estimator)


def _inside(folder: Path, card: dict, key: str, default: str) -> Path:
    """A file the card names, which must be in the model's folder."""
    path = (folder / str(card.get(key, default))).resolve()
    if path.parent != folder.resolve():
        raise ModelError(
            f"{folder / CARD_FILE}: {key} points outside the model's folder; refusing it"
        )
    return path


def _checked_digest(folder: Path, card: dict, key: str) -> str:
    digest = card.get(key)
    if not isinstance(digest, str) or len(digest) != 64:
        raise ModelError(f"{folder / CARD_FILE}: the card has no {key}; refusing the model")
    return digest


def load_weights(path: Path, expected_sha256: str) -> ModelWeights:
    """Load a weights file only if its hash matches the card's."""
    if not path.exists():
        raise ModelError(f"{path}: weights file not found")
    if sha256(path) != expected_sha256:
        raise ModelError(f"{path}: SHA-256 differs from the card's; the file was changed, refusing")
    return ModelWeights.load(path)


@lru_cache(maxsize=4)
def _load_folder(folder: Path, stamp: tuple, with_estimator: bool = True) -> LoadedModel:
    """A model folder, loaded once per process while its files are unchanged (``stamp``)."""
    card = read_card(folder)
    name = card.get("name", folder.name)
    if not with_estimator and "weights_file" in card:
        path = _inside(folder, card, "weights_file", WEIGHTS_FILE)
        weights = load_weights(path, _checked_digest(folder, card, "weights_sha256"))
        return LoadedModel(name, None, card, folder, weights)
    digest = _checked_digest(folder, card, "model_sha256")
    model_file = _inside(folder, card, "model_file", MODEL_FILE)
    estimator = load_estimator(model_file, digest, card.get("own_types"))
    return LoadedModel(name, estimator, card, folder)
